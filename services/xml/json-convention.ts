/**
 * The JSON convention of `akara.xml2json` and `akara.json2xml`: an XML document as JSON that keeps names with
 * their prefixes, namespace declarations, attributes in order, text, mixed content, comments and processing
 * instructions, so XML -> JSON -> XML gives back the same document.
 *
 * - The document is `{"children": [...]}`: exactly one element, plus the comments and processing instructions
 *   around it, in order. Whitespace outside the element, the XML declaration and a bare `<!DOCTYPE name>` are
 *   not kept (they are not content; a DOCTYPE with declarations is refused before conversion).
 * - An element is `{"name", "attributes", "children"}`. `name` is the qualified name as written (`x:item`).
 *   `attributes` maps each qualified name to its value in document order, namespace declarations included
 *   (`"xmlns": "urn:a"`, `"xmlns:x": "urn:x"`). `children` lists the content in order.
 * - Text is a JSON string: entity and character references are resolved, CDATA sections become text, adjacent
 *   text is merged, and whitespace is kept as is (attribute values are normalised as XML 1.0 section 3.3.3 says).
 * - A comment is `{"comment": " text "}`; a processing instruction is `{"pi": "target", "data": "..."}`.
 * - Every value is a string: nothing is read as a number or a boolean.
 * - xmlToJson always writes all the keys above; jsonToXml also accepts an element without `attributes` or
 *   `children`, and a processing instruction without `data`. Any other key is refused.
 *
 * jsonToXml writes UTF-8 text without an XML declaration (none is needed for UTF-8), top-level nodes separated
 * by a newline, attributes in double quotes, empty elements as `<x/>`, and escapes as Canonical XML does
 * (https://www.w3.org/TR/xml-c14n/#ProcessingModel): `&amp; &lt; &gt; &#xD;` in text, `&amp; &lt; &quot;
 * &#x9; &#xA; &#xD;` in attribute values. A document written that way comes back character for character;
 * any other comes back with the same content. JSON from xmlToJson comes back unchanged from JSON -> XML -> JSON.
 *
 * Names such as `__proto__` or `constructor` are ordinary names: they are only ever keys of own properties or
 * string values, never looked up on a prototype.
 *
 * @example
 * xmlToJson('<p xmlns:x="urn:x" x:id="1">a <b>bold</b></p>', limits)
 * // {"children": [{"name": "p", "attributes": {"xmlns:x": "urn:x", "x:id": "1"},
 * //   "children": ["a ", {"name": "b", "attributes": {}, "children": ["bold"]}]}]}
 */
import { XMLParser, type XMLMetaData } from 'fast-xml-parser';
import type { XmlLimits } from '../../schemas/config.js';
import { AkaraError } from '../errors.js';
import { decodeXml } from './decode.js';
import { checkXml } from './parse.js';

export type XmlJsonNode = string | XmlJsonElement | XmlJsonComment | XmlJsonPi;
export type XmlJsonElement = { name: string; attributes: Record<string, string>; children: XmlJsonNode[] };
export type XmlJsonComment = { comment: string };
export type XmlJsonPi = { pi: string; data: string };
export type XmlJsonDocument = { children: XmlJsonNode[] };

// ---- XML -> JSON

/**
 * fast-xml-parser refuses elements named `__proto__`, `constructor` or `prototype` and renames `toString` and
 * the like, so element names get this mark, which no XML name can contain, and lose it here. 5.12.1 applies the
 * transform twice to empty elements (`<<x`), hence every leading mark is removed.
 */
const ELEMENT_MARK = '<';
const LEADING_MARKS = /^<+/;
const ATTRIBUTE_MARK = '@';
const TEXT = '#text';
const CDATA = '#cdata';
const COMMENT = '#comment';
// Typed `Symbol` (the wrapper) in 5.12.1's declarations; it is a symbol.
const METADATA = XMLParser.getMetaDataSymbol() as symbol;

