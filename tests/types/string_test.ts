import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  allocBytes,
  appendBytes,
  cloneStringValue,
  getRange,
  incrFloat,
  incrInteger,
  lcs,
  mutableBytes,
  setRange,
  stringEncoding,
  toLatin1,
  valueAsInt64,
} from "../../src/types/string.ts";
import { addLongDouble, formatLongDoubleHuman, longDoubleFromNumber, parseLongDouble } from "../../src/util/number.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("stringEncoding()", () => {
  it("reports int for canonical 64-bit integers of at most 20 chars", () => {
    for (const v of ["0", "12", "-1", "9223372036854775807", "-9223372036854775808"]) {
      assert.equal(stringEncoding(v), "int", v);
    }
  });

  it("reports embstr for other strings up to 44 bytes", () => {
    for (const v of ["", "abc", "012", "+1", " 1", "1.5", "12345678901234567890", "x".repeat(44)]) {
      assert.equal(stringEncoding(v), "embstr", v);
    }
  });

  it("reports raw past 44 bytes and for values modified in place", () => {
    assert.equal(stringEncoding("x".repeat(45)), "raw");
    assert.equal(stringEncoding(bytes("12")), "raw");
    assert.equal(stringEncoding(new Uint8Array(0)), "raw");
  });
});

describe("mutableBytes()", () => {
  it("allocates exactly for a new value", () => {
    const b = mutableBytes(undefined, 10, false);
    assert.equal(b.length, 10);
    assert.equal(b.buffer.byteLength, 10);
    assert.ok(b.every((x) => x === 0));
  });

  it("copies a byte string and zero-pads it", () => {
    const b = mutableBytes("ab\xff", 5, false);
    assert.deepEqual([...b], [0x61, 0x62, 0xff, 0, 0]);
  });

  it("returns an owned array itself when it is long enough", () => {
    const a = allocBytes(8);
    assert.equal(mutableBytes(a, 4, true), a);
    assert.equal(mutableBytes(a, 8, true), a);
  });

  it("grows into spare capacity without copying, exposing zero bytes", () => {
    const a = mutableBytes("hello", 6, true);
    assert.ok(a.buffer.byteLength > 6);
    const b = mutableBytes(a, 9, true);
    assert.equal(b.buffer, a.buffer);
    assert.equal(toLatin1(b), "hello\x00\x00\x00\x00");
  });

  it("reserves capacity by doubling below 1 MB and by 1 MB steps above", () => {
    assert.equal(mutableBytes("x", 100, true).buffer.byteLength, 200);
    assert.equal(mutableBytes("x", 2 * 1024 * 1024, true).buffer.byteLength, 3 * 1024 * 1024);
  });

  it("never grows into the buffer of an array it did not allocate", () => {
    const pool = new Uint8Array(16).fill(7);
    const foreign = pool.subarray(0, 4);
    const grown = mutableBytes(foreign, 8, true);
    assert.notEqual(grown.buffer, pool.buffer);
    assert.deepEqual([...grown], [7, 7, 7, 7, 0, 0, 0, 0]);
    assert.deepEqual([...pool], new Array(16).fill(7));
  });
});

describe("cloneStringValue()", () => {
  it("returns an independent copy of bytes", () => {
    const a = allocBytes(2);
    const c = cloneStringValue(a) as Uint8Array;
    a[0] = 9;
    assert.equal(c[0], 0);
    assert.equal(cloneStringValue("abc"), "abc");
  });
});

describe("setRange() and appendBytes()", () => {
  it("setRange writes at an offset with zero padding", () => {
    assert.equal(toLatin1(setRange(undefined, 3, "ab")), "\x00\x00\x00ab");
    assert.equal(toLatin1(setRange("hello", 1, "EY")), "hEYlo");
    assert.equal(toLatin1(setRange("hi", 4, "!")), "hi\x00\x00!");
  });

  it("appendBytes appends in place once the value is bytes", () => {
    const a = appendBytes("abc", "d");
    const b = appendBytes(a, "e");
    assert.equal(b.buffer, a.buffer);
    assert.equal(toLatin1(b), "abcde");
    assert.equal(toLatin1(appendBytes("x", "")), "x");
  });

  it("handles long latin1 data", () => {
    const data = "\x00\xff".repeat(100);
    assert.equal(toLatin1(appendBytes("z", data)), "z" + data);
  });
});

describe("getRange()", () => {
  it("slices both storage forms the same way", () => {
    for (const v of ["Hello World", bytes("Hello World")]) {
      assert.equal(getRange(v, 0, 4), "Hello");
      assert.equal(getRange(v, -5, -1), "World");
      assert.equal(getRange(v, -1, -5), "");
      assert.equal(getRange(v, 6, 1000), "World");
      assert.equal(getRange(v, 20, 30), "");
    }
    assert.equal(getRange("", 0, -1), "");
  });
});

