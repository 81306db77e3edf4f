import { randomUUID } from 'node:crypto';
import type { DeliveriesConfig, TriggerConfig } from '../../schemas/config.js';
import { startDeadline } from '../deadline.js';
import { AkaraError } from '../errors.js';
import type { InvokeResponse } from '../manager/instance.js';
import type { Delivery, Outbox, Subscription } from './outbox.js';

/** A subscription as a trigger: an async webhook, named `subscription:{id}`. */
function asTrigger(s: Subscription): TriggerConfig {
  return {
    name: `subscription:${s.id}`, event: s.event, mode: 'async', action: { webhook: s.url, secret: s.secret },
    timeoutMs: 2_000, failure: 'open', quarantineAfter: 5, quarantineMs: 60_000,
    ...(s.filter === undefined ? {} : { filter: s.filter }),
  };
}
import { triggerApplies, type TriggerAnswer, type TriggerInvoke, type TriggerSubject } from './sync-triggers.js';
import type { WebhookSender } from './webhook.js';

/** How deliveries go out: to a service or class through the manager, or to a webhook. */
export interface DeliverySenders {
  invoke: TriggerInvoke;
  webhooks: Pick<WebhookSender, 'send' | 'close' | 'check'>;
}

/** Answers worth trying again: the receiver's trouble, not a refusal. */
const RETRYABLE = (status: number) => status >= 500 || status === 408 || status === 429;

export interface DeliveryFigures {
  pending: number;
  dead: number;
  delivered: number;
  failedAttempts: number;
}

/**
 * Asynchronous triggers (reactors): after a successful invocation, a delivery per matching trigger is
 * written to the outbox before the answer is sent, then sent to the trigger's action (a service id or class
 * URI, through the services manager) with a stable `Akara-Delivery-Id`, retried with exponential backoff
 * and moved to the dead letters after `deliveries.maxAttempts`. Pending deliveries survive a restart.
 */
export class AsyncTriggers {
  #configs: TriggerConfig[];
  /** How many of #configs come from the config (the rest are subscriptions). */
  readonly #configured: number;
  readonly #outbox: Outbox | undefined;
  readonly #senders: DeliverySenders;
  readonly #byName: Map<string, TriggerConfig>;
  readonly #options: DeliveriesConfig;
  readonly #inFlight = new Set<string>();
  readonly #figures = { delivered: 0, failedAttempts: 0 };
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  #running: Promise<void>[] = [];

  constructor(configs: readonly TriggerConfig[], outbox: Outbox | undefined, senders: DeliverySenders, options: DeliveriesConfig) {
    this.#outbox = outbox;
    const configured = configs.filter((c) => c.mode === 'async');
    this.#configured = configured.length;
    this.#configs = [...configured, ...(outbox?.subscriptions() ?? []).map(asTrigger)];
    this.#byName = new Map(this.#configs.map((c) => [c.name, c]));
    this.#senders = senders;
    this.#options = options;
  }

  get size(): number {
    return this.#configs.length;
  }

