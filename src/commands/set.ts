/**
 * Set commands (Valkey group `set`).
 *
 * @module
 */
import { cmd, type CommandSpec, keynumKey, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Config } from "../config/config.ts";
import type { Value } from "../keyspace/db.ts";
import { parseScanCursor, parseScanOptions } from "../keyspace/scan.ts";
import { array, bulk, EMPTY_ARRAY, int, NULL, type Reply, ReplyError, set as setReply } from "../protocol/reply.ts";
import { E, fmt, SYNTAX, WRONGTYPE } from "../protocol/errors.ts";
import { globMatch } from "../util/glob.ts";
import { parseInt64 } from "../util/number.ts";
import {
  difference,
  intersect,
  intersectStore,
  type SetLimits,
  type SetOperands,
  SetValue,
  union,
} from "../types/set.ts";

const EMPTY_SET: Reply = Object.freeze(setReply([]));
const EMPTY_SCAN: Reply = Object.freeze(array([bulk("0"), EMPTY_ARRAY]));
const LONG_MAX = 9223372036854775807n;

const LIMITS = new WeakMap<Config, SetLimits>();

/** The set encoding thresholds of an engine, cached and refreshed on CONFIG SET. */
export function setLimits(config: Config): SetLimits {
  let l = LIMITS.get(config);
  if (l === undefined) {
    const read = (): SetLimits => ({
      maxIntsetEntries: config.num("set-max-intset-entries"),
      maxListpackEntries: config.num("set-max-listpack-entries"),
      maxListpackValue: config.num("set-max-listpack-value"),
    });
    l = read();
    LIMITS.set(config, l);
    const refresh = () => LIMITS.set(config, read());
    config.onChange("set-max-intset-entries", refresh);
    config.onChange("set-max-listpack-entries", refresh);
    config.onChange("set-max-listpack-value", refresh);
  }
  return l;
}

/** The set in `v`, undefined for a missing key; null for another type. */
function asSet(v: Value | undefined): SetValue | undefined | null {
  if (v === undefined) return undefined;
  return v instanceof SetValue ? v : null;
}

function setForRead(ctx: CommandContext, key: string): SetValue | undefined | null {
  return asSet(ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch));
}

function setForWrite(ctx: CommandContext, key: string): SetValue | undefined | null {
  return asSet(ctx.db.lookupWrite(key, ctx.now));
}

function bulks(members: readonly string[]): Reply[] {
  const out: Reply[] = new Array(members.length);
  for (let i = 0; i < members.length; i++) out[i] = bulk(members[i]!);
  return out;
}

/**
 * Looks up the operands of a multi-key set command (read lookups, as Valkey does even for the
 * STORE forms). @returns the sets, missing keys as undefined; null when one is another type
 */
function operands(ctx: CommandContext, keys: readonly string[], from: number, to: number): SetOperands | null {
  const out: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) {
    const s = setForRead(ctx, keys[i]!);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** Stores a STORE command's result, or deletes the destination when the result is empty. */
function storeResult(ctx: CommandContext, dst: string, result: SetValue, event: string): Reply {
  if (result.size > 0) {
    ctx.db.set(dst, result, ctx.now);
    ctx.touched(dst, event);
    return int(result.size);
  }
  if (ctx.db.delete(dst)) ctx.touched(dst, "del");
  return int(0);
}

// ---------------------------------------------------------------------------------------------
// Single-key writes
// ---------------------------------------------------------------------------------------------

function sadd(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const limits = setLimits(ctx.engine.config);
  let s = setForWrite(ctx, key);
  if (s === null) return WRONGTYPE;
  const hint = argv.length - 2;
  if (s === undefined) {
    s = SetValue.create(argv[2]!, hint, limits);
    ctx.db.set(key, s, ctx.now);
  } else {
    s.reserve(hint, limits);
  }
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i]!, limits)) added++;
  if (added > 0) ctx.touched(key, "sadd");
  return int(added);
}

