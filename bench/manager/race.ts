import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { fixed, printTable } from '../table.js';
import { FRONT_TIMEOUT_MS, startManagedAkara } from './akara.js';
import { forkChild } from './child.js';
import { HELLO_BODY, invokePath, SLOW } from './classes.js';
import { checkAnswer, meanMs, measure, runViolations, type Run, type RunSpec, type Target } from './measure.js';
import type { SlowPeersCounts, SlowPeersReady } from './slow-peers-child.js';

/**
 * Part `race`: three fake peers (slow-peer.ts, a process of their own) answer the same constant after 50,
 * 20 and 5 ms, listed slowest first in the front's config (so a race that took the config order would pick
 * the slow ones). The front calls each alone (a class only that peer has), and the race classes 2 and 3
 * wide: the race should take about as long as the fastest peer, and the losers' calls should be aborted
 * (each peer counts the calls abandoned before its answer). At 1 connection, then at 8, where the
 * instances' in-flight counts steer the race's choice of candidates.
 */

const PEERS = [{ name: '50ms', delayMs: 50 }, { name: '20ms', delayMs: 20 }, { name: '5ms', delayMs: 5 }] as const;
const FASTEST = PEERS[2];
const ONE: RunSpec = { connections: 1, durationS: 4, warmupS: 1 };
const EIGHT: RunSpec = { connections: 8, durationS: 4, warmupS: 1 };
/** A race leaves (k - 1) / k of the calls abandoned; fewer than this share of that means losers ran on. */
const ABORTED_SHARE_MIN = 0.9;
const SLOW_PEERS_CHILD = fileURLToPath(new URL('./slow-peers-child.js', import.meta.url));

export interface RaceRun extends Run {
  /** The race's width; none for a single peer. */
  k?: number;
  /** What became of the calls each peer received, warm-up included. */
  peers: SlowPeersCounts;
}

export interface RaceOutcome {
  runs: RaceRun[];
  derived: Record<string, number>;
  logged: Record<string, number>;
  violations: string[];
}

function delta(after: SlowPeersCounts, before: SlowPeersCounts): SlowPeersCounts {
  return Object.fromEntries(Object.entries(after).map(([name, a]) => {
    const b = before[name]!;
    return [name, { calls: a.calls - b.calls, answered: a.answered - b.answered, abandoned: a.abandoned - b.abandoned, connections: a.connections - b.connections }];
  }));
}

/** A race whose losers were not aborted: its peers answered more than one call per race. */
function abortViolations(run: RaceRun): string[] {
  if (run.k === undefined) return [];
  const counts = Object.values(run.peers);
  const calls = counts.reduce((n, c) => n + c.calls, 0);
  const abandoned = counts.reduce((n, c) => n + c.abandoned, 0);
  const expected = (calls * (run.k - 1)) / run.k;
  return abandoned < ABORTED_SHARE_MIN * expected
    ? [`${run.scenario} (${run.connections} conn): ${abandoned} of ${calls} calls to the peers abandoned, expected about ${expected.toFixed(0)}: losers were not aborted`]
    : [];
}

/** The share of a race's calls that had the fastest peer among its candidates (races: calls to all / k). */
function fastestInRaces(run: RaceRun): number {
  const calls = Object.values(run.peers).reduce((n, c) => n + c.calls, 0);
  return run.peers[FASTEST.name]!.calls / (calls / run.k!);
}

function derive(runs: RaceRun[]): Record<string, number> {
  const find = (scenario: string, spec: RunSpec) => runs.find((r) => r.scenario === scenario && r.connections === spec.connections)!;
  const mean = (scenario: string, spec: RunSpec) => meanMs(find(scenario, spec));
  const fastest = `only ${FASTEST.name}`;
  return {
    fastestInRace2Share: fastestInRaces(find('race k=2', ONE)),
    fastestInRace2Share8: fastestInRaces(find('race k=2', EIGHT)),
    frontAddsToFastestMs: mean(fastest, ONE) - mean(`${FASTEST.name} direct`, ONE),
    race2OverFastestMs: mean('race k=2', ONE) - mean(fastest, ONE),
    race3OverFastestMs: mean('race k=3', ONE) - mean(fastest, ONE),
    race2OverFastestMs8: mean('race k=2', EIGHT) - mean(fastest, EIGHT),
    race3OverFastestMs8: mean('race k=3', EIGHT) - mean(fastest, EIGHT),
  };
}

