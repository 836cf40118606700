/**
 * The string type's value operations (no keyspace, no replies): byte access over both storage
 * forms, growable in-place buffers, integer and long double arithmetic, ranges and LCS.
 *
 * A string value is stored bare in the Db, in one of two forms:
 * - a latin1 byte string (one char per byte): what SET, INCR, MSET... store. Compact on every
 *   runtime and never mutated.
 * - a `Uint8Array`: what in-place mutations (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP) leave
 *   behind. This is Valkey's "raw" encoding. Arrays created here may be views over a larger
 *   `ArrayBuffer` (spare capacity, like an sds allocation), so repeated appends and SETBITs on a
 *   growing bitmap are amortized O(1). Invariant: every byte of the spare capacity is zero.
 *
 * A stored `Uint8Array` is mutated in place by later commands, so it must never be shared: replies
 * get a copy ({@link stringReply}) and anything that duplicates a value into a second key must use
 * {@link cloneStringValue}.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Value } from "../keyspace/db.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  INT64_MAX,
  INT64_MIN,
  parseInt64,
  parseLongDouble,
} from "../util/number.ts";

/** A string-type value in either storage form. */
export type StringValue = string | Uint8Array;

/** True when `v` is a string-type value (a byte string or bytes). */
export function isStringValue(v: Value): v is StringValue {
  return typeof v === "string" || v instanceof Uint8Array;
}

/** The value as a latin1 byte string (copies when it is stored as bytes). */
export function toLatin1(v: StringValue): string {
  if (typeof v === "string") return v;
  return Buffer.from(v.buffer, v.byteOffset, v.length).toString("latin1");
}

/** The byte at `i` (caller keeps `i` in range). */
export function byteAt(v: StringValue, i: number): number {
  return typeof v === "string" ? v.charCodeAt(i) : v[i]!;
}

/** Read-only bytes of a value; for a byte string this is a fresh copy. */
export function bytesOf(v: StringValue): Uint8Array {
  if (typeof v !== "string") return v;
  const out = new Uint8Array(v.length);
  writeLatin1(out, v, 0);
  return out;
}

/** A private copy of a value, safe to store under a second key (COPY, RESTORE-like paths). */
export function cloneStringValue(v: StringValue): StringValue {
  return typeof v === "string" ? v : v.slice();
}

/**
 * Valkey's OBJECT ENCODING of a string value: `int` for text that is a 64-bit integer in
 * canonical form (at most 20 chars), `embstr` up to 44 bytes, `raw` beyond that and for every
 * value modified in place (stored as bytes, like Valkey's raw sds).
 */
export function stringEncoding(value: StringValue): "int" | "embstr" | "raw" {
  if (typeof value !== "string") return "raw";
  if (value.length <= 20 && parseInt64(value) !== null) return "int";
  return value.length <= 44 ? "embstr" : "raw";
}

// ---------------------------------------------------------------------------------------------
// Growable byte buffers
// ---------------------------------------------------------------------------------------------

/**
 * Arrays allocated here. Only these may be grown into their spare capacity: a `Uint8Array`
 * from elsewhere (a pooled `Buffer` slice) may share its `ArrayBuffer` with unrelated data.
 */
const OWNED = new WeakSet<Uint8Array>();

/** Valkey's sds preallocation step limit: double below 1 MB, then grow by 1 MB. */
const MAX_PREALLOC = 1024 * 1024;

function capacityOf(v: Uint8Array): number {
  return OWNED.has(v) ? v.buffer.byteLength - v.byteOffset : v.length;
}

/** A zero-filled owned array of exactly `len` bytes. */
export function allocBytes(len: number): Uint8Array {
  const out = new Uint8Array(len);
  OWNED.add(out);
  return out;
}

function allocWithCapacity(len: number, cap: number): Uint8Array {
  const out = cap === len ? new Uint8Array(len) : new Uint8Array(new ArrayBuffer(cap), 0, len);
  OWNED.add(out);
  return out;
}

