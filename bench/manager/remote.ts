import { fileURLToPath } from 'node:url';
import { fixed, printTable } from '../table.js';
import { FRONT_TIMEOUT_MS, startManagedAkara } from './akara.js';
import type { AkaraChildReady } from './akara-child.js';
import { forkChild } from './child.js';
import { HELLO, HELLO_BODY, HELLO_PEER, invokePath } from './classes.js';
import { checkAnswer, meanMs, measure, runViolations, type Run, type RunSpec, type Target } from './measure.js';

/**
 * Part `remote`: what a call through the services manager costs, to this server's own instance and to a
 * peer's. Front A (in this process, like the other groups' servers) loads hello.js; peer B (a process of
 * its own) loads hello.js and hello-peer.js, whose class only B has. Four ways to the same constant answer:
 *
 *   A direct         GET A/bench/hello                      load -> A -> A's pool
 *   invoke, local    A/akara/invoke/{hello class}, `first`  load -> A (manager) -> A's pool
 *   invoke, remote   A/akara/invoke/{hello-peer class}      load -> A (manager, undici) -> B -> B's pool
 *   B direct         GET B/bench/hello-peer                 load -> B -> B's pool
 *
 * at 1 connection (the latency a call adds, unloaded) and at 16 (throughput and CPU per request, with
 * the 2 cores shared by the load generator, A, and B).
 */

const THREADS = 1;
const SPECS: readonly RunSpec[] = [
  { connections: 1, durationS: 4, warmupS: 1 },
  { connections: 16, durationS: 5, warmupS: 1 },
];
const compiled = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const AKARA_CHILD = compiled('akara-child.js');

export interface RemoteOutcome {
  runs: Run[];
  derived: Record<string, number>;
  logged: { front: Record<string, number>; peer: Record<string, number> };
  violations: string[];
}

/** CPU ms per request: load generator, front master, front pool, peer (master and pool). */
export function cpuPerRequest(run: Run): { load: number; front: number; pool: number | null; peer: number | null; total: number | null } {
  const per = (cores: number | null) => (cores === null ? null : (cores * 1000) / run.rps);
  const parts = [per(run.cores.load)!, per(run.cores.master)!, per(run.cores.pool), per(run.peerCores)];
  return { load: parts[0]!, front: parts[1]!, pool: parts[2]!, peer: parts[3]!, total: parts.some((p) => p === null) ? null : (parts as number[]).reduce((a, b) => a + b, 0) };
}

function derive(runs: Run[]): Record<string, number> {
  const get = (scenario: string, connections: number) => runs.find((r) => r.scenario === scenario && r.connections === connections)!;
  const cpu = (scenario: string) => cpuPerRequest(get(scenario, 16)).total ?? Number.NaN;
  return {
    localInvokeAddsMs: meanMs(get('invoke, local', 1)) - meanMs(get('A direct', 1)),
    remoteInvokeAddsToPeerMs: meanMs(get('invoke, remote', 1)) - meanMs(get('B direct', 1)),
    remoteMinusLocalMs: meanMs(get('invoke, remote', 1)) - meanMs(get('invoke, local', 1)),
    remoteMinusLocalCpuMsPerReq: cpu('invoke, remote') - cpu('invoke, local'),
    remoteOverLocalRps16: get('invoke, remote', 16).rps / get('invoke, local', 16).rps,
  };
}

/** `/akara/invoke/{…/hello}` rather than the encoded URI, for the table. */
const shown = (path: string) => (path.startsWith('/akara/invoke/') ? `/akara/invoke/{…/${decodeURIComponent(path.slice('/akara/invoke/'.length)).split('/').pop()}}` : path);

function print(runs: Run[], derived: Record<string, number>): void {
  printTable(
    ['scenario', 'path', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'CPU ms/req load/A/A pool/B = total', 'other cores'],
    runs.map((r) => {
      const c = cpuPerRequest(r);
      return [r.scenario, shown(r.path), String(r.connections), fixed(r.rps), fixed(r.p50), fixed(r.p99), fixed(meanMs(r), 2),
        `${[c.load, c.front, c.pool, c.peer].map((n) => fixed(n, 2)).join('/')} = ${fixed(c.total, 2)}`, fixed(r.otherCores, 2)];
    }),
  );
  console.log('\nmean ms: connections / req/s (autocannon\'s percentiles are whole milliseconds); B: the peer\'s master and pool process, warm-up included');
  console.log(`at 1 connection: invoking the local instance through the manager adds ${fixed(derived.localInvokeAddsMs, 3)} ms to calling it directly;`
    + ` invoking B's through A adds ${fixed(derived.remoteInvokeAddsToPeerMs, 3)} ms to calling B directly;`
    + ` remote instead of local: ${fixed(derived.remoteMinusLocalMs, 3)} ms`);
  console.log(`at 16 connections: remote instead of local costs ${fixed(derived.remoteMinusLocalCpuMsPerReq, 2)} ms more CPU per request in all,`
    + ` and runs at ${fixed(derived.remoteOverLocalRps16, 2)}x the local rate`);
}

export async function runRemote(): Promise<RemoteOutcome> {
  const peer = await forkChild<AkaraChildReady, Record<string, number>>(AKARA_CHILD, { threads: THREADS, modules: [compiled('hello.js'), compiled('hello-peer.js')] });
  const runs: Run[] = [];
  const violations: string[] = [];
  try {
    const b = peer.ready;
    const front = await startManagedAkara({
      threads: THREADS,
      modules: [compiled('hello.js')],
      timeoutMs: FRONT_TIMEOUT_MS,
      peers: [b.url],
      classes: { [HELLO.class]: { strategy: 'first' }, [HELLO_PEER.class]: { strategy: 'first' } },
    });
    try {
      const peerPids = [peer.pid, ...(b.poolPid === undefined ? [] : [b.poolPid])];
      const targets: Target[] = [
        { scenario: 'A direct', url: front.url, path: HELLO.path, body: HELLO_BODY },
        { scenario: 'invoke, local', url: front.url, path: invokePath(HELLO.class), body: HELLO_BODY, provider: `local#${HELLO.id}` },
        { scenario: 'invoke, remote', url: front.url, path: invokePath(HELLO_PEER.class), body: HELLO_BODY, provider: `${b.url}/#${HELLO_PEER.id}` },
        { scenario: 'B direct', url: b.url, path: HELLO_PEER.path, body: HELLO_BODY },
      ];
      for (const target of targets) violations.push(...await checkAnswer(target));
      if (violations.length > 0) return { runs, derived: {}, logged: { front: front.logged, peer: await peer.ask() }, violations };
      for (const spec of SPECS) {
        for (const target of targets) runs.push(await measure(target, spec, front.poolPid, peerPids));
      }
      violations.push(...runs.flatMap(runViolations));
      const derived = derive(runs);
      print(runs, derived);
      return { runs, derived, logged: { front: { ...front.logged }, peer: await peer.ask() }, violations };
    } finally {
      await front.close();
    }
  } finally {
    await peer.close();
  }
}
