import { cpus } from 'node:os';
import { fixed, printTable } from '../table.js';
import { NOISE_CORES } from '../load.js';
import { sizeLabel } from './fixtures.js';
import { noiseOf, type HttpTransformResult, type HttpTransformSpec } from './http.js';
import type { InProcessResult, InProcessSpec, LoopFigures } from './in-process.js';

/** The transform group's table and the figures the issue asks for, derived from the scenarios run. */

export type Measured = Record<string,
  | { kind: 'http'; spec: HttpTransformSpec; result: HttpTransformResult }
  | { kind: 'in-process'; spec: InProcessSpec; result: InProcessResult }>;

/** Cores the rest of the machine used while a scenario was measured. */
export function noise(m: Measured[string]): number {
  return m.kind === 'http' ? noiseOf(m.result) : m.result.otherCores ?? 0;
}

const HEAD = ['scenario', 'where', 'thr', 'conns', 'heap MB', 'n', 'transforms/s', 'p50 ms', 'p99 ms', 'mean ms', 'first ms', 'peak RSS MB', 'cores', 'answers / notes'];

const pct = (ratio: number | null) => (ratio === null || !Number.isFinite(ratio) ? '-' : `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`);
const orNaN = (n: number | null) => n ?? Number.NaN;
const ms = (n: number | null | undefined) => fixed(n, n !== null && n !== undefined && n < 10 ? 2 : 0);

function httpRow(spec: HttpTransformSpec, r: HttpTransformResult): string[] {
  const where = `HTTP ${spec.via}`;
  const heap = String(spec.maxHeapMb ?? 256);
  const label = `${spec.stylesheet} ${sizeLabel(spec.doc.records.length)}`;
  const answer = r.first.status === 200 ? '' : `first: ${r.first.status} ${r.first.code ?? ''} after ${(r.first.ms / 1000).toFixed(1)} s`;
  if (!r.load) {
    const notes = [answer || (r.first.problems.length > 0 ? `WRONG: ${r.first.problems[0]}` : 'first request only'),
      r.afterwards ? `then the 2 KB page: ${r.afterwards.status}${r.afterwards.problems.length > 0 ? ' WRONG' : ''}` : '',
      r.pool.outOfMemory > 0 ? `outOfMemory ${r.pool.outOfMemory}` : '', r.pool.processRestarts > 0 ? `pool restarts ${r.pool.processRestarts}` : '']
      .filter(Boolean).join('; ');
    const ok = r.first.status === 200;
    return [label, where, String(spec.threads), String(spec.connections), heap, '1', ok ? fixed(1000 / r.first.ms, 3) : '-',
      ok ? ms(r.first.ms) : '-', ok ? ms(r.first.ms) : '-', ok ? ms(r.first.ms) : '-', ms(r.first.ms), fixed(r.peakRssMb), `-/-/${fixed(r.first.poolCores, 2)}/${fixed(r.first.otherCores, 2)}`, notes];
  }
  const l = r.load;
  const cores = [l.cores.load, l.cores.master, l.cores.pool, l.cores.other].map((n) => fixed(n, 2)).join('/');
  const statuses = Object.entries(l.statuses).map(([s, n]) => `${s}:${n}`).join(' ') + (l.errors ? ` err:${l.errors}` : '') + (l.timeouts ? ` timeouts:${l.timeouts}` : '');
  return [label, where, String(spec.threads), String(spec.connections), heap, String(l.requests), fixed(l.rps, l.rps < 10 ? 2 : 0),
    ms(l.p50), ms(l.p99), ms(l.mean), ms(r.first.ms), fixed(r.peakRssMb), cores, statuses];
}

function loopRow(label: string, where: string, heap: string, f: LoopFigures, first: number, rss: number, note: string): string[] {
  return [label, where, '-', '-', heap, String(f.n), fixed(f.rps, f.rps < 10 ? 2 : 0), ms(f.p50), ms(f.p99), ms(f.mean), ms(first), fixed(rss),
    `${f.cores.toFixed(2)} (gc ${(f.gcShare * 100).toFixed(0)}%)`, note];
}

