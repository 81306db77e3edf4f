import { defineConfig } from './server/config.js';

/**
 * The default configuration: what `npm start` runs. Every field shown is optional; the values here are
 * the defaults, spelled out so that this file doubles as a reference. See README.md, "Configuration".
 */
export default defineConfig({
  host: '127.0.0.1',
  port: 8880,
  modules: [],
  // A folder of example documents at /docs, and the folder of named transforms (?xslt=catalog-html).
  resources: [{ mount: '/docs', root: './examples/docs' }],
  transforms: './examples/transforms',
  pool: {
    minThreads: 1,
    maxThreads: 2,
    idleTimeoutMs: 30_000,
    maxQueue: 64,
    maxTasksPerThread: 10_000,
    taskTimeoutMs: 30_000,
    maxHeapMb: 256,
  },
  limits: {
    maxBodyBytes: 10 * 1024 * 1024,
    maxHeaderBytes: 16 * 1024,
    maxHeaders: 100,
    requestTimeoutMs: 60_000,
    headersTimeoutMs: 20_000,
  },
  fetch: {
    schemes: ['http', 'https'],
    allowHosts: [],
    allowPrivateAddresses: false,
    fileRoots: [],
    maxBytes: 16 * 1024 * 1024,
    timeoutMs: 10_000,
    maxRedirects: 5,
    cacheEntries: 256,
  },
  xml: {
    maxBytes: 16 * 1024 * 1024,
    maxDepth: 256,
    maxAttributes: 256,
    maxNameLength: 1_024,
    maxTextLength: 8 * 1024 * 1024,
  },
  log: { level: 'info', access: true },
  runDir: '.akara',
  shutdownTimeoutMs: 10_000,
});
