import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";
import { encodeReply } from "../../src/protocol/resp_encoder.ts";
import { Buffer } from "node:buffer";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const RANGE_NOT_FLOAT = { error: "ERR min or max is not a float" };
const RANGE_NOT_LEX = { error: "ERR min or max not valid string range item" };
const NAN = { error: "ERR resulting score is not a number (NaN)" };

/** Records keyspace events as "event:key". */
function recordEvents(t: TestEngine): string[] {
  const events: string[] = [];
  t.engine.onKeyModified((_db, key, event) => events.push(`${event}:${key}`));
  return events;
}

/** A test engine with `z` = {a:1, b:2, c:3, d:4, e:5}. */
function withZ(): TestEngine {
  const t = makeEngine();
  t.exec("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e");
  return t;
}

/** The exact bytes a command's reply is sent as, in RESP2 or RESP3. */
function wire(t: TestEngine, resp: 2 | 3, ...argv: (string | number)[]): string {
  return Buffer.from(encodeReply(t.raw(...argv)!, resp)).toString("latin1");
}

/** Reply type tags, recursively (to check RESP3 shapes). */
function shape(r: Reply | undefined): unknown {
  if (r === undefined) return undefined;
  if (r.t === "array" || r.t === "set" || r.t === "push") return r.v.map(shape);
  return r.t;
}

describe("ZADD", () => {
  it("adds members and counts only new ones", () => {
    const t = makeEngine();
    assert.equal(t.exec("ZADD", "z", 1, "a", 2, "b"), 2);
    assert.equal(t.exec("ZADD", "z", 3, "a", 4, "c"), 1);
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1, "WITHSCORES"), ["b", 2, "a", 3, "c", 4]);
  });

  it("counts changed members with CH", () => {
    const t = withZ();
    assert.equal(t.exec("ZADD", "z", "CH", 1, "a", 9, "b", 6, "f"), 2);
  });

  it("only adds with NX and only updates with XX", () => {
    const t = withZ();
    assert.equal(t.exec("ZADD", "z", "NX", 10, "a", 6, "f"), 1);
    assert.equal(t.exec("ZSCORE", "z", "a"), 1);
    assert.equal(t.exec("ZADD", "z", "XX", "CH", 10, "a", 7, "g"), 1);
    assert.equal(t.exec("ZSCORE", "z", "a"), 10);
    assert.equal(t.exec("ZSCORE", "z", "g"), null);
  });

  it("does nothing and creates no key with XX on a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("ZADD", "z", "XX", 1, "a"), 0);
    assert.equal(t.exec("EXISTS", "z"), 0);
    assert.equal(t.exec("ZADD", "z", "XX", "INCR", 1, "a"), null);
  });

  it("updates only upwards with GT and downwards with LT, but still adds new members", () => {
    const t = withZ();
    assert.equal(t.exec("ZADD", "z", "GT", "CH", 0, "a", 10, "b", 1, "new"), 2);
    assert.deepEqual(t.exec("ZMSCORE", "z", "a", "b", "new"), [1, 10, 1]);
    assert.equal(t.exec("ZADD", "z", "LT", "CH", 0, "a", 20, "b"), 1);
    assert.deepEqual(t.exec("ZMSCORE", "z", "a", "b"), [0, 10]);
    assert.equal(t.exec("ZADD", "z", "XX", "GT", "CH", 100, "c", 1, "zz"), 1);
  });

  it("increments with INCR and returns the new score, or nil when NX/XX/GT/LT skip it", () => {
    const t = withZ();
    assert.equal(t.exec("ZADD", "z", "INCR", 2.5, "a"), 3.5);
    assert.equal(t.exec("ZADD", "z", "INCR", 1, "new"), 1);
    assert.equal(t.exec("ZADD", "z", "INCR", "NX", 1, "a"), null);
    assert.equal(t.exec("ZADD", "z", "INCR", "XX", 1, "nope"), null);
    assert.equal(t.exec("ZADD", "z", "INCR", "GT", -1, "a"), null);
    assert.equal(t.exec("ZADD", "z", "INCR", "LT", -1, "a"), 2.5);
  });

  it("rejects conflicting options, odd pairs and bad scores", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZADD", "z", "NX", "XX", 1, "a"), {
      error: "ERR XX and NX options at the same time are not compatible",
    });
    const gtlt = { error: "ERR GT, LT, and/or NX options at the same time are not compatible" };
    assert.deepEqual(t.exec("ZADD", "z", "GT", "LT", 1, "a"), gtlt);
    assert.deepEqual(t.exec("ZADD", "z", "GT", "NX", 1, "a"), gtlt);
    assert.deepEqual(t.exec("ZADD", "z", "LT", "NX", 1, "a"), gtlt);
    assert.deepEqual(t.exec("ZADD", "z", "INCR", 1, "a", 2, "b"), {
      error: "ERR INCR option supports a single increment-element pair",
    });
    assert.deepEqual(t.exec("ZADD", "z", 1, "a", 2), SYNTAX);
    assert.deepEqual(t.exec("ZADD", "z", "NX", "CH"), SYNTAX);
    assert.deepEqual(t.exec("ZADD", "z", "x", "a"), NOT_FLOAT);
    assert.deepEqual(t.exec("ZADD", "z", "nan", "a"), NOT_FLOAT);
    assert.deepEqual(t.exec("ZADD", "z", " 1", "a"), NOT_FLOAT);
    assert.deepEqual(t.exec("ZADD", "z", "1e400", "a"), NOT_FLOAT);
    assert.deepEqual(t.exec("ZADD", "z", "1e-400", "a"), NOT_FLOAT);
    assert.deepEqual(t.exec("ZADD", "z", "", "a"), NOT_FLOAT);
    assert.deepEqual(t.exec("ZADD", "z", 1), { error: "ERR wrong number of arguments for 'zadd' command" });
  });

  it("parses scores like strtod: hex floats, inf, infinity, denormals", () => {
    const t = makeEngine();
    assert.equal(t.exec("ZADD", "z", "0x10", "a", "inf", "b", "-Infinity", "c", "4e-320", "d", "+1.5", "e"), 5);
    assert.deepEqual(t.exec("ZMSCORE", "z", "a", "b", "c", "d", "e"), [16, Infinity, -Infinity, 4e-320, 1.5]);
  });

  it("applies no pair when a later score is invalid", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("ZADD", "z", 1, "a", "x", "b"), NOT_FLOAT);
    assert.equal(t.exec("EXISTS", "z"), 0);
  });

  it("refuses an increment that produces NaN", () => {
    const t = makeEngine();
    t.exec("ZADD", "z", "inf", "a");
    assert.deepEqual(t.exec("ZADD", "z", "INCR", "-inf", "a"), NAN);
    assert.equal(t.exec("ZSCORE", "z", "a"), Infinity);
  });

  it("answers WRONGTYPE for another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZADD", "s", 1, "a"), WRONGTYPE);
  });

  it("fires zadd (or zincr with INCR) only when something changed", () => {
    const t = withZ();
    const events = recordEvents(t);
    t.exec("ZADD", "z", 1, "a");
    t.exec("ZADD", "z", 9, "a");
    t.exec("ZADD", "z", "INCR", 1, "a");
    assert.deepEqual(events, ["zadd:z", "zincr:z"]);
  });

  it("switches from listpack to skiplist by the configured limits, one way", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "zset-max-listpack-entries", "3");
    t.exec("ZADD", "z", 1, "a", 2, "b", 3, "c");
    assert.equal(t.exec("OBJECT", "ENCODING", "z"), "listpack");
    t.exec("ZADD", "z", 4, "d");
    assert.equal(t.exec("OBJECT", "ENCODING", "z"), "skiplist");
    t.exec("ZREM", "z", "a", "b");
    assert.equal(t.exec("OBJECT", "ENCODING", "z"), "skiplist");
    t.exec("ZADD", "big", 1, "a", 2, "b", 3, "c", 4, "d");
    assert.equal(t.exec("OBJECT", "ENCODING", "big"), "skiplist");
    t.exec("CONFIG", "SET", "zset-max-listpack-value", "3");
    t.exec("ZADD", "long", 1, "abcd");
    assert.equal(t.exec("OBJECT", "ENCODING", "long"), "skiplist");
  });

  it("keeps -0 in a skiplist but reads it back as 0 from a listpack", () => {
    const t = makeEngine();
    t.exec("ZADD", "lp", "-0", "a");
    assert.equal(plain(t.raw("ZSCORE", "lp", "a")), 0);
    assert.ok(Object.is((t.raw("ZSCORE", "lp", "a") as { v: number }).v, 0));
    t.exec("CONFIG", "SET", "zset-max-listpack-entries", "0");
    t.exec("ZADD", "sl", "-0", "a");
    assert.ok(Object.is((t.raw("ZSCORE", "sl", "a") as { v: number }).v, -0));
  });
});

