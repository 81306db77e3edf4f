import type { Instance, InvokeResponse } from '../instance.js';

/** Sends the client's request to one instance; the signal aborts that one call. */
export type Send = (instance: Instance, signal: AbortSignal) => Promise<InvokeResponse>;

/** Answers from this status up are failures (the instance's fault, worth trying elsewhere); 4xx are the client's. */
export const FAILURE_STATUS = 500;

/** How one attempt ended: an answer worth returning, a 5xx answer, or no answer at all. */
export type Outcome =
  | { ok: true; answer: InvokeResponse }
  | { ok: false; answer: InvokeResponse }
  | { ok: false; error: unknown };

export type Failure = Exclude<Outcome, { ok: true }>;

/** Calls `send`, never rejecting: a throw (even a synchronous one) becomes a failed outcome. */
export async function attempt(send: Send, instance: Instance, signal: AbortSignal): Promise<Outcome> {
  try {
    const answer = await send(instance, signal);
    return answer.status < FAILURE_STATUS ? { ok: true, answer } : { ok: false, answer };
  } catch (error) {
    return { ok: false, error };
  }
}

/** When every attempt failed: the last 5xx answer if there was one, else the last error is thrown. */
export function settle(failures: readonly Failure[]): InvokeResponse {
  const answered = failures.findLast((failure) => 'answer' in failure);
  if (answered !== undefined && 'answer' in answered) return answered.answer;
  const last = failures.at(-1);
  throw last !== undefined && 'error' in last ? last.error : new Error('settle() needs at least one failure');
}
