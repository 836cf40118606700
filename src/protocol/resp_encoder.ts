/**
 * Reply -> RESP2/RESP3 bytes. Every RESP2 downgrade of a RESP3 type happens in
 * {@link RespWriter.reply} and nowhere else.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Reply } from "./reply.ts";
import { formatDouble } from "../util/number.ts";

/** Protocol version of a connection. */
export type RespVersion = 2 | 3;

const SMALL_COPY = 4096;
const SHORT_STRING = 64;

// The last reply encoded by encodeShared, per protocol version.
const sharedReply: [Reply | undefined, Reply | undefined] = [undefined, undefined];
const sharedBytes: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
let sharedWriter: RespWriter | undefined;

/**
 * The encoding of a reply that many clients receive (a published message, an invalidation):
 * encoded once per protocol version and then copied, because fan-out hands the same reply
 * object to every subscriber in turn. Replies are immutable, so the same object always
 * encodes to the same bytes.
 */
export function encodeShared(r: Reply, resp: RespVersion): Uint8Array {
  const slot = resp === 3 ? 1 : 0;
  if (sharedReply[slot] === r) return sharedBytes[slot];
  sharedWriter ??= new RespWriter(1024);
  sharedWriter.reply(r, resp);
  const bytes = sharedWriter.take();
  sharedReply[slot] = r;
  sharedBytes[slot] = bytes;
  return bytes;
}

/**
 * A growable output buffer. Replies for one read batch are appended, then {@link RespWriter.take}
 * hands the bytes to the socket in one write.
 */
export class RespWriter {
  #buf: Buffer;
  #len = 0;

  /** @param initial the initial capacity in bytes. */
  constructor(initial = 16 * 1024) {
    this.#buf = Buffer.allocUnsafe(initial);
  }

  /** Number of bytes waiting to be taken. */
  get length(): number {
    return this.#len;
  }

  /** Returns the pending bytes and empties the writer. The result is never reused by the writer. */
  take(): Uint8Array {
    const len = this.#len;
    this.#len = 0;
    if (len <= SMALL_COPY) {
      const out = Buffer.allocUnsafe(len);
      this.#buf.copy(out, 0, 0, len);
      return out;
    }
    const out = this.#buf.subarray(0, len);
    this.#buf = Buffer.allocUnsafe(Math.max(16 * 1024, Math.min(len, 1024 * 1024)));
    return out;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#buf[this.#len++] = b;
  }

  #ascii(s: string): void {
    this.#ensure(s.length);
    this.#latin1(s);
  }

  /** Writes a byte string; capacity must already be ensured. */
  #latin1(s: string): void {
    const n = s.length;
    // A plain loop beats Buffer#write for short strings on every runtime (by 10x on Deno,
    // whose Buffer#write goes through a slow polyfill path); long strings use the native copy.
    if (n <= SHORT_STRING) {
      const buf = this.#buf;
      let p = this.#len;
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
      this.#len = p;
    } else {
      this.#len += this.#buf.write(s, this.#len, "latin1");
    }
  }

  #crlf(): void {
    this.#buf[this.#len++] = 13;
    this.#buf[this.#len++] = 10;
  }

  /** Writes `<prefix><n>\r\n`. */
  #header(prefix: number, n: number): void {
    this.#ensure(24);
    this.#byte(prefix);
    if (n >= 0 && n < 10) {
      this.#byte(48 + n);
    } else {
      this.#latin1(String(n));
    }
    this.#crlf();
  }

  #bulk(v: string | Uint8Array): void {
    const n = typeof v === "string" ? v.length : v.byteLength;
    this.#header(0x24, n);
    this.#ensure(n + 2);
    if (typeof v === "string") {
      this.#latin1(v);
    } else {
      this.#buf.set(v, this.#len);
      this.#len += n;
    }
    this.#crlf();
  }

  /** Appends raw, already encoded bytes. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.byteLength);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.byteLength;
  }

  /** Appends one reply encoded for protocol `resp`. */
  reply(r: Reply, resp: RespVersion): void {
    switch (r.t) {
      case "simple":
        this.#ensure(3 + r.v.length);
        this.#byte(0x2b);
        this.#ascii(r.v);
        this.#crlf();
        return;
      case "error": {
        // Errors quote user input (keys, group names): like Valkey's addReplyError, CR and LF
        // become spaces, or the error line would break the protocol.
        const msg = r.msg.includes("\r") || r.msg.includes("\n") ? r.msg.replace(/[\r\n]/g, " ") : r.msg;
        this.#ensure(3 + msg.length);
        this.#byte(0x2d);
        this.#ascii(msg);
        this.#crlf();
        return;
      }
      case "int":
        this.#ensure(24);
        if (typeof r.v === "number") {
          this.#header(0x3a, r.v);
        } else {
          this.#byte(0x3a);
          this.#ascii(r.v.toString());
          this.#crlf();
        }
        return;
      case "bulk":
        this.#bulk(r.v);
        return;
      case "null":
        this.#ensure(5);
        if (resp === 3) this.#ascii("_\r\n");
        else this.#ascii(r.as === "array" ? "*-1\r\n" : "$-1\r\n");
        return;
      case "array":
      case "set":
      case "push": {
        const prefix = resp === 2 || r.t === "array" ? 0x2a : r.t === "set" ? 0x7e : 0x3e;
        this.#header(prefix, r.v.length);
        for (const item of r.v) this.reply(item, resp);
        return;
      }
      case "map":
        if (resp === 3) this.#header(0x25, r.v.length);
        else this.#header(0x2a, r.v.length * 2);
        for (const [k, v] of r.v) {
          this.reply(k, resp);
          this.reply(v, resp);
        }
        return;
      case "pairs":
        if (resp === 3) {
          this.#header(0x2a, r.v.length);
          for (const [a, b] of r.v) {
            this.#header(0x2a, 2);
            this.reply(a, resp);
            this.reply(b, resp);
          }
        } else {
          this.#header(0x2a, r.v.length * 2);
          for (const [a, b] of r.v) {
            this.reply(a, resp);
            this.reply(b, resp);
          }
        }
        return;
      case "double": {
        // An explicit text (Valkey's addReplyHumanLongDouble for coordinates) is used by both
        // protocols; otherwise the shortest round-trip digits.
        const s = r.text ?? formatDouble(r.v);
        if (resp === 3) {
          this.#ensure(3 + s.length);
          this.#byte(0x2c);
          this.#ascii(s);
          this.#crlf();
        } else {
          this.#bulk(s);
        }
        return;
      }
      case "bool":
        this.#ensure(4);
        if (resp === 3) this.#ascii(r.v ? "#t\r\n" : "#f\r\n");
        else this.#ascii(r.v ? ":1\r\n" : ":0\r\n");
        return;
      case "verbatim":
        if (resp === 3) {
          const body = `${r.format}:${r.v}`;
          this.#header(0x3d, body.length);
          this.#ascii(body);
          this.#ensure(2);
          this.#crlf();
        } else {
          this.#bulk(r.v);
        }
        return;
      case "bignum":
        if (resp === 3) {
          const s = r.v.toString();
          this.#ensure(3 + s.length);
          this.#byte(0x28);
          this.#ascii(s);
          this.#crlf();
        } else {
          this.#bulk(r.v.toString());
        }
        return;
    }
  }
}

/** Encodes one reply into a fresh byte array (tests, pre-encoded constants). */
export function encodeReply(r: Reply, resp: RespVersion): Uint8Array {
  const w = new RespWriter(64);
  w.reply(r, resp);
  return w.take();
}
