import type { XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import { defaultMediaType, type OutputMethod, type OutputSpec } from './engine.js';
import { isXsl } from './stylesheet-graph.js';

const METHODS = new Set<string>(['xml', 'html', 'text']);
const ELEMENT = 1;
const TEXT = 3;

export interface DeclaredOutput {
  /** Undefined when the stylesheet does not say: then the result decides (html if its root is <html>). */
  method: OutputMethod | undefined;
  mediaType: string | undefined;
  omitXmlDeclaration: boolean;
  indent: boolean;
  /** `cdata-section-elements` as expanded names: `{uri}local`, or `local` in no namespace. */
  cdataSectionElements: Set<string>;
}

/** An attribute's value, or undefined when absent (the engine's getAttributeValue answers null). */
function attribute(element: XNode, name: string): string | undefined {
  return (element.getAttributeValue(name) as string | null) ?? undefined;
}

/** The namespace URI bound to `prefix` on `element` or its stylesheet root (`''`: the default), or undefined. */
function namespaceOf(prefix: string, element: XNode, root: XNode): string | undefined {
  const declaration = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
  return attribute(element, declaration) ?? attribute(root, declaration);
}

/**
 * QNames as expanded names, resolved on the xsl:output element. An unprefixed name takes the default
 * namespace, as XSLT 2.0 settled for cdata-section-elements (and xsltproc does).
 */
function expandedNames(names: string, element: XNode, root: XNode, uri: string | undefined): string[] {
  return names.split(/\s+/).filter(Boolean).map((qname) => {
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const namespace = namespaceOf(prefix, element, root);
    if (namespace === undefined && prefix !== '') {
      throw new AkaraError('AKR_ERR_XSLT_COMPILE', { ...(uri === undefined ? {} : { uri }), reason: `xsl:output cdata-section-elements names ${qname}, but the prefix ${prefix} is not declared` });
    }
    const local = qname.slice(colon + 1);
    return namespace ? `{${namespace}}${local}` : local;
  });
}

/** Reads the stylesheet's `xsl:output` elements (several merge; a later attribute wins, cdata-section-elements add up). */
export function declaredOutput(root: XNode, uri?: string): DeclaredOutput {
  const out: DeclaredOutput = { method: undefined, mediaType: undefined, omitXmlDeclaration: false, indent: false, cdataSectionElements: new Set() };
  for (const child of root.childNodes) {
    if (!isXsl(child, 'output')) continue;
    const method = attribute(child, 'method');
    if (method !== undefined) out.method = METHODS.has(method) ? method as OutputMethod : 'xml';
    const mediaType = attribute(child, 'media-type');
    if (mediaType) out.mediaType = mediaType;
    const omit = attribute(child, 'omit-xml-declaration');
    if (omit !== undefined) out.omitXmlDeclaration = omit === 'yes';
    const indent = attribute(child, 'indent');
    if (indent !== undefined) out.indent = indent === 'yes';
    const cdata = attribute(child, 'cdata-section-elements');
    if (cdata !== undefined) for (const name of expandedNames(cdata, child, root, uri)) out.cdataSectionElements.add(name);
  }
  return out;
}

/**
 * The output method of a result (XSLT 1.0 §16): the declared one, else html when the result's first element
 * is `html` in no namespace (any case) with only whitespace text before it, else xml.
 */
export function resultMethod(declared: DeclaredOutput, result: XNode): OutputMethod {
  if (declared.method !== undefined) return declared.method;
  for (const node of result.childNodes) {
    if (node.nodeType === TEXT && !/^[ \t\r\n]*$/.test(node.nodeValue)) return 'xml';
    if (node.nodeType !== ELEMENT) continue;
    const inNoNamespace = !node.nodeName.includes(':') && !attribute(node, 'xmlns');
    return inNoNamespace && node.nodeName.toLowerCase() === 'html' ? 'html' : 'xml';
  }
  return 'xml';
}

export function resolveOutput(declared: DeclaredOutput, method: OutputMethod): OutputSpec {
  return {
    method,
    mediaType: declared.mediaType ?? defaultMediaType(method),
    omitXmlDeclaration: declared.omitXmlDeclaration,
    indent: declared.indent,
  };
}
