/**
 * Incremental RESP request parser: multibulk (`*N\r\n$len\r\n...`) and inline (`PING\r\n`)
 * commands, split across reads at any byte, many per read. Arguments come out as latin1 byte
 * strings (one char per byte), so keys and values are binary safe.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** Limits that Valkey applies while reading a query. */
export interface ParserLimits {
  /** `proto-max-bulk-len`: the longest bulk argument (Valkey default 512 MB). */
  maxBulkLen: number;
  /** The largest multibulk count Valkey accepts from an authenticated client (INT_MAX). */
  maxMultibulkLen: number;
  /** `PROTO_INLINE_MAX_SIZE`: an inline command or a `*`/`$` header line (64 KB). */
  maxInlineSize: number;
}

/** Valkey's defaults. */
export const DEFAULT_LIMITS: ParserLimits = {
  maxBulkLen: 512 * 1024 * 1024,
  maxMultibulkLen: 2 ** 31 - 1,
  maxInlineSize: 64 * 1024,
};

/** A malformed frame: the connection replies `-ERR Protocol error: <reason>` and closes. */
export class ProtocolError extends Error {
  /** @param reason the text after `Protocol error: `. */
  constructor(reason: string) {
    super(`ERR Protocol error: ${reason}`);
  }
}

const CR = 13;
const LF = 10;
// Bulk arguments longer than this are assembled in a preallocated buffer instead of
// re-concatenating the query buffer on every read, which would be quadratic.
const BIG_ARG = 32 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Parses requests out of a byte stream. Call {@link RespParser.feed} with each chunk, then
 * {@link RespParser.next} until it returns `null`.
 */
export class RespParser {
  #buf: Buffer = EMPTY;
  #pos = 0;
  // Multibulk state survives between reads so a long command is never re-scanned.
  #argc = -1;
  #args: string[] = [];
  #bulkLen = -1;
  #big: Buffer | undefined;
  #bigFill = 0;
  #lastName = "";
  readonly #limits: ParserLimits;
  /** When false (unauthenticated client), Valkey caps multibulk at 10 and bulks at 16 KB. */
  authenticated = true;

  /** @param limits the query limits; Valkey's defaults when omitted. */
  constructor(limits: Partial<ParserLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Bytes received and not yet consumed by a complete command. */
  get buffered(): number {
    return this.#buf.length - this.#pos + this.#bigFill;
  }

  /** Appends a chunk read from the socket. */
  feed(chunk: Uint8Array): void {
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#big !== undefined) {
      // Stream straight into the preallocated argument buffer.
      const need = this.#big.length - this.#bigFill;
      const n = Math.min(need, c.length);
      c.copy(this.#big, this.#bigFill, 0, n);
      this.#bigFill += n;
      if (n < c.length) this.#append(c.subarray(n));
      return;
    }
    this.#append(c);
  }

  #append(c: Buffer): void {
    if (this.#pos >= this.#buf.length) {
      this.#buf = c;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#pos), c]);
    }
    this.#pos = 0;
  }

