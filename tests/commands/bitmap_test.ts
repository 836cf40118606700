import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, type TestEngine } from "../_helpers/engine.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const BIT_OFFSET = { error: "ERR bit offset is not an integer or out of range" };
const BIT_VALUE = { error: "ERR bit is not an integer or out of range" };
const BAD_TYPE = {
  error: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
};

function putList(t: TestEngine, key: string): void {
  t.engine.dbs[0]!.set(key, { type: "list" }, t.clock.now());
}

function recordEvents(t: TestEngine): string[] {
  const events: string[] = [];
  t.engine.onKeyModified((_db, key, event) => events.push(`${event}:${key}`));
  return events;
}

function stored(t: TestEngine, key: string): unknown {
  return t.engine.dbs[0]!.peek(key, t.clock.now());
}

/** Population count of a latin1 byte string, as a reference. */
function countBits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let b = s.charCodeAt(i);
    while (b) {
      n += b & 1;
      b >>= 1;
    }
  }
  return n;
}

describe("SETBIT", () => {
  it("sets bits most significant first and returns the previous bit", () => {
    const t = makeEngine();
    assert.equal(t.exec("SETBIT", "b", 7, 1), 0);
    assert.equal(t.exec("GET", "b"), "\x01");
    assert.equal(t.exec("SETBIT", "b", 0, 1), 0);
    assert.equal(t.exec("GET", "b"), "\x81");
    assert.equal(t.exec("SETBIT", "b", 7, 1), 1);
    assert.equal(t.exec("SETBIT", "b", 7, 0), 1);
    assert.equal(t.exec("GET", "b"), "\x80");
  });

  it("grows the value with zero bytes", () => {
    const t = makeEngine();
    t.exec("SET", "b", "a");
    assert.equal(t.exec("SETBIT", "b", 100, 1), 0);
    assert.equal(t.exec("STRLEN", "b"), 13);
    assert.equal(t.exec("GET", "b"), "a" + "\x00".repeat(11) + "\x08");
  });

  it("modifies an integer value", () => {
    const t = makeEngine();
    t.exec("SET", "b", "1");
    assert.equal(t.exec("SETBIT", "b", 6, 1), 0);
    assert.equal(t.exec("GET", "b"), "3");
  });

  it("rejects an offset that is negative, not an integer or past 512 MB", () => {
    const t = makeEngine();
    for (const off of ["-1", "abc", "1.5", "4294967296", "99999999999999999999", "#1"]) {
      assert.deepEqual(t.exec("SETBIT", "b", off, 1), BIT_OFFSET, off);
    }
    assert.equal(t.exec("GET", "b"), null);
  });

  it("honours a lowered proto-max-bulk-len for the offset", () => {
    const t = makeEngine({ config: { "proto-max-bulk-len": "1048576" } });
    assert.deepEqual(t.exec("SETBIT", "b", 8 * 1048576, 1), BIT_OFFSET);
    assert.equal(t.exec("SETBIT", "b", 8 * 1048576 - 1, 1), 0);
    assert.equal(t.exec("STRLEN", "b"), 1048576);
  });

  it("rejects a bit value other than 0 or 1", () => {
    const t = makeEngine();
    for (const v of ["2", "-1", "abc", "", "1.0"]) {
      assert.deepEqual(t.exec("SETBIT", "b", 0, v), BIT_VALUE, v);
    }
  });

  it("checks the offset before the value", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SETBIT", "b", -1, 5), BIT_OFFSET);
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("SETBIT", "l", 0, 1), WRONGTYPE);
  });

  it("keeps the TTL", () => {
    const t = makeEngine();
    t.exec("SET", "b", "x", "EX", 10);
    t.exec("SETBIT", "b", 0, 1);
    assert.equal(t.engine.dbs[0]!.getExpire("b")! - t.clock.now(), 10_000);
  });

  it("fires setbit only when the value changes or grows", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    t.exec("SETBIT", "b", 3, 1);
    t.exec("SETBIT", "b", 3, 1);
    t.exec("SETBIT", "b", 4, 0);
    t.exec("SETBIT", "b", 20, 0);
    t.exec("SETBIT", "b", 4, 1);
    assert.deepEqual(events, ["setbit:b", "setbit:b", "setbit:b"]);
  });

  it("creates a key even when clearing a bit", () => {
    const t = makeEngine();
    assert.equal(t.exec("SETBIT", "b", 10, 0), 0);
    assert.equal(t.exec("GET", "b"), "\x00\x00");
  });

  it("updates a big bitmap in place", () => {
    const t = makeEngine();
    t.exec("SETBIT", "b", 8_000_000, 1);
    const before = stored(t, "b") as Uint8Array;
    for (let i = 0; i < 1000; i++) t.exec("SETBIT", "b", i * 7919, 1);
    assert.equal(stored(t, "b"), before);
    assert.equal(t.exec("BITCOUNT", "b"), 1001);
  });

  it("grows a bitmap set bit by bit with amortized copies", () => {
    const t = makeEngine();
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 8 * 4096; i += 8) {
      t.exec("SETBIT", "b", i, 1);
      buffers.add((stored(t, "b") as Uint8Array).buffer);
    }
    assert.equal(t.exec("STRLEN", "b"), 4096);
    assert.ok(buffers.size < 20, `${buffers.size} reallocations`);
    assert.equal(t.exec("BITCOUNT", "b"), 4096);
  });

  it("matches a reference bitmap after random writes", () => {
    const t = makeEngine();
    const ref = new Uint8Array(64);
    let seed = 3;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const off = seed % 512;
      const on = (seed >> 9) & 1;
      const prev = (ref[off >> 3]! >> (7 - (off & 7))) & 1;
      assert.equal(t.exec("SETBIT", "b", off, on), prev);
      if (on) ref[off >> 3]! |= 1 << (7 - (off & 7));
      else ref[off >> 3]! &= ~(1 << (7 - (off & 7)));
    }
    const got = t.exec("GET", "b") as string;
    for (let i = 0; i < got.length; i++) assert.equal(got.charCodeAt(i), ref[i]);
  });
});

