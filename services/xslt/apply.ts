import type { XDocument } from 'xslt-processor';
import { xmlBody, type XmlBody } from '../body.js';
import type { ServiceContext } from '../context.js';
import { AkaraError } from '../errors.js';
import { contentHash, strongEtag } from '../etag.js';
import type { CompiledStylesheet, TransformResult } from './engine.js';

/** The most stylesheets one request may chain. */
export const MAX_CHAIN = 16;

export interface ChainResult extends TransformResult<XDocument> {
  /** The compiled stylesheets, in order (their hashes identify the whole graphs). */
  stylesheets: CompiledStylesheet[];
}

/** Compiles a stylesheet graph, every module fetched through the request's resolver. */
export function compileStylesheet(ctx: ServiceContext, uri: URL): Promise<CompiledStylesheet> {
  return ctx.xslt.compile(uri.href, async (href, base) => {
    const resource = await ctx.fetch(href, base);
    return { uri: resource.uri, content: resource.bytes };
  });
}

/**
 * Applies stylesheets in order, each result the next one's source (handed over as a tree when the engine
 * can, else parsed again). Every stylesheet gets the same string params.
 */
export async function applyChain(ctx: ServiceContext, source: XDocument, stylesheets: readonly URL[], params: Record<string, string>): Promise<ChainResult> {
  if (stylesheets.length === 0) throw new AkaraError('AKR_ERR_PARAM_MISSING', { param: 'xslt' });
  if (stylesheets.length > MAX_CHAIN) {
    throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: 'xslt', expected: `at most ${MAX_CHAIN} stylesheets` });
  }
  // Compile them all first: a bad stylesheet late in the chain fails before any work is done.
  const compiled = await Promise.all(stylesheets.map((uri) => compileStylesheet(ctx, uri)));
  let doc = source;
  let result: TransformResult<XDocument> | undefined;
  const documents = new Map<string, XDocument>();
  for (const [i, stylesheet] of compiled.entries()) {
    if (result !== undefined) doc = result.sourceTree?.() ?? ctx.parseXml(result.text, compiled[i - 1]!.uri);
    result = await transformWithDocuments(ctx, stylesheet, doc, params, documents);
  }
  return { ...result!, stylesheets: compiled };
}

/**
 * A chain's answer body: its text, which a next consumer in the same worker (a pipeline's next stage)
 * takes as a tree without parsing it, when the engine can give one.
 */
export function chainBody(result: ChainResult): string | XmlBody {
  return result.sourceTree === undefined ? result.text : xmlBody(() => result.text, result.sourceTree);
}

/** The most documents `document()` may load in one request, and how many times a transform may rerun for them. */
export const MAX_DOCUMENTS = 32;
const MAX_DOCUMENT_PASSES = 4;

/**
 * Runs a transform whose `document()` calls are served through the resolver. The engine loads documents
 * synchronously and the resolver is asynchronous, so a transform that asks for documents not yet loaded
 * runs again once they are (each pass loads what the previous one asked for). Relative URIs resolve
 * against the stylesheet's URI.
 */
async function transformWithDocuments(
  ctx: ServiceContext, stylesheet: CompiledStylesheet, source: XDocument, params: Record<string, string>, documents: Map<string, XDocument>,
): Promise<TransformResult<XDocument>> {
  for (let pass = 1; ; pass++) {
    const missing = new Set<string>();
    const loadDocument = (ref: string): XDocument | null => {
      if (!URL.canParse(ref, stylesheet.uri)) return null;
      const uri = new URL(ref, stylesheet.uri).href;
      const loaded = documents.get(uri);
      if (loaded === undefined) missing.add(uri);
      return loaded ?? null;
    };
    const result = await ctx.xslt.transform(stylesheet, source, { params, loadDocument });
    if (missing.size === 0) return result;
    if (pass >= MAX_DOCUMENT_PASSES || documents.size + missing.size > MAX_DOCUMENTS) {
      throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { uri: stylesheet.uri, reason: `document() asks for more than ${MAX_DOCUMENTS} documents, or keeps asking for new ones` });
    }
    await Promise.all([...missing].map(async (uri) => {
      const resource = await ctx.fetch(uri);
      documents.set(uri, ctx.parseXml(resource.bytes, resource.uri));
    }));
  }
}

/**
 * The ETag of a transform's answer: the source (its validator, else its content), every stylesheet
 * graph (a hash of all its modules' content), the query, and the engine's version.
 */
export function transformEtag(ctx: ServiceContext, source: { bytes: Uint8Array; validator?: string }, chain: ChainResult, query: ReadonlyArray<readonly [string, string]>): string {
  return strongEtag([
    `${ctx.xslt.name}@${ctx.xslt.version}`,
    source.validator ?? contentHash(source.bytes),
    ...chain.stylesheets.map((s) => s.hash),
    JSON.stringify(query),
  ]);
}

/** An XSLT parameter name (a QName). */
export const XSLT_PARAM_NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$/;

/**
 * Stylesheet parameters from the query: every parameter whose name is not reserved (Akara's `@xslt`,
 * `@source`... or a space's `xslt`) goes to the stylesheet as an `xsl:param` string.
 */
export function stylesheetParams(query: ReadonlyArray<readonly [string, string]>, reserved: (name: string) => boolean): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  for (const [name, value] of query) {
    if (reserved(name)) continue;
    if (!XSLT_PARAM_NAME.test(name)) throw new AkaraError('AKR_ERR_PARAM_INVALID', { param: name, expected: 'named as an XSLT parameter (a QName)' });
    if (Object.hasOwn(params, name)) throw new AkaraError('AKR_ERR_PARAM_REPEATED', { param: name });
    params[name] = value;
  }
  return params;
}
