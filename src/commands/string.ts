/**
 * String commands (Valkey group `string`): GET/SET and their variants, counters, ranges, LCS.
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import { int64Arg, intArg } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Config } from "../config/config.ts";
import { array, bulk, error, int, map, NULL, OK, type Reply, ReplyError } from "../protocol/reply.ts";
import { E, fmt, SYNTAX, wrongArity, WRONGTYPE } from "../protocol/errors.ts";
import { INT64_MAX, INT64_MIN, parseInt64 } from "../util/number.ts";
import {
  appendBytes,
  getRange,
  incrFloat,
  incrInteger,
  isStringValue,
  lcs,
  lcsTableBytes,
  setRange,
  type StringValue,
} from "../types/string.ts";

const EMPTY_BULK: Reply = Object.freeze(bulk(""));
const OVERFLOW_ERR: Reply = Object.freeze(error(E.OVERFLOW));
const NOT_INTEGER_ERR: Reply = Object.freeze(error(E.NOT_INTEGER));
const TOO_LONG_ERR: Reply = Object.freeze(error(E.STRING_TOO_LONG));

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by the bitmap group)
// ---------------------------------------------------------------------------------------------

const BULK_LIMITS = new WeakMap<Config, { v: number }>();

/** The current proto-max-bulk-len, cached per engine and refreshed on CONFIG SET. */
export function maxBulkLen(ctx: CommandContext): number {
  const config = ctx.engine.config;
  let slot = BULK_LIMITS.get(config);
  if (slot === undefined) {
    const s = { v: config.num("proto-max-bulk-len") };
    config.onChange("proto-max-bulk-len", () => (s.v = config.num("proto-max-bulk-len")));
    BULK_LIMITS.set(config, s);
    slot = s;
  }
  return slot.v;
}

/**
 * A reply carrying a stored value. Values stored as bytes are mutated in place by later
 * commands, and replies may outlive the command (MULTI, scripts), so they get a copy.
 */
export function stringReply(v: StringValue): Reply {
  return bulk(typeof v === "string" ? v : v.slice());
}

// ---------------------------------------------------------------------------------------------
// GET, SET and friends
// ---------------------------------------------------------------------------------------------

function get(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  if (v === undefined) return NULL;
  if (typeof v === "string") return bulk(v);
  return v instanceof Uint8Array ? bulk(v.slice()) : WRONGTYPE;
}

// Option bits of SET and GETEX, as Valkey's parseExtendedStringArgumentsOrReply tracks them.
const F_NX = 1;
const F_XX = 2;
const F_EX = 4;
const F_PX = 8;
const F_KEEPTTL = 16;
const F_GET = 32;
const F_EXAT = 64;
const F_PXAT = 128;
const F_PERSIST = 256;
const F_ANY_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

interface ExtendedArgs {
  flags: number;
  expire: string | undefined;
}

/**
 * Parses SET's (from argv[3]) or GETEX's (from argv[2]) options. Valkey accepts an option
 * repeated (`EX 1 EX 2`: the last wins) but not two conflicting ones (`EX 1 PX 2`, `NX XX`,
 * `KEEPTTL EX 1`), and an option whose value is missing is a syntax error.
 */
function parseExtended(argv: readonly string[], forSet: boolean): ExtendedArgs {
  let flags = 0;
  let expire: string | undefined;
  const n = argv.length;
  for (let j = forSet ? 3 : 2; j < n; j++) {
    const opt = argv[j]!.toLowerCase();
    const hasNext = j < n - 1;
    if (opt === "nx" && forSet && !(flags & F_XX)) {
      flags |= F_NX;
    } else if (opt === "xx" && forSet && !(flags & F_NX)) {
      flags |= F_XX;
    } else if (opt === "get" && forSet) {
      flags |= F_GET;
    } else if (opt === "keepttl" && forSet && !(flags & (F_PERSIST | F_ANY_EXPIRE))) {
      flags |= F_KEEPTTL;
    } else if (opt === "persist" && !forSet && !(flags & (F_ANY_EXPIRE | F_KEEPTTL))) {
      flags |= F_PERSIST;
    } else if (opt === "ex" && hasNext && !(flags & (F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT))) {
      flags |= F_EX;
      expire = argv[++j];
    } else if (opt === "px" && hasNext && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT))) {
      flags |= F_PX;
      expire = argv[++j];
    } else if (opt === "exat" && hasNext && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT))) {
      flags |= F_EXAT;
      expire = argv[++j];
    } else if (opt === "pxat" && hasNext && !(flags & (F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX))) {
      flags |= F_PXAT;
      expire = argv[++j];
    } else {
      throw new ReplyError(E.SYNTAX);
    }
  }
  return { flags, expire };
}

