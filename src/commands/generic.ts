/**
 * Generic keyspace commands (Valkey group `generic`): DEL, UNLINK, EXISTS, TYPE, RENAME,
 * RENAMENX, COPY, KEYS, SCAN, RANDOMKEY, TOUCH, the EXPIRE and TTL families, PERSIST and
 * OBJECT. MOVE lives with the other database commands in databases.ts.
 *
 * @module
 */
import { type Blocked, cmd, type CommandSpec, rangeKey } from "./spec.ts";
import { parseMsTimeout, positiveLong, rangeLong } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import { array, bulk, error, int, NULL, OK, type Reply, ReplyError, simple } from "../protocol/reply.ts";
import { E, fmt } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { globMatch } from "../util/glob.ts";
import {
  isLfuPolicy,
  lfuDecrAndReturn,
  lruIdleSeconds,
  type ObjectValue,
  type TypeName,
  typeOf,
  type Value,
} from "../keyspace/db.ts";
import { parseScanCursor, parseScanOptions } from "../keyspace/scan.ts";
import { dbByIndex, int32Arg } from "./databases.ts";
import { cloneStringValue, isStringValue, stringEncoding } from "../types/string.ts";

const TYPE_REPLIES: Readonly<Record<TypeName | "none", Reply>> = Object.freeze({
  string: simple("string"),
  list: simple("list"),
  hash: simple("hash"),
  set: simple("set"),
  zset: simple("zset"),
  stream: simple("stream"),
  none: simple("none"),
});

// ---------------------------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH

function del(ctx: CommandContext, argv: readonly string[]): Reply {
  const db = ctx.db;
  const now = ctx.now;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i]!;
    // An expired key is reclaimed as an expiry (its own event), not counted as deleted.
    if (db.peek(key, now) === undefined) continue;
    db.delete(key);
    ctx.touched(key, "del");
    n++;
  }
  return int(n);
}

function exists(ctx: CommandContext, argv: readonly string[]): Reply {
  const db = ctx.db;
  let n = 0;
  // Each argument counts on its own, so `EXISTS k k` answers 2 for one key.
  for (let i = 1; i < argv.length; i++) {
    if (db.lookupRead(argv[i]!, ctx.now, true) !== undefined) n++;
  }
  return int(n);
}

function type(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, true);
  return TYPE_REPLIES[v === undefined ? "none" : typeOf(v)];
}

function touch(ctx: CommandContext, argv: readonly string[]): Reply {
  const db = ctx.db;
  let n = 0;
  // TOUCH records the access even for a CLIENT NO-TOUCH client: that is its whole purpose.
  for (let i = 1; i < argv.length; i++) {
    if (db.lookupRead(argv[i]!, ctx.now, false) !== undefined) n++;
  }
  return int(n);
}

// ---------------------------------------------------------------------------------------------
// RENAME, RENAMENX, COPY

function renameGeneric(ctx: CommandContext, argv: readonly string[], nx: boolean): Reply {
  const src = argv[1]!;
  const dst = argv[2]!;
  const db = ctx.db;
  const now = ctx.now;
  const value = db.lookupWrite(src, now, ctx.session.noTouch);
  if (value === undefined) throw new ReplyError(E.NO_SUCH_KEY);
  if (src === dst) return nx ? int(0) : OK;
  const expire = db.getExpireExact(src);
  if (db.lookupWrite(dst, now, ctx.session.noTouch) !== undefined) {
    if (nx) return int(0);
    db.delete(dst);
  }
  db.delete(src);
  db.set(dst, value, now);
  // The TTL travels with the value; a TTL the destination had is gone with its old value.
  if (expire !== undefined) db.setExpire(dst, expire);
  // One change for Valkey's dirty counter, two keyspace events.
  ctx.touched(src, "rename_from");
  ctx.notify(dst, "rename_to");
  return nx ? int(1) : OK;
}

