/**
 * The sorted set type's value (no keyspace, no replies): members ordered by (score, member),
 * with O(log n) rank, range and update operations, and Valkey's score/lex range rules.
 *
 * ## Representation
 * The order lives in a "sorted chunk list": an array of chunks, each holding up to
 * {@link CHUNK_MAX} members and their scores in two parallel arrays (strings and unboxed
 * doubles), sorted by (score, member). A Fenwick tree over the chunk lengths gives the rank of a
 * chunk's first element in O(log chunks); it is rebuilt lazily after a chunk is split, merged
 * or removed. Compared with a skip list of per-node objects with level arrays this costs two
 * array slots per member and a few hundred bytes per chunk, which is what keeps a 1M-member
 * sorted set within a small multiple of Valkey's memory.
 *
 * Like Valkey, a small set has no member index (Valkey's listpack encoding): member lookups scan
 * the chunks linearly, which is cheap below `zset-max-listpack-entries` (128 by default). A set
 * that outgrows `zset-max-listpack-entries` or receives a member longer than
 * `zset-max-listpack-value` gets a member -> score {@link ScanMap} beside the chunks (Valkey's
 * skiplist encoding): O(1) ZSCORE, O(log n) rank, stateless ZSCAN cursors. The conversion is
 * one-way except where Valkey converts back (the STORE commands, see {@link ZSet.fromEntries}).
 *
 * Two listpack behaviours are reproduced because clients can observe them:
 * - a listpack stores a score of -0 as the integer 0, so ZSCORE answers `0`; a skiplist keeps -0;
 * - lexicographic ranges on a listpack are found by a linear scan from the first (or last)
 *   element, which gives Valkey's exact answers even when the members do not all share a score.
 *
 * @module
 */
import type { ObjectValue } from "../keyspace/db.ts";
import { ScanMap } from "../keyspace/scan.ts";

/** The thresholds that decide a sorted set's encoding. */
export interface ZsetLimits {
  /** `zset-max-listpack-entries`. */
  readonly maxEntries: number;
  /** `zset-max-listpack-value`: longest member (bytes) a listpack sorted set may hold. */
  readonly maxValue: number;
}

/** A score interval as ZRANGEBYSCORE parses it: `(` makes a bound exclusive. */
export interface ScoreRange {
  readonly min: number;
  readonly max: number;
  readonly minex: boolean;
  readonly maxex: boolean;
}

/** One end of a lex interval: `-` (below every string), `+` (above every string) or a value. */
export interface LexBound {
  readonly kind: "-" | "+" | "v";
  /** The value (empty for `-` and `+`). */
  readonly v: string;
  /** Exclusive (`(value`, and always for `-`/`+`). */
  readonly ex: boolean;
}

/** A lex interval as ZRANGEBYLEX parses it. */
export interface LexRange {
  readonly min: LexBound;
  readonly max: LexBound;
}

/** ZADD's input flags (Valkey's `ZADD_IN_*`). */
export interface ZaddFlags {
  readonly nx?: boolean;
  readonly xx?: boolean;
  readonly gt?: boolean;
  readonly lt?: boolean;
  readonly incr?: boolean;
}

/** What {@link ZSet.add} did (Valkey's `ZADD_OUT_*`; `same` = present, score unchanged). */
export type ZaddOutcome = "added" | "updated" | "same" | "nop" | "nan";

/** Most members a chunk holds; a chunk that grows past it is split in two halves. */
const CHUNK_MAX = 256;
/** Size of each half after a split, and of the chunks a bulk load builds. */
const CHUNK_HALF = CHUNK_MAX >> 1;
/** A chunk shrinking below this is merged into a neighbour when the two fit one chunk. */
const CHUNK_MIN = CHUNK_MAX >> 3;

interface Chunk {
  /** Members, sorted by (score, member). */
  m: string[];
  /** Scores, parallel to `m`. */
  s: number[];
}

