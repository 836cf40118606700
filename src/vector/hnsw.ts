/**
 * Hierarchical Navigable Small World graph (Malkov & Yashunin), the algorithm valkey-search
 * runs through hnswlib, over {@link VectorSlots}.
 *
 * Layout: level-0 neighbour lists in one Int32Array of `capacity * (2M + 1)` ints (a count,
 * then the ids), upper levels in a pooled Int32Array addressed per node, levels in a
 * Uint8Array; no object per node. Levels come from a seeded generator, so the same inserts in
 * the same order build the same graph on every runtime.
 *
 * Deletion: the node becomes a tombstone (still walked through, never a result), the nodes
 * that linked to it are re-linked among its neighbours with the selection heuristic (repair),
 * and the slot is reused by a later insert, which rewrites its links.
 *
 * Filtered search: the walk visits every node but only admits those the filter accepts into
 * the result set (hnswlib's "is id allowed"); callers run {@link VectorSlots.scan} instead
 * when the filter is selective (see {@link Hnsw.searchAmong}).
 *
 * @module
 */
import type { Deadline } from "./deadline.ts";
import type { KernelName, Metric } from "./distance.ts";
import { PairHeap } from "./heap.ts";
import { type Neighbors, type SearchOptions, type VectorIndex, VectorSlots } from "./store.ts";

/** Options of {@link Hnsw}. */
export interface HnswOptions {
  dim: number;
  metric: Metric;
  /** Links per node on upper levels (level 0 has 2M). Default 16. */
  m?: number;
  /** Search width while inserting. Default 200. */
  efConstruction?: number;
  /** Default search width of queries. Default 10. */
  efRuntime?: number;
  /** Nodes reserved up front. Default 10240. */
  initialCap?: number;
  /** Seed of the level generator. */
  seed?: number;
  /** Kernel override (benchmarks). */
  kernel?: KernelName;
}

const MAX_LEVEL = 31;

/** An HNSW index (see the module doc). */
export class Hnsw implements VectorIndex {
  /** Always `HNSW`. */
  readonly algorithm = "HNSW" as const;
  /** The dimension. */
  readonly dim: number;
  /** The metric. */
  readonly metric: Metric;
  /** M. */
  readonly m: number;
  /** Links per node on level 0 (2M). */
  readonly m0: number;
  /** EF_CONSTRUCTION. */
  readonly efConstruction: number;
  /** EF_RUNTIME: the default query width. */
  efRuntime: number;
  readonly #s: VectorSlots;
  #link0: Int32Array;
  #level: Uint8Array;
  #upperOff: Int32Array;
  #upperLevels: Uint8Array;
  #upper: Int32Array;
  #upperTop = 0;
  #deleted: Uint8Array;
  #visited: Uint8Array;
  #gen = 0;
  #entry = -1;
  #maxLevel = -1;
  #graphCap = 0;
  readonly #cand = new PairHeap(false, 256);
  readonly #res = new PairHeap(true, 256);
  readonly #ids: Int32Array;
  readonly #mult: number;
  #seed: number;
  // Scratch for candidate lists (ids, distances) and selections.
  readonly #candIds: number[] = [];
  readonly #candDists: number[] = [];
  readonly #sel: number[] = [];
  /** Nodes re-linked by deletions (FT.INFO-style counters for tests and benchmarks). */
  repairs = 0;

