import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { UserConfig } from '../../schemas/config.js';
import { resolveConfig } from '../../server/config.js';
import { startServer, type AkaraServer } from '../../server/master.js';

/** The absolute path of a compiled fixture service module, e.g. fixture('pool.js'). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/services/${name}`, import.meta.url));
}

export interface TestServer extends AkaraServer {
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
}

/** Starts a real server on a free loopback port with the given config, capturing its log in memory. */
export async function startTestServer(user: UserConfig = {}): Promise<TestServer> {
  const config = resolveConfig({ port: 0, ...user, log: { level: 'info', ...user.log } }, { baseDir: process.cwd() });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: config.log.level }, sink);
  const server = await startServer({ config, logger });
  return Object.assign(server, { logs });
}

/** Waits until `check` returns true, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function health(url: string): Promise<{ status: string; generation: number; pool: Record<string, number | string> }> {
  const res = await fetch(`${url}/akara/health`);
  return await res.json() as { status: string; generation: number; pool: Record<string, number | string> };
}
