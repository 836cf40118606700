/**
 * Estimated heap bytes of one key and its value, for the maxmemory check (the memory an
 * eviction gives back) and for `MEMORY USAGE`-style reporting.
 *
 * Valkey measures what `zmalloc` frees. A JavaScript runtime offers no per-object size, so the
 * figures here are a model of a 64-bit V8 heap, calibrated against the heap growth of real
 * Kite writes on Node and Deno: a JS string costs a 16-byte header plus one byte per latin1
 * character; a key costs a `Map` entry and four slot columns in the database's ScanMap; each
 * element of an aggregate costs its strings plus a per-element share of the structure holding
 * it. Bun (JavaScriptCore) lays objects out differently, so its figures differ by up to about
 * 2x; eviction re-reads the real heap from time to time and so tolerates that.
 *
 * Aggregates are estimated from a few elements (`samples`), as Valkey's `MEMORY USAGE ...
 * SAMPLES` does: the average of the sampled elements times the element count, so the cost is
 * O(samples) for hashtable-encoded values and bounded by the listpack limits otherwise.
 *
 * @module
 */
import type { Value } from "./db.ts";
import { HashValue } from "../types/hash.ts";
import { SetValue } from "../types/set.ts";
import { ZSet } from "../types/zset.ts";
import { ListValue } from "../types/list.ts";
import { StreamValue } from "../types/stream.ts";

/** Header of a JS string (map, hash, length), before its one byte per latin1 character. */
const STRING_HEADER = 16;
/** A key's `Map` entry plus its key, value, sequence and access-word slots (with growth slack). */
const KEY_ENTRY = 80;
/** A `Uint8Array` with its `ArrayBuffer` and backing store record. */
const BYTES_HEADER = 120;
/** Per field/value pair of a hash, beyond its two strings. */
const HASH_PAIR = 48;
/** Per member of a set, beyond its string. */
const SET_MEMBER = 24;
/** Per member of a sorted set (score, chunk slots, member index), beyond its string. */
const ZSET_MEMBER = 64;
/** Per element of a list (chunk slot and chunk share), beyond its string. */
const LIST_ELEMENT = 40;
/** Per stream entry (ID, flag and offset columns) beyond the node's listpack-sized data. */
const STREAM_ENTRY = 24;
/** An aggregate value object with its internal arrays, before any element. */
const OBJECT_HEADER = 64;
/** Per consumer group of a stream (group, consumer and pending-entry tables). */
const STREAM_GROUP = 256;

/** The default number of aggregate elements sampled, as Valkey's `MEMORY USAGE`. */
export const DEFAULT_SIZE_SAMPLES = 5;

/** Estimated heap bytes of a latin1 string of `len` characters. */
export function stringBytes(len: number): number {
  return STRING_HEADER + len;
}

/**
 * Estimated heap bytes of `key` holding `value`: the key's entry in the database, the key
 * string and the value.
 * @param samples elements of an aggregate to sample (0: all of them)
 */
export function estimateEntryBytes(key: string, value: Value, samples = DEFAULT_SIZE_SAMPLES): number {
  return KEY_ENTRY + stringBytes(key.length) + estimateValueBytes(value, samples);
}

/**
 * Estimated heap bytes of a value alone.
 * @param samples elements of an aggregate to sample (0: all of them)
 */
export function estimateValueBytes(value: Value, samples = DEFAULT_SIZE_SAMPLES): number {
  if (typeof value === "string") return stringBytes(value.length);
  if (value instanceof Uint8Array) return BYTES_HEADER + value.byteLength;
  const limit = samples <= 0 ? Number.MAX_SAFE_INTEGER : samples;
  if (value instanceof HashValue) {
    return OBJECT_HEADER + extrapolate(value.size, limit, (take) => {
      let sum = 0;
      let n = 0;
      value.scan(0, take, (f, v) => {
        // A listpack hash is visited whole; only the first `take` pairs are measured.
        if (n++ < take) sum += stringBytes(f.length) + stringBytes(v.length) + HASH_PAIR;
      });
      return [sum, Math.min(n, take)];
    });
  }
  if (value instanceof SetValue) {
    return OBJECT_HEADER + extrapolate(value.size, limit, (take) => {
      let sum = 0;
      let n = 0;
      value.scan(0, take, (m) => {
        if (n++ < take) sum += stringBytes(m.length) + SET_MEMBER;
      });
      return [sum, Math.min(n, take)];
    });
  }
  if (value instanceof ZSet) {
    return OBJECT_HEADER + extrapolate(value.size, limit, (take) => {
      let sum = 0;
      let n = 0;
      value.scan(0, take, (m) => {
        if (n++ < take) sum += stringBytes(m.length) + ZSET_MEMBER;
      });
      return [sum, Math.min(n, take)];
    });
  }
  if (value instanceof ListValue) {
    return OBJECT_HEADER + extrapolate(value.length, limit, (take) => {
      let sum = 0;
      value.forRange(0, take, false, (v) => sum += stringBytes(v.length) + LIST_ELEMENT);
      return [sum, take];
    });
  }
  if (value instanceof StreamValue) {
    const nodes = value.nodes;
    const groups = value.groups?.size ?? 0;
    return OBJECT_HEADER + groups * STREAM_GROUP + extrapolate(nodes.length, limit, (take) => {
      let sum = 0;
      for (let i = 0; i < take; i++) {
        const node = nodes[i]!;
        sum += OBJECT_HEADER + node.bytes + node.n * STREAM_ENTRY;
      }
      return [sum, take];
    });
  }
  return OBJECT_HEADER;
}

/**
 * Measures up to `limit` of `count` elements with `measure` and scales the sum to all of them.
 * @param measure measures the first `take` elements; returns [bytes, elements measured]
 */
function extrapolate(count: number, limit: number, measure: (take: number) => [number, number]): number {
  if (count === 0) return 0;
  const [sum, n] = measure(Math.min(count, limit));
  return n === 0 ? 0 : Math.round((sum / n) * count);
}
