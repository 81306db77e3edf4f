import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({
    resources: [
      { mount: '/docs', root: 'examples/docs' },
      { mount: '/t', root: 'test/fixtures/xslt' },
      { mount: '/d', root: 'test/fixtures/docs' },
    ],
    transforms: 'examples/transforms',
    pool: { minThreads: 1, maxThreads: 1, taskTimeoutMs: 2_000 },
  });
});
after(() => server.close());

const xslt = (query: string, body?: string, headers: Record<string, string> = {}) => fetch(`${server.url}/akara.xslt?${query}`, body === undefined
  ? { headers }
  : { method: 'POST', body, headers: { 'content-type': 'application/xml', ...headers } });

const CATALOG_HTML = '<html><head><title>Shelf</title></head><body><h1>Shelf</h1><ul>'
  + '<li id="b2">Dune (1965), Frank Herbert</li><li id="b1">Foundation (1951), Isaac Asimov</li>'
  + '<li id="b4">The Lathe of Heaven (1969), Ursula K. Le Guin</li><li id="b3">The Left Hand of Darkness (1968), Ursula K. Le Guin</li>'
  + '</ul><p>4 books by 3 authors</p></body></html>';

describe('akara.xslt', () => {
  it('transforms the body with a stylesheet named by a path on this server', async () => {
    const res = await xslt('@xslt=/t/identity.xsl', '<a x="1"><b>t</b><!--c--></a>');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(await res.text(), '<a x="1"><b>t</b><!--c--></a>');
  });

  it('renders the shipped example through a named transform, with xsl:import, xsl:sort and a param', async () => {
    const res = await xslt('@xslt=catalog-html&title=Shelf&@source=/docs/catalog.xml');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), CATALOG_HTML);
  });

  it('passes every parameter not starting with @ as an xsl:param string', async () => {
    const res = await xslt('@xslt=/t/wrap.xsl&tag=%3Cx%20%26%20y%3E', '<a/>');
    assert.equal(await res.text(), '<?xml version="1.0" encoding="UTF-8"?>\n<wrapped tag="&lt;x &amp; y&gt;"><a/></wrapped>');
  });

  it('chains repeated @xslt in order', async () => {
    const res = await xslt('@xslt=/t/wrap.xsl&@xslt=/t/identity.xsl&tag=one', '<a/>');
    assert.equal(await res.text(), '<wrapped tag="one"><a/></wrapped>');
    const reversed = await xslt('@xslt=/t/identity.xsl&@xslt=/t/wrap.xsl&tag=two', '<a/>');
    assert.equal(await reversed.text(), '<?xml version="1.0" encoding="UTF-8"?>\n<wrapped tag="two"><a/></wrapped>');
  });

  it('escapes the source\'s markup characters in XML output and never escapes text output', async () => {
    const note = await xslt('@xslt=/t/identity.xsl&@source=/d/note.xml');
    assert.equal(await note.text(), '<note><to>Tove</to><body>a &lt;b&gt; &amp; "c"</body></note>');
    const text = await xslt('@xslt=/t/titles.txt.xsl', '<r><title>a &lt; b &amp; c</title><title>&lt;script&gt;</title></r>');
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await text.text(), 'a < b & c\n<script>\n');
  });

  it('takes the media type from xsl:output, or from @media-type', async () => {
    const svg = await xslt('@xslt=/t/svg.xsl', '<a><b/></a>');
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    assert.equal(await svg.text(), '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>2</text></svg>');
    const over = await xslt('@xslt=/t/identity.xsl&@media-type=application/atom%2Bxml', '<feed/>');
    assert.equal(over.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
    await expectProblem(await xslt('@xslt=/t/identity.xsl&@media-type=html', '<a/>'), 400, 'AKR_ERR_PARAM_INVALID');
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await xslt('@xslt=catalog-html&@source=/docs/catalog.xml');
    const head = await fetch(`${server.url}/akara.xslt?@xslt=catalog-html&@source=/docs/catalog.xml`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), get.headers.get('content-type'));
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(await get.text())));
    assert.equal(await head.text(), '');
  });

  it('refuses a request without a source, or with both a body and @source', async () => {
    const none = await expectProblem(await xslt('@xslt=/t/identity.xsl'), 400, 'AKR_ERR_PARAM_MISSING');
    assert.equal(none.param, '@source');
    const both = await expectProblem(await xslt('@xslt=/t/identity.xsl&@source=/d/note.xml', '<a/>'), 400, 'AKR_ERR_PARAM_INVALID');
    assert.equal(both.param, '@source');
    await expectProblem(await xslt('@source=/d/note.xml'), 400, 'AKR_ERR_PARAM_MISSING');
    await expectProblem(await xslt('@xslt=/t/wrap.xsl&tag=a&tag=b', '<a/>'), 400, 'AKR_ERR_PARAM_REPEATED');
  });
});

