/**
 * Sorted set commands (Valkey group `sorted_set`): ZADD and friends, the range family (by rank,
 * score and lex, with their STORE and REMRANGE forms), the set algebra (ZUNION, ZINTER, ZDIFF
 * and their STORE forms, ZINTERCARD), pops (including the blocking BZPOPMIN, BZPOPMAX and
 * BZMPOP), ZRANDMEMBER and ZSCAN.
 *
 * Argument rules, error texts and reply shapes follow Valkey's `t_zset.c`. Scores are parsed as
 * C's `strtod` does (hex floats, `inf`), with Valkey's two flavours: strict for scores and
 * weights (`string2d`), lenient for range bounds (`zslParseRange`).
 *
 * @module
 */
import { cmd, type CommandSpec, keynumKey, rangeKey } from "./spec.ts";
import type { Blocked } from "./spec.ts";
import { intArg, parseBlockingTimeout } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import {
  array,
  bulk,
  double,
  EMPTY_ARRAY,
  int,
  NULL,
  NULL_ARRAY,
  pairs,
  type Reply,
  ReplyError,
} from "../protocol/reply.ts";
import { E, fmt, SYNTAX, wrongArity, WRONGTYPE } from "../protocol/errors.ts";
import { formatDouble, parseInt64 } from "../util/number.ts";
import { globMatch } from "../util/glob.ts";
import { parseScanCursor, parseScanOptions } from "../keyspace/scan.ts";
import type { Config } from "../config/config.ts";
import { SetValue } from "../types/set.ts";
import {
  type LexBound,
  lexGteMin,
  lexLteMax,
  type LexRange,
  scoreGteMin,
  scoreLteMax,
  type ScoreRange,
  type ZaddFlags,
  ZSet,
  type ZsetLimits,
} from "../types/zset.ts";

// --- shared helpers (also used by the geo commands) ------------------------------------------

const LIMITS = new WeakMap<Config, ZsetLimits>();

/** The engine's current `zset-max-listpack-*` limits, cached per config and kept in sync. */
export function zsetLimits(ctx: CommandContext): ZsetLimits {
  const config = ctx.engine.config;
  let l = LIMITS.get(config);
  if (l === undefined) {
    const read = (): ZsetLimits => ({
      maxEntries: config.num("zset-max-listpack-entries"),
      maxValue: config.num("zset-max-listpack-value"),
    });
    l = read();
    LIMITS.set(config, l);
    config.onChange("zset-max-listpack-entries", () => LIMITS.set(config, read()));
    config.onChange("zset-max-listpack-value", () => LIMITS.set(config, read()));
  }
  return l;
}

/** C `isspace` in the C locale. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Result of {@link cStrtod}: the value, where parsing stopped, and C's ERANGE condition. */
interface StrtodResult {
  v: number;
  /** Index just past the parsed number; 0 when nothing was parsed (C sets endptr to the input). */
  end: number;
  /** Overflow to infinity, or underflow of a non-zero number to zero. */
  erange: boolean;
}

/**
 * C's `strtod` on `s` (glibc rules): leading whitespace, a sign, decimal or hexadecimal
 * (`0x1.8p3`) notation, `inf`/`infinity`, `nan`/`nan(...)`.
 */
