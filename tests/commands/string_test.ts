import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, type TestEngine } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const TOO_LONG = { error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)" };
const invalidExpire = (cmd: string) => ({ error: `ERR invalid expire time in '${cmd}' command` });

/** Stores a non-string value directly (the list type stands for any other type). */
function putList(t: TestEngine, key: string): void {
  t.engine.dbs[0]!.set(key, { type: "list" }, t.clock.now());
}

/** Records keyspace events as "event:key". */
function recordEvents(t: TestEngine): string[] {
  const events: string[] = [];
  t.engine.onKeyModified((_db, key, event) => events.push(`${event}:${key}`));
  return events;
}

function ttlMs(t: TestEngine, key: string): number | undefined {
  const at = t.engine.dbs[0]!.getExpire(key);
  return at === undefined ? undefined : at - t.clock.now();
}

function stored(t: TestEngine, key: string): unknown {
  return t.engine.dbs[0]!.peek(key, t.clock.now());
}

describe("GET", () => {
  it("returns nil for a missing key and the value after SET", () => {
    const t = makeEngine();
    assert.equal(t.exec("GET", "k"), null);
    assert.equal(t.exec("SET", "k", "v"), "OK");
    assert.equal(t.exec("GET", "k"), "v");
  });

  it("stores and returns an empty value", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", ""), "OK");
    assert.equal(t.exec("GET", "k"), "");
  });

  it("is binary safe for keys and values", () => {
    const t = makeEngine();
    const bin = "\x00\x01\xff\r\n\x80";
    assert.equal(t.exec("SET", bin, bin), "OK");
    assert.equal(t.exec("GET", bin), bin);
  });

  it("returns a big value intact", () => {
    const t = makeEngine();
    const big = "x".repeat(1_000_000);
    t.exec("SET", "k", big);
    assert.equal(t.exec("GET", "k"), big);
  });

  it("errors with WRONGTYPE against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("GET", "l"), WRONGTYPE);
  });

  it("returns nil once the time is past the expiry", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "PX", 100);
    t.clock.advance(100);
    assert.equal(t.exec("GET", "k"), "v");
    t.clock.advance(1);
    assert.equal(t.exec("GET", "k"), null);
  });

  it("returns a copy of a value stored as bytes, unaffected by later writes", () => {
    const t = makeEngine();
    t.exec("SETBIT", "b", 0, 1);
    const first = t.raw("GET", "b") as Extract<Reply, { t: "bulk" }>;
    t.exec("SETBIT", "b", 1, 1);
    assert.deepEqual([...(first.v as Uint8Array)], [0x80]);
    assert.equal(t.exec("GET", "b"), "\xc0");
  });

  it("rejects a wrong number of arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("GET"), { error: "ERR wrong number of arguments for 'get' command" });
    assert.deepEqual(t.exec("GET", "a", "b"), { error: "ERR wrong number of arguments for 'get' command" });
  });
});

