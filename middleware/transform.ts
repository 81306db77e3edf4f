import type { Context, MiddlewareHandler } from 'hono';
import { pathToFileURL } from 'node:url';
import type { UserConfig } from '../schemas/config.js';
import { resolveConfig } from '../services/config.js';
import { AkaraError } from '../services/errors.js';
import { MAX_URI_LENGTH } from '../services/resolver/resolver.js';
import { decodeXml } from '../services/xml/decode.js';
import { readBounded } from './read-body.js';
import { acceptTransforms, takeRequestedTransform, type RequestedTransform } from './set-transform.js';
import { inProcessRunner, type AppFetch, type TransformRunner } from './transform-runner.js';
import { isXmlMediaType, xsltStylesheetHref } from './xml-stylesheet.js';

// The package's middleware entry: the middleware, what handlers call, and the runner contract.
export { setTransform, type SetTransformOptions } from './set-transform.js';
export { inProcessRunner, type AppFetch, type TransformJob, type TransformOutput, type TransformRunner } from './transform-runner.js';
export { poolRunner, type PoolHost } from './pool-runner.js';

export interface TransformMiddlewareOptions {
  /** Akara config for the in-process runner: `transforms`, `fetch` policy, `xml` limits. Defaults for the rest. */
  config?: UserConfig;
  /** What the config's relative paths are relative to; default `process.cwd()`. */
  baseDir?: string;
  /** Serves stylesheets on the request's own origin in process (pass the app itself); without it they are refused. */
  app?: AppFetch;
  /** Where transforms run, e.g. `poolRunner(server)`; it brings its own config. Default: in process. */
  runner?: TransformRunner;
  /** What `setTransform` references resolve against; default the transforms folder, else the request URL. */
  baseUri?: string;
  /** Also apply a response's own `<?xml-stylesheet type="text/xsl" href="..."?>`; default false. */
  xmlStylesheet?: boolean;
}

/** Requests whose response a transform middleware already replaced (an outer one leaves it alone). */
const transformed = new WeakSet<Context>();
/** Longest stylesheet reference resolved (as the resolver's own bound). */
/** Statuses whose responses have no body to transform. */
const NO_BODY = new Set([101, 103, 204, 205, 304]);

function resolveReference(ref: string, base: string): string {
  if (ref.length > MAX_URI_LENGTH) {
    throw new AkaraError('AKR_ERR_URI_INVALID', { uri: `${ref.slice(0, 64)}...`, reason: `longer than ${MAX_URI_LENGTH} characters` });
  }
  try {
    return new URL(ref, base).href;
  } catch {
    throw new AkaraError('AKR_ERR_URI_INVALID', { uri: ref, reason: 'it does not parse as a URI reference' });
  }
}

function tooLarge(c: Context, maxBytes: number): AkaraError {
  return new AkaraError('AKR_ERR_XML_LIMIT', { what: 'document size in bytes', limit: maxBytes, uri: c.req.url });
}

/** Replaces the response (Hono would otherwise copy the old headers, Content-Length and ETag included, onto it). */
function replaceResponse(c: Context, res: Response): void {
  c.res = undefined;
  c.res = res;
}

/** The source's text for finding its xml-stylesheet PI; a body that does not decode has none. */
function prologText(bytes: Uint8Array): string {
  try {
    return decodeXml(bytes);
  } catch {
    return '';
  }
}

/**
 * Transforms XML responses with XSLT, through Akara's engine and resolver (fetch policy, limits, caches):
 * 2xx responses whose handler called `setTransform(c, ...)`, and with `xmlStylesheet: true` XML responses
 * that carry an `<?xml-stylesheet type="text/xsl" href="..."?>` before their root element (its href
 * resolves against the request URL). The result keeps the status and headers but Content-Length and ETag, and takes its
 * Content-Type from `xsl:output` (or `mediaType`). Other responses pass untouched.
 *
 * Failures are AkaraErrors (AKR_ERR_XML_MALFORMED, AKR_ERR_XSLT_COMPILE, AKR_ERR_URI_DENIED...) thrown to
 * the app's error handler: use Akara's `onError` for `application/problem+json`, or your own (branch on
 * `err.code`, status in `err.status`). The config is checked here, at once: a bad one throws
 * AKR_ERR_CONFIG_INVALID. Mount compression outside this middleware: an encoded body cannot be read.
 *
 * @example
 * const app = new Hono()
 * app.use(transformMiddleware({ config: { transforms: './xsl' }, app, xmlStylesheet: true }))
 * app.get('/books', (c) => {
 *   setTransform(c, 'books-html.xsl', { params: { title: 'Shelf' } })
 *   return c.body(booksXml, 200, { 'content-type': 'application/xml' })
 * })
 * app.onError(onError)
 */
