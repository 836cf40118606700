/**
 * List commands (Valkey group `list`), including the blocking pops and moves.
 *
 * Blocking commands return {@link Blocked} when every key is empty. The engine retries them
 * (FIFO among the clients waiting on a key) whenever a key they wait on is modified; Valkey
 * re-runs the command then, but only when the signalled key holds a list, so a waiter ignores
 * keys that became another type and keeps waiting.
 *
 * @module
 */
import { type Blocked, cmd, type CommandSpec, keynumKey, rangeKey } from "./spec.ts";
import { parseBlockingTimeout, positiveLong, rangeLong, syntaxError } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Value } from "../keyspace/db.ts";
import {
  array,
  bulk,
  EMPTY_ARRAY,
  error,
  int,
  NULL,
  NULL_ARRAY,
  OK,
  type Reply,
  ReplyError,
} from "../protocol/reply.ts";
import { E, wrongArity, WRONGTYPE } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { type ListEnd, ListValue } from "../types/list.ts";

const LLONG_MAX = 9223372036854775807n;
const NO_SUCH_KEY: Reply = Object.freeze(error(E.NO_SUCH_KEY));
const INDEX_OUT_OF_RANGE: Reply = Object.freeze(error(E.LIST_INDEX_RANGE));

/** `list-max-listpack-size` of the engine running the command. */
function fill(ctx: CommandContext): number {
  return ctx.engine.config.num("list-max-listpack-size");
}

/** The list in `v`; undefined for a missing key, null for another type. */
function asList(v: Value | undefined): ListValue | undefined | null {
  if (v === undefined) return undefined;
  return v instanceof ListValue ? v : null;
}

// ---------------------------------------------------------------------------------------------
// Argument parsing with Valkey's exact rules and texts
// ---------------------------------------------------------------------------------------------

/** A signed long argument (`getLongFromObjectOrReply`). */
function longArg(s: string): number {
  const v = parseInt64(s);
  if (v === null) throw new ReplyError(E.NOT_INTEGER);
  return Number(v);
}

/** LEFT or RIGHT (case-insensitive); anything else is a syntax error. */
function listEnd(s: string): ListEnd {
  const t = s.toLowerCase();
  if (t === "left") return "head";
  if (t === "right") return "tail";
  return syntaxError();
}

// ---------------------------------------------------------------------------------------------
// Shared mutations
// ---------------------------------------------------------------------------------------------

/**
 * Bookkeeping after popping from `l` (Valkey's `listElementsRemoved`): the `lpop`/`rpop`
 * event, then deleting an emptied key (`del`), else the shrinking encoding check.
 */
function elementsRemoved(ctx: CommandContext, key: string, where: ListEnd, l: ListValue): void {
  ctx.touched(key, where === "head" ? "lpop" : "rpop");
  deleteIfEmpty(ctx, key, l);
}

function deleteIfEmpty(ctx: CommandContext, key: string, l: ListValue): void {
  if (l.length === 0) {
    ctx.db.delete(key);
    ctx.notify(key, "del");
  } else {
    l.afterShrink(fill(ctx));
  }
}

/** Pushes `value` onto `dst` (creating it), as LMOVE's second half. */
function pushForMove(ctx: CommandContext, dstKey: string, dst: ListValue | undefined, value: string, to: ListEnd) {
  let d = dst;
  if (d === undefined) {
    d = new ListValue();
    ctx.db.set(dstKey, d, ctx.now);
  }
  d.prepareGrow(fill(ctx), value.length, 1);
  d.push(value, to);
  ctx.touched(dstKey, to === "head" ? "lpush" : "rpush");
}

/**
 * LMOVE's work: pops from `src` and pushes onto `dst`. A missing source replies null; the
 * destination's type is checked before anything changes.
 */
