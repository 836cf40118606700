import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type LexRange,
  lexRangeEmpty,
  type ScoreRange,
  scoreRangeEmpty,
  ZSet,
  type ZsetLimits,
} from "../../src/types/zset.ts";

const LIMITS: ZsetLimits = { maxEntries: 128, maxValue: 64 };

/** Every (member, score) pair in order. */
function entries(z: ZSet): [string, number][] {
  const out: [string, number][] = [];
  z.forEach((m, s) => out.push([m, s]));
  return out;
}

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A reference model: the same pairs sorted by (score, member). */
function model(pairs: Map<string, number>): [string, number][] {
  return [...pairs].sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

const sr = (min: number, max: number, minex = false, maxex = false): ScoreRange => ({ min, max, minex, maxex });
const lr = (min: string, max: string): LexRange => {
  const b = (s: string) =>
    s === "-"
      ? { kind: "-" as const, v: "", ex: true }
      : s === "+"
      ? { kind: "+" as const, v: "", ex: true }
      : { kind: "v" as const, v: s.slice(1), ex: s[0] === "(" };
  return { min: b(min), max: b(max) };
};

describe("ZSet ordering", () => {
  it("orders members by score, then by member bytes", () => {
    const z = ZSet.create(0, 0, LIMITS);
    z.add("b", 1, {}, LIMITS);
    z.add("a", 1, {}, LIMITS);
    z.add("c", 0.5, {}, LIMITS);
    z.add("\xff", 1, {}, LIMITS);
    z.add("B", 1, {}, LIMITS);
    assert.deepEqual(entries(z), [["c", 0.5], ["B", 1], ["a", 1], ["b", 1], ["\xff", 1]]);
    assert.equal(z.rank("a"), 2);
    assert.equal(z.rank("nope"), -1);
    assert.equal(z.memberAt(4), "\xff");
    assert.equal(z.scoreAt(0), 0.5);
  });

  it("keeps ranks exact across thousands of random inserts, updates and removals", () => {
    const rand = rng(7);
    const z = ZSet.create(0, 0, LIMITS);
    const ref = new Map<string, number>();
    for (let i = 0; i < 20000; i++) {
      const m = "m" + Math.floor(rand() * 3000);
      const op = rand();
      if (op < 0.6) {
        const s = Math.floor(rand() * 100);
        z.add(m, s, {}, LIMITS);
        ref.set(m, s);
      } else {
        assert.equal(z.remove(m), ref.delete(m));
      }
    }
    const want = model(ref);
    assert.equal(z.size, want.length);
    assert.deepEqual(entries(z), want);
    for (let i = 0; i < want.length; i += 97) {
      assert.equal(z.rank(want[i]![0]), i);
      assert.equal(z.memberAt(i), want[i]![0]);
    }
  });

  it("walks forwards and backwards across chunk boundaries and stops when asked", () => {
    const z = ZSet.create(1000, 0, LIMITS);
    for (let i = 0; i < 1000; i++) z.add("m" + String(i).padStart(4, "0"), i, {}, LIMITS);
    const fwd: number[] = [];
    z.walk(250, 260, (_m, s) => void fwd.push(s));
    assert.deepEqual(fwd, [250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 260]);
    const back: number[] = [];
    z.walk(520, 0, (_m, s) => {
      back.push(s);
      if (back.length === 3) return false;
    });
    assert.deepEqual(back, [520, 519, 518]);
  });
});

describe("ZSet.add", () => {
  it("reports added, updated, same and nop outcomes with ZADD's flags", () => {
    const z = ZSet.create(0, 0, LIMITS);
    assert.deepEqual(z.add("a", 1, {}, LIMITS), { out: "added", score: 1 });
    assert.deepEqual(z.add("a", 1, {}, LIMITS), { out: "same", score: 1 });
    assert.deepEqual(z.add("a", 2, {}, LIMITS), { out: "updated", score: 2 });
    assert.deepEqual(z.add("a", 5, { nx: true }, LIMITS), { out: "nop", score: 2 });
    assert.deepEqual(z.add("b", 5, { xx: true }, LIMITS), { out: "nop", score: 0 });
    assert.deepEqual(z.add("a", 1, { gt: true }, LIMITS), { out: "nop", score: 2 });
    assert.deepEqual(z.add("a", 3, { lt: true }, LIMITS), { out: "nop", score: 2 });
    assert.deepEqual(z.add("a", 3, { gt: true }, LIMITS), { out: "updated", score: 3 });
    assert.deepEqual(z.add("a", 1.5, { incr: true }, LIMITS), { out: "updated", score: 4.5 });
    assert.equal(z.size, 1);
  });

  it("refuses NaN scores and increments that produce NaN", () => {
    const z = ZSet.create(0, 0, LIMITS);
    assert.equal(z.add("a", NaN, {}, LIMITS).out, "nan");
    z.add("a", Infinity, {}, LIMITS);
    assert.equal(z.add("a", -Infinity, { incr: true }, LIMITS).out, "nan");
    assert.equal(z.score("a"), Infinity);
  });

  it("stores -0 as 0 in a listpack but keeps it in a skiplist", () => {
    const lp = ZSet.create(1, 1, LIMITS);
    lp.add("a", -0, {}, LIMITS);
    assert.ok(Object.is(lp.score("a"), 0));
    const sl = new ZSet(true);
    sl.add("a", -0, {}, LIMITS);
    assert.ok(Object.is(sl.score("a"), -0));
  });
});

describe("ZSet encodings", () => {
  it("starts as a listpack and converts one-way past zset-max-listpack-entries", () => {
    const limits = { maxEntries: 4, maxValue: 64 };
    const z = ZSet.create(1, 1, limits);
    for (const m of ["a", "b", "c", "d"]) z.add(m, 1, {}, limits);
    assert.equal(z.encoding(), "listpack");
    z.add("e", 1, {}, limits);
    assert.equal(z.encoding(), "skiplist");
    z.remove("e");
    z.remove("d");
    assert.equal(z.encoding(), "skiplist");
    assert.equal(z.score("a"), 1);
  });

  it("converts when a member is longer than zset-max-listpack-value", () => {
    const z = ZSet.create(1, 1, LIMITS);
    z.add("x".repeat(64), 1, {}, LIMITS);
    assert.equal(z.encoding(), "listpack");
    z.add("y".repeat(65), 1, {}, LIMITS);
    assert.equal(z.encoding(), "skiplist");
  });

  it("creates a skiplist directly when the size or length hint is too big, and reserve() converts", () => {
    assert.equal(ZSet.create(129, 1, LIMITS).encoding(), "skiplist");
    assert.equal(ZSet.create(1, 65, LIMITS).encoding(), "skiplist");
    const z = ZSet.create(2, 2, LIMITS);
    z.reserve(10, 10, LIMITS);
    assert.equal(z.encoding(), "listpack");
    z.reserve(200, 10, LIMITS);
    assert.equal(z.encoding(), "skiplist");
  });

  it("builds STORE results as a listpack only when small and short enough", () => {
    const small = ZSet.fromEntries(["b", "a"], [2, -0], LIMITS);
    assert.equal(small.encoding(), "listpack");
    assert.deepEqual(entries(small), [["a", 0], ["b", 2]]);
    assert.ok(Object.is(small.scoreAt(0), 0));
    const members = Array.from({ length: 300 }, (_, i) => "m" + i);
    const big = ZSet.fromEntries(members, members.map((_, i) => 300 - i), LIMITS);
    assert.equal(big.encoding(), "skiplist");
    assert.equal(big.memberAt(0), "m299");
    assert.equal(big.rank("m0"), 299);
    assert.equal(big.score("m10"), 290);
  });

  it("clones deeply in the same encoding", () => {
    const z = ZSet.create(200, 0, LIMITS);
    for (let i = 0; i < 200; i++) z.add("m" + i, i, {}, LIMITS);
    const c = z.clone();
    assert.equal(c.encoding(), "skiplist");
    c.remove("m1");
    c.add("new", 5, {}, LIMITS);
    assert.equal(z.size, 200);
    assert.equal(z.score("new"), undefined);
    assert.equal(c.size, 200);
    assert.equal(c.rank("new"), 5);
  });
});

describe("ZSet score ranges", () => {
  const z = ZSet.create(0, 0, LIMITS);
  for (let i = 1; i <= 10; i++) z.add("m" + i, i, {}, LIMITS);

  it("finds the first and last ranks in inclusive and exclusive ranges", () => {
    assert.equal(z.firstInScoreRange(sr(3, 5)), 2);
    assert.equal(z.lastInScoreRange(sr(3, 5)), 4);
    assert.equal(z.firstInScoreRange(sr(3, 5, true)), 3);
    assert.equal(z.lastInScoreRange(sr(3, 5, false, true)), 3);
    assert.equal(z.countInScoreRange(sr(-Infinity, Infinity)), 10);
    assert.equal(z.countInScoreRange(sr(2.5, 2.7)), 0);
    assert.equal(z.firstInScoreRange(sr(11, 20)), -1);
    assert.equal(z.lastInScoreRange(sr(-5, 0)), -1);
  });

  it("treats min > max and equal open bounds as empty", () => {
    assert.ok(scoreRangeEmpty(sr(5, 3)));
    assert.ok(scoreRangeEmpty(sr(5, 5, true)));
    assert.ok(!scoreRangeEmpty(sr(5, 5)));
    assert.equal(z.countInScoreRange(sr(5, 5)), 1);
    assert.equal(z.countInScoreRange(sr(5, 5, false, true)), 0);
  });
});

describe("ZSet lex ranges", () => {
  it("counts and bounds members sharing one score", () => {
    const z = ZSet.create(0, 0, LIMITS);
    for (const m of ["a", "b", "c", "d", "e"]) z.add(m, 0, {}, LIMITS);
    assert.equal(z.countInLexRange(lr("-", "+")), 5);
    assert.equal(z.countInLexRange(lr("[b", "(d")), 2);
    assert.equal(z.firstInLexRange(lr("(a", "+")), 1);
    assert.equal(z.lastInLexRange(lr("-", "(e")), 3);
    assert.equal(z.firstInLexRange(lr("+", "-")), -1);
    assert.ok(lexRangeEmpty(lr("+", "-")));
    assert.ok(lexRangeEmpty(lr("(a", "[a")));
    assert.ok(!lexRangeEmpty(lr("[a", "[a")));
  });

  it("scans a listpack linearly from its ends, as Valkey's listpack code does", () => {
    // Members that do not share a score: the answer depends on the scan, not a binary search.
    const z = ZSet.create(0, 0, LIMITS);
    z.add("c", 1, {}, LIMITS);
    z.add("a", 2, {}, LIMITS);
    z.add("b", 3, {}, LIMITS);
    // First member >= "[b" scanning from the start is "c" (rank 0); it is also <= "[c".
    assert.equal(z.firstInLexRange(lr("[b", "[c")), 0);
    // The forward run only checks the upper bound: c, a and b are all <= "c".
    assert.equal(z.countInLexRange(lr("[b", "[c")), 3);
    assert.equal(z.lexRunEnd(0, lr("[b", "[c")), 2);
    // The first member "c" is above "[a", so nothing can be in range.
    assert.equal(z.lastInLexRange(lr("-", "[a")), -1);
    // a(1) c(2) b(3): scanning from the end, "b" is the last member below "(c".
    const y = ZSet.create(0, 0, LIMITS);
    y.add("a", 1, {}, LIMITS);
    y.add("c", 2, {}, LIMITS);
    y.add("b", 3, {}, LIMITS);
    assert.equal(y.lastInLexRange(lr("-", "(c")), 2);
  });

  it("binary searches a skiplist", () => {
    const z = new ZSet(true);
    for (let i = 0; i < 1000; i++) z.add("m" + String(i).padStart(4, "0"), 0, {}, LIMITS);
    assert.equal(z.firstInLexRange(lr("[m0500", "+")), 500);
    assert.equal(z.lastInLexRange(lr("-", "(m0500")), 499);
    assert.equal(z.countInLexRange(lr("(m0100", "[m0200")), 100);
  });
});

describe("ZSet.removeRange", () => {
  it("removes ranks inside one chunk and across many, keeping the index consistent", () => {
    const z = ZSet.create(2000, 0, LIMITS);
    const ref = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      z.add("m" + i, i, {}, LIMITS);
      ref.set("m" + i, i);
    }
    const a = z.removeRange(10, 12);
    assert.deepEqual(a.members, ["m10", "m11", "m12"]);
    assert.deepEqual(a.scores, [10, 11, 12]);
    const b = z.removeRange(100, 1500);
    assert.equal(b.members.length, 1401);
    for (const m of [...a.members, ...b.members]) ref.delete(m);
    assert.deepEqual(entries(z), model(ref));
    assert.equal(z.score("m1000"), undefined);
    assert.equal(z.rank("m1600"), 1600 - 3 - 1401);
    z.removeRange(0, z.size - 1);
    assert.equal(z.size, 0);
    z.add("again", 1, {}, LIMITS);
    assert.deepEqual(entries(z), [["again", 1]]);
  });

  it("merges small chunks back so single removals keep working", () => {
    const z = ZSet.create(3000, 0, LIMITS);
    for (let i = 0; i < 3000; i++) z.add("m" + String(i).padStart(4, "0"), i, {}, LIMITS);
    for (let i = 0; i < 3000; i += 2) assert.ok(z.remove("m" + String(i).padStart(4, "0")));
    assert.equal(z.size, 1500);
    for (let r = 0; r < 1500; r += 111) assert.equal(z.scoreAt(r), 2 * r + 1);
  });
});

describe("ZSet.scan", () => {
  it("returns a listpack whole with cursor 0", () => {
    const z = ZSet.create(0, 0, LIMITS);
    z.add("a", 1, {}, LIMITS);
    z.add("b", 2, {}, LIMITS);
    const seen: string[] = [];
    assert.equal(z.scan(12345, 1, (m) => void seen.push(m)), 0);
    assert.deepEqual(seen, ["a", "b"]);
  });

  it("visits every member present for the whole scan of a skiplist, despite changes", () => {
    const z = new ZSet(true);
    for (let i = 0; i < 500; i++) z.add("m" + i, i, {}, LIMITS);
    const seen = new Set<string>();
    let cursor = 0;
    let round = 0;
    do {
      cursor = z.scan(cursor, 20, (m) => void seen.add(m));
      // Churn between calls: remove members with high numbers, add new ones.
      z.remove("m" + (499 - round));
      z.add("new" + round, round, {}, LIMITS);
      round++;
    } while (cursor !== 0);
    for (let i = 0; i < 500 - round; i++) assert.ok(seen.has("m" + i), "m" + i);
  });
});
