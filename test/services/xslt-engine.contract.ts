import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlLimitsSchema } from '../../schemas/config.js';
import { AkaraError } from '../../services/errors.js';
import { checkXml } from '../../services/xml/parse.js';
import { contentTypeOf, type ModuleLoader, type TransformResult, type XsltEngine } from '../../services/xslt/engine.js';

/** Where the in-memory stylesheets live: hrefs resolve against it like any other URI. */
export const BASE = 'https://akara.test/xsl/';

/**
 * A ModuleLoader over a Map of absolute URI to content, resolving each href against its importing module.
 * Change the map to change what the next compile() sees.
 *
 * @example
 * const modules = new Map([[`${BASE}main.xsl`, stylesheet('<xsl:include href="part.xsl"/>')]]);
 * await engine.compile(`${BASE}main.xsl`, memoryLoader(modules));
 */
export function memoryLoader(modules: ReadonlyMap<string, string>): ModuleLoader {
  return async function loadFromMemory(href, base) {
    const uri = new URL(href, base).href;
    const content = modules.get(uri);
    if (content === undefined) throw new Error(`no module at ${uri}`);
    return { uri, content };
  };
}

/** An XSLT 1.0 stylesheet around `body`, with `output` as its xsl:output attributes (none: no xsl:output). */
export function stylesheet(body: string, output?: string): string {
  const declared = output === undefined ? '' : `<xsl:output ${output}/>`;
  return `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">${declared}${body}</xsl:stylesheet>`;
}

async function rejection(promise: Promise<unknown>): Promise<AkaraError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof AkaraError, `expected an AkaraError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

function thrown(fn: () => unknown): AkaraError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AkaraError, `expected an AkaraError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a throw');
}

const SOURCE = '<doc><a>1</a><b>2</b><c>3</c></doc>';

/**
 * The contract every XsltEngine passes (as hono runs one router suite against each router). Call it from
 * the engine's test file with a factory; each test makes its own engine.
 *
 * @example
 * describeEngineContract('xslt-processor', () => new XsltProcessorEngine(XmlLimitsSchema.parse({})));
 */
