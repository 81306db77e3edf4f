import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XmlParser, type XDocument, type XNode } from 'xslt-processor';
import { XmlLimitsSchema } from '../../schemas/config.js';
import type { ModuleLoader } from '../../services/xslt/engine.js';
import { XsltProcessorEngine } from '../../services/xslt/xslt-processor-engine.js';
import { summarize } from '../stats.js';
import { outputProblems } from './checks.js';
import { DOCUMENT_LIMIT_BYTES } from './fixtures.js';
import type { InProcessMessage, InProcessResult, InProcessSpec, LoopFigures, Phases, RunBounds } from './in-process.js';

/** The in-process side of the transform bench: one scenario, then the figures back to the bench. */

const limits = XmlLimitsSchema.parse({ maxBytes: DOCUMENT_LIMIT_BYTES });

/** Stylesheet modules straight from their files, read again at every compile (as a worker reads them). */
const loadFile: ModuleLoader = async (href, base) => {
  const uri = new URL(href, base).href;
  return { uri, content: readFileSync(fileURLToPath(uri)) };
};

const gcPauses: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, duration: entry.duration });
}).observe({ entryTypes: ['gc'] });

const median = (values: number[]) => summarize(values).p50;

/** One way of running the scenario; a loop alternates between its variants. */
interface Variant {
  once(): Promise<Phases | undefined>;
  /** Modules parsed so far by this variant's engines. */
  modulesParsed(): number;
}

/**
 * Runs the variants in turn (A B A B...) within the bounds (each variant at most `maxRuns` times), so
 * that JIT warming up, heap growth or a busy neighbour weigh on all of them alike. CPU and GC are for the
 * whole loop.
 */
async function loop(bounds: RunBounds, variants: Variant[]): Promise<LoopFigures[]> {
  const samples = variants.map((): number[] => []);
  const phases = variants.map((): Phases[] => []);
  const parsedBefore = variants.map((v) => v.modulesParsed());
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  do {
    for (const [i, variant] of variants.entries()) {
      const t = performance.now();
      const result = await variant.once();
      samples[i]!.push(performance.now() - t);
      if (result) phases[i]!.push(result);
    }
  } while (samples[0]!.length < bounds.maxRuns && performance.now() - start < bounds.seconds * 1000);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  // GC entries arrive asynchronously, some time after: let them in before counting.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const gcMs = gcPauses.filter((p) => p.start >= start).reduce((sum, p) => sum + p.duration, 0);
  return variants.map((variant, i) => ({
    ...summarize(samples[i]!),
    seconds: wallMs / 1000,
    // Each variant had its share of the wall time: its runs over the time they took.
    rps: (samples[i]!.length * 1000) / samples[i]!.reduce((a, b) => a + b, 0),
    ...(phases[i]!.length === 0 ? {} : {
      phases: { compile: median(phases[i]!.map((p) => p.compile)), parse: median(phases[i]!.map((p) => p.parse)), transform: median(phases[i]!.map((p) => p.transform)) },
    }),
    modulesParsed: variant.modulesParsed() - parsedBefore[i]!,
    cores: (cpu.user + cpu.system) / 1000 / wallMs,
    gcShare: gcMs / wallMs,
  }));
}

async function transformScenario(spec: Extract<InProcessSpec, { kind: 'transform' }>): Promise<InProcessResult> {
  const bytes = readFileSync(spec.docFile);
  const stylesheet = pathToFileURL(spec.stylesheetFile).href;
  /** compile (from the cache when warm) + parse + transform: what a worker does for a request. */
  const once = async (engine: XsltProcessorEngine): Promise<{ phases: Phases; text: string; modules: number }> => {
    const t0 = performance.now();
    const compiled = await engine.compile(stylesheet, loadFile);
    const t1 = performance.now();
    const doc = engine.parse(bytes);
    const t2 = performance.now();
    const { text } = await engine.transform(compiled, doc);
    return { phases: { compile: t1 - t0, parse: t2 - t1, transform: performance.now() - t2 }, text, modules: compiled.modules.length };
  };
  const engine = new XsltProcessorEngine(limits);
  const t = performance.now();
  const first = await once(engine);
  const firstMs = performance.now() - t;
  const problems = outputProblems(first.text, spec.expect);
  const result: InProcessResult = {
    first: { ms: firstMs, phases: first.phases, outputBytes: Buffer.byteLength(first.text) },
    modules: first.modules,
    maxRssMb: 0,
    cpuSeconds: 0,
    otherCores: null,
    problems,
  };
  if (problems.length > 0 || spec.runs.maxRuns === 0) return result;

  const warm: Variant = { once: async () => (await once(engine)).phases, modulesParsed: () => engine.modulesParsed };
  let coldParsed = 0;
  const cold: Variant = {
    once: async () => {
      const fresh = new XsltProcessorEngine(limits);
      const { phases } = await once(fresh);
      coldParsed += fresh.modulesParsed;
      return phases;
    },
    modulesParsed: () => coldParsed,
  };
  const [warmFigures, coldFigures] = await loop(spec.runs, spec.cold ? [warm, cold] : [warm]);
  result.warm = warmFigures;
  // The promise under test: a warm cache parses nothing again.
  if (warmFigures!.modulesParsed !== 0) problems.push(`the warm cache parsed ${warmFigures!.modulesParsed} modules again in ${warmFigures!.n} runs`);
  if (coldFigures) {
    result.cold = coldFigures;
    if (coldFigures.modulesParsed !== first.modules * coldFigures.n) {
      problems.push(`cold runs parsed ${coldFigures.modulesParsed} modules, expected ${first.modules} x ${coldFigures.n}: the cold case is not cold`);
    }
  }
  return result;
}

function countRecords(node: XDocument | XNode): number {
  let n = node.nodeType === 1 && node.localName === 'record' ? 1 : 0;
  for (const child of node.childNodes) if (child.nodeType === 1) n += countRecords(child);
  return n;
}

async function parseScenario(spec: Extract<InProcessSpec, { kind: 'parse' }>): Promise<InProcessResult> {
  const bytes = readFileSync(spec.docFile);
  // XmlParser takes text: the decoding is left out of its timing; saxes gets the bytes, as Akara gives them.
  const text = bytes.toString('utf8');
  const engine = new XsltProcessorEngine(limits);
  const parse = spec.parser === 'saxes' ? () => engine.parse(bytes) : () => new XmlParser().xmlParse(text);
  const t = performance.now();
  const doc = parse();
  const firstMs = performance.now() - t;
  const records = countRecords(doc);
  const problems = records === spec.records ? [] : [`${records} record elements in the tree, expected ${spec.records}`];
  const result: InProcessResult = { first: { ms: firstMs, outputBytes: 0 }, records, maxRssMb: 0, cpuSeconds: 0, otherCores: null, problems };
  if (problems.length === 0) [result.loop] = await loop(spec.bounds, [{ once: async () => { parse(); return undefined; }, modulesParsed: () => 0 }]);
  return result;
}

process.once('message', (spec: InProcessSpec) => {
  const scenario = spec.kind === 'transform' ? transformScenario(spec) : parseScenario(spec);
  scenario
    .then((result): InProcessMessage => {
      const { user, system } = process.cpuUsage();
      return { type: 'result', result: { ...result, maxRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: (user + system) / 1e6 } };
    })
    .catch((err: unknown): InProcessMessage => ({ type: 'error', message: err instanceof Error ? `${err.message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code})` : ''}` : String(err) }))
    .then((message) => new Promise<void>((resolve) => process.send!(message, () => resolve())))
    .finally(() => process.disconnect());
});
