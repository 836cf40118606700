import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type HashLimits, HashValue } from "../../src/types/hash.ts";
import { parseLongDouble } from "../../src/util/number.ts";

const LIMITS: HashLimits = { maxListpackEntries: 4, maxListpackValue: 8 };

/** A deterministic generator (mulberry32). */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashOf(n: number, limits: HashLimits = LIMITS): HashValue {
  const h = new HashValue();
  for (let i = 0; i < n; i++) h.set("f" + i, "v" + i, limits);
  return h;
}

function ld(text: string) {
  const v = parseLongDouble(text);
  assert.ok(v !== null);
  return v;
}

describe("HashValue encoding", () => {
  it("starts as a listpack and keeps insertion order, updating values in place", () => {
    const h = new HashValue();
    assert.equal(h.set("b", "1", LIMITS), true);
    assert.equal(h.set("a", "2", LIMITS), true);
    assert.equal(h.set("b", "3", LIMITS), false);
    assert.equal(h.encoding(), "listpack");
    assert.deepEqual(h.flat(), ["b", "3", "a", "2"]);
  });

  it("closes the gap when a listpack field is deleted", () => {
    const h = hashOf(3);
    assert.equal(h.delete("f1"), true);
    assert.equal(h.delete("f1"), false);
    assert.deepEqual(h.fields(), ["f0", "f2"]);
  });

  it("converts to a hashtable past hash-max-listpack-entries and stays one after shrinking", () => {
    const h = hashOf(4);
    assert.equal(h.encoding(), "listpack");
    h.set("f4", "v4", LIMITS);
    assert.equal(h.encoding(), "hashtable");
    for (let i = 0; i < 5; i++) h.delete("f" + i);
    h.set("x", "y", LIMITS);
    assert.equal(h.encoding(), "hashtable");
    assert.deepEqual(h.flat(), ["x", "y"]);
  });

  it("converts when a field or a value is longer than hash-max-listpack-value", () => {
    const a = new HashValue();
    a.set("f", "123456789", LIMITS);
    assert.equal(a.encoding(), "hashtable");
    const b = new HashValue();
    b.set("123456789", "v", LIMITS);
    assert.equal(b.encoding(), "hashtable");
    const c = new HashValue();
    c.set("12345678", "12345678", LIMITS);
    assert.equal(c.encoding(), "listpack");
  });

  it("keeps the listpack order when converting", () => {
    const h = hashOf(4);
    h.set("big", "123456789", LIMITS);
    assert.deepEqual(h.fields(), ["f0", "f1", "f2", "f3", "big"]);
  });

  it("prepareWrite converts for more pairs than the entry limit even when fields repeat", () => {
    const h = new HashValue();
    const args = ["HSET", "k", "a", "1", "a", "2", "a", "3", "a", "4", "a", "5"];
    h.prepareWrite(args, 2, args.length - 1, LIMITS);
    assert.equal(h.encoding(), "hashtable");
  });

  it("prepareWrite converts for any argument over the value limit and leaves small writes alone", () => {
    const small = new HashValue();
    small.prepareWrite(["HSET", "k", "a", "1"], 2, 3, LIMITS);
    assert.equal(small.encoding(), "listpack");
    const long = new HashValue();
    long.prepareWrite(["HSET", "k", "a", "1", "b", "123456789"], 2, 5, LIMITS);
    assert.equal(long.encoding(), "hashtable");
  });
});

describe("HashValue reads", () => {
  for (const n of [3, 10]) {
    const enc = n === 3 ? "listpack" : "hashtable";
    it(`get, has, valueLength and size work on a ${enc}`, () => {
      const h = hashOf(n);
      assert.equal(h.encoding(), enc);
      assert.equal(h.size, n);
      assert.equal(h.get("f2"), "v2");
      assert.equal(h.get("nope"), undefined);
      assert.equal(h.has("f1"), true);
      assert.equal(h.has("nope"), false);
      assert.equal(h.valueLength("f2"), 2);
      assert.equal(h.valueLength("nope"), 0);
    });

    it(`forEach, entries, fields, values and flat agree on a ${enc}`, () => {
      const h = hashOf(n);
      const seen: string[] = [];
      h.forEach((f, v) => seen.push(f, v));
      assert.deepEqual(seen, h.flat());
      assert.deepEqual([...h.entries()].flat(), h.flat());
      assert.deepEqual(h.fields(), Array.from({ length: n }, (_, i) => "f" + i));
      assert.deepEqual(h.values(), Array.from({ length: n }, (_, i) => "v" + i));
    });
  }

  it("treats fields and values as binary-safe byte strings", () => {
    const h = new HashValue();
    h.set("\x00\xff", "\r\n\x80", LIMITS);
    assert.equal(h.get("\x00\xff"), "\r\n\x80");
    assert.equal(h.valueLength("\x00\xff"), 3);
  });
});