describe("ZINCRBY", () => {
  it("increments, creating the member and the key", () => {
    const t = makeEngine();
    assert.equal(t.exec("ZINCRBY", "z", 1.5, "a"), 1.5);
    assert.equal(t.exec("ZINCRBY", "z", -3, "a"), -1.5);
    assert.deepEqual(t.exec("ZINCRBY", "z", "x", "a"), NOT_FLOAT);
  });

  it("treats an option word in the increment position as ZADD does", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("ZINCRBY", "z", "nx", "a"), SYNTAX);
  });

  it("refuses NaN results", () => {
    const t = makeEngine();
    t.exec("ZADD", "z", "-inf", "a");
    assert.deepEqual(t.exec("ZINCRBY", "z", "+inf", "a"), NAN);
  });
});

describe("ZREM", () => {
  it("removes members, deletes the emptied key and fires zrem then del", () => {
    const t = makeEngine();
    t.exec("ZADD", "z", 1, "a", 2, "b");
    const events = recordEvents(t);
    assert.equal(t.exec("ZREM", "z", "a", "nope"), 1);
    assert.equal(t.exec("ZREM", "z", "b", "b"), 1);
    assert.equal(t.exec("EXISTS", "z"), 0);
    assert.equal(t.exec("ZREM", "z", "a"), 0);
    assert.deepEqual(events, ["zrem:z", "zrem:z", "del:z"]);
  });

  it("answers WRONGTYPE for another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZREM", "s", "a"), WRONGTYPE);
  });
});

