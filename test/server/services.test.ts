import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startTestServer({ modules: [fixture('basics.js')] }); });
after(() => server.close());

async function problem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = await res.json() as Record<string, unknown>;
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(body.requestId, res.headers.get('x-request-id'));
  return body;
}

describe('the echo service', () => {
  it('answers GET with one line per query parameter, sorted by name', async () => {
    const res = await fetch(`${server.url}/akara.echo?b=2&a=1&c=%C3%A9&a=0`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'a=1\na=0\nb=2\nc=é\n');
  });

  it('answers POST with the content type, the length and the body', async () => {
    const res = await fetch(`${server.url}/akara.echo`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<doc>é</doc>' });
    assert.equal(await res.text(), 'Content-Type: application/xml\nContent-Length: 13\n\n<doc>é</doc>');
  });
});

describe("Akara's request behaviour", () => {
  it('types declared params and applies defaults', async () => {
    const res = await fetch(`${server.url}/test/params?name=x&tag=a&tag=b&flag=true&ratio=0.5&src=http://example.org/d.xml`);
    assert.deepEqual(await res.json(), { name: 'x', count: 1, ratio: 0.5, flag: true, tag: ['a', 'b'], src: 'http://example.org/d.xml' });
  });

  it('400 for a repeated param the service does not allow, naming it', async () => {
    const body = await problem(await fetch(`${server.url}/test/params?name=x&name=y`), 400, 'AKR_ERR_PARAM_REPEATED');
    assert.equal(body.param, 'name');
    assert.equal(body.detail, "Query parameter 'name' may be given only once");
  });

  it('400 for a missing required, an unknown or a mistyped param, naming it', async () => {
    assert.equal((await problem(await fetch(`${server.url}/test/params`), 400, 'AKR_ERR_PARAM_MISSING')).param, 'name');
    assert.equal((await problem(await fetch(`${server.url}/test/params?name=x&colour=red`), 400, 'AKR_ERR_PARAM_UNKNOWN')).param, 'colour');
    const body = await problem(await fetch(`${server.url}/test/params?name=x&count=many`), 400, 'AKR_ERR_PARAM_INVALID');
    assert.equal(body.detail, "Query parameter 'count' must be an integer");
  });

  it('405 with the exact Allow set; GET implies HEAD', async () => {
    const res = await fetch(`${server.url}/test/methods`, { method: 'POST', body: 'x' });
    assert.equal(res.headers.get('allow'), 'GET, HEAD, PUT, OPTIONS');
    await problem(res, 405, 'AKR_ERR_METHOD_NOT_ALLOWED');
    const echo = await fetch(`${server.url}/akara.echo`, { method: 'DELETE' });
    assert.equal(echo.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
    const options = await fetch(`${server.url}/test/methods`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'GET, HEAD, PUT, OPTIONS');
  });

  it("405 for the server's own read-only routes", async () => {
    for (const path of ['/', '/akara/health']) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', body: 'x' });
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      await problem(res, 405, 'AKR_ERR_METHOD_NOT_ALLOWED');
    }
  });

  it('dispatches each method to its handler', async () => {
    assert.equal(await (await fetch(`${server.url}/test/methods`)).text(), 'got');
    const put = await fetch(`${server.url}/test/methods`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    assert.equal(await put.text(), 'put text/csv a,b');
  });

  it('HEAD answers exactly the headers GET sends, with no body', async () => {
    const url = `${server.url}/akara.echo?x=1&y=22`;
    const get = await fetch(url);
    const getBody = await get.text();
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    // Hop-by-hop headers describe the connection, not the answer: undici asks to close after a HEAD.
    const strip = (h: Headers) => [...h].filter(([k]) => !['date', 'x-request-id', 'connection', 'keep-alive'].includes(k));
    assert.deepEqual(strip(head.headers), strip(get.headers));
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(getBody)));
  });

  it('404 for an unknown mount point', async () => {
    const body = await problem(await fetch(`${server.url}/no/such/service`), 404, 'AKR_ERR_NOT_FOUND');
    assert.equal(body.detail, 'No service is mounted at /no/such/service');
  });

  it('routes to the longest matching mount, with the rest of the path as pathInfo', async () => {
    assert.equal(await (await fetch(`${server.url}/test/a/b/c/d%20e`)).text(), 'inner /d%20e');
    assert.equal(await (await fetch(`${server.url}/test/a/b/x`)).text(), 'outer /b/x');
    assert.equal(await (await fetch(`${server.url}/test/a`)).text(), 'outer ');
    assert.equal(await (await fetch(`${server.url}/test/inner`)).text(), 'inner ');
    await problem(await fetch(`${server.url}/test/ab`), 404, 'AKR_ERR_NOT_FOUND');
  });
});

