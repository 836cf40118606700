import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatDouble, parseDouble, parseInt64 } from "../../src/util/number.ts";

describe("formatDouble()", () => {
  const cases: [number, string][] = [
    [1.5, "1.5"],
    [0.1, "0.1"],
    [-0, "-0"],
    [0, "0"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [3, "3"],
    [4611686018427387904, "4611686018427388000"], // 2^62: fpconv, plain since exp < digits + 7
    [1e20, "1e+20"], // integral but past 2^62: fpconv's scientific form, not JS's plain one
    [1.5e20, "1.5e+20"],
    [5e18, "5e+18"],
    [1e21, "1e+21"],
    [0.000001, "0.000001"],
    [0.00001234, "1.234e-5"], // JS would print 0.00001234
    [1.5e-7, "1.5e-7"],
    [-2.5e-10, "-2.5e-10"],
    [123456789.125, "123456789.125"],
  ];
  for (const [v, text] of cases) {
    it(`prints ${text} as Valkey's d2string does`, () => assert.equal(formatDouble(v), text));
  }
  it("prints NaN as nan", () => assert.equal(formatDouble(NaN), "nan"));
});

describe("parseInt64()", () => {
  it("accepts the int64 range exactly", () => {
    assert.equal(parseInt64("9223372036854775807"), 9223372036854775807n);
    assert.equal(parseInt64("-9223372036854775808"), -9223372036854775808n);
    assert.equal(parseInt64("9223372036854775808"), null);
  });
  it("rejects what string2ll rejects", () => {
    for (const s of ["", "+1", "01", "-0", " 1", "1 ", "1.0", "0x10", "--1"]) assert.equal(parseInt64(s), null, s);
  });
  it("returns safe integers as numbers", () => {
    assert.equal(parseInt64("-42"), -42);
    assert.equal(parseInt64("0"), 0);
  });
});

describe("parseDouble()", () => {
  it("accepts inf spellings and exponents", () => {
    assert.equal(parseDouble("inf"), Infinity);
    assert.equal(parseDouble("-Infinity"), -Infinity);
    assert.equal(parseDouble("1e3"), 1000);
    assert.equal(parseDouble(".5"), 0.5);
  });
  it("rejects NaN, spaces and trailing garbage", () => {
    for (const s of ["nan", " 1", "1 ", "1x", ""]) assert.equal(parseDouble(s), null, s);
  });
});
