import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineCpuSeconds } from '../proc.js';
import type { Summary } from '../stats.js';
import type { Expectation } from './checks.js';

/**
 * Transforms without HTTP: the engine the worker threads use, driven in a loop in a child process of
 * the bench (in-process-child.ts). One child per scenario, so that its peak RSS is that scenario's, its
 * heap limit can match the pool threads', and a transform that runs out of memory ends only the child.
 */

/** A loop runs until `seconds` have passed or `maxRuns` were done, whichever comes first (at least one run). */
export interface RunBounds {
  seconds: number;
  maxRuns: number;
}

export type InProcessSpec = {
  /** The child's old-generation limit, MB (`--max-old-space-size`); Node's default when absent. */
  heapMb?: number;
  docFile: string;
} & (
  | {
    kind: 'transform';
    stylesheetFile: string;
    expect: Expectation;
    /** Runs after the first: with the same engine (its stylesheet cache warm), and if `cold`, in turn with a new engine each run (every module parsed again). */
    runs: RunBounds;
    cold: boolean;
  }
  | {
    kind: 'parse';
    /** saxes into the engine's tree (what Akara does), or xslt-processor's own XmlParser on the decoded text. */
    parser: 'saxes' | 'xmlparser';
    records: number;
    bounds: RunBounds;
  }
);

export interface Phases {
  compile: number;
  parse: number;
  transform: number;
}

export interface LoopFigures extends Summary {
  seconds: number;
  /** Runs per second. */
  rps: number;
  /** Median time of each phase, ms. */
  phases?: Phases;
  /** Modules parsed during the loop (all engines). */
  modulesParsed: number;
  /** CPU seconds per second of wall time: above 1 when V8's GC helper threads work beside the main thread. */
  cores: number;
  /** Share of the wall time the main thread spent in GC pauses. */
  gcShare: number;
}

export interface InProcessResult {
  /** The first run (cold in every way: JIT, caches), whose output was checked. */
  first: { ms: number; phases?: Phases; outputBytes: number };
  warm?: LoopFigures;
  cold?: LoopFigures;
  /** For a parse: the loop. */
  loop?: LoopFigures;
  /** Modules in the stylesheet graph. */
  modules?: number;
  /** Elements named `record` in the parsed tree (parse runs), as a check. */
  records?: number;
  /** The child's peak RSS, MB (process.resourceUsage().maxRSS). */
  maxRssMb: number;
  /** The child's CPU seconds in all (filled in by the child). */
  cpuSeconds: number;
  /** Cores the rest of the machine (not the child or the bench) used meanwhile (filled in by the bench). */
  otherCores: number | null;
  /** Wrong output, or a cache that did not behave: the bench fails. */
  problems: string[];
}

export type InProcessMessage = { type: 'result'; result: InProcessResult } | { type: 'error'; message: string };

const CHILD = fileURLToPath(new URL('./in-process-child.js', import.meta.url));

/** Runs one in-process scenario in a child process. A child that dies (out of memory, say) rejects with its exit. */
export function runInProcess(spec: InProcessSpec): Promise<InProcessResult> {
  const started = { wall: performance.now(), machine: machineCpuSeconds(), bench: process.cpuUsage() };
  const otherCores = (result: InProcessResult): number | null => {
    const machine = machineCpuSeconds();
    if (machine === null || started.machine === null) return null;
    const bench = process.cpuUsage(started.bench);
    const busy = machine - started.machine - result.cpuSeconds - (bench.user + bench.system) / 1e6;
    return Math.max(0, busy) / ((performance.now() - started.wall) / 1000);
  };
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      execArgv: spec.heapMb === undefined ? [] : [`--max-old-space-size=${spec.heapMb}`],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-2000); });
    let settled = false;
    child.on('message', (message: InProcessMessage) => {
      settled = true;
      if (message.type === 'result') resolve({ ...message.result, otherCores: otherCores(message.result) });
      else reject(new Error(message.message));
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new Error(`the in-process child ended (${signal ?? `code ${code}`}) before answering: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
    child.send(spec);
  });
}
