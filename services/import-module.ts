import { pathToFileURL } from 'node:url';

const TS_FILE = /\.(c|m)?tsx?$/;

/**
 * Imports a module by absolute path, file URL or package name. TypeScript files are compiled on the fly
 * (tsx); `fresh` imports a JavaScript file anew rather than from the module cache (for re-reading a config).
 */
export async function importModule(specifier: string, options: { fresh?: boolean } = {}): Promise<Record<string, unknown>> {
  const url = specifier.startsWith('/') ? pathToFileURL(specifier).href : specifier;
  if (TS_FILE.test(url)) {
    const { tsImport } = await import('tsx/esm/api');
    const ns = await tsImport(url, import.meta.url) as Record<string, unknown>;
    // A TypeScript file outside an ES-module package compiles to CommonJS and comes back wrapped once more.
    const inner = ns.default;
    const wrapped = typeof inner === 'object' && inner !== null && ('__esModule' in inner || Object.keys(ns).join() === 'default' && 'default' in inner);
    return wrapped ? inner as Record<string, unknown> : ns;
  }
  return import(options.fresh && url.startsWith('file:') ? `${url}?t=${Date.now()}` : url) as Promise<Record<string, unknown>>;
}