/**
 * Converts an EX/PX/EXAT/PXAT argument into an absolute Unix time in ms. Valkey rejects a
 * non-positive value, seconds whose ms would overflow int64, and a relative time whose sum
 * with the current time overflows.
 */
function expireAtMs(ctx: CommandContext, text: string, flags: number): number | bigint {
  const v = parseInt64(text);
  if (v === null) throw new ReplyError(E.NOT_INTEGER);
  const seconds = (flags & (F_EX | F_EXAT)) !== 0;
  const relative = (flags & (F_EX | F_PX)) !== 0;
  if (v <= 0) throw invalidExpire(ctx);
  if (typeof v === "number") {
    const ms = (seconds ? v * 1000 : v) + (relative ? ctx.now : 0);
    if (Number.isSafeInteger(ms)) return ms;
  }
  const big = BigInt(v);
  if (seconds && big > INT64_MAX / 1000n) throw invalidExpire(ctx);
  const ms = (seconds ? big * 1000n : big) + (relative ? BigInt(ctx.now) : 0n);
  if (ms > INT64_MAX) throw invalidExpire(ctx);
  return ms;
}

function invalidExpire(ctx: CommandContext): ReplyError {
  return new ReplyError(fmt(E.INVALID_EXPIRE, ctx.command.fullName));
}

/**
 * SET, SETNX, SETEX, PSETEX: Valkey's setGenericCommand. Order of checks: the expire value,
 * then GET's type check, then NX/XX. An absolute expire time already in the past deletes an
 * existing key instead of storing it (Valkey 8) and still replies OK.
 */
function setGeneric(
  ctx: CommandContext,
  key: string,
  value: string,
  flags: number,
  expire: string | undefined,
  okReply: Reply,
  abortReply: Reply,
): Reply {
  const db = ctx.db;
  const now = ctx.now;
  const at = expire === undefined ? undefined : expireAtMs(ctx, expire, flags);
  let oldReply: Reply | undefined;
  let found: boolean;
  if (flags & F_GET) {
    const old = db.lookupRead(key, now, ctx.session.noTouch);
    if (old === undefined) {
      oldReply = NULL;
    } else {
      if (!isStringValue(old)) return WRONGTYPE;
      oldReply = stringReply(old);
    }
    found = old !== undefined;
  } else {
    // Expires a stale key first (its "expired" event), as Valkey's lookupKeyWrite does.
    found = db.peek(key, now) !== undefined;
  }
  if ((flags & F_NX && found) || (flags & F_XX && !found)) return oldReply ?? abortReply;
  if (at !== undefined && at <= now) {
    if (found && db.removeExpired(key)) ctx.touched(key, "del");
    return oldReply ?? okReply;
  }
  db.set(key, value, now, (flags & F_KEEPTTL) !== 0);
  ctx.touched(key, "set");
  if (at !== undefined) {
    db.setExpire(key, at);
    ctx.notify(key, "expire");
  }
  return oldReply ?? okReply;
}

