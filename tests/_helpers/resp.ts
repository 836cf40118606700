/**
 * Byte-level RESP helpers for end-to-end tests: build request bytes, and decode reply bytes
 * (RESP2 and RESP3) into tagged values that keep the wire type, so a test can tell a `%` map from
 * a `*` array or a `_` null from `$-1`.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** One request argument: text (UTF-8), raw bytes, or a number. */
export type Arg = string | number | Uint8Array;

/** Encodes one command as a RESP multibulk request. */
export function command(...args: Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, "latin1")];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a, "utf8") : typeof a === "number" ? Buffer.from(String(a)) : a;
    parts.push(Buffer.from(`$${b.byteLength}\r\n`, "latin1"), Buffer.from(b), CRLF);
  }
  return Buffer.concat(parts);
}

/** Encodes several commands back to back (a pipeline). */
export function pipeline(...cmds: Arg[][]): Buffer {
  return Buffer.concat(cmds.map((c) => command(...c)));
}

const CRLF = Buffer.from("\r\n", "latin1");

/** A decoded reply, tagged with its RESP type. */
export type RespValue =
  | { type: "simple"; value: string }
  | { type: "error"; value: string }
  | { type: "int"; value: bigint }
  | { type: "bulk"; value: Buffer }
  | { type: "null"; wire: "$" | "*" | "_" }
  | { type: "array" | "set" | "push"; value: RespValue[] }
  | { type: "map" | "attribute"; value: [RespValue, RespValue][] }
  | { type: "double"; value: string }
  | { type: "bool"; value: boolean }
  | { type: "verbatim"; format: string; value: string }
  | { type: "bignum"; value: string };

/** A reply decoded out of a byte stream, with the exact bytes it occupied. */
export interface Decoded {
  value: RespValue;
  bytes: Buffer;
}

/**
 * Decodes replies out of a growing byte stream. Feed chunks, then take complete replies.
 */
export class ReplyReader {
  #chunks: Buffer[] = [];
  #len = 0;
  // Bytes the incomplete reply at the head needs in total: avoids re-concatenating a large
  // partial bulk reply on every chunk.
  #need = 0;

  /** Appends received bytes. */
  feed(chunk: Uint8Array): void {
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#len += chunk.byteLength;
  }

  /** Bytes received and not yet taken as part of a complete reply. */
  get pending(): number {
    return this.#len;
  }

  /** The next complete reply, or undefined when more bytes are needed. */
  next(): Decoded | undefined {
    if (this.#len === 0 || this.#len < this.#need) return undefined;
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    const buf = this.#chunks[0]!;
    needHint = 0;
    const r = parseAt(buf, 0);
    if (r === undefined) {
      this.#need = Math.max(needHint, buf.length + 1);
      return undefined;
    }
    this.#need = 0;
    const bytes = buf.subarray(0, r.end);
    const rest = buf.subarray(r.end);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#len = rest.length;
    return { value: r.value, bytes };
  }
}

// Set by parseAt when a top-level bulk reply is incomplete: the total bytes it needs.
let needHint = 0;

/** Decodes every complete reply in `bytes`; throws when bytes remain. */
export function decodeAll(bytes: Uint8Array): RespValue[] {
  const r = new ReplyReader();
  r.feed(bytes);
  const out: RespValue[] = [];
  for (let d = r.next(); d !== undefined; d = r.next()) out.push(d.value);
  if (r.pending > 0) throw new SyntaxError(`Cannot decode reply: ${r.pending} trailing bytes`);
  return out;
}

function lineEnd(buf: Buffer, pos: number): number {
  const i = buf.indexOf("\r\n", pos, "latin1");
  return i;
}

function parseAt(buf: Buffer, pos: number): { value: RespValue; end: number } | undefined {
  if (pos >= buf.length) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  const le = lineEnd(buf, pos + 1);
  if (le < 0) return undefined;
  const line = buf.toString("latin1", pos + 1, le);
  const after = le + 2;
  switch (type) {
    case "+":
      return { value: { type: "simple", value: line }, end: after };
    case "-":
      return { value: { type: "error", value: line }, end: after };
    case ":":
      return { value: { type: "int", value: BigInt(line) }, end: after };
    case ",":
      return { value: { type: "double", value: line }, end: after };
    case "#":
      return { value: { type: "bool", value: line === "t" }, end: after };
    case "_":
      return { value: { type: "null", wire: "_" }, end: after };
    case "(":
      return { value: { type: "bignum", value: line }, end: after };
    case "$":
    case "=": {
      const n = Number(line);
      if (n === -1) return { value: { type: "null", wire: "$" }, end: after };
      if (buf.length < after + n + 2) {
        if (pos === 0) needHint = after + n + 2;
        return undefined;
      }
      const body = Buffer.from(buf.subarray(after, after + n));
      if (type === "=") {
        const s = body.toString("latin1");
        return { value: { type: "verbatim", format: s.slice(0, 3), value: s.slice(4) }, end: after + n + 2 };
      }
      return { value: { type: "bulk", value: body }, end: after + n + 2 };
    }
    case "*":
    case "~":
    case ">": {
      const n = Number(line);
      if (n === -1) return { value: { type: "null", wire: "*" }, end: after };
      const items: RespValue[] = [];
      let p = after;
      for (let i = 0; i < n; i++) {
        const r = parseAt(buf, p);
        if (r === undefined) return undefined;
        items.push(r.value);
        p = r.end;
      }
      const t = type === "*" ? "array" : type === "~" ? "set" : "push";
      return { value: { type: t, value: items }, end: p };
    }
    case "%":
    case "|": {
      const n = Number(line);
      const entries: [RespValue, RespValue][] = [];
      let p = after;
      for (let i = 0; i < n; i++) {
        const k = parseAt(buf, p);
        if (k === undefined) return undefined;
        const v = parseAt(buf, k.end);
        if (v === undefined) return undefined;
        entries.push([k.value, v.value]);
        p = v.end;
      }
      return { value: { type: type === "%" ? "map" : "attribute", value: entries }, end: p };
    }
    default:
      throw new SyntaxError(`Cannot decode reply: unknown type byte ${JSON.stringify(type)}`);
  }
}

/**
 * A reply as plain JS values, for concise assertions: simple/bulk/verbatim -> string (latin1),
 * int -> number, null -> null, arrays/sets/pushes -> arrays, maps -> objects keyed by the string
 * form of the key, errors -> `{ error }`, doubles -> number, bools -> boolean.
 */
export type Plain = string | number | boolean | null | { error: string } | Plain[] | { [k: string]: Plain };

/** Converts a decoded reply to {@link Plain} values. */
export function plain(v: RespValue): Plain {
  switch (v.type) {
    case "simple":
    case "bignum":
      return v.value;
    case "error":
      return { error: v.value };
    case "int":
      return Number(v.value);
    case "bulk":
      return v.value.toString("latin1");
    case "verbatim":
      return v.value;
    case "null":
      return null;
    case "array":
    case "set":
    case "push":
      return v.value.map(plain);
    case "map":
    case "attribute": {
      const o: { [k: string]: Plain } = {};
      for (const [k, val] of v.value) o[String(plain(k))] = plain(val);
      return o;
    }
    case "double":
      return Number(v.value);
    case "bool":
      return v.value;
  }
}
