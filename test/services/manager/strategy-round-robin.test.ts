import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStrategy } from '../../../services/manager/strategies.js';
import { createStrategyState } from '../../../services/manager/strategies/state.js';
import { FakeInstance, send, strategyOptions, tally } from './fakes.js';

const CALLS = 1_000;

describe('strategy round-robin', () => {
  it('spreads 1,000 calls over 3 instances evenly (no two counts differ by more than one)', async () => {
    const instances = ['a', 'b', 'c'].map((key) => new FakeInstance(key));
    const options = strategyOptions({ state: createStrategyState() });
    const providers: string[] = [];
    for (let i = 0; i < CALLS; i += 1) providers.push((await runStrategy('round-robin', instances, send, options)).provider);
    const counts = tally(providers);
    assert.deepEqual(counts, { a: 334, b: 333, c: 333 });
    for (const count of Object.values(counts)) assert.ok(Math.abs(count - CALLS / 3) <= 0.05 * (CALLS / 3));
    assert.deepEqual(providers.slice(0, 6), ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('keeps its position in the class state, shared between calls', async () => {
    const instances = ['a', 'b'].map((key) => new FakeInstance(key));
    const state = createStrategyState();
    assert.equal((await runStrategy('round-robin', instances, send, strategyOptions({ state }))).provider, 'a');
    assert.equal((await runStrategy('round-robin', instances, send, strategyOptions({ state }))).provider, 'b');
    assert.equal((await runStrategy('round-robin', instances, send, strategyOptions())).provider, 'a', 'a new state starts over');
  });

  it('falls over to the next in the rotation', async () => {
    const a = new FakeInstance('a');
    const b = new FakeInstance('b', { behaviour: { kind: 'reject' } });
    const c = new FakeInstance('c');
    const state = createStrategyState();
    state.rotation = 1;
    assert.equal((await runStrategy('round-robin', [a, b, c], send, strategyOptions({ state }))).provider, 'c');
  });

  it('rotates among the available instances only', async () => {
    const instances = [new FakeInstance('a'), new FakeInstance('b', { up: false }), new FakeInstance('c')];
    const options = strategyOptions();
    const providers: string[] = [];
    for (let i = 0; i < 4; i += 1) providers.push((await runStrategy('round-robin', instances, send, options)).provider);
    assert.deepEqual(providers, ['a', 'c', 'a', 'c']);
  });
});
