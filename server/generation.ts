import type { ServicesManager } from '../services/manager/manager.js';
import type { AsyncTriggers } from '../services/triggers/async-triggers.js';
import type { SyncTriggers } from '../services/triggers/sync-triggers.js';
import type { AkaraConfig } from '../schemas/config.js';
import type { ServiceDescriptor } from '../schemas/service.js';
import { Registry } from '../services/registry.js';
import type { WorkerPool } from './pool/worker-pool.js';

/**
 * What one start or reload of the server produced: the config, the services and the pool running them.
 * A reload builds a new generation and swaps it in; requests in flight finish on the one they began on.
 */
export interface Generation {
  readonly number: number;
  readonly config: AkaraConfig;
  readonly registry: Registry<{ descriptor: ServiceDescriptor }>;
  readonly pool: WorkerPool;
  /** Every instance of every service, this server's and its peers', by id and class. */
  readonly manager: ServicesManager;
  /** Classes mounted at paths of their own: mount -> class URI. */
  readonly classMounts: ReadonlyMap<string, string>;
  /** Synchronous triggers around invocations. */
  readonly triggers: SyncTriggers;
  /** Asynchronous triggers: durable deliveries after invocations. */
  readonly asyncTriggers: AsyncTriggers;
  /** Stops watching resource spaces for `resource-change` triggers. */
  readonly stopWatching: () => void;
}

/** Registers the services a pool process reported; a duplicate id or mount fails here too. */
export function registryOf(services: readonly ServiceDescriptor[]): Registry<{ descriptor: ServiceDescriptor }> {
  const registry = new Registry<{ descriptor: ServiceDescriptor }>();
  for (const descriptor of services) registry.add({ descriptor }, descriptor.module);
  return registry.seal();
}

/** Holds the current generation for the routes. */
export class Runtime {
  #current: Generation;
  readonly started = Date.now();

  constructor(first: Generation) {
    this.#current = first;
  }

  get current(): Generation {
    return this.#current;
  }

  swap(next: Generation): Generation {
    const previous = this.#current;
    this.#current = next;
    return previous;
  }
}
