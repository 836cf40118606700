import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatId,
  IdIndex,
  INVALID_ENTRIES_READ,
  makeId,
  MAX_ID,
  parseRangeId,
  parseStreamId,
  type StreamId,
  StreamValue,
} from "../../src/types/stream.ts";

const LIMITS = { maxBytes: 4096, maxEntries: 100 };
const id = (ms: number, seq = 0) => makeId(BigInt(ms), BigInt(seq));

function add(s: StreamValue, ms: number, seq = 0, ...fv: string[]): StreamId {
  const r = s.append(
    { kind: "explicit", id: id(ms, seq) },
    0,
    ["xadd", "k", "*", ...(fv.length ? fv : ["f", "v"])],
    3,
    LIMITS,
  );
  if ("err" in r) throw new Error(r.err);
  return r.ok;
}

function ids(s: StreamValue, rev = false): string[] {
  const out: string[] = [];
  s.range(0n, MAX_ID, rev, 0, (i) => {
    out.push(formatId(i));
  });
  return out;
}

describe("parseStreamId", () => {
  it("parses ms-seq, a bare ms with the missing sequence, and - / + unless strict", () => {
    assert.equal(parseStreamId("5-3", 0n, true)!.id, id(5, 3));
    assert.equal(parseStreamId("5", 7n, true)!.id, id(5, 7));
    assert.equal(parseStreamId("-", 0n, false)!.id, 0n);
    assert.equal(parseStreamId("+", 0n, false)!.id, MAX_ID);
    assert.equal(parseStreamId("-", 0n, true), null);
    assert.equal(parseStreamId("+", 0n, true), null);
  });

  it("accepts the full unsigned 64-bit range and strtoull's forms, not canonical negatives", () => {
    assert.equal(
      formatId(parseStreamId("18446744073709551615-18446744073709551615", 0n, true)!.id),
      "18446744073709551615-18446744073709551615",
    );
    assert.equal(parseStreamId("18446744073709551616", 0n, true), null);
    assert.equal(parseStreamId("007", 0n, true)!.id, id(7));
    assert.equal(parseStreamId("+9", 0n, true)!.id, id(9));
    assert.equal(parseStreamId("-5", 0n, true), null);
    assert.equal(parseStreamId("5-", 0n, true), null);
    assert.equal(parseStreamId("abc", 0n, true), null);
    assert.equal(parseStreamId("x".repeat(128), 0n, true), null);
  });

  it("accepts ms-* only where a generated sequence is allowed", () => {
    assert.deepEqual(parseStreamId("5-*", 0n, true, true), { id: id(5), seqGiven: false });
    assert.equal(parseStreamId("5-*", 0n, true), null);
  });

  it("parses exclusive range bounds strictly", () => {
    assert.deepEqual(parseRangeId("(5-1", 0n), { id: id(5, 1), exclusive: true });
    assert.equal(parseRangeId("(-", 0n), null);
    assert.deepEqual(parseRangeId("(", 0n), null);
  });
});

describe("StreamValue.append", () => {
  it("generates IDs from the clock, never going backwards", () => {
    const s = new StreamValue();
    const r1 = s.append({ kind: "auto" }, 1000, ["f", "v"], 0, LIMITS);
    const r2 = s.append({ kind: "auto" }, 1000, ["f", "v"], 0, LIMITS);
    const r3 = s.append({ kind: "auto" }, 900, ["f", "v"], 0, LIMITS);
    assert.deepEqual([r1, r2, r3].map((r) => "ok" in r && formatId(r.ok)), ["1000-0", "1000-1", "1000-2"]);
  });

  it("fills in a partial ID's sequence and refuses IDs not above the top", () => {
    const s = new StreamValue();
    add(s, 5, 5);
    const r = s.append({ kind: "partial", ms: 5n }, 0, ["f", "v"], 0, LIMITS);
    assert.equal("ok" in r && formatId(r.ok), "5-6");
    assert.deepEqual(s.append({ kind: "explicit", id: id(5, 6) }, 0, ["f", "v"], 0, LIMITS), { err: "too-small" });
    assert.deepEqual(s.append({ kind: "partial", ms: 4n }, 0, ["f", "v"], 0, LIMITS), { err: "too-small" });
  });

  it("reports an exhausted stream", () => {
    const s = new StreamValue();
    s.append({ kind: "explicit", id: MAX_ID }, 0, ["f", "v"], 0, LIMITS);
    assert.deepEqual(s.append({ kind: "auto" }, 0, ["f", "v"], 0, LIMITS), { err: "exhausted" });
  });

  it("starts a new node every stream-node-max-entries entries", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 250; i++) add(s, i);
    assert.equal(s.nodeCount, 3);
    assert.equal(s.length, 250);
    assert.equal(s.entriesAdded, 250n);
  });

  it("starts a new node when the listpack would reach stream-node-max-bytes", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 10; i++) add(s, i, 0, "f", "x".repeat(1000));
    // Three nodes, as redis-server reports in XINFO STREAM radix-tree-keys for the same XADDs.
    assert.equal(s.nodeCount, 3);
  });
});