describe("GETBIT", () => {
  it("reads bits most significant first, 0 past the end", () => {
    const t = makeEngine();
    t.exec("SET", "b", "\x80\x01");
    assert.equal(t.exec("GETBIT", "b", 0), 1);
    assert.equal(t.exec("GETBIT", "b", 1), 0);
    assert.equal(t.exec("GETBIT", "b", 15), 1);
    assert.equal(t.exec("GETBIT", "b", 16), 0);
    assert.equal(t.exec("GETBIT", "b", 4294967295), 0);
  });

  it("returns 0 for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("GETBIT", "b", 5), 0);
  });

  it("reads the decimal text of an integer value", () => {
    const t = makeEngine();
    t.exec("SET", "i", "1");
    assert.equal(t.exec("GETBIT", "i", 2), 1);
    assert.equal(t.exec("GETBIT", "i", 3), 1);
    assert.equal(t.exec("GETBIT", "i", 7), 1);
    assert.equal(t.exec("GETBIT", "i", 6), 0);
  });

  it("rejects a bad offset before looking at the key", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("GETBIT", "l", -1), BIT_OFFSET);
    assert.deepEqual(t.exec("GETBIT", "l", "4294967296"), BIT_OFFSET);
    assert.deepEqual(t.exec("GETBIT", "l", 0), WRONGTYPE);
  });
});

