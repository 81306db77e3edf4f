export interface RetryBudgetOptions {
  /** Retries allowed per request made, over the window: 0.2 lets retries add at most 20% to the load. */
  ratio?: number;
  /** Retries always allowed per second, whatever the traffic, so a quiet service can still retry. */
  minPerSecond?: number;
  /** How far back requests and retries count, in ms. */
  windowMs?: number;
  /** The clock, in ms (tests inject a fake one). */
  now?: () => number;
}

export const RETRY_BUDGET_DEFAULTS = { ratio: 0.2, minPerSecond: 5, windowMs: 10_000 } as const;

/** The window is kept as this many slices; a slice leaves the window whole, never request by request. */
export const RETRY_BUDGET_SLICES = 10;

/** Absorbs rounding in `ratio × requests` (0.57 × 100 is 56.99999999999999 in floating point). */
const ROUNDING_SLACK = 1e-9;

function checkOptions(ratio: number, minPerSecond: number, windowMs: number): void {
  if (!Number.isFinite(ratio) || ratio < 0) throw new TypeError(`options.ratio must be a non-negative number, got ${ratio}`);
  if (!Number.isFinite(minPerSecond) || minPerSecond < 0) {
    throw new TypeError(`options.minPerSecond must be a non-negative number, got ${minPerSecond}`);
  }
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new TypeError(`options.windowMs must be a positive number of ms, got ${windowMs}`);
}

/**
 * A retry budget, after Finagle's `RetryBudget` (and Envoy's retry budgets): retries may add at most
 * `ratio` of the requests made in the last `windowMs`, plus a floor of `minPerSecond` retries per second
 * (`minPerSecond × windowMs / 1000` per window), so failing instances never multiply the load.
 *
 * Count each client call once with `recordRequest()` (not each attempt), and ask `tryRetry()` before every
 * attempt after the first: `true` spends one retry from the budget.
 *
 * The window is sliced in `RETRY_BUDGET_SLICES`; memory stays fixed however many calls are made.
 * See https://twitter.github.io/finagle/guide/Clients.html#retries
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5, windowMs: 10_000 });
 * budget.recordRequest();
 * if (failed && budget.tryRetry()) retryElsewhere();
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  readonly #sliceMs: number;
  readonly #now: () => number;
  /** Per slot: which slice it holds (its start / sliceMs), and the requests and retries in it. */
  readonly #slice = new Array<number>(RETRY_BUDGET_SLICES).fill(-Infinity);
  readonly #requests = new Array<number>(RETRY_BUDGET_SLICES).fill(0);
  readonly #retries = new Array<number>(RETRY_BUDGET_SLICES).fill(0);

  constructor(options: RetryBudgetOptions = {}) {
    const { ratio, minPerSecond, windowMs } = { ...RETRY_BUDGET_DEFAULTS, ...withoutUndefined(options) };
    checkOptions(ratio, minPerSecond, windowMs);
    this.#ratio = ratio;
    this.#floor = (minPerSecond * windowMs) / 1000;
    this.#sliceMs = windowMs / RETRY_BUDGET_SLICES;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one client call (once per call, however many attempts it takes). */
  recordRequest(): void {
    this.#requests[this.#current()]! += 1;
  }

  /** Spends one retry if the budget allows it; `false` means: do not retry. */
  tryRetry(): boolean {
    const slot = this.#current();
    if (this.remaining < 1) return false;
    this.#retries[slot]! += 1;
    return true;
  }

  /** Whole retries the budget allows now. */
  get remaining(): number {
    this.#current();
    const requests = this.#requests.reduce((sum, n) => sum + n, 0);
    const retries = this.#retries.reduce((sum, n) => sum + n, 0);
    return Math.max(0, Math.floor(this.#floor + this.#ratio * requests - retries + ROUNDING_SLACK));
  }

  /** The slot of the current slice, cleared of slices that left the window. */
  #current(): number {
    const slice = Math.floor(this.#now() / this.#sliceMs);
    for (let slot = 0; slot < RETRY_BUDGET_SLICES; slot += 1) {
      if (this.#slice[slot]! <= slice - RETRY_BUDGET_SLICES) this.#clear(slot, -Infinity);
    }
    const slot = ((slice % RETRY_BUDGET_SLICES) + RETRY_BUDGET_SLICES) % RETRY_BUDGET_SLICES;
    if (this.#slice[slot] !== slice) this.#clear(slot, slice);
    return slot;
  }

  #clear(slot: number, slice: number): void {
    this.#slice[slot] = slice;
    this.#requests[slot] = 0;
    this.#retries[slot] = 0;
  }
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
