/**
 * Fixes to xslt-processor 5.1.2 made at our boundary, on a subclass, without touching the package:
 * each patch names the defect it works around.
 */
import { Xslt, type XDocument, type XNode } from 'xslt-processor';
import { isXsl } from './stylesheet-graph.js';
import type { Precedence } from './stylesheet-graph.js';

/** The engine's internals the patches reach (not in its typings). */
export interface XsltInternals {
  mapTemplatesFromStylesheet(this: XsltInternals, element: XNode, metadata: Precedence): void;
  xsltApplyTemplates(this: XsltInternals, context: ExprContext, template: XNode, output: unknown): Promise<void>;
  xsltSort(context: ExprContext, template: XNode): void;
  xsltValueOf(this: XsltInternals, context: ExprContext, template: XNode, output: XNode | undefined): void;
  xsltElement(this: XsltInternals, context: ExprContext, template: XNode, output: XNode | undefined): Promise<void>;
  xsltAttributeValue(value: string, context: ExprContext): string;
  resolveNamespaceUriForPrefix(node: XNode, prefix: string | null): string | null;
  xsltPassText(this: XsltInternals, node: XNode): boolean;
  shouldStripWhitespaceNode(node: XNode): boolean;
  xsltCopy(this: XsltInternals, destination: XNode, source: XNode): XNode | null;
  outputDocument: XDocument;
  xPath: { xPathEval(select: string, context: ExprContext): { nodeSetValue(): XNode[] } };
  templateSourceMap: Map<XNode, Precedence>;
  warningsCallback: (...args: unknown[]) => void;
}

interface ExprContext {
  nodeList: XNode[];
  position: number;
  clone(nodes?: XNode[], position?: number): ExprContext;
}

export class PatchedXslt extends Xslt {
  /** The stylesheet being applied: its text nodes follow the stylesheet's whitespace rules, others the source's. */
  stylesheet: XDocument | undefined;

  constructor(options: ConstructorParameters<typeof Xslt>[0], readonly precedence: Map<XNode, Precedence>) {
    super(options);
  }

  override xsltProcessToDocument(source: XDocument, stylesheet: XDocument): Promise<XDocument> {
    this.stylesheet = stylesheet;
    return super.xsltProcessToDocument(source, stylesheet);
  }
}
const proto = Xslt.prototype as unknown as XsltInternals;
const patched = PatchedXslt.prototype as unknown as XsltInternals;

/**
 * Template rules of imported modules: our flattening of the stylesheet graph moves them into the main
 * stylesheet (the engine only applies rules found there); give them back their import precedence.
 */
const baseMap = proto.mapTemplatesFromStylesheet;
patched.mapTemplatesFromStylesheet = function mapWithPrecedence(element, metadata) {
  baseMap.call(this, element, metadata);
  const { precedence } = this as unknown as PatchedXslt;
  for (const child of element.childNodes) {
    const known = precedence.get(child);
    if (known) this.templateSourceMap.set(child, known);
  }
};

/**
 * `xsl:sort` inside `xsl:apply-templates` is ignored by the engine (only `xsl:for-each` sorts). Sort the
 * selected nodes first and hand them to the engine's own apply-templates as its selection. The engine
 * evaluates the selection first and synchronously, so the one-shot substitution cannot reach any
 * other evaluation.
 */
const baseApply = proto.xsltApplyTemplates;
patched.xsltApplyTemplates = function applyTemplatesSorted(context, template, output) {
  if (!template.childNodes.some((child) => isXsl(child, 'sort'))) return baseApply.call(this, context, template, output);
  const select = template.getAttributeValue('select') as string | undefined;
  const nodes = select === undefined
    ? [...context.nodeList[context.position]!.childNodes.filter((n) => n.nodeType !== 2)]
    : this.xPath.xPathEval(select, context).nodeSetValue();
  const sorting = context.clone(nodes, 0);
  this.xsltSort(sorting, template);
  const xPath = this.xPath;
  const evaluate = xPath.xPathEval;
  const addedSelect = select === undefined;
  if (addedSelect) template.setAttribute('select', 'node()');
  // One shot: later evaluations (with-param selects) must reach the real evaluator.
  xPath.xPathEval = () => {
    xPath.xPathEval = evaluate;
    return { nodeSetValue: () => sorting.nodeList };
  };
  try {
    return baseApply.call(this, context, template, output);
  } finally {
    xPath.xPathEval = evaluate;
    if (addedSelect) template.removeAttribute('select');
  }
};

/**
 * `disable-output-escaping="yes"` on `xsl:value-of` is dropped by the engine (it keeps it for `xsl:text`, as
 * the text node's `escape` flag): mark the text node it made the same way, for our serializer.
 */
const baseValueOf = proto.xsltValueOf;
patched.xsltValueOf = function valueOfKeepingEscaping(context, template, output) {
  baseValueOf.call(this, context, template, output);
  if (template.getAttributeValue('disable-output-escaping') !== 'yes') return;
  const made = ((output ?? this.outputDocument) as XNode).lastChild as XNode | null;
  if (made?.nodeType === 3) made.escape = false;
};

/**
 * `xsl:element` ignores its `namespace` attribute and the namespaces in scope in the stylesheet, so its
 * element lands in whatever namespace its result parent declares (or an undeclared prefix). Declare the
 * namespace XSLT 1.0 §7.1.2 gives it on the element made: our serializer drops declarations already in scope.
 */
const baseElement = proto.xsltElement;
patched.xsltElement = async function elementInItsNamespace(context, template, output) {
  await baseElement.call(this, context, template, output);
  const made = ((output ?? this.outputDocument) as XNode).lastChild as XNode | null;
  if (made?.nodeType !== 1) return;
  const colon = made.nodeName.indexOf(':');
  const prefix = colon < 0 ? '' : made.nodeName.slice(0, colon);
  const namespace = template.getAttributeValue('namespace') as string | null;
  const uri = namespace === null ? this.resolveNamespaceUriForPrefix(template, prefix || null) : this.xsltAttributeValue(namespace, context);
  // No namespace and none asked for: left as literal result elements are (an ancestor's default applies, gap 043).
  // A prefix with no namespace is the stylesheet's error: the serializer reports it.
  if (uri === null || (uri === '' && (prefix !== '' || namespace === null))) return;
  made.setAttribute(prefix === '' ? 'xmlns' : `xmlns:${prefix}`, uri);
};

/**
 * `xsl:apply-templates` skips the whitespace-only text nodes of the source, by the rule meant for the
 * stylesheet's own text (XSLT 1.0 §3.4: only xsl:strip-space strips source text). Source text passes unless
 * xsl:strip-space strips it.
 */
const basePassText = proto.xsltPassText;
patched.xsltPassText = function passSourceText(node) {
  const { stylesheet } = this as unknown as PatchedXslt;
  if (stylesheet === undefined || node.ownerDocument === stylesheet) return basePassText.call(this, node);
  return !this.shouldStripWhitespaceNode(node);
};

/** `xsl:copy` and `xsl:copy-of` drop processing instructions (the engine copies every other kind of node). */
const baseCopy = proto.xsltCopy;
patched.xsltCopy = function copyWithInstructions(destination, source) {
  if (source.nodeType !== 7) return baseCopy.call(this, destination, source);
  const instruction = this.outputDocument.createProcessingInstruction(source.nodeName, source.nodeValue);
  instruction.siblingPosition = destination.childNodes.length;
  destination.appendChild(instruction);
  return null;
};