describe("BITCOUNT", () => {
  const setup = () => {
    const t = makeEngine();
    t.exec("SET", "s", "foobar");
    return t;
  };

  it("counts all set bits", () => {
    const t = setup();
    assert.equal(t.exec("BITCOUNT", "s"), 26);
  });

  it("returns 0 for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("BITCOUNT", "k"), 0);
    assert.equal(t.exec("BITCOUNT", "k", 0, -1), 0);
    assert.equal(t.exec("BITCOUNT", "k", 0, -1, "BIT"), 0);
  });

  it("counts within byte ranges, negative indexes from the end", () => {
    const t = setup();
    assert.equal(t.exec("BITCOUNT", "s", 0, 0), 4);
    assert.equal(t.exec("BITCOUNT", "s", 1, 1), 6);
    assert.equal(t.exec("BITCOUNT", "s", 1, 1, "BYTE"), 6);
    assert.equal(t.exec("BITCOUNT", "s", -1, -1), countBits("r"));
    assert.equal(t.exec("BITCOUNT", "s", -2, -1), countBits("ar"));
    assert.equal(t.exec("BITCOUNT", "s", 0, 1000), 26);
    assert.equal(t.exec("BITCOUNT", "s", -100, 1), countBits("fo"));
    assert.equal(t.exec("BITCOUNT", "s", 2, 1), 0);
  });

  it("returns 0 when both indexes are negative and out of order, before clamping", () => {
    const t = setup();
    assert.equal(t.exec("BITCOUNT", "s", -1, -2), 0);
    assert.equal(t.exec("BITCOUNT", "s", -1, -2, "BIT"), 0);
    assert.equal(t.exec("BITCOUNT", "s", -100, -50), countBits("f"));
  });

  it("counts within bit ranges", () => {
    const t = setup();
    assert.equal(t.exec("BITCOUNT", "s", 5, 30, "BIT"), 17);
    assert.equal(t.exec("BITCOUNT", "s", 0, -1, "bit"), 26);
    assert.equal(t.exec("BITCOUNT", "s", 3, 3, "BIT"), 0);
    assert.equal(t.exec("BITCOUNT", "s", 1, 6, "BIT"), 4);
    assert.equal(t.exec("BITCOUNT", "s", -10, -3, "BIT"), 4);
  });

  it("matches a reference count for every bit range of a short value", () => {
    const t = makeEngine();
    const s = "\xa5\x0f\xff\x00\x81";
    t.exec("SET", "k", s);
    const bits: number[] = [];
    for (let i = 0; i < s.length * 8; i++) bits.push((s.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1);
    for (let a = -45; a <= 45; a += 3) {
      for (let b = -45; b <= 45; b += 4) {
        let start = a < 0 ? 40 + a : a;
        let end = b < 0 ? 40 + b : b;
        let want = 0;
        if (!(a < 0 && b < 0 && a > b)) {
          start = Math.max(start, 0);
          end = Math.min(Math.max(end, 0), 39);
          for (let i = start; i <= end; i++) want += bits[i]!;
        }
        assert.equal(t.exec("BITCOUNT", "k", a, b, "BIT"), want, `${a} ${b}`);
      }
    }
  });

  it("accepts a start without an end (Valkey 8)", () => {
    const t = setup();
    assert.equal(t.exec("BITCOUNT", "s", 0), 26);
    assert.equal(t.exec("BITCOUNT", "s", 1), countBits("oobar"));
    assert.equal(t.exec("BITCOUNT", "s", -1), countBits("r"));
    assert.equal(t.exec("BITCOUNT", "s", -2), countBits("ar"));
    assert.equal(t.exec("BITCOUNT", "s", 1000), 0);
    assert.equal(t.exec("BITCOUNT", "s", -1000), 26);
  });

  it("rejects bad arguments even for a missing key (Valkey 8)", () => {
    const t = setup();
    assert.deepEqual(t.exec("BITCOUNT", "missing", 0, 1, "FOO"), SYNTAX);
    assert.deepEqual(t.exec("BITCOUNT", "missing", "a"), NOT_INT);
    assert.deepEqual(t.exec("BITCOUNT", "s", 0, -1, "FOO"), SYNTAX);
    assert.deepEqual(t.exec("BITCOUNT", "s", "a", 1), NOT_INT);
    assert.deepEqual(t.exec("BITCOUNT", "s", 0, "b"), NOT_INT);
    assert.deepEqual(t.exec("BITCOUNT", "s", 0, 1, "BIT", "x"), SYNTAX);
  });

  it("checks the unit before the end index", () => {
    const t = setup();
    assert.deepEqual(t.exec("BITCOUNT", "s", 0, "b", "FOO"), SYNTAX);
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("BITCOUNT", "l"), WRONGTYPE);
    assert.deepEqual(t.exec("BITCOUNT", "l", 0, 1), WRONGTYPE);
  });

  it("counts an integer value's decimal text and an empty value", () => {
    const t = makeEngine();
    t.exec("SET", "i", "12345");
    t.exec("SET", "e", "");
    assert.equal(t.exec("BITCOUNT", "i"), countBits("12345"));
    assert.equal(t.exec("BITCOUNT", "e"), 0);
  });
});

