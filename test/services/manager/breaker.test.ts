import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../../services/manager/breaker.js';
import { fakeClock } from './fakes.js';

const K = 3;
const T = 5_000;

function setup(): { breaker: CircuitBreaker; clock: ReturnType<typeof fakeClock> } {
  const clock = fakeClock();
  return { breaker: new CircuitBreaker({ failures: K, resetMs: T, now: clock.now }), clock };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i += 1) breaker.failure();
}

describe('CircuitBreaker', () => {
  it('starts closed and lets every call through', () => {
    const { breaker } = setup();
    assert.equal(breaker.state, 'closed');
    for (let i = 0; i < 10; i += 1) assert.equal(breaker.allow(), true);
    assert.deepEqual(breaker.snapshot(), { state: 'closed', consecutiveFailures: 0 });
  });

  it('opens after K consecutive failures, not before', () => {
    const { breaker, clock } = setup();
    fail(breaker, K - 1);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.allow(), true);
    breaker.failure();
    assert.equal(breaker.state, 'open');
    assert.deepEqual(breaker.snapshot(), { state: 'open', consecutiveFailures: K, openedAt: clock.now() });
  });

  it('counts only consecutive failures: a success starts the count again', () => {
    const { breaker } = setup();
    fail(breaker, K - 1);
    breaker.success();
    fail(breaker, K - 1);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().consecutiveFailures, K - 1);
  });

  it('refuses every call while open, until T has passed', () => {
    const { breaker, clock } = setup();
    fail(breaker, K);
    assert.equal(breaker.allow(), false);
    clock.advance(T - 1);
    assert.equal(breaker.allow(), false);
    assert.equal(breaker.wouldAllow(), false);
    assert.equal(breaker.state, 'open');
    clock.advance(1);
    assert.equal(breaker.state, 'half-open');
  });

  it('half-open, lets exactly one trial call through at a time', () => {
    const { breaker, clock } = setup();
    fail(breaker, K);
    clock.advance(T);
    assert.equal(breaker.wouldAllow(), true);
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.allow(), false);
    assert.equal(breaker.allow(), false);
    assert.equal(breaker.wouldAllow(), false);
    assert.equal(breaker.state, 'half-open');
  });

  it('closes when the trial succeeds', () => {
    const { breaker, clock } = setup();
    fail(breaker, K);
    clock.advance(T);
    assert.equal(breaker.allow(), true);
    breaker.success();
    assert.deepEqual(breaker.snapshot(), { state: 'closed', consecutiveFailures: 0 });
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.allow(), true);
  });

  it('reopens for another T when the trial fails', () => {
    const { breaker, clock } = setup();
    fail(breaker, K);
    clock.advance(T + 123);
    assert.equal(breaker.allow(), true);
    breaker.failure();
    assert.deepEqual(breaker.snapshot(), { state: 'open', consecutiveFailures: K + 1, openedAt: clock.now() });
    clock.advance(T - 1);
    assert.equal(breaker.allow(), false);
    clock.advance(1);
    assert.equal(breaker.allow(), true);
  });

  it('frees the trial slot after T when the trial never reports', () => {
    const { breaker, clock } = setup();
    fail(breaker, K);
    clock.advance(T);
    assert.equal(breaker.allow(), true);
    clock.advance(T - 1);
    assert.equal(breaker.allow(), false);
    clock.advance(1);
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.allow(), false);
  });

  it('refuses bad options, naming them', () => {
    assert.throws(() => new CircuitBreaker({ failures: 0, resetMs: T }), { name: 'TypeError', message: /options\.failures must be a positive integer/ });
    assert.throws(() => new CircuitBreaker({ failures: 1.5, resetMs: T }), /options\.failures/);
    assert.throws(() => new CircuitBreaker({ failures: K, resetMs: -1 }), /options\.resetMs/);
    assert.throws(() => new CircuitBreaker({ failures: K, resetMs: Number.NaN }), /options\.resetMs/);
  });
});
