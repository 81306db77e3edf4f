import type { MountPath, ServiceId } from '../schemas/service.js';

export type { MountPath, ServiceId };

/** Parses a service id, or returns the reason it is not one. */
export function parseServiceId(value: unknown): ServiceId | { error: string } {
  if (typeof value !== 'string' || value.length === 0) return { error: 'id must be a non-empty URI string' };
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value)) return { error: `id '${value}' is not an absolute URI (it has no scheme)` };
  try {
    return new URL(value).href as ServiceId;
  } catch {
    return { error: `id '${value}' is not a valid URI` };
  }
}

// RFC 3986 pchar: unreserved / pct-encoded / sub-delims / ":" / "@"
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** Paths the server keeps for itself: the listing and its own API under `/akara/`. */
export function isReservedPath(path: string): boolean {
  return path === '/' || path === '/akara' || path.startsWith('/akara/');
}

/** Parses a mount path, or returns the reason it is not one. */
export function parseMountPath(value: unknown): MountPath | { error: string } {
  if (typeof value !== 'string' || !value.startsWith('/')) return { error: `mount path ${JSON.stringify(value)} must start with '/'` };
  if (isReservedPath(value)) return { error: `mount path '${value}' is reserved for the server itself` };
  for (const segment of value.slice(1).split('/')) {
    if (segment === '') return { error: `mount path '${value}' has an empty segment or a trailing '/'` };
    if (segment === '.' || segment === '..') return { error: `mount path '${value}' has a '${segment}' segment` };
    if (!SEGMENT.test(segment)) return { error: `mount path '${value}' has characters that must be percent-encoded` };
  }
  return value as MountPath;
}

export function isParseError(value: unknown): value is { error: string } {
  return typeof value === 'object' && value !== null && 'error' in value;
}