describe("SET", () => {
  it("overwrites a value of another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.equal(t.exec("SET", "l", "v"), "OK");
    assert.equal(t.exec("GET", "l"), "v");
  });

  it("removes an existing TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "EX", 100);
    t.exec("SET", "k", "w");
    assert.equal(ttlMs(t, "k"), undefined);
  });

  it("with NX sets only a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "a", "NX"), "OK");
    assert.equal(t.exec("SET", "k", "b", "NX"), null);
    assert.equal(t.exec("GET", "k"), "a");
  });

  it("with XX sets only an existing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "a", "XX"), null);
    assert.equal(t.exec("GET", "k"), null);
    t.exec("SET", "k", "a");
    assert.equal(t.exec("SET", "k", "b", "XX"), "OK");
    assert.equal(t.exec("GET", "k"), "b");
  });

  it("with NX treats an expired key as missing", () => {
    const t = makeEngine();
    t.exec("SET", "k", "a", "PX", 10);
    t.clock.advance(11);
    assert.equal(t.exec("SET", "k", "b", "NX"), "OK");
    assert.equal(t.exec("GET", "k"), "b");
  });

  it("with GET returns the old value, or nil when missing", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "a", "GET"), null);
    assert.equal(t.exec("SET", "k", "b", "GET"), "a");
    assert.equal(t.exec("GET", "k"), "b");
  });

  it("with GET errors against another type and leaves it", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("SET", "l", "v", "GET"), WRONGTYPE);
    assert.deepEqual(t.exec("GET", "l"), WRONGTYPE);
  });

  it("with NX GET returns the old value without setting", () => {
    const t = makeEngine();
    t.exec("SET", "k", "old");
    assert.equal(t.exec("SET", "k", "new", "NX", "GET"), "old");
    assert.equal(t.exec("GET", "k"), "old");
    assert.equal(t.exec("SET", "n", "v", "NX", "GET"), null);
    assert.equal(t.exec("GET", "n"), "v");
  });

  it("with XX GET on a missing key returns nil and sets nothing", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "v", "XX", "GET"), null);
    assert.equal(t.exec("GET", "k"), null);
  });

  it("with EX sets a TTL in seconds", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "v", "EX", 10), "OK");
    assert.equal(ttlMs(t, "k"), 10_000);
    t.clock.advance(10_001);
    assert.equal(t.exec("GET", "k"), null);
  });

  it("with PX sets a TTL in milliseconds", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "PX", 1500);
    assert.equal(ttlMs(t, "k"), 1500);
  });

  it("with EXAT and PXAT sets an absolute expiry", () => {
    const t = makeEngine();
    const nowS = Math.floor(t.clock.now() / 1000);
    t.exec("SET", "a", "v", "EXAT", nowS + 100);
    assert.equal(t.engine.dbs[0]!.getExpire("a"), (nowS + 100) * 1000);
    t.exec("SET", "b", "v", "PXAT", t.clock.now() + 5);
    assert.equal(ttlMs(t, "b"), 5);
  });

  it("with KEEPTTL keeps the existing TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "EX", 100);
    t.clock.advance(1000);
    assert.equal(t.exec("SET", "k", "w", "KEEPTTL"), "OK");
    assert.equal(ttlMs(t, "k"), 99_000);
    assert.equal(t.exec("GET", "k"), "w");
  });

  it("with KEEPTTL on an expired key creates a persistent key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "PX", 5);
    t.clock.advance(6);
    t.exec("SET", "k", "w", "KEEPTTL");
    assert.equal(ttlMs(t, "k"), undefined);
    assert.equal(t.exec("GET", "k"), "w");
  });

  it("accepts options in any case and order", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "v", "ex", 10, "nx"), "OK");
    assert.equal(t.exec("SET", "k", "w", "Get", "pX", 500, "xX"), "v");
    assert.equal(ttlMs(t, "k"), 500);
  });

  it("lets a repeated option win with its last value", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "v", "EX", 10, "EX", 20), "OK");
    assert.equal(ttlMs(t, "k"), 20_000);
    assert.equal(t.exec("SET", "k", "v", "NX", "NX"), null);
    assert.equal(t.exec("SET", "k", "w", "GET", "GET"), "v");
    assert.equal(t.exec("SET", "k", "v", "KEEPTTL", "KEEPTTL"), "OK");
  });

  it("rejects conflicting or unknown options with a syntax error", () => {
    const t = makeEngine();
    for (
      const opts of [
        ["NX", "XX"],
        ["XX", "NX"],
        ["EX", "10", "PX", "20"],
        ["PX", "10", "EX", "20"],
        ["EX", "10", "EXAT", "20"],
        ["PXAT", "10", "EXAT", "20"],
        ["KEEPTTL", "EX", "10"],
        ["EX", "10", "KEEPTTL"],
        ["PERSIST"],
        ["FOO"],
        ["EX"],
        ["NX", "PX"],
      ]
    ) {
      assert.deepEqual(t.exec("SET", "k", "v", ...opts), SYNTAX, opts.join(" "));
    }
    assert.equal(t.exec("GET", "k"), null);
  });

  it("rejects a non-integer expire value", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SET", "k", "v", "EX", "abc"), NOT_INT);
    assert.deepEqual(t.exec("SET", "k", "v", "PX", "1.5"), NOT_INT);
  });

  it("rejects zero, negative and overflowing expire times", () => {
    const t = makeEngine();
    for (
      const opts of [
        ["EX", "0"],
        ["EX", "-1"],
        ["PX", "0"],
        ["EXAT", "0"],
        ["PXAT", "-5"],
        ["PX", "9223372036854775807"],
        ["EX", "9223372036854775"],
        ["EX", "9223372036854774"],
        ["EXAT", "9223372036854776"],
      ]
    ) {
      assert.deepEqual(t.exec("SET", "k", "v", ...opts), invalidExpire("set"), opts.join(" "));
    }
    assert.equal(t.exec("GET", "k"), null);
  });

  it("accepts the largest absolute expire times", () => {
    const t = makeEngine();
    assert.equal(t.exec("SET", "k", "v", "PXAT", "9223372036854775807"), "OK");
    assert.equal(t.exec("SET", "j", "v", "EXAT", "9223372036854775"), "OK");
    assert.equal(t.exec("GET", "k"), "v");
  });

  it("checks the expire value before GET's type check", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("SET", "l", "v", "GET", "EX", 0), invalidExpire("set"));
  });

  it("with an absolute expire time in the past deletes an existing key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    const events = recordEvents(t);
    assert.equal(t.exec("SET", "k", "w", "EXAT", 1), "OK");
    assert.equal(stored(t, "k"), undefined);
    assert.deepEqual(events, ["del:k"]);
  });

  it("with an absolute expire time in the past does not create a missing key", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    assert.equal(t.exec("SET", "k", "v", "PXAT", t.clock.now()), "OK");
    assert.equal(t.engine.dbs[0]!.size, 0);
    assert.deepEqual(events, []);
  });

  it("with GET and a past expire time returns the old value and deletes", () => {
    const t = makeEngine();
    t.exec("SET", "k", "old");
    assert.equal(t.exec("SET", "k", "new", "GET", "EXAT", 1), "old");
    assert.equal(t.exec("GET", "k"), null);
  });

  it("fires set, then expire when a TTL is given", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    t.exec("SET", "a", "v");
    t.exec("SET", "b", "v", "EX", 5);
    t.exec("SET", "a", "v", "NX");
    assert.deepEqual(events, ["set:a", "set:b", "expire:b"]);
  });

  it("fires expired before overwriting a logically expired key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "PX", 1);
    t.clock.advance(2);
    const events = recordEvents(t);
    t.exec("SET", "k", "w");
    assert.deepEqual(events, ["expired:k", "set:k"]);
  });

  it("rejects too few arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SET", "k"), { error: "ERR wrong number of arguments for 'set' command" });
  });
});

describe("SETNX", () => {
  it("sets a missing key and returns 1", () => {
    const t = makeEngine();
    assert.equal(t.exec("SETNX", "k", "a"), 1);
    assert.equal(t.exec("GET", "k"), "a");
  });

  it("returns 0 against an existing key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "a");
    assert.equal(t.exec("SETNX", "k", "b"), 0);
    assert.equal(t.exec("GET", "k"), "a");
  });

  it("returns 0 against a not-expired volatile key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "a", "EX", 100);
    assert.equal(t.exec("SETNX", "k", "b"), 0);
    assert.equal(t.exec("GET", "k"), "a");
  });

  it("sets against an expired volatile key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "a", "PX", 100);
    t.clock.advance(101);
    assert.equal(t.exec("SETNX", "k", "b"), 1);
    assert.equal(t.exec("GET", "k"), "b");
    assert.equal(ttlMs(t, "k"), undefined);
  });

  it("returns 0 against a key of another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.equal(t.exec("SETNX", "l", "v"), 0);
  });
});