function set(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  if (argv.length === 3) {
    // The hot path: no options, no reply allocation. A stale key still expires first (its
    // "expired" event precedes "set", as in Valkey).
    ctx.db.expireIfNeeded(key, ctx.now);
    ctx.db.set(key, argv[2]!, ctx.now);
    ctx.touched(key, "set");
    return OK;
  }
  const { flags, expire } = parseExtended(argv, true);
  return setGeneric(ctx, key, argv[2]!, flags, expire, OK, NULL);
}

function setnx(ctx: CommandContext, argv: readonly string[]): Reply {
  return setGeneric(ctx, argv[1]!, argv[2]!, F_NX, undefined, int(1), int(0));
}

function setex(ctx: CommandContext, argv: readonly string[]): Reply {
  return setGeneric(ctx, argv[1]!, argv[3]!, F_EX, argv[2]!, OK, NULL);
}

function psetex(ctx: CommandContext, argv: readonly string[]): Reply {
  return setGeneric(ctx, argv[1]!, argv[3]!, F_PX, argv[2]!, OK, NULL);
}

/**
 * GETEX: like GET, optionally changing the TTL. The expire value is validated only once the
 * key is known to hold a string (a missing key answers nil whatever the value).
 */
function getex(ctx: CommandContext, argv: readonly string[]): Reply {
  const { flags, expire } = parseExtended(argv, false);
  const key = argv[1]!;
  const db = ctx.db;
  const v = db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return NULL;
  if (!isStringValue(v)) return WRONGTYPE;
  const at = expire === undefined ? undefined : expireAtMs(ctx, expire, flags);
  const reply = stringReply(v);
  if (at !== undefined && flags & (F_EXAT | F_PXAT) && at <= ctx.now) {
    if (db.removeExpired(key)) ctx.touched(key, "del");
  } else if (at !== undefined) {
    db.setExpire(key, at);
    ctx.touched(key, "expire");
  } else if (flags & F_PERSIST) {
    if (db.persist(key)) ctx.touched(key, "persist");
  }
  return reply;
}

function getdel(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return NULL;
  if (!isStringValue(v)) return WRONGTYPE;
  ctx.db.delete(key);
  ctx.touched(key, "del");
  // The value left the keyspace, so even bytes need no copy.
  return bulk(v);
}

function getset(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
  ctx.db.set(key, argv[2]!, ctx.now);
  ctx.touched(key, "set");
  return v === undefined ? NULL : bulk(v);
}

function mget(ctx: CommandContext, argv: readonly string[]): Reply {
  const out: Reply[] = new Array(argv.length - 1);
  const db = ctx.db;
  const noTouch = ctx.session.noTouch;
  for (let j = 1; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]!, ctx.now, noTouch);
    // A key of another type reads as nil, not as an error.
    out[j - 1] = v === undefined || !isStringValue(v) ? NULL : stringReply(v);
  }
  return array(out);
}

function msetGeneric(ctx: CommandContext, argv: readonly string[], nx: boolean): Reply {
  if (argv.length % 2 === 0) return wrongArity(ctx.command.fullName);
  const db = ctx.db;
  const now = ctx.now;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.peek(argv[j]!, now) !== undefined) return int(0);
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    const key = argv[j]!;
    if (!nx) db.expireIfNeeded(key, now);
    db.set(key, argv[j + 1]!, now);
    ctx.touched(key, "set");
  }
  return nx ? int(1) : OK;
}

function mset(ctx: CommandContext, argv: readonly string[]): Reply {
  return msetGeneric(ctx, argv, false);
}

function msetnx(ctx: CommandContext, argv: readonly string[]): Reply {
  return msetGeneric(ctx, argv, true);
}

// ---------------------------------------------------------------------------------------------
// APPEND, STRLEN, ranges
// ---------------------------------------------------------------------------------------------

function append(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const data = argv[2]!;
  const db = ctx.db;
  const v = db.lookupWrite(key, ctx.now);
  if (v === undefined) {
    db.set(key, data, ctx.now);
    ctx.touched(key, "append");
    return int(data.length);
  }
  if (!isStringValue(v)) return WRONGTYPE;
  if (v.length + data.length > maxBulkLen(ctx)) return TOO_LONG_ERR;
  const out = appendBytes(v, data);
  if (out !== v) db.replace(key, out, ctx.now);
  ctx.touched(key, "append");
  return int(out.length);
}

