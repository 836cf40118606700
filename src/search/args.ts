/**
 * Argument parsing in valkey-search's manner (its `vmsdk` ArgsIterator and converters), so
 * FT.* commands fail with the module's own messages. valkey-search replies these errors
 * without an `ERR` prefix: the message's first word becomes the error code.
 *
 * @module
 */
import { ReplyError } from "../protocol/reply.ts";

/** Throws a valkey-search error reply with `msg` as the whole error line. */
export function fail(msg: string): never {
  throw new ReplyError(msg);
}

/** `Index with name '<name>' not found in database <db>`. */
export function indexNotFound(name: string, db: number): never {
  return fail(`Index with name '${name}' not found in database ${db}`);
}

/** A parse error carrying a message to which context can be prepended. */
export class ParseError extends Error {}

/** Wraps a ParseError's message with a prefix; other errors pass through. */
export function prefixed<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParseError) throw new ParseError(prefix + e.message);
    throw e;
  }
}

/** Converts a ParseError thrown by `fn` into an error reply. */
export function asReply<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParseError) fail(e.message);
    throw e;
  }
}

/** A cursor over command arguments (vmsdk's ArgsIterator). */
export class Args {
  readonly #argv: readonly string[];
  #pos: number;
  readonly #end: number;

  /**
   * @param argv the arguments
   * @param start first position
   * @param end one past the last position
   */
  constructor(argv: readonly string[], start = 0, end = argv.length) {
    this.#argv = argv;
    this.#pos = start;
    this.#end = end;
  }

  /** Position of the next argument in the original argv. */
  get position(): number {
    return this.#pos;
  }

  /** Arguments left. */
  get left(): number {
    return Math.max(0, this.#end - this.#pos);
  }

  /** Whether an argument is left. */
  get hasNext(): boolean {
    return this.#pos < this.#end;
  }

  /** The next argument, without consuming it; throws `Missing argument` at the end. */
  peek(): string {
    if (this.#pos >= this.#end) throw new ParseError("Missing argument");
    return this.#argv[this.#pos]!;
  }

  /** Consumes and returns the next argument. */
  next(): string {
    const v = this.peek();
    this.#pos++;
    return v;
  }

  /** Skips `n` arguments. */
  skip(n: number): void {
    this.#pos += n;
  }

  /** Consumes the next argument when it equals `word` case-insensitively. */
  popIf(word: string): boolean {
    if (this.#pos < this.#end && this.#argv[this.#pos]!.toUpperCase() === word) {
      this.#pos++;
      return true;
    }
    return false;
  }

  /** A cursor over the next `n` arguments (this one does not move). */
  sub(n: number): Args {
    if (this.#pos + n > this.#end) throw new ParseError("Missing argument");
    return new Args(this.#argv, this.#pos, this.#pos + n);
  }
}

/**
 * Parses an integer as C++ `std::from_chars` does for valkey-search: leading digits (and a
 * `-` for signed types) are read and anything after them is ignored; no digits, or a value
 * outside the type, is an error with valkey-search's wording.
 */
export function toInt(s: string, signed: boolean, bits = 32): number {
  const m = (signed ? /^-?\d+/ : /^\d+/).exec(s);
  const numericLooking = /^[-0-9]*$/.test(s);
  if (m === null) {
    throw new ParseError(
      numericLooking ? `\`${s}\` is outside acceptable bounds` : `\`${s}\` is not a valid numeric value`,
    );
  }
  const v = Number(m[0]);
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  if (!Number.isSafeInteger(v) || v > max || v < min) {
    throw new ParseError(`\`${s}\` is outside acceptable bounds`);
  }
  return v;
}

/**
 * Parses a double as valkey-search reads numbers from hashes and arguments (absl
 * `SimpleAtod`, `nan` refused): surrounding ASCII whitespace allowed, decimal or exponent
 * notation, `inf`/`infinity` with an optional sign. @returns undefined when invalid
 */
export function toDouble(s: string): number | undefined {
  const t = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return Number(t);
  const inf = /^([+-]?)(?:inf|infinity)$/i.exec(t);
  if (inf !== null) return inf[1] === "-" ? -Infinity : Infinity;
  return undefined;
}

/** Upper-cases the ASCII letters of a keyword. */
export function upper(s: string): string {
  return s.toUpperCase();
}
