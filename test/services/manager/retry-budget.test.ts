import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RETRY_BUDGET_DEFAULTS, RetryBudget } from '../../../services/manager/retry-budget.js';
import { fakeClock } from './fakes.js';

function retries(budget: RetryBudget, atMost: number): number {
  let granted = 0;
  while (granted < atMost && budget.tryRetry()) granted += 1;
  return granted;
}

function requests(budget: RetryBudget, count: number): void {
  for (let i = 0; i < count; i += 1) budget.recordRequest();
}

describe('RetryBudget', () => {
  it('always allows minPerSecond retries per second of the window, even with no traffic', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5, windowMs: 1_000, now: clock.now });
    assert.equal(budget.remaining, 5);
    assert.equal(retries(budget, 100), 5);
    assert.equal(budget.tryRetry(), false);
  });

  it('then allows ratio × the requests of the window', () => {
    const clock = fakeClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5, windowMs: 1_000, now: clock.now });
    assert.equal(retries(budget, 100), 5);
    requests(budget, 50);
    assert.equal(retries(budget, 100), 10);
    requests(budget, 4);
    assert.equal(budget.tryRetry(), false, '4 requests earn 0.8 of a retry, not a whole one');
    budget.recordRequest();
    assert.equal(budget.tryRetry(), true);
  });

  it('with no floor, grants nothing before any request', () => {
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, windowMs: 1_000, now: fakeClock().now });
    assert.equal(budget.tryRetry(), false);
    requests(budget, 10);
    assert.equal(retries(budget, 100), 5);
  });

  it('forgets requests and retries that left the window', () => {
    const clock = fakeClock(0);
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 1, windowMs: 10_000, now: clock.now });
    requests(budget, 10);
    assert.equal(retries(budget, 100), 15);
    clock.advance(5_000);
    requests(budget, 4);
    assert.equal(budget.remaining, 2);
    clock.advance(5_000);
    assert.equal(budget.remaining, 12, 'the first 10 requests and 15 retries left; 4 requests remain');
    clock.advance(5_000);
    assert.equal(budget.remaining, 10, 'only the floor remains');
  });

  it('keeps its memory fixed: a long quiet gap clears everything', () => {
    const clock = fakeClock(0);
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, windowMs: 1_000, now: clock.now });
    requests(budget, 1_000);
    clock.advance(1_000_000);
    assert.equal(budget.remaining, 0);
  });

  it('has defaults of 20%, 5 per second, over 10 s', () => {
    assert.deepEqual(RETRY_BUDGET_DEFAULTS, { ratio: 0.2, minPerSecond: 5, windowMs: 10_000 });
    const budget = new RetryBudget({ now: fakeClock().now });
    assert.equal(budget.remaining, 50);
  });

  it('counts ratio × requests without losing a retry to rounding', () => {
    const budget = new RetryBudget({ ratio: 0.57, minPerSecond: 0, windowMs: 1_000, now: fakeClock().now });
    requests(budget, 100);
    assert.equal(budget.remaining, 57);
  });

  it('refuses bad options, naming them', () => {
    assert.throws(() => new RetryBudget({ ratio: -0.1 }), { name: 'TypeError', message: /options\.ratio/ });
    assert.throws(() => new RetryBudget({ minPerSecond: Number.POSITIVE_INFINITY }), /options\.minPerSecond/);
    assert.throws(() => new RetryBudget({ windowMs: 0 }), /options\.windowMs/);
  });
});
