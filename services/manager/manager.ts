import type { ClassPolicy, ManagerConfig, PeerConfig, PreferRule, StrategyName } from '../../schemas/config.js';
import type { ServiceDescriptor } from '../../schemas/service.js';
import { AkaraError } from '../errors.js';
import { CircuitBreaker } from './breaker.js';
import type { Instance, InstanceFigures, InvokeRequest, InvokeResponse } from './instance.js';
import { Peer } from './peer.js';
import { callRemote, remoteBaseIri } from './remote-instance.js';
import { RetryBudget } from './retry-budget.js';
import { runStrategy, type StrategyState } from './strategies.js';
import { RACE_LOST } from './strategies/abort.js';
import { createStrategyState } from './strategies/state.js';

/** How this server runs one of its own services (through its pool); 4xx errors come back as answers. */
export type LocalRun = (serviceId: string, request: InvokeRequest, signal: AbortSignal) => Promise<Omit<InvokeResponse, 'provider'>>;

/** An instance as lookups report it. */
export interface InstanceView {
  key: string;
  serviceId: string;
  baseIri: string;
  local: boolean;
  healthy: boolean;
  classes: string[];
  tags: string[];
  weight: number;
  breaker: 'closed' | 'open' | 'half-open';
  inFlight: number;
  latencyMs: number | null;
  requests: number;
  failures: number;
}

export interface InvokeOptions {
  strategy?: StrategyName;
  k?: number;
  prefer?: PreferRule[];
  signal?: AbortSignal;
}

/** The weight of the newest latency in the running mean. */
const LATENCY_WEIGHT = 0.3;

class TrackedInstance implements Instance {
  readonly figures: InstanceFigures = { inFlight: 0, latencyMs: undefined, requests: 0, failures: 0, consecutiveFailures: 0 };
  readonly breaker: CircuitBreaker;

  constructor(
    readonly key: string,
    readonly serviceId: string,
    readonly classes: readonly string[],
    /** A function: this server's own URL is known only once it listens. */
    readonly baseIriOf: () => string,
    readonly local: boolean,
    readonly tags: readonly string[],
    readonly weight: number,
    readonly up: () => boolean,
    readonly call: (request: InvokeRequest, signal: AbortSignal) => Promise<InvokeResponse>,
    readonly onNoAnswer: (err: unknown) => void,
    config: ManagerConfig,
  ) {
    this.breaker = new CircuitBreaker({ failures: config.breaker.failures, resetMs: config.breaker.resetMs });
  }

  get baseIri(): string {
    return this.baseIriOf();
  }

  available(): boolean {
    return this.up() && this.breaker.wouldAllow();
  }

  /** One call, with its figures and its breaker. */
  async invoke(request: InvokeRequest, signal: AbortSignal): Promise<InvokeResponse> {
    if (!this.breaker.allow()) throw new AkaraError('AKR_ERR_PEER_FAILED', { provider: this.key, reason: 'its circuit breaker is open' });
    const f = this.figures;
    f.inFlight++;
    f.requests++;
    const started = performance.now();
    try {
      const res = await this.call(request, signal);
      this.#settled(res.status < 500, started);
      return res;
    } catch (err) {
      // A call the client or a race abandoned says nothing about the instance's health (an abandoned
      // breaker trial frees itself after resetMs), but a race loser was at least this slow.
      if (!signal.aborted) {
        this.#settled(false, started);
        this.onNoAnswer(err);
      } else if (signal.reason === RACE_LOST) {
        const ms = performance.now() - started;
        if (f.latencyMs === undefined || ms > f.latencyMs) f.latencyMs = f.latencyMs === undefined ? ms : f.latencyMs + LATENCY_WEIGHT * (ms - f.latencyMs);
      }
      throw err;
    } finally {
      f.inFlight--;
    }
  }

  #settled(ok: boolean, started: number): void {
    const f = this.figures;
    const ms = performance.now() - started;
    f.latencyMs = f.latencyMs === undefined ? ms : f.latencyMs + LATENCY_WEIGHT * (ms - f.latencyMs);
    if (ok) {
      f.consecutiveFailures = 0;
      this.breaker.success();
    } else {
      f.failures++;
      f.consecutiveFailures++;
      this.breaker.failure();
    }
  }

  view(): InstanceView {
    return {
      key: this.key,
      serviceId: this.serviceId,
      baseIri: this.baseIri,
      local: this.local,
      healthy: this.available(),
      classes: [...this.classes],
      tags: [...this.tags],
      weight: this.weight,
      breaker: this.breaker.state,
      inFlight: this.figures.inFlight,
      latencyMs: this.figures.latencyMs === undefined ? null : Math.round(this.figures.latencyMs * 10) / 10,
      requests: this.figures.requests,
      failures: this.figures.failures,
    };
  }
}

