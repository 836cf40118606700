/**
 * The list type's value (no keyspace, no replies): a chunked deque ("QuickList").
 *
 * Elements are latin1 byte strings held in chunks: plain arrays of at most {@link CHUNK} slots.
 * Both ends push and pop in O(1) without `shift()`: the head chunk has a head offset and grows
 * towards lower indexes into spare room reserved at its front (only the head chunk ever has
 * such room, so one offset serves the whole list); the tail chunk grows with `push()`. The chunk
 * directory has a head offset of its own for the same reason. Middle operations locate a chunk
 * by walking the directory from the nearer end (n / 128 steps) and splice inside one chunk (at
 * most 128 slots), splitting a full chunk in two. Small chunks grow one exact-size copy at a
 * time, so a short list costs a few dozen bytes beyond its strings.
 *
 * OBJECT ENCODING is Valkey's `listpack` or `quicklist`. Valkey decides it from the byte size a
 * listpack would take, so the value keeps the exact listpack size of its elements
 * (`lpEntrySize`) and the commands call {@link ListValue.prepareGrow} and
 * {@link ListValue.afterShrink} at the points where Valkey's `listTypeTryConversion*` run.
 * Valkey converts back from quicklist only when the quicklist is a single node; Kite has no
 * nodes of Valkey's shape, so it treats "the whole list would fit half a node" as that
 * condition (exact for lists emptied from the tail, approximate otherwise).
 *
 * @module
 */
import type { ObjectValue } from "../keyspace/db.ts";
import { parseInt64 } from "../util/number.ts";

/** Slots per chunk. */
const CHUNK = 128;

/** Chunks shorter than this grow by exact-size copies rather than `push()`'s spare capacity. */
const SMALL = 8;

/** The directory of every empty list; never written to (replaced on the first push). */
const EMPTY_DIR: string[][] = [];

/** Listpack header (total bytes + element count) plus its end byte. */
const LP_OVERHEAD = 7;

/** Valkey's quicklist node size levels for negative `list-max-listpack-size` values. */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536] as const;

/** A count-limited node (positive fill) still may not exceed this many bytes. */
const SIZE_SAFETY_LIMIT = 8192;

/** Valkey's overestimate of one entry's listpack overhead when filling a quicklist node. */
const SIZE_ESTIMATE_OVERHEAD = 8;

