import type { XDocument } from 'xslt-processor';
import type { AkaraConfig } from '../schemas/config.js';
import type { Dependency } from '../schemas/wire.js';
import { sourceTreeOf } from './body.js';
import { AkaraError } from './errors.js';
import type { ServicesClient, ServicesView } from './manager/client.js';
import type { FetchScope, Resolver, Resource } from './resolver/resolver.js';
import { checkXml, parseXml, type XmlProblem } from './xml/parse.js';
import type { XsltEngine } from './xslt/engine.js';

/**
 * What a handler may use besides its request: the config, the XML layer, the XSLT engine and the
 * resolver, bound to the request (its public root, and how deep in own-URI dispatches it runs).
 *
 * @example
 * handler: async ({ params }, res, ctx) => {
 *   const doc = ctx.parseXml((await ctx.fetch(String(params.src))).bytes)
 *   ...
 * }
 */
export interface ServiceContext {
  readonly config: AkaraConfig;
  readonly xslt: XsltEngine<XDocument>;
  /** The server's public root URL, e.g. `http://127.0.0.1:8880/`. */
  readonly publicRoot: string;
  /** Fetches a URI reference (relative to `base`, else to the public root) through the fetch policy. */
  fetch(ref: string | URL, base?: string): Promise<Resource>;
  /** Fetches below an upstream base the operator configured (a resource space's `base`). */
  fetchUpstream(url: URL, base: string): Promise<Resource>;
  /** A transform reference as a URI: a name in the transforms folder, a path on this server or a URI. */
  transformUri(ref: string): URL;
  /** Parses untrusted XML within the configured limits (throws AKR_ERR_XML_*). */
  parseXml(content: Uint8Array | string, uri?: string): XDocument;
  /** Every well-formedness problem of a document (an empty list: well-formed). */
  checkXml(content: Uint8Array | string): XmlProblem[];
  /** Files and fetched resources the answer was computed from (recorded by `fetch`). */
  readonly dependencies: readonly Dependency[];
  /** Records something else the answer depends on. */
  dependsOn(dependency: Dependency): void;
  /** The services manager: `lookup(classUri)`, `lookupAll(classUri)`, `invoke(classUri, request)`. */
  readonly services: ServicesView;
  /**
   * Fires a custom event for the `event:{name}` triggers (needs `events.secret` in the config); answers
   * how many deliveries it caused, each on disk when this resolves.
   */
  emit(name: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<number>;
}

/** The parts of a worker shared by every request. */
export interface WorkerTools {
  config: AkaraConfig;
  xslt: XsltEngine<XDocument>;
  resolver: Resolver;
  /** Reaches the master's services manager (absent outside a server). */
  services?: ServicesClient;
}

export function createContext(tools: WorkerTools, requestScope: FetchScope): ServiceContext {
  const { config, xslt, resolver } = tools;
  const dependencies = requestScope.dependencies ?? [];
  const scope = { ...requestScope, dependencies };
  return {
    dependencies,
    dependsOn: (dependency) => dependencies.push(dependency),
    emit: async (name, body, options = {}) => {
      if (!tools.services || scope.serverUrl === undefined || !config.events) {
        throw new AkaraError('AKR_ERR_SERVICE_REJECTED', { reason: 'emitting events needs events.secret in the config' }, { status: 409 });
      }
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      return tools.services.emit(scope.serverUrl, config.events.secret[0]!, name, bytes, options.contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : undefined));
    },
    get services(): ServicesView {
      if (!tools.services || scope.serverUrl === undefined) throw new AkaraError('AKR_ERR_NO_PROVIDER', { class: 'any (no services manager here)' });
      return tools.services.view(scope.serverUrl);
    },
    config,
    xslt,
    publicRoot: scope.publicRoot,
    fetch: (ref, base) => resolver.fetch(typeof ref === 'string' ? resolver.uri(ref, base ?? scope.publicRoot) : ref, scope),
    fetchUpstream: async (url, base) => {
      const resource = await resolver.fetchUpstream(url, base);
      if (resource.dependency) dependencies.push(resource.dependency);
      return resource;
    },
    transformUri: (ref) => resolver.transformUri(ref, scope),
    // A pipeline's previous stage may have left the tree these bytes parse to.
    parseXml: (content, uri) => (typeof content === 'string' ? undefined : sourceTreeOf(content) as XDocument | undefined)
      ?? parseXml(content, { limits: config.xml, ...(uri === undefined ? {} : { uri }) }),
    checkXml: (content) => checkXml(content, { limits: config.xml }),
  };
}
