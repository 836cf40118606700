import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const EMPTY_SET = { t: "set", v: [] };

/** Records keyspace events as `event:key`. */
function events(t: TestEngine): string[] {
  const out: string[] = [];
  t.engine.onKeyModified((_db, key, event) => out.push(`${event}:${key}`));
  return out;
}

function range(n: number, prefix = ""): string[] {
  return Array.from({ length: n }, (_, i) => prefix + i);
}

function sorted(v: unknown): string[] {
  return [...(v as string[])].sort();
}

function enc(t: TestEngine, key: string): unknown {
  return t.exec("OBJECT", "ENCODING", key);
}

describe("SADD", () => {
  it("creates the set and replies with the number of new members", () => {
    const t = makeEngine();
    const ev = events(t);
    assert.equal(t.exec("SADD", "s", "a", "b", "a"), 2);
    assert.equal(t.exec("SADD", "s", "b", "c"), 1);
    assert.equal(t.exec("SADD", "s", "c"), 0);
    assert.deepEqual(t.exec("SMEMBERS", "s"), ["a", "b", "c"]);
    assert.equal(t.exec("TYPE", "s"), "set");
    assert.deepEqual(ev, ["sadd:s", "sadd:s"]);
  });

  it("answers WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "k", "x");
    assert.deepEqual(t.exec("SADD", "k", "a"), WRONGTYPE);
  });

  it("stores binary-safe members", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "\x00\xff", "\r\n");
    assert.equal(t.exec("SISMEMBER", "s", "\x00\xff"), 1);
    assert.equal(t.exec("SISMEMBER", "s", "\x00"), 0);
  });
});

describe("SREM", () => {
  it("removes members and replies with how many existed", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a", "b", "c");
    assert.equal(t.exec("SREM", "s", "a", "x", "a"), 1);
    assert.deepEqual(t.exec("SMEMBERS", "s"), ["b", "c"]);
  });

  it("deletes the key with its last member and fires srem then del", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "1", "2");
    const ev = events(t);
    assert.equal(t.exec("SREM", "s", "1", "2", "3"), 2);
    assert.equal(t.exec("EXISTS", "s"), 0);
    assert.deepEqual(ev, ["srem:s", "del:s"]);
  });

  it("replies 0 without events for a missing key or member", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a");
    const ev = events(t);
    assert.equal(t.exec("SREM", "nokey", "a"), 0);
    assert.equal(t.exec("SREM", "s", "x"), 0);
    assert.deepEqual(ev, []);
  });

  it("answers WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "k", "x");
    assert.deepEqual(t.exec("SREM", "k", "a"), WRONGTYPE);
  });
});

describe("SMEMBERS, SCARD, SISMEMBER and SMISMEMBER", () => {
  it("answer from the set, with empty answers for a missing key", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("SMEMBERS", "s"), EMPTY_SET);
    assert.equal(t.exec("SCARD", "s"), 0);
    assert.equal(t.exec("SISMEMBER", "s", "a"), 0);
    assert.deepEqual(t.exec("SMISMEMBER", "s", "a", "b"), [0, 0]);
    t.exec("SADD", "s", "a", "b");
    assert.equal(t.exec("SCARD", "s"), 2);
    assert.equal(t.exec("SISMEMBER", "s", "a"), 1);
    assert.equal(t.exec("SISMEMBER", "s", "x"), 0);
    assert.deepEqual(t.exec("SMISMEMBER", "s", "x", "b", "a"), [0, 1, 1]);
  });

  it("SMEMBERS is a RESP3 set, in ascending order for an intset", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "10", "-5", "3");
    const r = t.raw("SMEMBERS", "s") as Reply;
    assert.equal(r.t, "set");
    assert.deepEqual(plain(r), ["-5", "3", "10"]);
  });

  it("answer WRONGTYPE against another type", () => {
    const t = makeEngine();
    t.exec("SET", "k", "x");
    for (const argv of [["SMEMBERS", "k"], ["SCARD", "k"], ["SISMEMBER", "k", "a"], ["SMISMEMBER", "k", "a"]]) {
      assert.deepEqual(t.exec(...argv), WRONGTYPE, argv.join(" "));
    }
  });

  it("cover a hashtable-encoded set", () => {
    const t = makeEngine();
    t.exec("SADD", "s", ...range(300, "m"));
    assert.equal(enc(t, "s"), "hashtable");
    assert.equal(t.exec("SCARD", "s"), 300);
    assert.deepEqual(sorted(t.exec("SMEMBERS", "s")), range(300, "m").sort());
    assert.equal(t.exec("SISMEMBER", "s", "m299"), 1);
  });
});

