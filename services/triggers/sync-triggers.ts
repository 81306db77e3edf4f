import type { TriggerConfig } from '../../schemas/config.js';
import type { HttpMethod } from '../../schemas/service.js';
import { startDeadline } from '../deadline.js';
import { AkaraError } from '../errors.js';
import type { InvokeRequest, InvokeResponse } from '../manager/instance.js';

/** What a synchronous trigger sees of a request, and may change. */
export interface TriggerSubject {
  serviceId: string;
  path: string;
  method: HttpMethod;
  body?: Uint8Array;
  contentType?: string;
}

/** What an after-trigger sees of an answer, and may change. */
export interface TriggerAnswer {
  status: number;
  body: Uint8Array;
  contentType?: string;
}

/** Calls a trigger's action: a service id or class URI, through the services manager. */
export type TriggerInvoke = (uri: string, request: InvokeRequest, signal: AbortSignal) => Promise<InvokeResponse>;

export interface TriggerStatus {
  name: string;
  event: TriggerConfig['event'];
  failure: TriggerConfig['failure'];
  runs: number;
  vetoes: number;
  failures: number;
  consecutiveFailures: number;
  quarantinedUntil: string | null;
}

/** A trigger answering with this header (value `modify`) replaces the request or answer body with its own. */
export const TRIGGER_ACTION_HEADER = 'akara-trigger-action';
const MAX_REASON = 1_024;

/**
 * Whether a path matches a pattern where `*` stands for any run of characters (and nothing else is
 * special). Linear in practice, quadratic at worst: unlike a regex of `.*`s, no pattern can make it
 * backtrack without end.
 */
