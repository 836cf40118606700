/**
 * FUNCTION DUMP / FUNCTION RESTORE payloads in Valkey's format: for each library the
 * `RDB_OPCODE_FUNCTION2` byte and the library code as an RDB string, then the RDB version (2
 * bytes, little endian) and the CRC64 (Jones polynomial, as Valkey's `crc64`) of everything
 * before it (8 bytes, little endian). Payloads from Valkey and Redis 7 restore here, and ours
 * restore there: strings are written uncompressed; LZF-compressed and integer-encoded strings
 * are read.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The RDB version Valkey 8 writes. */
export const RDB_VERSION = 11;
/** Opcode of a function library (Valkey 7.0 GA and later). */
export const RDB_OPCODE_FUNCTION2 = 245;
/** Opcode of the pre-GA function format (refused, as by Valkey). */
export const RDB_OPCODE_FUNCTION_PRE_GA = 246;

const CRC64_TABLE = (() => {
  // Reflected Jones polynomial 0xad93d23594c935a9.
  const poly = 0x95ac9329ac4bc9b5n;
  const table: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let crc = BigInt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
    table.push(crc);
  }
  return table;
})();

/** Valkey's crc64 of a byte string (one char per byte). */
export function crc64(data: string, crc = 0n): bigint {
  for (let i = 0; i < data.length; i++) {
    crc = CRC64_TABLE[Number((crc ^ BigInt(data.charCodeAt(i))) & 0xffn)]! ^ (crc >> 8n);
  }
  return crc;
}

function le(v: bigint, bytes: number): string {
  let s = "";
  for (let i = 0; i < bytes; i++) s += String.fromCharCode(Number((v >> BigInt(8 * i)) & 0xffn));
  return s;
}

function rdbLength(n: number): string {
  if (n < 64) return String.fromCharCode(n);
  if (n < 16384) return String.fromCharCode(0x40 | (n >> 8), n & 0xff);
  if (n <= 0xffffffff) {
    return String.fromCharCode(0x80, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  }
  let s = String.fromCharCode(0x81);
  const b = BigInt(n);
  for (let i = 7; i >= 0; i--) s += String.fromCharCode(Number((b >> BigInt(8 * i)) & 0xffn));
  return s;
}

/** Builds a payload holding the given library codes. */
export function dumpFunctions(codes: readonly string[]): string {
  let p = "";
  for (const code of codes) p += String.fromCharCode(RDB_OPCODE_FUNCTION2) + rdbLength(code.length) + code;
  p += le(BigInt(RDB_VERSION), 2);
  return p + le(crc64(p), 8);
}

/** Why a payload cannot be read. */
export class PayloadError extends Error {}

/**
 * Reads a payload into library codes. Throws {@link PayloadError} with Valkey's message when
 * the version or checksum is wrong, the type is not a function, or a string is malformed.
 */
export function readFunctionsPayload(p: string): string[] {
  if (p.length < 10) throw new PayloadError("DUMP payload version or checksum are wrong");
  const footer = p.length - 10;
  const version = p.charCodeAt(footer) | (p.charCodeAt(footer + 1) << 8);
  if (version > RDB_VERSION) throw new PayloadError("DUMP payload version or checksum are wrong");
  const crc = crc64(p.slice(0, p.length - 8));
  if (le(crc, 8) !== p.slice(p.length - 8)) throw new PayloadError("DUMP payload version or checksum are wrong");
  const codes: string[] = [];
  const r = { pos: 0 };
  while (footer - r.pos > 0) {
    const type = p.charCodeAt(r.pos++);
    if (type === RDB_OPCODE_FUNCTION_PRE_GA) throw new PayloadError("Pre-GA function format not supported");
    if (type !== RDB_OPCODE_FUNCTION2) throw new PayloadError("given type is not a function");
    const s = readString(p, r, footer);
    if (s === null) throw new PayloadError("Failed loading library payload");
    codes.push(s);
  }
  return codes;
}

// Reads a length; `enc` set for the special encodings (the low six bits).
function readLength(p: string, r: { pos: number }, end: number): { len: number; enc: boolean } | null {
  if (r.pos >= end) return null;
  const b = p.charCodeAt(r.pos++);
  const type = b >> 6;
  if (type === 0) return { len: b & 0x3f, enc: false };
  if (type === 1) {
    if (r.pos >= end) return null;
    return { len: ((b & 0x3f) << 8) | p.charCodeAt(r.pos++), enc: false };
  }
  if (type === 3) return { len: b & 0x3f, enc: true };
  const bytes = b === 0x80 ? 4 : b === 0x81 ? 8 : 0;
  if (bytes === 0 || r.pos + bytes > end) return null;
  let n = 0;
  for (let i = 0; i < bytes; i++) n = n * 256 + p.charCodeAt(r.pos++);
  return { len: n, enc: false };
}

function readString(p: string, r: { pos: number }, end: number): string | null {
  const l = readLength(p, r, end);
  if (l === null) return null;
  if (!l.enc) {
    if (r.pos + l.len > end) return null;
    const s = p.slice(r.pos, r.pos + l.len);
    r.pos += l.len;
    return s;
  }
  const intBytes = [1, 2, 4][l.len];
  if (intBytes !== undefined) {
    if (r.pos + intBytes > end) return null;
    let v = 0;
    for (let i = 0; i < intBytes; i++) v |= p.charCodeAt(r.pos + i) << (8 * i);
    r.pos += intBytes;
    if (intBytes === 1) v = (v << 24) >> 24;
    else if (intBytes === 2) v = (v << 16) >> 16;
    return String(v | 0);
  }
  if (l.len !== 3) return null;
  const clen = readLength(p, r, end);
  const ulen = readLength(p, r, end);
  if (clen === null || ulen === null || clen.enc || ulen.enc || r.pos + clen.len > end) return null;
  const out = lzfDecompress(p.slice(r.pos, r.pos + clen.len), ulen.len);
  r.pos += clen.len;
  return out;
}

/** liblzf decompression of a byte string; null when the data is corrupt. */
export function lzfDecompress(input: string, outLen: number): string | null {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input.charCodeAt(ip++);
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > input.length) return null;
      for (let i = 0; i < ctrl; i++) out[op++] = input.charCodeAt(ip++);
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (len === 7) {
        if (ip >= input.length) return null;
        len += input.charCodeAt(ip++);
      }
      if (ip >= input.length) return null;
      ref -= input.charCodeAt(ip++);
      len += 2;
      if (op + len > outLen || ref < 0) return null;
      for (let i = 0; i < len; i++) out[op++] = out[ref++]!;
    }
  }
  if (op !== outLen) return null;
  return Buffer.from(out).toString("latin1");
}
