import { ExprContext, XPath, type XDocument, type XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import './axes-patch.js';

/** Longest expression accepted: longer ones are refused with AKR_ERR_XPATH_INVALID before parsing. */
export const MAX_XPATH_LENGTH = 4096;
/** Most nodes a node-set result may hold: more is AKR_ERR_XML_LIMIT. */
export const MAX_XPATH_RESULT_NODES = 10_000;
/** Most characters a serialised result may have: more is AKR_ERR_XML_LIMIT. */
export const MAX_XPATH_RESULT_CHARS = 16 * 1024 * 1024;
/** The namespace of the wrapper document node-sets are serialised in. */
export const XPATH_RESULTS_NS = 'http://purl.org/akara/xpath';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NCNAME = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7]*$/u;
// A QName's prefix: a whole NCName followed by one colon (not `axis::`) and a name or `*`.
const PREFIX = /(?<![\p{L}\p{N}_.\-\u00B7])([\p{L}_][\p{L}\p{N}_.\-\u00B7]*):(?=[\p{L}_*])/gu;
const LITERAL = /"[^"]*"|'[^']*'/g;

/** DOM node types, as xslt-processor numbers them. */
export const ELEMENT = 1, ATTRIBUTE = 2, TEXT = 3, CDATA = 4, PI = 7, COMMENT = 8, DOCUMENT = 9;

export type XPathResult =
  | { type: 'node-set'; nodes: XNode[] }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean };

export interface EvaluateOptions {
  /** Prefix to namespace URI, for prefixed names in the expression (`xml` is always bound). */
  namespaces?: Record<string, string>;
  /** Defaults to MAX_XPATH_RESULT_NODES. */
  maxNodes?: number;
}

// One engine per worker; its parse cache never evicts, so it is cleared after each evaluation.
const engine = new XPath();

function invalid(reason: string, cause?: unknown): AkaraError {
  return new AkaraError('AKR_ERR_XPATH_INVALID', { reason }, cause === undefined ? undefined : { cause });
}

export function isNamespaceDeclaration(node: XNode): boolean {
  return node.nodeType === ATTRIBUTE && (node.nodeName === 'xmlns' || node.nodeName.startsWith('xmlns:'));
}

/** XPath 1.0 §5 string-value: the text of every descendant text node, in document order. */
export function stringValue(node: XNode): string {
  if (node.nodeType !== ELEMENT && node.nodeType !== DOCUMENT) return String(node.nodeValue ?? '');
  let text = '';
  const stack = [...node.childNodes].reverse();
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.nodeType === TEXT || next.nodeType === CDATA) text += String(next.nodeValue ?? '');
    else if (next.nodeType === ELEMENT) for (let i = next.childNodes.length - 1; i >= 0; i--) stack.push(next.childNodes[i]!);
  }
  return text;
}

function ownStringValue(this: XNode): string {
  return stringValue(this);
}

/**
 * Numbers every node of the document in document order (XPath 1.0 §5: an element, then its attributes,
 * then its children). On the way, gives each node the string-value hook the engine looks for: its own
 * recurses through children it has not adapted and throws on `string(/)`.
 */
function documentOrder(doc: XDocument): Map<XNode, number> {
  const order = new Map<XNode, number>();
  const stack: XNode[] = [doc];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    order.set(node, order.size);
    (node as XNode & { _getTextContent?: () => string })._getTextContent = ownStringValue;
    const children = node.childNodes;
    for (let i = children.length - 1; i >= 0; i--) if (children[i]!.nodeType !== ATTRIBUTE) stack.push(children[i]!);
    for (let i = children.length - 1; i >= 0; i--) if (children[i]!.nodeType === ATTRIBUTE) stack.push(children[i]!);
  }
  return order;
}