function print(runs: RaceRun[], derived: Record<string, number>): void {
  const names = [...PEERS].reverse().map((p) => p.name);
  printTable(
    ['scenario', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', `answered/abandoned by ${names.join(', ')}`, 'new conns', 'CPU ms/req load/front/peers', 'other cores'],
    runs.map((r) => [
      r.scenario, String(r.connections), fixed(r.rps), fixed(r.p50), fixed(r.p99), fixed(meanMs(r), 2),
      names.map((n) => `${r.peers[n]?.answered ?? '-'}/${r.peers[n]?.abandoned ?? '-'}`).join('  '),
      String(Object.values(r.peers).reduce((n, c) => n + c.connections, 0)),
      [r.cores.load, r.cores.master, r.peerCores].map((c) => fixed(c === null ? null : (c * 1000) / r.rps, 2)).join('/'),
      fixed(r.otherCores, 2),
    ]),
  );
  console.log('\nanswered/abandoned: calls each peer answered, and calls abandoned before its answer (a race\'s losers; a few at the end of each run), warm-up included;'
    + ' new conns: connections the front opened to the peers meanwhile');
  console.log(`at 1 connection: the front adds ${fixed(derived.frontAddsToFastestMs, 2)} ms to a call to the ${FASTEST.name} peer;`
    + ` a race takes ${fixed(derived.race2OverFastestMs, 2)} ms (k=2) and ${fixed(derived.race3OverFastestMs, 2)} ms (k=3) more than that call alone`);
  console.log(`at 8 connections: ${fixed(derived.race2OverFastestMs8, 2)} ms (k=2) and ${fixed(derived.race3OverFastestMs8, 2)} ms (k=3) more than the ${FASTEST.name} peer alone`);
  const share = (n: number | undefined) => `${fixed(n === undefined ? undefined : n * 100)}%`;
  console.log(`the ${FASTEST.name} peer was in ${share(derived.fastestInRace2Share)} of the k=2 races at 1 connection, ${share(derived.fastestInRace2Share8)} at 8`
    + ' (race takes the k least busy: fewest in flight first, then lowest recent latency)');
}

export async function runRace(): Promise<RaceOutcome> {
  const child = await forkChild<SlowPeersReady, SlowPeersCounts>(SLOW_PEERS_CHILD, { peers: PEERS });
  const runs: RaceRun[] = [];
  const violations: string[] = [];
  try {
    const peers = child.ready;
    const front = await startManagedAkara({
      threads: 1,
      modules: [],
      timeoutMs: FRONT_TIMEOUT_MS,
      peers: peers.map((p) => p.url),
      classes: {
        [SLOW.race2]: { strategy: 'race', k: 2 },
        [SLOW.race3]: { strategy: 'race', k: 3 },
        ...Object.fromEntries(peers.map((p) => [SLOW.only(p.name), { strategy: 'first' } as const])),
      },
    });
    try {
      const key = (name: string) => `${peers.find((p) => p.name === name)!.url}#${SLOW.id}`;
      const fast = peers.find((p) => p.name === FASTEST.name)!;
      const direct: Target = { scenario: `${fast.name} direct`, url: fast.url.replace(/\/$/, ''), path: SLOW.path, body: HELLO_BODY };
      const single = (name: string): Target => ({ scenario: `only ${name}`, url: front.url, path: invokePath(SLOW.only(name)), body: HELLO_BODY, provider: key(name) });
      const race = (k: 2 | 3): Target => ({ scenario: `race k=${k}`, url: front.url, path: invokePath(k === 2 ? SLOW.race2 : SLOW.race3), body: HELLO_BODY, provider: key(FASTEST.name) });
      const singles = [...PEERS].reverse().map((p) => single(p.name));
      // The singles first: the races order candidates by their recent latency, which these calls give them.
      for (const target of [direct, ...singles, race(2), race(3)]) violations.push(...await checkAnswer(target));
      if (violations.length > 0) return { runs, derived: {}, logged: front.logged, violations };
      const plan: Array<[Target, RunSpec, number?]> = [
        [direct, ONE], ...singles.map((t): [Target, RunSpec] => [t, ONE]), [race(2), ONE, 2], [race(3), ONE, 3],
        [singles[0]!, EIGHT], [race(2), EIGHT, 2], [race(3), EIGHT, 3],
      ];
      for (const [target, spec, k] of plan) {
        const before = await child.ask();
        const run = await measure(target, spec, front.poolPid, [child.pid]);
        // Calls still waiting on a peer when the load stopped settle (answered or abandoned) first.
        await sleep(PEERS[0].delayMs + 100);
        runs.push({ ...run, ...(k === undefined ? {} : { k }), peers: delta(await child.ask(), before) });
      }
      violations.push(...runs.flatMap((r) => [...runViolations(r), ...abortViolations(r)]));
      const derived = derive(runs);
      print(runs, derived);
      return { runs, derived, logged: { ...front.logged }, violations };
    } finally {
      await front.close();
    }
  } finally {
    await child.close();
  }
}