  /**
   * The next complete command, or `null` when more bytes are needed. An empty array means an
   * empty inline line or `*0`, which Valkey ignores.
   * @throws {ProtocolError} on a malformed frame; the parser is unusable afterwards.
   */
  next(): string[] | null {
    if (this.#argc < 0) {
      if (this.#pos >= this.#buf.length) return null;
      if (this.#buf[this.#pos] !== 0x2a /* '*' */) return this.#inline();
      const line = this.#line("too big mbulk count string");
      if (line < 0) return null;
      const n = parseIntBytes(this.#buf, this.#pos + 1, line);
      this.#pos = line + 2;
      if (n === null || n > this.#limits.maxMultibulkLen) throw new ProtocolError("invalid multibulk length");
      if (!this.authenticated && n > 10) throw new ProtocolError("unauthenticated multibulk length");
      if (n <= 0) return [];
      this.#argc = n;
      this.#args = [];
    }
    while (this.#args.length < this.#argc) {
      // The command name usually repeats from one command to the next: reusing the previous
      // string object lets the command lookup hit V8's cached string hash.
      if (this.#args.length === 0 && this.#bulkLen < 0 && this.#big === undefined) {
        const name = this.#sameName();
        if (name !== undefined) {
          this.#args.push(name);
          continue;
        }
      }
      if (this.#big !== undefined) {
        if (this.#bigFill < this.#big.length) return null;
        const b = this.#big;
        this.#args.push(latin1(b, 0, b.length - 2));
        this.#big = undefined;
        this.#bigFill = 0;
        this.#bulkLen = -1;
        continue;
      }
      if (this.#bulkLen < 0) {
        if (this.#pos >= this.#buf.length) return null;
        const first = this.#buf[this.#pos]!;
        if (first !== 0x24 /* '$' */) {
          throw new ProtocolError(`expected '$', got '${String.fromCharCode(first)}'`);
        }
        const line = this.#line("too big bulk count string");
        if (line < 0) return null;
        const n = parseIntBytes(this.#buf, this.#pos + 1, line);
        this.#pos = line + 2;
        if (n === null || n < 0 || n > this.#limits.maxBulkLen) throw new ProtocolError("invalid bulk length");
        if (!this.authenticated && n > 16384) throw new ProtocolError("unauthenticated bulk length");
        this.#bulkLen = n;
        const avail = this.#buf.length - this.#pos;
        if (n >= BIG_ARG && avail < n + 2) {
          this.#big = Buffer.allocUnsafe(n + 2);
          this.#buf.copy(this.#big, 0, this.#pos);
          this.#bigFill = avail;
          this.#buf = EMPTY;
          this.#pos = 0;
          return null;
        }
      }
      const end = this.#pos + this.#bulkLen;
      if (this.#buf.length < end + 2) return null;
      // Like Valkey, the two bytes after a bulk argument are skipped without being checked.
      this.#args.push(latin1(this.#buf, this.#pos, end));
      this.#pos = end + 2;
      this.#bulkLen = -1;
    }
    const args = this.#args;
    this.#lastName = args[0]!;
    this.#args = [];
    this.#argc = -1;
    return args;
  }

  /**
   * When the next bulk is `$<n>\r\n<bytes>\r\n` with the same bytes as the last command name,
   * consumes it and returns the last name's string; otherwise consumes nothing.
   */
  #sameName(): string | undefined {
    const last = this.#lastName;
    const n = last.length;
    if (n === 0 || n > 9) return undefined;
    const buf = this.#buf;
    const p = this.#pos;
    // "$" + one length digit + CRLF + name + CRLF, all already buffered.
    if (p + n + 6 > buf.length || buf[p] !== 0x24 || buf[p + 1] !== 48 + n || buf[p + 2] !== CR) return undefined;
    for (let i = 0; i < n; i++) if (buf[p + 4 + i] !== last.charCodeAt(i)) return undefined;
    this.#pos = p + n + 6;
    return last;
  }

  /** Index of the CR of the header line starting at #pos, or -1 when incomplete. */
  #line(tooBig: string): number {
    // Headers are a few bytes: a plain scan beats a native indexOf call for them.
    const buf = this.#buf;
    const stop = Math.min(buf.length, this.#pos + 24);
    let idx = -1;
    for (let i = this.#pos; i < stop; i++) {
      if (buf[i] === CR) {
        idx = i;
        break;
      }
    }
    if (idx < 0 && stop < buf.length) idx = buf.indexOf(CR, stop);
    if (idx < 0 || idx + 1 >= this.#buf.length) {
      if (this.#buf.length - this.#pos > this.#limits.maxInlineSize) throw new ProtocolError(tooBig);
      return -1;
    }
    if (idx - this.#pos > this.#limits.maxInlineSize) throw new ProtocolError(tooBig);
    return idx;
  }

  #inline(): string[] | null {
    const nl = this.#buf.indexOf(LF, this.#pos);
    if (nl < 0) {
      if (this.#buf.length - this.#pos > this.#limits.maxInlineSize) {
        throw new ProtocolError("too big inline request");
      }
      return null;
    }
    let end = nl;
    if (end > this.#pos && this.#buf[end - 1] === CR) end--;
    const text = latin1(this.#buf, this.#pos, end);
    this.#pos = nl + 1;
    const args = splitArgs(text);
    if (args === null) throw new ProtocolError("unbalanced quotes in request");
    return args;
  }
}

const fromCharCode = String.fromCharCode;
type Latin1Buffer = Buffer & { latin1Slice?: (start: number, end: number) => string };

/**
 * Decodes buf[start, end) as a latin1 byte string. Argument decoding is the parser's main cost:
 * for 1-4 bytes (command names, small values) `String.fromCharCode` is ~5x faster than any
 * Buffer method on V8; otherwise `latin1Slice` skips `toString`'s argument handling.
 */
function latin1(buf: Latin1Buffer, start: number, end: number): string {
  switch (end - start) {
    case 0:
      return "";
    case 1:
      return fromCharCode(buf[start]!);
    case 2:
      return fromCharCode(buf[start]!, buf[start + 1]!);
    case 3:
      return fromCharCode(buf[start]!, buf[start + 1]!, buf[start + 2]!);
    case 4:
      return fromCharCode(buf[start]!, buf[start + 1]!, buf[start + 2]!, buf[start + 3]!);
  }
  return buf.latin1Slice ? buf.latin1Slice(start, end) : buf.toString("latin1", start, end);
}

/** Parses a signed decimal in buf[start, end); null when it is not a clean integer. */
function parseIntBytes(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 18) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/**
 * Splits an inline command line the way Valkey's `sdssplitargs` does: spaces separate
 * arguments, double quotes allow `\n \r \t \b \a \\ \" \xHH` escapes, single quotes allow `\'`.
 * A closing quote must be followed by a space or the end. Returns null on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === " " || c === "\n" || c === "\r" || c === "\t" || c === "\v" || c === "\f";
  while (true) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return out;
    let cur = "";
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "x" && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "b" ? "\b" : e === "a" ? "\x07" : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (c === undefined || isSpace(c)) {
          done = true;
        } else if (c === '"') {
          inDq = true;
        } else if (c === "'") {
          inSq = true;
        } else {
          cur += c;
        }
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