function cStrtod(s: string): StrtodResult {
  const n = s.length;
  let i = 0;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === "+" || s[i] === "-")) {
    neg = s[i] === "-";
    i++;
  }
  const sign = neg ? -1 : 1;
  const rest = s.slice(i, i + 8).toLowerCase();
  if (rest.startsWith("inf")) {
    return { v: sign * Infinity, end: i + (rest === "infinity" ? 8 : 3), erange: false };
  }
  if (rest.startsWith("nan")) {
    let end = i + 3;
    if (s[end] === "(") {
      let j = end + 1;
      while (j < n && /[0-9A-Za-z_]/.test(s[j]!)) j++;
      if (s[j] === ")") end = j + 1;
    }
    return { v: NaN, end, erange: false };
  }
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    const hex = parseHexFloat(s, i + 2);
    if (hex !== undefined) return { v: sign * hex.v, end: hex.end, erange: hex.erange };
    // "0x" without hex digits parses as the "0" alone.
    return { v: sign * 0, end: i + 1, erange: false };
  }
  const start = i;
  let digits = 0;
  let nonzero = false;
  while (i < n && isDigit(s.charCodeAt(i))) {
    if (s[i] !== "0") nonzero = true;
    i++;
    digits++;
  }
  if (i < n && s[i] === ".") {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (s[i] !== "0") nonzero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return { v: 0, end: 0, erange: false };
  if (i < n && (s[i] === "e" || s[i] === "E")) {
    let j = i + 1;
    if (j < n && (s[j] === "+" || s[j] === "-")) j++;
    if (j < n && isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  const v = Number(s.slice(start, i));
  const erange = !Number.isFinite(v) || (v === 0 && nonzero);
  return { v: sign * v, end: i, erange };
}

/** The hexadecimal part of `strtod` after `0x`; undefined when no hex digit follows. */
function parseHexFloat(s: string, i: number): { v: number; end: number; erange: boolean } | undefined {
  const n = s.length;
  let mant = 0n;
  let digits = 0;
  let fracDigits = 0;
  while (i < n && hexValue(s.charCodeAt(i)) >= 0) {
    mant = mant * 16n + BigInt(hexValue(s.charCodeAt(i)));
    i++;
    digits++;
  }
  if (i < n && s[i] === ".") {
    let j = i + 1;
    let any = false;
    while (j < n && hexValue(s.charCodeAt(j)) >= 0) {
      mant = mant * 16n + BigInt(hexValue(s.charCodeAt(j)));
      j++;
      fracDigits++;
      any = true;
    }
    if (any || digits > 0) i = j;
  }
  if (digits + fracDigits === 0) return undefined;
  let exp = -4 * fracDigits;
  if (i < n && (s[i] === "p" || s[i] === "P")) {
    let j = i + 1;
    let eneg = false;
    if (j < n && (s[j] === "+" || s[j] === "-")) {
      eneg = s[j] === "-";
      j++;
    }
    if (j < n && isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (j < n && isDigit(s.charCodeAt(j))) {
        e = Math.min(e * 10 + (s.charCodeAt(j) - 48), 1e7);
        j++;
      }
      exp += eneg ? -e : e;
      i = j;
    }
  }
  if (mant === 0n) return { v: 0, end: i, erange: false };
  // Round the mantissa to 53 bits (half to even), then scale by a power of two.
  const bits = mant.toString(2).length;
  if (bits > 53) {
    const sh = BigInt(bits - 53);
    let q = mant >> sh;
    const rem = mant - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    mant = q;
    exp += bits - 53;
  }
  let v = Number(mant);
  // Two steps so that intermediate powers of two neither overflow nor underflow early.
  const e1 = Math.trunc(exp / 2);
  v = v * 2 ** e1 * 2 ** (exp - e1);
  return { v, end: i, erange: !Number.isFinite(v) || v === 0 };
}

/**
 * Parses a score, weight or coordinate as Valkey's `getDoubleFromObject` (`string2d`): the whole
 * text must be a number, no leading space, no NaN, no overflow, no underflow to zero.
 * @returns the value, or null when invalid
 */
export function parseStrictDouble(s: string): number | null {
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return null;
  const r = cStrtod(s);
  if (r.end !== s.length || r.erange || Number.isNaN(r.v)) return null;
  return r.v;
}

/** {@link parseStrictDouble} or a ReplyError with `msg`. */
export function doubleArg(s: string, msg: string = E.NOT_FLOAT): number {
  const v = parseStrictDouble(s);
  if (v === null) throw new ReplyError(msg);
  return v;
}

/**
 * Parses one bound of a score range as Valkey's `zslParseRange`: `strtod` that must stop at the
 * end of the text (or at a NUL byte), leading spaces and an empty text (0) allowed, no NaN.
 */
function parseRangeBound(s: string): number | null {
  const r = cStrtod(s);
  if (r.end < s.length && s.charCodeAt(r.end) !== 0) return null;
  if (Number.isNaN(r.v)) return null;
  return r.v;
}

/** Parses `min max` of a score range (`(` makes a bound exclusive). */
export function parseScoreRange(minText: string, maxText: string): ScoreRange {
  const minex = minText.charCodeAt(0) === 40;
  const maxex = maxText.charCodeAt(0) === 40;
  const min = parseRangeBound(minex ? minText.slice(1) : minText);
  const max = parseRangeBound(maxex ? maxText.slice(1) : maxText);
  if (min === null || max === null) throw new ReplyError(E.ZRANGE_NOT_FLOAT);
  return { min, max, minex, maxex };
}

function parseLexBound(s: string): LexBound | undefined {
  switch (s[0]) {
    case "+":
      return s.length === 1 ? { kind: "+", v: "", ex: true } : undefined;
    case "-":
      return s.length === 1 ? { kind: "-", v: "", ex: true } : undefined;
    case "(":
      return { kind: "v", v: s.slice(1), ex: true };
    case "[":
      return { kind: "v", v: s.slice(1), ex: false };
    default:
      return undefined;
  }
}

/** Parses `min max` of a lex range (`[x`, `(x`, `-`, `+`). */
export function parseLexRange(minText: string, maxText: string): LexRange {
  const min = parseLexBound(minText);
  const max = parseLexBound(maxText);
  if (min === undefined || max === undefined) throw new ReplyError(E.ZRANGE_NOT_LEX);
  return { min, max };
}

/**
 * A long argument with Valkey's `getRangeLongFromObjectOrReply` and a custom message for both
 * errors (not an integer, outside [min, LONG_MAX]).
 */
function rangeLongArg(s: string, min: number, msg: string): number {
  const v = parseInt64(s);
  if (v === null || v < min) throw new ReplyError(msg);
  return Number(v);
}

/** `getPositiveLongFromObjectOrReply` without a custom message. */
function positiveLongArg(s: string): number {
  // Valkey's getPositiveLongFromObjectOrReply answers its message for a non-integer too.
  const v = intArg(s, E.OUT_OF_RANGE_POSITIVE);
  if (v < 0) throw new ReplyError(E.OUT_OF_RANGE_POSITIVE);
  return v;
}

/**
 * Member/score pairs as Valkey replies with them (WITHSCORES): one flat array in RESP2, an
 * array of [member, score] pairs in RESP3.
 */
export function scorePairs(members: readonly string[], scores: readonly number[]): Reply {
  const out: (readonly [Reply, Reply])[] = [];
  for (let i = 0; i < members.length; i++) out.push([bulk(members[i]!), double(scores[i]!)]);
  return pairs(out);
}

/** Always-nested [member, score] pairs (ZMPOP, BZMPOP in both protocols). */
function nestedPairs(members: readonly string[], scores: readonly number[]): Reply {
  const out: Reply[] = [];
  for (let i = 0; i < members.length; i++) out.push(array([bulk(members[i]!), double(scores[i]!)]));
  return array(out);
}

/** Looks a key up for reading; throws WRONGTYPE for a non-zset. */
function readZset(ctx: CommandContext, key: string): ZSet | undefined {
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) throw new ReplyError(E.WRONGTYPE);
  return v;
}

/** Looks a key up for writing; throws WRONGTYPE for a non-zset. */
function writeZset(ctx: CommandContext, key: string): ZSet | undefined {
  const v = ctx.db.lookupWrite(key, ctx.now);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) throw new ReplyError(E.WRONGTYPE);
  return v;
}

/** After removing members: signals `event`, and deletes the key (with `del`) once empty. */
function afterRemove(ctx: CommandContext, key: string, z: ZSet, event: string): void {
  ctx.touched(key, event);
  if (z.size === 0) {
    ctx.db.delete(key);
    ctx.touched(key, "del");
  }
}

/**
 * Stores a computed result in `dst` the way Valkey's STORE commands do: a non-empty result
 * replaces the key (TTL dropped) and fires `event`; an empty one deletes the key (firing `del`
 * only when it existed).
 * @returns the reply: the stored cardinality
 */
export function storeResult(
  ctx: CommandContext,
  dst: string,
  members: readonly string[],
  scores: readonly number[],
  event: string,
): Reply {
  if (members.length === 0) {
    if (ctx.db.delete(dst)) ctx.touched(dst, "del");
    return int(0);
  }
  ctx.db.set(dst, ZSet.fromEntries(members, scores, zsetLimits(ctx)), ctx.now);
  ctx.touched(dst, event);
  return int(members.length);
}

// --- ZADD / ZINCRBY ---------------------------------------------------------------------------

