import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

/**
 * Gives each request a child logger carrying its request id (`c.var.log`) and writes one access-log line
 * per request: method, path, status, bytes (when the response says its length) and duration. Mount after
 * hono's `requestId()`.
 *
 * @example
 * app.use(requestId(), accessLog(logger, () => true))
 */
export function accessLog(logger: Logger, enabled: () => boolean): MiddlewareHandler {
  return async function accessLogMiddleware(c, next) {
    const reqId = c.get('requestId') as string;
    const log = logger.child({ reqId });
    c.set('log', log);
    const start = performance.now();
    await next();
    if (!enabled()) return;
    const length = c.res.headers.get('content-length');
    log.info({
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ...(length === null ? {} : { bytes: Number(length) }),
      ms: Math.round((performance.now() - start) * 100) / 100,
    }, 'request');
  };
}
