import type { AkaraConfig } from './config.js';
import type { WireError } from './error-codes.js';
import type { HttpMethod, ParamValue, ServiceDescriptor } from './service.js';

/** A service invocation, as sent from the master to a pool process and on to a worker thread. */
export interface InvokeTask {
  kind: 'invoke';
  serviceId: string;
  method: HttpMethod;
  params: Record<string, ParamValue>;
  query: Array<[string, string]>;
  pathInfo: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  contentType?: string;
  requestId: string;
  /** The server's public root URL, for own URIs (dispatched in process) and relative references. */
  publicRoot: string;
  /** The origin the client reached the server at. */
  origin: string;
  /** Where the master listens, for handlers that reach the services manager. */
  serverUrl: string;
}

/** Loads the modules and reports the services they define. */
export interface DescribeTask {
  kind: 'describe';
}

export type WorkerTask = InvokeTask | DescribeTask;

/**
 * Something an answer was computed from, so the master can tell, without running the task again, whether
 * an ETag still holds: a file (unchanged while its size and mtime are), or a fetched resource (while it
 * is fresh by its Cache-Control).
 */
export type Dependency =
  | { kind: 'file'; path: string; size: number; mtimeMs: number }
  | { kind: 'fetched'; uri: string; freshUntil: number };

/** A handler's answer: the status, the headers (Content-Type always set) and the body bytes. */
export interface InvokeResult {
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
  /** With an ETag: everything the answer was computed from. */
  dependencies?: Dependency[];
}

/** What a worker thread answers to a task: a value or an error as data. */
export type WorkerReply<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** Pool figures, as `GET /akara/health` reports them. */
export interface PoolStats {
  threads: number;
  idle: number;
  running: number;
  queued: number;
  completed: number;
  failed: number;
  recycled: number;
  timedOut: number;
  aborted: number;
  outOfMemory: number;
}

/** Master -> pool process. */
export type ToPoolMessage =
  | { type: 'init'; config: AkaraConfig }
  | { type: 'run'; id: number; task: InvokeTask }
  | { type: 'abort'; id: number }
  | { type: 'stats'; id: number };

/** Pool process -> master. */
export type FromPoolMessage =
  | { type: 'ready'; services: ServiceDescriptor[] }
  | { type: 'failed'; error: WireError }
  | { type: 'done'; id: number; reply: WorkerReply<InvokeResult> }
  | { type: 'stats'; id: number; stats: PoolStats };