/** Orders (score, member) pairs: by score, then by member bytes (latin1 strings compare as memcmp). */
function cmp(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

/** `value >= min` under the range's exclusivity (Valkey's `zslValueGteMin`). */
export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

/** `value <= max` under the range's exclusivity (Valkey's `zslValueLteMax`). */
export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** True when no score can be in the range (min > max, or min == max with an open end). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** Compares a member with a lex bound (Valkey's `sdscmplex` with the bound second). */
function cmpLex(v: string, b: LexBound): number {
  if (b.kind === "-") return 1;
  if (b.kind === "+") return -1;
  return v < b.v ? -1 : v > b.v ? 1 : 0;
}

/** `member >= min` under the bound's exclusivity (Valkey's `zslLexValueGteMin`). */
export function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.min);
  return r.min.ex ? c > 0 : c >= 0;
}

/** `member <= max` under the bound's exclusivity (Valkey's `zslLexValueLteMax`). */
export function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.max);
  return r.max.ex ? c < 0 : c <= 0;
}

/** True when no string can be in the range (Valkey compares the two bounds first). */
export function lexRangeEmpty(r: LexRange): boolean {
  const a = r.min;
  const b = r.max;
  let c: number;
  if (a.kind === b.kind && a.kind !== "v") c = 0;
  else if (a.kind === "-" || b.kind === "+") c = -1;
  else if (a.kind === "+" || b.kind === "-") c = 1;
  else c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  return c > 0 || (c === 0 && (a.ex || b.ex));
}

/** A sorted set value (TYPE `zset`). */
export class ZSet implements ObjectValue {
  /** Always `zset`. */
  readonly type = "zset" as const;
  #chunks: Chunk[] = [];
  #size = 0;
  /** Fenwick tree over chunk lengths (1-based); undefined when the chunk layout changed. */
  #fen: Int32Array | undefined = undefined;
  /** member -> score; present exactly when the encoding is `skiplist`. */
  #dict: ScanMap<number> | undefined = undefined;

  /** @param skiplist start in the skiplist encoding (with a member index) */
  constructor(skiplist = false) {
    if (skiplist) this.#dict = new ScanMap<number>();
  }

  /**
   * The sorted set a write creates for a missing key, by Valkey's `zsetTypeCreate` rule: a
   * listpack when `sizeHint` members no longer than `lenHint` bytes fit one, else a skiplist.
   */
  static create(sizeHint: number, lenHint: number, limits: ZsetLimits): ZSet {
    return new ZSet(sizeHint > limits.maxEntries || lenHint > limits.maxValue);
  }

