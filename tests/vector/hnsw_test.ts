/**
 * HNSW and FLAT on small seeded datasets: recall@10 against brute force for L2, IP and
 * COSINE, after deletions and re-insertions, filtered search, determinism, and exactness of
 * FLAT and of the pre-filter scan.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hnsw } from "../../src/vector/hnsw.ts";
import { Flat } from "../../src/vector/flat.ts";
import type { Metric } from "../../src/vector/distance.ts";
import type { VectorIndex } from "../../src/vector/store.ts";
import { bruteForce, exactDist, mixture } from "./_data.ts";

const N = 1500;
const DIM = 24;

function recall(
  idx: VectorIndex,
  metric: Metric,
  data: Float32Array[],
  queries: Float32Array[],
  ef: number,
  skip: (i: number) => boolean = () => false,
): number {
  let hit = 0;
  for (const q of queries) {
    const truth = new Set(bruteForce(metric, data, q, 10, skip));
    for (const l of idx.search(q, 10, { ef }).labels) if (truth.has(l)) hit++;
  }
  return hit / (queries.length * 10);
}

describe("Hnsw", () => {
  for (const metric of ["L2", "IP", "COSINE"] as Metric[]) {
    it(`reaches recall@10 >= 0.95 at ef 64 with ${metric}`, () => {
      const { data, queries } = mixture(11, N, 40, DIM);
      const h = new Hnsw({ dim: DIM, metric, m: 12, efConstruction: 100, initialCap: 256 });
      data.forEach((v, i) => h.set(i, v));
      assert.equal(h.size, N);
      assert.ok(h.capacity >= N, "grew past the initial capacity");
      const r = recall(h, metric, data, queries, 64);
      assert.ok(r >= 0.95, `recall ${r}`);
    });
  }

  it("returns distances as valkey-search scores them, closest first", () => {
    const { data, queries } = mixture(3, 300, 5, 8);
    for (const metric of ["L2", "IP", "COSINE"] as Metric[]) {
      const h = new Hnsw({ dim: 8, metric });
      data.forEach((v, i) => h.set(i, v));
      for (const q of queries) {
        const r = h.search(q, 5, { ef: 100 });
        for (let i = 0; i < r.labels.length; i++) {
          const want = exactDist(metric, q, data[r.labels[i]!]!);
          assert.ok(
            Math.abs(r.dists[i]! - want) < 1e-3 * Math.max(1, Math.abs(want)),
            `${metric} ${r.dists[i]} vs ${want}`,
          );
          if (i > 0) assert.ok(r.dists[i]! >= r.dists[i - 1]!);
        }
      }
    }
  });

  it("keeps recall after deleting half the vectors, and never returns a deleted one", () => {
    const { data, queries } = mixture(5, N, 40, DIM);
    const h = new Hnsw({ dim: DIM, metric: "L2", m: 12, efConstruction: 100 });
    data.forEach((v, i) => h.set(i, v));
    for (let i = 0; i < N; i += 2) assert.equal(h.delete(i), true);
    assert.equal(h.delete(0), false);
    assert.equal(h.size, N / 2);
    assert.ok(h.repairs > 0, "deletions re-linked neighbours");
    for (const q of queries) for (const l of h.search(q, 10, { ef: 64 }).labels) assert.equal(l % 2, 1);
    const r = recall(h, "L2", data, queries, 64, (i) => i % 2 === 0);
    assert.ok(r >= 0.93, `recall after deletes ${r}`);
  });

  it("reuses freed slots and keeps recall after re-inserting", () => {
    const { data, queries } = mixture(6, N, 40, DIM);
    const h = new Hnsw({ dim: DIM, metric: "COSINE", m: 12, efConstruction: 100, initialCap: N });
    data.forEach((v, i) => h.set(i, v));
    const cap = h.capacity;
    for (let i = 0; i < N; i += 3) h.delete(i);
    for (let i = 0; i < N; i += 3) h.set(i, data[i]!);
    assert.equal(h.size, N);
    assert.equal(h.capacity, cap, "no growth: freed slots were reused");
    const r = recall(h, "COSINE", data, queries, 64);
    assert.ok(r >= 0.95, `recall after re-insert ${r}`);
  });

  it("deletes down to empty and starts again", () => {
    const { data } = mixture(8, 50, 1, 4);
    const h = new Hnsw({ dim: 4, metric: "L2" });
    data.forEach((v, i) => h.set(i, v));
    for (let i = 0; i < 50; i++) h.delete(i);
    assert.equal(h.size, 0);
    assert.deepEqual(h.search(data[0]!, 3).labels, []);
    h.set(7, data[7]!);
    assert.deepEqual(h.search(data[7]!, 3).labels, [7]);
  });

  it("replaces a label's vector, and ignores a rewrite of the same vector", () => {
    const h = new Hnsw({ dim: 2, metric: "L2" });
    h.set(1, new Float32Array([0, 0]));
    h.set(2, new Float32Array([5, 5]));
    assert.equal(h.set(1, new Float32Array([0, 0])), false);
    assert.equal(h.set(1, new Float32Array([9, 9])), true);
    assert.deepEqual(h.search(new Float32Array([10, 10]), 1).labels, [1]);
    assert.equal(h.size, 2);
  });

  it("builds the same graph from the same inserts (seeded levels)", () => {
    const { data, queries } = mixture(9, 400, 10, 8);
    const a = new Hnsw({ dim: 8, metric: "L2", seed: 42 });
    const b = new Hnsw({ dim: 8, metric: "L2", seed: 42 });
    data.forEach((v, i) => {
      a.set(i, v);
      b.set(i, v);
    });
    assert.deepEqual(a.degrees(), b.degrees());
    for (const q of queries) assert.deepEqual(a.search(q, 10, { ef: 10 }), b.search(q, 10, { ef: 10 }));
  });

  it("applies a filter during the walk: only accepted labels, and the best of them", () => {
    const { data, queries } = mixture(12, N, 20, DIM);
    const h = new Hnsw({ dim: DIM, metric: "L2", m: 12, efConstruction: 100 });
    data.forEach((v, i) => h.set(i, v));
    const accept = (l: number) => l % 4 === 1;
    let hit = 0;
    for (const q of queries) {
      const r = h.search(q, 10, { ef: 80, filter: accept });
      assert.equal(r.labels.length, 10);
      for (const l of r.labels) assert.ok(accept(l));
      const truth = new Set(bruteForce("L2", data, q, 10, (i) => !accept(i)));
      for (const l of r.labels) if (truth.has(l)) hit++;
    }
    assert.ok(hit / (queries.length * 10) >= 0.9, `filtered recall ${hit / (queries.length * 10)}`);
  });

  it("scans a label subset exactly (pre-filtering)", () => {
    const { data, queries } = mixture(13, 500, 10, 8);
    const h = new Hnsw({ dim: 8, metric: "IP" });
    data.forEach((v, i) => h.set(i, v));
    const subset = [3, 17, 99, 250, 251, 480, 9999];
    for (const q of queries) {
      const r = h.searchAmong(q, 4, subset);
      const want = bruteForce("IP", data, q, 4, (i) => !subset.includes(i));
      assert.deepEqual(r.labels, want);
    }
  });

  it("reports its memory from its typed arrays", () => {
    const h = new Hnsw({ dim: 128, metric: "L2", initialCap: 1000 });
    const empty = h.memoryBytes();
    assert.ok(empty >= 1000 * 128 * 4, "the reserved vectors are counted");
    const { data } = mixture(1, 1200, 1, 128);
    data.forEach((v, i) => h.set(i, v));
    assert.ok(h.memoryBytes() > empty);
    assert.ok(h.memoryBytes() / h.capacity < 128 * 4 * 2, `bytes per slot ${h.memoryBytes() / h.capacity}`);
  });
});

describe("Flat", () => {
  for (const metric of ["L2", "IP", "COSINE"] as Metric[]) {
    it(`returns the exact k nearest with ${metric}`, () => {
      const { data, queries } = mixture(21, 600, 10, 12);
      const f = new Flat({ dim: 12, metric, initialCap: 100, blockSize: 64 });
      data.forEach((v, i) => f.set(i, v));
      assert.ok(f.capacity >= 600);
      for (const q of queries) assert.deepEqual(f.search(q, 7).labels, bruteForce(metric, data, q, 7));
    });
  }

  it("filters during the scan and forgets deleted vectors", () => {
    const { data, queries } = mixture(22, 300, 5, 6);
    const f = new Flat({ dim: 6, metric: "L2" });
    data.forEach((v, i) => f.set(i, v));
    for (let i = 0; i < 300; i += 2) f.delete(i);
    for (const q of queries) {
      const r = f.search(q, 5, { filter: (l) => l % 3 === 0 });
      assert.deepEqual(r.labels, bruteForce("L2", data, q, 5, (i) => i % 2 === 0 || i % 3 !== 0));
    }
  });
});
