import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

export interface Upstream {
  url: string;
  port: number;
  /** Every request path it received, in order. */
  hits: string[];
  close(): Promise<void>;
}

/** A plain HTTP server on a loopback port (a free one unless given), standing in for a remote host. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void, port = 0): Promise<Upstream> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    hits,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Receiver<T> {
  /** Where it takes deliveries: `http://127.0.0.1:{port}/hook`. */
  url: string;
  /** What `record` made of each request, in order. */
  received: T[];
  close(): Promise<void>;
}

/** A webhook receiver on loopback: reads each request whole, records what `record` makes of it, answers `status`. */
export async function startReceiver<T>(record: (body: Buffer, headers: IncomingMessage['headers'], url: string) => T, status = 204, port = 0): Promise<Receiver<T>> {
  const received: T[] = [];
  const upstream = await startUpstream((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      received.push(record(Buffer.concat(chunks), req.headers, req.url ?? ''));
      res.writeHead(status).end();
    });
  }, port);
  return { url: `${upstream.url}/hook`, received, close: () => upstream.close() };
}

/** A port that was free a moment ago, for servers that must come back on the same port. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