export function globMatches(glob: string, path: string): boolean {
  let g = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (p < path.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === path[p]) {
      g++;
      p++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = p;
    } else if (star >= 0) {
      g = star + 1;
      p = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

/** A synchronous trigger's action (webhooks are async only, as the config schema requires). */
function serviceAction(config: TriggerConfig): { service: string; params?: Record<string, string> } {
  if ('webhook' in config.action) throw new TypeError(`trigger ${config.name}: a webhook action needs mode 'async'`);
  return config.action;
}

/** Whether a status is one of a filter's: a code, or a class such as '5xx'. */
function statusMatches(status: number, wanted: ReadonlyArray<number | string>): boolean {
  return wanted.some((w) => (typeof w === 'number' ? w === status : Math.floor(status / 100) === Number(w[0])));
}

/** Whether a trigger's filter takes an invocation (and its answer's status, once there is one). */
export function triggerApplies(config: TriggerConfig, subject: TriggerSubject, status?: number): boolean {
  const { filter } = config;
  if (filter?.service !== undefined && filter.service !== subject.serviceId) return false;
  if (filter?.path !== undefined && !globMatches(filter.path, subject.path)) return false;
  if (filter?.status !== undefined && (status === undefined || !statusMatches(status, filter.status))) return false;
  return true;
}

class Trigger {
  readonly status: TriggerStatus;

  constructor(readonly config: TriggerConfig) {
    this.status = { name: config.name, event: config.event, failure: config.failure, runs: 0, vetoes: 0, failures: 0, consecutiveFailures: 0, quarantinedUntil: null };
  }

  applies(subject: TriggerSubject, now: number, status?: number): boolean {
    if (!triggerApplies(this.config, subject, status)) return false;
    if (this.status.quarantinedUntil !== null) {
      if (Date.parse(this.status.quarantinedUntil) > now) return false;
      this.status.quarantinedUntil = null;
    }
    return true;
  }

  /** Runs the action within its time budget; a veto, a modification, or undefined (go on unchanged). */
  async run(invoke: TriggerInvoke, subject: TriggerSubject, body: Uint8Array | undefined, contentType: string | undefined, extra: Record<string, string>, signal: AbortSignal): Promise<{ modified?: { body: Uint8Array; contentType?: string } } | undefined> {
    const { config, status } = this;
    status.runs++;
    const headers: Record<string, string> = { 'akara-event': config.event, 'akara-service': subject.serviceId, 'akara-path': subject.path, 'akara-method': subject.method, ...extra };
    const request: InvokeRequest = {
      method: 'POST',
      query: Object.entries(serviceAction(config).params ?? {}),
      headers,
      body: body ?? new Uint8Array(0),
      ...(contentType === undefined ? {} : { contentType }),
    };
    let res: InvokeResponse;
    const deadline = startDeadline(config.timeoutMs, signal);
    try {
      res = await invoke(serviceAction(config).service, request, deadline.signal);
      if (res.status >= 500) throw new Error(`it answered ${res.status}`);
    } catch (err) {
      if (signal.aborted) throw err;
      return this.#failed(deadline.expired() ? `no answer within ${config.timeoutMs} ms` : err instanceof Error ? err.message : String(err));
    } finally {
      deadline.clear();
    }
    status.consecutiveFailures = 0;
    if (res.status >= 400) {
      status.vetoes++;
      const reason = new TextDecoder().decode(res.body.subarray(0, MAX_REASON)).trim() || `the trigger answered ${res.status}`;
      throw new AkaraError('AKR_ERR_TRIGGER_VETO', { trigger: config.name, reason }, { status: res.status });
    }
    const action = res.headers.find(([name]) => name === TRIGGER_ACTION_HEADER)?.[1];
    if (action !== 'modify') return undefined;
    const type = res.headers.find(([name]) => name === 'content-type')?.[1];
    return { modified: { body: res.body, ...(type === undefined ? {} : { contentType: type }) } };
  }

  #failed(reason: string): undefined {
    const { config, status } = this;
    status.failures++;
    status.consecutiveFailures++;
    if (status.consecutiveFailures >= config.quarantineAfter) {
      status.quarantinedUntil = new Date(Date.now() + config.quarantineMs).toISOString();
      status.consecutiveFailures = 0;
    }
    if (config.failure === 'closed') throw new AkaraError('AKR_ERR_TRIGGER_FAILED', { trigger: config.name, reason });
    return undefined;
  }
}

/**
 * Synchronous triggers (auditors): before a service runs they see the request and may veto it (a 4xx
 * answer, whose text is the reason the client gets) or replace its body; after it runs they see the answer
 * and may veto or replace it. Each has a time budget and a failure policy: fail open (go on) or closed
 * (503). One that keeps failing is quarantined for a while and reported, never making the service unusable.
 */
export class SyncTriggers {
  readonly #triggers: Trigger[];
  readonly #invoke: TriggerInvoke;

  constructor(configs: readonly TriggerConfig[], invoke: TriggerInvoke) {
    this.#triggers = configs.filter((c) => c.mode === 'sync').map((c) => new Trigger(c));
    this.#invoke = invoke;
  }

  get size(): number {
    return this.#triggers.length;
  }

  status(): TriggerStatus[] {
    return this.#triggers.map((t) => ({ ...t.status }));
  }

  /** Runs the before-invoke triggers in order; answers the subject, possibly with a new body. */
  async before(subject: TriggerSubject, signal: AbortSignal): Promise<TriggerSubject> {
    let current = subject;
    const now = Date.now();
    for (const trigger of this.#triggers) {
      if (trigger.config.event !== 'before-invoke' || !trigger.applies(current, now)) continue;
      const outcome = await trigger.run(this.#invoke, current, current.body, current.contentType, {}, signal);
      if (outcome?.modified) {
        current = { ...current, body: outcome.modified.body };
        if (outcome.modified.contentType !== undefined) current.contentType = outcome.modified.contentType;
      }
    }
    return current;
  }

  /** Runs the after-invoke triggers in order on a successful answer; answers it, possibly replaced. */
  async after(subject: TriggerSubject, answer: TriggerAnswer, signal: AbortSignal): Promise<TriggerAnswer> {
    let current = answer;
    const now = Date.now();
    for (const trigger of this.#triggers) {
      if (trigger.config.event !== 'after-invoke' || !trigger.applies(subject, now, current.status)) continue;
      const outcome = await trigger.run(this.#invoke, subject, current.body, current.contentType, { 'akara-status': String(current.status) }, signal);
      if (outcome?.modified) current = { ...current, body: outcome.modified.body, ...(outcome.modified.contentType === undefined ? {} : { contentType: outcome.modified.contentType }) };
    }
    return current;
  }
}