function parserFor(limits: XmlLimits): XMLParser {
  return new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_MARK,
    allowBooleanAttributes: false,
    removeNSPrefix: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    textNodeName: TEXT,
    cdataPropName: CDATA,
    commentPropName: COMMENT,
    ignoreDeclaration: true,
    ignorePiTags: false,
    // References are resolved below, not by the parser: with `htmlEntities: false` 5.12.1 leaves character
    // references such as `&#x263A;` unresolved, and it resolves attribute values without normalising them first
    // (a tab and `&#9;` would both stay tabs). So the parser expands nothing at all; checkXml has already refused
    // any DTD that declares entities, and the expansion limits are at their minimum all the same.
    processEntities: { enabled: false, maxEntitySize: 1, maxExpansionDepth: 1, maxTotalExpansions: 1, maxExpandedLength: 1, maxEntityCount: 1 },
    htmlEntities: false,
    transformTagName: (name) => ELEMENT_MARK + name,
    // A processing instruction's data is read from the source at this offset: the parser keeps only pseudo-attributes.
    captureMetaData: true,
    maxNestedTags: limits.maxDepth,
    // No callback here reads the path; building it as a string for every element is quadratic in the depth.
    jPath: false,
  });
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g;

/** Resolves the predefined entities and character references; checkXml has refused every other reference. */
function resolveReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(REFERENCE, (_whole, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    if (decimal !== undefined) return String.fromCodePoint(Number.parseInt(decimal, 10));
    return PREDEFINED[name!]!;
  });
}

type FxpEntry = Record<string, unknown>;

function internal(reason: string, cause?: unknown): AkaraError {
  return new AkaraError('AKR_ERR_INTERNAL', { reason: `xml2json: ${reason}` }, { cause });
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  // Comments and CDATA sections come as `[{"#text": "..."}]`.
  const inner = Array.isArray(value) && value.length === 1 ? (value[0] as FxpEntry)[TEXT] : undefined;
  if (typeof inner !== 'string') throw internal('unexpected text node');
  return inner;
}

function appendText(out: XmlJsonNode[], text: string): void {
  if (text === '') return;
  const last = out.length - 1;
  if (typeof out[last] === 'string') out[last] += text;
  else out.push(text);
}

function processingInstruction(entry: FxpEntry, key: string, source: string): XmlJsonPi {
  const start = (entry as Record<symbol, XMLMetaData | undefined>)[METADATA]?.startIndex;
  const end = start === undefined ? -1 : source.indexOf('?>', start);
  const match = end === -1 ? null : /^([^ \t\n]+)[ \t\n]*([\s\S]*)$/.exec(source.slice(start! + 2, end).replace(/\r\n?/g, '\n'));
  if (match === null || match[1] !== key.slice(1)) throw internal(`cannot locate processing instruction ${key}`);
  return { pi: match[1], data: match[2]! };
}

function element(entry: FxpEntry, key: string): XmlJsonElement {
  const raw = entry[':@'] ?? {};
  const attributes = Object.entries(raw as Record<string, unknown>).map(([name, value]): [string, string] => {
    if (!name.startsWith(ATTRIBUTE_MARK) || typeof value !== 'string') throw internal(`unexpected attribute ${name}`);
    // Attribute-value normalisation (XML 1.0 section 3.3.3): literal whitespace becomes a space, references do not.
    return [name.slice(ATTRIBUTE_MARK.length), resolveReferences(value.replace(/[\t\n\r]/g, ' '))];
  });
  // Object.fromEntries defines own properties, so `__proto__` is an attribute like any other.
  return { name: key.replace(LEADING_MARKS, ''), attributes: Object.fromEntries(attributes), children: [] };
}

