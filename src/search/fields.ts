/**
 * Per-attribute indexes of a search index, keyed by document id: TAG (tag -> documents),
 * NUMERIC (sorted values) and VECTOR (an HNSW or FLAT index from src/vector). Each takes the
 * raw hash field value (a latin1 byte string) and reports whether it indexed it.
 *
 * @module
 */
import { Flat } from "../vector/flat.ts";
import { Hnsw } from "../vector/hnsw.ts";
import type { VectorIndex } from "../vector/store.ts";
import { toDouble } from "./args.ts";
import { type NumericRange, SortedNumbers } from "./numeric.ts";
import type { NumericAttribute, TagAttribute, VectorAttribute } from "./schema.ts";

/** Outcome of indexing one field value. */
export type FieldResult = "indexed" | "absent" | "invalid";

/** ASCII whitespace as valkey-search strips it around tags. */
export function stripAscii(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
}

/** Lower-cases ASCII letters only (byte strings must keep their other bytes). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Splits a stored tag value: pieces trimmed, empty ones dropped, duplicates removed. */
export function parseRecordTags(value: string, separator: string): string[] {
  const out: string[] = [];
  for (const piece of value.split(separator)) {
    const t = stripAscii(piece);
    if (t.length > 0 && !out.includes(t)) out.push(t);
  }
  return out;
}

/**
 * V8 sizes used to estimate the memory of JS collections (64-bit, no pointer compression): a
 * string is a 16-byte header plus one byte per latin1 char; an array element or a slot of an
 * outer array is 8 bytes; an ordered hash table (Map, Set) costs about 24 bytes per entry at its
 * usual load; an empty Set or array object about 64 and 32 bytes.
 */
const STRING_HEADER = 16;
const SLOT = 8;
const HASH_ENTRY = 24;
const SET_OBJECT = 64;
const ARRAY_OBJECT = 32;

/** A TAG attribute's index. */
export class TagField {
  /** The attribute. */
  readonly attr: TagAttribute;
  /** Normalised tag -> documents. */
  readonly byTag = new Map<string, Set<number>>();
  readonly #tagsOf: (string[] | undefined)[] = [];
  #size = 0;
  // (document, tag) pairs and their chars; distinct tags and their chars (the map's keys).
  #members = 0;
  #memberChars = 0;
  #distinctChars = 0;

  /** @param attr the attribute */
  constructor(attr: TagAttribute) {
    this.attr = attr;
  }

  /** Documents with at least one tag. */
  get size(): number {
    return this.#size;
  }

  /** Normalises a tag for lookups (ASCII case folding unless CASESENSITIVE). */
  norm(tag: string): string {
    return this.attr.caseSensitive ? tag : asciiLower(tag);
  }

  /** Indexes `value` (or its absence) for `doc`. */
  update(doc: number, value: string | undefined): FieldResult {
    this.remove(doc);
    if (value === undefined) return "absent";
    const tags = parseRecordTags(value, this.attr.separator).map((t) => this.norm(t));
    const unique = [...new Set(tags)];
    if (unique.length === 0) return "absent";
    this.#tagsOf[doc] = unique;
    for (const t of unique) {
      let set = this.byTag.get(t);
      if (set === undefined) {
        set = new Set();
        this.byTag.set(t, set);
        this.#distinctChars += t.length;
      }
      set.add(doc);
      this.#members++;
      this.#memberChars += t.length;
    }
    this.#size++;
    return "indexed";
  }

  /** Drops `doc`. */
  remove(doc: number): void {
    const tags = this.#tagsOf[doc];
    if (tags === undefined) return;
    for (const t of tags) {
      const set = this.byTag.get(t)!;
      set.delete(doc);
      if (set.size === 0) {
        this.byTag.delete(t);
        this.#distinctChars -= t.length;
      }
      this.#members--;
      this.#memberChars -= t.length;
    }
    this.#tagsOf[doc] = undefined;
    this.#size--;
  }

  /** The tags of `doc` (normalised), if any. */
  tagsOf(doc: number): readonly string[] | undefined {
    return this.#tagsOf[doc];
  }

  /**
   * Bytes held, estimated from V8's object sizes: per distinct tag a map entry, its key string
   * and its document set; per (document, tag) a set entry and the document's own copy of the
   * tag in its tag list; per document its tag list; the per-document slot array.
   */
  memoryBytes(): number {
    const distinct = this.byTag.size;
    return distinct * (HASH_ENTRY + STRING_HEADER + SET_OBJECT) + this.#distinctChars +
      this.#members * (HASH_ENTRY + STRING_HEADER + SLOT) + this.#memberChars +
      this.#size * ARRAY_OBJECT + this.#tagsOf.length * SLOT;
  }
}