describe("SETEX and PSETEX", () => {
  it("SETEX sets the value with a TTL in seconds", () => {
    const t = makeEngine();
    assert.equal(t.exec("SETEX", "k", 10, "v"), "OK");
    assert.equal(t.exec("GET", "k"), "v");
    assert.equal(ttlMs(t, "k"), 10_000);
    t.clock.advance(10_001);
    assert.equal(t.exec("GET", "k"), null);
  });

  it("PSETEX sets the value with a TTL in milliseconds", () => {
    const t = makeEngine();
    assert.equal(t.exec("PSETEX", "k", 250, "v"), "OK");
    assert.equal(ttlMs(t, "k"), 250);
  });

  it("reject non-positive times naming the command", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SETEX", "k", 0, "v"), invalidExpire("setex"));
    assert.deepEqual(t.exec("SETEX", "k", -10, "v"), invalidExpire("setex"));
    assert.deepEqual(t.exec("PSETEX", "k", 0, "v"), invalidExpire("psetex"));
    assert.deepEqual(t.exec("SETEX", "k", "9223372036854775", "v"), invalidExpire("setex"));
    assert.equal(t.exec("GET", "k"), null);
  });

  it("reject a non-integer time", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SETEX", "k", "ten", "v"), NOT_INT);
    assert.deepEqual(t.exec("PSETEX", "k", "1e3", "v"), NOT_INT);
  });

  it("overwrite a key of another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.equal(t.exec("SETEX", "l", 5, "v"), "OK");
    assert.equal(t.exec("GET", "l"), "v");
  });

  it("fire set then expire", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    t.exec("PSETEX", "k", 100, "v");
    assert.deepEqual(events, ["set:k", "expire:k"]);
  });
});

describe("GETEX", () => {
  it("without options behaves like GET and keeps the TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "EX", 100);
    assert.equal(t.exec("GETEX", "k"), "v");
    assert.equal(ttlMs(t, "k"), 100_000);
  });

  it("returns nil for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("GETEX", "k", "EX", 10), null);
  });

  it("with EX, PX, EXAT and PXAT sets the TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    assert.equal(t.exec("GETEX", "k", "EX", 10), "v");
    assert.equal(ttlMs(t, "k"), 10_000);
    assert.equal(t.exec("GETEX", "k", "PX", 500), "v");
    assert.equal(ttlMs(t, "k"), 500);
    const nowS = Math.floor(t.clock.now() / 1000);
    assert.equal(t.exec("GETEX", "k", "EXAT", nowS + 50), "v");
    assert.equal(t.engine.dbs[0]!.getExpire("k"), (nowS + 50) * 1000);
    assert.equal(t.exec("GETEX", "k", "PXAT", t.clock.now() + 77), "v");
    assert.equal(ttlMs(t, "k"), 77);
  });

  it("with PERSIST removes the TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "EX", 10);
    const events = recordEvents(t);
    assert.equal(t.exec("GETEX", "k", "PERSIST"), "v");
    assert.equal(ttlMs(t, "k"), undefined);
    assert.equal(t.exec("GETEX", "k", "PERSIST"), "v");
    assert.deepEqual(events, ["persist:k"]);
  });

  it("with a past EXAT or PXAT returns the value and deletes the key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    const events = recordEvents(t);
    assert.equal(t.exec("GETEX", "k", "PXAT", 1), "v");
    assert.equal(t.exec("GET", "k"), null);
    assert.deepEqual(events, ["del:k"]);
  });

  it("fires expire when setting a TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    const events = recordEvents(t);
    t.exec("GETEX", "k", "EX", 5);
    assert.deepEqual(events, ["expire:k"]);
  });

  it("rejects conflicting and unknown options", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    for (
      const opts of [
        ["PERSIST", "EX", "1"],
        ["EX", "10", "PERSIST"],
        ["EX", "1", "PX", "1"],
        ["FOO"],
        ["EX"],
        ["KEEPTTL"],
        ["NX"],
        ["GET"],
      ]
    ) {
      assert.deepEqual(t.exec("GETEX", "k", ...opts), SYNTAX, opts.join(" "));
    }
  });

  it("accepts a repeated option, the last value winning", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    assert.equal(t.exec("GETEX", "k", "ex", 10, "ex", 20), "v");
    assert.equal(ttlMs(t, "k"), 20_000);
    assert.equal(t.exec("GETEX", "k", "PERSIST", "PERSIST"), "v");
  });

  it("validates the expire value only for an existing string key", () => {
    const t = makeEngine();
    assert.equal(t.exec("GETEX", "missing", "EX", 0), null);
    putList(t, "l");
    assert.deepEqual(t.exec("GETEX", "l", "EX", 0), WRONGTYPE);
    t.exec("SET", "k", "v");
    assert.deepEqual(t.exec("GETEX", "k", "EX", 0), invalidExpire("getex"));
    assert.deepEqual(t.exec("GETEX", "k", "PX", -1), invalidExpire("getex"));
    assert.deepEqual(t.exec("GETEX", "k", "EX", "x"), NOT_INT);
    assert.equal(ttlMs(t, "k"), undefined);
  });
});

describe("GETDEL", () => {
  it("returns the value and deletes the key", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "EX", 100);
    const events = recordEvents(t);
    assert.equal(t.exec("GETDEL", "k"), "v");
    assert.equal(t.exec("GET", "k"), null);
    assert.equal(ttlMs(t, "k"), undefined);
    assert.deepEqual(events, ["del:k"]);
  });

  it("returns nil for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("GETDEL", "k"), null);
  });

  it("errors against another type and keeps it", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("GETDEL", "l"), WRONGTYPE);
    assert.notEqual(stored(t, "l"), undefined);
  });

  it("returns a value stored as bytes", () => {
    const t = makeEngine();
    t.exec("SETRANGE", "k", 0, "abc");
    assert.equal(t.exec("GETDEL", "k"), "abc");
  });
});

