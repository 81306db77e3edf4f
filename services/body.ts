const kXml = Symbol.for('akara.xml');

/** An XML document from the engine layer: anything that serialises itself to XML text. */
export interface XmlBody {
  readonly [kXml]: true;
  serialize(): string;
}

/** Wraps a serialiser as an XML body (the engine layer's documents implement this). */
export function xmlBody(serialize: () => string): XmlBody {
  return { [kXml]: true, serialize };
}

export function isXmlBody(value: unknown): value is XmlBody {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kXml] === true;
}

const encoder = new TextEncoder();

/**
 * Encodes a handler's result as bytes with the media type inferred from its kind:
 * string -> text/plain, XML -> application/xml, bytes -> application/octet-stream, other values -> JSON.
 * The bytes own their buffer, so they can be transferred between threads without copying.
 */
export function encodeBody(body: unknown): { bytes: Uint8Array; inferredType: string | undefined } {
  if (body === undefined) return { bytes: new Uint8Array(0), inferredType: undefined };
  if (typeof body === 'string') return { bytes: encoder.encode(body), inferredType: 'text/plain; charset=utf-8' };
  if (body instanceof Uint8Array) return { bytes: body, inferredType: 'application/octet-stream' };
  if (isXmlBody(body)) return { bytes: encoder.encode(body.serialize()), inferredType: 'application/xml' };
  return { bytes: encoder.encode(JSON.stringify(body)), inferredType: 'application/json' };
}
