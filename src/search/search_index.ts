/**
 * One search index: its definition, the documents it holds (hash keys, numbered densely so
 * attribute indexes can be typed arrays), its attribute indexes, and filter evaluation over
 * them. It knows nothing of the keyspace: the manager feeds it key contents.
 *
 * @module
 */
import type { HashValue } from "../types/hash.ts";
import type { Deadline } from "../vector/deadline.ts";
import { type Field, type FieldResult, NumericField, TagField, VectorField } from "./fields.ts";
import type { Filter } from "./query.ts";
import type { IndexDefinition } from "./schema.ts";

/** Backfill progress (FT.INFO). */
export interface Backfill {
  /** Whether the scan of existing keys is still running. */
  inProgress: boolean;
  /** Keys visited so far. */
  scanned: number;
  /** Keys in the database when the backfill started. */
  total: number;
  /** Scan cursor. */
  cursor: number;
}

/** A search index (see the module doc). */
export class SearchIndex {
  /** The definition from FT.CREATE. */
  readonly def: IndexDefinition;
  /** The database number the index follows (changes with SWAPDB). */
  db: number;
  /** Attribute indexes, in schema order. */
  readonly fields: readonly Field[];
  /** Hashes whose indexing failed (a malformed vector). */
  failures = 0;
  /** Backfill state. */
  readonly backfill: Backfill = { inProgress: false, scanned: 0, total: 0, cursor: 0 };
  /** Set once dropped: pending backfill slices stop. */
  dropped = false;
  /**
   * How hybrid KNN queries ran (valkey-search counts the same in INFO): a graph walk testing
   * the filter on each node it admits, or an exact scan of the filter's matches.
   */
  readonly plans = { filteredWalk: 0, exactScan: 0 };
  readonly #byAlias = new Map<string, Field>();
  readonly #byIdentifier = new Map<string, Field>();
  readonly #docOf = new Map<string, number>();
  readonly #keyOf: (string | undefined)[] = [];
  readonly #free: number[] = [];
  #keyChars = 0;

  /**
   * @param def the definition
   * @param db its database number
   */
  constructor(def: IndexDefinition, db: number) {
    this.def = def;
    this.db = db;
    this.fields = def.attributes.map((a) =>
      a.type === "VECTOR" ? new VectorField(a) : a.type === "TAG" ? new TagField(a) : new NumericField(a)
    );
    for (const f of this.fields) {
      this.#byAlias.set(f.attr.alias, f);
      this.#byIdentifier.set(f.attr.identifier, f);
    }
  }

  /** The name. */
  get name(): string {
    return this.def.name;
  }

  /** Number of documents (keys with at least one indexed attribute). */
  get size(): number {
    return this.#docOf.size;
  }

  /** The attribute queries name `alias`. */
  byAlias(alias: string): Field | undefined {
    return this.#byAlias.get(alias);
  }

  /** The attribute indexing hash field `identifier`. */
  byIdentifier(identifier: string): Field | undefined {
    return this.#byIdentifier.get(identifier);
  }

  /** Whether `key` falls under the index's prefixes (every key when there are none). */
  matches(key: string): boolean {
    const p = this.def.prefixes;
    if (p.length === 0) return true;
    for (let i = 0; i < p.length; i++) if (key.startsWith(p[i]!)) return true;
    return false;
  }

  /** The key of document `doc`. */
  keyOf(doc: number): string | undefined {
    return this.#keyOf[doc];
  }

  /** The document of `key`, or undefined. */
  docOf(key: string): number | undefined {
    return this.#docOf.get(key);
  }