describe("GETSET", () => {
  it("returns the old value and stores the new one", () => {
    const t = makeEngine();
    assert.equal(t.exec("GETSET", "k", "a"), null);
    assert.equal(t.exec("GETSET", "k", "b"), "a");
    assert.equal(t.exec("GET", "k"), "b");
  });

  it("removes the TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v", "EX", 10);
    t.exec("GETSET", "k", "w");
    assert.equal(ttlMs(t, "k"), undefined);
  });

  it("errors against another type without setting", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("GETSET", "l", "v"), WRONGTYPE);
    assert.deepEqual(t.exec("GET", "l"), WRONGTYPE);
  });

  it("fires set", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    t.exec("GETSET", "k", "v");
    assert.deepEqual(events, ["set:k"]);
  });
});

describe("MGET", () => {
  it("returns values in order with nil for missing keys", () => {
    const t = makeEngine();
    t.exec("SET", "a", "1");
    t.exec("SET", "c", "3");
    assert.deepEqual(t.exec("MGET", "a", "b", "c"), ["1", null, "3"]);
  });

  it("returns nil for keys of another type", () => {
    const t = makeEngine();
    putList(t, "l");
    t.exec("SET", "a", "1");
    assert.deepEqual(t.exec("MGET", "l", "a"), [null, "1"]);
  });

  it("accepts the same key twice", () => {
    const t = makeEngine();
    t.exec("SET", "a", "1");
    assert.deepEqual(t.exec("MGET", "a", "a"), ["1", "1"]);
  });
});

describe("MSET", () => {
  it("sets every pair", () => {
    const t = makeEngine();
    assert.equal(t.exec("MSET", "a", "1", "b", "2"), "OK");
    assert.deepEqual(t.exec("MGET", "a", "b"), ["1", "2"]);
  });

  it("keeps the last value of a repeated key", () => {
    const t = makeEngine();
    t.exec("MSET", "a", "1", "a", "2");
    assert.equal(t.exec("GET", "a"), "2");
  });

  it("overwrites other types and removes TTLs", () => {
    const t = makeEngine();
    putList(t, "l");
    t.exec("SET", "v", "x", "EX", 10);
    t.exec("MSET", "l", "1", "v", "2");
    assert.deepEqual(t.exec("MGET", "l", "v"), ["1", "2"]);
    assert.equal(ttlMs(t, "v"), undefined);
  });

  it("rejects an odd number of arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MSET", "a", "1", "b"), { error: "ERR wrong number of arguments for 'mset' command" });
    assert.deepEqual(t.exec("MSET", "a"), { error: "ERR wrong number of arguments for 'mset' command" });
    assert.equal(t.exec("GET", "a"), null);
  });

  it("fires set per key", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    t.exec("MSET", "a", "1", "b", "2");
    assert.deepEqual(events, ["set:a", "set:b"]);
  });
});

describe("MSETNX", () => {
  it("sets every key when none exists", () => {
    const t = makeEngine();
    assert.equal(t.exec("MSETNX", "a", "1", "b", "2"), 1);
    assert.deepEqual(t.exec("MGET", "a", "b"), ["1", "2"]);
  });

  it("sets nothing when one key already exists", () => {
    const t = makeEngine();
    t.exec("SET", "b", "old");
    assert.equal(t.exec("MSETNX", "a", "1", "b", "2"), 0);
    assert.deepEqual(t.exec("MGET", "a", "b"), [null, "old"]);
  });

  it("counts a key of another type as existing", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.equal(t.exec("MSETNX", "a", "1", "l", "2"), 0);
  });

  it("treats an expired key as missing", () => {
    const t = makeEngine();
    t.exec("SET", "a", "old", "PX", 5);
    t.clock.advance(6);
    assert.equal(t.exec("MSETNX", "a", "1"), 1);
    assert.equal(t.exec("GET", "a"), "1");
  });

  it("sets the same key twice, keeping the last value", () => {
    const t = makeEngine();
    assert.equal(t.exec("MSETNX", "a", "1", "a", "2"), 1);
    assert.equal(t.exec("GET", "a"), "2");
  });

  it("rejects an odd number of arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MSETNX", "a", "1", "b"), { error: "ERR wrong number of arguments for 'msetnx' command" });
  });
});

describe("APPEND", () => {
  it("creates a missing key and returns the new length", () => {
    const t = makeEngine();
    assert.equal(t.exec("APPEND", "k", "hello"), 5);
    assert.equal(t.exec("APPEND", "k", " world"), 11);
    assert.equal(t.exec("GET", "k"), "hello world");
  });

  it("appends to an integer value", () => {
    const t = makeEngine();
    t.exec("SET", "k", "1");
    assert.equal(t.exec("APPEND", "k", "2"), 2);
    assert.equal(t.exec("GET", "k"), "12");
    assert.equal(t.exec("INCR", "k"), 13);
  });

  it("keeps the TTL", () => {
    const t = makeEngine();
    t.exec("SET", "k", "a", "EX", 10);
    t.exec("APPEND", "k", "b");
    assert.equal(ttlMs(t, "k"), 10_000);
  });

  it("with an empty value returns the length unchanged", () => {
    const t = makeEngine();
    t.exec("SET", "k", "abc");
    assert.equal(t.exec("APPEND", "k", ""), 3);
    assert.equal(t.exec("APPEND", "new", ""), 0);
    assert.equal(t.exec("GET", "new"), "");
  });

  it("matches a reference after many random appends", () => {
    const t = makeEngine();
    let expected = "";
    let seed = 7;
    for (let i = 0; i < 300; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const chunk = String.fromCharCode(seed & 0xff).repeat(seed % 40);
      expected += chunk;
      assert.equal(t.exec("APPEND", "k", chunk), expected.length);
    }
    assert.equal(t.exec("GET", "k"), expected);
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("APPEND", "l", "x"), WRONGTYPE);
  });

  it("refuses to grow past proto-max-bulk-len", () => {
    const t = makeEngine({ config: { "proto-max-bulk-len": "1048576" } });
    t.exec("SET", "k", "x".repeat(1_048_570));
    assert.deepEqual(t.exec("APPEND", "k", "1234567"), TOO_LONG);
    assert.equal(t.exec("APPEND", "k", "123456"), 1_048_576);
  });

  it("fires append", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    t.exec("APPEND", "k", "a");
    t.exec("APPEND", "k", "b");
    assert.deepEqual(events, ["append:k", "append:k"]);
  });
});

