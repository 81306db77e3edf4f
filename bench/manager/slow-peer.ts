import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Listing } from '../../schemas/listing.js';
import { HELLO_BODY, SLOW } from './classes.js';

/**
 * A stand-in for an Akara peer that answers its one service after a fixed delay (a constant body), lists
 * it in the race classes and a class of its own, and counts what became of each call: answered, or
 * abandoned by the caller first (a race's loser, aborted). Like test/helpers/fake-peer.ts, reduced to
 * what the race bench needs.
 */

export interface SlowPeerCounts {
  calls: number;
  answered: number;
  abandoned: number;
  /** Connections opened to it (an aborted call costs the caller its connection under HTTP/1.1). */
  connections: number;
}

export interface SlowPeer {
  name: string;
  delayMs: number;
  url: string;
  counts: SlowPeerCounts;
  close(): Promise<void>;
}

function listing(url: string, name: string, delayMs: number): Listing {
  return {
    services: [{
      id: SLOW.id,
      paths: [{ path: SLOW.path, template: `${url}${SLOW.path.slice(1)}` }],
      methods: ['GET'],
      params: [],
      description: `answers after ${delayMs} ms (${name})`,
      classes: [SLOW.race2, SLOW.race3, SLOW.only(name)],
    }],
  };
}

export async function startSlowPeer(name: string, delayMs: number): Promise<SlowPeer> {
  const counts: SlowPeerCounts = { calls: 0, answered: 0, abandoned: 0, connections: 0 };
  let url = '';
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(listing(url, name, delayMs)));
      return;
    }
    if (path === '/akara/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path !== SLOW.path) {
      res.writeHead(404).end();
      return;
    }
    counts.calls++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(HELLO_BODY);
      counts.answered++;
    }, delayMs);
    timers.add(timer);
    res.on('close', () => {
      if (res.writableFinished) return;
      counts.abandoned++;
      clearTimeout(timer);
      timers.delete(timer);
    });
  });
  server.on('connection', () => { counts.connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    name,
    delayMs,
    url,
    counts,
    close: () => new Promise((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