  /**
   * Builds a sorted set from distinct members (any order), in the encoding Valkey's STORE
   * commands end with (`zsetConvertToListpackIfNeeded`): a listpack when it is small enough
   * and no member is too long, a skiplist otherwise.
   */
  static fromEntries(members: readonly string[], scores: readonly number[], limits: ZsetLimits): ZSet {
    const n = members.length;
    const order = new Array<number>(n);
    let maxLen = 0;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      if (members[i]!.length > maxLen) maxLen = members[i]!.length;
    }
    order.sort((a, b) => cmp(scores[a]!, members[a]!, scores[b]!, members[b]!));
    const listpack = n <= limits.maxEntries && maxLen <= limits.maxValue;
    const z = new ZSet(!listpack);
    let chunk: Chunk | undefined;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      const m = members[i]!;
      let s = scores[i]!;
      if (listpack && s === 0) s = 0;
      if (chunk === undefined || chunk.m.length === CHUNK_HALF) {
        chunk = { m: [], s: [] };
        z.#chunks.push(chunk);
      }
      chunk.m.push(m);
      chunk.s.push(s);
      z.#dict?.insert(m, s);
    }
    z.#size = n;
    return z;
  }

  /** Number of members. */
  get size(): number {
    return this.#size;
  }

  /** True while in the listpack encoding (no member index). */
  get isListpack(): boolean {
    return this.#dict === undefined;
  }

  /** Valkey's OBJECT ENCODING name: `listpack` or `skiplist`. */
  encoding(): string {
    return this.#dict === undefined ? "listpack" : "skiplist";
  }

  /** A deep copy in the same encoding (COPY). */
  clone(): ZSet {
    const z = new ZSet(this.#dict !== undefined);
    for (const c of this.#chunks) {
      z.#chunks.push({ m: c.m.slice(), s: c.s.slice() });
      if (z.#dict !== undefined) { for (let i = 0; i < c.m.length; i++) z.#dict.insert(c.m[i]!, c.s[i]!); }
    }
    z.#size = this.#size;
    return z;
  }

  /** Converts to the skiplist encoding (Valkey's `zsetConvert`); a no-op when already there. */
  convertToSkiplist(): void {
    if (this.#dict !== undefined) return;
    const d = new ScanMap<number>();
    for (const c of this.#chunks) for (let i = 0; i < c.m.length; i++) d.insert(c.m[i]!, c.s[i]!);
    this.#dict = d;
  }

  /**
   * Converts to a skiplist ahead of adding `sizeHint` members up to `lenHint` bytes long when
   * they could not fit a listpack (Valkey's `zsetTypeMaybeConvert`, used by ZADD).
   */
  reserve(sizeHint: number, lenHint: number, limits: ZsetLimits): void {
    if (this.#dict === undefined && (sizeHint > limits.maxEntries || lenHint > limits.maxValue)) {
      this.convertToSkiplist();
    }
  }

  /** The score of `member`, or undefined when absent. */
  score(member: string): number | undefined {
    if (this.#dict !== undefined) return this.#dict.get(member);
    for (const c of this.#chunks) {
      const i = c.m.indexOf(member);
      if (i >= 0) return c.s[i];
    }
    return undefined;
  }

  /**
   * Adds or updates one member with ZADD's rules (Valkey's `zsetAdd`): NX/XX/GT/LT gate the
   * change, INCR adds to the current score (0 when absent), a NaN result is refused, and a
   * listpack converts to a skiplist when the new member would not fit.
   * @returns the outcome and the member's resulting score (for INCR)
   */
  add(member: string, score: number, flags: ZaddFlags, limits: ZsetLimits): { out: ZaddOutcome; score: number } {
    if (Number.isNaN(score)) return { out: "nan", score };
    const cur = this.score(member);
    if (cur !== undefined) {
      if (flags.nx) return { out: "nop", score: cur };
      let s = score;
      if (flags.incr) {
        s += cur;
        if (Number.isNaN(s)) return { out: "nan", score: s };
      }
      if ((flags.lt && s >= cur) || (flags.gt && s <= cur)) return { out: "nop", score: cur };
      if (s === cur) return { out: "same", score: s };
      if (!this.#updateInPlace(cur, member, s)) {
        this.#removeEntry(cur, member);
        this.#insertRaw(s, member);
      }
      if (this.#dict !== undefined) this.#dict.set(member, s);
      return { out: "updated", score: s };
    }
    if (flags.xx) return { out: "nop", score: 0 };
    if (this.#dict === undefined && (this.#size + 1 > limits.maxEntries || member.length > limits.maxValue)) {
      this.convertToSkiplist();
    }
    this.#insertRaw(score, member);
    this.#dict?.insert(member, score);
    return { out: "added", score };
  }

  /**
   * Inserts a member known to be absent, without encoding checks (building results whose
   * encoding is settled separately).
   */
  insertNew(member: string, score: number): void {
    this.#insertRaw(score, member);
    this.#dict?.insert(member, score);
  }

  /** Removes a member. @returns whether it was present */
  remove(member: string): boolean {
    const s = this.score(member);
    if (s === undefined) return false;
    this.#removeEntry(s, member);
    this.#dict?.delete(member);
    return true;
  }

  /** The 0-based rank of `member` counted from the lowest score, or -1 when absent. */
  rank(member: string): number {
    const s = this.score(member);
    if (s === undefined) return -1;
    const ci = this.#findChunk(s, member);
    return this.#prefix(ci) + lowerIndex(this.#chunks[ci]!, s, member);
  }

  /** The member at a 0-based rank (must be in range). */
  memberAt(rank: number): string {
    const [ci, i] = this.#locate(rank);
    return this.#chunks[ci]!.m[i]!;
  }

  /** The score at a 0-based rank (must be in range). */
  scoreAt(rank: number): number {
    const [ci, i] = this.#locate(rank);
    return this.#chunks[ci]!.s[i]!;
  }

  /**
   * Visits members from rank `start` towards rank `end` (both inclusive, in range), forwards
   * when `start <= end`, backwards otherwise. Stops early when `fn` returns false.
   */
  walk(start: number, end: number, fn: (member: string, score: number) => boolean | void): void {
    if (this.#size === 0) return;
    let [ci, i] = this.#locate(start);
    const chunks = this.#chunks;
    let left = Math.abs(end - start) + 1;
    if (start <= end) {
      while (left > 0) {
        const c = chunks[ci]!;
        for (; i < c.m.length && left > 0; i++, left--) if (fn(c.m[i]!, c.s[i]!) === false) return;
        ci++;
        i = 0;
      }
    } else {
      while (left > 0) {
        const c = chunks[ci]!;
        for (; i >= 0 && left > 0; i--, left--) if (fn(c.m[i]!, c.s[i]!) === false) return;
        ci--;
        if (ci >= 0) i = chunks[ci]!.m.length - 1;
      }
    }
  }

  /** Every (member, score) in ascending order. */
  forEach(fn: (member: string, score: number) => void): void {
    for (const c of this.#chunks) for (let i = 0; i < c.m.length; i++) fn(c.m[i]!, c.s[i]!);
  }

  /**
   * Rank of the first member whose score is in the range, or -1 (Valkey's `zslNthInRange` with
   * n = 0): the range is non-empty, the last score is >= min and the first is <= max.
   */
  firstInScoreRange(r: ScoreRange): number {
    if (!this.#scoreRangeOverlaps(r)) return -1;
    const rank = this.#scoreLowerBound(r.min, r.minex);
    if (rank >= this.#size || !scoreLteMax(this.scoreAt(rank), r)) return -1;
    return rank;
  }

  /** Rank of the last member whose score is in the range, or -1. */
  lastInScoreRange(r: ScoreRange): number {
    if (!this.#scoreRangeOverlaps(r)) return -1;
    // First rank past max, minus one.
    const rank = this.#scoreLowerBound(r.max, !r.maxex) - 1;
    if (rank < 0 || !scoreGteMin(this.scoreAt(rank), r)) return -1;
    return rank;
  }

  /** Number of members whose score is in the range (ZCOUNT). */
  countInScoreRange(r: ScoreRange): number {
    const first = this.firstInScoreRange(r);
    if (first < 0) return 0;
    return this.lastInScoreRange(r) - first + 1;
  }

  /**
   * Rank of the first member in the lex range, or -1. A listpack is scanned from its first
   * element as Valkey's `zzlFirstInLexRange` does; a skiplist is binary searched (the members
   * are expected to share one score, as ZRANGEBYLEX requires).
   */
  firstInLexRange(r: LexRange): number {
    if (!this.#lexRangeOverlaps(r)) return -1;
    let rank: number;
    if (this.#dict === undefined) {
      rank = -1;
      let k = 0;
      this.walk(0, this.#size - 1, (m) => {
        if (lexGteMin(m, r)) {
          rank = k;
          return false;
        }
        k++;
      });
      if (rank < 0) return -1;
    } else {
      rank = this.#lexLowerBound(r.min);
      if (rank >= this.#size) return -1;
    }
    return lexLteMax(this.memberAt(rank), r) ? rank : -1;
  }

  /** Rank of the last member in the lex range, or -1 (a listpack is scanned from its end). */
  lastInLexRange(r: LexRange): number {
    if (!this.#lexRangeOverlaps(r)) return -1;
    let rank: number;
    if (this.#dict === undefined) {
      rank = -1;
      let k = this.#size - 1;
      this.walk(this.#size - 1, 0, (m) => {
        if (lexLteMax(m, r)) {
          rank = k;
          return false;
        }
        k--;
      });
      if (rank < 0) return -1;
    } else {
      rank = this.#lexUpperBound(r.max) - 1;
      if (rank < 0) return -1;
    }
    return lexGteMin(this.memberAt(rank), r) ? rank : -1;
  }

  /**
   * Number of members in the lex range (ZLEXCOUNT): a listpack counts forward from the first
   * member in range until one exceeds max; a skiplist subtracts the first rank from the last.
   */
  countInLexRange(r: LexRange): number {
    const first = this.firstInLexRange(r);
    if (first < 0) return 0;
    if (this.#dict !== undefined) return this.lastInLexRange(r) - first + 1;
    return this.#countForward(first, (m) => lexLteMax(m, r));
  }

  /**
   * The last rank of the run starting at `first` whose members satisfy `ok`, walking forwards
   * (how Valkey's listpack code deletes a lex range).
   */
  lexRunEnd(first: number, r: LexRange): number {
    return first + this.#countForward(first, (m) => lexLteMax(m, r)) - 1;
  }

  #countForward(first: number, ok: (m: string) => boolean): number {
    let n = 0;
    this.walk(first, this.#size - 1, (m) => {
      if (!ok(m)) return false;
      n++;
    });
    return n;
  }

  /**
   * Removes the members of ranks `start..end` (inclusive, in range).
   * @returns the removed members, in rank order
   */
  removeRange(start: number, end: number): { members: string[]; scores: number[] } {
    const members: string[] = [];
    const scores: number[] = [];
    if (start > end) return { members, scores };
    const [c0, i0] = this.#locate(start);
    const [c1, i1] = this.#locate(end);
    const chunks = this.#chunks;
    const take = (c: Chunk, from: number, to: number) => {
      for (let i = from; i < to; i++) {
        members.push(c.m[i]!);
        scores.push(c.s[i]!);
      }
      c.m.splice(from, to - from);
      c.s.splice(from, to - from);
    };
    if (c0 === c1) {
      take(chunks[c0]!, i0, i1 + 1);
    } else {
      take(chunks[c0]!, i0, chunks[c0]!.m.length);
      for (let ci = c0 + 1; ci < c1; ci++) take(chunks[ci]!, 0, chunks[ci]!.m.length);
      take(chunks[c1]!, 0, i1 + 1);
      chunks.splice(c0 + 1, c1 - c0 - 1);
    }
    if (this.#dict !== undefined) { for (const m of members) this.#dict.delete(m); }
    this.#size -= members.length;
    if (c0 === c1) {
      // A removal inside one chunk (every ZPOPMIN/ZPOPMAX) updates the rank tree in O(log n)
      // instead of dropping it, which made each single pop rebuild it over all chunks.
      if (!this.#tidy(c0)) this.#fenAdd(c0, -members.length);
    } else {
      this.#fen = undefined;
      // Only the chunks at both ends of the removed run can be left empty or small.
      if (c0 + 1 < chunks.length) this.#tidy(c0 + 1);
      this.#tidy(c0);
    }
    return { members, scores };
  }

  /**
   * Visits up to about `count` members from `cursor` (ZSCAN). A listpack is returned whole
   * with cursor 0, as Valkey does for small encodings.
   * @returns the cursor to continue from, 0 when done
   */
  scan(cursor: number, count: number, visit: (member: string, score: number) => void): number {
    if (this.#dict === undefined) {
      this.forEach(visit);
      return 0;
    }
    return this.#dict.scan(cursor, count, visit);
  }

  // --- order maintenance -------------------------------------------------------------------

  #insertRaw(score: number, member: string): void {
    // A listpack stores -0 as the integer 0 (d2string writes "-0", which lpStringToInt64 reads
    // as 0), so only a skiplist keeps the sign of zero.
    if (this.#dict === undefined && score === 0) score = 0;
    const chunks = this.#chunks;
    this.#size++;
    if (chunks.length === 0) {
      chunks.push({ m: [member], s: [score] });
      this.#fen = undefined;
      return;
    }
    const ci = this.#findChunk(score, member);
    const c = chunks[ci]!;
    const i = lowerIndex(c, score, member);
    if (i === c.m.length) {
      c.m.push(member);
      c.s.push(score);
    } else {
      c.m.splice(i, 0, member);
      c.s.splice(i, 0, score);
    }
    if (c.m.length > CHUNK_MAX) {
      const right: Chunk = { m: c.m.slice(CHUNK_HALF), s: c.s.slice(CHUNK_HALF) };
      c.m.length = CHUNK_HALF;
      c.s.length = CHUNK_HALF;
      chunks.splice(ci + 1, 0, right);
      this.#fen = undefined;
    } else {
      this.#fenAdd(ci, 1);
    }
  }

  /**
   * Changes a score without moving the member when its neighbours' scores keep it in place (as
   * Valkey's `zslUpdateScore`), which makes ZINCRBY on a leaderboard cheap.
   * @returns false when the member has to move
   */
  #updateInPlace(cur: number, member: string, s: number): boolean {
    const chunks = this.#chunks;
    const ci = this.#findChunk(cur, member);
    const c = chunks[ci]!;
    const i = lowerIndex(c, cur, member);
    const prev = i > 0 ? c.s[i - 1] : ci > 0 ? chunks[ci - 1]!.s[chunks[ci - 1]!.s.length - 1] : undefined;
    const next = i + 1 < c.s.length ? c.s[i + 1] : ci + 1 < chunks.length ? chunks[ci + 1]!.s[0] : undefined;
    if ((prev !== undefined && !(prev < s)) || (next !== undefined && !(next > s))) return false;
    c.s[i] = this.#dict === undefined && s === 0 ? 0 : s;
    return true;
  }

  #removeEntry(score: number, member: string): void {
    const ci = this.#findChunk(score, member);
    const c = this.#chunks[ci]!;
    const i = lowerIndex(c, score, member);
    c.m.splice(i, 1);
    c.s.splice(i, 1);
    this.#size--;
    if (!this.#tidy(ci)) this.#fenAdd(ci, -1);
  }

  /**
   * Drops chunk `ci` when empty, or merges it into a neighbour when small and the two fit one
   * chunk. @returns whether the chunk layout changed (the Fenwick tree is then invalidated)
   */
  #tidy(ci: number): boolean {
    const chunks = this.#chunks;
    const c = chunks[ci];
    if (c === undefined) return false;
    if (c.m.length === 0) {
      chunks.splice(ci, 1);
      this.#fen = undefined;
      return true;
    }
    if (c.m.length < CHUNK_MIN && chunks.length > 1) {
      const li = ci > 0 ? ci - 1 : ci;
      const left = chunks[li]!;
      const right = chunks[li + 1]!;
      if (left.m.length + right.m.length <= CHUNK_MAX) {
        for (let i = 0; i < right.m.length; i++) {
          left.m.push(right.m[i]!);
          left.s.push(right.s[i]!);
        }
        chunks.splice(li + 1, 1);
        this.#fen = undefined;
        return true;
      }
    }
    return false;
  }

  /** Index of the first chunk whose last element is >= (score, member); the last chunk if none. */
  #findChunk(score: number, member: string): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      const last = c.m.length - 1;
      if (cmp(c.s[last]!, c.m[last]!, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rank of the first member with score >= v (or > v when `exclusive`). */
  #scoreLowerBound(v: number, exclusive: boolean): number {
    const chunks = this.#chunks;
    const before = exclusive ? (s: number) => s <= v : (s: number) => s < v;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      if (before(c.s[c.s.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return this.#size;
    const c = chunks[lo]!;
    let a = 0;
    let b = c.s.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(c.s[mid]!)) a = mid + 1;
      else b = mid;
    }
    return this.#prefix(lo) + a;
  }

  /** Rank of the first member not below the lex bound `min` (by member order). */
  #lexLowerBound(min: LexBound): number {
    return this.#memberBound((m) => (min.ex ? cmpLex(m, min) <= 0 : cmpLex(m, min) < 0));
  }

  /** Rank of the first member above the lex bound `max`. */
  #lexUpperBound(max: LexBound): number {
    return this.#memberBound((m) => (max.ex ? cmpLex(m, max) < 0 : cmpLex(m, max) <= 0));
  }

  /** Rank of the first member for which `before` is false (members monotonic in `before`). */
  #memberBound(before: (m: string) => boolean): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      if (before(c.m[c.m.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === chunks.length) return this.#size;
    const c = chunks[lo]!;
    let a = 0;
    let b = c.m.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(c.m[mid]!)) a = mid + 1;
      else b = mid;
    }
    return this.#prefix(lo) + a;
  }

  /** Valkey's `zslIsInRange`: the range is non-empty and overlaps [first, last]. */
  #scoreRangeOverlaps(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r) || this.#size === 0) return false;
    const chunks = this.#chunks;
    const lastChunk = chunks[chunks.length - 1]!;
    if (!scoreGteMin(lastChunk.s[lastChunk.s.length - 1]!, r)) return false;
    return scoreLteMax(chunks[0]!.s[0]!, r);
  }

  /** Valkey's `zslIsInLexRange`: the range is non-empty and overlaps [first, last]. */
  #lexRangeOverlaps(r: LexRange): boolean {
    if (lexRangeEmpty(r) || this.#size === 0) return false;
    const chunks = this.#chunks;
    const lastChunk = chunks[chunks.length - 1]!;
    if (!lexGteMin(lastChunk.m[lastChunk.m.length - 1]!, r)) return false;
    return lexLteMax(chunks[0]!.m[0]!, r);
  }

  // --- ranks (Fenwick tree over chunk lengths) ---------------------------------------------

  #tree(): Int32Array {
    let f = this.#fen;
    if (f !== undefined) return f;
    const chunks = this.#chunks;
    const n = chunks.length;
    f = new Int32Array(n + 1);
    for (let i = 1; i <= n; i++) {
      f[i]! += chunks[i - 1]!.m.length;
      const j = i + (i & -i);
      if (j <= n) f[j]! += f[i]!;
    }
    this.#fen = f;
    return f;
  }

  #fenAdd(ci: number, delta: number): void {
    const f = this.#fen;
    if (f === undefined) return;
    for (let i = ci + 1; i < f.length; i += i & -i) f[i]! += delta;
  }

  /** Number of members in chunks before `ci`. */
  #prefix(ci: number): number {
    if (ci === 0) return 0;
    const f = this.#tree();
    let sum = 0;
    for (let i = ci; i > 0; i -= i & -i) sum += f[i]!;
    return sum;
  }

  /** [chunk index, index in chunk] of a 0-based rank (in range). */
  #locate(rank: number): [number, number] {
    const chunks = this.#chunks;
    if (chunks.length === 1) return [0, rank];
    const f = this.#tree();
    const n = chunks.length;
    let pos = 0;
    let rem = rank;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && f[next]! <= rem) {
        pos = next;
        rem -= f[next]!;
      }
    }
    return [pos, rem];
  }
}

/** Index of the first element of `c` that is >= (score, member). */
function lowerIndex(c: Chunk, score: number, member: string): number {
  let lo = 0;
  let hi = c.m.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(c.s[mid]!, c.m[mid]!, score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
