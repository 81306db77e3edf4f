import type { XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import {
  ATTRIBUTE, CDATA, COMMENT, DOCUMENT, ELEMENT, MAX_XPATH_RESULT_CHARS, PI, TEXT, XPATH_RESULTS_NS,
  isNamespaceDeclaration, stringValue, type XPathResult,
} from './evaluate.js';

export interface SerializeOptions {
  /** Defaults to MAX_XPATH_RESULT_CHARS. */
  maxChars?: number;
}

export type XPathFormat = 'xml' | 'text' | 'json';

/** XPath 1.0 §4.2 string(): no exponent, no `-0`, integers without a decimal point. */
export function formatXPathNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return '0';
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, rest = '', exp] = match;
  const digits = lead! + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

// `>` too, so that `]]>` never appears; CR as a reference so that it survives re-parsing.
function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
function escapeAttribute(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

type Scope = ReadonlyMap<string, string>;
const NO_SCOPE: Scope = new Map();

/** Collects output and stops at the size bound. */
class Writer {
  readonly #parts: string[] = [];
  #length = 0;
  /** The namespace declarations in scope on source elements, each computed once per serialisation. */
  readonly scopes = new Map<XNode, Scope>();
  constructor(readonly max: number) {}

  write(s: string): void {
    this.#length += s.length;
    if (this.#length > this.max) throw new AkaraError('AKR_ERR_XML_LIMIT', { what: 'characters in a serialised XPath result', limit: this.max });
    this.#parts.push(s);
  }

  toString(): string {
    return this.#parts.join('');
  }

  /** What was written since the last take; the size already counted stays counted. */
  take(): string {
    const text = this.toString();
    this.#parts.length = 0;
    return text;
  }
}

/** `xmlns` or `xmlns:p` to URI, in scope on an element (iteratively and memoised: wide and deep trees). */
function scopeOf(element: XNode, scopes: Map<XNode, Scope>): Scope {
  const pending: XNode[] = [];
  let scope: Scope = NO_SCOPE;
  for (let node: XNode | undefined = element; node && node.nodeType === ELEMENT; node = node.parentNode) {
    const known = scopes.get(node);
    if (known) {
      scope = known;
      break;
    }
    pending.push(node);
  }
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const declarations = node.childNodes.filter(isNamespaceDeclaration);
    if (declarations.length > 0) {
      const extended = new Map(scope);
      for (const declaration of declarations) extended.set(declaration.nodeName, String(declaration.nodeValue ?? ''));
      scope = extended;
    }
    scopes.set(node, scope);
  }
  return scope;
}

/**
 * The namespace declarations a copied element needs beyond its own: those in scope at its place in the
 * source (as xsl:copy-of copies them), and `xmlns=""` when it would otherwise fall into the wrapper's
 * default namespace.
 */
function inheritedDeclarations(element: XNode, outerDefault: string, scopes: Map<XNode, Scope>): string {
  const own = new Set(element.childNodes.filter(isNamespaceDeclaration).map((a) => a.nodeName));
  const inherited = element.parentNode?.nodeType === ELEMENT ? scopeOf(element.parentNode, scopes) : NO_SCOPE;
  let declarations = '';
  for (const [name, uri] of inherited) {
    if (!own.has(name) && name !== 'xmlns' && name !== 'xmlns:xml') declarations += ` ${name}="${escapeAttribute(uri)}"`;
  }
  const defaultUri = own.has('xmlns') ? undefined : inherited.get('xmlns') ?? '';
  if (defaultUri !== undefined && defaultUri !== outerDefault) declarations += ` xmlns="${escapeAttribute(defaultUri)}"`;
  return declarations;
}

/** Writes a node, not a document, as XML; an element with its subtree (iteratively: documents may be deep). */
function writeCopy(node: XNode, out: Writer, outerDefault: string): void {
  const stack: (XNode | string)[] = [node];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item === 'string') {
      out.write(item);
      continue;
    }
    switch (item.nodeType) {
      case ELEMENT: {
        let tag = `<${item.nodeName}`;
        if (item === node) tag += inheritedDeclarations(item, outerDefault, out.scopes);
        const children: XNode[] = [];
        for (const child of item.childNodes) {
          if (child.nodeType === ATTRIBUTE) tag += ` ${child.nodeName}="${escapeAttribute(String(child.nodeValue ?? ''))}"`;
          else children.push(child);
        }
        if (children.length === 0) {
          out.write(`${tag}/>`);
          break;
        }
        out.write(`${tag}>`);
        stack.push(`</${item.nodeName}>`);
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
        break;
      }
      case TEXT:
      case CDATA:
        out.write(escapeText(String(item.nodeValue ?? '')));
        break;
      case COMMENT:
        out.write(`<!--${String(item.nodeValue ?? '')}-->`);
        break;
      case PI: {
        const body = String(item.nodeValue ?? '');
        out.write(`<?${item.nodeName}${body === '' ? '' : ` ${body}`}?>`);
        break;
      }
    }
  }
}

