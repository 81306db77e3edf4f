import type { ResultEntry } from '../results.js';

/** A group of scenarios `npm run bench -- <name>` can run alone. */
export interface BenchGroup {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Narrower names the command line accepts for parts of the group (`identity`); none: all or nothing. */
  parts: readonly string[];
  /** Runs the chosen parts (all of them unless named), prints its tables, and says what went wrong. */
  run(parts: ReadonlySet<string>): Promise<GroupOutcome>;
}

export interface GroupOutcome {
  result: ResultEntry;
  /** Broken promises (wrong answers, a warm cache that parsed again...): the bench exits 1. */
  violations: string[];
}

/**
 * Runs one part of a group: prints its title, and gathers its violations, or the error that stopped it,
 * under its name. Answers its outcome, or undefined if it threw.
 */
export async function runPart<T extends { violations: readonly string[] }>(
  name: string, title: string, violations: string[], run: () => Promise<T>,
): Promise<T | undefined> {
  console.log(`${title}\n`);
  try {
    const outcome = await run();
    violations.push(...outcome.violations.map((v) => `${name}: ${v}`));
    return outcome;
  } catch (err) {
    violations.push(`${name}: ${(err as Error).message}`);
    return undefined;
  }
}
