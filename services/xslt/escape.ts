/**
 * The escaping rules of XSLT 1.0 §16 for the xml and html output methods. Each escaper leaves a string with
 * nothing to escape as it is (one regex test), so the common case allocates nothing.
 */
import { AkaraError } from '../errors.js';

/**
 * Characters XML 1.0 cannot hold at all, not even as a character reference (§2.2), and lone surrogates
 * (what a string function may leave of a character outside the BMP), written as U+FFFD as UTF-8 would.
 */
const NOT_XML_CHAR = '[^\\t\\n\\r\\x20-\\uD7FF\\uE000-\\uFFFD\\uD800-\\uDFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const XML_TEXT = new RegExp(`[&<>\\r]|${NOT_XML_CHAR}`, 'g');
const XML_ATTRIBUTE = new RegExp(`[&<>"\\t\\n\\r]|${NOT_XML_CHAR}`, 'g');
const XML_DATA = new RegExp(NOT_XML_CHAR, 'g');
const HTML_TEXT = /[&<>]/g;
const HTML_ATTRIBUTE = /[&"]/g;

const REFERENCES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;',
};

function notXml(char: string): AkaraError {
  const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `the result holds the character U+${code}, which XML cannot represent` });
}

function reference(char: string): string {
  const ref = REFERENCES[char];
  if (ref !== undefined) return ref;
  if (char >= '\uD800' && char <= '\uDFFF') return '\uFFFD';
  throw notXml(char);
}

function escapeWith(pattern: RegExp, text: string): string {
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, reference) : text;
}

/** xml text: `&`, `<` and `>` as entity references, CR as `&#13;` (so a parser does not fold it into LF). */
export function escapeXmlText(text: string): string {
  return escapeWith(XML_TEXT, text);
}

/** xml attribute value, double-quoted: also `"`, and tab and line ends as character references (kept by parsers). */
export function escapeXmlAttribute(value: string): string {
  return escapeWith(XML_ATTRIBUTE, value);
}

/** html text (§16.2): `&` and `<`, and `>` as xsltproc does. */
export function escapeHtmlText(text: string): string {
  return escapeWith(HTML_TEXT, text);
}

/** html attribute value, double-quoted (§16.2): `&` and `"`; `<` and `>` stay. */
export function escapeHtmlAttribute(value: string): string {
  return escapeWith(HTML_ATTRIBUTE, value);
}

/** `data` (comment, processing instruction, CDATA) checked: AKR_ERR_XSLT_RUNTIME if it holds a character XML cannot. */
export function checkXmlData(data: string): string {
  return escapeWith(XML_DATA, data);
}

/** A CDATA section for `text`, split where it holds `]]>`. */
export function cdataSection(text: string): string {
  return `<![CDATA[${checkXmlData(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Comment data made safe as XSLT 1.0 §7.4 allows: a space after any `-` followed by `-` or ending the
 * comment. For html also a space before a leading `>` or `->`, which HTML parsers read as the comment's end.
 */
export function commentData(data: string, html: boolean): string {
  let safe = data.replace(/-(?=-|$)/g, '- ');
  if (html && /^-?>/.test(safe)) safe = ` ${safe}`;
  return safe;
}

/**
 * Processing-instruction data made safe as XSLT 1.0 §7.3 allows: a space between `?` and `>`. An html PI
 * ends at the first `>`, which therefore cannot be written as such inside one.
 */
export function processingInstructionData(data: string, html: boolean): string {
  return html ? data.replaceAll('>', '&gt;') : data.replaceAll('?>', '? >');
}

// XML 1.0 fifth edition, §2.3, without ':' (names are checked as QNames).
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
const QNAME = new RegExp(`^${NCNAME}(?::${NCNAME})?$`, 'u');
const PI_TARGET = new RegExp(`^${NCNAME}$`, 'u');

/** Throws AKR_ERR_XSLT_RUNTIME unless `name` is a QName (a name made from data must not inject markup). */
export function checkQName(name: string, what: string): string {
  if (!QNAME.test(name)) throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `the result has ${what} named ${JSON.stringify(name)}, which is not a QName` });
  return name;
}

/** Throws AKR_ERR_XSLT_RUNTIME unless `target` may name a processing instruction. */
export function checkPiTarget(target: string): string {
  if (!PI_TARGET.test(target) || target.toLowerCase() === 'xml') {
    throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `the result has a processing instruction named ${JSON.stringify(target)}` });
  }
  return target;
}
