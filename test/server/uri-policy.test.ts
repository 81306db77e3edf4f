import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const IDENTITY = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output omit-xml-declaration="yes"/>'
  + '<xsl:template match="/"><xsl:copy-of select="."/></xsl:template></xsl:stylesheet>';

// A host that would serve stylesheets to anyone who reached it: the policy must keep Akara from it.
let upstream: Upstream;
let server: TestServer;
before(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/xslt+xml' });
    res.end(IDENTITY);
  });
  server = await startTestServer({ pool: { minThreads: 1, maxThreads: 1 } });
});
after(async () => {
  await server.close();
  await upstream.close();
});

const withStylesheet = (uri: string) => fetch(`${server.url}/akara.xslt?@xslt=${encodeURIComponent(uri)}`, { method: 'POST', body: '<a/>' });

describe('the URI policy (default config)', () => {
  it('refuses loopback, private, link-local, metadata and unspecified addresses before any connection', async () => {
    const refused = [
      `${upstream.url}/x.xsl`,
      `http://[::1]:${upstream.port}/x.xsl`,
      `http://[::ffff:127.0.0.1]:${upstream.port}/x.xsl`,
      `http://127.1:${upstream.port}/x.xsl`,
      `http://0.0.0.0:${upstream.port}/x.xsl`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.1/x.xsl',
      'http://192.168.1.1/x.xsl',
      'http://172.16.0.1/x.xsl',
    ];
    for (const uri of refused) {
      const body = await expectProblem(await withStylesheet(uri), 403, 'AKR_ERR_URI_DENIED');
      assert.match(String(body.detail), /loopback, private, link-local or reserved/, uri);
    }
    assert.deepEqual(upstream.hits, []);
  });

  it('refuses a name that resolves to a loopback address, at connection time', async () => {
    const body = await expectProblem(await withStylesheet(`http://localhost:${upstream.port}/x.xsl`), 403, 'AKR_ERR_URI_DENIED');
    assert.match(String(body.detail), /localhost resolves to (127\.0\.0\.1|::1)/);
    assert.deepEqual(upstream.hits, []);
  });

  it('refuses file: outside the roots, other schemes and credentials', async () => {
    await expectProblem(await withStylesheet('file:///etc/passwd'), 403, 'AKR_ERR_URI_DENIED');
    await expectProblem(await withStylesheet('ftp://example.org/x.xsl'), 403, 'AKR_ERR_URI_DENIED');
    await expectProblem(await withStylesheet('data:text/xml,<a/>'), 403, 'AKR_ERR_URI_DENIED');
    await expectProblem(await fetch(`${server.url}/akara.xslt?@xslt=/x.xsl&@source=${encodeURIComponent('file:///etc/hostname')}`), 403, 'AKR_ERR_URI_DENIED');
  });
});

describe('fetching with private addresses allowed (an operator choice)', () => {
  let open: TestServer;
  let origin: Upstream;
  const served: Record<string, { status?: number; headers?: Record<string, string>; body?: string; hang?: boolean }> = {};
  before(async () => {
    origin = await startUpstream((req, res) => {
      const entry = served[req.url ?? ''];
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      if (entry.hang) return;
      if (req.headers['if-none-match'] !== undefined && req.headers['if-none-match'] === entry.headers?.etag) {
        res.writeHead(304, entry.headers).end();
        return;
      }
      res.writeHead(entry.status ?? 200, { 'content-type': 'application/xslt+xml', ...entry.headers });
      res.end(entry.body ?? IDENTITY);
    });
    open = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      fetch: { allowPrivateAddresses: true, allowHosts: ['127.0.0.1'], timeoutMs: 500, maxBytes: 4096, maxRedirects: 2 },
    });
  });
  after(async () => {
    await open.close();
    await origin.close();
  });
  const run = (path: string) => fetch(`${open.url}/akara.xslt?@xslt=${encodeURIComponent(`${origin.url}${path}`)}`, { method: 'POST', body: '<a>1</a>' });

  it('fetches, and keeps a resource while Cache-Control says it is fresh', async () => {
    served['/fresh.xsl'] = { headers: { 'cache-control': 'max-age=60' } };
    for (let i = 0; i < 3; i++) assert.equal(await (await run('/fresh.xsl')).text(), '<a>1</a>');
    assert.equal(origin.hits.filter((h) => h === '/fresh.xsl').length, 1);
  });

  it('revalidates a no-cache resource with its ETag', async () => {
    served['/etag.xsl'] = { headers: { 'cache-control': 'no-cache', etag: '"v1"' } };
    for (let i = 0; i < 3; i++) assert.equal(await (await run('/etag.xsl')).text(), '<a>1</a>');
    assert.equal(origin.hits.filter((h) => h === '/etag.xsl').length, 3);
  });

  it('checks every redirect hop against the policy', async () => {
    served['/hop.xsl'] = { status: 302, headers: { location: `http://localhost:${origin.port}/fresh.xsl` } };
    const body = await expectProblem(await run('/hop.xsl'), 403, 'AKR_ERR_URI_DENIED');
    assert.match(String(body.detail), /not in fetch.allowHosts/);
    served['/loop.xsl'] = { status: 302, headers: { location: '/loop.xsl' } };
    await expectProblem(await run('/loop.xsl'), 502, 'AKR_ERR_UPSTREAM');
  });

  it('answers 502 for an upstream error, 504 for one too slow, 413 for one too large', async () => {
    const missing = await expectProblem(await run('/missing.xsl'), 502, 'AKR_ERR_UPSTREAM');
    assert.equal(missing.upstreamStatus, 404);
    served['/hang.xsl'] = { hang: true };
    await expectProblem(await run('/hang.xsl'), 504, 'AKR_ERR_UPSTREAM_TIMEOUT');
    served['/big.xsl'] = { body: `${IDENTITY}<!--${'x'.repeat(5000)}-->` };
    await expectProblem(await run('/big.xsl'), 413, 'AKR_ERR_FETCH_TOO_LARGE');
    assert.equal(await (await run('/fresh.xsl')).text(), '<a>1</a>');
  });
});