/** Binds `xml`, checks the caller's bindings, and refuses prefixes the expression uses but nobody bound. */
function knownNamespaces(expression: string, namespaces: Record<string, string>): Record<string, string> {
  const known: Record<string, string> = Object.create(null) as Record<string, string>;
  known.xml = XML_NS;
  for (const [prefix, uri] of Object.entries(namespaces)) {
    if (!NCNAME.test(prefix)) throw invalid(`the namespace prefix '${prefix}' is not an NCName`);
    if (prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NS)) throw invalid(`the namespace prefix '${prefix}' may not be bound to '${uri}'`);
    if (uri === '') throw invalid(`the namespace prefix '${prefix}' is bound to an empty URI`);
    known[prefix] = uri;
  }
  // XPath 1.0 §2.3: an unbound prefix is an error; the engine would silently match nothing.
  for (const [, prefix] of expression.replace(LITERAL, '""').matchAll(PREFIX)) {
    if (!Object.hasOwn(known, prefix!)) throw invalid(`the namespace prefix '${prefix}' is not declared`);
  }
  return known;
}

/** The engine returns `//x` breadth-first and `a|b` in operand order: answer document order, once each. */
function inDocumentOrder(nodes: XNode[], order: Map<XNode, number>, maxNodes: number): XNode[] {
  const kept = new Map<number, XNode>();
  for (const node of nodes) {
    // Namespace declarations are attributes in this DOM but not in the XPath data model.
    if (isNamespaceDeclaration(node)) continue;
    const position = order.get(node);
    if (position === undefined) throw invalid('the result holds items that are not nodes of the document (XPath 2.0 sequences are not supported)');
    kept.set(position, node);
  }
  if (kept.size > maxNodes) throw new AkaraError('AKR_ERR_XML_LIMIT', { what: 'nodes in an XPath result', limit: maxNodes });
  return [...kept.entries()].sort((a, b) => a[0] - b[0]).map(([, node]) => node);
}

/**
 * Evaluates an XPath 1.0 expression with the document node as the context node. Node-sets come back in
 * document order without duplicates. Throws AKR_ERR_XPATH_INVALID for a too-long expression, a syntax
 * error, an unknown function or variable, or an undeclared prefix; AKR_ERR_XML_LIMIT for too many nodes.
 * Gives each node of `doc` a string-value hook the engine reads (see documentOrder); nothing else changes.
 *
 * @example
 * const doc = parseXml('<a xmlns="urn:x"><b>1</b></a>', { limits })
 * evaluateXPath(doc, 'count(//x:b)', { namespaces: { x: 'urn:x' } }) // { type: 'number', value: 1 }
 */
export function evaluateXPath(doc: XDocument, expression: string, options: EvaluateOptions = {}): XPathResult {
  if (expression.length > MAX_XPATH_LENGTH) {
    throw invalid(`the expression has ${expression.length} characters, more than the limit of ${MAX_XPATH_LENGTH}`);
  }
  const namespaces = knownNamespaces(expression, options.namespaces ?? {});
  const order = documentOrder(doc);
  let value: ReturnType<XPath['xPathEval']>;
  try {
    const context = new ExprContext([doc], '1.0', 0, undefined, {}, namespaces, undefined, false, false, false, false, () => {});
    value = engine.xPathEval(expression, context);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // XPath errors carry their code (XPST0003...); anything else is the engine failing on valid input.
    throw invalid(err instanceof Error && err.name.startsWith('XPath') ? message : `the engine failed: ${message}`, err);
  } finally {
    engine.clearCache();
  }
  switch (value.type) {
    case 'node-set': return { type: 'node-set', nodes: inDocumentOrder(value.nodeSetValue(), order, options.maxNodes ?? MAX_XPATH_RESULT_NODES) };
    case 'string': return { type: 'string', value: value.stringValue() };
    case 'number': return { type: 'number', value: value.numberValue() };
    case 'boolean': return { type: 'boolean', value: value.booleanValue() };
    default: throw invalid(`the result is a ${value.type}, which XPath 1.0 does not have`);
  }
}
