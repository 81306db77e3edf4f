import { randomUUID } from 'node:crypto';
import type { AkaraConfig } from '../schemas/config.js';
import type { InvokeResult, InvokeTask } from '../schemas/wire.js';
import { AkaraError } from '../services/errors.js';
import type { TransformRunner } from './transform-runner.js';

/** The built-in `akara.xslt` service, which every Akara pool runs. */
const XSLT_SERVICE = 'http://purl.org/akara/services/builtin/xslt';

/** What `poolRunner` needs of an Akara server (an `AkaraServer` is one). */
export interface PoolHost {
  /** The base URL the server listens at. */
  readonly url: string;
  readonly runtime: {
    readonly current: {
      readonly config: AkaraConfig;
      readonly pool: { run(task: InvokeTask, signal?: AbortSignal): Promise<InvokeResult> };
    };
  };
}

/**
 * Runs transforms in an Akara server's worker pool, through its built-in `akara.xslt` service: with the
 * server's config (its transforms folder, fetch policy and limits) and its bounds (queue, task time,
 * memory). Follows the server's reloads. A source's own relative references resolve against the
 * server's public root there, not against the app's request URL.
 *
 * @example
 * const akara = await startServer({ config })
 * app.use(transformMiddleware({ runner: poolRunner(akara) }))
 */
export function poolRunner(server: PoolHost): TransformRunner {
  return {
    get config() {
      return server.runtime.current.config;
    },
    async run(job, signal) {
      const { config, pool } = server.runtime.current;
      const publicRoot = config.publicRoot ?? `${server.url}/`;
      const result = await pool.run({
        kind: 'invoke',
        serviceId: XSLT_SERVICE,
        method: 'POST',
        params: { '@xslt': job.stylesheets },
        query: Object.entries(job.params),
        pathInfo: '',
        headers: { 'content-type': 'application/xml' },
        body: job.source,
        contentType: 'application/xml',
        requestId: job.requestId ?? randomUUID(),
        publicRoot,
        // The server's own origin, not the app's: only the server's URIs are its own.
        origin: new URL(publicRoot).origin,
        serverUrl: server.url,
      }, signal);
      const contentType = result.headers.find(([name]) => name === 'content-type')?.[1];
      if (result.status !== 200 || contentType === undefined) {
        throw new AkaraError('AKR_ERR_UPSTREAM', { uri: XSLT_SERVICE, reason: `the pool answered ${result.status}` });
      }
      return { body: result.body, contentType };
    },
  };
}
