import { Agent } from 'undici';
import type { ManagerConfig, StrategyName } from '../../schemas/config.js';
import { randomUUID } from 'node:crypto';
import { AkaraError } from '../errors.js';
import { webhookSignature } from '../triggers/webhook.js';
import { startDeadline } from '../deadline.js';
import { readAtMost } from '../read-at-most.js';
import type { InvokeRequest, InvokeResponse } from './instance.js';
import type { InstanceView } from './manager.js';

/** The services manager as a service handler sees it (handlers run in worker threads; the manager in the master). */
export interface ServicesView {
  /** The first available instance of a class (or service id), with its `baseIri`. */
  lookup(classUri: string): Promise<InstanceView | undefined>;
  /** Every instance, with its health and recent figures. */
  lookupAll(classUri: string): Promise<InstanceView[]>;
  /** Calls the class through its strategy (or the one given). */
  invoke(classUri: string, request: InvokeRequest, options?: { strategy?: StrategyName; k?: number }): Promise<InvokeResponse>;
}

/**
 * Reaches the master's services manager from a worker thread, over loopback HTTP to the server's own
 * listener (`/akara/services`, `/akara/invoke/{uri}`): lookups are answered by the master alone; a call
 * that lands on this server's own instance takes a pool slot of its own, bounded by the pool's queue and
 * budgets like any request.
 */
export class ServicesClient {
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;

  constructor(config: ManagerConfig) {
    this.#timeoutMs = config.timeoutMs;
    this.#maxBytes = config.maxResponseBytes;
    this.#agent = new Agent({ connections: config.connections, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  }

  async #request(url: URL, init: { method: string; headers: Record<string, string>; body?: Uint8Array }): Promise<{ status: number; headers: Array<[string, string]>; body: Uint8Array }> {
    const deadline = startDeadline(this.#timeoutMs);
    try {
      return await this.#send(url, init, deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  async #send(url: URL, init: { method: string; headers: Record<string, string>; body?: Uint8Array }, signal: AbortSignal): Promise<{ status: number; headers: Array<[string, string]>; body: Uint8Array }> {
    let res;
    try {
      res = await this.#agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: init.method as 'GET',
        headers: init.headers,
        ...(init.body === undefined ? {} : { body: init.body }),
        signal,
      });
    } catch (err) {
      throw new AkaraError('AKR_ERR_PEER_FAILED', { provider: 'services manager', reason: err instanceof Error ? err.message : String(err) }, { cause: err });
    }
    const body = await readAtMost(res.body, this.#maxBytes, () => new AkaraError('AKR_ERR_PEER_FAILED', { provider: 'services manager', reason: `the answer is over ${this.#maxBytes} bytes` }));
    const headers: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(', ') : value]);
    return { status: res.statusCode, headers, body };
  }

  /** The view for a request, reaching the manager at the server's own listener. */
  view(serverUrl: string): ServicesView {
    const root = serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`;
    const lookupAll = async (classUri: string): Promise<InstanceView[]> => {
      const url = new URL('akara/services', root);
      url.searchParams.set('class', classUri);
      const res = await this.#request(url, { method: 'GET', headers: { accept: 'application/json' } });
      if (res.status !== 200) throw new AkaraError('AKR_ERR_PEER_FAILED', { provider: 'services manager', reason: `the lookup answered ${res.status}` });
      return (JSON.parse(new TextDecoder().decode(res.body)) as { instances: InstanceView[] }).instances;
    };
    return {
      lookupAll,
      lookup: async (classUri) => (await lookupAll(classUri)).find((i) => i.healthy),
      invoke: async (classUri, request, options = {}) => {
        const url = new URL(`akara/invoke/${encodeURIComponent(classUri)}${request.pathInfo ?? ''}`, root);
        for (const [name, value] of request.query) url.searchParams.append(name, value);
        const headers: Record<string, string> = { ...request.headers };
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        if (options.strategy !== undefined) headers['akara-strategy'] = options.strategy;
        if (options.k !== undefined) headers['akara-race-width'] = String(options.k);
        const res = await this.#request(url, { method: request.method, headers, ...(request.body === undefined ? {} : { body: request.body }) });
        const provider = res.headers.find(([name]) => name === 'akara-provider')?.[1] ?? '';
        return { ...res, provider };
      },
    };
  }

  /**
   * Fires an event (`event:{name}` triggers) at the server's own `POST /akara/events/{name}`, signed with
   * the events secret like any outside event. Answers how many deliveries it caused.
   */
  async emit(serverUrl: string, secret: string, name: string, body: Uint8Array, contentType = 'application/octet-stream'): Promise<number> {
    const id = randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    const url = new URL(`akara/events/${encodeURIComponent(name)}`, serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`);
    const res = await this.#request(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': webhookSignature(secret, id, timestamp, body) },
      body,
    });
    if (res.status !== 202) throw new AkaraError('AKR_ERR_SERVICE_REJECTED', { reason: `the event ${name} was refused (${res.status})` }, { status: 409 });
    return (JSON.parse(new TextDecoder().decode(res.body)) as { deliveries: number }).deliveries;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
