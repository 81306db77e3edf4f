import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig } from '../../schemas/config.js';
import { resolveConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer } from '../../server/master.js';
import { countingSink } from '../servers.js';

/** The pipelines group's servers (1 thread, log silent, no access log) and the files they read, in a temp dir. */

export const NOOP_MODULE = fileURLToPath(new URL('./noop.js', import.meta.url));

export interface PipeAkara {
  url: string;
  poolPid: number | undefined;
  close(): Promise<void>;
}

export async function startPipeAkara(extra: Partial<UserConfig>): Promise<PipeAkara> {
  const user: UserConfig = {
    host: '127.0.0.1',
    port: 0,
    // As in servers.ts: the default task count per thread would recycle the thread during a run.
    pool: { minThreads: 1, maxThreads: 1, maxTasksPerThread: 100_000_000 },
    log: { level: 'silent', access: false },
    ...extra,
  };
  const config = resolveConfig(user, { baseDir: process.cwd() });
  const server = await startServer({ config, logger: createLogger(config, countingSink({})) });
  const { processPid } = await server.runtime.current.pool.stats();
  return { url: server.url, poolPid: processPid, close: () => server.close() };
}

/** A temp dir, removed by `remove()`. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const XSL_HEAD = '<?xml version="1.0"?>\n<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n<xsl:output method="xml" encoding="UTF-8"/>\n';
const IDENTITY = '<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy></xsl:template>\n';

/** Three small stylesheets: upper-case the names, drop the tags, flatten each item into attributes. */
export const STYLESHEETS: Record<string, string> = {
  's1.xsl': `${XSL_HEAD}${IDENTITY}<xsl:template match="name"><name><xsl:value-of select="translate(., 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"/></name></xsl:template>\n</xsl:stylesheet>\n`,
  's2.xsl': `${XSL_HEAD}${IDENTITY}<xsl:template match="tag"/>\n</xsl:stylesheet>\n`,
  's3.xsl': `${XSL_HEAD}<xsl:template match="/"><list count="{count(catalog/item)}"><xsl:apply-templates select="catalog/item"/></list></xsl:template>\n`
    + '<xsl:template match="item"><entry id="{@id}" name="{name}" price="{price}"/></xsl:template>\n</xsl:stylesheet>\n',
};

/** A catalog of `items` items, about 100 bytes each (200: about 20 KB). */
export function catalog(items: number): string {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];
  const lines = Array.from({ length: items }, (_, i) => `<item id="i${i}"><name>${words[i % 7]} item ${i}</name><price>${(i % 97) + 0.5}</price><tag>${words[(i * 3) % 7]}</tag></item>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<catalog>\n${lines.join('\n')}\n</catalog>\n`;
}

export function writeStylesheets(dir: string): void {
  for (const [name, text] of Object.entries(STYLESHEETS)) writeFileSync(join(dir, name), text);
}
