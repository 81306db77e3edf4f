import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/master.js';

/** The servers the bench measures, all on a free loopback port. */

export interface BenchServer {
  url: string;
  /** What the server logged (at warn and above), counted by level and error code or message. */
  logged: Record<string, number>;
  /** The pool process, whose CPU the bench reports; none for the baseline. */
  poolPid?: number;
  close(): Promise<void>;
}

const CPU_MODULE = fileURLToPath(new URL('./services/cpu.js', import.meta.url));

/** A real Akara server with exactly `threads` threads and the bench's CPU service. */
export async function startAkara(threads: number, maxQueue = 64): Promise<BenchServer> {
  const config = resolveConfig({
    host: '127.0.0.1',
    port: 0,
    modules: [CPU_MODULE],
    pool: {
      minThreads: threads,
      maxThreads: threads,
      maxQueue,
      // The default (10 000) would recycle threads several times a run and measure that instead.
      maxTasksPerThread: 100_000_000,
    },
    log: { level: 'warn', access: false },
  }, { baseDir: process.cwd() });
  const logged: Record<string, number> = {};
  const server = await startServer({ config, logger: createLogger(config, countingSink(logged)) });
  const { processPid } = await server.runtime.current.pool.stats();
  return { url: server.url, logged, ...(processPid === undefined ? {} : { poolPid: processPid }), close: () => server.close() };
}

/** Counts log lines instead of printing them, so that a flood of them cannot bury the table. */
function countingSink(counts: Record<string, number>): Writable {
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
