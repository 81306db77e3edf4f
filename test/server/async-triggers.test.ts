import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GREETER_ID, startFakePeer, type FakePeer } from '../helpers/fake-peer.js';
import { expectProblem } from '../helpers/problem.js';
import { eventually, health, startTestServer, type TestServer } from '../helpers/server.js';
import { freePort, startReceiver } from '../helpers/upstream.js';

const ADMIN = 'an admin token for the tests';
const closers: Array<() => Promise<void>> = [];
after(async () => { for (const close of closers.reverse()) await close(); });

/** A new temp folder, removed after the tests. */
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  closers.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function setUp(maxAttempts: number): Promise<{ server: TestServer; receiver: FakePeer }> {
  const receiver = await startFakePeer('receiver', 'error');
  closers.push(() => receiver.close());
  const dataDir = await tempDir('akara-outbox-');
  const server = await startTestServer({
    pool: { minThreads: 1, maxThreads: 1 },
    peers: [{ url: receiver.url }],
    manager: { healthIntervalMs: 100, breaker: { failures: 100, resetMs: 100 } },
    triggers: [{ name: 'notify', event: 'after-invoke', mode: 'async', filter: { path: '/akara.echo' }, action: { service: GREETER_ID } }],
    deliveries: { dataDir, maxAttempts, backoffMs: 20, maxBackoffMs: 100, pollMs: 20 },
    adminToken: ADMIN,
  });
  closers.push(() => server.close());
  return { server, receiver };
}

type Deliveries = { pending: number; dead: number; delivered: number; failedAttempts: number };
const deliveries = async (server: TestServer) => (await health(server.url) as unknown as { deliveries: Deliveries }).deliveries;