describe("ZCARD, ZSCORE, ZMSCORE", () => {
  it("answers for present and missing keys and members", () => {
    const t = withZ();
    assert.equal(t.exec("ZCARD", "z"), 5);
    assert.equal(t.exec("ZCARD", "nope"), 0);
    assert.equal(t.exec("ZSCORE", "z", "c"), 3);
    assert.equal(t.exec("ZSCORE", "z", "x"), null);
    assert.equal(t.exec("ZSCORE", "nope", "x"), null);
    assert.deepEqual(t.exec("ZMSCORE", "z", "a", "x", "e"), [1, null, 5]);
    assert.deepEqual(t.exec("ZMSCORE", "nope", "a", "b"), [null, null]);
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZCARD", "s"), WRONGTYPE);
    assert.deepEqual(t.exec("ZSCORE", "s", "a"), WRONGTYPE);
    assert.deepEqual(t.exec("ZMSCORE", "s", "a"), WRONGTYPE);
  });

  it("replies with RESP3 doubles", () => {
    const t = withZ();
    assert.deepEqual(t.raw("ZSCORE", "z", "a"), { t: "double", v: 1 });
    assert.deepEqual(shape(t.raw("ZMSCORE", "z", "a", "x")), ["double", "null"]);
  });
});

describe("ZCOUNT", () => {
  it("counts inclusive, exclusive and infinite ranges", () => {
    const t = withZ();
    assert.equal(t.exec("ZCOUNT", "z", "-inf", "+inf"), 5);
    assert.equal(t.exec("ZCOUNT", "z", "(1", "3"), 2);
    assert.equal(t.exec("ZCOUNT", "z", "(1", "(3"), 1);
    assert.equal(t.exec("ZCOUNT", "z", 3, 1), 0);
    assert.equal(t.exec("ZCOUNT", "nope", 0, 1), 0);
  });

  it("accepts bounds strtod accepts: spaces, hex, an empty text, overflow to infinity", () => {
    const t = withZ();
    assert.equal(t.exec("ZCOUNT", "z", " 2", "0x4"), 3);
    assert.equal(t.exec("ZCOUNT", "z", "", "("), 0);
    assert.equal(t.exec("ZCOUNT", "z", "(", "1e400"), 5);
  });

  it("rejects non-float bounds before looking at the key", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZCOUNT", "s", "a", 1), RANGE_NOT_FLOAT);
    assert.deepEqual(t.exec("ZCOUNT", "s", "nan", 1), RANGE_NOT_FLOAT);
    assert.deepEqual(t.exec("ZCOUNT", "s", "1 ", 1), RANGE_NOT_FLOAT);
    assert.deepEqual(t.exec("ZCOUNT", "s", 0, 1), WRONGTYPE);
  });
});

describe("ZLEXCOUNT", () => {
  it("counts members between lex bounds", () => {
    const t = makeEngine();
    t.exec("ZADD", "l", 0, "a", 0, "b", 0, "c", 0, "d");
    assert.equal(t.exec("ZLEXCOUNT", "l", "-", "+"), 4);
    assert.equal(t.exec("ZLEXCOUNT", "l", "[b", "(d"), 2);
    assert.equal(t.exec("ZLEXCOUNT", "l", "+", "-"), 0);
    assert.equal(t.exec("ZLEXCOUNT", "l", "(", "[b"), 2);
    assert.equal(t.exec("ZLEXCOUNT", "nope", "-", "+"), 0);
  });

  it("rejects items that do not start with [, ( or are not exactly - or +", () => {
    const t = makeEngine();
    for (const [a, b] of [["a", "+"], ["-", "+x"], ["-x", "+"], ["", "+"]]) {
      assert.deepEqual(t.exec("ZLEXCOUNT", "l", a!, b!), RANGE_NOT_LEX);
    }
  });
});

describe("ZRANK and ZREVRANK", () => {
  it("answer ranks from either end, with WITHSCORE", () => {
    const t = withZ();
    assert.equal(t.exec("ZRANK", "z", "a"), 0);
    assert.equal(t.exec("ZREVRANK", "z", "a"), 4);
    assert.deepEqual(t.exec("ZRANK", "z", "c", "WITHSCORE"), [2, 3]);
    assert.deepEqual(t.exec("ZREVRANK", "z", "c", "withscore"), [2, 3]);
    assert.equal(t.exec("ZRANK", "z", "x"), null);
    assert.equal(t.raw("ZRANK", "z", "x", "WITHSCORE")?.t, "null");
    assert.deepEqual(t.raw("ZRANK", "z", "x", "WITHSCORE"), { t: "null", as: "array" });
    assert.deepEqual(t.raw("ZRANK", "nope", "x"), { t: "null", as: "bulk" });
    assert.deepEqual(shape(t.raw("ZRANK", "z", "c", "WITHSCORE")), ["int", "double"]);
  });

  it("reject extra arguments", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANK", "z", "a", "x"), SYNTAX);
    assert.deepEqual(t.exec("ZRANK", "z", "a", "WITHSCORE", "x"), {
      error: "ERR wrong number of arguments for 'zrank' command",
    });
    assert.deepEqual(t.exec("ZREVRANK", "z", "a", "WITHSCORE", "x"), {
      error: "ERR wrong number of arguments for 'zrevrank' command",
    });
  });
});

