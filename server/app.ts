import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { accessLog } from '../middleware/access-log.js';
import { requestLimits } from '../middleware/request-limits.js';
import { AkaraError } from '../services/errors.js';
import type { Runtime } from './generation.js';
import type { Logger } from './logger.js';
import { onError } from './problem.js';
import { healthRoutes } from './routes/health.js';
import { listingRoutes } from './routes/listing.js';
import { serviceHandler } from './routes/services.js';
import { classMounts } from './routes/class-mounts.js';
import { lookupRoutes } from './routes/lookup.js';
import { triggerRoutes } from './routes/triggers.js';
import { eventRoutes } from './routes/events.js';
import type { ServicesManager } from '../services/manager/manager.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The services manager: `c.var.services.lookup(classUri)`, `.lookupAll`, `.invoke`. */
    services: ServicesManager;
  }
}

export interface AppOptions {
  runtime: Runtime;
  logger: Logger;
  /** The absolute URL the server is reached at (known once it listens). */
  publicRoot: () => string;
  /** Where the server listens (known once it listens), for handlers that reach the services manager. */
  serverUrl: () => string;
  draining: () => boolean;
}

/** Wires the server's Hono app: request ids, access log, limits, its own routes, then every service. */
export function buildApp({ runtime, logger, publicRoot, serverUrl, draining }: AppOptions): Hono {
  const app = new Hono();
  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(accessLog(logger, () => runtime.current.config.log.access));
  app.use(requestLimits(() => runtime.current.config.limits));
  app.route('/', healthRoutes(runtime, draining));
  app.route('/', listingRoutes(runtime, publicRoot));
  app.use(async function servicesManager(c, next) {
    c.set('services', runtime.current.manager);
    await next();
  });
  app.route('/', lookupRoutes(runtime));
  app.route('/', triggerRoutes(runtime));
  app.route('/', eventRoutes(runtime));
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], ['/', '/akara/health'], (c) => {
    throw new AkaraError('AKR_ERR_METHOD_NOT_ALLOWED', { method: c.req.method, allow: 'GET, HEAD' });
  });
  app.use(classMounts(runtime));
  app.all('*', serviceHandler(runtime, publicRoot, serverUrl));
  app.onError(onError);
  return app;
}
