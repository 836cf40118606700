/**
 * Vector slots shared by the HNSW and FLAT indexes: float32 vectors in an {@link Arena}
 * allocated in blocks (no object per vector, existing vectors never move), the label <-> slot
 * maps, a free list for slot reuse, COSINE normalisation, and the exact scan used by FLAT and
 * by HNSW's pre-filtered queries.
 *
 * Labels are small non-negative integers chosen by the caller (the search layer's document
 * ids), so both maps are typed arrays.
 *
 * @module
 */
import type { Deadline } from "./deadline.ts";
import { Arena, Distance, type KernelName, type Metric } from "./distance.ts";
import { PairHeap } from "./heap.ts";

/** k nearest neighbours, closest first. */
export interface Neighbors {
  /** The labels. */
  labels: number[];
  /** Their distances (squared L2, or 1 - dot for IP/COSINE), as float32 values. */
  dists: number[];
}

/** Options of a k-NN search. */
export interface SearchOptions {
  /** Search width (HNSW); at least k is used. */
  ef?: number;
  /** Only labels for which this returns true are results. */
  filter?: (label: number) => boolean;
  /** Checked while the search runs; it throws to cancel the search. */
  deadline?: Deadline;
}

/** What both vector indexes offer the search layer. */
export interface VectorIndex {
  /** `HNSW` or `FLAT`. */
  readonly algorithm: "HNSW" | "FLAT";
  /** The dimension. */
  readonly dim: number;
  /** The metric. */
  readonly metric: Metric;
  /** Number of vectors. */
  readonly size: number;
  /** Number of vectors the index holds without growing. */
  readonly capacity: number;
  /** Adds or replaces the vector of `label`. @returns false when the same vector was there */
  set(label: number, vector: Float32Array): boolean;
  /** Removes the vector of `label`. @returns whether it was there */
  delete(label: number): boolean;
  /** Whether `label` has a vector. */
  has(label: number): boolean;
  /** The k nearest neighbours of `query`. */
  search(query: Float32Array, k: number, opts?: SearchOptions): Neighbors;
  /** The exact k nearest among `labels` (labels without a vector are skipped). */
  searchAmong(query: Float32Array, k: number, labels: Iterable<number>, deadline?: Deadline): Neighbors;
  /** Bytes of memory the index holds (every buffer it keeps, at its allocated size). */
  memoryBytes(): number;
  /** Bytes one vector occupies in the index (its floats, slot maps and graph links), 0 when absent. */
  bytesOf(label: number): number;
}

/** Options of {@link VectorSlots}. */
export interface SlotsOptions {
  dim: number;
  metric: Metric;
  /** Slots reserved up front. */
  initialCap: number;
  /** Smallest number of slots added when full. */
  blockSize: number;
  /** Kernel override (benchmarks). */
  kernel?: KernelName;
}

const BATCH = 256;
const SCAN_BATCH_BYTES = 256 * 1024;

/** Slot storage for vectors (see the module doc). */
export class VectorSlots {
  /** The dimension. */
  readonly dim: number;
  /** The metric. */
  readonly metric: Metric;
  /** Floats per slot. */
  readonly stride: number;
  /** The memory. */
  readonly arena: Arena;
  /** Distances over {@link VectorSlots.arena}. */
  readonly dist: Distance;
  /** Slots available without growing. */
  capacity = 0;
  /** One past the highest slot ever used. */
  top = 0;
  /** Live vectors. */
  size = 0;
  /** Slot -> float offset of its vector. */
  vecOff: Int32Array;
  /** Slot -> label, -1 when free. */
  labelOf: Int32Array;
  /** Float offset of the query scratch vector. */
  readonly qOff: number;
  /** Float offset of the scratch list of byte offsets for batch distances. */
  listOff: number;
  /** Float offset of the scratch output of batch distances. */
  outOff: number;
  /** Entries in the batch scratch. */
  batchCap: number;
  #slotOf: Int32Array = new Int32Array(0);
  readonly #free: number[] = [];
  readonly #blockSize: number;
  readonly #normalize: boolean;
  readonly #tmp: Float32Array;

  /** @param opts dimension, metric, capacity and growth */
  constructor(opts: SlotsOptions) {
    this.dim = opts.dim;
    this.metric = opts.metric;
    this.arena = new Arena(opts.kernel);
    this.dist = new Distance(this.arena, opts.dim, opts.metric);
    this.stride = this.dist.stride;
    this.#blockSize = Math.max(1, opts.blockSize);
    this.#normalize = opts.metric === "COSINE";
    this.#tmp = new Float32Array(this.stride);
    this.qOff = this.arena.alloc(this.stride);
    this.batchCap = BATCH;
    this.listOff = this.arena.alloc(BATCH);
    this.outOff = this.arena.alloc(BATCH);
    this.vecOff = new Int32Array(0);
    this.labelOf = new Int32Array(0);
    this.#growTo(Math.max(1, opts.initialCap));
  }

  /** Makes the batch scratch hold at least `n` entries. */
  ensureBatch(n: number): void {
    if (n <= this.batchCap) return;
    this.batchCap = n;
    this.listOff = this.arena.alloc(n);
    this.outOff = this.arena.alloc(n);
  }

  /** The slot of `label`, or -1. */
  slotOf(label: number): number {
    return label < this.#slotOf.length ? this.#slotOf[label]! : -1;
  }

