/**
 * One logical database: the key dictionary, the expires dictionary, lazy expiry on lookup and
 * the budgeted active expiry cycle.
 *
 * Keys are latin1 byte strings. Values of the string type are stored bare (a byte string, or a
 * Uint8Array once large or mutated in place); every other type is an object with a `type` tag.
 * Like Valkey, expiry times live in a second dictionary holding only volatile keys, so a
 * persistent key costs one Map entry.
 *
 * @module
 */

/** The Valkey data types (TYPE replies). */
export type TypeName = "string" | "list" | "hash" | "set" | "zset" | "stream";

/** A non-string value: lists, hashes, sets, sorted sets, streams. */
export interface ObjectValue {
  readonly type: Exclude<TypeName, "string">;
}

/** A stored value. Strings are stored bare. */
export type Value = string | Uint8Array | ObjectValue;

/** Returns Valkey's TYPE name of a value. */
export function typeOf(v: Value): TypeName {
  return typeof v === "string" || v instanceof Uint8Array ? "string" : v.type;
}

/** One key's slot in the dictionary. Mutable so access time updates do not reallocate. */
export class Entry {
  /** The value. */
  value: Value;
  /** Last access in ms (LRU), or the LFU counter data when an LFU policy is active. */
  lru: number;
  /**
   * @param value the stored value
   * @param lru the access time
   */
  constructor(value: Value, lru: number) {
    this.value = value;
    this.lru = lru;
  }
}

/** Counters a Db bumps; shared with the engine for INFO stats. */
export interface KeyspaceStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReachedCount: number;
}

/** Called for every key the Db removes by itself (expiry), for keyspace events and WATCH. */
export type ExpireListener = (db: Db, key: string) => void;

/** Creates zeroed keyspace stats. */
export function newKeyspaceStats(): KeyspaceStats {
  return { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReachedCount: 0 };
}

/** A logical database (SELECT index). */
export class Db {
  /** The SELECT index. Changes on SWAPDB. */
  id: number;
  /** key -> entry. Replaced wholesale by FLUSHDB and SWAPDB. */
  dict: Map<string, Entry> = new Map();
  /** key -> absolute expiry time in ms, only for volatile keys. */
  expires: Map<string, number> = new Map();
  readonly #stats: KeyspaceStats;
  /** Expiry listener (keyspace notifications, WATCH). */
  onExpire: ExpireListener | undefined;
  // Active expiry walks the expires dictionary round-robin with a live iterator; JS Map
  // iterators stay valid across inserts and deletes, so no key is skipped between cycles.
  #expireCursor: Iterator<[string, number]> | undefined;
  #randomCursor: Iterator<[string, Entry]> | undefined;

  /**
   * @param id the database index
   * @param stats shared keyspace counters
   */
  constructor(id: number, stats: KeyspaceStats) {
    this.id = id;
    this.#stats = stats;
  }

  /** Number of keys, including logically expired ones not yet reclaimed (as Valkey's DBSIZE). */
  get size(): number {
    return this.dict.size;
  }

  /** The entry of a live key, expiring it first when its time has passed. No stats. */
  entry(key: string, now: number): Entry | undefined {
    const e = this.dict.get(key);
    if (e === undefined) return undefined;
    if (this.expires.size > 0) {
      const at = this.expires.get(key);
      if (at !== undefined && at <= now) {
        this.#expire(key);
        return undefined;
      }
    }
    return e;
  }

  /**
   * Looks a key up for reading: expires it lazily, counts a hit or miss and refreshes the
   * access time unless `noTouch` (CLIENT NO-TOUCH, TOUCH semantics).
   */
  lookupRead(key: string, now: number, noTouch = false): Value | undefined {
    const e = this.entry(key, now);
    if (e === undefined) {
      this.#stats.keyspaceMisses++;
      return undefined;
    }
    this.#stats.keyspaceHits++;
    if (!noTouch) e.lru = now;
    return e.value;
  }

