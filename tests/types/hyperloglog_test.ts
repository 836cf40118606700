import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { murmurHash64ABig } from "../../src/util/murmur.ts";
import {
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_SPARSE,
  hllAdd,
  hllCount,
  hllCreate,
  hllDecodeSparse,
  hllEncoding,
  hllFromValue,
  hllMergeInto,
  hllPatLen,
  hllSelfTest,
  hllSparseToDense,
  hllToString,
  isValidHll,
} from "../../src/types/hyperloglog.ts";

/** A straightforward BigInt MurmurHash64A, to check the 32-bit-halves version against. */
function referenceMurmur(b: Uint8Array, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  let h = (seed ^ (BigInt(b.length) * m)) & mask;
  const blocks = b.length - (b.length & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(b[i + j]!);
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  const rest = b.length & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(b[i + j]!) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

const hex = (s: string) => Buffer.from(s, "latin1").toString("hex");

describe("murmurHash64A", () => {
  it("matches a BigInt reference for every tail length and both input forms", () => {
    let seed = 1;
    for (let len = 0; len < 50; len++) {
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        b[i] = seed & 255;
      }
      const want = referenceMurmur(b, 0xadc83b19n);
      assert.equal(murmurHash64ABig(b, 0xadc83b19), want, `bytes, length ${len}`);
      assert.equal(murmurHash64ABig(Buffer.from(b).toString("latin1"), 0xadc83b19), want, `string, length ${len}`);
    }
  });

  it("gives the known values for the empty string and 'hello'", () => {
    assert.equal(murmurHash64ABig("", 0xadc83b19), 0xd8dfea6585bc9732n);
    assert.equal(murmurHash64ABig("hello", 0xadc83b19), 0x0f656f01eecfe400n);
  });
});

describe("hllPatLen", () => {
  it("maps 'hello' to register 9216 with a run of 1, as Valkey does", () => {
    const packed = hllPatLen("hello");
    assert.equal(packed % 16384, 9216);
    assert.equal(Math.floor(packed / 16384), 1);
  });
});

describe("HLL sparse encoding", () => {
  it("creates an empty HLL as one XZERO opcode", () => {
    assert.equal(hex(hllToString(hllCreate())), "48594c4c0100000000000000000000007fff");
  });

  it("produces Valkey's bytes for PFADD a b c", () => {
    const h = hllCreate();
    for (const e of ["a", "b", "c"]) assert.equal(hllAdd(h, e, 3000), 1);
    assert.equal(hllDecodeSparse(h), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
    // The cache bit is set by the command, not by hllAdd; the opcodes match redis-server's GET.
    assert.equal(hex(hllToString(h)).slice(32), "60f38050b1844bfb80425a");
  });

  it("reports an element that changes nothing with 0", () => {
    const h = hllCreate();
    hllAdd(h, "a", 3000);
    assert.equal(hllAdd(h, "a", 3000), 0);
  });

  it("promotes to dense once the sparse string would outgrow the limit", () => {
    const h = hllCreate();
    let i = 0;
    while (hllEncoding(h) === HLL_SPARSE) hllAdd(h, `el${i++}`, 100);
    assert.equal(h.len, HLL_DENSE_SIZE);
    assert.ok(i < 100, `promoted after ${i} elements`);
  });

  it("keeps sparse and dense counts equal", () => {
    const sparse = hllCreate();
    const dense = hllCreate();
    assert.ok(hllSparseToDense(dense));
    for (let i = 0; i < 1000; i++) {
      hllAdd(sparse, `x${i}`, 1 << 20);
      hllAdd(dense, `x${i}`, 1 << 20);
    }
    assert.equal(hllEncoding(sparse), HLL_SPARSE);
    assert.equal(hllEncoding(dense), HLL_DENSE);
    assert.equal(hllCount(sparse), hllCount(dense));
  });

  it("estimates el0..el999 as 1005, Valkey's figure", () => {
    const h = hllCreate();
    for (let i = 0; i < 1000; i++) hllAdd(h, `el${i}`, 3000);
    assert.equal(hllCount(h), 1005);
  });

  it("detects a sparse code that covers the wrong number of registers", () => {
    const h = hllFromValue("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x40\x63");
    assert.equal(hllCount(h), -1);
    assert.equal(hllAdd(h, "a", 3000), -1);
    assert.equal(hllMergeInto(new Uint8Array(16384), h), false);
    assert.equal(hllSparseToDense(h), false);
  });
});

describe("isValidHll", () => {
  it("accepts both encodings and rejects bad magic, encoding or dense size", () => {
    assert.ok(isValidHll(hllToString(hllCreate())));
    const d = hllCreate();
    hllSparseToDense(d);
    assert.ok(isValidHll(hllToString(d)));
    assert.ok(!isValidHll(hllToString(d).slice(0, 100)));
    assert.ok(!isValidHll("HYLX\x01" + "\0".repeat(13)));
    assert.ok(!isValidHll("HYLL\x02" + "\0".repeat(13)));
    assert.ok(!isValidHll("HYLL"));
  });

  it("reads byte-array values through their length", () => {
    const s = hllToString(hllCreate());
    const buf = new Uint8Array(64);
    buf.set(Buffer.from(s, "latin1"));
    const view = buf.subarray(0, s.length);
    assert.ok(isValidHll(view));
    assert.equal(hllFromValue(view).len, s.length);
  });
});

describe("hllSelfTest", () => {
  it("passes on this implementation", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    assert.equal(hllSelfTest(random, 3000, 100_000), undefined);
  });
});
