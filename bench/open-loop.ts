import { Pool } from 'undici';
import type { LoadFigures, LoadSpec } from './load.js';

/**
 * An open-loop load: requests leave at a steady `rate` whatever the answers, over `connections` keep-alive
 * connections, and every one is awaited to its answer or error. Used for overload because autocannon's
 * `overallRate` is a per-second budget per connection: with instant 503s each connection spends its whole
 * budget in the first milliseconds of every second and then sits idle, so the pool starves instead of
 * being overloaded.
 */

const TICK_MS = 5;
const TIMEOUT_MS = 10_000;

const percentile = (sorted: number[], p: number) => sorted[Math.floor(p * (sorted.length - 1))] ?? 0;

export async function openLoop(spec: LoadSpec & { rate: number }, durationS: number): Promise<Omit<LoadFigures, 'loadCpuS'>> {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: spec.connections, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
  const statuses: Record<string, number> = {};
  const okLatencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  let missingRetryAfter = 0;
  const inFlight = new Set<Promise<void>>();

  const one = async (): Promise<void> => {
    const sent = performance.now();
    try {
      const res = await pool.request({ path: url.pathname + url.search, method: 'GET' });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 503 && res.headers['retry-after'] === undefined) missingRetryAfter++;
      if (res.statusCode === 200) okLatencies.push(performance.now() - sent);
    } catch (err) {
      if (/TIMEOUT/.test((err as { code?: string }).code ?? '')) timeouts++;
      else errors++;
    }
  };

  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < durationS * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * spec.rate);
    for (; sent < due; sent++) {
      const request = one();
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();

  okLatencies.sort((a, b) => a - b);
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    requests: answered,
    durationS: elapsedS,
    rps: answered / elapsedS,
    p50: percentile(okLatencies, 0.5),
    p99: percentile(okLatencies, 0.99),
    mean: okLatencies.reduce((a, b) => a + b, 0) / (okLatencies.length || 1),
    statuses,
    errors,
    timeouts,
    missingRetryAfter,
  };
}
