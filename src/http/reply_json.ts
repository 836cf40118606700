/**
 * Reply -> JSON text in the RESP2 shapes the Upstash SDKs decode: strings, integers, null and
 * nested arrays only. RESP3 types are downgraded exactly as the RESP2 encoder does (map and pairs
 * flatten, double and big number become strings, booleans 0/1), because the JS SDK's base64
 * decoder turns objects into null and the Python SDK raises on floats and dicts.
 *
 * The text is built directly rather than through `JSON.stringify` of an object tree: integers
 * beyond 2^53 (bigint) keep their exact digits, and no intermediate objects are allocated.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Bytes, Reply } from "../protocol/reply.ts";
import { formatDouble } from "../util/number.ts";

// Any byte outside ASCII: such strings need a real UTF-8 decode (or base64) before JSON.
const NON_ASCII = /[\u0080-\uffff]/;

/** A byte string (latin1, one char per byte) or bytes -> the JS string JSON carries. */
function textOf(v: Bytes): string {
  if (typeof v === "string") {
    // ASCII bytes are the same characters in UTF-8: the common case costs one regex scan.
    return NON_ASCII.test(v) ? Buffer.from(v, "latin1").toString("utf8") : v;
  }
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("utf8");
}

/** Standard base64 (RFC 4648, padded) of a byte string or bytes. */
export function base64Of(v: Bytes): string {
  // btoa takes a latin1 string as bytes: exactly our byte strings, with no copy on the way.
  if (typeof v === "string") return btoa(v);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
}

/** One JSON string value for the bytes `v`: base64 text in base64 mode, UTF-8 text otherwise. */
function str(v: Bytes, b64: boolean): string {
  return b64 ? `"${base64Of(v)}"` : JSON.stringify(textOf(v));
}

/**
 * Encodes a reply as a JSON value (the `R` of `{"result": R}`).
 * @param r the reply; an error nested in an array (EXEC results inside a script) becomes its text
 * @param b64 `Upstash-Encoding: base64`: every string is base64 of its bytes, except a top-level
 * `OK` status (Upstash's documented exception; inside arrays even `OK` is encoded)
 * @param top whether `r` is the whole result rather than an element of one
 * @returns the JSON text
 */
export function replyToJson(r: Reply, b64: boolean, top = true): string {
  switch (r.t) {
    case "simple":
      if (b64 && top && r.v === "OK") return '"OK"';
      return str(r.v, b64);
    case "bulk":
      return str(r.v, b64);
    case "int":
      return typeof r.v === "number" ? String(r.v) : r.v.toString();
    case "null":
      return "null";
    case "error":
      return str(r.msg, b64);
    case "array":
    case "set":
    case "push": {
      const items = r.v;
      if (items.length === 0) return "[]";
      let out = "[" + replyToJson(items[0]!, b64, false);
      for (let i = 1; i < items.length; i++) out += "," + replyToJson(items[i]!, b64, false);
      return out + "]";
    }
    case "map":
    case "pairs": {
      if (r.v.length === 0) return "[]";
      let out = "[";
      let first = true;
      for (const [k, v] of r.v) {
        out += (first ? "" : ",") + replyToJson(k, b64, false) + "," + replyToJson(v, b64, false);
        first = false;
      }
      return out + "]";
    }
    case "double":
      return str(r.text ?? formatDouble(r.v), b64);
    case "bool":
      return r.v ? "1" : "0";
    case "verbatim":
      return str(r.v, b64);
    case "bignum":
      return str(r.v.toString(), b64);
  }
}

/**
 * The body of a single-command response: `{"result": R}` or `{"error": "..."}`. Error texts are
 * never base64-encoded.
 */
export function singleBody(r: Reply, b64: boolean): string {
  return r.t === "error" ? errorBody(r.msg) : `{"result":${replyToJson(r, b64)}}`;
}

/** `{"error": "<text>"}` for a latin1 error text (command errors may carry argument bytes). */
export function errorBody(msg: string): string {
  return `{"error":${JSON.stringify(textOf(msg))}}`;
}
