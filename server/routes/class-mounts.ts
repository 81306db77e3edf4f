import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import { METHODS_WITH_BODY, type HttpMethod } from '../../schemas/service.js';
import { STRATEGY_NAMES, type StrategyName } from '../../schemas/config.js';
import { AkaraError } from '../../services/errors.js';
import type { InvokeRequest } from '../../services/manager/instance.js';
import type { InvokeOptions } from '../../services/manager/manager.js';
import type { Runtime } from '../generation.js';

const FORWARDED = ['accept', 'accept-language', 'content-type'];
const DROPPED = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'x-request-id', 'date']);

/** The class mounted at the longest mount that prefixes `path`, with the rest of the path. */
export function matchClassMount(mounts: ReadonlyMap<string, string>, path: string): { uri: string; pathInfo: string } | undefined {
  let best: string | undefined;
  for (const mount of mounts.keys()) {
    if ((path === mount || path.startsWith(`${mount}/`)) && (best === undefined || mount.length > best.length)) best = mount;
  }
  return best === undefined ? undefined : { uri: mounts.get(best)!, pathInfo: path.slice(best.length) };
}

const INVOKE = '/akara/invoke/';

/** `/akara/invoke/{class URI, encoded}{pathInfo}`: any class or service id, by the manager. */
function matchInvoke(path: string): { uri: string; pathInfo: string } | undefined {
  if (!path.startsWith(INVOKE)) return undefined;
  const rest = path.slice(INVOKE.length);
  const end = rest.indexOf('/');
  const encoded = end === -1 ? rest : rest.slice(0, end);
  let uri: string;
  try {
    uri = decodeURIComponent(encoded);
  } catch {
    throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: 'class', expected: 'a URL-encoded class URI' });
  }
  if (!URL.canParse(uri)) throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: 'class', expected: 'a URL-encoded class URI' });
  return { uri, pathInfo: end === -1 ? '' : rest.slice(end) };
}

/** Per-call overrides of the class's strategy: `Akara-Strategy: race`, `Akara-Race-Width: 3`. */
function overrides(c: Context): InvokeOptions {
  const options: InvokeOptions = { signal: c.req.raw.signal };
  const strategy = c.req.header('akara-strategy');
  if (strategy !== undefined) {
    if (!(STRATEGY_NAMES as readonly string[]).includes(strategy)) {
      throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: 'Akara-Strategy', expected: `one of ${STRATEGY_NAMES.join(', ')}` });
    }
    options.strategy = strategy as StrategyName;
  }
  const k = c.req.header('akara-race-width');
  if (k !== undefined) {
    if (!/^[1-9]\d?$/.test(k)) throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: 'Akara-Race-Width', expected: 'an integer from 1 to 99' });
    options.k = Number(k);
  }
  return options;
}

/**
 * Serves the classes mounted at paths of their own (`manager.classes[uri].mount`), and any class or
 * service id at `/akara/invoke/{uri}`: clients call a class like any service, and the services manager
 * picks the instance. `Akara-Provider` names the one that answered.
 */
export function classMounts(runtime: Runtime): MiddlewareHandler {
  return async function invokeClass(c: Context, next) {
    const { classMounts: mounts, manager } = runtime.current;
    const path = new URL(c.req.url).pathname;
    const match = matchInvoke(path) ?? (mounts.size === 0 ? undefined : matchClassMount(mounts, path));
    if (!match) return next();
    const head = c.req.method === 'HEAD';
    const method = (head ? 'GET' : c.req.method) as HttpMethod;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = c.req.header(name);
      if (value !== undefined) headers[name] = value;
    }
    const request: InvokeRequest = { method, query: [...new URL(c.req.url).searchParams], pathInfo: match.pathInfo, headers };
    if (METHODS_WITH_BODY.has(method)) {
      request.body = new Uint8Array(await c.req.arrayBuffer());
      if (headers['content-type'] !== undefined) request.contentType = headers['content-type'];
    }
    const res = await manager.invoke(match.uri, request, overrides(c));
    const out: Record<string, string> = {};
    for (const [name, value] of res.headers) if (!DROPPED.has(name)) out[name] = value;
    out['akara-provider'] = res.provider;
    if (head || res.status === 204 || res.status === 304) return c.body(null, res.status as StatusCode, out);
    return c.body(res.body as Uint8Array<ArrayBuffer>, res.status as ContentfulStatusCode, out);
  };
}
