import { Agent, request, errors as undiciErrors } from 'undici';
import type { FetchConfig } from '../../schemas/config.js';
import type { Dependency } from '../../schemas/wire.js';
import { AkaraError } from '../errors.js';
import { startDeadline } from '../deadline.js';
import { readAtMost } from '../read-at-most.js';
import type { UriPolicy } from './uri-policy.js';

export interface FetchedResource {
  /** The final URI, after redirects. */
  uri: string;
  bytes: Uint8Array;
  contentType?: string;
  /** A validator for caches and ETags: the upstream ETag, else Last-Modified. */
  validator?: string;
  /** What the resource came from, for the validity of answers computed from it. */
  dependency?: Dependency;
}

export interface HttpResponse extends FetchedResource {
  status: 200 | 304;
  headers: Record<string, string | string[] | undefined>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** An undici Agent (connections reused), whose connections go through the policy's DNS check when given one. */
export function createAgent(config: FetchConfig, policy?: UriPolicy): Agent {
  return new Agent({
    connect: { ...(policy === undefined ? {} : { lookup: policy.guardedLookup }), timeout: config.timeoutMs },
    connections: 16,
    keepAliveTimeout: 10_000,
    headersTimeout: config.timeoutMs,
    bodyTimeout: config.timeoutMs,
  });
}

/**
 * GETs an http(s) URI within the policy: every redirect hop is checked again, the body is counted as it
 * arrives and cut at `maxBytes`, and the whole fetch is bounded by `timeoutMs`.
 */
export async function fetchHttp(
  url: URL,
  options: { config: FetchConfig; check: (hop: URL) => void; agent: Agent; conditional?: { etag?: string; lastModified?: string } },
): Promise<HttpResponse> {
  const deadline = startDeadline(options.config.timeoutMs);
  try {
    return await fetchWithin(url, options, deadline.signal);
  } finally {
    deadline.clear();
  }
}

async function fetchWithin(
  url: URL,
  options: { config: FetchConfig; check: (hop: URL) => void; agent: Agent; conditional?: { etag?: string; lastModified?: string } },
  signal: AbortSignal,
): Promise<HttpResponse> {
  const { config, check, agent } = options;
  let current = url;
  for (let hop = 0; ; hop++) {
    check(current);
    const headers: Record<string, string> = { accept: 'application/xml, text/xml, application/xslt+xml, */*;q=0.5', 'user-agent': 'Akara' };
    if (options.conditional?.etag) headers['if-none-match'] = options.conditional.etag;
    if (options.conditional?.lastModified) headers['if-modified-since'] = options.conditional.lastModified;
    let res;
    try {
      res = await request(current, { dispatcher: agent, method: 'GET', headers, signal });
    } catch (err) {
      throw translate(err, current.href, config);
    }
    const resHeaders = res.headers as Record<string, string | string[] | undefined>;
    if (REDIRECTS.has(res.statusCode)) {
      await res.body.dump();
      const location = header(resHeaders, 'location');
      if (!location) throw new AkaraError('AKR_ERR_UPSTREAM', { uri: current.href, reason: `redirect ${res.statusCode} without a Location` });
      if (hop >= config.maxRedirects) throw new AkaraError('AKR_ERR_UPSTREAM', { uri: url.href, reason: `more than ${config.maxRedirects} redirects` });
      current = new URL(location, current);
      continue;
    }
    if (res.statusCode === 304) {
      await res.body.dump();
      return { status: 304, uri: current.href, bytes: new Uint8Array(0), headers: resHeaders };
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new AkaraError('AKR_ERR_UPSTREAM', { uri: current.href, reason: `the server answered ${res.statusCode}`, upstreamStatus: res.statusCode });
    }
    const declared = Number(header(resHeaders, 'content-length') ?? 0);
    if (declared > config.maxBytes) {
      res.body.destroy();
      throw new AkaraError('AKR_ERR_FETCH_TOO_LARGE', { uri: current.href, limit: config.maxBytes });
    }
    let bytes: Uint8Array;
    try {
      bytes = await readAtMost(res.body, config.maxBytes, () => new AkaraError('AKR_ERR_FETCH_TOO_LARGE', { uri: current.href, limit: config.maxBytes }));
    } catch (err) {
      throw translate(err, current.href, config);
    }
    const contentType = header(resHeaders, 'content-type');
    const validator = header(resHeaders, 'etag') ?? header(resHeaders, 'last-modified');
    return {
      status: 200,
      uri: current.href,
      bytes,
      headers: resHeaders,
      ...(contentType === undefined ? {} : { contentType }),
      ...(validator === undefined ? {} : { validator }),
    };
  }
}

function translate(err: unknown, uri: string, config: FetchConfig): AkaraError {
  if (err instanceof AkaraError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'AKR_ADDRESS_DENIED') return new AkaraError('AKR_ERR_URI_DENIED', { uri, reason: e.message ?? e.cause?.message ?? 'address refused' });
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || err instanceof undiciErrors.HeadersTimeoutError
    || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
    return new AkaraError('AKR_ERR_UPSTREAM_TIMEOUT', { uri, limitMs: config.timeoutMs });
  }
  return new AkaraError('AKR_ERR_UPSTREAM', { uri, reason: e.message ?? String(err) }, { cause: err });
}
