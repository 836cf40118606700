/**
 * One logical database: the key dictionary, the expires dictionary, lazy expiry on lookup, the
 * budgeted active expiry cycle, LRU/LFU access tracking and stateless SCAN cursors.
 *
 * Keys are latin1 byte strings. Values of the string type are stored bare (a byte string, or a
 * Uint8Array once large or mutated in place); every other type is an object with a `type` tag.
 * Like Valkey, expiry times live in a second dictionary holding only volatile keys, so a
 * persistent key costs nothing there.
 *
 * Keys live in a {@link ScanMap}: a key -> slot `Map` plus slot columns for the key, the value,
 * the insertion sequence number (the SCAN cursor) and one 32-bit access word. No object is
 * allocated per key, which keeps a million small string keys near 2x Valkey's memory. The
 * access word holds what Valkey keeps in `robj.lru`: a 24-bit LRU clock in seconds, or, under
 * an LFU `maxmemory-policy`, 16 bits of "last decrement" minutes and an 8-bit log counter.
 *
 * Every change of the keyspace must go through this class (never through the columns): the
 * SCAN order and the expires dictionary are kept consistent here.
 *
 * @module
 */
import type { Config } from "../config/config.ts";
import { ScanMap } from "./scan.ts";

/** The Valkey data types (TYPE replies). */
export type TypeName = "string" | "list" | "hash" | "set" | "zset" | "stream";

/**
 * A non-string value: lists, hashes, sets, sorted sets, streams.
 *
 * Contract for every type module:
 * - `clone()` returns a deep copy that shares no mutable state with the original. COPY calls
 *   it; a type that lacks it cannot be copied (COPY then fails with an internal error, which is
 *   a bug to fix in that type, not a user error).
 * - `encoding()` returns the OBJECT ENCODING name Valkey would report for the current shape
 *   (`listpack`, `quicklist`, `hashtable`, `intset`, `skiplist`, `stream`).
 */
export interface ObjectValue {
  readonly type: Exclude<TypeName, "string">;
  /** Deep copy for COPY. */
  clone?(): ObjectValue;
  /** OBJECT ENCODING name. */
  encoding?(): string;
}

/** A stored value. Strings are stored bare. */
export type Value = string | Uint8Array | ObjectValue;

/** Returns Valkey's TYPE name of a value. */
export function typeOf(v: Value): TypeName {
  return typeof v === "string" || v instanceof Uint8Array ? "string" : v.type;
}

/**
 * A handle on one key, for code off the hot paths. Reads and writes go to the database, so a
 * handle stays correct while other keys come and go; it is meant to live for one command.
 */
export class Entry {
  /** The key. */
  readonly key: string;
  readonly #map: ScanMap<Value>;

  /**
   * @param map the key table the handle reads
   * @param key the key
   */
  constructor(map: ScanMap<Value>, key: string) {
    this.#map = map;
    this.key = key;
  }

  /** The current value (undefined once the key is gone). */
  get value(): Value {
    return this.#map.get(this.key) as Value;
  }

  /** Replaces the value in place, keeping TTL, access data and SCAN position. */
  set value(v: Value) {
    const slot = this.#map.slotOf(this.key);
    if (slot >= 0) this.#map.setValueAt(slot, v);
  }

  /** The raw access word: LRU clock (seconds, 24 bits) or LFU data (see the module doc). */
  get lru(): number {
    const slot = this.#map.slotOf(this.key);
    return slot >= 0 ? this.#map.metaAt(slot) : 0;
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

/** Called for a read lookup that finds nothing (`keymiss`) or a newly inserted key (`new`). */
export type KeyHook = (db: Db, key: string) => void;

/** Creates zeroed keyspace stats. */
export function newKeyspaceStats(): KeyspaceStats {
  return { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReachedCount: 0 };
}

/** How key accesses are recorded; one object is shared by all databases of an engine. */
export interface AccessPolicy {
  /** True under `volatile-lfu` / `allkeys-lfu`: keep LFU counters instead of LRU clocks. */
  lfu: boolean;
  /** `lfu-log-factor`. */
  lfuLogFactor: number;
  /** `lfu-decay-time` in minutes (0: never decay). */
  lfuDecayTime: number;
  /** Random source in [0, 1) for the probabilistic counter increment. */
  random: () => number;
}

/** The policy of a database nobody configured: LRU clocks, Valkey's LFU defaults. */
export const DEFAULT_ACCESS_POLICY: Readonly<AccessPolicy> = Object.freeze({
  lfu: false,
  lfuLogFactor: 10,
  lfuDecayTime: 1,
  random: Math.random,
});

// Commands of one batch share their time, so the last conversion is usually reusable.
let lastClockMs = -1;
let lastClock = 0;

/** Valkey's LRU clock: Unix seconds modulo 2^24 (`LRU_CLOCK`, resolution 1000 ms). */
export function lruClock(nowMs: number): number {
  if (nowMs !== lastClockMs) {
    lastClockMs = nowMs;
    lastClock = Math.floor(nowMs / 1000) % LRU_CLOCK_RANGE;
  }
  return lastClock;
}

const LRU_CLOCK_RANGE = 1 << 24;
const LRU_CLOCK_MAX = LRU_CLOCK_RANGE - 1;
/** Initial LFU counter of a new key, so new keys are not evicted before they get a chance. */
export const LFU_INIT_VAL = 5;

/** Valkey's `LFUGetTimeInMinutes`: Unix minutes modulo 2^16. */
function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) % 65536;
}