function rename(ctx: CommandContext, argv: readonly string[]): Reply {
  return renameGeneric(ctx, argv, false);
}

function renamenx(ctx: CommandContext, argv: readonly string[]): Reply {
  return renameGeneric(ctx, argv, true);
}

/**
 * A deep copy for COPY. Bare strings are immutable and shared; byte arrays are copied because
 * commands mutate them in place; other types must implement `clone()` (see {@link ObjectValue}).
 * @throws {Error} when an object type does not implement `clone()` (a bug in that type)
 */
export function cloneValue(v: Value): Value {
  if (isStringValue(v)) return cloneStringValue(v);
  const obj: ObjectValue = v;
  if (typeof obj.clone !== "function") {
    throw new Error(`Cannot copy a value of type "${obj.type}": the type does not implement clone()`);
  }
  return obj.clone();
}

function copy(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const newkey = argv[2]!;
  const src = ctx.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === "replace") {
      replace = true;
    } else if (opt === "db" && j + 1 < argv.length) {
      // Valkey validates the index while parsing, so a bad DB fails before anything else.
      dst = dbByIndex(ctx, int32Arg(argv[++j]!));
    } else {
      throw new ReplyError(E.SYNTAX);
    }
  }
  if (src === dst && key === newkey) throw new ReplyError(E.SAME_OBJECT);
  const now = ctx.now;
  const value = src.lookupRead(key, now, ctx.session.noTouch);
  if (value === undefined) return int(0);
  const expire = src.getExpireExact(key);
  if (dst.lookupWrite(newkey, now, ctx.session.noTouch) !== undefined) {
    if (!replace) return int(0);
    dst.delete(newkey);
  }
  dst.set(newkey, cloneValue(value), now);
  if (expire !== undefined) dst.setExpire(newkey, expire);
  ctx.touchedIn(dst, newkey, "copy_to");
  return int(1);
}

// ---------------------------------------------------------------------------------------------
// KEYS, SCAN, RANDOMKEY

function keys(ctx: CommandContext, argv: readonly string[]): Reply {
  const pattern = argv[1]!;
  // `*` bypasses the matcher, as in Valkey: the matcher itself never matches an empty key.
  const all = pattern === "*";
  const db = ctx.db;
  const now = ctx.now;
  const out: Reply[] = [];
  for (const key of db.keys()) {
    // KEYS hides expired keys without reclaiming them.
    if ((all || globMatch(pattern, key)) && !db.isExpired(key, now)) out.push(bulk(key));
  }
  return array(out);
}

function scan(ctx: CommandContext, argv: readonly string[]): Reply {
  const cursor = parseScanCursor(argv[1]!);
  if (cursor === null) throw new ReplyError(E.INVALID_CURSOR);
  const opts = parseScanOptions(argv, 2, "scan");
  const db = ctx.db;
  const now = ctx.now;
  const out: Reply[] = [];
  let expired: string[] | undefined;
  const { pattern, type: wanted } = opts;
  const next = db.scan(cursor, opts.count, (key, value) => {
    // Valkey's order: TYPE, then MATCH, then expiry. A key filtered out earlier is not
    // reclaimed even when expired (Valkey 8 moved TYPE before the expiry check).
    if (wanted !== undefined && typeOf(value) !== wanted) return;
    if (pattern !== undefined && !globMatch(pattern, key)) return;
    if (db.isExpired(key, now)) {
      (expired ??= []).push(key);
      return;
    }
    out.push(bulk(key));
  });
  // Reclaimed only after the walk: deleting inside it could compact the slots under it.
  if (expired !== undefined) { for (const key of expired) db.expireIfNeeded(key, now); }
  return array([bulk(String(next)), array(out)]);
}

function randomkey(ctx: CommandContext): Reply {
  const key = ctx.db.randomKey(ctx.now, ctx.engine.random);
  return key === undefined ? NULL : bulk(key);
}

