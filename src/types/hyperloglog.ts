/**
 * HyperLogLog in Valkey's exact byte format, so HLL strings round-trip with GET/SET/DUMP between
 * Kite and Valkey and the estimates are identical for the same inputs.
 *
 * Layout (all little endian): a 16-byte header `HYLL`, one encoding byte (0 dense, 1 sparse),
 * three unused bytes and an 8-byte cached cardinality whose top bit marks it stale; then either
 * 16384 6-bit registers packed LSB first (dense, 12288 bytes) or a run-length code (sparse):
 * `00xxxxxx` ZERO run of 1..64, `01xxxxxx yyyyyyyy` XZERO run of 1..16384, `1vvvvvxx` VAL run of
 * 1..4 registers holding 1..32. Registers are indexed by the low 14 bits of MurmurHash64A (seed
 * 0xadc83b19) and hold 1 + the number of trailing zeros of the remaining 50 bits.
 *
 * The sparse update follows Valkey's algorithm step by step (split the covering opcode, then
 * merge equal adjacent VALs over at most five opcodes) because the resulting bytes are visible
 * to GET; a different but equivalent encoding would break byte-level compatibility.
 *
 * Values are worked on as {@link Hll} buffers (bytes plus a length, with spare capacity for
 * sparse growth) and stored back as latin1 strings by the commands.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { murmurHash64A, murmurOut } from "../util/murmur.ts";

/** Number of registers (2^14). */
export const HLL_REGISTERS = 16384;
/** Header size in bytes. */
export const HLL_HDR_SIZE = 16;
/** Size of a dense HLL string. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * 6 + 7) / 8);
/** Encoding byte of a dense HLL. */
export const HLL_DENSE = 0;
/** Encoding byte of a sparse HLL. */
export const HLL_SPARSE = 1;

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const HLL_REGISTER_MAX = 63;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.721347520444481703680;
const SEED = 0xadc83b19;

/** A mutable HLL: `buf[0..len)` are the string's bytes; `buf` may be longer (spare capacity). */
export interface Hll {
  buf: Uint8Array;
  len: number;
}

/** Why an update failed: the sparse code does not describe exactly 16384 registers. */
export type HllStatus = 1 | 0 | -1;

/** Reads a string value (latin1 text or bytes, read through offset/length) into a private HLL copy. */
export function hllFromValue(v: string | Uint8Array): Hll {
  // One spare byte past a dense string keeps the two-byte register access in bounds (Valkey
  // relies on the sds terminator the same way).
  const buf = new Uint8Array(v.length + 1);
  if (typeof v === "string") {
    if (v.length < 64) { for (let i = 0; i < v.length; i++) buf[i] = v.charCodeAt(i); }
    else Buffer.from(buf.buffer, buf.byteOffset, buf.length).write(v, 0, v.length, "latin1");
  } else {
    buf.set(v.subarray(0, v.length));
  }
  return { buf, len: v.length };
}

/**
 * A private copy of the HLL's bytes, the form the keyspace stores: Valkey creates and updates
 * HLLs as raw sds strings (OBJECT ENCODING `raw` at any size), which Kite's `Uint8Array`
 * storage form reports.
 */
export function hllToBytes(h: Hll): Uint8Array {
  return h.buf.slice(0, h.len);
}

/** The HLL's bytes as a latin1 string. */
export function hllToString(h: Hll): string {
  return Buffer.from(h.buf.buffer, h.buf.byteOffset, h.len).toString("latin1");
}

/**
 * Whether a string value is an HLL Valkey would accept: long enough for the header, `HYLL`
 * magic, a known encoding and, for dense, the exact size. The sparse code itself is only checked
 * while it is used (which then fails with INVALIDOBJ).
 */
export function isValidHll(v: string | Uint8Array): boolean {
  const len = v.length;
  if (len < HLL_HDR_SIZE) return false;
  const at = typeof v === "string" ? (i: number) => v.charCodeAt(i) : (i: number) => v[i]!;
  if (at(0) !== 0x48 || at(1) !== 0x59 || at(2) !== 0x4c || at(3) !== 0x4c) return false;
  const enc = at(4);
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || len === HLL_DENSE_SIZE;
}

