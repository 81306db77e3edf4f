import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { describe, it } from 'node:test';
import { FetchConfigSchema } from '../../schemas/config.js';
import { createAgent, fetchHttp } from '../../services/resolver/http-fetch.js';
import { UriPolicy } from '../../services/resolver/uri-policy.js';

/** A DNS stub: every name resolves to `address`; no query leaves the machine. */
function stubLookup(address: string, family: 4 | 6 = 4) {
  const asked: string[] = [];
  const lookup = (hostname: string, _options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    asked.push(hostname);
    callback(null, [{ address, family }]);
  };
  return { lookup, asked };
}

describe('UriPolicy with a stubbed DNS lookup', () => {
  const config = FetchConfigSchema.parse({ timeoutMs: 1_000 });

  for (const [address, family] of [['169.254.169.254', 4], ['10.1.2.3', 4], ['127.0.0.1', 4], ['fe80::1', 6], ['fd00:ec2::254', 6], ['::ffff:192.168.0.1', 6]] as const) {
    it(`refuses a name that resolves to ${address}, before connecting`, async () => {
      const { lookup, asked } = stubLookup(address, family);
      const policy = new UriPolicy(config, [], { lookup });
      const agent = createAgent(config, policy);
      await assert.rejects(
        fetchHttp(new URL('http://metadata.example.test/latest/meta-data/'), { config, check: (u) => policy.check(u), agent }),
        (err: { code?: string; message?: string }) => err.code === 'AKR_ERR_URI_DENIED' && err.message!.includes(address),
      );
      assert.deepEqual(asked, ['metadata.example.test']);
      await agent.close();
    });
  }

  it('lets a public address through the lookup', async () => {
    const { lookup } = stubLookup('93.184.215.14');
    const policy = new UriPolicy(config, [], { lookup });
    const answers = await new Promise<LookupAddress[]>((resolve, reject) => {
      policy.guardedLookup('example.test', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as LookupAddress[])));
    });
    assert.deepEqual(answers, [{ address: '93.184.215.14', family: 4 }]);
  });

  it('lets the hosts it is given reach private addresses, and no other', async () => {
    const { lookup } = stubLookup('10.1.2.3');
    const policy = new UriPolicy(config, [], { lookup, privateHosts: ['Hooks.Internal', '127.0.0.1', '[::1]'] });
    const resolve = (name: string) => new Promise<LookupAddress[]>((done, reject) => {
      policy.guardedLookup(name, { all: true }, (err, addresses) => (err ? reject(err) : done(addresses as LookupAddress[])));
    });
    assert.deepEqual(await resolve('hooks.internal'), [{ address: '10.1.2.3', family: 4 }]);
    await assert.rejects(resolve('other.internal'), { code: 'AKR_ADDRESS_DENIED' });
    policy.check(new URL('http://127.0.0.1:8890/hook'));
    policy.check(new URL('http://[::1]:8890/hook'));
    assert.throws(() => policy.check(new URL('http://127.0.0.2/hook')), { code: 'AKR_ERR_URI_DENIED' });
    assert.throws(() => policy.check(new URL('http://169.254.169.254/latest/meta-data/')), { code: 'AKR_ERR_URI_DENIED' });
  });

  it('honours the host allow-list, exact and by subdomain', () => {
    const policy = new UriPolicy(FetchConfigSchema.parse({ allowHosts: ['w3.org', '*.example.org'] }), []);
    policy.check(new URL('https://w3.org/x'));
    policy.check(new URL('https://a.example.org/x'));
    assert.throws(() => policy.check(new URL('https://www.w3.org/x')), { code: 'AKR_ERR_URI_DENIED' });
    assert.throws(() => policy.check(new URL('https://example.org.evil.test/x')), { code: 'AKR_ERR_URI_DENIED' });
  });
});
