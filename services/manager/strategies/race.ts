import { abortedError, linkedController, RACE_LOST, type LinkedController } from './abort.js';
import { attempt, settle, type Failure } from './outcome.js';
import type { Execute } from './sequential.js';

interface Leg {
  readonly link: LinkedController;
  done: boolean;
}

/**
 * Sends to the first `k` candidates at once, each with its own signal linked to the client's. The first
 * success wins and the others are aborted with the reason `RACE_LOST`; if all fail, the call settles like
 * a sequential one (last 5xx answer, else last error). The legs are one client call for the budget and
 * spend no retries: the race's width is the configured extra load, not a reaction to failures.
 */
export const race: Execute = function race(candidates, send, { budget, signal, k }) {
  if (signal.aborted) return Promise.reject(abortedError(signal));
  budget.recordRequest();
  const chosen = candidates.slice(0, k);
  return new Promise((resolve, reject) => {
    const legs: Leg[] = chosen.map(() => ({ link: linkedController(signal), done: false }));
    const failures: Failure[] = [];
    let settled = false;
    const finish = (): void => {
      settled = true;
      signal.removeEventListener('abort', onClientAbort);
      for (const leg of legs) {
        if (!leg.done) leg.link.abort(RACE_LOST);
        leg.link.dispose();
      }
    };
    // Added after the links' own listeners, so every leg is aborted with the client's reason by now.
    const onClientAbort = (): void => {
      if (settled) return;
      finish();
      reject(abortedError(signal));
    };
    signal.addEventListener('abort', onClientAbort, { once: true });
    chosen.forEach((instance, index) => {
      const leg = legs[index]!;
      void attempt(send, instance, leg.link.signal).then((outcome) => {
        leg.done = true;
        if (settled) return;
        if (outcome.ok) {
          finish();
          resolve(outcome.answer);
          return;
        }
        failures.push(outcome);
        if (failures.length < legs.length) return;
        finish();
        try {
          resolve(settle(failures));
        } catch (err) {
          reject(err);
        }
      });
    });
  });
};