describe("ZRANGE", () => {
  it("selects by rank with negative indexes, REV and WITHSCORES", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANGE", "z", 0, 1), ["a", "b"]);
    assert.deepEqual(t.exec("ZRANGE", "z", -2, -1, "WITHSCORES"), ["d", 4, "e", 5]);
    assert.deepEqual(t.exec("ZRANGE", "z", 0, 1, "REV"), ["e", "d"]);
    assert.deepEqual(t.exec("ZRANGE", "z", -100, 100), ["a", "b", "c", "d", "e"]);
    assert.deepEqual(t.exec("ZRANGE", "z", 3, 1), []);
    assert.deepEqual(t.exec("ZRANGE", "z", 5, 10), []);
    assert.deepEqual(t.exec("ZRANGE", "nope", 0, -1), []);
  });

  it("selects by score with BYSCORE, REV taking max first, and LIMIT", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANGE", "z", "(1", 3, "BYSCORE"), ["b", "c"]);
    assert.deepEqual(t.exec("ZRANGE", "z", "+inf", "(3", "BYSCORE", "REV", "WITHSCORES"), ["e", 5, "d", 4]);
    assert.deepEqual(t.exec("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 1, 2), ["b", "c"]);
    assert.deepEqual(t.exec("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 3, -1), ["d", "e"]);
    assert.deepEqual(t.exec("ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 1, 1), ["d"]);
    assert.deepEqual(t.exec("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", -1, 2), []);
    assert.deepEqual(t.exec("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 5, 2), []);
    assert.deepEqual(t.exec("ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", 0, 0), []);
  });

  it("selects by lex with BYLEX", () => {
    const t = makeEngine();
    t.exec("ZADD", "l", 0, "a", 0, "b", 0, "c", 0, "d");
    assert.deepEqual(t.exec("ZRANGE", "l", "[b", "+", "BYLEX"), ["b", "c", "d"]);
    assert.deepEqual(t.exec("ZRANGE", "l", "(d", "-", "BYLEX", "REV", "LIMIT", 1, 5), ["b", "a"]);
  });

  it("rejects bad combinations with Valkey's errors", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1, "LIMIT", 1, 1), {
      error: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    });
    assert.deepEqual(t.exec("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"), {
      error: "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
    });
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1, "BYSCORE", "BYLEX"), SYNTAX);
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1, "REV", "REV"), SYNTAX);
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1, "XX"), SYNTAX);
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1, "LIMIT", 1), SYNTAX);
    assert.deepEqual(t.exec("ZRANGE", "z", "a", -1), NOT_INT);
    assert.deepEqual(t.exec("ZRANGE", "z", "a", 1, "BYSCORE"), RANGE_NOT_FLOAT);
    assert.deepEqual(t.exec("ZRANGE", "z", "a", "+", "BYLEX"), RANGE_NOT_LEX);
    assert.deepEqual(t.exec("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", 1), NOT_INT);
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZRANGE", "s", 0, -1), WRONGTYPE);
  });

  it("replies WITHSCORES flat in RESP2 and as [member, score] pairs in RESP3", () => {
    const t = withZ();
    assert.equal(wire(t, 2, "ZRANGE", "z", 0, 1, "WITHSCORES"), "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    assert.equal(wire(t, 3, "ZRANGE", "z", 0, 1, "WITHSCORES"), "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  });
});

describe("ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX, ZREVRANGEBYLEX", () => {
  it("behave as the matching ZRANGE forms", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZREVRANGE", "z", 0, 1, "WITHSCORES"), ["e", 5, "d", 4]);
    assert.deepEqual(t.exec("ZRANGEBYSCORE", "z", 2, 4, "WITHSCORES", "LIMIT", 1, 1), ["c", 3]);
    assert.deepEqual(t.exec("ZREVRANGEBYSCORE", "z", 4, "(2"), ["d", "c"]);
    t.exec("ZADD", "l", 0, "a", 0, "b", 0, "c");
    assert.deepEqual(t.exec("ZRANGEBYLEX", "l", "(a", "+"), ["b", "c"]);
    assert.deepEqual(t.exec("ZREVRANGEBYLEX", "l", "+", "-", "LIMIT", 0, 2), ["c", "b"]);
  });

  it("reject options that only ZRANGE has", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZREVRANGE", "z", 0, 1, "REV"), SYNTAX);
    assert.deepEqual(t.exec("ZRANGEBYSCORE", "z", 0, 1, "BYLEX"), SYNTAX);
    assert.deepEqual(t.exec("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"), {
      error: "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
    });
    assert.deepEqual(t.exec("ZREVRANGE", "z", 0, 1, "LIMIT", 0, 1), {
      error: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    });
  });
});

describe("ZRANGESTORE", () => {
  it("stores a range and replies with its size", () => {
    const t = withZ();
    const events = recordEvents(t);
    assert.equal(t.exec("ZRANGESTORE", "dst", "z", 1, 2), 2);
    assert.deepEqual(t.exec("ZRANGE", "dst", 0, -1, "WITHSCORES"), ["b", 2, "c", 3]);
    assert.equal(t.exec("ZRANGESTORE", "dst", "z", "(3", "+inf", "BYSCORE", "LIMIT", 0, 1), 1);
    assert.deepEqual(t.exec("ZRANGE", "dst", 0, -1), ["d"]);
    assert.deepEqual(events, ["zrangestore:dst", "zrangestore:dst"]);
  });

  it("deletes the destination when the range is empty or the source missing", () => {
    const t = withZ();
    t.exec("ZRANGESTORE", "dst", "z", 0, 0);
    const events = recordEvents(t);
    assert.equal(t.exec("ZRANGESTORE", "dst", "z", 10, 20), 0);
    assert.equal(t.exec("EXISTS", "dst"), 0);
    assert.equal(t.exec("ZRANGESTORE", "dst", "nope", 0, -1), 0);
    assert.deepEqual(events, ["del:dst"]);
  });

  it("drops the destination's TTL and overwrites other types", () => {
    const t = withZ();
    t.exec("SET", "dst", "x", "EX", 100);
    assert.equal(t.exec("ZRANGESTORE", "dst", "z", 0, 0), 1);
    assert.equal(t.exec("TTL", "dst"), -1);
    assert.equal(t.exec("TYPE", "dst"), "zset");
  });

  it("rejects WITHSCORES", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANGESTORE", "dst", "z", 0, -1, "WITHSCORES"), SYNTAX);
  });
});

