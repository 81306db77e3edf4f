import type { Instance, InvokeResponse } from '../instance.js';
import type { RetryBudget } from '../retry-budget.js';
import { abortedError, unlessAborted } from './abort.js';
import { attempt, settle, type Failure, type Send } from './outcome.js';

export interface ExecuteOptions {
  budget: RetryBudget;
  signal: AbortSignal;
  /** How many candidates a race sends to at once. */
  k: number;
}

/** Sends to ordered candidates and settles the client's call. */
export type Execute = (candidates: readonly Instance[], send: Send, options: ExecuteOptions) => Promise<InvokeResponse>;

/**
 * One candidate at a time, in order: the first success (any answer under 500) wins. After a failure the
 * next candidate is tried only when `retry` is on and the budget grants a retry.
 */
export function sequential({ retry }: { retry: boolean }): Execute {
  return async function inOrder(candidates, send, { budget, signal }) {
    if (signal.aborted) throw abortedError(signal);
    budget.recordRequest();
    const failures: Failure[] = [];
    for (const instance of candidates) {
      if (signal.aborted) throw abortedError(signal);
      if (failures.length > 0 && !(retry && budget.tryRetry())) break;
      const outcome = await unlessAborted(attempt(send, instance, signal), signal);
      if (outcome.ok) return outcome.answer;
      failures.push(outcome);
    }
    return settle(failures);
  };
}
