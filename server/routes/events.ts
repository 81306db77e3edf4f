import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { AkaraError } from '../../services/errors.js';
import { webhookSignature } from '../../services/triggers/webhook.js';
import type { Runtime } from '../generation.js';

const EVENT_NAME = /^[\w.-]{1,100}$/;

function sameSignature(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `POST /akara/events/{name}`: an outside system fires an event, signed as Standard Webhooks with the
 * config's `events.secret` (any of them, while rotating). A timestamp outside the tolerance, or a signature that does not match, is 401;
 * a delivery id seen within the tolerance is acknowledged without firing again. The event's async triggers
 * (`event: 'event:{name}'`) get the body.
 */
export function eventRoutes(runtime: Runtime): Hono {
  const app = new Hono();
  app.post('/akara/events/:name', async (c) => {
    const { config, asyncTriggers } = runtime.current;
    const name = c.req.param('name');
    if (!config.events || !EVENT_NAME.test(name)) throw new AkaraError('AKR_ERR_NOT_FOUND', { path: new URL(c.req.url).pathname });
    const reject = (reason: string) => new AkaraError('AKR_ERR_EVENT_REJECTED', { reason });
    const id = c.req.header('webhook-id');
    const timestamp = Number(c.req.header('webhook-timestamp'));
    const signatures = (c.req.header('webhook-signature') ?? '').split(' ').filter(Boolean);
    if (!id || id.length > 200 || !Number.isInteger(timestamp) || signatures.length === 0) throw reject('webhook-id, webhook-timestamp and webhook-signature are required');
    if (Math.abs(Date.now() / 1000 - timestamp) > config.events.toleranceSeconds) throw reject(`the timestamp is more than ${config.events.toleranceSeconds} s from now`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    const expected = config.events.secret.map((secret) => webhookSignature(secret, id, timestamp, body));
    if (!signatures.some((s) => expected.some((e) => sameSignature(s, e)))) throw reject('the signature does not match');
    if (!asyncTriggers.firstSeen(id, config.events.toleranceSeconds)) return c.json({ id, duplicate: true }, 200);
    const type = c.req.header('content-type');
    const deliveries = asyncTriggers.record(`event:${name}`, { serviceId: '', path: `/akara/events/${name}`, method: 'POST' }, {
      status: 200, body, ...(type === undefined ? {} : { contentType: type }),
    });
    return c.json({ id, deliveries }, 202);
  });
  return app;
}
