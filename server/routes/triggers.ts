import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { SubscriptionRequestSchema } from '../../schemas/subscription.js';
import { AkaraError } from '../../services/errors.js';
import type { Runtime } from '../generation.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Refuses a request without the configured admin token (compared in constant time). */
function requireAdmin(runtime: Runtime, c: Context): void {
  const token = runtime.current.config.adminToken;
  const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (token === undefined || given === undefined || !timingSafeEqual(digest(given), digest(token))) throw new AkaraError('AKR_ERR_UNAUTHORIZED');
}

/**
 * The admin routes of asynchronous triggers, all with the admin token: webhook subscriptions
 * (`POST`/`GET /akara/triggers`, `DELETE /akara/triggers/{id}`), and the dead letters
 * (`GET /akara/triggers/dead-letters`, `POST /akara/triggers/dead-letters/{id}/replay`).
 */
export function triggerRoutes(runtime: Runtime): Hono {
  const app = new Hono();
  app.get('/akara/triggers/dead-letters', (c) => {
    requireAdmin(runtime, c);
    c.header('Cache-Control', 'no-store');
    return c.json({ deadLetters: runtime.current.asyncTriggers.deadLetters() });
  });
  app.post('/akara/triggers/dead-letters/:id/replay', (c) => {
    requireAdmin(runtime, c);
    const id = c.req.param('id');
    if (!runtime.current.asyncTriggers.replay(id)) throw new AkaraError('AKR_ERR_DEAD_LETTER_UNKNOWN', { id });
    return c.json({ replayed: id }, 202);
  });
  app.post('/akara/triggers', async (c) => {
    requireAdmin(runtime, c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new AkaraError('AKR_ERR_JSON_MALFORMED', { reason: 'the body is not JSON' });
    }
    const parsed = SubscriptionRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new AkaraError('AKR_ERR_JSON_MALFORMED', { reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ') });
    }
    const { event, filter, url, secret } = parsed.data;
    const subscription = {
      id: randomUUID(), event, url, secret: secret ?? `whsec_${randomBytes(24).toString('base64')}`, createdAt: Date.now(),
      ...(filter === undefined ? {} : { filter }),
    };
    runtime.current.asyncTriggers.subscribe(subscription);
    // The secret is answered this once; listings never show it.
    return c.json(subscription, 201, { location: `/akara/triggers/${subscription.id}` });
  });
  app.get('/akara/triggers', (c) => {
    requireAdmin(runtime, c);
    c.header('Cache-Control', 'no-store');
    return c.json({ subscriptions: runtime.current.asyncTriggers.subscriptions() });
  });
  app.delete('/akara/triggers/:id', (c) => {
    requireAdmin(runtime, c);
    if (!runtime.current.asyncTriggers.unsubscribe(c.req.param('id'))) throw new AkaraError('AKR_ERR_SUBSCRIPTION_UNKNOWN', { id: c.req.param('id') });
    return c.body(null, 204);
  });
  return app;
}
