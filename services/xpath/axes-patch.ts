/**
 * A fix to xslt-processor 5.1.2's XPath axes, used by both the XSLT engine and akara.xpath. This DOM keeps
 * attributes among an element's child nodes, and the engine walked them as siblings: preceding-sibling::*
 * of <g> in <a id="a"><b/><g/></a> held @id, and following-sibling:: of an attribute held the other
 * attributes and the children. XPath 1.0 §2.2: attributes are on none of the sibling, following or
 * preceding axes, and an attribute has no siblings.
 *
 * The step class is not exported: it is reached through a parsed expression, and its prototype is
 * patched once for the process. Importing this module applies the patch.
 */
import { XPath, type XNode } from 'xslt-processor';

interface StepInternals {
  getFollowingSiblings(node: XNode): XNode[];
  getPrecedingSiblings(node: XNode): XNode[];
  getFollowing(node: XNode): XNode[];
  getPreceding(node: XNode): XNode[];
}

const ATTRIBUTE = 2;
const kPatched = Symbol.for('akara.xpath-axes-patched');

function findStep(value: unknown, depth = 0): StepInternals | undefined {
  if (typeof value !== 'object' || value === null || depth > 8) return undefined;
  if (typeof (value as Partial<StepInternals>).getPrecedingSiblings === 'function') return value as StepInternals;
  for (const inner of Object.values(value)) {
    const found = findStep(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const step = findStep(new XPath().xPathParse('preceding-sibling::*'));
if (!step) throw new Error('xslt-processor: the XPath step class was not found; the axes patch needs updating');
const proto = Object.getPrototypeOf(step) as StepInternals & { [kPatched]?: true };

if (!proto[kPatched]) {
  proto[kPatched] = true;
  const withoutAttributes = (nodes: XNode[]) => nodes.filter((n) => n.nodeType !== ATTRIBUTE);
  const { getFollowingSiblings, getPrecedingSiblings, getFollowing, getPreceding } = proto;
  proto.getFollowingSiblings = function followingSiblings(node) {
    return node.nodeType === ATTRIBUTE ? [] : withoutAttributes(getFollowingSiblings.call(this, node));
  };
  proto.getPrecedingSiblings = function precedingSiblings(node) {
    return node.nodeType === ATTRIBUTE ? [] : withoutAttributes(getPrecedingSiblings.call(this, node));
  };
  proto.getFollowing = function following(node) {
    return withoutAttributes(getFollowing.call(this, node));
  };
  proto.getPreceding = function preceding(node) {
    return withoutAttributes(getPreceding.call(this, node));
  };
}