describe("HashValue.incrBy", () => {
  it("starts an absent field at 0 and stores the decimal result", () => {
    const h = new HashValue();
    assert.deepEqual(h.incrBy("n", 5, LIMITS), { status: "ok", value: 5 });
    assert.deepEqual(h.incrBy("n", -7, LIMITS), { status: "ok", value: -2 });
    assert.equal(h.get("n"), "-2");
  });

  it("refuses a value that is not a canonical int64", () => {
    const h = new HashValue();
    for (const bad of ["x", " 1", "01", "+1", "1.0", "", "9223372036854775808"]) {
      h.set("n", bad, LIMITS);
      assert.deepEqual(h.incrBy("n", 1, LIMITS), { status: "notint" }, bad);
    }
  });

  it("works past 2^53 and reports overflow in both directions without changing the value", () => {
    const h = new HashValue();
    h.set("n", "9223372036854775806", LIMITS);
    assert.deepEqual(h.incrBy("n", 1, LIMITS), { status: "ok", value: 9223372036854775807n });
    assert.deepEqual(h.incrBy("n", 1, LIMITS), { status: "overflow" });
    assert.equal(h.get("n"), "9223372036854775807");
    h.set("m", "-9223372036854775807", LIMITS);
    assert.deepEqual(h.incrBy("m", -1n, LIMITS), { status: "ok", value: -9223372036854775808n });
    assert.deepEqual(h.incrBy("m", -1, LIMITS), { status: "overflow" });
  });

  it("converts the hash when the field is too long for a listpack", () => {
    const h = new HashValue();
    h.incrBy("a-long-field", 1, LIMITS);
    assert.equal(h.encoding(), "hashtable");
  });
});

describe("HashValue.incrByFloat", () => {
  it("adds in long double precision and prints like Valkey", () => {
    const h = new HashValue();
    assert.deepEqual(h.incrByFloat("x", "0.1", ld("0.1"), LIMITS), { status: "ok", value: "0.1" });
    assert.deepEqual(h.incrByFloat("x", "0.2", ld("0.2"), LIMITS), { status: "ok", value: "0.3" });
    h.set("y", "1500", LIMITS);
    assert.deepEqual(h.incrByFloat("y", "0.1", ld("0.1"), LIMITS), { status: "ok", value: "1500.09999999999999998" });
  });

  it("parses the stored value with strtold rules", () => {
    const h = new HashValue();
    h.set("x", "0x10", LIMITS);
    assert.deepEqual(h.incrByFloat("x", "1", ld("1"), LIMITS), { status: "ok", value: "17" });
    h.set("y", "1e2", LIMITS);
    assert.deepEqual(h.incrByFloat("y", "1", ld("1"), LIMITS), { status: "ok", value: "101" });
  });

  it("refuses a stored value that is not a number", () => {
    const h = new HashValue();
    h.set("x", "abc", LIMITS);
    assert.deepEqual(h.incrByFloat("x", "1", ld("1"), LIMITS), { status: "notfloat" });
    assert.equal(h.get("x"), "abc");
  });

  it("reports an infinite result and keeps the old value", () => {
    const h = new HashValue();
    h.set("x", "1e4932", LIMITS);
    const r = h.incrByFloat("x", "1e4932", ld("1e4932"), LIMITS);
    assert.deepEqual(r, { status: "nan" });
    assert.equal(h.get("x"), "1e4932");
    h.set("y", "inf", LIMITS);
    assert.deepEqual(h.incrByFloat("y", "1", ld("1"), LIMITS), { status: "nan" });
  });

  it("converts the hash when the result is too long for a listpack", () => {
    const h = new HashValue();
    h.incrByFloat("x", "1e20", ld("1e20"), LIMITS);
    assert.equal(h.get("x"), "100000000000000000000");
    assert.equal(h.encoding(), "hashtable");
  });
});

