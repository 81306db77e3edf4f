import { XPath, type XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import { XSL_NS } from './stylesheet-graph.js';

const ELEMENT = 1;
const ATTRIBUTE = 2;
/** One parser for every check (making its lexer and parser costs more than a module's parsing); its cache is emptied after each. */
const xPath = new XPath();

/** XSLT 1.0 attributes that hold an expression or a pattern (every pattern parses as an expression). */
const EXPRESSIONS: Record<string, readonly string[]> = {
  'apply-templates': ['select'], 'copy-of': ['select'], 'for-each': ['select'], 'value-of': ['select'],
  sort: ['select'], variable: ['select'], param: ['select'], 'with-param': ['select'],
  if: ['test'], when: ['test'], template: ['match'], key: ['match', 'use'], number: ['count', 'from', 'value'],
};

/** XSLT 1.0 attributes of XSLT elements that are attribute value templates. */
const VALUE_TEMPLATES: Record<string, readonly string[]> = {
  element: ['name', 'namespace'], attribute: ['name', 'namespace'], 'processing-instruction': ['name'],
  number: ['format', 'lang', 'letter-value', 'grouping-separator', 'grouping-size'],
  sort: ['lang', 'data-type', 'order', 'case-order'],
};

function attributeValue(element: XNode, name: string): string | undefined {
  return (element.getAttributeValue(name) as string | null) ?? undefined;
}

/** An attribute in the XSLT namespace (on a literal result element), whatever its prefix. */
function xslAttributeValue(element: XNode, localName: string): string | undefined {
  return element.childNodes.find((n) => n.nodeType === ATTRIBUTE && n.namespaceUri === XSL_NS && n.localName === localName)?.nodeValue;
}

/** The expressions inside an attribute value template's braces (`{{` is a literal brace); undefined if a `{` is never closed. */
function valueTemplateExpressions(template: string): string[] | undefined {
  const expressions: string[] = [];
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== '{') continue;
    if (template[i + 1] === '{') {
      i++;
      continue;
    }
    let quote = '';
    let end = i + 1;
    for (; end < template.length; end++) {
      const char = template[end]!;
      if (quote !== '') {
        if (char === quote) quote = '';
      } else if (char === '"' || char === "'") {
        quote = char;
      } else if (char === '}') {
        break;
      }
    }
    if (end >= template.length) return undefined;
    expressions.push(template.slice(i + 1, end));
    i = end;
  }
  return expressions;
}

/**
 * Parses every expression, pattern and attribute value template of a stylesheet module with the engine's
 * own XPath parser, so a syntax error is AKR_ERR_XSLT_COMPILE naming the module, at compile time, and not
 * a runtime error of the first transform that reaches it. A module in forwards-compatible mode (version
 * other than 1.0) is not checked: XSLT 1.0 §2.5 defers its errors until the expression is evaluated.
 */
export function checkExpressions(root: XNode, uri: string): void {
  const isXslRoot = root.namespaceUri === XSL_NS;
  const version = isXslRoot ? attributeValue(root, 'version') : xslAttributeValue(root, 'version');
  if (version !== '1.0') return;
  const extensions = new Set(((isXslRoot ? attributeValue(root, 'extension-element-prefixes') : xslAttributeValue(root, 'extension-element-prefixes')) ?? '')
    .split(/\s+/).filter(Boolean).map((prefix) => attributeValue(root, prefix === '#default' ? 'xmlns' : `xmlns:${prefix}`)));

  /** Parses `expression`, found in `value` of the attribute (the whole value, or part of a value template). */
  const parse = (element: XNode, attribute: string, value: string, expression = value) => {
    try {
      xPath.xPathParse(expression);
    } catch (err) {
      throw new AkaraError('AKR_ERR_XSLT_COMPILE', {
        uri, reason: `<${element.nodeName} ${attribute}="${value}">: ${err instanceof Error ? err.message : String(err)}`,
      }, { cause: err });
    }
  };
  const parseValueTemplate = (element: XNode, attribute: string, value: string) => {
    const expressions = valueTemplateExpressions(value);
    if (expressions === undefined) throw new AkaraError('AKR_ERR_XSLT_COMPILE', { uri, reason: `<${element.nodeName} ${attribute}="${value}">: a "{" with no "}"` });
    for (const expression of expressions) parse(element, attribute, value, expression);
  };

  const visit = (element: XNode) => {
    if (element.namespaceUri !== null && extensions.has(element.namespaceUri)) return;
    if (element.namespaceUri === XSL_NS) {
      for (const name of EXPRESSIONS[element.localName] ?? []) {
        const value = attributeValue(element, name);
        if (value !== undefined) parse(element, name, value);
      }
      for (const name of VALUE_TEMPLATES[element.localName] ?? []) {
        const value = attributeValue(element, name);
        if (value !== undefined) parseValueTemplate(element, name, value);
      }
    } else {
      // A literal result element: its attributes are value templates, but namespace declarations and xsl: attributes.
      for (const attribute of element.childNodes) {
        if (attribute.nodeType !== ATTRIBUTE || attribute.namespaceUri === XSL_NS) continue;
        if (attribute.nodeName === 'xmlns' || attribute.nodeName.startsWith('xmlns:')) continue;
        parseValueTemplate(element, attribute.nodeName, attribute.nodeValue);
      }
    }
    for (const child of element.childNodes) if (child.nodeType === ELEMENT) visit(child);
  };

  try {
    if (!isXslRoot) return visit(root);
    // Top-level elements outside the XSLT namespace are data (document('')), never instantiated.
    for (const child of root.childNodes) if (child.nodeType === ELEMENT && child.namespaceUri === XSL_NS) visit(child);
  } finally {
    xPath.clearCache();
  }
}
