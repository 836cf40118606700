import { encodeReply } from "../../src/protocol/resp_encoder.ts";
import { Buffer } from "node:buffer";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

/** Records keyspace events as `event:key`. */
function events(t: TestEngine): string[] {
  const out: string[] = [];
  t.engine.onKeyModified((_db, key, event) => out.push(`${event}:${key}`));
  return out;
}

/** Runs a command on a fresh RESP3 session of the same engine and returns the raw reply. */
function raw3(t: TestEngine, ...argv: string[]): Reply {
  const s = t.engine.openSession({ resp: 3 });
  const r = t.engine.dispatch(s, argv);
  assert.ok(r !== undefined && r.t !== "blocked");
  return r;
}

function hashOf(t: TestEngine, key: string, n: number, prefix = "f"): void {
  const args: string[] = [];
  for (let i = 0; i < n; i++) args.push(prefix + i, "v" + i);
  t.exec("HSET", key, ...args);
}

describe("HSET", () => {
  it("creates the hash and replies with the number of new fields", () => {
    const t = makeEngine();
    assert.equal(t.exec("HSET", "h", "a", "1", "b", "2"), 2);
    assert.equal(t.exec("HSET", "h", "a", "3", "c", "4"), 1);
    assert.deepEqual(t.exec("HGETALL", "h"), ["a", "3", "b", "2", "c", "4"]);
    assert.equal(t.exec("TYPE", "h"), "hash");
  });

  it("counts a field repeated in one call once", () => {
    const t = makeEngine();
    assert.equal(t.exec("HSET", "h", "a", "1", "a", "2"), 1);
    assert.equal(t.exec("HGET", "h", "a"), "2");
  });

  it("rejects a field without a value as an arity error", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("HSET", "h", "a", "1", "b"), {
      error: "ERR wrong number of arguments for 'hset' command",
    });
    assert.equal(t.exec("EXISTS", "h"), 0);
  });

  it("answers WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HSET", "s", "a", "1"), WRONGTYPE);
  });

  it("fires one hset event per call", () => {
    const t = makeEngine();
    const ev = events(t);
    t.exec("HSET", "h", "a", "1", "b", "2");
    t.exec("HSET", "h", "a", "1");
    assert.deepEqual(ev, ["hset:h", "hset:h"]);
  });

  it("stores binary-safe fields and values", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "\x00\xff", "\r\n\x80");
    assert.equal(t.exec("HGET", "h", "\x00\xff"), "\r\n\x80");
  });

  it("keeps an existing TTL", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1");
    t.exec("EXPIRE", "h", "100");
    t.exec("HSET", "h", "b", "2");
    assert.equal(t.exec("TTL", "h"), 100);
  });
});

describe("HMSET", () => {
  it("sets fields and replies OK", () => {
    const t = makeEngine();
    assert.equal(t.exec("HMSET", "h", "a", "1", "b", "2"), "OK");
    assert.deepEqual(t.exec("HMGET", "h", "a", "b"), ["1", "2"]);
  });

  it("rejects a field without a value as an arity error naming hmset", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("HMSET", "h", "a", "1", "b"), {
      error: "ERR wrong number of arguments for 'hmset' command",
    });
  });
});

describe("HSETNX", () => {
  it("sets only a missing field", () => {
    const t = makeEngine();
    const ev = events(t);
    assert.equal(t.exec("HSETNX", "h", "a", "1"), 1);
    assert.equal(t.exec("HSETNX", "h", "a", "2"), 0);
    assert.equal(t.exec("HGET", "h", "a"), "1");
    assert.deepEqual(ev, ["hset:h"]);
  });

  it("answers WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "x");
    assert.deepEqual(t.exec("HSETNX", "s", "a", "1"), WRONGTYPE);
  });

  it("converts to a hashtable for a long value", () => {
    const t = makeEngine();
    t.exec("HSETNX", "h", "a", "x".repeat(65));
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "hashtable");
  });
});