/** ZADD and ZINCRBY (Valkey's `zaddGenericCommand`); ZINCRBY is ZADD with INCR forced on. */
export function zaddGeneric(ctx: CommandContext, argv: readonly string[], incrCmd: boolean): Reply {
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrCmd;
  let i = 2;
  for (; i < argv.length; i++) {
    const o = argv[i]!.toLowerCase();
    if (o === "nx") nx = true;
    else if (o === "xx") xx = true;
    else if (o === "ch") ch = true;
    else if (o === "incr") incr = true;
    else if (o === "gt") gt = true;
    else if (o === "lt") lt = true;
    else break;
  }
  const rest = argv.length - i;
  if (rest % 2 !== 0 || rest === 0) return SYNTAX;
  const n = rest / 2;
  if (nx && xx) throw new ReplyError(E.XX_NX);
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw new ReplyError(E.GT_LT_NX);
  if (incr && n > 1) throw new ReplyError(E.ZADD_INCR_PAIR);
  const scores = new Array<number>(n);
  let maxLen = 0;
  for (let j = 0; j < n; j++) {
    scores[j] = doubleArg(argv[i + 2 * j]!);
    const len = argv[i + 2 * j + 1]!.length;
    if (len > maxLen) maxLen = len;
  }
  return zaddApply(ctx, argv[1]!, argv, i, scores, maxLen, { nx, xx, gt, lt, incr }, ch);
}

/**
 * Applies parsed ZADD pairs: creates or converts the key, adds the members `argv[first + 2j + 1]`
 * with `scores[j]` and replies as ZADD does. GEOADD calls it with its computed scores.
 */
export function zaddApply(
  ctx: CommandContext,
  key: string,
  argv: readonly string[],
  first: number,
  scores: readonly number[],
  maxLen: number,
  flags: ZaddFlags,
  ch: boolean,
): Reply {
  const limits = zsetLimits(ctx);
  let z = writeZset(ctx, key);
  if (z === undefined) {
    if (flags.xx) return flags.incr ? NULL : int(0);
    z = ZSet.create(scores.length, maxLen, limits);
    ctx.db.set(key, z, ctx.now);
  } else {
    z.reserve(scores.length, maxLen, limits);
  }
  let added = 0, updated = 0, processed = 0;
  let score = 0;
  let nan = false;
  for (let j = 0; j < scores.length; j++) {
    const r = z.add(argv[first + 2 * j + 1]!, scores[j]!, flags, limits);
    if (r.out === "nan") {
      nan = true;
      break;
    }
    if (r.out === "added") added++;
    else if (r.out === "updated") updated++;
    if (r.out !== "nop") processed++;
    score = r.score;
  }
  if (added > 0 || updated > 0) ctx.touched(key, flags.incr ? "zincr" : "zadd");
  if (nan) throw new ReplyError(E.ZSCORE_NAN);
  if (flags.incr) return processed > 0 ? double(score) : NULL;
  return int(ch ? added + updated : added);
}

function zadd(ctx: CommandContext, argv: readonly string[]): Reply {
  return zaddGeneric(ctx, argv, false);
}

function zincrby(ctx: CommandContext, argv: readonly string[]): Reply {
  return zaddGeneric(ctx, argv, true);
}

// --- simple reads and ZREM ----------------------------------------------------------------------

function zrem(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const z = writeZset(ctx, key);
  if (z === undefined) return int(0);
  let deleted = 0;
  for (let j = 2; j < argv.length; j++) {
    if (z.remove(argv[j]!)) deleted++;
    if (z.size === 0) break;
  }
  if (deleted > 0) afterRemove(ctx, key, z, "zrem");
  return int(deleted);
}

function zcard(ctx: CommandContext, argv: readonly string[]): Reply {
  return int(readZset(ctx, argv[1]!)?.size ?? 0);
}

function zcount(ctx: CommandContext, argv: readonly string[]): Reply {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  const z = readZset(ctx, argv[1]!);
  return int(z === undefined ? 0 : z.countInScoreRange(range));
}

function zlexcount(ctx: CommandContext, argv: readonly string[]): Reply {
  const range = parseLexRange(argv[2]!, argv[3]!);
  const z = readZset(ctx, argv[1]!);
  return int(z === undefined ? 0 : z.countInLexRange(range));
}

function zscore(ctx: CommandContext, argv: readonly string[]): Reply {
  const z = readZset(ctx, argv[1]!);
  const s = z?.score(argv[2]!);
  return s === undefined ? NULL : double(s);
}

function zmscore(ctx: CommandContext, argv: readonly string[]): Reply {
  const z = readZset(ctx, argv[1]!);
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]!);
    out.push(s === undefined ? NULL : double(s));
  }
  return array(out);
}

function zrankGeneric(ctx: CommandContext, argv: readonly string[], reverse: boolean): Reply {
  if (argv.length > 4) return wrongArity(ctx.command.fullName);
  let withScore = false;
  if (argv.length === 4) {
    if (argv[3]!.toLowerCase() !== "withscore") return SYNTAX;
    withScore = true;
  }
  const z = readZset(ctx, argv[1]!);
  const rank = z === undefined ? -1 : z.rank(argv[2]!);
  if (rank < 0) return withScore ? NULL_ARRAY : NULL;
  const r = reverse ? z!.size - 1 - rank : rank;
  if (!withScore) return int(r);
  return array([int(r), double(z!.score(argv[2]!)!)]);
}

function zrank(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrankGeneric(ctx, argv, false);
}

function zrevrank(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrankGeneric(ctx, argv, true);
}

// --- ranges ---------------------------------------------------------------------------------

type RangeType = "auto" | "rank" | "score" | "lex";
type Direction = "auto" | "forward" | "reverse";

/** Members and scores a range selected, in reply order. */
interface RangeResult {
  members: string[];
  scores: number[];
}

/** Ranks `start..end` (inclusive, Valkey's sanitizing of negative indexes), optionally reversed. */
function rankRange(z: ZSet, start: number, end: number, reverse: boolean): RangeResult {
  const out: RangeResult = { members: [], scores: [] };
  const llen = z.size;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) return out;
  if (end >= llen) end = llen - 1;
  const from = reverse ? llen - 1 - start : start;
  const to = reverse ? llen - 1 - end : end;
  z.walk(from, to, (m, s) => {
    out.members.push(m);
    out.scores.push(s);
  });
  return out;
}

/**
 * Collects up to `limit` elements (negative: no limit) walking from index `start` (-1: nothing in
 * range) after skipping `offset`, forwards or backwards, while `inside` holds.
 */
