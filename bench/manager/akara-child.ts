import { startManagedAkara, type ManagedOptions } from './akara.js';
import { childMain } from './child.js';

/** A peer Akara server in a process of its own: ready with its URL and pool pid, asked for what it logged. */

export interface AkaraChildReady {
  url: string;
  poolPid: number | undefined;
}

childMain<ManagedOptions, AkaraChildReady, Record<string, number>>(async (options) => {
  const server = await startManagedAkara(options);
  return { ready: { url: server.url, poolPid: server.poolPid }, answer: () => ({ ...server.logged }), close: () => server.close() };
});
