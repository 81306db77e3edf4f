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