  /** Looks a key up for writing: lazy expiry, access time refresh, no hit/miss stats. */
  lookupWrite(key: string, now: number): Value | undefined {
    const e = this.entry(key, now);
    if (e === undefined) return undefined;
    e.lru = now;
    return e.value;
  }

  /**
   * Stores a value. Without `keepTtl` any previous expiry is removed, as SET does.
   * @returns true when the key did not exist before
   */
  set(key: string, value: Value, now: number, keepTtl = false): boolean {
    const e = this.dict.get(key);
    if (e !== undefined) {
      e.value = value;
      e.lru = now;
      if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
      return false;
    }
    this.dict.set(key, new Entry(value, now));
    return true;
  }

  /** Replaces the value of an existing key in place, keeping its TTL (APPEND, INCR, ...). */
  replace(key: string, value: Value, now: number): void {
    this.set(key, value, now, true);
  }

  /** Removes a key and its expiry. @returns whether it existed (expired keys count as absent). */
  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size > 0) this.expires.delete(key);
    return true;
  }

  /** Sets the absolute expiry (ms) of an existing key. */
  setExpire(key: string, at: number): void {
    this.expires.set(key, at);
  }

  /** The absolute expiry of a key in ms, or undefined when persistent. */
  getExpire(key: string): number | undefined {
    return this.expires.size > 0 ? this.expires.get(key) : undefined;
  }

  /** Removes the expiry of a key. @returns whether it had one. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** Removes every key. */
  flush(): void {
    this.dict = new Map();
    this.expires = new Map();
    this.#expireCursor = undefined;
    this.#randomCursor = undefined;
  }

  /** Exchanges the contents of two databases (SWAPDB); ids stay with their slots. */
  swapWith(other: Db): void {
    const d = this.dict;
    const x = this.expires;
    this.dict = other.dict;
    this.expires = other.expires;
    other.dict = d;
    other.expires = x;
    this.#expireCursor = undefined;
    this.#randomCursor = undefined;
    other.#expireCursor = undefined;
    other.#randomCursor = undefined;
  }

  #expire(key: string): void {
    this.dict.delete(key);
    this.expires.delete(key);
    this.#stats.expiredKeys++;
    this.onExpire?.(this, key);
  }

  /**
   * One budgeted pass of active expiry: checks up to `maxChecks` volatile keys, continuing
   * where the previous pass stopped. @returns [checked, expired]
   */
  activeExpire(now: number, maxChecks: number): [number, number] {
    if (this.expires.size === 0) return [0, 0];
    let checked = 0;
    let expired = 0;
    let wrapped = false;
    while (checked < maxChecks) {
      this.#expireCursor ??= this.expires.entries();
      const r = this.#expireCursor.next();
      if (r.done) {
        this.#expireCursor = undefined;
        if (wrapped || this.expires.size === 0) break;
        wrapped = true;
        continue;
      }
      checked++;
      const [key, at] = r.value;
      // The iterator may yield a key whose expiry was since removed or changed.
      if (at <= now && this.expires.get(key) === at) {
        this.#expire(key);
        expired++;
      }
    }
    return [checked, expired];
  }

  /**
   * A pseudo-random live key. A JS Map has no random access, so this walks a persistent
   * iterator a random number of steps: O(1) amortized, every key reachable, not uniform.
   */
  randomKey(now: number, rand: () => number): string | undefined {
    const n = this.dict.size;
    if (n === 0) return undefined;
    // Bounded tries so a database of only expired keys cannot loop forever (Valkey does the same).
    for (let tries = 0; tries < 100 && this.dict.size > 0; tries++) {
      let skip = Math.floor(rand() * Math.min(this.dict.size, 16));
      let key: string | undefined;
      while (true) {
        this.#randomCursor ??= this.dict.entries();
        const r = this.#randomCursor.next();
        if (r.done) {
          this.#randomCursor = undefined;
          continue;
        }
        if (skip-- <= 0) {
          key = r.value[0];
          break;
        }
      }
      const at = this.getExpire(key);
      if (at !== undefined && at <= now) {
        if (tries < 99) {
          this.#expire(key);
          continue;
        }
      }
      return key;
    }
    return undefined;
  }
}
