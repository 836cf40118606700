/**
 * Clients parked in blocking commands (BLPOP, BZPOPMIN, XREAD BLOCK, ...). A waiter is served
 * in FIFO order among the clients blocked on the same key, when a command (or a whole
 * MULTI/EXEC or script) that modified the key has finished, as Valkey's `handleClientsBlockedOnKeys`
 * does; or it times out with the command's null reply; or CLIENT UNBLOCK releases it.
 *
 * @module
 */
import type { Blocked, Command } from "../commands/spec.ts";
import type { Db } from "../keyspace/db.ts";
import { error, type Reply } from "../protocol/reply.ts";
import type { TimerHandle } from "../runtime/clock.ts";
import type { Session } from "./session.ts";

/** Delivers the final reply of a blocked command to its transport. */
export type Deliver = (reply: Reply) => void;

/** One parked client. */
interface Waiter {
  readonly session: Session;
  readonly db: Db;
  readonly command: Command;
  readonly blocked: Blocked;
  readonly deliver: Deliver;
  timer: TimerHandle | undefined;
  done: boolean;
}

/** Runs a waiter's retry in the engine's command context; supplied by the engine. */
export type RetryRunner = (session: Session, db: Db, command: Command, retry: Blocked["retry"]) => Reply | undefined;

/** The registry of blocked clients. */
export class BlockingManager {
  // db -> key -> waiters in arrival order
  readonly #byKey = new Map<Db, Map<string, Waiter[]>>();
  readonly #bySession = new Map<Session, Waiter>();
  // Keys modified since the last serve, in modification order, deduplicated.
  #ready: [Db, string][] = [];
  readonly #readySet = new Map<Db, Set<string>>();

  /** Number of blocked clients (INFO `blocked_clients`). */
  get count(): number {
    return this.#bySession.size;
  }

  /** Number of blocked clients with a timeout (INFO `clients_in_timeout_table`). */
  get timedCount(): number {
    let n = 0;
    for (const w of this.#bySession.values()) if (w.timer !== undefined) n++;
    return n;
  }

  /** Number of distinct keys clients are blocked on (INFO `blocking_keys`). */
  get keyCount(): number {
    let n = 0;
    for (const m of this.#byKey.values()) n += m.size;
    return n;
  }

  /** Whether the session is parked. */
  isBlocked(session: Session): boolean {
    return this.#bySession.has(session);
  }

  /**
   * Parks a session.
   * @param startTimer schedules the timeout; returns a handle (the engine passes its scheduler)
   */
  park(
    session: Session,
    db: Db,
    command: Command,
    blocked: Blocked,
    deliver: Deliver,
    startTimer: (ms: number, fn: () => void) => TimerHandle,
  ): void {
    const w: Waiter = { session, db, command, blocked, deliver, timer: undefined, done: false };
    let keys = this.#byKey.get(db);
    if (keys === undefined) {
      keys = new Map();
      this.#byKey.set(db, keys);
    }
    for (const k of new Set(blocked.keys)) {
      const list = keys.get(k);
      if (list === undefined) keys.set(k, [w]);
      else list.push(w);
    }
    this.#bySession.set(session, w);
    if (blocked.timeoutMs > 0) {
      w.timer = startTimer(blocked.timeoutMs, () => this.#finish(w, blocked.timeoutReply));
    }
  }

  /** Notes that `key` in `db` was modified, if anyone waits on it. */
  signal(db: Db, key: string): void {
    const keys = this.#byKey.get(db);
    if (keys === undefined || !keys.has(key)) return;
    let set = this.#readySet.get(db);
    if (set === undefined) {
      set = new Set();
      this.#readySet.set(db, set);
    }
    if (set.has(key)) return;
    set.add(key);
    this.#ready.push([db, key]);
  }

  /** Whether any signalled key awaits serving. */
  get hasReady(): boolean {
    return this.#ready.length > 0;
  }

  /**
   * Serves waiters on every signalled key, FIFO per key. A served command may modify more keys
   * (BLMOVE pushes to its destination), which are served in the same pass.
   */
  serveReady(run: RetryRunner): void {
    while (this.#ready.length > 0) {
      const batch = this.#ready;
      this.#ready = [];
      this.#readySet.clear();
      for (const [db, key] of batch) {
        const list = this.#byKey.get(db)?.get(key);
        if (list === undefined) continue;
        // Iterate over a snapshot: serving removes waiters from the live list.
        for (const w of [...list]) {
          if (w.done) continue;
          const reply = run(w.session, w.db, w.command, w.blocked.retry);
          if (reply !== undefined) this.#finish(w, reply);
        }
      }
    }
  }

  /**
   * Releases a blocked client (CLIENT UNBLOCK): with the timeout reply, or with Valkey's
   * UNBLOCKED error. @returns false when the client was not blocked
   */
  unblock(session: Session, withError: boolean): boolean {
    const w = this.#bySession.get(session);
    if (w === undefined) return false;
    this.#finish(w, withError ? error("UNBLOCKED client unblocked via CLIENT UNBLOCK") : w.blocked.timeoutReply);
    return true;
  }

  /** Forgets a session that disconnected while blocked; nothing is delivered. */
  cancel(session: Session): void {
    const w = this.#bySession.get(session);
    if (w !== undefined) this.#remove(w);
  }

  /** Moves waiters along with their database's contents (SWAPDB keeps waiters on the index). */
  swapDbs(a: Db, b: Db): void {
    // Waiters block on a database index, not on its contents: nothing moves, but every key they
    // wait on may now hold data, so all are signalled.
    for (const db of [a, b]) {
      for (const key of this.#byKey.get(db)?.keys() ?? []) this.signal(db, key);
    }
  }

  /** Signals every blocked key of a database (FLUSHDB does not serve anyone, but SWAPDB may). */
  signalAll(db: Db): void {
    for (const key of this.#byKey.get(db)?.keys() ?? []) this.signal(db, key);
  }

  #finish(w: Waiter, reply: Reply): void {
    if (w.done) return;
    this.#remove(w);
    w.deliver(reply);
  }

  #remove(w: Waiter): void {
    w.done = true;
    w.timer?.cancel();
    this.#bySession.delete(w.session);
    const keys = this.#byKey.get(w.db);
    if (keys === undefined) return;
    for (const k of new Set(w.blocked.keys)) {
      const list = keys.get(k);
      if (list === undefined) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) keys.delete(k);
    }
    if (keys.size === 0) this.#byKey.delete(w.db);
  }
}