describe("BITPOS", () => {
  const setup = () => {
    const t = makeEngine();
    t.exec("SET", "z", "\xff\xf0\x00");
    return t;
  };

  it("finds the first set and clear bit", () => {
    const t = setup();
    assert.equal(t.exec("BITPOS", "z", 0), 12);
    assert.equal(t.exec("BITPOS", "z", 1), 0);
  });

  it("searches from a start byte, considering the value zero-padded", () => {
    const t = setup();
    assert.equal(t.exec("BITPOS", "z", 0, 2), 16);
    assert.equal(t.exec("BITPOS", "z", 1, 2), -1);
    assert.equal(t.exec("BITPOS", "z", 0, 100), -1);
    assert.equal(t.exec("BITPOS", "z", 1, -1), -1);
    assert.equal(t.exec("BITPOS", "z", 0, -1), 16);
  });

  it("answers the first bit past the end when no clear bit exists and no end is given", () => {
    const t = makeEngine();
    t.exec("SET", "ones", "\xff\xff");
    assert.equal(t.exec("BITPOS", "ones", 0), 16);
    assert.equal(t.exec("BITPOS", "ones", 0, 0), 16);
    assert.equal(t.exec("BITPOS", "ones", 0, 1), 16);
  });

  it("answers -1 when no clear bit exists within an explicit end", () => {
    const t = makeEngine();
    t.exec("SET", "ones", "\xff\xff");
    assert.equal(t.exec("BITPOS", "ones", 0, 0, -1), -1);
    assert.equal(t.exec("BITPOS", "ones", 0, 0, 15, "BIT"), -1);
    assert.equal(t.exec("BITPOS", "ones", 0, 3, 9, "BIT"), -1);
  });

  it("searches byte and bit ranges", () => {
    const t = setup();
    assert.equal(t.exec("BITPOS", "z", 0, 2, -1), 16);
    assert.equal(t.exec("BITPOS", "z", 1, 2, -1), -1);
    assert.equal(t.exec("BITPOS", "z", 0, 0, 0), -1);
    assert.equal(t.exec("BITPOS", "z", 0, 0, 1), 12);
    assert.equal(t.exec("BITPOS", "z", 0, 7, 15, "BIT"), 12);
    assert.equal(t.exec("BITPOS", "z", 1, 7, 15, "BIT"), 7);
    assert.equal(t.exec("BITPOS", "z", 0, 8, 11, "BIT"), -1);
    assert.equal(t.exec("BITPOS", "z", 0, 12, 15, "bit"), 12);
    assert.equal(t.exec("BITPOS", "z", 1, 12, 23, "BIT"), -1);
    assert.equal(t.exec("BITPOS", "z", 1, 5, 3), -1);
  });

  it("matches a reference search for every bit range", () => {
    const t = makeEngine();
    const s = "\xf7\x00\xff\x10";
    t.exec("SET", "k", s);
    const bits: number[] = [];
    for (let i = 0; i < 32; i++) bits.push((s.charCodeAt(i >> 3) >> (7 - (i & 7))) & 1);
    for (const bit of [0, 1]) {
      for (let a = -34; a <= 34; a += 3) {
        for (let b = -34; b <= 34; b += 2) {
          const start = Math.max(a < 0 ? 32 + a : a, 0);
          const end = Math.min(Math.max(b < 0 ? 32 + b : b, 0), 31);
          let want = -1;
          for (let i = start; i <= end; i++) {
            if (bits[i] === bit) {
              want = i;
              break;
            }
          }
          assert.equal(t.exec("BITPOS", "k", bit, a, b, "BIT"), want, `${bit} ${a} ${b}`);
        }
      }
    }
  });

  it("treats a missing key as endless zeros", () => {
    const t = makeEngine();
    assert.equal(t.exec("BITPOS", "k", 1), -1);
    assert.equal(t.exec("BITPOS", "k", 0), 0);
    assert.equal(t.exec("BITPOS", "k", 0, 5, 10), 0);
  });

  it("answers -1 on an empty value", () => {
    const t = makeEngine();
    t.exec("SET", "e", "");
    assert.equal(t.exec("BITPOS", "e", 0), -1);
    assert.equal(t.exec("BITPOS", "e", 1), -1);
  });

  it("finds bits deep in a long value", () => {
    const t = makeEngine();
    t.exec("SETBIT", "b", 100_000, 1);
    assert.equal(t.exec("BITPOS", "b", 1), 100_000);
    assert.equal(t.exec("BITPOS", "b", 1, 12_500), 100_000);
    assert.equal(t.exec("BITPOS", "b", 1, 99_990, 100_005, "BIT"), 100_000);
    t.exec("SET", "f", "\xff".repeat(5000) + "\xfe");
    assert.equal(t.exec("BITPOS", "f", 0), 40_007);
  });

  it("rejects a bit other than 0 or 1 and bad range arguments", () => {
    const t = setup();
    assert.deepEqual(t.exec("BITPOS", "z", 2), { error: "ERR The bit argument must be 1 or 0." });
    assert.deepEqual(t.exec("BITPOS", "z", "a"), NOT_INT);
    assert.deepEqual(t.exec("BITPOS", "z", 1, "a"), NOT_INT);
    assert.deepEqual(t.exec("BITPOS", "z", 1, 0, "b"), NOT_INT);
    assert.deepEqual(t.exec("BITPOS", "z", 1, 0, 1, "FOO"), SYNTAX);
    assert.deepEqual(t.exec("BITPOS", "z", 1, 0, 1, "BIT", "x"), SYNTAX);
  });

  it("rejects bad arguments even for a missing key (Valkey 8)", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITPOS", "k", 1, 0, -1, "FOO"), SYNTAX);
    assert.deepEqual(t.exec("BITPOS", "k", 2), { error: "ERR The bit argument must be 1 or 0." });
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("BITPOS", "l", 1), WRONGTYPE);
  });
});

