import { Pool } from 'undici';

/**
 * A tiny closed-loop client in a process of its own (its CPU apart from the master's): `loops` concurrent
 * loops, each sending `steps` in turn, every step's body the previous answer (the first: `body`), until
 * `durationS` have passed (after a discarded warm-up of `warmupS`). One iteration of all the steps is one
 * "request" of the figures.
 */

export interface LoopSpec {
  origin: string;
  steps: string[];
  body: string;
  loops: number;
  warmupS: number;
  durationS: number;
}

export interface LoopFigures {
  iterations: number;
  wallS: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  /** Iterations where a step answered other than 200. */
  failures: number;
  cpuS: number;
}

export type LoopMessage = { type: 'start' } | { type: 'result'; figures: LoopFigures } | { type: 'error'; message: string };

async function iterate(pool: Pool, spec: LoopSpec): Promise<boolean> {
  let body = spec.body;
  for (const path of spec.steps) {
    const res = await pool.request({ path, method: 'POST', body, headers: { 'content-type': 'application/xml' } });
    body = await res.body.text();
    if (res.statusCode !== 200) return false;
  }
  return true;
}

async function loops(pool: Pool, spec: LoopSpec, seconds: number, latencies: number[] | undefined): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let failures = 0;
  await Promise.all(Array.from({ length: spec.loops }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      if (!(await iterate(pool, spec))) failures++;
      latencies?.push(performance.now() - t);
    }
  }));
  return failures;
}

const send = (message: LoopMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

process.once('message', async (spec: LoopSpec) => {
  const pool = new Pool(spec.origin, { connections: spec.loops });
  try {
    await loops(pool, spec, spec.warmupS, undefined);
    await send({ type: 'start' });
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    const t = performance.now();
    const failures = await loops(pool, spec, spec.durationS, latencies);
    const wallS = (performance.now() - t) / 1000;
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    await send({ type: 'result', figures: {
      iterations: latencies.length, wallS, rps: latencies.length / wallS, p50: at(latencies, 0.5), p99: at(latencies, 0.99),
      mean: latencies.reduce((a, b) => a + b, 0) / latencies.length, failures, cpuS: (used.user + used.system) / 1e6,
    } });
  } catch (err) {
    await send({ type: 'error', message: (err as Error).message });
  } finally {
    await pool.close();
    process.disconnect();
  }
});