describe("StreamValue reads and deletes", () => {
  it("ranges forward and backward with a count, skipping deleted entries", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 5; i++) add(s, i);
    assert.equal(s.deleteIds([id(3), id(9)]), 1);
    assert.deepEqual(ids(s), ["1-0", "2-0", "4-0", "5-0"]);
    assert.deepEqual(ids(s, true), ["5-0", "4-0", "2-0", "1-0"]);
    const some: string[] = [];
    s.range(id(2), id(5), true, 2, (i) => {
      some.push(formatId(i));
    });
    assert.deepEqual(some, ["5-0", "4-0"]);
    assert.equal(s.maxDeletedId, id(3));
  });

  it("keeps first_id on the first live entry and drops a node with its last live entry", () => {
    const s = new StreamValue();
    add(s, 1);
    add(s, 2);
    s.deleteIds([id(1)]);
    assert.equal(s.firstId, id(2));
    s.deleteIds([id(2)]);
    assert.equal(s.firstId, 0n);
    assert.equal(s.nodeCount, 0);
    assert.equal(s.lastId, id(2));
  });

  it("returns entries by ID with their field/value pairs", () => {
    const s = new StreamValue();
    add(s, 1, 0, "a", "1", "b", "2");
    add(s, 2, 0, "c", "3");
    assert.deepEqual(s.get(id(1)), ["a", "1", "b", "2"]);
    assert.deepEqual(s.get(id(2)), ["c", "3"]);
    assert.equal(s.get(id(3)), undefined);
  });
});

describe("StreamValue.trim", () => {
  it("trims exactly by length, leaving tombstones in the first node", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 10; i++) add(s, i);
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 3, minid: 0n, approx: false, limit: 0 }), 7);
    assert.deepEqual(ids(s), ["8-0", "9-0", "10-0"]);
    assert.equal(s.firstId, id(8));
  });

  it("only removes whole nodes when approximate", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 250; i++) add(s, i);
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 120, minid: 0n, approx: true, limit: 10000 }), 100);
    assert.equal(s.length, 150);
    assert.equal(s.trim({ strategy: "minid", maxlen: 0, minid: id(240), approx: true, limit: 10000 }), 100);
    assert.equal(s.length, 50);
  });

  it("stops at the LIMIT of removed entries", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 300; i++) add(s, i);
    assert.equal(s.trim({ strategy: "maxlen", maxlen: 0, minid: 0n, approx: true, limit: 150 }), 100);
  });

  it("trims by minimum ID", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 5; i++) add(s, i);
    assert.equal(s.trim({ strategy: "minid", maxlen: 0, minid: id(3), approx: false, limit: 0 }), 2);
    assert.deepEqual(ids(s), ["3-0", "4-0", "5-0"]);
  });
});

describe("Consumer group bookkeeping", () => {
  it("tracks lag and the read counter while there are no tombstones", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 5; i++) add(s, i);
    const g = s.createGroup("g", 0n, INVALID_ENTRIES_READ)!;
    assert.equal(s.lag(g), 5n);
    s.advanceGroup(g, id(1));
    assert.equal(g.entriesRead, 1n);
    assert.equal(s.lag(g), 4n);
    assert.equal(s.createGroup("g", 0n, 0n), undefined);
  });

  it("cannot tell the lag past a tombstone", () => {
    const s = new StreamValue();
    for (let i = 1; i <= 5; i++) add(s, i);
    s.deleteIds([id(3)]);
    const g = s.createGroup("g", 0n, INVALID_ENTRIES_READ)!;
    assert.equal(s.lag(g), undefined);
    s.advanceGroup(g, id(5));
    assert.equal(g.entriesRead, 5n);
    assert.equal(s.lag(g), 0n);
  });

  it("clones deeply, pending entries shared between group and consumer", () => {
    const s = new StreamValue();
    add(s, 1);
    const g = s.createGroup("g", 0n, INVALID_ENTRIES_READ)!;
    const c = g.createConsumer("alice", 10)!;
    const nack = { id: id(1), consumer: c, deliveryTime: 10, deliveryCount: 1 };
    g.pel.insert(nack);
    c.pel.insert(nack);
    const copy = s.clone();
    const cg = copy.group("g")!;
    const cc = cg.consumers.get("alice")!;
    assert.equal(cg.pel.get(id(1)), cc.pel.get(id(1)));
    assert.equal(cg.pel.get(id(1))!.consumer, cc);
    copy.deleteIds([id(1)]);
    assert.equal(s.length, 1);
    assert.equal(copy.encoding(), "stream");
  });
});

describe("IdIndex", () => {
  it("keeps items ordered through inserts and removals across chunks", () => {
    const idx = new IdIndex<{ id: StreamId }>();
    const order: number[] = [];
    for (let i = 0; i < 2000; i++) order.push((i * 7919) % 2000);
    for (const n of order) idx.insert({ id: BigInt(n) });
    assert.equal(idx.size, 2000);
    for (let n = 0; n < 2000; n += 2) assert.ok(idx.remove(BigInt(n)));
    assert.equal(idx.remove(0n), false);
    assert.equal(idx.size, 1000);
    const seen = [...idx].map((x) => Number(x.id));
    assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => 2 * i + 1));
    assert.equal(idx.ceiling(500n)!.id, 501n);
    assert.equal(idx.first()!.id, 1n);
    assert.equal(idx.last()!.id, 1999n);
    assert.equal(idx.get(3n)!.id, 3n);
    assert.equal(idx.get(4n), undefined);
  });
});

describe("radixTreeNodes", () => {
  it("counts a compressed radix tree over the node keys", () => {
    const s = new StreamValue();
    assert.equal(s.radixTreeNodes(), 1);
    add(s, 1);
    assert.equal(s.radixTreeNodes(), 2);
  });
});
