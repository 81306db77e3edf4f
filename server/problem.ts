import type { Context } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';
import type { Problem } from '../schemas/problem.js';
import { AkaraError } from '../services/errors.js';
import type { Logger } from './logger.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Content Too Large', 422: 'Unprocessable Content',
  431: 'Request Header Fields Too Large', 499: 'Client Closed Request', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 507: 'Insufficient Storage',
};

/** The RFC 9457 problem document for an error: its code, a message a person can act on, the request id. */
export function problemOf(err: AkaraError, requestId: string, instance: string): Problem {
  const { problems: _problems, reason: _reason, retryAfter: _retryAfter, ...detail } = err.detail;
  return {
    type: `urn:akara:error:${err.code}`,
    title: STATUS_TEXT[err.status] ?? 'Error',
    status: err.status,
    code: err.code,
    detail: err.message,
    instance,
    requestId,
    ...detail,
  };
}

/** Headers that go with some errors: Retry-After on 503, Allow on 405. */
export function problemHeaders(err: AkaraError): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (err.status === 503) headers['retry-after'] = String(err.detail.retryAfter ?? 1);
  if (err.code === 'AKR_ERR_METHOD_NOT_ALLOWED' && typeof err.detail.allow === 'string') headers.allow = err.detail.allow;
  if (err.code === 'AKR_ERR_UNAUTHORIZED') headers['www-authenticate'] = 'Bearer realm="akara"';
  return headers;
}

/** Raw HTTP/1.1 text of a problem response, for errors the HTTP parser meets before any handler runs. */
export function rawProblemResponse(err: AkaraError, requestId: string): string {
  const body = JSON.stringify(problemOf(err, requestId, ''));
  const head = Object.entries({ ...problemHeaders(err), 'content-length': String(Buffer.byteLength(body)), connection: 'close', 'x-request-id': requestId })
    .map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `HTTP/1.1 ${err.status} ${STATUS_TEXT[err.status] ?? 'Error'}\r\n${head}\r\n${body}`;
}

/**
 * The one error handler: every error becomes `application/problem+json`. Errors that are not
 * AkaraErrors are logged with their stack and answered as AKR_ERR_INTERNAL, never with the stack.
 */
export function onError(err: Error, c: Context): Response {
  const log = c.get('log') as Logger | undefined;
  const akara = err instanceof AkaraError ? err : new AkaraError('AKR_ERR_INTERNAL', {}, { cause: err });
  // A bug gets its stack; a bound that held (503, 504, 507, a crashed worker) gets a line, never a flood
  // of stacks at the moment the server is overloaded (the access log has every answer anyway).
  if (akara.status === 500) log?.error({ err: akara.cause ?? akara, code: akara.code, stack: akara.stack }, akara.message);
  else if (akara.status === 503) log?.debug({ code: akara.code }, akara.message);
  else if (akara.status > 500) log?.warn({ code: akara.code }, akara.message);
  const requestId = (c.get('requestId') as string | undefined) ?? '';
  const body = JSON.stringify(problemOf(akara, requestId, new URL(c.req.url).pathname));
  // Codes such as 499 are not in Hono's status union.
  return c.newResponse(body, akara.status as StatusCode, { ...problemHeaders(akara), 'content-length': String(Buffer.byteLength(body)) });
}

