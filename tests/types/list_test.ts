import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListValue, lpEntrySize } from "../../src/types/list.ts";

/** Deterministic PRNG (mulberry32) so failures reproduce on every runtime. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filled(n: number, from = 0): ListValue {
  const l = new ListValue();
  for (let i = 0; i < n; i++) l.pushTail(String(from + i));
  return l;
}

describe("ListValue", () => {
  it("pushes and pops at both ends in order", () => {
    const l = new ListValue();
    l.pushTail("b");
    l.pushHead("a");
    l.pushTail("c");
    assert.deepEqual(l.toArray(), ["a", "b", "c"]);
    assert.equal(l.popHead(), "a");
    assert.equal(l.popTail(), "c");
    assert.equal(l.popTail(), "b");
    assert.equal(l.popTail(), undefined);
    assert.equal(l.popHead(), undefined);
    assert.equal(l.length, 0);
  });

  it("keeps order across many chunks pushed at the head", () => {
    const l = new ListValue();
    for (let i = 0; i < 1000; i++) l.pushHead(String(i));
    assert.equal(l.length, 1000);
    assert.equal(l.at(0), "999");
    assert.equal(l.at(-1), "0");
    assert.equal(l.at(500), "499");
    assert.deepEqual(l.range(0, 2), ["999", "998", "997"]);
  });

  it("supports middle operations on a long list built at the head", () => {
    const l = new ListValue();
    const m: string[] = [];
    for (let i = 0; i < 5000; i++) {
      l.pushHead(String(i));
      m.unshift(String(i));
    }
    for (let i = 0; i < 300; i++) {
      const pos = (i * 7919) % (m.length + 1);
      l.insertAt(pos, "ins" + i);
      m.splice(pos, 0, "ins" + i);
    }
    assert.equal(l.remove("ins7", 0), 1);
    m.splice(m.indexOf("ins7"), 1);
    assert.equal(l.trim(3, -4), 6);
    m.splice(0, 3);
    m.splice(m.length - 3, 3);
    assert.deepEqual(l.toArray(), m);
    assert.equal(l.at(2500), m[2500]);
    assert.deepEqual(l.positions("ins42", -1, 0, 0), [m.indexOf("ins42")]);
  });

  it("works as a queue without growing its chunks (rpush + lpop)", () => {
    const l = new ListValue();
    for (let i = 0; i < 100_000; i++) {
      l.pushTail(String(i));
      if (i >= 10) assert.equal(l.popHead(), String(i - 10));
    }
    assert.equal(l.length, 10);
    assert.deepEqual(l.toArray(), [
      "99990",
      "99991",
      "99992",
      "99993",
      "99994",
      "99995",
      "99996",
      "99997",
      "99998",
      "99999",
    ]);
  });

  it("answers at() and set() with negative indexes and rejects out-of-range ones", () => {
    const l = filled(300);
    assert.equal(l.at(-300), "0");
    assert.equal(l.at(-301), undefined);
    assert.equal(l.at(300), undefined);
    assert.equal(l.set(-1, "last"), true);
    assert.equal(l.set(300, "x"), false);
    assert.equal(l.at(299), "last");
  });

  it("clamps ranges like LRANGE", () => {
    const l = filled(5);
    assert.deepEqual(l.range(-100, 100), ["0", "1", "2", "3", "4"]);
    assert.deepEqual(l.range(3, 1), []);
    assert.deepEqual(l.range(5, 10), []);
    assert.deepEqual(l.range(-2, -1), ["3", "4"]);
    assert.deepEqual(l.range(0, -6), []);
  });

  it("trims like LTRIM and reports how many elements went", () => {
    const l = filled(1000);
    assert.equal(l.trim(100, -101), 200);
    assert.equal(l.length, 800);
    assert.equal(l.at(0), "100");
    assert.equal(l.at(-1), "899");
    assert.equal(l.trim(5, 1), 800);
    assert.equal(l.length, 0);
  });

  it("inserts before and after the first pivot from the head", () => {
    const l = new ListValue();
    for (const v of ["a", "b", "a"]) l.pushTail(v);
    assert.equal(l.insert("a", "x", false), true);
    assert.equal(l.insert("a", "y", true), true);
    assert.equal(l.insert("zz", "y", true), false);
    assert.deepEqual(l.toArray(), ["x", "a", "y", "b", "a"]);
  });

  it("finds positions with rank, count and maxlen like LPOS", () => {
    const l = new ListValue();
    for (const v of ["a", "b", "c", "1", "2", "3", "c", "c"]) l.pushTail(v);
    assert.deepEqual(l.positions("c", 1, 1, 0), [2]);
    assert.deepEqual(l.positions("c", 2, 1, 0), [6]);
    assert.deepEqual(l.positions("c", -1, 0, 0), [7, 6, 2]);
    assert.deepEqual(l.positions("c", 1, 0, 0), [2, 6, 7]);
    assert.deepEqual(l.positions("c", 1, 2, 0), [2, 6]);
    assert.deepEqual(l.positions("c", 1, 0, 3), [2]);
    assert.deepEqual(l.positions("c", -1, 0, 2), [7, 6]);
    assert.deepEqual(l.positions("c", 4, 0, 0), []);
  });

  it("removes matches from the head, the tail or everywhere like LREM", () => {
    const mk = () => {
      const l = new ListValue();
      for (const v of ["x", "a", "x", "b", "x", "c", "x"]) l.pushTail(v);
      return l;
    };
    let l = mk();
    assert.equal(l.remove("x", 2), 2);
    assert.deepEqual(l.toArray(), ["a", "b", "x", "c", "x"]);
    l = mk();
    assert.equal(l.remove("x", -3), 3);
    assert.deepEqual(l.toArray(), ["x", "a", "b", "c"]);
    l = mk();
    assert.equal(l.remove("x", 0), 4);
    assert.deepEqual(l.toArray(), ["a", "b", "c"]);
    assert.equal(l.remove("nope", 0), 0);
  });

  it("clone() shares no state with the original", () => {
    const l = filled(300);
    const c = l.clone();
    l.pushHead("new");
    l.set(5, "changed");
    assert.equal(c.length, 300);
    assert.equal(c.at(0), "0");
    assert.equal(c.at(5), "5");
    assert.equal(c.encoding(), l.encoding());
  });

  it("matches a plain array model under random operations", () => {
    const rand = rng(7);
    for (let round = 0; round < 30; round++) {
      const l = new ListValue();
      const m: string[] = [];
      for (let step = 0; step < 2000; step++) {
        const op = Math.floor(rand() * 11);
        const v = String(Math.floor(rand() * 20));
        const idx = Math.floor(rand() * (m.length + 2)) - 1;
        switch (op) {
          case 0:
          case 1:
            l.pushTail(v);
            m.push(v);
            break;
          case 2:
          case 3:
            l.pushHead(v);
            m.unshift(v);
            break;
          case 4:
            assert.equal(l.popHead(), m.shift());
            break;
          case 5:
            assert.equal(l.popTail(), m.pop());
            break;
          case 6: {
            const pos = Math.max(0, Math.min(m.length, idx));
            l.insertAt(pos, v);
            m.splice(pos, 0, v);
            break;
          }
          case 7: {
            const count = Math.floor(rand() * 5) - 2;
            let removed = 0;
            if (count >= 0) {
              for (let i = 0; i < m.length && (count === 0 || removed < count);) {
                if (m[i] === v) {
                  m.splice(i, 1);
                  removed++;
                } else i++;
              }
            } else {
              for (let i = m.length - 1; i >= 0 && removed < -count; i--) {
                if (m[i] === v) {
                  m.splice(i, 1);
                  removed++;
                }
              }
            }
            assert.equal(l.remove(v, count), removed);
            break;
          }
          case 8: {
            if (rand() < 0.1) {
              const a = Math.floor(rand() * 5);
              const b = -1 - Math.floor(rand() * 5);
              l.trim(a, b);
              const s = a;
              const e = m.length + b;
              const kept = s <= e && s < m.length ? m.slice(s, Math.min(e, m.length - 1) + 1) : [];
              m.length = 0;
              m.push(...kept);
            }
            break;
          }
          case 9:
            if (m.length > 0) {
              const i = Math.floor(rand() * m.length);
              assert.equal(l.set(i, v), true);
              m[i] = v;
            }
            break;
          case 10: {
            const a = Math.floor(rand() * 10) - 5;
            const b = Math.floor(rand() * 10) - 5;
            const ms = a < 0 ? Math.max(0, m.length + a) : a;
            const me = Math.min(b < 0 ? m.length + b : b, m.length - 1);
            assert.deepEqual(l.range(a, b), ms > me ? [] : m.slice(ms, me + 1));
            break;
          }
        }
        assert.equal(l.length, m.length);
      }
      assert.deepEqual(l.toArray(), m);
      const rev: string[] = [];
      if (m.length > 0) l.forRange(m.length - 1, m.length, true, (x) => rev.push(x));
      assert.deepEqual(rev, [...m].reverse());
    }
  });
});

describe("lpEntrySize", () => {
  it("sizes integers and strings as a listpack encodes them", () => {
    assert.equal(lpEntrySize("0"), 2);
    assert.equal(lpEntrySize("127"), 2);
    assert.equal(lpEntrySize("128"), 3);
    assert.equal(lpEntrySize("-4096"), 3);
    assert.equal(lpEntrySize("32767"), 4);
    assert.equal(lpEntrySize("8388607"), 5);
    assert.equal(lpEntrySize("2147483647"), 6);
    assert.equal(lpEntrySize("9223372036854775807"), 10);
    assert.equal(lpEntrySize("01"), 4);
    assert.equal(lpEntrySize(""), 2);
    assert.equal(lpEntrySize("a".repeat(63)), 65);
    assert.equal(lpEntrySize("a".repeat(64)), 67);
    assert.equal(lpEntrySize("a".repeat(200)), 204);
    assert.equal(lpEntrySize("a".repeat(4096)), 5 + 4096 + 2);
  });
});

describe("ListValue encoding", () => {
  it("stays listpack until the listpack would pass list-max-listpack-size bytes", () => {
    const l = new ListValue();
    // 7 header bytes + 100 entries of (1 + 60 + 1) bytes = 6207 <= 8192
    const v = "x".repeat(60);
    for (let i = 0; i < 100; i++) {
      l.prepareGrow(-2, v.length, 1);
      l.pushTail(v);
    }
    assert.equal(l.encoding(), "listpack");
    l.prepareGrow(-2, 8192 - 6207 + 1, 1);
    assert.equal(l.encoding(), "quicklist");
  });

  it("converts back to listpack only once it fits half a node", () => {
    const l = new ListValue();
    for (let i = 0; i < 10; i++) l.pushTail(String(i));
    l.prepareGrow(5, 1, 1);
    assert.equal(l.encoding(), "quicklist");
    l.popTail();
    l.afterShrink(5);
    assert.equal(l.encoding(), "quicklist");
    for (let i = 0; i < 7; i++) l.popTail();
    l.afterShrink(5);
    assert.equal(l.encoding(), "listpack");
  });

  it("from() picks listpack when the values fit one node", () => {
    assert.equal(ListValue.from(["a", "b"], -2).encoding(), "listpack");
    assert.equal(ListValue.from(Array.from({ length: 200 }, () => "x".repeat(50)), -2).encoding(), "quicklist");
    assert.equal(ListValue.from(["a", "b", "c"], 2).encoding(), "quicklist");
  });
});