describe("BITOP", () => {
  const setup = () => {
    const t = makeEngine();
    t.exec("SET", "a", "foobar");
    t.exec("SET", "b", "abcdef");
    return t;
  };
  const xorBytes = (x: string, y: string, f: (p: number, q: number) => number) => {
    let out = "";
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      out += String.fromCharCode(f(x.charCodeAt(i) || 0, y.charCodeAt(i) || 0) & 0xff);
    }
    return out;
  };

  it("computes AND, OR and XOR and returns the result length", () => {
    const t = setup();
    assert.equal(t.exec("BITOP", "AND", "d", "a", "b"), 6);
    assert.equal(t.exec("GET", "d"), xorBytes("foobar", "abcdef", (p, q) => p & q));
    assert.equal(t.exec("BITOP", "or", "d", "a", "b"), 6);
    assert.equal(t.exec("GET", "d"), xorBytes("foobar", "abcdef", (p, q) => p | q));
    assert.equal(t.exec("BITOP", "Xor", "d", "a", "b"), 6);
    assert.equal(t.exec("GET", "d"), xorBytes("foobar", "abcdef", (p, q) => p ^ q));
  });

  it("computes NOT of a single key", () => {
    const t = setup();
    assert.equal(t.exec("BITOP", "NOT", "d", "a"), 6);
    assert.equal(t.exec("GET", "d"), xorBytes("foobar", "", (p) => ~p));
  });

  it("zero-pads shorter keys and treats missing keys as empty", () => {
    const t = setup();
    t.exec("SET", "s", "ab");
    assert.equal(t.exec("BITOP", "AND", "d", "a", "s"), 6);
    assert.equal(t.exec("GET", "d"), xorBytes("fo", "ab", (p, q) => p & q) + "\x00\x00\x00\x00");
    assert.equal(t.exec("BITOP", "OR", "d", "s", "a", "missing"), 6);
    assert.equal(t.exec("GET", "d"), xorBytes("ab", "foobar", (p, q) => p | q));
    assert.equal(t.exec("BITOP", "AND", "d", "missing", "a"), 6);
    assert.equal(t.exec("GET", "d"), "\x00".repeat(6));
  });

  it("leaves a single input unchanged for AND, OR and XOR", () => {
    const t = setup();
    for (const op of ["AND", "OR", "XOR"]) {
      t.exec("BITOP", op, "d", "a");
      assert.equal(t.exec("GET", "d"), "foobar");
    }
  });

  it("can write to one of its sources", () => {
    const t = setup();
    t.exec("BITOP", "XOR", "a", "a", "b");
    t.exec("BITOP", "XOR", "a", "a", "b");
    assert.equal(t.exec("GET", "a"), "foobar");
  });

  it("deletes the destination when every source is empty", () => {
    const t = setup();
    t.exec("SET", "d", "old", "EX", 10);
    const events = recordEvents(t);
    assert.equal(t.exec("BITOP", "AND", "d", "x", "y"), 0);
    assert.equal(stored(t, "d"), undefined);
    assert.equal(t.exec("BITOP", "NOT", "d", "x"), 0);
    assert.deepEqual(events, ["del:d"]);
  });

  it("overwrites the destination's type and TTL and fires set", () => {
    const t = setup();
    putList(t, "d");
    t.engine.dbs[0]!.setExpire("d", t.clock.now() + 1000);
    const events = recordEvents(t);
    t.exec("BITOP", "OR", "d", "a");
    assert.equal(t.exec("GET", "d"), "foobar");
    assert.equal(t.engine.dbs[0]!.getExpire("d"), undefined);
    assert.deepEqual(events, ["set:d"]);
  });

  it("uses integer values as their decimal text", () => {
    const t = makeEngine();
    t.exec("SET", "i", "1");
    t.exec("SET", "j", "2");
    t.exec("BITOP", "OR", "d", "i", "j");
    assert.equal(t.exec("GET", "d"), "3");
  });

  it("rejects NOT with several sources and unknown operations", () => {
    const t = setup();
    assert.deepEqual(t.exec("BITOP", "NOT", "d", "a", "b"), {
      error: "ERR BITOP NOT must be called with a single source key.",
    });
    assert.deepEqual(t.exec("BITOP", "NAND", "d", "a"), SYNTAX);
    assert.deepEqual(t.exec("BITOP", "DIFF", "d", "a", "b"), SYNTAX);
  });

  it("errors when a source has another type", () => {
    const t = setup();
    putList(t, "l");
    assert.deepEqual(t.exec("BITOP", "AND", "d", "a", "l"), WRONGTYPE);
    assert.equal(stored(t, "d"), undefined);
  });
});

