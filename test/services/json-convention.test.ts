import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlLimitsSchema } from '../../schemas/config.js';
import { AkaraError } from '../../services/errors.js';
import { jsonToXml, xmlToJson } from '../../services/xml/json-convention.js';
import { checkXml } from '../../services/xml/parse.js';

const limits = XmlLimitsSchema.parse({});

function failure(fn: () => unknown): AkaraError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AkaraError, `expected an AkaraError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an AkaraError');
}

/** XML -> JSON -> XML; the XML written is well-formed and namespace-well-formed, and reads back to the same JSON. */
function roundTrip(xml: string): string {
  const json = xmlToJson(xml, limits);
  const out = jsonToXml(JSON.stringify(json), limits);
  assert.deepEqual(checkXml(out, { limits }), []);
  assert.deepEqual(xmlToJson(out, limits), json);
  return out;
}

const refuse = (json: unknown, options = limits) => failure(() => jsonToXml(JSON.stringify(json), options));
const doc = (...children: unknown[]) => ({ children });

describe('xmlToJson', () => {
  it('writes the documented convention', () => {
    const json = xmlToJson('<p xmlns:x="urn:x" x:id="1">a <b>bold</b></p>', limits);
    assert.equal(JSON.stringify(json), '{"children":[{"name":"p","attributes":{"xmlns:x":"urn:x","x:id":"1"},'
      + '"children":["a ",{"name":"b","attributes":{},"children":["bold"]}]}]}');
  });

  it('keeps comments and processing instructions, in and around the document element', () => {
    const xml = '<?xml version="1.0"?>\n<?xml-stylesheet href="s.xsl" type="text/xsl"?>\n<!-- top -->\n'
      + '<r><!--in--><?pi  data  ?><?empty?></r>\n<!--after-->';
    assert.deepEqual(xmlToJson(xml, limits), doc(
      { pi: 'xml-stylesheet', data: 'href="s.xsl" type="text/xsl"' },
      { comment: ' top ' },
      { name: 'r', attributes: {}, children: [{ comment: 'in' }, { pi: 'pi', data: 'data  ' }, { pi: 'empty', data: '' }] },
      { comment: 'after' },
    ));
  });

  it('resolves entity and character references once, and keeps strings as strings', () => {
    const json = xmlToJson('<r a="&lt;&amp;&quot;" n="01">&amp; &lt; &#x263A; &#65; &amp;#65; &gt; 1e3 true</r>', limits);
    assert.deepEqual(json, doc({ name: 'r', attributes: { a: '<&"', n: '01' }, children: ['& < ☺ A &#65; > 1e3 true'] }));
  });

  it('turns CDATA into text, merged with the text around it', () => {
    const json = xmlToJson('<r>a<![CDATA[<x> &amp; ]]]]><![CDATA[>]]>b<![CDATA[]]></r>', limits);
    assert.deepEqual(json, doc({ name: 'r', attributes: {}, children: ['a<x> &amp; ]]>b'] }));
  });

  it('normalises attribute values as XML does, but not references to whitespace', () => {
    const json = xmlToJson('<r a="x\ty\r\nz" b="&#9;&#10;&#13;"/>', limits);
    assert.deepEqual(json, doc({ name: 'r', attributes: { a: 'x y z', b: '\t\n\r' }, children: [] }));
  });

  it('reads bytes in the declared encoding or the byte-order mark', () => {
    const expected = doc({ name: 'r', attributes: { a: 'é' }, children: ['☺'] });
    assert.deepEqual(xmlToJson(Buffer.from('\ufeff<r a="é">☺</r>', 'utf16le'), limits), expected);
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><r a="\u00e9">&#x263A;</r>', 'latin1');
    assert.deepEqual(xmlToJson(latin1, limits), expected);
  });

  it('refuses malformed XML with the line and column of the first problem', () => {
    const err = failure(() => xmlToJson('<a>\n  <b></a>', limits));
    assert.equal(err.code, 'AKR_ERR_XML_MALFORMED');
    assert.deepEqual(err.detail, { line: 2, column: 9, reason: 'unexpected close tag.' });
  });

  it('refuses a DTD that declares entities', () => {
    const laughs = '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><r>&b;</r>';
    assert.equal(failure(() => xmlToJson(laughs, limits)).code, 'AKR_ERR_XML_DTD_FORBIDDEN');
    assert.equal(failure(() => xmlToJson('<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>', limits)).code, 'AKR_ERR_XML_DTD_FORBIDDEN');
    assert.equal(failure(() => xmlToJson('<r>&nbsp;</r>', limits)).code, 'AKR_ERR_XML_MALFORMED');
  });

  it('drops a bare DOCTYPE and the XML declaration', () => {
    assert.deepEqual(xmlToJson('<?xml version="1.0" standalone="yes"?><!DOCTYPE r><r/>', limits), doc({ name: 'r', attributes: {}, children: [] }));
  });

  it('applies the depth limit', () => {
    const err = failure(() => xmlToJson('<a><b><c><d/></c></b></a>', XmlLimitsSchema.parse({ maxDepth: 3 })));
    assert.equal(err.code, 'AKR_ERR_XML_LIMIT');
    assert.equal(err.detail.what, 'element depth');
  });
});

describe('XML -> JSON -> XML', () => {
  it('gives back a document with namespaces, default and prefixed', () => {
    const xml = '<r xmlns="urn:a" xmlns:x="urn:x" x:id="1" plain="2"><x:c xml:lang="en">t</x:c><d xmlns=""/><x:e/></r>';
    assert.equal(roundTrip(xml), xml);
  });

  it('gives back mixed content and whitespace', () => {
    assert.equal(roundTrip('<p>a <b>bold</b> and <i>it</i>.</p>'), '<p>a <b>bold</b> and <i>it</i>.</p>');
    assert.equal(roundTrip('<r>\n  <a> x </a>\n\t<b>  </b>\n</r>'), '<r>\n  <a> x </a>\n\t<b>  </b>\n</r>');
  });

  it('gives back comments and processing instructions', () => {
    const xml = '<?xml-stylesheet href="s.xsl" type="text/xsl"?>\n<!-- top -->\n<r><!--in--><?pi data ?><?empty?></r>\n<!--after-->';
    assert.equal(roundTrip(xml), xml);
  });

  it('writes references and CDATA as escaped text, with the same content', () => {
    assert.equal(roundTrip('<r a="&lt;&amp;&quot;">&amp; &lt; &#x263A; &gt;</r>'), '<r a="&lt;&amp;&quot;">&amp; &lt; ☺ &gt;</r>');
    assert.equal(roundTrip('<r><![CDATA[<x> & ]]]]><![CDATA[>]]></r>'), '<r>&lt;x&gt; &amp; ]]&gt;</r>');
    assert.equal(roundTrip('<r a="&#9;&#10;&#13;">&#13;</r>'), '<r a="&#x9;&#xA;&#xD;">&#xD;</r>');
  });

  it('gives back the content of a document written another way', () => {
    const xml = "<?xml version='1.0'?>\r\n<!DOCTYPE r>\r\n<r  b = 'x\"y'\r\n a='1' ><e></e><f\t/>line\r\nnext</r>\r\n";
    assert.equal(roundTrip(xml), '<r b="x&quot;y" a="1"><e/><f/>line\nnext</r>');
  });
});

describe('names that are JavaScript prototype keys', () => {
  it('are ordinary element and attribute names, both ways', () => {
    const xml = '<__proto__ polluted="yes" __proto__="p" constructor="c"><constructor/><prototype/><toString hasOwnProperty="h"/></__proto__>';
    const json = xmlToJson(xml, limits);
    const text = JSON.stringify(json);
    assert.equal(text, '{"children":[{"name":"__proto__","attributes":{"polluted":"yes","__proto__":"p","constructor":"c"},"children":['
      + '{"name":"constructor","attributes":{},"children":[]},{"name":"prototype","attributes":{},"children":[]},'
      + '{"name":"toString","attributes":{"hasOwnProperty":"h"},"children":[]}]}]}');
    assert.equal(jsonToXml(text, limits), xml);
    const root = json.children[0] as { attributes: Record<string, string> };
    assert.ok(Object.hasOwn(root.attributes, '__proto__'));
    assert.equal(Object.getPrototypeOf(root.attributes), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('cannot reach Object.prototype through the JSON', () => {
    const xml = jsonToXml('{"children":[{"name":"__proto__","attributes":{"polluted":"yes"},"children":[{"name":"constructor"}]}]}', limits);
    assert.equal(xml, '<__proto__ polluted="yes"><constructor/></__proto__>');
    const err = failure(() => jsonToXml('{"children":[{"name":"a"}],"__proto__":{"polluted":"yes"}}', limits));
    assert.equal(err.detail.reason, '$: unknown key "__proto__" (allowed: children)');
    // A node without its own `name` is not an element, even though every object inherits `constructor`.
    assert.equal(failure(() => jsonToXml('{"children":[{"constructor":"a"}]}', limits)).detail.path, '$.children[0]');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('jsonToXml', () => {
  it('refuses JSON that does not parse', () => {
    const err = failure(() => jsonToXml('{"children": [', limits));
    assert.equal(err.code, 'AKR_ERR_JSON_MALFORMED');
    assert.ok(err.cause instanceof SyntaxError);
    const bytes = failure(() => jsonToXml(new Uint8Array([0x7b, 0xff, 0x7d]), limits));
    assert.deepEqual([bytes.code, bytes.detail.reason], ['AKR_ERR_JSON_MALFORMED', 'the JSON is not valid UTF-8']);
  });

  it('reads UTF-8 bytes', () => {
    assert.equal(jsonToXml(Buffer.from('{"children":[{"name":"r","children":["☺"]}]}'), limits), '<r>☺</r>');
  });

  it('refuses a wrong shape, naming the JSON path', () => {
    const cases: Array<[unknown, string]> = [
      [[{ name: 'r' }], '$: must be an object {"children": [...]}, the document'],
      [{ children: {} }, '$.children: must be an array: the document element, with any comments and processing instructions'],
      [doc(), '$.children: a document needs one element'],
      [doc({ name: 'a' }, { name: 'b' }), '$.children[1]: a document has exactly one element'],
      [doc('text', { name: 'a' }), '$.children[0]: text is not allowed outside the document element'],
      [doc({ name: 'a', attrs: {} }), '$.children[0]: unknown key "attrs" (allowed: name, attributes, children)'],
      [doc({ name: 'a', attributes: [] }), '$.children[0].attributes: must be an object of names to string values'],
      [doc({ name: 'a', attributes: { n: 1 } }), '$.children[0].attributes["n"]: must be a string'],
      [doc({ name: 'a', children: 'x' }), '$.children[0].children: must be an array'],
      [doc({ name: 'a', children: [{ name: 'b', children: [7] }] }), '$.children[0].children[0].children[0]: must be text (a string), an element, a comment or a processing instruction'],
      [doc({ name: 'a', children: [{ text: 'x' }] }), '$.children[0].children[0]: must be an element {"name": ...}, a comment {"comment": ...} or a processing instruction {"pi": ...}'],
      [doc({ name: 'a', children: [{ comment: 'a--b' }] }), "$.children[0].children[0].comment: a comment cannot contain '--' or end with '-'"],
      [doc({ name: 'a', children: [{ pi: 'p', data: 'a?>' }] }), "$.children[0].children[0].data: must not contain '?>' nor start with whitespace"],
      [doc({ name: 'a', children: [{ pi: 'XML' }] }), '$.children[0].children[0].pi: "XML" is not a processing instruction target'],
      [doc({ name: 'a', children: ['ok\u0001'] }), '$.children[0].children[0]: U+0001 is not allowed in XML'],
      [doc({ name: 'a', children: ['\ud800'] }), '$.children[0].children[0]: U+D800 is not allowed in XML'],
    ];
    for (const [json, reason] of cases) {
      const err = refuse(json);
      assert.equal(err.code, 'AKR_ERR_JSON_MALFORMED', reason);
      assert.equal(err.detail.reason, reason);
    }
  });

  it('refuses names that are not XML names', () => {
    for (const name of ['a b', '1x', '<x>', '', 'a:b:c', ':a', 'a:']) {
      assert.equal(refuse(doc({ name })).detail.reason, `$.children[0].name: ${JSON.stringify(name)} is not an XML name`);
      assert.equal(refuse(doc({ name: 'r', attributes: { [name]: 'v' } })).detail.path, `$.children[0].attributes[${JSON.stringify(name)}]`);
    }
    assert.equal(jsonToXml(JSON.stringify(doc({ name: 'é-1.x_\u00b7', attributes: { 'ÿ:a': '' , 'xmlns:ÿ': 'urn:y' } })), limits), '<é-1.x_\u00b7 ÿ:a="" xmlns:ÿ="urn:y"/>');
  });

  it('refuses what is not namespace-well-formed', () => {
    const cases: Array<[unknown, string]> = [
      [doc({ name: 'x:a' }), '$.children[0].name: the prefix x is not declared'],
      [doc({ name: 'a', attributes: { 'x:b': '1' } }), '$.children[0].attributes["x:b"]: the prefix x is not declared'],
      [doc({ name: 'a', attributes: { 'xmlns:x': '' } }), '$.children[0].attributes["xmlns:x"]: a prefix cannot be undeclared in XML 1.0'],
      [doc({ name: 'a', attributes: { 'xmlns:xmlns': 'urn:x' } }), '$.children[0].attributes["xmlns:xmlns"]: the prefix xmlns cannot be declared'],
      [doc({ name: 'xmlns:a' }), '$.children[0].name: the prefix xmlns is reserved'],
      [doc({ name: 'a', attributes: { 'xmlns:xml': 'urn:x' } }), '$.children[0].attributes["xmlns:xml"]: the prefix xml is bound to http://www.w3.org/XML/1998/namespace only'],
      [doc({ name: 'a', attributes: { 'xmlns:p': 'u', 'xmlns:q': 'u', 'p:x': '1', 'q:x': '2' } }), '$.children[0].attributes["q:x"]: a second attribute named {u}x'],
      [doc({ name: 'a', children: [{ name: 'b', attributes: { 'xmlns:x': 'urn:x' } }, { name: 'x:c' }] }), '$.children[0].children[1].name: the prefix x is not declared'],
    ];
    for (const [json, reason] of cases) assert.equal(refuse(json).detail.reason, reason);
    // Declarations apply to the element and all its attributes, in whatever order they come.
    const xml = jsonToXml(JSON.stringify(doc({ name: 'x:a', attributes: { 'x:id': '1', 'xmlns:x': 'urn:x', 'xml:lang': 'en' }, children: [{ name: 'x:b' }] })), limits);
    assert.equal(xml, '<x:a x:id="1" xmlns:x="urn:x" xml:lang="en"><x:b/></x:a>');
    assert.deepEqual(checkXml(xml, { limits }), []);
  });

  it('escapes text and attribute values so that they read back the same', () => {
    const text = 'a]]>b<c>&d\re"f\'g\th\n';
    const value = 'q"<&>\t\n\r\'';
    const xml = jsonToXml(JSON.stringify(doc({ name: 'r', attributes: { v: value }, children: [text] })), limits);
    assert.equal(xml, '<r v="q&quot;&lt;&amp;>&#x9;&#xA;&#xD;\'">a]]&gt;b&lt;c&gt;&amp;d&#xD;e"f\'g\th\n</r>');
    assert.deepEqual(xmlToJson(xml, limits), doc({ name: 'r', attributes: { v: value }, children: [text] }));
  });

  it('accepts omitted attributes, children and data, and writes every key back', () => {
    const xml = jsonToXml(JSON.stringify(doc({ pi: 'go' }, { name: 'r', children: ['', 'a', 'b', { comment: '' }] })), limits);
    assert.equal(xml, '<?go?>\n<r>ab<!----></r>');
    assert.deepEqual(xmlToJson(xml, limits), doc({ pi: 'go', data: '' }, { name: 'r', attributes: {}, children: ['ab', { comment: '' }] }));
  });

  it('applies the depth limit', () => {
    const nest = (depth: number): unknown => (depth === 1 ? { name: 'e' } : { name: 'e', children: [nest(depth - 1)] });
    const shallow = XmlLimitsSchema.parse({ maxDepth: 3 });
    assert.equal(jsonToXml(JSON.stringify(doc(nest(3))), shallow), '<e><e><e/></e></e>');
    const err = refuse(doc(nest(4)), shallow);
    assert.deepEqual([err.code, err.detail], ['AKR_ERR_XML_LIMIT', { what: 'element depth', limit: 3, path: '$.children[0].children[0].children[0].children[0]' }]);
  });

  it('converts deep documents both ways without recursion', () => {
    // The deepest configurable document; the input is written by hand.
    const most = XmlLimitsSchema.parse({ maxDepth: 1_024 });
    const json = (depth: number) => '{"children":[' + '{"name":"e","children":['.repeat(depth - 1) + '{"name":"e"}' + ']}'.repeat(depth - 1) + ']}';
    const xml = (depth: number) => '<e>'.repeat(depth - 1) + '<e/>' + '</e>'.repeat(depth - 1);
    assert.equal(jsonToXml(json(1_024), most), xml(1_024));
    const depth = 1_024;
    let node = xmlToJson(xml(depth), most).children[0];
    for (let level = 1; level < depth; level++) {
      assert.ok(typeof node === 'object' && 'name' in node && node.name === 'e' && node.children.length === 1);
      node = node.children[0];
    }
    assert.deepEqual(node, { name: 'e', attributes: {}, children: [] });
  });

  it('applies the other limits to the XML it writes', () => {
    const what = (json: unknown, options: object) => {
      const err = refuse(json, XmlLimitsSchema.parse(options));
      assert.equal(err.code, 'AKR_ERR_XML_LIMIT');
      return err.detail.what;
    };
    assert.equal(what(doc({ name: 'r', children: ['x'.repeat(60)] }), { maxBytes: 60 }), 'JSON size in bytes');
    // 58 bytes of JSON, 67 of XML.
    assert.equal(what(doc({ name: 'r', children: ['<'.repeat(15)] }), { maxBytes: 60 }), 'document size in bytes');
    assert.equal(what(doc({ name: 'r', attributes: { a: '', b: '' } }), { maxAttributes: 1 }), 'attributes per element');
    assert.equal(what(doc({ name: 'long' }), { maxNameLength: 3 }), 'name length');
    assert.equal(what(doc({ name: 'r', attributes: { long: '' } }), { maxNameLength: 3 }), 'name length');
    assert.equal(what(doc({ name: 'r', children: ['12345'] }), { maxTextLength: 4 }), 'text length');
    assert.equal(what(doc({ name: 'r', attributes: { a: '12345' } }), { maxTextLength: 4 }), 'text length');
  });
});
