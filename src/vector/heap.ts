/**
 * Binary heaps of (distance, id) pairs on typed arrays, for the graph walks: no object per
 * entry, storage reused across searches.
 *
 * @module
 */

/** A heap of (distance, id); `max` puts the largest distance on top, otherwise the smallest. */
export class PairHeap {
  /** Number of entries. */
  size = 0;
  #d: Float64Array;
  #id: Int32Array;
  readonly #max: boolean;

  /**
   * @param max true for a max-heap
   * @param capacity initial capacity (grows as needed)
   */
  constructor(max: boolean, capacity = 64) {
    this.#max = max;
    this.#d = new Float64Array(capacity);
    this.#id = new Int32Array(capacity);
  }

  /** Bytes of storage held. */
  get byteLength(): number {
    return this.#d.byteLength + this.#id.byteLength;
  }

  /** Empties the heap (keeps the storage). */
  clear(): void {
    this.size = 0;
  }

  /** Distance on top (undefined behaviour when empty). */
  topDist(): number {
    return this.#d[0]!;
  }

  /** Id on top. */
  topId(): number {
    return this.#id[0]!;
  }

  /** Adds an entry. */
  push(d: number, id: number): void {
    if (this.size === this.#d.length) this.#growTo(this.size * 2);
    const ds = this.#d;
    const ids = this.#id;
    let i = this.size++;
    // Sift up: a max-heap moves an entry up while it is larger than its parent.
    if (this.#max) {
      while (i > 0) {
        const p = (i - 1) >> 1;
        const pd = ds[p]!;
        if (pd >= d) break;
        ds[i] = pd;
        ids[i] = ids[p]!;
        i = p;
      }
    } else {
      while (i > 0) {
        const p = (i - 1) >> 1;
        const pd = ds[p]!;
        if (pd <= d) break;
        ds[i] = pd;
        ids[i] = ids[p]!;
        i = p;
      }
    }
    ds[i] = d;
    ids[i] = id;
  }

  /** Removes the top entry. */
  pop(): void {
    const n = --this.size;
    if (n <= 0) return;
    const ds = this.#d;
    const ids = this.#id;
    const d = ds[n]!;
    const id = ids[n]!;
    let i = 0;
    const max = this.#max;
    while (true) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (max) {
        if (r < n && ds[r]! > ds[c]!) c = r;
        if (ds[c]! <= d) break;
      } else {
        if (r < n && ds[r]! < ds[c]!) c = r;
        if (ds[c]! >= d) break;
      }
      ds[i] = ds[c]!;
      ids[i] = ids[c]!;
      i = c;
    }
    ds[i] = d;
    ids[i] = id;
  }

  /**
   * Empties the heap into `ids`/`dists` in ascending distance order (for a max-heap the
   * farthest comes out first, so it fills from the back). @returns the count
   */
  drainAscending(ids: number[], dists: number[]): number {
    const n = this.size;
    ids.length = n;
    dists.length = n;
    if (this.#max) {
      for (let i = n - 1; i >= 0; i--) {
        ids[i] = this.#id[0]!;
        dists[i] = this.#d[0]!;
        this.pop();
      }
    } else {
      for (let i = 0; i < n; i++) {
        ids[i] = this.#id[0]!;
        dists[i] = this.#d[0]!;
        this.pop();
      }
    }
    return n;
  }

  #growTo(n: number): void {
    const d = new Float64Array(n);
    d.set(this.#d);
    this.#d = d;
    const id = new Int32Array(n);
    id.set(this.#id);
    this.#id = id;
  }
}