function srem(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const s = setForWrite(ctx, key);
  if (s === undefined) return int(0);
  if (s === null) return WRONGTYPE;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (s.remove(argv[i]!)) {
      deleted++;
      if (s.size === 0) {
        ctx.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    ctx.touched(key, "srem");
    if (removed) ctx.touched(key, "del");
  }
  return int(deleted);
}

function smove(ctx: CommandContext, argv: readonly string[]): Reply {
  const srcKey = argv[1]!;
  const dstKey = argv[2]!;
  const member = argv[3]!;
  const src = setForWrite(ctx, srcKey);
  const dst = setForWrite(ctx, dstKey);
  // A missing source answers 0 before the destination's type is looked at, as in Valkey.
  if (src === undefined) return int(0);
  if (src === null || dst === null) return WRONGTYPE;
  if (src === dst) return int(src.has(member) ? 1 : 0);
  if (!src.remove(member)) return int(0);
  ctx.touched(srcKey, "srem");
  if (src.size === 0) {
    ctx.db.delete(srcKey);
    ctx.touched(srcKey, "del");
  }
  const limits = setLimits(ctx.engine.config);
  let target = dst;
  if (target === undefined) {
    target = SetValue.create(member, 1, limits);
    ctx.db.set(dstKey, target, ctx.now);
  }
  if (target.add(member, limits)) ctx.touched(dstKey, "sadd");
  return int(1);
}

function spop(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length === 3) return spopCount(ctx, argv);
  if (argv.length > 3) return SYNTAX;
  const key = argv[1]!;
  const s = setForWrite(ctx, key);
  if (s === undefined) return NULL;
  if (s === null) return WRONGTYPE;
  const m = s.pop(ctx.engine.random);
  ctx.touched(key, "spop");
  if (s.size === 0) {
    ctx.db.delete(key);
    ctx.touched(key, "del");
  }
  return bulk(m);
}

function spopCount(ctx: CommandContext, argv: readonly string[]): Reply {
  const l = parseInt64(argv[2]!);
  // Valkey reads the count with getPositiveLong, whose one message covers non-numbers too.
  if (l === null || l < 0) throw new ReplyError(E.OUT_OF_RANGE_POSITIVE);
  const key = argv[1]!;
  const s = setForWrite(ctx, key);
  if (s === undefined) return EMPTY_SET;
  if (s === null) return WRONGTYPE;
  const count = Number(l);
  if (count === 0) return EMPTY_SET;
  const limits = setLimits(ctx.engine.config);
  ctx.touched(key, "spop");
  if (count >= s.size) {
    // Valkey answers with SUNION of the one set, so the order is the union's.
    const all = union([s], limits).toArray();
    ctx.db.delete(key);
    ctx.touched(key, "del");
    return setReply(bulks(all));
  }
  return setReply(bulks(s.popMany(count, ctx.engine.random, limits)));
}

// ---------------------------------------------------------------------------------------------
// Single-key reads
// ---------------------------------------------------------------------------------------------

function scard(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = setForRead(ctx, argv[1]!);
  if (s === undefined) return int(0);
  if (s === null) return WRONGTYPE;
  return int(s.size);
}

function sismember(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = setForRead(ctx, argv[1]!);
  if (s === undefined) return int(0);
  if (s === null) return WRONGTYPE;
  return int(s.has(argv[2]!) ? 1 : 0);
}

function smismember(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = setForRead(ctx, argv[1]!);
  if (s === null) return WRONGTYPE;
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(int(s !== undefined && s.has(argv[i]!) ? 1 : 0));
  return array(out);
}

function smembers(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = setForRead(ctx, argv[1]!);
  if (s === undefined) return EMPTY_SET;
  if (s === null) return WRONGTYPE;
  const out: Reply[] = [];
  s.forEach((m) => out.push(bulk(m)));
  return setReply(out);
}

function srandmember(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 3) return SYNTAX;
  if (argv.length === 3) {
    const l = parseInt64(argv[2]!);
    if (l === null) throw new ReplyError(E.NOT_INTEGER);
    // Valkey reads the count as a long in [-LONG_MAX, LONG_MAX].
    if (BigInt(l) < -LONG_MAX) throw new ReplyError(fmt(E.INT_RANGE, "-" + LONG_MAX, String(LONG_MAX)));
    const s = setForRead(ctx, argv[1]!);
    if (s === undefined) return EMPTY_ARRAY;
    if (s === null) return WRONGTYPE;
    const unique = l >= 0;
    const count = unique ? Math.min(Number(l), s.size) : -Number(l);
    if (count === 0) return EMPTY_ARRAY;
    return array(bulks(s.randomMembers(count, unique, ctx.engine.random)));
  }
  const s = setForRead(ctx, argv[1]!);
  if (s === undefined) return NULL;
  if (s === null) return WRONGTYPE;
  return bulk(s.random(ctx.engine.random));
}

