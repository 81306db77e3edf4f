import { createHash } from 'node:crypto';
import { XDocument, XNode } from 'xslt-processor';
import { AkaraError } from '../errors.js';
import type { LoadedModule, ModuleLoader } from './engine.js';

export const XSL_NS = 'http://www.w3.org/1999/XSL/Transform';
const MAX_MODULES = 64;
const ELEMENT = 1;
const ATTRIBUTE = 2;

/** A parsed stylesheet module and the hrefs it imports and includes, in document order. */
export interface ParsedModule {
  doc: XDocument;
  root: XNode;
}

/** What a template of an imported module needs to keep its import precedence once flattened. */
export interface Precedence {
  importDepth: number;
  order: number;
  href: string;
}

export interface Graph {
  hash: string;
  modules: string[];
  /** The whole graph as one stylesheet: includes spliced in place, imports before the importer's own. */
  flattened: XDocument;
  precedence: Map<XNode, Precedence>;
}

export function isXsl(node: XNode, localName: string): boolean {
  return node.nodeType === ELEMENT && node.namespaceUri === XSL_NS && node.localName === localName;
}

function hrefOf(node: XNode): string {
  const href = node.getAttributeValue('href') as string | undefined;
  if (!href) throw new AkaraError('AKR_ERR_XSLT_COMPILE', { reason: `<${node.nodeName}> has no href` });
  return href;
}

/** Namespace declarations of an element (xmlns and xmlns:p attributes). */
function namespaceDeclarations(node: XNode): XNode[] {
  return node.childNodes.filter((n) => n.nodeType === ATTRIBUTE && (n.nodeName === 'xmlns' || n.nodeName.startsWith('xmlns:')));
}

/** A deep copy owned by `owner` (XNode.clone makes each node's parent its owner document). */
function clone(node: XNode, owner: XDocument): XNode {
  const copy = new XNode(node.nodeType, node.nodeName, node.nodeValue, owner, node.namespaceUri);
  copy.prefix = node.prefix;
  copy.localName = node.localName;
  copy.siblingPosition = node.siblingPosition;
  for (const child of node.childNodes) copy.appendChild(clone(child, owner));
  return copy;
}

/**
 * Loads a stylesheet and everything it imports or includes, parsing each distinct module content once
 * (`parsed` is the worker's cache, by content hash), and hashes the graph's content.
 */
export async function loadGraph(
  uri: string,
  load: ModuleLoader,
  parse: (module: LoadedModule) => ParsedModule,
  parsed: Map<string, ParsedModule>,
): Promise<Graph> {
  const graphHash = createHash('sha256');
  const modules: string[] = [];
  const flattened = new XDocument();
  const precedence = new Map<XNode, Precedence>();
  let order = 0;

  const visit = async (href: string, base: string, importDepth: number, chain: string[]): Promise<{ root: XNode; uri: string; depth: number; order: number }> => {
    const loaded = await load(href, base);
    if (chain.includes(loaded.uri)) {
      throw new AkaraError('AKR_ERR_XSLT_COMPILE', { uri: loaded.uri, reason: `the stylesheet imports or includes itself (${[...chain, loaded.uri].join(' -> ')})` });
    }
    if (modules.length >= MAX_MODULES) {
      throw new AkaraError('AKR_ERR_XSLT_COMPILE', { uri: loaded.uri, reason: `the stylesheet has more than ${MAX_MODULES} modules` });
    }
    modules.push(loaded.uri);
    const contentHash = createHash('sha256').update(loaded.content).digest('hex');
    graphHash.update(`${loaded.uri}\n${contentHash}\n`);
    let module = parsed.get(contentHash);
    if (!module) {
      module = parse(loaded);
      parsed.set(contentHash, module);
    }
    return { root: module.root, uri: loaded.uri, depth: importDepth, order: order++ };
  };

  /** Appends a module's top-level children to `into`, resolving its imports and includes. */
  const splice = async (mod: { root: XNode; uri: string; depth: number; order: number }, into: XNode, chain: string[], isTop: boolean): Promise<void> => {
    const declarations = namespaceDeclarations(mod.root);
    for (const child of mod.root.childNodes) {
      if (child.nodeType === ATTRIBUTE) continue;
      if (isXsl(child, 'import') || isXsl(child, 'include')) {
        const isImport = isXsl(child, 'import');
        const next = await visit(hrefOf(child), mod.uri, isImport ? mod.depth + 1 : mod.depth, [...chain, mod.uri]);
        if (!isImport) next.order = mod.order;
        await splice(next, into, [...chain, mod.uri], false);
        continue;
      }
      const copy = clone(child, flattened);
      if (!isTop && copy.nodeType === ELEMENT) {
        // Keep the namespaces the module declared on its root in scope for what moved out of it.
        for (const decl of declarations) {
          if (!copy.hasAttribute(decl.nodeName)) copy.setAttribute(decl.nodeName, decl.nodeValue);
        }
      }
      if (isXsl(copy, 'template') && mod.depth > 0) precedence.set(copy, { importDepth: mod.depth, order: mod.order, href: mod.uri });
      copy.siblingPosition = into.childNodes.length;
      into.appendChild(copy);
    }
  };

  const top = await visit(uri, uri, 0, []);
  if (!isXsl(top.root, 'stylesheet') && !isXsl(top.root, 'transform')) {
    // A literal result element used as a stylesheet: no top-level elements, nothing to import.
    const copy = clone(top.root, flattened);
    flattened.appendChild(copy);
    return { hash: graphHash.digest('hex'), modules, flattened, precedence };
  }
  // The root with its attributes only: its children are spliced in below.
  const rootCopy = new XNode(top.root.nodeType, top.root.nodeName, top.root.nodeValue, flattened, top.root.namespaceUri);
  rootCopy.prefix = top.root.prefix;
  rootCopy.localName = top.root.localName;
  for (const attribute of top.root.childNodes) {
    if (attribute.nodeType === ATTRIBUTE) rootCopy.appendChild(clone(attribute, flattened));
  }
  flattened.appendChild(rootCopy);
  await splice(top, rootCopy, [], true);
  return { hash: graphHash.digest('hex'), modules, flattened, precedence };
}