describe("incrInteger()", () => {
  it("adds to absent, string and byte values", () => {
    assert.deepEqual(incrInteger(undefined, 5), { status: "ok", value: 5 });
    assert.deepEqual(incrInteger("10", -3), { status: "ok", value: 7 });
    assert.deepEqual(incrInteger(bytes("41"), 1), { status: "ok", value: 42 });
  });

  it("keeps full precision past 2^53", () => {
    assert.deepEqual(incrInteger("9007199254740992", 1), { status: "ok", value: 9007199254740993n });
    assert.deepEqual(incrInteger("-9223372036854775807", -1), { status: "ok", value: -9223372036854775808n });
  });

  it("reports non-integers and overflow", () => {
    assert.deepEqual(incrInteger("1.0", 1), { status: "notint" });
    assert.deepEqual(incrInteger("x".repeat(30), 1), { status: "notint" });
    assert.deepEqual(incrInteger("9223372036854775807", 1), { status: "overflow" });
    assert.deepEqual(incrInteger("-9223372036854775808", -1), { status: "overflow" });
  });

  it("valueAsInt64 follows string2ll", () => {
    assert.equal(valueAsInt64("-0"), null);
    assert.equal(valueAsInt64("0"), 0);
    assert.equal(valueAsInt64(bytes("123")), 123);
  });
});

describe("incrFloat()", () => {
  it("matches redis-server results for sampled operands", () => {
    // Each expectation was produced by redis-server (x86-64, 80-bit long double): SET a, INCRBYFLOAT b.
    const cases: [string, string, string][] = [
      ["31e0", "-6.0e-05", "30.99994"],
      ["0.00021310077258047066", "8392792376770538.0", "8392792376770538"],
      ["-0.13510133195280649", "479030", "479029.8648986680472035"],
      ["-72167.291731661535", "-163193", "-235360.29173166153501029"],
      ["2.7668513546087126e+17", "0.245282149562553528543001960", "276685135460871260.25"],
      ["7.171413103619596e+17", "34e-14", "717141310361959600"],
      ["-589275.7772", "0.34279211540709253", "-589275.43440788459292889"],
      ["0.1132396005381302", "-9.78819738e+14", "-978819737999999.88677978515625"],
      ["0.065894811311440", "-0.6368972171776579", "-0.5710024058662179"],
      ["-769842.59831509", "7e20", "699999999999999230144"],
      ["40e-8", "-862227", "-862226.99999960000002375"],
      ["66e-11", "26e6", "26000000.00000000066029315"],
      ["-345872", "6.34307354023367526e-29", "-345872"],
      ["0.14912099326826156", "27e25", "270000000000000000000000000"],
      ["0.97475661250090518772036", "0.0012690159185682647", "0.97602562841947345"],
      ["326853.798571", "768019", "1094872.79857100000003811"],
      ["7.4099324e+12", "0.00011554489764809328", "7409932400000.00011539459228516"],
      ["0.004921929746266539", "-3.658120e-11", "0.00492192970968534"],
      ["-0.47776960554127612", "-2.88608e-16", "-0.47776960554127641"],
      ["0.123308051697", "81e-1", "8.223308051697"],
      ["96e21", "0.3932176541636246770968250671", "96000000000000000000000"],
      ["7.9923470974485233426e+07", "-5.07498720226427674e+08", "-427575249.25194244057638571"],
      ["1.33040128405315806788503e-08", "0.05366306261169", "0.05366307591570284"],
      ["10.5", "0.1", "10.6"],
      ["0.1", "0.2", "0.3"],
      ["1", "1.5e-17", "1.00000000000000001"],
      ["1", "5e-18", "1"],
      ["2.5e-17", "0", "0.00000000000000002"],
      ["-2.5e-17", "0", "-0.00000000000000002"],
      ["-1e-20", "0", "0"],
      ["0.000003814697265625", "0", "0.00000381469726562"],
      ["1.5", "0.000003814697265625", "1.50000381469726562"],
      ["0x1.8p3", "0.25", "12.25"],
      ["0.123456789", "987654321.123456789", "987654321.24691357801202685"],
      ["9007199254740993", "0", "9007199254740993"],
    ];
    for (const [a, b, want] of cases) {
      assert.deepEqual(incrFloat(a, b), { status: "ok", value: want }, `${a} + ${b}`);
    }
  });

  it("starts from 0 for an absent value and reads bytes", () => {
    assert.deepEqual(incrFloat(undefined, "2.5"), { status: "ok", value: "2.5" });
    assert.deepEqual(incrFloat(bytes("1.5"), "1"), { status: "ok", value: "2.5" });
  });

  it("reports invalid operands and infinite results", () => {
    assert.deepEqual(incrFloat("abc", "1"), { status: "notfloat" });
    assert.deepEqual(incrFloat("1", "nan"), { status: "notfloat" });
    assert.deepEqual(incrFloat("1", "inf"), { status: "nan" });
    assert.deepEqual(incrFloat("inf", "-inf"), { status: "nan" });
    assert.deepEqual(incrFloat("1.18e4932", "1e4931"), { status: "nan" });
  });
});

