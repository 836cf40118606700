/**
 * Argument parsing helpers for handlers. They throw {@link ReplyError} with Valkey's exact text;
 * only `call()` catches it, which replaces Valkey's `...OrReply` plumbing.
 *
 * @module
 */
import { ReplyError } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";
import { parseDouble, parseInt64 } from "../util/number.ts";

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
