/**
 * Hash commands (Valkey group `hash`).
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import { int64Arg } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Config } from "../config/config.ts";
import type { Value } from "../keyspace/db.ts";
import { parseScanCursor, parseScanOptions } from "../keyspace/scan.ts";
import {
  array,
  bulk,
  bulkOrNull,
  EMPTY_ARRAY,
  error,
  int,
  map,
  NULL,
  OK,
  pairs,
  type Reply,
  ReplyError,
} from "../protocol/reply.ts";
import { E, fmt, SYNTAX, wrongArity, WRONGTYPE } from "../protocol/errors.ts";
import { globMatch } from "../util/glob.ts";
import { parseInt64, parseLongDouble } from "../util/number.ts";
import { type HashLimits, HashValue } from "../types/hash.ts";

const EMPTY_MAP: Reply = Object.freeze(map([]));
const EMPTY_SCAN: Reply = Object.freeze(array([bulk("0"), EMPTY_ARRAY]));
const HASH_NOT_INTEGER: Reply = Object.freeze(error(E.HASH_NOT_INTEGER));
const HASH_NOT_FLOAT: Reply = Object.freeze(error(E.HASH_NOT_FLOAT));
const OVERFLOW: Reply = Object.freeze(error(E.OVERFLOW));
const INCR_NAN: Reply = Object.freeze(error(E.INCR_NAN));
/** LONG_MAX / 2: HRANDFIELD WITHVALUES refuses counts whose reply length would overflow. */
const HALF_LONG_MAX = 4611686018427387903n;
const LONG_MAX_TEXT = "9223372036854775807";

const LIMITS = new WeakMap<Config, HashLimits>();

/** The hash encoding thresholds of an engine, cached and refreshed on CONFIG SET. */
export function hashLimits(config: Config): HashLimits {
  let l = LIMITS.get(config);
  if (l === undefined) {
    const read = (): HashLimits => ({
      maxListpackEntries: config.num("hash-max-listpack-entries"),
      maxListpackValue: config.num("hash-max-listpack-value"),
    });
    l = read();
    LIMITS.set(config, l);
    const refresh = () => LIMITS.set(config, read());
    config.onChange("hash-max-listpack-entries", refresh);
    config.onChange("hash-max-listpack-value", refresh);
  }
  return l;
}

/** The hash in `v`, undefined for a missing key; null for another type. */
function asHash(v: Value | undefined): HashValue | undefined | null {
  if (v === undefined) return undefined;
  return v instanceof HashValue ? v : null;
}

/** The hash at `key` for a write, created (and stored) when missing; null for another type. */
function hashForWrite(ctx: CommandContext, key: string): HashValue | null {
  const v = ctx.db.lookupWrite(key, ctx.now);
  if (v === undefined) {
    const h = new HashValue();
    ctx.db.set(key, h, ctx.now);
    return h;
  }
  return v instanceof HashValue ? v : null;
}

function hashForRead(ctx: CommandContext, key: string): HashValue | undefined | null {
  return asHash(ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch));
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

/** HSET and HMSET: same work, different replies. */
function hsetGeneric(ctx: CommandContext, argv: readonly string[], isHmset: boolean): Reply {
  // Arity -4 admits a field without its value; Valkey reports that as an arity error.
  if (argv.length % 2 === 1) return wrongArity(ctx.command.fullName);
  const key = argv[1]!;
  const h = hashForWrite(ctx, key);
  if (h === null) return WRONGTYPE;
  const limits = hashLimits(ctx.engine.config);
  h.prepareWrite(argv, 2, argv.length - 1, limits);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    if (h.set(argv[i]!, argv[i + 1]!, limits)) created++;
  }
  ctx.touched(key, "hset");
  return isHmset ? OK : int(created);
}

function hset(ctx: CommandContext, argv: readonly string[]): Reply {
  return hsetGeneric(ctx, argv, false);
}

function hmset(ctx: CommandContext, argv: readonly string[]): Reply {
  return hsetGeneric(ctx, argv, true);
}

function hsetnx(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const h = hashForWrite(ctx, key);
  if (h === null) return WRONGTYPE;
  if (h.has(argv[2]!)) return int(0);
  const limits = hashLimits(ctx.engine.config);
  h.prepareWrite(argv, 2, 3, limits);
  h.set(argv[2]!, argv[3]!, limits);
  ctx.touched(key, "hset");
  return int(1);
}

function hdel(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const h = asHash(ctx.db.lookupWrite(key, ctx.now));
  if (h === undefined) return int(0);
  if (h === null) return WRONGTYPE;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(argv[i]!)) {
      deleted++;
      if (h.size === 0) {
        ctx.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    ctx.touched(key, "hdel");
    if (removed) ctx.touched(key, "del");
  }
  return int(deleted);
}