function lmoveGeneric(ctx: CommandContext, srcKey: string, dstKey: string, from: ListEnd, to: ListEnd): Reply {
  const src = asList(ctx.db.lookupWrite(srcKey, ctx.now));
  if (src === undefined) return NULL;
  if (src === null) return WRONGTYPE;
  const dst = asList(ctx.db.lookupWrite(dstKey, ctx.now));
  if (dst === null) return WRONGTYPE;
  const value = src.pop(from)!;
  // With src === dst the list is momentarily empty but still stored, so the push refills it.
  pushForMove(ctx, dstKey, dst, value, to);
  elementsRemoved(ctx, srcKey, from, src);
  return bulk(value);
}

/**
 * Pops from the first non-empty list among `keys` (the BLPOP/BLMPOP/LMPOP walk). A key of
 * another type met before a list is WRONGTYPE.
 * @param count -1: one element, replied as [key, element]; otherwise up to `count` elements,
 * replied as [key, [elements]]
 * @returns undefined when every key is missing
 */
function popFirst(ctx: CommandContext, keys: readonly string[], where: ListEnd, count: number): Reply | undefined {
  for (const key of keys) {
    const l = asList(ctx.db.lookupWrite(key, ctx.now));
    if (l === undefined) continue;
    if (l === null) return WRONGTYPE;
    if (count === -1) {
      const v = l.pop(where)!;
      elementsRemoved(ctx, key, where, l);
      return array([bulk(key), bulk(v)]);
    }
    const items = l.popMany(where, count);
    elementsRemoved(ctx, key, where, l);
    return array([bulk(key), array(items.map(bulk))]);
  }
  return undefined;
}

/** Whether any of `keys` holds a list: what makes a parked list pop worth re-running. */
function anyList(ctx: CommandContext, keys: readonly string[]): boolean {
  for (const k of keys) if (ctx.db.lookupWrite(k, ctx.now) instanceof ListValue) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/** LPUSH, RPUSH, LPUSHX, RPUSHX. */
function pushGeneric(ctx: CommandContext, argv: readonly string[], where: ListEnd, xx: boolean): Reply {
  const key = argv[1]!;
  let l = asList(ctx.db.lookupWrite(key, ctx.now));
  if (l === null) return WRONGTYPE;
  if (l === undefined) {
    if (xx) return int(0);
    l = new ListValue();
    ctx.db.set(key, l, ctx.now);
  }
  let raw = 0;
  for (let i = 2; i < argv.length; i++) raw += argv[i]!.length;
  l.prepareGrow(fill(ctx), raw, argv.length - 2);
  if (where === "head") { for (let i = 2; i < argv.length; i++) l.pushHead(argv[i]!); }
  else for (let i = 2; i < argv.length; i++) l.pushTail(argv[i]!);
  ctx.touched(key, where === "head" ? "lpush" : "rpush");
  return int(l.length);
}

function lpush(ctx: CommandContext, argv: readonly string[]): Reply {
  return pushGeneric(ctx, argv, "head", false);
}
function rpush(ctx: CommandContext, argv: readonly string[]): Reply {
  return pushGeneric(ctx, argv, "tail", false);
}
function lpushx(ctx: CommandContext, argv: readonly string[]): Reply {
  return pushGeneric(ctx, argv, "head", true);
}
function rpushx(ctx: CommandContext, argv: readonly string[]): Reply {
  return pushGeneric(ctx, argv, "tail", true);
}

/** LPOP and RPOP, with the optional count. */
function popGeneric(ctx: CommandContext, argv: readonly string[], where: ListEnd): Reply {
  if (argv.length > 3) return wrongArity(ctx.command.fullName);
  const hasCount = argv.length === 3;
  const count = hasCount ? positiveLong(argv[2]!) : 0;
  const key = argv[1]!;
  const l = asList(ctx.db.lookupWrite(key, ctx.now));
  // Without a count the reply is a bulk string, with one an array: their nulls differ in RESP2.
  if (l === undefined) return hasCount ? NULL_ARRAY : NULL;
  if (l === null) return WRONGTYPE;
  if (hasCount && count === 0) return EMPTY_ARRAY;
  if (!hasCount) {
    const v = l.pop(where)!;
    elementsRemoved(ctx, key, where, l);
    return bulk(v);
  }
  const items = l.popMany(where, count);
  elementsRemoved(ctx, key, where, l);
  return array(items.map(bulk));
}

function lpop(ctx: CommandContext, argv: readonly string[]): Reply {
  return popGeneric(ctx, argv, "head");
}
function rpop(ctx: CommandContext, argv: readonly string[]): Reply {
  return popGeneric(ctx, argv, "tail");
}

function llen(ctx: CommandContext, argv: readonly string[]): Reply {
  const l = asList(ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch));
  if (l === undefined) return int(0);
  if (l === null) return WRONGTYPE;
  return int(l.length);
}

