import type { HttpMethod } from '../../schemas/service.js';

/** A call to a service instance, whichever instance serves it. */
export interface InvokeRequest {
  method: HttpMethod;
  /** Query parameters, in order. */
  query: Array<[string, string]>;
  /** The rest of the path below the service's mount: '' or '/a/b'. */
  pathInfo?: string;
  /** Request headers to pass on (names in lower case). */
  headers?: Record<string, string>;
  body?: Uint8Array;
  contentType?: string;
}

export interface InvokeResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
  /** The key of the instance that answered (sent as `Akara-Provider`). */
  provider: string;
}

/** Recent figures of an instance, as lookups report them. */
export interface InstanceFigures {
  /** Requests sent and not yet answered. */
  inFlight: number;
  /** Exponentially weighted mean latency of recent answers, in ms (undefined before the first). */
  latencyMs: number | undefined;
  requests: number;
  failures: number;
  /** Failures since the last success. */
  consecutiveFailures: number;
}

/**
 * One provider of a service: this server's own, or a peer's. Strategies choose among instances; the
 * manager keeps their figures and their circuit breakers.
 */
export interface Instance {
  /** Unique: `local` or the peer's base URL, then `#` and the service id. */
  readonly key: string;
  readonly serviceId: string;
  /** The service classes (URIs) the instance implements. */
  readonly classes: readonly string[];
  /** The URL the service answers at (its first mount, on its server). */
  readonly baseIri: string;
  readonly local: boolean;
  /** Tags and weight of the peer (local instances: the config's `manager.localTags`, weight 1). */
  readonly tags: readonly string[];
  readonly weight: number;
  readonly figures: InstanceFigures;
  /** Whether lookups and strategies may use it: its server answers health checks and its breaker is not open. */
  available(): boolean;
  /**
   * Sends the request. Resolves with any HTTP answer (a 5xx counts as a failure for the figures and the
   * breaker, and is worth trying elsewhere); rejects with an AkaraError when no answer came (connection
   * refused or closed, timeout, abort).
   */
  invoke(request: InvokeRequest, signal: AbortSignal): Promise<InvokeResponse>;
}