function hincrby(ctx: CommandContext, argv: readonly string[]): Reply {
  const incr = int64Arg(argv[3]!);
  const key = argv[1]!;
  const existing = asHash(ctx.db.lookupWrite(key, ctx.now));
  if (existing === null) return WRONGTYPE;
  const h = existing ?? new HashValue();
  const r = h.incrBy(argv[2]!, incr, hashLimits(ctx.engine.config));
  if (r.status === "notint") return HASH_NOT_INTEGER;
  if (r.status === "overflow") return OVERFLOW;
  if (existing === undefined) ctx.db.set(key, h, ctx.now);
  ctx.touched(key, "hincrby");
  return int(r.value);
}

function hincrbyfloat(ctx: CommandContext, argv: readonly string[]): Reply {
  const incrText = argv[3]!;
  const incr = parseLongDouble(incrText);
  if (incr === null) throw new ReplyError(E.NOT_FLOAT);
  if (incr.inf) throw new ReplyError(E.NAN_OR_INFINITY);
  const key = argv[1]!;
  const existing = asHash(ctx.db.lookupWrite(key, ctx.now));
  if (existing === null) return WRONGTYPE;
  const h = existing ?? new HashValue();
  const r = h.incrByFloat(argv[2]!, incrText, incr, hashLimits(ctx.engine.config));
  if (r.status === "notfloat") return HASH_NOT_FLOAT;
  if (r.status === "nan") return INCR_NAN;
  if (existing === undefined) ctx.db.set(key, h, ctx.now);
  ctx.touched(key, "hincrbyfloat");
  return bulk(r.value);
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

function hget(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return NULL;
  if (h === null) return WRONGTYPE;
  return bulkOrNull(h.get(argv[2]!));
}

function hmget(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === null) return WRONGTYPE;
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(h === undefined ? NULL : bulkOrNull(h.get(argv[i]!)));
  return array(out);
}

function hlen(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return int(0);
  if (h === null) return WRONGTYPE;
  return int(h.size);
}

function hstrlen(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return int(0);
  if (h === null) return WRONGTYPE;
  return int(h.valueLength(argv[2]!));
}

function hexists(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return int(0);
  if (h === null) return WRONGTYPE;
  return int(h.has(argv[2]!) ? 1 : 0);
}

function hkeys(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return EMPTY_ARRAY;
  if (h === null) return WRONGTYPE;
  const out: Reply[] = [];
  h.forEach((f) => out.push(bulk(f)));
  return array(out);
}

function hvals(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return EMPTY_ARRAY;
  if (h === null) return WRONGTYPE;
  const out: Reply[] = [];
  h.forEach((_f, v) => out.push(bulk(v)));
  return array(out);
}

function hgetall(ctx: CommandContext, argv: readonly string[]): Reply {
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return EMPTY_MAP;
  if (h === null) return WRONGTYPE;
  const out: (readonly [Reply, Reply])[] = [];
  h.forEach((f, v) => out.push([bulk(f), bulk(v)]));
  return map(out);
}

function hrandfield(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length === 2) {
    const h = hashForRead(ctx, argv[1]!);
    if (h === undefined) return NULL;
    if (h === null) return WRONGTYPE;
    return bulk(h.randomPair(ctx.engine.random)[0]);
  }
  const l = parseInt64(argv[2]!);
  if (l === null) throw new ReplyError(E.NOT_INTEGER);
  // Valkey reads the count as a long in [-LONG_MAX, LONG_MAX].
  if (BigInt(l) < -BigInt(LONG_MAX_TEXT)) throw new ReplyError(fmt(E.INT_RANGE, "-" + LONG_MAX_TEXT, LONG_MAX_TEXT));
  if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== "withvalues")) return SYNTAX;
  const withValues = argv.length === 4;
  if (withValues && (BigInt(l) < -HALF_LONG_MAX || BigInt(l) > HALF_LONG_MAX)) throw new ReplyError(E.OUT_OF_RANGE);
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return EMPTY_ARRAY;
  if (h === null) return WRONGTYPE;
  const unique = l >= 0;
  const count = unique ? Number(l) : -Number(l);
  if (count === 0) return EMPTY_ARRAY;
  // A unique sample never exceeds the hash, so a huge positive count costs nothing extra.
  const items = h.randomFields(unique ? Math.min(count, h.size) : count, unique, withValues, ctx.engine.random);
  if (!withValues) return array(items.map(bulk));
  // Valkey answers WITHVALUES with [field, value] pairs in RESP3 and a flat list in RESP2.
  const out: (readonly [Reply, Reply])[] = [];
  for (let i = 0; i < items.length; i += 2) out.push([bulk(items[i]!), bulk(items[i + 1]!)]);
  return pairs(out);
}