describe("HGET and HMGET", () => {
  it("return null for a missing key or field", () => {
    const t = makeEngine();
    assert.equal(t.exec("HGET", "h", "a"), null);
    assert.deepEqual(t.exec("HMGET", "h", "a", "b"), [null, null]);
    t.exec("HSET", "h", "a", "1");
    assert.equal(t.exec("HGET", "h", "b"), null);
    assert.deepEqual(t.exec("HMGET", "h", "b", "a", "a"), [null, "1", "1"]);
  });

  it("answer WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HGET", "s", "a"), WRONGTYPE);
    assert.deepEqual(t.exec("HMGET", "s", "a"), WRONGTYPE);
  });

  it("read a hashtable-encoded hash", () => {
    const t = makeEngine();
    hashOf(t, "h", 600);
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "hashtable");
    assert.equal(t.exec("HGET", "h", "f599"), "v599");
  });
});

describe("HDEL", () => {
  it("removes fields and replies with how many existed", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1", "b", "2", "c", "3");
    assert.equal(t.exec("HDEL", "h", "a", "x", "a"), 1);
    assert.deepEqual(t.exec("HKEYS", "h"), ["b", "c"]);
  });

  it("deletes the key with its last field and fires hdel then del", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1", "b", "2");
    const ev = events(t);
    assert.equal(t.exec("HDEL", "h", "a", "b", "c"), 2);
    assert.equal(t.exec("EXISTS", "h"), 0);
    assert.deepEqual(ev, ["hdel:h", "del:h"]);
  });

  it("fires nothing when no field existed", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1");
    const ev = events(t);
    assert.equal(t.exec("HDEL", "h", "x"), 0);
    assert.equal(t.exec("HDEL", "missing", "x"), 0);
    assert.deepEqual(ev, []);
  });

  it("answers WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HDEL", "s", "a"), WRONGTYPE);
  });
});

describe("HLEN, HSTRLEN and HEXISTS", () => {
  it("answer from the hash, with 0 for missing keys and fields", () => {
    const t = makeEngine();
    assert.equal(t.exec("HLEN", "h"), 0);
    assert.equal(t.exec("HSTRLEN", "h", "a"), 0);
    assert.equal(t.exec("HEXISTS", "h", "a"), 0);
    t.exec("HSET", "h", "a", "hello", "n", "-123");
    assert.equal(t.exec("HLEN", "h"), 2);
    assert.equal(t.exec("HSTRLEN", "h", "a"), 5);
    assert.equal(t.exec("HSTRLEN", "h", "n"), 4);
    assert.equal(t.exec("HSTRLEN", "h", "x"), 0);
    assert.equal(t.exec("HEXISTS", "h", "a"), 1);
    assert.equal(t.exec("HEXISTS", "h", "x"), 0);
  });

  it("answer WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HLEN", "s"), WRONGTYPE);
    assert.deepEqual(t.exec("HSTRLEN", "s", "a"), WRONGTYPE);
    assert.deepEqual(t.exec("HEXISTS", "s", "a"), WRONGTYPE);
  });
});

describe("HKEYS, HVALS and HGETALL", () => {
  it("answer in insertion order for a listpack", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "z", "1", "a", "2", "m", "3");
    assert.deepEqual(t.exec("HKEYS", "h"), ["z", "a", "m"]);
    assert.deepEqual(t.exec("HVALS", "h"), ["1", "2", "3"]);
    assert.deepEqual(t.exec("HGETALL", "h"), ["z", "1", "a", "2", "m", "3"]);
  });

  it("return empty replies for a missing key: arrays, and an empty map for HGETALL", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("HKEYS", "h"), { t: "array", v: [] });
    assert.deepEqual(t.raw("HVALS", "h"), { t: "array", v: [] });
    assert.deepEqual(t.raw("HGETALL", "h"), { t: "map", v: [] });
  });

  it("HGETALL is a RESP3 map", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1");
    const r = raw3(t, "HGETALL", "h");
    assert.equal(r.t, "map");
    assert.deepEqual(plain(r), ["a", "1"]);
  });

  it("cover every field of a hashtable", () => {
    const t = makeEngine();
    hashOf(t, "h", 700);
    const all = t.exec("HGETALL", "h") as string[];
    assert.equal(all.length, 1400);
    assert.equal((t.exec("HKEYS", "h") as string[]).length, 700);
    assert.equal((t.exec("HVALS", "h") as string[]).length, 700);
    for (let i = 0; i < all.length; i += 2) assert.equal(all[i]!.slice(1), all[i + 1]!.slice(1));
  });

  it("answer WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HKEYS", "s"), WRONGTYPE);
    assert.deepEqual(t.exec("HVALS", "s"), WRONGTYPE);
    assert.deepEqual(t.exec("HGETALL", "s"), WRONGTYPE);
  });
});

