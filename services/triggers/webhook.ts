import { createHmac } from 'node:crypto';
import { Agent } from 'undici';
import type { FetchConfig } from '../../schemas/config.js';
import { AkaraError } from '../errors.js';
import { UriPolicy } from '../resolver/uri-policy.js';

/** The Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`. */
export function webhookSignature(secret: string, id: string, timestamp: number, body: Uint8Array): string {
  // A `whsec_` secret is base64 after its prefix (the convention's format); any other is used as it is.
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/**
 * Sends webhook deliveries, signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), through the fetch policy: no private, loopback or link-local targets unless the
 * config allows them, checked again on the addresses DNS gives; redirects are not followed.
 */
export class WebhookSender {
  readonly #policy: UriPolicy;
  readonly #agent: Agent;

  /** @param privateHosts receivers allowed on private addresses (`deliveries.privateTargets`). */
  constructor(fetch: FetchConfig, privateHosts: readonly string[] = []) {
    this.#policy = new UriPolicy({ ...fetch, schemes: fetch.schemes.filter((s) => s !== 'file') }, [], { privateHosts });
    this.#agent = new Agent({ connect: { lookup: this.#policy.guardedLookup, timeout: fetch.timeoutMs }, connections: 8 });
  }

  /** Throws AKR_ERR_URI_DENIED if the policy refuses the URL before any connection. */
  check(url: string): void {
    this.#policy.check(new URL(url));
  }

  async send(url: string, secret: string, delivery: { id: string; body: Uint8Array; contentType: string | null; headers: Record<string, string> }, signal: AbortSignal): Promise<number> {
    const target = new URL(url);
    this.#policy.check(target);
    const timestamp = Math.floor(Date.now() / 1000);
    let res;
    try {
      res = await this.#agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: {
          ...delivery.headers,
          'content-type': delivery.contentType ?? 'application/octet-stream',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignature(secret, delivery.id, timestamp, delivery.body),
        },
        body: delivery.body,
        signal,
      });
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string }; message?: string };
      if ((e.code ?? e.cause?.code) === 'AKR_ADDRESS_DENIED') throw new AkaraError('AKR_ERR_URI_DENIED', { uri: url, reason: e.message ?? 'address refused' });
      throw err;
    }
    await res.body.dump();
    return res.statusCode;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