/**
 * The services manager: every instance of every service, this server's own and its peers', found by
 * service id or class URI, and called through a strategy with a circuit breaker per instance and a
 * retry budget per manager.
 *
 * @example
 * const first = manager.lookup('http://example.org/classes/schematron')
 * const res = await manager.invoke('http://example.org/classes/schematron', { method: 'POST', query: [], body })
 */
export class ServicesManager {
  readonly #config: ManagerConfig;
  readonly #peers: Peer[];
  /** Per class: the round-robin counter and the retry budget. */
  readonly #perClass = new Map<string, { state: StrategyState; budget: RetryBudget }>();
  #local: TrackedInstance[] = [];
  /** Remote instances by key, rebuilt when a peer's listing changes (figures and breakers kept). */
  readonly #remote = new Map<string, TrackedInstance>();

  constructor(config: ManagerConfig, peers: readonly PeerConfig[], local: { services: readonly ServiceDescriptor[]; publicRoot: () => string; run: LocalRun }) {
    this.#config = config;
    this.#peers = peers.map((p) => new Peer(p, config, () => this.#syncRemote()));
    this.#local = local.services.map((s) => new TrackedInstance(
      `local#${s.id}`, s.id, s.classes, () => `${local.publicRoot().replace(/\/+$/, '')}${s.paths[0]!}`, true, config.localTags, 1,
      () => true,
      async (request, signal) => ({ ...(await local.run(s.id, request, signal)), provider: `local#${s.id}` }),
      () => {},
      config,
    ));
  }

  /** Imports the peers' listings (a peer that does not answer starts out of lookups) and starts checking them. */
  async start(): Promise<void> {
    await Promise.all(this.#peers.map((p) => p.start()));
    this.#syncRemote();
  }

  async close(): Promise<void> {
    await Promise.all(this.#peers.map((p) => p.close()));
  }

  #syncRemote(): void {
    const seen = new Set<string>();
    for (const peer of this.#peers) {
      for (const service of peer.services) {
        const key = `${peer.url}#${service.id}`;
        seen.add(key);
        if (this.#remote.has(key)) continue;
        const target = { url: peer.url, dispatcher: peer.pool, timeoutMs: this.#config.timeoutMs, maxResponseBytes: this.#config.maxResponseBytes };
        this.#remote.set(key, new TrackedInstance(
          key, service.id, service.classes ?? [], () => remoteBaseIri(peer.url, service), false, peer.tags, peer.weight,
          () => peer.up,
          (request, signal) => callRemote(target, key, service, request, signal),
          (err) => {
            if (err instanceof AkaraError && err.code === 'AKR_ERR_PEER_FAILED') peer.markDown(err.message);
          },
          this.#config,
        ));
      }
    }
    for (const key of this.#remote.keys()) if (!seen.has(key)) this.#remote.delete(key);
  }

  /** Every instance of a service id or class URI, this server's first, then the peers' in config order. */
  #instances(uri: string): TrackedInstance[] {
    return [...this.#local, ...this.#remote.values()].filter((i) => i.serviceId === uri || i.classes.includes(uri));
  }

  /** The first available instance of a class (or service id), or undefined. */
  lookup(uri: string): InstanceView | undefined {
    return this.#instances(uri).find((i) => i.available())?.view();
  }

  /** Every instance of a class (or service id), available or not, with its health and figures. */
  lookupAll(uri: string): InstanceView[] {
    return this.#instances(uri).map((i) => i.view());
  }

  /** The policy of a class: the config's, else the default strategy. */
  policy(uri: string): ClassPolicy {
    return this.#config.classes[uri] ?? { strategy: this.#config.defaultStrategy, k: 2, prefer: [] };
  }

  /** Calls a class (or service id) through its strategy; the answer names its provider. */
  invoke(uri: string, request: InvokeRequest, options: InvokeOptions = {}): Promise<InvokeResponse> {
    const instances = this.#instances(uri);
    if (instances.length === 0) return Promise.reject(new AkaraError('AKR_ERR_NO_PROVIDER', { class: uri }));
    const policy = this.policy(uri);
    let perClass = this.#perClass.get(uri);
    if (!perClass) {
      const { ratio, minPerSecond, windowMs } = this.#config.retryBudget;
      perClass = { state: createStrategyState(), budget: new RetryBudget({ ratio, minPerSecond, windowMs }) };
      this.#perClass.set(uri, perClass);
    }
    return runStrategy(options.strategy ?? policy.strategy, instances, (instance, signal) => instance.invoke(request, signal), {
      k: options.k ?? policy.k,
      prefer: options.prefer ?? policy.prefer,
      budget: perClass.budget,
      signal: options.signal ?? new AbortController().signal,
      state: perClass.state,
      serviceClass: uri,
    });
  }
}