describe("BITFIELD", () => {
  it("sets and gets signed and unsigned fields", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "i8", 0, -100), [0]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "i8", 0, "GET", "u8", 0), [-100, 156]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u8", 0, 255, "GET", "u8", 0), [156, 255]);
  });

  it("reads fields at arbitrary bit offsets and zero past the end", () => {
    const t = makeEngine();
    t.exec("SET", "s", "\xaa\x55");
    assert.deepEqual(t.exec("BITFIELD", "s", "GET", "u3", 1, "GET", "i5", 3, "GET", "u16", 0, "GET", "i16", 0), [
      2,
      10,
      0xaa55,
      0xaa55 - 0x10000,
    ]);
    assert.deepEqual(t.exec("BITFIELD", "s", "GET", "u9", 7, "GET", "u8", 12, "GET", "u8", 100), [85, 80, 0]);
  });

  it("writes fields at arbitrary bit offsets", () => {
    const t = makeEngine();
    t.exec("SET", "s", "\xaa\x55");
    assert.deepEqual(t.exec("BITFIELD", "s", "SET", "i5", 3, -7, "GET", "u16", 0), [10, 0xb955]);
    assert.deepEqual(t.exec("BITFIELD", "s", "INCRBY", "u12", 2, 1000, "GET", "u16", 0), [573, 0x88f5]);
  });

  it("multiplies #N offsets by the field width", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u8", "#1", 5, "GET", "u8", 8, "GET", "u4", "#2"), [0, 5, 0]);
    assert.equal(t.exec("GET", "bf"), "\x00\x05");
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8", "#-1"), BIT_OFFSET);
  });

  it("wraps a #N product at 64 bits like Valkey", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u8", "#2305843009213693953", 1), [0]);
    assert.equal(t.exec("GET", "bf"), "\x00\x01");
  });

  it("wraps INCRBY results by default", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "u2", 100, 1), [1]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "u2", 100, 4), [1]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "u2", 100, -2), [3]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "i8", 0, 400), [-112]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "i8", 0, 200), [-112]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "i8", 0), [-56]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u8", 0, -1, "GET", "u8", 0), [200, 255]);
  });

  it("saturates with OVERFLOW SAT", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u2", 0, 5, "INCRBY", "u2", 0, -9, "INCRBY", "i8", 8, 300),
      [3, 0, 127],
    );
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", 8, -1000), [-128]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", 16, -1, "GET", "u8", 16), [0, 255]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", 16, 200, "GET", "i8", 16), [-1, 127]);
  });

  it("replies nil and writes nothing with OVERFLOW FAIL", () => {
    const t = makeEngine();
    t.exec("BITFIELD", "bf", "SET", "u2", 0, 3);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 1, "GET", "u2", 0), [null, 3]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, -1), [2]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "fail", "SET", "u8", 8, 256), [null]);
  });

  it("applies each OVERFLOW to the operations after it", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec(
        "BITFIELD",
        "bf",
        "INCRBY",
        "u2",
        100,
        7,
        "OVERFLOW",
        "SAT",
        "INCRBY",
        "u2",
        102,
        7,
        "OVERFLOW",
        "FAIL",
        "INCRBY",
        "u2",
        104,
        7,
      ),
      [3, 3, null],
    );
  });

  it("handles 64-bit signed and 63-bit unsigned fields exactly", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "i64", 0, "-9223372036854775808"), [0]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "i64", 0), [-9223372036854775808n]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "i64", 0, -1), [9223372036854775807n]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", 0, 1), [9223372036854775807n]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i64", 0, 1), [null]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u63", 0, "9223372036854775807"), [4611686018427387903n]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "u63", 0, 1), [0]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u63", 0, -1), [0]);
  });

  it("creates or grows the key to the farthest write even when the write fails", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 10), [null]);
    assert.equal(t.exec("GET", "bf"), "\x00");
    assert.deepEqual(t.exec("BITFIELD", "g", "SET", "u8", 80, 0), [0]);
    assert.equal(t.exec("STRLEN", "g"), 11);
    assert.deepEqual(events, ["setbit:g"]);
  });

  it("does not create the key for reads only", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "k", "GET", "u8", 0, "GET", "i16", 100), [0, 0]);
    assert.deepEqual(t.exec("BITFIELD", "k"), []);
    assert.equal(stored(t, "k"), undefined);
  });

  it("fires setbit only when a field changes", () => {
    const t = makeEngine();
    t.exec("SET", "bf", "\x00");
    const events = recordEvents(t);
    t.exec("BITFIELD", "bf", "SET", "u8", 0, 0);
    t.exec("BITFIELD", "bf", "SET", "u8", 0, 1, "SET", "u8", 0, 2);
    assert.deepEqual(events, ["setbit:bf"]);
  });

  it("rejects bad field types", () => {
    const t = makeEngine();
    for (const type of ["u64", "i65", "i0", "u0", "I8", "U8", "x8", "i", "i08", "i-1", "i+8"]) {
      assert.deepEqual(t.exec("BITFIELD", "bf", "GET", type, 0), BAD_TYPE, type);
    }
  });

  it("rejects bad offsets and values", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8", -1), BIT_OFFSET);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8", "4294967296"), BIT_OFFSET);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8", "#536870912"), BIT_OFFSET);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8", "#536870911"), [0]);
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u8", 0, "abc"), NOT_INT);
    assert.deepEqual(t.exec("BITFIELD", "bf", "INCRBY", "u8", 0, "1.5"), NOT_INT);
  });

  it("rejects unknown or incomplete subcommands and overflow types", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BITFIELD", "bf", "FOO"), SYNTAX);
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8"), SYNTAX);
    assert.deepEqual(t.exec("BITFIELD", "bf", "SET", "u8", 0), SYNTAX);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW"), SYNTAX);
    assert.deepEqual(t.exec("BITFIELD", "bf", "OVERFLOW", "foo", "GET", "u8", 0), {
      error: "ERR Invalid OVERFLOW type specified",
    });
    assert.deepEqual(t.exec("BITFIELD", "bf", "GET", "u8", 0, "SET", "u8", 0, 1, "BAD"), SYNTAX);
    assert.equal(stored(t, "bf"), undefined);
  });

  it("accepts subcommands in any case and a trailing OVERFLOW", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec("BITFIELD", "bf", "get", "u8", 0, "set", "u8", 0, 1, "incrby", "u8", 0, 1, "overflow", "sat"),
      [
        0,
        0,
        2,
      ],
    );
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("BITFIELD", "l", "GET", "u8", 0), WRONGTYPE);
    assert.deepEqual(t.exec("BITFIELD", "l", "SET", "u8", 0, 1), WRONGTYPE);
  });
});

