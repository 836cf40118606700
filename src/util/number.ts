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
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/**
 * Formats a value the way INCRBYFLOAT and HINCRBYFLOAT store it (`%.17Lf` with trailing zeros
 * removed in Valkey). JS has no long double, so the shortest round-trip digits of the double
 * are printed in plain (non-exponent) notation, which matches Valkey for every value whose
 * double is exact at 17 significant digits.
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