function lrange(ctx: CommandContext, argv: readonly string[]): Reply {
  const start = longArg(argv[2]!);
  const end = longArg(argv[3]!);
  const l = asList(ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch));
  if (l === undefined) return EMPTY_ARRAY;
  if (l === null) return WRONGTYPE;
  const r = l.clampRange(start, end);
  if (r === undefined) return EMPTY_ARRAY;
  const out = new Array<Reply>(r[1] - r[0] + 1);
  let k = 0;
  l.forRange(r[0], out.length, false, (v) => {
    out[k++] = bulk(v);
  });
  return array(out);
}

function lindex(ctx: CommandContext, argv: readonly string[]): Reply {
  // Valkey looks the key up before parsing the index: a missing key answers null whatever it is.
  const l = asList(ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch));
  if (l === undefined) return NULL;
  if (l === null) return WRONGTYPE;
  const v = l.at(longArg(argv[2]!));
  return v === undefined ? NULL : bulk(v);
}

function lset(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const l = asList(ctx.db.lookupWrite(key, ctx.now));
  if (l === undefined) return NO_SUCH_KEY;
  if (l === null) return WRONGTYPE;
  const index = longArg(argv[2]!);
  const value = argv[3]!;
  const f = fill(ctx);
  // Valkey converts for growth before knowing whether the index is valid.
  l.prepareGrow(f, value.length, 1);
  if (!l.set(index, value)) return INDEX_OUT_OF_RANGE;
  l.afterShrink(f);
  ctx.touched(key, "lset");
  return OK;
}

function linsert(ctx: CommandContext, argv: readonly string[]): Reply {
  const pos = argv[2]!.toLowerCase();
  if (pos !== "before" && pos !== "after") return syntaxError();
  const key = argv[1]!;
  const l = asList(ctx.db.lookupWrite(key, ctx.now));
  if (l === undefined) return int(0);
  if (l === null) return WRONGTYPE;
  // Valkey converts for growth before searching the pivot, found or not.
  l.prepareGrow(fill(ctx), argv[4]!.length, 1);
  if (!l.insert(argv[3]!, argv[4]!, pos === "after")) return int(-1);
  ctx.touched(key, "linsert");
  return int(l.length);
}

function lrem(ctx: CommandContext, argv: readonly string[]): Reply {
  const count = rangeLong(argv[2]!, -LLONG_MAX, LLONG_MAX);
  const key = argv[1]!;
  const l = asList(ctx.db.lookupWrite(key, ctx.now));
  if (l === undefined) return int(0);
  if (l === null) return WRONGTYPE;
  const removed = l.remove(argv[3]!, count);
  if (removed > 0) {
    ctx.touched(key, "lrem");
    deleteIfEmpty(ctx, key, l);
  }
  return int(removed);
}