// ---------------------------------------------------------------------------------------------
// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * The absolute expiry time in ms of an EXPIRE-family argument, with Valkey's overflow checks
 * (`when` past LLONG_MAX/1000 in seconds, or past LLONG_MAX once the base time is added).
 * @param raw the parsed int64 argument
 * @param unitMs 1000 for seconds, 1 for milliseconds
 * @param base the current time for relative forms, 0 for the *AT forms
 * @returns the time (a bigint only past 2^53), or null on overflow
 */
export function expireTime(raw: number | bigint, unitMs: number, base: number): number | bigint | null {
  // Fast path: |raw| <= 1e12 keeps every intermediate below 2^53.
  if (typeof raw === "number" && raw <= 1e12 && raw >= -1e12) return raw * unitMs + base;
  let when = BigInt(raw);
  if (unitMs === 1000) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return null;
    when *= 1000n;
  }
  const b = BigInt(base);
  if (when > LLONG_MAX - b) return null;
  when += b;
  return when <= SAFE_MAX && when >= SAFE_MIN ? Number(when) : when;
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** Parses the NX/XX/GT/LT flags of the EXPIRE family from argv[3] on. */
function expireFlags(argv: readonly string[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === "nx") flags |= EXPIRE_NX;
    else if (opt === "xx") flags |= EXPIRE_XX;
    else if (opt === "gt") flags |= EXPIRE_GT;
    else if (opt === "lt") flags |= EXPIRE_LT;
    else throw new ReplyError(fmt(E.UNSUPPORTED_OPTION, argv[j]!));
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    throw new ReplyError(E.EXPIRE_NX_CONFLICT);
  }
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) throw new ReplyError(E.EXPIRE_GT_LT);
  return flags;
}

function expireGeneric(ctx: CommandContext, argv: readonly string[], unitMs: number, relative: boolean): Reply {
  const key = argv[1]!;
  // Valkey checks the flags before the time argument, so `EXPIRE k abc NX XX` names the flags.
  const flags = expireFlags(argv);
  const raw = parseInt64(argv[2]!);
  if (raw === null) throw new ReplyError(E.NOT_INTEGER);
  const now = ctx.now;
  let when = expireTime(raw, unitMs, relative ? now : 0);
  if (when === null) throw new ReplyError(fmt(E.INVALID_EXPIRE, ctx.command.fullName));
  // A negative time means "already expired"; clamping keeps the stored value sane (Valkey 8.1).
  if (when < 0) when = 0;
  const db = ctx.db;
  if (db.lookupWrite(key, now, ctx.session.noTouch) === undefined) return int(0);
  if (flags !== 0) {
    const current = db.getExpireExact(key);
    if ((flags & EXPIRE_NX) !== 0 && current !== undefined) return int(0);
    if ((flags & EXPIRE_XX) !== 0 && current === undefined) return int(0);
    // A key without a TTL counts as an infinite TTL: GT never passes, LT always does.
    if ((flags & EXPIRE_GT) !== 0 && (current === undefined || when <= current)) return int(0);
    if ((flags & EXPIRE_LT) !== 0 && current !== undefined && when >= current) return int(0);
  }
  if (when <= now) {
    // A time in the past deletes the key. Valkey 8.1 reports this as an expiry (`expired`
    // event, `expired_keys` stat); Redis 7.0 and Valkey 8.0 sent `del` without the stat.
    db.removeExpired(key);
    ctx.touched(key, "expired");
    return int(1);
  }
  db.setExpire(key, when);
  ctx.touched(key, "expire");
  return int(1);
}

function expire(ctx: CommandContext, argv: readonly string[]): Reply {
  return expireGeneric(ctx, argv, 1000, true);
}

function pexpire(ctx: CommandContext, argv: readonly string[]): Reply {
  return expireGeneric(ctx, argv, 1, true);
}

