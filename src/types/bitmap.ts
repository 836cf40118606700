/**
 * Bitmap operations over string values (no keyspace, no replies): bit access, population count
 * and bit search over byte or bit ranges, BITOP, and BITFIELD's integer fields.
 *
 * Bit 0 is the most significant bit of the first byte, as in Valkey. Bit offsets reach 2^32
 * (512 MB * 8), past the 32-bit range of JS bitwise operators, so byte indexes are computed
 * with division, never `>>`.
 *
 * @module
 */
import { allocBytes, byteAt, type StringValue } from "./string.ts";

/** Bits set in each byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** The bit at `offset` (0 past the end). */
export function getBit(v: StringValue, offset: number): 0 | 1 {
  const byte = Math.floor(offset / 8);
  if (byte >= v.length) return 0;
  return ((byteAt(v, byte) >> (7 - (offset % 8))) & 1) as 0 | 1;
}

/**
 * Sets the bit at `offset` of `bytes` (long enough) to `on`.
 * @returns the previous bit
 */
export function setBit(bytes: Uint8Array, offset: number, on: 0 | 1): 0 | 1 {
  const byte = Math.floor(offset / 8);
  const shift = 7 - (offset % 8);
  const old = bytes[byte]!;
  const prev = ((old >> shift) & 1) as 0 | 1;
  if (prev !== on) bytes[byte] = on ? old | (1 << shift) : old & ~(1 << shift);
  return prev;
}

/** Set bits in bytes `from..to` inclusive. */
export function popcount(v: StringValue, from: number, to: number): number {
  let n = 0;
  if (typeof v === "string") {
    for (let i = from; i <= to; i++) n += POPCOUNT[v.charCodeAt(i)]!;
  } else {
    for (let i = from; i <= to; i++) n += POPCOUNT[v[i]!]!;
  }
  return n;
}

/**
 * Converts a start/end pair (negative = from the end) into a clamped range over `total`
 * units. @returns [start, end]; empty when start > end
 */
function clampRange(start: number, end: number, total: number): [number, number] {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return [start, end];
}

/**
 * BITCOUNT over an optional range. `start`/`end` are byte or bit indexes (`bit`), with
 * `end` defaulting to the last byte. Valkey answers 0 straight away when both indexes are
 * negative and out of order, before clamping.
 */
export function bitcount(v: StringValue, range?: { start: number; end?: number; bit: boolean }): number {
  const len = v.length;
  if (range === undefined) return len === 0 ? 0 : popcount(v, 0, len - 1);
  let end = range.end ?? len - 1;
  if (range.start < 0 && end < 0 && range.start > end) return 0;
  const total = range.bit ? len * 8 : len;
  let start: number;
  [start, end] = clampRange(range.start, end, total);
  if (start > end) return 0;
  if (!range.bit) return popcount(v, start, end);
  const first = Math.floor(start / 8);
  const last = Math.floor(end / 8);
  let n = popcount(v, first, last);
  // Remove the bits of the edge bytes that lie outside the bit range.
  const headMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
  const tailMask = (1 << (7 - (end % 8))) - 1;
  n -= POPCOUNT[byteAt(v, first) & headMask]!;
  n -= POPCOUNT[byteAt(v, last) & tailMask]!;
  return n;
}

/**
 * BITPOS: the first bit equal to `bit` in the range. Without a range, or with only a start,
 * the string is considered zero-padded on the right, so a search for 0 that finds none answers
 * the first bit past the end; with an explicit end it answers -1. An empty range answers -1.
 */
export function bitpos(
  v: StringValue,
  bit: 0 | 1,
  range?: { start: number; end?: number; bit: boolean },
): number {
  const len = v.length;
  let startBit: number;
  let endBit: number;
  const endGiven = range?.end !== undefined;
  if (range === undefined) {
    startBit = 0;
    endBit = len * 8 - 1;
  } else {
    const total = range.bit ? len * 8 : len;
    const [s, e] = clampRange(range.start, range.end ?? len - 1, total);
    if (s > e) return -1;
    startBit = range.bit ? s : s * 8;
    endBit = range.bit ? e : e * 8 + 7;
  }
  if (startBit > endBit) return -1;
  const found = findBit(v, bit, startBit, endBit);
  if (found >= 0) return found;
  if (bit === 1 || endGiven) return -1;
  return endBit + 1;
}

