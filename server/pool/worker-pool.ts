import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AkaraConfig } from '../../schemas/config.js';
import type { WireError } from '../../schemas/error-codes.js';
import type { ServiceDescriptor } from '../../schemas/service.js';
import type { FromPoolMessage, InvokeResult, InvokeTask, PoolStats, ToPoolMessage } from '../../schemas/wire.js';
import { AkaraError } from '../../services/errors.js';

const HOST_ENTRY = fileURLToPath(new URL('./host.js', import.meta.url));
const RESPAWN_DELAY_MS = { first: 50, max: 5_000 };
const STATS_TIMEOUT_MS = 1_000;
const MAX_LOGGED_LINE = 4_096;

interface Pending {
  resolve(result: InvokeResult): void;
  reject(err: AkaraError): void;
  started: number;
  /** The master's own deadline, should the pool process never answer. */
  deadline: NodeJS.Timeout;
}

interface Waiter {
  proceed(proc: PoolProcess): void;
  fail(err: AkaraError): void;
}

interface PoolProcess {
  child: ChildProcess;
  pending: Map<number, Pending>;
  stats: Map<number, (stats: PoolStats) => void>;
  ready: boolean;
  stopping: boolean;
}

export interface WorkerPoolFigures extends PoolStats {
  /** The current pool process. */
  processPid: number | undefined;
  /** Pool processes that died and were replaced. */
  processRestarts: number;
  /** Requests admitted and not yet answered (running, queued, or waiting for a pool process). */
  inFlight: number;
  state: 'starting' | 'ready' | 'respawning' | 'closing';
}

const EMPTY_STATS: PoolStats = { threads: 0, idle: 0, running: 0, queued: 0, completed: 0, failed: 0, recycled: 0, timedOut: 0, aborted: 0, outOfMemory: 0 };

/**
 * The master's side of the worker pool: a pool process hosting the thread pool, supervised like the
 * children of Akara's prefork master. If the process dies, the requests it was running fail with 502
 * AKR_ERR_WORKER_CRASHED, a new process is started, and requests arriving meanwhile wait for it.
 * Admission is decided here: past `maxThreads + maxQueue` requests in flight, 503 AKR_ERR_POOL_SATURATED.
 *
 * Routes use this facade and never see piscina or the IPC.
 */
export class WorkerPool {
  readonly #config: AkaraConfig;
  readonly #log: Logger;
  #proc: PoolProcess | undefined;
  #waiting = new Set<Waiter>();
  #inFlight = 0;
  #nextId = 1;
  #processRestarts = 0;
  #respawnDelay = RESPAWN_DELAY_MS.first;
  #respawnTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #idleWaiters: Array<() => void> = [];
  /** A moving average of task time, for Retry-After. */
  #avgTaskMs = 10;

  constructor(config: AkaraConfig, logger: Logger) {
    this.#config = config;
    this.#log = logger;
  }

  /** Starts the pool process and returns the services its modules define; rejects with the load error. */
  async start(): Promise<ServiceDescriptor[]> {
    const { proc, ready } = this.#spawn();
    this.#proc = proc;
    return ready;
  }

