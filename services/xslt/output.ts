import type { XNode } from 'xslt-processor';
import { defaultMediaType, type OutputMethod, type OutputSpec } from './engine.js';
import { isXsl } from './stylesheet-graph.js';

const METHODS = new Set<string>(['xml', 'html', 'text']);

export interface DeclaredOutput {
  /** Undefined when the stylesheet does not say: then the result decides (html if its root is <html>). */
  method: OutputMethod | undefined;
  mediaType: string | undefined;
  omitXmlDeclaration: boolean;
  indent: boolean;
}

/** Reads the stylesheet's `xsl:output` elements (several merge; a later attribute wins). */
export function declaredOutput(root: XNode): DeclaredOutput {
  const out: DeclaredOutput = { method: undefined, mediaType: undefined, omitXmlDeclaration: false, indent: false };
  for (const child of root.childNodes) {
    if (!isXsl(child, 'output')) continue;
    const method = child.getAttributeValue('method') as string | undefined;
    if (method !== undefined) out.method = METHODS.has(method) ? method as OutputMethod : 'xml';
    const mediaType = child.getAttributeValue('media-type') as string | undefined;
    if (mediaType) out.mediaType = mediaType;
    const omit = child.getAttributeValue('omit-xml-declaration') as string | undefined;
    if (omit !== undefined) out.omitXmlDeclaration = omit === 'yes';
    const indent = child.getAttributeValue('indent') as string | undefined;
    if (indent !== undefined) out.indent = indent === 'yes';
  }
  return out;
}

export function resolveOutput(declared: DeclaredOutput, method: OutputMethod): OutputSpec {
  return {
    method,
    mediaType: declared.mediaType ?? defaultMediaType(method),
    omitXmlDeclaration: declared.omitXmlDeclaration,
    indent: declared.indent,
  };
}
