import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetryBudget } from '../../../services/manager/retry-budget.js';
import { runStrategy } from '../../../services/manager/strategies.js';
import { FakeInstance, send, strategyOptions } from './fakes.js';

const failing502 = { kind: 'answer', status: 502 } as const;
const refusing = { kind: 'reject' } as const;

describe('strategy first', () => {
  it('sends to the first candidate only, returning its 5xx answer', async () => {
    const a = new FakeInstance('a', { behaviour: failing502 });
    const b = new FakeInstance('b');
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 10, windowMs: 1_000 });
    const answer = await runStrategy('first', [a, b], send, strategyOptions({ budget }));
    assert.equal(answer.status, 502);
    assert.equal(answer.provider, 'a');
    assert.equal(b.calls, 0);
    assert.equal(budget.remaining, 10, 'first spends no retries');
  });

  it('rejects with the first candidate’s error, never retrying', async () => {
    const error = new Error('a refused');
    const a = new FakeInstance('a', { behaviour: { kind: 'reject', error } });
    const b = new FakeInstance('b');
    await assert.rejects(runStrategy('first', [a, b], send, strategyOptions()), (err) => err === error);
    assert.equal(b.calls, 0);
  });
});

describe('strategy fallback', () => {
  it('goes to the next candidate when one rejects', async () => {
    const a = new FakeInstance('a', { behaviour: refusing });
    const b = new FakeInstance('b');
    const answer = await runStrategy('fallback', [a, b], send, strategyOptions());
    assert.equal(answer.provider, 'b');
    assert.equal(answer.status, 200);
    assert.deepEqual([a.calls, b.calls], [1, 1]);
  });

  it('goes to the next candidate on a 5xx answer', async () => {
    const a = new FakeInstance('a', { behaviour: { kind: 'answer', status: 503 } });
    const b = new FakeInstance('b', { behaviour: failing502 });
    const c = new FakeInstance('c');
    const answer = await runStrategy('fallback', [a, b, c], send, strategyOptions());
    assert.equal(answer.provider, 'c');
    assert.deepEqual([a.calls, b.calls, c.calls], [1, 1, 1]);
  });

  it('returns a 4xx answer as it is: the client’s fault is not retried', async () => {
    const a = new FakeInstance('a', { behaviour: { kind: 'answer', status: 404 } });
    const b = new FakeInstance('b');
    const answer = await runStrategy('fallback', [a, b], send, strategyOptions());
    assert.equal(answer.status, 404);
    assert.equal(answer.provider, 'a');
    assert.equal(b.calls, 0);
  });

  it('when all fail, resolves with the last 5xx answer, even if a later one rejected', async () => {
    const a = new FakeInstance('a', { behaviour: refusing });
    const b = new FakeInstance('b', { behaviour: { kind: 'answer', status: 503 } });
    const c = new FakeInstance('c', { behaviour: refusing });
    const answer = await runStrategy('fallback', [a, b, c], send, strategyOptions());
    assert.equal(answer.status, 503);
    assert.equal(answer.provider, 'b');
  });

  it('when all reject, rejects with the last error', async () => {
    const last = new Error('b refused');
    const a = new FakeInstance('a', { behaviour: refusing });
    const b = new FakeInstance('b', { behaviour: { kind: 'reject', error: last } });
    await assert.rejects(runStrategy('fallback', [a, b], send, strategyOptions()), (err) => err === last);
  });

  it('stops retrying once the budget is spent', async () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, windowMs: 1_000 });
    const all = ['a', 'b', 'c'].map((key) => new FakeInstance(key, { behaviour: failing502 }));
    const first = await runStrategy('fallback', all, send, strategyOptions({ budget }));
    assert.equal(first.provider, 'b', 'one retry granted: a, then b');
    assert.deepEqual(all.map((i) => i.calls), [1, 1, 0]);
    const second = await runStrategy('fallback', all, send, strategyOptions({ budget }));
    assert.equal(second.provider, 'a', 'budget spent: no retry');
    assert.deepEqual(all.map((i) => i.calls), [2, 1, 0]);
  });

  it('records one request per client call, not per attempt', async () => {
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, windowMs: 60_000 });
    const a = new FakeInstance('a', { behaviour: refusing });
    const b = new FakeInstance('b');
    assert.equal((await runStrategy('fallback', [a, b], send, strategyOptions({ budget }))).provider, 'b');
    assert.equal(budget.remaining, 0, 'one request recorded, one retry spent');
    assert.equal((await runStrategy('fallback', [a, b], send, strategyOptions({ budget }))).provider, 'b');
    assert.equal(budget.remaining, 0);
  });

  it('turns a send that throws synchronously into a failure and moves on', async () => {
    const a = new FakeInstance('a');
    const b = new FakeInstance('b');
    const throwing: typeof send = (instance, signal) => {
      if (instance === a) throw new Error('sync');
      return send(instance, signal);
    };
    assert.equal((await runStrategy('fallback', [a, b], throwing, strategyOptions())).provider, 'b');
  });
});