describe("SMOVE", () => {
  it("moves a member, creating the destination and deleting an emptied source", () => {
    const t = makeEngine();
    t.exec("SADD", "src", "a");
    const ev = events(t);
    assert.equal(t.exec("SMOVE", "src", "dst", "a"), 1);
    assert.equal(t.exec("EXISTS", "src"), 0);
    assert.deepEqual(t.exec("SMEMBERS", "dst"), ["a"]);
    assert.deepEqual(ev, ["srem:src", "del:src", "sadd:dst"]);
  });

  it("replies 1 but fires no sadd when the destination already has the member", () => {
    const t = makeEngine();
    t.exec("SADD", "src", "a", "b");
    t.exec("SADD", "dst", "a");
    const ev = events(t);
    assert.equal(t.exec("SMOVE", "src", "dst", "a"), 1);
    assert.deepEqual(t.exec("SMEMBERS", "src"), ["b"]);
    assert.deepEqual(ev, ["srem:src"]);
  });

  it("replies 0 for a missing source or member", () => {
    const t = makeEngine();
    t.exec("SADD", "src", "a");
    assert.equal(t.exec("SMOVE", "nokey", "dst", "a"), 0);
    assert.equal(t.exec("SMOVE", "src", "dst", "x"), 0);
    assert.equal(t.exec("EXISTS", "dst"), 0);
  });

  it("is a membership test when source and destination are the same key", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a");
    const ev = events(t);
    assert.equal(t.exec("SMOVE", "s", "s", "a"), 1);
    assert.equal(t.exec("SMOVE", "s", "s", "x"), 0);
    assert.deepEqual(t.exec("SMEMBERS", "s"), ["a"]);
    assert.deepEqual(ev, []);
  });

  it("checks types only once the source exists", () => {
    const t = makeEngine();
    t.exec("SET", "str", "x");
    t.exec("SADD", "s", "a");
    assert.equal(t.exec("SMOVE", "nokey", "str", "a"), 0);
    assert.deepEqual(t.exec("SMOVE", "str", "s", "a"), WRONGTYPE);
    assert.deepEqual(t.exec("SMOVE", "s", "str", "a"), WRONGTYPE);
    assert.equal(t.exec("SISMEMBER", "s", "a"), 1);
  });

  it("creates an intset destination for an integer member", () => {
    const t = makeEngine();
    t.exec("SADD", "src", "5", "x");
    t.exec("SMOVE", "src", "dst", "5");
    assert.equal(enc(t, "dst"), "intset");
  });
});