function walkRange(
  z: ZSet,
  start: number,
  offset: number,
  limit: number,
  reverse: boolean,
  inside: (member: string, score: number) => boolean,
): RangeResult {
  const out: RangeResult = { members: [], scores: [] };
  const from = reverse ? start - offset : start + offset;
  if (start < 0 || from < 0 || from >= z.size) return out;
  z.walk(from, reverse ? 0 : z.size - 1, (m, s) => {
    if (!inside(m, s)) return false;
    out.members.push(m);
    out.scores.push(s);
    if (--limit === 0) return false;
  });
  return out;
}

function scoreRangeResult(z: ZSet, r: ScoreRange, offset: number, limit: number, reverse: boolean): RangeResult {
  if (offset < 0 || (offset > 0 && offset >= z.size) || limit === 0) return { members: [], scores: [] };
  return reverse
    ? walkRange(z, z.lastInScoreRange(r), offset, limit, true, (_m, s) => scoreGteMin(s, r))
    : walkRange(z, z.firstInScoreRange(r), offset, limit, false, (_m, s) => scoreLteMax(s, r));
}

function lexRangeResult(z: ZSet, r: LexRange, offset: number, limit: number, reverse: boolean): RangeResult {
  if (offset < 0 || limit === 0) return { members: [], scores: [] };
  return reverse
    ? walkRange(z, z.lastInLexRange(r), offset, limit, true, (m) => lexGteMin(m, r))
    : walkRange(z, z.firstInLexRange(r), offset, limit, false, (m) => lexLteMax(m, r));
}

/**
 * ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX] (Valkey's `zrangeGenericCommand`).
 * @param first index of the source key
 */
function zrangeGeneric(
  ctx: CommandContext,
  argv: readonly string[],
  first: number,
  store: boolean,
  type: RangeType,
  dir: Direction,
): Reply {
  const key = argv[first]!;
  let minIdx = first + 1;
  let maxIdx = first + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = first + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const o = argv[j]!.toLowerCase();
    if (!store && o === "withscores") {
      withScores = true;
    } else if (o === "limit" && left >= 2) {
      offset = intArg(argv[j + 1]!);
      limit = intArg(argv[j + 2]!);
      j += 2;
    } else if (dir === "auto" && o === "rev") {
      dir = "reverse";
    } else if (type === "auto" && o === "bylex") {
      type = "lex";
    } else if (type === "auto" && o === "byscore") {
      type = "score";
    } else {
      return SYNTAX;
    }
  }
  if (dir === "auto") dir = "forward";
  if (type === "auto") type = "rank";
  if (limit !== -1 && type === "rank") throw new ReplyError(E.ZRANGE_LIMIT);
  if (withScores && type === "lex") throw new ReplyError(E.ZRANGE_WITHSCORES_BYLEX);
  const reverse = dir === "reverse";
  if (reverse && type !== "rank") [minIdx, maxIdx] = [maxIdx, minIdx];

  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (type === "rank") {
    start = intArg(argv[minIdx]!);
    end = intArg(argv[maxIdx]!);
  } else if (type === "score") {
    scoreRange = parseScoreRange(argv[minIdx]!, argv[maxIdx]!);
  } else {
    lexRange = parseLexRange(argv[minIdx]!, argv[maxIdx]!);
  }

  const z = readZset(ctx, key);
  let res: RangeResult;
  if (z === undefined) res = { members: [], scores: [] };
  else if (scoreRange !== undefined) res = scoreRangeResult(z, scoreRange, offset, limit, reverse);
  else if (lexRange !== undefined) res = lexRangeResult(z, lexRange, offset, limit, reverse);
  else res = rankRange(z, start, end, reverse);

  if (store) return storeRange(ctx, argv[1]!, res, type === "rank");
  if (withScores) return scorePairs(res.members, res.scores);
  return array(res.members.map((m) => bulk(m)));
}

/**
 * ZRANGESTORE's destination, built as Valkey builds it: created for the known length of a rank
 * range (0 for score and lex ranges) and filled by ZADD in reply order, so a listpack that
 * converts part-way keeps the listpack's normalized zeros for the members added before.
 */
function storeRange(ctx: CommandContext, dst: string, res: RangeResult, knownLength: boolean): Reply {
  const n = res.members.length;
  if (n === 0) {
    if (ctx.db.delete(dst)) ctx.touched(dst, "del");
    return int(0);
  }
  const limits = zsetLimits(ctx);
  const z = ZSet.create(knownLength ? n : 0, 0, limits);
  for (let i = 0; i < n; i++) z.add(res.members[i]!, res.scores[i]!, {}, limits);
  ctx.db.set(dst, z, ctx.now);
  ctx.touched(dst, "zrangestore");
  return int(n);
}

function zrange(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, "auto", "auto");
}

function zrangestore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 2, true, "auto", "auto");
}

function zrevrange(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, "rank", "reverse");
}

function zrangebyscore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, "score", "forward");
}

function zrevrangebyscore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, "score", "reverse");
}

function zrangebylex(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, "lex", "forward");
}

function zrevrangebylex(ctx: CommandContext, argv: readonly string[]): Reply {
  return zrangeGeneric(ctx, argv, 1, false, "lex", "reverse");
}

function zremrangeGeneric(ctx: CommandContext, argv: readonly string[], type: "rank" | "score" | "lex"): Reply {
  const key = argv[1]!;
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | undefined;
  let lexRange: LexRange | undefined;
  if (type === "rank") {
    start = intArg(argv[2]!);
    end = intArg(argv[3]!);
  } else if (type === "score") {
    scoreRange = parseScoreRange(argv[2]!, argv[3]!);
  } else {
    lexRange = parseLexRange(argv[2]!, argv[3]!);
  }
  const z = writeZset(ctx, key);
  if (z === undefined) return int(0);
  let from: number;
  let to: number;
  if (scoreRange !== undefined) {
    from = z.firstInScoreRange(scoreRange);
    to = from < 0 ? -1 : z.lastInScoreRange(scoreRange);
  } else if (lexRange !== undefined) {
    from = z.firstInLexRange(lexRange);
    to = from < 0 ? -1 : z.lexRunEnd(from, lexRange);
  } else {
    const llen = z.size;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) return int(0);
    if (end >= llen) end = llen - 1;
    from = start;
    to = end;
  }
  if (from < 0 || to < from) return int(0);
  const removed = z.removeRange(from, to).members.length;
  afterRemove(ctx, key, z, "zremrangeby" + type);
  return int(removed);
}

