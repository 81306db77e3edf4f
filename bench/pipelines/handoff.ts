import type { XDocument } from 'xslt-processor';
import { XmlLimitsSchema } from '../../schemas/config.js';
import type { CompiledStylesheet, TransformResult } from '../../services/xslt/engine.js';
import { XsltProcessorEngine } from '../../services/xslt/xslt-processor-engine.js';
import { summarize } from '../stats.js';
import { fixed, printTable } from '../table.js';
import { STYLESHEETS, catalog } from './akara.js';

/**
 * Part `handoff`: what handing a stage's result tree to the next stage saves, in one thread with the
 * engine alone (no HTTP, no pool: nothing else to hide it). The three stylesheets of part `pipeline` over
 * catalogs of 20 KB and 200 KB, each next stage's source taken as a tree (`sourceTree()`) or by parsing
 * the text, in alternating rounds so that other load on the machine falls on both alike. Outputs are
 * checked equal first.
 */

const BASE = 'https://bench.akara.test/';
const SIZES = [{ items: 200, rounds: 21 }, { items: 2_000, rounds: 7 }];

interface HandoffRow {
  kb: number;
  treeMs: number;
  textMs: number;
  copyMs: number;
  parseMs: number;
}

export interface HandoffOutcome {
  rows: HandoffRow[];
  derived: Record<string, number>;
  violations: string[];
}

type Mode = 'tree' | 'text';

async function runChain(engine: XsltProcessorEngine, sheets: readonly CompiledStylesheet[], source: string, mode: Mode): Promise<string> {
  let result: TransformResult<XDocument> | undefined;
  for (const sheet of sheets) {
    const doc = result === undefined ? engine.parse(source) : (mode === 'tree' ? result.sourceTree?.() : undefined) ?? engine.parse(result.text);
    result = await engine.transform(sheet, doc);
  }
  return result!.text;
}

async function timed(run: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await run();
  return performance.now() - t;
}

export async function runHandoff(): Promise<HandoffOutcome> {
  const violations: string[] = [];
  const rows: HandoffRow[] = [];
  const derived: Record<string, number> = {};
  const engine = new XsltProcessorEngine(XmlLimitsSchema.parse({}));
  const sheets = await Promise.all(['s1.xsl', 's2.xsl', 's3.xsl'].map((name) =>
    engine.compile(`${BASE}${name}`, async () => ({ uri: `${BASE}${name}`, content: STYLESHEETS[name]! }))));
  for (const { items, rounds } of SIZES) {
    const source = catalog(items);
    const kb = Buffer.byteLength(source) / 1024;
    const [tree, text] = [await runChain(engine, sheets, source, 'tree'), await runChain(engine, sheets, source, 'text')];
    if (tree !== text) violations.push(`${items} items: the hand-off and re-parsing gave different results`);
    const stage1 = () => engine.transform(sheets[0]!, engine.parse(source));
    const first = await stage1();
    if ((await stage1()).sourceTree?.() === undefined) violations.push(`${items} items: stage 1's result was not handed over`);
    if (violations.length > 0) break;
    const times: Record<Mode, number[]> = { tree: [], text: [] };
    const copy: number[] = [];
    const parse: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: Mode[] = round % 2 === 0 ? ['tree', 'text'] : ['text', 'tree'];
      for (const mode of order) times[mode].push(await timed(() => runChain(engine, sheets, source, mode)));
      // A result gives its tree once: a new stage-1 result each round.
      const fresh = await stage1();
      copy.push(await timed(() => fresh.sourceTree!()));
      parse.push(await timed(() => engine.parse(first.text)));
    }
    const row: HandoffRow = {
      kb,
      treeMs: summarize(times.tree).p50,
      textMs: summarize(times.text).p50,
      copyMs: summarize(copy).p50,
      parseMs: summarize(parse).p50,
    };
    rows.push(row);
    derived[`gain${items}`] = row.textMs / row.treeMs;
    derived[`savedMs${items}`] = row.textMs - row.treeMs;
    derived[`copyVsParse${items}`] = row.parseMs / row.copyMs;
  }
  printTable(
    ['source', '3 stages, handed over (p50 ms)', '3 stages, re-parsed (p50 ms)', 'gain', 'one hand-off: tree (ms)', 'parse (ms)'],
    rows.map((r) => [`${fixed(r.kb, 0)} KB`, fixed(r.treeMs, 1), fixed(r.textMs, 1), `${fixed(r.textMs / r.treeMs, 3)}x`, fixed(r.copyMs, 2), fixed(r.parseMs, 2)]),
  );
  return { rows, derived, violations };
}