describe('asynchronous triggers', () => {
  it('deliver after the answer, retrying with backoff until the receiver answers, each once with a stable id', async () => {
    const { server, receiver } = await setUp(50);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/akara.echo`, { method: 'POST', body: `event ${i}` });
      assert.equal(res.status, 200);
    }
    await eventually(async () => (await deliveries(server)).failedAttempts >= 6, 5_000, 'retries');
    assert.deepEqual({ ...(await deliveries(server)), failedAttempts: 0 }, { pending: 3, dead: 0, delivered: 0, failedAttempts: 0 });
    receiver.behaviour = 'ok';
    await eventually(async () => (await deliveries(server)).pending === 0, 5_000, 'the deliveries');
    assert.equal(receiver.deliveries.length, 3);
    assert.equal(new Set(receiver.deliveries).size, 3);
    const figures = await deliveries(server);
    assert.equal(figures.delivered, 3);
    assert.equal(figures.dead, 0);
  });

  it('move a delivery to the dead letters after maxAttempts, to be read and replayed with the admin token', async () => {
    const { server, receiver } = await setUp(3);
    await fetch(`${server.url}/akara.echo`, { method: 'POST', body: 'doomed' });
    await eventually(async () => (await deliveries(server)).dead === 1, 5_000, 'the dead letter');
    const figures = await deliveries(server);
    assert.equal(figures.pending, 0);
    assert.equal(figures.failedAttempts, 3);
    assert.equal(receiver.calls, 3);
    assert.deepEqual(receiver.deliveries, []);

    // Reading and replaying dead letters needs the admin token.
    const list = `${server.url}/akara/triggers/dead-letters`;
    const refused = await expectProblem(await fetch(list), 401, 'AKR_ERR_UNAUTHORIZED');
    assert.equal(refused.status, 401);
    assert.equal((await fetch(list)).headers.get('www-authenticate'), 'Bearer realm="akara"');
    await expectProblem(await fetch(list, { headers: { authorization: 'Bearer wrong token, long enough' } }), 401, 'AKR_ERR_UNAUTHORIZED');
    const admin = { authorization: `Bearer ${ADMIN}` };
    const { deadLetters } = await (await fetch(list, { headers: admin })).json() as { deadLetters: Array<{ id: string; trigger: string; target: string; attempts: number; lastError: string; state: string }> };
    assert.equal(deadLetters.length, 1);
    const [dead] = deadLetters;
    assert.deepEqual({ trigger: dead!.trigger, target: dead!.target, attempts: dead!.attempts, lastError: dead!.lastError, state: dead!.state },
      { trigger: 'notify', target: GREETER_ID, attempts: 3, lastError: 'the receiver answered 500', state: 'dead' });
    await expectProblem(await fetch(`${list}/no-such-id/replay`, { method: 'POST', headers: admin }), 404, 'AKR_ERR_DEAD_LETTER_UNKNOWN');
    receiver.behaviour = 'ok';
    const replay = await fetch(`${list}/${dead!.id}/replay`, { method: 'POST', headers: admin });
    assert.equal(replay.status, 202);
    await eventually(() => receiver.deliveries.length === 1, 5_000, 'the replayed delivery');
    assert.deepEqual(receiver.deliveries, [dead!.id]);
    assert.deepEqual(await deliveries(server), { pending: 0, dead: 0, delivered: 1, failedAttempts: 3 });
  });
});

describe('pending deliveries', () => {
  it('survive a SIGKILL of the server: after a restart, all are delivered', async () => {
    const { spawn } = await import('node:child_process');
    const { writeFile } = await import('node:fs/promises');
    const receiver = await startFakePeer('receiver', 'error');
    closers.push(() => receiver.close());
    const dir = await tempDir('akara-sigkill-');
    const configFile = join(dir, 'akara.config.json');
    await writeFile(configFile, JSON.stringify({
      port: 0,
      runDir: join(dir, 'run'),
      log: { level: 'warn', access: false },
      pool: { minThreads: 1, maxThreads: 1 },
      peers: [{ url: receiver.url }],
      manager: { healthIntervalMs: 100, breaker: { failures: 1000, resetMs: 100 } },
      triggers: [{ name: 'notify', event: 'after-invoke', mode: 'async', filter: { path: '/akara.echo' }, action: { service: GREETER_ID } }],
      deliveries: { dataDir: join(dir, 'data'), maxAttempts: 1000, backoffMs: 20, maxBackoffMs: 100, pollMs: 20 },
    }));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = () => {
      const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'akara.js'), 'start', '--foreground', '--config', configFile, '--port', String(port)], { stdio: 'ignore' });
      closers.push(async () => { if (child.exitCode === null) child.kill('SIGKILL'); });
      return child;
    };
    const up = () => eventually(async () => (await fetch(`${url}/akara/health`).catch(() => undefined))?.status === 200, 20_000, 'the server to start');

    const first = start();
    await up();
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${url}/akara.echo`, { method: 'POST', body: `event ${i}` })).status, 200);
    await eventually(async () => (await deliveries({ url } as TestServer)).failedAttempts >= 10, 10_000, 'failed attempts');
    assert.equal((await deliveries({ url } as TestServer)).pending, 5);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));

    receiver.behaviour = 'ok';
    start();
    await up();
    await eventually(() => new Set(receiver.deliveries).size === 5, 20_000, 'all five deliveries');
    await eventually(async () => (await deliveries({ url } as TestServer)).pending === 0, 5_000, 'an empty outbox');
  });
});

const WEBHOOK_SECRET = `whsec_${Buffer.from('a secret of at least twenty-four bytes').toString('base64')}`;

/** A webhook receiver that checks each delivery's Standard Webhooks signature (WEBHOOK_SECRET). */
async function signedReceiver(port = 0) {
  const { createHmac, timingSafeEqual } = await import('node:crypto');
  return startReceiver((body, headers) => {
    const id = String(headers['webhook-id']);
    const timestamp = String(headers['webhook-timestamp']);
    const expected = createHmac('sha256', Buffer.from(WEBHOOK_SECRET.slice(6), 'base64')).update(`${id}.${timestamp}.`).update(body).digest();
    const given = Buffer.from(String(headers['webhook-signature']).replace(/^v1,/, ''), 'base64');
    return { id, timestamp, valid: given.length === expected.length && timingSafeEqual(given, expected), body: body.toString(), event: headers['akara-event'] as string | undefined };
  }, 204, port);
}