describe("HINCRBY", () => {
  it("creates the key and field, then adds", () => {
    const t = makeEngine();
    const ev = events(t);
    assert.equal(t.exec("HINCRBY", "h", "n", "5"), 5);
    assert.equal(t.exec("HINCRBY", "h", "n", "-7"), -2);
    assert.equal(t.exec("HGET", "h", "n"), "-2");
    assert.deepEqual(ev, ["hincrby:h", "hincrby:h"]);
  });

  it("handles int64 extremes and reports overflow", () => {
    const t = makeEngine();
    assert.equal(t.exec("HINCRBY", "h", "n", "9223372036854775807"), 9223372036854775807n);
    assert.deepEqual(t.exec("HINCRBY", "h", "n", "1"), { error: "ERR increment or decrement would overflow" });
    assert.equal(t.exec("HINCRBY", "h", "m", "-9223372036854775808"), -9223372036854775808n);
    assert.deepEqual(t.exec("HINCRBY", "h", "m", "-1"), { error: "ERR increment or decrement would overflow" });
  });

  it("rejects a stored value that is not an integer", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "s", "abc", "f", "1.5", "sp", " 1");
    for (const f of ["s", "f", "sp"]) {
      assert.deepEqual(t.exec("HINCRBY", "h", f, "1"), { error: "ERR hash value is not an integer" });
    }
  });

  it("rejects a bad increment before looking at the key", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HINCRBY", "s", "n", "x"), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("HINCRBY", "h", "n", "1.5"), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("HINCRBY", "s", "n", "1"), WRONGTYPE);
    assert.equal(t.exec("EXISTS", "h"), 0);
  });
});

describe("HINCRBYFLOAT", () => {
  it("adds with Valkey's long double formatting", () => {
    const t = makeEngine();
    const ev = events(t);
    assert.equal(t.exec("HINCRBYFLOAT", "h", "x", "10.5"), "10.5");
    assert.equal(t.exec("HINCRBYFLOAT", "h", "x", "0.1"), "10.6");
    assert.equal(t.exec("HINCRBYFLOAT", "h", "y", "1.5e3"), "1500");
    assert.equal(t.exec("HINCRBYFLOAT", "h", "y", "0.1"), "1500.09999999999999998");
    assert.equal(t.exec("HINCRBYFLOAT", "h", "z", "-0"), "0");
    assert.equal(t.exec("HGET", "h", "x"), "10.6");
    assert.deepEqual(ev, ["hincrbyfloat:h", "hincrbyfloat:h", "hincrbyfloat:h", "hincrbyfloat:h", "hincrbyfloat:h"]);
  });

  it("accepts strtold spellings in the stored value", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "hex", "0x10", "exp", "5e1");
    assert.equal(t.exec("HINCRBYFLOAT", "h", "hex", "1"), "17");
    assert.equal(t.exec("HINCRBYFLOAT", "h", "exp", "1"), "51");
  });

  it("rejects an increment that is not a float, or is infinite", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("HINCRBYFLOAT", "h", "x", "abc"), { error: "ERR value is not a valid float" });
    assert.deepEqual(t.exec("HINCRBYFLOAT", "h", "x", "nan"), { error: "ERR value is not a valid float" });
    assert.deepEqual(t.exec("HINCRBYFLOAT", "h", "x", "inf"), { error: "ERR value is NaN or Infinity" });
    assert.deepEqual(t.exec("HINCRBYFLOAT", "h", "x", "-inf"), { error: "ERR value is NaN or Infinity" });
    assert.equal(t.exec("EXISTS", "h"), 0);
  });

  it("rejects a stored value that is not a float", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "x", "abc");
    assert.deepEqual(t.exec("HINCRBYFLOAT", "h", "x", "1"), { error: "ERR hash value is not a float" });
  });

  it("refuses a result that overflows to infinity", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "x", "1e4932");
    assert.deepEqual(t.exec("HINCRBYFLOAT", "h", "x", "1e4932"), {
      error: "ERR increment would produce NaN or Infinity",
    });
    assert.equal(t.exec("HGET", "h", "x"), "1e4932");
  });

  it("checks the increment before the key type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HINCRBYFLOAT", "s", "x", "abc"), { error: "ERR value is not a valid float" });
    assert.deepEqual(t.exec("HINCRBYFLOAT", "s", "x", "1"), WRONGTYPE);
  });
});

