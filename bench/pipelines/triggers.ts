import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserConfig } from '../../schemas/config.js';
import { cpuSecondsOf } from '../proc.js';
import { fixed, printTable } from '../table.js';
import { NOOP_MODULE, startPipeAkara, tempDir } from './akara.js';
import { rowViolations, withAutocannon, type Row } from './measure.js';
import { NOOP_ID } from './noop.js';

/**
 * Part `triggers`: what one trigger adds to `POST /akara.echo` (1 thread): no trigger; one sync
 * before-invoke trigger whose action is a local service answering '' (bench/pipelines/noop.ts); one async
 * after-invoke trigger with the same action (an outbox write before each answer, then a delivery). At 1
 * connection (the latency added) and 16 (throughput and CPU per request). The async deliveries still
 * pending when the runs end are then delivered with no load for up to 10 s: the drain rate, and the CPU
 * of master and pool per delivery (idle polling included, so an upper bound).
 */

const ECHO = 'http://purl.org/akara/services/builtin/echo';
const BODY = '<note>trigger bench</note>\n';
const SPECS = [{ connections: 1, durationS: 4, warmupS: 1 }, { connections: 16, durationS: 5, warmupS: 1 }];

export interface TriggersOutcome {
  rows: Row[];
  derived: Record<string, number>;
  deliveries: Record<string, unknown>;
  violations: string[];
}

/**
 * The backlog an async trigger left at the end of its runs, delivered with no load: how long, and the CPU
 * of master and pool per delivery (the part of an async trigger's cost the timed runs did not see).
 */
async function drain(poolPid: number | undefined, start: { pending: number; delivered: number }, health: () => Promise<{ deliveries: { pending: number; delivered: number } }>) {
  process.stderr.write(`  draining ${start.pending} deliveries...\n`);
  const master = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1e6; };
  const t = performance.now();
  const cpu = { master: master(), pool: cpuSecondsOf(poolPid) };
  let now = start;
  while (now.pending > 0 && performance.now() - t < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    now = (await health()).deliveries;
  }
  const seconds = (performance.now() - t) / 1000;
  const delivered = now.delivered - start.delivered;
  const pool = cpuSecondsOf(poolPid);
  const cpuS = master() - cpu.master + (pool === null || cpu.pool === null ? 0 : pool - cpu.pool);
  return { delivered, left: now.pending, seconds, perSecond: delivered / seconds, cpuMsPerDelivery: (cpuS * 1000) / delivered };
}

export async function runTriggers(): Promise<TriggersOutcome> {
  const tmp = tempDir('akara-bench-triggers-');
  const bodyFile = join(tmp.dir, 'body.xml');
  writeFileSync(bodyFile, BODY);
  const variants: Array<{ name: string; config: Partial<UserConfig> }> = [
    { name: 'no trigger', config: {} },
    { name: 'sync before-invoke', config: { triggers: [{ name: 'audit', event: 'before-invoke', filter: { service: ECHO }, action: { service: NOOP_ID } }] } },
    { name: 'async after-invoke', config: {
      triggers: [{ name: 'react', event: 'after-invoke', mode: 'async', filter: { service: ECHO }, action: { service: NOOP_ID } }],
      deliveries: { dataDir: join(tmp.dir, 'data') },
    } },
  ];
  const rows: Row[] = [];
  const violations: string[] = [];
  const deliveries: Record<string, unknown> = {};
  try {
    for (const variant of variants) {
      const server = await startPipeAkara({ modules: [NOOP_MODULE], ...variant.config });
      try {
        const res = await fetch(`${server.url}/akara.echo`, { method: 'POST', body: BODY, headers: { 'content-type': 'application/xml' } });
        const text = await res.text();
        if (res.status !== 200 || !text.endsWith(BODY)) {
          violations.push(`${variant.name}: POST /akara.echo answered ${res.status} ${JSON.stringify(text.slice(0, 200))}`);
          continue;
        }
        for (const spec of SPECS) {
          rows.push(await withAutocannon(variant.name, { url: `${server.url}/akara.echo`, method: 'POST', bodyFile, ...spec }, server.poolPid));
        }
        type Health = { triggers: unknown; deliveries: { pending: number; delivered: number } };
        const health = async () => (await (await fetch(`${server.url}/akara/health`)).json()) as Health;
        const atEnd = await health();
        if (variant.name !== 'no trigger') deliveries[variant.name] = { triggers: atEnd.triggers, deliveries: atEnd.deliveries };
        if (atEnd.deliveries.pending > 0) deliveries[`${variant.name}, drain`] = await drain(server.poolPid, atEnd.deliveries, health);
      } finally {
        await server.close();
      }
    }
  } finally {
    tmp.remove();
  }
  for (const row of rows) violations.push(...rowViolations(row));
  const base = (conns: number) => rows.find((r) => r.scenario === 'no trigger' && r.conns === conns);
  printTable(
    ['trigger', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'added ms (mean)', 'CPU ms/req (load+master+pool)', 'added CPU ms/req', 'answers'],
    rows.map((r) => {
      const b = base(r.conns);
      const added = b && r !== b ? fixed(r.mean - b.mean, 2) : '-';
      const addedCpu = b && r !== b && r.cpuMs.total !== null && b.cpuMs.total !== null ? fixed(r.cpuMs.total - b.cpuMs.total, 2) : '-';
      return [r.scenario, String(r.conns), fixed(r.rps), fixed(r.p50), fixed(r.p99), fixed(r.mean, 2), added,
        `${fixed(r.cpuMs.total, 2)} (${fixed(r.cpuMs.load, 2)}+${fixed(r.cpuMs.master, 2)}+${fixed(r.cpuMs.pool, 2)})`, addedCpu, `${r.requests}${r.bad > 0 ? `, ${r.bad} bad` : ''}`];
    }),
  );
  const derived: Record<string, number> = {};
  const drained = deliveries['async after-invoke, drain'] as { cpuMsPerDelivery: number; perSecond: number } | undefined;
  if (drained) {
    derived.asyncDeliveryCpuMs = drained.cpuMsPerDelivery;
    derived.asyncDeliveriesPerSecond = drained.perSecond;
  }
  for (const [name, figures] of Object.entries(deliveries)) console.log(`${name} at the end of its runs: ${JSON.stringify(figures)}`);
  for (const r of rows) {
    const b = base(r.conns);
    if (!b || r === b) continue;
    const key = `${r.scenario.startsWith('sync') ? 'sync' : 'async'}${r.conns}`;
    derived[`${key}AddedMeanMs`] = r.mean - b.mean;
    derived[`${key}RpsRatio`] = r.rps / b.rps;
    if (r.cpuMs.total !== null && b.cpuMs.total !== null) derived[`${key}AddedCpuMs`] = r.cpuMs.total - b.cpuMs.total;
  }
  return { rows, derived, deliveries, violations };
}
