import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bitcount,
  bitop,
  bitpos,
  fieldResult,
  getBit,
  getSignedField,
  getUnsignedField,
  popcount,
  setBit,
  setField,
} from "../../src/types/bitmap.ts";

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

describe("getBit() and setBit()", () => {
  it("address bit 0 as the most significant bit of the first byte", () => {
    assert.equal(getBit("\x80", 0), 1);
    assert.equal(getBit("\x80", 1), 0);
    assert.equal(getBit(bytes("\x01"), 7), 1);
    assert.equal(getBit("\x01", 8), 0);
  });

  it("setBit returns the previous bit", () => {
    const b = new Uint8Array(2);
    assert.equal(setBit(b, 9, 1), 0);
    assert.equal(setBit(b, 9, 1), 1);
    assert.deepEqual([...b], [0, 0x40]);
    assert.equal(setBit(b, 9, 0), 1);
    assert.deepEqual([...b], [0, 0]);
  });

  it("handle offsets past 2^31 without 32-bit truncation", () => {
    assert.equal(getBit("\xff", 2 ** 32), 0);
    const b = new Uint8Array(1);
    assert.equal(setBit(b, 7, 1), 0);
    assert.equal(getBit(b, 2 ** 32 + 7), 0);
  });
});

describe("popcount() and bitcount()", () => {
  it("count set bits in both storage forms", () => {
    assert.equal(popcount("foobar", 0, 5), 26);
    assert.equal(popcount(bytes("foobar"), 1, 1), 6);
    assert.equal(bitcount("foobar"), 26);
    assert.equal(bitcount(""), 0);
  });

  it("clamp byte ranges and default the end", () => {
    assert.equal(bitcount("foobar", { start: 1, bit: false }), 22);
    assert.equal(bitcount("foobar", { start: 0, end: 0, bit: false }), 4);
    assert.equal(bitcount("foobar", { start: -1, end: -2, bit: false }), 0);
    assert.equal(bitcount("foobar", { start: 10, end: 20, bit: false }), 0);
  });

  it("mask the edge bytes of bit ranges", () => {
    assert.equal(bitcount("\xff\xff", { start: 3, end: 12, bit: true }), 10);
    assert.equal(bitcount("\xff", { start: 2, end: 2, bit: true }), 1);
    assert.equal(bitcount("\xff\xff", { start: -3, end: -1, bit: true }), 3);
  });
});

describe("bitpos()", () => {
  it("finds bits and zero-pads only without an explicit end", () => {
    assert.equal(bitpos("\xff\xf0\x00", 0), 12);
    assert.equal(bitpos("\xff\xff", 0), 16);
    assert.equal(bitpos("\xff\xff", 0, { start: 0, end: -1, bit: false }), -1);
    assert.equal(bitpos("\x00\x00", 1), -1);
    assert.equal(bitpos("", 0), -1);
  });

  it("searches bit ranges that start and end inside bytes", () => {
    assert.equal(bitpos("\x00\xff", 1, { start: 3, end: 9, bit: true }), 8);
    assert.equal(bitpos("\xff\x00", 0, { start: 3, end: 7, bit: true }), -1);
    assert.equal(bitpos("\xff\x00", 0, { start: 3, end: 8, bit: true }), 8);
    assert.equal(bitpos(bytes("\x01"), 1, { start: 7, end: 7, bit: true }), 7);
  });

  it("skips whole bytes in long runs", () => {
    const s = "\x00".repeat(10_000) + "\x02";
    assert.equal(bitpos(s, 1), 80_006);
    assert.equal(bitpos(s, 1, { start: 5, end: 80_005, bit: true }), -1);
  });
});

describe("bitop()", () => {
  it("combines sources of different lengths", () => {
    assert.equal(latin1(bitop("and", ["\xff\x0f", "\x0f"])!), "\x0f\x00");
    assert.equal(latin1(bitop("or", ["\xf0", undefined, "\x0f\x01"])!), "\xff\x01");
    assert.equal(latin1(bitop("xor", [bytes("\xff\xff"), "\x0f"])!), "\xf0\xff");
    assert.equal(latin1(bitop("not", ["\x0f\xf0"])!), "\xf0\x0f");
  });

  it("returns null when every source is empty", () => {
    assert.equal(bitop("or", [undefined, ""]), null);
    assert.equal(bitop("not", [undefined]), null);
  });
});

describe("BITFIELD field helpers", () => {
  it("read unsigned and signed fields at any offset, zero past the end", () => {
    assert.equal(getUnsignedField("\xaa\x55", 0, 16), 0xaa55n);
    assert.equal(getSignedField("\xaa\x55", 0, 16), 0xaa55n - 0x10000n);
    assert.equal(getUnsignedField("\xaa\x55", 3, 5), 10n);
    assert.equal(getUnsignedField("\xff", 4, 8), 0xf0n);
    assert.equal(getSignedField("\xff".repeat(8), 0, 64), -1n);
    assert.equal(getUnsignedField("\x7f" + "\xff".repeat(7), 1, 63), 2n ** 63n - 1n);
  });

  it("setField writes the low bits in two's complement", () => {
    const b = new Uint8Array(3);
    setField(b, 4, 8, -1n);
    assert.deepEqual([...b], [0x0f, 0xf0, 0]);
    setField(b, 4, 8, 0x5an);
    assert.deepEqual([...b], [0x05, 0xa0, 0]);
    const w = new Uint8Array(8);
    setField(w, 0, 64, -9223372036854775808n);
    assert.deepEqual([...w], [0x80, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("fieldResult applies WRAP, SAT and FAIL", () => {
    const u2 = { signed: false, bits: 2 };
    const i8 = { signed: true, bits: 8 };
    assert.equal(fieldResult(u2, 3n, 1n, "wrap"), 0n);
    assert.equal(fieldResult(u2, 3n, 1n, "sat"), 3n);
    assert.equal(fieldResult(u2, 3n, 1n, "fail"), null);
    assert.equal(fieldResult(u2, 0n, -1n, "sat"), 0n);
    assert.equal(fieldResult(u2, 0n, -1n, "wrap"), 3n);
    assert.equal(fieldResult(i8, 100n, 100n, "wrap"), -56n);
    assert.equal(fieldResult(i8, -100n, -100n, "sat"), -128n);
    assert.equal(fieldResult(i8, 5n, 1n, "fail"), 6n);
  });

  it("fieldResult sees a negative unsigned SET value as its 64-bit image", () => {
    const u8 = { signed: false, bits: 8 };
    assert.equal(fieldResult(u8, -1n, 0n, "wrap"), 255n);
    assert.equal(fieldResult(u8, -1n, 0n, "sat"), 255n);
    assert.equal(fieldResult(u8, -256n, 0n, "wrap"), 0n);
  });

  it("fieldResult handles 64-bit signed limits", () => {
    const i64 = { signed: true, bits: 64 };
    const max = 2n ** 63n - 1n;
    assert.equal(fieldResult(i64, max, 1n, "wrap"), -(2n ** 63n));
    assert.equal(fieldResult(i64, max, 1n, "sat"), max);
    assert.equal(fieldResult(i64, -(2n ** 63n), -1n, "fail"), null);
  });
});
