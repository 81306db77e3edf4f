import { SaxesParser } from 'saxes';

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const NAMED_REFERENCE = /&([A-Za-z][A-Za-z0-9]*);/g;
const CDATA_SECTION = /<!\[CDATA\[[\s\S]*?\]\]>/g;

/**
 * Whether text written with `disable-output-escaping` is a balanced, well-formed piece of element content
 * in the given namespace scope: then writing it raw cannot end an enclosing element, open one that is never
 * closed, nor leave the output not well-formed. XSLT 1.0 §16.4 lets a processor decline to disable escaping;
 * Akara declines whenever this answers false.
 *
 * `html`: named character references (`&nbsp;`) are accepted, as HTML knows them; tags must still balance.
 *
 * @example
 * isBalancedMarkup('<b>bold</b> &amp;', false, new Map()) // true
 * isBalancedMarkup('</p><script>', false, new Map())      // false
 */
export function isBalancedMarkup(raw: string, html: boolean, namespaces: ReadonlyMap<string, string>): boolean {
  const text = html ? raw.replace(NAMED_REFERENCE, (ref, name: string) => PREDEFINED.has(name) ? ref : '&amp;') : raw;
  // saxes lets `]]>` pass in character data, which XML forbids outside a CDATA section.
  if (text.replace(CDATA_SECTION, '').includes(']]>')) return false;
  const additionalNamespaces: Record<string, string> = Object.create(null);
  for (const [prefix, uri] of namespaces) {
    if (prefix !== '' && prefix !== 'xml' && uri !== '') additionalNamespaces[prefix] = uri;
  }
  const parser = new SaxesParser({ xmlns: true, fragment: true, additionalNamespaces });
  let wellFormed = true;
  parser.on('error', () => { wellFormed = false; });
  // A fragment may not hold a DOCTYPE; saxes accepts one there, so refuse it here.
  parser.on('doctype', () => { wellFormed = false; });
  parser.write(text).close();
  return wellFormed;
}
