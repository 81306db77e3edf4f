import { cpus } from 'node:os';
import type { BenchGroup } from './groups/group.js';
import { managerGroup } from './groups/manager.js';
import { pipelinesGroup } from './groups/pipelines.js';
import { requestsGroup } from './groups/requests.js';
import { transformsGroup } from './groups/transforms.js';
import { appendResults, RESULTS } from './results.js';

/**
 * `npm run bench [-- <group or part>...]`: real servers on 127.0.0.1, port 0; the load in a child process.
 * With no names, every group runs. A group's figures go to the console and are appended to
 * bench/results.json; the command exits 1 if any group's promises were broken.
 *
 *   npm run bench -- requests             echo, cpu, overload
 *   npm run bench -- transforms           XSLT transforms over HTTP and in process
 *   npm run bench -- manager              local vs remote invocation, races
 *   npm run bench -- pipelines            a pipeline vs three calls, trigger overhead
 *   npm run bench -- page parse           parts of a group
 */

const GROUPS: readonly BenchGroup[] = [requestsGroup, transformsGroup, managerGroup, pipelinesGroup];

function usage(): string {
  return ['usage: npm run bench [-- <name>...]   (no name: everything)', ...GROUPS.map((g) => `  ${g.name.padEnd(12)} ${g.summary}${g.parts.length > 0 ? `\n  ${''.padEnd(12)} parts: ${g.parts.join(', ')}` : ''}`)].join('\n');
}

/** The groups to run, each with the parts named (empty: all of it); an unknown name is an error. */
function select(args: readonly string[]): Map<BenchGroup, Set<string>> {
  const chosen = new Map<BenchGroup, Set<string>>();
  if (args.length === 0) for (const group of GROUPS) chosen.set(group, new Set());
  for (const arg of args) {
    const whole = GROUPS.find((g) => g.name === arg);
    const owner = GROUPS.find((g) => g.parts.includes(arg));
    if (whole) chosen.set(whole, new Set());
    else if (owner) {
      const parts = chosen.get(owner);
      // A group already chosen whole stays whole.
      if (parts === undefined) chosen.set(owner, new Set([arg]));
      else if (parts.size > 0) parts.add(arg);
    } else throw new Error(`unknown bench '${arg}'\n${usage()}`);
  }
  return chosen;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return;
  }
  let chosen: Map<BenchGroup, Set<string>>;
  try {
    chosen = select(args);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  console.log(`${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);
  const violations: string[] = [];
  for (const [group, parts] of chosen) {
    console.log(`\n== ${group.name}${parts.size > 0 ? ` (${[...parts].join(', ')})` : ''} ==\n`);
    const outcome = await group.run(parts);
    appendResults([{ ...outcome.result, ...(parts.size > 0 ? { parts: [...parts] } : {}), violations: outcome.violations }]);
    violations.push(...outcome.violations.map((v) => `${group.name}: ${v}`));
  }
  console.log(`\nresults appended to ${RESULTS}`);
  if (violations.length > 0) {
    console.error(`\nFAILED:\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    process.exitCode = 1;
  }
}

await main();
