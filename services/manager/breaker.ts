export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** K: consecutive failures that open the breaker. */
  failures: number;
  /** T: how long the breaker stays open before it lets one trial call through, in ms. */
  resetMs: number;
  /** The clock, in ms (tests inject a fake one). */
  now?: () => number;
}

/** What lookups report about a breaker. */
export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** When it last opened (absent while closed). */
  openedAt?: number;
}

function checkOptions(options: BreakerOptions): void {
  if (!Number.isInteger(options.failures) || options.failures < 1) {
    throw new TypeError(`options.failures must be a positive integer, got ${options.failures}`);
  }
  if (!Number.isFinite(options.resetMs) || options.resetMs < 0) {
    throw new TypeError(`options.resetMs must be a non-negative number of ms, got ${options.resetMs}`);
  }
}

/**
 * A circuit breaker for one instance. Closed, it lets every call through and counts consecutive failures;
 * at K it opens and refuses calls for T ms; then it is half-open and lets exactly one trial call through
 * at a time: a success closes it, a failure opens it for another T.
 *
 * A trial that never reports (its caller went away without calling `success` or `failure`) holds the
 * trial slot for at most T ms, so the breaker cannot stick half-open.
 *
 * @example
 * const breaker = new CircuitBreaker({ failures: 5, resetMs: 30_000 });
 * if (!breaker.allow()) throw refused();
 * try { const answer = await call(); answer.status >= 500 ? breaker.failure() : breaker.success(); }
 * catch (err) { breaker.failure(); throw err; }
 */
export class CircuitBreaker {
  readonly #limit: number;
  readonly #resetMs: number;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #consecutiveFailures = 0;
  #openedAt: number | undefined;
  /** When the half-open trial in flight started. */
  #trialStartedAt: number | undefined;

  constructor(options: BreakerOptions) {
    checkOptions(options);
    this.#limit = options.failures;
    this.#resetMs = options.resetMs;
    this.#now = options.now ?? Date.now;
  }

  /** The state now: an open breaker whose T has passed reads as half-open. */
  get state(): BreakerState {
    this.#tick();
    return this.#state;
  }

  /** Whether `allow()` would let a call through now, without taking the trial slot (for `available()`). */
  wouldAllow(): boolean {
    this.#tick();
    if (this.#state === 'closed') return true;
    return this.#state === 'half-open' && !this.#trialHeld();
  }

  /** Asks to make a call; in half-open state, a `true` takes the one trial slot until the call reports. */
  allow(): boolean {
    if (!this.wouldAllow()) return false;
    if (this.#state === 'half-open') this.#trialStartedAt = this.#now();
    return true;
  }

  /** A call succeeded: the breaker closes and the failure count starts again. */
  success(): void {
    this.#state = 'closed';
    this.#consecutiveFailures = 0;
    this.#openedAt = undefined;
    this.#trialStartedAt = undefined;
  }

  /** A call failed: counted while closed (opening at K); a failure while half-open reopens for another T. */
  failure(): void {
    this.#tick();
    this.#consecutiveFailures += 1;
    if (this.#state === 'half-open' || (this.#state === 'closed' && this.#consecutiveFailures >= this.#limit)) {
      this.#open();
    }
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    const snapshot: BreakerSnapshot = { state, consecutiveFailures: this.#consecutiveFailures };
    if (this.#openedAt !== undefined) snapshot.openedAt = this.#openedAt;
    return snapshot;
  }

  #open(): void {
    this.#state = 'open';
    this.#openedAt = this.#now();
    this.#trialStartedAt = undefined;
  }

  #tick(): void {
    if (this.#state === 'open' && this.#now() - this.#openedAt! >= this.#resetMs) this.#state = 'half-open';
  }

  #trialHeld(): boolean {
    return this.#trialStartedAt !== undefined && this.#now() - this.#trialStartedAt < this.#resetMs;
  }
}