function expireat(ctx: CommandContext, argv: readonly string[]): Reply {
  return expireGeneric(ctx, argv, 1000, false);
}

function pexpireat(ctx: CommandContext, argv: readonly string[]): Reply {
  return expireGeneric(ctx, argv, 1, false);
}

function ttlGeneric(ctx: CommandContext, argv: readonly string[], ms: boolean, absolute: boolean): Reply {
  const key = argv[1]!;
  const db = ctx.db;
  if (db.lookupRead(key, ctx.now, true) === undefined) return int(-2);
  const at = db.getExpireExact(key);
  if (at === undefined) return int(-1);
  if (typeof at === "number") {
    let ttl = absolute ? at : at - ctx.now;
    if (ttl < 0) ttl = 0;
    // Seconds are rounded to the nearest, as Valkey's (ttl + 500) / 1000.
    return int(ms ? ttl : Math.floor((ttl + 500) / 1000));
  }
  let ttl = absolute ? at : at - BigInt(ctx.now);
  if (ttl < 0n) ttl = 0n;
  return int(ms ? ttl : (ttl + 500n) / 1000n);
}

function ttl(ctx: CommandContext, argv: readonly string[]): Reply {
  return ttlGeneric(ctx, argv, false, false);
}

function pttl(ctx: CommandContext, argv: readonly string[]): Reply {
  return ttlGeneric(ctx, argv, true, false);
}

function expiretime(ctx: CommandContext, argv: readonly string[]): Reply {
  return ttlGeneric(ctx, argv, false, true);
}

function pexpiretime(ctx: CommandContext, argv: readonly string[]): Reply {
  return ttlGeneric(ctx, argv, true, true);
}

function persist(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const db = ctx.db;
  if (db.lookupWrite(key, ctx.now, ctx.session.noTouch) === undefined) return int(0);
  if (!db.persist(key)) return int(0);
  ctx.touched(key, "persist");
  return int(1);
}

// ---------------------------------------------------------------------------------------------
// OBJECT

/** What OBJECT ENCODING reports for an object type that does not implement `encoding()`. */
const DEFAULT_ENCODINGS: Readonly<Record<Exclude<TypeName, "string">, string>> = {
  list: "quicklist",
  hash: "hashtable",
  set: "hashtable",
  zset: "skiplist",
  stream: "stream",
};

/** OBJECT subcommands look keys up without touching them and answer null for a missing one. */
function objectLookup(ctx: CommandContext, argv: readonly string[]): Value | undefined {
  return ctx.db.lookupRead(argv[2]!, ctx.now, true);
}

function objectEncoding(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = objectLookup(ctx, argv);
  if (v === undefined) return NULL;
  if (isStringValue(v)) return bulk(stringEncoding(v));
  return bulk(v.encoding?.() ?? DEFAULT_ENCODINGS[v.type]);
}

function objectFreq(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = objectLookup(ctx, argv);
  if (v === undefined) return NULL;
  const config = ctx.engine.config;
  if (!isLfuPolicy(config.get("maxmemory-policy"))) throw new ReplyError(E.LFU_NOT_SELECTED);
  // Decay is applied on read too: a key nobody touched for a while reports its decayed count.
  const word = ctx.db.accessWord(argv[2]!) ?? 0;
  return int(lfuDecrAndReturn(word, ctx.now, config.num("lfu-decay-time")));
}

function objectIdletime(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = objectLookup(ctx, argv);
  if (v === undefined) return NULL;
  if (isLfuPolicy(ctx.engine.config.get("maxmemory-policy"))) throw new ReplyError(E.LFU_SELECTED);
  return int(lruIdleSeconds(ctx.db.accessWord(argv[2]!) ?? 0, ctx.now));
}

