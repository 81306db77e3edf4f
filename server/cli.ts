/**
 * The `akara` command: start [--foreground], stop, restart, status.
 * Exit codes: 0 done, 1 failed, 2 bad usage or config, 3 not running (status).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AkaraConfig, UserConfig } from '../schemas/config.js';
import { AkaraError } from '../services/errors.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './master.js';
import { claimPidFile, isAlive, logFilePath, pidFilePath, readPidFile, releasePidFile, updatePidFile } from './pid-file.js';

const USAGE = `Usage: akara <command> [options]

Commands:
  start      start the server (in the background unless --foreground)
  stop       drain requests in flight, then stop the server
  restart    replace the workers, re-reading the config and modules, without failing requests
  status     show the server's PID and health figures

Options:
  --config F     config file (.ts, .mjs, .js, .json); default: akara.config.* in this folder
  --host H       listen address (overrides the config)
  --port N       listen port (overrides the config)
  --foreground   with start: stay attached, log to standard output
  --help         show this help
`;

const BIN = fileURLToPath(new URL('../../bin/akara.js', import.meta.url));
const EXIT = { ok: 0, failed: 1, usage: 2, notRunning: 3 } as const;

class CliExit extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}

interface Options {
  config?: string;
  host?: string;
  port?: string;
  foreground: boolean;
}

async function configFrom(options: Options): Promise<{ config: AkaraConfig; file: string | undefined; overrides: UserConfig }> {
  const overrides: UserConfig = {};
  if (options.host !== undefined) overrides.host = options.host;
  if (options.port !== undefined) overrides.port = /^\d+$/.test(options.port) ? Number(options.port) : (options.port as unknown as number);
  try {
    const { config, file } = await loadConfig({ ...(options.config === undefined ? {} : { file: options.config }), overrides });
    return { config, file, overrides };
  } catch (err) {
    if (err instanceof AkaraError) throw new CliExit(EXIT.usage, err.message);
    throw err;
  }
}

async function health(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(`${url}/akara/health`, { signal: AbortSignal.timeout(2_000) });
    return await res.json() as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(what: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await what();
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  return undefined;
}

async function startForeground(options: Options): Promise<void> {
  const { config, file, overrides } = await configFrom(options);
  const pidFile = pidFilePath(config);
  const address = `${config.host}:${config.port}`;
  try {
    claimPidFile(pidFile, { pid: process.pid, ...(file === undefined ? {} : { configFile: file }) }, address);
  } catch (err) {
    if (err instanceof AkaraError) throw new CliExit(EXIT.failed, err.message);
    throw err;
  }
  const logger = createLogger(config);
  let server;
  try {
    server = await startServer({ config, logger, ...(file === undefined ? {} : { configFile: file }), overrides });
  } catch (err) {
    releasePidFile(pidFile);
    logger.flush();
    throw new CliExit(EXIT.failed, err instanceof Error ? err.message : String(err));
  }
  updatePidFile(pidFile, { pid: process.pid, url: server.url, ...(file === undefined ? {} : { configFile: file }) });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining requests in flight, then stopping');
    void server.close().finally(() => {
      releasePidFile(pidFile);
      process.exit(EXIT.ok);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the config and replacing the workers');
    server.reload().catch((err: unknown) => logger.error({ err }, 'reload failed; the server keeps its previous config and workers'));
  });
}

async function startBackground(options: Options): Promise<void> {
  const { config } = await configFrom(options);
  const pidFile = pidFilePath(config);
  const running = readPidFile(pidFile);
  if (running) throw new CliExit(EXIT.failed, new AkaraError('AKR_ERR_ALREADY_RUNNING', { address: `${config.host}:${config.port}`, pid: running.pid }).message);
  mkdirSync(config.runDir, { recursive: true });
  const logFile = logFilePath(config);
  const log = openSync(logFile, 'a');
  const args = [BIN, 'start', '--foreground'];
  for (const name of ['config', 'host', 'port'] as const) if (options[name] !== undefined) args.push(`--${name}`, options[name]);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: number | null | undefined;
  child.on('exit', (code) => { exited = code; });
  child.unref();
  const started = await waitFor(async () => {
    if (exited !== undefined) return null;
    const info = readPidFile(pidFile);
    return info !== undefined && info.pid === child.pid && info.url !== undefined ? info : undefined;
  }, 30_000);
  if (!started?.url) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    if (exited === undefined) child.kill('SIGKILL');
    throw new CliExit(EXIT.failed, `akara did not start; the end of ${logFile}:\n${tail}`);
  }
  process.stdout.write(`akara started (pid ${started.pid}) at ${started.url}\nlog: ${logFile}\n`);
}

async function running(options: Options): Promise<{ config: AkaraConfig; info: { pid: number; url?: string } }> {
  const { config } = await configFrom(options);
  const info = readPidFile(pidFilePath(config));
  if (!info) throw new CliExit(EXIT.notRunning, `akara is not running on ${config.host}:${config.port}`);
  return { config, info };
}

async function stop(options: Options): Promise<void> {
  const { config, info } = await running(options);
  process.kill(info.pid, 'SIGTERM');
  const gone = await waitFor(() => (isAlive(info.pid) ? undefined : true), config.shutdownTimeoutMs + 5_000);
  if (!gone) {
    process.kill(info.pid, 'SIGKILL');
    throw new CliExit(EXIT.failed, `akara (pid ${info.pid}) did not stop within ${config.shutdownTimeoutMs + 5_000} ms and was killed`);
  }
  process.stdout.write(`akara stopped (pid ${info.pid})\n`);
}

async function restart(options: Options): Promise<void> {
  const { info } = await running(options);
  const url = info.url ?? '';
  const before = (await health(url))?.generation as number | undefined;
  process.kill(info.pid, 'SIGHUP');
  const after = await waitFor(async () => {
    const h = await health(url);
    return h && before !== undefined && typeof h.generation === 'number' && h.generation > before ? h : undefined;
  }, 60_000, 200);
  if (!after) throw new CliExit(EXIT.failed, `akara (pid ${info.pid}) did not finish reloading; see its log`);
  process.stdout.write(`akara restarted (pid ${info.pid}): generation ${after.generation as number}\n`);
}

async function status(options: Options): Promise<void> {
  const { info } = await running(options);
  const figures = info.url === undefined ? undefined : await health(info.url);
  process.stdout.write(`akara is running (pid ${info.pid}) at ${info.url ?? '(starting)'}\n`);
  if (figures) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        foreground: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const [command] = parsed.positionals;
  if (parsed.values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !parsed.values.help ? EXIT.usage : EXIT.ok;
  }
  const options: Options = { ...parsed.values, foreground: parsed.values.foreground === true };
  const commands: Record<string, (o: Options) => Promise<void>> = {
    start: (o) => (o.foreground ? startForeground(o) : startBackground(o)),
    stop,
    restart,
    status,
  };
  const run = commands[command];
  if (!run) {
    process.stderr.write(`akara: unknown command '${command}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    await run(options);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliExit) {
      (err.exitCode === EXIT.notRunning ? process.stdout : process.stderr).write(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

/** Runs the command and exits with its code, except a server started in the foreground, which stays. */
export async function runCli(argv: string[]): Promise<void> {
  const code = await main(argv);
  if (!(argv.includes('start') && argv.includes('--foreground') && code === EXIT.ok)) process.exit(code);
}
