/**
 * A sorted multiset of (value, id) pairs for NUMERIC fields: blocks of at most 512 entries kept
 * in order, so inserts and removals move at most one block and a range costs a binary search
 * plus its matches. Range counts are exact, which the planner uses to choose between a graph
 * walk and an exact scan.
 *
 * @module
 */

const MAX_BLOCK = 512;

interface Block {
  v: number[];
  id: number[];
}

/** Bounds of a numeric range query. */
export interface NumericRange {
  lo: number;
  loInclusive: boolean;
  hi: number;
  hiInclusive: boolean;
}

/** The sorted (value, id) structure (see the module doc). */
export class SortedNumbers {
  #blocks: Block[] = [];
  #size = 0;

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Adds (value, id). */
  insert(value: number, id: number): void {
    this.#size++;
    const blocks = this.#blocks;
    if (blocks.length === 0) {
      blocks.push({ v: [value], id: [id] });
      return;
    }
    // The last block whose first value is <= value (or the first block).
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (blocks[mid]!.v[0]! <= value) lo = mid;
      else hi = mid - 1;
    }
    const b = blocks[lo]!;
    const at = upperBound(b.v, value);
    b.v.splice(at, 0, value);
    b.id.splice(at, 0, id);
    if (b.v.length > MAX_BLOCK) {
      const half = b.v.length >> 1;
      blocks.splice(lo + 1, 0, { v: b.v.splice(half), id: b.id.splice(half) });
    }
  }

  /** Removes (value, id). @returns whether it was there */
  remove(value: number, id: number): boolean {
    const blocks = this.#blocks;
    let bi = this.#firstBlockFor(value);
    for (; bi < blocks.length; bi++) {
      const b = blocks[bi]!;
      let i = lowerBound(b.v, value);
      if (i === b.v.length) continue;
      for (; i < b.v.length && b.v[i] === value; i++) {
        if (b.id[i] === id) {
          b.v.splice(i, 1);
          b.id.splice(i, 1);
          if (b.v.length === 0) blocks.splice(bi, 1);
          this.#size--;
          return true;
        }
      }
      if (i < b.v.length) return false;
    }
    return false;
  }

  /** Number of entries inside `r`. */
  count(r: NumericRange): number {
    let n = 0;
    this.#walk(r, (_b, from, to) => {
      n += to - from;
    });
    return n;
  }

  /** Calls `fn` with the id of every entry inside `r`, in value order. */
  forEach(r: NumericRange, fn: (id: number) => void): void {
    this.#walk(r, (b, from, to) => {
      for (let i = from; i < to; i++) fn(b.id[i]!);
    });
  }

  /**
   * Bytes held, estimated from V8's sizes: 8 bytes per value (a double array) and 8 per id (an
   * array slot), and per block its object, two array objects and its slot in the block list.
   */
  memoryBytes(): number {
    return this.#size * 16 + this.#blocks.length * (32 + 2 * 32 + 8);
  }

  #firstBlockFor(value: number): number {
    // The first block whose last value is >= value.
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid]!;
      if (b.v[b.v.length - 1]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #walk(r: NumericRange, fn: (b: Block, from: number, to: number) => void): void {
    const blocks = this.#blocks;
    for (let bi = this.#firstBlockFor(r.lo); bi < blocks.length; bi++) {
      const b = blocks[bi]!;
      const from = r.loInclusive ? lowerBound(b.v, r.lo) : upperBound(b.v, r.lo);
      const to = r.hiInclusive ? upperBound(b.v, r.hi) : lowerBound(b.v, r.hi);
      if (to > from) fn(b, from, to);
      if (to < b.v.length) return;
    }
  }
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