describe("SPOP", () => {
  it("pops one member, deleting the key with the last one", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a", "b");
    const ev = events(t);
    const first = t.exec("SPOP", "s") as string;
    const second = t.exec("SPOP", "s") as string;
    assert.deepEqual([first, second].sort(), ["a", "b"]);
    assert.equal(t.exec("EXISTS", "s"), 0);
    assert.equal(t.exec("SPOP", "s"), null);
    assert.deepEqual(ev, ["spop:s", "spop:s", "del:s"]);
  });

  it("pops count distinct members as a RESP3 set", () => {
    const t = makeEngine();
    t.exec("SADD", "s", ...range(10, "m"));
    const r = t.raw("SPOP", "s", "3") as Reply;
    assert.equal(r.t, "set");
    const got = plain(r) as string[];
    assert.equal(new Set(got).size, 3);
    assert.equal(t.exec("SCARD", "s"), 7);
    for (const m of got) assert.equal(t.exec("SISMEMBER", "s", m), 0);
  });

  it("returns the whole set and deletes the key when count reaches its size", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "3", "1", "2");
    const ev = events(t);
    assert.deepEqual(t.exec("SPOP", "s", "100"), ["1", "2", "3"]);
    assert.equal(t.exec("EXISTS", "s"), 0);
    assert.deepEqual(ev, ["spop:s", "del:s"]);
  });

  it("returns an empty set for a count of 0 or a missing key", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a");
    const ev = events(t);
    assert.deepEqual(t.raw("SPOP", "s", "0"), EMPTY_SET);
    assert.deepEqual(t.raw("SPOP", "nokey", "5"), EMPTY_SET);
    assert.deepEqual(ev, []);
    assert.equal(t.exec("SCARD", "s"), 1);
  });

  it("rejects a negative or non-numeric count before the key, and extra arguments", () => {
    const t = makeEngine();
    t.exec("SET", "k", "x");
    assert.deepEqual(t.exec("SPOP", "k", "-1"), { error: "ERR value is out of range, must be positive" });
    assert.deepEqual(t.exec("SPOP", "k", "x"), { error: "ERR value is out of range, must be positive" });
    assert.deepEqual(t.exec("SPOP", "k", "1", "2"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("SPOP", "k", "1"), WRONGTYPE);
    assert.deepEqual(t.exec("SPOP", "k"), WRONGTYPE);
  });

  it("shrinks a hashtable to a listpack when most members are popped", () => {
    const t = makeEngine();
    t.exec("SADD", "s", ...range(200, "m"));
    assert.equal(enc(t, "s"), "hashtable");
    assert.equal((t.exec("SPOP", "s", "190") as string[]).length, 190);
    assert.equal(t.exec("SCARD", "s"), 10);
    assert.equal(enc(t, "s"), "listpack");
  });

  it("keeps an intset when popping from it", () => {
    const t = makeEngine();
    t.exec("SADD", "s", ...range(50));
    t.exec("SPOP", "s", "45");
    assert.equal(enc(t, "s"), "intset");
    t.exec("SPOP", "s", "2");
    assert.equal(t.exec("SCARD", "s"), 3);
  });
});

describe("SRANDMEMBER", () => {
  it("returns one member without removing it, or null for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("SRANDMEMBER", "s"), null);
    t.exec("SADD", "s", "a");
    assert.equal(t.exec("SRANDMEMBER", "s"), "a");
    assert.equal(t.exec("SCARD", "s"), 1);
  });

  it("returns distinct members for a positive count and repeats for a negative one", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a", "b", "c");
    const two = t.exec("SRANDMEMBER", "s", "2") as string[];
    assert.equal(new Set(two).size, 2);
    assert.deepEqual(t.exec("SRANDMEMBER", "s", "10"), ["a", "b", "c"]);
    const many = t.exec("SRANDMEMBER", "s", "-10") as string[];
    assert.equal(many.length, 10);
    assert.ok(many.every((m) => ["a", "b", "c"].includes(m)));
    assert.deepEqual(t.raw("SRANDMEMBER", "s", "0"), { t: "array", v: [] });
  });

  it("answers with an array, also in RESP3, and an empty one for a missing key", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a");
    assert.equal((t.raw("SRANDMEMBER", "s", "1") as Reply).t, "array");
    assert.deepEqual(t.raw("SRANDMEMBER", "nokey", "3"), { t: "array", v: [] });
  });

  it("samples a hashtable-encoded set", () => {
    const t = makeEngine();
    t.exec("SADD", "s", ...range(300, "m"));
    for (const count of [250, 20]) {
      const r = t.exec("SRANDMEMBER", "s", String(count)) as string[];
      assert.equal(new Set(r).size, count);
    }
  });

  it("validates the count before the key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "x");
    assert.deepEqual(t.exec("SRANDMEMBER", "k", "x"), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("SRANDMEMBER", "k", "-9223372036854775808"), {
      error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    assert.deepEqual(t.exec("SRANDMEMBER", "k", "1", "2"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("SRANDMEMBER", "k", "1"), WRONGTYPE);
    assert.deepEqual(t.exec("SRANDMEMBER", "k"), WRONGTYPE);
  });
});

describe("SINTER", () => {
  it("returns the members every set has, as a RESP3 set", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1", "2", "3", "x");
    t.exec("SADD", "b", "2", "3", "4", "x");
    t.exec("SADD", "c", "3", "x", "2");
    const r = t.raw("SINTER", "a", "b", "c") as Reply;
    assert.equal(r.t, "set");
    assert.deepEqual(sorted(plain(r)), ["2", "3", "x"]);
    assert.deepEqual(sorted(t.exec("SINTER", "a")), ["1", "2", "3", "x"]);
  });

  it("is empty when a key is missing, but still checks every type", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1");
    t.exec("SET", "str", "x");
    assert.deepEqual(t.raw("SINTER", "a", "nokey"), EMPTY_SET);
    assert.deepEqual(t.exec("SINTER", "nokey", "str"), WRONGTYPE);
    assert.deepEqual(t.exec("SINTER", "a", "str"), WRONGTYPE);
  });
});

