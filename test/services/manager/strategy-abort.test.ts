import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AkaraError } from '../../../services/errors.js';
import { STRATEGY_NAMES, runStrategy } from '../../../services/manager/strategies.js';
import { FakeInstance, send, strategyOptions } from './fakes.js';

const hang = { kind: 'hang' } as const;

describe('client abort', () => {
  for (const name of STRATEGY_NAMES) {
    it(`${name}: aborts the calls in flight and rejects with AKR_ERR_TASK_ABORTED`, async () => {
      const instances = [new FakeInstance('a', { behaviour: hang }), new FakeInstance('b', { behaviour: hang })];
      const client = new AbortController();
      const call = runStrategy(name, instances, send, strategyOptions({ signal: client.signal }));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const reason = new Error('client went away');
      client.abort(reason);
      await assert.rejects(call, (err) => err instanceof AkaraError && err.code === 'AKR_ERR_TASK_ABORTED' && err.cause === reason);
      const signals = instances.flatMap((instance) => instance.signals);
      assert.ok(signals.length >= 1);
      for (const signal of signals) {
        assert.equal(signal.aborted, true);
        assert.equal(signal.reason, reason, 'aborted with the client’s reason, not race-lost');
      }
    });
  }

  it('rejects with the abort reason itself when it is an AkaraError', async () => {
    const client = new AbortController();
    const call = runStrategy('fallback', [new FakeInstance('a', { behaviour: hang })], send, strategyOptions({ signal: client.signal }));
    const timeout = new AkaraError('AKR_ERR_TASK_TIMEOUT', { limitMs: 10 });
    client.abort(timeout);
    await assert.rejects(call, (err) => err === timeout);
  });

  it('rejects at once even when send ignores its signal', async () => {
    const client = new AbortController();
    const deaf: typeof send = () => new Promise(() => undefined);
    const call = runStrategy('fallback', [new FakeInstance('a'), new FakeInstance('b')], deaf, strategyOptions({ signal: client.signal }));
    client.abort();
    await assert.rejects(call, { code: 'AKR_ERR_TASK_ABORTED' });
  });

  it('sends nothing when the client already went away', async () => {
    for (const name of STRATEGY_NAMES) {
      const a = new FakeInstance('a');
      await assert.rejects(runStrategy(name, [a], send, strategyOptions({ signal: AbortSignal.abort() })), { code: 'AKR_ERR_TASK_ABORTED' });
      assert.equal(a.calls, 0, name);
    }
  });

  it('does not fall over to the next instance after an abort', async () => {
    const client = new AbortController();
    const a = new FakeInstance('a', { behaviour: hang });
    const b = new FakeInstance('b');
    const call = runStrategy('fallback', [a, b], send, strategyOptions({ signal: client.signal }));
    client.abort();
    await assert.rejects(call);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(b.calls, 0);
  });
});
