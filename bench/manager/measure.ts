import { NOISE_CORES, runLoad, type LoadResult } from '../load.js';
import { cpuSecondsOf } from '../proc.js';

/** One timed load of the manager group, with the CPU of the peers (processes runLoad does not know of). */

export interface Target {
  scenario: string;
  /** Base URL of the server the load goes to, and the path. */
  url: string;
  path: string;
  /** What the answer must be. */
  body: string;
  /** The `Akara-Provider` the answer must name (none for a service called directly). */
  provider?: string;
}

export interface Run extends LoadResult {
  scenario: string;
  path: string;
  connections: number;
  /** Cores the peer processes used (master and pool of an Akara peer, or the slow peers), warm-up included. */
  peerCores: number | null;
  /** `cores.other` less the peers': the rest of the machine, whose use makes the figures unreliable. */
  otherCores: number | null;
}

export interface RunSpec {
  connections: number;
  durationS: number;
  warmupS: number;
}

/** Two tries at most: the group must stay within its couple of minutes. */
const ATTEMPTS = 2;

const sum = (values: Array<number | null>) => (values.some((v) => v === null) ? null : (values as number[]).reduce((a, b) => a + b, 0));

/** Everything wrong with one answer (status, body, provider), empty if none. */
export async function checkAnswer(target: Target): Promise<string[]> {
  const res = await fetch(target.url + target.path);
  const text = await res.text();
  const provider = res.headers.get('akara-provider');
  const problems: string[] = [];
  if (res.status !== 200) problems.push(`answered ${res.status}`);
  if (text !== target.body) problems.push(`answered ${JSON.stringify(text.slice(0, 200))}, not ${JSON.stringify(target.body)}`);
  if (target.provider !== undefined && provider !== target.provider) problems.push(`was answered by ${provider ?? 'no Akara-Provider'}, not ${target.provider}`);
  return problems.map((p) => `${target.scenario} (${target.path}) ${p}`);
}

async function once(target: Target, spec: RunSpec, poolPid: number | undefined, peerPids: readonly number[]): Promise<Run> {
  const peerCpu = () => sum(peerPids.map(cpuSecondsOf));
  const start = { wall: performance.now(), peers: peerCpu() };
  const result = await runLoad({ url: target.url + target.path, ...spec }, poolPid);
  const wallS = (performance.now() - start.wall) / 1000;
  const peersNow = peerCpu();
  const peerCores = peersNow === null || start.peers === null ? null : (peersNow - start.peers) / wallS;
  const other = result.cores.other === null || peerCores === null ? null : Math.max(0, result.cores.other - peerCores);
  return { scenario: target.scenario, path: target.path, connections: spec.connections, ...result, peerCores, otherCores: other };
}

/**
 * Runs the load on `target`, again if the rest of the machine was busy (keeping the quieter run).
 * `poolPid` is the front's pool process; `peerPids` the peers' processes.
 */
export async function measure(target: Target, spec: RunSpec, poolPid: number | undefined, peerPids: readonly number[]): Promise<Run> {
  let best: Run | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS && (best === undefined || (best.otherCores ?? 0) > NOISE_CORES); attempt++) {
    process.stderr.write(`  ${target.scenario}, ${spec.connections} conn${attempt > 1 ? ', again: the machine was busy' : ''}...\n`);
    const run = await once(target, spec, poolPid, peerPids);
    if (best === undefined || (run.otherCores ?? 0) < (best.otherCores ?? 0)) best = run;
  }
  return best!;
}

/** Answers other than 200, or errors: the figures measure something else. */
export function runViolations(run: Run): string[] {
  const bad = Object.entries(run.statuses).filter(([status]) => status !== '200');
  return bad.length > 0 || run.errors + run.timeouts > 0
    ? [`${run.scenario} (${run.connections} conn): ${JSON.stringify(run.statuses)}, ${run.errors} errors, ${run.timeouts} timeouts`]
    : [];
}

/** Mean latency of a closed loop (connections / throughput), in ms: finer than autocannon's whole-ms percentiles. */
export const meanMs = (run: Run) => (run.connections * 1000) / run.rps;
