import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ resources: [{ mount: '/docs', root: 'examples/docs' }], pool: { minThreads: 1, maxThreads: 1 } });
});
after(() => server.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { method: 'POST', body, headers });

describe('akara.xpath', () => {
  it('answers a node-set as XML, in document order', async () => {
    const res = await post(`/akara.xpath?select=${encodeURIComponent('//b|//a')}`, '<r><a>1</a><b>2</b><a>3</a></r>');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(res.headers.get('vary'), 'Accept');
    assert.equal(await res.text(), '<?xml version="1.0" encoding="UTF-8"?>\n<results xmlns="http://purl.org/akara/xpath" type="node-set" count="3">\n'
      + '<a xmlns="">1</a>\n<b xmlns="">2</b>\n<a xmlns="">3</a>\n</results>\n');
  });

  it('answers other results as text, and everything as JSON on Accept: application/json', async () => {
    const count = await fetch(`${server.url}/akara.xpath?select=count(//book)&@source=/docs/catalog.xml`);
    assert.equal(count.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await count.text(), '4');
    const json = await fetch(`${server.url}/akara.xpath?select=${encodeURIComponent('//book[@year>1965]/@id')}&@source=/docs/catalog.xml`, { headers: { accept: 'application/json' } });
    assert.deepEqual(await json.json(), {
      type: 'node-set',
      count: 2,
      nodes: [{ kind: 'attribute', name: 'id', value: 'b3' }, { kind: 'attribute', name: 'id', value: 'b4' }],
    });
  });

  it('binds prefixes from xmlns:p params, and refuses a bad expression with 400', async () => {
    const res = await post(`/akara.xpath?select=${encodeURIComponent('string(//a:t)')}&xmlns:a=urn:a`, '<r xmlns:x="urn:a"><x:t>yes</x:t></r>');
    assert.equal(await res.text(), 'yes');
    await expectProblem(await post('/akara.xpath?select=%2F%2F%5B', '<r/>'), 400, 'AKR_ERR_XPATH_INVALID');
    await expectProblem(await post('/akara.xpath?select=.&other=1', '<r/>'), 400, 'AKR_ERR_PARAM_UNKNOWN');
    await expectProblem(await post('/akara.xpath', '<r/>'), 400, 'AKR_ERR_PARAM_MISSING');
  });
});

describe('akara.xml2json and akara.json2xml', () => {
  const xml = '<p xmlns:x="urn:x" x:id="1">a <b>bold</b> &amp; <!--c--><?pi d?></p>';

  it('convert XML to the JSON convention and back, unchanged', async () => {
    const json = await post('/akara.xml2json', xml, { 'content-type': 'application/xml' });
    assert.equal(json.headers.get('content-type'), 'application/json');
    const value = await json.json();
    assert.deepEqual(value, {
      children: [{
        name: 'p',
        attributes: { 'xmlns:x': 'urn:x', 'x:id': '1' },
        children: ['a ', { name: 'b', attributes: {}, children: ['bold'] }, ' & ', { comment: 'c' }, { pi: 'pi', data: 'd' }],
      }],
    });
    const back = await post('/akara.json2xml', JSON.stringify(value), { 'content-type': 'application/json' });
    assert.equal(back.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(await back.text(), xml);
  });

  it('keep __proto__ and constructor as plain names', async () => {
    const json = await (await post('/akara.xml2json', '<__proto__ polluted="yes"><constructor/></__proto__>')).json() as { children: Array<{ name: string }> };
    assert.equal(json.children[0]!.name, '__proto__');
    const back = await post('/akara.json2xml', '{"children":[{"name":"__proto__","attributes":{"polluted":"yes"},"children":[{"name":"constructor"}]}]}');
    assert.equal(await back.text(), '<__proto__ polluted="yes"><constructor/></__proto__>');
  });

  it('refuse malformed XML, malformed JSON and names that are not XML names', async () => {
    const bad = await expectProblem(await post('/akara.xml2json', '<a><b></a>'), 422, 'AKR_ERR_XML_MALFORMED');
    assert.equal(bad.line, 1);
    await expectProblem(await post('/akara.json2xml', '{"children": ['), 422, 'AKR_ERR_JSON_MALFORMED');
    const name = await expectProblem(await post('/akara.json2xml', '{"children":[{"name":"a b"}]}'), 422, 'AKR_ERR_JSON_MALFORMED');
    assert.match(String(name.detail), /children\[0\]/);
  });
});