describe("parseLongDouble()", () => {
  it("accepts strtold syntax", () => {
    for (const s of ["1", "-1", "+1", ".5", "5.", "1e5", "1E-5", "0x10", "0X1.8P1", "inf", "-Infinity", "0", "-0.0"]) {
      assert.notEqual(parseLongDouble(s), null, s);
    }
  });

  it("rejects what string2ld rejects", () => {
    for (const s of ["", " 1", "1 ", "1e", "e1", ".", "nan", "NaN(1)", "0x", "0x1p", "1e5000", "1e-5000", "1\x00"]) {
      assert.equal(parseLongDouble(s), null, JSON.stringify(s));
    }
    assert.equal(parseLongDouble("1".repeat(5120)), null);
  });

  it("keeps subnormal long doubles and the full exponent range", () => {
    assert.notEqual(parseLongDouble("1e-4940"), null);
    assert.notEqual(parseLongDouble("1e4932"), null);
    assert.equal(parseLongDouble("1.19e4932"), null);
  });
});

describe("formatLongDoubleHuman()", () => {
  it("prints %.17Lf without trailing zeros and never -0", () => {
    const fmt = (s: string) => formatLongDoubleHuman(parseLongDouble(s)!);
    assert.equal(fmt("3.0e3"), "3000");
    assert.equal(fmt("-0"), "0");
    assert.equal(fmt("1e-18"), "0");
    assert.equal(fmt("-1e-18"), "0");
    assert.equal(fmt("123.456"), "123.456");
    assert.equal(fmt("inf"), "inf");
    assert.equal(fmt("-inf"), "-inf");
  });

  it("prints a double's exact value at 17 decimals", () => {
    assert.equal(formatLongDoubleHuman(longDoubleFromNumber(0.1)), "0.10000000000000001");
    assert.equal(formatLongDoubleHuman(longDoubleFromNumber(-2.5)), "-2.5");
    assert.equal(formatLongDoubleHuman(longDoubleFromNumber(2 ** 70)), "1180591620717411303424");
  });

  it("addLongDouble rounds once in 64-bit precision", () => {
    const sum = addLongDouble(parseLongDouble("0.1")!, parseLongDouble("0.2")!)!;
    assert.equal(formatLongDoubleHuman(sum), "0.3");
    assert.equal(addLongDouble(parseLongDouble("inf")!, parseLongDouble("1")!), null);
  });
});

describe("lcs()", () => {
  it("returns the subsequence, its length and Valkey's match ranges", () => {
    const r = lcs("ohmytext", "mynewtext", { text: true, matches: true, minMatchLen: 0 });
    assert.equal(r.text, "mytext");
    assert.equal(r.len, 6);
    assert.deepEqual(r.matches, [{ a: [4, 7], b: [5, 8], len: 4 }, { a: [2, 3], b: [0, 1], len: 2 }]);
  });

  it("filters matches by minimum length and skips the walk when only the length is needed", () => {
    assert.deepEqual(lcs("ohmytext", "mynewtext", { text: false, matches: true, minMatchLen: 3 }).matches, [
      { a: [4, 7], b: [5, 8], len: 4 },
    ]);
    const r = lcs("ohmytext", "mynewtext", { text: false, matches: false, minMatchLen: 0 });
    assert.equal(r.len, 6);
    assert.equal(r.text, "");
  });

  it("works on bytes and on empty inputs", () => {
    assert.equal(lcs(bytes("a\xffb"), "\xffb", { text: true, matches: false, minMatchLen: 0 }).text, "\xffb");
    assert.equal(lcs("", "abc", { text: true, matches: true, minMatchLen: 0 }).len, 0);
  });

  it("uses wide cells when lengths pass 65535", () => {
    const a = "ab".repeat(40_000);
    const r = lcs(a, "b", { text: true, matches: false, minMatchLen: 0 });
    assert.equal(r.text, "b");
  });
});

describe("toLatin1()", () => {
  it("round-trips every byte value", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const s = toLatin1(all);
    assert.equal(s.length, 256);
    assert.deepEqual([...Buffer.from(s, "latin1")], [...all]);
  });
});
