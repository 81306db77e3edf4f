import { extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.xml': 'application/xml',
  '.xsl': 'application/xslt+xml',
  '.xslt': 'application/xslt+xml',
  '.rdf': 'application/rdf+xml',
  '.atom': 'application/atom+xml',
  '.svg': 'image/svg+xml',
  '.xhtml': 'application/xhtml+xml',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
};

/** The media type of a file by its extension; unknown ones are bytes. */
export function mediaTypeOf(path: string): string {
  return BY_EXTENSION[extname(path).toLowerCase()] ?? 'application/octet-stream';
}
