/**
 * Keyspace notifications (`notify-keyspace-events`): every keyspace event a command reports
 * through `ctx.touched`/`ctx.notify`, every expiry, key miss and new key, published on the
 * `__keyspace@<db>__:<key>` and `__keyevent@<db>__:<event>` channels when its class is enabled.
 *
 * The event -> class table below is the one place that knows which class each of Valkey's event
 * names belongs to. An event named "" is a signal for WATCH and client tracking only.
 *
 * Cost when notifications are off: one integer test per modification, and no hook at all on
 * key lookups or inserts (the `m` and `n` classes install the database hooks only while
 * enabled).
 *
 * @module
 */
import type { Db } from "./db.ts";
import type { Engine } from "../engine/engine.ts";

/** Class bits, as Valkey's `NOTIFY_*` flags. */
export const NOTIFY = {
  KEYSPACE: 1 << 0, // K
  KEYEVENT: 1 << 1, // E
  GENERIC: 1 << 2, // g
  STRING: 1 << 3, // $
  LIST: 1 << 4, // l
  SET: 1 << 5, // s
  HASH: 1 << 6, // h
  ZSET: 1 << 7, // z
  EXPIRED: 1 << 8, // x
  EVICTED: 1 << 9, // e
  STREAM: 1 << 10, // t
  KEY_MISS: 1 << 11, // m
  MODULE: 1 << 13, // d
  NEW: 1 << 14, // n
} as const;

const CLASS_LETTERS: Record<string, number> = {
  K: NOTIFY.KEYSPACE,
  E: NOTIFY.KEYEVENT,
  g: NOTIFY.GENERIC,
  $: NOTIFY.STRING,
  l: NOTIFY.LIST,
  s: NOTIFY.SET,
  h: NOTIFY.HASH,
  z: NOTIFY.ZSET,
  x: NOTIFY.EXPIRED,
  e: NOTIFY.EVICTED,
  t: NOTIFY.STREAM,
  m: NOTIFY.KEY_MISS,
  d: NOTIFY.MODULE,
  n: NOTIFY.NEW,
};

/** `A`: every class except key misses and new keys (Valkey's `NOTIFY_ALL`). */
const NOTIFY_ALL = NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET |
  NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;

/**
 * Valkey's `keyspaceEventsStringToFlags`: the class bits of a `notify-keyspace-events` value.
 * `A` adds every class but `m` and `n`, which stay as given (`An` keeps new-key events).
 * @returns the bits, or -1 when a character names no class
 */
export function keyspaceEventsStringToFlags(classes: string): number {
  let flags = 0;
  for (const c of classes) {
    if (c === "A") {
      flags |= NOTIFY_ALL;
      continue;
    }
    const bit = CLASS_LETTERS[c];
    if (bit === undefined) return -1;
    flags |= bit;
  }
  return flags;
}

// The classes `A` stands for, in the order Valkey prints them.
const PRINT_ORDER: readonly (readonly [number, string])[] = [
  [NOTIFY.GENERIC, "g"],
  [NOTIFY.STRING, "$"],
  [NOTIFY.LIST, "l"],
  [NOTIFY.SET, "s"],
  [NOTIFY.HASH, "h"],
  [NOTIFY.ZSET, "z"],
  [NOTIFY.EXPIRED, "x"],
  [NOTIFY.EVICTED, "e"],
  [NOTIFY.STREAM, "t"],
  [NOTIFY.MODULE, "d"],
];

/**
 * Valkey's `keyspaceEventsFlagsToString`, what CONFIG GET shows: `A` when every class of `A`
 * is on (and then, as in Valkey, no `n` even when new-key events are on), else the class
 * letters and `n`; then `K`, `E` and `m`.
 */
export function keyspaceEventsFlagsToString(flags: number): string {
  let out = "";
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    out = "A";
  } else {
    for (const [bit, letter] of PRINT_ORDER) if ((flags & bit) !== 0) out += letter;
    if ((flags & NOTIFY.NEW) !== 0) out += "n";
  }
  if ((flags & NOTIFY.KEYSPACE) !== 0) out += "K";
  if ((flags & NOTIFY.KEYEVENT) !== 0) out += "E";
  if ((flags & NOTIFY.KEY_MISS) !== 0) out += "m";
  return out;
}

/**
 * Parses a `notify-keyspace-events` value into the class bits the notifier works with (the
 * config table has already validated it).
 * @returns 0 for "" or a value that selects no channel type (neither K nor E)
 */
export function parseNotifyFlags(value: string): number {
  const flags = keyspaceEventsStringToFlags(value);
  // Without K or E nothing can be published: treat it as off so the hot paths skip early.
  return flags <= 0 || (flags & (NOTIFY.KEYSPACE | NOTIFY.KEYEVENT)) === 0 ? 0 : flags;
}

/**
 * Valkey's class of every keyspace event name. Commands name their events; this table is the
 * single place that sorts them into classes.
 */
