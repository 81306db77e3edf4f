import { XDocument, type XNode } from 'xslt-processor';

/** An attribute as a namespace-aware parser reports it: its value and its namespace URI ('' for none). */
export interface TreeAttribute {
  value: string;
  uri: string;
}

/**
 * Builds the engine's document node by node, as a namespace-aware parser reports them. Both ways of
 * getting a source tree use it (parsing text, and taking over a transform's result), so both give the
 * same tree. Adjacent text is joined into one node, as in the XPath data model.
 */
export class TreeBuilder {
  readonly doc = new XDocument();
  readonly #stack: XNode[] = [this.doc];

  get depth(): number {
    return this.#stack.length - 1;
  }

  /** Opens an element: `uri` is its namespace ('' for none); attributes in document order, by name. */
  open(name: string, uri: string, attributes: Readonly<Record<string, TreeAttribute>>): void {
    const element = this.doc.createElement(name);
    element.namespaceUri = uri === '' ? null : uri;
    for (const [attributeName, attribute] of Object.entries(attributes)) element.setAttribute(attributeName, attribute.value);
    for (const node of element.childNodes) {
      // Attributes are child nodes in this DOM; only prefixed ones are in a namespace.
      if (node.nodeType === 2 && node.prefix) node.namespaceUri = attributes[node.nodeName]?.uri || null;
    }
    this.#append(element);
    this.#stack.push(element);
  }

  close(): void {
    this.#stack.pop();
  }

  /**
   * Text inside the document element; text outside it (whitespace between prolog items) is not part of the
   * tree. Answers the length of the text node it went into (joined with adjacent text), 0 if none.
   */
  text(text: string): number {
    if (this.#stack.length === 1 || text === '') return 0;
    const last = this.#parent().lastChild;
    if (last?.nodeType === 3) {
      last.nodeValue += text;
      return (last.nodeValue as string).length;
    }
    this.#append(this.doc.createTextNode(text));
    return text.length;
  }

  cdata(text: string): void {
    this.#append(this.doc.createCDATASection(text));
  }

  comment(text: string): void {
    this.#append(this.doc.createComment(text));
  }

  processingInstruction(target: string, body: string): void {
    this.#append(this.doc.createProcessingInstruction(target, body));
  }

  #parent(): XNode {
    return this.#stack[this.#stack.length - 1]!;
  }

  #append(node: XNode): void {
    const parent = this.#parent();
    node.siblingPosition = parent.childNodes.length;
    parent.appendChild(node);
  }
}
