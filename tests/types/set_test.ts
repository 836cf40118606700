import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  difference,
  intersect,
  intersectStore,
  isIntsetMember,
  type SetLimits,
  SetValue,
  union,
} from "../../src/types/set.ts";

const LIMITS: SetLimits = { maxIntsetEntries: 8, maxListpackEntries: 4, maxListpackValue: 6 };

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

function setOf(members: readonly string[], limits: SetLimits = LIMITS): SetValue {
  const s = SetValue.create(members[0]!, members.length, limits);
  for (const m of members) s.add(m, limits);
  return s;
}

function range(n: number, prefix = ""): string[] {
  return Array.from({ length: n }, (_, i) => prefix + i);
}

describe("isIntsetMember", () => {
  it("accepts only canonical int64 text", () => {
    for (const ok of ["0", "-1", "123", "9223372036854775807", "-9223372036854775808"]) {
      assert.equal(isIntsetMember(ok), true, ok);
    }
    for (const bad of ["", "01", "+1", "-0", " 1", "1 ", "1.0", "9223372036854775808", "a"]) {
      assert.equal(isIntsetMember(bad), false, bad);
    }
  });
});

describe("SetValue.create", () => {
  it("picks intset, listpack or hashtable from the first member and the size hint", () => {
    assert.equal(SetValue.create("1", 8, LIMITS).encoding(), "intset");
    assert.equal(SetValue.create("1", 9, LIMITS).encoding(), "hashtable");
    assert.equal(SetValue.create("a", 4, LIMITS).encoding(), "listpack");
    assert.equal(SetValue.create("a", 5, LIMITS).encoding(), "hashtable");
    assert.equal(SetValue.create("01", 1, LIMITS).encoding(), "listpack");
  });
});

describe("SetValue intset", () => {
  it("keeps members in ascending numeric order, negatives and int64 extremes included", () => {
    const s = setOf(["10", "-2", "9", "-10", "0", "9223372036854775807", "-9223372036854775808"]);
    assert.equal(s.encoding(), "intset");
    assert.deepEqual(s.toArray(), ["-9223372036854775808", "-10", "-2", "0", "9", "10", "9223372036854775807"]);
  });

  it("finds and removes members by value and ignores non-canonical spellings", () => {
    const s = setOf(["1", "2", "3"]);
    assert.equal(s.has("2"), true);
    assert.equal(s.has("02"), false);
    assert.equal(s.add("2", LIMITS), false);
    assert.equal(s.remove("02"), false);
    assert.equal(s.remove("2"), true);
    assert.deepEqual(s.toArray(), ["1", "3"]);
  });

  it("becomes a listpack when a short non-integer arrives into a small intset", () => {
    const s = setOf(["3", "1"]);
    assert.equal(s.add("a", LIMITS), true);
    assert.equal(s.encoding(), "listpack");
    assert.deepEqual(s.toArray(), ["1", "3", "a"]);
  });

  it("becomes a hashtable when the non-integer does not fit a listpack", () => {
    const long = setOf(["1"]);
    long.add("abcdefg", LIMITS);
    assert.equal(long.encoding(), "hashtable");
    const many = setOf(["1", "2", "3", "4"]);
    many.add("a", LIMITS);
    assert.equal(many.encoding(), "hashtable");
    const wide = setOf(["1234567"]);
    wide.add("a", LIMITS);
    assert.equal(wide.encoding(), "hashtable");
    assert.deepEqual(wide.toArray().sort(), ["1234567", "a"]);
  });

  it("becomes a hashtable past set-max-intset-entries", () => {
    const s = setOf(range(8));
    assert.equal(s.encoding(), "intset");
    s.add("8", LIMITS);
    assert.equal(s.encoding(), "hashtable");
    assert.equal(s.size, 9);
  });
});

describe("SetValue listpack", () => {
  it("keeps insertion order and closes gaps on removal", () => {
    const s = setOf(["b", "a", "c"]);
    assert.equal(s.encoding(), "listpack");
    s.remove("a");
    s.add("d", LIMITS);
    assert.deepEqual(s.toArray(), ["b", "c", "d"]);
  });

  it("becomes a hashtable past the entry limit or for a long member, never back", () => {
    const s = setOf(["a", "b", "c", "d"]);
    s.add("e", LIMITS);
    assert.equal(s.encoding(), "hashtable");
    for (const m of ["a", "b", "c", "d"]) s.remove(m);
    assert.equal(s.encoding(), "hashtable");
    const t = setOf(["a"]);
    t.add("abcdefg", LIMITS);
    assert.equal(t.encoding(), "hashtable");
  });
});

