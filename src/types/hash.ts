/**
 * The hash type's value (no keyspace, no replies): a field -> value map stored in one of
 * Valkey's two shapes, with the conversion rule that decides OBJECT ENCODING.
 *
 * - `listpack` (small hashes): one flat array `[field0, value0, field1, value1, ...]` in insertion
 *   order, searched linearly, like Valkey's listpack. Updating a field keeps its place; deleting
 *   closes the gap. Iteration, HSCAN and HGETALL therefore answer in Valkey's order.
 * - `hashtable` (large hashes): a {@link ScanMap}, which gives O(1) access, uniform random
 *   fields for HRANDFIELD and stateless HSCAN cursors that never miss a field present for the
 *   whole scan.
 *
 * A hash converts to `hashtable` when it gets more than `hash-max-listpack-entries` fields or a
 * field or value longer than `hash-max-listpack-value` bytes. As in Valkey the conversion is
 * one-way: a hash that shrank again stays a hashtable.
 *
 * Fields and values are latin1 byte strings (one char per byte), never `Uint8Array`: V8 and JSC
 * store short strings far more compactly.
 *
 * @module
 */
import type { ObjectValue } from "../keyspace/db.ts";
import { ScanMap } from "../keyspace/scan.ts";
import {
  addLongDouble,
  formatLongDoubleHuman,
  INT64_MAX,
  INT64_MIN,
  type LongDouble,
  parseInt64,
  parseLongDouble,
} from "../util/number.ts";

/** The thresholds that decide a hash's encoding (Valkey's `hash-max-listpack-*`). */
export interface HashLimits {
  /** `hash-max-listpack-entries`: most fields a listpack hash may hold. */
  readonly maxListpackEntries: number;
  /** `hash-max-listpack-value`: longest field or value (bytes) a listpack hash may hold. */
  readonly maxListpackValue: number;
}

/** Outcome of {@link HashValue.incrBy}. */
export type HashIncrResult =
  | { readonly status: "ok"; readonly value: number | bigint }
  | { readonly status: "notint" }
  | { readonly status: "overflow" };

/** Outcome of {@link HashValue.incrByFloat}. */
export type HashFloatIncrResult =
  | { readonly status: "ok"; readonly value: string }
  | { readonly status: "notfloat" }
  | { readonly status: "nan" };

/** A hash value (TYPE `hash`). */
export class HashValue implements ObjectValue {
  /** Always `hash`. */
  readonly type = "hash" as const;
  // One slot serves both shapes (the flat pair array while a listpack, the ScanMap once
  // converted), so a small hash object is just its type tag and this reference.
  #d: string[] | ScanMap<string> = [];

  /** Number of fields. */
  get size(): number {
    const d = this.#d;
    return Array.isArray(d) ? d.length >>> 1 : d.size;
  }

