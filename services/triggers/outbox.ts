import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TriggerFilter } from '../../schemas/config.js';

/** A delivery of an asynchronous trigger: what to send where, and how it has gone so far. */
export interface Delivery {
  /** Stable across attempts and restarts: receivers deduplicate on it. */
  id: string;
  trigger: string;
  /** The service id or class URI it goes to. */
  target: string;
  headers: Record<string, string>;
  body: Uint8Array;
  contentType: string | null;
  attempts: number;
  /** When the next attempt is due (ms since epoch). */
  nextAt: number;
  state: 'pending' | 'dead';
  lastError: string | null;
  createdAt: number;
}

/** A webhook subscription registered over the API (kept across restarts). */
export interface Subscription {
  id: string;
  event: string;
  filter?: TriggerFilter;
  url: string;
  secret: string;
  createdAt: number;
}

interface Row {
  id: string; trigger: string; target: string; headers: string; body: Buffer; content_type: string | null;
  attempts: number; next_at: number; state: 'pending' | 'dead'; last_error: string | null; created_at: number;
}

const fromRow = (r: Row): Delivery => ({
  id: r.id, trigger: r.trigger, target: r.target, headers: JSON.parse(r.headers) as Record<string, string>, body: new Uint8Array(r.body),
  contentType: r.content_type, attempts: r.attempts, nextAt: r.next_at, state: r.state, lastError: r.last_error, createdAt: r.created_at,
});

/**
 * The durable store of asynchronous deliveries (SQLite through better-sqlite3, in WAL mode with full
 * synchronous writes): a delivery is on disk before the answer that caused it is sent, and survives a
 * crash or a SIGKILL until it is delivered or moved to the dead letters.
 */
export class Outbox {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #due: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #retry: Database.Statement;
  readonly #kill: Database.Statement;
  readonly #counts: Database.Statement;
  readonly #dead: Database.Statement;
  readonly #replay: Database.Statement;
  readonly #seen: Database.Statement;
  readonly #subscribe: Database.Statement;
  readonly #subscriptions: Database.Statement;
  readonly #unsubscribe: Database.Statement;
  readonly #forget: Database.Statement;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.#db = new Database(join(dataDir, 'deliveries.db'));
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS deliveries (
      id TEXT PRIMARY KEY, trigger TEXT NOT NULL, target TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL,
      content_type TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
      last_error TEXT, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_at);
      CREATE TABLE IF NOT EXISTS received_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, event TEXT NOT NULL, filter TEXT, url TEXT NOT NULL,
        secret TEXT NOT NULL, created_at INTEGER NOT NULL);`);
    this.#subscribe = this.#db.prepare('INSERT INTO subscriptions (id, event, filter, url, secret, created_at) VALUES (@id, @event, @filter, @url, @secret, @createdAt)');
    this.#subscriptions = this.#db.prepare('SELECT * FROM subscriptions ORDER BY created_at');
    this.#unsubscribe = this.#db.prepare('DELETE FROM subscriptions WHERE id = ?');
    this.#insert = this.#db.prepare(`INSERT INTO deliveries (id, trigger, target, headers, body, content_type, next_at, created_at)
      VALUES (@id, @trigger, @target, @headers, @body, @contentType, @nextAt, @createdAt)`);
    this.#due = this.#db.prepare(`SELECT * FROM deliveries WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, created_at LIMIT ?`);
    this.#delete = this.#db.prepare('DELETE FROM deliveries WHERE id = ?');
    this.#retry = this.#db.prepare(`UPDATE deliveries SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?`);
    this.#kill = this.#db.prepare(`UPDATE deliveries SET state = 'dead', attempts = ?, last_error = ? WHERE id = ?`);
    this.#counts = this.#db.prepare('SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state');
    this.#dead = this.#db.prepare(`SELECT * FROM deliveries WHERE state = 'dead' ORDER BY created_at LIMIT ?`);
    this.#seen = this.#db.prepare('INSERT OR IGNORE INTO received_events (id, at) VALUES (?, ?)');
    this.#forget = this.#db.prepare('DELETE FROM received_events WHERE at < ?');
    this.#replay = this.#db.prepare(`UPDATE deliveries SET state = 'pending', attempts = 0, next_at = ?, last_error = NULL WHERE id = ? AND state = 'dead'`);
  }

  /** Writes deliveries in one transaction; when it returns they are on disk. */
  add(deliveries: ReadonlyArray<Pick<Delivery, 'id' | 'trigger' | 'target' | 'headers' | 'body' | 'contentType'>>): void {
    const now = Date.now();
    this.#db.transaction(() => {
      for (const d of deliveries) {
        this.#insert.run({ ...d, headers: JSON.stringify(d.headers), body: Buffer.from(d.body), nextAt: now, createdAt: now });
      }
    })();
  }

  due(now: number, limit: number): Delivery[] {
    return (this.#due.all(now, limit) as Row[]).map(fromRow);
  }

  delivered(id: string): void {
    this.#delete.run(id);
  }

  retryLater(id: string, attempts: number, nextAt: number, error: string): void {
    this.#retry.run(attempts, nextAt, error, id);
  }

  deadLetter(id: string, attempts: number, error: string): void {
    this.#kill.run(attempts, error, id);
  }

  counts(): { pending: number; dead: number } {
    const out = { pending: 0, dead: 0 };
    for (const { state, n } of this.#counts.all() as Array<{ state: 'pending' | 'dead'; n: number }>) out[state] = n;
    return out;
  }

  deadLetters(limit = 100): Delivery[] {
    return (this.#dead.all(limit) as Row[]).map(fromRow);
  }

  /** Puts a dead letter back in the queue; false if there is no such dead letter. */
  replay(id: string): boolean {
    return this.#replay.run(Date.now(), id).changes === 1;
  }

  /** Records an incoming event id; false if it is already known (ids older than the window are forgotten). */
  firstSeen(id: string, now: number, windowMs: number): boolean {
    this.#forget.run(now - windowMs);
    return this.#seen.run(id, now).changes === 1;
  }

  addSubscription(s: Subscription): void {
    this.#subscribe.run({ ...s, filter: s.filter === undefined ? null : JSON.stringify(s.filter) });
  }

  subscriptions(): Subscription[] {
    return (this.#subscriptions.all() as Array<{ id: string; event: string; filter: string | null; url: string; secret: string; created_at: number }>)
      .map((r) => ({ id: r.id, event: r.event, url: r.url, secret: r.secret, createdAt: r.created_at, ...(r.filter === null ? {} : { filter: JSON.parse(r.filter) as Subscription['filter'] }) }));
  }

  removeSubscription(id: string): boolean {
    return this.#unsubscribe.run(id).changes === 1;
  }

  close(): void {
    this.#db.close();
  }
}