describe("STRLEN", () => {
  it("returns 0 for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("STRLEN", "k"), 0);
  });

  it("returns the byte length of strings, integers and bytes", () => {
    const t = makeEngine();
    t.exec("SET", "s", "hello\xff");
    t.exec("SET", "i", "-12345");
    t.exec("SETBIT", "b", 100, 1);
    assert.equal(t.exec("STRLEN", "s"), 6);
    assert.equal(t.exec("STRLEN", "i"), 6);
    assert.equal(t.exec("STRLEN", "b"), 13);
  });

  it("errors against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("STRLEN", "l"), WRONGTYPE);
  });
});

describe("GETRANGE", () => {
  it("returns inclusive ranges with negative indexes from the end", () => {
    const t = makeEngine();
    t.exec("SET", "k", "Hello World");
    assert.equal(t.exec("GETRANGE", "k", 0, 3), "Hell");
    assert.equal(t.exec("GETRANGE", "k", 0, -1), "Hello World");
    assert.equal(t.exec("GETRANGE", "k", -3, -1), "rld");
    assert.equal(t.exec("GETRANGE", "k", 5, 3), "");
    assert.equal(t.exec("GETRANGE", "k", 0, 100), "Hello World");
    assert.equal(t.exec("GETRANGE", "k", -100, 2), "Hel");
    assert.equal(t.exec("GETRANGE", "k", 100, 200), "");
  });

  it("returns empty when both negative indexes are out of order", () => {
    const t = makeEngine();
    t.exec("SET", "k", "Hello");
    assert.equal(t.exec("GETRANGE", "k", -1, -5), "");
    assert.equal(t.exec("GETRANGE", "k", -1, -1), "o");
  });

  it("handles the extremes of the int64 range", () => {
    const t = makeEngine();
    t.exec("SET", "k", "Hello");
    assert.equal(t.exec("GETRANGE", "k", "-9223372036854775808", "9223372036854775807"), "Hello");
    assert.equal(t.exec("GETRANGE", "k", 0, "-9223372036854775808"), "H");
  });

  it("works on integer values and values stored as bytes", () => {
    const t = makeEngine();
    t.exec("SET", "i", "1234");
    assert.equal(t.exec("GETRANGE", "i", 1, 2), "23");
    t.exec("SETRANGE", "b", 0, "abcdef");
    assert.equal(t.exec("GETRANGE", "b", 2, -2), "cde");
  });

  it("returns an empty string for a missing key or an empty value", () => {
    const t = makeEngine();
    assert.equal(t.exec("GETRANGE", "k", 0, -1), "");
    t.exec("SET", "e", "");
    assert.equal(t.exec("GETRANGE", "e", 0, -1), "");
  });

  it("parses indexes before the key's type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("GETRANGE", "l", "a", 1), NOT_INT);
    assert.deepEqual(t.exec("GETRANGE", "l", 0, 1), WRONGTYPE);
    assert.deepEqual(t.exec("GETRANGE", "missing", 0, "1.5"), NOT_INT);
  });

  it("agrees with a reference slice on random ranges", () => {
    const t = makeEngine();
    const s = "abcdefghijklmnopqrstuvwxyz0123";
    t.exec("SET", "k", s);
    for (let start = -35; start <= 35; start += 7) {
      for (let end = -35; end <= 35; end += 5) {
        let a = start < 0 ? s.length + start : start;
        let b = end < 0 ? s.length + end : end;
        if (start < 0 && end < 0 && start > end) {
          a = 1;
          b = 0;
        }
        a = Math.max(a, 0);
        b = Math.min(Math.max(b, 0), s.length - 1);
        const want = a > b ? "" : s.slice(a, b + 1);
        assert.equal(t.exec("GETRANGE", "k", start, end), want, `${start} ${end}`);
      }
    }
  });
});

describe("SUBSTR", () => {
  it("is GETRANGE under its old name", () => {
    const t = makeEngine();
    t.exec("SET", "k", "foobar");
    assert.equal(t.exec("SUBSTR", "k", 0, 2), "foo");
    assert.equal(t.exec("SUBSTR", "k", -3, -1), "bar");
    assert.equal(t.exec("SUBSTR", "missing", 0, 2), "");
  });
});

