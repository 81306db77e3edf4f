import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NOISE_CORES, runLoad, type LoadResult, type LoadSpec } from '../load.js';
import { cpuSecondsOf, machineCpuSeconds } from '../proc.js';
import type { LoopFigures, LoopMessage, LoopSpec } from './loop-child.js';

/** One row of the group's tables: a timed load by autocannon (load.ts) or by the undici loop (loop-child.ts). */

export interface Row {
  scenario: string;
  client: 'autocannon' | 'undici loop';
  conns: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** Answers other than 200, errors and timeouts. */
  bad: number;
  /** CPU ms per request: load generator, master, pool process, and their sum. */
  cpuMs: { load: number; master: number; pool: number | null; total: number | null };
  /** Cores the rest of the machine used during the run. */
  otherCores: number | null;
}

const LOOP_CHILD = fileURLToPath(new URL('./loop-child.js', import.meta.url));

function cpuMs(rps: number, cores: { load: number; master: number; pool: number | null }): Row['cpuMs'] {
  const per = (c: number) => (c * 1000) / rps;
  return { load: per(cores.load), master: per(cores.master), pool: cores.pool === null ? null : per(cores.pool), total: cores.pool === null ? null : per(cores.load + cores.master + cores.pool) };
}

async function autocannonOnce(scenario: string, spec: LoadSpec, poolPid: number | undefined): Promise<Row> {
  const r: LoadResult = await runLoad(spec, poolPid);
  const bad = Object.entries(r.statuses).filter(([s]) => s !== '200').reduce((n, [, c]) => n + c, 0) + r.errors + r.timeouts;
  return { scenario, client: 'autocannon', conns: spec.connections, requests: r.requests, rps: r.rps, p50: r.p50, p99: r.p99, mean: r.mean, bad, cpuMs: cpuMs(r.rps, r.cores), otherCores: r.cores.other };
}

function loopOnce(scenario: string, spec: LoopSpec, poolPid: number | undefined): Promise<Row> {
  return new Promise((resolve, reject) => {
    const child = fork(LOOP_CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let start: { wall: number; master: number; pool: number | null; machine: number | null } | undefined;
    let settled = false;
    const master = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
    child.on('message', (m: LoopMessage) => {
      if (m.type === 'start') start = { wall: performance.now(), master: master(), pool: cpuSecondsOf(poolPid), machine: machineCpuSeconds() };
      else if (m.type === 'result' && start) {
        const f: LoopFigures = m.figures;
        const wallS = (performance.now() - start.wall) / 1000;
        const poolNow = cpuSecondsOf(poolPid);
        const machineNow = machineCpuSeconds();
        const cores = {
          load: f.cpuS / wallS,
          master: (master() - start.master) / wallS,
          pool: poolNow === null || start.pool === null ? null : (poolNow - start.pool) / wallS,
        };
        const other = machineNow === null || start.machine === null || cores.pool === null ? null : Math.max(0, (machineNow - start.machine) / wallS - cores.load - cores.master - cores.pool);
        settled = true;
        resolve({ scenario, client: 'undici loop', conns: spec.loops, requests: f.iterations, rps: f.rps, p50: f.p50, p99: f.p99, mean: f.mean, bad: f.failures, cpuMs: cpuMs(f.rps, cores), otherCores: other });
      } else if (m.type === 'error') {
        settled = true;
        reject(new Error(`loop client: ${m.message}`));
      }
    });
    child.on('exit', (code) => { if (!settled) reject(new Error(`loop client exited with code ${code} before answering`)); });
    child.send(spec);
  });
}

/** Runs a load, again once if the rest of the machine was busy (keeping the quieter run). */
export async function measure(scenario: string, run: () => Promise<Row>): Promise<Row> {
  let best: Row | undefined;
  for (let attempt = 1; attempt <= 2 && (best === undefined || (best.otherCores ?? 0) > NOISE_CORES); attempt++) {
    process.stderr.write(`  ${scenario}${attempt > 1 ? ', again: the machine was busy' : ''}...\n`);
    const row = await run();
    if (best === undefined || (row.otherCores ?? 0) < (best.otherCores ?? 0)) best = row;
  }
  return best!;
}

export const withAutocannon = (scenario: string, spec: LoadSpec, poolPid: number | undefined) => measure(`${scenario}, autocannon ${spec.connections} conns`, () => autocannonOnce(scenario, spec, poolPid));
export const withLoop = (scenario: string, spec: LoopSpec, poolPid: number | undefined) => measure(`${scenario}, undici ${spec.loops} loops`, () => loopOnce(scenario, spec, poolPid));

export function rowViolations(row: Row): string[] {
  return row.bad > 0 ? [`${row.scenario} (${row.client}, ${row.conns} conns): ${row.bad} of ${row.requests} answers not 200`] : [];
}