/** Valkey's OBJ_SHARED_REFCOUNT (INT_MAX), reported for the shared small integers. */
const SHARED_REFCOUNT = 2147483647;
/** Valkey shares integer objects 0..9999 (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000;

function objectRefcount(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = objectLookup(ctx, argv);
  if (v === undefined) return NULL;
  return int(isSharedInteger(ctx, v) ? SHARED_REFCOUNT : 1);
}

/**
 * Whether Valkey would store this value as one of its shared integers: an int-encoded string
 * in 0..9999, unless maxmemory is set with an LRU/LFU policy (per-key access data cannot live
 * in a shared object).
 */
function isSharedInteger(ctx: CommandContext, v: Value): boolean {
  if (typeof v !== "string" || stringEncoding(v) !== "int") return false;
  const n = Number(v);
  if (n < 0 || n >= SHARED_INTEGERS) return false;
  const config = ctx.engine.config;
  const policy = config.get("maxmemory-policy");
  return config.num("maxmemory") === 0 || !(policy.endsWith("-lru") || policy.endsWith("-lfu"));
}

const OBJECT_HELP: Reply = Object.freeze(
  array(
    [
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the internal representation used to store the value of <key>.",
      "FREQ <key>",
      "    Return the logarithmic access frequency counter of <key> (LFU policies only).",
      "IDLETIME <key>",
      "    Return the seconds elapsed since <key> was last read or written (LRU policies",
      "    only).",
      "REFCOUNT <key>",
      "    Return the number of references to the value stored at <key>.",
      "HELP",
      "    Print this help.",
    ].map(simple),
  ),
);

function objectHelp(): Reply {
  return OBJECT_HELP;
}

// ---------------------------------------------------------------------------------------------
// WAIT, WAITAOF
// ---------------------------------------------------------------------------------------------

const ZERO_ACKS = int(0);
const ZERO_AOF_ACKS: Reply = array([int(0), int(0)]);

/** Parks the client until `timeoutMs` (0: forever) passes, then answers `reply`. */
function waitOut(timeoutMs: number, reply: Reply): Blocked {
  return { t: "blocked", keys: [], timeoutMs, retry: () => undefined, timeoutReply: reply };
}

/**
 * WAIT numreplicas timeout. Kite has no replicas, so no replica ever acknowledges a write. As on a
 * Valkey primary without replicas: asking for none answers 0 at once; asking for more parks the
 * client for the timeout (0: until CLIENT UNBLOCK or disconnect), then answers 0. Inside MULTI
 * or a script the answer is 0 at once.
 */
function wait(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  const n = parseInt64(argv[1]!);
  if (n === null) return error(E.NOT_INTEGER);
  const timeoutMs = parseMsTimeout(argv[2]!, ctx.now);
  return n <= 0 ? ZERO_ACKS : waitOut(timeoutMs, ZERO_ACKS);
}

/**
 * WAITAOF numlocal numreplicas timeout, with Valkey's argument checks in its order. Kite keeps no
 * append-only file, so a local fsync cannot be asked for; with no replicas either, the answer
 * is [0, 0], at once when no replica is asked for and after the timeout otherwise (as WAIT).
 */
function waitaof(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  const numlocal = rangeLong(argv[1]!, 0n, 1n);
  const numreplicas = positiveLong(argv[2]!);
  const timeoutMs = parseMsTimeout(argv[3]!, ctx.now);
  if (numlocal > 0) return error(E.WAITAOF_NO_AOF);
  return numreplicas === 0 ? ZERO_AOF_ACKS : waitOut(timeoutMs, ZERO_AOF_ACKS);
}

// ---------------------------------------------------------------------------------------------
// Table

const MULTI_SHARD_SUM = ["request_policy:multi_shard", "response_policy:agg_sum"];
const KEY1_RW_UPDATE = [rangeKey(1, 0, 1, "RW UPDATE")];
const KEY1_RO_ACCESS = [rangeKey(1, 0, 1, "RO ACCESS")];
const OBJECT_KEY = [rangeKey(2, 0, 1, "RO")];
const ND = ["nondeterministic_output"];

