import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PeerBehaviour = 'ok' | 'error' | 'hang' | 'close' | { slowMs: number };

export interface FakePeer {
  url: string;
  name: string;
  behaviour: PeerBehaviour;
  /** Calls of the service it received, and how many of them the caller abandoned before the answer. */
  calls: number;
  abandoned: number;
  /** Whether it fails its health checks. */
  down: boolean;
  /** The Akara-Delivery-Id of every call it answered with 200. */
  deliveries: string[];
  close(): Promise<void>;
}

export const GREET_CLASS = 'http://example.org/classes/greet';
export const GREETER_ID = 'http://example.org/test/greeter';

/**
 * A stand-in for an Akara peer on loopback: its listing names the greeter service, it answers health
 * checks, and its greeter behaves as told (answers, fails with 500, hangs, closes the connection, or
 * answers slowly). Faults a real server cannot be made to show on demand.
 */
export async function startFakePeer(name: string, behaviour: PeerBehaviour): Promise<FakePeer> {
  const peer: FakePeer = { url: '', name, behaviour, calls: 0, abandoned: 0, down: false, deliveries: [], close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        services: [{
          id: GREETER_ID,
          paths: [{ path: '/test/greet', template: `${peer.url}test/greet?name={name?}` }],
          methods: ['GET', 'HEAD', 'POST'],
          params: [{ name: 'name', type: 'string', required: false, repeatable: false }],
          description: `greeter of ${name}`,
          classes: [GREET_CLASS],
        }],
      }));
      return;
    }
    if (path === '/akara/health') {
      res.writeHead(peer.down ? 503 : 200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path !== '/test/greet') {
      res.writeHead(404).end();
      return;
    }
    peer.calls++;
    res.on('close', () => { if (!res.writableFinished) peer.abandoned++; });
    const answer = () => {
      const id = req.headers['akara-delivery-id'];
      if (typeof id === 'string') peer.deliveries.push(id);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from ${name}`);
    };
    const b = peer.behaviour;
    if (b === 'ok') answer();
    else if (b === 'error') res.writeHead(500, { 'content-type': 'text/plain' }).end('broken');
    else if (b === 'close') req.socket.destroy();
    else if (b === 'hang') { /* never answers */ }
    else setTimeout(() => { if (!res.destroyed) answer(); }, b.slowMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  peer.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return peer;
}
