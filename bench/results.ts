import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * bench/results.json: every run of every group, appended, oldest first, so that figures can be compared
 * across changes. A file in the older single-run form becomes the first entry.
 */

export const RESULTS = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

export interface ResultEntry {
  group: string;
  [figure: string]: unknown;
}

export function machine(): { cores: number; model: string | undefined; node: string } {
  return { cores: cpus().length, model: cpus()[0]?.model, node: process.version };
}

function previous(): unknown[] {
  if (!existsSync(RESULTS)) return [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(RESULTS, 'utf8'));
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch (err) {
    // Kept aside rather than lost: a hand edit gone wrong is still someone's figures.
    renameSync(RESULTS, `${RESULTS}.unreadable`);
    process.stderr.write(`${RESULTS} is not JSON (${(err as Error).message}): moved to ${RESULTS}.unreadable\n`);
    return [];
  }
}

export function appendResults(entries: readonly ResultEntry[]): void {
  const date = new Date().toISOString();
  const added = entries.map((entry) => ({ date, machine: machine(), ...entry }));
  writeFileSync(RESULTS, `${JSON.stringify([...previous(), ...added], null, 2)}\n`);
}
