import type { Context } from 'hono';
import { MAX_CHAIN, XSLT_PARAM_NAME } from '../services/xslt/apply.js';
import { isMediaType } from '../services/xslt/engine.js';

export interface SetTransformOptions {
  /** The response media type (e.g. `application/atom+xml`), instead of the one `xsl:output` gives. */
  mediaType?: string;
  /** `xsl:param` values, as strings, for every stylesheet of the chain. */
  params?: Record<string, string>;
}

/** What a handler asked for: stylesheet references as it wrote them, checked. */
export interface RequestedTransform {
  stylesheets: string[];
  mediaType?: string;
  params: Record<string, string>;
}

/** Per request: null once a transform middleware runs for it, then what `setTransform` asked for. */
const requested = new WeakMap<Context, RequestedTransform | null>();

// The same rules as the akara.xslt service's @media-type and stylesheet params.

/** Marks a request as handled by a transform middleware, so that `setTransform` may be called in it. */
export function acceptTransforms(c: Context): void {
  if (!requested.has(c)) requested.set(c, null);
}

/** What `setTransform` asked for in this request, if anything; taken, so that one middleware acts on it. */
export function takeRequestedTransform(c: Context): RequestedTransform | null {
  const wanted = requested.get(c) ?? null;
  requested.set(c, null);
  return wanted;
}

/**
 * Asks the transform middleware to transform this request's response: the stylesheets apply in order
 * (the first to the body, each next one to the previous result). References resolve against the
 * middleware's `baseUri` (by default the transforms folder, else the request URL). A later call replaces
 * an earlier one. Throws a TypeError if no transform middleware runs for the request, or for bad arguments.
 *
 * @example
 * app.get('/feed', (c) => {
 *   setTransform(c, ['entries.xsl', 'atom.xsl'], { mediaType: 'application/atom+xml', params: { lang: 'en' } })
 *   return c.body(xml, 200, { 'content-type': 'application/xml' })
 * })
 */
export function setTransform(c: Context, stylesheet: string | readonly string[], options: SetTransformOptions = {}): void {
  if (!requested.has(c)) {
    throw new TypeError('setTransform: no transformMiddleware runs for this request; mount one with app.use(transformMiddleware()) before the route');
  }
  const stylesheets = typeof stylesheet === 'string' ? [stylesheet] : [...stylesheet];
  if (stylesheets.length === 0 || stylesheets.length > MAX_CHAIN) {
    throw new TypeError(`setTransform: stylesheet must name 1 to ${MAX_CHAIN} stylesheets, got ${stylesheets.length}`);
  }
  stylesheets.forEach((ref, i) => {
    if (typeof ref !== 'string' || ref === '') throw new TypeError(`setTransform: stylesheet[${i}] must be a non-empty string`);
  });
  const { mediaType, params = {} } = options;
  if (mediaType !== undefined && !isMediaType(mediaType)) {
    throw new TypeError(`setTransform: options.mediaType must be a media type such as text/html, got '${mediaType}'`);
  }
  const checked: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(params)) {
    if (!XSLT_PARAM_NAME.test(name)) throw new TypeError(`setTransform: options.params name '${name}' is not an XSLT parameter name (a QName)`);
    if (typeof value !== 'string') throw new TypeError(`setTransform: options.params.${name} must be a string`);
    checked[name] = value;
  }
  requested.set(c, { stylesheets, ...(mediaType === undefined ? {} : { mediaType }), params: checked });
}