/**
 * Bytes of `v` that the caller may mutate in place and then store, at least `minLen` long
 * (zero-padded). Returns `v` itself when it is already an owned array that long; otherwise a
 * new view (same buffer when the spare capacity suffices) or a copy. `greedy` reserves spare
 * capacity (sds `sdsMakeRoomFor` policy) for values likely to grow again; a new key gets the
 * exact size, as Valkey allocates it.
 */
export function mutableBytes(v: StringValue | undefined, minLen: number, greedy: boolean): Uint8Array {
  if (v === undefined) return allocBytes(minLen);
  const len = Math.max(v.length, minLen);
  if (typeof v !== "string") {
    if (OWNED.has(v)) {
      if (len === v.length) return v;
      if (capacityOf(v) >= len) {
        const view = new Uint8Array(v.buffer, v.byteOffset, len);
        OWNED.add(view);
        return view;
      }
    }
    const out = allocWithCapacity(len, greedy ? growCapacity(len) : len);
    out.set(v);
    return out;
  }
  const out = allocWithCapacity(len, greedy ? growCapacity(len) : len);
  writeLatin1(out, v, 0);
  return out;
}

function growCapacity(len: number): number {
  return len < MAX_PREALLOC ? len * 2 : len + MAX_PREALLOC;
}

/** Copies a latin1 byte string into `dst` at `offset`. */
export function writeLatin1(dst: Uint8Array, s: string, offset: number): void {
  const n = s.length;
  if (n < 64) {
    for (let i = 0; i < n; i++) dst[offset + i] = s.charCodeAt(i);
    return;
  }
  Buffer.from(dst.buffer, dst.byteOffset, dst.length).write(s, offset, n, "latin1");
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

/** Outcome of {@link incrInteger}. */
export type IncrResult =
  | { readonly status: "ok"; readonly value: number | bigint }
  | { readonly status: "notint" }
  | { readonly status: "overflow" };

/** The value as a signed 64-bit integer (Valkey's `string2ll` rules), or null. */
export function valueAsInt64(v: StringValue): number | bigint | null {
  if (v.length > 20) return null;
  return parseInt64(typeof v === "string" ? v : toLatin1(v));
}

/**
 * INCRBY semantics: the current value (absent = 0) plus `delta`, refusing non-integers and
 * results outside the signed 64-bit range.
 */
export function incrInteger(cur: StringValue | undefined, delta: number | bigint): IncrResult {
  let base: number | bigint = 0;
  if (cur !== undefined) {
    const v = valueAsInt64(cur);
    if (v === null) return { status: "notint" };
    base = v;
  }
  if (typeof base === "number" && typeof delta === "number") {
    const r = base + delta;
    if (Number.isSafeInteger(r)) return { status: "ok", value: r };
  }
  const r = BigInt(base) + BigInt(delta);
  if (r > INT64_MAX || r < INT64_MIN) return { status: "overflow" };
  return { status: "ok", value: r };
}

/** Outcome of {@link incrFloat}: the text to store and reply with. */
export type FloatIncrResult =
  | { readonly status: "ok"; readonly value: string }
  | { readonly status: "notfloat" }
  | { readonly status: "nan" };

/**
 * INCRBYFLOAT semantics: both operands parsed as x87 long doubles (`strtold` rules), added with
 * one rounding and printed as Valkey stores the result (`%.17Lf`, trailing zeros trimmed).
 */
export function incrFloat(cur: StringValue | undefined, incr: string): FloatIncrResult {
  const curText = cur === undefined ? "0" : typeof cur === "string" ? cur : cur.length < 5120 ? toLatin1(cur) : "";
  // Integers within 2^53 add exactly in a double and print without a fraction.
  const a = parseInt64(curText);
  const b = parseInt64(incr);
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r)) return { status: "ok", value: String(r) };
  }
  const x = parseLongDouble(curText);
  if (x === null) return { status: "notfloat" };
  const y = parseLongDouble(incr);
  if (y === null) return { status: "notfloat" };
  const sum = addLongDouble(x, y);
  if (sum === null) return { status: "nan" };
  return { status: "ok", value: formatLongDoubleHuman(sum) };
}

