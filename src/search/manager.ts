/**
 * The search indexes of one engine, kept in step with the keyspace.
 *
 * Every keyspace change reaches {@link SearchManager} synchronously through
 * `engine.onKeyModified`: for each index of that database whose prefixes match the key, the
 * key is re-read and re-indexed (a hash) or dropped (gone, expired, or another type). That one
 * rule covers HSET/HDEL/HINCRBY*, DEL/UNLINK, expiry, eviction, RENAME (both names), COPY,
 * MOVE, RESTORE and type changes, and it is stronger than valkey-search, which queues
 * mutations for writer threads: every query sees all earlier writes.
 *
 * `engine.onDbReset` covers the rest: FLUSHDB/FLUSHALL drop the flushed database's index
 * definitions (valkey-search in standalone mode), and SWAPDB moves indexes with their data.
 *
 * Existing keys are indexed at FT.CREATE by a backfill that scans the database in slices
 * (a few milliseconds each, the first one inside FT.CREATE), continued on the engine's
 * scheduler between commands; FT.INFO reports its progress.
 *
 * @module
 */
import type { Engine } from "../engine/engine.ts";
import { type Db, typeOf } from "../keyspace/db.ts";
import type { HashValue } from "../types/hash.ts";
import { SearchIndex } from "./search_index.ts";
import type { IndexDefinition } from "./schema.ts";

const MANAGERS = new WeakMap<Engine, SearchManager>();

/** FT.SEARCH counters (valkey-search's `search_query` INFO section). */
export interface QueryStats {
  /** Queries answered with results. */
  successful: number;
  /** Queries answered with an error (bad arguments, unknown index, timeout). */
  failed: number;
  /** KNN queries with a filter. */
  hybrid: number;
  /** Hybrid queries run as a filtered graph walk (rather than an exact scan). */
  inlineFiltering: number;
}

/** Per-engine search state (see the module doc). */
export class SearchManager {
  /** The engine. */
  readonly engine: Engine;
  /** Keys scanned per backfill slice at most. */
  sliceKeys = 4096;
  /** Milliseconds of work per backfill slice at most. */
  sliceMs = 5;
  /** FT.SEARCH counters. */
  readonly stats: QueryStats = { successful: 0, failed: 0, hybrid: 0, inlineFiltering: 0 };
  readonly #byDb = new Map<number, Map<string, SearchIndex>>();
  #hooked = false;
  #pendingSwap: Db | undefined;

  /** @param engine the engine */
  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** The engine's manager, created on first use. */
  static of(engine: Engine): SearchManager {
    let m = MANAGERS.get(engine);
    if (m === undefined) {
      m = new SearchManager(engine);
      MANAGERS.set(engine, m);
    }
    return m;
  }

  /** The engine's manager if FT.* has been used on it, without creating one. */
  static peek(engine: Engine): SearchManager | undefined {
    return MANAGERS.get(engine);
  }