function inProcessRows(spec: InProcessSpec, r: InProcessResult): string[][] {
  const heap = spec.heapMb === undefined ? 'node' : String(spec.heapMb);
  if (spec.kind === 'parse') {
    const label = `parse ${sizeLabel(spec.records)}`;
    return r.loop ? [loopRow(label, spec.parser === 'saxes' ? 'saxes -> engine tree' : 'xslt-processor XmlParser', heap, r.loop, r.first.ms, r.maxRssMb, `${r.records} records`)] : [];
  }
  const label = `${spec.expect.stylesheet} ${sizeLabel(spec.expect.records)}`;
  const phases = (f: LoopFigures) => (f.phases ? `compile/parse/transform ${ms(f.phases.compile)}/${ms(f.phases.parse)}/${ms(f.phases.transform)} ms; ` : '');
  const rows: string[][] = [];
  if (r.warm) rows.push(loopRow(label, 'in process, warm', heap, r.warm, r.first.ms, r.maxRssMb, `${phases(r.warm)}modules parsed ${r.warm.modulesParsed}`));
  if (r.cold) rows.push(loopRow(label, 'in process, cold', heap, r.cold, r.first.ms, r.maxRssMb, `${phases(r.cold)}modules parsed ${r.cold.modulesParsed}`));
  if (!r.warm && !r.cold) {
    const p = r.first.phases;
    rows.push([label, 'in process', '-', '-', heap, '1', fixed(1000 / r.first.ms, 3), ms(r.first.ms), ms(r.first.ms), ms(r.first.ms), ms(r.first.ms), fixed(r.maxRssMb), '-',
      `${p ? `compile/parse/transform ${ms(p.compile)}/${ms(p.parse)}/${ms(p.transform)} ms; ` : ''}first run only`]);
  }
  if (r.problems.length > 0) rows.at(-1)![13] += ` WRONG: ${r.problems[0]}`;
  return rows;
}

/** Prints the table and the figures the issue asks for; answers those figures for results.json. */
export function printTransforms(measured: Measured): Record<string, unknown> {
  const rows = Object.values(measured).flatMap((m) => (m.kind === 'http' ? [httpRow(m.spec, m.result)] : inProcessRows(m.spec, m.result)));
  printTable(HEAD, rows);
  console.log('\ncores: HTTP: load generator / bench+master / pool process / rest of the machine; in process: the child process (its GC pauses, % of wall time)');
  console.log('first ms: the first request to a fresh server (or first run in a fresh process): cold JIT, nothing compiled');
  console.log('heap MB: pool.maxHeapMb per thread, or the in-process child\'s --max-old-space-size ("node": Node\'s default)');
  console.log('');
  const derived = printFindings(measured);
  const noisy = Object.entries(measured).filter(([, m]) => noise(m) > NOISE_CORES).map(([id, m]) => `${id} (${noise(m).toFixed(2)} cores)`);
  if (noisy.length > 0) console.log(`WARNING: something else used CPU during ${noisy.join(', ')}: those figures are not reliable`);
  for (const [id, m] of Object.entries(measured)) {
    if (m.kind !== 'http') continue;
    const lines = Object.entries(m.result.logged).map(([what, n]) => `${what} x${n}`);
    if (lines.length > 0) console.log(`server log during ${id}: ${lines.join(', ')}`);
  }
  return derived;
}

