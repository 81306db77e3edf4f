import type { Instance } from '../instance.js';
import type { StrategyState } from './state.js';

/** Puts the candidates in the order they will be tried; never changes the input. */
export type Order = (candidates: readonly Instance[]) => Instance[];

/** `first` and `fallback`: as given (the config's order). */
export const given: Order = (candidates) => [...candidates];

/** Rotated one more place on every call through the same state, so each candidate leads in turn. */
export function roundRobin(state: StrategyState): Order {
  return function rotated(candidates) {
    const start = state.rotation % candidates.length;
    state.rotation = (state.rotation + 1) % Number.MAX_SAFE_INTEGER;
    return [...candidates.slice(start), ...candidates.slice(0, start)];
  };
}

/** Unknown latency (no answer yet) counts as 0, so a new instance gets measured. */
export function latencyOf(instance: Instance): number {
  return instance.figures.latencyMs ?? 0;
}

/** Fewest requests in flight first, then lowest recent latency; ties keep the given order. */
export const leastBusy: Order = (candidates) =>
  [...candidates].sort((a, b) => a.figures.inFlight - b.figures.inFlight || latencyOf(a) - latencyOf(b));
