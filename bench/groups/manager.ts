import { runRace, type RaceOutcome } from '../manager/race.js';
import { runRemote, type RemoteOutcome } from '../manager/remote.js';
import { runPart, type BenchGroup, type GroupOutcome } from './group.js';

/**
 * The `manager` group: what the services manager costs (manager/remote.ts) and what a race buys
 * (manager/race.ts). Peers run in processes of their own; the front runs in this one, like the other
 * groups' servers, so the CPU columns read the same.
 *
 * remote  a constant answer from the front directly, through /akara/invoke/{class} to the front's own
 *         instance and to a peer's, and from the peer directly: at 1 connection (the latency a hop adds)
 *         and at 16 (throughput and CPU per request).
 * race    three fake peers answering after 50, 20 and 5 ms: each alone, and raced 2 and 3 wide, at 1 and 8
 *         connections, with what became of each peer's calls (answered, or abandoned as a race's loser).
 *
 * Every answer is checked (status, body, Akara-Provider) before anything is timed.
 */

function logLines(where: string, logged: Record<string, number>): void {
  const lines = Object.entries(logged).map(([what, n]) => `${what} x${n}`);
  if (lines.length > 0) console.log(`${where} logged: ${lines.join(', ')}`);
}

async function run(parts: ReadonlySet<string>): Promise<GroupOutcome> {
  const started = performance.now();
  const chosen = (part: string) => parts.size === 0 || parts.has(part);
  const violations: string[] = [];
  let remote: RemoteOutcome | undefined;
  let race: RaceOutcome | undefined;
  if (chosen('remote')) {
    remote = await runPart('remote', 'remote: the cost of a call through the manager, to this server\'s instance and to a peer\'s', violations, runRemote);
    if (remote) {
      logLines('front A', remote.logged.front);
      logLines('peer B', remote.logged.peer);
    }
  }
  if (chosen('race')) {
    race = await runPart('race', `${remote ? '\n' : ''}race: three peers answering after 50, 20 and 5 ms, alone and raced`, violations, runRace);
    if (race) logLines('front', race.logged);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nmanager group: ${seconds.toFixed(0)} s`);
  return {
    result: {
      group: 'manager',
      seconds,
      ...(remote ? { remote: { derived: remote.derived, runs: remote.runs } } : {}),
      ...(race ? { race: { derived: race.derived, runs: race.runs } } : {}),
    },
    violations,
  };
}

export const managerGroup: BenchGroup = {
  name: 'manager',
  summary: 'the services manager: a call to a local vs a remote instance, and race beside single slow peers',
  parts: ['remote', 'race'],
  run,
};
