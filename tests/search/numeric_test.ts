/**
 * SortedNumbers, the NUMERIC field index: range counts and enumeration against a plain filter,
 * across block splits, duplicates, removals and infinite or exclusive bounds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type NumericRange, SortedNumbers } from "../../src/search/numeric.ts";
import { rng } from "../vector/_data.ts";

const inRange = (v: number, r: NumericRange) =>
  (r.loInclusive ? v >= r.lo : v > r.lo) && (r.hiInclusive ? v <= r.hi : v < r.hi);

describe("SortedNumbers", () => {
  it("counts and lists exactly the entries in a range, through inserts and removals", () => {
    const r = rng(4);
    const s = new SortedNumbers();
    const live = new Map<number, number>();
    for (let id = 0; id < 3000; id++) {
      const v = Math.floor(r() * 200) - 100;
      s.insert(v, id);
      live.set(id, v);
    }
    for (let id = 0; id < 3000; id += 3) {
      assert.equal(s.remove(live.get(id)!, id), true);
      live.delete(id);
    }
    assert.equal(s.remove(1e9, 1), false);
    assert.equal(s.size, live.size);
    const ranges: NumericRange[] = [
      { lo: -Infinity, loInclusive: true, hi: Infinity, hiInclusive: true },
      { lo: -10, loInclusive: true, hi: 10, hiInclusive: true },
      { lo: -10, loInclusive: false, hi: 10, hiInclusive: false },
      { lo: 50, loInclusive: false, hi: Infinity, hiInclusive: true },
      { lo: 7, loInclusive: true, hi: 7, hiInclusive: true },
      { lo: 1000, loInclusive: true, hi: 2000, hiInclusive: true },
    ];
    for (const range of ranges) {
      const want = [...live].filter(([, v]) => inRange(v, range)).map(([id]) => id).sort((a, b) => a - b);
      const got: number[] = [];
      s.forEach(range, (id) => got.push(id));
      assert.equal(s.count(range), want.length);
      assert.deepEqual(got.sort((a, b) => a - b), want);
    }
  });

  it("lists values in ascending order", () => {
    const s = new SortedNumbers();
    [5, -1, 3, 3, Infinity, -Infinity].forEach((v, i) => s.insert(v, i));
    const ids: number[] = [];
    s.forEach({ lo: -Infinity, loInclusive: true, hi: Infinity, hiInclusive: true }, (id) => ids.push(id));
    assert.deepEqual(ids.slice(0, 2), [5, 1]);
    assert.equal(ids[ids.length - 1], 4);
  });
});
