import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryBudget } from '../../../services/manager/retry-budget.js';
import { runStrategy } from '../../../services/manager/strategies.js';
import { FakeInstance, send, strategyOptions } from './fakes.js';

describe('strategy race', () => {
  it('returns the fastest answer and aborts the others with the reason race-lost', async () => {
    const slow = new FakeInstance('slow', { behaviour: { kind: 'answer', afterMs: 200 } });
    const fast = new FakeInstance('fast', { behaviour: { kind: 'answer', afterMs: 5 } });
    const hung = new FakeInstance('hung', { behaviour: { kind: 'hang' } });
    const answer = await runStrategy('race', [slow, fast, hung], send, strategyOptions({ k: 3 }));
    assert.equal(answer.provider, 'fast');
    assert.equal(fast.signals[0]!.aborted, false);
    for (const loser of [slow, hung]) {
      assert.equal(loser.signals[0]!.aborted, true, `${loser.key} aborted`);
      assert.equal(loser.signals[0]!.reason, 'race-lost');
    }
  });

  it('sends to the k least busy (default 2) only', async () => {
    const busy = new FakeInstance('busy', { inFlight: 9 });
    const a = new FakeInstance('a', { inFlight: 1, behaviour: { kind: 'hang' } });
    const b = new FakeInstance('b', { inFlight: 0, behaviour: { kind: 'answer', afterMs: 1 } });
    const answer = await runStrategy('race', [busy, a, b], send, strategyOptions());
    assert.equal(answer.provider, 'b');
    assert.deepEqual([busy.calls, a.calls, b.calls], [0, 1, 1]);
    assert.equal(a.signals[0]!.reason, 'race-lost');
  });

  it('lets a 4xx answer win: it is an answer, not a failure', async () => {
    const notFound = new FakeInstance('a', { behaviour: { kind: 'answer', status: 404 } });
    const hung = new FakeInstance('b', { behaviour: { kind: 'hang' } });
    assert.equal((await runStrategy('race', [notFound, hung], send, strategyOptions())).status, 404);
    assert.equal(hung.signals[0]!.reason, 'race-lost');
  });

  it('waits past failures for a success', async () => {
    const failed = new FakeInstance('failed', { behaviour: { kind: 'answer', status: 502 } });
    const later = new FakeInstance('later', { behaviour: { kind: 'answer', afterMs: 10 } });
    assert.equal((await runStrategy('race', [failed, later], send, strategyOptions())).provider, 'later');
    assert.equal(failed.signals[0]!.aborted, false, 'a leg that already answered is not aborted');
  });

  it('when all fail, resolves with the last 5xx answer, else rejects with the last error', async () => {
    const bad = new FakeInstance('bad', { behaviour: { kind: 'answer', status: 503, afterMs: 1 } });
    const refusing = new FakeInstance('refusing', { behaviour: { kind: 'reject', afterMs: 10 } });
    assert.equal((await runStrategy('race', [bad, refusing], send, strategyOptions())).status, 503);
    const last = new Error('last');
    const first = new FakeInstance('first', { behaviour: { kind: 'reject', afterMs: 1 } });
    const second = new FakeInstance('second', { behaviour: { kind: 'reject', afterMs: 10, error: last } });
    await assert.rejects(runStrategy('race', [first, second], send, strategyOptions()), (err) => err === last);
  });

  it('counts one request and spends no retries', async () => {
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, windowMs: 60_000 });
    const instances = ['a', 'b', 'c'].map((key) => new FakeInstance(key));
    await runStrategy('race', instances, send, strategyOptions({ budget, k: 3 }));
    assert.equal(budget.remaining, 1);
  });

  it('refuses a race width that is not a positive integer', async () => {
    const instances = [new FakeInstance('a')];
    await assert.rejects(runStrategy('race', instances, send, strategyOptions({ k: 0 })), { name: 'TypeError', message: /options\.k must be a positive integer/ });
    assert.equal(instances[0]!.calls, 0);
  });
});
