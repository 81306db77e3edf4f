import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AkaraError } from '../../../services/errors.js';
import { STRATEGY_NAMES, isStrategyName, runStrategy, type StrategyName } from '../../../services/manager/strategies.js';
import { FakeInstance, send, strategyOptions } from './fakes.js';

describe('candidates', () => {
  for (const name of STRATEGY_NAMES) {
    it(`${name}: skips unavailable instances`, async () => {
      const down = new FakeInstance('down', { up: false, local: true, weight: 100 });
      const up = new FakeInstance('up');
      assert.equal((await runStrategy(name, [down, up], send, strategyOptions({ prefer: [{ local: 10 }] }))).provider, 'up');
      assert.equal(down.calls, 0);
    });
  }

  it('rejects with AKR_ERR_NO_PROVIDER (503) when none is available, naming the class', async () => {
    const down = [new FakeInstance('a', { up: false }), new FakeInstance('b', { up: false })];
    const err = await runStrategy('fallback', down, send, strategyOptions({ serviceClass: 'http://example.org/class' })).catch((e: unknown) => e);
    assert.ok(err instanceof AkaraError);
    assert.equal(err.code, 'AKR_ERR_NO_PROVIDER');
    assert.equal(err.status, 503);
    assert.equal(err.message, 'No available instance provides http://example.org/class');
    assert.deepEqual(err.detail, { class: 'http://example.org/class', known: 2 });
  });

  it('with no class given, names the service ids, and handles an empty list', async () => {
    await assert.rejects(runStrategy('first', [new FakeInstance('a', { up: false })], send, strategyOptions()), {
      code: 'AKR_ERR_NO_PROVIDER',
      message: 'No available instance provides http://example.org/s',
    });
    await assert.rejects(runStrategy('race', [], send, strategyOptions()), { code: 'AKR_ERR_NO_PROVIDER' });
  });

  it('lists the strategy names for config validation, and refuses an unknown one', async () => {
    assert.deepEqual(STRATEGY_NAMES, ['first', 'fallback', 'round-robin', 'weighted', 'least-busy', 'race', 'prefer']);
    assert.equal(isStrategyName('race'), true);
    assert.equal(isStrategyName('random'), false);
    await assert.rejects(runStrategy('random' as StrategyName, [new FakeInstance('a')], send, strategyOptions()), {
      name: 'TypeError',
      message: /unknown strategy 'random'/,
    });
  });
});
