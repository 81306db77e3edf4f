const kXml = Symbol.for('akara.xml');

/**
 * An XML document from the engine layer: anything that serialises itself to XML text. It may also give
 * the tree its text parses to, which the next consumer in the same worker (a pipeline's next stage) then
 * takes instead of parsing the bytes.
 */
export interface XmlBody {
  readonly [kXml]: true;
  serialize(): string;
  sourceTree?: (() => unknown) | undefined;
}

/** Wraps a serialiser as an XML body (the engine layer's documents implement this). */
export function xmlBody(serialize: () => string, sourceTree?: () => unknown): XmlBody {
  return { [kXml]: true, serialize, sourceTree };
}

/** Encoded XML bodies of this thread whose tree can be had without parsing them; dropped with the bytes. */
const sourceTrees = new WeakMap<Uint8Array, () => unknown>();

/**
 * The tree `bytes` parse to, when they are an XML body encoded in this thread that can give it, else
 * undefined (then parse the bytes). The first call takes it: later ones answer undefined. Bytes must not be
 * changed after encoding.
 */
export function sourceTreeOf(bytes: Uint8Array): unknown {
  const take = sourceTrees.get(bytes);
  sourceTrees.delete(bytes);
  return take?.();
}

/** Whether `bytes` were offered with their tree (sourceTreeOf may still answer undefined: the engine declines some). */
export function hasSourceTree(bytes: Uint8Array): boolean {
  return sourceTrees.has(bytes);
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
  if (isXmlBody(body)) {
    const bytes = encoder.encode(body.serialize());
    if (body.sourceTree !== undefined) sourceTrees.set(bytes, body.sourceTree);
    return { bytes, inferredType: 'application/xml' };
  }
  return { bytes: encoder.encode(JSON.stringify(body)), inferredType: 'application/json' };
}
