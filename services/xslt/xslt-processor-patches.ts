/**
 * Fixes to xslt-processor 5.1.2 made at our boundary, on a subclass, without touching the package:
 * each patch names the defect it works around.
 */
import { Xslt, type XNode } from 'xslt-processor';
import { isXsl } from './stylesheet-graph.js';
import type { Precedence } from './stylesheet-graph.js';

/** The engine's internals the patches reach (not in its typings). */
export interface XsltInternals {
  mapTemplatesFromStylesheet(this: XsltInternals, element: XNode, metadata: Precedence): void;
  xsltApplyTemplates(this: XsltInternals, context: ExprContext, template: XNode, output: unknown): Promise<void>;
  xsltSort(context: ExprContext, template: XNode): void;
  xPath: { xPathEval(select: string, context: ExprContext): { nodeSetValue(): XNode[] } };
  templateSourceMap: Map<XNode, Precedence>;
  warningsCallback: (...args: unknown[]) => void;
  outputMethod: string;
}

interface ExprContext {
  nodeList: XNode[];
  position: number;
  clone(nodes?: XNode[], position?: number): ExprContext;
}

export class PatchedXslt extends Xslt {
  constructor(options: ConstructorParameters<typeof Xslt>[0], readonly precedence: Map<XNode, Precedence>) {
    super(options);
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