function hscan(ctx: CommandContext, argv: readonly string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) throw new ReplyError(E.INVALID_CURSOR);
  const h = hashForRead(ctx, argv[1]!);
  if (h === undefined) return EMPTY_SCAN;
  if (h === null) return WRONGTYPE;
  const { count, pattern, noValues } = parseScanOptions(argv, 3, "hscan");
  const out: Reply[] = [];
  // Valkey samples first and filters after, so MATCH never changes how far the cursor moves.
  const next = h.scan(cursor, count, (f, v) => {
    if (pattern !== undefined && !globMatch(pattern, f)) return;
    out.push(bulk(f));
    if (!noValues) out.push(bulk(v));
  });
  return array([bulk(String(next)), array(out)]);
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const RW_UPDATE = [rangeKey(1, 0, 1, "RW UPDATE")];
const RW_ACCESS_UPDATE = [rangeKey(1, 0, 1, "RW ACCESS UPDATE")];
const RO = [rangeKey(1, 0, 1, "RO")];
const RO_ACCESS = [rangeKey(1, 0, 1, "RO ACCESS")];
const ORDER_TIP = ["nondeterministic_output_order"];
const SCAN_COMPLEXITY =
  "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.";

/** The hash group's table rows. */
export const HASH_COMMANDS: readonly CommandSpec[] = [
  cmd("hdel", "hash", -3, "write fast", "hash", [rangeKey(1, 0, 1, "RW DELETE")], "2.0.0", hdel, {
    complexity: "O(N) where N is the number of fields to be removed.",
    summary: "Removes fields from a hash; the key goes away with its last field.",
  }),
  cmd("hexists", "hash", 3, "readonly fast", "hash", RO, "2.0.0", hexists, {
    complexity: "O(1)",
    summary: "Tells whether a hash has a field.",
  }),
  cmd("hget", "hash", 3, "readonly fast", "hash", RO_ACCESS, "2.0.0", hget, {
    complexity: "O(1)",
    summary: "Returns the value of one field of a hash.",
  }),
  cmd("hgetall", "hash", 2, "readonly", "hash", RO_ACCESS, "2.0.0", hgetall, {
    tips: ORDER_TIP,
    complexity: "O(N) where N is the size of the hash.",
    summary: "Returns every field and value of a hash.",
  }),
  cmd("hincrby", "hash", 4, "write denyoom fast", "hash", RW_ACCESS_UPDATE, "2.0.0", hincrby, {
    complexity: "O(1)",
    summary: "Adds an integer to the integer stored in a hash field.",
  }),
  cmd("hincrbyfloat", "hash", 4, "write denyoom fast", "hash", RW_ACCESS_UPDATE, "2.6.0", hincrbyfloat, {
    complexity: "O(1)",
    summary: "Adds a floating point amount to the number stored in a hash field.",
  }),
  cmd("hkeys", "hash", 2, "readonly", "hash", RO_ACCESS, "2.0.0", hkeys, {
    tips: ORDER_TIP,
    complexity: "O(N) where N is the size of the hash.",
    summary: "Returns the field names of a hash.",
  }),
  cmd("hlen", "hash", 2, "readonly fast", "hash", RO, "2.0.0", hlen, {
    complexity: "O(1)",
    summary: "Returns how many fields a hash has.",
  }),
  cmd("hmget", "hash", -3, "readonly fast", "hash", RO_ACCESS, "2.0.0", hmget, {
    complexity: "O(N) where N is the number of fields being requested.",
    summary: "Returns the values of several hash fields, null for missing ones.",
  }),
  cmd("hmset", "hash", -4, "write denyoom fast", "hash", RW_UPDATE, "2.0.0", hmset, {
    complexity: "O(N) where N is the number of fields being set.",
    summary: "Sets several hash fields and replies OK (superseded by HSET).",
  }),
  cmd("hrandfield", "hash", -2, "readonly", "hash", RO_ACCESS, "6.2.0", hrandfield, {
    tips: ["nondeterministic_output"],
    complexity: "O(N) where N is the number of fields returned",
    summary: "Returns random fields of a hash, optionally with their values.",
  }),
  cmd("hscan", "hash", -3, "readonly", "hash", RO_ACCESS, "2.8.0", hscan, {
    tips: ["nondeterministic_output"],
    complexity: SCAN_COMPLEXITY,
    summary: "Iterates over the fields and values of a hash with a cursor.",
  }),
  cmd("hset", "hash", -4, "write denyoom fast", "hash", RW_UPDATE, "2.0.0", hset, {
    complexity:
      "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
    summary: "Sets hash fields and replies with how many were new.",
  }),
  cmd("hsetnx", "hash", 4, "write denyoom fast", "hash", [rangeKey(1, 0, 1, "RW INSERT")], "2.0.0", hsetnx, {
    complexity: "O(1)",
    summary: "Sets a hash field only when it does not exist yet.",
  }),
  cmd("hstrlen", "hash", 3, "readonly fast", "hash", RO, "3.2.0", hstrlen, {
    complexity: "O(1)",
    summary: "Returns the byte length of the value of a hash field.",
  }),
  cmd("hvals", "hash", 2, "readonly", "hash", RO_ACCESS, "2.0.0", hvals, {
    tips: ORDER_TIP,
    complexity: "O(N) where N is the size of the hash.",
    summary: "Returns the values of a hash.",
  }),
];