function strlen(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  if (v === undefined) return int(0);
  return isStringValue(v) ? int(v.length) : WRONGTYPE;
}

/** GETRANGE and SUBSTR: the indexes are parsed before the key is looked up. */
function getrange(ctx: CommandContext, argv: readonly string[]): Reply {
  const start = Number(int64Arg(argv[2]!));
  const end = Number(int64Arg(argv[3]!));
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  if (v === undefined) return EMPTY_BULK;
  if (!isStringValue(v)) return WRONGTYPE;
  return bulk(getRange(v, start, end));
}

function setrange(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const data = argv[3]!;
  const offsetArg = int64Arg(argv[2]!);
  if (offsetArg < 0) return error(E.OFFSET_RANGE);
  // An offset beyond 2^53 can only fail the size check below.
  const offset = typeof offsetArg === "bigint" ? Number.MAX_SAFE_INTEGER : offsetArg;
  const db = ctx.db;
  const v = db.lookupWrite(key, ctx.now);
  if (v === undefined) {
    // Writing nothing to a missing key creates nothing.
    if (data.length === 0) return int(0);
    if (offset + data.length > maxBulkLen(ctx)) return TOO_LONG_ERR;
    const out = setRange(undefined, offset, data);
    db.set(key, out, ctx.now);
    ctx.touched(key, "setrange");
    return int(out.length);
  }
  if (!isStringValue(v)) return WRONGTYPE;
  if (data.length === 0) return int(v.length);
  if (offset + data.length > maxBulkLen(ctx)) return TOO_LONG_ERR;
  const out = setRange(v, offset, data);
  if (out !== v) db.replace(key, out, ctx.now);
  ctx.touched(key, "setrange");
  return int(out.length);
}

// ---------------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------------

function incrDecr(ctx: CommandContext, key: string, delta: number | bigint): Reply {
  const db = ctx.db;
  const v = db.lookupWrite(key, ctx.now);
  if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
  const r = incrInteger(v, delta);
  if (r.status === "notint") return NOT_INTEGER_ERR;
  if (r.status === "overflow") return OVERFLOW_ERR;
  const text = String(r.value);
  // INCR keeps the key's TTL (Valkey replaces the value in place).
  if (v === undefined) db.set(key, text, ctx.now);
  else db.replace(key, text, ctx.now);
  ctx.touched(key, "incrby");
  return int(r.value);
}

function incr(ctx: CommandContext, argv: readonly string[]): Reply {
  return incrDecr(ctx, argv[1]!, 1);
}

function decr(ctx: CommandContext, argv: readonly string[]): Reply {
  return incrDecr(ctx, argv[1]!, -1);
}

function incrby(ctx: CommandContext, argv: readonly string[]): Reply {
  return incrDecr(ctx, argv[1]!, int64Arg(argv[2]!));
}

function decrby(ctx: CommandContext, argv: readonly string[]): Reply {
  const delta = int64Arg(argv[2]!);
  // Negating INT64_MIN overflows before the addition is even attempted.
  if (typeof delta === "number") return incrDecr(ctx, argv[1]!, -delta);
  if (delta === INT64_MIN) return error(E.DECR_OVERFLOW);
  return incrDecr(ctx, argv[1]!, -delta);
}

function incrbyfloat(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const db = ctx.db;
  const v = db.lookupWrite(key, ctx.now);
  if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
  const r = incrFloat(v, argv[2]!);
  if (r.status === "notfloat") return error(E.NOT_FLOAT);
  if (r.status === "nan") return error(E.INCR_NAN);
  if (v === undefined) db.set(key, r.value, ctx.now);
  else db.replace(key, r.value, ctx.now);
  ctx.touched(key, "incrbyfloat");
  return bulk(r.value);
}

// ---------------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------------

