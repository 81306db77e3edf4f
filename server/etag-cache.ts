import { stat } from 'node:fs/promises';
import type { Dependency } from '../schemas/wire.js';

interface Entry {
  etag: string;
  dependencies: Dependency[];
}

/** Whether an If-None-Match header names the ETag (weak comparison, RFC 9110 §13.1.2). */
export function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === wanted);
}

async function stillValid(dependency: Dependency, now: number): Promise<boolean> {
  if (dependency.kind === 'fetched') return dependency.freshUntil > now;
  const info = await stat(dependency.path).catch(() => undefined);
  return info !== undefined && info.size === dependency.size && info.mtimeMs === dependency.mtimeMs;
}

/**
 * The ETags of recent GET answers with what each was computed from, so a conditional GET whose files
 * are unchanged and whose fetched resources are still fresh is answered 304 by the master, without a
 * worker task. Bounded; least recently used entries go first.
 */
export class EtagCache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(maxEntries = 4096) {
    this.#max = maxEntries;
  }

  remember(key: string, etag: string, dependencies: Dependency[]): void {
    this.#entries.delete(key);
    this.#entries.set(key, { etag, dependencies });
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  /** The ETag stored for `key` if everything it depends on is unchanged. */
  async current(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const now = Date.now();
    const valid = await Promise.all(entry.dependencies.map((d) => stillValid(d, now)));
    if (valid.every(Boolean)) return entry.etag;
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
    return undefined;
  }
}
