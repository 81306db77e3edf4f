import { errors as undiciErrors, type Dispatcher } from 'undici';
import type { ListingService } from '../../schemas/listing.js';
import { AkaraError } from '../errors.js';
import { startDeadline } from '../deadline.js';
import { readAtMost } from '../read-at-most.js';
import type { InvokeRequest, InvokeResponse } from './instance.js';

/** What an instance sends its calls through: the peer's connection pool and its limits. */
export interface RemoteTarget {
  /** The peer's base URL, with a trailing slash. */
  url: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Headers a call passes on to the instance, besides Akara's own (`akara-*`: trigger context, delivery ids). */
const FORWARDED = new Set(['accept', 'accept-language', 'content-type']);

/** The URL a service of a peer answers at: its first mount, below the peer's base URL. */
export function remoteBaseIri(peerUrl: string, service: ListingService): string {
  return new URL(service.paths[0]!.path.slice(1), peerUrl).href;
}

/**
 * Calls a service of a peer: `{peer}{mount}{pathInfo}?{query}` with undici, connections reused, bounded in
 * time and in the size of the answer. No answer (refused, closed, too slow) rejects with an AkaraError.
 */
export async function callRemote(target: RemoteTarget, key: string, service: ListingService, request: InvokeRequest, signal: AbortSignal): Promise<InvokeResponse> {
  const url = new URL(`${service.paths[0]!.path.slice(1)}${request.pathInfo ?? ''}`, target.url);
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (FORWARDED.has(name) || name.startsWith('akara-')) headers[name] = value;
  }
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  const deadline = startDeadline(target.timeoutMs, signal);
  try {
    return await send(target, key, url, request, headers, deadline.signal, deadline.expired);
  } finally {
    deadline.clear();
  }
}

async function send(target: RemoteTarget, key: string, url: URL, request: InvokeRequest, headers: Record<string, string>, signal: AbortSignal, expired: () => boolean): Promise<InvokeResponse> {
  let res: Dispatcher.ResponseData;
  try {
    res = await target.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
      headersTimeout: target.timeoutMs,
      bodyTimeout: target.timeoutMs,
    });
  } catch (err) {
    throw translate(err, key, target, expired);
  }
  let body: Uint8Array;
  try {
    body = await readAtMost(res.body, target.maxResponseBytes, () => new AkaraError('AKR_ERR_PEER_FAILED', { provider: key, reason: `its answer is over ${target.maxResponseBytes} bytes` }));
  } catch (err) {
    throw translate(err, key, target, expired);
  }
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding' || name === 'content-length') continue;
    out.push([name, Array.isArray(value) ? value.join(', ') : value]);
  }
  return { status: res.statusCode, headers: out, body, provider: key };
}

function translate(err: unknown, key: string, target: RemoteTarget, expired: () => boolean): AkaraError {
  if (err instanceof AkaraError) return err;
  if (expired() || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError
    || err instanceof undiciErrors.ConnectTimeoutError) {
    return new AkaraError('AKR_ERR_PEER_TIMEOUT', { provider: key, limitMs: target.timeoutMs });
  }
  const e = err as { name?: string; message?: string; code?: string };
  if (e.name === 'AbortError') return new AkaraError('AKR_ERR_TASK_ABORTED', { provider: key });
  return new AkaraError('AKR_ERR_PEER_FAILED', { provider: key, reason: e.code ?? e.message ?? String(err) }, { cause: err });
}