function ltrim(ctx: CommandContext, argv: readonly string[]): Reply {
  const start = longArg(argv[2]!);
  const end = longArg(argv[3]!);
  const key = argv[1]!;
  const l = asList(ctx.db.lookupWrite(key, ctx.now));
  if (l === undefined) return OK;
  if (l === null) return WRONGTYPE;
  // Valkey only signals the key (WATCH, dirty) when elements went; a no-op trim changes nothing.
  if (l.trim(start, end) > 0) {
    ctx.touched(key, "ltrim");
    deleteIfEmpty(ctx, key, l);
  }
  return OK;
}

function lpos(ctx: CommandContext, argv: readonly string[]): Reply {
  let rank = 1;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const more = j < argv.length - 1;
    if (opt === "rank" && more) {
      rank = rangeLong(argv[++j]!, -LLONG_MAX, LLONG_MAX);
      if (rank === 0) throw new ReplyError(E.LPOS_RANK_ZERO);
    } else if (opt === "count" && more) {
      count = positiveLong(argv[++j]!, E.LPOS_COUNT_NEGATIVE);
    } else if (opt === "maxlen" && more) {
      maxlen = positiveLong(argv[++j]!, E.LPOS_MAXLEN_NEGATIVE);
    } else {
      return syntaxError();
    }
  }
  const l = asList(ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch));
  if (l === undefined) return count === -1 ? NULL : EMPTY_ARRAY;
  if (l === null) return WRONGTYPE;
  const found = l.positions(argv[2]!, rank, count === -1 ? 1 : count, maxlen);
  if (count === -1) return found.length === 0 ? NULL : int(found[0]!);
  return array(found.map((i) => int(i)));
}

function lmove(ctx: CommandContext, argv: readonly string[]): Reply {
  const from = listEnd(argv[3]!);
  const to = listEnd(argv[4]!);
  return lmoveGeneric(ctx, argv[1]!, argv[2]!, from, to);
}

function rpoplpush(ctx: CommandContext, argv: readonly string[]): Reply {
  return lmoveGeneric(ctx, argv[1]!, argv[2]!, "tail", "head");
}

/** The parsed tail of LMPOP/BLMPOP: `numkeys key... LEFT|RIGHT [COUNT n]`. */
interface MpopArgs {
  keys: string[];
  where: ListEnd;
  count: number;
}

function parseMpop(argv: readonly string[], numkeysIdx: number): MpopArgs {
  const numkeys = rangeLong(argv[numkeysIdx]!, 1n, LLONG_MAX, E.NUMKEYS_POSITIVE);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) syntaxError();
  const where = listEnd(argv[whereIdx]!);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j]!.toLowerCase() === "count" && j < argv.length - 1) {
      count = rangeLong(argv[++j]!, 1n, LLONG_MAX, E.ZSET_COUNT_POSITIVE);
    } else {
      syntaxError();
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), where, count: count === -1 ? 1 : count };
}

function lmpop(ctx: CommandContext, argv: readonly string[]): Reply {
  const { keys, where, count } = parseMpop(argv, 1);
  return popFirst(ctx, keys, where, count) ?? NULL_ARRAY;
}

/** BLPOP, BRPOP and BLMPOP: pop now, or park until a key holds a list. */
function blockingPop(
  ctx: CommandContext,
  keys: readonly string[],
  where: ListEnd,
  count: number,
  timeoutText: string,
): Reply | Blocked {
  const timeoutMs = parseBlockingTimeout(timeoutText, ctx.now);
  const now = popFirst(ctx, keys, where, count);
  if (now !== undefined) return now;
  return {
    t: "blocked",
    keys,
    timeoutMs,
    retry: (c) => anyList(c, keys) ? popFirst(c, keys, where, count) : undefined,
    timeoutReply: NULL_ARRAY,
  };
}

function blpop(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return blockingPop(ctx, argv.slice(1, -1), "head", -1, argv[argv.length - 1]!);
}

function brpop(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return blockingPop(ctx, argv.slice(1, -1), "tail", -1, argv[argv.length - 1]!);
}

