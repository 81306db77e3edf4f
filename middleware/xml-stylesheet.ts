import { SaxesParser } from 'saxes';

/** The `type` values that name an XSLT stylesheet (browsers also take these two, and no others, as XSLT). */
const XSLT_TYPES = new Set(['text/xsl', 'application/xslt+xml']);
/** A pseudo-attribute and the whitespace (or end) after it. */
const PSEUDO_ATTRIBUTE = /([A-Za-z_][\w.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')(?:\s+|$)/y;
const REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const BARE_AMPERSAND = /&(?!(?:#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);)/;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Whether a Content-Type names an XML document (`application/xml`, `text/xml` or any `+xml` type). */
export function isXmlMediaType(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml');
}

function unescape(value: string): string | undefined {
  if (BARE_AMPERSAND.test(value)) return undefined;
  try {
    return value.replace(REFERENCE, (_whole, hex: string | undefined, dec: string | undefined, name: string | undefined) =>
      name !== undefined ? NAMED[name]! : String.fromCodePoint(Number.parseInt(hex ?? dec!, hex === undefined ? 10 : 16)));
  } catch {
    return undefined;
  }
}

/**
 * The pseudo-attributes of an `xml-stylesheet` PI, or undefined when they are not well-formed (then the PI
 * is ignored, as https://www.w3.org/TR/xml-stylesheet/#the-xml-stylesheet-processing-instruction says).
 */
function pseudoAttributes(body: string): Map<string, string> | undefined {
  const attributes = new Map<string, string>();
  const text = body.trim();
  let at = 0;
  while (at < text.length) {
    PSEUDO_ATTRIBUTE.lastIndex = at;
    const match = PSEUDO_ATTRIBUTE.exec(text);
    if (!match) return undefined;
    const value = unescape(match[2] ?? match[3]!);
    if (value === undefined || attributes.has(match[1]!)) return undefined;
    attributes.set(match[1]!, value);
    at = PSEUDO_ATTRIBUTE.lastIndex;
  }
  return attributes;
}

function xsltHref(body: string): string | undefined {
  const attributes = pseudoAttributes(body);
  const type = attributes?.get('type')?.split(';')[0]?.trim().toLowerCase();
  if (type === undefined || !XSLT_TYPES.has(type) || attributes!.get('alternate') === 'yes') return undefined;
  return attributes!.get('href');
}

class EndOfProlog extends Error {}

/**
 * The `href` of a document's first `<?xml-stylesheet type="text/xsl" href="..."?>` (or
 * `application/xslt+xml`, not `alternate="yes"`) before its root element; undefined when it has none.
 * Only the prolog is read; a document malformed there has none.
 *
 * @example
 * xsltStylesheetHref('<?xml-stylesheet type="text/xsl" href="page.xsl"?><doc/>') // 'page.xsl'
 */
export function xsltStylesheetHref(text: string): string | undefined {
  let href: string | undefined;
  const parser = new SaxesParser();
  parser.on('processinginstruction', ({ target, body }) => {
    if (target === 'xml-stylesheet') href ??= xsltHref(body);
  });
  parser.on('opentagstart', () => {
    throw new EndOfProlog();
  });
  parser.on('error', () => {
    throw new EndOfProlog();
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (!(err instanceof EndOfProlog)) throw err;
  }
  return href;
}