describe("SINTERCARD", () => {
  it("counts the intersection, stopping at LIMIT", () => {
    const t = makeEngine();
    t.exec("SADD", "a", ...range(20, "m"));
    t.exec("SADD", "b", ...range(10, "m"));
    assert.equal(t.exec("SINTERCARD", "2", "a", "b"), 10);
    assert.equal(t.exec("SINTERCARD", "2", "a", "b", "LIMIT", "3"), 3);
    assert.equal(t.exec("SINTERCARD", "2", "a", "b", "limit", "0"), 10);
    assert.equal(t.exec("SINTERCARD", "2", "a", "b", "LIMIT", "3", "LIMIT", "5"), 5);
    assert.equal(t.exec("SINTERCARD", "2", "a", "nokey"), 0);
    assert.equal(t.exec("SINTERCARD", "1", "a"), 20);
  });

  it("validates numkeys and LIMIT with Valkey's messages", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1");
    assert.deepEqual(t.exec("SINTERCARD", "0", "a"), { error: "ERR numkeys should be greater than 0" });
    assert.deepEqual(t.exec("SINTERCARD", "x", "a"), { error: "ERR numkeys should be greater than 0" });
    assert.deepEqual(t.exec("SINTERCARD", "2", "a"), {
      error: "ERR Number of keys can't be greater than number of args",
    });
    assert.deepEqual(t.exec("SINTERCARD", "1", "a", "LIMIT", "-1"), { error: "ERR LIMIT can't be negative" });
    assert.deepEqual(t.exec("SINTERCARD", "1", "a", "LIMIT", "x"), { error: "ERR LIMIT can't be negative" });
    assert.deepEqual(t.exec("SINTERCARD", "1", "a", "LIMIT"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("SINTERCARD", "1", "a", "FOO", "1"), { error: "ERR syntax error" });
  });

  it("checks options before key types", () => {
    const t = makeEngine();
    t.exec("SET", "str", "x");
    assert.deepEqual(t.exec("SINTERCARD", "1", "str", "FOO"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("SINTERCARD", "1", "str"), WRONGTYPE);
  });
});

describe("SINTERSTORE", () => {
  it("stores the intersection and replies with its size", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "x", "y", "z");
    t.exec("SADD", "b", "y", "z", "w");
    const ev = events(t);
    assert.equal(t.exec("SINTERSTORE", "d", "a", "b"), 2);
    assert.deepEqual(sorted(t.exec("SMEMBERS", "d")), ["y", "z"]);
    assert.deepEqual(ev, ["sinterstore:d"]);
  });

  it("overwrites a destination of any type and drops its TTL", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1");
    t.exec("SET", "d", "x");
    t.exec("EXPIRE", "d", "100");
    assert.equal(t.exec("SINTERSTORE", "d", "a"), 1);
    assert.equal(t.exec("TYPE", "d"), "set");
    assert.equal(t.exec("TTL", "d"), -1);
  });

  it("deletes the destination for an empty result and fires del only if it existed", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1");
    t.exec("SADD", "b", "2");
    t.exec("SET", "d", "x");
    const ev = events(t);
    assert.equal(t.exec("SINTERSTORE", "d", "a", "b"), 0);
    assert.equal(t.exec("EXISTS", "d"), 0);
    assert.equal(t.exec("SINTERSTORE", "d", "a", "nokey"), 0);
    assert.deepEqual(ev, ["del:d"]);
  });

  it("makes an intset from integer members of hashtables", () => {
    const t = makeEngine();
    t.exec("SADD", "a", ...range(200));
    t.exec("SADD", "a", "x");
    t.exec("SADD", "b", ...range(200), "y");
    assert.equal(enc(t, "a"), "hashtable");
    assert.equal(t.exec("SINTERSTORE", "d", "a", "b"), 200);
    assert.equal(enc(t, "d"), "intset");
  });

  it("can use a source as the destination", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1", "2");
    t.exec("SADD", "b", "2");
    assert.equal(t.exec("SINTERSTORE", "a", "a", "b"), 1);
    assert.deepEqual(t.exec("SMEMBERS", "a"), ["2"]);
  });

  it("answers WRONGTYPE for a non-set source", () => {
    const t = makeEngine();
    t.exec("SET", "str", "x");
    assert.deepEqual(t.exec("SINTERSTORE", "d", "str"), WRONGTYPE);
  });
});

