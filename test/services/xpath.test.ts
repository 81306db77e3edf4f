import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { XDocument } from 'xslt-processor';
import { XmlLimitsSchema } from '../../schemas/config.js';
import { AkaraError } from '../../services/errors.js';
import { evaluateXPath, MAX_XPATH_LENGTH, XPATH_RESULTS_NS, type XPathResult } from '../../services/xpath/evaluate.js';
import { formatXPathNumber, serializeXPathResult } from '../../services/xpath/serialize.js';
import { parseXml } from '../../services/xml/parse.js';

const limits = XmlLimitsSchema.parse({});
const parse = (xml: string): XDocument => parseXml(xml, { limits });

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
const open = (count: number) => `<results xmlns="${XPATH_RESULTS_NS}" type="node-set" count="${count}">\n`;
const XML = 'application/xml; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function xml(doc: XDocument, expression: string, namespaces?: Record<string, string>): string {
  const { body, contentType } = serializeXPathResult(evaluateXPath(doc, expression, { namespaces }), 'xml');
  assert.equal(contentType, XML);
  return body;
}

function json(doc: XDocument, expression: string, namespaces?: Record<string, string>): unknown {
  const { body, contentType } = serializeXPathResult(evaluateXPath(doc, expression, { namespaces }), 'json');
  assert.equal(contentType, JSON_TYPE);
  return JSON.parse(body);
}

function text(doc: XDocument, expression: string): string {
  const { body, contentType } = serializeXPathResult(evaluateXPath(doc, expression), 'text');
  assert.equal(contentType, TEXT);
  return body;
}

/** The `n` attribute of each result node, to see the order. */
function ns(doc: XDocument, expression: string): string[] {
  const result = evaluateXPath(doc, expression);
  assert.equal(result.type, 'node-set');
  return result.nodes.map((node) => (node.nodeType === 2 ? `@${node.nodeValue}` : String(node.getAttributeValue('n'))));
}

function refusal(run: () => unknown, code: string): AkaraError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof AkaraError, `expected an AkaraError, got ${String(err)}`);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail('expected a refusal');
}

const tree = parse('<r><a n="1"><x n="1a"/></a><b n="2"><x n="2a"><x n="2b"/></x></b><x n="3"/></r>');

describe('evaluateXPath: node-sets', () => {
  it('answers elements, copied as XML inside the results wrapper', () => {
    const doc = parse('<list><item id="1">one</item><item id="2"><b>two</b></item></list>');
    assert.equal(xml(doc, '/list/item'), `${HEAD}${open(2)}<item xmlns="" id="1">one</item>\n<item xmlns="" id="2"><b>two</b></item>\n</results>\n`);
    assert.deepEqual(json(doc, '/list/item'), {
      type: 'node-set', count: 2,
      nodes: [{ kind: 'element', xml: '<item id="1">one</item>' }, { kind: 'element', xml: '<item id="2"><b>two</b></item>' }],
    });
  });

  it('answers attributes by name and value, never namespace declarations', () => {
    const doc = parse('<r xmlns:p="urn:p"><e id="1" p:lang="en"/></r>');
    assert.equal(xml(doc, '//@*'), `${HEAD}${open(2)}<attribute name="id" value="1"/>\n<attribute name="p:lang" namespace="urn:p" value="en"/>\n</results>\n`);
    assert.deepEqual(json(doc, '//@*'), {
      type: 'node-set', count: 2,
      nodes: [{ kind: 'attribute', name: 'id', value: '1' }, { kind: 'attribute', name: 'p:lang', namespace: 'urn:p', value: 'en' }],
    });
  });

  it('answers text nodes as escaped text, one element each', () => {
    const doc = parse('<r><a>one</a><a>two &amp; three</a></r>');
    assert.equal(xml(doc, '//a/text()'), `${HEAD}${open(2)}<text>one</text>\n<text>two &amp; three</text>\n</results>\n`);
    assert.deepEqual(json(doc, '//a/text()'), { type: 'node-set', count: 2, nodes: [{ kind: 'text', value: 'one' }, { kind: 'text', value: 'two & three' }] });
    assert.equal(text(doc, '//a/text()'), 'one\ntwo & three\n');
  });

  it('answers comments, processing instructions and the document node', () => {
    const doc = parse('<?style a?><r><!-- note --><?pi?></r>');
    assert.equal(xml(doc, '//comment() | //processing-instruction()'), `${HEAD}${open(3)}<?style a?>\n<!-- note -->\n<?pi?>\n</results>\n`);
    assert.deepEqual(json(doc, '//comment() | /processing-instruction()'), {
      type: 'node-set', count: 2,
      nodes: [{ kind: 'processing-instruction', target: 'style', value: 'a' }, { kind: 'comment', value: ' note ' }],
    });
    assert.equal(xml(doc, '/'), `${HEAD}${open(1)}<document><?style a?><r xmlns=""><!-- note --><?pi?></r></document>\n</results>\n`);
    assert.deepEqual(json(doc, '/'), { type: 'node-set', count: 1, nodes: [{ kind: 'document', xml: '<?style a?><r><!-- note --><?pi?></r>' }] });
  });

  it('answers an empty node-set', () => {
    assert.equal(xml(tree, '//nothing'), `${HEAD}${open(0)}</results>\n`);
    assert.deepEqual(json(tree, '//nothing'), { type: 'node-set', count: 0, nodes: [] });
    assert.equal(text(tree, '//nothing'), '');
  });
});

