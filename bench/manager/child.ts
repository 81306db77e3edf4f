import { fork, type Serializable } from 'node:child_process';

/**
 * The manager group's peers run in processes of their own, so that they do not share the front's event
 * loop and their CPU shows apart from it. Both sides of the little protocol are here: the parent sends the
 * child its options, the child answers `ready` with what the parent needs (URLs, pids); afterwards the
 * parent may `ask` (the child's figures) and `close`.
 */

type ToChild = { type: 'ask'; id: number } | { type: 'close' };
type FromChild = { type: 'ready'; value: unknown } | { type: 'answer'; id: number; value: unknown } | { type: 'error'; message: string };

export interface Child<Ready, Answer> {
  pid: number;
  ready: Ready;
  /** The child's current figures. */
  ask(): Promise<Answer>;
  /** Closes its servers and waits for it to exit. */
  close(): Promise<void>;
}

/** How long a child may take to start or to answer before the bench gives up on it. */
const CHILD_TIMEOUT_MS = 30_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${CHILD_TIMEOUT_MS} ms`)), CHILD_TIMEOUT_MS); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Forks `file` (a compiled child entry calling `childMain`) with `options`; resolves once it is ready. */
export function forkChild<Ready, Answer>(file: string, options: Serializable): Promise<Child<Ready, Answer>> {
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<Ready>((resolve, reject) => {
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') resolve(message.value as Ready);
      else if (message.type === 'error') reject(new Error(`${file}: ${message.message}`));
      else {
        waiting.get(message.id)?.(message.value);
        waiting.delete(message.id);
      }
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with code ${code} before it was ready`)));
  });
  child.send(options);
  return within(ready, file).then((value) => ({
    pid: child.pid!,
    ready: value,
    ask: () => within(new Promise<Answer>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve as (value: unknown) => void);
      child.send({ type: 'ask', id } satisfies ToChild);
    }), `${file} figures`),
    close: () => {
      if (child.exitCode === null && child.connected) child.send({ type: 'close' } satisfies ToChild);
      return within(exited, `${file} close`);
    },
  }), (err: unknown) => {
    child.kill();
    throw err;
  });
}

export interface ChildServers<Ready, Answer> {
  ready: Ready;
  answer(): Answer;
  close(): Promise<void>;
}

/** The child's side: starts its servers from the parent's options and serves its requests until closed. */
export function childMain<Options, Ready, Answer>(start: (options: Options) => Promise<ChildServers<Ready, Answer>>): void {
  const send = (message: FromChild) => process.send!(message);
  process.once('message', (options: Options) => {
    start(options).then((servers) => {
      let closing = false;
      const close = () => {
        if (closing) return;
        closing = true;
        void servers.close().finally(() => process.exit(0));
      };
      process.on('message', (message: ToChild) => {
        if (message.type === 'ask') send({ type: 'answer', id: message.id, value: servers.answer() });
        else close();
      });
      // The bench died or forgot us: do not outlive it.
      process.once('disconnect', close);
      send({ type: 'ready', value: servers.ready });
    }, (err: unknown) => {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
  });
}
