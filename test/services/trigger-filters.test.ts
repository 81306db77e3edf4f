import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TriggerSchema } from '../../schemas/config.js';
import { globMatches, triggerApplies } from '../../services/triggers/sync-triggers.js';

const trigger = (filter: object) => TriggerSchema.parse({ name: 't', event: 'after-invoke', mode: 'async', filter, action: { service: 'http://example.org/s' } });
const subject = (path: string, serviceId = 'http://example.org/a') => ({ serviceId, path, method: 'POST' as const });

describe('trigger path patterns', () => {
  it('match * as any run of characters, and nothing else specially', () => {
    assert.equal(globMatches('/docs/*', '/docs/a/b.xml'), true);
    assert.equal(globMatches('/docs/*', '/docs'), false);
    assert.equal(globMatches('/docs/*.xml', '/docs/a.xml'), true);
    assert.equal(globMatches('/docs/*.xml', '/docs/a.xsl'), false);
    assert.equal(globMatches('/a.b', '/aXb'), false);
    assert.equal(globMatches('/akara.*', '/akara.echo'), true);
    assert.equal(globMatches('*', ''), true);
    assert.equal(globMatches('/x/**/y', '/x/y'), false);
    assert.equal(globMatches('/x/**/y', '/x//y'), true);
  });

  it('never backtrack without end: many stars against a long path that almost matches', () => {
    const glob = `/${'*a'.repeat(40)}*b`;
    assert.equal(globMatches(glob, `/${'a'.repeat(10_000)}`), false);
    assert.equal(globMatches(glob, `/${'a'.repeat(10_000)}b`), true);
  });

  it('are at most 1,024 characters', () => {
    assert.equal(TriggerSchema.safeParse({ name: 't', event: 'after-invoke', filter: { path: `/${'*'.repeat(1_023)}` }, action: { service: 'http://example.org/s' } }).success, true);
    assert.equal(TriggerSchema.safeParse({ name: 't', event: 'after-invoke', filter: { path: `/${'*'.repeat(1_024)}` }, action: { service: 'http://example.org/s' } }).success, false);
  });
});

describe('trigger filters', () => {
  it('take the service, the path and the answer status, all that are given', () => {
    const t = trigger({ service: 'http://example.org/a', path: '/x/*', status: ['2xx', 304] });
    assert.equal(triggerApplies(t, subject('/x/1'), 200), true);
    assert.equal(triggerApplies(t, subject('/x/1'), 304), true);
    assert.equal(triggerApplies(t, subject('/x/1'), 302), false);
    assert.equal(triggerApplies(t, subject('/y/1'), 200), false);
    assert.equal(triggerApplies(t, subject('/x/1', 'http://example.org/b'), 200), false);
    // A status filter takes nothing that has no status yet.
    assert.equal(triggerApplies(t, subject('/x/1')), false);
  });
});