describe('webhook deliveries', () => {
  it('are signed as Standard Webhooks, and the receiver can verify them', async () => {
    const receiver = await signedReceiver();
    closers.push(() => receiver.close());
    const { received, url: hook } = receiver;
    const dataDir = await tempDir('akara-webhooks-');
    const server = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      fetch: { allowPrivateAddresses: true },
      triggers: [{ name: 'hook', event: 'after-invoke', mode: 'async', filter: { path: '/akara.echo' }, action: { webhook: hook, secret: WEBHOOK_SECRET } }],
      deliveries: { dataDir, pollMs: 20 },
    });
    closers.push(() => server.close());
    const answer = await (await fetch(`${server.url}/akara.echo?a=1`)).text();
    await eventually(() => received.length === 1, 5_000, 'the webhook');
    const [delivery] = received;
    assert.equal(delivery!.valid, true);
    assert.equal(delivery!.body, answer);
    assert.equal(delivery!.event, 'after-invoke');
    assert.match(delivery!.id, /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(Number(delivery!.timestamp) - Date.now() / 1000) < 30);
  });

  it('to a receiver that is down are retried, dead-lettered, and replayed with the same id once it is up', async () => {
    const port = await freePort();
    const dataDir = await tempDir('akara-webhooks-down-');
    const server = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      fetch: { allowPrivateAddresses: true },
      triggers: [{ name: 'hook', event: 'after-invoke', mode: 'async', filter: { path: '/akara.echo' }, action: { webhook: `http://127.0.0.1:${port}/hook`, secret: WEBHOOK_SECRET } }],
      deliveries: { dataDir, maxAttempts: 3, backoffMs: 20, maxBackoffMs: 50, pollMs: 20 },
      adminToken: ADMIN,
    });
    closers.push(() => server.close());
    const answer = await (await fetch(`${server.url}/akara.echo`, { method: 'POST', body: 'while down' })).text();
    await eventually(async () => (await deliveries(server)).dead === 1, 5_000, 'the dead letter');
    assert.deepEqual(await deliveries(server), { pending: 0, dead: 1, delivered: 0, failedAttempts: 3 });
    const admin = { authorization: `Bearer ${ADMIN}` };
    const list = `${server.url}/akara/triggers/dead-letters`;
    const { deadLetters } = await (await fetch(list, { headers: admin })).json() as { deadLetters: Array<{ id: string; trigger: string; attempts: number; lastError: string }> };
    assert.equal(deadLetters.length, 1);
    assert.deepEqual([deadLetters[0]!.trigger, deadLetters[0]!.attempts], ['hook', 3]);
    assert.match(deadLetters[0]!.lastError, /ECONNREFUSED|connect|fetch failed/i);

    const receiver = await signedReceiver(port);
    closers.push(() => receiver.close());
    assert.equal((await fetch(`${list}/${deadLetters[0]!.id}/replay`, { method: 'POST', headers: admin })).status, 202);
    await eventually(() => receiver.received.length === 1, 5_000, 'the replayed delivery');
    assert.deepEqual([receiver.received[0]!.id, receiver.received[0]!.valid, receiver.received[0]!.body], [deadLetters[0]!.id, true, answer]);
    assert.deepEqual(await deliveries(server), { pending: 0, dead: 0, delivered: 1, failedAttempts: 3 });
  });

  it('go through the fetch policy: a private or metadata target fails the start, no packet sent', async () => {
    for (const webhook of ['http://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:9/hook', 'http://[::1]:9/hook']) {
      await assert.rejects(startTestServer({
        triggers: [{ name: 'leak', event: 'after-invoke', mode: 'async', action: { webhook, secret: 'a secret of at least twenty-four bytes' } }],
      }), (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /triggers\[leak\]\.action\.webhook .*loopback, private, link-local or reserved/.test(err.message), webhook);
    }
  });
});

