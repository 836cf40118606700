/**
 * Stateless SCAN cursors over an insertion-ordered table, shared by SCAN and (later) HSCAN,
 * SSCAN and ZSCAN, plus the cursor and option parsing those commands have in common.
 *
 * ## Why not Valkey's reverse-binary cursor
 * Valkey's cursor walks hash buckets in reverse-bit order so that a resize never makes it skip
 * an element. A JS `Map` exposes no buckets, so we cannot copy that. The choice was between:
 *
 * - (a) a table of live `Map` iterators keyed by cursor id. JS iterators survive inserts and
 *   deletes, so no key present throughout is skipped, but the server then holds state per
 *   cursor. The table must be bounded, and a cursor evicted from it can only restart from the
 *   beginning: a client that scans slowly while many others scan would be sent back to the
 *   start again and again and could never finish. Valkey's cursors are plain numbers a client
 *   may keep for as long as it likes, so (a) cannot match their contract.
 * - (b) a stateless cursor, chosen here. Every entry gets a sequence number when it is
 *   inserted; a per-table counter only grows, so numbers are never reused. Entries live in
 *   slots ordered by sequence number. A cursor is "the smallest sequence number not yet
 *   visited": SCAN binary-searches the first slot at or after it and walks forward.
 *
 * Guarantee of (b): an entry present for the whole scan keeps its slot and its sequence number
 * (overwriting a value keeps both; only delete + insert changes them), every earlier cursor was
 * below its number, and the cursor only moves forward past visited slots, so it is returned
 * exactly once. Entries inserted during the scan get larger numbers and may or may not be
 * returned, as in Valkey. An entry deleted and re-inserted during the scan may be returned
 * twice, which Valkey also allows.
 *
 * ## Memory and speed
 * Per entry the table costs one `Map` entry (key -> slot, a small integer stored inline), one
 * pointer in the key column, one in the value column, 8 bytes of sequence number in a
 * `Float64Array` (exact to 2^53, so the counter never wraps in practice) and 4 bytes in an
 * optional `Uint32Array` column for per-entry metadata (the keyspace keeps LRU/LFU data there).
 * No per-entry object is allocated. Insert and delete are O(1): a delete punches a hole in the
 * slot columns, and holes are compacted away once they outnumber live entries, which keeps
 * the amortized cost O(1) and the columns at most about twice the live count. Compaction moves
 * slots but never changes sequence numbers, so cursors stay valid across it.
 *
 * @module
 */
import { ReplyError } from "../protocol/reply.ts";
import { E, fmt } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";

/** Slot columns start this small so that 16 empty databases cost next to nothing. */
const MIN_CAPACITY = 8;

/**
 * A map from byte-string keys to values whose entries can be walked with stateless cursors.
 * It behaves like a `Map<string, V>` (iteration is in insertion order) with slot-level access
 * for hot paths.
 *
 * Callbacks passed to {@link ScanMap.scan} must not insert or delete: a delete may compact the
 * slot columns. Collect keys and act on them after the scan returns.
 *
 * @example
 * ```ts
 * const m = new ScanMap<string>();
 * m.insert("a", "1");
 * let cursor = 0;
 * do cursor = m.scan(cursor, 10, (key, value) => console.log(key, value)); while (cursor !== 0);
 * ```
 */
export class ScanMap<V> {
  #index = new Map<string, number>();
  #keys: (string | undefined)[] = [];
  #vals: (V | undefined)[] = [];
  #seqs: Float64Array;
  #meta: Uint32Array | undefined;
  /** Slots in use, live or holes; equals the length of the key and value columns. */
  #len = 0;
  #holes = 0;
  #nextSeq: number;

  /**
   * @param opts `meta`: keep a 32-bit metadata column; `firstSeq`: the first sequence number
   *   to hand out (a flushed table continues its predecessor's numbering)
   */
  constructor(opts: { meta?: boolean; firstSeq?: number } = {}) {
    this.#seqs = new Float64Array(MIN_CAPACITY);
    this.#meta = opts.meta ? new Uint32Array(MIN_CAPACITY) : undefined;
    // Sequence numbers start at 1 so that a continuation cursor is never 0, which means "done".
    this.#nextSeq = Math.max(1, opts.firstSeq ?? 1);
  }

  /** Number of live entries. */
  get size(): number {
    return this.#index.size;
  }

