/** What the html output method (XSLT 1.0 §16.2) knows about HTML elements and attributes. */

const XHTML_NS = 'http://www.w3.org/1999/xhtml';

/** Elements with no end tag: HTML 4.01's, and HTML's later ones. */
const VOID = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link',
  'meta', 'param', 'source', 'track', 'wbr',
]);

/** Attributes with one allowed value, their own name: written minimised (`checked`), as xsltproc does. */
const BOOLEAN = new Set([
  'checked', 'compact', 'declare', 'defer', 'disabled', 'ismap', 'multiple', 'nohref', 'noresize', 'noshade',
  'nowrap', 'readonly', 'selected',
  'async', 'autofocus', 'autoplay', 'controls', 'default', 'formnovalidate', 'hidden', 'inert', 'itemscope',
  'loop', 'novalidate', 'open', 'playsinline', 'required', 'reversed',
]);

/**
 * Whether an element of the result is an HTML element: no namespace, or XHTML's (which browsers parse as
 * HTML's own). Others (SVG, MathML...) keep the html method's escaping but none of HTML's element rules.
 */
export function isHtmlElement(name: string, scope: ReadonlyMap<string, string>): boolean {
  if (name.includes(':')) return false;
  const uri = scope.get('') ?? '';
  return uri === '' || uri === XHTML_NS;
}

export function isVoidElement(name: string): boolean {
  return VOID.has(name.toLowerCase());
}

/** `script` and `style`: their content is written without escaping (§16.2). */
export function isRawTextElement(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'script' || lower === 'style';
}

export function minimisedAttribute(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  return BOOLEAN.has(lower) && value.toLowerCase() === lower;
}

const CLOSING: Record<string, RegExp> = { script: /<\/(?=script)/gi, style: /<\/(?=style)/gi };

/**
 * The content of a `script` or `style` element, unescaped as §16.2 requires, except where it would end the
 * element early: `</script` becomes `<\/script` (the same string in JavaScript and CSS), and in a script
 * `<!--` becomes `<\!--`, which would otherwise make an HTML parser skip a later `</script>`.
 */
export function rawText(text: string, element: string): string {
  const lower = element.toLowerCase();
  const safe = text.replace(CLOSING[lower]!, '<\\/');
  return lower === 'script' ? safe.replaceAll('<!--', '<\\!--') : safe;
}