/** The generic group's table rows. */
export const GENERIC_COMMANDS: readonly CommandSpec[] = [
  cmd("del", "generic", -2, "write", "keyspace", [rangeKey(1, -1, 1, "RM DELETE")], "1.0.0", del, {
    tips: MULTI_SHARD_SUM,
    complexity:
      "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
    summary: "Deletes keys and returns how many existed.",
  }),
  cmd("unlink", "generic", -2, "write fast", "keyspace", [rangeKey(1, -1, 1, "RM DELETE")], "4.0.0", del, {
    tips: MULTI_SHARD_SUM,
    complexity:
      "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
    summary: "Deletes keys, leaving the memory to be reclaimed in the background.",
  }),
  cmd("exists", "generic", -2, "readonly fast", "keyspace", [rangeKey(1, -1, 1, "RO")], "1.0.0", exists, {
    tips: MULTI_SHARD_SUM,
    complexity: "O(N) where N is the number of keys to check.",
    summary: "Counts how many of the given keys exist, repeats included.",
  }),
  cmd("type", "generic", 2, "readonly fast", "keyspace", [rangeKey(1, 0, 1, "RO")], "1.0.0", type, {
    complexity: "O(1)",
    summary: "Returns the data type of the value at a key.",
  }),
  cmd(
    "rename",
    "generic",
    3,
    "write",
    "keyspace",
    [rangeKey(1, 0, 1, "RW ACCESS DELETE"), rangeKey(2, 0, 1, "OW UPDATE")],
    "1.0.0",
    rename,
    { complexity: "O(1)", summary: "Renames a key, replacing any key that had the new name." },
  ),
  cmd(
    "renamenx",
    "generic",
    3,
    "write fast",
    "keyspace",
    [rangeKey(1, 0, 1, "RW ACCESS DELETE"), rangeKey(2, 0, 1, "OW INSERT")],
    "1.0.0",
    renamenx,
    { complexity: "O(1)", summary: "Renames a key only when the new name is free." },
  ),
  cmd(
    "copy",
    "generic",
    -3,
    "write denyoom",
    "keyspace",
    [rangeKey(1, 0, 1, "RO ACCESS"), rangeKey(2, 0, 1, "OW UPDATE")],
    "6.2.0",
    copy,
    {
      complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
      summary: "Copies the value and TTL of a key to another key, optionally in another database.",
    },
  ),
  cmd("keys", "generic", 2, "readonly", "keyspace dangerous", [], "1.0.0", keys, {
    tips: ["request_policy:all_shards", "nondeterministic_output_order"],
    complexity:
      "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
    summary: "Lists every key matching a glob pattern.",
  }),
  cmd("scan", "generic", -2, "readonly touches_arbitrary_keys", "keyspace", [], "2.8.0", scan, {
    tips: ["nondeterministic_output", "request_policy:special", "response_policy:special"],
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    summary: "Iterates over the keys of the database with a cursor.",
  }),
  cmd("randomkey", "generic", 1, "readonly touches_arbitrary_keys", "keyspace", [], "1.0.0", randomkey, {
    tips: ["request_policy:all_shards", "response_policy:special", "nondeterministic_output"],
    complexity: "O(1)",
    summary: "Returns a random key name.",
  }),
  cmd("wait", "generic", 3, "blocking", "connection", [], "3.0.0", wait, {
    tips: ["request_policy:all_shards", "response_policy:agg_min"],
    complexity: "O(1)",
    summary:
      "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.",
  }),
  cmd("waitaof", "generic", 4, "blocking", "connection", [], "7.2.0", waitaof, {
    tips: ["request_policy:all_shards", "response_policy:agg_min"],
    complexity: "O(1)",
    summary:
      "Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the primary and/or replicas.",
  }),
  cmd("touch", "generic", -2, "readonly fast", "keyspace", [rangeKey(1, -1, 1, "RO")], "3.2.1", touch, {
    tips: MULTI_SHARD_SUM,
    complexity: "O(N) where N is the number of keys that will be touched.",
    summary: "Records an access to keys and counts those that exist.",
  }),
  cmd("expire", "generic", -3, "write fast", "keyspace", KEY1_RW_UPDATE, "1.0.0", expire, {
    complexity: "O(1)",
    summary: "Sets a key's time to live in seconds.",
  }),
  cmd("pexpire", "generic", -3, "write fast", "keyspace", KEY1_RW_UPDATE, "2.6.0", pexpire, {
    complexity: "O(1)",
    summary: "Sets a key's time to live in milliseconds.",
  }),
  cmd("expireat", "generic", -3, "write fast", "keyspace", KEY1_RW_UPDATE, "1.2.0", expireat, {
    complexity: "O(1)",
    summary: "Sets a key's expiry as a Unix time in seconds.",
  }),
  cmd("pexpireat", "generic", -3, "write fast", "keyspace", KEY1_RW_UPDATE, "2.6.0", pexpireat, {
    complexity: "O(1)",
    summary: "Sets a key's expiry as a Unix time in milliseconds.",
  }),
  cmd("ttl", "generic", 2, "readonly fast", "keyspace", KEY1_RO_ACCESS, "1.0.0", ttl, {
    tips: ND,
    complexity: "O(1)",
    summary: "Returns a key's remaining time to live in seconds.",
  }),
  cmd("pttl", "generic", 2, "readonly fast", "keyspace", KEY1_RO_ACCESS, "2.6.0", pttl, {
    tips: ND,
    complexity: "O(1)",
    summary: "Returns a key's remaining time to live in milliseconds.",
  }),
  cmd("expiretime", "generic", 2, "readonly fast", "keyspace", KEY1_RO_ACCESS, "7.0.0", expiretime, {
    complexity: "O(1)",
    summary: "Returns a key's expiry as a Unix time in seconds.",
  }),
  cmd("pexpiretime", "generic", 2, "readonly fast", "keyspace", KEY1_RO_ACCESS, "7.0.0", pexpiretime, {
    complexity: "O(1)",
    summary: "Returns a key's expiry as a Unix time in milliseconds.",
  }),
  cmd("persist", "generic", 2, "write fast", "keyspace", KEY1_RW_UPDATE, "2.2.0", persist, {
    complexity: "O(1)",
    summary: "Removes a key's expiry.",
  }),
  cmd("object", "generic", -2, "", "", [], "2.2.3", undefined, {
    complexity: "Depends on subcommand.",
    summary: "A container for commands that inspect the internals of a key.",
    subcommands: [
      cmd("encoding", "generic", 3, "readonly", "keyspace", OBJECT_KEY, "2.2.3", objectEncoding, {
        tips: ND,
        complexity: "O(1)",
        summary: "Returns the internal encoding of the value at a key.",
      }),
      cmd("freq", "generic", 3, "readonly", "keyspace", OBJECT_KEY, "4.0.0", objectFreq, {
        tips: ND,
        complexity: "O(1)",
        summary: "Returns the LFU access frequency counter of a key.",
      }),
      cmd("help", "generic", 2, "loading stale", "keyspace", [], "6.2.0", objectHelp, {
        complexity: "O(1)",
        summary: "Describes the OBJECT subcommands.",
      }),
      cmd("idletime", "generic", 3, "readonly", "keyspace", OBJECT_KEY, "2.2.3", objectIdletime, {
        tips: ND,
        complexity: "O(1)",
        summary: "Returns the seconds since a key was last accessed.",
      }),
      cmd("refcount", "generic", 3, "readonly", "keyspace", OBJECT_KEY, "2.2.3", objectRefcount, {
        tips: ND,
        complexity: "O(1)",
        summary: "Returns the reference count of the value at a key.",
      }),
    ],
  }),
];