  /**
   * Takes a slot for `label` (a freed one first) and stores `vector` in it. @returns the slot
   */
  allocSlot(label: number, vector: Float32Array): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      if (this.top === this.capacity) {
        this.#growTo(this.capacity + Math.max(this.#blockSize, this.capacity >> 1));
      }
      slot = this.top++;
    }
    if (label >= this.#slotOf.length) {
      const next = new Int32Array(Math.max(label + 1, this.#slotOf.length * 2, 64)).fill(-1);
      next.set(this.#slotOf);
      this.#slotOf = next;
    }
    this.#slotOf[label] = slot;
    this.labelOf[slot] = label;
    this.size++;
    this.#write(this.vecOff[slot]!, vector);
    return slot;
  }

  /** Frees the slot of `label`; the vector stays readable until the slot is reused. */
  freeSlot(slot: number): void {
    const label = this.labelOf[slot]!;
    if (label < 0) return;
    this.#slotOf[label] = -1;
    this.labelOf[slot] = -1;
    this.size--;
    this.#free.push(slot);
  }

  /** Number of freed slots waiting for reuse. */
  get freeCount(): number {
    return this.#free.length;
  }

  /** Whether the stored vector of `slot` equals `vector` once prepared (normalised). */
  equals(slot: number, vector: Float32Array): boolean {
    const t = this.#prepare(vector);
    const f = this.arena.f32;
    const off = this.vecOff[slot]!;
    for (let i = 0; i < this.dim; i++) if (f[off + i] !== t[i]) return false;
    return true;
  }

  /** Copies `vector` (normalised for COSINE) into the query scratch. @returns its offset */
  setQuery(vector: Float32Array): number {
    this.#write(this.qOff, vector);
    return this.qOff;
  }

  /**
   * Exact k nearest of the query at `q` among `slots` (free slots are skipped). Fills `heap`
   * (a max-heap) with at most k (distance, slot) pairs. `deadline` is stepped once per batch.
   */
  scan(q: number, k: number, slots: Iterable<number>, heap: PairHeap, deadline?: Deadline): void {
    heap.clear();
    const ids: number[] = [];
    // The batch kernel loads every listed vector before computing: keep a batch within L2.
    const cap = Math.min(this.batchCap, Math.max(16, (SCAN_BATCH_BYTES / (this.stride * 4)) | 0));
    const flush = () => {
      const n = ids.length;
      if (n === 0) return;
      deadline?.step(n);
      this.dist.batch(q, this.listOff, n, this.outOff);
      const f = this.arena.f32;
      for (let j = 0; j < n; j++) {
        const d = f[this.outOff + j]!;
        if (heap.size < k) heap.push(d, ids[j]!);
        else if (d < heap.topDist()) {
          heap.pop();
          heap.push(d, ids[j]!);
        }
      }
      ids.length = 0;
    };
    for (const slot of slots) {
      // Skipped slots are work too (a sparse filter may skip most of them).
      if (slot < 0 || this.labelOf[slot]! < 0) {
        deadline?.step();
        continue;
      }
      this.arena.u32[this.listOff + ids.length] = this.vecOff[slot]! << 2;
      ids.push(slot);
      if (ids.length === cap) flush();
    }
    flush();
  }

  /** Converts a drained (slot, distance) list to labels. */
  toNeighbors(slots: number[], dists: number[], k: number): Neighbors {
    const n = Math.min(k, slots.length);
    const labels: number[] = new Array(n);
    for (let i = 0; i < n; i++) labels[i] = this.labelOf[slots[i]!]!;
    dists.length = n;
    return { labels, dists };
  }

  /** Slots of the given labels (labels without a vector are left out). */
  *slotsOf(labels: Iterable<number>): Generator<number> {
    for (const l of labels) {
      const s = this.slotOf(l);
      if (s >= 0) yield s;
    }
  }

  /**
   * Bytes held: the whole linear memory of the arena (vectors, reserved room for INITIAL_CAP
   * and growth, query scratch), the slot and label maps at their allocated sizes, and the free
   * list (a JS array: one 8-byte element per entry).
   */
  memoryBytes(): number {
    return this.arena.byteLength + this.vecOff.byteLength + this.labelOf.byteLength + this.#slotOf.byteLength +
      this.#tmp.byteLength + this.#free.length * 8;
  }

  /** Bytes one stored vector takes here: its floats (padded to the stride) and its map entries. */
  get slotBytes(): number {
    // vecOff + labelOf per slot, slotOf per label: three 4-byte entries.
    return this.stride * 4 + 12;
  }

  #prepare(vector: Float32Array): Float32Array {
    const t = this.#tmp;
    const dim = this.dim;
    if (this.#normalize) {
      let sum = 0;
      for (let i = 0; i < dim; i++) sum += vector[i]! * vector[i]!;
      // valkey-search leaves a zero vector as it is (norm 1).
      const mag = Math.fround(Math.sqrt(sum));
      const inv = mag === 0 ? 1 : Math.fround(1 / mag);
      for (let i = 0; i < dim; i++) t[i] = vector[i]! * inv;
    } else {
      for (let i = 0; i < dim; i++) t[i] = vector[i]!;
    }
    return t;
  }

  #write(off: number, vector: Float32Array): void {
    const t = this.#prepare(vector);
    const f = this.arena.f32;
    f.set(t.subarray(0, this.dim), off);
    for (let i = this.dim; i < this.stride; i++) f[off + i] = 0;
  }

  #growTo(cap: number): void {
    const add = cap - this.capacity;
    // A new block of vectors; earlier blocks stay where they are.
    const base = this.arena.alloc(add * this.stride, 16);
    const vecOff = new Int32Array(cap);
    vecOff.set(this.vecOff);
    for (let i = 0; i < add; i++) vecOff[this.capacity + i] = base + i * this.stride;
    this.vecOff = vecOff;
    const labelOf = new Int32Array(cap).fill(-1);
    labelOf.set(this.labelOf);
    this.labelOf = labelOf;
    this.capacity = cap;
  }
}