describe("BITFIELD_RO", () => {
  it("reads fields", () => {
    const t = makeEngine();
    t.exec("SET", "s", "\xf0");
    assert.deepEqual(t.exec("BITFIELD_RO", "s", "GET", "u4", 0, "GET", "i4", 2), [15, -4]);
    assert.deepEqual(t.exec("BITFIELD_RO", "missing", "GET", "u8", 0), [0]);
    assert.deepEqual(t.exec("BITFIELD_RO", "s"), []);
  });

  it("rejects writes after validating every operation", () => {
    const t = makeEngine();
    const err = { error: "ERR BITFIELD_RO only supports the GET subcommand" };
    assert.deepEqual(t.exec("BITFIELD_RO", "s", "SET", "u8", 0, 1), err);
    assert.deepEqual(t.exec("BITFIELD_RO", "s", "GET", "u8", 0, "INCRBY", "u8", 0, 1), err);
    assert.deepEqual(t.exec("BITFIELD_RO", "s", "SET", "u8", 0, "abc"), NOT_INT);
    assert.deepEqual(t.exec("BITFIELD_RO", "s", "OVERFLOW", "SAT", "GET", "u8", 0), [0]);
    assert.equal(stored(t, "s"), undefined);
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("BITFIELD_RO", "l", "GET", "u8", 0), WRONGTYPE);
  });
});
