/**
 * The XSLT engine contract. Akara ships one implementation (xslt-processor); any other must pass the
 * same contract suite (test/services/xslt-engine.contract.ts).
 */

export type OutputMethod = 'xml' | 'html' | 'text';

/** What `xsl:output` says about the result, with the defaults filled in. */
export interface OutputSpec {
  method: OutputMethod;
  /** The declared media type, else text/html, text/plain or application/xml by method. */
  mediaType: string;
  omitXmlDeclaration: boolean;
  indent: boolean;
}

/** A stylesheet module's content, as the loader found it. */
export interface LoadedModule {
  /** The module's absolute URI (after redirects), the base for its own imports. */
  uri: string;
  content: Uint8Array | string;
}

/** Loads a stylesheet module (`xsl:import` / `xsl:include` href) relative to the importing module. */
export type ModuleLoader = (href: string, base: string) => Promise<LoadedModule>;

/** A compiled stylesheet: opaque to callers, but it says what it is made of. */
export interface CompiledStylesheet {
  /** The top module's URI. */
  readonly uri: string;
  /** A hash of the content of every module of the graph: the cache key. */
  readonly hash: string;
  /** Every module's URI, the top one first. */
  readonly modules: readonly string[];
  readonly output: OutputSpec;
}

export interface TransformOptions {
  /** Stylesheet parameters, passed as strings (as Akara always has). */
  params?: Record<string, string>;
  /** Synchronous loader for `document()`: a parsed document, or null when it cannot be had. */
  loadDocument?: (uri: string) => unknown;
}

export interface TransformResult<Doc = unknown> {
  /** The serialised result, escaped as its output method requires. */
  text: string;
  output: OutputSpec;
  /**
   * The result as the source of a next transform: the tree parsing `text` gives, without parsing it.
   * Absent, or answering undefined, when only parsing `text` can give it. The first call takes it (the
   * engine may then let go of what it was built from); later calls answer undefined.
   */
  sourceTree?: () => Doc | undefined;
}

export interface XsltEngine<Doc = unknown> {
  readonly name: string;
  readonly version: string;
  /** Parses a source document into the engine's tree (from saxes events, within the limits). */
  parse(content: Uint8Array | string, uri?: string): Doc;
  /** Loads and compiles the stylesheet graph from `uri`; throws AKR_ERR_XSLT_COMPILE with the module's URI. */
  compile(uri: string, load: ModuleLoader): Promise<CompiledStylesheet>;
  /** Applies a compiled stylesheet; throws AKR_ERR_XSLT_RUNTIME. */
  transform(stylesheet: CompiledStylesheet, source: Doc, options?: TransformOptions): Promise<TransformResult<Doc>>;
}

const DEFAULT_MEDIA_TYPES: Record<OutputMethod, string> = {
  xml: 'application/xml',
  html: 'text/html',
  text: 'text/plain',
};

/** The Content-Type for a result: the declared media type (or the method's) in UTF-8. */
export function contentTypeOf(output: OutputSpec): string {
  return `${output.mediaType}; charset=utf-8`;
}

const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/;

/** Whether a string is a media type (`type/subtype`, no parameters), as `@media-type` must be. */
export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

export function defaultMediaType(method: OutputMethod): string {
  return DEFAULT_MEDIA_TYPES[method];
}
