import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { UserConfig } from '../../schemas/config.js';
import { expectProblem } from '../helpers/problem.js';
import { fixture, health, startTestServer, type TestServer } from '../helpers/server.js';

const ECHO = 'http://purl.org/akara/services/builtin/echo';
const A = 'http://example.org/test/auditors/';
const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.close(); });

async function serve(triggers: NonNullable<UserConfig['triggers']>): Promise<TestServer> {
  const server = await startTestServer({ modules: [fixture('auditors.js')], pool: { minThreads: 2, maxThreads: 2 }, triggers });
  servers.push(server);
  return server;
}
const post = (server: TestServer, body: string) => fetch(`${server.url}/akara.echo`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

describe('synchronous triggers', () => {
  it('veto a request with a 4xx carrying their reason, and let others through', async () => {
    const server = await serve([{ name: 'no-forbidden', event: 'before-invoke', filter: { service: ECHO }, action: { service: `${A}veto` } }]);
    const vetoed = await expectProblem(await post(server, 'a forbidden text'), 422, 'AKR_ERR_TRIGGER_VETO');
    assert.equal(vetoed.trigger, 'no-forbidden');
    assert.equal(vetoed.detail, 'The trigger no-forbidden refused: the body holds a forbidden word');
    assert.equal(await (await post(server, 'fine')).text(), 'Content-Type: text/plain\nContent-Length: 4\n\nfine');
    const { triggers } = await health(server.url) as unknown as { triggers: Array<{ name: string; runs: number; vetoes: number }> };
    assert.deepEqual(triggers.map(({ name, runs, vetoes }) => ({ name, runs, vetoes })), [{ name: 'no-forbidden', runs: 2, vetoes: 1 }]);
  });

  it('modify the request before, and the answer after, in order', async () => {
    const server = await serve([
      { name: 'upper', event: 'before-invoke', filter: { path: '/akara.echo' }, action: { service: `${A}upper` } },
      { name: 'stamp', event: 'after-invoke', filter: { path: '/akara.*' }, action: { service: `${A}stamp` } },
    ]);
    const res = await post(server, 'quiet words');
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    // The modified request carries the trigger's content type.
    assert.equal(await res.text(), `Content-Type: text/plain; charset=utf-8\nContent-Length: 11\n\nQUIET WORDS-- audited after ${ECHO} (200)\n`);
    // Filters choose the invocations: only 'stamp' matches /akara.validate.
    const validated = await fetch(`${server.url}/akara.validate`, { method: 'POST', body: '<a/>' });
    assert.equal(await validated.text(), '{"wellFormed":true,"bytes":4}-- audited after http://purl.org/akara/services/builtin/validate (200)\n');
    const { triggers } = await health(server.url) as unknown as { triggers: Array<{ name: string; runs: number }> };
    assert.deepEqual(triggers.map((t) => [t.name, t.runs]), [['upper', 1], ['stamp', 2]]);
  });

  it('fail open or closed as declared, and a trigger that keeps failing is quarantined', async () => {
    const server = await serve([
      { name: 'broken-open', event: 'before-invoke', action: { service: `${A}fail` }, failure: 'open', quarantineAfter: 2, quarantineMs: 60_000 },
      { name: 'broken-closed', event: 'before-invoke', filter: { path: '/akara.echo' }, action: { service: `${A}fail` }, failure: 'closed', quarantineAfter: 3, quarantineMs: 60_000 },
    ]);
    for (let i = 0; i < 3; i++) {
      const body = await expectProblem(await post(server, 'x'), 503, 'AKR_ERR_TRIGGER_FAILED');
      assert.equal(body.trigger, 'broken-closed');
    }
    // Both are quarantined now: the service answers again, without them.
    assert.equal(await (await post(server, 'x')).text(), 'Content-Type: text/plain\nContent-Length: 1\n\nx');
    const { triggers } = await health(server.url) as unknown as { triggers: Array<{ name: string; failures: number; quarantinedUntil: string | null }> };
    for (const t of triggers) assert.ok(t.quarantinedUntil !== null && Date.parse(t.quarantinedUntil) > Date.now(), t.name);
    assert.deepEqual(triggers.map((t) => [t.name, t.failures]), [['broken-open', 2], ['broken-closed', 3]]);
  });

  it('name an action the server cannot reach, or one without POST: the start fails', async () => {
    await assert.rejects(serve([{ name: 'nowhere', event: 'before-invoke', action: { service: 'http://example.org/none' } }]),
      (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /triggers\[nowhere\]\.action\.service http:\/\/example.org\/none/.test(err.message));
    await assert.rejects(serve([{ name: 'get-only', event: 'before-invoke', action: { service: 'http://purl.org/akara/services/builtin/resources/none' } }]),
      (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID');
    await assert.rejects(startTestServer({ resources: [{ mount: '/docs', root: 'examples/docs' }], triggers: [{ name: 'get-only', event: 'before-invoke', action: { service: 'http://purl.org/akara/services/builtin/resources/docs' } }] }),
      (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /resources\/docs has no POST, which triggers call/.test(err.message));
  });

  it('filter by status only on events with an answer', async () => {
    await assert.rejects(serve([{ name: 'no-status-yet', event: 'before-invoke', filter: { status: ['5xx'] }, action: { service: 'http://purl.org/akara/services/builtin/echo' } }]),
      (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /triggers\[0\]\.filter\.status only after-invoke and invoke-error triggers see a status/.test(err.message));
    await assert.rejects(serve([{ name: 'bad-status', event: 'after-invoke', filter: { status: ['6xx' as '5xx'] }, action: { service: 'http://purl.org/akara/services/builtin/echo' } }]),
      (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /triggers\[0\]\.filter\.status\[0\] must be a status code/.test(err.message));
    // after-invoke sees successful answers only, invoke-error failed ones only.
    for (const [event, status] of [['after-invoke', '5xx'], ['after-invoke', 404], ['invoke-error', 200], ['invoke-error', '2xx']] as const) {
      await assert.rejects(serve([{ name: 'never', event, mode: 'async', filter: { status: [status] }, action: { service: 'http://purl.org/akara/services/builtin/echo' } }]),
        (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /filter\.status after-invoke sees answers below 400, invoke-error answers of 400 and above/.test(err.message), `${event} ${status}`);
    }
  });

  it('are refused at start on events that only reactors take', async () => {
    for (const event of ['invoke-error', 'resource-change', 'event:order']) {
      await assert.rejects(serve([{ name: 'sync-on-async', event, action: { service: 'http://purl.org/akara/services/builtin/echo' } }]),
        (err: Error & { code?: string }) => err.code === 'AKR_ERR_CONFIG_INVALID' && /triggers\[0\]\.mode event:{name}, invoke-error and resource-change triggers are async/.test(err.message), event);
    }
  });
});