describe('responses', () => {
  it('infers the content type from the body: text, JSON, bytes', async () => {
    const text = await fetch(`${server.url}/test/types/text`);
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await text.text(), 'plain text');
    const json = await fetch(`${server.url}/test/types/json`);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.deepEqual(await json.json(), { a: [1, 2], b: 'x' });
    const bytes = await fetch(`${server.url}/test/types/bytes`);
    assert.equal(bytes.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0, 1, 2, 255]);
  });

  it('uses the declared type, and a header set by the handler before it', async () => {
    assert.equal((await fetch(`${server.url}/test/types/declared`)).headers.get('content-type'), 'application/xml');
    const res = await fetch(`${server.url}/test/types/header`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('content-type'), 'text/csv');
    assert.equal(res.headers.get('x-custom'), 'yes');
    assert.equal(await res.text(), 'a,b\n');
  });

  it("a service's own refusal keeps its status and reason", async () => {
    const body = await problem(await fetch(`${server.url}/test/reject`), 422, 'AKR_ERR_SERVICE_REJECTED');
    assert.equal(body.detail, 'the catalog has no records');
  });

  it('a failing handler gives a 500 problem without its stack or message, and the stack goes to the log', async () => {
    const res = await fetch(`${server.url}/test/throw`);
    const body = await problem(res, 500, 'AKR_ERR_SERVICE_FAILED');
    assert.equal(body.detail, 'The service http://example.org/test/throw failed while handling the request');
    assert.doesNotMatch(JSON.stringify(body), /secret internals|at /);
    const logged = server.logs.find((l) => l.reqId === body.requestId && l.level === 50);
    assert.match(String(logged?.stack), /secret internals at \/srv\/x/);
    assert.equal((await fetch(`${server.url}/test/types/text`)).status, 200);
  });
});

describe('logging', () => {
  it('writes one access line per request with the request id that the response carries', async () => {
    const res = await fetch(`${server.url}/akara.echo?q=1`, { headers: { 'x-request-id': 'client-chosen-id-1' } });
    assert.equal(res.headers.get('x-request-id'), 'client-chosen-id-1');
    await res.text();
    const lines = server.logs.filter((l) => l.reqId === 'client-chosen-id-1');
    assert.equal(lines.length, 1);
    assert.deepEqual({ ...lines[0], time: 0, ms: 0, pid: 0, hostname: 0 },
      { level: 30, time: 0, pid: 0, hostname: 0, reqId: 'client-chosen-id-1', method: 'GET', path: '/akara.echo', status: 200, bytes: 4, ms: 0, msg: 'request' });
  });

  it('logs the size of a problem answer', async () => {
    const res = await fetch(`${server.url}/akara.echo`, { method: 'PUT', headers: { 'x-request-id': 'client-chosen-id-2' } });
    assert.equal(res.status, 405);
    const body = await res.text();
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(body)));
    const [line] = server.logs.filter((l) => l.reqId === 'client-chosen-id-2' && l.msg === 'request');
    assert.equal(line?.bytes, Buffer.byteLength(body));
  });
});
