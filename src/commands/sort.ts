/**
 * SORT and SORT_RO over lists, sets and sorted sets (Valkey's `sort.c`): BY patterns (with
 * `nosort`-style constant patterns that skip sorting), LIMIT, GET patterns (`#` and `key->field`
 * hash lookups), ASC/DESC, ALPHA and STORE.
 *
 * @module
 */
import { cmd, type CommandSpec, type KeyFlag, type KeySpec, rangeKey } from "./spec.ts";
import { syntaxError } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import { array, bulk, error, int, NULL, type Reply, ReplyError } from "../protocol/reply.ts";
import { E, WRONGTYPE } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { ListValue } from "../types/list.ts";
import { SetValue } from "../types/set.ts";
import { ZSet } from "../types/zset.ts";
import { HashValue } from "../types/hash.ts";
import { toLatin1 } from "../types/string.ts";

const SCORE_ERROR: Reply = Object.freeze(error(E.SORT_NOT_DOUBLE));

/** One element being sorted with its sort weight. */
interface SortItem {
  readonly v: string;
  score: number;
  /** ALPHA + BY: the looked-up weight, undefined when the weight key is missing. */
  cmp: string | undefined;
}

/**
 * Valkey's `lookupKeyByPattern`: `#` is the element itself; otherwise the first `*` is replaced
 * by the element and the key read as a string, or, with `->field` after the `*`, as a hash
 * field. Missing keys, wrong types and patterns without `*` give undefined.
 */
function lookupByPattern(ctx: CommandContext, pattern: string, subst: string): string | undefined {
  // Valkey scans the pattern as a C string: nothing past a NUL byte is seen by the searches.
  const nul = pattern.indexOf("\0");
  const visible = nul < 0 ? pattern.length : nul;
  if (visible === 1 && pattern.charCodeAt(0) === 35 /* # */) return subst;
  const star = pattern.indexOf("*");
  if (star < 0 || star >= visible) return undefined;
  const arrow = pattern.indexOf("->", star + 1);
  let keyEnd = pattern.length;
  let field: string | undefined;
  if (arrow >= 0 && arrow + 2 < visible) {
    field = pattern.slice(arrow + 2);
    keyEnd = arrow;
  }
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, keyEnd);
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return undefined;
  if (field !== undefined) return v instanceof HashValue ? v.get(field) : undefined;
  if (typeof v === "string" || v instanceof Uint8Array) return toLatin1(v);
  return undefined;
}

