/**
 * The semantic reply tree. Handlers return these values; the RESP2/RESP3 encoder and the JSON
 * encoder turn them into bytes or JSON, so no handler ever branches on the protocol version.
 *
 * Strings (bulk, simple) hold binary data as latin1 "byte strings" (one char per byte) or as
 * `Uint8Array`; both are binary safe. Byte strings are the common case because V8 and JSC store
 * them far more compactly than small typed arrays.
 *
 * @module
 */

/** A binary-safe byte string: either a latin1 string (one char per byte) or raw bytes. */
export type Bytes = string | Uint8Array;

/** One node of the reply tree. */
export type Reply =
  | SimpleReply
  | ErrorReply
  | IntReply
  | BulkReply
  | NullReply
  | ArrayReply
  | MapReply
  | PairsReply
  | DoubleReply
  | BoolReply
  | VerbatimReply
  | BignumReply;

/** `+OK`-style status line. */
export interface SimpleReply {
  readonly t: "simple";
  readonly v: string;
}
/** `-CODE message`. `msg` already starts with the code (`ERR syntax error`). */
export interface ErrorReply {
  readonly t: "error";
  readonly msg: string;
}
/** A 64-bit signed integer; bigint only when it does not fit a safe double. */
export interface IntReply {
  readonly t: "int";
  readonly v: number | bigint;
}
/** A bulk string. */
export interface BulkReply {
  readonly t: "bulk";
  readonly v: Bytes;
}
/** RESP3 `_`; RESP2 `$-1` (as "bulk") or `*-1` (as "array"). */
export interface NullReply {
  readonly t: "null";
  readonly as: "bulk" | "array";
}
/** Aggregates that downgrade to a RESP2 array. */
export interface ArrayReply {
  readonly t: "array" | "set" | "push";
  readonly v: readonly Reply[];
}
/** RESP3 map; RESP2 flat array of 2n items. */
export interface MapReply {
  readonly t: "map";
  readonly v: readonly (readonly [Reply, Reply])[];
}
/**
 * A list of pairs (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES): RESP3 nests each pair in a
 * 2-element array, RESP2 flattens them, as Valkey does.
 */
export interface PairsReply {
  readonly t: "pairs";
  readonly v: readonly (readonly [Reply, Reply])[];
}
/** RESP3 double; RESP2 bulk string formatted like Valkey (`%.17g`, `inf`). */
export interface DoubleReply {
  readonly t: "double";
  readonly v: number;
  /**
   * The text when it is not the shortest round-trip digits (Valkey's `addReplyHumanLongDouble`
   * prints coordinates with 17 significant digits, in RESP2 and RESP3 alike).
   */
  readonly text?: string;
}
/** RESP3 boolean; RESP2 integer 0/1. */
export interface BoolReply {
  readonly t: "bool";
  readonly v: boolean;
}
/** RESP3 verbatim string; RESP2 bulk. */
export interface VerbatimReply {
  readonly t: "verbatim";
  readonly format: string;
  readonly v: string;
}
/** RESP3 big number; RESP2 bulk. */
export interface BignumReply {
  readonly t: "bignum";
  readonly v: bigint;
}

/** `+OK`. */
export const OK: Reply = Object.freeze({ t: "simple", v: "OK" });
/** `+QUEUED`. */
export const QUEUED: Reply = Object.freeze({ t: "simple", v: "QUEUED" });
/** `+PONG`. */
export const PONG: Reply = Object.freeze({ t: "simple", v: "PONG" });
/** Null in bulk position (`$-1` in RESP2). */
export const NULL: Reply = Object.freeze({ t: "null", as: "bulk" });
/** Null in array position (`*-1` in RESP2). */
export const NULL_ARRAY: Reply = Object.freeze({ t: "null", as: "array" });
/** An empty array. */
export const EMPTY_ARRAY: Reply = Object.freeze({ t: "array", v: Object.freeze([]) });

const SMALL_INTS: Reply[] = [];
for (let i = -1; i <= 1024; i++) SMALL_INTS.push(Object.freeze({ t: "int", v: i }));

/** Integer reply; small values are shared frozen objects so hot paths do not allocate. */
export function int(v: number | bigint): Reply {
  if (typeof v === "number" && v >= -1 && v <= 1024 && Number.isInteger(v)) {
    return SMALL_INTS[v + 1]!;
  }
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return { t: "int", v: Number(v) };
  }
  return { t: "int", v };
}
/** Bulk string reply. */
export function bulk(v: Bytes): Reply {
  return { t: "bulk", v };
}
/** Bulk reply, or null when `v` is undefined. */
export function bulkOrNull(v: Bytes | undefined): Reply {
  return v === undefined ? NULL : { t: "bulk", v };
}
/** Status reply (`+text`). */
export function simple(v: string): Reply {
  return { t: "simple", v };
}
/** Error reply; `msg` must start with the error code, e.g. `ERR syntax error`. */
export function error(msg: string): Reply {
  return { t: "error", msg };
}
/** Array reply. */
export function array(v: readonly Reply[]): Reply {
  return { t: "array", v };
}
/** Set reply (RESP3 `~`). */
export function set(v: readonly Reply[]): Reply {
  return { t: "set", v };
}
/** Push reply (RESP3 `>`). */
export function push(v: readonly Reply[]): Reply {
  return { t: "push", v };
}
/** Map reply (RESP3 `%`). */
export function map(v: readonly (readonly [Reply, Reply])[]): Reply {
  return { t: "map", v };
}
/** Pairs reply: nested 2-element arrays in RESP3, a flat array in RESP2. */
export function pairs(v: readonly (readonly [Reply, Reply])[]): Reply {
  return { t: "pairs", v };
}
/** Double reply (RESP3 `,`); `resp2Text` overrides the text in both protocols. */
export function double(v: number, resp2Text?: string): Reply {
  return resp2Text === undefined ? { t: "double", v } : { t: "double", v, text: resp2Text };
}
/** Boolean reply (RESP3 `#`). */
export function bool(v: boolean): Reply {
  return { t: "bool", v };
}
/** Verbatim string reply (RESP3 `=`). */
export function verbatim(v: string, format = "txt"): Reply {
  return { t: "verbatim", format, v };
}
/** Big number reply (RESP3 `(`). */
export function bignum(v: bigint): Reply {
  return { t: "bignum", v };
}
/** Array of bulk strings. */
export function bulkArray(items: readonly Bytes[]): Reply {
  return { t: "array", v: items.map(bulk) };
}
/** Map keyed by status-less bulk names, the shape of HELLO, CLIENT INFO-like replies. */
export function fieldMap(entries: readonly (readonly [string, Reply])[]): Reply {
  return { t: "map", v: entries.map(([k, v]) => [bulk(k), v] as const) };
}
/** True when `r` is an error reply. */
export function isError(r: Reply): r is ErrorReply {
  return r.t === "error";
}

/**
 * Thrown by argument parsing helpers with an exact Valkey error text; `call()` turns it into an
 * error reply. It is the only exception expected inside handlers.
 */
export class ReplyError extends Error {
  /** The full error line without the leading `-`. */
  readonly reply: Reply;
  /** @param msg the error text starting with its code, e.g. `ERR syntax error`. */
  constructor(msg: string) {
    super(msg);
    this.reply = { t: "error", msg };
  }
}
