/**
 * The exact (brute-force) vector index of valkey-search's `FLAT` algorithm: vectors in
 * {@link VectorSlots} blocks of `BLOCK_SIZE`, every query a scan of all of them.
 *
 * @module
 */
import type { Deadline } from "./deadline.ts";
import type { KernelName, Metric } from "./distance.ts";
import { PairHeap } from "./heap.ts";
import { type Neighbors, type SearchOptions, type VectorIndex, VectorSlots } from "./store.ts";

/** Options of {@link Flat}. */
export interface FlatOptions {
  dim: number;
  metric: Metric;
  /** Vectors reserved up front. Default 10240. */
  initialCap?: number;
  /** Vectors added per growth step. Default 1024. */
  blockSize?: number;
  /** Kernel override (benchmarks). */
  kernel?: KernelName;
}

/** A FLAT index (see the module doc). */
export class Flat implements VectorIndex {
  /** Always `FLAT`. */
  readonly algorithm = "FLAT" as const;
  /** The dimension. */
  readonly dim: number;
  /** The metric. */
  readonly metric: Metric;
  /** BLOCK_SIZE. */
  readonly blockSize: number;
  readonly #s: VectorSlots;
  readonly #heap = new PairHeap(true, 64);
  readonly #ids: number[] = [];
  readonly #dists: number[] = [];

  /** @param opts dimension, metric, capacity and block size */
  constructor(opts: FlatOptions) {
    this.dim = opts.dim;
    this.metric = opts.metric;
    this.blockSize = opts.blockSize ?? 1024;
    this.#s = new VectorSlots({
      dim: opts.dim,
      metric: opts.metric,
      initialCap: opts.initialCap ?? 10240,
      blockSize: this.blockSize,
      ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
    });
  }

  /** Number of vectors. */
  get size(): number {
    return this.#s.size;
  }

  /** Vectors held without growing. */
  get capacity(): number {
    return this.#s.capacity;
  }

  /** Whether `label` has a vector. */
  has(label: number): boolean {
    return this.#s.slotOf(label) >= 0;
  }

  /** Adds or replaces the vector of `label`. @returns false when the same vector was there */
  set(label: number, vector: Float32Array): boolean {
    const s = this.#s;
    const old = s.slotOf(label);
    if (old >= 0) {
      if (s.equals(old, vector)) return false;
      s.freeSlot(old);
    }
    s.allocSlot(label, vector);
    return true;
  }

  /** Removes the vector of `label`. @returns whether it was there */
  delete(label: number): boolean {
    const slot = this.#s.slotOf(label);
    if (slot < 0) return false;
    this.#s.freeSlot(slot);
    return true;
  }

  /** The exact k nearest neighbours (the filter, if any, is applied during the scan). */
  search(query: Float32Array, k: number, opts: SearchOptions = {}): Neighbors {
    const s = this.#s;
    if (s.size === 0 || k <= 0) return { labels: [], dists: [] };
    const filter = opts.filter;
    const q = s.setQuery(query);
    const slots = filter === undefined ? this.#allSlots() : this.#filteredSlots(filter, opts.deadline);
    s.scan(q, k, slots, this.#heap, opts.deadline);
    this.#heap.drainAscending(this.#ids, this.#dists);
    return s.toNeighbors(this.#ids, this.#dists, k);
  }

  /** The exact k nearest among `labels`. */
  searchAmong(query: Float32Array, k: number, labels: Iterable<number>, deadline?: Deadline): Neighbors {
    const s = this.#s;
    if (s.size === 0 || k <= 0) return { labels: [], dists: [] };
    const q = s.setQuery(query);
    s.scan(q, k, s.slotsOf(labels), this.#heap, deadline);
    this.#heap.drainAscending(this.#ids, this.#dists);
    return s.toNeighbors(this.#ids, this.#dists, k);
  }

  /** Bytes held: the vector slots and the result heap. */
  memoryBytes(): number {
    return this.#s.memoryBytes() + this.#heap.byteLength;
  }

  /** Bytes the vector of `label` occupies (0 when it has none). */
  bytesOf(label: number): number {
    return this.#s.slotOf(label) >= 0 ? this.#s.slotBytes : 0;
  }

  *#allSlots(): Generator<number> {
    const top = this.#s.top;
    for (let i = 0; i < top; i++) yield i;
  }

  *#filteredSlots(filter: (label: number) => boolean, deadline: Deadline | undefined): Generator<number> {
    const s = this.#s;
    for (let i = 0; i < s.top; i++) {
      const l = s.labelOf[i]!;
      // Rejected slots never reach the scan's own count, so the filter's work is counted here.
      deadline?.step();
      if (l >= 0 && filter(l)) yield i;
    }
  }
}