/** First bit equal to `bit` within bits `from..to` inclusive, or -1. */
function findBit(v: StringValue, bit: 0 | 1, from: number, to: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  let pos = from;
  while (pos <= to) {
    const byteIdx = Math.floor(pos / 8);
    const inByte = pos % 8;
    if (inByte === 0 && pos + 7 <= to) {
      // Whole bytes: skip those that cannot contain the wanted bit.
      const lastWhole = Math.floor((to + 1) / 8) - 1;
      let i = byteIdx;
      if (typeof v === "string") {
        while (i <= lastWhole && v.charCodeAt(i) === skip) i++;
      } else {
        while (i <= lastWhole && v[i] === skip) i++;
      }
      if (i > lastWhole) {
        pos = (lastWhole + 1) * 8;
        continue;
      }
      const b = byteAt(v, i);
      for (let k = 0; k < 8; k++) {
        if (((b >> (7 - k)) & 1) === bit) return i * 8 + k;
      }
    }
    if (((byteAt(v, byteIdx) >> (7 - inByte)) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

/** BITOP operations Valkey 8 supports. */
export type BitOp = "and" | "or" | "xor" | "not";

/**
 * BITOP over source values (absent keys are empty strings, shorter ones zero-padded).
 * @returns the result bytes, or null when every source is empty (the destination is deleted)
 */
export function bitop(op: BitOp, sources: readonly (StringValue | undefined)[]): Uint8Array | null {
  let maxlen = 0;
  for (const s of sources) if (s !== undefined && s.length > maxlen) maxlen = s.length;
  if (maxlen === 0) return null;
  const out = allocBytes(maxlen);
  const first = sources[0];
  if (first !== undefined) {
    for (let i = 0; i < first.length; i++) out[i] = byteAt(first, i);
  }
  if (op === "not") {
    for (let i = 0; i < maxlen; i++) out[i] = ~out[i]! & 0xff;
    return out;
  }
  for (let k = 1; k < sources.length; k++) {
    const s = sources[k];
    const slen = s === undefined ? 0 : s.length;
    if (op === "and") {
      for (let i = 0; i < slen; i++) out[i]! &= byteAt(s!, i);
      out.fill(0, slen);
    } else if (op === "or") {
      for (let i = 0; i < slen; i++) out[i]! |= byteAt(s!, i);
    } else {
      for (let i = 0; i < slen; i++) out[i]! ^= byteAt(s!, i);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BITFIELD integers
// ---------------------------------------------------------------------------------------------

/** How BITFIELD handles a result outside the field's range. */
export type Overflow = "wrap" | "sat" | "fail";

/** A field type: `i1`..`i64` or `u1`..`u63`. */
export interface FieldType {
  readonly signed: boolean;
  readonly bits: number;
}

/** Reads an unsigned field of `bits` bits at bit `offset` (zero past the end). */
export function getUnsignedField(v: StringValue, offset: number, bits: number): bigint {
  let value = 0n;
  const len = v.length;
  let pos = offset;
  // Byte-at-a-time where the field covers whole bytes, bit by bit at the edges.
  let remaining = bits;
  while (remaining > 0) {
    const byteIdx = Math.floor(pos / 8);
    const inByte = pos % 8;
    const b = byteIdx < len ? byteAt(v, byteIdx) : 0;
    if (inByte === 0 && remaining >= 8) {
      value = (value << 8n) | BigInt(b);
      pos += 8;
      remaining -= 8;
    } else {
      value = (value << 1n) | BigInt((b >> (7 - inByte)) & 1);
      pos++;
      remaining--;
    }
  }
  return value;
}

/** Reads a signed (two's complement) field. */
export function getSignedField(v: StringValue, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsignedField(v, offset, bits));
}

/** Writes the low `bits` bits of `value` (two's complement for negatives) at bit `offset`. */
export function setField(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  let pos = offset;
  for (let j = bits - 1; j >= 0;) {
    const byteIdx = Math.floor(pos / 8);
    const inByte = pos % 8;
    if (inByte === 0 && j >= 7) {
      bytes[byteIdx] = Number((u >> BigInt(j - 7)) & 0xffn);
      pos += 8;
      j -= 8;
    } else {
      const bitval = Number((u >> BigInt(j)) & 1n);
      const shift = 7 - inByte;
      bytes[byteIdx] = (bytes[byteIdx]! & ~(1 << shift)) | (bitval << shift);
      pos++;
      j--;
    }
  }
}

/**
 * Applies BITFIELD's overflow rule to `value + incr` for a field type. `value` is the field's
 * current value (INCRBY) or the requested value with `incr` 0 (SET); an unsigned SET of a
 * negative number sees it as its 64-bit unsigned image, as Valkey's C cast does.
 * @returns the value to store, or null when the rule is FAIL and the result does not fit
 */
export function fieldResult(type: FieldType, value: bigint, incr: bigint, overflow: Overflow): bigint | null {
  const { signed, bits } = type;
  const b = BigInt(bits);
  let dir = 0;
  let max: bigint;
  let min: bigint;
  // Valkey's overflow checks compute the headroom in wrapping 64-bit arithmetic, so values far
  // outside the field (a SET of INT64_MIN into an i18) count as overflowing upwards. The same
  // wrapping is reproduced here, or saturation would store a different value.
  if (signed) {
    max = (1n << (b - 1n)) - 1n;
    min = -max - 1n;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, min - value);
    if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) dir = 1;
    else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) dir = -1;
  } else {
    value = BigInt.asUintN(64, value);
    max = (1n << b) - 1n;
    min = 0n;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, -value);
    if (value > max || (incr > 0n && incr > maxincr)) dir = 1;
    else if (incr < 0n && incr < minincr) dir = -1;
  }
  const sum = value + incr;
  if (dir === 0) return sum;
  if (overflow === "fail") return null;
  if (overflow === "sat") return dir > 0 ? max : min;
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}