  /** Every document id, in id order, stepping `deadline` per id slot. */
  allDocs(deadline?: Deadline): number[] {
    const keys = this.#keyOf;
    const out: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      deadline?.step();
      if (keys[i] !== undefined) out.push(i);
    }
    return out;
  }

  /**
   * Re-indexes `key` from its current hash (undefined when the key is gone or not a hash).
   * A malformed vector counts as a failure; the document stays for its other attributes.
   */
  update(key: string, hash: HashValue | undefined): void {
    if (hash === undefined) {
      this.remove(key);
      return;
    }
    let doc = this.#docOf.get(key);
    const isNew = doc === undefined;
    if (doc === undefined) doc = this.#free.pop() ?? this.#keyOf.length;
    let indexed = false;
    let failed = false;
    for (const f of this.fields) {
      const r: FieldResult = f.update(doc, hash.get(f.attr.identifier));
      if (r === "indexed") indexed = true;
      else if (r === "invalid") failed = true;
    }
    if (failed) this.failures++;
    if (indexed) {
      if (isNew) {
        this.#docOf.set(key, doc);
        this.#keyOf[doc] = key;
        this.#keyChars += key.length;
      }
    } else if (isNew) {
      this.#free.push(doc);
    } else {
      this.#forget(key, doc);
    }
  }

  /** Drops `key`'s document. */
  remove(key: string): void {
    const doc = this.#docOf.get(key);
    if (doc === undefined) return;
    for (const f of this.fields) f.remove(doc);
    this.#forget(key, doc);
  }

  #forget(key: string, doc: number): void {
    this.#keyChars -= key.length;
    this.#docOf.delete(key);
    this.#keyOf[doc] = undefined;
    this.#free.push(doc);
  }

  /** Drops every document (kept definition). */
  clear(): void {
    for (const key of [...this.#docOf.keys()]) this.remove(key);
  }

  /** Entries across attribute indexes (FT.INFO `num_records`). */
  records(): number {
    let n = 0;
    for (const f of this.fields) n += f.size;
    return n;
  }

  /** Whether `doc` satisfies `f`. */
  test(f: Filter, doc: number): boolean {
    switch (f.kind) {
      case "tag": {
        const tags = f.field.tagsOf(doc);
        if (tags === undefined) return false;
        for (const q of f.tags) {
          for (const t of tags) {
            if (q.prefix ? t.startsWith(q.value) : t === q.value) return true;
          }
        }
        return false;
      }
      case "num":
        return f.field.inRange(doc, f.range);
      case "and":
        for (const k of f.kids) if (!this.test(k, doc)) return false;
        return true;
      case "or":
        for (const k of f.kids) if (this.test(k, doc)) return true;
        return false;
      case "not":
        // A document without the field matches a negated predicate, as in valkey-search.
        return !this.test(f.kid, doc);
    }
  }

  /** An upper bound of the number of documents matching `f` (exact for tags and ranges). */
  estimate(f: Filter): number {
    switch (f.kind) {
      case "tag": {
        let n = 0;
        for (const q of f.tags) {
          if (!q.prefix) n += f.field.byTag.get(q.value)?.size ?? 0;
          else {
            for (const [t, set] of f.field.byTag) if (t.startsWith(q.value)) n += set.size;
          }
        }
        return Math.min(n, this.size);
      }
      case "num":
        return f.field.sorted.count(f.range);
      case "and": {
        let n = this.size;
        for (const k of f.kids) n = Math.min(n, this.estimate(k));
        return n;
      }
      case "or": {
        let n = 0;
        for (const k of f.kids) n += this.estimate(k);
        return Math.min(n, this.size);
      }
      case "not":
        return this.size;
    }
  }

  /**
   * The documents matching `f`, in no particular order, each once. `deadline` is stepped per
   * document (and per tag scanned for a prefix) so that a large evaluation can be cancelled.
   */
  collect(f: Filter, deadline?: Deadline): number[] {
    switch (f.kind) {
      case "tag": {
        const out = new Set<number>();
        const add = (set: Set<number>) => {
          deadline?.step(set.size);
          for (const d of set) out.add(d);
        };
        for (const q of f.tags) {
          if (!q.prefix) {
            const set = f.field.byTag.get(q.value);
            if (set !== undefined) add(set);
          } else {
            for (const [t, set] of f.field.byTag) {
              deadline?.step();
              if (t.startsWith(q.value)) add(set);
            }
          }
        }
        return [...out];
      }
      case "num": {
        const out: number[] = [];
        f.field.sorted.forEach(f.range, (d) => {
          deadline?.step();
          out.push(d);
        });
        return out;
      }
      case "and": {
        // Enumerate the most selective child and test the others.
        let best = f.kids[0]!;
        let bestN = Infinity;
        for (const k of f.kids) {
          if (k.kind === "not") continue;
          const n = this.estimate(k);
          if (n < bestN) {
            best = k;
            bestN = n;
          }
        }
        const candidates = bestN === Infinity ? this.allDocs(deadline) : this.collect(best, deadline);
        return this.#testAll(f, candidates, deadline);
      }
      case "or": {
        const out = new Set<number>();
        for (const k of f.kids) for (const d of this.collect(k, deadline)) out.add(d);
        return [...out];
      }
      case "not":
        return this.#testAll(f, this.allDocs(deadline), deadline);
    }
  }

  #testAll(f: Filter, candidates: number[], deadline: Deadline | undefined): number[] {
    const out: number[] = [];
    for (const d of candidates) {
      deadline?.step();
      if (this.test(f, d)) out.push(d);
    }
    return out;
  }

  /** Bytes held by the attribute indexes (FT.INFO `user_indexed_memory` per attribute). */
  fieldMemory(f: Field): number {
    return f.memoryBytes();
  }

  /**
   * Bytes of the document table (key -> id map, id -> key array, free ids), estimated with V8's
   * object sizes: a Map entry about 32 bytes plus its key string (16-byte header and one byte
   * per char), 8 bytes per array element.
   */
  documentBytes(): number {
    return this.#docOf.size * (32 + 16) + this.#keyChars + (this.#keyOf.length + this.#free.length) * 8;
  }

  /** Bytes the whole index holds: every attribute index and the document table. */
  memoryBytes(): number {
    let n = this.documentBytes();
    for (const f of this.fields) n += f.memoryBytes();
    return n;
  }

  /**
   * Bytes `key`'s document occupies in the vector indexes (its vectors, slots and graph links).
   * @returns 0 when the key is not indexed
   */
  vectorBytesOf(key: string): number {
    const doc = this.#docOf.get(key);
    if (doc === undefined) return 0;
    let n = 0;
    for (const f of this.fields) if (f instanceof VectorField) n += f.index.bytesOf(doc);
    return n;
  }
}