function zremrangebyrank(ctx: CommandContext, argv: readonly string[]): Reply {
  return zremrangeGeneric(ctx, argv, "rank");
}

function zremrangebyscore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zremrangeGeneric(ctx, argv, "score");
}

function zremrangebylex(ctx: CommandContext, argv: readonly string[]): Reply {
  return zremrangeGeneric(ctx, argv, "lex");
}

// --- union / intersection / difference -----------------------------------------------------

/** One input of the set algebra: a sorted set, a set (every member scores 1) or a missing key. */
interface OpSource {
  readonly value: ZSet | SetValue | undefined;
  readonly size: number;
  weight: number;
}

function sourceForEach(src: OpSource, fn: (member: string, score: number) => void): void {
  const v = src.value;
  if (v instanceof ZSet) v.forEach(fn);
  else if (v !== undefined) v.forEach((m) => fn(m, 1.0));
}

function sourceFind(src: OpSource, member: string): number | undefined {
  const v = src.value;
  if (v instanceof ZSet) return v.score(member);
  if (v !== undefined) return v.has(member) ? 1.0 : undefined;
  return undefined;
}

type Aggregate = "sum" | "min" | "max";

function aggregate(target: number, val: number, agg: Aggregate): number {
  if (agg === "sum") {
    const r = target + val;
    // inf + -inf: Valkey keeps the convention that the sum is 0.
    return Number.isNaN(r) ? 0.0 : r;
  }
  if (agg === "min") return val < target ? val : target;
  return val > target ? val : target;
}

/**
 * ZUNION/ZINTER/ZDIFF, their STORE forms and ZINTERCARD (Valkey's
 * `zunionInterDiffGenericCommand`).
 */
function zsetOp(
  ctx: CommandContext,
  argv: readonly string[],
  numkeysIdx: number,
  op: "union" | "inter" | "diff",
  dst: string | undefined,
  cardOnly: boolean,
): Reply {
  const setnum = intArg(argv[numkeysIdx]!);
  if (setnum < 1) throw new ReplyError(fmt(E.ZSET_NO_INPUT_KEY, ctx.command.fullName));
  if (setnum > argv.length - (numkeysIdx + 1)) return SYNTAX;
  let srcs: OpSource[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = ctx.db.lookupRead(argv[j]!, ctx.now, ctx.session.noTouch);
    if (v !== undefined && !(v instanceof ZSet) && !(v instanceof SetValue)) return WRONGTYPE;
    srcs.push({ value: v, size: v === undefined ? 0 : v.size, weight: 1 });
  }
  let agg: Aggregate = "sum";
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const o = argv[j]!.toLowerCase();
    if (op !== "diff" && !cardOnly && remaining >= setnum + 1 && o === "weights") {
      j++;
      for (let i = 0; i < setnum; i++, j++) srcs[i]!.weight = doubleArg(argv[j]!, E.ZSET_WEIGHT);
    } else if (op !== "diff" && !cardOnly && remaining >= 2 && o === "aggregate") {
      const a = argv[j + 1]!.toLowerCase();
      if (a !== "sum" && a !== "min" && a !== "max") return SYNTAX;
      agg = a;
      j += 2;
    } else if (dst === undefined && !cardOnly && o === "withscores") {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && o === "limit") {
      limit = rangeLongArg(argv[j + 1]!, 0, E.LIMIT_NEGATIVE);
      j += 2;
    } else {
      return SYNTAX;
    }
  }
  // Smallest inputs first (a stable sort, so equal sizes keep their order).
  if (op !== "diff") srcs = srcs.slice().sort((a, b) => a.size - b.size);

  const members: string[] = [];
  const scores: number[] = [];
  let card = 0;
  if (op === "inter") {
    const first = srcs[0]!;
    if (first.size > 0) {
      const stop = {};
      try {
        sourceForEach(first, (m, s) => {
          let score = first.weight * s;
          if (Number.isNaN(score)) score = 0;
          let k = 1;
          for (; k < srcs.length; k++) {
            const other = srcs[k]!;
            if (other.value === first.value) {
              score = aggregate(score, s * other.weight, agg);
            } else {
              const found = sourceFind(other, m);
              if (found === undefined) break;
              score = aggregate(score, found * other.weight, agg);
            }
          }
          if (k < srcs.length) return;
          if (cardOnly) {
            card++;
            if (limit > 0 && card >= limit) throw stop;
          } else {
            members.push(m);
            scores.push(score);
          }
        });
      } catch (e) {
        if (e !== stop) throw e;
      }
    }
  } else if (op === "union") {
    const acc = new Map<string, number>();
    for (const src of srcs) {
      if (src.size === 0) continue;
      sourceForEach(src, (m, s) => {
        let score = src.weight * s;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, agg));
      });
    }
    for (const [m, s] of acc) {
      members.push(m);
      scores.push(s);
    }
  } else {
    const first = srcs[0]!;
    const sameAsFirst = srcs.some((s, k) => k > 0 && s.value !== undefined && s.value === first.value);
    if (first.size > 0 && !sameAsFirst) {
      sourceForEach(first, (m, s) => {
        for (let k = 1; k < srcs.length; k++) if (sourceFind(srcs[k]!, m) !== undefined) return;
        members.push(m);
        scores.push(s);
      });
    }
  }

  if (cardOnly) return int(card);
  if (dst !== undefined) {
    return storeResult(
      ctx,
      dst,
      members,
      scores,
      op === "union" ? "zunionstore" : op === "inter" ? "zinterstore" : "zdiffstore",
    );
  }
  const order = members.map((_, i) => i);
  order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ma = members[a]!;
    const mb = members[b]!;
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  const sm = order.map((i) => members[i]!);
  if (!withScores) return array(sm.map((m) => bulk(m)));
  return scorePairs(sm, order.map((i) => scores[i]!));
}

function zunion(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 1, "union", undefined, false);
}

function zinter(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 1, "inter", undefined, false);
}

function zdiff(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 1, "diff", undefined, false);
}

function zunionstore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 2, "union", argv[1]!, false);
}

function zinterstore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 2, "inter", argv[1]!, false);
}

function zdiffstore(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 2, "diff", argv[1]!, false);
}

function zintercard(ctx: CommandContext, argv: readonly string[]): Reply {
  return zsetOp(ctx, argv, 1, "inter", undefined, true);
}

// --- pops ----------------------------------------------------------------------------------