export function transformMiddleware(options: TransformMiddlewareOptions = {}): MiddlewareHandler {
  if (options.runner !== undefined && (options.config !== undefined || options.baseDir !== undefined || options.app !== undefined)) {
    throw new TypeError('transformMiddleware: options.config, options.baseDir and options.app are for the in-process runner; options.runner brings its own');
  }
  if (options.baseUri !== undefined && !URL.canParse(options.baseUri)) {
    throw new TypeError(`transformMiddleware: options.baseUri must be an absolute URI, got '${options.baseUri}'`);
  }
  const runner = options.runner ?? inProcessRunner(
    resolveConfig(options.config ?? {}, { baseDir: options.baseDir ?? process.cwd() }),
    options.app === undefined ? {} : { app: options.app },
  );
  const xmlStylesheet = options.xmlStylesheet ?? false;

  // Read per request: a pool runner's config changes when its server reloads.
  const baseOf = (c: Context): string => {
    if (options.baseUri !== undefined) return options.baseUri;
    const { transforms } = runner.config;
    return transforms === undefined ? c.req.url : pathToFileURL(`${transforms}/`).href;
  };

  const transform = async (c: Context, res: Response, source: Uint8Array, wanted: RequestedTransform): Promise<void> => {
    const requestId = c.get('requestId') as string | undefined;
    const output = await runner.run({
      source,
      sourceUri: c.req.url,
      stylesheets: wanted.stylesheets,
      params: wanted.params,
      ...(requestId === undefined ? {} : { requestId }),
    }, c.req.raw.signal);
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('etag');
    headers.set('content-type', wanted.mediaType === undefined ? output.contentType : `${wanted.mediaType}; charset=utf-8`);
    transformed.add(c);
    replaceResponse(c, new Response(output.body as string | Uint8Array<ArrayBuffer>, { status: res.status, statusText: res.statusText, headers }));
  };

  const applyRequested = async (c: Context, res: Response, wanted: RequestedTransform): Promise<void> => {
    const encoding = res.headers.get('content-encoding');
    if (encoding !== null && encoding !== 'identity') {
      throw new AkaraError('AKR_ERR_INTERNAL', {}, { message: `transformMiddleware cannot read a ${encoding}-encoded response: mount compression outside it` });
    }
    const { maxBytes } = runner.config.xml;
    if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
      await res.body?.cancel();
      throw tooLarge(c, maxBytes);
    }
    const body = await readBounded(res.body, maxBytes);
    if (!body.complete) {
      await body.rest.cancel();
      throw tooLarge(c, maxBytes);
    }
    const base = baseOf(c);
    await transform(c, res, body.bytes, { ...wanted, stylesheets: wanted.stylesheets.map((ref) => resolveReference(ref, base)) });
  };

  const applyXmlStylesheet = async (c: Context, res: Response): Promise<void> => {
    const { maxBytes } = runner.config.xml;
    const body = await readBounded(res.body, maxBytes);
    if (!body.complete) {
      // Too large to transform: an error if it asks for a transform, else passed on as it streams.
      if (xsltStylesheetHref(new TextDecoder().decode(body.head)) !== undefined) {
        await body.rest.cancel();
        throw tooLarge(c, maxBytes);
      }
      replaceResponse(c, new Response(body.rest, res));
      return;
    }
    const href = xsltStylesheetHref(prologText(body.bytes));
    if (href === undefined) {
      replaceResponse(c, new Response(body.bytes, res));
      return;
    }
    await transform(c, res, body.bytes, { stylesheets: [resolveReference(href, c.req.url)], params: {} });
  };

  return async function transformResponse(c, next) {
    acceptTransforms(c);
    await next();
    const wanted = takeRequestedTransform(c);
    // An error response (the app's error handler has answered) and an already transformed one stay as they are.
    if (c.error !== undefined || transformed.has(c)) return;
    const res = c.res;
    if (NO_BODY.has(res.status)) return;
    if (wanted !== null) {
      // A handler that asked for a transform and then answered an error (c.json(..., 400), c.notFound())
      // keeps its answer: transforming it would hide it behind AKR_ERR_XML_MALFORMED.
      if (res.status >= 200 && res.status < 300) await applyRequested(c, res, wanted);
      return;
    }
    const encoding = res.headers.get('content-encoding');
    if (xmlStylesheet && isXmlMediaType(res.headers.get('content-type')) && (encoding === null || encoding === 'identity')) {
      await applyXmlStylesheet(c, res);
    }
  };
}
