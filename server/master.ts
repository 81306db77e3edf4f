import { serve, type ServerType } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { AkaraConfig, UserConfig } from '../schemas/config.js';
import { AkaraError } from '../services/errors.js';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { registryOf, Runtime, type Generation } from './generation.js';
import { createLogger, type Logger } from './logger.js';
import { WorkerPool } from './pool/worker-pool.js';
import { rawProblemResponse } from './problem.js';

export interface StartOptions {
  config: AkaraConfig;
  logger?: Logger;
  /** The file the config came from, re-read by `reload()`. */
  configFile?: string;
  /** Command-line values that win over the file on every (re)load. */
  overrides?: UserConfig;
}

export interface AkaraServer {
  /** The base URL the server listens at, e.g. `http://127.0.0.1:8880`. */
  readonly url: string;
  readonly port: number;
  readonly runtime: Runtime;
  /**
   * Re-reads the config and the modules into a new pool and swaps it in; requests in flight finish on the
   * old pool, which is then stopped. If the new config or modules fail, the server keeps the old ones.
   */
  reload(): Promise<Generation>;
  /** Stops accepting, lets requests in flight finish (up to `shutdownTimeoutMs`), stops the pool. */
  close(): Promise<void>;
}

async function startGeneration(number: number, config: AkaraConfig, logger: Logger): Promise<Generation> {
  const pool = new WorkerPool(config, logger);
  try {
    const services = await pool.start();
    return { number, config, registry: registryOf(services), pool };
  } catch (err) {
    await pool.close(0);
    throw err;
  }
}

function listen(server: ServerType): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** HTTP-parser errors (head too large, request too slow, malformed) answered as problem documents. */
function answerClientErrors(server: Server, maxHeaderBytes: number, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const akara = err.code === 'HPE_HEADER_OVERFLOW'
      ? new AkaraError('AKR_ERR_HEADERS_TOO_LARGE', { limit: `${maxHeaderBytes} bytes` })
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AkaraError('AKR_ERR_REQUEST_TIMEOUT')
        : new AkaraError('AKR_ERR_BAD_REQUEST');
    logger.warn({ reqId: requestId, code: akara.code, parserError: err.code }, akara.message);
    socket.end(rawProblemResponse(akara, requestId));
  });
}

/**
 * Starts an Akara server: the pool process with the service modules, then the HTTP listener.
 * Rejects with the module's or the config's error if the services cannot be loaded.
 *
 * @example
 * const { config } = await loadConfig({ file: 'akara.config.ts' })
 * const server = await startServer({ config })
 * console.log(server.url)
 */
export async function startServer(options: StartOptions): Promise<AkaraServer> {
  const logger = options.logger ?? createLogger(options.config);
  const runtime = new Runtime(await startGeneration(1, options.config, logger));
  const { host, port, limits } = options.config;
  let draining = false;
  let base = '';
  const app = buildApp({
    runtime,
    logger,
    publicRoot: () => runtime.current.config.publicRoot ?? `${base}/`,
    draining: () => draining,
  });
  const server = serve({
    fetch: app.fetch,
    hostname: host,
    port,
    serverOptions: {
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      // How often Node checks those timeouts (its default, 30 s, would let a short timeout run long).
      connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs),
    },
  }) as Server;
  // One more than the limit, so that the limit middleware sees when it is passed.
  server.maxHeadersCount = limits.maxHeaders + 1;
  answerClientErrors(server, limits.maxHeaderBytes, logger);
  let address: AddressInfo;
  try {
    address = await listen(server);
  } catch (err) {
    await runtime.current.pool.close(0);
    throw err;
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${shownHost}:${address.port}`;
  logger.info({ url: base, services: runtime.current.registry.all().length }, 'akara listening');

  let reloading: Promise<Generation> | undefined;
  const reload = async (): Promise<Generation> => {
    const previous = runtime.current;
    const { config } = options.configFile === undefined
      ? { config: previous.config }
      : await loadConfig({ file: options.configFile, overrides: options.overrides });
    if (config.host !== previous.config.host || config.port !== previous.config.port) {
      logger.warn('the listen address changed in the config; it takes effect at the next start, not on reload');
    }
    const next = await startGeneration(previous.number + 1, config, logger);
    runtime.swap(next);
    logger.info({ generation: next.number, services: next.registry.all().length }, 'reloaded: new workers took over');
    void previous.pool.close();
    return next;
  };

  return {
    url: base,
    port: address.port,
    runtime,
    reload() {
      reloading ??= reload().finally(() => { reloading = undefined; });
      return reloading;
    },
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), runtime.current.config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await runtime.current.pool.close();
      logger.info('akara stopped');
      logger.flush();
    },
  };
}