/**
 * How a pop replies (Valkey's `emitkey` / `use_nested_array` / `reply_nil_when_empty`):
 * `flat` member, score, ...; `pairs` flat in RESP2 and nested in RESP3 (ZPOPMIN with a count);
 * `nested` [member, score] pairs in both protocols (ZMPOP, BZMPOP).
 */
interface PopShape {
  readonly emitKey: boolean;
  readonly layout: "flat" | "pairs" | "nested";
  readonly nilWhenEmpty: boolean;
}

/**
 * Pops from the first of `keys` holding a sorted set (Valkey's `genericZpopCommand`).
 * @param count members to pop; -1 for a plain single pop
 */
function zpopGeneric(
  ctx: CommandContext,
  keys: readonly string[],
  max: boolean,
  count: number,
  shape: PopShape,
): Reply {
  let key: string | undefined;
  let z: ZSet | undefined;
  for (const k of keys) {
    z = writeZset(ctx, k);
    if (z !== undefined) {
      key = k;
      break;
    }
  }
  if (z === undefined || key === undefined) return shape.nilWhenEmpty ? NULL_ARRAY : EMPTY_ARRAY;
  if (count === 0) return EMPTY_ARRAY;
  const n = Math.min(count === -1 ? 1 : count, z.size);
  const got = max ? z.removeRange(z.size - n, z.size - 1) : z.removeRange(0, n - 1);
  if (max) {
    got.members.reverse();
    got.scores.reverse();
  }
  afterRemove(ctx, key, z, max ? "zpopmax" : "zpopmin");
  if (shape.layout === "nested") {
    const nested = nestedPairs(got.members, got.scores);
    return shape.emitKey ? array([bulk(key), nested]) : nested;
  }
  if (shape.layout === "pairs") return scorePairs(got.members, got.scores);
  const flat: Reply[] = shape.emitKey ? [bulk(key)] : [];
  for (let i = 0; i < got.members.length; i++) flat.push(bulk(got.members[i]!), double(got.scores[i]!));
  return array(flat);
}

function zpopMinMax(ctx: CommandContext, argv: readonly string[], max: boolean): Reply {
  if (argv.length > 3) return SYNTAX;
  const count = argv.length === 3 ? positiveLongArg(argv[2]!) : -1;
  // RESP3 nests [member, score] pairs when a count is given; RESP2 and the single pop are flat.
  const layout = count === -1 ? "flat" : "pairs";
  return zpopGeneric(ctx, [argv[1]!], max, count, { emitKey: false, layout, nilWhenEmpty: false });
}

function zpopmin(ctx: CommandContext, argv: readonly string[]): Reply {
  return zpopMinMax(ctx, argv, false);
}

function zpopmax(ctx: CommandContext, argv: readonly string[]): Reply {
  return zpopMinMax(ctx, argv, true);
}

/**
 * The blocking pops (Valkey's `blockingGenericZpopCommand`): pops at once when one of the keys
 * holds members, otherwise parks the client until one does.
 */
function blockingZpop(
  ctx: CommandContext,
  keys: readonly string[],
  max: boolean,
  timeoutText: string,
  count: number,
  shape: PopShape,
): Reply | Blocked {
  const timeoutMs = parseBlockingTimeout(timeoutText, ctx.now);
  const attempt = (c: CommandContext): Reply | undefined => {
    for (const k of keys) {
      const v = c.db.lookupWrite(k, c.now);
      if (v === undefined) continue;
      if (!(v instanceof ZSet)) return WRONGTYPE;
      return zpopGeneric(c, [k], max, count, shape);
    }
    return undefined;
  };
  const now = attempt(ctx);
  if (now !== undefined) return now;
  return {
    t: "blocked",
    keys,
    timeoutMs,
    // Like Valkey, a waiter is only served by a key that now holds a sorted set; the pop is then
    // re-run from the first key, which may report WRONGTYPE for an earlier key.
    retry: (c) => keys.some((k) => c.db.peek(k, c.now) instanceof ZSet) ? attempt(c) : undefined,
    timeoutReply: NULL_ARRAY,
  };
}

function bzpopmin(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return blockingZpop(ctx, argv.slice(1, -1), false, argv[argv.length - 1]!, -1, {
    emitKey: true,
    layout: "flat",
    nilWhenEmpty: false,
  });
}

function bzpopmax(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return blockingZpop(ctx, argv.slice(1, -1), true, argv[argv.length - 1]!, -1, {
    emitKey: true,
    layout: "flat",
    nilWhenEmpty: false,
  });
}

/** ZMPOP and BZMPOP (Valkey's `zmpopGenericCommand`). */
function zmpopGeneric(
  ctx: CommandContext,
  argv: readonly string[],
  numkeysIdx: number,
  block: boolean,
): Reply | Blocked {
  const numkeys = rangeLongArg(argv[numkeysIdx]!, 1, E.NUMKEYS_POSITIVE);
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) return SYNTAX;
  const where = argv[whereIdx]!.toLowerCase();
  if (where !== "min" && where !== "max") return SYNTAX;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (count === -1 && argv[j]!.toLowerCase() === "count" && moreArgs > 0) {
      j++;
      count = rangeLongArg(argv[j]!, 1, E.ZSET_COUNT_POSITIVE);
    } else {
      return SYNTAX;
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  const shape: PopShape = { emitKey: true, layout: "nested", nilWhenEmpty: true };
  if (block) return blockingZpop(ctx, keys, where === "max", argv[1]!, count, shape);
  return zpopGeneric(ctx, keys, where === "max", count, shape);
}

function zmpop(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return zmpopGeneric(ctx, argv, 1, false);
}

function bzmpop(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return zmpopGeneric(ctx, argv, 2, true);
}

// --- ZRANDMEMBER, ZSCAN ---------------------------------------------------------------------

const LONG_MAX_TEXT = "9223372036854775807";
/** LONG_MAX / 2: WITHSCORES refuses counts whose reply length would overflow. */
const HALF_LONG_MAX = 4611686018427387903n;

function zrandmember(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length >= 3) {
    const l = parseInt64(argv[2]!);
    if (l === null) throw new ReplyError(E.NOT_INTEGER);
    if (BigInt(l) < -9223372036854775807n) {
      throw new ReplyError(fmt(E.INT_RANGE, "-" + LONG_MAX_TEXT, LONG_MAX_TEXT));
    }
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== "withscores")) return SYNTAX;
    const withScores = argv.length === 4;
    if (withScores && (BigInt(l) < -HALF_LONG_MAX || BigInt(l) > HALF_LONG_MAX)) {
      throw new ReplyError(E.OUT_OF_RANGE);
    }
    return zrandmemberCount(ctx, argv[1]!, Number(l), withScores);
  }
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) return NULL;
  return bulk(z.memberAt(Math.floor(ctx.engine.random() * z.size)));
}