describe('document()', () => {
  it('loads documents through the resolver, relative to the stylesheet', async () => {
    const res = await xslt('@xslt=/t/document.xsl', '<order><line sku="b"/><line sku="a"/></order>');
    assert.equal(await res.text(), 'b=2.25\na=1.50\n');
  });

  it('goes through the fetch policy', async () => {
    const res = await xslt(`@xslt=/t/document.xsl&other=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`, '<order/>');
    await expectProblem(res, 403, 'AKR_ERR_URI_DENIED');
  });
});

describe('akara.xslt errors', () => {
  it('422 with line and column for a malformed body', async () => {
    const body = await expectProblem(await xslt('@xslt=/t/identity.xsl', '<a>\n  <b></a>'), 422, 'AKR_ERR_XML_MALFORMED');
    assert.equal(body.line, 2);
    assert.equal(typeof body.column, 'number');
  });

  it('422 for a document declaring entities, which are never expanded', async () => {
    const bomb = '<!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><a>&y;</a>';
    await expectProblem(await xslt('@xslt=/t/identity.xsl', bomb), 422, 'AKR_ERR_XML_DTD_FORBIDDEN');
    const external = '<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>';
    await expectProblem(await xslt('@xslt=/t/identity.xsl', external), 422, 'AKR_ERR_XML_DTD_FORBIDDEN');
  });

  it('422 naming the stylesheet that does not compile', async () => {
    const body = await expectProblem(await xslt('@xslt=/t/broken.xsl', '<a/>'), 422, 'AKR_ERR_XSLT_COMPILE');
    assert.equal(body.uri, `${server.url}/t/broken.xsl`);
    assert.equal(body.line, 2);
  });

  it('404 for a stylesheet that does not exist, 400 for one that is not a URI', async () => {
    await expectProblem(await xslt('@xslt=/t/missing.xsl', '<a/>'), 404, 'AKR_ERR_RESOURCE_NOT_FOUND');
    await expectProblem(await xslt('@xslt=no-such-transform', '<a/>'), 404, 'AKR_ERR_RESOURCE_NOT_FOUND');
    await expectProblem(await xslt(`@xslt=${encodeURIComponent('http://[::1')}`, '<a/>'), 400, 'AKR_ERR_URI_INVALID');
  });

  it('stops a stylesheet that never ends with the task budget, then keeps serving', async () => {
    await expectProblem(await xslt('@xslt=/t/recursion.xsl', '<a/>'), 504, 'AKR_ERR_TASK_TIMEOUT');
    const next = await xslt('@xslt=/t/identity.xsl', '<ok/>');
    assert.equal(await next.text(), '<ok/>');
  });
});

describe('resource spaces', () => {
  it('serve a document as it is, with its media type', async () => {
    const res = await fetch(`${server.url}/docs/catalog.xml`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(await readFile('examples/docs/catalog.xml')));
  });

  it('apply ?xslt= before answering: the README example', async () => {
    const res = await fetch(`${server.url}/docs/catalog.xml?xslt=catalog-html&title=Shelf`);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(await res.text(), CATALOG_HTML);
  });

  it('chain repeated xslt, named by a transform name, a path on this server, and a URI of this server', async () => {
    const res = await fetch(`${server.url}/d/note.xml?xslt=/t/wrap.xsl&xslt=${encodeURIComponent(`${server.url}/t/identity.xsl`)}&tag=n`);
    assert.equal(await res.text(), '<wrapped tag="n"><note><to>Tove</to><body>a &lt;b&gt; &amp; "c"</body></note></wrapped>');
  });

  it('refuse params without a transform, and unknown documents', async () => {
    await expectProblem(await fetch(`${server.url}/docs/catalog.xml?title=x`), 400, 'AKR_ERR_PARAM_UNKNOWN');
    await expectProblem(await fetch(`${server.url}/docs/none.xml`), 404, 'AKR_ERR_RESOURCE_NOT_FOUND');
    await expectProblem(await fetch(`${server.url}/docs`), 404, 'AKR_ERR_RESOURCE_NOT_FOUND');
  });
});
