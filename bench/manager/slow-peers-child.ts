import { childMain } from './child.js';
import { startSlowPeer, type SlowPeerCounts } from './slow-peer.js';

/** The slow peers in a process of their own (their timers keep time while the front is busy). */

export interface SlowPeersOptions {
  peers: Array<{ name: string; delayMs: number }>;
}

export type SlowPeersReady = Array<{ name: string; delayMs: number; url: string }>;

/** Counts so far, by peer name. */
export type SlowPeersCounts = Record<string, SlowPeerCounts>;

childMain<SlowPeersOptions, SlowPeersReady, SlowPeersCounts>(async ({ peers }) => {
  const started = await Promise.all(peers.map(({ name, delayMs }) => startSlowPeer(name, delayMs)));
  return {
    ready: started.map(({ name, delayMs, url }) => ({ name, delayMs, url })),
    answer: () => Object.fromEntries(started.map((p) => [p.name, { ...p.counts }])),
    close: async () => { await Promise.all(started.map((p) => p.close())); },
  };
});
