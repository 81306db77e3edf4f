import { STRATEGY_NAMES } from '../../schemas/config.js';
import { AkaraError } from '../errors.js';
import type { Instance, InvokeResponse } from './instance.js';
import type { RetryBudget } from './retry-budget.js';
import { given, leastBusy, roundRobin, type Order } from './strategies/order.js';
import type { Send } from './strategies/outcome.js';
import { prefer, type PreferRule } from './strategies/prefer.js';
import { race } from './strategies/race.js';
import { sequential, type Execute } from './strategies/sequential.js';
import type { StrategyState } from './strategies/state.js';
import { weighted } from './strategies/weighted.js';

export type { PreferRule } from './strategies/prefer.js';
export type { StrategyState } from './strategies/state.js';
export type { Send } from './strategies/outcome.js';

/**
 * The strategy names, for config validation: one list, kept with the config schema (schemas do not import
 * services); the `STRATEGIES` table below fails to compile if a name there has no implementation here.
 */
export { STRATEGY_NAMES };

export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** How many instances `race` sends to at once unless told otherwise. */
export const DEFAULT_RACE_WIDTH = 2;

export interface StrategyOptions {
  /** `race`: how many of the best candidates get the request at once (default `DEFAULT_RACE_WIDTH`). */
  k?: number;
  /** `prefer`: the scoring rules (none: the given order). */
  prefer?: readonly PreferRule[];
  /** `weighted`: numbers in [0, 1), like `Math.random` (the default). */
  random?: () => number;
  /** The class's retry budget: one request is recorded per call, each retry spends from it. */
  budget: RetryBudget;
  /** The client's signal: aborting it aborts every call in flight and rejects. */
  signal: AbortSignal;
  /** The class's state between calls (the round-robin position). */
  state: StrategyState;
  /** The service class asked for, named in the error when no instance is available. */
  serviceClass?: string;
}

interface Strategy {
  order(options: StrategyOptions): Order;
  execute: Execute;
}

const once = sequential({ retry: false });
const inOrder = sequential({ retry: true });

const STRATEGIES: Record<StrategyName, Strategy> = {
  first: { order: () => given, execute: once },
  fallback: { order: () => given, execute: inOrder },
  'round-robin': { order: ({ state }) => roundRobin(state), execute: inOrder },
  weighted: { order: ({ random }) => weighted(random ?? Math.random), execute: inOrder },
  'least-busy': { order: () => leastBusy, execute: inOrder },
  race: { order: () => leastBusy, execute: race },
  prefer: { order: (options) => prefer(options.prefer ?? []), execute: inOrder },
};

export function isStrategyName(value: unknown): value is StrategyName {
  return typeof value === 'string' && (STRATEGY_NAMES as readonly string[]).includes(value);
}

function raceWidth(k: number | undefined): number {
  if (k === undefined) return DEFAULT_RACE_WIDTH;
  if (!Number.isInteger(k) || k < 1) throw new TypeError(`options.k must be a positive integer, got ${k}`);
  return k;
}

function noProvider(instances: readonly Instance[], serviceClass: string | undefined): AkaraError {
  const named = serviceClass ?? ([...new Set(instances.map((instance) => instance.serviceId))].join(', ') || 'the service');
  return new AkaraError('AKR_ERR_NO_PROVIDER', { class: named, known: instances.length });
}

/**
 * Invokes one of `instances` by strategy `name`. Only `available()` instances are candidates (none: rejects
 * with `AKR_ERR_NO_PROVIDER`). The strategy orders them; the first gets the request. A failure is a
 * rejection or an answer with status >= 500; after one, the next candidate is tried if the budget grants a
 * retry (`first` never retries; `race` sends to the `k` least busy at once and aborts the losers with the
 * reason `'race-lost'`). A 4xx answer is the client's fault: returned, never retried. When all fail: the
 * last 5xx answer, else the last error. Aborting `options.signal` aborts every call in flight and rejects.
 *
 * Contract with the caller: no circuit breaker is applied here. `send` must consult the instance's breaker
 * (`allow()` first, rejecting if refused; then `success()` or `failure()`) and keep its figures, and
 * `available()` must be false while the breaker is open (use `breaker.wouldAllow()`).
 *
 * @example
 * const answer = await runStrategy('fallback', instances, (instance, signal) => instance.invoke(request, signal),
 *   { budget, signal: c.req.raw.signal, state });
 */
export async function runStrategy(name: StrategyName, instances: readonly Instance[], send: Send, options: StrategyOptions): Promise<InvokeResponse> {
  if (!isStrategyName(name)) throw new TypeError(`unknown strategy '${String(name)}' (known: ${STRATEGY_NAMES.join(', ')})`);
  const k = raceWidth(options.k);
  const strategy = STRATEGIES[name];
  const candidates = instances.filter((instance) => instance.available());
  if (candidates.length === 0) throw noProvider(instances, options.serviceClass);
  return strategy.execute(strategy.order(options)(candidates), send, { budget: options.budget, signal: options.signal, k });
}