function sscan(ctx: CommandContext, argv: readonly string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) throw new ReplyError(E.INVALID_CURSOR);
  const s = setForRead(ctx, argv[1]!);
  if (s === undefined) return EMPTY_SCAN;
  if (s === null) return WRONGTYPE;
  const { count, pattern } = parseScanOptions(argv, 3, "sscan");
  const out: Reply[] = [];
  // Valkey samples first and filters after, so MATCH never changes how far the cursor moves.
  const next = s.scan(cursor, count, (m) => {
    if (pattern === undefined || globMatch(pattern, m)) out.push(bulk(m));
  });
  return array([bulk(String(next)), array(out)]);
}

// ---------------------------------------------------------------------------------------------
// Set algebra
// ---------------------------------------------------------------------------------------------

function sinter(ctx: CommandContext, argv: readonly string[]): Reply {
  const sets = operands(ctx, argv, 1, argv.length);
  if (sets === null) return WRONGTYPE;
  return setReply(bulks(intersect(sets)));
}

function sintercard(ctx: CommandContext, argv: readonly string[]): Reply {
  const nk = parseInt64(argv[1]!);
  if (nk === null || nk < 1) throw new ReplyError(E.NUMKEYS_POSITIVE);
  if (nk > argv.length - 2) throw new ReplyError(E.NUMKEYS_TOO_MANY);
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === "limit" && j + 1 < argv.length) {
      const l = parseInt64(argv[++j]!);
      if (l === null || l < 0) throw new ReplyError(E.LIMIT_NEGATIVE);
      limit = Number(l);
    } else {
      return SYNTAX;
    }
  }
  const sets = operands(ctx, argv, 2, 2 + numkeys);
  if (sets === null) return WRONGTYPE;
  return int(intersect(sets, limit).length);
}

function sinterstore(ctx: CommandContext, argv: readonly string[]): Reply {
  const sets = operands(ctx, argv, 2, argv.length);
  if (sets === null) return WRONGTYPE;
  return storeResult(ctx, argv[1]!, intersectStore(sets, setLimits(ctx.engine.config)), "sinterstore");
}

function sunion(ctx: CommandContext, argv: readonly string[]): Reply {
  const sets = operands(ctx, argv, 1, argv.length);
  if (sets === null) return WRONGTYPE;
  return setReply(bulks(union(sets, setLimits(ctx.engine.config)).toArray()));
}

function sunionstore(ctx: CommandContext, argv: readonly string[]): Reply {
  const sets = operands(ctx, argv, 2, argv.length);
  if (sets === null) return WRONGTYPE;
  return storeResult(ctx, argv[1]!, union(sets, setLimits(ctx.engine.config)), "sunionstore");
}

function sdiff(ctx: CommandContext, argv: readonly string[]): Reply {
  const sets = operands(ctx, argv, 1, argv.length);
  if (sets === null) return WRONGTYPE;
  return setReply(bulks(difference(sets, setLimits(ctx.engine.config)).toArray()));
}

