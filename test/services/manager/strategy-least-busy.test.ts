import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStrategy } from '../../../services/manager/strategies.js';
import { FakeInstance, send, strategyOptions } from './fakes.js';

function order(instances: readonly FakeInstance[]): Promise<string[]> {
  const tried: string[] = [];
  const failing: typeof send = async (instance) => {
    tried.push(instance.key);
    throw new Error('fail');
  };
  return runStrategy('least-busy', instances, failing, strategyOptions()).then(
    () => assert.fail('every send fails'),
    () => tried,
  );
}

describe('strategy least-busy', () => {
  it('picks the instance with the fewest requests in flight', async () => {
    const instances = [
      new FakeInstance('a', { inFlight: 3, latencyMs: 1 }),
      new FakeInstance('b', { inFlight: 1, latencyMs: 90 }),
      new FakeInstance('c', { inFlight: 2, latencyMs: 1 }),
    ];
    assert.equal((await runStrategy('least-busy', instances, send, strategyOptions())).provider, 'b');
  });

  it('among equally busy ones, picks the lowest recent latency', async () => {
    const instances = [
      new FakeInstance('slow', { inFlight: 1, latencyMs: 80 }),
      new FakeInstance('fast', { inFlight: 1, latencyMs: 20 }),
      new FakeInstance('busy', { inFlight: 4, latencyMs: 5 }),
    ];
    assert.deepEqual(await order(instances), ['fast', 'slow', 'busy']);
  });

  it('counts unknown latency as 0 (a new instance gets measured) and keeps the given order on ties', async () => {
    const instances = [
      new FakeInstance('a', { latencyMs: 10 }),
      new FakeInstance('b', { latencyMs: 10 }),
      new FakeInstance('new'),
    ];
    assert.deepEqual(await order(instances), ['new', 'a', 'b']);
  });
});
