import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseScanCursor, parseScanOptions, ScanMap } from "../../src/keyspace/scan.ts";
import { ReplyError } from "../../src/protocol/reply.ts";

/** A deterministic PRNG (mulberry32) so property tests reproduce on every runtime. */
function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scanAll<V>(m: ScanMap<V>, count: number): string[] {
  const out: string[] = [];
  let cursor = 0;
  do cursor = m.scan(cursor, count, (k) => out.push(k)); while (cursor !== 0);
  return out;
}

describe("ScanMap", () => {
  it("behaves like a Map for get, set, has, delete and size", () => {
    const m = new ScanMap<string>();
    m.insert("a", "1");
    m.set("b", "2");
    m.set("a", "3");
    assert.equal(m.get("a"), "3");
    assert.equal(m.has("b"), true);
    assert.equal(m.size, 2);
    assert.equal(m.delete("a"), true);
    assert.equal(m.delete("a"), false);
    assert.equal(m.get("a"), undefined);
    assert.equal(m.size, 1);
    assert.deepEqual([...m.keys()], ["b"]);
  });

  it("scans every key once in insertion order and ends with cursor 0", () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 100; i++) m.insert(`k${i}`, i);
    const seen = scanAll(m, 7);
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => `k${i}`));
  });

  it("returns cursor 0 at once for an empty map and for a cursor past the end", () => {
    const m = new ScanMap<number>();
    assert.equal(m.scan(0, 10, () => assert.fail("no entries")), 0);
    m.insert("a", 1);
    assert.equal(m.scan(1e18, 10, () => assert.fail("past the end")), 0);
  });

  it("samples about COUNT live entries per call", () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 50; i++) m.insert(`k${i}`, i);
    let n = 0;
    const cursor = m.scan(0, 10, () => n++);
    assert.equal(n, 10);
    assert.notEqual(cursor, 0);
  });

  it("bounds the slots stepped over to 10 x COUNT when the slots start with holes", () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 40; i++) m.insert(`x${i}`, i);
    // 16 holes out of 40 slots stay: compaction needs more than 16 holes and over half.
    for (let i = 0; i < 16; i++) m.delete(`x${i}`);
    let n = 0;
    const cursor = m.scan(0, 1, () => n++);
    assert.equal(n, 0);
    assert.notEqual(cursor, 0);
    assert.deepEqual(scanAll(m, 1), Array.from({ length: 24 }, (_, i) => `x${16 + i}`));
  });

  it("keeps an overwritten key in its place", () => {
    const m = new ScanMap<number>();
    m.insert("a", 1);
    m.insert("b", 2);
    m.set("a", 3);
    assert.deepEqual(scanAll(m, 10), ["a", "b"]);
  });

  it("keeps cursors valid across compaction", () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 1000; i++) m.insert(`k${i}`, i);
    const seen: string[] = [];
    let cursor = m.scan(0, 100, (k) => seen.push(k));
    // Delete most of the keys already returned: this compacts the slots under the cursor.
    for (let i = 0; i < 90; i++) m.delete(`k${i}`);
    for (let i = 200; i < 800; i++) m.delete(`k${i}`);
    do cursor = m.scan(cursor, 100, (k) => seen.push(k)); while (cursor !== 0);
    const expected = [
      ...Array.from({ length: 100 }, (_, i) => `k${i}`),
      ...Array.from({ length: 100 }, (_, i) => `k${100 + i}`),
      ...Array.from({ length: 200 }, (_, i) => `k${800 + i}`),
    ];
    assert.deepEqual(seen, expected);
  });

  it("never loses a key present for the whole scan under random inserts and deletes", () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rand = rng(seed);
      const m = new ScanMap<number>();
      let next = 0;
      const live = new Set<string>();
      for (let i = 0; i < 200; i++) {
        const k = `k${next++}`;
        m.insert(k, i);
        live.add(k);
      }
      const present = new Set(live); // keys present since the start and never deleted
      const seen = new Set<string>();
      let cursor = 0;
      let calls = 0;
      do {
        cursor = m.scan(cursor, 1 + Math.floor(rand() * 20), (k) => seen.add(k));
        calls++;
        // Between calls: insert new keys, delete random ones, re-insert some deleted ones.
        const ops = Math.floor(rand() * 40);
        for (let j = 0; j < ops; j++) {
          const r = rand();
          if (r < 0.45) {
            const k = `k${next++}`;
            m.insert(k, j);
            live.add(k);
          } else if (r < 0.9 && live.size > 0) {
            const arr = [...live];
            const k = arr[Math.floor(rand() * arr.length)]!;
            m.delete(k);
            live.delete(k);
            present.delete(k);
          } else {
            const k = `k${Math.floor(rand() * next)}`;
            if (!live.has(k)) {
              m.insert(k, j);
              live.add(k);
            }
          }
        }
      } while (cursor !== 0 && calls < 10000);
      assert.equal(cursor, 0, `seed ${seed}: the scan terminates`);
      for (const k of present) assert.ok(seen.has(k), `seed ${seed}: ${k} was present throughout but not returned`);
      for (const k of seen) assert.match(k, /^k\d+$/);
    }
  });

  it("shrinks its columns after a mass delete and still scans correctly", () => {
    const m = new ScanMap<number>({ meta: true });
    for (let i = 0; i < 10000; i++) m.insert(`k${i}`, i, i);
    for (let i = 0; i < 9990; i++) m.delete(`k${i}`);
    assert.equal(m.size, 10);
    assert.deepEqual(scanAll(m, 3), Array.from({ length: 10 }, (_, i) => `k${9990 + i}`));
    // Metadata moved with the entries.
    for (let i = 9990; i < 10000; i++) assert.equal(m.metaAt(m.slotOf(`k${i}`)), i);
  });

  it("stores a 32-bit metadata word per entry only when asked", () => {
    const withMeta = new ScanMap<number>({ meta: true });
    const slot = withMeta.insert("a", 1, 0xfffffff0);
    assert.equal(withMeta.metaAt(slot), 0xfffffff0);
    withMeta.setMetaAt(slot, 7);
    assert.equal(withMeta.metaAt(slot), 7);
    const plain = new ScanMap<number>();
    const s2 = plain.insert("a", 1, 99);
    assert.equal(plain.metaAt(s2), 0);
  });

  it("continues the sequence numbering of a predecessor", () => {
    const a = new ScanMap<number>();
    a.insert("x", 1);
    a.insert("y", 2);
    const b = new ScanMap<number>({ firstSeq: a.nextSeq });
    b.insert("z", 3);
    // A cursor handed out by `a` (pointing at its second entry) skips nothing in `b`.
    const cursor = a.scan(0, 1, () => {});
    const seen: string[] = [];
    b.scan(cursor, 10, (k) => seen.push(k));
    assert.deepEqual(seen, ["z"]);
  });

  it("draws random slots only among live entries, reaching all of them", () => {
    const m = new ScanMap<number>();
    for (let i = 0; i < 40; i++) m.insert(`k${i}`, i);
    for (let i = 0; i < 40; i += 2) m.delete(`k${i}`);
    const rand = rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = m.randomSlot(rand);
      const k = m.keyAt(s);
      assert.ok(k !== undefined && m.has(k));
      seen.add(k);
    }
    assert.equal(seen.size, 20);
    assert.equal(new ScanMap<number>().randomSlot(rand), -1);
  });
});