function zrandmemberCount(ctx: CommandContext, key: string, l: number, withScores: boolean): Reply {
  const z = readZset(ctx, key);
  if (z === undefined) return EMPTY_ARRAY;
  const size = z.size;
  const unique = l >= 0;
  const count = unique ? l : -l;
  if (count === 0) return EMPTY_ARRAY;
  const rand = ctx.engine.random;
  const members: string[] = [];
  const scores: number[] = [];
  const take = (rank: number) => {
    members.push(z.memberAt(rank));
    scores.push(z.scoreAt(rank));
  };
  if (!unique || count === 1) {
    // Sampling with repetition, in random order.
    for (let i = 0; i < count; i++) take(Math.floor(rand() * size));
  } else if (count >= size) {
    // The whole set, walked from the highest score down as Valkey's set-operation iterator does.
    z.walk(size - 1, 0, (m, s) => {
      members.push(m);
      scores.push(s);
    });
  } else if (z.isListpack) {
    // Valkey's lpRandomPairsUnique: a uniform sample (selection sampling) in listpack order.
    let need = count;
    let seen = 0;
    z.walk(0, size - 1, (m, s) => {
      if (rand() * (size - seen) < need) {
        members.push(m);
        scores.push(s);
        need--;
      }
      seen++;
      if (need === 0) return false;
    });
  } else {
    // Distinct random ranks in random order (partial Fisher-Yates over a sparse permutation).
    const swapped = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rand() * (size - i));
      const vj = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      take(vj);
    }
  }
  if (!withScores) return array(members.map((m) => bulk(m)));
  return scorePairs(members, scores);
}

