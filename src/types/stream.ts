/**
 * The stream type: entries ordered by 128-bit IDs, consumer groups with pending entries lists,
 * and the counters Valkey keeps for lag (entries added, max deleted ID, first ID).
 *
 * Layout follows Valkey's rax-of-listpacks closely enough that every observable effect matches:
 * entries live in nodes (Valkey's listpacks) keyed by their first ("master") ID. A node takes
 * new entries until it holds `stream-node-max-entries` entries (deleted ones included) or its
 * listpack would reach `stream-node-max-bytes`; the listpack size is computed from Valkey's
 * listpack encoding rules, so node boundaries, and with them `~` trimming and
 * `radix-tree-keys`, are the same as Valkey's. Deleted entries stay in their node as tombstones
 * (Valkey's deleted flag) until the whole node goes: XDEL of a node's last live entry and
 * whole-node trimming drop it.
 *
 * Per node, IDs sit in two BigUint64Arrays (ms, seq), values in one flat array of latin1
 * strings, and field names in shared arrays (an entry with the node's master fields points at
 * the master's array, like Valkey's SAMEFIELDS flag), so an entry costs no object of its own.
 *
 * A stream ID is a bigint `ms * 2^64 + seq`: one value compares, increments and decrements like
 * Valkey's 128-bit big-endian rax keys.
 *
 * @module
 */
import type { ObjectValue } from "../keyspace/db.ts";
import { parseInt64 } from "../util/number.ts";

/** A stream ID: `ms * 2^64 + seq`, both parts unsigned 64-bit. */
export type StreamId = bigint;

const M64 = (1n << 64n) - 1n;
/** The largest ID (`18446744073709551615-18446744073709551615`), what `+` means. */
export const MAX_ID: StreamId = (1n << 128n) - 1n;
/** The smallest ID, what `-` means. */
export const MIN_ID: StreamId = 0n;
/** Valkey's `SCG_INVALID_ENTRIES_READ`: a group's read counter that is unknown. */
export const INVALID_ENTRIES_READ = -1n;

/** Builds an ID from its two parts. */
export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

/** The millisecond part of an ID. */
export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

/** The sequence part of an ID. */
export function idSeq(id: StreamId): bigint {
  return id & M64;
}

