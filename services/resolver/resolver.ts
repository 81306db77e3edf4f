import { pathToFileURL } from 'node:url';
import type { Agent } from 'undici';
import type { AkaraConfig } from '../../schemas/config.js';
import type { Dependency } from '../../schemas/wire.js';
import { AkaraError } from '../errors.js';
import { readLimited } from '../resources/files.js';
import { HttpCache } from './http-cache.js';
import { createAgent, fetchHttp, type FetchedResource } from './http-fetch.js';
import { UriPolicy, type Lookup } from './uri-policy.js';

/** A fetched document or stylesheet. */
export type Resource = FetchedResource;

/** Where a fetch happens: the server's own roots (dispatched in process) and the nesting depth. */
export interface FetchScope {
  /** The configured public root, e.g. `http://127.0.0.1:8880/`. */
  publicRoot: string;
  /** The origin the client reached the server at (may differ from the public root's, e.g. localhost). */
  origin: string;
  /** How many in-process dispatches deep this fetch is. */
  depth: number;
  /** The request that caused the fetch, for logs. */
  requestId?: string;
  /** Every file and fetched resource the request used, shared by nested dispatches. */
  dependencies?: Dependency[];
  /** Where the master listens (for the services manager); absent outside a server. */
  serverUrl?: string;
}

/** Runs a GET on this server's own mounts in process: `path` is below the public root, with its query. */
export type LocalDispatch = (path: string, scope: FetchScope) => Promise<Resource>;

/** How deep own-URI dispatches may nest (a stylesheet served by a transform served by a transform...). */
export const MAX_LOCAL_DEPTH = 8;
/** The longest URI reference a request may name. */
export const MAX_URI_LENGTH = 8192;
const NAMED_TRANSFORM = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The one resolver for every URI a request names: sources, stylesheets, imports and includes, and
 * `document()`. Own URIs are dispatched in process (never an HTTP call to ourselves, so a busy pool
 * cannot deadlock on itself); `file:` URIs are read below the configured roots; everything else goes
 * through the policy and the per-worker HTTP cache.
 */
export class Resolver {
  readonly #config: AkaraConfig;
  readonly #policy: UriPolicy;
  readonly #agent: Agent;
  readonly #cache: HttpCache;
  #local: LocalDispatch | undefined;

  constructor(config: AkaraConfig, options: { lookup?: Lookup } = {}) {
    this.#config = config;
    const trusted = [
      ...config.resources.flatMap((space) => (space.root === undefined ? [] : [space.root])),
      ...(config.transforms === undefined ? [] : [config.transforms]),
    ];
    this.#policy = new UriPolicy(config.fetch, trusted, options.lookup === undefined ? {} : { lookup: options.lookup });
    this.#agent = createAgent(config.fetch, this.#policy);
    this.#cache = new HttpCache(config.fetch.cacheEntries);
  }

  /** Sets how own URIs are served (the worker's registry). */
  setLocalDispatch(dispatch: LocalDispatch): void {
    this.#local = dispatch;
  }

  /**
   * What a client's transform reference names: a name in the transforms folder (`catalog-html`, with or
   * without `.xsl`), a path on this server (`/docs/page.xsl`), or an absolute URI.
   */
  transformUri(ref: string, scope: FetchScope): URL {
    if (this.#config.transforms !== undefined && NAMED_TRANSFORM.test(ref)) {
      const file = /\.xslt?$/.test(ref) ? ref : `${ref}.xsl`;
      return pathToFileURL(`${this.#config.transforms}/${file}`);
    }
    return this.uri(ref, scope.publicRoot);
  }

  /** Parses a reference against a base; a reference that is not a URI is a client error. */
  uri(ref: string, base: string): URL {
    if (ref.length > MAX_URI_LENGTH) throw new AkaraError('AKR_ERR_URI_INVALID', { uri: `${ref.slice(0, 64)}...`, reason: `longer than ${MAX_URI_LENGTH} characters` });
    try {
      return new URL(ref, base);
    } catch {
      throw new AkaraError('AKR_ERR_URI_INVALID', { uri: ref, reason: 'it does not parse as a URI reference' });
    }
  }

  /** Fetches a URI within the policy, and records what it came from in the scope's dependencies. */
  async fetch(url: URL, scope: FetchScope): Promise<Resource> {
    const resource = await this.#fetch(url, scope);
    // A dispatch in process recorded what it read itself.
    if (resource.dependency) scope.dependencies?.push(resource.dependency);
    return resource;
  }

  async #fetch(url: URL, scope: FetchScope): Promise<Resource> {
    const local = this.#ownPath(url, scope);
    if (local !== undefined) {
      if (!this.#local) throw new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: local });
      if (scope.depth >= MAX_LOCAL_DEPTH) {
        throw new AkaraError('AKR_ERR_URI_DENIED', { uri: url.href, reason: `own URIs nest more than ${MAX_LOCAL_DEPTH} deep` });
      }
      return this.#local(local, { ...scope, depth: scope.depth + 1 });
    }
    if (url.protocol === 'file:') return this.#readFile(url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AkaraError('AKR_ERR_URI_DENIED', { uri: url.href, reason: `the scheme '${url.protocol.slice(0, -1)}' is not allowed` });
    }
    return this.#fetchHttp(url);
  }

  /** The path below the public root if `url` names this server, else undefined. */
  #ownPath(url: URL, scope: FetchScope): string | undefined {
    const root = new URL(scope.publicRoot);
    if (url.origin !== root.origin && url.origin !== scope.origin) return undefined;
    const rootPath = url.origin === root.origin ? root.pathname : '/';
    if (!url.pathname.startsWith(rootPath)) return undefined;
    return `/${url.pathname.slice(rootPath.length)}${url.search}`;
  }

  async #readFile(url: URL): Promise<Resource> {
    const file = await readLimited(await this.#policy.filePath(url), this.#config.fetch.maxBytes, url.href);
    return { uri: url.href, ...file };
  }

  async #fetchHttp(url: URL): Promise<Resource> {
    const key = url.href;
    const cached = this.#cache.lookup(key);
    if (cached.fresh) return { ...cached.fresh, dependency: { kind: 'fetched', uri: key, freshUntil: this.#cache.freshUntil(key) } };
    const res = await fetchHttp(url, {
      config: this.#config.fetch,
      check: (hop) => this.#policy.check(hop),
      agent: this.#agent,
      ...(cached.conditional === undefined ? {} : { conditional: cached.conditional }),
    });
    const resource = this.#cache.store(key, res.status, res, res.headers);
    return { ...resource, dependency: { kind: 'fetched', uri: key, freshUntil: this.#cache.freshUntil(key) } };
  }

  /**
   * Fetches below an upstream base the operator configured for a resource space. The base is the
   * operator's choice (it may be on a private network); a redirect that leaves it is refused.
   */
  async fetchUpstream(url: URL, base: string): Promise<Resource> {
    const inside = (hop: URL) => {
      if (!hop.href.startsWith(base)) throw new AkaraError('AKR_ERR_UPSTREAM', { uri: hop.href, reason: `a redirect left the space's base ${base}` });
    };
    const res = await fetchHttp(url, { config: this.#config.fetch, check: inside, agent: this.#upstreamAgent() });
    return { ...res, dependency: { kind: 'fetched', uri: url.href, freshUntil: 0 } };
  }

  #upstream: Agent | undefined;
  #upstreamAgent(): Agent {
    this.#upstream ??= createAgent(this.#config.fetch);
    return this.#upstream;
  }

  async close(): Promise<void> {
    await Promise.all([this.#agent.close(), this.#upstream?.close()]);
  }
}
