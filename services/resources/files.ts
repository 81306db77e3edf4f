import { readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Dependency } from '../../schemas/wire.js';
import { AkaraError } from '../errors.js';
import { mediaTypeOf } from './media-types.js';

export interface FileResource {
  bytes: Uint8Array;
  contentType: string;
  /** Size and modification time: changes whenever the file does. */
  validator: string;
  dependency: Dependency;
}

/** Reads a file of at most `maxBytes`; `name` is what errors call it. */
export async function readLimited(path: string, maxBytes: number, name: string): Promise<FileResource> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: name });
  if (info.size > maxBytes) throw new AkaraError('AKR_ERR_FETCH_TOO_LARGE', { uri: name, limit: maxBytes });
  const bytes = new Uint8Array(await readFile(path));
  return {
    bytes,
    contentType: mediaTypeOf(path),
    validator: `"${info.size.toString(36)}-${Math.trunc(info.mtimeMs * 1000).toString(36)}"`,
    dependency: { kind: 'file', path, size: info.size, mtimeMs: info.mtimeMs },
  };
}

/**
 * The file a request path names below `root`. Each segment is decoded once; a segment that is empty,
 * a dot segment, or hides a separator or NUL is refused, and the real path (after symlinks) must stay
 * below the root's real path: `..`, encoded or not, and symlinks out of the root never escape it.
 */
export async function fileBelow(root: string, pathInfo: string): Promise<string> {
  const segments = pathInfo.split('/').slice(1);
  if (segments.length === 0 || segments.at(-1) === '') throw new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: pathInfo || '/' });
  const decoded = segments.map((segment) => {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      throw new AkaraError('AKR_ERR_URI_INVALID', { uri: pathInfo, reason: 'a path segment is not valid percent-encoded UTF-8' });
    }
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
      throw new AkaraError('AKR_ERR_PATH_FORBIDDEN', { path: pathInfo });
    }
    return name;
  });
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(join(realRoot, ...decoded));
  } catch {
    throw new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: pathInfo });
  }
  if (!real.startsWith(realRoot + sep)) throw new AkaraError('AKR_ERR_PATH_FORBIDDEN', { path: pathInfo });
  return real;
}
