import { Pool } from 'undici';
import type { ManagerConfig, PeerConfig } from '../../schemas/config.js';
import { ListingSchema, type ListingService } from '../../schemas/listing.js';

/**
 * A peer Akara instance: its listing, imported at start and refreshed, and whether it is up, by active
 * checks of its `/akara/health`. A peer that fails a check leaves lookups until it answers again.
 */
export class Peer {
  readonly url: string;
  readonly weight: number;
  readonly tags: readonly string[];
  readonly pool: Pool;
  #services: ListingService[] = [];
  #up = false;
  #lastError: string | undefined;
  #timers: NodeJS.Timeout[] = [];
  readonly #config: ManagerConfig;
  readonly #onChange: () => void;

  constructor(peer: PeerConfig, config: ManagerConfig, onChange: () => void) {
    this.url = peer.url.endsWith('/') ? peer.url : `${peer.url}/`;
    this.weight = peer.weight;
    this.tags = peer.tags;
    this.#config = config;
    this.#onChange = onChange;
    this.pool = new Pool(new URL(this.url).origin, {
      connections: config.connections,
      keepAliveTimeout: 10_000,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      connectTimeout: Math.min(config.timeoutMs, 10_000),
    });
  }

  get up(): boolean {
    return this.#up;
  }

  get services(): readonly ListingService[] {
    return this.#services;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  async #get(path: string, accept: string): Promise<{ status: number; text: string }> {
    const url = new URL(path, this.url);
    const res = await this.pool.request({
      origin: url.origin,
      path: url.pathname,
      method: 'GET',
      headers: { accept },
      signal: AbortSignal.timeout(this.#config.healthTimeoutMs),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text };
  }

  /** Imports the peer's listing; a peer that cannot be read keeps its last listing and is marked down. */
  async refresh(): Promise<void> {
    try {
      const { status, text } = await this.#get('', 'application/json');
      if (status !== 200) throw new Error(`its listing answered ${status}`);
      this.#services = ListingSchema.parse(JSON.parse(text)).services;
      this.#mark(true);
    } catch (err) {
      this.#mark(false, err);
    }
  }

  /** Checks `/akara/health`; a peer coming back is read again. */
  async check(): Promise<void> {
    try {
      const { status } = await this.#get('akara/health', 'application/json');
      if (status !== 200) throw new Error(`its health check answered ${status}`);
      const cameBack = !this.#up;
      this.#mark(true);
      if (cameBack) await this.refresh();
    } catch (err) {
      this.#mark(false, err);
    }
  }

  /** Passive failure counting: a call that got no answer takes the peer out of lookups until its next health check passes. */
  markDown(reason: string): void {
    this.#mark(false, new Error(reason));
  }

  #mark(up: boolean, err?: unknown): void {
    this.#lastError = err === undefined ? undefined : err instanceof Error ? err.message : String(err);
    if (up === this.#up) return;
    this.#up = up;
    this.#onChange();
  }

  /** Reads the listing, then keeps checking and refreshing until `close`. */
  async start(): Promise<void> {
    await this.refresh();
    const every = (ms: number, fn: () => Promise<void>) => {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        void fn().finally(() => { running = false; });
      }, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#config.healthIntervalMs, () => this.check());
    every(this.#config.refreshMs, () => this.refresh());
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.pool.close();
  }
}
