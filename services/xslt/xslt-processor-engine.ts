import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { XDocument, XNode } from 'xslt-processor';
import type { XmlLimits } from '../../schemas/config.js';
import { AkaraError } from '../errors.js';
import '../xpath/axes-patch.js';
import { parseXml } from '../xml/parse.js';
import { checkExpressions } from './check-expressions.js';
import type { CompiledStylesheet, ModuleLoader, TransformOptions, TransformResult, XsltEngine } from './engine.js';
import { declaredOutput, resolveOutput, resultMethod, type DeclaredOutput } from './output.js';
import { serializeResult } from './serialize.js';
import { sourceTree } from './source-tree.js';
import { loadGraph, type ParsedModule, type Precedence } from './stylesheet-graph.js';
import { PatchedXslt, type XsltInternals } from './xslt-processor-patches.js';

// The package does not export its package.json; read it beside its entry point.
const VERSION = (JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('xslt-processor')), '..', 'package.json'), 'utf8')) as { version: string }).version;

interface Compiled extends CompiledStylesheet {
  readonly flattened: XDocument;
  readonly precedence: Map<XNode, Precedence>;
  readonly declared: DeclaredOutput;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const MAX_PARSED_MODULES = 256;
const MAX_COMPILED = 64;

/** A small LRU over a Map (insertion order is recency). */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The loader as the graph sees it: an AkaraError (a denied URI, a missing resource, an upstream failure)
 * passes unchanged, the HTTP layer answers by its code; anything else is AKR_ERR_XSLT_COMPILE naming the module.
 */
function translateLoadErrors(load: ModuleLoader): ModuleLoader {
  return async function loadModule(href, base) {
    try {
      return await load(href, base);
    } catch (err) {
      if (err instanceof AkaraError) throw err;
      let uri = href;
      try {
        uri = new URL(href, base).href;
      } catch {
        // Not resolvable: name it as written.
      }
      throw new AkaraError('AKR_ERR_XSLT_COMPILE', { uri, reason: `the module could not be loaded: ${errorMessage(err)}` }, { cause: err });
    }
  };
}

/**
 * The XsltEngine on xslt-processor. Source documents and stylesheet modules are parsed by our saxes layer
 * (within the limits); each distinct module content is parsed (and its expressions checked) once and each
 * distinct graph flattened once per worker; the engine builds the result tree and our serializer writes it.
 */
export class XsltProcessorEngine implements XsltEngine<XDocument> {
  readonly name = 'xslt-processor';
  /**
   * The engine's version and ours: our patches and serializer change output bytes too, so a change to
   * them bumps the suffix (it is part of every transform's ETag).
   */
  readonly version = `${VERSION}+akara.3`;
  readonly #limits: XmlLimits;
  readonly #parsed = new Map<string, ParsedModule>();
  readonly #compiled = new Map<string, Compiled>();
  /** How many times a module was parsed: the cache's effect, for tests and figures. */
  modulesParsed = 0;

  constructor(limits: XmlLimits) {
    this.#limits = limits;
  }

  parse(content: Uint8Array | string, uri?: string): XDocument {
    return parseXml(content, { limits: this.#limits, ...(uri === undefined ? {} : { uri }) });
  }

  async compile(uri: string, load: ModuleLoader): Promise<CompiledStylesheet> {
    const graph = await loadGraph(uri, translateLoadErrors(load), (module) => {
      let doc: XDocument;
      try {
        doc = this.parse(module.content, module.uri);
      } catch (err) {
        if (err instanceof AkaraError && err.code === 'AKR_ERR_XML_MALFORMED') {
          throw new AkaraError('AKR_ERR_XSLT_COMPILE', { ...err.detail, uri: module.uri, reason: `not well-formed at line ${err.detail.line}, column ${err.detail.column}: ${err.detail.reason}` }, { cause: err });
        }
        throw err;
      }
      this.modulesParsed++;
      const root = doc.childNodes.find((n) => n.nodeType === 1);
      if (!root) throw new AkaraError('AKR_ERR_XSLT_COMPILE', { uri: module.uri, reason: 'no root element' });
      checkExpressions(root, module.uri);
      return { doc, root };
    }, this.#parsed);
    while (this.#parsed.size > MAX_PARSED_MODULES) this.#parsed.delete(this.#parsed.keys().next().value as string);
    const cached = this.#compiled.get(graph.hash);
    if (cached) {
      remember(this.#compiled, graph.hash, cached, MAX_COMPILED);
      return cached;
    }
    const declared = declaredOutput(graph.flattened.childNodes[0]!, graph.modules[0]);
    const compiled: Compiled = {
      uri: graph.modules[0]!,
      hash: graph.hash,
      modules: graph.modules,
      output: resolveOutput(declared, declared.method ?? 'xml'),
      flattened: graph.flattened,
      precedence: graph.precedence,
      declared,
    };
    remember(this.#compiled, graph.hash, compiled, MAX_COMPILED);
    return compiled;
  }

  async transform(stylesheet: CompiledStylesheet, source: XDocument, options: TransformOptions = {}): Promise<TransformResult<XDocument>> {
    const compiled = stylesheet as Compiled;
    const xslt = new PatchedXslt({
      parameters: Object.entries(options.params ?? {}).map(([name, value]) => ({ name, value })),
      // Every module was loaded and spliced in at compile time: the engine must fetch nothing itself.
      fetchFunction: async (uri: string) => { throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { reason: `unexpected fetch of ${uri}` }); },
      ...(options.loadDocument === undefined ? {} : { documentLoader: options.loadDocument as (uri: string) => XNode | null }),
    }, compiled.precedence);
    (xslt as unknown as XsltInternals).warningsCallback = () => {};
    try {
      // The engine builds the result tree; Akara serialises it (serialize.ts: the engine's own serializer
      // corrupts data and misplaces nodes).
      const result = await xslt.xsltProcessToDocument(source, compiled.flattened);
      const method = resultMethod(compiled.declared, result);
      const output = resolveOutput(compiled.declared, method);
      const cdataSectionElements = compiled.declared.cdataSectionElements;
      const text = serializeResult(result, { method, indent: output.indent, cdataSectionElements });
      // XSLT 1.0 §16.1: the xml method writes an XML declaration unless told not to.
      const written = method === 'xml' && !output.omitXmlDeclaration ? `${XML_DECLARATION}\n${text}` : text;
      if (method !== 'xml' || output.indent || cdataSectionElements.size > 0 || Buffer.byteLength(written) > this.#limits.maxBytes) return { text: written, output };
      // One taker: the result tree is let go once the next stage has its own.
      let from: XDocument | undefined = result;
      const limits = this.#limits;
      return {
        text: written,
        output,
        sourceTree() {
          const tree = from === undefined ? undefined : sourceTree(from, limits);
          from = undefined;
          return tree;
        },
      };
    } catch (err) {
      if (err instanceof AkaraError) {
        if (err.code !== 'AKR_ERR_XSLT_RUNTIME' || err.detail.uri !== undefined) throw err;
        throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { uri: compiled.uri, ...err.detail }, { cause: err });
      }
      throw new AkaraError('AKR_ERR_XSLT_RUNTIME', { uri: compiled.uri, reason: errorMessage(err) }, { cause: err });
    }
  }
}