describe("ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX", () => {
  it("remove ranges and fire their events", () => {
    const t = withZ();
    const events = recordEvents(t);
    assert.equal(t.exec("ZREMRANGEBYRANK", "z", 0, 0), 1);
    assert.equal(t.exec("ZREMRANGEBYSCORE", "z", "(2", 3), 1);
    assert.equal(t.exec("ZREMRANGEBYRANK", "z", 10, 20), 0);
    assert.deepEqual(t.exec("ZRANGE", "z", 0, -1), ["b", "d", "e"]);
    assert.equal(t.exec("ZREMRANGEBYRANK", "z", 0, -1), 3);
    assert.equal(t.exec("EXISTS", "z"), 0);
    assert.deepEqual(events, ["zremrangebyrank:z", "zremrangebyscore:z", "zremrangebyrank:z", "del:z"]);
    t.exec("ZADD", "l", 0, "a", 0, "b", 0, "c");
    assert.equal(t.exec("ZREMRANGEBYLEX", "l", "[a", "(c"), 2);
    assert.deepEqual(t.exec("ZRANGE", "l", 0, -1), ["c"]);
  });

  it("validate their ranges before the key", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZREMRANGEBYRANK", "s", "a", 1), NOT_INT);
    assert.deepEqual(t.exec("ZREMRANGEBYSCORE", "s", "a", 1), RANGE_NOT_FLOAT);
    assert.deepEqual(t.exec("ZREMRANGEBYLEX", "s", "a", "+"), RANGE_NOT_LEX);
    assert.deepEqual(t.exec("ZREMRANGEBYRANK", "s", 0, 1), WRONGTYPE);
    assert.equal(t.exec("ZREMRANGEBYSCORE", "nope", 0, 1), 0);
  });
});

describe("ZUNION, ZINTER, ZDIFF", () => {
  function setup(): TestEngine {
    const t = makeEngine();
    t.exec("ZADD", "z1", 1, "a", 2, "b", 3, "c");
    t.exec("ZADD", "z2", 10, "b", 20, "c", 30, "d");
    t.exec("SADD", "s1", "c", "d", "e");
    return t;
  }

  it("combine sorted sets with weights and aggregates", () => {
    const t = setup();
    assert.deepEqual(t.exec("ZUNION", 2, "z1", "z2", "WITHSCORES"), ["a", 1, "b", 12, "c", 23, "d", 30]);
    assert.deepEqual(t.exec("ZUNION", 2, "z1", "z2", "WEIGHTS", 2, 0.5, "AGGREGATE", "MAX", "WITHSCORES"), [
      "a",
      2,
      "b",
      5,
      "c",
      10,
      "d",
      15,
    ]);
    assert.deepEqual(t.exec("ZINTER", 2, "z1", "z2", "AGGREGATE", "MIN", "WITHSCORES"), ["b", 2, "c", 3]);
    assert.deepEqual(t.exec("ZDIFF", 2, "z1", "z2", "WITHSCORES"), ["a", 1]);
    assert.deepEqual(t.exec("ZDIFF", 2, "z1", "z1"), []);
    assert.deepEqual(t.exec("ZINTER", 2, "z1", "nope"), []);
    assert.deepEqual(t.exec("ZUNION", 2, "nope", "z1"), ["a", "b", "c"]);
  });

  it("accept plain sets as inputs, every member scoring 1", () => {
    const t = setup();
    assert.deepEqual(t.exec("ZUNION", 2, "s1", "z1", "WITHSCORES"), ["a", 1, "d", 1, "e", 1, "b", 2, "c", 4]);
    assert.deepEqual(t.exec("ZINTER", 2, "s1", "z2", "WITHSCORES"), ["c", 21, "d", 31]);
    assert.deepEqual(t.exec("ZDIFF", 2, "s1", "z2", "WITHSCORES"), ["e", 1]);
  });

  it("turn inf - inf into 0 and weight * inf = NaN into 0", () => {
    const t = makeEngine();
    t.exec("ZADD", "i", "inf", "a", "-inf", "b");
    assert.deepEqual(t.exec("ZUNION", 2, "i", "i", "WEIGHTS", 1, -1, "WITHSCORES"), ["a", 0, "b", 0]);
    assert.deepEqual(t.exec("ZINTER", 2, "i", "i", "WEIGHTS", 0, 1, "WITHSCORES"), ["b", -Infinity, "a", Infinity]);
  });

  it("reject bad numkeys, options and types", () => {
    const t = setup();
    assert.deepEqual(t.exec("ZUNION", 0, "z1"), { error: "ERR at least 1 input key is needed for 'zunion' command" });
    assert.deepEqual(t.exec("ZDIFF", -1, "z1"), { error: "ERR at least 1 input key is needed for 'zdiff' command" });
    assert.deepEqual(t.exec("ZINTER", "x", "z1"), NOT_INT);
    assert.deepEqual(t.exec("ZUNION", 3, "z1", "z2"), SYNTAX);
    assert.deepEqual(t.exec("ZUNION", 2, "z1", "z2", "WEIGHTS", 1), SYNTAX);
    assert.deepEqual(t.exec("ZUNION", 2, "z1", "z2", "WEIGHTS", 1, "x"), { error: "ERR weight value is not a float" });
    assert.deepEqual(t.exec("ZUNION", 2, "z1", "z2", "AGGREGATE", "AVG"), SYNTAX);
    assert.deepEqual(t.exec("ZDIFF", 2, "z1", "z2", "WEIGHTS", 1, 1), SYNTAX);
    assert.deepEqual(t.exec("ZDIFF", 2, "z1", "z2", "AGGREGATE", "SUM"), SYNTAX);
    t.exec("SET", "str", "x");
    assert.deepEqual(t.exec("ZUNION", 2, "z1", "str"), WRONGTYPE);
    assert.deepEqual(t.exec("ZUNION", 2, "str", "z1", "BADOPT"), WRONGTYPE);
  });

  it("reply WITHSCORES as pairs in RESP3", () => {
    const t = setup();
    assert.equal(
      wire(t, 3, "ZINTER", 2, "z1", "z2", "WITHSCORES"),
      "*2\r\n*2\r\n$1\r\nb\r\n,12\r\n*2\r\n$1\r\nc\r\n,23\r\n",
    );
  });
});

