import type { Context } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { HttpMethod } from '../../schemas/service.js';
import type { InvokeTask } from '../../schemas/wire.js';
import { AkaraError } from '../../services/errors.js';
import { parseParams } from '../../services/params.js';
import { EtagCache, noneMatch } from '../etag-cache.js';
import type { Runtime } from '../generation.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Headers the server sets itself, whatever a handler says. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'x-request-id']);

function allowOf(methods: readonly HttpMethod[]): string {
  const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
  return [...allow, 'OPTIONS'].join(', ');
}

/**
 * The one handler for every service: finds the mount (longest match), checks the method and params,
 * and runs the service in the worker pool. Hono answers HEAD through this handler as GET, without the body.
 */
export function serviceHandler(runtime: Runtime, publicRoot: () => string, serverUrl: () => string) {
  const etags = new EtagCache();
  return async function invokeService(c: Context): Promise<Response> {
    const { registry, pool, number: generation } = runtime.current;
    const url = new URL(c.req.url);
    const match = registry.match(url.pathname);
    if (!match) throw new AkaraError('AKR_ERR_NOT_FOUND', { path: url.pathname });
    const { descriptor } = match.entry;
    // HEAD runs GET and answers its headers alone.
    const head = c.req.method === 'HEAD';
    const method = head ? 'GET' : c.req.method;
    if (method === 'OPTIONS') return c.body(null, 204, { allow: allowOf(descriptor.methods) });
    if (!(descriptor.methods as readonly string[]).includes(method)) {
      throw new AkaraError('AKR_ERR_METHOD_NOT_ALLOWED', { method, allow: allowOf(descriptor.methods) });
    }
    const { params, query } = parseParams(descriptor, url.searchParams);
    const ifNoneMatch = method === 'GET' ? c.req.header('if-none-match') : undefined;
    const cacheKey = `${generation} ${url.pathname}${url.search} ${c.req.header('accept') ?? ''}`;
    if (ifNoneMatch !== undefined) {
      const etag = await etags.current(cacheKey);
      if (etag !== undefined && noneMatch(ifNoneMatch, etag)) return c.body(null, 304, { etag });
    }
    // Refuse before reading a body that could not be run anyway.
    pool.checkCapacity();
    const task: InvokeTask = {
      kind: 'invoke',
      serviceId: descriptor.id,
      method: method as HttpMethod,
      params,
      query,
      pathInfo: match.pathInfo,
      headers: Object.fromEntries(c.req.raw.headers),
      requestId: c.get('requestId') as string,
      publicRoot: publicRoot(),
      origin: url.origin,
      serverUrl: serverUrl(),
    };
    if (WITH_BODY.has(method)) {
      task.body = new Uint8Array(await c.req.arrayBuffer());
      const type = c.req.header('content-type');
      if (type !== undefined) task.contentType = type;
    }
    const result = await pool.run(task, c.req.raw.signal);
    const headers: Record<string, string> = {};
    for (const [name, value] of result.headers) if (!RESERVED_HEADERS.has(name)) headers[name] = value;
    if (method === 'GET' && result.status === 200 && headers.etag !== undefined) {
      if (result.dependencies) etags.remember(cacheKey, headers.etag, result.dependencies);
      if (ifNoneMatch !== undefined && noneMatch(ifNoneMatch, headers.etag)) return c.body(null, 304, { etag: headers.etag });
    }
    const empty = result.status === 204 || result.status === 304;
    if (!empty) headers['content-length'] = String(result.body.byteLength);
    if (empty || head) return c.body(null, result.status as StatusCode, headers);
    return c.body(result.body as Uint8Array<ArrayBuffer>, result.status as ContentfulStatusCode, headers);
  };
}
