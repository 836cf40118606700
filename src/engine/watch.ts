/**
 * WATCH bookkeeping: which sessions watch which keys, and the rules that make a watching
 * session's next EXEC fail (Valkey's `CLIENT_DIRTY_CAS`).
 *
 * Rules copied from Valkey 7+:
 * - Any modification of a watched key fails the transaction, whoever made it (the watcher
 *   included), and so does its expiry.
 * - A key that was already logically expired when WATCHed is special: its deletion (by lazy or
 *   active expiry, or by FLUSHDB) is no logical change; anything else is.
 * - At EXEC, a key that was live at WATCH time but has expired since fails the transaction
 *   even if nothing deleted it yet.
 * - FLUSHDB/FLUSHALL fail watchers of keys that existed; SWAPDB fails watchers of keys that
 *   exist on either side, except where an expired key is replaced by nothing or by another
 *   expired key.
 *
 * Once a session is dirty its watches are dropped: the outcome cannot change any more.
 *
 * @module
 */
import type { Db } from "../keyspace/db.ts";
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";

/** One key watched by one session. */
interface WatchedKey {
  readonly session: Session;
  readonly db: Db;
  readonly key: string;
  /** The key was logically expired (but present) when WATCHed, or became so by SWAPDB. */
  expired: boolean;
  /**
   * Whether the key is present in `db` (expired or not). Every existence change of a watched
   * key either dirties the watcher (and drops this record) or is an expiry that updates this
   * flag, so it stays exact; FLUSHDB needs it because the data is gone when it is told.
   */
  present: boolean;
}

/** The watched keys of one engine. */
export class WatchTable {
  readonly #engine: Engine;
  readonly #byDb = new Map<Db, Map<string, WatchedKey[]>>();
  readonly #bySession = new Map<Session, WatchedKey[]>();
  // Removes the modification listener; set only while some session watches a key.
  #unhook: (() => void) | undefined;
  readonly #listener = (db: Db, key: string) => this.#touch(db, key);

  /** @param engine the engine whose modifications and resets invalidate watches */
  constructor(engine: Engine) {
    this.#engine = engine;
    engine.onDbReset((db, why) => {
      if (this.#bySession.size !== 0) this.#reset(db, why);
    });
  }

  // Listens to modifications only while a key is watched: writes pay nothing otherwise.
  #sync(): void {
    if (this.#bySession.size !== 0) this.#unhook ??= this.#engine.onKeyModified(this.#listener);
    else if (this.#unhook !== undefined) {
      this.#unhook();
      this.#unhook = undefined;
    }
  }

  /** Sessions watching at least one key (INFO `watching_clients`). */
  get watchingClients(): number {
    return this.#bySession.size;
  }

  /** Distinct watched keys over all databases (INFO `total_watched_keys`). */
  get totalKeys(): number {
    let n = 0;
    for (const m of this.#byDb.values()) n += m.size;
    return n;
  }

  /** Watches `key` of `db` for a session (a second WATCH of the same key is a no-op). */
  watch(session: Session, db: Db, key: string, now: number): void {
    let mine = this.#bySession.get(session);
    if (mine === undefined) {
      mine = [];
      this.#bySession.set(session, mine);
    } else if (mine.some((w) => w.db === db && w.key === key)) {
      return;
    }
    const w: WatchedKey = { session, db, key, expired: db.isExpired(key, now), present: db.has(key) };
    mine.push(w);
    let keys = this.#byDb.get(db);
    if (keys === undefined) {
      keys = new Map();
      this.#byDb.set(db, keys);
    }
    const list = keys.get(key);
    if (list === undefined) keys.set(key, [w]);
    else list.push(w);
    session.watchedKeys = mine.length;
    this.#sync();
  }

  /** Drops every watch of a session (UNWATCH, EXEC, DISCARD, RESET, disconnect). */
  unwatchAll(session: Session): void {
    const mine = this.#bySession.get(session);
    if (mine === undefined) return;
    this.#bySession.delete(session);
    session.watchedKeys = 0;
    for (const w of mine) {
      const keys = this.#byDb.get(w.db);
      const list = keys?.get(w.key);
      if (keys === undefined || list === undefined) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) keys.delete(w.key);
      if (keys.size === 0) this.#byDb.delete(w.db);
    }
    this.#sync();
  }

  /**
   * Whether a key that was live when watched has logically expired since (Valkey's
   * `isWatchedKeyExpired`, checked by EXEC).
   */
  expiredSinceWatch(session: Session, now: number): boolean {
    const mine = this.#bySession.get(session);
    if (mine === undefined) return false;
    for (const w of mine) {
      if (!w.expired && w.db.isExpired(w.key, now)) return true;
    }
    return false;
  }

  #dirty(session: Session): void {
    session.dirtyCas = true;
    this.unwatchAll(session);
  }

  #touch(db: Db, key: string): void {
    const list = this.#byDb.get(db)?.get(key);
    if (list === undefined) return;
    // Dirtying unwatches, which edits the live list.
    for (const w of [...list]) {
      if (w.expired && !db.has(key)) {
        // An already-expired key was deleted: logically nothing changed.
        w.expired = false;
        w.present = false;
        continue;
      }
      this.#dirty(w.session);
    }
  }

  #reset(db: Db, why: "flush" | "swapdb"): void {
    const keys = this.#byDb.get(db);
    if (keys === undefined) return;
    const now = this.#engine.now();
    for (const [key, list] of [...keys]) {
      // After a flush nothing replaces the data; after SWAPDB `db` now holds the other side.
      const nowPresent = why === "swapdb" && db.has(key);
      for (const w of [...list]) {
        if (!w.present && !nowPresent) continue;
        if (w.expired) {
          if (!nowPresent) {
            w.expired = false;
            w.present = false;
            continue;
          }
          if (db.isExpired(key, now)) continue;
        } else if (!w.present && db.isExpired(key, now)) {
          // A missing key replaced by an expired one: no logical change.
          w.expired = true;
          w.present = true;
          continue;
        }
        this.#dirty(w.session);
      }
    }
  }
}
