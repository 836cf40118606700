import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine } from "../_helpers/engine.ts";

const hex = (v: unknown) => Buffer.from(v as string, "latin1").toString("hex");
const unhex = (h: string) => Buffer.from(h, "hex").toString("latin1");

/** GET of PFADD h a b c on redis-server, with the stale-cache bit set. */
const ABC_STALE = "48594c4c01000000000000000000008060f38050b1844bfb80425a";
/** The same after PFCOUNT cached the cardinality 3. */
const ABC_CACHED = "48594c4c01000000030000000000000060f38050b1844bfb80425a";

describe("PFADD", () => {
  it("creates a sparse HLL byte-identical to Valkey's", () => {
    const t = makeEngine();
    assert.equal(t.exec("PFADD", "h", "a", "b", "c"), 1);
    assert.equal(hex(t.exec("GET", "h")), ABC_STALE);
    assert.equal(t.exec("TYPE", "h"), "string");
  });

  it("leaves a raw string at any size, even after a PFADD that changes nothing", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "a");
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "raw");
    t.exec("SET", "copy", t.exec("GET", "h") as string);
    assert.equal(t.exec("OBJECT", "ENCODING", "copy"), "embstr");
    assert.equal(t.exec("PFADD", "copy", "a"), 0);
    assert.equal(t.exec("OBJECT", "ENCODING", "copy"), "raw");
    assert.equal(hex(t.exec("GET", "copy")), hex(t.exec("GET", "h")));
  });

  it("returns 0 when no register changes, 1 when one does", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "a");
    assert.equal(t.exec("PFADD", "h", "a"), 0);
    assert.equal(t.exec("PFADD", "h", "zz"), 1);
  });

  it("creates an empty HLL without elements and answers 1, then 0", () => {
    const t = makeEngine();
    assert.equal(t.exec("PFADD", "h"), 1);
    assert.equal(hex(t.exec("GET", "h")), "48594c4c0100000000000000000000807fff");
    assert.equal(t.exec("PFADD", "h"), 0);
  });

  it("keeps the key's TTL", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "a");
    t.exec("EXPIRE", "h", 100);
    t.exec("PFADD", "h", "b");
    assert.equal(t.exec("TTL", "h"), 100);
  });

  it("rejects non-HLL strings and other types", () => {
    const t = makeEngine();
    t.exec("SET", "s", "hello");
    assert.deepEqual(t.exec("PFADD", "s", "a"), { error: "WRONGTYPE Key is not a valid HyperLogLog string value." });
    t.exec("HSET", "hash", "f", "v");
    assert.deepEqual(t.exec("PFADD", "hash", "a"), {
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
  });

  it("reports a corrupt sparse code as INVALIDOBJ", () => {
    const t = makeEngine();
    t.exec("SET", "h", unhex("48594c4c010000000000000000000000" + "4063"));
    assert.deepEqual(t.exec("PFADD", "h", "a"), { error: "INVALIDOBJ Corrupted HLL object detected" });
  });

  it("promotes to dense past hll-sparse-max-bytes", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "hll-sparse-max-bytes", "40");
    for (let i = 0; i < 30; i++) t.exec("PFADD", "h", `e${i}`);
    assert.equal(t.exec("PFDEBUG", "ENCODING", "h"), "dense");
    assert.equal((t.exec("GET", "h") as string).length, 12304);
  });

  it("reads an HLL stored as bytes after an in-place string write", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "a", "b");
    // SETRANGE with the same byte leaves the value stored as a byte array.
    t.exec("SETRANGE", "h", 0, "H");
    assert.equal(t.exec("PFADD", "h", "c"), 1);
    assert.equal(t.exec("PFCOUNT", "h"), 3);
  });
});