describe("SUNION and SUNIONSTORE", () => {
  it("SUNION returns every member once as a RESP3 set, missing keys ignored", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "3", "1");
    t.exec("SADD", "b", "2", "1");
    const r = t.raw("SUNION", "a", "nokey", "b") as Reply;
    assert.equal(r.t, "set");
    assert.deepEqual(plain(r), ["1", "2", "3"]);
    assert.deepEqual(t.raw("SUNION", "nokey"), EMPTY_SET);
  });

  it("SUNIONSTORE stores the union with the encoding Valkey would pick", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1", "2");
    t.exec("SADD", "b", "x");
    const ev = events(t);
    assert.equal(t.exec("SUNIONSTORE", "d", "a", "b"), 3);
    assert.equal(enc(t, "d"), "listpack");
    assert.equal(t.exec("SUNIONSTORE", "i", "a"), 2);
    assert.equal(enc(t, "i"), "intset");
    assert.deepEqual(ev, ["sunionstore:d", "sunionstore:i"]);
  });

  it("SUNIONSTORE of nothing deletes the destination", () => {
    const t = makeEngine();
    t.exec("SET", "d", "x");
    const ev = events(t);
    assert.equal(t.exec("SUNIONSTORE", "d", "nokey"), 0);
    assert.equal(t.exec("EXISTS", "d"), 0);
    assert.deepEqual(ev, ["del:d"]);
  });

  it("answer WRONGTYPE for a non-set source", () => {
    const t = makeEngine();
    t.exec("SET", "str", "x");
    assert.deepEqual(t.exec("SUNION", "str"), WRONGTYPE);
    assert.deepEqual(t.exec("SUNIONSTORE", "d", "nokey", "str"), WRONGTYPE);
  });
});

describe("SDIFF and SDIFFSTORE", () => {
  it("SDIFF returns the first set minus the others as a RESP3 set", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "1", "2", "3", "4");
    t.exec("SADD", "b", "2");
    t.exec("SADD", "c", "4", "9");
    const r = t.raw("SDIFF", "a", "b", "nokey", "c") as Reply;
    assert.equal(r.t, "set");
    assert.deepEqual(plain(r), ["1", "3"]);
    assert.deepEqual(t.raw("SDIFF", "nokey", "a"), EMPTY_SET);
    assert.deepEqual(t.raw("SDIFF", "a", "a"), EMPTY_SET);
    assert.deepEqual(t.exec("SDIFF", "a"), ["1", "2", "3", "4"]);
  });

  it("SDIFFSTORE stores the difference or deletes the destination", () => {
    const t = makeEngine();
    t.exec("SADD", "a", "x", "y");
    t.exec("SADD", "b", "y");
    const ev = events(t);
    assert.equal(t.exec("SDIFFSTORE", "d", "a", "b"), 1);
    assert.deepEqual(t.exec("SMEMBERS", "d"), ["x"]);
    assert.equal(t.exec("SDIFFSTORE", "d", "b", "a"), 0);
    assert.equal(t.exec("EXISTS", "d"), 0);
    assert.deepEqual(ev, ["sdiffstore:d", "del:d"]);
  });

  it("answer WRONGTYPE for a non-set source", () => {
    const t = makeEngine();
    t.exec("SET", "str", "x");
    t.exec("SADD", "a", "1");
    assert.deepEqual(t.exec("SDIFF", "a", "str"), WRONGTYPE);
    assert.deepEqual(t.exec("SDIFFSTORE", "d", "str"), WRONGTYPE);
  });
});

