import { randomUUID } from 'node:crypto';
import type { HttpMethod, ServiceDescriptor } from '../schemas/service.js';
import type { InvokeTask } from '../schemas/wire.js';
import { AkaraError } from '../services/errors.js';
import type { LocalRun } from '../services/manager/manager.js';
import { parseParams } from '../services/params.js';
import type { WorkerPool } from './pool/worker-pool.js';
import { problemOf } from './problem.js';

/**
 * How the services manager calls this server's own services: through the pool, like a request would.
 * A 4xx is the caller's fault, not the instance's: it comes back as a problem answer, never as a failure
 * that a strategy would retry elsewhere.
 */
export function localRun(pool: () => WorkerPool, descriptors: readonly ServiceDescriptor[], publicRoot: () => string, serverUrl: () => string): LocalRun {
  const byId = new Map(descriptors.map((d) => [d.id as string, d]));
  return async function runLocally(serviceId, request, signal) {
    const requestId = randomUUID();
    try {
      const descriptor = byId.get(serviceId);
      if (!descriptor) throw new AkaraError('AKR_ERR_SERVICE_UNKNOWN', { service: serviceId });
      if (!(descriptor.methods as readonly HttpMethod[]).includes(request.method)) {
        throw new AkaraError('AKR_ERR_METHOD_NOT_ALLOWED', { method: request.method, allow: descriptor.methods.join(', ') });
      }
      const { params, query } = parseParams(descriptor, new URLSearchParams(request.query));
      const root = publicRoot();
      const task: InvokeTask = {
        kind: 'invoke',
        serviceId,
        method: request.method,
        params,
        query,
        pathInfo: request.pathInfo ?? '',
        headers: request.headers ?? {},
        requestId,
        publicRoot: root,
        origin: new URL(root).origin,
        serverUrl: serverUrl(),
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
      };
      const result = await pool().run(task, signal);
      return { status: result.status, headers: result.headers, body: result.body };
    } catch (err) {
      if (!(err instanceof AkaraError) || err.status >= 500) throw err;
      const body = new TextEncoder().encode(JSON.stringify(problemOf(err, requestId, serviceId)));
      return { status: err.status, headers: [['content-type', 'application/problem+json']], body };
    }
  };
}
