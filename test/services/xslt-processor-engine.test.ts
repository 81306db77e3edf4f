import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XmlLimitsSchema } from '../../schemas/config.js';
import { XsltProcessorEngine } from '../../services/xslt/xslt-processor-engine.js';
import { BASE, describeEngineContract, memoryLoader, stylesheet } from './xslt-engine.contract.js';

const makeEngine = () => new XsltProcessorEngine(XmlLimitsSchema.parse({}));

describeEngineContract('xslt-processor', makeEngine);

describe('XsltProcessorEngine module cache', () => {
  /** main.xsl includes included.xsl and imports imported.xsl: three modules. */
  function graph(includedLabel: string): Map<string, string> {
    return new Map([
      [`${BASE}main.xsl`, stylesheet(
        '<xsl:include href="included.xsl"/><xsl:import href="imported.xsl"/>'
        + '<xsl:template match="/"><xsl:apply-templates select="doc/*"/></xsl:template>',
        'method="text"',
      )],
      [`${BASE}included.xsl`, stylesheet(`<xsl:template match="a">${includedLabel}</xsl:template>`)],
      [`${BASE}imported.xsl`, stylesheet('<xsl:template match="b">imported;</xsl:template>')],
    ]);
  }

  it('a warm cache never re-parses: five compiles of one stylesheet parse each module once', async () => {
    const engine = makeEngine();
    const load = memoryLoader(graph('included;'));
    const hashes = new Set<string>();
    for (let i = 0; i < 5; i++) hashes.add((await engine.compile(`${BASE}main.xsl`, load)).hash);
    assert.equal(hashes.size, 1);
    assert.equal(engine.modulesParsed, 3);
  });

  it('a changed include re-parses only that module, and a change undone re-parses nothing', async () => {
    const engine = makeEngine();
    const modules = graph('included;');
    const load = memoryLoader(modules);
    const source = engine.parse('<doc><a/><b/></doc>');
    const before = await engine.compile(`${BASE}main.xsl`, load);
    assert.equal(engine.modulesParsed, 3);

    modules.set(`${BASE}included.xsl`, stylesheet('<xsl:template match="a">changed;</xsl:template>'));
    const changed = await engine.compile(`${BASE}main.xsl`, load);
    assert.equal(engine.modulesParsed, 4);
    assert.equal((await engine.transform(changed, source)).text, 'changed;imported;');

    modules.set(`${BASE}included.xsl`, stylesheet('<xsl:template match="a">included;</xsl:template>'));
    const undone = await engine.compile(`${BASE}main.xsl`, load);
    assert.equal(engine.modulesParsed, 4);
    assert.equal(undone.hash, before.hash);
    assert.equal((await engine.transform(undone, source)).text, 'included;imported;');
  });
});