describe('incoming events', () => {
  it('fire their triggers once when signed, and are refused when tampered with, replayed late, or unsigned', async () => {
    const { webhookSignature } = await import('../../services/triggers/webhook.js');
    const receiver = await startFakePeer('receiver', 'ok');
    closers.push(() => receiver.close());
    const dataDir = await tempDir('akara-events-');
    const secret = 'the events secret, 24 bytes or more';
    // While rotating, the previous secret verifies too.
    const previous = 'the previous secret, 24 bytes or more';
    const server = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      peers: [{ url: receiver.url }],
      events: { secret: [secret, previous], toleranceSeconds: 300 },
      triggers: [{ name: 'on-order', event: 'event:order', mode: 'async', action: { service: GREETER_ID } }],
      deliveries: { dataDir, pollMs: 20 },
    });
    closers.push(() => server.close());
    const fire = (id: string, body: string, options: { timestamp?: number; signedBody?: string; secret?: string } = {}) => {
      const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
      const signature = webhookSignature(options.secret ?? secret, id, timestamp, new TextEncoder().encode(options.signedBody ?? body));
      return fetch(`${server.url}/akara/events/order`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,bogus ${signature}` },
      });
    };
    const accepted = await fire('evt-1', '{"order":1}');
    assert.equal(accepted.status, 202);
    assert.deepEqual(await accepted.json(), { id: 'evt-1', deliveries: 1 });
    await eventually(() => receiver.deliveries.length === 1, 5_000, 'the delivery');

    const again = await fire('evt-1', '{"order":1}');
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { id: 'evt-1', duplicate: true });

    const signedWithPrevious = await fire('evt-4', '{"order":4}', { secret: previous });
    assert.equal(signedWithPrevious.status, 202);
    await eventually(() => receiver.deliveries.length === 2, 5_000, 'the second delivery');
    await expectProblem(await fire('evt-5', '{"order":5}', { secret: 'a secret nobody configured, 24+' }), 401, 'AKR_ERR_EVENT_REJECTED');
    await expectProblem(await fire('evt-2', '{"order":999}', { signedBody: '{"order":2}' }), 401, 'AKR_ERR_EVENT_REJECTED');
    await expectProblem(await fire('evt-3', '{"order":3}', { timestamp: Math.floor(Date.now() / 1000) - 3_600 }), 401, 'AKR_ERR_EVENT_REJECTED');
    await expectProblem(await fetch(`${server.url}/akara/events/order`, { method: 'POST', body: '{}' }), 401, 'AKR_ERR_EVENT_REJECTED');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.deliveries.length, 2);
  });
});

describe('webhook subscriptions', () => {
  it('are registered, listed and removed with the admin token; deliveries are signed with the secret answered once', async () => {
    const { webhookSignature } = await import('../../services/triggers/webhook.js');
    let secret = '';
    const receiver = await startReceiver((body, headers) => ({
      valid: headers['webhook-signature'] === webhookSignature(secret, String(headers['webhook-id']), Number(headers['webhook-timestamp']), body),
      body: body.toString(),
    }), 200);
    closers.push(() => receiver.close());
    const { received } = receiver;
    const dataDir = await tempDir('akara-subscriptions-');
    const server = await startTestServer({ pool: { minThreads: 1, maxThreads: 1 }, fetch: { allowPrivateAddresses: true, allowHosts: ['127.0.0.1'] }, adminToken: ADMIN, deliveries: { dataDir, pollMs: 20, maxSubscriptions: 1 } });
    closers.push(() => server.close());
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const triggers = `${server.url}/akara/triggers`;
    const { url } = receiver;

    await expectProblem(await fetch(triggers, { method: 'POST', body: JSON.stringify({ event: 'after-invoke', url }) }), 401, 'AKR_ERR_UNAUTHORIZED');
    await expectProblem(await fetch(triggers, { method: 'POST', headers: admin, body: JSON.stringify({ event: 'after-invoke', url: 'http://localhost:9/hook' }) }), 403, 'AKR_ERR_URI_DENIED');
    await expectProblem(await fetch(triggers, { method: 'POST', headers: admin, body: JSON.stringify({ event: 'sometime', url }) }), 422, 'AKR_ERR_JSON_MALFORMED');
    const noStatus = await expectProblem(await fetch(triggers, { method: 'POST', headers: admin, body: JSON.stringify({ event: 'event:order', filter: { status: ['5xx'] }, url }) }), 422, 'AKR_ERR_JSON_MALFORMED');
    assert.match(String(noStatus.detail), /filter\.status only after-invoke and invoke-error subscriptions see a status/);

    const created = await fetch(triggers, { method: 'POST', headers: admin, body: JSON.stringify({ event: 'after-invoke', filter: { path: '/akara.echo' }, url }) });
    assert.equal(created.status, 201);
    const subscription = await created.json() as { id: string; secret: string; url: string };
    assert.equal(created.headers.get('location'), `/akara/triggers/${subscription.id}`);
    assert.match(subscription.secret, /^whsec_/);
    secret = subscription.secret;
    const listed = await (await fetch(triggers, { headers: admin })).json() as { subscriptions: Array<Record<string, unknown>> };
    assert.deepEqual(listed.subscriptions.map((s) => [s.id, s.url, s.event, 'secret' in s]), [[subscription.id, url, 'after-invoke', false]]);
    // deliveries.maxSubscriptions is 1 here.
    await expectProblem(await fetch(triggers, { method: 'POST', headers: admin, body: JSON.stringify({ event: 'invoke-error', url }) }), 409, 'AKR_ERR_SUBSCRIPTION_LIMIT');

    const answer = await (await fetch(`${server.url}/akara.echo?x=1`)).text();
    await eventually(() => received.length === 1, 5_000, 'the webhook');
    assert.deepEqual(received, [{ valid: true, body: answer }]);

    assert.equal((await fetch(`${triggers}/${subscription.id}`, { method: 'DELETE', headers: admin })).status, 204);
    await expectProblem(await fetch(`${triggers}/${subscription.id}`, { method: 'DELETE', headers: admin }), 404, 'AKR_ERR_SUBSCRIPTION_UNKNOWN');
    await fetch(`${server.url}/akara.echo?x=2`);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, 1);
  });
});

describe('chains of asynchronous triggers', () => {
  const outbox = () => tempDir('akara-chains-');

  it('feed each reactor\'s answer to the next: a transform, then XML to JSON, then a webhook', async () => {
    const { webhookSignature } = await import('../../services/triggers/webhook.js');
    const secret = 'a secret of at least twenty-four bytes';
    const receiver = await startReceiver((body, headers) => ({
      body: body.toString(),
      service: headers['akara-service'],
      depth: headers['akara-chain-depth'],
      signed: headers['webhook-signature'] === webhookSignature(secret, String(headers['webhook-id']), Number(headers['webhook-timestamp']), body),
    }));
    closers.push(() => receiver.close());
    const { received } = receiver;
    const XSLT = 'http://purl.org/akara/services/builtin/xslt';
    const XML2JSON = 'http://purl.org/akara/services/builtin/xml2json';
    const server = await startTestServer({
      pool: { minThreads: 2, maxThreads: 2 },
      resources: [{ mount: '/t', root: 'test/fixtures/xslt' }],
      fetch: { allowPrivateAddresses: true },
      triggers: [
        { name: 'to-json', event: 'after-invoke', mode: 'async', filter: { service: XSLT }, action: { service: XML2JSON } },
        { name: 'notify', event: 'after-invoke', mode: 'async', filter: { service: XML2JSON },
          action: { webhook: receiver.url, secret } },
      ],
      deliveries: { dataDir: await outbox(), pollMs: 20 },
    });
    closers.push(() => server.close());
    const res = await fetch(`${server.url}/akara.xslt?@xslt=/t/wrap.xsl&tag=chained`, { method: 'POST', body: '<a>1</a>' });
    assert.equal(res.status, 200);
    await eventually(() => received.length === 1, 5_000, 'the end of the chain');
    assert.deepEqual(received, [{
      body: JSON.stringify({ children: [{ name: 'wrapped', attributes: { tag: 'chained' }, children: [{ name: 'a', attributes: {}, children: ['1'] }] }] }),
      service: XML2JSON,
      depth: '1',
      signed: true,
    }]);
  });

  it('are checked for cycles at start, and bounded in depth at run time', async () => {
    const ECHO = 'http://purl.org/akara/services/builtin/echo';
    await assert.rejects(startTestServer({
      triggers: [{ name: 'loop', event: 'after-invoke', mode: 'async', filter: { service: ECHO }, action: { service: ECHO } }],
      deliveries: { dataDir: await outbox() },
    }), (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /async triggers chain in a cycle: http:\/\/purl.org\/akara\/services\/builtin\/echo -> http:\/\/purl.org\/akara\/services\/builtin\/echo/.test(err.message));

    // Without a service filter nothing can be checked at start: the depth bound stops it.
    const server = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      triggers: [{ name: 'everything', event: 'after-invoke', mode: 'async', action: { service: ECHO } }],
      deliveries: { dataDir: await outbox(), pollMs: 20, maxChainDepth: 3 },
    });
    closers.push(() => server.close());
    await fetch(`${server.url}/akara.echo`, { method: 'POST', body: 'x' });
    await eventually(async () => (await deliveries(server)).delivered === 3, 5_000, 'three chained deliveries');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await deliveries(server), { pending: 0, dead: 0, delivered: 3, failedAttempts: 0 });
  });
});

describe('events that services emit', () => {
  it('reach the event\'s triggers through ctx.emit', async () => {
    const { fixture } = await import('../helpers/server.js');
    const receiver = await startFakePeer('receiver', 'ok');
    closers.push(() => receiver.close());
    const dataDir = await tempDir('akara-emit-');
    const server = await startTestServer({
      modules: [fixture('emitter.js')],
      pool: { minThreads: 1, maxThreads: 1 },
      peers: [{ url: receiver.url }],
      events: { secret: 'the events secret, 24 bytes or more' },
      triggers: [{ name: 'on-order', event: 'event:order', mode: 'async', action: { service: GREETER_ID } }],
      deliveries: { dataDir, pollMs: 20 },
    });
    closers.push(() => server.close());
    const res = await fetch(`${server.url}/test/emit`, { method: 'POST', body: '{"order":7}' });
    assert.deepEqual(await res.json(), { deliveries: 1 });
    await eventually(() => receiver.deliveries.length === 1, 5_000, 'the delivery');
  });
});

describe('resource-change triggers', () => {
  it('fire when a file of a resource space is written or removed, with its content', async () => {
    const { writeFile, unlink, mkdir } = await import('node:fs/promises');
    const receiver = await startReceiver((body, headers) => ({
      body: body.toString(), path: headers['akara-path'], change: headers['akara-change'], type: headers['content-type'],
    }));
    closers.push(() => receiver.close());
    const { received } = receiver;
    const dir = await tempDir('akara-watch-');
    await mkdir(join(dir, 'space'));
    const server = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      resources: [{ mount: '/space', root: join(dir, 'space') }],
      fetch: { allowPrivateAddresses: true },
      triggers: [{ name: 'changed', event: 'resource-change', mode: 'async', filter: { path: '/space/*.xml' },
        action: { webhook: receiver.url, secret: 'a secret of at least twenty-four bytes' } }],
      deliveries: { dataDir: join(dir, 'data'), pollMs: 20 },
    });
    closers.push(() => server.close());
    await writeFile(join(dir, 'space', 'note.xml'), '<note>v1</note>');
    await writeFile(join(dir, 'space', 'ignored.txt'), 'not xml');
    await eventually(() => received.length === 1, 5_000, 'the change');
    assert.deepEqual(received[0], { body: '<note>v1</note>', path: '/space/note.xml', change: 'written', type: 'application/xml' });
    await unlink(join(dir, 'space', 'note.xml'));
    await eventually(() => received.length === 2, 5_000, 'the removal');
    assert.deepEqual(received[1], { body: '', path: '/space/note.xml', change: 'removed', type: 'application/octet-stream' });
  });
});

describe('invoke-error triggers', () => {
  it('fire for a service that failed or answered 4xx/5xx, with its answer, and not for requests it never ran', async () => {
    const { fixture } = await import('../helpers/server.js');
    const receiver = await startReceiver((body, headers, url) => ({
      body: body.toString(), event: headers['akara-event'], service: headers['akara-service'], status: headers['akara-status'],
      code: headers['akara-error-code'], type: headers['content-type'], only: new URL(url, 'http://x').searchParams.get('only') ?? undefined,
    }));
    closers.push(() => receiver.close());
    const dataDir = await tempDir('akara-errors-');
    const server = await startTestServer({
      pool: { minThreads: 1, maxThreads: 1 },
      modules: [fixture('auditors.js')],
      resources: [{ mount: '/t', root: 'test/fixtures/xslt' }],
      fetch: { allowPrivateAddresses: true },
      triggers: [
        { name: 'errors', event: 'invoke-error', mode: 'async', action: { webhook: receiver.url, secret: 'a secret of at least twenty-four bytes' } },
        // Server errors, and 422 by its code.
        { name: 'server-errors', event: 'invoke-error', mode: 'async', filter: { status: ['5xx', 422] }, action: { webhook: `${receiver.url}?only=5xx`, secret: 'a secret of at least twenty-four bytes' } },
      ],
      deliveries: { dataDir, pollMs: 20 },
    });
    closers.push(() => server.close());
    const post = (path: string, body: string) => fetch(`${server.url}${path}`, { method: 'POST', body });
    // Successes and refusals before the service runs fire nothing.
    assert.equal((await post('/test/audit/veto', 'fine')).status, 200);
    assert.equal((await fetch(`${server.url}/test/audit/veto`)).status, 405);
    assert.equal((await post('/akara.xslt', '<a/>')).status, 400);
    // A service answering 422, one throwing, and a transform of malformed XML do.
    assert.equal((await post('/test/audit/veto', 'forbidden')).status, 422);
    await expectProblem(await post('/test/audit/fail', ''), 500, 'AKR_ERR_SERVICE_FAILED');
    await expectProblem(await post('/akara.xslt?@xslt=/t/identity.xsl', '<a>'), 422, 'AKR_ERR_XML_MALFORMED');
    await eventually(() => receiver.received.length === 6, 5_000, 'the error events');
    const filtered = receiver.received.filter((r) => r.only === '5xx');
    assert.deepEqual(filtered.map((r) => r.status).sort(), ['422', '422', '500']);
    const received = receiver.received.filter((r) => r.only === undefined).sort((a, b) => `${a.status} ${a.service}`.localeCompare(`${b.status} ${b.service}`));
    assert.deepEqual(received.map(({ body: _body, only: _only, ...rest }) => rest), [
      { event: 'invoke-error', service: 'http://example.org/test/auditors/veto', status: '422', code: undefined, type: 'text/plain; charset=utf-8' },
      { event: 'invoke-error', service: 'http://purl.org/akara/services/builtin/xslt', status: '422', code: 'AKR_ERR_XML_MALFORMED', type: 'application/problem+json' },
      { event: 'invoke-error', service: 'http://example.org/test/auditors/fail', status: '500', code: 'AKR_ERR_SERVICE_FAILED', type: 'application/problem+json' },
    ]);
    assert.equal(received[0]!.body, 'the body holds a forbidden word');
    const problem = JSON.parse(received[1]!.body) as Record<string, unknown>;
    assert.equal(problem.code, 'AKR_ERR_XML_MALFORMED');
    assert.equal(problem.instance, '/akara.xslt');
    assert.equal(typeof problem.requestId, 'string');
    assert.deepEqual(await deliveries(server), { pending: 0, dead: 0, delivered: 6, failedAttempts: 0 });
  });
});
