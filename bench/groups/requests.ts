import { cpus } from 'node:os';
import { NOISE_CORES, runLoad, type LoadResult, type LoadSpec } from '../load.js';
import { startAkara, startBaseline, type BenchServer } from '../servers.js';
import { burn, HASH_ROUNDS } from '../services/cpu.js';
import { fixed, printTable } from '../table.js';
import type { BenchGroup, GroupOutcome } from './group.js';

/**
 * The `requests` group: what the pool costs and how it scales, on services that do (almost) nothing.
 *
 * 1. echo      `GET /akara.echo?a=1` with 1 and 2 threads, and a bare Hono app answering the same text in
 *              process: the difference is what the master -> pool process -> thread hop costs.
 * 2. cpu       `GET /bench/cpu` (~5 ms of SHA-256 per request) with 1 and 2 threads: does a second
 *              thread double throughput? (aim: >= 1.7x; the load generator and master share the 2 cores).
 * 3. overload  the cpu service with 2 threads and maxQueue 8, sent open loop at twice the rate the 2-thread
 *              run of 2. sustained, over many more connections than maxThreads + maxQueue: every answer must
 *              be 200 or 503, every 503 must carry Retry-After, no errors or timeouts.
 *
 * The machine's other users show in the `other` cores column; a run they disturbed is run again.
 */

const DURATION_S = 6;
const WARMUP_S = 1;
const ECHO = { path: '/akara.echo?a=1', body: 'a=1\n', connections: 16 };
const CPU = { path: '/bench/cpu', body: /^[0-9a-f]{64}\n$/, connections: 8 };
const OVERLOAD = { maxQueue: 8, connections: 64, rateFactor: 2 };
const ATTEMPTS = 3;

interface Row extends LoadResult {
  scenario: string;
  server: string;
  threads: number | null;
  connections: number;
  rate?: number;
  /** What the server logged at warn and above, by level and code. */
  logged: Record<string, number>;
}

/** CPU milliseconds one cpu-service request costs, measured here on the main thread once warm. */
function cpuCostMs(): number {
  for (let i = 0; i < 20; i++) burn(HASH_ROUNDS);
  const before = process.cpuUsage();
  const runs = 100;
  for (let i = 0; i < runs; i++) burn(HASH_ROUNDS);
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000 / runs;
}

async function checkAnswer(url: string, expected: string | RegExp): Promise<void> {
  const res = await fetch(url);
  const text = await res.text();
  const ok = res.status === 200 && (typeof expected === 'string' ? text === expected : expected.test(text));
  if (!ok) throw new Error(`${url} answered ${res.status} ${JSON.stringify(text.slice(0, 200))}`);
}

async function measure(
  scenario: string, name: string, threads: number | null, start: () => Promise<BenchServer>,
  target: { path: string; body: string | RegExp }, load: Omit<LoadSpec, 'url' | 'durationS' | 'warmupS'>,
): Promise<Row> {
  const server = await start();
  try {
    await checkAnswer(server.url + target.path, target.body);
    let best: LoadResult | undefined;
    for (let attempt = 1; attempt <= ATTEMPTS && (best === undefined || (best.cores.other ?? 0) > NOISE_CORES); attempt++) {
      process.stderr.write(`  ${scenario} on ${name}${threads === null ? '' : ` (${threads} thr)`}${attempt > 1 ? `, again: the machine was busy` : ''}...\n`);
      const result = await runLoad({ url: server.url + target.path, durationS: DURATION_S, warmupS: WARMUP_S, ...load }, server.poolPid);
      if (best === undefined || (result.cores.other ?? 0) < (best.cores.other ?? 0)) best = result;
    }
    return { scenario, server: name, threads, ...load, ...best!, logged: server.logged };
  } finally {
    await server.close();
  }
}

function printRows(rows: Row[]): void {
  const head = ['scenario', 'server', 'thr', 'conns', 'sent at', 'req/s', 'p50 ms', 'p99 ms', 'answers',
    'cores load/master/pool/other', 'CPU ms/req load/master/pool'];
  printTable(head, rows.map((r) => [
    r.scenario, r.server, fixed(r.threads), String(r.connections), r.rate === undefined ? '-' : `${r.rate}/s`,
    fixed(r.rps), fixed(r.p50), fixed(r.p99),
    Object.entries(r.statuses).map(([s, n]) => `${s}:${n}`).join(' ') + (r.errors ? ` err:${r.errors}` : ''),
    [r.cores.load, r.cores.master, r.cores.pool, r.cores.other].map((n) => fixed(n, 2)).join('/'),
    [r.cores.load, r.cores.master, r.cores.pool].map((n) => fixed(n === null ? null : (n * 1000) / r.rps, 2)).join('/'),
  ]));
}

