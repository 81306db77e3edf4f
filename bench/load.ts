import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf, machineCpuSeconds } from './proc.js';

/**
 * The bench's side of the load generator. The load (autocannon, or open-loop.ts) runs in its own process
 * (load-child.ts) so that its CPU shows up apart from the master's; it still shares the machine's cores
 * with the server, and the CPU figures each run reports (in cores: CPU seconds per second of wall time)
 * show who used what.
 */

export interface LoadSpec {
  url: string;
  connections: number;
  durationS: number;
  /** A discarded run first, so threads and JIT are warm. */
  warmupS: number;
  /**
   * Requests in all instead of `durationS` (and `warmupAmount` instead of `warmupS`): for answers that take
   * seconds, where a timed run would cut the last ones off and count only a handful.
   */
  amount?: number;
  warmupAmount?: number;
  /** GET unless said; the body is read from a file by the load generator. */
  method?: 'GET' | 'POST';
  bodyFile?: string;
  /** Seconds before a request counts as timed out (10 unless said). */
  timeoutS?: number;
  /**
   * Requests per second sent whatever the answers (open loop, open-loop.ts; latency of 200s only),
   * instead of autocannon's closed loop where each connection waits for its answer.
   */
  rate?: number;
}

export interface LoadFigures {
  requests: number;
  durationS: number;
  rps: number;
  p50: number;
  p99: number;
  /** Milliseconds, like p50 and p99: for runs of a handful of requests, steadier than the p50. */
  mean: number;
  statuses: Record<string, number>;
  /** Connection errors (not timeouts). */
  errors: number;
  timeouts: number;
  /** 503 answers without a Retry-After header (counted in open loop only). */
  missingRetryAfter: number;
  /** CPU seconds of the load generator during the measured run. */
  loadCpuS: number;
}

export interface LoadResult extends LoadFigures {
  /**
   * Cores used on average during the run: by the load generator, this process (the master or the baseline),
   * the pool process, and everything else on the machine (other processes, the kernel): a busy neighbour
   * shows up there and makes the run's figures unreliable.
   */
  cores: { load: number; master: number; pool: number | null; other: number | null };
}

/** A run during which the rest of the machine used more than this many cores is not reliable: it is run again. */
export const NOISE_CORES = 0.15;

export type ChildMessage = { type: 'start' } | { type: 'result'; figures: LoadFigures } | { type: 'error'; message: string };

const CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));

function masterCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Runs one load in a child process; `poolPid` is the pool process whose CPU to report. */
export function runLoad(spec: LoadSpec, poolPid?: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let start: { wall: number; master: number; pool: number | null; machine: number | null } | undefined;
    let settled = false;
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'start') {
        start = { wall: performance.now(), master: masterCpuSeconds(), pool: cpuSecondsOf(poolPid), machine: machineCpuSeconds() };
      } else if (message.type === 'result' && start) {
        const wallS = (performance.now() - start.wall) / 1000;
        const rate = (now: number | null, then: number | null) => (now === null || then === null ? null : (now - then) / wallS);
        const load = message.figures.loadCpuS / wallS;
        const master = rate(masterCpuSeconds(), start.master)!;
        const pool = poolPid === undefined ? 0 : rate(cpuSecondsOf(poolPid), start.pool);
        const machine = rate(machineCpuSeconds(), start.machine);
        settled = true;
        resolve({
          ...message.figures,
          cores: {
            load,
            master,
            pool: poolPid === undefined ? null : pool,
            other: machine === null || pool === null ? null : Math.max(0, machine - load - master - pool),
          },
        });
      } else if (message.type === 'error') {
        settled = true;
        reject(new Error(`load generator: ${message.message}`));
      }
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with code ${code} before answering`));
    });
    child.send(spec);
  });
}
