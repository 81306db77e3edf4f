import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigSchema, type AkaraConfig, type UserConfig } from '../schemas/config.js';
import { AkaraError } from './errors.js';

/*
 * Validating and resolving a config: shared by the server (server/config.ts loads files) and by the
 * transform middleware in users' apps, which takes a config object.
 */

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${at ? `${at}.` : ''}${key} is not a known option`);
  }
  return [`${at || 'config'} ${issue.message}`];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A module entry as an absolute file path, or the reason it cannot be found. */
function resolveModule(specifier: string, baseDir: string): string | { error: string } {
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolve(baseDir, specifier);
    return existsSync(file) ? file : { error: `file ${file} does not exist` };
  }
  try {
    return createRequire(join(baseDir, 'akara.config.js')).resolve(specifier);
  } catch {
    return { error: `package '${specifier}' cannot be found from ${baseDir}` };
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Resource roots, the transforms folder and file roots as absolute paths of folders that exist. */
function resolveFolders(config: z.output<typeof ConfigSchema>, baseDir: string, problems: string[]) {
  const folder = (path: string, at: string): string => {
    const absolute = resolve(baseDir, path);
    if (!isFolder(absolute)) problems.push(`${at} ${absolute} is not a folder`);
    return absolute;
  };
  const seen = new Set<string>();
  const resources = config.resources.map((space, i) => {
    const mount = space.mount.replace(/\/+$/, '') || '/';
    if (seen.has(mount)) problems.push(`resources[${i}].mount '${mount}' is mounted twice`);
    seen.add(mount);
    return { ...space, mount, ...(space.root === undefined ? {} : { root: folder(space.root, `resources[${i}].root`) }) };
  });
  return {
    resources,
    ...(config.transforms === undefined ? {} : { transforms: folder(config.transforms, 'transforms') }),
    fetch: { ...config.fetch, fileRoots: config.fetch.fileRoots.map((root, i) => folder(root, `fetch.fileRoots[${i}]`)) },
  };
}

/**
 * Validates a config (a file's content plus command-line overrides) and returns it complete and frozen.
 * Every problem is reported at once, each with its path: `pool.maxThreads must be a positive integer`.
 */
export function resolveConfig(input: unknown, options: { baseDir: string; overrides?: UserConfig }): AkaraConfig {
  const merged = typeof input === 'object' && input !== null && !Array.isArray(input)
    ? { ...(input as Record<string, unknown>), ...options.overrides }
    : input;
  const parsed = ConfigSchema.safeParse(merged);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap(describeIssue);
  const modules: string[] = [];
  if (parsed.success) {
    parsed.data.modules.forEach((specifier, i) => {
      const found = resolveModule(specifier, options.baseDir);
      if (typeof found === 'string') modules.push(found);
      else problems.push(`modules[${i}] ${found.error}`);
    });
  }
  const folders = parsed.success ? resolveFolders(parsed.data, options.baseDir, problems) : undefined;
  if (!parsed.success || problems.length > 0 || folders === undefined) {
    throw new AkaraError('AKR_ERR_CONFIG_INVALID', { problems: problems.map((p) => `  - ${p}`).join('\n') });
  }
  return deepFreeze({
    ...parsed.data,
    modules,
    ...folders,
    runDir: resolve(options.baseDir, parsed.data.runDir),
    deliveries: { ...parsed.data.deliveries, dataDir: resolve(options.baseDir, parsed.data.deliveries.dataDir) },
    baseDir: options.baseDir,
  });
}