describe("parseScanCursor()", () => {
  it("accepts what Valkey's string2ull accepts", () => {
    assert.equal(parseScanCursor("0"), 0);
    assert.equal(parseScanCursor("12345"), 12345);
    assert.equal(parseScanCursor("+7"), 7);
    assert.equal(parseScanCursor(" 7"), 7);
    assert.equal(parseScanCursor("\t\n7"), 7);
    assert.equal(parseScanCursor("-0"), 0);
    assert.equal(parseScanCursor("007"), 7);
    assert.equal(parseScanCursor("18446744073709551615"), 18446744073709551615);
    assert.equal(parseScanCursor("9\0junk"), 9);
  });

  it("rejects negative, empty, oversized and non-numeric cursors", () => {
    assert.equal(parseScanCursor("-1"), null);
    assert.equal(parseScanCursor(""), null);
    assert.equal(parseScanCursor("18446744073709551616"), null);
    assert.equal(parseScanCursor("abc"), null);
    assert.equal(parseScanCursor("1 "), null);
    assert.equal(parseScanCursor("1.5"), null);
    assert.equal(parseScanCursor("+"), null);
  });

  it("wraps a leading minus after whitespace modulo 2^64, as strtoull does", () => {
    assert.equal(parseScanCursor(" -1"), 18446744073709551615);
  });
});

describe("parseScanOptions()", () => {
  const opts = (kind: "scan" | "hscan" | "sscan" | "zscan", ...args: string[]) =>
    parseScanOptions(["x", "0", ...args], 2, kind);
  const fails = (msg: string, fn: () => unknown) =>
    assert.throws(fn, (e: unknown) => e instanceof ReplyError && e.message === msg);

  it("defaults to COUNT 10 and no filters", () => {
    assert.deepEqual(opts("scan"), { count: 10, pattern: undefined, type: undefined, noValues: false });
  });

  it("parses MATCH, COUNT and TYPE case-insensitively, the last occurrence winning", () => {
    assert.deepEqual(opts("scan", "MATCH", "a*", "count", "5", "Type", "HASH", "count", "7"), {
      count: 7,
      pattern: "a*",
      type: "hash",
      noValues: false,
    });
  });

  it("drops a MATCH of exactly `*`, which matches everything", () => {
    assert.equal(opts("scan", "match", "*").pattern, undefined);
    assert.equal(opts("scan", "match", "**").pattern, "**");
  });

  it("rejects bad COUNT values with Valkey's errors", () => {
    fails("ERR value is not an integer or out of range", () => opts("scan", "count", "x"));
    fails("ERR syntax error", () => opts("scan", "count", "0"));
    fails("ERR syntax error", () => opts("scan", "count", "-1"));
    fails("ERR syntax error", () => opts("scan", "count"));
  });

  it("rejects an unknown TYPE and TYPE outside SCAN", () => {
    fails("ERR unknown type name 'foo'", () => opts("scan", "type", "foo"));
    fails("ERR syntax error", () => opts("hscan", "type", "hash"));
  });

  it("allows NOVALUES only for HSCAN and NOSCORES only for ZSCAN", () => {
    assert.equal(opts("hscan", "novalues").noValues, true);
    assert.equal(opts("zscan", "NOSCORES").noValues, true);
    fails("ERR NOVALUES option can only be used in HSCAN", () => opts("scan", "novalues"));
    fails("ERR NOSCORES option can only be used in ZSCAN", () => opts("sscan", "noscores"));
  });

  it("rejects unknown words and options missing their value", () => {
    fails("ERR syntax error", () => opts("scan", "foo"));
    fails("ERR syntax error", () => opts("scan", "match"));
  });
});