describe("ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE", () => {
  it("store results and reply with their size", () => {
    const t = makeEngine();
    t.exec("ZADD", "z1", 1, "a", 2, "b");
    t.exec("ZADD", "z2", 3, "b", 4, "c");
    const events = recordEvents(t);
    assert.equal(t.exec("ZUNIONSTORE", "out", 2, "z1", "z2"), 3);
    assert.deepEqual(t.exec("ZRANGE", "out", 0, -1, "WITHSCORES"), ["a", 1, "c", 4, "b", 5]);
    assert.equal(t.exec("ZINTERSTORE", "out", 2, "z1", "z2", "WEIGHTS", 1, 2), 1);
    assert.deepEqual(t.exec("ZRANGE", "out", 0, -1, "WITHSCORES"), ["b", 8]);
    assert.equal(t.exec("ZDIFFSTORE", "out", 2, "z1", "z2"), 1);
    assert.deepEqual(t.exec("ZRANGE", "out", 0, -1), ["a"]);
    assert.equal(t.exec("ZINTERSTORE", "out", 2, "z1", "nope"), 0);
    assert.equal(t.exec("EXISTS", "out"), 0);
    assert.equal(t.exec("ZINTERSTORE", "out", 2, "z1", "nope"), 0);
    assert.deepEqual(events, ["zunionstore:out", "zinterstore:out", "zdiffstore:out", "del:out"]);
  });

  it("reject WITHSCORES and pick the result's encoding by Valkey's rule", () => {
    const t = makeEngine();
    t.exec("ZADD", "z1", 1, "a");
    assert.deepEqual(t.exec("ZUNIONSTORE", "out", 1, "z1", "WITHSCORES"), SYNTAX);
    t.exec("CONFIG", "SET", "zset-max-listpack-entries", "1");
    t.exec("ZADD", "big", 1, "a", 2, "b");
    assert.equal(t.exec("OBJECT", "ENCODING", "big"), "skiplist");
    t.exec("ZUNIONSTORE", "one", 1, "z1");
    assert.equal(t.exec("OBJECT", "ENCODING", "one"), "listpack");
    t.exec("ZUNIONSTORE", "two", 1, "big");
    assert.equal(t.exec("OBJECT", "ENCODING", "two"), "skiplist");
  });
});

describe("ZINTERCARD", () => {
  it("counts the intersection, stopping at LIMIT", () => {
    const t = makeEngine();
    t.exec("ZADD", "z1", 1, "a", 2, "b", 3, "c");
    t.exec("ZADD", "z2", 1, "a", 2, "b", 3, "c");
    assert.equal(t.exec("ZINTERCARD", 2, "z1", "z2"), 3);
    assert.equal(t.exec("ZINTERCARD", 2, "z1", "z2", "LIMIT", 2), 2);
    assert.equal(t.exec("ZINTERCARD", 2, "z1", "z2", "LIMIT", 0), 3);
    assert.equal(t.exec("ZINTERCARD", 2, "z1", "nope"), 0);
    assert.deepEqual(t.exec("ZINTERCARD", 2, "z1", "z2", "LIMIT", -1), { error: "ERR LIMIT can't be negative" });
    assert.deepEqual(t.exec("ZINTERCARD", 2, "z1", "z2", "LIMIT", "x"), { error: "ERR LIMIT can't be negative" });
    assert.deepEqual(t.exec("ZINTERCARD", 2, "z1", "z2", "WITHSCORES"), SYNTAX);
    assert.deepEqual(t.exec("ZINTERCARD", 0, "z1"), {
      error: "ERR at least 1 input key is needed for 'zintercard' command",
    });
  });
});