describe('evaluateXPath: document order', () => {
  it('sorts //x, which the engine answers breadth-first', () => {
    assert.deepEqual(ns(tree, '//x'), ['1a', '2a', '2b', '3']);
    assert.deepEqual(ns(tree, '//*[@n]'), ['1', '1a', '2', '2a', '2b', '3']);
  });

  it('sorts a|b, which the engine answers in operand order', () => {
    assert.deepEqual(ns(tree, '/r/b | /r/a'), ['1', '2']);
    assert.deepEqual(ns(tree, '//x[@n="3"] | //a | //b/x'), ['1', '2a', '3']);
  });

  it('puts an element before its attributes and its attributes before its children', () => {
    assert.deepEqual(ns(tree, '//b/x/@n | //b | //b/@n | //a/x'), ['1a', '2', '@2', '@2a']);
  });

  it('answers each node once', () => {
    assert.deepEqual(ns(tree, '//x | //x | /r/x'), ['1a', '2a', '2b', '3']);
    // b is an ancestor of two x, the x 2a of one: each is answered once.
    assert.deepEqual(ns(tree, '//x/ancestor::*[@n]'), ['1', '2', '2a']);
  });
});

describe('evaluateXPath: axes and attributes', () => {
  const doc = parse('<a id="a" k="k"><b/><c id="c"/>t<d/></a>');
  const names = (expression: string) => (evaluateXPath(doc, expression) as Extract<XPathResult, { type: 'node-set' }>).nodes.map((n) => n.nodeName);

  it('keeps attributes off the sibling axes, and gives an attribute no siblings', () => {
    assert.deepEqual(names('/a/d/preceding-sibling::node()'), ['b', 'c', '#text']);
    assert.deepEqual(names('/a/b/following-sibling::*'), ['c', 'd']);
    assert.deepEqual(names('/a/@id/following-sibling::node()'), []);
    assert.deepEqual(names('/a/@k/preceding-sibling::node()'), []);
  });

  it('keeps attributes off the following and preceding axes', () => {
    assert.deepEqual(names('/a/d/preceding::node()'), ['b', 'c', '#text']);
    assert.deepEqual(names('/a/@id/following::*'), ['b', 'c', 'd']);
  });
});