  /** @param opts dimension, metric and graph parameters */
  constructor(opts: HnswOptions) {
    this.dim = opts.dim;
    this.metric = opts.metric;
    this.m = opts.m ?? 16;
    this.m0 = this.m * 2;
    this.efConstruction = opts.efConstruction ?? 200;
    this.efRuntime = opts.efRuntime ?? 10;
    const cap = Math.max(1, opts.initialCap ?? 10240);
    this.#s = new VectorSlots({
      dim: opts.dim,
      metric: opts.metric,
      initialCap: cap,
      blockSize: 1024,
      ...(opts.kernel !== undefined ? { kernel: opts.kernel } : {}),
    });
    this.#s.ensureBatch(this.m0 + 1);
    this.#ids = new Int32Array(this.m0 + 1);
    this.#mult = 1 / Math.log(Math.max(2, this.m));
    this.#seed = (opts.seed ?? 100) >>> 0;
    this.#link0 = new Int32Array(0);
    this.#level = new Uint8Array(0);
    this.#upperOff = new Int32Array(0);
    this.#upperLevels = new Uint8Array(0);
    this.#deleted = new Uint8Array(0);
    this.#visited = new Uint8Array(0);
    this.#upper = new Int32Array(Math.max(64, (cap >> 3) * (this.m + 1)));
    this.#growGraph(this.#s.capacity);
  }

  /** Number of vectors. */
  get size(): number {
    return this.#s.size;
  }

  /** Nodes held without growing. */
  get capacity(): number {
    return this.#s.capacity;
  }

  /** The kernel computing distances. */
  get kernel(): KernelName {
    return this.#s.arena.kernel;
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
      this.delete(label);
    }
    const node = s.allocSlot(label, vector);
    if (s.capacity > this.#graphCap) this.#growGraph(s.capacity);
    this.#deleted[node] = 0;
    const level = this.#randomLevel();
    this.#level[node] = level;
    this.#link0[node * (this.m0 + 1)] = 0;
    if (level > 0) {
      if (this.#upperLevels[node]! < level) {
        this.#upperOff[node] = this.#allocUpper(level);
        this.#upperLevels[node] = level;
      }
      const base = this.#upperOff[node]!;
      for (let l = 0; l < level; l++) this.#upper[base + l * (this.m + 1)] = 0;
    }
    if (this.#entry < 0) {
      this.#entry = node;
      this.#maxLevel = level;
      return true;
    }
    const q = s.vecOff[node]!;
    let cur = this.#entry;
    let curD = s.dist.pair(q, s.vecOff[cur]!);
    for (let l = this.#maxLevel; l > level; l--) {
      cur = this.#greedy(q, cur, l);
      curD = s.dist.pair(q, s.vecOff[cur]!);
    }
    const ids = this.#candIds;
    const dists = this.#candDists;
    for (let l = Math.min(level, this.#maxLevel); l >= 0; l--) {
      this.#searchLayer(q, cur, curD, this.efConstruction, l, undefined, node);
      const n = this.#res.drainAscending(ids, dists);
      if (n === 0) continue;
      const sel = this.#select(ids, dists, n, this.m, this.#sel);
      this.#setLinks(node, l, sel);
      for (const e of sel) this.#connect(e, node, l);
      cur = ids[0]!;
      curD = dists[0]!;
    }
    if (level > this.#maxLevel) {
      this.#entry = node;
      this.#maxLevel = level;
    }
    return true;
  }

  /** Removes the vector of `label`, repairing the links around it. @returns whether it was there */
  delete(label: number): boolean {
    const s = this.#s;
    const node = s.slotOf(label);
    if (node < 0) return false;
    this.#deleted[node] = 1;
    s.freeSlot(node);
    if (s.size === 0) {
      this.#entry = -1;
      this.#maxLevel = -1;
      return true;
    }
    this.#repair(node);
    if (node === this.#entry) this.#pickEntry();
    return true;
  }

  /** The k approximate nearest neighbours of `query` (see {@link SearchOptions}). */
  search(query: Float32Array, k: number, opts: SearchOptions = {}): Neighbors {
    const s = this.#s;
    if (s.size === 0 || k <= 0) return { labels: [], dists: [] };
    const q = s.setQuery(query);
    const ef = Math.max(opts.ef ?? this.efRuntime, k);
    let cur = this.#entry;
    for (let l = this.#maxLevel; l > 0; l--) cur = this.#greedy(q, cur, l);
    this.#searchLayer(q, cur, s.dist.pair(q, s.vecOff[cur]!), ef, 0, opts.filter, -1, opts.deadline);
    const ids = this.#candIds;
    const dists = this.#candDists;
    this.#res.drainAscending(ids, dists);
    return s.toNeighbors(ids, dists, k);
  }

  /** The exact k nearest among `labels` (a brute-force scan of just those). */
  searchAmong(query: Float32Array, k: number, labels: Iterable<number>, deadline?: Deadline): Neighbors {
    const s = this.#s;
    if (s.size === 0 || k <= 0) return { labels: [], dists: [] };
    const q = s.setQuery(query);
    s.scan(q, k, s.slotsOf(labels), this.#res, deadline);
    const ids = this.#candIds;
    const dists = this.#candDists;
    this.#res.drainAscending(ids, dists);
    return s.toNeighbors(ids, dists, k);
  }

  /**
   * Bytes held: the vector slots, the level-0 link table and the whole upper-level link pool
   * (at their allocated sizes, free room included), the per-node arrays, and the search heaps
   * and scratch.
   */
  memoryBytes(): number {
    return this.#s.memoryBytes() + this.#link0.byteLength + this.#upper.byteLength + this.#level.byteLength +
      this.#upperOff.byteLength + this.#upperLevels.byteLength + this.#deleted.byteLength + this.#visited.byteLength +
      this.#cand.byteLength + this.#res.byteLength + this.#ids.byteLength;
  }

  /**
   * Bytes the vector of `label` occupies: its slot, its level-0 links, its per-node entries and
   * the upper-level links reserved for its levels. @returns 0 when it has no vector
   */
  bytesOf(label: number): number {
    const node = this.#s.slotOf(label);
    if (node < 0) return 0;
    // level, upperLevels, deleted, visited (1 byte each) and upperOff (4 bytes).
    const perNode = (this.m0 + 1) * 4 + 8;
    return this.#s.slotBytes + perNode + this.#upperLevels[node]! * (this.m + 1) * 4;
  }

  /** Level-0 out-degree of every live node (tests: graph sanity). */
  degrees(): number[] {
    const out: number[] = [];
    for (let n = 0; n < this.#s.top; n++) {
      if (this.#s.labelOf[n]! >= 0) out.push(this.#link0[n * (this.m0 + 1)]!);
    }
    return out;
  }

  // --- internals ----------------------------------------------------------------------

  #randomLevel(): number {
    // mulberry32: a small seeded generator with identical output on every runtime.
    this.#seed = (this.#seed + 0x6d2b79f5) >>> 0;
    let t = this.#seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
    return Math.min(MAX_LEVEL, Math.floor(-Math.log(u) * this.#mult));
  }

  #allocUpper(levels: number): number {
    const need = levels * (this.m + 1);
    if (this.#upperTop + need > this.#upper.length) {
      const next = new Int32Array(Math.max(this.#upper.length * 2, this.#upperTop + need));
      next.set(this.#upper);
      this.#upper = next;
    }
    const at = this.#upperTop;
    this.#upperTop += need;
    return at;
  }

  #growGraph(cap: number): void {
    const old = this.#graphCap;
    const grow = <T extends Int32Array | Uint8Array | Uint32Array>(a: T, make: (n: number) => T, per: number): T => {
      const next = make(cap * per);
      next.set(a.subarray(0, old * per));
      return next;
    };
    this.#link0 = grow(this.#link0, (n) => new Int32Array(n), this.m0 + 1);
    this.#level = grow(this.#level, (n) => new Uint8Array(n), 1);
    this.#upperOff = grow(this.#upperOff, (n) => new Int32Array(n), 1);
    this.#upperLevels = grow(this.#upperLevels, (n) => new Uint8Array(n), 1);
    this.#deleted = grow(this.#deleted, (n) => new Uint8Array(n), 1);
    this.#visited = new Uint8Array(cap);
    this.#gen = 0;
    this.#graphCap = cap;
  }

  /**
   * Greedy walk on `level` from `ep` towards the vector at `q`. Each hop computes the distances
   * of the whole neighbour list in one batch (the batch kernel fetches their vectors together)
   * and moves to the first strictly closer minimum, the node a one-by-one scan would pick.
   * @returns the closest node
   */
  #greedy(q: number, ep: number, level: number): number {
    const s = this.#s;
    const vecOff = s.vecOff;
    const up = this.#upper;
    const levels = this.#level;
    const ids = this.#ids;
    const listOff = s.listOff;
    const outOff = s.outOff;
    const u32 = s.arena.u32;
    const f32 = s.arena.f32;
    const stride = this.m + 1;
    let cur = ep;
    let curD = s.dist.pair(q, vecOff[cur]!);
    let changed = true;
    while (changed) {
      changed = false;
      const base = this.#upperOff[cur]! + (level - 1) * stride;
      const cnt = up[base]!;
      let m = 0;
      for (let j = 1; j <= cnt; j++) {
        const n = up[base + j]!;
        if (levels[n]! < level) continue;
        ids[m] = n;
        u32[listOff + m] = vecOff[n]! << 2;
        m++;
      }
      if (m === 0) break;
      s.dist.batch(q, listOff, m, outOff);
      let best = -1;
      for (let j = 0; j < m; j++) {
        const d = f32[outOff + j]!;
        if (d < curD) {
          curD = d;
          best = j;
        }
      }
      if (best >= 0) {
        cur = ids[best]!;
        changed = true;
      }
    }
    return cur;
  }

  /**
   * Best-first search of one level from `ep`, leaving up to `ef` results in #res. Tombstones
   * and nodes the filter rejects are walked through but never results; `exclude` (the node
   * being inserted) is never visited. `deadline` is stepped per expanded node, by the number of
   * distances it cost.
   */
  #searchLayer(
    q: number,
    ep: number,
    epD: number,
    ef: number,
    level: number,
    filter: ((label: number) => boolean) | undefined,
    exclude: number,
    deadline?: Deadline,
  ): void {
    const s = this.#s;
    const vecOff = s.vecOff;
    const labelOf = s.labelOf;
    const deleted = this.#deleted;
    const visited = this.#visited;
    if (++this.#gen === 0x100) {
      visited.fill(0);
      this.#gen = 1;
    }
    const gen = this.#gen;
    const cand = this.#cand;
    const res = this.#res;
    cand.clear();
    res.clear();
    visited[ep] = gen;
    if (exclude >= 0) visited[exclude] = gen;
    cand.push(epD, ep);
    let lower = Infinity;
    if (deleted[ep] === 0 && (filter === undefined || filter(labelOf[ep]!))) {
      res.push(epD, ep);
      lower = epD;
    }
    const arr = level === 0 ? this.#link0 : this.#upper;
    const stride0 = this.m0 + 1;
    const strideUp = this.m + 1;
    const upperOff = this.#upperOff;
    const levels = this.#level;
    const ids = this.#ids;
    const listOff = s.listOff;
    const outOff = s.outOff;
    const dist = s.dist;
    const arena = s.arena;
    const u32 = arena.u32;
    const f32 = arena.f32;
    while (cand.size > 0) {
      const cd = cand.topDist();
      if (cd > lower && res.size >= ef) break;
      const c = cand.topId();
      cand.pop();
      const base = level === 0 ? c * stride0 : upperOff[c]! + (level - 1) * strideUp;
      const cnt = arr[base]!;
      let m = 0;
      for (let j = 1; j <= cnt; j++) {
        const n = arr[base + j]!;
        if (visited[n] === gen) continue;
        visited[n] = gen;
        // A link to a slot reused by a lower-level node is stale on this level.
        if (level > 0 && levels[n]! < level) continue;
        ids[m] = n;
        u32[listOff + m] = vecOff[n]! << 2;
        m++;
      }
      if (deadline !== undefined) deadline.step(m + 1);
      if (m === 0) continue;
      dist.batch(q, listOff, m, outOff);
      for (let j = 0; j < m; j++) {
        const d = f32[outOff + j]!;
        if (res.size < ef || d < lower) {
          const n = ids[j]!;
          cand.push(d, n);
          if (deleted[n] === 0 && (filter === undefined || filter(labelOf[n]!))) {
            res.push(d, n);
            if (res.size > ef) res.pop();
            lower = res.topDist();
          }
        }
      }
    }
  }

  /**
   * hnswlib's neighbour selection heuristic: walking candidates closest first, keep one unless
   * it is closer to an already kept neighbour than to the base. @returns `out`
   */
  #select(ids: number[], dists: number[], n: number, max: number, out: number[]): number[] {
    out.length = 0;
    const s = this.#s;
    const vecOff = s.vecOff;
    for (let i = 0; i < n && out.length < max; i++) {
      const c = ids[i]!;
      const dc = dists[i]!;
      const oc = vecOff[c]!;
      let good = true;
      for (let j = 0; j < out.length; j++) {
        if (s.dist.pair(oc, vecOff[out[j]!]!) < dc) {
          good = false;
          break;
        }
      }
      if (good) out.push(c);
    }
    return out;
  }

  #setLinks(node: number, level: number, links: readonly number[]): void {
    const arr = level === 0 ? this.#link0 : this.#upper;
    const base = level === 0 ? node * (this.m0 + 1) : this.#upperOff[node]! + (level - 1) * (this.m + 1);
    arr[base] = links.length;
    for (let i = 0; i < links.length; i++) arr[base + 1 + i] = links[i]!;
  }

  /** Adds `node` to the links of `e` on `level`, shrinking them with the heuristic when full. */
  #connect(e: number, node: number, level: number): void {
    const arr = level === 0 ? this.#link0 : this.#upper;
    const base = level === 0 ? e * (this.m0 + 1) : this.#upperOff[e]! + (level - 1) * (this.m + 1);
    const cap = level === 0 ? this.m0 : this.m;
    const cnt = arr[base]!;
    for (let j = 1; j <= cnt; j++) if (arr[base + j] === node) return;
    if (cnt < cap) {
      arr[base + 1 + cnt] = node;
      arr[base] = cnt + 1;
      return;
    }
    const ids: number[] = [node];
    for (let j = 1; j <= cnt; j++) ids.push(arr[base + j]!);
    this.#relink(e, level, ids, cap);
  }

  /** Replaces the links of `e` on `level` by the heuristic's pick among `ids`. */
  #relink(e: number, level: number, ids: number[], cap: number): void {
    const s = this.#s;
    const oe = s.vecOff[e]!;
    const n = ids.length;
    const dists: number[] = new Array(n);
    // One batch call for the whole list (repairs can pass more than the scratch holds).
    s.ensureBatch(n);
    const u32 = s.arena.u32;
    for (let i = 0; i < n; i++) u32[s.listOff + i] = s.vecOff[ids[i]!]! << 2;
    s.dist.batch(oe, s.listOff, n, s.outOff);
    const f32 = s.arena.f32;
    for (let i = 0; i < n; i++) dists[i] = f32[s.outOff + i]!;
    // Insertion sort: lists are at most 2M + a few long.
    for (let i = 1; i < n; i++) {
      const d = dists[i]!;
      const id = ids[i]!;
      let j = i - 1;
      while (j >= 0 && dists[j]! > d) {
        dists[j + 1] = dists[j]!;
        ids[j + 1] = ids[j]!;
        j--;
      }
      dists[j + 1] = d;
      ids[j + 1] = id;
    }
    const sel = this.#select(ids, dists, n, cap, []);
    this.#setLinks(e, level, sel);
  }

  /**
   * Re-links the live neighbours of a deleted node that pointed back at it, choosing among
   * their remaining links and the deleted node's other neighbours.
   */
  #repair(x: number): void {
    const top = this.#level[x]!;
    for (let l = 0; l <= top; l++) {
      const arr = l === 0 ? this.#link0 : this.#upper;
      const baseX = l === 0 ? x * (this.m0 + 1) : this.#upperOff[x]! + (l - 1) * (this.m + 1);
      const cntX = arr[baseX]!;
      const neigh: number[] = [];
      for (let j = 1; j <= cntX; j++) neigh.push(arr[baseX + j]!);
      const cap = l === 0 ? this.m0 : this.m;
      for (const n of neigh) {
        if (n === x || this.#deleted[n] === 1 || this.#level[n]! < l) continue;
        const base = l === 0 ? n * (this.m0 + 1) : this.#upperOff[n]! + (l - 1) * (this.m + 1);
        const cnt = arr[base]!;
        let links = false;
        for (let j = 1; j <= cnt; j++) {
          if (arr[base + j] === x) {
            links = true;
            break;
          }
        }
        if (!links) continue;
        const seen = new Set<number>([n, x]);
        const ids: number[] = [];
        for (let j = 1; j <= cnt; j++) {
          const c = arr[base + j]!;
          if (!seen.has(c) && this.#deleted[c] === 0) {
            seen.add(c);
            ids.push(c);
          }
        }
        for (const c of neigh) {
          if (!seen.has(c) && this.#deleted[c] === 0 && this.#level[c]! >= l) {
            seen.add(c);
            ids.push(c);
          }
        }
        this.#relink(n, l, ids, cap);
        this.repairs++;
      }
    }
  }

  /** Makes the highest-level live node the entry point. */
  #pickEntry(): void {
    let best = -1;
    let bestLevel = -1;
    const labelOf = this.#s.labelOf;
    for (let n = 0; n < this.#s.top; n++) {
      if (labelOf[n]! >= 0 && this.#level[n]! > bestLevel) {
        best = n;
        bestLevel = this.#level[n]!;
      }
    }
    this.#entry = best;
    this.#maxLevel = bestLevel;
  }
}