/** Walks fast-xml-parser's ordered tree with a stack rather than recursion: depth may be up to limits.maxDepth. */
function toConvention(top: FxpEntry[], source: string): XmlJsonDocument {
  const document: XmlJsonDocument = { children: [] };
  const work: Array<{ entries: FxpEntry[]; out: XmlJsonNode[]; inElement: boolean }> = [{ entries: top, out: document.children, inElement: false }];
  for (let frame = work.pop(); frame !== undefined; frame = work.pop()) {
    const { entries, out, inElement } = frame;
    for (const entry of entries) {
      const key = Object.keys(entry).find((k) => k !== ':@');
      const value = key === undefined ? undefined : entry[key];
      if (key === TEXT) {
        // Outside the document element, text is whitespace between nodes: not content.
        if (inElement) appendText(out, resolveReferences(textOf(value)));
      } else if (key === CDATA) {
        appendText(out, textOf(value));
      } else if (key === COMMENT) {
        out.push({ comment: textOf(value) });
      } else if (key?.startsWith('?')) {
        out.push(processingInstruction(entry, key, source));
      } else if (key?.startsWith(ELEMENT_MARK) && Array.isArray(value)) {
        const node = element(entry, key);
        out.push(node);
        work.push({ entries: value as FxpEntry[], out: node.children, inElement: true });
      } else {
        throw internal(`unexpected node ${String(key)}`);
      }
    }
  }
  return document;
}

/**
 * Converts an XML document to the JSON convention described above. Throws AKR_ERR_XML_MALFORMED (with line and
 * column), AKR_ERR_XML_DTD_FORBIDDEN, AKR_ERR_XML_LIMIT or AKR_ERR_XML_ENCODING.
 *
 * @example
 * xmlToJson('<a x="1">t<!--c--></a>', limits)
 * // {"children": [{"name": "a", "attributes": {"x": "1"}, "children": ["t", {"comment": "c"}]}]}
 */
export function xmlToJson(input: Uint8Array | string, limits: XmlLimits): XmlJsonDocument {
  const problem = checkXml(input, { limits }, 1)[0];
  if (problem !== undefined) {
    throw new AkaraError('AKR_ERR_XML_MALFORMED', { line: problem.line, column: problem.column, reason: problem.message });
  }
  const source = typeof input === 'string' ? input : decodeXml(input);
  let tree: unknown;
  try {
    tree = parserFor(limits).parse(source);
  } catch (err) {
    throw internal('fast-xml-parser refused a document that checkXml accepted', err);
  }
  if (!Array.isArray(tree)) throw internal('unexpected result');
  return toConvention(tree as FxpEntry[], source);
}

// ---- JSON -> XML

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
// XML 1.0 fifth edition NameStartChar and NameChar, without the colon (https://www.w3.org/TR/xml/#NT-Name).
const NC_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D'
  + '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NC_NAME = `[${NC_START}][${NC_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`;
/** A qualified name (https://www.w3.org/TR/xml-names/#NT-QName): the names a namespace-aware parser accepts. */
const QNAME = new RegExp(`^(?:(${NC_NAME}):)?(${NC_NAME})$`, 'u');
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

type JsonObject = { [key: string]: unknown };
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Reads only own properties: `{"constructor": ...}` never finds Object.prototype.constructor. */
const own = (object: JsonObject, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined);

function malformed(path: string, reason: string): AkaraError {
  return new AkaraError('AKR_ERR_JSON_MALFORMED', { reason: `${path}: ${reason}`, path });
}

function tooBig(what: string, limit: number, path?: string): AkaraError {
  return new AkaraError('AKR_ERR_XML_LIMIT', { what, limit, ...(path === undefined ? {} : { path }) });
}

