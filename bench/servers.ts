import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/master.js';
import type { WorkerPoolFigures } from '../server/pool/worker-pool.js';

/** The servers the bench measures, all on a free loopback port. */

export interface BenchServer {
  url: string;
  /** What the server logged (at warn and above), counted by level and error code or message. */
  logged: Record<string, number>;
  /** The pool process, whose CPU the bench reports; none for the baseline. */
  poolPid?: number;
  /** The pool's figures as `GET /akara/health` gives them (a pool process that died is replaced: its pid changes). */
  poolStats?: () => Promise<WorkerPoolFigures>;
  close(): Promise<void>;
}

export interface AkaraOptions {
  /** Exactly this many threads (minThreads = maxThreads). */
  threads: number;
  maxQueue?: number;
  /** Bench service modules; the CPU service unless said. */
  modules?: string[];
  /** A folder mounted at `/bench`, and the folder of named transforms. */
  documents?: { docs: string; transforms: string };
  /** Per thread, MB (the default config's 256 unless said). */
  maxHeapMb?: number;
  taskTimeoutMs?: number;
  /** The most bytes of a document, fetched resource and request body. */
  maxDocumentBytes?: number;
}

export const CPU_MODULE = fileURLToPath(new URL('./services/cpu.js', import.meta.url));

/** A real Akara server on a free loopback port, with exactly `threads` threads. */
export async function startAkara(options: AkaraOptions): Promise<BenchServer> {
  const { threads, documents, maxDocumentBytes: bytes } = options;
  const config = resolveConfig({
    host: '127.0.0.1',
    port: 0,
    modules: options.modules ?? [CPU_MODULE],
    pool: {
      minThreads: threads,
      maxThreads: threads,
      ...(options.maxQueue === undefined ? {} : { maxQueue: options.maxQueue }),
      // The default (10 000) would recycle threads several times a run and measure that instead.
      maxTasksPerThread: 100_000_000,
      ...(options.maxHeapMb === undefined ? {} : { maxHeapMb: options.maxHeapMb }),
      ...(options.taskTimeoutMs === undefined ? {} : { taskTimeoutMs: options.taskTimeoutMs }),
    },
    ...(documents === undefined ? {} : { resources: [{ mount: '/bench', root: documents.docs }], transforms: documents.transforms }),
    ...(bytes === undefined ? {} : { fetch: { maxBytes: bytes }, xml: { maxBytes: bytes }, limits: { maxBodyBytes: bytes } }),
    log: { level: 'warn', access: false },
  }, { baseDir: process.cwd() });
  const logged: Record<string, number> = {};
  const server = await startServer({ config, logger: createLogger(config, countingSink(logged)) });
  const poolStats = () => server.runtime.current.pool.stats();
  const { processPid } = await poolStats();
  return {
    url: server.url,
    logged,
    ...(processPid === undefined ? {} : { poolPid: processPid }),
    poolStats,
    close: () => server.close(),
  };
}

/** Counts log lines instead of printing them, so that a flood of them cannot bury the table. */
export function countingSink(counts: Record<string, number>): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const level = /"level":"(\w+)"/.exec(line)?.[1] ?? '?';
        const what = /"code":"(\w+)"/.exec(line)?.[1] ?? /"msg":"([^"]{0,60})/.exec(line)?.[1] ?? '?';
        counts[`${level} ${what}`] = (counts[`${level} ${what}`] ?? 0) + 1;
      }
      done();
    },
  });
}

/** What the pool adds is measured against this: a bare Hono app answering the echo's text in process. */
export async function startBaseline(): Promise<BenchServer> {
  const app = new Hono();
  app.get('/akara.echo', (c) => {
    const lines = [...new URL(c.req.url).searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return c.text(lines.map(([name, value]) => `${name}=${value}\n`).join(''));
  });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logged: {},
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
