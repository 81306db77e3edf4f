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
import { localRun } from './local-run.js';
import { ServicesManager } from '../services/manager/manager.js';
import { SyncTriggers } from '../services/triggers/sync-triggers.js';
import { AsyncTriggers } from '../services/triggers/async-triggers.js';
import { Outbox } from '../services/triggers/outbox.js';
import { WebhookSender } from '../services/triggers/webhook.js';
import { watchResources } from './resource-watch.js';
import type { InvokeRequest } from '../services/manager/instance.js';
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

/** Classes mounted at paths of their own; a mount a service or the server already uses fails the start. */
function classMountsOf(config: AkaraConfig, registry: Generation['registry']): Map<string, string> {
  const mounts = new Map<string, string>();
  const problems: string[] = [];
  for (const [uri, policy] of Object.entries(config.manager.classes)) {
    if (policy.mount === undefined) continue;
    const mount = policy.mount.replace(/\/+$/, '');
    const taken = registry.all().find((s) => s.descriptor.paths.includes(mount as never));
    if (mount === '' || mount === '/akara' || mount.startsWith('/akara/')) problems.push(`manager.classes[${uri}].mount '${mount}' belongs to the server`);
    else if (taken) problems.push(`manager.classes[${uri}].mount '${mount}' is already the mount of service ${taken.descriptor.id}`);
    else if (mounts.has(mount)) problems.push(`manager.classes[${uri}].mount '${mount}' is mounted twice`);
    mounts.set(mount, uri);
  }
  if (problems.length > 0) throw new AkaraError('AKR_ERR_CONFIG_INVALID', { problems: problems.map((p) => `  - ${p}`).join('\n') });
  return mounts;
}

/** Every trigger's action must name a service or class of this server or its peers, one that takes POST here. */
function checkTriggerActions(config: AkaraConfig, manager: ServicesManager, registry: Generation['registry'], webhooks: WebhookSender): void {
  const problems: string[] = [];
  for (const trigger of config.triggers) {
    const { action } = trigger;
    if ('webhook' in action) {
      try {
        webhooks.check(action.webhook);
      } catch (err) {
        problems.push(`triggers[${trigger.name}].action.webhook ${err instanceof Error ? err.message : String(err)}`);
      }
      continue;
    }
    const instances = manager.lookupAll(action.service);
    const at = `triggers[${trigger.name}].action.service ${action.service}`;
    if (instances.length === 0) problems.push(`${at} is no service or class of this server or its peers`);
    for (const local of instances.filter((i) => i.local)) {
      if (!registry.get(local.serviceId)?.descriptor.methods.includes('POST')) problems.push(`${at}: ${local.serviceId} has no POST, which triggers call`);
    }
  }
  const cycle = reactorCycle(config, manager);
  if (cycle) problems.push(`async triggers chain in a cycle: ${cycle.join(' -> ')}`);
  if (problems.length > 0) throw new AkaraError('AKR_ERR_CONFIG_INVALID', { problems: problems.map((p) => `  - ${p}`).join('\n') });
}

/**
 * A cycle among async triggers, if any: a reactor whose service's answer (through triggers filtered on that
 * service) comes back to it. Triggers without a service filter are bounded at run time by maxChainDepth.
 */
function reactorCycle(config: AkaraConfig, manager: ServicesManager): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const t of config.triggers) {
    if (t.mode !== 'async' || t.event !== 'after-invoke' || t.filter?.service === undefined || 'webhook' in t.action) continue;
    const targets = manager.lookupAll(t.action.service).map((i) => i.serviceId);
    next.set(t.filter.service, [...(next.get(t.filter.service) ?? []), ...targets]);
  }
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (service: string): string[] | undefined => {
    if (visiting.includes(service)) return [...visiting.slice(visiting.indexOf(service)), service];
    if (done.has(service)) return undefined;
    visiting.push(service);
    for (const target of next.get(service) ?? []) {
      const found = visit(target);
      if (found) return found;
    }
    visiting.pop();
    done.add(service);
    return undefined;
  };
  for (const service of next.keys()) {
    const found = visit(service);
    if (found) return found;
  }
  return undefined;
}

async function startGeneration(number: number, config: AkaraConfig, logger: Logger, publicRoot: () => string, serverUrl: () => string): Promise<Generation> {
  const pool = new WorkerPool(config, logger);
  let manager: ServicesManager | undefined;
  let webhooks: WebhookSender | undefined;
  try {
    const services = await pool.start();
    const registry = registryOf(services);
    const classMounts = classMountsOf(config, registry);
    manager = new ServicesManager(config.manager, config.peers, { services, publicRoot, run: localRun(() => pool, services, publicRoot, serverUrl) });
    await manager.start();
    const started = manager;
    webhooks = new WebhookSender(config.fetch, config.deliveries.privateTargets);
    checkTriggerActions(config, started, registry, webhooks);
    const invoke = (uri: string, request: InvokeRequest, signal: AbortSignal) => started.invoke(uri, request, { signal });
    const triggers = new SyncTriggers(config.triggers, invoke);
    // The outbox holds async deliveries and, where an admin may register them, webhook subscriptions.
    const outbox = config.triggers.some((t) => t.mode === 'async') || config.adminToken !== undefined ? new Outbox(config.deliveries.dataDir) : undefined;
    const asyncTriggers = new AsyncTriggers(config.triggers, outbox, { invoke, webhooks }, config.deliveries);
    asyncTriggers.start();
    const stopWatching = watchResources(config, asyncTriggers, logger);
    return { number, config, registry, pool, manager, classMounts, triggers, asyncTriggers, stopWatching };
  } catch (err) {
    await manager?.close();
    await webhooks?.close();
    await pool.close(0);
    throw err;
  }
}

async function closeGeneration(generation: Generation, drainMs?: number): Promise<void> {
  generation.stopWatching();
  await generation.asyncTriggers.close();
  await generation.manager.close();
  await (drainMs === undefined ? generation.pool.close() : generation.pool.close(drainMs));
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
  let base = '';
  const publicRoot = (config: AkaraConfig) => () => config.publicRoot ?? `${base}/`;
  const runtime = new Runtime(await startGeneration(1, options.config, logger, publicRoot(options.config), () => base));
  const { host, port, limits } = options.config;
  let draining = false;
  const app = buildApp({
    runtime,
    logger,
    publicRoot: () => runtime.current.config.publicRoot ?? `${base}/`,
    serverUrl: () => base,
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
    await closeGeneration(runtime.current, 0);
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
    const next = await startGeneration(previous.number + 1, config, logger, publicRoot(config), () => base);
    runtime.swap(next);
    logger.info({ generation: next.number, services: next.registry.all().length }, 'reloaded: new workers took over');
    void closeGeneration(previous);
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
      await closeGeneration(runtime.current);
      logger.info('akara stopped');
      logger.flush();
    },
  };
}