describe("SETRANGE", () => {
  it("overwrites part of a value and returns the new length", () => {
    const t = makeEngine();
    t.exec("SET", "k", "Hello World");
    assert.equal(t.exec("SETRANGE", "k", 6, "Redis"), 11);
    assert.equal(t.exec("GET", "k"), "Hello Redis");
  });

  it("zero-pads a missing key up to the offset", () => {
    const t = makeEngine();
    assert.equal(t.exec("SETRANGE", "k", 5, "hi"), 7);
    assert.equal(t.exec("GET", "k"), "\x00\x00\x00\x00\x00hi");
  });

  it("extends past the end with zero padding", () => {
    const t = makeEngine();
    t.exec("SET", "k", "abc");
    assert.equal(t.exec("SETRANGE", "k", 5, "Z"), 6);
    assert.equal(t.exec("GET", "k"), "abc\x00\x00Z");
  });

  it("modifies an integer value", () => {
    const t = makeEngine();
    t.exec("SET", "k", "1234");
    assert.equal(t.exec("SETRANGE", "k", 0, "2"), 4);
    assert.equal(t.exec("GET", "k"), "2234");
    assert.equal(t.exec("INCR", "k"), 2235);
  });

  it("with an empty value creates nothing and changes nothing", () => {
    const t = makeEngine();
    const events = recordEvents(t);
    assert.equal(t.exec("SETRANGE", "k", 5, ""), 0);
    assert.equal(t.engine.dbs[0]!.size, 0);
    t.exec("SET", "s", "abc");
    assert.equal(t.exec("SETRANGE", "s", 100, ""), 3);
    assert.deepEqual(events, ["set:s"]);
  });

  it("rejects a negative or non-integer offset", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SETRANGE", "k", -1, "x"), { error: "ERR offset is out of range" });
    assert.deepEqual(t.exec("SETRANGE", "k", "x", "x"), NOT_INT);
  });

  it("rejects a result longer than proto-max-bulk-len", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SETRANGE", "k", 536_870_912, "x"), TOO_LONG);
    assert.deepEqual(t.exec("SETRANGE", "k", 536_870_911, "xy"), TOO_LONG);
    assert.deepEqual(t.exec("SETRANGE", "k", "9223372036854775807", "x"), TOO_LONG);
    assert.equal(t.exec("SETRANGE", "k", 536_870_912, ""), 0);
    assert.equal(t.engine.dbs[0]!.size, 0);
  });

  it("honours a lowered proto-max-bulk-len", () => {
    const t = makeEngine({ config: { "proto-max-bulk-len": "1048576" } });
    assert.deepEqual(t.exec("SETRANGE", "k", 1_048_576, "x"), TOO_LONG);
    assert.equal(t.exec("SETRANGE", "k", 1_048_575, "x"), 1_048_576);
  });

  it("errors against another type, even with an empty value", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("SETRANGE", "l", 0, "x"), WRONGTYPE);
    assert.deepEqual(t.exec("SETRANGE", "l", 0, ""), WRONGTYPE);
  });

  it("keeps the TTL and fires setrange", () => {
    const t = makeEngine();
    t.exec("SET", "k", "abc", "EX", 10);
    const events = recordEvents(t);
    t.exec("SETRANGE", "k", 1, "X");
    assert.equal(ttlMs(t, "k"), 10_000);
    assert.deepEqual(events, ["setrange:k"]);
  });
});

describe("INCR, DECR, INCRBY, DECRBY", () => {
  it("start from 0 on a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("INCR", "a"), 1);
    assert.equal(t.exec("DECR", "b"), -1);
    assert.equal(t.exec("INCRBY", "c", 10), 10);
    assert.equal(t.exec("DECRBY", "d", 10), -10);
  });

  it("count on a key created by INCR itself and store decimal text", () => {
    const t = makeEngine();
    t.exec("INCR", "n");
    assert.equal(t.exec("INCR", "n"), 2);
    assert.equal(t.exec("INCRBY", "n", 100), 102);
    assert.equal(t.exec("DECRBY", "n", 2), 100);
    assert.equal(t.exec("DECR", "n"), 99);
    assert.equal(t.exec("GET", "n"), "99");
  });

  it("count on a value set with SET", () => {
    const t = makeEngine();
    t.exec("SET", "n", "10");
    assert.equal(t.exec("INCR", "n"), 11);
    assert.equal(t.exec("GET", "n"), "11");
  });

  it("work past 32 bits and past 2^53 with exact precision", () => {
    const t = makeEngine();
    t.exec("SET", "n", "17179869184");
    assert.equal(t.exec("INCR", "n"), 17179869185);
    assert.equal(t.exec("INCRBY", "n", 17179869184), 34359738369);
    t.exec("SET", "n", "9007199254740993");
    assert.equal(t.exec("INCR", "n"), 9007199254740994n);
    assert.equal(t.exec("GET", "n"), "9007199254740994");
    assert.equal(t.exec("INCRBY", "n", "9007199254740993"), 18014398509481987n);
    assert.equal(t.exec("DECRBY", "n", "18014398509481987"), 0);
  });

  it("reach the int64 limits and refuse to overflow them", () => {
    const t = makeEngine();
    t.exec("SET", "n", "9223372036854775806");
    assert.equal(t.exec("INCR", "n"), 9223372036854775807n);
    assert.deepEqual(t.exec("INCR", "n"), { error: "ERR increment or decrement would overflow" });
    assert.equal(t.exec("GET", "n"), "9223372036854775807");
    t.exec("SET", "m", "-9223372036854775807");
    assert.equal(t.exec("DECR", "m"), -9223372036854775808n);
    assert.deepEqual(t.exec("DECR", "m"), { error: "ERR increment or decrement would overflow" });
    assert.deepEqual(t.exec("INCRBY", "m", -1), { error: "ERR increment or decrement would overflow" });
    t.exec("SET", "p", "1");
    assert.deepEqual(t.exec("INCRBY", "p", "9223372036854775807"), {
      error: "ERR increment or decrement would overflow",
    });
  });

  it("DECRBY refuses the int64 minimum, whose negation overflows", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("DECRBY", "n", "-9223372036854775808"), { error: "ERR decrement would overflow" });
    assert.equal(t.exec("DECRBY", "n", "-9223372036854775807"), 9223372036854775807n);
  });

  it("fail against values that are not canonical integers", () => {
    const t = makeEngine();
    for (const v of [" 11", "11 ", " 11 ", "010", "+1", "-0", "1.5", "abc", "", "12345678901234567890", "0x10"]) {
      t.exec("SET", "n", v);
      assert.deepEqual(t.exec("INCR", "n"), NOT_INT, JSON.stringify(v));
      assert.equal(t.exec("GET", "n"), v);
    }
  });

  it("reject an increment that is not an integer", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("INCRBY", "n", "1.5"), NOT_INT);
    assert.deepEqual(t.exec("INCRBY", "n", " 1"), NOT_INT);
    assert.deepEqual(t.exec("DECRBY", "n", "9223372036854775808"), NOT_INT);
    assert.equal(t.exec("GET", "n"), null);
  });

  it("fail against another type, parsing the increment first", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("INCR", "l"), WRONGTYPE);
    assert.deepEqual(t.exec("DECRBY", "l", 1), WRONGTYPE);
    assert.deepEqual(t.exec("INCRBY", "l", "x"), NOT_INT);
  });

  it("count on a value stored as bytes", () => {
    const t = makeEngine();
    t.exec("SETRANGE", "n", 0, "41");
    assert.equal(t.exec("INCR", "n"), 42);
  });

  it("keep the TTL and fire incrby", () => {
    const t = makeEngine();
    t.exec("SET", "n", "1", "EX", 10);
    const events = recordEvents(t);
    t.exec("INCR", "n");
    t.exec("DECRBY", "n", 3);
    assert.equal(ttlMs(t, "n"), 10_000);
    assert.deepEqual(events, ["incrby:n", "incrby:n"]);
  });

  it("restart from 0 after the key expired", () => {
    const t = makeEngine();
    t.exec("SET", "n", "5", "PX", 10);
    t.clock.advance(11);
    assert.equal(t.exec("INCR", "n"), 1);
    assert.equal(ttlMs(t, "n"), undefined);
  });
});

