import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { AkaraConfig, UserConfig } from '../schemas/config.js';
import { resolveConfig } from '../services/config.js';
import { AkaraError } from '../services/errors.js';
import { importModule } from '../services/import-module.js';

export type { AkaraConfig, UserConfig };
export { resolveConfig };

/**
 * Types a config file. A config gives only what it changes; everything else takes the defaults.
 *
 * @example
 * // akara.config.ts
 * export default defineConfig({ port: 8880, pool: { maxThreads: 4 }, modules: ['./services/catalog.js'] })
 */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** Names tried, in order, when no --config is given. */
export const DEFAULT_CONFIG_FILES = ['akara.config.ts', 'akara.config.mjs', 'akara.config.js', 'akara.config.json'];

async function importConfigFile(file: string): Promise<unknown> {
  if (file.endsWith('.json')) return JSON.parse(await readFile(file, 'utf8'));
  return (await importModule(file, { fresh: true })).default;
}

/**
 * Loads a config file (.ts, .mjs, .js or .json) or, with no file, the first default file in `cwd`,
 * or else the defaults alone. Relative paths in it are taken from the file's folder.
 */
export async function loadConfig(options: { file?: string; cwd?: string; overrides?: UserConfig } = {}): Promise<{ config: AkaraConfig; file: string | undefined }> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file !== undefined
    ? resolve(cwd, options.file)
    : DEFAULT_CONFIG_FILES.map((name) => join(cwd, name)).find((f) => existsSync(f));
  let content: unknown = {};
  if (file !== undefined) {
    try {
      content = await importConfigFile(file);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new AkaraError('AKR_ERR_CONFIG_LOAD', { file, reason }, { cause: err });
    }
  }
  const baseDir = file === undefined ? cwd : dirname(file);
  return { config: resolveConfig(content ?? {}, { baseDir, overrides: options.overrides }), file };
}