/** A NUMERIC attribute's index. */
export class NumericField {
  /** The attribute. */
  readonly attr: NumericAttribute;
  /** Sorted values. */
  readonly sorted = new SortedNumbers();
  #values = new Float64Array(64).fill(NaN);

  /** @param attr the attribute */
  constructor(attr: NumericAttribute) {
    this.attr = attr;
  }

  /** Documents with a value. */
  get size(): number {
    return this.sorted.size;
  }

  /** Indexes `value` for `doc`; `nan` and non-numbers leave the document out. */
  update(doc: number, value: string | undefined): FieldResult {
    this.remove(doc);
    if (value === undefined) return "absent";
    const v = toDouble(value);
    if (v === undefined) return "absent";
    if (doc >= this.#values.length) {
      const next = new Float64Array(Math.max(doc + 1, this.#values.length * 2)).fill(NaN);
      next.set(this.#values);
      this.#values = next;
    }
    this.#values[doc] = v;
    this.sorted.insert(v, doc);
    return "indexed";
  }

  /** Drops `doc`. */
  remove(doc: number): void {
    if (doc >= this.#values.length) return;
    const v = this.#values[doc]!;
    if (Number.isNaN(v)) return;
    this.sorted.remove(v, doc);
    this.#values[doc] = NaN;
  }

  /** The value of `doc`, or NaN. */
  valueOf(doc: number): number {
    return doc < this.#values.length ? this.#values[doc]! : NaN;
  }

  /** Whether `doc`'s value lies in `r`. */
  inRange(doc: number, r: NumericRange): boolean {
    const v = this.valueOf(doc);
    if (Number.isNaN(v)) return false;
    return (r.loInclusive ? v >= r.lo : v > r.lo) && (r.hiInclusive ? v <= r.hi : v < r.hi);
  }

  /** Bytes held: the per-document value table and the sorted (value, id) blocks. */
  memoryBytes(): number {
    return this.#values.byteLength + this.sorted.memoryBytes();
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** A VECTOR attribute's index. */
export class VectorField {
  /** The attribute. */
  readonly attr: VectorAttribute;
  /** The vector index. */
  readonly index: VectorIndex;
  readonly #bytes: Uint8Array;
  readonly #floats: Float32Array;

  /** @param attr the attribute */
  constructor(attr: VectorAttribute) {
    this.attr = attr;
    this.index = attr.algorithm === "HNSW"
      ? new Hnsw({
        dim: attr.dim,
        metric: attr.metric,
        m: attr.m,
        efConstruction: attr.efConstruction,
        efRuntime: attr.efRuntime,
        initialCap: attr.initialCap,
      })
      : new Flat({ dim: attr.dim, metric: attr.metric, initialCap: attr.initialCap, blockSize: attr.blockSize });
    const buf = new ArrayBuffer(attr.dim * 4);
    this.#bytes = new Uint8Array(buf);
    this.#floats = new Float32Array(buf);
  }

  /** Documents with a vector. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Decodes a FLOAT32 blob (DIM little-endian floats as a latin1 string). @returns the floats
   * (a reused buffer), or undefined when the length is wrong
   */
  decode(blob: string): Float32Array | undefined {
    const dim = this.attr.dim;
    if (blob.length !== dim * 4) return undefined;
    const b = this.#bytes;
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < b.length; i++) b[i] = blob.charCodeAt(i);
    } else {
      for (let i = 0; i < b.length; i += 4) {
        b[i] = blob.charCodeAt(i + 3);
        b[i + 1] = blob.charCodeAt(i + 2);
        b[i + 2] = blob.charCodeAt(i + 1);
        b[i + 3] = blob.charCodeAt(i);
      }
    }
    return this.#floats;
  }

  /** Indexes `value` for `doc`; a blob of the wrong size is invalid (and unindexes the doc). */
  update(doc: number, value: string | undefined): FieldResult {
    if (value === undefined) {
      this.index.delete(doc);
      return "absent";
    }
    const v = this.decode(value);
    if (v === undefined) {
      this.index.delete(doc);
      return "invalid";
    }
    this.index.set(doc, v);
    return "indexed";
  }

  /** Drops `doc`. */
  remove(doc: number): void {
    this.index.delete(doc);
  }

  /** Bytes held: the vector index and the blob decoding scratch. */
  memoryBytes(): number {
    return this.index.memoryBytes() + this.#bytes.byteLength;
  }
}

/** Any attribute index. */
export type Field = TagField | NumericField | VectorField;
