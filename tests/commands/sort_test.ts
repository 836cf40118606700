import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import { sortWeight } from "../../src/commands/sort.ts";

const SCORES = { error: "ERR One or more scores can't be converted into double" };

describe("SORT", () => {
  it("sorts a list numerically, ascending by default", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "3", "10", "-1", "2.5");
    assert.deepEqual(t.exec("SORT", "l"), ["-1", "2.5", "3", "10"]);
    assert.deepEqual(t.exec("SORT", "l", "DESC"), ["10", "3", "2.5", "-1"]);
    assert.deepEqual(t.exec("SORT", "l", "desc", "ASC"), ["-1", "2.5", "3", "10"]);
  });

  it("breaks numeric ties by comparing the elements' bytes", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "1.0", "1", "01", "0x1");
    assert.deepEqual(t.exec("SORT", "l"), ["01", "0x1", "1", "1.0"]);
    assert.deepEqual(t.exec("SORT", "l", "DESC"), ["1.0", "1", "0x1", "01"]);
  });

  it("reads weights the way strtod does", () => {
    assert.equal(sortWeight(" 3"), 3);
    assert.equal(sortWeight(""), 0);
    assert.equal(sortWeight("0x10"), 16);
    assert.equal(sortWeight("0x1p3"), 8);
    assert.equal(sortWeight("+5"), 5);
    assert.equal(sortWeight(".5"), 0.5);
    assert.equal(sortWeight("5."), 5);
    assert.equal(sortWeight("-inf"), -Infinity);
    assert.equal(sortWeight("Infinity"), Infinity);
    assert.equal(sortWeight("3\x00abc"), 3);
    for (const bad of ["3 ", "   ", "nan", "1e", "0x", "-", "infinit", "1e400", "1e-310", "abc"]) {
      assert.equal(sortWeight(bad), undefined, bad);
    }
  });

  it("replies an error when an element is not a number", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "1", "a");
    assert.deepEqual(t.exec("SORT", "l"), SCORES);
  });

  it("sorts alphabetically with ALPHA, as C strings without STORE and as bytes with it", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "b", "B", "a\x00z", "a\x00b", "a", "\xff", "\x80");
    // Without STORE the comparison stops at NUL bytes, so the three "a" elements tie (stable).
    assert.deepEqual(t.exec("SORT", "l", "ALPHA"), ["B", "a\x00z", "a\x00b", "a", "b", "\x80", "\xff"]);
    assert.equal(t.exec("SORT", "l", "ALPHA", "STORE", "dst"), 7);
    assert.deepEqual(t.exec("LRANGE", "dst", 0, -1), ["B", "a", "a\x00b", "a\x00z", "b", "\x80", "\xff"]);
    assert.deepEqual(t.exec("SORT", "l", "ALPHA", "DESC", "LIMIT", 0, 2), ["\xff", "\x80"]);
  });

  it("applies LIMIT offset and count with Valkey's clamping", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "5", "4", "3", "2", "1");
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", 1, 2), ["2", "3"]);
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", -5, 2), ["1", "2"]);
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", 3, -1), ["4", "5"]);
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", 3, 100), ["4", "5"]);
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", 5, 1), []);
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", 0, 0), []);
  });

  it("rejects a malformed LIMIT and unknown options", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "1");
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", "x", 1), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("SORT", "l", "LIMIT", 1), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("SORT", "l", "FOO"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("SORT", "l", "BY"), { error: "ERR syntax error" });
  });

  it("sorts by weights read from string keys, missing ones counting as 0", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a", "b", "c", "d");
    t.exec("MSET", "w_a", "3", "w_b", "1", "w_c", "-2");
    assert.deepEqual(t.exec("SORT", "l", "BY", "w_*"), ["c", "d", "b", "a"]);
    assert.deepEqual(t.exec("SORT", "l", "BY", "w_*", "DESC", "LIMIT", 0, 2), ["a", "b"]);
  });

  it("sorts by hash fields with key->field patterns", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a", "b", "c");
    t.exec("HSET", "h_a", "f", "2");
    t.exec("HSET", "h_b", "f", "1");
    t.exec("HSET", "h_c", "f", "3");
    assert.deepEqual(t.exec("SORT", "l", "BY", "h_*->f"), ["b", "a", "c"]);
  });

  it("puts missing weights first with ALPHA BY", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a", "b", "c");
    t.exec("MSET", "w_a", "zz", "w_c", "aa");
    assert.deepEqual(t.exec("SORT", "l", "BY", "w_*", "ALPHA"), ["b", "c", "a"]);
    assert.deepEqual(t.exec("SORT", "l", "BY", "w_*", "ALPHA", "DESC"), ["a", "c", "b"]);
  });

  it("reports weights that are not numbers", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a", "b");
    t.exec("MSET", "w_a", "1", "w_b", "x");
    assert.deepEqual(t.exec("SORT", "l", "BY", "w_*"), SCORES);
  });

  it("skips sorting with a constant BY pattern, keeping list order", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "c", "a", "b", "x");
    assert.deepEqual(t.exec("SORT", "l", "BY", "nosort"), ["c", "a", "b", "x"]);
    assert.deepEqual(t.exec("SORT", "l", "BY", "nosort", "DESC"), ["x", "b", "a", "c"]);
    assert.deepEqual(t.exec("SORT", "l", "BY", "nosort", "LIMIT", 1, 2), ["a", "b"]);
    assert.deepEqual(t.exec("SORT", "l", "BY", "nosort", "DESC", "LIMIT", 1, 2), ["b", "a"]);
  });

  it("keeps a constant BY pattern in force after a later BY with a star, as Valkey does", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "b", "a");
    assert.deepEqual(t.exec("SORT", "l", "BY", "nosort", "BY", "w_*"), ["b", "a"]);
  });

  it("fetches GET patterns, # for the element and null for missing keys", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "2", "1");
    t.exec("SET", "o_1", "one");
    t.exec("HSET", "h_2", "name", "two");
    assert.deepEqual(t.exec("SORT", "l", "GET", "#", "GET", "o_*", "GET", "h_*->name", "GET", "noglob"), [
      "1",
      "one",
      null,
      null,
      "2",
      null,
      "two",
      null,
    ]);
  });

  it("treats a pattern ending in -> as a plain key and ignores wrong types", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "1");
    t.exec("SET", "k_1->", "arrow");
    t.exec("RPUSH", "o_1", "a list");
    assert.deepEqual(t.exec("SORT", "l", "GET", "k_*->", "GET", "o_*", "GET", "o_*->f"), ["arrow", null, null]);
  });

  it("sorts sets and sorted sets", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "3", "1", "2");
    assert.deepEqual(t.exec("SORT", "s"), ["1", "2", "3"]);
    t.exec("ZADD", "z", 1, "c", 2, "a", 3, "b");
    assert.deepEqual(t.exec("SORT", "z", "ALPHA"), ["a", "b", "c"]);
  });

  it("returns a sorted set in score order with a constant BY pattern, and converts it to skiplist", () => {
    const t = makeEngine();
    t.exec("ZADD", "z", 1, "c", 2, "a", 3, "b", 4, "d");
    assert.equal(t.exec("OBJECT", "ENCODING", "z"), "listpack");
    assert.deepEqual(t.exec("SORT", "z", "BY", "nosort"), ["c", "a", "b", "d"]);
    assert.deepEqual(t.exec("SORT", "z", "BY", "nosort", "DESC", "LIMIT", 1, 2), ["b", "a"]);
    assert.deepEqual(t.exec("SORT", "z", "BY", "nosort", "LIMIT", 2, 5), ["b", "d"]);
    assert.equal(t.exec("OBJECT", "ENCODING", "z"), "skiplist");
  });

  it("sorts a set alphabetically when storing it with a constant BY pattern", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "b", "c", "a");
    assert.equal(t.exec("SORT", "s", "BY", "nosort", "STORE", "dst"), 3);
    assert.deepEqual(t.exec("LRANGE", "dst", 0, -1), ["a", "b", "c"]);
  });

  it("sorts a set alphabetically for a script with a constant BY pattern", () => {
    const t = makeEngine();
    t.exec("SADD", "s", "b", "10", "c", "a", "2");
    t.exec("RPUSH", "l", "b", "10", "a");
    assert.deepEqual(t.exec("EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", 1, "s"), [
      "10",
      "2",
      "a",
      "b",
      "c",
    ]);
    assert.deepEqual(
      t.exec("EVAL", "return redis.call('SORT_RO', KEYS[1], 'BY', 'nosort', 'DESC', 'LIMIT', 1, 2)", 1, "s"),
      ["b", "a"],
    );
    t.exec(
      "FUNCTION",
      "LOAD",
      "#!lua name=srt\nredis.register_function('f', function(k) return redis.call('SORT', k[1], 'BY', 'x') end)",
    );
    assert.deepEqual(t.exec("FCALL", "f", 1, "s"), ["10", "2", "a", "b", "c"]);
    // Lists keep their own order.
    assert.deepEqual(t.exec("EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", 1, "l"), ["b", "10", "a"]);
  });

  it("returns an empty array for a missing key and WRONGTYPE for strings and hashes", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SORT", "nokey"), []);
    t.exec("SET", "s", "v");
    t.exec("HSET", "h", "f", "v");
    assert.deepEqual(t.exec("SORT", "s"), {
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
    assert.deepEqual(t.exec("SORT", "h"), {
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
    });
  });

  it("STORE writes a list (replacing any type and TTL) and replies its length", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "2", "1");
    t.exec("SET", "dst", "old", "EX", 100);
    const events: [string, string][] = [];
    t.engine.onKeyModified((_db, key, event) => events.push([key, event]));
    assert.equal(t.exec("SORT", "l", "GET", "#", "GET", "nokey_*", "STORE", "dst"), 4);
    assert.deepEqual(t.exec("LRANGE", "dst", 0, -1), ["1", "", "2", ""]);
    assert.equal(t.exec("TTL", "dst"), -1);
    assert.equal(t.exec("OBJECT", "ENCODING", "dst"), "listpack");
    assert.deepEqual(events, [["dst", "sortstore"]]);
  });

  it("STORE of an empty result deletes the destination", () => {
    const t = makeEngine();
    t.exec("SET", "dst", "x");
    const events: [string, string][] = [];
    t.engine.onKeyModified((_db, key, event) => events.push([key, event]));
    assert.equal(t.exec("SORT", "nokey", "STORE", "dst"), 0);
    assert.equal(t.exec("EXISTS", "dst"), 0);
    assert.equal(t.exec("SORT", "nokey", "STORE", "dst"), 0);
    assert.deepEqual(events, [["dst", "del"]]);
  });

  it("STORE picks quicklist for a result larger than one listpack node", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", ...Array.from({ length: 300 }, (_, i) => `${i}`.padStart(40, "0")));
    t.exec("SORT", "l", "STORE", "dst");
    assert.equal(t.exec("OBJECT", "ENCODING", "dst"), "quicklist");
  });
});

describe("SORT_RO", () => {
  it("sorts like SORT", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "2", "1");
    assert.deepEqual(t.exec("SORT_RO", "l", "GET", "#"), ["1", "2"]);
  });

  it("rejects STORE with a syntax error", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "2", "1");
    assert.deepEqual(t.exec("SORT_RO", "l", "STORE", "dst"), { error: "ERR syntax error" });
    assert.equal(t.exec("EXISTS", "dst"), 0);
  });
});

describe("COMMAND GETKEYS for SORT", () => {
  it("finds the sorted key and the last STORE key, skipping LIMIT, GET and BY arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "SORT", "k", "LIMIT", 0, 1, "GET", "store", "STORE", "dst"), [
      "k",
      "dst",
    ]);
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "SORT", "k", "STORE", "a", "STORE", "b"), ["k", "b"]);
    assert.deepEqual(t.exec("COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "STORE", "dst"), [
      ["k", ["RO", "access"]],
      ["dst", ["OW", "update"]],
    ]);
  });

  it("finds only the sorted key for SORT_RO", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "SORT_RO", "k", "STORE", "a"), ["k"]);
  });
});
