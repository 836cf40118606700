/**
 * Argument parsing helpers for handlers. They throw {@link ReplyError} with Valkey's exact text;
 * only `call()` catches it, which replaces Valkey's `...OrReply` plumbing.
 *
 * @module
 */
import { ReplyError } from "../protocol/reply.ts";
import { E, fmt } from "../protocol/errors.ts";
import { type LongDouble, parseDouble, parseInt64, parseLongDouble } from "../util/number.ts";

/** LLONG_MAX, the bound of Valkey's long long arguments. */
export const LLONG_MAX = 9223372036854775807n;

/** Parses a signed 64-bit integer argument (`ERR value is not an integer or out of range`). */
export function intArg(s: string, msg: string = E.NOT_INTEGER): number {
  const v = parseInt64(s);
  if (v === null) throw new ReplyError(msg);
  return Number(v);
}

/** Parses an int64 argument keeping full precision (bigint past 2^53). */
export function int64Arg(s: string, msg: string = E.NOT_INTEGER): number | bigint {
  const v = parseInt64(s);
  if (v === null) throw new ReplyError(msg);
  return v;
}

/** Parses a double argument (`ERR value is not a valid float`). */
export function floatArg(s: string, msg: string = E.NOT_FLOAT): number {
  const v = parseDouble(s);
  if (v === null) throw new ReplyError(msg);
  return v;
}

/** Parses a non-negative integer within [min, max], with a custom error text. */
export function rangedIntArg(s: string, min: number, max: number, msg: string): number {
  const v = parseInt64(s);
  if (v === null || v < min || v > max) throw new ReplyError(msg);
  return Number(v);
}

/** ASCII lower-case of an option token, for case-insensitive option matching. */
export function lower(s: string): string {
  return s.toLowerCase();
}

/** Throws `ERR syntax error`. */
export function syntaxError(): never {
  throw new ReplyError(E.SYNTAX);
}

/**
 * A cursor over optional arguments, for commands with option lists (`SET k v EX 10 NX`).
 * @example
 * ```ts
 * const c = new ArgCursor(argv, 3);
 * while (c.more()) { const t = c.token(); if (t === "ex") ttl = c.int(); else syntaxError(); }
 * ```
 */
export class ArgCursor {
  readonly #argv: readonly string[];
  #i: number;

  /**
   * @param argv the whole argv
   * @param start index of the first optional argument
   */
  constructor(argv: readonly string[], start: number) {
    this.#argv = argv;
    this.#i = start;
  }

  /** True while arguments remain. */
  more(): boolean {
    return this.#i < this.#argv.length;
  }

  /** Number of arguments left. */
  remaining(): number {
    return this.#argv.length - this.#i;
  }

  /** Index of the next argument. */
  get index(): number {
    return this.#i;
  }

  /** The next argument, lower-cased. */
  token(): string {
    return this.raw().toLowerCase();
  }

  /** The next argument as is; `ERR syntax error` when none is left. */
  raw(): string {
    if (this.#i >= this.#argv.length) syntaxError();
    return this.#argv[this.#i++]!;
  }

  /** The next argument as an int64 (number). */
  int(msg?: string): number {
    return intArg(this.raw(), msg);
  }

  /** The next argument as a double. */
  float(msg?: string): number {
    return floatArg(this.raw(), msg);
  }

  /** Looks at the next argument (lower-cased) without consuming it. */
  peek(): string | undefined {
    return this.#argv[this.#i]?.toLowerCase();
  }
}

/** `x * 1000` rounded to a 64-bit significand, as the x87 FPU computes a long double product. */
function timesThousand(x: LongDouble): { m: bigint; e: number } {
  let m = x.m * 1000n;
  let e = x.e;
  const bits = m.toString(2).length;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    let q = m >> shift;
    const rem = m - (q << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    m = q;
    e += bits - 64;
  }
  return { m, e };
}

/**
 * A timeout in integer milliseconds, as Valkey's `getTimeoutFromObjectOrReply` with
 * UNIT_MILLISECONDS reads it (WAIT, XREAD BLOCK).
 * @param now the command's time in ms (the deadline must fit a signed 64-bit count)
 * @returns milliseconds to wait, 0 for forever
 * @throws {ReplyError} `ERR timeout is not an integer or out of range`, `ERR timeout is
 * negative`, `ERR timeout is out of range`
 */
export function parseMsTimeout(s: string, now: number): number {
  const v = parseInt64(s);
  if (v === null) throw new ReplyError(E.TIMEOUT_NOT_INTEGER);
  if (v < 0) throw new ReplyError(E.TIMEOUT_NEGATIVE);
  if (v > 0 && BigInt(v) > LLONG_MAX - BigInt(now)) throw new ReplyError(E.BLOCK_TIMEOUT_RANGE);
  return Number(v);
}

/**
 * Parses a blocking timeout in seconds exactly as Valkey's `getTimeoutFromObjectOrReply`:
 * `strtold` syntax (decimal, hex, `inf`), multiplied by 1000 in long double precision and
 * rounded up to whole milliseconds (`0.0001` waits 1 ms, `-0.0001` is 0: forever).
 * @param now the command's time in ms, for Valkey's overflow check on the absolute deadline
 * @returns milliseconds to wait, 0 for forever
 * @throws {ReplyError} `ERR timeout is not a float or out of range`, `ERR timeout is out of
 * range`, `ERR timeout is negative`
 */
export function parseBlockingTimeout(s: string, now: number): number {
  const x = parseLongDouble(s);
  if (x === null) throw new ReplyError(E.BLOCK_TIMEOUT_NOT_FLOAT);
  if (x.inf) throw new ReplyError(x.neg ? E.TIMEOUT_NEGATIVE : E.BLOCK_TIMEOUT_RANGE);
  if (x.m === 0n) return 0;
  const { m, e } = timesThousand(x);
  let ms: bigint;
  if (e >= 0) {
    ms = m << BigInt(e);
  } else {
    const q = m >> BigInt(-e);
    const exact = q << BigInt(-e) === m;
    // ceil: a positive fraction rounds away from zero, a negative one towards it.
    ms = x.neg ? q : exact ? q : q + 1n;
  }
  if (x.neg) {
    // Any product that rounds up to below zero is negative; huge ones saturate to LLONG_MIN.
    if (ms > 0n) throw new ReplyError(E.TIMEOUT_NEGATIVE);
    return 0;
  }
  if (ms > LLONG_MAX) throw new ReplyError(E.BLOCK_TIMEOUT_RANGE);
  if (ms > 0n && ms > LLONG_MAX - BigInt(now)) throw new ReplyError(E.BLOCK_TIMEOUT_RANGE);
  return Number(ms);
}

/**
 * Valkey's `getRangeLongFromObjectOrReply`: an int64 within [min, max]. Without `msg`, a
 * non-integer is `ERR value is not an integer or out of range` and a value outside the bounds
 * `ERR value is out of range, value must between <min> and <max>`; with `msg`, both use it.
 */
export function rangeLong(s: string, min: bigint, max: bigint, msg?: string): number {
  const v = parseInt64(s);
  if (v === null) throw new ReplyError(msg ?? E.NOT_INTEGER);
  const b = typeof v === "bigint" ? v : BigInt(v);
  if (b < min || b > max) throw new ReplyError(msg ?? fmt(E.INT_RANGE, String(min), String(max)));
  return Number(v);
}

/** Valkey's `getPositiveLongFromObjectOrReply` (0 included). @throws {ReplyError} */
export function positiveLong(s: string, msg: string = E.OUT_OF_RANGE_POSITIVE): number {
  return rangeLong(s, 0n, LLONG_MAX, msg);
}