/** A new, empty HLL: sparse, one XZERO opcode covering every register. */
export function hllCreate(): Hll {
  const buf = new Uint8Array(HLL_HDR_SIZE + 2 + 1);
  buf[0] = 0x48;
  buf[1] = 0x59;
  buf[2] = 0x4c;
  buf[3] = 0x4c;
  buf[4] = HLL_SPARSE;
  buf[16] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8);
  buf[17] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
  return { buf, len: HLL_HDR_SIZE + 2 };
}

/** The encoding byte (HLL_DENSE or HLL_SPARSE). */
export function hllEncoding(h: Hll): number {
  return h.buf[4]!;
}

/** Marks the cached cardinality stale (top bit of its last byte). */
export function hllInvalidateCache(h: Hll): void {
  h.buf[15] = h.buf[15]! | 0x80;
}

/** The cached cardinality, or -1 when it is stale. */
export function hllCachedCard(h: Hll): number {
  const b = h.buf;
  if ((b[15]! & 0x80) !== 0) return -1;
  let card = 0;
  for (let i = 7; i >= 0; i--) card = card * 256 + b[8 + i]!;
  return card;
}

/** Stores a freshly computed cardinality in the header cache. */
export function hllSetCachedCard(h: Hll, card: number): void {
  let c = card;
  for (let i = 0; i < 8; i++) {
    h.buf[8 + i] = c % 256;
    c = Math.floor(c / 256);
  }
}

// ---------------------------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------------------------

/**
 * Register index and run length for an element, packed as `count * 16384 + index`: the index
 * is the hash's low 14 bits, the count 1 + trailing zeros of the other 50 (at most 51).
 */
export function hllPatLen(ele: string | Uint8Array): number {
  murmurHash64A(ele, SEED);
  const lo = murmurOut.lo;
  const hi = murmurOut.hi;
  const index = lo & (HLL_REGISTERS - 1);
  let zeros: number;
  const low18 = lo >>> HLL_P;
  if (low18 !== 0) zeros = ctz32(low18);
  else if (hi !== 0) zeros = 18 + ctz32(hi);
  else zeros = HLL_Q; // the bit Valkey forces at position Q caps the run
  return (zeros + 1) * HLL_REGISTERS + index;
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

// ---------------------------------------------------------------------------------------------
// Dense representation
// ---------------------------------------------------------------------------------------------

/** Register `i` of a dense register area starting at `off`. */
export function denseGet(b: Uint8Array, off: number, i: number): number {
  const bit = i * 6;
  const byte = off + (bit >> 3);
  const fb = bit & 7;
  return ((b[byte]! >> fb) | (b[byte + 1]! << (8 - fb))) & HLL_REGISTER_MAX;
}

/** Sets register `i` of a dense register area starting at `off`. */
export function denseSet(b: Uint8Array, off: number, i: number, val: number): void {
  const bit = i * 6;
  const byte = off + (bit >> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte]! & ~(HLL_REGISTER_MAX << fb)) | ((val << fb) & 0xff);
  b[byte + 1] = (b[byte + 1]! & ~(HLL_REGISTER_MAX >> fb8)) | (val >> fb8);
}

function denseUpdate(h: Hll, index: number, count: number): HllStatus {
  const old = denseGet(h.buf, HLL_HDR_SIZE, index);
  if (count <= old) return 0;
  denseSet(h.buf, HLL_HDR_SIZE, index, count);
  return 1;
}

/**
 * Walks a sparse HLL's opcodes (ZERO, XZERO, VAL), calling `fn` once per run of registers with
 * the run's first register, its length and its value (0 for ZERO/XZERO).
 * @returns false when the code is corrupt: a run past the last register, or too few registers
 */
