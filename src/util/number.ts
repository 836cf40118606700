/**
 * Strict number parsing and formatting with Valkey's rules (`string2ll`, `string2ld`,
 * `fpconv_dtoa`). Every command argument that is a number goes through here.
 *
 * @module
 */

/** Largest signed 64-bit integer. */
export const INT64_MAX = 9223372036854775807n;
/** Smallest signed 64-bit integer. */
export const INT64_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer exactly as Valkey's `string2ll`: optional `-`, no `+`, no
 * leading zeros, no spaces, at most 20 characters. Returns a number when the value is a safe
 * integer, a bigint otherwise, and null when the text is not an int64.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1) {
    const d = s.charCodeAt(0) - 48;
    return d >= 0 && d <= 9 ? d : null;
  }
  let i = 0;
  if (s.charCodeAt(0) === 45) i = 1;
  const first = s.charCodeAt(i) - 48;
  if (first < 1 || first > 9) return null;
  let v = 0;
  for (let j = i; j < n; j++) {
    const d = s.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return i === 1 ? -v : v;
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  return b;
}

/** Like {@link parseInt64}, but always a JS number (precision loss past 2^53 is accepted). */
export function parseIntNumber(s: string): number | null {
  const v = parseInt64(s);
  return v === null ? null : Number(v);
}

const DOUBLE_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$/i;

/**
 * Parses a double as Valkey does with `strtod`: the whole string must be consumed, no spaces,
 * `inf`/`-inf`/`infinity` accepted, NaN rejected. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5000 || !DOUBLE_RE.test(s)) return null;
  const c = s.charCodeAt(s.length - 1) | 0x20;
  if (c === 0x66 /* f */ || c === 0x79 /* y */) {
    return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  }
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/**
 * Formats a double the way Valkey 8 replies with it (shortest round-trip digits, `inf`,
 * `-inf`, `nan`), which is also how JS prints numbers.
 */
export function formatDouble(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isNaN(v)) return "nan";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  // Valkey's d2string prints integral values within ±2^62 as integers, and everything else
  // with fpconv_dtoa, whose notation rules differ from JS's (1.5e20 -> "1.5e+20",
  // 0.00001234 -> "1.234e-5"). The digits are the same shortest round-trip digits.
  if (Number.isInteger(v) && v > -TWO_62 && v < TWO_62) return String(v);
  const sci = v.toExponential();
  const neg = sci.charCodeAt(0) === 45;
  const e = sci.indexOf("e");
  const digits = sci.slice(neg ? 1 : 0, e).replace(".", "");
  const nd = digits.length;
  const pointExp = Number(sci.slice(e + 1));
  const K = pointExp - nd + 1;
  const exp = Math.abs(pointExp);
  const sign = neg ? "-" : "";
  if (K >= 0 && exp < nd + 7) return sign + digits + "0".repeat(K);
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = nd + K;
    if (offset <= 0) return sign + "0." + "0".repeat(-offset) + digits;
    return sign + digits.slice(0, offset) + "." + digits.slice(offset);
  }
  const mant = nd > 1 ? digits[0] + "." + digits.slice(1) : digits;
  return sign + mant + "e" + (pointExp < 0 ? "-" : "+") + exp;
}

const TWO_62 = 2 ** 62;

/**
 * Formats a JS number in plain (non-exponent) notation with its shortest round-trip digits.
 * This only approximates how INCRBYFLOAT and HINCRBYFLOAT store results: Valkey computes them
 * in x87 long double and prints `%.17Lf`, so `0.1 + 0.2` is `0.3` there but
 * `0.30000000000000004` here. Use {@link parseLongDouble}, {@link addLongDouble} and
 * {@link formatLongDoubleHuman} for exact results.
 */
export function formatLongDouble(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0) || v === 0) return "0";
  const s = String(v);
  if (!s.includes("e")) return s;
  return expandExponent(s);
}

/** Converts `1.5e+21` / `1e-7` into plain decimal notation. */
function expandExponent(s: string): string {
  const neg = s.startsWith("-");
  const body = neg ? s.slice(1) : s;
  const [mant, expText] = body.split("e") as [string, string];
  const exp = Number(expText);
  const dot = mant.indexOf(".");
  const digits = mant.replace(".", "");
  const intLen = (dot < 0 ? mant.length : dot) + exp;
  let out: string;
  if (intLen <= 0) {
    out = "0." + "0".repeat(-intLen) + digits;
  } else if (intLen >= digits.length) {
    out = digits + "0".repeat(intLen - digits.length);
  } else {
    out = digits.slice(0, intLen) + "." + digits.slice(intLen);
  }
  return neg ? "-" + out : out;
}