/** `<ms>-<seq>`. */
export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & M64}`;
}

/** The result of parsing an ID argument. */
export interface ParsedId {
  id: StreamId;
  /** False for the `<ms>-*` form (sequence to be generated). */
  seqGiven: boolean;
}

/**
 * Valkey's `string2ull`: a canonical int64 must not be negative; anything else goes through
 * `strtoull` rules (leading spaces, a sign, leading zeros; a negative value wraps modulo 2^64).
 */
function string2ull(s: string): bigint | null {
  const ll = parseInt64(s);
  if (ll !== null) return ll < 0 ? null : BigInt(ll);
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start || i !== s.length) return null;
  const v = BigInt(s.slice(start));
  if (v > M64) return null;
  return neg ? (M64 + 1n - v) & M64 : v;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parses a stream ID argument as Valkey's `streamGenericParseIDOrReply`: `-` and `+` (unless
 * `strict`), `<ms>` (sequence `missingSeq`), `<ms>-<seq>`, and `<ms>-*` when `allowSeqStar`.
 * Valkey reads the argument as a C string, so text after a NUL byte is ignored.
 * @returns null when invalid (`ERR Invalid stream ID specified as stream command argument`)
 */
export function parseStreamId(
  text: string,
  missingSeq: bigint,
  strict: boolean,
  allowSeqStar = false,
): ParsedId | null {
  if (text.length > 127) return null;
  const nul = text.indexOf("\0");
  const s = nul >= 0 ? text.slice(0, nul) : text;
  if (s === "-" || s === "+") {
    if (strict) return null;
    return { id: s === "-" ? MIN_ID : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf("-");
  const ms = string2ull(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === "*") return { id: makeId(ms, 0n), seqGiven: false };
  const seq = string2ull(rest);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqGiven: true };
}

/**
 * Parses a range bound: a `(` prefix makes it exclusive (and strict, so `(-`/`(+` are invalid).
 * @returns null when invalid
 */
export function parseRangeId(text: string, missingSeq: bigint): { id: StreamId; exclusive: boolean } | null {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 40; /* ( */
  const p = exclusive ? parseStreamId(text.slice(1), missingSeq, true) : parseStreamId(text, missingSeq, false);
  return p === null ? null : { id: p.id, exclusive };
}

// ---------------------------------------------------------------------------------------------
// Listpack size accounting (node boundaries)
// ---------------------------------------------------------------------------------------------

/** Bytes of a listpack element whose encoding takes `enc` bytes (plus its back-length). */
function withBacklen(enc: number): number {
  if (enc <= 127) return enc + 1;
  if (enc < 16383) return enc + 2;
  if (enc < 2097151) return enc + 3;
  if (enc < 268435455) return enc + 4;
  return enc + 5;
}

/** Listpack bytes of an integer element. */
function lpIntSize(v: number | bigint): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Listpack bytes of a string element (stored as an integer when it is a canonical int64). */
function lpStrSize(s: string): number {
  const n = s.length;
  if (n <= 20) {
    const v = parseInt64(s);
    if (v !== null) return lpIntSize(v);
  }
  if (n <= 63) return withBacklen(1 + n);
  if (n <= 4095) return withBacklen(2 + n);
  return withBacklen(5 + n);
}

/** An entry ID delta from the master ID, as the int64 Valkey stores (wrapping subtraction). */
function delta(a: bigint, b: bigint): bigint {
  return BigInt.asIntN(64, a - b);
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

const FLAG_DELETED = 1;
const EMPTY_FIELDS: readonly string[] = Object.freeze([]);

/** One listpack-equivalent node: entries whose IDs follow the node key (its master ID). */
class StreamNode {
  /** The node key: the ID of its first entry ever (stays after that entry is deleted). */
  readonly master: StreamId;
  readonly masterFields: readonly string[];
  ms: BigUint64Array;
  seq: BigUint64Array;
  flags: Uint8Array;
  /** Field names per entry (the master's array when equal: no copy). */
  fields: (readonly string[])[] = [];
  /** Index of each entry's first value in the node's value sequence. */
  off: Uint32Array;
  /** Values while the node takes appends; undefined once sealed. */
  vals: string[] | undefined = [];
  /**
   * A full node's values joined into one string, cut at `packedAt` (value k spans
   * `packedAt[k]..packedAt[k+1]`): one string per node instead of one per value.
   */
  packed = "";
  packedAt: Uint32Array | undefined;
  /** Entries held, deleted ones included. */
  n = 0;
  /** Entries not deleted. */
  live = 0;
  deleted = 0;
  /** Listpack bytes besides the header, terminator and the live/deleted counters. */
  rest = 0;

  constructor(master: StreamId, masterFields: readonly string[], cap: number) {
    this.master = master;
    this.masterFields = masterFields;
    this.ms = new BigUint64Array(cap);
    this.seq = new BigUint64Array(cap);
    this.flags = new Uint8Array(cap);
    this.off = new Uint32Array(cap);
    this.rest = lpIntSize(masterFields.length) + lpIntSize(0);
    for (const f of masterFields) this.rest += lpStrSize(f);
  }

  /** The listpack size Valkey would have for this node. */
  get bytes(): number {
    return 7 + lpIntSize(this.live) + lpIntSize(this.deleted) + this.rest;
  }

  id(i: number): StreamId {
    return (this.ms[i]! << 64n) | this.seq[i]!;
  }

  isDeleted(i: number): boolean {
    return (this.flags[i]! & FLAG_DELETED) !== 0;
  }

  /** The entry's field/value pairs, flattened. */
  pairs(i: number): string[] {
    const f = this.fields[i]!;
    const o = this.off[i]!;
    const out = new Array<string>(f.length * 2);
    const vals = this.vals;
    const at = this.packedAt;
    for (let k = 0; k < f.length; k++) {
      out[2 * k] = f[k]!;
      out[2 * k + 1] = vals !== undefined ? vals[o + k]! : this.packed.slice(at![o + k]!, at![o + k + 1]!);
    }
    return out;
  }

  /** Packs the values of a node that will take no more entries. */
  seal(): void {
    const vals = this.vals;
    if (vals === undefined) return;
    const at = new Uint32Array(vals.length + 1);
    let pos = 0;
    for (let k = 0; k < vals.length; k++) {
      at[k] = pos;
      pos += vals[k]!.length;
    }
    at[vals.length] = pos;
    this.packed = vals.join("");
    this.packedAt = at;
    this.vals = undefined;
    // Trim the entry columns to their final size.
    const n = this.n;
    if (this.ms.length > n) {
      this.ms = this.ms.slice(0, n);
      this.seq = this.seq.slice(0, n);
      this.flags = this.flags.slice(0, n);
      this.off = this.off.slice(0, n);
    }
  }

  #grow(limit: number): void {
    let cap = Math.max(4, this.ms.length * 2);
    // A node never holds more than stream-node-max-entries entries: no capacity past that.
    if (limit > 0 && cap > limit && limit > this.ms.length) cap = limit;
    const ms = new BigUint64Array(cap);
    ms.set(this.ms);
    this.ms = ms;
    const seq = new BigUint64Array(cap);
    seq.set(this.seq);
    this.seq = seq;
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.flags = flags;
    const off = new Uint32Array(cap);
    off.set(this.off);
    this.off = off;
  }

  append(id: StreamId, argv: readonly string[], start: number, maxEntries: number): void {
    if (this.n === this.ms.length) this.#grow(maxEntries);
    const i = this.n++;
    const ms = id >> 64n;
    const seq = id & M64;
    this.ms[i] = ms;
    this.seq[i] = seq;
    this.flags[i] = 0;
    const nf = (argv.length - start) / 2;
    let same = nf === this.masterFields.length;
    for (let k = 0; same && k < nf; k++) if (argv[start + 2 * k] !== this.masterFields[k]) same = false;
    const fields = same ? this.masterFields : new Array<string>(nf);
    const vals = this.vals!;
    this.off[i] = vals.length;
    // flags, ms delta, seq delta, [num-fields, fields], values, lp-count
    let size = lpIntSize(same ? 2 : 0) + lpIntSize(delta(ms, this.master >> 64n)) +
      lpIntSize(delta(seq, this.master & M64));
    if (!same) size += lpIntSize(nf);
    for (let k = 0; k < nf; k++) {
      const f = argv[start + 2 * k]!;
      const v = argv[start + 2 * k + 1]!;
      if (!same) {
        (fields as string[])[k] = f;
        size += lpStrSize(f);
      }
      vals.push(v);
      size += lpStrSize(v);
    }
    size += lpIntSize(nf + 3 + (same ? 0 : nf + 1));
    this.rest += size;
    this.fields.push(fields.length === 0 ? EMPTY_FIELDS : fields);
    this.live++;
  }

  markDeleted(i: number): void {
    this.flags[i] = this.flags[i]! | FLAG_DELETED;
    this.live--;
    this.deleted++;
  }

  /** Index of the entry with exactly this ID (deleted or not), or -1. */
  find(id: StreamId): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.id(mid);
      if (m === id) return mid;
      if (m < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** First index whose ID is >= id. */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.id(mid) < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clone(): StreamNode {
    const c = new StreamNode(this.master, this.masterFields, 0);
    c.ms = this.ms.slice(0, Math.max(this.n, 1));
    c.seq = this.seq.slice(0, Math.max(this.n, 1));
    c.flags = this.flags.slice(0, Math.max(this.n, 1));
    c.off = this.off.slice(0, Math.max(this.n, 1));
    c.fields = this.fields.slice();
    c.vals = this.vals?.slice();
    c.packed = this.packed;
    c.packedAt = this.packedAt?.slice();
    c.n = this.n;
    c.live = this.live;
    c.deleted = this.deleted;
    c.rest = this.rest;
    return c;
  }
}

// ---------------------------------------------------------------------------------------------
// Pending entries
// ---------------------------------------------------------------------------------------------

/** A pending (delivered, not yet acknowledged) entry: Valkey's `streamNACK`. */
export interface Nack {
  readonly id: StreamId;
  /** Null only transiently, for an entry XCLAIM FORCE creates. */
  consumer: Consumer | null;
  /** Unix ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: number;
}

const CHUNK = 256;

/**
 * Items ordered by ID in a list of sorted chunks of at most 256: O(log n) search, O(256)
 * insert and remove, for pending lists that can hold millions of entries.
 */
export class IdIndex<T extends { readonly id: StreamId }> {
  #chunks: T[][] = [];
  #size = 0;

  /** Number of items. */
  get size(): number {
    return this.#size;
  }

  /** Index of the first chunk whose last item has an ID >= id (chunks.length when none). */
  #chunkFor(id: StreamId): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = chunks[mid]!;
      if (c[c.length - 1]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  static #pos<T extends { readonly id: StreamId }>(c: readonly T[], id: StreamId): number {
    let lo = 0;
    let hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The item with this ID. */
  get(id: StreamId): T | undefined {
    const ci = this.#chunkFor(id);
    const c = this.#chunks[ci];
    if (c === undefined) return undefined;
    const it = c[IdIndex.#pos(c, id)];
    return it !== undefined && it.id === id ? it : undefined;
  }

  /** Adds an item (its ID must not be present). */
  insert(item: T): void {
    const chunks = this.#chunks;
    this.#size++;
    if (chunks.length === 0) {
      chunks.push([item]);
      return;
    }
    let ci = this.#chunkFor(item.id);
    if (ci === chunks.length) ci--;
    const c = chunks[ci]!;
    c.splice(IdIndex.#pos(c, item.id), 0, item);
    if (c.length > CHUNK) chunks.splice(ci + 1, 0, c.splice(CHUNK >> 1));
  }

  /** Removes the item with this ID. @returns whether it was there */
  remove(id: StreamId): boolean {
    const ci = this.#chunkFor(id);
    const c = this.#chunks[ci];
    if (c === undefined) return false;
    const p = IdIndex.#pos(c, id);
    if (c[p]?.id !== id) return false;
    c.splice(p, 1);
    if (c.length === 0) this.#chunks.splice(ci, 1);
    this.#size--;
    return true;
  }

  /** The first item with an ID >= id. */
  ceiling(id: StreamId): T | undefined {
    const ci = this.#chunkFor(id);
    const c = this.#chunks[ci];
    return c === undefined ? undefined : c[IdIndex.#pos(c, id)];
  }

  /** The item with the smallest ID. */
  first(): T | undefined {
    return this.#chunks[0]?.[0];
  }

  /** The item with the largest ID. */
  last(): T | undefined {
    const c = this.#chunks[this.#chunks.length - 1];
    return c?.[c.length - 1];
  }

  /** Every item in ID order (do not modify the index while iterating). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const c of this.#chunks) yield* c;
  }
}

/** A consumer of a group. */
export class Consumer {
  readonly name: string;
  /** Last time the consumer tried to read or claim (Unix ms). */
  seenTime: number;
  /** Last time it was delivered something (Unix ms), -1 never. */
  activeTime = -1;
  readonly pel = new IdIndex<Nack>();

  /** @param name the consumer name @param now creation time */
  constructor(name: string, now: number) {
    this.name = name;
    this.seenTime = now;
  }
}

/** A consumer group. */
export class ConsumerGroup {
  /** Last delivered ID. */
  lastId: StreamId;
  /** Logical read counter, or {@link INVALID_ENTRIES_READ}. */
  entriesRead: bigint;
  /** The group's pending entries. */
  readonly pel = new IdIndex<Nack>();
  readonly consumers = new Map<string, Consumer>();

  /** @param lastId the last delivered ID @param entriesRead the read counter */
  constructor(lastId: StreamId, entriesRead: bigint) {
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /** Consumers in name order (Valkey keeps them in a rax, sorted bytewise). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a consumer. @returns undefined when it exists */
  createConsumer(name: string, now: number): Consumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** Deletes a consumer and its pending entries. @returns how many entries it had pending */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const nack of [...c.pel]) this.pel.remove(nack.id);
    this.consumers.delete(c.name);
    return n;
  }

  /** Removes a pending entry from the group and its owner. */
  removeNack(nack: Nack): void {
    this.pel.remove(nack.id);
    nack.consumer?.pel.remove(nack.id);
  }
}

// ---------------------------------------------------------------------------------------------
// The stream
// ---------------------------------------------------------------------------------------------

/** Node size limits (`stream-node-max-bytes`, `stream-node-max-entries`). */
export interface StreamLimits {
  maxBytes: number;
  maxEntries: number;
}

/** How XADD chooses the new entry's ID. */
export type IdRequest =
  | { readonly kind: "auto" }
  | { readonly kind: "explicit"; readonly id: StreamId }
  | { readonly kind: "partial"; readonly ms: bigint };

/** XADD outcome. */
export type AppendResult = { ok: StreamId } | { err: "exhausted" | "too-small" | "too-large" };

/** A trimming request (XADD/XTRIM options), as Valkey's `streamAddTrimArgs`. */
export interface TrimArgs {
  strategy: "maxlen" | "minid";
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  /** Maximum entries to remove; 0 unlimited. */
  limit: number;
}

/** Visitor for {@link StreamValue.range}: return false to stop. */
export type EntryVisitor = (id: StreamId, pairs: string[]) => boolean | void;

/** Largest total size of an entry's fields and values (Valkey's STREAM_LISTPACK_MAX_SIZE). */
const LISTPACK_MAX_SIZE = 1 << 30;

/** A stream value. */
export class StreamValue implements ObjectValue {
  readonly type = "stream" as const;
  /** Nodes in ID order. */
  nodes: StreamNode[] = [];
  /** Live entries. */
  length = 0;
  lastId: StreamId = 0n;
  /** First live entry (0-0 when empty), as Valkey's `first_id`. */
  firstId: StreamId = 0n;
  maxDeletedId: StreamId = 0n;
  entriesAdded = 0n;
  /** Consumer groups, created on demand. */
  groups: Map<string, ConsumerGroup> | undefined;

  /** OBJECT ENCODING of a stream. */
  encoding(): string {
    return "stream";
  }

  /** Deep copy (COPY). */
  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => n.clone());
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== undefined) {
      s.groups = new Map();
      for (const [name, g] of this.groups) {
        const ng = new ConsumerGroup(g.lastId, g.entriesRead);
        const byId = new Map<StreamId, Nack>();
        for (const nack of g.pel) {
          const copy: Nack = {
            id: nack.id,
            consumer: null,
            deliveryTime: nack.deliveryTime,
            deliveryCount: nack.deliveryCount,
          };
          ng.pel.insert(copy);
          byId.set(nack.id, copy);
        }
        for (const c of g.consumers.values()) {
          const nc = new Consumer(c.name, c.seenTime);
          nc.activeTime = c.activeTime;
          for (const nack of c.pel) {
            const copy = byId.get(nack.id)!;
            copy.consumer = nc;
            nc.pel.insert(copy);
          }
          ng.consumers.set(c.name, nc);
        }
        s.groups.set(name, ng);
      }
    }
    return s;
  }

  // -- appending --------------------------------------------------------------------------------

  /**
   * Adds an entry with fields/values `argv[start..]` (Valkey's `streamAppendItem`), choosing the
   * ID as requested. `now` is the command time for automatic IDs.
   */
  append(req: IdRequest, now: number, argv: readonly string[], start: number, limits: StreamLimits): AppendResult {
    if (this.lastId === MAX_ID) return { err: "exhausted" };
    let id: StreamId;
    const last = this.lastId;
    if (req.kind === "explicit") {
      id = req.id;
    } else if (req.kind === "partial") {
      if (idMs(last) === req.ms) {
        if (idSeq(last) === M64) return { err: "too-small" };
        id = last + 1n;
      } else {
        id = makeId(req.ms, 0n);
      }
    } else {
      const ms = BigInt(now);
      // Never go backwards: a clock behind the last ID reuses its time with the next sequence.
      id = ms > idMs(last) ? makeId(ms, 0n) : last + 1n;
    }
    if (id <= last) return { err: "too-small" };
    let total = 0;
    for (let i = start; i < argv.length; i++) total += argv[i]!.length;
    if (total > LISTPACK_MAX_SIZE) return { err: "too-large" };

    let node = this.nodes[this.nodes.length - 1];
    if (node !== undefined) {
      let maxBytes = limits.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      if (node.bytes + total >= maxBytes) node = undefined;
      else if (limits.maxEntries > 0 && node.n >= limits.maxEntries) node = undefined;
    }
    if (node === undefined) {
      this.nodes[this.nodes.length - 1]?.seal();
      const nf = (argv.length - start) / 2;
      const masterFields = new Array<string>(nf);
      for (let k = 0; k < nf; k++) masterFields[k] = argv[start + 2 * k]!;
      node = new StreamNode(id, nf === 0 ? EMPTY_FIELDS : masterFields, 4);
      this.nodes.push(node);
    }
    node.append(id, argv, start, limits.maxEntries);
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    return { ok: id };
  }

  // -- reading ----------------------------------------------------------------------------------

  /** Index of the node that may hold `id` (the last node keyed <= id), or -1. */
  #nodeFor(id: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.nodes[mid]!.master <= id) {
        ans = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return ans;
  }

  /**
   * Visits live entries with start <= ID <= end, forward or (rev) backward, until the visitor
   * returns false or `count` entries were visited (0: no limit).
   * @returns the number of entries visited
   */
  range(start: StreamId, end: StreamId, rev: boolean, count: number, visit: EntryVisitor): number {
    let emitted = 0;
    if (start > end || this.length === 0) return 0;
    const nodes = this.nodes;
    if (!rev) {
      let ni = Math.max(0, this.#nodeFor(start));
      for (; ni < nodes.length; ni++) {
        const node = nodes[ni]!;
        if (node.master > end) break;
        for (let i = node.lowerBound(start); i < node.n; i++) {
          const id = node.id(i);
          if (id > end) return emitted;
          if (node.isDeleted(i)) continue;
          emitted++;
          if (visit(id, node.pairs(i)) === false) return emitted;
          if (count > 0 && emitted >= count) return emitted;
        }
      }
    } else {
      let ni = this.#nodeFor(end);
      for (; ni >= 0; ni--) {
        const node = nodes[ni]!;
        for (let i = node.lowerBound(end + 1n) - 1; i >= 0; i--) {
          const id = node.id(i);
          if (id < start) return emitted;
          if (node.isDeleted(i)) continue;
          emitted++;
          if (visit(id, node.pairs(i)) === false) return emitted;
          if (count > 0 && emitted >= count) return emitted;
        }
      }
    }
    return emitted;
  }

  /** The field/value pairs of a live entry, or undefined. */
  get(id: StreamId): string[] | undefined {
    const ni = this.#nodeFor(id);
    if (ni < 0) return undefined;
    const node = this.nodes[ni]!;
    const i = node.find(id);
    return i < 0 || node.isDeleted(i) ? undefined : node.pairs(i);
  }

  /** Whether a live entry has this ID. */
  has(id: StreamId): boolean {
    const ni = this.#nodeFor(id);
    if (ni < 0) return false;
    const node = this.nodes[ni]!;
    const i = node.find(id);
    return i >= 0 && !node.isDeleted(i);
  }

  /** The ID of the first (or last) live entry, or undefined when empty. */
  edgeId(first: boolean): StreamId | undefined {
    let found: StreamId | undefined;
    this.range(MIN_ID, MAX_ID, !first, 1, (id) => {
      found = id;
    });
    return found;
  }

  /** Valkey's `streamLastValidID`: the last live entry's ID (0-0 when empty). */
  lastValidId(): StreamId {
    return this.edgeId(false) ?? 0n;
  }

  // -- deleting ---------------------------------------------------------------------------------

  /** Deletes one entry (XDEL). @returns whether a live entry was deleted */
  delete(id: StreamId): boolean {
    const ni = this.#nodeFor(id);
    if (ni < 0) return false;
    const node = this.nodes[ni]!;
    const i = node.find(id);
    if (i < 0 || node.isDeleted(i)) return false;
    // The last live entry of a node takes the whole node with it.
    if (node.live === 1) this.nodes.splice(ni, 1);
    else node.markDeleted(i);
    this.length--;
    return true;
  }

  /**
   * XDEL: deletes the given IDs, maintaining `first_id` and `max_deleted_entry_id`.
   * @returns how many were deleted
   */
  deleteIds(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstGone = false;
    for (const id of ids) {
      if (!this.delete(id)) continue;
      if (id === this.firstId) firstGone = true;
      if (id > this.maxDeletedId) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = 0n;
      else if (firstGone) this.firstId = this.edgeId(true) ?? 0n;
    }
    return deleted;
  }

  /** Valkey's `streamTrim`. @returns the number of entries removed */
  trim(args: TrimArgs): number {
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (args.strategy === "maxlen" && this.length <= args.maxlen) break;
      const node = this.nodes[0]!;
      const entries = node.live;
      if (args.limit > 0 && deleted + entries > args.limit) break;
      let removeNode: boolean;
      if (args.strategy === "maxlen") {
        removeNode = this.length - entries >= args.maxlen;
      } else {
        // The node's last entry, tombstone or not, decides.
        removeNode = node.n > 0 && node.id(node.n - 1) < args.minid;
      }
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      for (let i = 0; i < node.n; i++) {
        const stop = args.strategy === "maxlen" ? this.length <= args.maxlen : node.id(i) >= args.minid;
        if (stop) break;
        if (!node.isDeleted(i)) {
          node.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (this.length === 0) this.firstId = 0n;
    else if (deleted > 0) this.firstId = this.edgeId(true) ?? 0n;
    return deleted;
  }

  // -- consumer groups ----------------------------------------------------------------------------

  /** The group with this name. */
  group(name: string): ConsumerGroup | undefined {
    return this.groups?.get(name);
  }

  /** Creates a group. @returns undefined when the name is taken */
  createGroup(name: string, lastId: StreamId, entriesRead: bigint): ConsumerGroup | undefined {
    this.groups ??= new Map();
    if (this.groups.has(name)) return undefined;
    const g = new ConsumerGroup(lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** Groups in name order, as Valkey's rax lists them. */
  sortedGroups(): [string, ConsumerGroup][] {
    if (this.groups === undefined) return [];
    return [...this.groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Valkey's `streamRangeHasTombstones` (start..end inclusive; the stream is not empty). */
  rangeHasTombstones(start: StreamId, end: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= end;
  }

  /**
   * Valkey's `streamEstimateDistanceFromFirstEverEntry`: the logical read counter of an ID, or
   * {@link INVALID_ENTRIES_READ} when tombstones or the ID's position make it unknowable.
   */
  estimateDistance(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id !== 0n && id < this.maxDeletedId) return INVALID_ENTRIES_READ;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return INVALID_ENTRIES_READ;
    if (this.maxDeletedId === 0n || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - BigInt(this.length);
      if (id === this.firstId) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return INVALID_ENTRIES_READ;
  }

  /** A group's lag (entries not yet delivered), or undefined when unknown. */
  lag(g: ConsumerGroup): bigint | undefined {
    if (this.entriesAdded === 0n) return 0n;
    if (g.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(g.lastId, MAX_ID)) {
      return this.entriesAdded - g.entriesRead;
    }
    const read = this.estimateDistance(g.lastId);
    return read === INVALID_ENTRIES_READ ? undefined : this.entriesAdded - read;
  }

  /**
   * Advances a group past a delivered entry (the bookkeeping in Valkey's `streamReplyWithRange`):
   * the read counter is incremented while it is exact, or re-estimated.
   */
  advanceGroup(g: ConsumerGroup, id: StreamId): void {
    if (id <= g.lastId) return;
    if (
      g.entriesRead !== INVALID_ENTRIES_READ && g.lastId >= this.firstId &&
      !this.rangeHasTombstones(g.lastId, MAX_ID)
    ) {
      g.entriesRead++;
    } else if (this.entriesAdded !== 0n) {
      g.entriesRead = this.estimateDistance(id);
    }
    g.lastId = id;
  }

  // -- introspection ------------------------------------------------------------------------------

  /** Number of nodes (XINFO `radix-tree-keys`). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * Nodes of a compressed radix tree over the node keys (16-byte big-endian IDs), as XINFO's
   * `radix-tree-nodes` reports for Valkey's rax: a compressed node per shared run, a branching
   * node per fork, a leaf per key.
   */
  radixTreeNodes(): number {
    const keys = this.nodes.map((n) => keyBytes(n.master));
    if (keys.length === 0) return 1;
    return countRax(keys, 0, keys.length, 0);
  }
}

function keyBytes(id: StreamId): Uint8Array {
  const b = new Uint8Array(16);
  let v = id;
  for (let i = 15; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

/** Nodes below `depth` for sorted keys [lo, hi) sharing their first `depth` bytes. */
function countRax(keys: readonly Uint8Array[], lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  // Common prefix beyond depth.
  let common = 0;
  const a = keys[lo]!;
  const z = keys[hi - 1]!;
  while (depth + common < 16 && a[depth + common] === z[depth + common]) common++;
  if (common > 0) return 1 + countRax(keys, lo, hi, depth + common);
  let n = 1;
  let i = lo;
  while (i < hi) {
    const c = keys[i]![depth];
    let j = i + 1;
    while (j < hi && keys[j]![depth] === c) j++;
    n += countRax(keys, i, j, depth + 1);
    i = j;
  }
  return n;
}
