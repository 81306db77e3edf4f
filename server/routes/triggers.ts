import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
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
 * The admin routes of asynchronous triggers: `GET /akara/triggers/dead-letters` lists the dead letters,
 * `POST /akara/triggers/dead-letters/{id}/replay` puts one back in the queue. Both need the admin token.
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
  return app;
}