function zscan(ctx: CommandContext, argv: readonly string[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  if (cursor === null) throw new ReplyError(E.INVALID_CURSOR);
  const z = readZset(ctx, argv[1]!);
  if (z === undefined) return array([bulk("0"), EMPTY_ARRAY]);
  const opts = parseScanOptions(argv, 3, "zscan");
  const items: Reply[] = [];
  const next = z.scan(cursor, opts.count, (m, s) => {
    if (opts.pattern !== undefined && !globMatch(opts.pattern, m)) return;
    items.push(bulk(m));
    if (!opts.noValues) items.push(bulk(formatDouble(s)));
  });
  return array([bulk(String(next)), array(items)]);
}

// --- command table ---------------------------------------------------------------------------

const RO = "RO ACCESS";

/** The sorted_set group's command table. */
export const ZSET_COMMANDS: readonly CommandSpec[] = [
  cmd(
    "bzmpop",
    "sorted_set",
    -5,
    "write blocking",
    "sortedset",
    [keynumKey(2, 0, 1, 1, "RW ACCESS DELETE")],
    "7.0.0",
    bzmpop,
    {
      complexity:
        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
      summary:
        "Pops one or more lowest- or highest-scoring members from the first non-empty sorted set, waiting until one exists or the timeout passes.",
    },
  ),
  cmd(
    "bzpopmax",
    "sorted_set",
    -3,
    "write fast blocking",
    "sortedset",
    [rangeKey(1, -2, 1, "RW ACCESS DELETE")],
    "5.0.0",
    bzpopmax,
    {
      complexity: "O(log(N)) with N being the number of elements in the sorted set.",
      summary:
        "Pops the highest-scoring member of the first non-empty sorted set, waiting until one exists or the timeout passes.",
    },
  ),
  cmd(
    "bzpopmin",
    "sorted_set",
    -3,
    "write fast blocking",
    "sortedset",
    [rangeKey(1, -2, 1, "RW ACCESS DELETE")],
    "5.0.0",
    bzpopmin,
    {
      complexity: "O(log(N)) with N being the number of elements in the sorted set.",
      summary:
        "Pops the lowest-scoring member of the first non-empty sorted set, waiting until one exists or the timeout passes.",
    },
  ),
  cmd("zadd", "sorted_set", -4, "write denyoom fast", "sortedset", [rangeKey(1, 0, 1, "RW UPDATE")], "1.2.0", zadd, {
    complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    summary: "Adds members with scores to a sorted set, or updates the scores of existing members.",
  }),
  cmd("zcard", "sorted_set", 2, "readonly fast", "sortedset", [rangeKey(1, 0, 1, "RO")], "1.2.0", zcard, {
    complexity: "O(1)",
    summary: "Returns how many members a sorted set has.",
  }),
  cmd("zcount", "sorted_set", 4, "readonly fast", "sortedset", [rangeKey(1, 0, 1, RO)], "2.0.0", zcount, {
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    summary: "Counts the members whose score lies in a range.",
  }),
  cmd("zdiff", "sorted_set", -3, "readonly", "sortedset", [keynumKey(1, 0, 1, 1, RO)], "6.2.0", zdiff, {
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    summary: "Returns the members of the first sorted set that no other given set holds.",
  }),
  cmd(
    "zdiffstore",
    "sorted_set",
    -4,
    "write denyoom",
    "sortedset",
    [rangeKey(1, 0, 1, "OW UPDATE"), keynumKey(2, 0, 1, 1, RO)],
    "6.2.0",
    zdiffstore,
    {
      complexity:
        "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
      summary: "Stores the difference of sorted sets in a key.",
    },
  ),
  cmd(
    "zincrby",
    "sorted_set",
    4,
    "write denyoom fast",
    "sortedset",
    [rangeKey(1, 0, 1, "RW ACCESS UPDATE")],
    "1.2.0",
    zincrby,
    {
      complexity: "O(log(N)) where N is the number of elements in the sorted set.",
      summary: "Adds an increment to a member's score, adding the member when absent.",
    },
  ),
  cmd("zinter", "sorted_set", -3, "readonly", "sortedset", [keynumKey(1, 0, 1, 1, RO)], "6.2.0", zinter, {
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    summary: "Returns the members every given set holds, with aggregated scores.",
  }),
  cmd("zintercard", "sorted_set", -3, "readonly", "sortedset", [keynumKey(1, 0, 1, 1, RO)], "7.0.0", zintercard, {
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    summary: "Counts the members every given set holds, optionally stopping at a limit.",
  }),
  cmd(
    "zinterstore",
    "sorted_set",
    -4,
    "write denyoom",
    "sortedset",
    [rangeKey(1, 0, 1, "OW UPDATE"), keynumKey(2, 0, 1, 1, RO)],
    "2.0.0",
    zinterstore,
    {
      complexity:
        "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
      summary: "Stores the intersection of sorted sets in a key.",
    },
  ),
  cmd("zlexcount", "sorted_set", 4, "readonly fast", "sortedset", [rangeKey(1, 0, 1, RO)], "2.8.9", zlexcount, {
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    summary: "Counts the members between two lexicographic bounds.",
  }),
  cmd("zmpop", "sorted_set", -4, "write", "sortedset", [keynumKey(1, 0, 1, 1, "RW ACCESS DELETE")], "7.0.0", zmpop, {
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    summary: "Pops one or more lowest- or highest-scoring members from the first non-empty sorted set.",
  }),
  cmd("zmscore", "sorted_set", -3, "readonly fast", "sortedset", [rangeKey(1, 0, 1, RO)], "6.2.0", zmscore, {
    complexity: "O(N) where N is the number of members being requested.",
    summary: "Returns the scores of several members.",
  }),
  cmd(
    "zpopmax",
    "sorted_set",
    -2,
    "write fast",
    "sortedset",
    [rangeKey(1, 0, 1, "RW ACCESS DELETE")],
    "5.0.0",
    zpopmax,
    {
      complexity:
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
      summary: "Removes and returns the highest-scoring members.",
    },
  ),
  cmd(
    "zpopmin",
    "sorted_set",
    -2,
    "write fast",
    "sortedset",
    [rangeKey(1, 0, 1, "RW ACCESS DELETE")],
    "5.0.0",
    zpopmin,
    {
      complexity:
        "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
      summary: "Removes and returns the lowest-scoring members.",
    },
  ),
  cmd("zrandmember", "sorted_set", -2, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "6.2.0", zrandmember, {
    tips: ["nondeterministic_output"],
    complexity: "O(N) where N is the number of members returned",
    summary: "Returns random members, distinct or with repetitions.",
  }),
  cmd("zrange", "sorted_set", -4, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "1.2.0", zrange, {
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    summary: "Returns members by rank, score or lexicographic range.",
  }),
  cmd("zrangebylex", "sorted_set", -4, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "2.8.9", zrangebylex, {
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary: "Returns members between two lexicographic bounds.",
  }),
  cmd("zrangebyscore", "sorted_set", -4, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "1.0.5", zrangebyscore, {
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary: "Returns members whose score lies in a range.",
  }),
  cmd(
    "zrangestore",
    "sorted_set",
    -5,
    "write denyoom",
    "sortedset",
    [rangeKey(1, 0, 1, "OW UPDATE"), rangeKey(2, 0, 1, RO)],
    "6.2.0",
    zrangestore,
    {
      complexity:
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
      summary: "Stores a range of a sorted set in a key.",
    },
  ),
  cmd("zrank", "sorted_set", -3, "readonly fast", "sortedset", [rangeKey(1, 0, 1, RO)], "2.0.0", zrank, {
    complexity: "O(log(N))",
    summary: "Returns a member's rank counted from the lowest score.",
  }),
  cmd("zrem", "sorted_set", -3, "write fast", "sortedset", [rangeKey(1, 0, 1, "RW DELETE")], "1.2.0", zrem, {
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    summary: "Removes members from a sorted set.",
  }),
  cmd(
    "zremrangebylex",
    "sorted_set",
    4,
    "write",
    "sortedset",
    [rangeKey(1, 0, 1, "RW DELETE")],
    "2.8.9",
    zremrangebylex,
    {
      complexity:
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
      summary: "Removes the members between two lexicographic bounds.",
    },
  ),
  cmd(
    "zremrangebyrank",
    "sorted_set",
    4,
    "write",
    "sortedset",
    [rangeKey(1, 0, 1, "RW DELETE")],
    "2.0.0",
    zremrangebyrank,
    {
      complexity:
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
      summary: "Removes the members within a rank range.",
    },
  ),
  cmd(
    "zremrangebyscore",
    "sorted_set",
    4,
    "write",
    "sortedset",
    [rangeKey(1, 0, 1, "RW DELETE")],
    "1.2.0",
    zremrangebyscore,
    {
      complexity:
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
      summary: "Removes the members whose score lies in a range.",
    },
  ),
  cmd("zrevrange", "sorted_set", -4, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "1.2.0", zrevrange, {
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    summary: "Returns members by rank, highest score first.",
  }),
  cmd("zrevrangebylex", "sorted_set", -4, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "2.8.9", zrevrangebylex, {
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
    summary: "Returns members between two lexicographic bounds, in reverse order.",
  }),
  cmd(
    "zrevrangebyscore",
    "sorted_set",
    -4,
    "readonly",
    "sortedset",
    [rangeKey(1, 0, 1, RO)],
    "2.2.0",
    zrevrangebyscore,
    {
      complexity:
        "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
      summary: "Returns members whose score lies in a range, highest score first.",
    },
  ),
  cmd("zrevrank", "sorted_set", -3, "readonly fast", "sortedset", [rangeKey(1, 0, 1, RO)], "2.0.0", zrevrank, {
    complexity: "O(log(N))",
    summary: "Returns a member's rank counted from the highest score.",
  }),
  cmd("zscan", "sorted_set", -3, "readonly", "sortedset", [rangeKey(1, 0, 1, RO)], "2.8.0", zscan, {
    tips: ["nondeterministic_output"],
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    summary: "Iterates over the members and scores of a sorted set.",
  }),
  cmd("zscore", "sorted_set", 3, "readonly fast", "sortedset", [rangeKey(1, 0, 1, RO)], "1.2.0", zscore, {
    complexity: "O(1)",
    summary: "Returns a member's score.",
  }),
  cmd("zunion", "sorted_set", -3, "readonly", "sortedset", [keynumKey(1, 0, 1, 1, RO)], "6.2.0", zunion, {
    complexity:
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    summary: "Returns the members any given set holds, with aggregated scores.",
  }),
  cmd(
    "zunionstore",
    "sorted_set",
    -4,
    "write denyoom",
    "sortedset",
    [rangeKey(1, 0, 1, "OW UPDATE"), keynumKey(2, 0, 1, 1, RO)],
    "2.0.0",
    zunionstore,
    {
      complexity:
        "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
      summary: "Stores the union of sorted sets in a key.",
    },
  ),
];