  /** Valkey's OBJECT ENCODING name: `listpack` or `hashtable`. */
  encoding(): string {
    return Array.isArray(this.#d) ? "listpack" : "hashtable";
  }

  /** The value of `field`, or undefined. Used by HGET, and by SORT's `->field` patterns. */
  get(field: string): string | undefined {
    const d = this.#d;
    if (!Array.isArray(d)) return d.get(field);
    for (let i = 0; i < d.length; i += 2) if (d[i] === field) return d[i + 1];
    return undefined;
  }

  /** Whether `field` exists. */
  has(field: string): boolean {
    const d = this.#d;
    if (!Array.isArray(d)) return d.has(field);
    for (let i = 0; i < d.length; i += 2) if (d[i] === field) return true;
    return false;
  }

  /** Byte length of the value of `field`, 0 when absent (HSTRLEN). */
  valueLength(field: string): number {
    return this.get(field)?.length ?? 0;
  }

  /**
   * Converts ahead of a write of `args[start..end]` (fields and values alternating), as
   * Valkey's `hashTypeTryConversion` does before HSET/HSETNX: more pairs than the entry limit
   * (even if some repeat), or any argument longer than the value limit, makes a hashtable.
   */
  prepareWrite(args: readonly string[], start: number, end: number, limits: HashLimits): void {
    if (!Array.isArray(this.#d)) return;
    if ((end - start + 1) >>> 1 > limits.maxListpackEntries) {
      this.#convert();
      return;
    }
    for (let i = start; i <= end; i++) {
      if (args[i]!.length > limits.maxListpackValue) {
        this.#convert();
        return;
      }
    }
  }

  /**
   * Sets `field` to `value`.
   * @returns true when the field was created, false when an existing value was replaced
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    let d = this.#d;
    if (Array.isArray(d)) {
      if (field.length > limits.maxListpackValue || value.length > limits.maxListpackValue) {
        d = this.#convert();
      } else {
        for (let i = 0; i < d.length; i += 2) {
          if (d[i] === field) {
            d[i + 1] = value;
            return false;
          }
        }
        d.push(field, value);
        if (d.length >>> 1 > limits.maxListpackEntries) this.#convert();
        return true;
      }
    }
    const slot = d.slotOf(field);
    if (slot >= 0) {
      d.setValueAt(slot, value);
      return false;
    }
    d.insert(field, value);
    return true;
  }

  /** Removes `field`. @returns whether it existed */
  delete(field: string): boolean {
    const d = this.#d;
    if (!Array.isArray(d)) return d.delete(field);
    for (let i = 0; i < d.length; i += 2) {
      if (d[i] === field) {
        d.splice(i, 2);
        return true;
      }
    }
    return false;
  }

  /**
   * HINCRBY: adds `incr` to the integer in `field` (0 when absent) and stores the result.
   * The stored text must be a canonical int64 (`string2ll`), else `notint`; a result outside
   * int64 is `overflow` and changes nothing.
   */
  incrBy(field: string, incr: number | bigint, limits: HashLimits): HashIncrResult {
    const cur = this.get(field);
    let old: number | bigint = 0;
    if (cur !== undefined) {
      const v = parseInt64(cur);
      if (v === null) return { status: "notint" };
      old = v;
    }
    let result: number | bigint;
    if (typeof old === "number" && typeof incr === "number" && Number.isSafeInteger(old + incr)) {
      result = old + incr;
    } else {
      const sum = BigInt(old) + BigInt(incr);
      if (sum > INT64_MAX || sum < INT64_MIN) return { status: "overflow" };
      result = sum >= -9007199254740991n && sum <= 9007199254740991n ? Number(sum) : sum;
    }
    this.set(field, String(result), limits);
    return { status: "ok", value: result };
  }

  /**
   * HINCRBYFLOAT: adds `incr` (already parsed, finite) to the number in `field` (0 when absent)
   * in x87 long double arithmetic and stores the result printed as Valkey does (`%.17Lf`,
   * trailing zeros trimmed). The stored text must parse as a long double (`strtold` rules, so
   * `0x10` and ` 1` style inputs behave as in Valkey), else `notfloat`; an infinite sum is `nan`.
   * @param incrText the increment as the client sent it (enables an exact integer fast path)
   */
  incrByFloat(field: string, incrText: string, incr: LongDouble, limits: HashLimits): HashFloatIncrResult {
    const cur = this.get(field);
    const curText = cur ?? "0";
    let text: string | undefined;
    // Integers within 2^53 add exactly in a double and print without a fraction, so the long
    // double emulation (BigInt based) is only needed for the general case.
    const a = parseInt64(curText);
    const b = parseInt64(incrText);
    if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a + b)) {
      text = String(a + b);
    } else {
      const x = parseLongDouble(curText);
      if (x === null) return { status: "notfloat" };
      const sum = addLongDouble(x, incr);
      if (sum === null) return { status: "nan" };
      text = formatLongDoubleHuman(sum);
    }
    this.set(field, text, limits);
    return { status: "ok", value: text };
  }

  /**
   * Calls `fn` for every field in iteration order (insertion order for a listpack). `fn` must
   * not modify this hash.
   */
  forEach(fn: (field: string, value: string) => void): void {
    const d = this.#d;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i += 2) fn(d[i]!, d[i + 1]!);
    } else {
      d.scan(0, Number.MAX_SAFE_INTEGER, fn);
    }
  }

