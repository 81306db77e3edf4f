import { Piscina } from 'piscina';
import type { PiscinaTask } from 'piscina';
import type { AkaraConfig, PoolConfig } from '../../schemas/config.js';
import type { ErrorCode, WireError } from '../../schemas/error-codes.js';
import type { PoolStats, WorkerReply, WorkerTask } from '../../schemas/wire.js';
import { AkaraError } from '../../services/errors.js';

/** The view of a thread that piscina's load balancer gets (piscina does not export this type by name). */
type PiscinaWorker = Parameters<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer'] & {}>[1][number];

interface TaskState {
  controller: AbortController;
  timer?: NodeJS.Timeout;
  thread?: number;
}

type Reason = 'timeout' | 'client';

/**
 * The thread pool of one pool process: piscina, kept between `minThreads` and `maxThreads`, shrunk when
 * idle, with each thread replaced after `maxTasksPerThread` tasks and each task stopped (its thread
 * terminated) past `taskTimeoutMs` of running time or `maxHeapMb` of heap.
 *
 * Recycling goes through piscina's load balancer, which sees every dispatch: a thread that has been given
 * its last task is never given another, and is terminated as soon as that task is done, so no request
 * ever lands on a thread that is going away.
 *
 * Tasks wait in our own FIFO queue and are handed to piscina only when a thread can take them: piscina's
 * queue does not keep arrival order for tasks with an AbortSignal (piscinajs/piscina#1031), which
 * starved some callers for seconds with one thread.
 */
export class ThreadPool {
  readonly #piscina: Piscina;
  readonly #config: PoolConfig;
  readonly #dispatched = new Map<number, number>();
  /** Threads given their last task, with that task's key: the thread goes when that task is done. */
  readonly #retiring = new Map<number, number>();
  readonly #tasks = new Map<number, TaskState>();
  /** Tasks waiting for a thread, oldest first. */
  readonly #waiting: Array<() => void> = [];
  /** Tasks handed to piscina and not yet done. */
  #submitted = 0;
  #nextKey = 1;
  readonly #stats = { completed: 0, failed: 0, recycled: 0, timedOut: 0, aborted: 0, outOfMemory: 0 };

