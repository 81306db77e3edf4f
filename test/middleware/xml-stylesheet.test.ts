import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isXmlMediaType, xsltStylesheetHref } from '../../middleware/xml-stylesheet.js';

describe('xsltStylesheetHref', () => {
  it('reads the href of an XSLT xml-stylesheet PI in the prolog, with either quote and references decoded', () => {
    assert.equal(xsltStylesheetHref('<?xml-stylesheet type="text/xsl" href="page.xsl"?><doc/>'), 'page.xsl');
    assert.equal(xsltStylesheetHref("<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE doc>\n<?xml-stylesheet href='a.xsl?x=1&amp;y=&#x32;' type='application/xslt+xml'?>\n<doc/>"), 'a.xsl?x=1&y=2');
    assert.equal(xsltStylesheetHref('<?xml-stylesheet type = " TEXT/XSL " href = "p.xsl" ?><doc/>'), 'p.xsl');
  });

  it('takes the first XSLT one, skipping other types and alternates', () => {
    const doc = '<?xml-stylesheet type="text/css" href="a.css"?><?xml-stylesheet type="text/xsl" href="alt.xsl" alternate="yes"?>'
      + '<?xml-stylesheet type="text/xsl" href="first.xsl"?><?xml-stylesheet type="text/xsl" href="second.xsl"?><doc/>';
    assert.equal(xsltStylesheetHref(doc), 'first.xsl');
  });

  it('finds none after the root element, in a PI with malformed pseudo-attributes, or in a malformed prolog', () => {
    const none = [
      '<doc/><?xml-stylesheet type="text/xsl" href="p.xsl"?>',
      '<doc><?xml-stylesheet type="text/xsl" href="p.xsl"?></doc>',
      '<?xml-stylesheet type="text/xsl" href=p.xsl?><doc/>',
      '<?xml-stylesheet type="text/xsl"href="p.xsl"?><doc/>',
      '<?xml-stylesheet type="text/xsl" href="a&b.xsl"?><doc/>',
      '<?xml-stylesheet type="text/xsl" href="a.xsl" href="b.xsl"?><doc/>',
      '<?xml-stylesheet type="text/xsl"?><doc/>',
      '<?xml-stylesheet type="text/xml" href="p.xsl"?><doc/>',
      '<!-- -- --><?xml-stylesheet type="text/xsl" href="p.xsl"?><doc/>',
      'not xml',
      '',
    ];
    for (const doc of none) assert.equal(xsltStylesheetHref(doc), undefined, doc);
  });
});

describe('isXmlMediaType', () => {
  it('takes application/xml, text/xml and +xml types, with parameters', () => {
    for (const type of ['application/xml', 'text/xml; charset=utf-8', 'application/atom+xml', 'Image/SVG+XML']) assert.equal(isXmlMediaType(type), true, type);
    for (const type of ['text/html', 'application/json', 'application/xml-dtd', '', null]) assert.equal(isXmlMediaType(type), false, String(type));
  });
});