describe('evaluateXPath: other results', () => {
  it('answers numbers from count() and arithmetic', () => {
    assert.deepEqual(evaluateXPath(tree, 'count(//x)'), { type: 'number', value: 4 });
    assert.equal(text(tree, 'count(//x)'), '4');
    assert.deepEqual(json(tree, 'count(//x)'), { type: 'number', value: 4 });
    assert.equal(text(tree, '7 div 2'), '3.5');
    assert.equal(text(tree, 'sum(//a/@n | //b/@n)'), '3');
  });

  it('answers strings from string() and the string-value of the document', () => {
    const doc = parse('<r>one <b>two</b> three</r>');
    assert.deepEqual(evaluateXPath(doc, 'string(/r/b)'), { type: 'string', value: 'two' });
    // The engine throws on the string-value of the document node without our hook.
    assert.equal(text(doc, 'string(/)'), 'one two three');
    assert.equal(text(doc, 'normalize-space()'), 'one two three');
    assert.equal(text(doc, 'concat(name(/*), ":", string-length(/r))'), 'r:13');
    assert.deepEqual(json(doc, 'string(/r/b)'), { type: 'string', value: 'two' });
  });

  it('answers booleans', () => {
    assert.deepEqual(evaluateXPath(tree, 'boolean(//x)'), { type: 'boolean', value: true });
    assert.equal(text(tree, 'count(//x) = 3'), 'false');
    assert.deepEqual(json(tree, 'not(//nothing)'), { type: 'boolean', value: true });
    assert.equal(serializeXPathResult(evaluateXPath(tree, '//x/@n = "3"'), 'xml').body, `${HEAD}<results xmlns="${XPATH_RESULTS_NS}" type="boolean">true</results>\n`);
  });

  it('formats numbers per XPath string(): NaN, the infinities, integers without .0, no exponent', () => {
    assert.equal(text(tree, '0 div 0'), 'NaN');
    assert.equal(text(tree, '1 div 0'), 'Infinity');
    assert.equal(text(tree, '-1 div 0'), '-Infinity');
    assert.equal(text(tree, '2.0'), '2');
    assert.equal(text(tree, '-0'), '0');
    assert.equal(text(tree, '1000000 * 1000000 * 1000000 * 1000'), '1000000000000000000000');
    assert.equal(text(tree, '1 div 10000000'), '0.0000001');
    assert.equal(formatXPathNumber(-1.5e-7), '-0.00000015');
    assert.equal(formatXPathNumber(1.25e22), '12500000000000000000000');
    assert.equal(formatXPathNumber(-0), '0');
    assert.deepEqual(json(tree, '0 div 0'), { type: 'number', value: 'NaN' });
    assert.deepEqual(json(tree, '-1 div 0'), { type: 'number', value: '-Infinity' });
    assert.deepEqual(json(tree, '1 div 4'), { type: 'number', value: 0.25 });
  });
});

