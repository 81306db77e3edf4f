import { TextDecoder } from 'node:util';
import { AkaraError } from '../errors.js';

const DECL_ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

/**
 * Decodes an XML document's bytes: a byte-order mark wins, then the XML declaration's encoding,
 * else UTF-8. Invalid bytes for the encoding are an error (AKR_ERR_XML_ENCODING), never replaced.
 */
export function decodeXml(bytes: Uint8Array, uri?: string): string {
  let label = 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    // The declaration is ASCII-compatible in every encoding we read without a BOM.
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    label = DECL_ENCODING.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  } catch {
    throw new AkaraError('AKR_ERR_XML_ENCODING', { encoding: label, ...(uri === undefined ? {} : { uri }) });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new AkaraError('AKR_ERR_XML_ENCODING', { encoding: label, ...(uri === undefined ? {} : { uri }) });
  }
}