/** Formats an integer (number or bigint) in decimal. */
export function formatInt(v: number | bigint): string {
  return typeof v === "number" ? String(v) : v.toString();
}

// ---------------------------------------------------------------------------------------------
// x87 80-bit long double emulation.
//
// INCRBYFLOAT and HINCRBYFLOAT parse both operands with `strtold`, add them in `long double`
// (64-bit significand, 15-bit exponent on x86-64) and store the sum printed with `%.17Lf` minus
// trailing zeros. A double has 11 fewer significand bits, so `0.1 + 0.2` would print
// `0.30000000000000004` where Valkey prints `0.3`. The values below are exact binary numbers
// (significand as a bigint, power-of-two exponent), rounded to nearest-even exactly as the FPU
// and glibc's `strtold`/`printf` do.
// ---------------------------------------------------------------------------------------------

/** An x87 extended-precision value: `(-1)^neg * m * 2^e` (m < 2^64), or an infinity. */
export interface LongDouble {
  /** Sign (also set for -0). */
  readonly neg: boolean;
  /** The significand; 0n for zero. Ignored when `inf`. */
  readonly m: bigint;
  /** Power-of-two exponent of the significand's least significant bit. */
  readonly e: number;
  /** True for +/-infinity. */
  readonly inf: boolean;
}

/** Exponent of the least significant bit of the smallest subnormal (2^-16445). */
const LD_MIN_LSB_EXP = -16445;
/** Every finite long double is below 2^16384. */
const LD_MAX_EXP = 16384;
const LD_SIG_BITS = 64;
/** Longest text `string2ld` accepts (Valkey's MAX_LONG_DOUBLE_CHARS). */
const LD_MAX_CHARS = 5 * 1024;
const TEN_POW_17 = 10n ** 17n;

const LD_DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const LD_HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const LD_INF_RE = /^([+-]?)inf(?:inity)?$/i;

function bitLength(v: bigint): number {
  if (v < 0x100000000n) return 32 - Math.clz32(Number(v));
  const hex = v.toString(16);
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0]!, 16));
}

const POW10: bigint[] = [1n];