describe('evaluateXPath: namespaces', () => {
  const doc = parse('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="urn:dc"><entry d:id="e1"><title>T</title></entry><x xmlns=""><y/></x></feed>');

  it('resolves prefixes in the expression with the mapping, whatever prefixes the document uses', () => {
    const atom = { a: 'http://www.w3.org/2005/Atom', meta: 'urn:dc' };
    assert.deepEqual(json(doc, '/a:feed/a:entry/a:title/text()', atom), { type: 'node-set', count: 1, nodes: [{ kind: 'text', value: 'T' }] });
    assert.deepEqual(json(doc, '//a:entry/@meta:id', atom), { type: 'node-set', count: 1, nodes: [{ kind: 'attribute', name: 'd:id', namespace: 'urn:dc', value: 'e1' }] });
    assert.deepEqual(json(doc, 'count(//a:*)', atom), { type: 'number', value: 3 });
    assert.deepEqual(json(doc, 'count(//a:entry)', { a: 'urn:other' }), { type: 'number', value: 0 });
  });

  it('keeps the namespace declarations in scope on each copied element', () => {
    assert.equal(xml(doc, '//a:title', { a: 'http://www.w3.org/2005/Atom' }),
      `${HEAD}${open(1)}<title xmlns:d="urn:dc" xmlns="http://www.w3.org/2005/Atom">T</title>\n</results>\n`);
    assert.deepEqual(json(doc, '//a:title', { a: 'http://www.w3.org/2005/Atom' }),
      { type: 'node-set', count: 1, nodes: [{ kind: 'element', xml: '<title xmlns:d="urn:dc" xmlns="http://www.w3.org/2005/Atom">T</title>' }] });
    // Out of the wrapper's default namespace, in XML only.
    assert.equal(xml(doc, '//y'), `${HEAD}${open(1)}<y xmlns:d="urn:dc" xmlns=""/>\n</results>\n`);
    assert.deepEqual(json(doc, '//y'), { type: 'node-set', count: 1, nodes: [{ kind: 'element', xml: '<y xmlns:d="urn:dc"/>' }] });
  });

  it('copies the nearest declaration of a prefix, and none the element makes itself', () => {
    const nested = parse('<r xmlns:p="urn:1" xmlns="urn:d"><s xmlns:p="urn:2"><p:t xmlns="urn:e"/></s></r>');
    assert.deepEqual(json(nested, '//q:t', { q: 'urn:2' }), { type: 'node-set', count: 1, nodes: [{ kind: 'element', xml: '<p:t xmlns:p="urn:2" xmlns="urn:e"/>' }] });
    assert.deepEqual(json(nested, '//q:t', { q: 'urn:1' }), { type: 'node-set', count: 0, nodes: [] });
  });

  it('binds xml always', () => {
    const lang = parse('<r xml:lang="en"/>');
    assert.deepEqual(json(lang, '/r/@xml:lang'), { type: 'node-set', count: 1, nodes: [{ kind: 'attribute', name: 'xml:lang', namespace: 'http://www.w3.org/XML/1998/namespace', value: 'en' }] });
  });

  it('refuses a prefix that is not declared, rather than matching nothing', () => {
    const err = refusal(() => evaluateXPath(doc, '//a:entry'), 'AKR_ERR_XPATH_INVALID');
    assert.equal(err.message, "The XPath expression does not evaluate: the namespace prefix 'a' is not declared");
    assert.equal(err.status, 400);
    refusal(() => evaluateXPath(doc, 'child::x:y'), 'AKR_ERR_XPATH_INVALID');
    refusal(() => evaluateXPath(doc, '//@x:*'), 'AKR_ERR_XPATH_INVALID');
    // Axes and literals are not prefixes.
    assert.deepEqual(evaluateXPath(doc, 'count(child::node()[. != "a:b"])'), { type: 'number', value: 1 });
  });

  it('refuses bad bindings', () => {
    assert.equal(refusal(() => evaluateXPath(doc, '1', { namespaces: { 'a b': 'urn:x' } }), 'AKR_ERR_XPATH_INVALID').detail.reason, "the namespace prefix 'a b' is not an NCName");
    refusal(() => evaluateXPath(doc, '1', { namespaces: { xmlns: 'urn:x' } }), 'AKR_ERR_XPATH_INVALID');
    refusal(() => evaluateXPath(doc, '1', { namespaces: { xml: 'urn:x' } }), 'AKR_ERR_XPATH_INVALID');
    refusal(() => evaluateXPath(doc, '1', { namespaces: { a: '' } }), 'AKR_ERR_XPATH_INVALID');
  });
});

describe('serializeXPathResult: escaping', () => {
  const doc = parse('<r><p title="a &quot;b&quot; &lt;c&gt;&#10;d">&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; ]]&gt;</p></r>');

  it('keeps escaped source text escaped', () => {
    assert.equal(xml(doc, '//p'),
      `${HEAD}${open(1)}<p xmlns="" title="a &quot;b&quot; &lt;c&gt;&#10;d">&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; ]]&gt;</p>\n</results>\n`);
    assert.equal(xml(doc, '//p/text()'), `${HEAD}${open(1)}<text>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; ]]&gt;</text>\n</results>\n`);
    assert.equal(xml(doc, '//@title'), `${HEAD}${open(1)}<attribute name="title" value="a &quot;b&quot; &lt;c&gt;&#10;d"/>\n</results>\n`);
    assert.equal(serializeXPathResult(evaluateXPath(doc, 'string(//p)'), 'xml').body,
      `${HEAD}<results xmlns="${XPATH_RESULTS_NS}" type="string">&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; ]]&gt;</results>\n`);
  });

  it('writes XML that parses back to the same values', () => {
    const back = parse(xml(doc, '//p | //p/@title | //p/text()'));
    const r = { r: XPATH_RESULTS_NS };
    assert.deepEqual(evaluateXPath(back, 'string(/r:results/p/@title)', { namespaces: r }), { type: 'string', value: 'a "b" <c>\nd' });
    assert.deepEqual(evaluateXPath(back, 'string(/r:results/r:attribute/@value)', { namespaces: r }), { type: 'string', value: 'a "b" <c>\nd' });
    assert.deepEqual(evaluateXPath(back, 'string(/r:results/r:text)', { namespaces: r }), { type: 'string', value: '<script>alert(1)</script> &amp; ]]>' });
    assert.deepEqual(evaluateXPath(back, 'count(/r:results/*)', { namespaces: r }), { type: 'number', value: 3 });
  });

  it('leaves text results as they are', () => {
    assert.equal(text(doc, 'string(//p)'), '<script>alert(1)</script> &amp; ]]>');
    assert.deepEqual(json(doc, 'string(//p)'), { type: 'string', value: '<script>alert(1)</script> &amp; ]]>' });
  });
});

