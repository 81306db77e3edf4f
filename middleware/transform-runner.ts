import { AsyncLocalStorage } from 'node:async_hooks';
import type { AkaraConfig } from '../schemas/config.js';
import { createContext, type WorkerTools } from '../services/context.js';
import { AkaraError } from '../services/errors.js';
import { Resolver, type LocalDispatch } from '../services/resolver/resolver.js';
import { applyChain } from '../services/xslt/apply.js';
import { contentTypeOf } from '../services/xslt/engine.js';
import { XsltProcessorEngine } from '../services/xslt/xslt-processor-engine.js';
import { readBounded } from './read-body.js';

/** One response to transform. */
export interface TransformJob {
  /** The response body: the source document. */
  source: Uint8Array;
  /** The request's URL: the source document's URI. */
  sourceUri: string;
  /** Absolute stylesheet URIs, applied in order (1 to MAX_CHAIN). */
  stylesheets: string[];
  /** `xsl:param` values, as strings, for every stylesheet of the chain. */
  params: Record<string, string>;
  /** For the logs of the process that runs the job. */
  requestId?: string;
}

export interface TransformOutput {
  body: string | Uint8Array;
  /** From `xsl:output`: its media type (or its method's) in UTF-8. */
  contentType: string;
}

/**
 * Where transforms run: in process (`inProcessRunner`) or in an Akara server's worker pool (`poolRunner`).
 * Its config gives the limits and the transforms folder the middleware uses.
 */
export interface TransformRunner {
  readonly config: AkaraConfig;
  /** Rejects with an AkaraError (AKR_ERR_XML_*, _XSLT_*, _URI_*, ...). */
  run(job: TransformJob, signal?: AbortSignal): Promise<TransformOutput>;
}

/** What serves the app's own URIs in process: a Hono app, or anything with its `fetch`. */
export interface AppFetch {
  fetch(request: Request): Response | Promise<Response>;
}

/** How deep the app's own URIs are being dispatched, across the nested requests of one client request. */
const dispatchDepth = new AsyncLocalStorage<number>();

/**
 * Serves GETs of the app's own origin by running them through the app in process (never an HTTP call to
 * ourselves), without the client's headers. Anything but a 200 is an upstream failure.
 */
function appDispatch(config: AkaraConfig, app: AppFetch | undefined): LocalDispatch {
  return async function dispatchToApp(path, scope) {
    const uri = new URL(path, scope.publicRoot).href;
    if (app === undefined) {
      throw new AkaraError('AKR_ERR_URI_DENIED', { uri, reason: "it is on the app's own origin, which is read only from the app in process (give transformMiddleware the `app` option)" });
    }
    // The resolver counted this dispatch already: nested transforms start from its depth.
    const res = await dispatchDepth.run(scope.depth, () => app.fetch(new Request(uri)));
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new AkaraError('AKR_ERR_UPSTREAM', { uri, reason: `the app answered ${res.status}` });
    }
    const body = await readBounded(res.body, config.fetch.maxBytes);
    if (!body.complete) {
      await body.rest.cancel();
      throw new AkaraError('AKR_ERR_FETCH_TOO_LARGE', { uri, limit: config.fetch.maxBytes });
    }
    const contentType = res.headers.get('content-type');
    return { uri, bytes: body.bytes, ...(contentType === null ? {} : { contentType }) };
  };
}

/**
 * Runs transforms in this process with one engine and one resolver, so compiled stylesheets and fetched
 * resources are cached across requests. URIs on the request's own origin are served by `app` in process.
 *
 * @example
 * const runner = inProcessRunner(resolveConfig({ transforms: './xsl' }, { baseDir: process.cwd() }), { app })
 * app.use(transformMiddleware({ runner }))
 */
export function inProcessRunner(config: AkaraConfig, options: { app?: AppFetch } = {}): TransformRunner {
  const tools: WorkerTools = { config, xslt: new XsltProcessorEngine(config.xml), resolver: new Resolver(config) };
  tools.resolver.setLocalDispatch(appDispatch(config, options.app));
  return {
    config,
    async run(job, signal) {
      if (signal?.aborted) throw new AkaraError('AKR_ERR_TASK_ABORTED');
      const source = new URL(job.sourceUri);
      const ctx = createContext(tools, {
        publicRoot: new URL('/', source).href,
        origin: source.origin,
        depth: dispatchDepth.getStore() ?? 0,
        ...(job.requestId === undefined ? {} : { requestId: job.requestId }),
      });
      const stylesheets = job.stylesheets.map((uri) => new URL(uri));
      const result = await applyChain(ctx, ctx.parseXml(job.source, job.sourceUri), stylesheets, job.params);
      return { body: result.text, contentType: contentTypeOf(result.output) };
    },
  };
}