describe("ZPOPMIN and ZPOPMAX", () => {
  it("pop from either end, one or COUNT members", () => {
    const t = withZ();
    const events = recordEvents(t);
    assert.deepEqual(t.exec("ZPOPMIN", "z"), ["a", 1]);
    assert.deepEqual(t.exec("ZPOPMAX", "z", 2), ["e", 5, "d", 4]);
    assert.deepEqual(t.exec("ZPOPMIN", "z", 0), []);
    assert.deepEqual(t.exec("ZPOPMIN", "z", 10), ["b", 2, "c", 3]);
    assert.equal(t.exec("EXISTS", "z"), 0);
    assert.deepEqual(t.exec("ZPOPMIN", "z"), []);
    assert.deepEqual(events, ["zpopmin:z", "zpopmax:z", "zpopmin:z", "del:z"]);
  });

  it("reject bad counts and extra arguments", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZPOPMIN", "z", -1), { error: "ERR value is out of range, must be positive" });
    // getPositiveLongFromObjectOrReply answers its own message for a non-integer too.
    assert.deepEqual(t.exec("ZPOPMIN", "z", "x"), { error: "ERR value is out of range, must be positive" });
    assert.deepEqual(t.exec("ZPOPMIN", "z", 1, 2), SYNTAX);
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZPOPMAX", "s"), WRONGTYPE);
  });

  it("nest pairs in RESP3 only when a count is given", () => {
    const t = withZ();
    assert.equal(wire(t, 3, "ZPOPMIN", "z"), "*2\r\n$1\r\na\r\n,1\r\n");
    assert.equal(wire(t, 3, "ZPOPMIN", "z", 1), "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
    assert.equal(wire(t, 2, "ZPOPMIN", "z", 1), "*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    assert.equal(wire(t, 3, "BZPOPMIN", "z", 0), "*3\r\n$1\r\nz\r\n$1\r\nd\r\n,4\r\n");
    assert.equal(wire(t, 2, "ZMPOP", 1, "z", "MIN"), "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
  });
});

describe("ZMPOP", () => {
  it("pops from the first non-empty key, always nesting [member, score] pairs", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZMPOP", 2, "nope", "z", "MIN", "COUNT", 2), ["z", [["a", 1], ["b", 2]]]);
    assert.deepEqual(t.exec("ZMPOP", 1, "z", "MAX"), ["z", [["e", 5]]]);
    assert.deepEqual(t.raw("ZMPOP", 1, "nope", "MAX"), { t: "null", as: "array" });
    assert.deepEqual(t.exec("ZMPOP", 1, "z", "MIN", "COUNT", "9223372036854775807"), ["z", [["c", 3], ["d", 4]]]);
    assert.equal(t.exec("EXISTS", "z"), 0);
  });

  it("validates numkeys, the direction and COUNT", () => {
    const t = withZ();
    const numkeys = { error: "ERR numkeys should be greater than 0" };
    assert.deepEqual(t.exec("ZMPOP", 0, "z", "MIN"), numkeys);
    assert.deepEqual(t.exec("ZMPOP", "x", "z", "MIN"), numkeys);
    assert.deepEqual(t.exec("ZMPOP", 2, "z", "MIN"), SYNTAX);
    assert.deepEqual(t.exec("ZMPOP", 1, "z", "MIDDLE"), SYNTAX);
    assert.deepEqual(t.exec("ZMPOP", 1, "z", "MIN", "COUNT", 0), { error: "ERR count should be greater than 0" });
    assert.deepEqual(t.exec("ZMPOP", 1, "z", "MIN", "COUNT", 1, "COUNT", 2), SYNTAX);
    assert.deepEqual(t.exec("ZMPOP", 1, "z", "MIN", "COUNT"), SYNTAX);
  });
});

describe("BZPOPMIN, BZPOPMAX, BZMPOP", () => {
  function setup() {
    const t = makeEngine();
    const got: [number, unknown][] = [];
    const client = (n: number) => {
      const s = t.engine.openSession();
      return (...argv: (string | number)[]) => {
        const r = t.engine.dispatch(s, argv.map(String), (reply) => got.push([n, plain(reply)]));
        if (r !== undefined && r.t !== "blocked") got.push([n, plain(r)]);
        return r;
      };
    };
    return { t, got, client };
  }

  it("pop at once when a key has members, naming the key", () => {
    const t = withZ();
    assert.deepEqual(t.exec("BZPOPMIN", "nope", "z", 1), ["z", "a", 1]);
    assert.deepEqual(t.exec("BZPOPMAX", "z", 0), ["z", "e", 5]);
    assert.deepEqual(t.exec("BZMPOP", 1, 1, "z", "MIN", "COUNT", 2), ["z", [["b", 2], ["c", 3]]]);
  });

  it("block until a key receives members, serving waiters in arrival order", () => {
    const { t, got, client } = setup();
    const a = client(1);
    const b = client(2);
    const w = client(3);
    assert.equal(a("BZPOPMIN", "k1", "k2", 0)?.t, "blocked");
    assert.equal(b("BZMPOP", 0, 1, "k2", "MAX", "COUNT", 5)?.t, "blocked");
    w("ZADD", "k2", 1, "x", 2, "y", 3, "z");
    assert.deepEqual(got, [[1, ["k2", "x", 1]], [2, ["k2", [["z", 3], ["y", 2]]]], [3, 3]]);
    assert.equal(t.exec("EXISTS", "k2"), 0);
  });

  it("time out with a null array after the fractional timeout", () => {
    const { t, got, client } = setup();
    const a = client(1);
    a("BZPOPMAX", "k", 0.25);
    t.advance(200);
    assert.deepEqual(got, []);
    t.advance(100);
    assert.deepEqual(got, [[1, null]]);
    assert.deepEqual(t.raw("BZPOPMIN", "k", 0.1), { t: "null", as: "array" });
  });

  it("keep waiting while the keys hold other types", () => {
    const { got, client } = setup();
    const a = client(1);
    const w = client(2);
    a("BZPOPMIN", "k", 0);
    w("SET", "k", "v");
    assert.deepEqual(got, [[2, "OK"]]);
  });

  it("validate the timeout with Valkey's errors", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BZPOPMIN", "k", "x"), { error: "ERR timeout is not a float or out of range" });
    assert.deepEqual(t.exec("BZPOPMIN", "k", -1), { error: "ERR timeout is negative" });
    assert.deepEqual(t.exec("BZPOPMIN", "k", "inf"), { error: "ERR timeout is out of range" });
    assert.deepEqual(t.exec("BZPOPMIN", "k", "1e400"), { error: "ERR timeout is out of range" });
    assert.deepEqual(t.exec("BZMPOP", "x", 1, "k", "MIN"), { error: "ERR timeout is not a float or out of range" });
    assert.deepEqual(t.exec("BZMPOP", "x", 0, "k", "MIN"), { error: "ERR numkeys should be greater than 0" });
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("BZPOPMIN", "s", 0), WRONGTYPE);
  });

  it("return the null reply at once when the caller cannot wait, even with timeout 0", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("BZPOPMIN", "k", 0), { t: "null", as: "array" });
    assert.deepEqual(t.raw("BZMPOP", 0, 1, "k", "MIN"), { t: "null", as: "array" });
  });
});