describe("SetValue.reserve", () => {
  it("converts ahead of a bulk add that cannot fit", () => {
    const lp = setOf(["a"]);
    lp.reserve(5, LIMITS);
    assert.equal(lp.encoding(), "hashtable");
    const is = setOf(["1"]);
    is.reserve(8, LIMITS);
    assert.equal(is.encoding(), "intset");
    is.reserve(9, LIMITS);
    assert.equal(is.encoding(), "hashtable");
  });
});

describe("SetValue hashtable", () => {
  it("supports membership, removal and iteration", () => {
    const s = setOf(range(10, "m"));
    assert.equal(s.encoding(), "hashtable");
    assert.equal(s.has("m3"), true);
    assert.equal(s.remove("m3"), true);
    assert.equal(s.has("m3"), false);
    assert.equal(s.size, 9);
    assert.deepEqual([...s], s.toArray());
  });
});

describe("SetValue random members", () => {
  for (
    const [name, members] of [
      ["intset", ["1", "2", "3"]],
      ["listpack", ["a", "b", "c"]],
      ["hashtable", range(10, "m")],
    ] as const
  ) {
    it(`pop removes what it returns on a ${name}`, () => {
      const s = setOf(members);
      const seen = new Set<string>();
      const rand = seeded(5);
      while (s.size > 0) {
        const m = s.pop(rand);
        assert.ok(!s.has(m));
        seen.add(m);
      }
      assert.deepEqual([...seen].sort(), [...members].sort());
    });

    it(`randomMembers honours unique and count on a ${name}`, () => {
      const s = setOf(members);
      const rand = seeded(9);
      const dup = s.randomMembers(30, false, rand);
      assert.equal(dup.length, 30);
      assert.ok(new Set(dup).size < 30);
      assert.deepEqual(s.randomMembers(100, true, rand), s.toArray());
      const two = s.randomMembers(2, true, rand);
      assert.equal(new Set(two).size, 2);
      for (const m of two) assert.ok(s.has(m));
    });
  }

  it("samples a big hashtable sparsely without repeats", () => {
    const s = setOf(range(60, "m"));
    const r = s.randomMembers(5, true, seeded(3));
    assert.equal(new Set(r).size, 5);
  });

  it("draws members with roughly equal frequency", () => {
    const s = setOf(range(10, "m"));
    const counts = new Map<string, number>();
    for (const m of s.randomMembers(10000, false, seeded(11))) counts.set(m, (counts.get(m) ?? 0) + 1);
    assert.equal(counts.size, 10);
    for (const c of counts.values()) assert.ok(c > 850 && c < 1150, String(c));
  });
});

describe("SetValue.popMany", () => {
  const big: SetLimits = { maxIntsetEntries: 512, maxListpackEntries: 128, maxListpackValue: 64 };

  it("removes few members one by one and keeps the rest", () => {
    const s = setOf(range(100, "m"), big);
    const out = s.popMany(10, seeded(1), big);
    assert.equal(out.length, 10);
    assert.equal(new Set(out).size, 10);
    assert.equal(s.size, 90);
    for (const m of out) assert.ok(!s.has(m));
  });

  it("takes listpack members in listpack order", () => {
    const s = setOf(["a", "b", "c", "d", "e", "f"], big);
    const before = s.toArray();
    const out = s.popMany(2, seeded(4), big);
    assert.ok(before.indexOf(out[0]!) < before.indexOf(out[1]!));
    assert.deepEqual(s.toArray(), before.filter((m) => !out.includes(m)));
  });

  it("moves the survivors of a large pop to a fresh set, shrinking a hashtable to a listpack", () => {
    const s = setOf(range(200, "m"), big);
    assert.equal(s.encoding(), "hashtable");
    const out = s.popMany(190, seeded(2), big);
    assert.equal(out.length, 190);
    assert.equal(s.size, 10);
    assert.equal(s.encoding(), "listpack");
    for (const m of out) assert.ok(!s.has(m));
    assert.equal(new Set([...out, ...s.toArray()]).size, 200);
  });

  it("keeps an intset an intset when most of it is popped", () => {
    const s = setOf(range(20), big);
    const out = s.popMany(18, seeded(6), big);
    assert.equal(out.length, 18);
    assert.equal(s.encoding(), "intset");
    const rest = s.toArray();
    assert.equal(rest.length, 2);
    assert.ok(Number(rest[0]) < Number(rest[1]));
  });

  it("keeps the survivors of a listpack as a listpack", () => {
    const s = setOf(range(10, "m"), big);
    const out = s.popMany(9, seeded(8), big);
    assert.equal(out.length, 9);
    assert.equal(s.size, 1);
    assert.equal(s.encoding(), "listpack");
  });
});

