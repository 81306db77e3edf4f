import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { IncomingMessage } from 'node:http';
import { AkaraError } from '../services/errors.js';

export interface RequestLimits {
  maxBodyBytes: number;
  maxHeaders: number;
}

/**
 * Refuses requests past the limits: too many headers (431 AKR_ERR_HEADERS_TOO_LARGE) and bodies over
 * `maxBodyBytes`, by Content-Length or as they stream (413 AKR_ERR_BODY_TOO_LARGE). The limits are read
 * per request, so a reloaded config applies at once.
 *
 * @example
 * app.use(requestLimits(() => ({ maxBodyBytes: 1_048_576, maxHeaders: 100 })))
 */
export function requestLimits(limits: () => RequestLimits): MiddlewareHandler {
  let cached: { size: number; handler: MiddlewareHandler } | undefined;
  const bodyLimitFor = (size: number): MiddlewareHandler => {
    if (cached?.size !== size) {
      cached = {
        size,
        handler: bodyLimit({ maxSize: size, onError: () => { throw new AkaraError('AKR_ERR_BODY_TOO_LARGE', { limit: size }); } }),
      };
    }
    return cached.handler;
  };
  return async function requestLimitsMiddleware(c, next) {
    const { maxBodyBytes, maxHeaders } = limits();
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming && incoming.rawHeaders.length / 2 > maxHeaders) {
      throw new AkaraError('AKR_ERR_HEADERS_TOO_LARGE', { limit: `${maxHeaders} headers` });
    }
    return bodyLimitFor(maxBodyBytes)(c, next);
  };
}