function blmpop(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  const { keys, where, count } = parseMpop(argv, 2);
  return blockingPop(ctx, keys, where, count, argv[1]!);
}

/** BLMOVE and BRPOPLPUSH: move now, or park until the source holds a list. */
function blmoveGeneric(
  ctx: CommandContext,
  src: string,
  dst: string,
  from: ListEnd,
  to: ListEnd,
  timeoutMs: number,
): Reply | Blocked {
  const v = asList(ctx.db.lookupWrite(src, ctx.now));
  if (v === null) return WRONGTYPE;
  if (v !== undefined) return lmoveGeneric(ctx, src, dst, from, to);
  return {
    t: "blocked",
    keys: [src],
    timeoutMs,
    retry: (c) => c.db.lookupWrite(src, c.now) instanceof ListValue ? lmoveGeneric(c, src, dst, from, to) : undefined,
    // Valkey times list waiters out with a null array (`*-1` in RESP2), but where it cannot
    // block (MULTI, scripts) BLMOVE answers like LMOVE on an empty source: a null bulk string.
    timeoutReply: NULL_ARRAY,
    nowaitReply: NULL,
  };
}

function blmove(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  const from = listEnd(argv[3]!);
  const to = listEnd(argv[4]!);
  const timeoutMs = parseBlockingTimeout(argv[5]!, ctx.now);
  return blmoveGeneric(ctx, argv[1]!, argv[2]!, from, to, timeoutMs);
}