/** What the table needs to be read right: the 2-vs-1 ratio and what bounds it, noise, the server's log. */
function printNotes(rows: Row[], cpu1: Row, cpu2: Row, speedup: number): void {
  console.log('\ncores: CPU seconds per second of wall time: load generator / bench+master / pool process / rest of the machine');
  console.log('overload: sent open loop at the given rate; latency of the 200s only');
  console.log(`\ncpu service, 2 threads vs 1: ${speedup.toFixed(2)}x (aim >= 1.7x)`);
  const perRequest = cpu2.cores.pool === null ? null : ((cpu2.cores.load + cpu2.cores.master + cpu2.cores.pool) * 1000) / cpu2.rps;
  if (perRequest !== null) {
    const ceiling = (cpus().length * 1000) / perRequest;
    console.log(`  at 2 threads a request costs ${perRequest.toFixed(2)} ms of CPU in all (load generator, master, pool process):`
      + ` ${cpus().length} cores cap throughput at ${ceiling.toFixed(0)} req/s, ${(ceiling / cpu1.rps).toFixed(2)}x the 1-thread rate`);
  }
  const busy = rows.filter((r) => (r.cores.other ?? 0) > NOISE_CORES);
  if (busy.length > 0) {
    console.log(`WARNING: something else used CPU during ${busy.map((r) => `${r.scenario} (${r.threads ?? '-'} thr)`).join(', ')}: those figures are not reliable`);
  }
  for (const r of rows) {
    const lines = Object.entries(r.logged).map(([what, n]) => `${what} x${n}`);
    if (lines.length > 0) console.log(`server log during ${r.scenario} (${r.threads ?? '-'} thr): ${lines.join(', ')}`);
  }
}

/** Everything wrong with the overload answers, empty if none. */
function overloadViolations(r: Row): string[] {
  const problems: string[] = [];
  const other = Object.entries(r.statuses).filter(([s]) => s !== '200' && s !== '503');
  if (other.length > 0) problems.push(`answers other than 200/503: ${other.map(([s, n]) => `${s}:${n}`).join(' ')}`);
  if (r.errors > 0 || r.timeouts > 0) problems.push(`${r.errors} errors, ${r.timeouts} timeouts`);
  if (r.missingRetryAfter > 0) problems.push(`${r.missingRetryAfter} 503s without Retry-After`);
  if (!r.statuses['503']) problems.push('no 503 at all: the load did not overload the pool');
  if (!r.statuses['200']) problems.push('no 200 at all: nothing was served');
  return problems;
}

/** Scenarios 1 and 2 must be all 200s, or their figures measure something else. */
function cleanRunViolations(r: Row): string[] {
  const bad = Object.entries(r.statuses).filter(([s]) => s !== '200');
  return bad.length > 0 || r.errors > 0 ? [`${r.scenario}/${r.server}: ${JSON.stringify(r.statuses)}, ${r.errors} errors`] : [];
}

async function run(): Promise<GroupOutcome> {
  const costMs = cpuCostMs();
  console.log(`cpu service: ${HASH_ROUNDS} x SHA-256 of 64 KB = ${costMs.toFixed(2)} ms of CPU per request (measured here)`);
  console.log(`${DURATION_S} s per run after ${WARMUP_S} s warm-up\n`);

  const echo = { connections: ECHO.connections };
  const cpu = { connections: CPU.connections };
  const rows: Row[] = [
    await measure('echo', 'hono bare', null, startBaseline, ECHO, echo),
    await measure('echo', 'akara', 1, () => startAkara({ threads: 1 }), ECHO, echo),
    await measure('echo', 'akara', 2, () => startAkara({ threads: 2 }), ECHO, echo),
    await measure('cpu', 'akara', 1, () => startAkara({ threads: 1 }), CPU, cpu),
    await measure('cpu', 'akara', 2, () => startAkara({ threads: 2 }), CPU, cpu),
  ];
  const [cpu1, cpu2] = [rows[3]!, rows[4]!];
  const rate = Math.round(OVERLOAD.rateFactor * cpu2.rps);
  const overload = await measure('overload', `akara q=${OVERLOAD.maxQueue}`, 2, () => startAkara({ threads: 2, maxQueue: OVERLOAD.maxQueue }), CPU, {
    connections: OVERLOAD.connections, rate,
  });
  rows.push(overload);

  console.log('');
  printRows(rows);
  const speedup = cpu2.rps / cpu1.rps;
  printNotes(rows, cpu1, cpu2, speedup);
  return {
    result: {
      group: 'requests',
      durationS: DURATION_S,
      cpuService: { hashRounds: HASH_ROUNDS, cpuMsPerRequest: costMs },
      cpuSpeedup2vs1: speedup,
      runs: rows,
    },
    violations: [...rows.slice(0, 5).flatMap(cleanRunViolations), ...overloadViolations(overload)],
  };
}

export const requestsGroup: BenchGroup = {
  name: 'requests',
  summary: 'echo and a ~5 ms CPU-bound service with 1 and 2 threads beside bare Hono, and overload',
  parts: [],
  run,
};