/** 10^n, cached for the exponents decimal inputs commonly carry. */
function pow10(n: number): bigint {
  if (n > 512) return 10n ** BigInt(n);
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/**
 * Rounds the exact value `m * 2^e` (plus a "sticky" amount below its last bit when `sticky`) to
 * the nearest long double, ties to even. Returns an infinity on overflow.
 */
function roundLongDouble(neg: boolean, m: bigint, e: number, sticky: boolean): LongDouble {
  if (m === 0n) return { neg, m: 0n, e: 0, inf: false };
  const len = bitLength(m);
  const lsb = Math.max(e + len - LD_SIG_BITS, LD_MIN_LSB_EXP);
  let q: bigint;
  let qe = lsb;
  const shift = lsb - e;
  if (shift <= 0) {
    q = m << BigInt(-shift);
  } else {
    const s = BigInt(shift);
    q = m >> s;
    const rem = m - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
    if (q === 1n << 64n) {
      q >>= 1n;
      qe += 1;
    }
  }
  if (q !== 0n && qe + bitLength(q) > LD_MAX_EXP) return { neg, m: 0n, e: 0, inf: true };
  return { neg, m: q, e: qe, inf: false };
}

/**
 * Parses text the way Valkey's `string2ld` does: `strtold` syntax (decimal, hex `0x1.8p3`,
 * `inf`/`infinity`), the whole text consumed, no leading space, at most 5119 characters; NaN,
 * overflow and underflow to zero are rejected.
 * @returns the value, or null when the text is not a valid long double
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= LD_MAX_CHARS) return null;
  let m = LD_DEC_RE.exec(s);
  if (m !== null) {
    const intPart = m[2] ?? "";
    const frac = m[3] ?? "";
    if (intPart.length + frac.length === 0) return null;
    return decimalToLongDouble(m[1] === "-", intPart + frac, m[4], frac.length);
  }
  m = LD_HEX_RE.exec(s);
  if (m !== null) {
    const intPart = m[2] ?? "";
    const frac = m[3] ?? "";
    if (intPart.length + frac.length === 0) return null;
    const neg = m[1] === "-";
    const mant = BigInt("0x" + (intPart + frac).replace(/^0+(?=.)/, ""));
    const p = m[4] === undefined ? 0 : Number(m[4]);
    if (mant === 0n) return { neg, m: 0n, e: 0, inf: false };
    if (!Number.isFinite(p) || Math.abs(p) > 1e6) return null;
    const r = roundLongDouble(neg, mant, p - 4 * frac.length, false);
    return r.inf || r.m === 0n ? null : r;
  }
  m = LD_INF_RE.exec(s);
  if (m !== null) return { neg: m[1] === "-", m: 0n, e: 0, inf: true };
  return null;
}

function decimalToLongDouble(
  neg: boolean,
  digits: string,
  expText: string | undefined,
  fracLen: number,
): LongDouble | null {
  const trimmed = digits.replace(/^0+/, "");
  if (trimmed.length === 0) return { neg, m: 0n, e: 0, inf: false };
  const exp10 = expText === undefined ? 0 : Number(expText);
  // Exponents this far out overflow or underflow whatever the digits are (LDBL_MAX ~ 1.19e4932,
  // the smallest subnormal ~ 3.65e-4951); strtold reports ERANGE and Valkey rejects the value.
  if (!Number.isFinite(exp10) || Math.abs(exp10) > 100000) return null;
  const e10 = exp10 - fracLen;
  const magnitude = trimmed.length + e10; // value is in [10^(magnitude-1), 10^magnitude)
  if (magnitude > 4934) return null;
  if (magnitude < -4952) return null;
  const d = BigInt(trimmed);
  let r: LongDouble;
  if (e10 >= 0) {
    r = roundLongDouble(neg, d * pow10(e10), 0, false);
  } else {
    const p = pow10(-e10);
    const k = Math.max(0, LD_SIG_BITS + 3 + bitLength(p) - bitLength(d));
    const num = d << BigInt(k);
    const q = num / p;
    r = roundLongDouble(neg, q, -k, q * p !== num);
  }
  return r.inf || r.m === 0n ? null : r;
}

/** Converts a JS number to the long double of the same value (every double is exact). */
export function longDoubleFromNumber(v: number): LongDouble {
  if (v === Infinity || v === -Infinity) return { neg: v < 0, m: 0n, e: 0, inf: true };
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  if (a === 0) return { neg, m: 0n, e: 0, inf: false };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = hi >>> 20;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  return roundLongDouble(neg, mant, e, false);
}

/**
 * Adds two long doubles with one rounding, as the FPU does.
 * @returns the sum, or null when it is NaN or infinite (INCRBYFLOAT's "would produce NaN or
 * Infinity" error)
 */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) return null;
  const e = Math.min(a.e, b.e);
  const av = a.m << BigInt(a.e - e);
  const bv = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  if (sum === 0n) return { neg: a.neg && b.neg, m: 0n, e: 0, inf: false };
  const r = roundLongDouble(sum < 0n, sum < 0n ? -sum : sum, e, false);
  return r.inf ? null : r;
}

/**
 * Formats a long double as Valkey stores INCRBYFLOAT results (`ld2string` in human mode):
 * `%.17Lf` rounded half-to-even, trailing zeros and a trailing dot removed, `-0` printed as
 * `0`, infinities as `inf`/`-inf`.
 */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.inf) return x.neg ? "-inf" : "inf";
  let scaled: bigint;
  if (x.m === 0n) {
    scaled = 0n;
  } else if (x.e >= 0) {
    scaled = (x.m << BigInt(x.e)) * TEN_POW_17;
  } else {
    const num = x.m * TEN_POW_17;
    const s = BigInt(-x.e);
    scaled = num >> s;
    const rem = num - (scaled << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  let digits = scaled.toString();
  if (digits.length < 18) digits = "0".repeat(18 - digits.length) + digits;
  const intPart = digits.slice(0, digits.length - 17);
  let frac = digits.slice(digits.length - 17);
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
  frac = frac.slice(0, end);
  const body = frac.length > 0 ? intPart + "." + frac : intPart;
  if (body === "0") return "0";
  return x.neg ? "-" + body : body;
}