/**
 * LCS: both keys are looked up (missing = empty string) before the options are parsed, so a
 * wrong type wins over a syntax error. The O(N*M) table is refused when it would exceed
 * proto-max-bulk-len, as Valkey does.
 */
function lcsCommand(ctx: CommandContext, argv: readonly string[]): Reply {
  const db = ctx.db;
  const noTouch = ctx.session.noTouch;
  const a = db.lookupRead(argv[1]!, ctx.now, noTouch);
  const b = db.lookupRead(argv[2]!, ctx.now, noTouch);
  if ((a !== undefined && !isStringValue(a)) || (b !== undefined && !isStringValue(b))) {
    return error(E.LCS_NOT_STRING);
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === "idx") getIdx = true;
    else if (opt === "len") getLen = true;
    else if (opt === "withmatchlen") withMatchLen = true;
    else if (opt === "minmatchlen" && j < argv.length - 1) {
      const n = intArg(argv[++j]!);
      minMatchLen = n < 0 ? 0 : n;
    } else {
      return SYNTAX;
    }
  }
  if (getLen && getIdx) return error(E.LCS_LEN_IDX);
  const av = a ?? "";
  const bv = b ?? "";
  if (lcsTableBytes(av.length, bv.length) > maxBulkLen(ctx)) return error(E.LCS_MEMORY);
  const r = lcs(av, bv, { text: !getLen && !getIdx, matches: getIdx, minMatchLen });
  if (getIdx) {
    const matches = r.matches.map((m) => {
      const item: Reply[] = [array([int(m.a[0]), int(m.a[1])]), array([int(m.b[0]), int(m.b[1])])];
      if (withMatchLen) item.push(int(m.len));
      return array(item);
    });
    return map([[bulk("matches"), array(matches)], [bulk("len"), int(r.len)]]);
  }
  if (getLen) return int(r.len);
  return bulk(r.text);
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const RANGE_COMPLEXITY =
  "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