describe("HRANDFIELD", () => {
  it("returns one field, or null for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("HRANDFIELD", "h"), null);
    t.exec("HSET", "h", "a", "1", "b", "2");
    assert.ok(["a", "b"].includes(t.exec("HRANDFIELD", "h") as string));
  });

  it("returns distinct fields for a positive count, the whole hash when it is larger", () => {
    const t = makeEngine();
    hashOf(t, "h", 5);
    const two = t.exec("HRANDFIELD", "h", "2") as string[];
    assert.equal(new Set(two).size, 2);
    assert.deepEqual(t.exec("HRANDFIELD", "h", "10"), ["f0", "f1", "f2", "f3", "f4"]);
    assert.deepEqual(t.exec("HRANDFIELD", "h", "0"), []);
  });

  it("allows repeats for a negative count", () => {
    const t = makeEngine();
    hashOf(t, "h", 2);
    const r = t.exec("HRANDFIELD", "h", "-20") as string[];
    assert.equal(r.length, 20);
    assert.ok(new Set(r).size <= 2);
  });

  it("samples a hashtable-encoded hash", () => {
    const t = makeEngine();
    hashOf(t, "h", 600);
    for (const count of ["500", "10"]) {
      const r = t.exec("HRANDFIELD", "h", count, "WITHVALUES") as string[];
      assert.equal(r.length, 2 * Number(count));
      const fields = r.filter((_, i) => i % 2 === 0);
      assert.equal(new Set(fields).size, Number(count));
      for (let i = 0; i < r.length; i += 2) assert.equal(r[i]!.slice(1), r[i + 1]!.slice(1));
    }
    assert.equal((t.exec("HRANDFIELD", "h", "-700") as string[]).length, 700);
  });

  it("WITHVALUES is a flat list in RESP2 and a list of pairs in RESP3", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1");
    assert.deepEqual(t.exec("HRANDFIELD", "h", "-2", "withvalues"), ["a", "1", "a", "1"]);
    const r = raw3(t, "HRANDFIELD", "h", "-2", "WITHVALUES");
    const enc = (v: 2 | 3) => Buffer.from(encodeReply(r, v)).toString("latin1");
    assert.equal(enc(3), "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert.equal(enc(2), "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n");
  });

  it("replies an empty array for a missing key with a count", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("HRANDFIELD", "h", "3"), { t: "array", v: [] });
    assert.deepEqual(t.raw("HRANDFIELD", "h", "-3", "WITHVALUES"), { t: "array", v: [] });
  });

  it("validates the count and the option before the key", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("HRANDFIELD", "s", "x"), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("HRANDFIELD", "s", "-9223372036854775808"), {
      error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    assert.deepEqual(t.exec("HRANDFIELD", "s", "1", "x"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("HRANDFIELD", "s", "1", "WITHVALUES", "x"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("HRANDFIELD", "s", "-9223372036854770000", "WITHVALUES"), {
      error: "ERR value is out of range",
    });
    assert.deepEqual(t.exec("HRANDFIELD", "s", "4611686018427387904", "WITHVALUES"), {
      error: "ERR value is out of range",
    });
    assert.deepEqual(t.exec("HRANDFIELD", "s", "1", "WITHVALUES"), WRONGTYPE);
    assert.deepEqual(t.exec("HRANDFIELD", "s"), WRONGTYPE);
    assert.deepEqual(t.exec("HRANDFIELD", "s", "0"), WRONGTYPE);
  });
});