function sdiffstore(ctx: CommandContext, argv: readonly string[]): Reply {
  const sets = operands(ctx, argv, 2, argv.length);
  if (sets === null) return WRONGTYPE;
  return storeResult(ctx, argv[1]!, difference(sets, setLimits(ctx.engine.config)), "sdiffstore");
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const RO = [rangeKey(1, 0, 1, "RO")];
const RO_ACCESS = [rangeKey(1, 0, 1, "RO ACCESS")];
const RO_ACCESS_ALL = [rangeKey(1, -1, 1, "RO ACCESS")];
const STORE_KEYS = [rangeKey(1, 0, 1, "OW UPDATE"), rangeKey(2, -1, 1, "RO ACCESS")];
const ORDER_TIP = ["nondeterministic_output_order"];
const INTER_COMPLEXITY =
  "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const TOTAL_COMPLEXITY = "O(N) where N is the total number of elements in all given sets.";

/** The set group's table rows. */
export const SET_COMMANDS: readonly CommandSpec[] = [
  cmd("sadd", "set", -3, "write denyoom fast", "set", [rangeKey(1, 0, 1, "RW INSERT")], "1.0.0", sadd, {
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    summary: "Adds members to a set and replies with how many were new.",
  }),
  cmd("scard", "set", 2, "readonly fast", "set", RO, "1.0.0", scard, {
    complexity: "O(1)",
    summary: "Returns how many members a set has.",
  }),
  cmd("sdiff", "set", -2, "readonly", "set", RO_ACCESS_ALL, "1.0.0", sdiff, {
    tips: ORDER_TIP,
    complexity: TOTAL_COMPLEXITY,
    summary: "Returns the members of the first set that no other given set has.",
  }),
  cmd("sdiffstore", "set", -3, "write denyoom", "set", STORE_KEYS, "1.0.0", sdiffstore, {
    complexity: TOTAL_COMPLEXITY,
    summary: "Stores the difference of sets in a key and replies with its size.",
  }),
  cmd("sinter", "set", -2, "readonly", "set", RO_ACCESS_ALL, "1.0.0", sinter, {
    tips: ORDER_TIP,
    complexity: INTER_COMPLEXITY,
    summary: "Returns the members every given set has.",
  }),
  cmd("sintercard", "set", -3, "readonly", "set", [keynumKey(1, 0, 1, 1, "RO ACCESS")], "7.0.0", sintercard, {
    complexity: INTER_COMPLEXITY,
    summary: "Counts the members every given set has, optionally stopping at a limit.",
  }),
  cmd("sinterstore", "set", -3, "write denyoom", "set", STORE_KEYS, "1.0.0", sinterstore, {
    complexity: INTER_COMPLEXITY,
    summary: "Stores the intersection of sets in a key and replies with its size.",
  }),
  cmd("sismember", "set", 3, "readonly fast", "set", RO, "1.0.0", sismember, {
    complexity: "O(1)",
    summary: "Tells whether a value is a member of a set.",
  }),
  cmd("smembers", "set", 2, "readonly", "set", RO_ACCESS, "1.0.0", smembers, {
    tips: ORDER_TIP,
    complexity: "O(N) where N is the set cardinality.",
    summary: "Returns every member of a set.",
  }),
  cmd("smismember", "set", -3, "readonly fast", "set", RO_ACCESS, "6.2.0", smismember, {
    complexity: "O(N) where N is the number of elements being checked for membership",
    summary: "Tells, for each of several values, whether it is a member of a set.",
  }),
  cmd(
    "smove",
    "set",
    4,
    "write fast",
    "set",
    [rangeKey(1, 0, 1, "RW ACCESS DELETE"), rangeKey(2, 0, 1, "RW INSERT")],
    "1.0.0",
    smove,
    { complexity: "O(1)", summary: "Moves a member from one set to another." },
  ),
  cmd("spop", "set", -2, "write fast", "set", [rangeKey(1, 0, 1, "RW ACCESS DELETE")], "1.0.0", spop, {
    tips: ["nondeterministic_output"],
    complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    summary: "Removes and returns random members of a set.",
  }),
  cmd("srandmember", "set", -2, "readonly", "set", RO_ACCESS, "1.0.0", srandmember, {
    tips: ["nondeterministic_output"],
    complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    summary: "Returns random members of a set without removing them.",
  }),
  cmd("srem", "set", -3, "write fast", "set", [rangeKey(1, 0, 1, "RW DELETE")], "1.0.0", srem, {
    complexity: "O(N) where N is the number of members to be removed.",
    summary: "Removes members from a set; the key goes away with its last member.",
  }),
  cmd("sscan", "set", -3, "readonly", "set", RO_ACCESS, "2.8.0", sscan, {
    tips: ["nondeterministic_output"],
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    summary: "Iterates over the members of a set with a cursor.",
  }),
  cmd("sunion", "set", -2, "readonly", "set", RO_ACCESS_ALL, "1.0.0", sunion, {
    tips: ORDER_TIP,
    complexity: TOTAL_COMPLEXITY,
    summary: "Returns the members of all given sets.",
  }),
  cmd("sunionstore", "set", -3, "write denyoom", "set", STORE_KEYS, "1.0.0", sunionstore, {
    complexity: TOTAL_COMPLEXITY,
    summary: "Stores the union of sets in a key and replies with its size.",
  }),
];