/** Bytes one element takes in a listpack (encoding + data + back length). */
export function lpEntrySize(s: string): number {
  const n = s.length;
  let enc: number;
  const iv = n > 0 && n <= 20 ? parseInt64(s) : null;
  if (iv !== null) {
    // Listpack stores canonical integers in the smallest of its integer encodings.
    if (typeof iv === "bigint") enc = 9;
    else if (iv >= 0 && iv <= 127) enc = 1;
    else if (iv >= -4096 && iv <= 4095) enc = 2;
    else if (iv >= -32768 && iv <= 32767) enc = 3;
    else if (iv >= -8388608 && iv <= 8388607) enc = 4;
    else if (iv >= -2147483648 && iv <= 2147483647) enc = 5;
    else enc = 9;
  } else if (n < 64) {
    enc = 1 + n;
  } else if (n < 4096) {
    enc = 2 + n;
  } else {
    enc = 5 + n;
  }
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

/** Valkey's `quicklistNodeLimit` size part: the byte limit of a node, Infinity for a count limit. */
function sizeLimit(fill: number): number {
  if (fill >= 0) return Infinity;
  return SIZE_LEVELS[Math.min(-fill - 1, SIZE_LEVELS.length - 1)]!;
}

/** Valkey's `quicklistNodeLimit` count part: the element limit of a node, Infinity for a size limit. */
function countLimit(fill: number): number {
  if (fill >= 0) return fill === 0 ? 1 : fill;
  return Infinity;
}

/** Valkey's `quicklistNodeExceedsLimit`. */
function exceedsLimit(fill: number, bytes: number, count: number): boolean {
  if (fill < 0) return bytes > sizeLimit(fill);
  if (bytes > SIZE_SAFETY_LIMIT) return true;
  return count > countLimit(fill);
}

/** Where a list operation acts: the head (LEFT) or the tail (RIGHT). */
export type ListEnd = "head" | "tail";

/** A list value (TYPE `list`). */
export class ListValue implements ObjectValue {
  /** Always `list` (a prototype getter: one field less in every list). */
  get type(): "list" {
    return "list";
  }
  // Live chunks are #dir[#d0 .. #dir.length - 1]; none is ever empty. Live elements of the head
  // chunk start at #h; every other chunk starts at 0.
  #dir: string[][] = EMPTY_DIR;
  #d0 = 0;
  #h = 0;
  #len = 0;
  /** Sum of the listpack entry sizes of all elements. */
  #bytes = 0;
  /** True once converted to Valkey's quicklist encoding. */
  #quick = false;

  /** Number of elements. */
  get length(): number {
    return this.#len;
  }

  /** Valkey's OBJECT ENCODING name: `listpack` or `quicklist`. */
  encoding(): string {
    return this.#quick ? "quicklist" : "listpack";
  }

  /**
   * Builds a list from values in order, choosing the encoding as Valkey does for a list it
   * builds as a quicklist and then lets pick its encoding (SORT ... STORE): a listpack when every
   * element fits one quicklist node.
   * @param fill `list-max-listpack-size`
   */
  static from(values: readonly string[], fill: number): ListValue {
    const l = new ListValue();
    for (const v of values) l.pushTail(v);
    l.#quick = !fitsOneNode(values, fill);
    return l;
  }

  /**
   * Converts to quicklist when adding `count` elements of `rawBytes` total length would make
   * the listpack exceed its limit (Valkey's `listTypeTryConversionAppend`, run before pushes,
   * inserts and sets).
   * @param fill `list-max-listpack-size`
   */
  prepareGrow(fill: number, rawBytes: number, count: number): void {
    if (this.#quick) return;
    if (exceedsLimit(fill, LP_OVERHEAD + this.#bytes + rawBytes, this.#len + count)) this.#quick = true;
  }

  /**
   * Converts back to listpack after a removal when the list fits half a node (Valkey's
   * `LIST_CONV_SHRINKING` hysteresis, so a list at the limit does not flip on every change).
   * @param fill `list-max-listpack-size`
   */
  afterShrink(fill: number): void {
    if (!this.#quick) return;
    if (LP_OVERHEAD + this.#bytes > sizeLimit(fill) / 2 || this.#len > countLimit(fill) / 2) return;
    this.#quick = false;
  }

  /** First live slot of the chunk at directory index `d`. */
  #start(d: number): number {
    return d === this.#d0 ? this.#h : 0;
  }

  /** Adds `v` at the head. */
  pushHead(v: string): void {
    this.#len++;
    this.#bytes += lpEntrySize(v);
    const dir = this.#dir;
    if (this.#d0 < dir.length) {
      if (this.#h > 0) {
        dir[this.#d0]![--this.#h] = v;
        return;
      }
      const c = dir[this.#d0]!;
      const n = c.length;
      if (n < CHUNK) {
        // Reserve room at the front in proportion to the chunk's size (amortized O(1)).
        const room = Math.max(1, Math.min(n, CHUNK - n));
        const a = new Array<string>(room + n);
        for (let i = 0; i < n; i++) a[room + i] = c[i]!;
        dir[this.#d0] = a;
        this.#h = room - 1;
        a[this.#h] = v;
        return;
      }
    }
    // The old head chunk is full from slot 0, so no chunk but the new head has room in front.
    // A list this long keeps growing at the head: give the new chunk all its room at once.
    if (this.#d0 < dir.length) {
      const a = new Array<string>(CHUNK);
      a[CHUNK - 1] = v;
      this.#dirPushHead(a);
      this.#h = CHUNK - 1;
    } else {
      this.#dirPushHead([v]);
      this.#h = 0;
    }
  }

  /** Adds `v` at the tail. */
  pushTail(v: string): void {
    this.#len++;
    this.#bytes += lpEntrySize(v);
    const dir = this.#dir;
    const last = dir.length - 1;
    if (last >= this.#d0) {
      const c = dir[last]!;
      const n = c.length;
      if (n < SMALL) {
        // Grow short chunks by exact-size copies: `push()` would reserve 17 slots at once.
        const a = new Array<string>(n + 1);
        for (let i = 0; i < n; i++) a[i] = c[i]!;
        a[n] = v;
        dir[last] = a;
        return;
      }
      if (n < CHUNK) {
        c.push(v);
        return;
      }
    }
    if (dir === EMPTY_DIR) {
      this.#dir = [[v]];
      this.#d0 = 0;
      this.#h = 0;
    } else {
      dir.push([v]);
    }
  }

  /** Adds `v` at one end. */
  push(v: string, where: ListEnd): void {
    if (where === "head") this.pushHead(v);
    else this.pushTail(v);
  }

  /** Removes and returns the head element. */
  popHead(): string | undefined {
    if (this.#len === 0) return undefined;
    const c = this.#dir[this.#d0]!;
    const v = c[this.#h]!;
    // Drop the reference so the string can be collected while the slot waits for reuse.
    c[this.#h++] = "";
    if (this.#h === c.length) this.#dirPopHead();
    this.#len--;
    this.#bytes -= lpEntrySize(v);
    return v;
  }

  /** Removes and returns the tail element. */
  popTail(): string | undefined {
    if (this.#len === 0) return undefined;
    const dir = this.#dir;
    const last = dir.length - 1;
    const c = dir[last]!;
    const v = c.pop()!;
    if (c.length === this.#start(last)) this.#dirPopTail();
    this.#len--;
    this.#bytes -= lpEntrySize(v);
    return v;
  }

  /** Removes and returns the element at one end. */
  pop(where: ListEnd): string | undefined {
    return where === "head" ? this.popHead() : this.popTail();
  }

  /**
   * Removes up to `count` elements from one end.
   * @returns them in pop order (head first for the head, tail first for the tail)
   */
  popMany(where: ListEnd, count: number): string[] {
    const n = Math.min(count, this.#len);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = where === "head" ? this.popHead()! : this.popTail()!;
    return out;
  }

  /** Converts a possibly negative index (LINDEX rules) to a position, or -1 when outside. */
  #position(index: number): number {
    const i = index < 0 ? this.#len + index : index;
    return i >= 0 && i < this.#len ? i : -1;
  }

  /** Locates position `i` (0 <= i < length): [directory index, slot in the chunk]. */
  #locate(i: number): [number, number] {
    const dir = this.#dir;
    if (i < this.#len / 2) {
      let s0 = this.#h;
      for (let d = this.#d0;; d++) {
        const n = dir[d]!.length - s0;
        if (i < n) return [d, s0 + i];
        i -= n;
        s0 = 0;
      }
    }
    let back = this.#len - 1 - i;
    for (let d = dir.length - 1;; d--) {
      const c = dir[d]!;
      const n = c.length - this.#start(d);
      if (back < n) return [d, c.length - 1 - back];
      back -= n;
    }
  }

  /** The element at a possibly negative index (LINDEX), or undefined when out of range. */
  at(index: number): string | undefined {
    const i = this.#position(index);
    if (i < 0) return undefined;
    const [d, s] = this.#locate(i);
    return this.#dir[d]![s];
  }

  /** Replaces the element at a possibly negative index (LSET). @returns false when out of range */
  set(index: number, v: string): boolean {
    const i = this.#position(index);
    if (i < 0) return false;
    const [d, s] = this.#locate(i);
    const c = this.#dir[d]!;
    this.#bytes += lpEntrySize(v) - lpEntrySize(c[s]!);
    c[s] = v;
    return true;
  }

  /**
   * Calls `fn` for `count` elements starting at position `from` (0 <= from < length), towards
   * the tail, or towards the head when `reverse`. `fn` must not modify the list.
   */
  forRange(from: number, count: number, reverse: boolean, fn: (v: string) => void): void {
    if (count <= 0) return;
    const dir = this.#dir;
    let [d, s] = this.#locate(from);
    while (count > 0) {
      const a = dir[d]!;
      if (reverse) {
        const lo = this.#start(d);
        for (; s >= lo && count > 0; s--, count--) fn(a[s]!);
        d--;
        if (count > 0) s = dir[d]!.length - 1;
      } else {
        const end = a.length;
        for (; s < end && count > 0; s++, count--) fn(a[s]!);
        d++;
        s = 0;
      }
    }
  }

  /**
   * The elements between `start` and `end` inclusive with LRANGE's rules (negative indexes
   * count from the tail, out-of-range ends are clamped).
   */
  range(start: number, end: number): string[] {
    const r = this.clampRange(start, end);
    if (r === undefined) return [];
    const out = new Array<string>(r[1] - r[0] + 1);
    let k = 0;
    this.forRange(r[0], r[1] - r[0] + 1, false, (v) => {
      out[k++] = v;
    });
    return out;
  }

  /**
   * Valkey's range normalisation (LRANGE, LTRIM): negative indexes from the tail, start
   * clamped to 0, end clamped to the last element.
   * @returns [first, last] positions, or undefined when the range is empty
   */
  clampRange(start: number, end: number): [number, number] | undefined {
    const n = this.#len;
    if (start < 0) start = n + start;
    if (end < 0) end = n + end;
    if (start < 0) start = 0;
    if (start > end || start >= n) return undefined;
    if (end >= n) end = n - 1;
    return [start, end];
  }

  /** Calls `fn` for every element, head to tail. `fn` must not modify the list. */
  forEach(fn: (v: string) => void): void {
    const dir = this.#dir;
    let s = this.#h;
    for (let d = this.#d0; d < dir.length; d++, s = 0) {
      const a = dir[d]!;
      for (; s < a.length; s++) fn(a[s]!);
    }
  }

  /** All elements, head to tail. */
  toArray(): string[] {
    const out = new Array<string>(this.#len);
    let k = 0;
    this.forEach((v) => {
      out[k++] = v;
    });
    return out;
  }

  /**
   * Keeps the elements between `start` and `end` (LTRIM's rules) and removes the rest.
   * @returns the number of elements removed
   */
  trim(start: number, end: number): number {
    const r = this.clampRange(start, end);
    const n = this.#len;
    const left = r === undefined ? n : r[0];
    const right = r === undefined ? 0 : n - r[1] - 1;
    this.#dropHead(left);
    this.#dropTail(right);
    return left + right;
  }

  #dropHead(k: number): void {
    while (k > 0) {
      const c = this.#dir[this.#d0]!;
      const h = this.#h;
      const n = c.length - h;
      if (n <= k) {
        for (let s = h; s < c.length; s++) this.#bytes -= lpEntrySize(c[s]!);
        this.#dirPopHead();
        this.#len -= n;
        k -= n;
      } else {
        for (let s = h; s < h + k; s++) {
          this.#bytes -= lpEntrySize(c[s]!);
          c[s] = "";
        }
        this.#h = h + k;
        this.#len -= k;
        k = 0;
      }
    }
  }

  #dropTail(k: number): void {
    while (k > 0) {
      const last = this.#dir.length - 1;
      const c = this.#dir[last]!;
      const n = c.length - this.#start(last);
      if (n <= k) {
        for (let s = c.length - n; s < c.length; s++) this.#bytes -= lpEntrySize(c[s]!);
        this.#dirPopTail();
        this.#len -= n;
        k -= n;
      } else {
        for (let s = c.length - k; s < c.length; s++) this.#bytes -= lpEntrySize(c[s]!);
        c.length -= k;
        this.#len -= k;
        k = 0;
      }
    }
  }

  /**
   * Inserts `v` before or after the first occurrence of `pivot`, searching from the head
   * (LINSERT). @returns false when the pivot is absent
   */
  insert(pivot: string, v: string, after: boolean): boolean {
    const dir = this.#dir;
    let pos = 0;
    let s = this.#h;
    for (let d = this.#d0; d < dir.length; d++, s = 0) {
      const a = dir[d]!;
      for (; s < a.length; s++, pos++) {
        if (a[s] === pivot) {
          this.insertAt(after ? pos + 1 : pos, v);
          return true;
        }
      }
    }
    return false;
  }

  /** Inserts `v` so that it lands at position `i` (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    if (i === 0) return this.pushHead(v);
    if (i === this.#len) return this.pushTail(v);
    // Insert after the element at i - 1, so the chunk found always has that element.
    const [d, s] = this.#locate(i - 1);
    const dir = this.#dir;
    const c = dir[d]!;
    this.#len++;
    this.#bytes += lpEntrySize(v);
    if (c.length < CHUNK) {
      c.splice(s + 1, 0, v);
      return;
    }
    if (d === this.#d0 && this.#h > 0) {
      // Use the free room at the head chunk's front: shift the elements before the slot left.
      const h = --this.#h;
      for (let k = h; k < s; k++) c[k] = c[k + 1]!;
      c[s] = v;
      return;
    }
    // Split a full chunk (no room in front) in two halves; insert into the one with the slot.
    const half = CHUNK >> 1;
    const tail = c.slice(half);
    c.length = half;
    if (s + 1 <= half) c.splice(s + 1, 0, v);
    else tail.splice(s + 1 - half, 0, v);
    dir.splice(d + 1, 0, tail);
  }

  /**
   * Positions of the elements equal to `v` (LPOS): scanning from the head (or from the tail when
   * `rank` is negative), skipping the first |rank| - 1 matches, returning at most `count`
   * positions (0: all) and looking at no more than `maxlen` elements (0: all).
   */
  positions(v: string, rank: number, count: number, maxlen: number): number[] {
    const out: number[] = [];
    const fromTail = rank < 0;
    const skip = Math.abs(rank) - 1;
    const n = this.#len;
    const limit = maxlen === 0 ? n : Math.min(maxlen, n);
    let matches = 0;
    let idx = 0;
    const dir = this.#dir;
    if (!fromTail) {
      let s = this.#h;
      outer: for (let d = this.#d0; d < dir.length; d++, s = 0) {
        const a = dir[d]!;
        for (; s < a.length; s++, idx++) {
          if (idx >= limit) break outer;
          if (a[s] === v && matches++ >= skip) {
            out.push(idx);
            if (count !== 0 && out.length >= count) break outer;
          }
        }
      }
    } else {
      outer: for (let d = dir.length - 1; d >= this.#d0; d--) {
        const a = dir[d]!;
        const lo = this.#start(d);
        for (let s = a.length - 1; s >= lo; s--, idx++) {
          if (idx >= limit) break outer;
          if (a[s] === v && matches++ >= skip) {
            out.push(n - 1 - idx);
            if (count !== 0 && out.length >= count) break outer;
          }
        }
      }
    }
    return out;
  }

  /**
   * Removes elements equal to `v` (LREM): the first `count` from the head when `count` > 0, the
   * last |count| from the tail when `count` < 0, all when 0. @returns how many were removed
   */
  remove(v: string, count: number): number {
    const limit = count === 0 ? Infinity : Math.abs(count);
    const fromTail = count < 0;
    const dir = this.#dir;
    const d0 = this.#d0;
    const live = dir.length - d0;
    let removed = 0;
    let reshape = false;
    for (let i = 0; i < live && removed < limit; i++) {
      const d = fromTail ? dir.length - 1 - i : d0 + i;
      const a = dir[d]!;
      const lo = this.#start(d);
      let hits = 0;
      for (let s = lo; s < a.length; s++) if (a[s] === v) hits++;
      if (hits === 0) continue;
      const take = Math.min(hits, limit - removed);
      // Scanning from the tail, the matches that survive are the ones nearest the head.
      let keep = fromTail ? hits - take : 0;
      let drop = take;
      const kept: string[] = [];
      for (let s = lo; s < a.length; s++) {
        const x = a[s]!;
        if (x !== v) {
          kept.push(x);
        } else if (keep > 0) {
          keep--;
          kept.push(x);
        } else if (drop > 0) {
          drop--;
        } else {
          kept.push(x);
        }
      }
      removed += take;
      dir[d] = kept;
      if (d === d0) this.#h = 0;
      if (kept.length <= CHUNK >> 2) reshape = true;
    }
    this.#len -= removed;
    this.#bytes -= removed * lpEntrySize(v);
    if (reshape) this.#compact();
    return removed;
  }

  /** Rebuilds the directory without empty chunks, merging small neighbours. */
  #compact(): void {
    const out: string[][] = [];
    const dir = this.#dir;
    let s0 = this.#h;
    for (let d = this.#d0; d < dir.length; d++, s0 = 0) {
      const c = dir[d]!;
      const n = c.length - s0;
      if (n === 0) continue;
      const prev = out.length > 0 ? out[out.length - 1]! : undefined;
      if (prev !== undefined && prev.length + n <= CHUNK >> 1) {
        for (let s = s0; s < c.length; s++) prev.push(c[s]!);
      } else {
        out.push(s0 === 0 ? c : c.slice(s0));
      }
    }
    this.#dir = out.length === 0 ? EMPTY_DIR : out;
    this.#d0 = 0;
    this.#h = 0;
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): ListValue {
    const l = new ListValue();
    const dir = this.#dir;
    if (this.#d0 < dir.length) {
      const copy: string[][] = [];
      for (let d = this.#d0; d < dir.length; d++) copy.push(dir[d]!.slice(this.#start(d)));
      l.#dir = copy;
    }
    l.#len = this.#len;
    l.#bytes = this.#bytes;
    l.#quick = this.#quick;
    return l;
  }

  #dirPushHead(c: string[]): void {
    if (this.#dir === EMPTY_DIR) {
      this.#dir = [c];
      this.#d0 = 0;
      return;
    }
    if (this.#d0 === 0) {
      // Re-center: reserve room at the front in proportion to the directory (amortized O(1)).
      const live = this.#dir.length;
      const room = Math.max(4, live);
      const dir = new Array<string[]>(room + live);
      for (let i = 0; i < live; i++) dir[room + i] = this.#dir[i]!;
      this.#dir = dir;
      this.#d0 = room;
    }
    this.#dir[--this.#d0] = c;
  }

  #dirPopHead(): void {
    const dir = this.#dir;
    // Leave a hole rather than shifting; compact once the holes outnumber the live chunks.
    (dir as (string[] | undefined)[])[this.#d0++] = undefined;
    this.#h = 0;
    const live = dir.length - this.#d0;
    if (live === 0) {
      this.#dir = EMPTY_DIR;
      this.#d0 = 0;
    } else if (this.#d0 > 32 && this.#d0 > live) {
      this.#dir = dir.slice(this.#d0);
      this.#d0 = 0;
    }
  }

  #dirPopTail(): void {
    this.#dir.pop();
    if (this.#dir.length === this.#d0) {
      this.#dir = EMPTY_DIR;
      this.#d0 = 0;
      this.#h = 0;
    }
  }
}

/**
 * Whether Valkey's quicklist, filled by appending `values` one by one, would hold them in a
 * single listpack node within the node limit (what `LIST_CONV_AUTO` checks).
 */
function fitsOneNode(values: readonly string[], fill: number): boolean {
  if (values.length === 0) return true;
  let sz = LP_OVERHEAD;
  let n = 0;
  for (const v of values) {
    // A node accepts one more entry while its estimated size stays within the limit.
    if (n > 0 && exceedsLimit(fill, sz + v.length + SIZE_ESTIMATE_OVERHEAD, n + 1)) return false;
    sz += lpEntrySize(v);
    n++;
  }
  return sz <= sizeLimit(fill) && n <= countLimit(fill);
}