function parseJson(input: Uint8Array | string, limits: XmlLimits): unknown {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (bytes > limits.maxBytes) throw tooBig('JSON size in bytes', limits.maxBytes);
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (err) {
    throw new AkaraError('AKR_ERR_JSON_MALFORMED', { reason: 'the JSON is not valid UTF-8' }, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AkaraError('AKR_ERR_JSON_MALFORMED', { reason: (err as Error).message }, { cause: err });
  }
}

function checkKeys(node: JsonObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(node)) {
    if (!allowed.includes(key)) throw malformed(path, `unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
  }
}

function checkText(value: unknown, path: string, limits: XmlLimits): string {
  if (typeof value !== 'string') throw malformed(path, 'must be a string');
  const bad = NOT_XML_CHAR.exec(value);
  if (bad !== null) throw malformed(path, `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
  if (value.length > limits.maxTextLength) throw tooBig('text length', limits.maxTextLength, path);
  return value;
}

function checkName(value: unknown, path: string, limits: XmlLimits): { prefix: string | undefined; local: string } {
  if (typeof value !== 'string') throw malformed(path, 'must be a string');
  const match = QNAME.exec(value);
  if (match === null) throw malformed(path, `${JSON.stringify(value)} is not an XML name`);
  if (value.length > limits.maxNameLength) throw tooBig('name length', limits.maxNameLength, path);
  return { prefix: match[1], local: match[2]! };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };
const escapeText = (text: string) => text.replace(/[&<>\r]/g, (c) => ESCAPES[c]!);
const escapeAttribute = (value: string) => value.replace(/[&<"\t\n\r]/g, (c) => ESCAPES[c]!);

/** In-scope prefixes: each a stack of URIs, pushed by an element's declarations and popped at its end. */
type Scope = Map<string, string[]>;

/** Checks an element's names and namespaces; answers its start tag, without the closing `>` or `/>`. */
function startTag(node: JsonObject, path: string, scope: Scope, declared: string[], limits: XmlLimits): string {
  checkKeys(node, ['name', 'attributes', 'children'], path);
  const name = checkName(own(node, 'name'), `${path}.name`, limits);
  const attributes = own(node, 'attributes') ?? {};
  if (!isObject(attributes)) throw malformed(`${path}.attributes`, 'must be an object of names to string values');
  const entries = Object.entries(attributes);
  if (entries.length > limits.maxAttributes) throw tooBig('attributes per element', limits.maxAttributes, `${path}.attributes`);
  const checked = entries.map(([key, value]) => {
    const at = `${path}.attributes[${JSON.stringify(key)}]`;
    return { key, at, name: checkName(key, at, limits), value: checkText(value, at, limits) };
  });
  // Declarations first: they are in scope for the element's own name and for every attribute, whatever the order.
  // The rules are those of https://www.w3.org/TR/xml-names/#xmlReserved and section 5.
  for (const { key, at, name: { prefix, local }, value } of checked) {
    if (key === 'xmlns') {
      if (value === XML_NS || value === XMLNS_NS) throw malformed(at, `${value} cannot be the default namespace`);
      continue;
    }
    if (prefix !== 'xmlns') continue;
    if (local === 'xmlns') throw malformed(at, 'the prefix xmlns cannot be declared');
    if (local === 'xml' && value !== XML_NS) throw malformed(at, `the prefix xml is bound to ${XML_NS} only`);
    if (local !== 'xml' && (value === XML_NS || value === XMLNS_NS)) throw malformed(at, `${value} cannot be bound to ${local}`);
    if (value === '') throw malformed(at, 'a prefix cannot be undeclared in XML 1.0');
    const stack = scope.get(local) ?? [];
    scope.set(local, stack);
    stack.push(value);
    declared.push(local);
  }
  const bound = (prefix: string, at: string): string => {
    const uri = scope.get(prefix)?.at(-1);
    if (uri === undefined) throw malformed(at, `the prefix ${prefix} is not declared`);
    return uri;
  };
  if (name.prefix === 'xmlns') throw malformed(`${path}.name`, 'the prefix xmlns is reserved');
  if (name.prefix !== undefined) bound(name.prefix, `${path}.name`);
  const expanded = new Set<string>();
  let tag = `<${own(node, 'name') as string}`;
  for (const { key, at, name: { prefix, local }, value } of checked) {
    if (prefix !== undefined && prefix !== 'xmlns') {
      const expandedName = `{${bound(prefix, at)}}${local}`;
      if (expanded.has(expandedName)) throw malformed(at, `a second attribute named ${expandedName}`);
      expanded.add(expandedName);
    }
    tag += ` ${key}="${escapeAttribute(value)}"`;
  }
  return tag;
}

interface Frame {
  children: unknown[];
  path: string;
  next: number;
  /** undefined for the document. */
  name: string | undefined;
  declared: string[];
}

/** Validates and writes in one pass, with a stack rather than recursion: depth may be up to limits.maxDepth. */
function serialise(document: unknown, limits: XmlLimits): string {
  if (!isObject(document)) throw malformed('$', 'must be an object {"children": [...]}, the document');
  checkKeys(document, ['children'], '$');
  const top = own(document, 'children');
  if (!Array.isArray(top)) throw malformed('$.children', 'must be an array: the document element, with any comments and processing instructions');
  const out: string[] = [];
  let length = 0;
  const emit = (text: string) => {
    // UTF-8 takes at least one byte per UTF-16 unit, so this bounds the size before it is measured exactly.
    length += text.length;
    if (length > limits.maxBytes) throw tooBig('document size in bytes', limits.maxBytes);
    out.push(text);
  };
  const scope: Scope = new Map([['xml', [XML_NS]]]);
  const stack: Frame[] = [{ children: top, path: '$', next: 0, name: undefined, declared: [] }];
  let elements = 0;
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    if (frame.next === frame.children.length) {
      stack.pop();
      if (frame.name !== undefined) emit(`</${frame.name}>`);
      for (const prefix of frame.declared) scope.get(prefix)!.pop();
      continue;
    }
    const index = frame.next++;
    const child = frame.children[index];
    const inDocument = frame.name === undefined;
    const path = `${frame.path}.children[${index}]`;
    if (inDocument && index > 0) emit('\n');
    if (typeof child === 'string') {
      if (inDocument) throw malformed(path, 'text is not allowed outside the document element');
      emit(escapeText(checkText(child, path, limits)));
    } else if (!isObject(child)) {
      throw malformed(path, 'must be text (a string), an element, a comment or a processing instruction');
    } else if (Object.hasOwn(child, 'name')) {
      if (inDocument && ++elements > 1) throw malformed(path, 'a document has exactly one element');
      if (stack.length > limits.maxDepth) throw tooBig('element depth', limits.maxDepth, path);
      const children = own(child, 'children') ?? [];
      if (!Array.isArray(children)) throw malformed(`${path}.children`, 'must be an array');
      const declared: string[] = [];
      emit(startTag(child, path, scope, declared, limits));
      if (children.length === 0) {
        emit('/>');
        for (const prefix of declared) scope.get(prefix)!.pop();
      } else {
        emit('>');
        stack.push({ children, path, next: 0, name: own(child, 'name') as string, declared });
      }
    } else if (Object.hasOwn(child, 'comment')) {
      checkKeys(child, ['comment'], path);
      const comment = checkText(own(child, 'comment'), `${path}.comment`, limits);
      if (comment.includes('--') || comment.endsWith('-')) throw malformed(`${path}.comment`, "a comment cannot contain '--' or end with '-'");
      emit(`<!--${comment}-->`);
    } else if (Object.hasOwn(child, 'pi')) {
      checkKeys(child, ['pi', 'data'], path);
      const target = checkName(own(child, 'pi'), `${path}.pi`, limits);
      if (target.prefix !== undefined || /^xml$/i.test(target.local)) throw malformed(`${path}.pi`, `${JSON.stringify(target.local)} is not a processing instruction target`);
      const data = checkText(own(child, 'data') ?? '', `${path}.data`, limits);
      if (data.includes('?>') || /^[ \t\r\n]/.test(data)) throw malformed(`${path}.data`, "must not contain '?>' nor start with whitespace");
      emit(data === '' ? `<?${target.local}?>` : `<?${target.local} ${data}?>`);
    } else {
      throw malformed(path, 'must be an element {"name": ...}, a comment {"comment": ...} or a processing instruction {"pi": ...}');
    }
  }
  if (elements === 0) throw malformed('$.children', 'a document needs one element');
  const xml = out.join('');
  if (Buffer.byteLength(xml) > limits.maxBytes) throw tooBig('document size in bytes', limits.maxBytes);
  return xml;
}

/**
 * Converts JSON in the convention described above to XML, refusing anything that would not be well-formed and
 * namespace-well-formed. Throws AKR_ERR_JSON_MALFORMED (the reason starts with the JSON path, also in
 * `detail.path`) or AKR_ERR_XML_LIMIT (the same limits as for parsing, applied to the XML written).
 *
 * @example
 * jsonToXml('{"children": [{"name": "a", "attributes": {"x": "1"}, "children": ["t & u"]}]}', limits)
 * // '<a x="1">t &amp; u</a>'
 */
export function jsonToXml(input: Uint8Array | string, limits: XmlLimits): string {
  return serialise(parseJson(input, limits), limits);
}