describe("HashValue.randomFields", () => {
  for (const n of [4, 40]) {
    const enc = n === 4 ? "listpack" : "hashtable";
    it(`returns count picks with repeats for a negative count on a ${enc}`, () => {
      const h = hashOf(n);
      const r = h.randomFields(3 * n, false, false, seeded(1));
      assert.equal(r.length, 3 * n);
      assert.ok(new Set(r).size < r.length);
      for (const f of r) assert.ok(h.has(f));
    });

    it(`pairs each field with its value on a ${enc}`, () => {
      const h = hashOf(n);
      const r = h.randomFields(2 * n, false, true, seeded(2));
      assert.equal(r.length, 4 * n);
      for (let i = 0; i < r.length; i += 2) assert.equal(h.get(r[i]!), r[i + 1]);
    });

    it(`returns the whole hash in order when count >= size on a ${enc}`, () => {
      const h = hashOf(n);
      assert.deepEqual(h.randomFields(n + 5, true, true, seeded(3)), h.flat());
    });
  }

  it("samples distinct listpack fields in listpack order", () => {
    const h = hashOf(4);
    for (let seed = 0; seed < 20; seed++) {
      const r = h.randomFields(2, true, false, seeded(seed));
      assert.equal(r.length, 2);
      assert.ok(h.fields().indexOf(r[0]!) < h.fields().indexOf(r[1]!));
    }
  });

  it("returns distinct fields from a hashtable whether most or few are asked for", () => {
    const h = hashOf(40);
    for (const count of [30, 5]) {
      const r = h.randomFields(count, true, true, seeded(count));
      const fields = r.filter((_, i) => i % 2 === 0);
      assert.equal(fields.length, count);
      assert.equal(new Set(fields).size, count);
      for (let i = 0; i < r.length; i += 2) assert.equal(h.get(r[i]!), r[i + 1]);
    }
  });

  it("picks every field with roughly equal frequency", () => {
    const h = hashOf(10);
    const counts = new Map<string, number>();
    const rand = seeded(7);
    for (const f of h.randomFields(10000, false, false, rand)) counts.set(f, (counts.get(f) ?? 0) + 1);
    assert.equal(counts.size, 10);
    for (const c of counts.values()) assert.ok(c > 850 && c < 1150, String(c));
  });
});

describe("HashValue.scan", () => {
  it("returns a listpack whole with cursor 0 whatever the cursor", () => {
    const h = hashOf(3);
    const seen: string[] = [];
    assert.equal(h.scan(12345, 1, (f, v) => seen.push(f, v)), 0);
    assert.deepEqual(seen, h.flat());
  });

  it("walks a hashtable in steps and visits every field exactly once", () => {
    const h = hashOf(100);
    const seen: string[] = [];
    let cursor = 0;
    let calls = 0;
    do {
      cursor = h.scan(cursor, 7, (f) => seen.push(f));
      calls++;
    } while (cursor !== 0);
    assert.ok(calls > 10);
    assert.deepEqual(seen.sort(), h.fields().sort());
  });

  it("never misses a field present for the whole scan while others come and go", () => {
    const h = hashOf(200);
    const seen = new Set<string>();
    let cursor = 0;
    let round = 0;
    do {
      cursor = h.scan(cursor, 10, (f) => seen.add(f));
      // Churn: drop some fields that may not have been visited, add new ones.
      for (let i = 0; i < 5; i++) h.delete("f" + (199 - round * 5 - i));
      for (let i = 0; i < 5; i++) h.set("new" + round + "_" + i, "x", LIMITS);
      round++;
    } while (cursor !== 0);
    for (let i = 0; i < 200 - round * 5; i++) assert.ok(seen.has("f" + i), "f" + i);
  });
});

describe("HashValue.clone", () => {
  for (const n of [3, 10]) {
    it(`copies a ${n === 3 ? "listpack" : "hashtable"} deeply with the same encoding`, () => {
      const h = hashOf(n);
      const c = h.clone();
      assert.equal(c.encoding(), h.encoding());
      assert.deepEqual(c.flat(), h.flat());
      c.set("f0", "changed", LIMITS);
      c.delete("f1");
      assert.equal(h.get("f0"), "v0");
      assert.equal(h.get("f1"), "v1");
    });
  }
});
