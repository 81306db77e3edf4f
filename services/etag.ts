import { createHash } from 'node:crypto';

/** A strong ETag from everything an answer depends on (content hashes, validators, params, versions). */
export function strongEtag(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return `"${hash.digest('base64url').slice(0, 32)}"`;
}

/** A content hash, for sources that come without a validator. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}