  /** Every field and value pair, in iteration order. */
  *entries(): IterableIterator<[string, string]> {
    const d = this.#d;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i += 2) yield [d[i]!, d[i + 1]!];
    } else {
      for (const f of d.keys()) yield [f, d.get(f)!];
    }
  }

  /** The fields, in iteration order. */
  fields(): string[] {
    const out: string[] = [];
    this.forEach((f) => out.push(f));
    return out;
  }

  /** The values, in iteration order. */
  values(): string[] {
    const out: string[] = [];
    this.forEach((_f, v) => out.push(v));
    return out;
  }

  /** Fields and values interleaved (`[f0, v0, f1, v1, ...]`), in iteration order. */
  flat(): string[] {
    const d = this.#d;
    if (Array.isArray(d)) return d.slice();
    const out: string[] = [];
    d.scan(0, Number.MAX_SAFE_INTEGER, (f, v) => out.push(f, v));
    return out;
  }

  /** A uniformly random field and its value; the hash must not be empty. */
  randomPair(rand: () => number): [string, string] {
    const d = this.#d;
    if (Array.isArray(d)) {
      const i = Math.floor(rand() * (d.length >>> 1)) * 2;
      return [d[i]!, d[i + 1]!];
    }
    const slot = d.randomSlot(rand);
    return [d.keyAt(slot)!, d.valueAt(slot)];
  }

  /**
   * HRANDFIELD with a count, following Valkey's strategies so that the shape of the answer
   * matches: with `unique` false (negative count) `count` independent picks, repeats allowed;
   * with `unique` true, `min(count, size)` distinct fields: the whole hash in iteration order
   * when `count >= size`, a sample in listpack order for a listpack, otherwise a random subset.
   * @returns fields, or fields and values interleaved when `withValues`
   */
  randomFields(count: number, unique: boolean, withValues: boolean, rand: () => number): string[] {
    const out: string[] = [];
    const size = this.size;
    if (count === 0 || size === 0) return out;
    const d = this.#d;
    if (!unique || count === 1) {
      for (let i = 0; i < count; i++) {
        const [f, v] = this.randomPair(rand);
        out.push(f);
        if (withValues) out.push(v);
      }
      return out;
    }
    if (count >= size) {
      this.forEach((f, v) => {
        out.push(f);
        if (withValues) out.push(v);
      });
      return out;
    }
    if (Array.isArray(d)) {
      // Selection sampling (Knuth's algorithm S): each subset equally likely, listpack order.
      let need = count;
      for (let i = 0; i < size && need > 0; i++) {
        if (rand() * (size - i) < need) {
          out.push(d[2 * i]!);
          if (withValues) out.push(d[2 * i + 1]!);
          need--;
        }
      }
      return out;
    }
    if (count * 3 > size) {
      // Valkey copies the whole hash and drops random fields until `count` remain; a partial
      // Fisher-Yates over the slots picks the same distribution of subsets.
      const slots: number[] = [];
      d.scan(0, Number.MAX_SAFE_INTEGER, (_f, _v, slot) => slots.push(slot));
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(rand() * (slots.length - i));
        const s = slots[j]!;
        slots[j] = slots[i]!;
        slots[i] = s;
        out.push(d.keyAt(s)!);
        if (withValues) out.push(d.valueAt(s));
      }
      return out;
    }
    // Sparse sample of a big hash: random picks, skipping repeats.
    const seen = new Set<string>();
    while (seen.size < count) {
      const s = d.randomSlot(rand);
      const f = d.keyAt(s)!;
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(f);
      if (withValues) out.push(d.valueAt(s));
    }
    return out;
  }

  /**
   * One HSCAN step. A listpack hash is returned whole with cursor 0, as Valkey does; a
   * hashtable is walked with {@link ScanMap.scan}'s stateless cursor.
   * @param visit receives each sampled pair; must not modify this hash
   * @returns the next cursor, 0 when done
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    const d = this.#d;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i += 2) visit(d[i]!, d[i + 1]!);
      return 0;
    }
    return d.scan(cursor, count, visit);
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): HashValue {
    const c = new HashValue();
    const d = this.#d;
    if (Array.isArray(d)) {
      c.#d = d.slice();
    } else {
      const m = new ScanMap<string>();
      d.scan(0, Number.MAX_SAFE_INTEGER, (f, v) => m.insert(f, v));
      c.#d = m;
    }
    return c;
  }

  #convert(): ScanMap<string> {
    const d = this.#d;
    if (!Array.isArray(d)) return d;
    const m = new ScanMap<string>();
    for (let i = 0; i < d.length; i += 2) m.insert(d[i]!, d[i + 1]!);
    this.#d = m;
    return m;
  }
}
