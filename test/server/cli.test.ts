import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture, health } from '../helpers/server.js';
import { freePort } from '../helpers/upstream.js';

const BIN = join(process.cwd(), 'bin', 'akara.js');
const DEFINE_SERVICE = join(process.cwd(), 'dist', 'services', 'define-service.js');

function akara(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const versioned = (version: string) => `import { defineService } from ${JSON.stringify(DEFINE_SERVICE)};
export default defineService({ id: 'http://example.org/test/version', path: '/test/version', handler: () => ${JSON.stringify(version)} });
`;

let dir: string;
let configFile: string;
let url: string;
let port: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'akara-cli-'));
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  await writeFile(join(dir, 'version.mjs'), versioned('v1'));
  configFile = join(dir, 'akara.config.mjs');
  await writeFile(configFile, `export default ${JSON.stringify({
    port, runDir: './run', modules: ['./version.mjs', fixture('pool.js')], pool: { minThreads: 2, maxThreads: 2, maxQueue: 256 },
  })};\n`);
});

after(async () => {
  await akara('stop', '--config', configFile);
  await rm(dir, { recursive: true, force: true });
});

describe('the akara command', () => {
  it('start runs the server in the background and writes its PID file', async () => {
    const { code, stdout } = await akara('start', '--config', configFile);
    assert.equal(code, 0, stdout);
    const pid = Number(/pid (\d+)/.exec(stdout)?.[1]);
    assert.match(stdout, new RegExp(`at ${url}\\n`));
    const pidFile = JSON.parse(await readFile(join(dir, 'run', `akara-${port}.pid`), 'utf8')) as { pid: number; url: string };
    assert.deepEqual({ pid: pidFile.pid, url: pidFile.url }, { pid, url });
    assert.equal(await (await fetch(`${url}/test/version`)).text(), 'v1');
  });

  it('refuses a second server on the same port', async () => {
    const { code, stderr } = await akara('start', '--config', configFile);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`An Akara server is already running on 127.0.0.1:${port} \\(pid \\d+\\)`));
  });

  it('status prints the PID and the health figures', async () => {
    const { code, stdout } = await akara('status', '--config', configFile);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^akara is running \\(pid \\d+\\) at ${url}\\n`));
    const figures = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { status: string; pool: { threads: number } };
    assert.equal(figures.status, 'ok');
    assert.equal(figures.pool.threads, 2);
  });

  it('restart replaces the workers and re-reads the modules without failing a request under load', async () => {
    await writeFile(join(dir, 'version.mjs'), versioned('v2'));
    const statuses: number[] = [];
    let loading = true;
    const client = async () => {
      while (loading) {
        const res = await fetch(`${url}/test/sleep?ms=20`);
        statuses.push(res.status);
        await res.text();
      }
    };
    const clients = Array.from({ length: 6 }, client);
    await new Promise((r) => setTimeout(r, 300));
    const { code, stdout } = await akara('restart', '--config', configFile);
    await new Promise((r) => setTimeout(r, 300));
    loading = false;
    await Promise.all(clients);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /generation 2/);
    assert.ok(statuses.length > 20, `only ${statuses.length} requests`);
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal(await (await fetch(`${url}/test/version`)).text(), 'v2');
    assert.equal((await health(url)).generation, 2);
  });

  it('logs JSON lines, each request with its id, one access line per request', async () => {
    const res = await fetch(`${url}/akara.echo?x=1`, { headers: { 'x-request-id': 'cli-log-check' } });
    await res.text();
    await new Promise((r) => setTimeout(r, 200));
    const lines = (await readFile(join(dir, 'run', `akara-${port}.log`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const mine = lines.filter((l) => l.reqId === 'cli-log-check');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.msg, 'request');
    assert.equal(mine[0]!.status, 200);
    const access = lines.filter((l) => l.msg === 'request');
    assert.ok(access.every((l) => typeof l.reqId === 'string' && l.reqId !== ''));
    assert.ok(lines.some((l) => l.msg === 'reloaded: new workers took over' && l.generation === 2));
  });

  it('stop drains the requests in flight, then the server exits and its PID file goes', async () => {
    const inFlight = fetch(`${url}/test/sleep?ms=1500`);
    await new Promise((r) => setTimeout(r, 200));
    const { code, stdout } = await akara('stop', '--config', configFile);
    assert.equal(code, 0);
    assert.match(stdout, /akara stopped \(pid \d+\)/);
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'slept 1500');
    assert.equal(existsSync(join(dir, 'run', `akara-${port}.pid`)), false);
    await assert.rejects(fetch(`${url}/akara.echo`));
    const status = await akara('status', '--config', configFile);
    assert.equal(status.code, 3);
    assert.match(status.stdout, /akara is not running/);
  });

  it('reports a bad config with every problem and exit code 2, before starting anything', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ port: -1, pool: { maxThreads: 'many' } }));
    const { code, stderr } = await akara('start', '--config', bad);
    assert.equal(code, 2);
    assert.match(stderr, /port must be a port number \(0-65535\)\n {2}- pool\.maxThreads must be a positive integer/);
  });
});