  /** The sequence number the next insert will get; pass it as `firstSeq` to a successor. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** The slot of `key`, or -1. Slots change on compaction: do not keep one across a delete. */
  slotOf(key: string): number {
    const s = this.#index.get(key);
    return s === undefined ? -1 : s;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** The value of `key`, or undefined. */
  get(key: string): V | undefined {
    const s = this.#index.get(key);
    return s === undefined ? undefined : this.#vals[s];
  }

  /** The value in a live slot. */
  valueAt(slot: number): V {
    return this.#vals[slot] as V;
  }

  /** Replaces the value in a live slot; the entry keeps its place in the scan order. */
  setValueAt(slot: number, value: V): void {
    this.#vals[slot] = value;
  }

  /** The key in a slot, or undefined for a hole. */
  keyAt(slot: number): string | undefined {
    return this.#keys[slot];
  }

  /** The metadata word of a slot (0 without a metadata column). */
  metaAt(slot: number): number {
    return this.#meta === undefined ? 0 : this.#meta[slot]!;
  }

  /** Sets the metadata word of a slot (ignored without a metadata column). */
  setMetaAt(slot: number, word: number): void {
    if (this.#meta !== undefined) this.#meta[slot] = word;
  }

  /**
   * Adds a key that is not present. The entry goes to the end of the scan order.
   * @returns its slot
   */
  insert(key: string, value: V, meta = 0): number {
    if (this.#len === this.#seqs.length) this.#makeRoom();
    const slot = this.#len++;
    this.#keys.push(key);
    this.#vals.push(value);
    this.#seqs[slot] = this.#nextSeq++;
    if (this.#meta !== undefined) this.#meta[slot] = meta;
    this.#index.set(key, slot);
    return slot;
  }

  /** Sets a value, inserting the key at the end of the scan order when absent. */
  set(key: string, value: V): void {
    const s = this.#index.get(key);
    if (s === undefined) this.insert(key, value);
    else this.#vals[s] = value;
  }

  /** Removes a key. @returns whether it was present */
  delete(key: string): boolean {
    const s = this.#index.get(key);
    if (s === undefined) return false;
    this.#index.delete(key);
    this.#keys[s] = undefined;
    this.#vals[s] = undefined;
    this.#holes++;
    // Compacting here (never inside scan()) keeps holes below half of the slots.
    if (this.#holes > 16 && this.#holes * 2 > this.#len) this.#compact();
    return true;
  }

  /** Live keys in insertion order. Safe against inserts and deletes during iteration. */
  keys(): IterableIterator<string> {
    return this.#index.keys();
  }

  /**
   * Visits up to about `count` live entries starting at `cursor`.
   *
   * Like Valkey, `count` bounds the live entries sampled (filters apply afterwards, in the
   * caller) and at most `10 * count` slots are stepped over, so a call on a table full of
   * holes still returns promptly.
   * @param cursor 0 to start, or a value a previous call returned
   * @param count how many live entries to sample, at least 1
   * @param visit called for each sampled entry; must not insert or delete
   * @returns the cursor to continue from, 0 when the walk reached the end
   */
  scan(cursor: number, count: number, visit: (key: string, value: V, slot: number) => void): number {
    const len = this.#len;
    let pos = this.#lowerBound(cursor);
    let sampled = 0;
    const maxSteps = count * 10;
    let steps = 0;
    const keys = this.#keys;
    while (pos < len && sampled < count && steps < maxSteps) {
      const k = keys[pos];
      steps++;
      if (k !== undefined) {
        sampled++;
        visit(k, this.#vals[pos] as V, pos);
      }
      pos++;
    }
    return pos >= len ? 0 : this.#seqs[pos]!;
  }

  /**
   * A pseudo-random live slot, or -1 when empty. Uniform over live entries: holes are at most
   * half of the slots, so rejection sampling needs two probes on average; a long streak of
   * holes falls back to a linear probe.
   */
  randomSlot(rand: () => number): number {
    const len = this.#len;
    if (this.#index.size === 0) return -1;
    for (let i = 0; i < 32; i++) {
      const s = Math.floor(rand() * len);
      if (this.#keys[s] !== undefined) return s;
    }
    const start = Math.floor(rand() * len);
    for (let i = 0; i < len; i++) {
      const s = (start + i) % len;
      if (this.#keys[s] !== undefined) return s;
    }
    return -1;
  }

  /** First slot whose sequence number is >= `seq` (slots are sorted by sequence number). */
  #lowerBound(seq: number): number {
    let lo = 0;
    let hi = this.#len;
    const seqs = this.#seqs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #makeRoom(): void {
    // Reclaiming holes beats growing when a quarter of the slots are holes.
    if (this.#holes * 4 > this.#len) {
      this.#compact();
      if (this.#len < this.#seqs.length) return;
    }
    this.#resize(Math.max(MIN_CAPACITY, this.#seqs.length * 2));
  }

  #resize(capacity: number): void {
    const seqs = new Float64Array(capacity);
    seqs.set(this.#seqs.subarray(0, this.#len));
    this.#seqs = seqs;
    if (this.#meta !== undefined) {
      const meta = new Uint32Array(capacity);
      meta.set(this.#meta.subarray(0, this.#len));
      this.#meta = meta;
    }
  }

  /** Squeezes out holes, keeping slot order and sequence numbers. */
  #compact(): void {
    const keys = this.#keys;
    const vals = this.#vals;
    const seqs = this.#seqs;
    const meta = this.#meta;
    const index = this.#index;
    let w = 0;
    for (let r = 0; r < this.#len; r++) {
      const k = keys[r];
      if (k === undefined) continue;
      if (w !== r) {
        keys[w] = k;
        vals[w] = vals[r];
        seqs[w] = seqs[r]!;
        if (meta !== undefined) meta[w] = meta[r]!;
        index.set(k, w);
      }
      w++;
    }
    keys.length = w;
    vals.length = w;
    this.#len = w;
    this.#holes = 0;
    // Give memory back after a mass delete, keeping room to grow.
    if (seqs.length > MIN_CAPACITY && seqs.length >= 4 * w) {
      this.#resize(Math.max(MIN_CAPACITY, 2 * w));
    }
  }
}

/** The type names SCAN TYPE accepts (compared case-insensitively, as Valkey does). */
const SCAN_TYPES = ["string", "list", "set", "zset", "hash", "stream"] as const;

/** One of the names in {@link SCAN_TYPES}. */
export type ScanTypeName = (typeof SCAN_TYPES)[number];

/** Which command is parsing: decides which options are legal. */
export type ScanKind = "scan" | "hscan" | "sscan" | "zscan";

/** Parsed SCAN-family options. */
export interface ScanOptions {
  /** COUNT, default 10. */
  count: number;
  /** MATCH pattern; undefined when absent or exactly `*` (which matches everything). */
  pattern: string | undefined;
  /** TYPE filter (SCAN only). */
  type: ScanTypeName | undefined;
  /** NOVALUES (HSCAN) or NOSCORES (ZSCAN): reply with members only. */
  noValues: boolean;
}

/** 2^64, the exclusive upper bound of an unsigned 64-bit cursor. */
const U64_LIMIT = 18446744073709551616n;

/**
 * Parses a cursor the way Valkey's `string2ull` does: a strict int64 first (negative values
 * are rejected), then C `strtoull` rules (leading whitespace and a sign are allowed, a `-`
 * wraps modulo 2^64, the rest must be digits up to 2^64-1). Like C, text after a NUL byte is
 * ignored.
 * @returns the cursor as a number (values past 2^53 lose precision, which is harmless: they
 *   lie beyond every sequence number), or null when invalid
 */
export function parseScanCursor(text: string): number | null {
  const nul = text.indexOf("\0");
  const s = nul >= 0 ? text.slice(0, nul) : text;
  const v = parseInt64(s);
  if (v !== null) return v < 0 ? null : Number(v);
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === "+" || s[i] === "-") {
    negative = s[i] === "-";
    i++;
  }
  const digits = s.slice(i);
  if (digits.length === 0 || !/^[0-9]+$/.test(digits)) return null;
  let n = BigInt(digits);
  if (n >= U64_LIMIT) return null;
  if (negative && n !== 0n) n = U64_LIMIT - n;
  return Number(n);
}

/** C `isspace` in the C locale. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parses `[MATCH pattern] [COUNT count] [TYPE type] [NOVALUES] [NOSCORES]` from `argv[start]`
 * on, with Valkey's errors: a bad COUNT is `ERR value is not an integer or out of range`, a
 * COUNT below 1 or an unknown word is `ERR syntax error`, an unknown type name is
 * `ERR unknown type name '<name>'`, and NOVALUES/NOSCORES on the wrong command name the
 * command that accepts them.
 * @throws {ReplyError} on invalid options
 */
export function parseScanOptions(argv: readonly string[], start: number, kind: ScanKind): ScanOptions {
  const opts: ScanOptions = { count: 10, pattern: undefined, type: undefined, noValues: false };
  let i = start;
  while (i < argv.length) {
    const word = argv[i]!.toLowerCase();
    const left = argv.length - i;
    if (word === "count" && left >= 2) {
      const v = parseInt64(argv[i + 1]!);
      if (v === null) throw new ReplyError(E.NOT_INTEGER);
      if (v < 1) throw new ReplyError(E.SYNTAX);
      opts.count = Number(v);
      i += 2;
    } else if (word === "match" && left >= 2) {
      const p = argv[i + 1]!;
      opts.pattern = p === "*" ? undefined : p;
      i += 2;
    } else if (word === "type" && kind === "scan" && left >= 2) {
      const name = argv[i + 1]!;
      const t = SCAN_TYPES.find((x) => x === name.toLowerCase());
      if (t === undefined) throw new ReplyError(fmt(E.UNKNOWN_TYPE_NAME, name));
      opts.type = t;
      i += 2;
    } else if (word === "novalues") {
      if (kind !== "hscan") throw new ReplyError(E.NOVALUES_HSCAN);
      opts.noValues = true;
      i++;
    } else if (word === "noscores") {
      if (kind !== "zscan") throw new ReplyError(E.NOSCORES_ZSCAN);
      opts.noValues = true;
      i++;
    } else {
      throw new ReplyError(E.SYNTAX);
    }
  }
  return opts;
}