describe("INCRBYFLOAT", () => {
  it("starts from 0 on a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("INCRBYFLOAT", "f", "10.5"), "10.5");
    assert.equal(t.exec("GET", "f"), "10.5");
  });

  it("prints results with long double precision like Valkey", () => {
    const t = makeEngine();
    const cases: [string, string, string][] = [
      ["10.5", "0.1", "10.6"],
      ["0.1", "0.2", "0.3"],
      ["3.0e3", "0", "3000"],
      ["5.0e3", "1", "5001"],
      ["5.0e3", "200", "5200"],
      ["1", "-1", "0"],
      ["0.1", "-0.1", "0"],
      ["-0.0", "0", "0"],
      ["0", "1e-20", "0"],
      ["1", "1.5e-17", "1.00000000000000001"],
      ["0.5", "0.000000000000000015", "0.50000000000000002"],
      ["0.000003814697265625", "0", "0.00000381469726562"],
      ["12345678901234567890", "1", "12345678901234567891"],
      ["1.23456789012345678901234", "0", "1.23456789012345679"],
      ["100", "-0.0001", "99.9999"],
      ["0x10", "0.5", "16.5"],
      [
        "1e300",
        "0",
        "1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144",
      ],
    ];
    for (const [start, incr, want] of cases) {
      t.exec("SET", "f", start);
      assert.equal(t.exec("INCRBYFLOAT", "f", incr), want, `${start} + ${incr}`);
      assert.equal(t.exec("GET", "f"), want);
    }
  });

  it("goes beyond the double range as a long double does", () => {
    const t = makeEngine();
    t.exec("SET", "f", "1.7976931348623157e308");
    const r = t.exec("INCRBYFLOAT", "f", "1e308") as string;
    assert.equal(r.length, 309);
    assert.ok(r.startsWith("27976931348623157"));
  });

  it("never stores negative zero", () => {
    const t = makeEngine();
    t.exec("INCRBYFLOAT", "f", String(1 / 41));
    assert.equal(t.exec("INCRBYFLOAT", "f", String(-1 / 41)), "0");
  });

  it("accepts decimal forms strtold accepts", () => {
    const t = makeEngine();
    assert.equal(t.exec("INCRBYFLOAT", "f", "+1"), "1");
    assert.equal(t.exec("INCRBYFLOAT", "f", ".5"), "1.5");
    assert.equal(t.exec("INCRBYFLOAT", "f", "5."), "6.5");
    assert.equal(t.exec("INCRBYFLOAT", "f", "1E1"), "16.5");
    assert.equal(t.exec("INCRBYFLOAT", "f", "1e-4940"), "16.5");
  });

  it("rejects increments that are not valid floats", () => {
    const t = makeEngine();
    t.exec("SET", "f", "1");
    for (const v of ["abc", "", " 1", "1 ", "1e", "nan", "1e5000", "1e-5000", "1.2.3", "0x", "--1", "1\x002"]) {
      assert.deepEqual(t.exec("INCRBYFLOAT", "f", v), NOT_FLOAT, JSON.stringify(v));
    }
    assert.equal(t.exec("GET", "f"), "1");
  });

  it("fails against a stored value that is not a float", () => {
    const t = makeEngine();
    for (const v of ["abc", " 1", "1 ", "1\x00", ""]) {
      t.exec("SET", "f", v);
      assert.deepEqual(t.exec("INCRBYFLOAT", "f", "1"), NOT_FLOAT, JSON.stringify(v));
    }
  });

  it("does not allow NaN or Infinity", () => {
    const t = makeEngine();
    t.exec("SET", "f", "0");
    assert.deepEqual(t.exec("INCRBYFLOAT", "f", "inf"), { error: "ERR increment would produce NaN or Infinity" });
    assert.deepEqual(t.exec("INCRBYFLOAT", "f", "-Infinity"), {
      error: "ERR increment would produce NaN or Infinity",
    });
    t.exec("SET", "f", "inf");
    assert.deepEqual(t.exec("INCRBYFLOAT", "f", "1"), { error: "ERR increment would produce NaN or Infinity" });
    t.exec("SET", "f", "1.18e4932");
    assert.deepEqual(t.exec("INCRBYFLOAT", "f", "1e4931"), { error: "ERR increment would produce NaN or Infinity" });
  });

  it("fails against another type", () => {
    const t = makeEngine();
    putList(t, "l");
    assert.deepEqual(t.exec("INCRBYFLOAT", "l", "1"), WRONGTYPE);
    assert.deepEqual(t.exec("INCRBYFLOAT", "l", "x"), WRONGTYPE);
  });

  it("keeps the TTL and fires incrbyfloat", () => {
    const t = makeEngine();
    t.exec("SET", "f", "1", "EX", 10);
    const events = recordEvents(t);
    t.exec("INCRBYFLOAT", "f", "0.5");
    assert.equal(ttlMs(t, "f"), 10_000);
    assert.deepEqual(events, ["incrbyfloat:f"]);
  });
});