/**
 * The LFU counter of an access word after applying decay (`LFUDecrAndReturn`): one point per
 * `decayTime` minutes since the word's last decrement time.
 */
export function lfuDecrAndReturn(word: number, nowMs: number, decayTime: number): number {
  const ldt = Math.floor(word / 256) % 65536;
  const counter = word % 256;
  if (decayTime <= 0) return counter;
  const now = lfuMinutes(nowMs);
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = Math.floor(elapsed / decayTime);
  return periods > counter ? 0 : counter - periods;
}

/**
 * Valkey's logarithmic increment (`LFULogIncr`): the counter grows with probability
 * 1 / ((counter - LFU_INIT_VAL) * logFactor + 1), saturating at 255.
 */
export function lfuLogIncr(counter: number, logFactor: number, random: () => number): number {
  if (counter >= 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  const p = 1 / (base * logFactor + 1);
  return random() < p ? counter + 1 : counter;
}

/** Seconds since the access recorded in an LRU word (`estimateObjectIdleTime` / 1000). */
export function lruIdleSeconds(word: number, nowMs: number): number {
  const clock = lruClock(nowMs);
  return clock >= word ? clock - word : clock + (LRU_CLOCK_MAX - word);
}

/** Whether a `maxmemory-policy` value tracks LFU counters. */
export function isLfuPolicy(policy: string): boolean {
  return policy === "volatile-lfu" || policy === "allkeys-lfu";
}

const BOUND_POLICIES = new WeakMap<Config, AccessPolicy>();

/**
 * Makes the databases follow `maxmemory-policy`, `lfu-log-factor` and `lfu-decay-time`, now
 * and on every later change. Idempotent per config: calling it again rebinds the databases to
 * the same policy object.
 * @returns the shared policy object
 */
export function bindAccessPolicy(host: {
  readonly dbs: readonly Db[];
  readonly config: Config;
  readonly random: () => number;
}): AccessPolicy {
  const config = host.config;
  let policy = BOUND_POLICIES.get(config);
  if (policy === undefined) {
    const p: AccessPolicy = { lfu: false, lfuLogFactor: 10, lfuDecayTime: 1, random: host.random };
    const refresh = () => {
      p.lfu = isLfuPolicy(config.get("maxmemory-policy"));
      p.lfuLogFactor = config.num("lfu-log-factor");
      p.lfuDecayTime = config.num("lfu-decay-time");
    };
    refresh();
    config.onChange("maxmemory-policy", refresh);
    config.onChange("lfu-log-factor", refresh);
    config.onChange("lfu-decay-time", refresh);
    BOUND_POLICIES.set(config, p);
    policy = p;
  }
  for (const db of host.dbs) db.policy = policy;
  return policy;
}

/** The 2^53 boundary past which an expiry time is also kept exactly as a bigint. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** A logical database (SELECT index). */
export class Db {
  /** The SELECT index. */
  id: number;
  /**
   * key -> absolute expiry time in ms, only for volatile keys. Read-only for other modules:
   * change it through {@link Db.setExpire} and {@link Db.persist}.
   */
  expires: Map<string, number> = new Map();
  /** Expiry listener (keyspace notifications, WATCH). */
  onExpire: ExpireListener | undefined;
  /**
   * Key-miss and new-key hooks (keyspace notification classes `m` and `n`). Undefined unless
   * those classes are enabled, so lookups and inserts pay nothing otherwise.
   */
  onMiss: KeyHook | undefined;
  onNew: KeyHook | undefined;
  /**
   * CLIENT PAUSE holds expiry: a key past its time reads as absent but is not deleted, except
   * by a write lookup (Valkey's EXPIRE_FORCE_DELETE_EXPIRED), and active expiry stops.
   */
  expirePaused = false;
  /** How accesses are recorded; see {@link bindAccessPolicy}. */
  policy: Readonly<AccessPolicy> = DEFAULT_ACCESS_POLICY;
  #map = new ScanMap<Value>({ meta: true });
  // Exact expiry times past 2^53 ms (PEXPIREAT near INT64_MAX); `expires` holds the rounded
  // number, which is all the expiry checks need. Undefined until first needed.
  #exactExpires: Map<string, bigint> | undefined;
  readonly #stats: KeyspaceStats;
  // Active expiry walks the expires dictionary round-robin with a live iterator; JS Map
  // iterators stay valid across inserts and deletes, so no key is skipped between cycles.
  #expireCursor: Iterator<[string, number]> | undefined;
  // Eviction's own round-robin walk of the expires dictionary (see sampleVolatile).
  #evictCursor: Iterator<[string, number]> | undefined;

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
    return this.#map.size;
  }

  /** Every key in insertion order, expired or not. Safe against changes while iterating. */
  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  /**
   * A slot for a live key, expiring it first when its time has passed; -1 when absent.
   * @param write a write lookup, which deletes an expired key even while expiry is paused
   */
  #liveSlot(key: string, now: number, write = false): number {
    const slot = this.#map.slotOf(key);
    if (slot < 0) return -1;
    if (this.expires.size > 0) {
      const at = this.expires.get(key);
      // Valkey: a key is expired once the current time is strictly past its expiry time.
      if (at !== undefined && at < now) {
        if (write || !this.expirePaused) this.#expire(key);
        return -1;
      }
    }
    return slot;
  }

  /** A handle on a live key, expiring it first when its time has passed. No stats. */
  entry(key: string, now: number): Entry | undefined {
    return this.#liveSlot(key, now, true) < 0 ? undefined : new Entry(this.#map, key);
  }

  /** The value of a live key with lazy expiry, without stats or access tracking. */
  peek(key: string, now: number): Value | undefined {
    const slot = this.#liveSlot(key, now);
    return slot < 0 ? undefined : this.#map.valueAt(slot);
  }

  /**
   * Looks a key up for reading: expires it lazily, counts a hit or miss and records the access
   * (LRU clock or LFU counter) unless `noTouch` (CLIENT NO-TOUCH, TYPE, EXISTS, TTL, OBJECT).
   */
  lookupRead(key: string, now: number, noTouch = false): Value | undefined {
    const slot = this.#liveSlot(key, now);
    if (slot < 0) {
      this.#stats.keyspaceMisses++;
      if (this.onMiss !== undefined) this.onMiss(this, key);
      return undefined;
    }
    this.#stats.keyspaceHits++;
    if (!noTouch) this.#touch(slot, now);
    return this.#map.valueAt(slot);
  }

  /**
   * Looks a key up for writing: lazy expiry, access tracking (unless `noTouch`, for CLIENT
   * NO-TOUCH), no hit/miss stats.
   */
  lookupWrite(key: string, now: number, noTouch = false): Value | undefined {
    const slot = this.#liveSlot(key, now, true);
    if (slot < 0) return undefined;
    if (!noTouch) this.#touch(slot, now);
    return this.#map.valueAt(slot);
  }

  #touch(slot: number, now: number): void {
    const p = this.policy;
    if (!p.lfu) {
      this.#map.setMetaAt(slot, lruClock(now));
      return;
    }
    // Valkey's updateLFU: decay first, then the probabilistic increment, then stamp the time.
    const counter = lfuLogIncr(lfuDecrAndReturn(this.#map.metaAt(slot), now, p.lfuDecayTime), p.lfuLogFactor, p.random);
    this.#map.setMetaAt(slot, lfuMinutes(now) * 256 + counter);
  }

  /** The access word a new key starts with. */
  #initialWord(now: number): number {
    return this.policy.lfu ? lfuMinutes(now) * 256 + LFU_INIT_VAL : lruClock(now);
  }

  /**
   * Stores a value. Without `keepTtl` any previous expiry is removed, as SET does. A new key
   * goes to the end of the SCAN order; an overwritten one keeps its place and, under LFU, its
   * counter (Valkey carries the LFU data over on overwrite).
   * @returns true when the key did not exist before
   */
  set(key: string, value: Value, now: number, keepTtl = false): boolean {
    const map = this.#map;
    const slot = map.slotOf(key);
    if (slot >= 0) {
      map.setValueAt(slot, value);
      if (!this.policy.lfu) map.setMetaAt(slot, lruClock(now));
      if (!keepTtl && this.expires.size > 0) this.#dropExpire(key);
      return false;
    }
    map.insert(key, value, this.#initialWord(now));
    if (this.onNew !== undefined) this.onNew(this, key);
    return true;
  }

  /** Replaces the value of an existing key in place, keeping its TTL (APPEND, INCR, ...). */
  replace(key: string, value: Value, now: number): void {
    this.set(key, value, now, true);
  }

  /** Removes a key and its expiry. @returns whether it existed (expired keys count as absent). */
  delete(key: string): boolean {
    if (!this.#map.delete(key)) return false;
    if (this.expires.size > 0) this.#dropExpire(key);
    return true;
  }

  /**
   * Sets the absolute expiry (ms) of an existing key. A bigint keeps full int64 precision for
   * the rare times past 2^53 ms, so PEXPIRETIME answers exactly what was set.
   */
  setExpire(key: string, at: number | bigint): void {
    if (typeof at === "bigint") {
      if (at > MAX_SAFE || at < MIN_SAFE) {
        (this.#exactExpires ??= new Map()).set(key, at);
        this.expires.set(key, Number(at));
        return;
      }
      at = Number(at);
    }
    this.expires.set(key, at);
    if (this.#exactExpires !== undefined) this.#exactExpires.delete(key);
  }

  /** The absolute expiry of a key in ms (rounded past 2^53), or undefined when persistent. */
  getExpire(key: string): number | undefined {
    return this.expires.size > 0 ? this.expires.get(key) : undefined;
  }

  /** The absolute expiry of a key in ms, exact (a bigint only past 2^53). */
  getExpireExact(key: string): number | bigint | undefined {
    if (this.expires.size === 0) return undefined;
    const at = this.expires.get(key);
    if (at === undefined || this.#exactExpires === undefined) return at;
    return this.#exactExpires.get(key) ?? at;
  }

  /** Removes the expiry of a key. @returns whether it had one. */
  persist(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    if (this.#exactExpires !== undefined) this.#exactExpires.delete(key);
    return true;
  }

  #dropExpire(key: string): void {
    this.expires.delete(key);
    if (this.#exactExpires !== undefined) this.#exactExpires.delete(key);
  }

  /** Whether a present key is logically expired (without removing it: KEYS). */
  isExpired(key: string, now: number): boolean {
    if (this.expires.size === 0) return false;
    const at = this.expires.get(key);
    return at !== undefined && at < now;
  }

  /**
   * Removes a key whose time has passed, firing the expiry listener.
   * @returns true when the key was expired and is now gone
   */
  expireIfNeeded(key: string, now: number): boolean {
    if (!this.isExpired(key, now)) return false;
    if (!this.expirePaused) this.#expire(key);
    return true;
  }

  /**
   * Deletes a key because a command set its expiry in the past (EXPIRE with a past time, SET
   * EXAT in the past). Counts it in `expired_keys` like Valkey 8.1; the caller notifies.
   * @returns whether the key existed
   */
  removeExpired(key: string): boolean {
    if (!this.delete(key)) return false;
    this.#stats.expiredKeys++;
    return true;
  }

  /**
   * Removes every key. The SCAN numbering continues, so a stale cursor never lands on keys
   * added after the flush out of order.
   * @returns the number of keys removed
   */
  flush(): number {
    const removed = this.#map.size;
    this.#map = new ScanMap<Value>({ meta: true, firstSeq: this.#map.nextSeq });
    this.expires = new Map();
    this.#exactExpires = undefined;
    this.#expireCursor = undefined;
    this.#evictCursor = undefined;
    return removed;
  }

  /** Exchanges the contents of two databases (SWAPDB); ids stay with their slots. */
  swapWith(other: Db): void {
    const m = this.#map;
    const x = this.expires;
    const e = this.#exactExpires;
    this.#map = other.#map;
    this.expires = other.expires;
    this.#exactExpires = other.#exactExpires;
    other.#map = m;
    other.expires = x;
    other.#exactExpires = e;
    this.#expireCursor = undefined;
    other.#expireCursor = undefined;
    this.#evictCursor = undefined;
    other.#evictCursor = undefined;
  }

  #expire(key: string): void {
    this.#map.delete(key);
    this.#dropExpire(key);
    this.#stats.expiredKeys++;
    this.onExpire?.(this, key);
  }

  /**
   * One budgeted pass of active expiry: checks up to `maxChecks` volatile keys, continuing
   * where the previous pass stopped. @returns [checked, expired]
   */
  activeExpire(now: number, maxChecks: number): [number, number] {
    if (this.expires.size === 0 || this.expirePaused) return [0, 0];
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
      if (at < now && this.expires.get(key) === at) {
        this.#expire(key);
        expired++;
      }
    }
    return [checked, expired];
  }

  /**
   * A uniformly random live key (RANDOMKEY). Expired keys met on the way are reclaimed and
   * the draw repeats, as on a Valkey primary, so this ends with a live key or an empty db.
   */
  randomKey(now: number, rand: () => number): string | undefined {
    const map = this.#map;
    // While expiry is paused expired keys stay, so a database of only expired keys would loop
    // forever: like Valkey, give up after 100 draws and answer that there is no key.
    let tries = 100;
    while (true) {
      const slot = map.randomSlot(rand);
      if (slot < 0) return undefined;
      const key = map.keyAt(slot)!;
      if (this.isExpired(key, now)) {
        if (this.expirePaused) {
          if (--tries === 0) return undefined;
        } else {
          this.#expire(key);
        }
        continue;
      }
      return key;
    }
  }

  /** Whether a key is present, expired or not, without expiring it (WATCH bookkeeping). */
  has(key: string): boolean {
    return this.#map.slotOf(key) >= 0;
  }

  /**
   * Walks keys with a stateless cursor (see {@link ScanMap.scan}). Expired keys are visited
   * too: the caller filters them and reclaims them with {@link Db.expireIfNeeded} after the
   * call, never inside `visit`.
   * @returns the next cursor, 0 at the end
   */
  scan(cursor: number, count: number, visit: (key: string, value: Value) => void): number {
    return this.#map.scan(cursor, count, visit);
  }

  /**
   * Draws `count` keys uniformly at random (with repetition), expired or not, for eviction
   * sampling: `visit` gets each key and its access word. O(count): no lookup, no statistics,
   * no access update, nothing deleted.
   * @returns the number of keys visited (0 for an empty database)
   */
  sampleKeys(count: number, rand: () => number, visit: (key: string, word: number) => void): number {
    const map = this.#map;
    let n = 0;
    for (; n < count; n++) {
      const slot = map.randomSlot(rand);
      if (slot < 0) break;
      visit(map.keyAt(slot)!, map.metaAt(slot));
    }
    return n;
  }

  /**
   * Draws up to `count` volatile keys for eviction sampling (the `volatile-*` policies):
   * `visit` gets each key, its expiry time and its access word. O(count).
   *
   * Valkey draws them at random from its expires dictionary. A JS `Map` has no random access,
   * so while at least half of the keys are volatile they are drawn at random from the key
   * table (keeping the volatile ones, a bounded number of tries); the rest of the draw, and
   * all of it when volatile keys are rarer, comes from a round-robin walk of the expires
   * dictionary that continues where the previous draw stopped.
   * @returns the number of keys visited
   */
  sampleVolatile(
    count: number,
    rand: () => number,
    visit: (key: string, expireAt: number, word: number) => void,
  ): number {
    const expires = this.expires;
    if (expires.size === 0) return 0;
    const map = this.#map;
    let n = 0;
    if (expires.size * 2 >= map.size) {
      for (let tries = count * 4; tries > 0 && n < count; tries--) {
        const slot = map.randomSlot(rand);
        if (slot < 0) break;
        const key = map.keyAt(slot)!;
        const at = expires.get(key);
        if (at === undefined) continue;
        visit(key, at, map.metaAt(slot));
        n++;
      }
    }
    let wrapped = false;
    while (n < count) {
      this.#evictCursor ??= expires.entries();
      const r = this.#evictCursor.next();
      if (r.done) {
        this.#evictCursor = undefined;
        if (wrapped) break;
        wrapped = true;
        continue;
      }
      // A live Map iterator yields current entries only, so the key is present.
      const [key, at] = r.value;
      const slot = map.slotOf(key);
      if (slot < 0) continue;
      visit(key, at, map.metaAt(slot));
      n++;
    }
    return n;
  }

  /**
   * Removes a key chosen by eviction, expired or not, with its expiry. The caller reports the
   * change (`evicted` event, WATCH, tracking, indexes).
   * @returns the removed value, or undefined when the key was absent
   */
  evict(key: string): Value | undefined {
    const value = this.#map.get(key);
    if (value === undefined) return undefined;
    this.delete(key);
    return value;
  }

  /** The raw access word of a present key (no expiry check, no touch), or undefined. */
  accessWord(key: string): number | undefined {
    const slot = this.#map.slotOf(key);
    return slot < 0 ? undefined : this.#map.metaAt(slot);
  }
}
