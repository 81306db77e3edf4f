/**
 * A pool process: hosts one thread pool for the master and talks to it over IPC. If a thread takes the
 * whole process down (a V8 heap limit is best effort, see nodejs/node#47224), the master replaces it.
 */
import type { ServiceDescriptor } from '../../schemas/service.js';
import type { FromPoolMessage, InvokeResult, ToPoolMessage } from '../../schemas/wire.js';
import { toWireError } from '../../services/errors.js';
import { ThreadPool } from './thread-pool.js';

let pool: ThreadPool | undefined;
const running = new Map<number, number>();

function send(message: FromPoolMessage): void {
  process.send?.(message);
}

async function init(config: Extract<ToPoolMessage, { type: 'init' }>['config']): Promise<void> {
  try {
    pool = new ThreadPool(config);
    const reply = await pool.run<ServiceDescriptor[]>({ kind: 'describe' }).reply;
    if (reply.ok) send({ type: 'ready', services: reply.value });
    else send({ type: 'failed', error: reply.error });
  } catch (err) {
    send({ type: 'failed', error: toWireError(err, 'AKR_ERR_INTERNAL') });
  }
}

process.on('message', (message: ToPoolMessage) => {
  switch (message.type) {
    case 'init':
      void init(message.config);
      break;
    case 'run': {
      if (!pool) return;
      const { key, reply } = pool.run<InvokeResult>(message.task);
      running.set(message.id, key);
      void reply.then((r) => {
        running.delete(message.id);
        send({ type: 'done', id: message.id, reply: r });
      });
      break;
    }
    case 'abort': {
      const key = running.get(message.id);
      if (key !== undefined) pool?.abort(key);
      break;
    }
    case 'stats':
      if (pool) send({ type: 'stats', id: message.id, stats: pool.stats() });
      break;
  }
});

// The master is gone: nothing can use this process any more.
process.on('disconnect', () => {
  void (pool?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