describe("PFCOUNT", () => {
  it("caches the cardinality in the header as Valkey does", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "a", "b", "c");
    assert.equal(t.exec("PFCOUNT", "h"), 3);
    assert.equal(hex(t.exec("GET", "h")), ABC_CACHED);
  });

  it("answers from a valid cache without recomputing", () => {
    const t = makeEngine();
    // A cached count of 7 over registers holding 3 elements: the cache wins.
    t.exec("SET", "h", unhex("48594c4c010000000700000000000000" + "60f38050b1844bfb80425a"));
    assert.equal(t.exec("PFCOUNT", "h"), 7);
  });

  it("returns 0 for a missing key", () => {
    assert.equal(makeEngine().exec("PFCOUNT", "nokey"), 0);
  });

  it("counts the union of several keys without storing it", () => {
    const t = makeEngine();
    t.exec("PFADD", "a", "x", "y");
    t.exec("PFADD", "b", "y", "z");
    assert.equal(t.exec("PFCOUNT", "a", "b", "missing"), 3);
    assert.equal(t.exec("PFCOUNT", "a"), 2);
  });

  it("matches Valkey's estimates for larger sets", () => {
    const t = makeEngine();
    for (let i = 0; i < 2000; i += 100) {
      const batch: string[] = [];
      for (let j = i; j < i + 100; j++) batch.push(`el${j}`);
      t.exec("PFADD", "h", ...batch);
    }
    assert.equal(t.exec("PFCOUNT", "h"), 2009);
  });

  it("rejects invalid values, also among several keys", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    t.exec("PFADD", "h", "a");
    assert.deepEqual(t.exec("PFCOUNT", "s"), { error: "WRONGTYPE Key is not a valid HyperLogLog string value." });
    assert.deepEqual(t.exec("PFCOUNT", "h", "s"), { error: "WRONGTYPE Key is not a valid HyperLogLog string value." });
    t.exec("SET", "bad", unhex("48594c4c010000000000000000000080" + "4063"));
    assert.deepEqual(t.exec("PFCOUNT", "bad"), { error: "INVALIDOBJ Corrupted HLL object detected" });
    assert.deepEqual(t.exec("PFCOUNT", "h", "bad"), { error: "INVALIDOBJ Corrupted HLL object detected" });
  });
});

describe("PFMERGE", () => {
  it("stores the union, sparse when every source is sparse", () => {
    const t = makeEngine();
    t.exec("PFADD", "a", "x", "y");
    t.exec("PFADD", "b", "y", "z");
    assert.equal(t.exec("PFMERGE", "d", "a", "b"), "OK");
    assert.equal(t.exec("PFCOUNT", "d"), 3);
    assert.equal(t.exec("PFDEBUG", "ENCODING", "d"), "sparse");
  });

  it("creates an empty HLL from a destination alone", () => {
    const t = makeEngine();
    assert.equal(t.exec("PFMERGE", "d"), "OK");
    assert.equal(hex(t.exec("GET", "d")), "48594c4c0100000000000000000000807fff");
  });

  it("merges into the destination's own registers and goes dense with a dense source", () => {
    const t = makeEngine();
    t.exec("PFADD", "d", "x");
    t.exec("PFADD", "dense", "y");
    t.exec("PFDEBUG", "TODENSE", "dense");
    t.exec("PFMERGE", "d", "dense");
    assert.equal(t.exec("PFDEBUG", "ENCODING", "d"), "dense");
    assert.equal(t.exec("PFCOUNT", "d"), 2);
  });

  it("rejects invalid sources", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("PFMERGE", "d", "s"), { error: "WRONGTYPE Key is not a valid HyperLogLog string value." });
    assert.equal(t.exec("EXISTS", "d"), 0);
  });
});

describe("PFDEBUG", () => {
  it("decodes the sparse representation", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "hello");
    assert.equal(t.exec("PFDEBUG", "DECODE", "h"), "Z:9216 v:1,1 Z:7167");
  });

  it("reads registers, converting to dense", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "hello");
    const regs = t.exec("PFDEBUG", "GETREG", "h") as number[];
    assert.equal(regs.length, 16384);
    assert.equal(regs[9216], 1);
    assert.equal(regs.reduce((a, b) => a + b, 0), 1);
    assert.equal(t.exec("PFDEBUG", "ENCODING", "h"), "dense");
    assert.deepEqual(t.exec("PFDEBUG", "DECODE", "h"), { error: "ERR HLL encoding is not sparse" });
  });

  it("converts with TODENSE once", () => {
    const t = makeEngine();
    t.exec("PFADD", "h", "a");
    assert.equal(t.exec("PFDEBUG", "TODENSE", "h"), 1);
    assert.equal(t.exec("PFDEBUG", "TODENSE", "h"), 0);
    assert.equal(t.exec("PFCOUNT", "h"), 1);
  });

  it("reports missing keys, invalid values and unknown subcommands", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("PFDEBUG", "GETREG", "nokey"), { error: "ERR The specified key does not exist" });
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("PFDEBUG", "DECODE", "s"), {
      error: "WRONGTYPE Key is not a valid HyperLogLog string value.",
    });
    t.exec("PFADD", "h", "a");
    assert.deepEqual(t.exec("PFDEBUG", "FOO", "h"), { error: "ERR Unknown PFDEBUG subcommand 'FOO'" });
  });
});

describe("PFSELFTEST", () => {
  it("returns OK", () => {
    assert.equal(makeEngine().exec("PFSELFTEST"), "OK");
  });
});