describe("HSCAN", () => {
  it("returns a listpack hash whole with cursor 0", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "a", "1", "b", "2");
    assert.deepEqual(t.exec("HSCAN", "h", "0"), ["0", ["a", "1", "b", "2"]]);
    assert.deepEqual(t.exec("HSCAN", "h", "0", "COUNT", "1"), ["0", ["a", "1", "b", "2"]]);
  });

  it("filters with MATCH and drops values with NOVALUES", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "apple", "1", "banana", "2", "avocado", "3");
    assert.deepEqual(t.exec("HSCAN", "h", "0", "MATCH", "a*"), ["0", ["apple", "1", "avocado", "3"]]);
    assert.deepEqual(t.exec("HSCAN", "h", "0", "MATCH", "a*", "NOVALUES"), ["0", ["apple", "avocado"]]);
  });

  it("walks a hashtable with a cursor, returning every field once", () => {
    const t = makeEngine();
    hashOf(t, "h", 1000);
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, items] = t.exec("HSCAN", "h", cursor, "COUNT", "50") as [string, string[]];
      for (let i = 0; i < items.length; i += 2) {
        assert.ok(!seen.has(items[i]!));
        seen.set(items[i]!, items[i + 1]!);
      }
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.ok(calls >= 20);
    assert.equal(seen.size, 1000);
    assert.equal(seen.get("f123"), "v123");
  });

  it("replies an empty scan for a missing key without parsing options", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("HSCAN", "h", "0"), ["0", []]);
    assert.deepEqual(t.exec("HSCAN", "h", "0", "COUNT", "0"), ["0", []]);
  });

  it("reports a bad cursor first, then the type, then bad options", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    t.exec("HSET", "h", "a", "1");
    assert.deepEqual(t.exec("HSCAN", "s", "abc"), { error: "ERR invalid cursor" });
    assert.deepEqual(t.exec("HSCAN", "s", "0", "COUNT", "0"), WRONGTYPE);
    assert.deepEqual(t.exec("HSCAN", "h", "0", "COUNT", "0"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("HSCAN", "h", "0", "COUNT", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(t.exec("HSCAN", "h", "0", "FOO"), { error: "ERR syntax error" });
  });
});

describe("hash OBJECT ENCODING", () => {
  it("follows hash-max-listpack-entries and hash-max-listpack-value, one way", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "hash-max-listpack-entries", "4"), "OK");
    hashOf(t, "h", 4);
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "listpack");
    t.exec("HSET", "h", "x", "y");
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "hashtable");
    t.exec("HDEL", "h", "f0", "f1", "f2", "f3");
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "hashtable");
    assert.equal(t.exec("CONFIG", "SET", "hash-max-listpack-value", "3"), "OK");
    t.exec("HSET", "g", "abc", "1");
    assert.equal(t.exec("OBJECT", "ENCODING", "g"), "listpack");
    t.exec("HSET", "g", "abcd", "1");
    assert.equal(t.exec("OBJECT", "ENCODING", "g"), "hashtable");
  });

  it("converts when one call brings more pairs than the entry limit, duplicates included", () => {
    const t = makeEngine({ config: { "hash-max-listpack-entries": "2" } });
    t.exec("HSET", "h", "a", "1", "a", "2", "a", "3");
    assert.equal(t.exec("HLEN", "h"), 1);
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "hashtable");
  });

  it("HINCRBYFLOAT converts when the result is too long", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "x", "1");
    t.exec("HINCRBYFLOAT", "h", "x", "1e70");
    assert.equal(t.exec("OBJECT", "ENCODING", "h"), "hashtable");
  });

  it("COPY keeps the encoding and copies deeply", () => {
    const t = makeEngine();
    hashOf(t, "small", 2);
    hashOf(t, "big", 600);
    assert.equal(t.exec("COPY", "small", "s2"), 1);
    assert.equal(t.exec("COPY", "big", "b2"), 1);
    assert.equal(t.exec("OBJECT", "ENCODING", "s2"), "listpack");
    assert.equal(t.exec("OBJECT", "ENCODING", "b2"), "hashtable");
    t.exec("HSET", "b2", "f0", "changed");
    assert.equal(t.exec("HGET", "big", "f0"), "v0");
    assert.deepEqual(t.exec("HGETALL", "s2"), t.exec("HGETALL", "small"));
  });
});
