import { Hono } from 'hono';
import type { Runtime } from '../generation.js';

/** `GET /akara/health`: status, uptime, pool and trigger figures, as JSON. 503 while the pool is not ready. */
export function healthRoutes(runtime: Runtime, draining: () => boolean): Hono {
  const app = new Hono();
  app.get('/akara/health', async (c) => {
    const { pool, number, triggers, asyncTriggers } = runtime.current;
    const figures = await pool.stats();
    const status = draining() ? 'draining' : figures.state === 'ready' ? 'ok' : 'degraded';
    c.header('Cache-Control', 'no-store');
    return c.json({
      status,
      pid: process.pid,
      uptimeSeconds: Math.round((Date.now() - runtime.started) / 1000),
      generation: number,
      pool: figures,
      // Each trigger's runs, vetoes and failures, and whether it is quarantined.
      triggers: triggers.status(),
      // Asynchronous deliveries: pending and dead in the outbox, delivered and failed attempts since start.
      deliveries: asyncTriggers.figures(),
    }, status === 'ok' ? 200 : 503);
  });
  return app;
}
