import { AkaraError } from '../../errors.js';

/** The reason a race's losers are aborted with. */
export const RACE_LOST = 'race-lost';

/** The error a call rejects with once its client aborted: the reason itself when it is an AkaraError. */
export function abortedError(signal: AbortSignal): AkaraError {
  const reason: unknown = signal.reason;
  if (reason instanceof AkaraError) return reason;
  return new AkaraError('AKR_ERR_TASK_ABORTED', {}, { cause: reason });
}

/** A controller of its own that also aborts, with the parent's reason, when the parent does. */
export interface LinkedController {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  /** Unlinks it from the parent (call it once the call settled, so parents do not collect listeners). */
  dispose(): void;
}

export function linkedController(parent: AbortSignal): LinkedController {
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent.reason);
  if (parent.aborted) follow();
  else parent.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => parent.removeEventListener('abort', follow),
  };
}

/**
 * Settles like `promise`, or rejects with `abortedError(signal)` as soon as the signal aborts, even if the
 * promise never settles (a `send` that ignores its signal cannot hold the client).
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortedError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