/** Overhead, scaling, cold vs warm, parsers, the 5 MB identity: one line each, for the scenarios that ran. */
function printFindings(measured: Measured): Record<string, unknown> {
  const http = (id: string) => (measured[id]?.kind === 'http' ? measured[id].result : undefined);
  const inProc = (id: string) => (measured[id]?.kind === 'in-process' ? measured[id].result : undefined);
  const derived: Record<string, unknown> = {};
  const say = (key: string, value: unknown, line: string) => {
    derived[key] = value;
    console.log(line);
  };

  const one = http('medium-1')?.load;
  const two = http('medium-2')?.load;
  const warm = inProc('medium-inproc')?.warm;
  // The mean: with a handful of runs of seconds each, the p50 is one sample.
  if (one && warm) {
    const overhead = one.mean / warm.mean - 1;
    say('httpOverhead1mb', overhead, `1 MB page, HTTP + pool vs in process (1024 MB heap both): mean ${ms(one.mean)} vs ${ms(warm.mean)} ms = ${pct(overhead)} (aim < +10%);`
      + ` p50 ${ms(one.p50)} vs ${ms(warm.p50)} ms; ${fixed(one.rps, 3)} vs ${fixed(warm.rps, 3)} transforms/s`);
  }
  const first = inProc('medium-inproc')?.first.phases;
  if (first && warm?.phases) {
    say('compile1mb', { cold: first.compile, warm: warm.phases.compile }, `  its stylesheet: compile ${ms(first.compile)} ms cold (first run), ${ms(warm.phases.compile)} ms warm, of ${ms(warm.p50)} ms`);
  }
  const oneSmallHeap = http('medium-1-default-heap');
  const warmSmallHeap = inProc('medium-inproc-default-heap');
  if (oneSmallHeap?.load && warmSmallHeap?.warm) {
    const [h, p] = [oneSmallHeap.load.mean, warmSmallHeap.warm.mean];
    say('defaultHeap1mb', { http: h, inProcess: p, overhead: h / p - 1, slowdown: warm ? p / warm.mean : null },
      `  at the default 256 MB heap: HTTP ${ms(h)} ms vs in process ${ms(p)} ms = ${pct(h / p - 1)} (one warm run each);`
      + `${warm ? ` ${(p / warm.mean).toFixed(2)}x the time at 1024 MB, and ${fixed((warmSmallHeap.warm.cores * p) / 1000, 1)} vs ${fixed((warm.cores * warm.mean) / 1000, 1)} s of CPU`
        + ` per transform (main-thread GC pauses ${(warmSmallHeap.warm.gcShare * 100).toFixed(0)}% vs ${(warm.gcShare * 100).toFixed(0)}% of the time: the rest is GC helper threads and a slower main thread)` : ''}`);
  }
  if (one && two) {
    const ratio = two.rps / one.rps;
    say('threads2vs1_1mb', ratio, `1 MB page, 2 threads vs 1: ${ratio.toFixed(2)}x (aim >= 1.7x), mean ${ms(two.mean)} vs ${ms(one.mean)} ms per transform;`
      + ` the pool process used ${fixed(one.cores.pool, 2)} cores with 1 thread (V8's GC helper threads beside it), ${fixed(two.cores.pool, 2)} with 2, of ${cpus().length}`);
  }
  const small1 = http('small-get-1')?.load;
  const small2 = http('small-get-2')?.load;
  if (small1 && small2) say('threads2vs1_2kb', small2.rps / small1.rps, `2 KB page, 2 threads vs 1: ${(small2.rps / small1.rps).toFixed(2)}x`);

  const small = inProc('small-inproc');
  if (small1 && small?.warm) {
    say('httpOverhead2kb', small.warm.rps / small1.rps - 1, `2 KB page, 1 thread: HTTP ${fixed(small1.rps)}/s vs in process ${fixed(small.warm.rps)}/s:`
      + ` ${pct(small.warm.rps / small1.rps - 1)} time per transform (pool process ${fixed((orNaN(small1.cores.pool) * 1000) / small1.rps, 1)} ms of CPU per transform, in process ${fixed((small.warm.cores * 1000) / small.warm.rps, 1)} ms)`);
  }
  if (small?.warm && small.cold) {
    const { warm: w, cold: c } = small;
    say('coldVsWarm2kb', { warmP50: w.p50, coldP50: c.p50, warmCompile: w.phases?.compile, coldCompile: c.phases?.compile, warmModulesParsed: w.modulesParsed, coldModulesParsed: c.modulesParsed },
      `2 KB page in process, cold vs warm cache: p50 ${ms(c.p50)} vs ${ms(w.p50)} ms (compile ${ms(c.phases?.compile)} vs ${ms(w.phases?.compile)} ms);`
      + ` modules parsed: ${c.modulesParsed} in ${c.n} cold runs, ${w.modulesParsed} in ${w.n} warm runs`);
  }
  for (const id of ['small-get-1', 'medium-1']) {
    const r = http(id);
    if (r?.load) say(`firstVsWarm_${id}`, { first: r.first.ms, p50: r.load.p50 }, `HTTP ${id}: first request ${ms(r.first.ms)} ms (cold), then p50 ${ms(r.load.p50)} ms`);
  }
  const saxes = inProc('parse-saxes')?.loop;
  const own = inProc('parse-xmlparser')?.loop;
  if (saxes && own) {
    say('parse1mb', { saxesP50: saxes.p50, xmlParserP50: own.p50 }, `parse 1 MB: saxes -> engine tree p50 ${ms(saxes.p50)} ms, xslt-processor XmlParser ${ms(own.p50)} ms (saxes ${(saxes.p50 / own.p50).toFixed(2)}x its time)`);
  }
  for (const id of ['large-default', 'large-raised']) {
    const r = http(id);
    if (!r) continue;
    const outcome = r.first.status === 200 ? `200 in ${(r.first.ms / 1000).toFixed(1)} s` : `${r.first.status} ${r.first.code ?? ''} after ${(r.first.ms / 1000).toFixed(1)} s`;
    say(id, { status: r.first.status, code: r.first.code, seconds: r.first.ms / 1000, peakRssMb: r.peakRssMb, pool: r.pool, afterwards: r.afterwards?.status },
      `5 MB identity over HTTP, ${id === 'large-default' ? 'default pool heap (256 MB) and task time (30 s)' : 'heap 4096 MB, task time 180 s'}: ${outcome},`
      + ` pool peak RSS ${fixed(r.peakRssMb)} MB${r.afterwards ? `; the server then answered the 2 KB page ${r.afterwards.status}` : ''}`);
  }
  const big = inProc('large-inproc');
  if (big) say('large-inproc', { seconds: big.first.ms / 1000, maxRssMb: big.maxRssMb, phases: big.first.phases }, `5 MB identity in process (heap 4096 MB): ${(big.first.ms / 1000).toFixed(1)} s, peak RSS ${fixed(big.maxRssMb)} MB`);
  return derived;
}