const STRTOD_RE =
  /^[+-]?(?:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/i;
/** Smallest normal double: glibc's strtod reports ERANGE for results below it. */
const DBL_MIN = 2.2250738585072014e-308;

function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * A sort weight as Valkey reads it with `strtod`: leading white space, hex and `inf` accepted,
 * the text must be consumed up to its first NUL byte, NaN and out-of-range results (overflow
 * and underflow alike) rejected. An empty weight converts nothing and is 0.
 * @returns the number, or undefined when Valkey would report a conversion error
 */
export function sortWeight(text: string): number | undefined {
  const nul = text.indexOf("\0");
  const s = nul < 0 ? text : text.slice(0, nul);
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  const m = STRTOD_RE.exec(s.slice(i));
  // No conversion: strtod leaves its end pointer at the start, fine only for an empty text.
  if (m === null) return s.length === 0 ? 0 : undefined;
  if (i + m[0].length !== s.length) return undefined;
  const t = m[0];
  const neg = t.charCodeAt(0) === 45;
  const body = t.charCodeAt(0) === 43 || neg ? t.slice(1) : t;
  const low = body.toLowerCase();
  if (low.startsWith("nan")) return undefined;
  if (low.startsWith("inf")) return neg ? -Infinity : Infinity;
  let v: number;
  let nonzero: boolean;
  if (low.startsWith("0x")) {
    const hm = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/.exec(low)!;
    const digits = (hm[1] ?? "") + (hm[2] ?? "");
    nonzero = /[1-9a-f]/.test(digits);
    const exp = Number(hm[3] ?? "0") - 4 * (hm[2] ?? "").length;
    v = nonzero ? parseInt(digits, 16) * 2 ** exp : 0;
  } else {
    const mant = low.split("e")[0]!;
    nonzero = /[1-9]/.test(mant);
    v = Number(body);
  }
  if (!Number.isFinite(v)) return undefined;
  if (nonzero && Math.abs(v) < DBL_MIN) return undefined;
  return neg ? -v : v;
}

/** Binary comparison (memcmp, then length), like `compareStringObjects`. */
function cmpBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `strcoll` in the C locale: bytewise, stopping at the first NUL as C strings do. */
function cmpCString(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
  if (a.length === b.length) return 0;
  const rest = a.length > b.length ? a.charCodeAt(n) : b.charCodeAt(n);
  if (rest === 0) return 0;
  return a.length > b.length ? 1 : -1;
}

/** SORT / SORT_RO. */
function sortGeneric(ctx: CommandContext, argv: readonly string[], readonly: boolean): Reply {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | undefined;
  let storekey: string | undefined;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const left = argv.length - j - 1;
    if (opt === "asc") {
      desc = false;
    } else if (opt === "desc") {
      desc = true;
    } else if (opt === "alpha") {
      alpha = true;
    } else if (opt === "limit" && left >= 2) {
      const a = parseInt64(argv[j + 1]!);
      const b = parseInt64(argv[j + 2]!);
      if (a === null || b === null) throw new ReplyError(E.NOT_INTEGER);
      limitStart = Number(a);
      limitCount = Number(b);
      j += 2;
    } else if (!readonly && opt === "store" && left >= 1) {
      storekey = argv[++j]!;
    } else if (opt === "by" && left >= 1) {
      sortby = argv[++j]!;
      // A pattern without `*` is constant: nothing to look up and nothing to sort by. (A later
      // BY with a `*` does not undo this, as in Valkey.)
      if (!sortby.includes("*")) dontsort = true;
    } else if (opt === "get" && left >= 1) {
      gets.push(argv[++j]!);
    } else {
      return syntaxError();
    }
  }

  const sortval = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  let kind: "list" | "set" | "zset" = "list";
  if (sortval !== undefined) {
    if (sortval instanceof ListValue) kind = "list";
    else if (sortval instanceof SetValue) kind = "set";
    else if (sortval instanceof ZSet) kind = "zset";
    else return WRONGTYPE;
  }

  // An unsorted set would come back in an order that depends on its internals; when the result
  // is stored, or read by a script (whose effects replicas replay), Valkey sorts it
  // alphabetically so replicas agree.
  if (dontsort && kind === "set" && (storekey !== undefined || ctx.inScript)) {
    dontsort = false;
    alpha = true;
    sortby = undefined;
  }
  // Valkey converts a listpack sorted set to a skiplist, visibly in OBJECT ENCODING.
  if (sortval instanceof ZSet) sortval.convertToSkiplist();

  let vectorlen = sortval === undefined
    ? 0
    : sortval instanceof ListValue
    ? sortval.length
    : sortval instanceof SetValue || sortval instanceof ZSet
    ? sortval.size
    : 0;

  // LIMIT sanity checks, clamped to the collection size (Valkey's exact arithmetic).
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  limitCount = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  // Lists and sorted sets are already ordered: with nothing to sort, only the range is read.
  if (kind !== "set" && dontsort && (start !== 0 || end !== vectorlen - 1)) vectorlen = end - start + 1;

  const items: SortItem[] = [];
  const add = (v: string) => {
    items.push({ v, score: 0, cmp: undefined });
  };
  if (sortval instanceof ListValue) {
    if (dontsort) {
      if (end >= start && vectorlen > 0) {
        const from = desc ? sortval.length - start - 1 : start;
        sortval.forRange(from, vectorlen, desc, add);
      }
      end -= start;
      start = 0;
    } else {
      sortval.forEach(add);
    }
  } else if (sortval instanceof SetValue) {
    sortval.forEach(add);
  } else if (sortval instanceof ZSet) {
    if (dontsort) {
      if (vectorlen > 0) {
        const n = sortval.size;
        if (desc) sortval.walk(n - 1 - start, n - start - vectorlen, (m) => add(m));
        else sortval.walk(start, start + vectorlen - 1, (m) => add(m));
      }
      end -= start;
      start = 0;
    } else {
      sortval.forEach((m) => add(m));
    }
  }

  let conversionError = false;
  if (!dontsort) {
    for (const it of items) {
      let byval: string | undefined;
      if (sortby !== undefined) {
        byval = lookupByPattern(ctx, sortby, it.v);
        if (byval === undefined) continue;
      } else {
        byval = it.v;
      }
      if (alpha) {
        if (sortby !== undefined) it.cmp = byval;
      } else {
        const w = sortWeight(byval);
        if (w === undefined) conversionError = true;
        else it.score = w;
      }
    }
    const store = storekey !== undefined;
    const sign = desc ? -1 : 1;
    let compare: (a: SortItem, b: SortItem) => number;
    if (!alpha) {
      // Equal scores fall back to the elements themselves so the order is deterministic.
      compare = (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : cmpBinary(a.v, b.v));
    } else if (sortby !== undefined) {
      compare = (a, b) => {
        const x = a.cmp;
        const y = b.cmp;
        if (x === undefined || y === undefined) return sign * (x === y ? 0 : x === undefined ? -1 : 1);
        return sign * (store ? cmpBinary(x, y) : cmpCString(x, y));
      };
    } else {
      // Without STORE Valkey collates (strcoll, C strings); with STORE it compares bytes.
      compare = store ? (a, b) => sign * cmpBinary(a.v, b.v) : (a, b) => sign * cmpCString(a.v, b.v);
    }
    items.sort(compare);
  }

  if (conversionError) return SCORE_ERROR;
  const outputLen = gets.length > 0 ? gets.length * (end - start + 1) : end - start + 1;
  if (storekey === undefined) {
    const out: Reply[] = [];
    for (let j = start; j <= end; j++) {
      const it = items[j]!;
      if (gets.length === 0) out.push(bulk(it.v));
      for (const g of gets) {
        const val = lookupByPattern(ctx, g, it.v);
        out.push(val === undefined ? NULL : bulk(val));
      }
    }
    return array(out);
  }
  const values: string[] = [];
  for (let j = start; j <= end; j++) {
    const it = items[j]!;
    if (gets.length === 0) values.push(it.v);
    for (const g of gets) values.push(lookupByPattern(ctx, g, it.v) ?? "");
  }
  if (outputLen > 0) {
    ctx.db.set(storekey, ListValue.from(values, ctx.engine.config.num("list-max-listpack-size")), ctx.now);
    ctx.touched(storekey, "sortstore");
  } else if (ctx.db.delete(storekey)) {
    ctx.touched(storekey, "del");
  }
  return int(outputLen);
}