describe("SetValue.scan", () => {
  it("returns small encodings whole with cursor 0", () => {
    for (const members of [["3", "1"], ["b", "a"]]) {
      const s = setOf(members);
      const seen: string[] = [];
      assert.equal(s.scan(99, 1, (m) => seen.push(m)), 0);
      assert.deepEqual(seen, s.toArray());
    }
  });

  it("walks a hashtable with a cursor and visits every member once", () => {
    const s = setOf(range(50, "m"));
    const seen: string[] = [];
    let cursor = 0;
    do cursor = s.scan(cursor, 4, (m) => seen.push(m)); while (cursor !== 0);
    assert.deepEqual(seen.sort(), s.toArray().sort());
  });
});

describe("SetValue.clone", () => {
  for (const members of [["1", "2"], ["a", "b"], range(10, "m")]) {
    it(`copies a set of ${members.length} deeply with the same encoding`, () => {
      const s = setOf(members);
      const c = s.clone();
      assert.equal(c.encoding(), s.encoding());
      assert.deepEqual(c.toArray(), s.toArray());
      c.add("new", LIMITS);
      c.remove(members[0]!);
      assert.equal(s.has("new"), false);
      assert.equal(s.has(members[0]!), true);
    });
  }
});

describe("set algebra", () => {
  it("intersect answers in the smallest set's order and treats a missing set as empty", () => {
    const a = setOf(["x", "y", "z", "w"]);
    const b = setOf(["w", "y"]);
    assert.deepEqual(intersect([a, b]), ["w", "y"]);
    assert.deepEqual(intersect([a, undefined]), []);
    assert.deepEqual(intersect([a, a]), a.toArray());
  });

  it("intersect stops at the limit", () => {
    const a = setOf(range(10, "m"));
    assert.equal(intersect([a, a], 3).length, 3);
    assert.equal(intersect([a], 0).length, 10);
  });

  it("intersectStore turns an all-integer result into an intset", () => {
    const a = setOf(range(10));
    const b = setOf(range(10));
    b.add("x", LIMITS);
    assert.equal(a.encoding(), "hashtable");
    const r = intersectStore([a, b], { ...LIMITS, maxIntsetEntries: 16 });
    assert.equal(r.encoding(), "intset");
    assert.deepEqual(r.toArray(), range(10).sort((x, y) => Number(x) - Number(y)));
  });

  it("intersectStore of strings gets the natural encoding", () => {
    const a = setOf(["a", "b", "c"]);
    assert.equal(intersectStore([a, a], LIMITS).encoding(), "listpack");
    const big = setOf(range(10, "m"));
    assert.equal(intersectStore([big, big], LIMITS).encoding(), "hashtable");
    assert.equal(intersectStore([big, setOf(["zz"])], LIMITS).size, 0);
  });

  it("union starts from an intset and converts as members arrive", () => {
    assert.equal(union([setOf(["3", "1"]), setOf(["2"])], LIMITS).encoding(), "intset");
    assert.deepEqual(union([setOf(["3", "1"]), setOf(["2"])], LIMITS).toArray(), ["1", "2", "3"]);
    const mixed = union([setOf(["2", "1"]), setOf(["a"]), undefined], LIMITS);
    assert.equal(mixed.encoding(), "listpack");
    assert.deepEqual(mixed.toArray(), ["1", "2", "a"]);
    assert.equal(union([setOf(range(10, "m"))], LIMITS).encoding(), "hashtable");
    assert.equal(union([undefined], LIMITS).size, 0);
  });

  it("difference removes every later set's members", () => {
    const a = setOf(["a", "b", "c", "d"]);
    assert.deepEqual(difference([a, setOf(["b"]), undefined, setOf(["d", "q"])], LIMITS).toArray(), ["a", "c"]);
    assert.equal(difference([undefined, a], LIMITS).size, 0);
    assert.equal(difference([a, a], LIMITS).size, 0);
    assert.deepEqual(difference([a], LIMITS).toArray(), ["a", "b", "c", "d"]);
  });

  it("difference by copy-and-remove can leave a hashtable, as in Valkey", () => {
    // Many small sets against a big first set select the copy-and-remove algorithm: the
    // result is built as a copy of the first set (a hashtable) and then shrunk.
    const first = setOf(range(10, "m"));
    const singles = range(9, "m").map((m) => setOf([m]));
    const r = difference([first, ...singles], LIMITS);
    assert.deepEqual(r.toArray(), ["m9"]);
    assert.equal(r.encoding(), "hashtable");
    // The probing algorithm builds only what survives.
    const probe = difference([first, setOf(range(9, "m"))], LIMITS);
    assert.deepEqual(probe.toArray(), ["m9"]);
    assert.equal(probe.encoding(), "listpack");
  });
});
