import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import type { ChildMessage, LoadFigures, LoadSpec } from './load.js';
import { openLoop } from './open-loop.js';

/** The load generator process: runs the load once to warm up, once to measure, and reports back. */

/** How long a load runs: seconds, or a number of requests. */
type Length = { durationS: number } | { amount: number };

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

/** autocannon's closed loop: each connection sends its next request when the answer to the last is in. */
async function closedLoop(spec: LoadSpec, length: Length, body: Buffer | undefined): Promise<Omit<LoadFigures, 'loadCpuS'>> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...('amount' in length ? { amount: length.amount } : { duration: length.durationS }),
    timeout: spec.timeoutS ?? 10,
    ...(spec.method === undefined ? {} : { method: spec.method }),
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/xml' } }),
  });
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) statuses[status] = count;
  return {
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    statuses,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    missingRetryAfter: 0,
  };
}

function load(spec: LoadSpec, length: Length, body: Buffer | undefined): Promise<Omit<LoadFigures, 'loadCpuS'>> {
  if (spec.rate === undefined) return closedLoop(spec, length, body);
  if ('amount' in length) throw new Error('an open-loop load runs for a time, not a number of requests');
  return openLoop({ ...spec, rate: spec.rate }, length.durationS);
}

async function measure(spec: LoadSpec): Promise<LoadFigures> {
  const body = spec.bodyFile === undefined ? undefined : readFileSync(spec.bodyFile);
  const [warmup, run]: [Length, Length] = spec.amount === undefined
    ? [{ durationS: spec.warmupS }, { durationS: spec.durationS }]
    : [{ amount: spec.warmupAmount ?? 0 }, { amount: spec.amount }];
  // autocannon refuses more connections than requests: a warm-up of one request per thread has fewer.
  if ('amount' in warmup ? warmup.amount > 0 : warmup.durationS > 0) {
    await load('amount' in warmup ? { ...spec, connections: Math.min(spec.connections, warmup.amount) } : spec, warmup, body);
  }
  await send({ type: 'start' });
  const before = process.cpuUsage();
  const figures = await load(spec, run, body);
  const { user, system } = process.cpuUsage(before);
  return { ...figures, loadCpuS: (user + system) / 1e6 };
}

process.once('message', (spec: LoadSpec) => {
  measure(spec)
    .then((figures) => send({ type: 'result', figures }))
    .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
    .finally(() => process.disconnect());
});