describe("SSCAN", () => {
  it("returns small sets whole with cursor 0", () => {
    const t = makeEngine();
    t.exec("SADD", "i", "3", "1", "2");
    t.exec("SADD", "l", "b", "a");
    assert.deepEqual(t.exec("SSCAN", "i", "0", "COUNT", "1"), ["0", ["1", "2", "3"]]);
    assert.deepEqual(t.exec("SSCAN", "l", "0"), ["0", ["b", "a"]]);
  });

  it("filters with MATCH", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "apple", "banana", "avocado");
    assert.deepEqual(t.exec("SSCAN", "s", "0", "MATCH", "a*"), ["0", ["apple", "avocado"]]);
  });

  it("walks a hashtable with a cursor, returning every member once", () => {
    const t = makeEngine();
    t.exec("SADD", "s", ...range(500, "m"));
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, items] = t.exec("SSCAN", "s", cursor, "COUNT", "20") as [string, string[]];
      for (const m of items) {
        assert.ok(!seen.has(m));
        seen.add(m);
      }
      cursor = next;
    } while (cursor !== "0");
    assert.equal(seen.size, 500);
  });

  it("rejects NOVALUES and reports errors in Valkey's order", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "a");
    t.exec("SET", "str", "x");
    assert.deepEqual(t.exec("SSCAN", "s", "0", "NOVALUES"), {
      error: "ERR NOVALUES option can only be used in HSCAN",
    });
    assert.deepEqual(t.exec("SSCAN", "str", "x"), { error: "ERR invalid cursor" });
    assert.deepEqual(t.exec("SSCAN", "str", "0"), WRONGTYPE);
    assert.deepEqual(t.exec("SSCAN", "nokey", "0", "COUNT", "0"), ["0", []]);
    assert.deepEqual(t.exec("SSCAN", "s", "0", "COUNT", "0"), { error: "ERR syntax error" });
  });
});

describe("set OBJECT ENCODING", () => {
  it("uses intset for integers, listpack for small sets, hashtable beyond", () => {
    const t = makeEngine();
    t.exec("SADD", "i", "1", "2");
    assert.equal(enc(t, "i"), "intset");
    t.exec("SADD", "i", "a");
    assert.equal(enc(t, "i"), "listpack");
    t.exec("SADD", "l", "a", "b");
    assert.equal(enc(t, "l"), "listpack");
    t.exec("SADD", "l", "x".repeat(65));
    assert.equal(enc(t, "l"), "hashtable");
    t.exec("SADD", "big", ...range(513));
    assert.equal(enc(t, "big"), "hashtable");
    t.exec("SADD", "n", "01");
    assert.equal(enc(t, "n"), "listpack");
  });

  it("follows CONFIG SET of the thresholds, never converting back", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "set-max-intset-entries", "3"), "OK");
    assert.equal(t.exec("CONFIG", "SET", "set-max-listpack-entries", "2"), "OK");
    assert.equal(t.exec("CONFIG", "SET", "set-max-listpack-value", "3"), "OK");
    t.exec("SADD", "i", "1", "2", "3");
    assert.equal(enc(t, "i"), "intset");
    t.exec("SADD", "i", "4");
    assert.equal(enc(t, "i"), "hashtable");
    t.exec("SREM", "i", "1", "2", "3");
    assert.equal(enc(t, "i"), "hashtable");
    t.exec("SADD", "l", "a", "b");
    assert.equal(enc(t, "l"), "listpack");
    t.exec("SADD", "l", "c");
    assert.equal(enc(t, "l"), "hashtable");
    t.exec("SADD", "v", "abcd");
    assert.equal(enc(t, "v"), "hashtable");
  });

  it("sizes a new set by the number of SADD arguments", () => {
    const t = makeEngine({ config: { "set-max-listpack-entries": "2" } });
    t.exec("SADD", "s", "a", "a", "a");
    assert.equal(t.exec("SCARD", "s"), 1);
    assert.equal(enc(t, "s"), "hashtable");
  });

  it("COPY keeps the encoding and copies deeply", () => {
    const t = makeEngine();
    t.exec("SADD", "i", "1", "2");
    t.exec("SADD", "h", ...range(200, "m"));
    t.exec("COPY", "i", "i2");
    t.exec("COPY", "h", "h2");
    assert.equal(enc(t, "i2"), "intset");
    assert.equal(enc(t, "h2"), "hashtable");
    t.exec("SREM", "h2", "m0");
    assert.equal(t.exec("SISMEMBER", "h", "m0"), 1);
    assert.deepEqual(t.exec("SMEMBERS", "i2"), ["1", "2"]);
  });
});
