import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { UserConfig } from '../../schemas/config.js';
import type { InvokeResponse } from '../../services/manager/instance.js';
import { GREET_CLASS, GREETER_ID, startFakePeer, type FakePeer, type PeerBehaviour } from '../helpers/fake-peer.js';
import { expectProblem } from '../helpers/problem.js';
import { eventually, fixture, startTestServer, type TestServer } from '../helpers/server.js';

const closers: Array<() => Promise<void>> = [];
after(async () => { for (const close of closers.reverse()) await close(); });

async function peers(...behaviours: PeerBehaviour[]): Promise<FakePeer[]> {
  const started = await Promise.all(behaviours.map((b, i) => startFakePeer(`peer${i}`, b)));
  for (const p of started) closers.push(() => p.close());
  return started;
}

async function front(peerUrls: string[], extra: UserConfig = {}): Promise<TestServer> {
  const server = await startTestServer({
    pool: { minThreads: 1, maxThreads: 1 },
    peers: peerUrls.map((url) => ({ url })),
    ...extra,
    manager: {
      healthIntervalMs: 100,
      healthTimeoutMs: 500,
      timeoutMs: 500,
      breaker: { failures: 3, resetMs: 400 },
      classes: { [GREET_CLASS]: { strategy: 'fallback', mount: '/greet' } },
      ...extra.manager,
    },
  });
  closers.push(() => server.close());
  return server;
}

const decode = (res: InvokeResponse) => new TextDecoder().decode(res.body);
const key = (peer: FakePeer) => `${peer.url}#${GREETER_ID}`;

describe('lookups', () => {
  it('list this server\'s and the peers\' instances of a class, over REST and in process alike', async () => {
    const [p0] = await peers('ok');
    const server = await front([p0!.url], { modules: [fixture('greeter.js')] });
    const json = await (await fetch(`${server.url}/akara/services?class=${encodeURIComponent(GREET_CLASS)}`, { headers: { accept: 'application/json' } })).json() as {
      class: string; instances: Array<{ baseIri: string; local: boolean; healthy: boolean; serviceId: string }>;
    };
    assert.equal(json.class, GREET_CLASS);
    assert.deepEqual(json.instances.map(({ baseIri, local, healthy, serviceId }) => ({ baseIri, local, healthy, serviceId })), [
      { baseIri: `${server.url}/test/greet`, local: true, healthy: true, serviceId: GREETER_ID },
      { baseIri: `${p0!.url}test/greet`, local: false, healthy: true, serviceId: GREETER_ID },
    ]);
    assert.deepEqual(json.instances, server.runtime.current.manager.lookupAll(GREET_CLASS));
    assert.equal(server.runtime.current.manager.lookup(GREET_CLASS)?.local, true);

    const byId = await fetch(`${server.url}/akara/services/${encodeURIComponent(GREETER_ID)}`);
    assert.equal(byId.headers.get('content-type'), 'application/xml; charset=utf-8');
    const xml = await byId.text();
    assert.match(xml, new RegExp(`<instances service="${GREETER_ID}">`));
    assert.match(xml, new RegExp(`<instance ident="${GREETER_ID}" baseIri="${server.url}/test/greet" local="true" healthy="true"`));
    assert.match(xml, new RegExp(`baseIri="${p0!.url}test/greet" local="false" healthy="true"`));

    await expectProblem(await fetch(`${server.url}/akara/services`), 400, 'AKR_ERR_PARAM_MISSING');
    await expectProblem(await fetch(`${server.url}/akara/services/${encodeURIComponent('http://example.org/none')}`), 404, 'AKR_ERR_SERVICE_UNKNOWN');
    const listing = await (await fetch(`${server.url}/`, { headers: { accept: 'application/json' } })).json() as { services: Array<{ id: string; classes?: string[] }> };
    assert.deepEqual(listing.services.find((s) => s.id === GREETER_ID)?.classes, [GREET_CLASS]);
  });
});

describe('invoking a class', () => {
  it('at /akara/invoke/{uri}, with a strategy per call, and from a service handler', async () => {
    const [p0] = await peers('ok');
    const server = await front([p0!.url], { modules: [fixture('greeter.js'), fixture('asker.js')], pool: { minThreads: 2, maxThreads: 2 } });
    const invoke = `${server.url}/akara/invoke/${encodeURIComponent(GREET_CLASS)}?name=rest`;
    const local = await fetch(invoke);
    assert.equal(await local.text(), 'hello rest');
    assert.equal(local.headers.get('akara-provider'), `local#${GREETER_ID}`);
    const posted = await fetch(invoke, { method: 'POST', body: 'data', headers: { 'content-type': 'text/plain' } });
    assert.equal(await posted.text(), 'got data');
    const robin = await Promise.all([0, 1].map(() => fetch(invoke, { headers: { 'akara-strategy': 'round-robin' } }).then((r) => r.headers.get('akara-provider'))));
    assert.deepEqual(new Set(robin), new Set([`local#${GREETER_ID}`, key(p0!)]));
    await expectProblem(await fetch(invoke, { headers: { 'akara-strategy': 'fastest' } }), 400, 'AKR_ERR_PARAM_INVALID');
    await expectProblem(await fetch(`${server.url}/akara/invoke/${encodeURIComponent('http://example.org/classes/none')}`), 503, 'AKR_ERR_NO_PROVIDER');

    const asked = await (await fetch(`${server.url}/test/ask`)).json();
    assert.deepEqual(asked, {
      first: `${server.url}/test/greet`,
      instances: [`local#${GREETER_ID}`, key(p0!)],
      status: 200,
      body: 'hello inner',
      provider: `local#${GREETER_ID}`,
    });
  });
});

