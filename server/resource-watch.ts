import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';
import type { AkaraConfig } from '../schemas/config.js';
import { RESOURCE_SPACE_ID } from '../services/builtin/resource-space.js';
import { AkaraError } from '../services/errors.js';
import { fileBelow, readLimited } from '../services/resources/files.js';
import type { AsyncTriggers } from '../services/triggers/async-triggers.js';
import type { Logger } from './logger.js';

/** How long a file must be quiet before its change fires (editors write in several steps). */
const SETTLE_MS = 100;

/**
 * Watches the folders of resource spaces while some trigger listens for `resource-change`: a file written
 * or removed fires the event with the file's new content (empty, with `Akara-Change: removed`, when it is
 * gone) and its path below the mount. Answers a function that stops watching.
 */
export function watchResources(config: AkaraConfig, triggers: AsyncTriggers, logger: Logger): () => void {
  if (!triggers.listens('resource-change')) return () => {};
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  for (const space of config.resources) {
    if (space.root === undefined) continue;
    const root = space.root;
    const serviceId = `${RESOURCE_SPACE_ID}${space.mount}`;
    const fire = async (file: string) => {
      const pathInfo = `/${file.split(sep).map(encodeURIComponent).join('/')}`;
      const path = `${space.mount}${pathInfo}`;
      let body: Uint8Array = new Uint8Array(0);
      let contentType: string | undefined;
      let change = 'written';
      try {
        // As when it is served: a symlink out of the space is not followed.
        const read = await readLimited(await fileBelow(root, pathInfo), config.fetch.maxBytes, path);
        body = read.bytes;
        contentType = read.contentType;
      } catch (err) {
        if (!(err instanceof AkaraError) || err.code !== 'AKR_ERR_RESOURCE_NOT_FOUND') {
          logger.warn({ path, err: err instanceof Error ? err.message : String(err) }, 'a changed resource could not be read');
          return;
        }
        change = 'removed';
      }
      triggers.record('resource-change', { serviceId, path, method: change === 'removed' ? 'DELETE' : 'PUT' },
        { status: 200, body, ...(contentType === undefined ? {} : { contentType }) }, 0, { 'akara-change': change });
    };
    const watcher = watch(root, { recursive: true }, (_event, filename) => {
      if (!filename) return;
      const file = filename.toString();
      clearTimeout(timers.get(file));
      timers.set(file, setTimeout(() => {
        timers.delete(file);
        void fire(file);
      }, SETTLE_MS));
    });
    watcher.on('error', (err) => logger.warn({ root, err: err.message }, 'watching a resource space failed'));
    watchers.push(watcher);
  }
  return () => {
    for (const w of watchers) w.close();
    for (const t of timers.values()) clearTimeout(t);
  };
}
