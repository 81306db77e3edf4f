import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStrategy } from '../../../services/manager/strategies.js';
import { FakeInstance, seededRandom, send, strategyOptions, tally } from './fakes.js';

const CALLS = 4_000;

describe('strategy weighted', () => {
  it('with weights 1:3 over 4,000 calls, lands within 5% of 25/75', async () => {
    const instances = [new FakeInstance('light', { weight: 1 }), new FakeInstance('heavy', { weight: 3 })];
    const options = strategyOptions({ random: seededRandom(42) });
    const providers: string[] = [];
    for (let i = 0; i < CALLS; i += 1) providers.push((await runStrategy('weighted', instances, send, options)).provider);
    const counts = tally(providers);
    assert.ok(Math.abs(counts.light! - CALLS * 0.25) <= CALLS * 0.25 * 0.05, `light: ${counts.light}`);
    assert.ok(Math.abs(counts.heavy! - CALLS * 0.75) <= CALLS * 0.75 * 0.05, `heavy: ${counts.heavy}`);
  });

  it('draws by weight: the random point picks the instance whose share it falls in', async () => {
    const instances = [new FakeInstance('a', { weight: 1 }), new FakeInstance('b', { weight: 3 })];
    const at = (point: number) => strategyOptions({ random: () => point });
    assert.equal((await runStrategy('weighted', instances, send, at(0.24))).provider, 'a');
    assert.equal((await runStrategy('weighted', instances, send, at(0.25))).provider, 'b');
    assert.equal((await runStrategy('weighted', instances, send, at(0.999))).provider, 'b');
  });

  it('falls back in weighted order too, zero weights last', async () => {
    const zero = new FakeInstance('zero', { weight: 0 });
    const a = new FakeInstance('a', { weight: 1, behaviour: { kind: 'reject' } });
    const b = new FakeInstance('b', { weight: 1, behaviour: { kind: 'reject' } });
    const points = [0.1, 0.9];
    const options = strategyOptions({ random: () => points.shift() ?? 0 });
    const tried: string[] = [];
    const logging: typeof send = (instance, signal) => {
      tried.push(instance.key);
      return send(instance, signal);
    };
    const answer = await runStrategy('weighted', [zero, a, b], logging, options);
    assert.deepEqual(tried, ['a', 'b', 'zero']);
    assert.equal(answer.provider, 'zero');
  });

  it('never picks a zero weight first while another weighs more', async () => {
    const instances = [new FakeInstance('zero', { weight: 0 }), new FakeInstance('one', { weight: 1 })];
    const options = strategyOptions({ random: seededRandom(7) });
    for (let i = 0; i < 100; i += 1) assert.equal((await runStrategy('weighted', instances, send, options)).provider, 'one');
  });
});