describe('strategies over peers with faults', () => {
  it('fallback serves from the next instance when one errors, hangs or closes the connection', async () => {
    const [broken, hanging, closing, good] = await peers('error', 'hang', 'close', 'ok');
    const server = await front([broken!.url, hanging!.url, closing!.url, good!.url]);
    const res = await fetch(`${server.url}/greet?name=x`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello from peer3');
    assert.equal(res.headers.get('akara-provider'), key(good!));
    assert.deepEqual([broken!.calls, hanging!.calls, closing!.calls, good!.calls], [1, 1, 1, 1]);
  });

  it('race returns the fast instance and aborts the slow one', async () => {
    const [slow, fast] = await peers({ slowMs: 2_000 }, { slowMs: 50 });
    const server = await front([slow!.url, fast!.url]);
    const res = await server.runtime.current.manager.invoke(GREET_CLASS, { method: 'GET', query: [] }, { strategy: 'race', k: 2 });
    assert.equal(decode(res), 'hello from peer1');
    assert.equal(res.provider, key(fast!));
    await eventually(() => slow!.abandoned === 1, 2_000, 'the slow peer to see its request aborted');
  });

  it('round-robin spreads 1,000 calls within 5% of even', async () => {
    const three = await peers('ok', 'ok', 'ok');
    const server = await front(three.map((p) => p.url));
    const manager = server.runtime.current.manager;
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 50; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => manager.invoke(GREET_CLASS, { method: 'GET', query: [] }, { strategy: 'round-robin' })));
      for (const a of answers) counts.set(a.provider, (counts.get(a.provider) ?? 0) + 1);
    }
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 1_000);
    for (const p of three) {
      const n = counts.get(key(p)) ?? 0;
      assert.ok(Math.abs(n - 1_000 / 3) <= 1_000 / 3 * 0.05, `${p.name}: ${n}`);
    }
  });

  it('opens an instance\'s breaker after K failures and half-opens it after T', async () => {
    const [broken] = await peers('error');
    const server = await front([broken!.url]);
    const manager = server.runtime.current.manager;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/greet`);
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'broken');
    }
    assert.equal(manager.lookupAll(GREET_CLASS)[0]!.breaker, 'open');
    assert.equal(manager.lookup(GREET_CLASS), undefined);
    await expectProblem(await fetch(`${server.url}/greet`), 503, 'AKR_ERR_NO_PROVIDER');
    assert.equal(broken!.calls, 3);
    await eventually(() => manager.lookupAll(GREET_CLASS)[0]!.breaker === 'half-open', 2_000, 'the breaker to half-open');
    broken!.behaviour = 'ok';
    assert.equal(await (await fetch(`${server.url}/greet`)).text(), 'hello from peer0');
    assert.equal(manager.lookupAll(GREET_CLASS)[0]!.breaker, 'closed');
  });
});

describe('a real peer', () => {
  it('that dies is taken out of lookups, and comes back when restarted', async () => {
    let peer = await startTestServer({ modules: [fixture('greeter.js')], pool: { minThreads: 1, maxThreads: 1 } });
    const port = peer.port;
    closers.push(() => peer.close());
    const server = await front([`${peer.url}/`]);
    const manager = server.runtime.current.manager;
    const res = await fetch(`${server.url}/greet?name=peer`);
    assert.equal(await res.text(), 'hello peer');
    assert.equal(res.headers.get('akara-provider'), `${peer.url}/#${GREETER_ID}`);

    await peer.close();
    await eventually(() => manager.lookup(GREET_CLASS) === undefined, 5_000, 'the dead peer to leave lookups');
    assert.equal(manager.lookupAll(GREET_CLASS)[0]!.healthy, false);
    await expectProblem(await fetch(`${server.url}/greet`), 503, 'AKR_ERR_NO_PROVIDER');

    peer = await startTestServer({ port, modules: [fixture('greeter.js')], pool: { minThreads: 1, maxThreads: 1 } });
    await eventually(() => manager.lookup(GREET_CLASS)?.healthy === true, 5_000, 'the restarted peer to come back');
    assert.equal(await (await fetch(`${server.url}/greet?name=again`)).text(), 'hello again');
  });
});

describe('the README\'s two-instance example', () => {
  it('runs: the front instance serves the greet class from itself and from its peer, round-robin', async () => {
    const { loadConfig } = await import('../../server/config.js');
    const { startServer } = await import('../../server/master.js');
    const quiet = { log: { level: 'silent' as const, access: false } };
    const b = await startServer({ config: (await loadConfig({ file: 'examples/peer-b.config.ts', overrides: { port: 0, ...quiet } })).config });
    closers.push(() => b.close());
    const a = await startServer({ config: (await loadConfig({ file: 'examples/peer-a.config.ts', overrides: { port: 0, peers: [{ url: `${b.url}/`, tags: ['second'] }], ...quiet } })).config });
    closers.push(() => a.close());
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await (await fetch(`${a.url}/greet?name=you`)).text());
    assert.deepEqual(new Set(answers), new Set([`hello you, from ${a.url}/\n`, `hello you, from ${b.url}/\n`]));
  });
});
