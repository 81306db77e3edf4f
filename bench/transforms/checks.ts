import { catalogRecords, catalogXml, KEY_CATEGORY } from './fixtures.js';

/**
 * Is a transform's output right? Checked once per scenario before anything is timed: a bench that
 * times an error page, or a transform that silently drops the records, measures nothing.
 */

export type Expectation = { stylesheet: 'page' | 'identity'; records: number };

const codepointOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** page.xsl: every record once, sorted by title, the key and predicate counts right. */
function pageProblems(text: string, records: number): string[] {
  const expected = catalogRecords(records);
  const problems: string[] = [];
  const titles = [...text.matchAll(/<li [^>]*><b>([^<]*)<\/b>/g)].map((m) => m[1]!);
  const sorted = expected.map((r) => r.title).sort(codepointOrder);
  if (count(text, /<li /g) !== records) problems.push(`${count(text, /<li /g)} <li> for ${records} records`);
  if (titles[0] !== sorted[0]) problems.push(`first item '${titles[0]}', expected '${sorted[0]}'`);
  const misplaced = titles.findIndex((title, i) => title !== sorted[i]);
  if (misplaced >= 0) problems.push(`item ${misplaced + 1} is '${titles[misplaced]}', expected '${sorted[misplaced]}' (xsl:sort)`);
  const inCategory = expected.filter((r) => r.category === KEY_CATEGORY).length;
  if (!text.includes(`<p class="key">${inCategory} in ${KEY_CATEGORY}</p>`)) problems.push(`key(): expected ${inCategory} in ${KEY_CATEGORY}`);
  const recent = expected.filter((r) => r.year >= 2000 && Number(r.price) < 20).length;
  if (!text.includes(`<p class="recent">${recent} recent`)) problems.push(`predicate: expected ${recent} recent and cheap`);
  const dear = expected.filter((r) => Number(r.price) > 90).length;
  if (count(text, /class="dear"/g) !== dear) problems.push(`${count(text, /class="dear"/g)} dear items, expected ${dear}`);
  if (!text.startsWith(`<html><head><title>Catalog: ${records} records</title>`)) problems.push(`not the layout's page: ${JSON.stringify(text.slice(0, 120))}`);
  return problems;
}

/** identity.xsl: the document itself, byte for byte but for the final newline. */
function identityProblems(text: string, records: number): string[] {
  const expected = catalogXml(catalogRecords(records)).trimEnd();
  const actual = text.trimEnd();
  if (actual === expected) return [];
  let at = 0;
  while (at < expected.length && actual[at] === expected[at]) at++;
  return [`differs from the source at character ${at} of ${expected.length}: ${JSON.stringify(actual.slice(at, at + 60))}`
    + ` instead of ${JSON.stringify(expected.slice(at, at + 60))}`];
}

/** What is wrong with a transform's output, empty if nothing. */
export function outputProblems(text: string, expected: Expectation): string[] {
  return expected.stylesheet === 'page' ? pageProblems(text, expected.records) : identityProblems(text, expected.records);
}
