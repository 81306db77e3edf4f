import autocannon from 'autocannon';
import type { ChildMessage, LoadFigures, LoadSpec } from './load.js';
import { openLoop } from './open-loop.js';

/** The load generator process: runs the load once to warm up, once to measure, and reports back. */

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, () => resolve()));
}

/** autocannon's closed loop: each connection sends its next request when the answer to the last is in. */
async function closedLoop(spec: LoadSpec, durationS: number): Promise<Omit<LoadFigures, 'loadCpuS'>> {
  const result = await autocannon({ url: spec.url, connections: spec.connections, duration: durationS, timeout: 10 });
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) statuses[status] = count;
  return {
    requests: result.requests.total,
    durationS: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    missingRetryAfter: 0,
  };
}

function load(spec: LoadSpec, durationS: number): Promise<Omit<LoadFigures, 'loadCpuS'>> {
  return spec.rate === undefined ? closedLoop(spec, durationS) : openLoop({ ...spec, rate: spec.rate }, durationS);
}

async function measure(spec: LoadSpec): Promise<LoadFigures> {
  await load(spec, spec.warmupS);
  await send({ type: 'start' });
  const before = process.cpuUsage();
  const figures = await load(spec, spec.durationS);
  const { user, system } = process.cpuUsage(before);
  return { ...figures, loadCpuS: (user + system) / 1e6 };
}

process.once('message', (spec: LoadSpec) => {
  measure(spec)
    .then((figures) => send({ type: 'result', figures }))
    .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
    .finally(() => process.disconnect());
});
