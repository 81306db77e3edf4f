import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * A webhook receiver for the README's trigger example: verifies each delivery's Standard Webhooks
 * signature and prints one JSON line per delivery. `npx tsx examples/webhook-receiver.ts` (PORT, default 8890).
 */
const secret = 'whsec_ZXhhbXBsZSBzZWNyZXQsIG5vdCBmb3IgcHJvZHVjdGlvbg==';
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
const MAX_BODY = 1024 * 1024;
const TOLERANCE_SECONDS = 300;

function verified(id: string, timestamp: string, signatures: string, body: Buffer): boolean {
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  return signatures.split(' ').some((signature) => {
    const given = Buffer.from(signature.replace(/^v1,/, ''), 'base64');
    return signature.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const header = (name: string) => String(req.headers[name] ?? '');
    const ok = verified(header('webhook-id'), header('webhook-timestamp'), header('webhook-signature'), body);
    console.log(JSON.stringify({
      id: header('webhook-id'), verified: ok, event: header('akara-event'), service: header('akara-service'),
      status: header('akara-status'), body: body.toString('utf8'),
    }));
    res.writeHead(ok ? 204 : 401).end();
  });
});
server.listen(Number(process.env.PORT ?? 8890), '127.0.0.1', () => {
  const address = server.address();
  console.error(`webhook receiver on http://127.0.0.1:${typeof address === 'object' && address ? address.port : '?'}/hook`);
});