/** The string group's table rows. */
export const STRING_COMMANDS: readonly CommandSpec[] = [
  cmd("append", "string", 3, "write denyoom fast", "string", [rangeKey(1, 0, 1, "RW INSERT")], "2.0.0", append, {
    complexity:
      "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by the server will double the free space available on every reallocation.",
    summary: "Appends bytes to a string value, creating the key when missing; replies with the new length.",
  }),
  cmd("decr", "string", 2, "write denyoom fast", "string", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "1.0.0", decr, {
    complexity: "O(1)",
    summary: "Subtracts one from the integer stored at a key (missing counts as 0).",
  }),
  cmd("decrby", "string", 3, "write denyoom fast", "string", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "1.0.0", decrby, {
    complexity: "O(1)",
    summary: "Subtracts a given amount from the integer stored at a key.",
  }),
  cmd("get", "string", 2, "readonly fast", "string", [rangeKey(1, 0, 1, "RO ACCESS")], "1.0.0", get, {
    complexity: "O(1)",
    summary: "Returns the string value of a key, or nil when it does not exist.",
  }),
  cmd("getdel", "string", 2, "write fast", "string", [rangeKey(1, 0, 1, "RW ACCESS DELETE")], "6.2.0", getdel, {
    complexity: "O(1)",
    summary: "Returns a string value and removes its key.",
  }),
  cmd("getex", "string", -2, "write fast", "string", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "6.2.0", getex, {
    complexity: "O(1)",
    summary: "Returns a string value and optionally sets or clears its expiration.",
  }),
  cmd("getrange", "string", 4, "readonly", "string", [rangeKey(1, 0, 1, "RO ACCESS")], "2.4.0", getrange, {
    complexity: RANGE_COMPLEXITY,
    summary: "Returns the bytes of a string value between two inclusive offsets.",
  }),
  cmd("getset", "string", 3, "write denyoom fast", "string", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "1.0.0", getset, {
    complexity: "O(1)",
    summary: "Stores a new string value and returns the previous one.",
  }),
  cmd("incr", "string", 2, "write denyoom fast", "string", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "1.0.0", incr, {
    complexity: "O(1)",
    summary: "Adds one to the integer stored at a key (missing counts as 0).",
  }),
  cmd("incrby", "string", 3, "write denyoom fast", "string", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "1.0.0", incrby, {
    complexity: "O(1)",
    summary: "Adds a given amount to the integer stored at a key.",
  }),
  cmd(
    "incrbyfloat",
    "string",
    3,
    "write denyoom fast",
    "string",
    [rangeKey(1, 0, 1, "RW ACCESS UPDATE")],
    "2.6.0",
    incrbyfloat,
    { complexity: "O(1)", summary: "Adds a floating point amount to the number stored at a key." },
  ),
  cmd("lcs", "string", -3, "readonly", "string", [rangeKey(1, 1, 1, "RO ACCESS")], "7.0.0", lcsCommand, {
    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    summary: "Computes the longest common subsequence of two string values, its length or its match ranges.",
  }),
  cmd("mget", "string", -2, "readonly fast", "string", [rangeKey(1, -1, 1, "RO ACCESS")], "1.0.0", mget, {
    tips: ["request_policy:multi_shard"],
    complexity: "O(N) where N is the number of keys to retrieve.",
    summary: "Returns the values of several keys; keys that are missing or not strings read as nil.",
  }),
  cmd("mset", "string", -3, "write denyoom", "string", [rangeKey(1, -1, 2, "OW UPDATE")], "1.0.1", mset, {
    tips: ["request_policy:multi_shard", "response_policy:all_succeeded"],
    complexity: "O(N) where N is the number of keys to set.",
    summary: "Stores several key/value pairs at once.",
  }),
  cmd("msetnx", "string", -3, "write denyoom", "string", [rangeKey(1, -1, 2, "OW INSERT")], "1.0.1", msetnx, {
    complexity: "O(N) where N is the number of keys to set.",
    summary: "Stores several key/value pairs only when none of the keys exists.",
  }),
  cmd("psetex", "string", 4, "write denyoom", "string", [rangeKey(1, 0, 1, "OW UPDATE")], "2.6.0", psetex, {
    complexity: "O(1)",
    summary: "Stores a string value with a time to live in milliseconds.",
  }),
  cmd(
    "set",
    "string",
    -3,
    "write denyoom",
    "string",
    [rangeKey(1, 0, 1, "RW ACCESS UPDATE VARIABLE_FLAGS")],
    "1.0.0",
    set,
    {
      complexity: "O(1)",
      summary: "Stores a string value, optionally conditional (NX/XX), with a TTL, or returning the old value.",
    },
  ),
  cmd("setex", "string", 4, "write denyoom", "string", [rangeKey(1, 0, 1, "OW UPDATE")], "2.0.0", setex, {
    complexity: "O(1)",
    summary: "Stores a string value with a time to live in seconds.",
  }),
  cmd("setnx", "string", 3, "write denyoom fast", "string", [rangeKey(1, 0, 1, "OW INSERT")], "1.0.0", setnx, {
    complexity: "O(1)",
    summary: "Stores a string value only when the key does not exist.",
  }),
  cmd("setrange", "string", 4, "write denyoom", "string", [rangeKey(1, 0, 1, "RW UPDATE")], "2.2.0", setrange, {
    complexity:
      "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
    summary: "Overwrites part of a string value at an offset, zero-padding as needed.",
  }),
  cmd("strlen", "string", 2, "readonly fast", "string", [rangeKey(1, 0, 1, "RO")], "2.2.0", strlen, {
    complexity: "O(1)",
    summary: "Returns the length in bytes of a string value.",
  }),
  cmd("substr", "string", 4, "readonly", "string", [rangeKey(1, 0, 1, "RO ACCESS")], "1.0.0", getrange, {
    complexity: RANGE_COMPLEXITY,
    summary: "Returns a substring of a string value (the old name of GETRANGE).",
  }),
];