  constructor(config: AkaraConfig) {
    this.#config = config.pool;
    this.#piscina = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: config.pool.minThreads,
      maxThreads: config.pool.maxThreads,
      idleTimeout: config.pool.idleTimeoutMs,
      // The master admits at most maxThreads + maxQueue tasks; this is only a backstop.
      maxQueue: config.pool.maxQueue + config.pool.maxThreads,
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: config.pool.maxHeapMb },
      workerData: { config },
      loadBalancer: (task, workers) => this.#pick(task, workers),
    });
    this.#piscina.on('workerDestroy', (worker: PiscinaWorker) => {
      this.#dispatched.delete(worker.id);
      this.#retiring.delete(worker.id);
    });
    // Errors of threads with no task running (e.g. one that failed to start) have nobody to reject.
    this.#piscina.on('error', () => {});
  }

  #pick(task: PiscinaTask, workers: PiscinaWorker[]): PiscinaWorker | null {
    for (const worker of workers) {
      if (worker.currentUsage !== 0 || worker.terminating || worker.destroyed || this.#retiring.has(worker.id)) continue;
      const key = (task as unknown as Record<symbol, { key: number } | null>)[Piscina.queueOptionsSymbol]?.key ?? 0;
      const count = (this.#dispatched.get(worker.id) ?? 0) + 1;
      this.#dispatched.set(worker.id, count);
      if (count >= this.#config.maxTasksPerThread) this.#retiring.set(worker.id, key);
      this.#started(key, worker.id);
      return worker;
    }
    return null;
  }

  /** The task's time budget counts from the moment a thread takes it, not while it waits in the queue. */
  #started(key: number, thread: number): void {
    const state = this.#tasks.get(key);
    if (!state) return;
    state.thread = thread;
    state.timer = setTimeout(() => state.controller.abort('timeout' satisfies Reason), this.#config.taskTimeoutMs);
  }

  #finished(key: number): void {
    const state = this.#tasks.get(key);
    this.#tasks.delete(key);
    if (!state) return;
    clearTimeout(state.timer);
    // Piscina may hand a thread its next tasks before earlier results reach us: only the thread's last
    // task being done means the thread is idle for good.
    if (state.thread !== undefined && this.#retiring.get(state.thread) === key) {
      const thread = this.#piscina.threads.find((t) => t.threadId === state.thread);
      if (thread) {
        this.#stats.recycled++;
        void thread.terminate();
      }
    }
  }

  #translate(err: unknown, signal: AbortSignal): WireError {
    const fail = (code: ErrorCode, detail: Record<string, number | string> = {}): WireError => new AkaraError(code, detail).toWire();
    if (signal.aborted) {
      if (signal.reason === ('timeout' satisfies Reason)) {
        this.#stats.timedOut++;
        return fail('AKR_ERR_TASK_TIMEOUT', { limitMs: this.#config.taskTimeoutMs });
      }
      this.#stats.aborted++;
      return fail('AKR_ERR_TASK_ABORTED');
    }
    const code = (err as { code?: unknown })?.code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      this.#stats.outOfMemory++;
      return fail('AKR_ERR_TASK_MEMORY', { limitMb: this.#config.maxHeapMb });
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/queue is at limit|No task queue available/i.test(message)) return fail('AKR_ERR_POOL_SATURATED');
    const wire = fail('AKR_ERR_WORKER_CRASHED');
    wire.stack = err instanceof Error ? err.stack : message;
    return wire;
  }

  /** Runs a task; never rejects: failures come back as error data with a stable code. */
  run<T>(task: WorkerTask): { key: number; reply: Promise<WorkerReply<T>> } {
    const key = this.#nextKey++;
    const controller = new AbortController();
    this.#tasks.set(key, { controller });
    const turn = new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      // A task aborted while it waits leaves the queue at once.
      controller.signal.addEventListener('abort', () => {
        const at = this.#waiting.indexOf(resolve);
        if (at !== -1) {
          this.#waiting.splice(at, 1);
          this.#submitted++;
          resolve();
        }
      }, { once: true });
    });
    this.#pump();
    const reply = turn
      .then(() => this.#piscina.run(Object.assign(task, { [Piscina.queueOptionsSymbol]: { key } }), { signal: controller.signal }))
      .then(
        (value: WorkerReply<T>) => {
          if (value.ok) this.#stats.completed++;
          else this.#stats.failed++;
          return value;
        },
        (err: unknown): WorkerReply<T> => {
          this.#stats.failed++;
          return { ok: false, error: this.#translate(err, controller.signal) };
        },
      )
      .finally(() => {
        this.#submitted--;
        this.#finished(key);
        this.#pump();
      });
    return { key, reply };
  }

  /** Hands waiting tasks to piscina, oldest first, while a thread can take them. */
  #pump(): void {
    while (this.#waiting.length > 0 && this.#submitted < this.#config.maxThreads) {
      this.#submitted++;
      this.#waiting.shift()!();
    }
  }

  /** Stops a task, queued or running (its thread is terminated and replaced). */
  abort(key: number, reason: Reason = 'client'): void {
    this.#tasks.get(key)?.controller.abort(reason);
  }

  stats(): PoolStats {
    const threads = this.#piscina.threads.length;
    const queued = this.#waiting.length + this.#piscina.queueSize;
    const running = [...this.#tasks.values()].filter((t) => t.thread !== undefined).length;
    return { threads, idle: Math.max(0, threads - running), running, queued, ...this.#stats };
  }

  async close(): Promise<void> {
    await this.#piscina.destroy();
  }
}
