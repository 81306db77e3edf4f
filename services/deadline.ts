/**
 * A time limit for one call, cleared when the call ends (an `AbortSignal.timeout` stays armed for its
 * whole duration, one live timer per call under load).
 *
 * @example
 * const deadline = startDeadline(5_000, clientSignal)
 * try { await call(deadline.signal) } finally { deadline.clear() }
 */
export function startDeadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; expired: () => boolean; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out', 'TimeoutError')), ms);
  return {
    signal: outer === undefined ? controller.signal : AbortSignal.any([outer, controller.signal]),
    expired: () => controller.signal.aborted,
    clear: () => clearTimeout(timer),
  };
}