  /** Registers a webhook subscription (its URL through the fetch policy): kept in the outbox, active at once. */
  subscribe(subscription: Subscription): void {
    this.#senders.webhooks.check(subscription.url);
    if (!this.#outbox) throw new AkaraError('AKR_ERR_SERVICE_REJECTED', { reason: 'subscriptions need the outbox' }, { status: 409 });
    if (this.#configs.length - this.#configured >= this.#options.maxSubscriptions) {
      throw new AkaraError('AKR_ERR_SUBSCRIPTION_LIMIT', { limit: this.#options.maxSubscriptions });
    }
    this.#outbox.addSubscription(subscription);
    const trigger = asTrigger(subscription);
    this.#configs.push(trigger);
    this.#byName.set(trigger.name, trigger);
  }

  /** The subscriptions, without their secrets. */
  subscriptions(): Array<Omit<Subscription, 'secret'>> {
    return (this.#outbox?.subscriptions() ?? []).map(({ secret: _secret, ...rest }) => rest);
  }

  /** Removes a subscription; its pending deliveries go to the dead letters when they come due. */
  unsubscribe(id: string): boolean {
    if (!this.#outbox?.removeSubscription(id)) return false;
    this.#configs = this.#configs.filter((c) => c.name !== `subscription:${id}`);
    this.#byName.delete(`subscription:${id}`);
    return true;
  }

  /** Whether any trigger listens for an event (`after-invoke`, `event:{name}`). */
  listens(event: string): boolean {
    return this.#configs.some((c) => c.event === event);
  }

  /**
   * Records a delivery for each async trigger of the event that applies; on disk when this returns.
   * Answers how many.
   */
  record(event: string, subject: TriggerSubject, answer: TriggerAnswer, chainDepth = 0, extraHeaders: Record<string, string> = {}): number {
    if (!this.#outbox) return 0;
    const matching = this.#configs.filter((c) => c.event === event && triggerApplies(c, subject, answer.status));
    if (matching.length === 0) return 0;
    this.#outbox.add(matching.map((c) => ({
      id: randomUUID(),
      trigger: c.name,
      target: 'webhook' in c.action ? c.action.webhook : c.action.service,
      headers: {
        'akara-event': c.event, 'akara-service': subject.serviceId, 'akara-path': subject.path, 'akara-method': subject.method,
        'akara-status': String(answer.status), 'akara-chain-depth': String(chainDepth), ...extraHeaders,
      },
      body: answer.body,
      contentType: answer.contentType ?? null,
    })));
    this.#poll();
    return matching.length;
  }

  /**
   * A reactor's answer is an invocation of its service too: the async triggers of that service get it,
   * which is how transformations chain. Bounded by `deliveries.maxChainDepth`.
   */
  #chain(delivery: Delivery, res: InvokeResponse): void {
    const depth = Number(delivery.headers['akara-chain-depth'] ?? 0) + 1;
    if (depth >= this.#options.maxChainDepth) return;
    const serviceId = res.provider.slice(res.provider.indexOf('#') + 1);
    const type = res.headers.find(([name]) => name === 'content-type')?.[1];
    this.record('after-invoke', { serviceId, path: '', method: 'POST' }, { status: res.status, body: res.body, ...(type === undefined ? {} : { contentType: type }) }, depth);
  }

  /** Remembers an incoming event's id; false if it was seen within `windowSeconds` (a duplicate). */
  firstSeen(id: string, windowSeconds: number): boolean {
    return this.#outbox?.firstSeen(id, Date.now(), windowSeconds * 1000) ?? true;
  }

  start(): void {
    if (!this.#outbox || this.#timer) return;
    this.#timer = setInterval(() => this.#poll(), this.#options.pollMs);
    this.#timer.unref();
    this.#poll();
  }

  #poll(): void {
    const outbox = this.#outbox;
    if (!outbox || this.#closing) return;
    const room = this.#options.concurrency - this.#inFlight.size;
    if (room <= 0) return;
    for (const delivery of outbox.due(Date.now(), room + this.#inFlight.size)) {
      if (this.#inFlight.has(delivery.id) || this.#inFlight.size >= this.#options.concurrency) continue;
      this.#inFlight.add(delivery.id);
      const run = this.#deliver(outbox, delivery).finally(() => {
        this.#inFlight.delete(delivery.id);
        this.#running = this.#running.filter((r) => r !== run);
        // A free slot takes the next due delivery at once: a backlog drains at the receivers' pace, not the poll's.
        if (!this.#closing) this.#poll();
      });
      this.#running.push(run);
    }
  }

  async #deliver(outbox: Outbox, delivery: ReturnType<Outbox['due']>[number]): Promise<void> {
    const attempts = delivery.attempts + 1;
    const deadline = startDeadline(this.#options.timeoutMs);
    let failure: string;
    let retry = true;
    try {
      const trigger = this.#byName.get(delivery.trigger);
      if (!trigger) throw new AkaraError('AKR_ERR_SERVICE_REJECTED', { reason: `the trigger ${delivery.trigger} is no longer configured` });
      const headers = { ...delivery.headers, 'akara-delivery-id': delivery.id, 'akara-attempt': String(attempts) };
      let status: number;
      if ('webhook' in trigger.action) {
        status = await this.#senders.webhooks.send(trigger.action.webhook, trigger.action.secret, { ...delivery, headers }, deadline.signal);
      } else {
        const res = await this.#senders.invoke(delivery.target, {
          method: 'POST',
          query: Object.entries(trigger.action.params ?? {}),
          headers,
          body: delivery.body,
          ...(delivery.contentType === null ? {} : { contentType: delivery.contentType }),
        }, deadline.signal);
        status = res.status;
        if (status < 400) this.#chain(delivery, res);
      }
      if (status < 400) {
        outbox.delivered(delivery.id);
        this.#figures.delivered++;
        return;
      }
      failure = `the receiver answered ${status}`;
      retry = RETRYABLE(status);
    } catch (err) {
      failure = deadline.expired() ? `no answer within ${this.#options.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
      // A refusal by the fetch policy, or a trigger that is gone, will not change on a retry.
      if (err instanceof AkaraError && err.status < 500) retry = false;
    } finally {
      deadline.clear();
    }
    this.#figures.failedAttempts++;
    if (!retry || attempts >= this.#options.maxAttempts) {
      outbox.deadLetter(delivery.id, attempts, failure);
      return;
    }
    const backoff = Math.min(this.#options.maxBackoffMs, this.#options.backoffMs * 2 ** (attempts - 1));
    outbox.retryLater(delivery.id, attempts, Date.now() + Math.round(backoff * (0.8 + Math.random() * 0.4)), failure);
  }

  /** The dead letters, oldest first (without their bodies). */
  deadLetters(limit = 100): Array<Omit<Delivery, 'body' | 'headers'>> {
    return (this.#outbox?.deadLetters(limit) ?? []).map(({ body: _body, headers: _headers, ...rest }) => rest);
  }

  /** Puts a dead letter back in the queue; false if there is none with that id. */
  replay(id: string): boolean {
    const replayed = this.#outbox?.replay(id) ?? false;
    if (replayed) this.#poll();
    return replayed;
  }

  figures(): DeliveryFigures {
    return { ...(this.#outbox?.counts() ?? { pending: 0, dead: 0 }), ...this.#figures };
  }

  /** Stops polling and waits for deliveries in flight; pending ones stay in the outbox for the next start. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled(this.#running);
    this.#outbox?.close();
    await this.#senders.webhooks.close();
  }
}