const EVENT_CLASS: ReadonlyMap<string, number> = new Map<string, number>([
  // Generic: any type.
  ["del", NOTIFY.GENERIC],
  ["rename_from", NOTIFY.GENERIC],
  ["rename_to", NOTIFY.GENERIC],
  ["move_from", NOTIFY.GENERIC],
  ["move_to", NOTIFY.GENERIC],
  ["copy_to", NOTIFY.GENERIC],
  ["expire", NOTIFY.GENERIC],
  ["persist", NOTIFY.GENERIC],
  ["restore", NOTIFY.GENERIC],
  // Strings (bitmaps and HyperLogLogs are strings).
  ["set", NOTIFY.STRING],
  ["setrange", NOTIFY.STRING],
  ["incrby", NOTIFY.STRING],
  ["incrbyfloat", NOTIFY.STRING],
  ["append", NOTIFY.STRING],
  ["setbit", NOTIFY.STRING],
  ["pfadd", NOTIFY.STRING],
  // Lists (SORT ... STORE writes a list).
  ["lpush", NOTIFY.LIST],
  ["rpush", NOTIFY.LIST],
  ["lpop", NOTIFY.LIST],
  ["rpop", NOTIFY.LIST],
  ["linsert", NOTIFY.LIST],
  ["lset", NOTIFY.LIST],
  ["lrem", NOTIFY.LIST],
  ["ltrim", NOTIFY.LIST],
  ["sortstore", NOTIFY.LIST],
  // Sets.
  ["sadd", NOTIFY.SET],
  ["srem", NOTIFY.SET],
  ["spop", NOTIFY.SET],
  ["sinterstore", NOTIFY.SET],
  ["sunionstore", NOTIFY.SET],
  ["sdiffstore", NOTIFY.SET],
  // Hashes.
  ["hset", NOTIFY.HASH],
  ["hdel", NOTIFY.HASH],
  ["hincrby", NOTIFY.HASH],
  ["hincrbyfloat", NOTIFY.HASH],
  // Sorted sets (geo indexes are sorted sets).
  ["zadd", NOTIFY.ZSET],
  ["zincr", NOTIFY.ZSET],
  ["zrem", NOTIFY.ZSET],
  ["zremrangebyscore", NOTIFY.ZSET],
  ["zremrangebyrank", NOTIFY.ZSET],
  ["zremrangebylex", NOTIFY.ZSET],
  ["zpopmin", NOTIFY.ZSET],
  ["zpopmax", NOTIFY.ZSET],
  ["zinterstore", NOTIFY.ZSET],
  ["zunionstore", NOTIFY.ZSET],
  ["zdiffstore", NOTIFY.ZSET],
  ["zrangestore", NOTIFY.ZSET],
  ["georadiusstore", NOTIFY.ZSET],
  ["geosearchstore", NOTIFY.ZSET],
  // Streams.
  ["xadd", NOTIFY.STREAM],
  ["xtrim", NOTIFY.STREAM],
  ["xdel", NOTIFY.STREAM],
  ["xsetid", NOTIFY.STREAM],
  ["xgroup-create", NOTIFY.STREAM],
  ["xgroup-createconsumer", NOTIFY.STREAM],
  ["xgroup-delconsumer", NOTIFY.STREAM],
  ["xgroup-destroy", NOTIFY.STREAM],
  ["xgroup-setid", NOTIFY.STREAM],
  // Events the server raises by itself.
  ["expired", NOTIFY.EXPIRED],
  ["evicted", NOTIFY.EVICTED],
  ["keymiss", NOTIFY.KEY_MISS],
  ["new", NOTIFY.NEW],
]);

/** The class bit of an event name, or undefined for a name the table does not know. */
export function notifyClassOf(event: string): number | undefined {
  return EVENT_CLASS.get(event);
}

/** Every event name the table knows (tests check each command's events against it). */
export function knownEvents(): string[] {
  return [...EVENT_CLASS.keys()];
}

/** Publishes keyspace notifications for one engine. */
export class KeyspaceNotifier {
  readonly #engine: Engine;
  #flags = 0;
  // Cached channel prefixes per database id: `__keyspace@0__:` and `__keyevent@0__:`.
  readonly #spacePrefix: string[] = [];
  readonly #eventPrefix: string[] = [];
  // Removes the modification listener; set only while notifications are on.
  #unhook: (() => void) | undefined;
  readonly #listener = (db: Db, key: string, event: string) => {
    if (event !== "") this.notify(db, key, event);
  };

  /** @param engine the engine whose modifications are published on its Pub/Sub hub */
  constructor(engine: Engine) {
    this.#engine = engine;
    this.#apply(engine.config.get("notify-keyspace-events"));
    engine.config.onChange("notify-keyspace-events", (v) => this.#apply(v));
  }

  /** The enabled class bits (0: off). */
  get flags(): number {
    return this.#flags;
  }

  #apply(value: string): void {
    const flags = parseNotifyFlags(value);
    this.#flags = flags;
    // Key misses and new keys are detected inside Db lookups; hook them only while wanted.
    const onMiss = (flags & NOTIFY.KEY_MISS) !== 0
      ? (db: Db, key: string) => this.notify(db, key, "keymiss")
      : undefined;
    const onNew = (flags & NOTIFY.NEW) !== 0 ? (db: Db, key: string) => this.notify(db, key, "new") : undefined;
    for (const db of this.#engine.dbs) {
      db.onMiss = onMiss;
      db.onNew = onNew;
    }
    // Writes pay for notifications only while they are on.
    if (flags !== 0) {
      this.#unhook ??= this.#engine.onKeyModified(this.#listener);
    } else if (this.#unhook !== undefined) {
      this.#unhook();
      this.#unhook = undefined;
    }
  }

  /** Publishes one event when its class is enabled (Valkey's `notifyKeyspaceEvent`). */
  notify(db: Db, key: string, event: string): void {
    const flags = this.#flags;
    const cls = EVENT_CLASS.get(event) ?? NOTIFY.GENERIC;
    if ((flags & cls) === 0) return;
    const hub = this.#engine.pubsub;
    const id = db.id;
    if ((flags & NOTIFY.KEYSPACE) !== 0) {
      const prefix = this.#spacePrefix[id] ??= `__keyspace@${id}__:`;
      hub.publish(prefix + key, event);
    }
    if ((flags & NOTIFY.KEYEVENT) !== 0) {
      const prefix = this.#eventPrefix[id] ??= `__keyevent@${id}__:`;
      hub.publish(prefix + event, key);
    }
  }
}