  #spawn(): { proc: PoolProcess; ready: Promise<ServiceDescriptor[]> } {
    const child = fork(HOST_ENTRY, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
    });
    const proc: PoolProcess = { child, pending: new Map(), stats: new Map(), ready: false, stopping: false };
    // What the pool process prints (V8's last words when it aborts, for one) goes to the log as JSON lines.
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream]! }).on('line', (line) => {
        this.#log.warn({ poolPid: child.pid, stream }, line.slice(0, MAX_LOGGED_LINE));
      });
    }
    const ready = new Promise<ServiceDescriptor[]>((resolve, reject) => {
      child.on('message', (message: FromPoolMessage) => {
        switch (message.type) {
          case 'ready':
            proc.ready = true;
            this.#log.info({ poolPid: child.pid }, 'pool process ready');
            resolve(message.services);
            this.#onReady(proc);
            break;
          case 'failed':
            reject(AkaraError.fromWire(message.error));
            proc.stopping = true;
            child.kill('SIGKILL');
            break;
          case 'done':
            this.#onDone(proc, message.id, message.reply.ok ? message.reply.value : message.reply.error, message.reply.ok);
            break;
          case 'stats':
            proc.stats.get(message.id)?.(message.stats);
            proc.stats.delete(message.id);
            break;
        }
      });
      child.on('exit', (code, signal) => {
        reject(new AkaraError('AKR_ERR_INTERNAL', {}, { message: `the pool process exited during start (code ${code}, signal ${signal})` }));
        this.#onExit(proc, code, signal);
      });
      child.on('error', (err) => this.#log.error({ err }, 'pool process error'));
    });
    child.send({ type: 'init', config: this.#config } satisfies ToPoolMessage);
    return { proc, ready };
  }

  #onReady(proc: PoolProcess): void {
    if (proc !== this.#proc) return;
    this.#respawnDelay = RESPAWN_DELAY_MS.first;
    for (const waiter of this.#waiting) waiter.proceed(proc);
    this.#waiting.clear();
  }

  #onDone(proc: PoolProcess, id: number, value: InvokeResult | WireError, ok: boolean): void {
    const pending = proc.pending.get(id);
    if (!pending) return;
    proc.pending.delete(id);
    clearTimeout(pending.deadline);
    this.#release();
    this.#avgTaskMs = this.#avgTaskMs * 0.9 + (performance.now() - pending.started) * 0.1;
    if (ok) pending.resolve(value as InvokeResult);
    else pending.reject(AkaraError.fromWire(value as WireError));
  }

  #onExit(proc: PoolProcess, code: number | null, signal: NodeJS.Signals | null): void {
    for (const pending of proc.pending.values()) {
      clearTimeout(pending.deadline);
      this.#release();
      pending.reject(new AkaraError('AKR_ERR_WORKER_CRASHED'));
    }
    proc.pending.clear();
    for (const callback of proc.stats.values()) callback(EMPTY_STATS);
    proc.stats.clear();
    if (proc.stopping || proc !== this.#proc || this.#closing) return;
    this.#processRestarts++;
    this.#log.error({ poolPid: proc.child.pid, code, signal, restartInMs: this.#respawnDelay }, 'pool process died; replacing it');
    proc.ready = false;
    this.#respawnTimer = setTimeout(() => this.#respawn(), this.#respawnDelay);
    this.#respawnDelay = Math.min(this.#respawnDelay * 2, RESPAWN_DELAY_MS.max);
  }

  #respawn(): void {
    if (this.#closing) return;
    const { proc, ready } = this.#spawn();
    this.#proc = proc;
    ready.catch((err: unknown) => this.#log.error({ err }, 'replacement pool process failed to start'));
  }

  #release(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) for (const notify of this.#idleWaiters.splice(0)) notify();
  }

  /** Seconds a client should wait before retrying, from the queue length and recent task times. */
  retryAfterSeconds(): number {
    const perThread = this.#inFlight / this.#config.pool.maxThreads;
    return Math.min(60, Math.max(1, Math.ceil((perThread * this.#avgTaskMs) / 1000)));
  }

  /**
   * Runs a service invocation in a worker thread. Rejects with an AkaraError: AKR_ERR_POOL_SATURATED,
   * _POOL_UNAVAILABLE, _TASK_TIMEOUT, _TASK_MEMORY, _TASK_ABORTED, _WORKER_CRASHED, or the service's own.
   */
  /** Throws AKR_ERR_POOL_SATURATED (or _UNAVAILABLE) if a request would be refused now; cheap. */
  checkCapacity(): void {
    if (this.#closing) throw new AkaraError('AKR_ERR_POOL_UNAVAILABLE');
    const { maxThreads, maxQueue } = this.#config.pool;
    if (this.#inFlight >= maxThreads + maxQueue) {
      throw new AkaraError('AKR_ERR_POOL_SATURATED', { retryAfter: this.retryAfterSeconds() });
    }
  }

  run(task: InvokeTask, signal?: AbortSignal): Promise<InvokeResult> {
    try {
      this.checkCapacity();
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(new AkaraError('AKR_ERR_TASK_ABORTED'));
    const { taskTimeoutMs } = this.#config.pool;
    this.#inFlight++;
    return new Promise<InvokeResult>((resolve, reject) => {
      const send = (proc: PoolProcess) => {
        const id = this.#nextId++;
        // The pool process enforces the running-time budget; this only guards against it never
        // answering, allowing as long again for the wait in its queue.
        const deadline = setTimeout(() => {
          if (!proc.pending.delete(id)) return;
          this.#release();
          if (proc.child.connected) proc.child.send({ type: 'abort', id } satisfies ToPoolMessage);
          reject(new AkaraError('AKR_ERR_TASK_TIMEOUT', { limitMs: taskTimeoutMs }));
        }, 2 * taskTimeoutMs);
        proc.pending.set(id, { resolve, reject, started: performance.now(), deadline });
        proc.child.send({ type: 'run', id, task } satisfies ToPoolMessage);
        signal?.addEventListener('abort', () => {
          if (!proc.pending.has(id)) return;
          proc.child.send({ type: 'abort', id } satisfies ToPoolMessage);
        }, { once: true });
      };
      const proc = this.#proc;
      if (proc?.ready) {
        send(proc);
        return;
      }
      // No pool process is ready (one is being replaced): wait for it, within the task's time budget.
      const waiter: Waiter = {
        proceed: (ready) => { clearTimeout(timer); signal?.removeEventListener('abort', onAbort); send(ready); },
        fail: (err) => { clearTimeout(timer); this.#waiting.delete(waiter); this.#release(); reject(err); },
      };
      const onAbort = () => waiter.fail(new AkaraError('AKR_ERR_TASK_ABORTED'));
      const timer = setTimeout(() => waiter.fail(new AkaraError('AKR_ERR_POOL_UNAVAILABLE')), taskTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(waiter);
    });
  }

  /** Pool figures for the health endpoint. */
  async stats(): Promise<WorkerPoolFigures> {
    const proc = this.#proc;
    const state = this.#closing ? 'closing' : proc?.ready ? 'ready' : this.#processRestarts > 0 ? 'respawning' : 'starting';
    const base = { processPid: proc?.child.pid, processRestarts: this.#processRestarts, inFlight: this.#inFlight, state } as const;
    if (!proc?.ready || !proc.child.connected) return { ...EMPTY_STATS, ...base };
    const id = this.#nextId++;
    const stats = await new Promise<PoolStats>((resolve) => {
      const timer = setTimeout(() => { proc.stats.delete(id); resolve(EMPTY_STATS); }, STATS_TIMEOUT_MS);
      proc.stats.set(id, (s) => { clearTimeout(timer); resolve(s); });
      proc.child.send({ type: 'stats', id } satisfies ToPoolMessage);
    });
    return { ...stats, ...base };
  }

  /** Stops taking requests, waits up to `drainMs` for those in flight, then stops the pool process. */
  async close(drainMs = this.#config.shutdownTimeoutMs): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#respawnTimer);
    for (const waiter of [...this.#waiting]) waiter.fail(new AkaraError('AKR_ERR_POOL_UNAVAILABLE'));
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        this.#idleWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    const proc = this.#proc;
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    proc.stopping = true;
    const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
    if (proc.child.connected) proc.child.disconnect();
    const killer = setTimeout(() => proc.child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(killer);
  }
}