describe('evaluateXPath: refusals', () => {
  it('refuses a syntax error with the engine message', () => {
    const err = refusal(() => evaluateXPath(tree, '//x['), 'AKR_ERR_XPATH_INVALID');
    assert.equal(err.detail.reason, 'XPST0003: Grammar violation: Unexpected token in primary expression: EOF');
    assert.ok(err.cause instanceof Error);
    assert.equal(refusal(() => evaluateXPath(tree, ''), 'AKR_ERR_XPATH_INVALID').detail.reason, 'XPST0003: Grammar violation: Empty expression');
  });

  it('refuses an unknown function or variable', () => {
    assert.equal(refusal(() => evaluateXPath(tree, 'nope(1)'), 'AKR_ERR_XPATH_INVALID').detail.reason, 'XPST0008: Unresolved function reference: nope');
    assert.equal(refusal(() => evaluateXPath(tree, '$v'), 'AKR_ERR_XPATH_INVALID').detail.reason, 'XPST0008: Unresolved variable reference: $v');
  });

  it('refuses an expression over the length limit before parsing it', () => {
    const longest = `"${'a'.repeat(MAX_XPATH_LENGTH - 2)}"`;
    assert.equal((evaluateXPath(tree, longest) as Extract<XPathResult, { type: 'string' }>).value.length, MAX_XPATH_LENGTH - 2);
    const err = refusal(() => evaluateXPath(tree, `${longest} `), 'AKR_ERR_XPATH_INVALID');
    assert.equal(err.detail.reason, `the expression has ${MAX_XPATH_LENGTH + 1} characters, more than the limit of ${MAX_XPATH_LENGTH}`);
  });

  it('refuses results that are not nodes of the document', () => {
    // The engine lets XPath 2.0 tokenize() through and answers its strings as empty elements.
    refusal(() => evaluateXPath(tree, 'tokenize("a b", " ")'), 'AKR_ERR_XPATH_INVALID');
  });

  it('bounds the node count and the serialised size', () => {
    const err = refusal(() => evaluateXPath(tree, '//x', { maxNodes: 3 }), 'AKR_ERR_XML_LIMIT');
    assert.deepEqual(err.detail, { what: 'nodes in an XPath result', limit: 3 });
    assert.equal(evaluateXPath(tree, '//x', { maxNodes: 4 }).type, 'node-set');
    const all = evaluateXPath(tree, '/r');
    for (const format of ['xml', 'json'] as const) {
      const tooLong = refusal(() => serializeXPathResult(all, format, { maxChars: 20 }), 'AKR_ERR_XML_LIMIT');
      assert.deepEqual(tooLong.detail, { what: 'characters in a serialised XPath result', limit: 20 });
    }
    refusal(() => serializeXPathResult(evaluateXPath(parse(`<r>${'words '.repeat(4)}</r>`), '/r'), 'text', { maxChars: 20 }), 'AKR_ERR_XML_LIMIT');
    assert.equal(serializeXPathResult(all, 'json', { maxChars: 200 }).body,
      '{"type":"node-set","count":1,"nodes":[{"kind":"element","xml":"<r><a n=\\"1\\"><x n=\\"1a\\"/></a><b n=\\"2\\"><x n=\\"2a\\"><x n=\\"2b\\"/></x></b><x n=\\"3\\"/></r>"}]}\n');
  });
});