describe("LCS", () => {
  const setup = () => {
    const t = makeEngine();
    t.exec("SET", "a", "ohmytext");
    t.exec("SET", "b", "mynewtext");
    return t;
  };

  it("returns the longest common subsequence", () => {
    const t = setup();
    assert.equal(t.exec("LCS", "a", "b"), "mytext");
  });

  it("with LEN returns its length", () => {
    const t = setup();
    assert.equal(t.exec("LCS", "a", "b", "LEN"), 6);
  });

  it("with IDX returns the match ranges from the end backward and the length", () => {
    const t = setup();
    assert.deepEqual(t.exec("LCS", "a", "b", "IDX"), ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]);
  });

  it("with WITHMATCHLEN adds each match's length", () => {
    const t = setup();
    assert.deepEqual(t.exec("LCS", "a", "b", "IDX", "WITHMATCHLEN"), [
      "matches",
      [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]],
      "len",
      6,
    ]);
  });

  it("with MINMATCHLEN drops shorter matches; a negative minimum means none", () => {
    const t = setup();
    assert.deepEqual(t.exec("LCS", "a", "b", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN"), [
      "matches",
      [[[4, 7], [5, 8], 4]],
      "len",
      6,
    ]);
    assert.deepEqual(t.exec("LCS", "a", "b", "idx", "minmatchlen", -4), [
      "matches",
      [[[4, 7], [5, 8]], [[2, 3], [0, 1]]],
      "len",
      6,
    ]);
  });

  it("replies to IDX with a RESP3 map", () => {
    const t = setup();
    const r = t.raw("LCS", "a", "b", "IDX");
    assert.equal(r?.t, "map");
  });

  it("treats missing keys as empty strings", () => {
    const t = setup();
    assert.equal(t.exec("LCS", "a", "missing"), "");
    assert.equal(t.exec("LCS", "x", "y", "LEN"), 0);
    assert.deepEqual(t.exec("LCS", "x", "y", "IDX"), ["matches", [], "len", 0]);
  });

  it("finds the same subsequence and ranges as Valkey on longer inputs", () => {
    const t = makeEngine();
    t.exec("SET", "x", "abcabcabc");
    t.exec("SET", "y", "cbacbacba");
    assert.equal(t.exec("LCS", "x", "y"), "cbabc");
    assert.deepEqual(t.exec("LCS", "x", "y", "IDX", "WITHMATCHLEN"), [
      "matches",
      [[[8, 8], [6, 6], 1], [[7, 7], [4, 4], 1], [[6, 6], [2, 2], 1], [[4, 4], [1, 1], 1], [[2, 2], [0, 0], 1]],
      "len",
      5,
    ]);
  });

  it("rejects LEN together with IDX", () => {
    const t = setup();
    assert.deepEqual(t.exec("LCS", "a", "b", "LEN", "IDX"), {
      error: "ERR If you want both the length and indexes, please just use IDX.",
    });
  });

  it("rejects unknown options and a missing MINMATCHLEN value", () => {
    const t = setup();
    assert.deepEqual(t.exec("LCS", "a", "b", "FOO"), SYNTAX);
    assert.deepEqual(t.exec("LCS", "a", "b", "MINMATCHLEN"), SYNTAX);
    assert.deepEqual(t.exec("LCS", "a", "b", "MINMATCHLEN", "x"), NOT_INT);
  });

  it("rejects keys of another type before parsing options", () => {
    const t = setup();
    putList(t, "l");
    const err = { error: "ERR The specified keys must contain string values" };
    assert.deepEqual(t.exec("LCS", "a", "l"), err);
    assert.deepEqual(t.exec("LCS", "l", "a", "FOO"), err);
  });

  it("refuses a table larger than proto-max-bulk-len", () => {
    const t = makeEngine();
    t.exec("SET", "a", "a".repeat(12_000));
    t.exec("SET", "b", "a".repeat(12_000));
    assert.deepEqual(t.exec("LCS", "a", "b", "LEN"), {
      error: "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    });
  });
});

describe("string value storage", () => {
  it("keeps values written in place as bytes and plain values as byte strings", () => {
    const t = makeEngine();
    t.exec("SET", "s", "abc");
    t.exec("INCR", "n");
    t.exec("APPEND", "a", "x");
    t.exec("APPEND", "a", "y");
    t.exec("SETRANGE", "r", 2, "z");
    assert.equal(typeof stored(t, "s"), "string");
    assert.equal(typeof stored(t, "n"), "string");
    assert.ok(stored(t, "a") instanceof Uint8Array);
    assert.ok(stored(t, "r") instanceof Uint8Array);
  });

  it("grows an appended value in place without copying it each time", () => {
    const t = makeEngine();
    t.exec("APPEND", "k", "start");
    t.exec("APPEND", "k", "x");
    const first = stored(t, "k") as Uint8Array;
    t.exec("APPEND", "k", "y");
    const second = stored(t, "k") as Uint8Array;
    assert.equal(second.buffer, first.buffer);
    assert.equal(t.exec("GET", "k"), "startxy");
  });
});
