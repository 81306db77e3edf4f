import { join } from 'node:path';
import { runLoad, type LoadResult } from '../load.js';
import { cpuSecondsOf, machineCpuSeconds, peakRssMb, resetPeakRss } from '../proc.js';
import { startAkara, type BenchServer } from '../servers.js';
import { outputProblems } from './checks.js';
import { DOCUMENT_LIMIT_BYTES, type Fixture, type Fixtures } from './fixtures.js';

/**
 * Transforms over HTTP: a fresh server per scenario with the fixtures mounted at `/bench` and their
 * stylesheets as named transforms. The first request is timed alone (cold: no compiled stylesheet, cold
 * JIT) and its output checked; then the load runs, if the first answer was right.
 */

export interface HttpTransformSpec {
  doc: Fixture;
  stylesheet: 'page' | 'identity';
  /** `GET /bench/{doc}?xslt={stylesheet}` (a resource space) or `POST /akara.xslt?@xslt={stylesheet}` with the document. */
  via: 'GET' | 'POST';
  threads: number;
  connections: number;
  /** Seconds, or a number of requests (0: the first request only). */
  length: { seconds: number } | { requests: number };
  warmup: { seconds: number } | { requests: number };
  /** The pool's per-thread heap; the default config's (256 MB) unless said. */
  maxHeapMb?: number;
  taskTimeoutMs?: number;
  /** Seconds the load generator waits for an answer. */
  timeoutS: number;
  /** The first answer is expected to be an error (a finding, not a failure): no load, and the server is checked afterwards. */
  probe?: boolean;
}

export interface HttpTransformResult {
  first: {
    ms: number;
    status: number;
    /** The problem document's code, for an error. */
    code?: string;
    bytes: number;
    /** CPU seconds per second of the pool process during the first request. */
    poolCores: number | null;
    /** ... and of the rest of the machine (not the bench, master or pool): a busy neighbour. */
    otherCores: number | null;
    problems: string[];
  };
  load?: LoadResult;
  /** The pool process's peak RSS over the scenario, MB; null if it was replaced meanwhile (its peak died with it). */
  peakRssMb: number | null;
  pool: { outOfMemory: number; timedOut: number; failed: number; processRestarts: number };
  /** After a probe: does the same server still transform the 2 KB document right? */
  afterwards?: { status: number; problems: string[] };
  logged: Record<string, number>;
}

/** Cores the rest of the machine used while the scenario was measured. */
export function noiseOf(r: HttpTransformResult): number {
  return (r.load ? r.load.cores.other : r.first.otherCores) ?? 0;
}

export function pathOf(spec: Pick<HttpTransformSpec, 'doc' | 'stylesheet' | 'via'>): string {
  return spec.via === 'GET' ? `/bench/${spec.doc.name}?xslt=${spec.stylesheet}` : `/akara.xslt?@xslt=${spec.stylesheet}`;
}

async function request(server: BenchServer, spec: Pick<HttpTransformSpec, 'doc' | 'stylesheet' | 'via'>): Promise<{ status: number; text: string; ms: number }> {
  const t = performance.now();
  const res = await fetch(server.url + pathOf(spec), spec.via === 'GET' ? {} : {
    method: 'POST', body: spec.doc.bytes, headers: { 'content-type': 'application/xml' },
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t };
}

function problemsOf(answer: { status: number; text: string }, spec: Pick<HttpTransformSpec, 'doc' | 'stylesheet'>): string[] {
  if (answer.status !== 200) return [`answered ${answer.status}: ${answer.text.slice(0, 300)}`];
  return outputProblems(answer.text, { stylesheet: spec.stylesheet, records: spec.doc.records.length });
}

export async function runHttpTransform(fixtures: Fixtures, spec: HttpTransformSpec): Promise<HttpTransformResult> {
  const server = await startAkara({
    threads: spec.threads,
    documents: { docs: fixtures.docs, transforms: fixtures.transforms },
    maxDocumentBytes: DOCUMENT_LIMIT_BYTES,
    ...(spec.maxHeapMb === undefined ? {} : { maxHeapMb: spec.maxHeapMb }),
    ...(spec.taskTimeoutMs === undefined ? {} : { taskTimeoutMs: spec.taskTimeoutMs }),
  });
  try {
    const pid = server.poolPid;
    // Peak RSS from here on: the pool process as started, without what a previous scenario left behind.
    resetPeakRss(pid);
    const cpuBefore = cpuSecondsOf(pid);
    const machineBefore = machineCpuSeconds();
    const benchBefore = process.cpuUsage();
    const answer = await request(server, spec);
    const cpuAfter = cpuSecondsOf(pid);
    const machineAfter = machineCpuSeconds();
    const bench = process.cpuUsage(benchBefore);
    const first: HttpTransformResult['first'] = {
      ms: answer.ms,
      status: answer.status,
      bytes: Buffer.byteLength(answer.text),
      poolCores: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / (answer.ms / 1000),
      otherCores: cpuBefore === null || cpuAfter === null || machineBefore === null || machineAfter === null ? null
        : Math.max(0, machineAfter - machineBefore - (cpuAfter - cpuBefore) - (bench.user + bench.system) / 1e6) / (answer.ms / 1000),
      problems: problemsOf(answer, spec),
    };
    if (answer.status !== 200) {
      try {
        first.code = (JSON.parse(answer.text) as { code?: string }).code;
      } catch {
        // Not a problem document: the status says it all.
      }
    }
    const result: Omit<HttpTransformResult, 'peakRssMb' | 'pool'> = { first, logged: server.logged };
    const runsLoad = !spec.probe && first.problems.length === 0 && !('requests' in spec.length && spec.length.requests === 0);
    if (runsLoad) {
      result.load = await runLoad({
        url: server.url + pathOf(spec),
        connections: spec.connections,
        timeoutS: spec.timeoutS,
        ...('seconds' in spec.length ? { durationS: spec.length.seconds } : { durationS: 0, amount: spec.length.requests }),
        ...('seconds' in spec.warmup ? { warmupS: spec.warmup.seconds } : { warmupS: 0, warmupAmount: spec.warmup.requests }),
        ...(spec.via === 'POST' ? { method: 'POST', bodyFile: join(fixtures.docs, spec.doc.name) } : {}),
      }, pid);
    }
    const stats = await server.poolStats!();
    const peak = stats.processPid === pid ? peakRssMb(pid) : null;
    if (spec.probe) {
      const small = { doc: fixtures.small, stylesheet: 'page', via: 'GET' } as const;
      const after = await request(server, small);
      result.afterwards = { status: after.status, problems: problemsOf(after, small) };
    }
    const pool = { outOfMemory: stats.outOfMemory, timedOut: stats.timedOut, failed: stats.failed, processRestarts: stats.processRestarts };
    return { ...result, peakRssMb: peak, pool };
  } finally {
    await server.close();
  }
}