describe("ZRANDMEMBER", () => {
  it("returns one member, or nil for a missing key", () => {
    const t = withZ();
    assert.ok(["a", "b", "c", "d", "e"].includes(t.exec("ZRANDMEMBER", "z") as string));
    assert.equal(t.exec("ZRANDMEMBER", "nope"), null);
    assert.deepEqual(t.exec("ZRANDMEMBER", "nope", 3), []);
  });

  it("returns distinct members for a positive count, the whole set from the top when it is larger", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", 10), ["e", "d", "c", "b", "a"]);
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", 10, "WITHSCORES"), ["e", 5, "d", 4, "c", 3, "b", 2, "a", 1]);
    const three = t.exec("ZRANDMEMBER", "z", 3) as string[];
    assert.equal(new Set(three).size, 3);
    assert.deepEqual([...three].sort(), three, "a listpack sample keeps the set's order");
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", 0), []);
  });

  it("samples with repetition for a negative count", () => {
    const t = makeEngine();
    t.exec("ZADD", "z", 1, "a");
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", -3, "WITHSCORES"), ["a", 1, "a", 1, "a", 1]);
  });

  it("returns distinct random members of a skiplist", () => {
    const t = makeEngine();
    for (let i = 0; i < 300; i++) t.exec("ZADD", "big", i, "m" + i);
    const got = t.exec("ZRANDMEMBER", "big", 100) as string[];
    assert.equal(got.length, 100);
    assert.equal(new Set(got).size, 100);
  });

  it("validates its arguments", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", "x"), NOT_INT);
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", 1, "x"), SYNTAX);
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", "-9223372036854775808"), {
      error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    assert.deepEqual(t.exec("ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"), {
      error: "ERR value is out of range",
    });
  });

  it("replies WITHSCORES as pairs in RESP3", () => {
    const t = withZ();
    assert.ok(wire(t, 3, "ZRANDMEMBER", "z", 10, "WITHSCORES").startsWith("*5\r\n*2\r\n$1\r\ne\r\n,5\r\n"));
    assert.ok(wire(t, 2, "ZRANDMEMBER", "z", 10, "WITHSCORES").startsWith("*10\r\n$1\r\ne\r\n$1\r\n5\r\n"));
  });
});

describe("ZSCAN", () => {
  it("returns a small sorted set whole with cursor 0", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZSCAN", "z", 0), ["0", ["a", "1", "b", "2", "c", "3", "d", "4", "e", "5"]]);
    assert.deepEqual(t.exec("ZSCAN", "z", 0, "MATCH", "[bc]", "NOSCORES"), ["0", ["b", "c"]]);
    assert.deepEqual(t.exec("ZSCAN", "nope", 0), ["0", []]);
  });

  it("walks a large sorted set with cursors until 0, visiting every member once", () => {
    const t = makeEngine();
    for (let i = 0; i < 500; i++) t.exec("ZADD", "big", i, "m" + i);
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, items] = t.exec("ZSCAN", "big", cursor, "COUNT", 50) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
      cursor = next;
      calls++;
    } while (cursor !== "0");
    assert.ok(calls > 5);
    assert.equal(seen.size, 500);
    assert.equal(seen.get("m42"), "42");
  });

  it("validates the cursor and options", () => {
    const t = withZ();
    assert.deepEqual(t.exec("ZSCAN", "z", "x"), { error: "ERR invalid cursor" });
    assert.deepEqual(t.exec("ZSCAN", "z", 0, "COUNT", 0), SYNTAX);
    assert.deepEqual(t.exec("ZSCAN", "z", 0, "NOVALUES"), { error: "ERR NOVALUES option can only be used in HSCAN" });
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("ZSCAN", "s", 0), WRONGTYPE);
  });
});

describe("COPY and TYPE", () => {
  it("copies a sorted set deeply", () => {
    const t = withZ();
    assert.equal(t.exec("TYPE", "z"), "zset");
    assert.equal(t.exec("COPY", "z", "c"), 1);
    t.exec("ZADD", "c", 100, "a");
    assert.equal(t.exec("ZSCORE", "z", "a"), 1);
  });
});
