/**
 * Akara's serializer for the engine's result tree (XSLT 1.0 §16), replacing xslt-processor's: its output is
 * always well-formed for the xml method (and namespace-well-formed), always parses as the intended tree for
 * the html method, and is the exact string values for the text method. Nothing from the source can inject
 * markup: data is escaped, names are checked, comments and processing instructions are made safe.
 */
import type { XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import type { OutputMethod } from './engine.js';
import {
  cdataSection, checkPiTarget, checkQName, checkXmlData, commentData, escapeHtmlAttribute, escapeHtmlText,
  escapeXmlAttribute, escapeXmlText, processingInstructionData,
} from './escape.js';
import { isHtmlElement, isRawTextElement, isVoidElement, minimisedAttribute, rawText } from './html.js';
import { isBalancedMarkup } from './raw-markup.js';
import {
  ATTRIBUTE, CDATA, COMMENT, DOCUMENT, ELEMENT, elementAttributes, FRAGMENT, INITIAL_SCOPE, prefixOf, PROCESSING_INSTRUCTION, TEXT, type Scope,
} from './result-tree.js';

export interface SerializeOptions {
  method: OutputMethod;
  /** xml only: whitespace between the children of an element that has no text children. */
  indent?: boolean;
  /** xml only: expanded names (`{uri}local`, or `local` in no namespace) whose text children are written as CDATA sections. */
  cdataSectionElements?: ReadonlySet<string>;
}

/** How the text children of the element being written are written. */
type TextMode = 'escaped' | 'cdata' | 'raw';

/**
 * Writes a result tree (the engine's document, or any node of it) with an output method.
 *
 * @example
 * serializeResult(await xslt.xsltProcessToDocument(source, stylesheet), { method: 'html' })
 */
export function serializeResult(root: XNode, options: SerializeOptions): string {
  if (options.method === 'text') return textOf(root);
  const writer = new Writer(options);
  writer.content(root, INITIAL_SCOPE, 'escaped', '', -1);
  return writer.out;
}

/** The text method: every text node's value, in document order, as it is. */
function textOf(node: XNode): string {
  let text = '';
  for (const child of node.childNodes) {
    if (child.nodeType === TEXT || child.nodeType === CDATA) text += child.nodeValue;
    else if (child.nodeType === ELEMENT || child.nodeType === DOCUMENT || child.nodeType === FRAGMENT) text += textOf(child);
  }
  return text;
}

class Writer {
  out = '';
  readonly #html: boolean;
  readonly #indent: boolean;
  readonly #cdata: ReadonlySet<string>;

  constructor(options: SerializeOptions) {
    this.#html = options.method === 'html';
    this.#indent = options.indent === true && !this.#html;
    this.#cdata = options.cdataSectionElements ?? new Set();
  }

  /** Writes the children of `parent` (not its attributes). `depth` is the parent element's, for indenting. */
  content(parent: XNode, scope: Scope, mode: TextMode, rawName: string, depth: number): void {
    const nodes = parent.childNodes;
    const indent = this.#indent && depth >= 0 && nodes.every((n) => n.nodeType !== TEXT && n.nodeType !== CDATA);
    let i = 0;
    while (i < nodes.length) {
      const node = nodes[i]!;
      const type = node.nodeType;
      if (type === TEXT || type === CDATA) {
        // A run of text nodes with the same escaping is written as one: one CDATA section, one checked raw piece.
        const raw = type === TEXT && node.escape === false;
        let text = '';
        for (; i < nodes.length; i++) {
          const next = nodes[i]!;
          if ((next.nodeType !== TEXT && next.nodeType !== CDATA) || (next.nodeType === TEXT && next.escape === false) !== raw) break;
          text += next.nodeValue;
        }
        this.#text(text, raw, scope, mode, rawName);
        continue;
      }
      i++;
      if (type === ATTRIBUTE) continue;
      if (indent) this.out += `\n${'  '.repeat(depth + 1)}`;
      if (type === ELEMENT) this.#element(node, scope, depth + 1);
      else if (type === COMMENT) this.out += `<!--${commentData(this.#data(node.nodeValue), this.#html)}-->`;
      else if (type === PROCESSING_INSTRUCTION) this.#processingInstruction(node);
      else if (type === DOCUMENT || type === FRAGMENT) this.content(node, scope, mode, rawName, depth);
    }
    if (indent && nodes.some((n) => n.nodeType !== ATTRIBUTE)) this.out += `\n${'  '.repeat(depth)}`;
  }

  #text(text: string, disableEscaping: boolean, scope: Scope, mode: TextMode, rawName: string): void {
    if (text === '') return;
    if (mode === 'raw') {
      this.out += rawText(text, rawName);
    } else if (disableEscaping && isBalancedMarkup(text, this.#html, scope)) {
      this.out += text;
    } else if (this.#html) {
      this.out += escapeHtmlText(text);
    } else {
      this.out += mode === 'cdata' ? cdataSection(text) : escapeXmlText(text);
    }
  }

  #data(data: string): string {
    return this.#html ? data : checkXmlData(data);
  }

  #processingInstruction(node: XNode): void {
    const target = checkPiTarget(node.nodeName);
    const data = processingInstructionData(this.#data(node.nodeValue), this.#html);
    this.out += `<?${target}${data === '' ? '' : ` ${data}`}${this.#html ? '>' : '?>'}`;
  }

  #element(node: XNode, parentScope: Scope, depth: number): void {
    const name = checkQName(node.nodeName, 'an element');
    const { scope, declarations, attributes } = elementAttributes(node, parentScope);
    let written = '';
    for (const declaration of declarations) {
      // html: the XHTML namespace is HTML's own; writing it would only be noise.
      if (this.#html && declaration.prefix === '' && declaration.uri === XHTML_NS) continue;
      written += ` ${declaration.name}="${this.#attributeValue(declaration.uri)}"`;
    }
    this.#checkPrefix(name, scope);
    const html = this.#html && isHtmlElement(name, scope);
    if (!this.#html && attributes.length > 1) checkDistinctAttributes(attributes, scope);
    for (const attribute of attributes) written += this.#attribute(attribute, scope, html);
    this.out += `<${name}${written}`;
    // An empty text node is no content (the data model has none; the engine makes them for empty values).
    const hasContent = node.childNodes.some((child) => child.nodeType !== ATTRIBUTE && !(child.nodeType === TEXT && child.nodeValue === ''));
    if (html && isVoidElement(name) && !hasContent) {
      this.out += '>';
      return;
    }
    if (!hasContent && !this.#html) {
      this.out += '/>';
      return;
    }
    this.out += '>';
    const mode: TextMode = html && isRawTextElement(name) ? 'raw'
      : this.#cdata.size > 0 && !this.#html && this.#cdata.has(expandedName(name, scope)) ? 'cdata' : 'escaped';
    this.content(node, scope, mode, name, depth);
    this.out += `</${name}>`;
  }

  #attribute(attribute: XNode, scope: Scope, html: boolean): string {
    const name = checkQName(attribute.nodeName, 'an attribute');
    this.#checkPrefix(name, scope);
    if (html && minimisedAttribute(name, attribute.nodeValue)) return ` ${name}`;
    return ` ${name}="${this.#attributeValue(attribute.nodeValue)}"`;
  }

  #attributeValue(value: string): string {
    return this.#html ? escapeHtmlAttribute(value) : escapeXmlAttribute(value);
  }

  /** xml: a prefixed name must have its prefix declared, or the output is not namespace-well-formed. */
  #checkPrefix(name: string, scope: Scope): void {
    const prefix = prefixOf(name);
    if (this.#html || prefix === '') return;
    if (prefix === 'xmlns' || !scope.get(prefix)) {
      throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `the result has ${name} but no namespace declaration for the prefix ${prefix}` });
    }
  }
}

const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/**
 * xml: two attributes of an element may not have one expanded name (Namespaces in XML 1.0 §6.3), as
 * `p:a` and `q:a` would with p and q bound to one URI.
 */
function checkDistinctAttributes(attributes: readonly XNode[], scope: Scope): void {
  const seen = new Set<string>();
  for (const attribute of attributes) {
    // An unprefixed attribute is in no namespace, whatever the default.
    const name = prefixOf(attribute.nodeName) === '' ? attribute.nodeName : expandedName(attribute.nodeName, scope);
    if (seen.has(name)) throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `the result has two attributes named ${name} on one element` });
    seen.add(name);
  }
}

/** `{uri}local`, or `local` in no namespace: how cdata-section-elements names are given. */
function expandedName(name: string, scope: Scope): string {
  const uri = scope.get(prefixOf(name)) ?? '';
  const local = name.slice(name.indexOf(':') + 1);
  return uri === '' ? local : `{${uri}}${local}`;
}
