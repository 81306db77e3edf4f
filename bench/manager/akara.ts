import type { StrategyName, UserConfig } from '../../schemas/config.js';
import { resolveConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/master.js';
import { countingSink } from '../servers.js';

/** An Akara server for the manager group: bench service modules, peers, and class policies. */

export interface ManagedOptions {
  /** Exactly this many threads. */
  threads: number;
  /** Compiled service modules (absolute paths). */
  modules: string[];
  /** Base URLs of peers, in order. */
  peers?: string[];
  /** Policies by class URI (the calls go to `/akara/invoke/{uri}`, so no mounts). */
  classes?: Record<string, { strategy: StrategyName; k?: number }>;
  /** `manager.timeoutMs`, the time for one remote call. */
  timeoutMs?: number;
}

export interface ManagedAkara {
  url: string;
  /** The pool process, whose CPU the bench reports. */
  poolPid: number | undefined;
  /** What the server logged at warn and above, by level and code (or message). */
  logged: Record<string, number>;
  close(): Promise<void>;
}

/**
 * The fronts' `manager.timeoutMs`. Every remote call arms an `AbortSignal.timeout` of that length, which
 * fires even after the answer came (services/manager/remote-instance.ts): at the default 30 s, a run's
 * timers would fire during a later run and charge it their CPU. At 1 s they fire during the run, or the
 * next run's 1 s warm-up; no call here comes near it (the slowest peer answers in 50 ms).
 */
export const FRONT_TIMEOUT_MS = 1_000;

export async function startManagedAkara(options: ManagedOptions): Promise<ManagedAkara> {
  const user: UserConfig = {
    host: '127.0.0.1',
    port: 0,
    modules: options.modules,
    // As in servers.ts: the default task count per thread would recycle threads during a run.
    pool: { minThreads: options.threads, maxThreads: options.threads, maxTasksPerThread: 100_000_000 },
    peers: (options.peers ?? []).map((url) => ({ url })),
    manager: { classes: options.classes ?? {}, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) },
    log: { level: 'warn', access: false },
  };
  const config = resolveConfig(user, { baseDir: process.cwd() });
  const logged: Record<string, number> = {};
  const server = await startServer({ config, logger: createLogger(config, countingSink(logged)) });
  const { processPid } = await server.runtime.current.pool.stats();
  return { url: server.url, poolPid: processPid, logged, close: () => server.close() };
}