function forEachSparseRun(h: Hll, fn: (idx: number, run: number, val: number) => void): boolean {
  const p = h.buf;
  const end = h.len;
  let idx = 0;
  let i = HLL_HDR_SIZE;
  while (i < end) {
    const op = p[i]!;
    let run: number;
    let val = 0;
    if ((op & 0xc0) === 0) {
      run = (op & 0x3f) + 1;
      i++;
    } else if ((op & 0xc0) === 0x40) {
      run = (((op & 0x3f) << 8) | p[i + 1]!) + 1;
      i += 2;
    } else {
      run = (op & 3) + 1;
      val = ((op >> 2) & 0x1f) + 1;
      i++;
    }
    if (idx + run > HLL_REGISTERS) return false;
    fn(idx, run, val);
    idx += run;
  }
  return idx === HLL_REGISTERS;
}

/**
 * Converts a sparse HLL to dense in place (no-op when already dense).
 * @returns false when the sparse code is corrupt (the HLL is then left unchanged)
 */
export function hllSparseToDense(h: Hll): boolean {
  if (h.buf[4] === HLL_DENSE) return true;
  const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
  dense.set(h.buf.subarray(0, HLL_HDR_SIZE));
  dense[4] = HLL_DENSE;
  const ok = forEachSparseRun(h, (idx, run, val) => {
    if (val !== 0) { for (let k = 0; k < run; k++) denseSet(dense, HLL_HDR_SIZE, idx + k, val); }
  });
  if (!ok) return false;
  h.buf = dense;
  h.len = HLL_DENSE_SIZE;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Sparse representation
// ---------------------------------------------------------------------------------------------

function ensureCapacity(h: Hll, need: number): void {
  if (h.buf.length >= need) return;
  const next = new Uint8Array(Math.max(need, h.buf.length * 2));
  next.set(h.buf.subarray(0, h.len));
  h.buf = next;
}

/**
 * Valkey's `hllSparseSet`: raises register `index` to `count` if smaller, splitting the opcode
 * that covers it, promoting to dense when the value does not fit a VAL opcode or the string
 * would outgrow `sparseMaxBytes`.
 */
function sparseUpdate(h: Hll, index: number, count: number, sparseMaxBytes: number): HllStatus {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  // Room for the worst case (XZERO split into XZERO-VAL-XZERO adds three bytes).
  ensureCapacity(h, h.len + 3);
  const p = h.buf;
  let end = h.len;
  // Step 1: find the opcode covering `index`.
  let i = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (i < end) {
    const op = p[i]!;
    let oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if ((op & 0x80) !== 0) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | p[i + 1]!) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = i;
    i += oplen;
    first += span;
  }
  if (span === 0 || i >= end) return -1;
  const op = p[i]!;
  const isZero = (op & 0xc0) === 0;
  const isXzero = (op & 0xc0) === 0x40;
  const isVal = (op & 0x80) !== 0;
  const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? (((op & 0x3f) << 8) | p[i + 1]!) + 1 : (op & 3) + 1;
  const next = isXzero ? i + 2 : i + 1;
  let updatedInPlace = false;
  if (isVal) {
    const old = ((op >> 2) & 0x1f) + 1;
    if (old >= count) return 0;
    if (runlen === 1) {
      p[i] = valOp(count, 1);
      updatedInPlace = true;
    }
  }
  if (!updatedInPlace && isZero && runlen === 1) {
    p[i] = valOp(count, 1);
    updatedInPlace = true;
  }
  if (!updatedInPlace) {
    // Step 2: the general case, a replacement sequence of up to five bytes.
    const seq: number[] = [];
    const last = first + span - 1;
    if (isZero || isXzero) {
      if (index !== first) pushZeros(seq, index - first);
      seq.push(valOp(count, 1));
      if (index !== last) pushZeros(seq, last - index);
    } else {
      const cur = ((op >> 2) & 0x1f) + 1;
      if (index !== first) seq.push(valOp(cur, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(cur, last - index));
    }
    // Step 3: splice it in place of the old opcode.
    const oldlen = isXzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && h.len + delta > sparseMaxBytes) return promote(h, index, count);
    if (delta !== 0 && next < end) p.copyWithin(next + delta, next, end);
    for (let k = 0; k < seq.length; k++) p[i + k] = seq[k]!;
    end += delta;
    h.len = end;
  }
  // Step 4: merge adjacent VAL opcodes holding the same value, scanning five opcodes from prev.
  let q = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (q < end && scan-- > 0) {
    const o = p[q]!;
    if ((o & 0xc0) === 0x40) {
      q += 2;
      continue;
    }
    if ((o & 0xc0) === 0) {
      q++;
      continue;
    }
    if (q + 1 < end && (p[q + 1]! & 0x80) !== 0) {
      const v1 = ((o >> 2) & 0x1f) + 1;
      const o2 = p[q + 1]!;
      const v2 = ((o2 >> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const len = (o & 3) + 1 + (o2 & 3) + 1;
        if (len <= SPARSE_VAL_MAX_LEN) {
          p[q + 1] = valOp(v1, len);
          p.copyWithin(q, q + 1, end);
          end--;
          h.len = end;
          continue;
        }
      }
    }
    q++;
  }
  hllInvalidateCache(h);
  return 1;
}

function valOp(val: number, len: number): number {
  return 0x80 | ((val - 1) << 2) | (len - 1);
}

function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq.push(0x40 | ((len - 1) >> 8), (len - 1) & 0xff);
  } else {
    seq.push(len - 1);
  }
}