export function describeEngineContract(name: string, makeEngine: () => XsltEngine): void {
  /** Compiles `xsl` as BASE/main.xsl and applies it to `xml`. */
  async function run(xsl: string, xml: string, params?: Record<string, string>): Promise<TransformResult> {
    const engine = makeEngine();
    const compiled = await engine.compile(`${BASE}main.xsl`, memoryLoader(new Map([[`${BASE}main.xsl`, xsl]])));
    return engine.transform(compiled, engine.parse(xml), params === undefined ? {} : { params });
  }

  describe(`XsltEngine contract: ${name}`, () => {
    describe('output', () => {
      it('xml: escapes < and & from the source in text and attributes, so no markup can be injected', async () => {
        const result = await run(
          stylesheet('<xsl:template match="/"><out from="{msg/@from}"><xsl:value-of select="msg"/></out></xsl:template>'),
          `<msg from="x&quot;&lt;y&gt;&amp;'">&lt;script&gt;alert(1)&lt;/script&gt; &amp; "co"</msg>`,
        );
        assert.equal(result.text, `<?xml version="1.0" encoding="UTF-8"?>\n<out from="x&quot;&lt;y&gt;&amp;'">&lt;script&gt;alert(1)&lt;/script&gt; &amp; "co"</out>`);
        assert.deepEqual(checkXml(result.text, { limits: XmlLimitsSchema.parse({}) }), []);
        assert.deepEqual(result.output, { method: 'xml', mediaType: 'application/xml', omitXmlDeclaration: false, indent: false });
      });

      it('xml: a result handed over as a tree transforms as its text parsed would', async () => {
        const engine = makeEngine();
        const load = memoryLoader(new Map([
          [`${BASE}make.xsl`, stylesheet('<xsl:template match="/"><a xmlns="urn:d" xmlns:p="urn:p"><p:b p:n="{count(doc/*)}">x<xsl:comment>c</xsl:comment>y</p:b></a></xsl:template>')],
          [`${BASE}read.xsl`, stylesheet('<xsl:template match="/"><r><xsl:for-each select="//node()|//@*"><i k="{local-name()}" ns="{namespace-uri()}" v="{.}"/></xsl:for-each></r></xsl:template>')],
        ]));
        const [make, read] = [await engine.compile(`${BASE}make.xsl`, load), await engine.compile(`${BASE}read.xsl`, load)];
        const made = await engine.transform(make, engine.parse(SOURCE));
        const fromText = (await engine.transform(read, engine.parse(made.text))).text;
        assert.match(fromText, /<i k="b" ns="urn:p" v="xy"\/>/);
        const tree = made.sourceTree?.();
        if (tree !== undefined) assert.equal((await engine.transform(read, tree)).text, fromText);
      });

      it('xml: refuses a result that is not namespace-well-formed: a reserved namespace bound, one attribute twice', async () => {
        for (const body of [
          '<xsl:template match="/"><xsl:element name="p:e" namespace="http://www.w3.org/2000/xmlns/"/></xsl:template>',
          '<xsl:template match="/"><xsl:element name="e" namespace="http://www.w3.org/XML/1998/namespace"/></xsl:template>',
          '<xsl:template match="/"><e><xsl:attribute name="p:a" namespace="urn:x">1</xsl:attribute><xsl:attribute name="q:a" namespace="urn:x">2</xsl:attribute></e></xsl:template>',
        ]) {
          const err = await rejection(run(stylesheet(body), SOURCE));
          assert.equal(err.code, 'AKR_ERR_XSLT_RUNTIME', body);
        }
      });

      it('xml: omits the XML declaration when xsl:output says so', async () => {
        const result = await run(stylesheet('<xsl:template match="/"><out n="{count(doc/*)}"/></xsl:template>', 'method="xml" omit-xml-declaration="yes"'), SOURCE);
        assert.equal(result.text, '<out n="3"/>');
        assert.equal(result.output.omitXmlDeclaration, true);
      });

      it('html: text/html, void elements without end tags, source text and attributes escaped', async () => {
        const engine = makeEngine();
        const xsl = stylesheet('<xsl:template match="/"><html><body><p title="{d/@a}"><xsl:value-of select="d"/></p><br/></body></html></xsl:template>', 'method="html"');
        const compiled = await engine.compile(`${BASE}main.xsl`, memoryLoader(new Map([[`${BASE}main.xsl`, xsl]])));
        const result = await engine.transform(compiled, engine.parse('<d a="a&amp;b">&lt;script&gt; &amp;</d>'));
        assert.equal(result.text, '<html><body><p title="a&amp;b">&lt;script&gt; &amp;</p><br></body></html>');
        assert.equal(compiled.output.mediaType, 'text/html');
        assert.deepEqual(result.output, { method: 'html', mediaType: 'text/html', omitXmlDeclaration: false, indent: false });
        assert.equal(contentTypeOf(result.output), 'text/html; charset=utf-8');
      });

      it('text: writes string values as they are, never escaped', async () => {
        const result = await run(
          stylesheet('<xsl:template match="/"><xsl:value-of select="d"/>|<xsl:value-of select="d/@a"/></xsl:template>', 'method="text"'),
          '<d a="&lt;&amp;&gt;">a &lt; b &amp; "c" &gt; d</d>',
        );
        assert.equal(result.text, 'a < b & "c" > d|<&>');
        assert.equal(contentTypeOf(result.output), 'text/plain; charset=utf-8');
      });

      it('reports the xsl:output media-type, at compile time and in the result', async () => {
        const engine = makeEngine();
        const modules = new Map([
          [`${BASE}atom.xsl`, stylesheet('<xsl:template match="/"><feed/></xsl:template>', 'method="xml" media-type="application/atom+xml" omit-xml-declaration="yes"')],
          [`${BASE}csv.xsl`, stylesheet('<xsl:template match="/">a,b</xsl:template>', 'method="text" media-type="text/csv"')],
        ]);
        const atom = await engine.compile(`${BASE}atom.xsl`, memoryLoader(modules));
        assert.equal(atom.output.mediaType, 'application/atom+xml');
        const feed = await engine.transform(atom, engine.parse(SOURCE));
        assert.equal(feed.text, '<feed/>');
        assert.equal(contentTypeOf(feed.output), 'application/atom+xml; charset=utf-8');
        const csv = await engine.transform(await engine.compile(`${BASE}csv.xsl`, memoryLoader(modules)), engine.parse(SOURCE));
        assert.equal(csv.text, 'a,b');
        assert.deepEqual(csv.output, { method: 'text', mediaType: 'text/csv', omitXmlDeclaration: false, indent: false });
      });
    });

    describe('serialization', () => {
      const bare = 'method="xml" omit-xml-declaration="yes"';

      it('html: an empty non-void element gets its end tag (<script src>, <div>), a void one none (<br>), boolean attributes minimised', async () => {
        const result = await run(stylesheet(
          '<xsl:template match="/"><html><head><script src="a.js"/></head><body><div/><br/><hr/>'
          + '<input type="checkbox" checked="checked" disabled="no"/><option selected="selected">x</option></body></html></xsl:template>',
          'method="html"',
        ), SOURCE);
        assert.equal(result.text, '<html><head><script src="a.js"></script></head><body><div></div><br><hr><input type="checkbox" checked disabled="no"><option selected>x</option></body></html>');
      });

      it('html: script and style content is written raw, but never so that source data ends the element', async () => {
        const result = await run(stylesheet(
          '<xsl:template match="/"><div><style>p &gt; a {}</style><script>if (1 &lt; 2 &amp;&amp; ok) {}</script>'
          + '<script>var s = "<xsl:value-of select="d"/>";</script></div></xsl:template>',
          'method="html"',
        ), '<d>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/SCRIPT&gt; &lt;!--</d>');
        assert.equal(result.text, '<div><style>p > a {}</style><script>if (1 < 2 && ok) {}</script><script>var s = "<\\/script><script>alert(1)<\\/SCRIPT> <\\!--";</script></div>');
      });

      it('text: the characters "&lt;b&gt;" in data stay as they are (nothing escaped, nothing unescaped)', async () => {
        const result = await run(stylesheet('<xsl:template match="/"><xsl:value-of select="d"/></xsl:template>', 'method="text"'), '<d>&amp;lt;b&amp;gt; &lt;b&gt; &amp;amp;</d>');
        assert.equal(result.text, '&lt;b&gt; <b> &amp;');
      });

      it('xml: data holding "&amp;" is escaped once more, never taken for a reference ("AT&amp;amp;T" stays)', async () => {
        const result = await run(stylesheet('<xsl:template match="/"><out a="{d}"><xsl:value-of select="d"/>|<xsl:copy-of select="d/node()"/></out></xsl:template>', bare), '<d>AT&amp;amp;T</d>');
        assert.equal(result.text, '<out a="AT&amp;amp;T">AT&amp;amp;T|AT&amp;amp;T</out>');
      });

      it('xml: whitespace-only text is kept, from xsl:value-of, xsl:copy-of and an identity transform', async () => {
        const result = await run(stylesheet(
          `<xsl:template match="/"><out><a/><xsl:value-of select="' '"/><b/>|<xsl:copy-of select="doc/node()"/>|<xsl:apply-templates select="doc"/></out></xsl:template>`
          + '<xsl:template match="@* | node()" priority="-1"><xsl:copy><xsl:apply-templates select="@* | node()"/></xsl:copy></xsl:template>',
          bare,
        ), '<doc n="1">\n  <x/> <y/>\n  <?pi data?>\n</doc>');
        assert.equal(result.text, '<out><a/> <b/>|\n  <x/> <y/>\n  <?pi data?>\n|<doc n="1">\n  <x/> <y/>\n  <?pi data?>\n</doc></out>');
      });

      it('xml: comments and processing instructions stay in order among their sibling text nodes', async () => {
        const result = await run(stylesheet(
          '<xsl:template match="/"><xsl:processing-instruction name="first">1</xsl:processing-instruction>'
          + '<out>a<xsl:comment>c</xsl:comment>b<xsl:processing-instruction name="p">d</xsl:processing-instruction>e</out></xsl:template>',
          bare,
        ), SOURCE);
        assert.equal(result.text, '<?first 1?><out>a<!--c-->b<?p d?>e</out>');
      });

      it('xml: cdata-section-elements writes the text of the named elements as CDATA sections, split at "]]>"', async () => {
        const result = await run(stylesheet(
          '<xsl:template match="/"><out><code><xsl:value-of select="d"/></code><code/><plain><xsl:value-of select="d"/></plain></out></xsl:template>',
          `${bare} cdata-section-elements="code"`,
        ), '<d>a &lt; b ]]&gt; c</d>');
        assert.equal(result.text, '<out><code><![CDATA[a < b ]]]]><![CDATA[> c]]></code><code/><plain>a &lt; b ]]&gt; c</plain></out>');
      });

      it('no xsl:output method and a result root named html in no namespace: the html method, no XML declaration', async () => {
        const html = await run(stylesheet('<xsl:template match="/"><HTML><body><br/><p/></body></HTML></xsl:template>', 'indent="no"'), SOURCE);
        assert.equal(html.text, '<HTML><body><br><p></p></body></HTML>');
        assert.deepEqual(html.output, { method: 'html', mediaType: 'text/html', omitXmlDeclaration: false, indent: false });
        const xhtml = await run(stylesheet('<xsl:template match="/"><html xmlns="http://www.w3.org/1999/xhtml"><br/></html></xsl:template>'), SOURCE);
        assert.equal(xhtml.text, '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><br/></html>');
        const textFirst = await run(stylesheet('<xsl:template match="/">text<html/></xsl:template>'), SOURCE);
        assert.equal(textFirst.output.method, 'xml');
      });

      it('disable-output-escaping: raw where the text is balanced markup, escaped where it would break the tree', async () => {
        const result = await run(stylesheet(
          '<xsl:template match="/"><out><ok><xsl:value-of select="d/a" disable-output-escaping="yes"/></ok>'
          + '<bad><xsl:value-of select="d/b" disable-output-escaping="yes"/></bad>'
          + '<split><xsl:text disable-output-escaping="yes">&lt;i&gt;</xsl:text><xsl:text disable-output-escaping="yes">x&lt;/i&gt;</xsl:text></split>'
          + '<undefined><xsl:text disable-output-escaping="yes">&amp;nbsp;</xsl:text></undefined></out></xsl:template>',
          bare,
        ), '<d><a>&lt;b&gt;bold&lt;/b&gt; &amp;amp;</a><b>&lt;/bad&gt;&lt;evil&gt;</b></d>');
        assert.equal(result.text, '<out><ok><b>bold</b> &amp;</ok><bad>&lt;/bad&gt;&lt;evil&gt;</bad><split><i>x</i></split><undefined>&amp;nbsp;</undefined></out>');
      });

      it('comments and processing instructions made from data cannot end early (XSLT 1.0 §7.3, §7.4 recovery)', async () => {
        const xsl = (method: string) => stylesheet(
          '<xsl:template match="/"><div><xsl:comment><xsl:value-of select="d"/></xsl:comment>'
          + '<xsl:processing-instruction name="p"><xsl:value-of select="d/@pi"/></xsl:processing-instruction></div></xsl:template>',
          method,
        );
        const source = '<d pi="a?&gt;&lt;evil/&gt;">x --&gt;&lt;evil/&gt;-</d>';
        assert.equal((await run(xsl(bare), source)).text, '<div><!--x - -><evil/>- --><?p a? ><evil/>?></div>');
        assert.equal((await run(xsl('method="html"'), '<d pi="a&gt;b">&gt;&lt;evil&gt;</d>')).text, '<div><!-- ><evil>--><?p a&gt;b></div>');
      });

      it('names made from data must be QNames, and characters XML cannot hold fail: AKR_ERR_XSLT_RUNTIME, never broken output', async () => {
        const element = await rejection(run(stylesheet('<xsl:template match="/"><xsl:element name="{d/@n}"/></xsl:template>'), '<d n="a&gt;&lt;script"/>'));
        assert.equal(element.code, 'AKR_ERR_XSLT_RUNTIME');
        const attribute = await rejection(run(stylesheet('<xsl:template match="/"><out><xsl:attribute name="{d/@n}">v</xsl:attribute></out></xsl:template>'), '<d n="a=&quot;1&quot; onload"/>'));
        assert.equal(attribute.code, 'AKR_ERR_XSLT_RUNTIME');
        const control = await rejection(run(stylesheet('<xsl:param name="p"/><xsl:template match="/"><out><xsl:value-of select="$p"/></out></xsl:template>'), SOURCE, { p: 'bell \u0007' }));
        assert.equal(control.code, 'AKR_ERR_XSLT_RUNTIME');
        assert.match(control.message, /U\+0007/);
        // Half of a character outside the BMP (what substring() may leave) is written as U+FFFD, as UTF-8 would.
        const half = await run(stylesheet('<xsl:param name="p"/><xsl:template match="/"><out><xsl:value-of select="$p"/></out></xsl:template>', bare), SOURCE, { p: 'x\uD83D' });
        assert.equal(half.text, '<out>x\uFFFD</out>');
      });

      it('xml: namespace declarations where needed and only there; xsl:element in its namespace; an undeclared prefix fails', async () => {
        const result = await run(`<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:s="http://www.w3.org/2000/svg">
          <xsl:output ${bare}/>
          <xsl:template match="/"><s:svg><s:g><xsl:element name="s:rect"/></s:g><xsl:element name="x:made" namespace="urn:made"><xsl:element name="x:in" namespace="urn:made"/></xsl:element><xsl:element name="plain"/></s:svg></xsl:template>
        </xsl:stylesheet>`, SOURCE);
        assert.equal(result.text, '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:g><s:rect/></s:g><x:made xmlns:x="urn:made"><x:in/></x:made><plain/></s:svg>');
        const undeclared = await rejection(run(stylesheet('<xsl:template match="/"><xsl:element name="q:made"/></xsl:template>'), SOURCE));
        assert.equal(undeclared.code, 'AKR_ERR_XSLT_RUNTIME');
        assert.match(String(undeclared.detail.reason), /prefix q/);
      });
    });

    describe('parameters', () => {
      const xsl = stylesheet(
        `<xsl:param name="greeting" select="'default'"/><xsl:param name="n"/>`
        + '<xsl:template match="/"><xsl:value-of select="$greeting"/>|<xsl:value-of select="$n"/>|<xsl:value-of select="string-length($n)"/></xsl:template>',
        'method="text"',
      );

      it('passes string params to xsl:param as strings, never evaluated as XPath', async () => {
        const result = await run(xsl, SOURCE, { greeting: "hello <world> & 'you'", n: '1 + 1' });
        assert.equal(result.text, "hello <world> & 'you'|1 + 1|5");
      });

      it('keeps the xsl:param default when a param is not given, and ignores unknown params', async () => {
        assert.equal((await run(xsl, SOURCE, { unknown: 'x' })).text, 'default||0');
      });
    });

    describe('stylesheet modules', () => {
      it("xsl:import: the importer's rules win (whatever their priority), the imported rules apply, apply-imports reaches them", async () => {
        const engine = makeEngine();
        const modules = new Map([
          [`${BASE}main.xsl`, stylesheet(
            '<xsl:import href="lib/imported.xsl"/>'
            + '<xsl:template match="/"><xsl:apply-templates select="doc/*"/></xsl:template>'
            + '<xsl:template match="a">main-a;</xsl:template>'
            + '<xsl:template match="b">main-b(<xsl:apply-imports/>);</xsl:template>',
            'method="text"',
          )],
          [`${BASE}lib/imported.xsl`, stylesheet(
            '<xsl:template match="doc/a" priority="10">imported-a;</xsl:template>'
            + '<xsl:template match="b">imported-b</xsl:template>'
            + '<xsl:template match="c">imported-c;</xsl:template>',
          )],
        ]);
        const compiled = await engine.compile(`${BASE}main.xsl`, memoryLoader(modules));
        assert.deepEqual(compiled.modules, [`${BASE}main.xsl`, `${BASE}lib/imported.xsl`]);
        assert.equal((await engine.transform(compiled, engine.parse(SOURCE))).text, 'main-a;main-b(imported-b);imported-c;');
      });

      it('xsl:import: a later import wins over an earlier one, and an import of an import loses to both', async () => {
        const engine = makeEngine();
        const modules = new Map([
          [`${BASE}main.xsl`, stylesheet(
            '<xsl:import href="first.xsl"/><xsl:import href="second.xsl"/>'
            + '<xsl:template match="/"><xsl:apply-templates select="doc/*"/></xsl:template>',
            'method="text"',
          )],
          [`${BASE}first.xsl`, stylesheet('<xsl:import href="deep.xsl"/><xsl:template match="a">first-a;</xsl:template><xsl:template match="b">first-b;</xsl:template>')],
          [`${BASE}second.xsl`, stylesheet('<xsl:template match="a">second-a;</xsl:template>')],
          [`${BASE}deep.xsl`, stylesheet('<xsl:template match="*">deep-any;</xsl:template>')],
        ]);
        const compiled = await engine.compile(`${BASE}main.xsl`, memoryLoader(modules));
        assert.equal((await engine.transform(compiled, engine.parse(SOURCE))).text, 'second-a;first-b;deep-any;');
      });

      it('xsl:include: template rules, named templates and variables of the included module', async () => {
        const engine = makeEngine();
        const modules = new Map([
          [`${BASE}main.xsl`, stylesheet(
            '<xsl:include href="parts/included.xsl"/>'
            + '<xsl:template match="/"><xsl:apply-templates select="doc/*"/>|<xsl:call-template name="signature"/>|<xsl:value-of select="$count"/></xsl:template>',
            'method="text"',
          )],
          [`${BASE}parts/included.xsl`, stylesheet(
            '<xsl:variable name="count" select="count(/doc/*)"/>'
            + '<xsl:template match="a | b | c">[<xsl:value-of select="."/>]</xsl:template>'
            + '<xsl:template name="signature">signed</xsl:template>',
          )],
        ]);
        const compiled = await engine.compile(`${BASE}main.xsl`, memoryLoader(modules));
        assert.deepEqual(compiled.modules, [`${BASE}main.xsl`, `${BASE}parts/included.xsl`]);
        assert.equal((await engine.transform(compiled, engine.parse(SOURCE))).text, '[1][2][3]|signed|3');
      });

      for (const [kind, participle] of [['include', 'included'], ['import', 'imported']] as const) {
        it(`the hash is the graph's content: same graph, same hash; a changed ${participle} module, a new hash and never stale output`, async () => {
          const engine = makeEngine();
          const part = (label: string) => stylesheet(`<xsl:template match="a | b | c">${label}<xsl:value-of select="."/></xsl:template>`);
          const modules = new Map([
            [`${BASE}main.xsl`, stylesheet(`<xsl:${kind} href="part.xsl"/><xsl:template match="/"><xsl:apply-templates select="doc/*"/></xsl:template>`, 'method="text"')],
            [`${BASE}part.xsl`, part('v1:')],
          ]);
          const load = memoryLoader(modules);
          const source = engine.parse(SOURCE);
          const first = await engine.compile(`${BASE}main.xsl`, load);
          const again = await engine.compile(`${BASE}main.xsl`, load);
          assert.equal(again.hash, first.hash);
          assert.equal((await engine.transform(again, source)).text, 'v1:1v1:2v1:3');

          modules.set(`${BASE}part.xsl`, part('v2:'));
          const changed = await engine.compile(`${BASE}main.xsl`, load);
          assert.notEqual(changed.hash, first.hash);
          assert.equal((await engine.transform(changed, source)).text, 'v2:1v2:2v2:3');

          modules.set(`${BASE}part.xsl`, part('v1:'));
          const back = await engine.compile(`${BASE}main.xsl`, load);
          assert.equal(back.hash, first.hash);
          assert.equal((await engine.transform(back, source)).text, 'v1:1v1:2v1:3');
        });
      }
    });

    describe('errors', () => {
      it('a module that is not well-formed: AKR_ERR_XSLT_COMPILE naming that module and where', async () => {
        const modules = new Map([
          [`${BASE}main.xsl`, stylesheet('<xsl:include href="broken.xsl"/>')],
          [`${BASE}broken.xsl`, '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n  <xsl:template match="/">\n</xsl:stylesheet>'],
        ]);
        const err = await rejection(makeEngine().compile(`${BASE}main.xsl`, memoryLoader(modules)));
        assert.equal(err.code, 'AKR_ERR_XSLT_COMPILE');
        assert.equal(err.detail.uri, `${BASE}broken.xsl`);
        assert.equal(err.detail.line, 3);
      });

      it('a stylesheet that imports itself, directly or through another module: AKR_ERR_XSLT_COMPILE', async () => {
        const modules = new Map([
          [`${BASE}self.xsl`, stylesheet('<xsl:import href="self.xsl"/>')],
          [`${BASE}x.xsl`, stylesheet('<xsl:include href="y.xsl"/>')],
          [`${BASE}y.xsl`, stylesheet('<xsl:import href="x.xsl"/>')],
        ]);
        const engine = makeEngine();
        const self = await rejection(engine.compile(`${BASE}self.xsl`, memoryLoader(modules)));
        assert.equal(self.code, 'AKR_ERR_XSLT_COMPILE');
        assert.equal(self.detail.uri, `${BASE}self.xsl`);
        const cycle = await rejection(engine.compile(`${BASE}x.xsl`, memoryLoader(modules)));
        assert.equal(cycle.code, 'AKR_ERR_XSLT_COMPILE');
      });

      it('an XPath syntax error in an expression, a pattern or an attribute value template: AKR_ERR_XSLT_COMPILE at compile, naming the module', async () => {
        const engine = makeEngine();
        const broken = {
          'select.xsl': stylesheet('<xsl:template match="/"><xsl:if test="true()"><xsl:value-of select="count("/></xsl:if></xsl:template>'),
          'match.xsl': stylesheet('<xsl:template match="a[">x</xsl:template>'),
          'avt.xsl': stylesheet('<xsl:template match="/"><out a="x{count(}y"/></xsl:template>'),
          'brace.xsl': stylesheet('<xsl:template match="/"><out a="x{1 + 1"/></xsl:template>'),
        };
        for (const [name, xsl] of Object.entries(broken)) {
          const modules = new Map([[`${BASE}main.xsl`, stylesheet(`<xsl:include href="lib/${name}"/>`)], [`${BASE}lib/${name}`, xsl]]);
          const err = await rejection(engine.compile(`${BASE}main.xsl`, memoryLoader(modules)));
          assert.equal(err.code, 'AKR_ERR_XSLT_COMPILE', name);
          assert.equal(err.detail.uri, `${BASE}lib/${name}`);
        }
        // Literal braces, and a brace inside a string literal, are not errors (what the engine writes for them is gap 048).
        const fine = await run(stylesheet(`<xsl:template match="/"><out a="{{literal}}" b="{concat('{', '}')}"/></xsl:template>`, 'method="xml" omit-xml-declaration="yes"'), SOURCE);
        assert.match(fine.text, /^<out /);
      });

      it('a stylesheet in forwards-compatible mode (version="2.0") compiles: an expression it never evaluates is no error (XSLT 1.0 §2.5)', async () => {
        const xsl = '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output method="text"/>'
          + '<xsl:template match="/">ok<xsl:if test="false()"><xsl:value-of select="a["/></xsl:if></xsl:template></xsl:stylesheet>';
        assert.equal((await run(xsl, SOURCE)).text, 'ok');
      });

      it('a loader that throws a plain Error: AKR_ERR_XSLT_COMPILE naming the module; an AkaraError from the loader passes unchanged', async () => {
        const engine = makeEngine();
        const modules = new Map([[`${BASE}main.xsl`, stylesheet('<xsl:import href="lib/missing.xsl"/>')]]);
        const plain = await rejection(engine.compile(`${BASE}main.xsl`, memoryLoader(modules)));
        assert.equal(plain.code, 'AKR_ERR_XSLT_COMPILE');
        assert.equal(plain.detail.uri, `${BASE}lib/missing.xsl`);
        assert.ok(plain.cause instanceof Error);

        for (const denial of [
          new AkaraError('AKR_ERR_URI_DENIED', { uri: `${BASE}lib/missing.xsl`, reason: 'not allowed' }),
          new AkaraError('AKR_ERR_RESOURCE_NOT_FOUND', { path: '/lib/missing.xsl' }),
          new AkaraError('AKR_ERR_UPSTREAM', { uri: `${BASE}lib/missing.xsl`, reason: 'status 500' }),
        ]) {
          const load: ModuleLoader = async (href, base) => {
            if (href === `${BASE}main.xsl`) return { uri: href, content: modules.get(href)! };
            throw denial;
          };
          assert.equal(await rejection(engine.compile(`${BASE}main.xsl`, load)), denial);
        }
      });

      it('a source with a DTD that declares entities or names an external subset: AKR_ERR_XML_DTD_FORBIDDEN', () => {
        const engine = makeEngine();
        assert.equal(thrown(() => engine.parse('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')).code, 'AKR_ERR_XML_DTD_FORBIDDEN');
        assert.equal(thrown(() => engine.parse('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>')).code, 'AKR_ERR_XML_DTD_FORBIDDEN');
      });

      it('a malformed source: AKR_ERR_XML_MALFORMED with the line and column', () => {
        const err = thrown(() => makeEngine().parse('<a>\n  <b>x</c>\n</a>', 'https://akara.test/in.xml'));
        assert.equal(err.code, 'AKR_ERR_XML_MALFORMED');
        assert.deepEqual([err.detail.line, err.detail.column, err.detail.uri], [2, 10, 'https://akara.test/in.xml']);
      });
    });
  });
}