  /** Every index of every database. */
  *all(): Generator<SearchIndex> {
    for (const m of this.#byDb.values()) yield* m.values();
  }

  /**
   * Bytes the vectors of `key` (database `db`) occupy in that database's indexes. MEMORY USAGE
   * adds this to the hash's own size: Kite's choice, as the index holds its own float32 copy of
   * each vector (valkey-search's MEMORY USAGE reports the hash alone).
   */
  vectorBytesOf(db: number, key: string): number {
    const m = this.#byDb.get(db);
    if (m === undefined) return 0;
    let n = 0;
    for (const idx of m.values()) n += idx.vectorBytesOf(key);
    return n;
  }

  /** The index `name` of database `db`. */
  get(db: number, name: string): SearchIndex | undefined {
    return this.#byDb.get(db)?.get(name);
  }

  /** Index names of database `db`, in creation order. */
  list(db: number): string[] {
    return [...(this.#byDb.get(db)?.keys() ?? [])];
  }

  /** Creates an index and starts its backfill. @returns undefined when the name is taken */
  create(db: number, def: IndexDefinition): SearchIndex | undefined {
    this.#hook();
    let m = this.#byDb.get(db);
    if (m === undefined) {
      m = new Map();
      this.#byDb.set(db, m);
    }
    if (m.has(def.name)) return undefined;
    const idx = new SearchIndex(def, db);
    m.set(def.name, idx);
    if (!def.skipInitialScan) {
      const b = idx.backfill;
      b.inProgress = true;
      b.total = this.engine.dbs[db]!.size;
      this.#slice(idx);
    }
    return idx;
  }

  /** Drops an index. @returns whether it existed */
  drop(db: number, name: string): boolean {
    const m = this.#byDb.get(db);
    const idx = m?.get(name);
    if (m === undefined || idx === undefined) return false;
    idx.dropped = true;
    m.delete(name);
    if (m.size === 0) this.#byDb.delete(db);
    return true;
  }

  /** Re-indexes `key` of `db` in every index of that database whose prefixes match. */
  sync(db: Db, key: string): void {
    const m = this.#byDb.get(db.id);
    if (m === undefined) return;
    let hash: HashValue | undefined | null = null;
    for (const idx of m.values()) {
      if (!idx.matches(key)) continue;
      if (hash === null) hash = this.#readHash(db, key);
      idx.update(key, hash);
    }
  }

  // The live hash at `key`, or undefined. An expired key counts as gone even before lazy or
  // active expiry reclaims it (its `expired` event then finds nothing to do).
  #readHash(db: Db, key: string): HashValue | undefined {
    const now = this.engine.now();
    if (db.isExpired(key, now)) return undefined;
    const v = db.peek(key, now);
    return v !== undefined && typeOf(v) === "hash" ? v as HashValue : undefined;
  }

  #hook(): void {
    if (this.#hooked) return;
    this.#hooked = true;
    this.engine.onKeyModified((db, key) => this.sync(db, key));
    this.engine.onDbReset((db, why) => {
      if (why === "flush") this.#flushed(db);
      else this.#swapped(db);
    });
  }

  // valkey-search in standalone mode deletes the flushed database's index definitions.
  #flushed(db: Db): void {
    const m = this.#byDb.get(db.id);
    if (m === undefined) return;
    for (const idx of m.values()) idx.dropped = true;
    this.#byDb.delete(db.id);
  }

  // SWAPDB reports both databases back to back; the indexes of each follow their data to the
  // other number, as valkey-search's OnSwapDB does.
  #swapped(db: Db): void {
    const first = this.#pendingSwap;
    if (first === undefined) {
      this.#pendingSwap = db;
      return;
    }
    this.#pendingSwap = undefined;
    const a = this.#byDb.get(first.id);
    const b = this.#byDb.get(db.id);
    this.#byDb.delete(first.id);
    this.#byDb.delete(db.id);
    if (a !== undefined) {
      for (const idx of a.values()) idx.db = db.id;
      this.#byDb.set(db.id, a);
    }
    if (b !== undefined) {
      for (const idx of b.values()) idx.db = first.id;
      this.#byDb.set(first.id, b);
    }
  }

  /** One backfill slice; schedules the next one until the scan is done. */
  #slice(idx: SearchIndex): void {
    if (idx.dropped) return;
    const b = idx.backfill;
    const db = this.engine.dbs[idx.db]!;
    const clock = this.engine.clock;
    const start = clock.monotonicUs();
    let visited = 0;
    const keys: string[] = [];
    do {
      keys.length = 0;
      b.cursor = db.scan(b.cursor, Math.min(256, this.sliceKeys), (key) => {
        visited++;
        if (idx.matches(key)) keys.push(key);
      });
      // Index after the scan call, never inside it: reading may reclaim an expired key.
      for (const key of keys) idx.update(key, this.#readHash(db, key));
    } while (b.cursor !== 0 && visited < this.sliceKeys && clock.monotonicUs() - start < this.sliceMs * 1000);
    b.scanned += visited;
    if (b.cursor === 0) {
      b.inProgress = false;
      b.scanned = Math.max(b.scanned, b.total);
      return;
    }
    this.engine.scheduler.after(0, () => this.#slice(idx));
  }
}