function sort(ctx: CommandContext, argv: readonly string[]): Reply {
  return sortGeneric(ctx, argv, false);
}

function sortRo(ctx: CommandContext, argv: readonly string[]): Reply {
  return sortGeneric(ctx, argv, true);
}

/**
 * SORT's keys as Valkey's `sortGetKeys` finds them: the sorted key, plus the last `STORE`
 * argument, skipping the arguments of LIMIT, GET and BY.
 */
function sortGetKeys(argv: readonly string[]): { pos: number; flags: readonly KeyFlag[] }[] {
  const out: { pos: number; flags: readonly KeyFlag[] }[] = [{ pos: 1, flags: ["RO", "ACCESS"] }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === "limit") i += 2;
    else if (a === "get" || a === "by") i += 1;
    // The key after STORE is not skipped: it is examined as an option name next, as in Valkey.
    else if (a === "store" && i + 1 < argv.length) store = i + 1;
  }
  if (store >= 0) out.push({ pos: store, flags: ["OW", "UPDATE"] });
  return out;
}

/** SORT_RO's only key is the sorted one (Valkey's `sortROGetKeys`). */
function sortRoGetKeys(): { pos: number; flags: readonly KeyFlag[] }[] {
  return [{ pos: 1, flags: ["RO", "ACCESS"] }];
}

const SORTED_KEY = rangeKey(1, 0, 1, "RO ACCESS");
const PATTERN_KEYS: KeySpec = {
  begin: { unknown: true },
  find: { unknown: true },
  flags: ["RO", "ACCESS"],
  notes: "BY and GET patterns name keys derived from the sorted elements.",
};
const STORE_KEY: KeySpec = {
  begin: { unknown: true },
  find: { unknown: true },
  flags: ["OW", "UPDATE"],
  notes: "The STORE destination may appear anywhere among the options.",
};

const SORT_COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

/** SORT and SORT_RO (Valkey group `generic`). */
export const SORT_COMMANDS: readonly CommandSpec[] = [
  cmd(
    "sort",
    "generic",
    -2,
    "write denyoom",
    "set sortedset list dangerous",
    [SORTED_KEY, PATTERN_KEYS, STORE_KEY],
    "1.0.0",
    sort,
    {
      complexity: SORT_COMPLEXITY,
      summary: "Sorts the elements of a list, set or sorted set, optionally storing the result.",
      getKeys: sortGetKeys,
    },
  ),
  cmd(
    "sort_ro",
    "generic",
    -2,
    "readonly",
    "set sortedset list dangerous",
    [SORTED_KEY, PATTERN_KEYS],
    "7.0.0",
    sortRo,
    {
      complexity: SORT_COMPLEXITY,
      summary: "Sorts the elements of a list, set or sorted set (read-only variant).",
      getKeys: sortRoGetKeys,
    },
  ),
];
