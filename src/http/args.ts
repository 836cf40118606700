/**
 * Request arguments -> argv (latin1 byte strings, one char per byte), for both request forms:
 * JSON arrays (`["SET","k","v","EX",100]`) and path-style URLs (`/set/k/v`, raw body as a value).
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** A JSON command element the gateway accepts (validated by `schemas.ts`). */
export type JsonArg = string | number | boolean;

const NON_ASCII = /[\u0080-\uffff]/;

/** A JS (UTF-16) string -> the latin1 byte string of its UTF-8 encoding. */
export function utf8Bytes(s: string): string {
  // ASCII text is already its own UTF-8 byte string.
  return NON_ASCII.test(s) ? Buffer.from(s, "utf8").toString("latin1") : s;
}

/**
 * Turns validated JSON commands into argvs. Numbers become their decimal text (`10`, `1.5`,
 * `-1`); integers beyond 2^53 keep the digits written in the request (JSON.parse would round
 * them), which needs the request text; booleans become `true`/`false`, the text the SDK reads
 * back as a boolean.
 */
export class ArgvBuilder {
  readonly #text: string;
  // Source texts of every number token in document order, computed on the first unsafe integer.
  #numbers: string[] | undefined;
  // Index of the next number token in document order.
  #numberIndex = 0;

  /** @param text the request body the values were parsed from */
  constructor(text: string) {
    this.#text = text;
  }

  /**
   * Converts one command. Commands must be converted in document order (as JSON.parse laid them
   * out), so each number meets its own source text.
   */
  argv(cmd: readonly JsonArg[]): string[] {
    const out = new Array<string>(cmd.length);
    for (let i = 0; i < cmd.length; i++) {
      const a = cmd[i]!;
      if (typeof a === "string") {
        out[i] = utf8Bytes(a);
      } else if (typeof a === "number") {
        const idx = this.#numberIndex++;
        out[i] = Number.isInteger(a) && !Number.isSafeInteger(a) ? this.#numberText(idx) : String(a);
      } else {
        out[i] = a ? "true" : "false";
      }
    }
    return out;
  }

  #numberText(idx: number): string {
    this.#numbers ??= numberTokens(this.#text);
    return this.#numbers[idx] ?? "";
  }
}

/**
 * The source text of every number token outside strings in a JSON text, in document order. The
 * text has already passed JSON.parse, so the scan can be lenient.
 */
export function numberTokens(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, honouring backslash escapes.
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        // Digits, sign, decimal point and exponent characters.
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) i++;
        else break;
      }
      out.push(text.slice(start, i));
    } else {
      i++;
    }
  }
  return out;
}

/**
 * Decodes one path segment to a byte string: `%XX` escapes are bytes (so `%FF` is the byte 0xFF,
 * not an error), other characters their UTF-8 bytes. A malformed escape stays literal text.
 */
export function decodeSegment(seg: string): string {
  if (seg.indexOf("%") < 0) return utf8Bytes(seg);
  let out = "";
  let plain = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c === 0x25 && i + 2 < seg.length && isHex(seg.charCodeAt(i + 1)) && isHex(seg.charCodeAt(i + 2))) {
      if (plain.length > 0) {
        out += utf8Bytes(plain);
        plain = "";
      }
      out += String.fromCharCode(parseInt(seg.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      plain += seg[i];
    }
  }
  return plain.length > 0 ? out + utf8Bytes(plain) : out;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Decodes a query-string component: `+` is a space, then as {@link decodeSegment}. */
function decodeQueryPart(s: string): string {
  return decodeSegment(s.indexOf("+") < 0 ? s : s.replace(/\+/g, " "));
}

/**
 * A path-style command from a request URL: each path segment is one argument (percent-decoded,
 * empty segments included), then the body when there is one, then each query parameter as
 * `name value` (`?EX=100`) or a lone `name` (`?NX`). `_token` is authentication, never an argument.
 * @param url the full request URL
 * @param body the raw body as a byte string, or undefined for GET/HEAD
 * @returns the argv; empty when the path names no command (`GET /`)
 */
export function pathArgv(url: string, body: string | undefined): string[] {
  // The path starts after "scheme://host"; the query after the first "?".
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return [];
  const q = url.indexOf("?", start);
  const hash = url.indexOf("#", start);
  const pathEnd = q >= 0 ? q : hash >= 0 ? hash : url.length;
  const path = url.slice(start + 1, pathEnd);
  if (path.length === 0) return [];
  const argv = path.split("/").map(decodeSegment);
  if (body !== undefined) argv.push(body);
  if (q >= 0) {
    const query = url.slice(q + 1, hash > q ? hash : url.length);
    for (const part of query.split("&")) {
      if (part.length === 0) continue;
      const eq = part.indexOf("=");
      const name = eq < 0 ? part : part.slice(0, eq);
      if (name === "_token") continue;
      argv.push(decodeQueryPart(name));
      if (eq >= 0) argv.push(decodeQueryPart(part.slice(eq + 1)));
    }
  }
  return argv;
}
