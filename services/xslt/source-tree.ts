import type { XDocument, XNode } from 'xslt-processor';
import type { XmlLimits } from '../../schemas/config.js';
import { TreeBuilder, type TreeAttribute } from '../xml/tree.js';
import { checkXmlData, commentData, processingInstructionData } from './escape.js';
import {
  CDATA, COMMENT, DOCUMENT, ELEMENT, elementAttributes, FRAGMENT, INITIAL_SCOPE, prefixOf, PROCESSING_INSTRUCTION, TEXT, XMLNS_NS, type Scope,
} from './result-tree.js';

/** The result tree is one the xml method's text would not give back as such: the caller parses the text. */
class NotSourceTree extends Error {}

/**
 * The source tree that parsing a result's serialisation (xml method, no indenting, no CDATA sections)
 * would give, built straight from the engine's result tree: the next transform of a chain or a pipeline
 * starts from it without writing and re-reading the text. It mirrors what serialize.ts writes
 * (namespace declarations, comment and processing-instruction data, characters XML cannot hold) and
 * what parse.ts reads (through the same TreeBuilder).
 *
 * Answers undefined when only the text can say: output escaping disabled (the text may hold markup), no
 * single document element, text outside it, a repeated attribute, a namespace URI a parser would trim, or
 * any of the parser's limits reached (parsing the text then reports it with its line and column).
 */
export function sourceTree(result: XNode, limits: XmlLimits): XDocument | undefined {
  const tree = new TreeBuilder();
  const copier = new Copier(tree, limits);
  try {
    copier.content(result, INITIAL_SCOPE);
  } catch (err) {
    if (err instanceof NotSourceTree) return undefined;
    throw err;
  }
  return copier.elements === 1 ? tree.doc : undefined;
}

class Copier {
  /** Elements at the top level: a document has exactly one. */
  elements = 0;
  readonly #tree: TreeBuilder;
  readonly #limits: XmlLimits;

  constructor(tree: TreeBuilder, limits: XmlLimits) {
    this.#tree = tree;
    this.#limits = limits;
  }

  content(parent: XNode, scope: Scope): void {
    const nodes = parent.childNodes;
    let i = 0;
    while (i < nodes.length) {
      const node = nodes[i]!;
      const type = node.nodeType;
      if (type === TEXT || type === CDATA) {
        // One run of text is one text node once written and read (serialize.ts writes CDATA nodes escaped).
        let text = '';
        for (; i < nodes.length && (nodes[i]!.nodeType === TEXT || nodes[i]!.nodeType === CDATA); i++) {
          if (nodes[i]!.nodeType === TEXT && nodes[i]!.escape === false) throw new NotSourceTree();
          text += nodes[i]!.nodeValue;
        }
        this.#text(checkXmlData(text));
        continue;
      }
      i++;
      if (type === ELEMENT) this.#element(node, scope);
      else if (type === COMMENT) this.#tree.comment(lineEnds(commentData(checkXmlData(node.nodeValue), false)));
      // A parser takes the whitespace after the target as the separator, not as data.
      else if (type === PROCESSING_INSTRUCTION) this.#tree.processingInstruction(node.nodeName, lineEnds(processingInstructionData(checkXmlData(node.nodeValue), false)).replace(/^[ \t\n]+/, ''));
      else if (type === DOCUMENT || type === FRAGMENT) this.content(node, scope);
    }
  }

  #text(text: string): void {
    // The parser checks text outside the document element too.
    if (text.length > this.#limits.maxTextLength) throw new NotSourceTree();
    if (this.#tree.depth === 0) {
      // Outside the document element only whitespace may be, and is not part of the tree (a CR is written
      // as a character reference, which may not be there).
      if (/[^ \t\n]/.test(text)) throw new NotSourceTree();
      return;
    }
    // Text either side of a node that is not written (an attribute) is one text node once read.
    if (this.#tree.text(text) > this.#limits.maxTextLength) throw new NotSourceTree();
  }

  #element(node: XNode, parentScope: Scope): void {
    const limits = this.#limits;
    const name = node.nodeName;
    if (this.#tree.depth === 0 && ++this.elements > 1) throw new NotSourceTree();
    if (this.#tree.depth + 1 > limits.maxDepth || name.length > limits.maxNameLength) throw new NotSourceTree();
    const { scope, declarations, attributes } = elementAttributes(node, parentScope);
    for (const declaration of declarations) {
      // A parser binds a namespace URI trimmed, with characters XML cannot hold read as U+FFFD: only a URI
      // that neither changes is bound here as it would be there.
      if (checkXmlData(declaration.uri).trim() !== declaration.uri) throw new NotSourceTree();
    }
    const written: Record<string, TreeAttribute> = Object.create(null);
    const add = (attributeName: string, value: string, uri: string) => {
      if (Object.hasOwn(written, attributeName) || attributeName.length > limits.maxNameLength || value.length > limits.maxTextLength) throw new NotSourceTree();
      written[attributeName] = { value, uri };
    };
    for (const declaration of declarations) add(declaration.name, checkXmlData(declaration.uri), XMLNS_NS);
    for (const attribute of attributes) {
      const prefix = prefixOf(attribute.nodeName);
      add(attribute.nodeName, checkXmlData(String(attribute.nodeValue)), prefix === '' ? '' : namespaceOf(prefix, scope));
    }
    if (declarations.length + attributes.length > limits.maxAttributes) throw new NotSourceTree();
    this.#tree.open(name, namespaceOf(prefixOf(name), scope), written);
    this.content(node, scope);
    this.#tree.close();
  }
}

/** XML 1.0 §2.11: a parser reads CR LF and a lone CR as LF (comments and PIs are written raw, text and attributes escaped). */
function lineEnds(data: string): string {
  return data.replace(/\r\n?/g, '\n');
}

function namespaceOf(prefix: string, scope: Scope): string {
  if (prefix === 'xmlns') return XMLNS_NS;
  const uri = scope.get(prefix);
  // serialize.ts refuses an undeclared prefix before this is ever asked.
  if (uri === undefined) throw new NotSourceTree();
  return uri;
}
