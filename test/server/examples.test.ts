import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { startServer } from '../../server/master.js';
import { expectProblem } from '../helpers/problem.js';
import { eventually } from '../helpers/server.js';
import { freePort } from '../helpers/upstream.js';

/** The README's runnable examples (examples/*.config.ts), run as a reader would, on free ports. */

const closers: Array<() => Promise<void>> = [];
after(async () => { for (const close of closers.reverse()) await close(); });
const quiet = { log: { level: 'silent' as const, access: false } };

describe('the README\'s pipeline example', () => {
  it('answers the catalog\'s recent titles as JSON, and traces its three stages', async () => {
    const server = await startServer({ config: (await loadConfig({ file: 'examples/pipeline.config.ts', overrides: { port: 0, ...quiet } })).config });
    closers.push(() => server.close());
    const res = await fetch(`${server.url}/recent-titles?@source=/docs/catalog.xml`);
    assert.equal(res.status, 200);
    const titles = (await res.json() as { children: Array<{ attributes: Record<string, string>; children: Array<{ children: string[] }> }> }).children[0]!;
    assert.deepEqual(titles.attributes, { since: '1965' });
    assert.deepEqual(titles.children.map((t) => t.children[0]), ['Dune', 'The Lathe of Heaven', 'The Left Hand of Darkness']);
    const trace = await (await fetch(`${server.url}/recent-titles?@source=/docs/catalog.xml&trace=1`)).json() as { stages: Array<{ stage: number; params: string[][]; outputTree: boolean }> };
    assert.deepEqual(trace.stages.map((s) => [s.stage, s.params, s.outputTree]), [
      [1, [['@source', '/docs/catalog.xml'], ['@xslt', 'titles']], true],
      [2, [['@xslt', 'since'], ['min', '1965']], true],
      [3, [], false],
    ]);
  });
});

interface Printed {
  id: string;
  verified: boolean;
  event: string;
  service: string;
  status: string;
  body: string;
}

describe('the README\'s trigger example', () => {
  it('vetoes, stamps, and sends answers and failures to the example receiver, which verifies them', async () => {
    // The receiver as the README runs it (npx tsx examples/webhook-receiver.ts), on a free port.
    const port = await freePort();
    const receiver = spawn(process.execPath, ['--import', 'tsx', 'examples/webhook-receiver.ts'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    closers.push(async () => { receiver.kill(); });
    const printed: Printed[] = [];
    createInterface({ input: receiver.stdout! }).on('line', (line) => printed.push(JSON.parse(line) as Printed));
    await new Promise<void>((resolve, reject) => {
      receiver.stderr!.once('data', () => resolve());
      receiver.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
    });

    const dataDir = await mkdtemp(join(tmpdir(), 'akara-example-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const example = (await loadConfig({ file: 'examples/triggers.config.ts' })).config;
    const hook = `http://127.0.0.1:${port}/hook`;
    const triggers = example.triggers.map((t) => ('webhook' in t.action ? { ...t, action: { ...t.action, webhook: hook } } : t));
    const server = await startServer({ config: (await loadConfig({ file: 'examples/triggers.config.ts', overrides: { port: 0, ...quiet, triggers, deliveries: { ...example.deliveries, dataDir, pollMs: 20 } } })).config });
    closers.push(() => server.close());

    const echo = (body: string) => fetch(`${server.url}/akara.echo`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    const answer = await (await echo('hello')).text();
    assert.equal(answer, 'Content-Type: text/plain\nContent-Length: 5\n\nhello\n-- audited after http://purl.org/akara/services/builtin/echo\n');
    const veto = await expectProblem(await echo('a forbidden word'), 422, 'AKR_ERR_TRIGGER_VETO');
    assert.match(String(veto.detail), /the body holds a forbidden word/);
    await expectProblem(await fetch(`${server.url}/akara.xslt?@xslt=/none.xsl`, { method: 'POST', body: '<a>' }), 422, 'AKR_ERR_XML_MALFORMED');

    // The receiver's host is allowed for webhooks only: a stylesheet from this machine is still refused.
    await expectProblem(await fetch(`${server.url}/akara.xslt?@xslt=${encodeURIComponent(`http://127.0.0.1:${port}/x.xsl`)}`, { method: 'POST', body: '<a/>' }), 403, 'AKR_ERR_URI_DENIED');

    await eventually(() => printed.length === 2, 5_000, 'two deliveries');
    const byEvent = Object.fromEntries(printed.map((p) => [p.event, p]));
    assert.deepEqual(Object.keys(byEvent).sort(), ['after-invoke', 'invoke-error']);
    assert.deepEqual({ ...byEvent['after-invoke'], id: '' }, { id: '', verified: true, event: 'after-invoke', service: 'http://purl.org/akara/services/builtin/echo', status: '200', body: answer });
    assert.equal(byEvent['invoke-error']!.verified, true);
    assert.equal(byEvent['invoke-error']!.status, '422');
    assert.equal((JSON.parse(byEvent['invoke-error']!.body) as { code: string }).code, 'AKR_ERR_XML_MALFORMED');
  });
});