function brpoplpush(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  const timeoutMs = parseBlockingTimeout(argv[3]!, ctx.now);
  return blmoveGeneric(ctx, argv[1]!, argv[2]!, "tail", "head", timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const PUSH_COMPLEXITY =
  "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
const MPOP_COMPLEXITY = "O(N+M) where N is the number of provided keys and M is the number of elements returned.";
const RW_INSERT = [rangeKey(1, 0, 1, "RW INSERT")];
const RW_ACCESS_DELETE = [rangeKey(1, 0, 1, "RW ACCESS DELETE")];
const MOVE_KEYS = [rangeKey(1, 0, 1, "RW ACCESS DELETE"), rangeKey(2, 0, 1, "RW INSERT")];
const BPOP_KEYS = [rangeKey(1, -2, 1, "RW ACCESS DELETE")];

/** The list group's table rows. */
export const LIST_COMMANDS: readonly CommandSpec[] = [
  cmd("blmove", "list", 6, "write denyoom blocking", "list", MOVE_KEYS, "6.2.0", blmove, {
    complexity: "O(1)",
    summary: "Moves an element between lists, waiting for the source to have one.",
  }),
  cmd("blmpop", "list", -5, "write blocking", "list", [keynumKey(2, 0, 1, 1, "RW ACCESS DELETE")], "7.0.0", blmpop, {
    complexity: MPOP_COMPLEXITY,
    summary: "Pops elements from the first non-empty of several lists, waiting for one to have some.",
  }),
  cmd("blpop", "list", -3, "write blocking", "list", BPOP_KEYS, "2.0.0", blpop, {
    complexity: "O(N) where N is the number of provided keys.",
    summary: "Pops the first element of the first non-empty list, waiting for one to have some.",
  }),
  cmd("brpop", "list", -3, "write blocking", "list", BPOP_KEYS, "2.0.0", brpop, {
    complexity: "O(N) where N is the number of provided keys.",
    summary: "Pops the last element of the first non-empty list, waiting for one to have some.",
  }),
  cmd("brpoplpush", "list", 4, "write denyoom blocking", "list", MOVE_KEYS, "2.2.0", brpoplpush, {
    complexity: "O(1)",
    summary: "Moves the last element of a list to the head of another, waiting for one to exist.",
  }),
  cmd("lindex", "list", 3, "readonly", "list", [rangeKey(1, 0, 1, "RO ACCESS")], "1.0.0", lindex, {
    complexity:
      "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    summary: "Returns the element at an index of a list.",
  }),
  cmd("linsert", "list", 5, "write denyoom", "list", RW_INSERT, "2.2.0", linsert, {
    complexity:
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    summary: "Inserts an element before or after the first occurrence of a pivot.",
  }),
  cmd("llen", "list", 2, "readonly fast", "list", [rangeKey(1, 0, 1, "RO")], "1.0.0", llen, {
    complexity: "O(1)",
    summary: "Returns the number of elements of a list.",
  }),
  cmd("lmove", "list", 5, "write denyoom", "list", MOVE_KEYS, "6.2.0", lmove, {
    complexity: "O(1)",
    summary: "Pops an element from one end of a list and pushes it onto an end of another.",
  }),
  cmd("lmpop", "list", -4, "write", "list", [keynumKey(1, 0, 1, 1, "RW ACCESS DELETE")], "7.0.0", lmpop, {
    complexity: MPOP_COMPLEXITY,
    summary: "Pops elements from the first non-empty of several lists.",
  }),
  cmd("lpop", "list", -2, "write fast", "list", RW_ACCESS_DELETE, "1.0.0", lpop, {
    complexity: "O(N) where N is the number of elements returned",
    summary: "Removes and returns elements from the head of a list.",
  }),
  cmd("lpos", "list", -3, "readonly", "list", [rangeKey(1, 0, 1, "RO ACCESS")], "6.0.6", lpos, {
    complexity:
      "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    summary: "Returns the positions of the elements equal to a value.",
  }),
  cmd("lpush", "list", -3, "write denyoom fast", "list", RW_INSERT, "1.0.0", lpush, {
    complexity: PUSH_COMPLEXITY,
    summary: "Prepends elements to a list, creating it when missing.",
  }),
  cmd("lpushx", "list", -3, "write denyoom fast", "list", RW_INSERT, "2.2.0", lpushx, {
    complexity: PUSH_COMPLEXITY,
    summary: "Prepends elements to a list only when it exists.",
  }),
  cmd("lrange", "list", 4, "readonly", "list", [rangeKey(1, 0, 1, "RO ACCESS")], "1.0.0", lrange, {
    complexity:
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    summary: "Returns a range of elements of a list.",
  }),
  cmd("lrem", "list", 4, "write", "list", [rangeKey(1, 0, 1, "RW DELETE")], "1.0.0", lrem, {
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
    summary: "Removes elements equal to a value from a list.",
  }),
  cmd("lset", "list", 4, "write denyoom", "list", [rangeKey(1, 0, 1, "RW UPDATE")], "1.0.0", lset, {
    complexity:
      "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    summary: "Replaces the element at an index of a list.",
  }),
  cmd("ltrim", "list", 4, "write", "list", [rangeKey(1, 0, 1, "RW DELETE")], "1.0.0", ltrim, {
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    summary: "Keeps only a range of elements of a list.",
  }),
  cmd("rpop", "list", -2, "write fast", "list", RW_ACCESS_DELETE, "1.0.0", rpop, {
    complexity: "O(N) where N is the number of elements returned",
    summary: "Removes and returns elements from the tail of a list.",
  }),
  cmd("rpoplpush", "list", 3, "write denyoom", "list", MOVE_KEYS, "1.2.0", rpoplpush, {
    complexity: "O(1)",
    summary: "Moves the last element of a list to the head of another.",
  }),
  cmd("rpush", "list", -3, "write denyoom fast", "list", RW_INSERT, "1.0.0", rpush, {
    complexity: PUSH_COMPLEXITY,
    summary: "Appends elements to a list, creating it when missing.",
  }),
  cmd("rpushx", "list", -3, "write denyoom fast", "list", RW_INSERT, "2.2.0", rpushx, {
    complexity: PUSH_COMPLEXITY,
    summary: "Appends elements to a list only when it exists.",
  }),
];
