import type { Context } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import { METHODS_WITH_BODY, type HttpMethod } from '../../schemas/service.js';
import type { InvokeResult, InvokeTask } from '../../schemas/wire.js';
import type { SyncTriggers, TriggerAnswer, TriggerSubject } from '../../services/triggers/sync-triggers.js';
import { AkaraError } from '../../services/errors.js';
import { parseParams } from '../../services/params.js';
import { EtagCache, noneMatch } from '../etag-cache.js';
import type { Runtime } from '../generation.js';
import type { Logger } from '../logger.js';
import { problemOf } from '../problem.js';

/** Headers the server sets itself, whatever a handler says. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'x-request-id']);

/** An invocation's answer as triggers see it. */
function answerOf(result: InvokeResult): TriggerAnswer {
  const type = result.headers.find(([name]) => name === 'content-type')?.[1];
  return { status: result.status, body: result.body, ...(type === undefined ? {} : { contentType: type }) };
}

/** Lets the after-invoke triggers see, veto or replace a successful answer. */
async function afterTriggers(triggers: SyncTriggers, subject: TriggerSubject, result: InvokeResult, signal: AbortSignal): Promise<InvokeResult> {
  const answer = await triggers.after(subject, answerOf(result), signal);
  if (answer.body === result.body) return result;
  // A replaced answer is a new representation: the old validators and dependencies no longer describe it.
  const headers = result.headers.filter(([name]) => name !== 'content-type' && name !== 'etag');
  if (answer.contentType !== undefined) headers.push(['content-type', answer.contentType]);
  return { status: answer.status, headers, body: answer.body };
}

/**
 * Failures of requests the service never ran (the pool full or gone, the client gone): no `invoke-error`.
 * Firing for them would turn an overload into a durable write per refused request.
 */
const NOT_RUN = new Set(['AKR_ERR_POOL_SATURATED', 'AKR_ERR_POOL_UNAVAILABLE', 'AKR_ERR_TASK_ABORTED']);
const encoder = new TextEncoder();

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
    const { registry, pool, number: generation, triggers, asyncTriggers } = runtime.current;
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
    let subject: TriggerSubject = { serviceId: descriptor.id, path: url.pathname, method: method as HttpMethod };
    if (METHODS_WITH_BODY.has(method)) {
      // Refuse before reading a body that could not be run anyway.
      pool.checkCapacity();
      subject.body = new Uint8Array(await c.req.arrayBuffer());
      const type = c.req.header('content-type');
      if (type !== undefined) subject.contentType = type;
    }
    // Auditors see the request before anything answers it, even a 304.
    if (triggers.size > 0) subject = await triggers.before(subject, c.req.raw.signal);
    const ifNoneMatch = method === 'GET' ? c.req.header('if-none-match') : undefined;
    const cacheKey = `${generation} ${url.pathname}${url.search} ${c.req.header('accept') ?? ''}`;
    if (ifNoneMatch !== undefined) {
      const etag = await etags.current(cacheKey);
      if (etag !== undefined && noneMatch(ifNoneMatch, etag)) return c.body(null, 304, { etag });
    }
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
    if (subject.body !== undefined) task.body = subject.body;
    if (subject.contentType !== undefined) task.contentType = subject.contentType;
    let result: InvokeResult;
    try {
      result = await pool.run(task, c.req.raw.signal);
    } catch (err) {
      if (asyncTriggers.size > 0 && err instanceof AkaraError && !NOT_RUN.has(err.code)) {
        const problem = problemOf(err, task.requestId, url.pathname);
        try {
          asyncTriggers.record('invoke-error', subject, { status: err.status, body: encoder.encode(JSON.stringify(problem)), contentType: 'application/problem+json' }, 0, { 'akara-error-code': err.code });
        } catch (recordError) {
          // The client gets the service's error, not the outbox's; the outbox's is logged.
          (c.get('log') as Logger | undefined)?.error({ err: recordError }, 'an invoke-error delivery could not be recorded');
        }
      }
      throw err;
    }
    if (triggers.size > 0 && result.status < 400) result = await afterTriggers(triggers, subject, result, c.req.raw.signal);
    // Durable before the answer goes out: a crash after this point loses no delivery.
    if (asyncTriggers.size > 0) asyncTriggers.record(result.status < 400 ? 'after-invoke' : 'invoke-error', subject, answerOf(result));
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
