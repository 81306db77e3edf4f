import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ limits: { maxBodyBytes: 1024, maxHeaderBytes: 2048, maxHeaders: 20, requestTimeoutMs: 500, headersTimeoutMs: 500 } });
});
after(() => server.close());

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function raw(payload: string, { keepOpen = false } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { answer += chunk; });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => { socket.destroy(); reject(new Error('no answer')); });
    socket.write(payload);
    if (!keepOpen) socket.end();
  });
}

function problemOf(answer: string): { status: number; code: string; body: Record<string, unknown> } {
  const [head, body = ''] = answer.split('\r\n\r\n');
  assert.match(head!, /content-type: application\/problem\+json/i);
  const parsed = JSON.parse(body) as Record<string, unknown>;
  return { status: Number(head!.split(' ')[1]), code: String(parsed.code), body: parsed };
}

describe('request limits', () => {
  it('413 AKR_ERR_BODY_TOO_LARGE for a body over the limit, by Content-Length', async () => {
    const res = await fetch(`${server.url}/akara.echo`, { method: 'POST', body: 'x'.repeat(1025) });
    assert.equal(res.status, 413);
    const body = await res.json() as Record<string, unknown>;
    assert.equal(body.code, 'AKR_ERR_BODY_TOO_LARGE');
    assert.equal(body.detail, 'The request body exceeds the limit of 1024 bytes');
  });

  it('413 for a chunked body that grows past the limit', async () => {
    const chunk = 'y'.repeat(600);
    const answer = await raw(`POST /akara.echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`);
    const { status, code } = problemOf(answer);
    assert.equal(status, 413);
    assert.equal(code, 'AKR_ERR_BODY_TOO_LARGE');
  });

  it('a body at the limit is served', async () => {
    const res = await fetch(`${server.url}/akara.echo`, { method: 'POST', body: 'x'.repeat(1024) });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Content-Length: 1024/);
  });

  it('431 AKR_ERR_HEADERS_TOO_LARGE for headers over the byte limit', async () => {
    const answer = await raw(`GET /akara.echo HTTP/1.1\r\nHost: x\r\nX-Big: ${'z'.repeat(4096)}\r\n\r\n`);
    const { status, code, body } = problemOf(answer);
    assert.equal(status, 431);
    assert.equal(code, 'AKR_ERR_HEADERS_TOO_LARGE');
    assert.match(String(body.requestId), /^[0-9a-f-]{36}$/);
  });

  it('431 AKR_ERR_HEADERS_TOO_LARGE for more headers than allowed', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 25; i++) headers[`x-h${i}`] = 'v';
    const res = await fetch(`${server.url}/akara.echo`, { headers });
    assert.equal(res.status, 431);
    assert.equal(((await res.json()) as { detail: string }).detail, 'The request headers exceed the limit of 20 headers');
  });

  it('408 AKR_ERR_REQUEST_TIMEOUT for a request that is not sent in time', async () => {
    const started = Date.now();
    const answer = await raw('POST /akara.echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial', { keepOpen: true });
    const { status, code } = problemOf(answer);
    assert.equal(status, 408);
    assert.equal(code, 'AKR_ERR_REQUEST_TIMEOUT');
    assert.ok(Date.now() - started < 5_000);
  });

  it('400 AKR_ERR_BAD_REQUEST for a request that is not HTTP, and the server keeps serving', async () => {
    const { status, code } = problemOf(await raw('HELLO THERE\r\n\r\n'));
    assert.equal(status, 400);
    assert.equal(code, 'AKR_ERR_BAD_REQUEST');
    assert.equal((await fetch(`${server.url}/akara.echo?ok=1`)).status, 200);
  });
});
