/**
 * Deadline: work is counted in units and the clock is read once per CHECK_EVERY units; past
 * the deadline a read throws DeadlineExceeded.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CHECK_EVERY, Deadline, DeadlineExceeded } from "../../src/vector/deadline.ts";
import { Flat } from "../../src/vector/flat.ts";
import { Hnsw } from "../../src/vector/hnsw.ts";

/** A clock that moves 1 µs per read and counts its reads. */
function counting(): { now: () => number; reads: () => number } {
  let t = 0;
  let n = 0;
  return {
    now: () => {
      n++;
      return t++;
    },
    reads: () => n,
  };
}

describe("Deadline", () => {
  it("reads the clock once per CHECK_EVERY units of work", () => {
    const c = counting();
    const d = new Deadline(c.now, 1e9);
    assert.equal(c.reads(), 1, "the start");
    for (let i = 0; i < CHECK_EVERY * 3; i++) d.step();
    assert.equal(c.reads(), 4);
    d.step(CHECK_EVERY * 2);
    assert.equal(c.reads(), 5, "a large step is one read");
  });

  it("throws DeadlineExceeded on the first read past the deadline", () => {
    const c = counting();
    const d = new Deadline(c.now, 2);
    d.check();
    d.check();
    assert.throws(() => d.check(), DeadlineExceeded);
  });

  it("never passes when made with never()", () => {
    const d = Deadline.never();
    for (let i = 0; i < CHECK_EVERY * 4; i++) d.step();
    d.check();
  });

  it("cancels FLAT and HNSW searches and exact scans from inside the loop", () => {
    const dim = 4;
    const flat = new Flat({ dim, metric: "L2", initialCap: 64 });
    const hnsw = new Hnsw({ dim, metric: "L2", m: 4, efConstruction: 16, initialCap: 64 });
    const vec = new Float32Array(dim);
    for (let i = 0; i < 5000; i++) {
      vec[0] = i % 71;
      vec[1] = i % 13;
      vec[2] = i / 100;
      flat.set(i, vec);
      hnsw.set(i, vec);
    }
    const expired = () => new Deadline(counting().now, 0);
    assert.throws(() => flat.search(vec, 3, { deadline: expired() }), DeadlineExceeded);
    assert.throws(() => hnsw.search(vec, 3, { ef: 2000, deadline: expired() }), DeadlineExceeded);
    const all = Array.from({ length: 5000 }, (_, i) => i);
    assert.throws(() => hnsw.searchAmong(vec, 3, all, expired()), DeadlineExceeded);
    // The same searches with room to finish.
    assert.equal(flat.search(vec, 3, { deadline: Deadline.never() }).labels.length, 3);
    assert.equal(hnsw.searchAmong(vec, 3, all, Deadline.never()).labels.length, 3);
  });
});
