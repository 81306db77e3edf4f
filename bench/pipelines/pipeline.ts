import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixed, printTable } from '../table.js';
import { catalog, startPipeAkara, tempDir, writeStylesheets } from './akara.js';
import { rowViolations, withAutocannon, withLoop, type Row } from './measure.js';

/**
 * Part `pipeline`: three XSLT stages over a 20 KB document, as one config pipeline (`POST /pipe`, the
 * stages in one worker task) against the client calling `POST /akara.xslt?@xslt=/t/sN.xsl` three times,
 * each answer the next body. Both through the same undici loop client (and the pipeline by autocannon
 * too), at 1 and 4 concurrent loops, 8 s runs; 1 thread. The outputs are checked equal before timing.
 */

const XSLT = 'http://purl.org/akara/services/builtin/xslt';
const STAGES = ['/t/s1.xsl', '/t/s2.xsl', '/t/s3.xsl'];
const TIMING = { warmupS: 1, durationS: 8 };

export interface PipelineOutcome {
  rows: Row[];
  derived: Record<string, number>;
  violations: string[];
}

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/xml' } });
  return { status: res.status, text: await res.text() };
}

export async function runPipeline(): Promise<PipelineOutcome> {
  const tmp = tempDir('akara-bench-pipe-');
  const violations: string[] = [];
  const rows: Row[] = [];
  const doc = catalog(240);
  writeStylesheets(tmp.dir);
  const bodyFile = join(tmp.dir, 'catalog.xml');
  writeFileSync(bodyFile, doc);
  const server = await startPipeAkara({
    resources: [{ mount: '/t', root: tmp.dir }],
    pipelines: [{ id: 'http://example.org/bench/pipelines/three', path: '/pipe', stages: STAGES.map((s) => ({ service: XSLT, params: { '@xslt': s } })) }],
  });
  try {
    const chainSteps = STAGES.map((s) => `/akara.xslt?@xslt=${encodeURIComponent(s)}`);
    const piped = await post(`${server.url}/pipe`, doc);
    let chained = { status: 200, text: doc };
    for (const step of chainSteps) chained = chained.status === 200 ? await post(server.url + step, chained.text) : chained;
    console.log(`document ${(Buffer.byteLength(doc) / 1024).toFixed(1)} KB, result ${(Buffer.byteLength(piped.text) / 1024).toFixed(1)} KB`);
    if (piped.status !== 200) violations.push(`POST /pipe answered ${piped.status}: ${piped.text.slice(0, 200)}`);
    if (chained.status !== 200) violations.push(`the three /akara.xslt calls answered ${chained.status}: ${chained.text.slice(0, 200)}`);
    if (piped.text !== chained.text) violations.push('the pipeline and the three calls answered different documents');
    if (!piped.text.includes('<list count="240">')) violations.push(`unexpected result: ${piped.text.slice(0, 200)}`);
    if (violations.length > 0) return { rows, derived: {}, violations };

    const origin = server.url;
    for (const loops of [1, 4]) {
      rows.push(await withLoop('pipeline, POST /pipe', { origin, steps: ['/pipe'], body: doc, loops, ...TIMING }, server.poolPid));
      rows.push(await withLoop('three POST /akara.xslt calls', { origin, steps: chainSteps, body: doc, loops, ...TIMING }, server.poolPid));
    }
    rows.push(await withAutocannon('pipeline, POST /pipe', { url: `${origin}/pipe`, method: 'POST', bodyFile, connections: 4, ...TIMING }, server.poolPid));
  } finally {
    await server.close();
    tmp.remove();
  }
  for (const row of rows) violations.push(...rowViolations(row));
  printTable(
    ['scenario', 'client', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'CPU ms/req (load+master+pool)', 'answers'],
    rows.map((r) => [r.scenario, r.client, String(r.conns), fixed(r.rps, 1), fixed(r.p50, 1), fixed(r.p99, 1), fixed(r.mean, 1),
      `${fixed(r.cpuMs.total, 1)} (${fixed(r.cpuMs.load, 1)}+${fixed(r.cpuMs.master, 1)}+${fixed(r.cpuMs.pool, 1)})`, `${r.requests}${r.bad > 0 ? `, ${r.bad} bad` : ''}`]),
  );
  const find = (scenario: string, loops: number) => rows.find((r) => r.client === 'undici loop' && r.conns === loops && r.scenario.startsWith(scenario));
  const derived: Record<string, number> = {};
  for (const loops of [1, 4]) {
    const pipe = find('pipeline', loops);
    const three = find('three', loops);
    if (pipe && three) {
      derived[`speedup${loops}`] = pipe.rps / three.rps;
      derived[`p50SavedMs${loops}`] = three.p50 - pipe.p50;
      if (pipe.cpuMs.total !== null && three.cpuMs.total !== null) derived[`cpuSavedMs${loops}`] = three.cpuMs.total - pipe.cpuMs.total;
    }
  }
  console.log(`\npipeline vs three calls: ${[1, 4].map((l) => `${l} loop${l > 1 ? 's' : ''}: ${fixed(derived[`speedup${l}`], 2)}x req/s, p50 ${fixed(derived[`p50SavedMs${l}`], 1)} ms less, CPU ${fixed(derived[`cpuSavedMs${l}`], 1)} ms/req less`).join('; ')}`);
  return { rows, derived, violations };
}
