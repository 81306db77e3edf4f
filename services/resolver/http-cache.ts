import type { FetchedResource } from './http-fetch.js';

interface Entry {
  resource: FetchedResource;
  etag?: string;
  lastModified?: string;
  /** When it stops being fresh (ms since epoch); 0: revalidate every time. */
  freshUntil: number;
}

type Headers = Record<string, string | string[] | undefined>;

function one(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Freshness from Cache-Control max-age or Expires; undefined when the response must not be stored. */
function freshness(headers: Headers, now: number): number | undefined {
  const cacheControl = (one(headers, 'cache-control') ?? '').toLowerCase();
  if (/(^|,)\s*(no-store|private)\s*(,|$)/.test(cacheControl)) return undefined;
  if (/(^|,)\s*no-cache\s*(,|$)/.test(cacheControl)) return 0;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/.exec(cacheControl);
  if (maxAge) return now + Number(maxAge[1]) * 1000;
  const expires = Date.parse(one(headers, 'expires') ?? '');
  return Number.isFinite(expires) ? Math.max(0, expires) : 0;
}

/**
 * A per-worker cache of fetched resources that honours Cache-Control (no-store, no-cache, max-age),
 * Expires, and revalidates stale entries with their ETag or Last-Modified. Bounded in entries.
 */
export class HttpCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** A fresh entry, or the validators to revalidate a stale one with. */
  lookup(uri: string, now = Date.now()): { fresh?: FetchedResource; conditional?: { etag?: string; lastModified?: string } } {
    const entry = this.#entries.get(uri);
    if (!entry) return {};
    this.#entries.delete(uri);
    this.#entries.set(uri, entry);
    if (entry.freshUntil > now) return { fresh: entry.resource };
    if (entry.etag === undefined && entry.lastModified === undefined) return {};
    return { conditional: { ...(entry.etag === undefined ? {} : { etag: entry.etag }), ...(entry.lastModified === undefined ? {} : { lastModified: entry.lastModified }) } };
  }

  /** Until when a stored resource is fresh (ms since epoch); 0 when it is not stored. */
  freshUntil(uri: string): number {
    return this.#entries.get(uri)?.freshUntil ?? 0;
  }

  /** Stores a 200, or refreshes the entry a 304 confirmed; answers the resource to use. */
  store(uri: string, status: 200 | 304, resource: FetchedResource, headers: Headers, now = Date.now()): FetchedResource {
    const previous = this.#entries.get(uri);
    if (status === 304 && previous) {
      previous.freshUntil = freshness(headers, now) ?? 0;
      return previous.resource;
    }
    const freshUntil = freshness(headers, now);
    const etag = one(headers, 'etag');
    const lastModified = one(headers, 'last-modified');
    if (freshUntil === undefined || this.#max === 0 || (freshUntil <= now && etag === undefined && lastModified === undefined)) {
      this.#entries.delete(uri);
      return resource;
    }
    this.#entries.set(uri, { resource, freshUntil, ...(etag === undefined ? {} : { etag }), ...(lastModified === undefined ? {} : { lastModified }) });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    return resource;
  }
}
