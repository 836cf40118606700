/**
 * Reply formatting: scores with C's `%.12g` (the digits valkey-search prints), checked against
 * values printed by C's printf.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatG, formatG12 } from "../../src/search/reply.ts";

describe("formatG12", () => {
  // Expected texts from printf("%.12g").
  const cases: [number, string][] = [
    [0, "0"],
    [1, "1"],
    [-1, "-1"],
    [0.5, "0.5"],
    [1.6400001049041748, "1.6400001049"],
    [Math.fround(0.04), "0.0399999991059"],
    [5.96046447754e-8, "5.96046447754e-08"],
    [1e-4, "0.0001"],
    [9.99999e-5, "9.99999e-05"],
    [123456789012, "123456789012"],
    [999999999999.5, "1e+12"],
    [1e21, "1e+21"],
    [-2.5e-7, "-2.5e-07"],
    [1e-300, "1e-300"],
    [3.4e38, "3.4e+38"],
    [12345.6789, "12345.6789"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
  ];
  for (const [x, want] of cases) {
    it(`prints ${x} as ${want}`, () => {
      assert.equal(formatG12(x), want);
    });
  }

  it("supports other precisions (%.17g)", () => {
    assert.equal(formatG(0.1, 17), "0.10000000000000001");
    assert.equal(formatG(1, 17), "1");
  });
});
