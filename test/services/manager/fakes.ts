import type { Instance, InstanceFigures, InvokeRequest, InvokeResponse } from '../../../services/manager/instance.js';
import { RetryBudget } from '../../../services/manager/retry-budget.js';
import type { Send, StrategyOptions } from '../../../services/manager/strategies.js';
import { createStrategyState } from '../../../services/manager/strategies/state.js';

/** What a fake instance does with a call. */
export type Behaviour =
  | { kind: 'answer'; status?: number; afterMs?: number }
  | { kind: 'reject'; afterMs?: number; error?: unknown }
  | { kind: 'hang' };

export interface FakeOptions {
  behaviour?: Behaviour;
  up?: boolean;
  local?: boolean;
  tags?: string[];
  weight?: number;
  inFlight?: number;
  latencyMs?: number;
}

/** An Instance whose answers the test controls; it records every call's signal. */
export class FakeInstance implements Instance {
  readonly key: string;
  readonly serviceId = 'http://example.org/s';
  readonly classes = ['http://example.org/class'];
  readonly baseIri: string;
  readonly local: boolean;
  readonly tags: readonly string[];
  readonly weight: number;
  readonly figures: InstanceFigures;
  behaviour: Behaviour;
  up: boolean;
  /** The signal of each call, in order. */
  readonly signals: AbortSignal[] = [];

  constructor(key: string, options: FakeOptions = {}) {
    this.key = key;
    this.baseIri = `http://${key}.example/s`;
    this.behaviour = options.behaviour ?? { kind: 'answer' };
    this.up = options.up ?? true;
    this.local = options.local ?? false;
    this.tags = options.tags ?? [];
    this.weight = options.weight ?? 1;
    this.figures = { inFlight: options.inFlight ?? 0, latencyMs: options.latencyMs, requests: 0, failures: 0, consecutiveFailures: 0 };
  }

  get calls(): number {
    return this.signals.length;
  }

  available(): boolean {
    return this.up;
  }

  invoke(_request: InvokeRequest, signal: AbortSignal): Promise<InvokeResponse> {
    this.signals.push(signal);
    const behaviour = this.behaviour;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new Error(`${this.key} aborted`, { cause: signal.reason }));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (behaviour.kind === 'hang') return;
      const settle = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (behaviour.kind === 'reject') reject(behaviour.error ?? new Error(`${this.key} refused`));
        else resolve(answer(this.key, behaviour.status ?? 200));
      };
      if (behaviour.afterMs === undefined) settle();
      else setTimeout(settle, behaviour.afterMs);
    });
  }
}

export function answer(provider: string, status: number): InvokeResponse {
  return { status, headers: [], body: new TextEncoder().encode(provider), provider };
}

export const REQUEST: InvokeRequest = { method: 'GET', query: [] };

export const send: Send = (instance, signal) => instance.invoke(REQUEST, signal);

/** A clock the test moves by hand. */
export function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options with a budget too large to matter and a signal nobody aborts; override what a test is about. */
export function strategyOptions(overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  return {
    budget: new RetryBudget({ ratio: 0, minPerSecond: 1_000 }),
    signal: new AbortController().signal,
    state: createStrategyState(),
    ...overrides,
  };
}

/** The providers that answered, counted. */
export function tally(providers: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const provider of providers) counts[provider] = (counts[provider] ?? 0) + 1;
  return counts;
}
