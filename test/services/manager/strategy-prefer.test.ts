import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runStrategy, type PreferRule } from '../../../services/manager/strategies.js';
import { preferScore } from '../../../services/manager/strategies/prefer.js';
import { FakeInstance, send, strategyOptions } from './fakes.js';

function order(instances: readonly FakeInstance[], prefer: PreferRule[] | undefined): Promise<string[]> {
  const tried: string[] = [];
  const failing: typeof send = async (instance) => {
    tried.push(instance.key);
    return { status: 500, headers: [], body: new Uint8Array(), provider: instance.key };
  };
  return runStrategy('prefer', instances, failing, strategyOptions({ prefer })).then(() => tried);
}

describe('strategy prefer', () => {
  it('puts the local instance first', async () => {
    const instances = [new FakeInstance('peer1'), new FakeInstance('local', { local: true }), new FakeInstance('peer2')];
    assert.deepEqual(await order(instances, [{ local: 100 }]), ['local', 'peer1', 'peer2']);
  });

  it('scores tags', async () => {
    const instances = [new FakeInstance('plain'), new FakeInstance('eu', { tags: ['eu'] }), new FakeInstance('gpu-eu', { tags: ['gpu', 'eu'] })];
    assert.deepEqual(await order(instances, [{ tag: 'gpu', score: 5 }, { tag: 'eu', score: 1 }]), ['gpu-eu', 'eu', 'plain']);
  });

  it('scores measured latency (unknown counts as 0) and weight', async () => {
    const instances = [
      new FakeInstance('slow', { latencyMs: 300 }),
      new FakeInstance('fast', { latencyMs: 20 }),
      new FakeInstance('unmeasured'),
    ];
    assert.deepEqual(await order(instances, [{ latency: -1 }]), ['unmeasured', 'fast', 'slow']);
    const weighted = [new FakeInstance('w1', { weight: 1 }), new FakeInstance('w5', { weight: 5 })];
    assert.deepEqual(await order(weighted, [{ weight: 1 }]), ['w5', 'w1']);
  });

  it('sums the rules: local first unless a remote one is much faster', async () => {
    const rules: PreferRule[] = [{ local: 50 }, { latency: -1 }];
    const local = new FakeInstance('local', { local: true, latencyMs: 100 });
    const near = new FakeInstance('near', { latencyMs: 60 });
    const far = new FakeInstance('far', { latencyMs: 20 });
    assert.equal(preferScore(local, rules), -50);
    assert.deepEqual(await order([near, local, far], rules), ['far', 'local', 'near']);
  });

  it('keeps the given order on ties and without rules', async () => {
    const instances = [new FakeInstance('a'), new FakeInstance('b'), new FakeInstance('c')];
    assert.deepEqual(await order(instances, undefined), ['a', 'b', 'c']);
    assert.deepEqual(await order(instances, [{ tag: 'none', score: 9 }]), ['a', 'b', 'c']);
  });
});