// ---------------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------------

/**
 * GETRANGE: bytes `start..end` inclusive, negative indexes counting from the end, clamped to
 * the value; empty when the range is empty.
 */
export function getRange(v: StringValue, start: number, end: number): string {
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return "";
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return "";
  if (typeof v === "string") return v.slice(start, end + 1);
  return Buffer.from(v.buffer, v.byteOffset + start, end - start + 1).toString("latin1");
}

/**
 * SETRANGE's write: `data` copied at `offset`, zero-padding any gap. The caller has checked
 * the size limit and that `data` is not empty.
 * @returns the bytes to store (possibly `cur` mutated in place)
 */
export function setRange(cur: StringValue | undefined, offset: number, data: string): Uint8Array {
  const out = mutableBytes(cur, offset + data.length, cur !== undefined);
  writeLatin1(out, data, offset);
  return out;
}

/**
 * APPEND's write on an existing value: the bytes to store (possibly `cur` grown in place).
 */
export function appendBytes(cur: StringValue, data: string): Uint8Array {
  const start = cur.length;
  const out = mutableBytes(cur, start + data.length, true);
  writeLatin1(out, data, start);
  return out;
}

// ---------------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------------

/** One common run: ranges in each string (inclusive) and its length. */
export interface LcsMatch {
  readonly a: readonly [number, number];
  readonly b: readonly [number, number];
  readonly len: number;
}

/** Outcome of {@link lcs}. */
export interface LcsResult {
  /** The longest common subsequence (only when requested). */
  readonly text: string;
  /** Its length. */
  readonly len: number;
  /** Runs of at least `minMatchLen`, from the end of the strings backward (Valkey's order). */
  readonly matches: readonly LcsMatch[];
}

/**
 * Bytes of the dynamic-programming table Valkey would allocate (`uint32` cells), checked
 * against proto-max-bulk-len before computing.
 */
export function lcsTableBytes(alen: number, blen: number): number {
  return (alen + 1) * (blen + 1) * 4;
}

/**
 * The longest common subsequence of two values by the classic O(N*M) table, walked back the
 * way Valkey walks it so ties pick the same subsequence and the same match ranges.
 * @param opts.text whether to build the subsequence text; `matches` whether to collect runs
 */
export function lcs(
  av: StringValue,
  bv: StringValue,
  opts: { text: boolean; matches: boolean; minMatchLen: number },
): LcsResult {
  const a = bytesOf(av);
  const b = bytesOf(bv);
  const alen = a.length;
  const blen = b.length;
  const w = blen + 1;
  const cells = (alen + 1) * w;
  // Lengths never exceed min(alen, blen): 16-bit cells halve the memory for the common case.
  const table = Math.min(alen, blen) < 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) {
        table[row + j] = table[prev + j - 1]! + 1;
      } else {
        const up = table[prev + j]!;
        const left = table[row + j - 1]!;
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * w + blen]!;
  const matches: LcsMatch[] = [];
  if (!opts.text && !opts.matches) return { text: "", len: total, matches };

  const result = new Uint8Array(total);
  let idx = total;
  let aStart = alen; // alen means "no open range"
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const up = table[(i - 1) * w + j]!;
      const left = table[i * w + j - 1]!;
      if (up > left) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const len = aEnd - aStart + 1;
      if (opts.matches && (opts.minMatchLen === 0 || len >= opts.minMatchLen)) {
        matches.push({ a: [aStart, aEnd], b: [bStart, bEnd], len });
      }
      aStart = alen;
    }
  }
  const text = opts.text ? Buffer.from(result.buffer, 0, total).toString("latin1") : "";
  return { text, len: total, matches };
}
