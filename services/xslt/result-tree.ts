import type { XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import { checkQName } from './escape.js';

/** The node types of the engine's result tree (DOM numbering). */
export const ELEMENT = 1;
export const ATTRIBUTE = 2;
export const TEXT = 3;
export const CDATA = 4;
export const PROCESSING_INSTRUCTION = 7;
export const COMMENT = 8;
export const DOCUMENT = 9;
export const FRAGMENT = 11;

/** In-scope namespaces of the result: prefix (`''` for the default) to URI (`''` for none). */
export type Scope = ReadonlyMap<string, string>;
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const INITIAL_SCOPE: Scope = new Map([['xml', XML_NS], ['', '']]);

export function prefixOf(qname: string): string {
  const colon = qname.indexOf(':');
  return colon < 0 ? '' : qname.slice(0, colon);
}

export interface ElementAttributes {
  /** The namespaces in scope inside the element. */
  scope: Scope;
  /** The declarations to write, in order (the element's own namespace first, as xsltproc writes it). */
  declarations: Array<{ name: string; prefix: string; uri: string }>;
  /** The other attributes, in order. */
  attributes: XNode[];
}

/**
 * A result element's attributes as the xml and html methods write them: the engine keeps namespace
 * declarations as `xmlns` attributes; only those that change the scope are written (`xml` is bound once
 * and for all, and XML 1.0 namespaces cannot undeclare a prefix). The serializer and the hand-off of a
 * result as a source tree both take them from here, so the tree handed over is the one the text gives.
 */
export function elementAttributes(node: XNode, parentScope: Scope): ElementAttributes {
  const ownPrefix = prefixOf(node.nodeName);
  let scope = parentScope;
  const declarations: ElementAttributes['declarations'] = [];
  const attributes: XNode[] = [];
  for (const attribute of node.childNodes) {
    if (attribute.nodeType !== ATTRIBUTE) continue;
    const name = attribute.nodeName;
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) {
      attributes.push(attribute);
      continue;
    }
    const prefix = name === 'xmlns' ? '' : checkQName(name, 'a namespace declaration').slice(6);
    const uri = String(attribute.nodeValue);
    if (prefix === 'xml' || prefix === 'xmlns' || (prefix !== '' && uri === '') || scope.get(prefix) === uri) continue;
    // Namespaces in XML 1.0 §3: these two names are bound once and for all, and to nothing else.
    if (uri === XML_NS || uri === XMLNS_NS) {
      throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `the result binds ${prefix === '' ? 'the default namespace' : `the prefix ${prefix}`} to the reserved namespace ${uri}` });
    }
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(prefix, uri);
    if (prefix === ownPrefix) declarations.unshift({ name, prefix, uri });
    else declarations.push({ name, prefix, uri });
  }
  return { scope, declarations, attributes };
}
