/**
 * MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit variant), the hash Valkey's HyperLogLog
 * uses: little-endian 8-byte blocks, so the result is the same on every platform.
 *
 * 64-bit arithmetic is done on 32-bit halves held in plain numbers (no BigInt): PFADD hashes
 * every element, and BigInt arithmetic costs several times more per operation. A product
 * mod 2^64 is `imul` for the low word plus {@link mulHi} for the high word.
 *
 * @module
 */

// The multiplier 0xc6a4a7935bd1e995: its 32-bit halves and the low half's 16-bit pieces.
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M16 = 0x5bd1;
const M00 = 0xe995;

/**
 * High 32 bits of (hi:lo * M) mod 2^64: the high half of lo * M_LO (from 16-bit pieces, so
 * every intermediate is an exact double) plus the two cross products' low halves.
 */
function mulHi(hi: number, lo: number): number {
  const a1 = lo >>> 16;
  const a0 = lo & 0xffff;
  const mid = a1 * M00 + a0 * M16 + ((a0 * M00) >>> 16);
  return (a1 * M16 + Math.floor(mid / 65536) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** High and low 32 bits (unsigned) of the last {@link murmurHash64A} result. */
export const murmurOut = { hi: 0, lo: 0 };

/**
 * Hashes the bytes of a latin1 string or a byte array with MurmurHash64A and a 32-bit seed. The
 * 64-bit result is left in {@link murmurOut}, so the hot path allocates nothing.
 */
export function murmurHash64A(data: string | Uint8Array, seed: number): void {
  if (typeof data === "string") hashString(data, seed);
  else hashBytes(data, seed);
}

// Two copies of one algorithm, one per input form: a shared byte accessor would cost a closure
// call or a type check per byte.

function hashString(data: string, seed: number): void {
  const len = data.length;
  // h = seed ^ (len * m)
  let hHi = mulHi(0, len);
  let hLo = (Math.imul(len, M_LO) ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kLo = (data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) |
      (data.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (data.charCodeAt(i + 4) | (data.charCodeAt(i + 5) << 8) | (data.charCodeAt(i + 6) << 16) |
      (data.charCodeAt(i + 7) << 24)) >>> 0;
    // k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m;
    let nh = mulHi(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = nh;
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    nh = mulHi(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = nh;
    hHi = (hHi ^ kHi) >>> 0;
    hLo = (hLo ^ kLo) >>> 0;
    nh = mulHi(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = nh;
  }
  const rest = len & 7;
  if (rest > 0) {
    // Bytes 4..6 of the tail land in the high word, bytes 0..3 in the low word.
    if (rest >= 7) hHi ^= data.charCodeAt(i + 6) << 16;
    if (rest >= 6) hHi ^= data.charCodeAt(i + 5) << 8;
    if (rest >= 5) hHi ^= data.charCodeAt(i + 4);
    if (rest >= 4) hLo ^= data.charCodeAt(i + 3) << 24;
    if (rest >= 3) hLo ^= data.charCodeAt(i + 2) << 16;
    if (rest >= 2) hLo ^= data.charCodeAt(i + 1) << 8;
    hLo ^= data.charCodeAt(i);
    hHi >>>= 0;
    hLo >>>= 0;
    const nh = mulHi(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = nh;
  }
  finish(hHi, hLo);
}

function hashBytes(data: Uint8Array, seed: number): void {
  const len = data.length;
  let hHi = mulHi(0, len);
  let hLo = (Math.imul(len, M_LO) ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kLo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
    let kHi = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
    let nh = mulHi(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = nh;
    kLo = (kLo ^ (kHi >>> 15)) >>> 0;
    nh = mulHi(kHi, kLo);
    kLo = Math.imul(kLo, M_LO) >>> 0;
    kHi = nh;
    hHi = (hHi ^ kHi) >>> 0;
    hLo = (hLo ^ kLo) >>> 0;
    nh = mulHi(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = nh;
  }
  const rest = len & 7;
  if (rest > 0) {
    if (rest >= 7) hHi ^= data[i + 6]! << 16;
    if (rest >= 6) hHi ^= data[i + 5]! << 8;
    if (rest >= 5) hHi ^= data[i + 4]!;
    if (rest >= 4) hLo ^= data[i + 3]! << 24;
    if (rest >= 3) hLo ^= data[i + 2]! << 16;
    if (rest >= 2) hLo ^= data[i + 1]! << 8;
    hLo ^= data[i]!;
    hHi >>>= 0;
    hLo >>>= 0;
    const nh = mulHi(hHi, hLo);
    hLo = Math.imul(hLo, M_LO) >>> 0;
    hHi = nh;
  }
  finish(hHi, hLo);
}

/** h ^= h >> 47; h *= m; h ^= h >> 47 */
function finish(hHi: number, hLo: number): void {
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  const nh = mulHi(hHi, hLo);
  hLo = Math.imul(hLo, M_LO) >>> 0;
  murmurOut.hi = nh;
  murmurOut.lo = (hLo ^ (nh >>> 15)) >>> 0;
}

/** MurmurHash64A as an unsigned 64-bit bigint (tests and debugging; slow). */
export function murmurHash64ABig(data: string | Uint8Array, seed: number): bigint {
  murmurHash64A(data, seed);
  return (BigInt(murmurOut.hi) << 32n) | BigInt(murmurOut.lo);
}