/** An element, or a document's children, as XML outside any wrapper. */
function copyOf(node: XNode, out: Writer): string {
  if (node.nodeType === DOCUMENT) {
    for (const child of node.childNodes) writeCopy(child, out, '');
  } else {
    writeCopy(node, out, '');
  }
  return out.take();
}

function kindOf(node: XNode): string {
  switch (node.nodeType) {
    case ELEMENT: return 'element';
    case ATTRIBUTE: return 'attribute';
    case TEXT: case CDATA: return 'text';
    case COMMENT: return 'comment';
    case PI: return 'processing-instruction';
    default: return 'document';
  }
}

/** One result node for JSON; elements and documents as XML with the namespace declarations they need. */
function jsonNode(node: XNode, out: Writer): Record<string, string> {
  const kind = kindOf(node);
  switch (kind) {
    case 'element': case 'document': return { kind, xml: copyOf(node, out) };
    case 'attribute': return node.namespaceUri
      ? { kind, name: node.nodeName, namespace: String(node.namespaceUri), value: String(node.nodeValue ?? '') }
      : { kind, name: node.nodeName, value: String(node.nodeValue ?? '') };
    case 'processing-instruction': return { kind, target: node.nodeName, value: String(node.nodeValue ?? '') };
    default: return { kind, value: String(node.nodeValue ?? '') };
  }
}

function xmlItem(node: XNode, out: Writer): void {
  switch (node.nodeType) {
    case ATTRIBUTE: {
      const namespace = node.namespaceUri ? ` namespace="${escapeAttribute(String(node.namespaceUri))}"` : '';
      out.write(`<attribute name="${escapeAttribute(node.nodeName)}"${namespace} value="${escapeAttribute(String(node.nodeValue ?? ''))}"/>`);
      break;
    }
    case TEXT: case CDATA:
      out.write(`<text>${escapeText(String(node.nodeValue ?? ''))}</text>`);
      break;
    case DOCUMENT:
      out.write('<document>');
      for (const child of node.childNodes) writeCopy(child, out, XPATH_RESULTS_NS);
      out.write('</document>');
      break;
    default:
      writeCopy(node, out, XPATH_RESULTS_NS);
  }
}

function scalarText(result: Exclude<XPathResult, { type: 'node-set' }>): string {
  if (result.type === 'number') return formatXPathNumber(result.value);
  return String(result.value);
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/**
 * Serialises a result. `xml`: a wrapper document in XPATH_RESULTS_NS, one line per node: elements,
 * comments and processing instructions copied, `<attribute name value [namespace]/>`, `<text>`,
 * `<document>`; a scalar as the wrapper's text. `text`: a scalar's XPath string value, or each node's
 * string-value on its own line. `json`: `{ type, count, nodes }` or `{ type, value }` (NaN and the
 * infinities as strings). Throws AKR_ERR_XML_LIMIT past `maxChars`.
 *
 * @example
 * serializeXPathResult({ type: 'number', value: 2 }, 'text') // { body: '2', contentType: 'text/plain; charset=utf-8' }
 */
export function serializeXPathResult(result: XPathResult, format: XPathFormat, options: SerializeOptions = {}): { body: string; contentType: string } {
  const maxChars = options.maxChars ?? MAX_XPATH_RESULT_CHARS;
  if (format === 'json') {
    // One budget for every copied element; the escaping JSON adds is checked on the whole text.
    const copies = new Writer(maxChars);
    const body = result.type === 'node-set'
      ? { type: result.type, count: result.nodes.length, nodes: result.nodes.map((node) => jsonNode(node, copies)) }
      : { type: result.type, value: result.type === 'number' && !Number.isFinite(result.value) ? formatXPathNumber(result.value) : result.value };
    const text = `${JSON.stringify(body)}\n`;
    if (text.length > maxChars) throw new AkaraError('AKR_ERR_XML_LIMIT', { what: 'characters in a serialised XPath result', limit: maxChars });
    return { body: text, contentType: 'application/json; charset=utf-8' };
  }
  if (format === 'text') {
    const out = new Writer(maxChars);
    if (result.type === 'node-set') for (const node of result.nodes) out.write(`${stringValue(node)}\n`);
    else out.write(scalarText(result));
    return { body: out.toString(), contentType: 'text/plain; charset=utf-8' };
  }
  const out = new Writer(maxChars);
  out.write(XML_DECLARATION);
  if (result.type === 'node-set') {
    out.write(`<results xmlns="${XPATH_RESULTS_NS}" type="node-set" count="${result.nodes.length}">\n`);
    for (const node of result.nodes) {
      xmlItem(node, out);
      out.write('\n');
    }
  } else {
    out.write(`<results xmlns="${XPATH_RESULTS_NS}" type="${result.type}">${escapeText(scalarText(result))}`);
  }
  out.write('</results>\n');
  return { body: out.toString(), contentType: 'application/xml; charset=utf-8' };
}