function promote(h: Hll, index: number, count: number): HllStatus {
  if (!hllSparseToDense(h)) return -1;
  // A promotion only happens when the register needs raising, so this always reports 1.
  denseUpdate(h, index, count);
  return 1;
}

/**
 * Adds an element (PFADD).
 * @returns 1 when a register changed, 0 when not, -1 for a corrupt sparse code
 */
export function hllAdd(h: Hll, ele: string | Uint8Array, sparseMaxBytes: number): HllStatus {
  const packed = hllPatLen(ele);
  const index = packed & (HLL_REGISTERS - 1);
  const count = Math.floor(packed / HLL_REGISTERS);
  return hllSetRegister(h, index, count, sparseMaxBytes);
}

/** Raises one register to `count` if it is lower, in either encoding. */
export function hllSetRegister(h: Hll, index: number, count: number, sparseMaxBytes: number): HllStatus {
  const enc = h.buf[4];
  if (enc === HLL_DENSE) return denseUpdate(h, index, count);
  if (enc === HLL_SPARSE) return sparseUpdate(h, index, count, sparseMaxBytes);
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Counting and merging
// ---------------------------------------------------------------------------------------------

/**
 * Adds the registers of `h` into the register histogram `histo` (64 slots).
 * @returns false for a corrupt sparse code
 */
function registerHistogram(h: Hll, histo: Float64Array): boolean {
  const p = h.buf;
  if (p[4] === HLL_DENSE) {
    for (let j = 0; j < HLL_REGISTERS; j++) histo[denseGet(p, HLL_HDR_SIZE, j)]!++;
    return true;
  }
  return forEachSparseRun(h, (_idx, run, val) => {
    histo[val]! += run;
  });
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Ertl's improved estimator over a register histogram, rounded as Valkey's `llroundl`. */
function estimate(histo: Float64Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** The estimated cardinality, or -1 for a corrupt sparse code. */
export function hllCount(h: Hll): number {
  const histo = new Float64Array(64);
  if (!registerHistogram(h, histo)) return -1;
  return estimate(histo);
}

/** The estimated cardinality of raw registers (one byte per register). */
export function hllCountRaw(raw: Uint8Array): number {
  const histo = new Float64Array(64);
  for (let j = 0; j < HLL_REGISTERS; j++) histo[raw[j]!]!++;
  return estimate(histo);
}

/**
 * Merges `h` into raw registers: `max[i] = max(max[i], h[i])`.
 * @returns false for a corrupt sparse code
 */
export function hllMergeInto(max: Uint8Array, h: Hll): boolean {
  const p = h.buf;
  if (p[4] === HLL_DENSE) {
    for (let j = 0; j < HLL_REGISTERS; j++) {
      const v = denseGet(p, HLL_HDR_SIZE, j);
      if (v > max[j]!) max[j] = v;
    }
    return true;
  }
  return forEachSparseRun(h, (idx, run, val) => {
    for (let k = 0; k < run; k++) if (val > max[idx + k]!) max[idx + k] = val;
  });
}

/** Writes raw registers into a dense HLL's register area. */
export function hllDenseCompress(h: Hll, raw: Uint8Array): void {
  for (let j = 0; j < HLL_REGISTERS; j++) denseSet(h.buf, HLL_HDR_SIZE, j, raw[j]!);
}

/** Every register value (PFDEBUG GETREG); the HLL must be dense. */
export function hllDenseRegisters(h: Hll): number[] {
  const out = new Array<number>(HLL_REGISTERS);
  for (let j = 0; j < HLL_REGISTERS; j++) out[j] = denseGet(h.buf, HLL_HDR_SIZE, j);
  return out;
}

/** The sparse code in PFDEBUG DECODE's notation (`Z:1000 v:2,1 z:19`). */
export function hllDecodeSparse(h: Hll): string {
  const parts: string[] = [];
  const p = h.buf;
  let i = HLL_HDR_SIZE;
  while (i < h.len) {
    const op = p[i]!;
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      i++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${(((op & 0x3f) << 8) | (p[i + 1] ?? 0)) + 1}`);
      i += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      i++;
    }
  }
  return parts.join(" ");
}

// ---------------------------------------------------------------------------------------------
// Self test
// ---------------------------------------------------------------------------------------------

/**
 * Valkey's PFSELFTEST checks, run against this implementation: dense register access with
 * random values (1000 rounds), then up to 10M distinct elements added to a dense and a sparse HLL
 * side by side, checking at powers of ten that sparse stays sparse while small, that both agree,
 * and that the error stays within 6 standard errors.
 * @param random a [0, 1) source (seeded in tests)
 * @returns undefined on success, else Valkey's TESTFAILED message
 */
export function hllSelfTest(random: () => number, sparseMaxBytes: number, elements = 10_000_000): string | undefined {
  const regs = new Uint8Array(HLL_DENSE_SIZE + 1);
  const bytes = new Uint8Array(HLL_REGISTERS);
  for (let round = 0; round < 1000; round++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(random() * 64);
      bytes[i] = r;
      denseSet(regs, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(regs, HLL_HDR_SIZE, i);
      if (v !== bytes[i]) return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${v}`;
    }
  }
  const dense: Hll = { buf: new Uint8Array(HLL_DENSE_SIZE + 1), len: HLL_DENSE_SIZE };
  dense.buf.set([0x48, 0x59, 0x4c, 0x4c, HLL_DENSE]);
  const sparse = hllCreate();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = Math.floor(random() * 0x100000000);
  const seedHi = Math.floor(random() * 0x100000000);
  const ele = new Uint8Array(8);
  const view = new DataView(ele.buffer);
  let checkpoint = 1;
  for (let j = 1; j <= elements; j++) {
    // ele = j ^ seed as a little-endian uint64 (j < 2^32 here).
    view.setUint32(0, (j ^ seedLo) >>> 0, true);
    view.setUint32(4, seedHi, true);
    // One hash feeds both HLLs: the element's register and run are the same for each.
    const packed = hllPatLen(ele);
    const index = packed & (HLL_REGISTERS - 1);
    const count = Math.floor(packed / HLL_REGISTERS);
    hllSetRegister(dense, index, count, sparseMaxBytes);
    hllSetRegister(sparse, index, count, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.buf[4] !== HLL_SPARSE) return "TESTFAILED sparse encoding not used";
    const card = hllCount(dense);
    if (card !== hllCount(sparse)) return "TESTFAILED dense/sparse disagree";
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return undefined;
}
