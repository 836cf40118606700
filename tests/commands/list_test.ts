import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import { encodeReply } from "../../src/protocol/resp_encoder.ts";
import type { Reply } from "../../src/protocol/reply.ts";
import { parseBlockingTimeout } from "../../src/commands/args.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const SYNTAX = { error: "ERR syntax error" };

/** The exact wire bytes of a reply in one protocol version. */
function wire(r: Reply | undefined, resp: 2 | 3): string {
  return Buffer.from(encodeReply(r!, resp)).toString("latin1");
}

/** Collects [key, event] keyspace notifications. */
function events(t: TestEngine): [string, string][] {
  const got: [string, string][] = [];
  t.engine.onKeyModified((_db, key, event) => got.push([key, event]));
  return got;
}

/** A test engine with extra clients whose replies (immediate or delivered later) are recorded. */
function clients() {
  const t = makeEngine();
  const got: [number, unknown][] = [];
  const client = (n: number) => {
    const s = t.engine.openSession();
    return {
      session: s,
      send: (...argv: (string | number)[]) => {
        const r = t.engine.dispatch(s, argv.map(String), (reply) => got.push([n, plain(reply)]));
        if (r !== undefined && r.t !== "blocked") got.push([n, plain(r)]);
        return r;
      },
    };
  };
  return { t, got, client };
}

describe("LPUSH / RPUSH", () => {
  it("push elements in argument order and reply with the new length", () => {
    const t = makeEngine();
    assert.equal(t.exec("RPUSH", "k", "a", "b"), 2);
    assert.equal(t.exec("LPUSH", "k", "x", "y"), 4);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["y", "x", "a", "b"]);
  });

  it("keep binary elements intact", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "\x00\xff\r\n", "");
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["\x00\xff\r\n", ""]);
  });

  it("reply WRONGTYPE against a string key", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LPUSH", "s", "a"), WRONGTYPE);
    assert.deepEqual(t.exec("RPUSH", "s", "a"), WRONGTYPE);
  });

  it("fire lpush / rpush keyspace events", () => {
    const t = makeEngine();
    const got = events(t);
    t.exec("LPUSH", "k", "a", "b");
    t.exec("RPUSH", "k", "c");
    assert.deepEqual(got, [["k", "lpush"], ["k", "rpush"]]);
  });
});

describe("LPUSHX / RPUSHX", () => {
  it("do nothing and reply 0 when the key is missing", () => {
    const t = makeEngine();
    assert.equal(t.exec("LPUSHX", "k", "a"), 0);
    assert.equal(t.exec("RPUSHX", "k", "a", "b"), 0);
    assert.equal(t.exec("EXISTS", "k"), 0);
  });

  it("push onto an existing list", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "m");
    assert.equal(t.exec("LPUSHX", "k", "a", "b"), 3);
    assert.equal(t.exec("RPUSHX", "k", "z"), 4);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["b", "a", "m", "z"]);
  });

  it("reply WRONGTYPE against another type even though they never create", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LPUSHX", "s", "a"), WRONGTYPE);
    assert.deepEqual(t.exec("RPUSHX", "s", "a"), WRONGTYPE);
  });
});

describe("LPOP / RPOP", () => {
  it("pop one element from each end as a bulk string", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c");
    assert.equal(t.exec("LPOP", "k"), "a");
    assert.equal(t.exec("RPOP", "k"), "c");
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["b"]);
  });

  it("pop up to count elements in pop order", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c", "d");
    assert.deepEqual(t.exec("LPOP", "k", 2), ["a", "b"]);
    assert.deepEqual(t.exec("RPOP", "k", 10), ["d", "c"]);
    assert.equal(t.exec("EXISTS", "k"), 0);
  });

  it("reply an empty array for count 0 on an existing list", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a");
    assert.deepEqual(t.exec("LPOP", "k", 0), []);
    assert.equal(t.exec("LLEN", "k"), 1);
  });

  it("reply a null bulk without count and a null array with count on a missing key", () => {
    const t = makeEngine();
    assert.equal(wire(t.raw("LPOP", "nokey"), 2), "$-1\r\n");
    assert.equal(wire(t.raw("RPOP", "nokey", 2), 2), "*-1\r\n");
    assert.equal(wire(t.raw("LPOP", "nokey", 0), 2), "*-1\r\n");
    assert.equal(wire(t.raw("LPOP", "nokey"), 3), "_\r\n");
    assert.equal(wire(t.raw("RPOP", "nokey", 2), 3), "_\r\n");
  });

  it("reject a negative or non-integer count before looking at the key", () => {
    const t = makeEngine();
    const msg = { error: "ERR value is out of range, must be positive" };
    assert.deepEqual(t.exec("LPOP", "nokey", -1), msg);
    assert.deepEqual(t.exec("RPOP", "nokey", "abc"), msg);
  });

  it("reject more than one count argument as an arity error", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LPOP", "k", 1, 2), { error: "ERR wrong number of arguments for 'lpop' command" });
  });

  it("reply WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LPOP", "s"), WRONGTYPE);
    assert.deepEqual(t.exec("RPOP", "s", 1), WRONGTYPE);
  });

  it("fire the pop event then del when the list empties", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b");
    const got = events(t);
    t.exec("LPOP", "k");
    t.exec("RPOP", "k", 5);
    assert.deepEqual(got, [["k", "lpop"], ["k", "rpop"], ["k", "del"]]);
  });
});

describe("LLEN", () => {
  it("counts elements, 0 for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("LLEN", "k"), 0);
    t.exec("RPUSH", "k", "a", "b");
    assert.equal(t.exec("LLEN", "k"), 2);
  });

  it("replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LLEN", "s"), WRONGTYPE);
  });
});

describe("LRANGE", () => {
  it("returns inclusive ranges with negative indexes and clamping", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c", "d");
    assert.deepEqual(t.exec("LRANGE", "k", 1, 2), ["b", "c"]);
    assert.deepEqual(t.exec("LRANGE", "k", -2, -1), ["c", "d"]);
    assert.deepEqual(t.exec("LRANGE", "k", -100, 100), ["a", "b", "c", "d"]);
    assert.deepEqual(t.exec("LRANGE", "k", 3, 1), []);
    assert.deepEqual(t.exec("LRANGE", "k", 4, 10), []);
  });

  it("returns an empty array for a missing key", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), []);
  });

  it("rejects non-integer indexes even for a missing key", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LRANGE", "k", "a", 1), NOT_INT);
    assert.deepEqual(t.exec("LRANGE", "k", 0, "1.5"), NOT_INT);
  });

  it("replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LRANGE", "s", 0, -1), WRONGTYPE);
  });

  it("reads ranges across many chunks", () => {
    const t = makeEngine();
    const vals = Array.from({ length: 1000 }, (_, i) => String(i));
    t.exec("RPUSH", "k", ...vals);
    assert.deepEqual(t.exec("LRANGE", "k", 120, 140), vals.slice(120, 141));
    assert.deepEqual(t.exec("LRANGE", "k", -300, -250), vals.slice(700, 751));
  });
});

describe("LINDEX", () => {
  it("returns the element at positive and negative indexes, null outside", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c");
    assert.equal(t.exec("LINDEX", "k", 0), "a");
    assert.equal(t.exec("LINDEX", "k", -1), "c");
    assert.equal(t.exec("LINDEX", "k", 3), null);
    assert.equal(t.exec("LINDEX", "k", -4), null);
  });

  it("replies null for a missing key even with a malformed index", () => {
    const t = makeEngine();
    assert.equal(wire(t.raw("LINDEX", "k", "abc"), 2), "$-1\r\n");
    t.exec("RPUSH", "k", "a");
    assert.deepEqual(t.exec("LINDEX", "k", "abc"), NOT_INT);
  });

  it("replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LINDEX", "s", 0), WRONGTYPE);
  });
});

describe("LSET", () => {
  it("replaces the element at an index", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c");
    assert.equal(t.exec("LSET", "k", 1, "B"), "OK");
    assert.equal(t.exec("LSET", "k", -1, "C"), "OK");
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["a", "B", "C"]);
  });

  it("replies ERR no such key for a missing key", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LSET", "k", 0, "x"), { error: "ERR no such key" });
  });

  it("replies ERR index out of range outside the list", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a");
    assert.deepEqual(t.exec("LSET", "k", 1, "x"), { error: "ERR index out of range" });
    assert.deepEqual(t.exec("LSET", "k", -2, "x"), { error: "ERR index out of range" });
  });

  it("rejects a non-integer index and replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a");
    assert.deepEqual(t.exec("LSET", "k", "x", "v"), NOT_INT);
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LSET", "s", 0, "v"), WRONGTYPE);
  });
});

describe("LINSERT", () => {
  it("inserts before or after the first pivot and replies the new length", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "a");
    assert.equal(t.exec("LINSERT", "k", "BEFORE", "a", "x"), 4);
    assert.equal(t.exec("LINSERT", "k", "after", "b", "y"), 5);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["x", "a", "b", "y", "a"]);
  });

  it("replies -1 when the pivot is absent and 0 when the key is missing", () => {
    const t = makeEngine();
    assert.equal(t.exec("LINSERT", "k", "BEFORE", "a", "x"), 0);
    t.exec("RPUSH", "k", "a");
    assert.equal(t.exec("LINSERT", "k", "BEFORE", "zz", "x"), -1);
  });

  it("rejects a position other than BEFORE/AFTER with a syntax error, even for a missing key", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LINSERT", "k", "MIDDLE", "a", "x"), SYNTAX);
  });

  it("replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LINSERT", "s", "BEFORE", "a", "x"), WRONGTYPE);
  });

  it("inserts in the middle of a large list", () => {
    const t = makeEngine();
    const vals = Array.from({ length: 600 }, (_, i) => String(i));
    t.exec("RPUSH", "k", ...vals);
    assert.equal(t.exec("LINSERT", "k", "AFTER", "300", "new"), 601);
    assert.deepEqual(t.exec("LRANGE", "k", 299, 302), ["299", "300", "new", "301"]);
  });
});

describe("LREM", () => {
  it("removes from the head, the tail or everywhere", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "x", "a", "x", "b", "x");
    assert.equal(t.exec("LREM", "k", 1, "x"), 1);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["a", "x", "b", "x"]);
    assert.equal(t.exec("LREM", "k", -1, "x"), 1);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["a", "x", "b"]);
    assert.equal(t.exec("LREM", "k", 0, "x"), 1);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["a", "b"]);
  });

  it("deletes the key when it removes everything, and replies 0 for a missing key", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "x", "x");
    assert.equal(t.exec("LREM", "k", 0, "x"), 2);
    assert.equal(t.exec("EXISTS", "k"), 0);
    assert.equal(t.exec("LREM", "k", 0, "x"), 0);
  });

  it("rejects LONG_MIN with the range error and non-integers with the integer error", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a");
    assert.deepEqual(t.exec("LREM", "k", "-9223372036854775808", "a"), {
      error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    assert.deepEqual(t.exec("LREM", "k", "x", "a"), NOT_INT);
  });

  it("replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LREM", "s", 0, "v"), WRONGTYPE);
  });
});

describe("LTRIM", () => {
  it("keeps only the range", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c", "d");
    assert.equal(t.exec("LTRIM", "k", 1, -2), "OK");
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["b", "c"]);
  });

  it("deletes the key when the range is empty and answers OK for a missing key", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a");
    assert.equal(t.exec("LTRIM", "k", 5, 10), "OK");
    assert.equal(t.exec("EXISTS", "k"), 0);
    assert.equal(t.exec("LTRIM", "k", 0, 1), "OK");
  });

  it("rejects non-integer bounds and replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LTRIM", "k", "a", 1), NOT_INT);
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LTRIM", "s", 0, 1), WRONGTYPE);
  });

  it("fires ltrim (then del) only when something was removed", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b");
    const got = events(t);
    t.exec("LTRIM", "k", 0, -1);
    t.exec("LTRIM", "k", 0, 0);
    t.exec("LTRIM", "k", 1, 1);
    assert.deepEqual(got, [["k", "ltrim"], ["k", "ltrim"], ["k", "del"]]);
  });
});

describe("LPOS", () => {
  const setup = () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c", "1", "2", "3", "c", "c");
    return t;
  };

  it("returns the first match, or the rank-th one from either end", () => {
    const t = setup();
    assert.equal(t.exec("LPOS", "k", "c"), 2);
    assert.equal(t.exec("LPOS", "k", "c", "RANK", 2), 6);
    assert.equal(t.exec("LPOS", "k", "c", "RANK", -1), 7);
    assert.equal(t.exec("LPOS", "k", "c", "RANK", -3), 2);
    assert.equal(t.exec("LPOS", "k", "c", "RANK", 4), null);
  });

  it("returns up to COUNT matches, all of them for COUNT 0", () => {
    const t = setup();
    assert.deepEqual(t.exec("LPOS", "k", "c", "COUNT", 2), [2, 6]);
    assert.deepEqual(t.exec("LPOS", "k", "c", "COUNT", 0), [2, 6, 7]);
    assert.deepEqual(t.exec("LPOS", "k", "c", "COUNT", 0, "RANK", -2), [6, 2]);
    assert.deepEqual(t.exec("LPOS", "k", "zz", "COUNT", 1), []);
  });

  it("scans at most MAXLEN elements", () => {
    const t = setup();
    assert.equal(t.exec("LPOS", "k", "c", "MAXLEN", 2), null);
    assert.equal(t.exec("LPOS", "k", "c", "MAXLEN", 3), 2);
    assert.deepEqual(t.exec("LPOS", "k", "c", "RANK", -1, "COUNT", 0, "MAXLEN", 2), [7, 6]);
  });

  it("answers null without COUNT and an empty array with it for a missing key", () => {
    const t = makeEngine();
    assert.equal(wire(t.raw("LPOS", "nokey", "a"), 2), "$-1\r\n");
    assert.equal(wire(t.raw("LPOS", "nokey", "a"), 3), "_\r\n");
    assert.deepEqual(t.exec("LPOS", "nokey", "a", "COUNT", 0), []);
  });

  it("rejects RANK 0, LONG_MIN and non-integers with Valkey's texts", () => {
    const t = setup();
    assert.deepEqual(t.exec("LPOS", "k", "c", "RANK", 0), {
      error:
        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    });
    assert.deepEqual(t.exec("LPOS", "k", "c", "RANK", "-9223372036854775808"), {
      error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    });
    assert.deepEqual(t.exec("LPOS", "k", "c", "RANK", "x"), NOT_INT);
  });

  it("rejects negative or malformed COUNT and MAXLEN", () => {
    const t = setup();
    assert.deepEqual(t.exec("LPOS", "k", "c", "COUNT", -1), { error: "ERR COUNT can't be negative" });
    assert.deepEqual(t.exec("LPOS", "k", "c", "COUNT", "x"), { error: "ERR COUNT can't be negative" });
    assert.deepEqual(t.exec("LPOS", "k", "c", "MAXLEN", -1), { error: "ERR MAXLEN can't be negative" });
  });

  it("rejects unknown options and options without a value", () => {
    const t = setup();
    assert.deepEqual(t.exec("LPOS", "k", "c", "RANK"), SYNTAX);
    assert.deepEqual(t.exec("LPOS", "k", "c", "FOO", 1), SYNTAX);
  });

  it("replies WRONGTYPE against a string", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LPOS", "s", "v"), WRONGTYPE);
  });
});

describe("LMOVE / RPOPLPUSH", () => {
  it("move between every pair of ends", () => {
    const t = makeEngine();
    t.exec("RPUSH", "src", "a", "b", "c", "d");
    assert.equal(t.exec("LMOVE", "src", "dst", "LEFT", "RIGHT"), "a");
    assert.equal(t.exec("LMOVE", "src", "dst", "RIGHT", "LEFT"), "d");
    assert.equal(t.exec("LMOVE", "src", "dst", "left", "left"), "b");
    assert.equal(t.exec("RPOPLPUSH", "src", "dst"), "c");
    assert.deepEqual(t.exec("LRANGE", "dst", 0, -1), ["c", "b", "d", "a"]);
    assert.equal(t.exec("EXISTS", "src"), 0);
  });

  it("rotates a list onto itself, even with a single element", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b", "c");
    assert.equal(t.exec("RPOPLPUSH", "k", "k"), "c");
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["c", "a", "b"]);
    t.exec("RPUSH", "one", "x");
    assert.equal(t.exec("LMOVE", "one", "one", "LEFT", "RIGHT"), "x");
    assert.deepEqual(t.exec("LRANGE", "one", 0, -1), ["x"]);
  });

  it("reply null for a missing source and leave the destination alone", () => {
    const t = makeEngine();
    assert.equal(wire(t.raw("LMOVE", "nosrc", "dst", "LEFT", "LEFT"), 2), "$-1\r\n");
    assert.equal(t.exec("RPOPLPUSH", "nosrc", "dst"), null);
    assert.equal(t.exec("EXISTS", "dst"), 0);
  });

  it("reply WRONGTYPE for a wrong-typed destination without popping", () => {
    const t = makeEngine();
    t.exec("RPUSH", "src", "a");
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("LMOVE", "src", "s", "LEFT", "LEFT"), WRONGTYPE);
    assert.deepEqual(t.exec("RPOPLPUSH", "s", "src"), WRONGTYPE);
    assert.deepEqual(t.exec("LRANGE", "src", 0, -1), ["a"]);
  });

  it("reject a direction other than LEFT/RIGHT", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("LMOVE", "a", "b", "UP", "LEFT"), SYNTAX);
    assert.deepEqual(t.exec("LMOVE", "a", "b", "LEFT", "DOWN"), SYNTAX);
  });

  it("fire the push event on the destination, then the pop event and del on the source", () => {
    const t = makeEngine();
    t.exec("RPUSH", "src", "a");
    const got = events(t);
    t.exec("LMOVE", "src", "dst", "RIGHT", "LEFT");
    assert.deepEqual(got, [["dst", "lpush"], ["src", "rpop"], ["src", "del"]]);
  });
});

describe("LMPOP", () => {
  it("pops from the first non-empty list, one element by default", () => {
    const t = makeEngine();
    t.exec("RPUSH", "b", "1", "2", "3");
    assert.deepEqual(t.exec("LMPOP", 2, "a", "b", "LEFT"), ["b", ["1"]]);
    assert.deepEqual(t.exec("LMPOP", 2, "a", "b", "RIGHT", "COUNT", 5), ["b", ["3", "2"]]);
    assert.equal(t.exec("EXISTS", "b"), 0);
  });

  it("replies a null array when every list is empty", () => {
    const t = makeEngine();
    assert.equal(wire(t.raw("LMPOP", 2, "a", "b", "LEFT"), 2), "*-1\r\n");
    assert.equal(wire(t.raw("LMPOP", 2, "a", "b", "LEFT"), 3), "_\r\n");
  });

  it("replies WRONGTYPE when a wrong-typed key comes before a list", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    t.exec("RPUSH", "l", "x");
    assert.deepEqual(t.exec("LMPOP", 2, "s", "l", "LEFT"), WRONGTYPE);
    assert.deepEqual(t.exec("LMPOP", 2, "l", "s", "LEFT"), ["l", ["x"]]);
  });

  it("validates numkeys, the direction and COUNT", () => {
    const t = makeEngine();
    const numkeys = { error: "ERR numkeys should be greater than 0" };
    const count = { error: "ERR count should be greater than 0" };
    assert.deepEqual(t.exec("LMPOP", 0, "a", "LEFT"), numkeys);
    assert.deepEqual(t.exec("LMPOP", -1, "a", "LEFT"), numkeys);
    assert.deepEqual(t.exec("LMPOP", "x", "a", "LEFT"), numkeys);
    assert.deepEqual(t.exec("LMPOP", 2, "a", "LEFT"), SYNTAX);
    assert.deepEqual(t.exec("LMPOP", 1, "a", "MIDDLE"), SYNTAX);
    assert.deepEqual(t.exec("LMPOP", 1, "a", "LEFT", "COUNT", 0), count);
    assert.deepEqual(t.exec("LMPOP", 1, "a", "LEFT", "COUNT", "x"), count);
    assert.deepEqual(t.exec("LMPOP", 1, "a", "LEFT", "COUNT", 1, "COUNT", 2), SYNTAX);
    assert.deepEqual(t.exec("LMPOP", 1, "a", "LEFT", "COUNT"), SYNTAX);
  });
});

describe("List encoding", () => {
  it("is listpack while small and quicklist past list-max-listpack-size", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a", "b");
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "listpack");
    t.exec("RPUSH", "k", "x".repeat(9000));
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "quicklist");
  });

  it("follows a positive list-max-listpack-size as an element count", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "list-max-listpack-size", "4");
    t.exec("RPUSH", "k", "1", "2", "3", "4");
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "listpack");
    t.exec("RPUSH", "k", "5");
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "quicklist");
  });

  it("converts back to listpack once the list shrinks to half the limit", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "list-max-listpack-size", "4");
    t.exec("RPUSH", "k", "1", "2", "3", "4", "5");
    t.exec("RPOP", "k", 2);
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "quicklist");
    t.exec("RPOP", "k");
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "listpack");
  });

  it("converts LINSERT's target even when the pivot is absent, as Valkey does", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "a");
    assert.equal(t.exec("LINSERT", "k", "BEFORE", "zz", "x".repeat(9000)), -1);
    assert.equal(t.exec("OBJECT", "ENCODING", "k"), "quicklist");
  });

  it("is kept by COPY", () => {
    const t = makeEngine();
    t.exec("RPUSH", "k", "x".repeat(9000), "a");
    t.exec("COPY", "k", "k2");
    assert.equal(t.exec("OBJECT", "ENCODING", "k2"), "quicklist");
    assert.deepEqual(t.exec("LRANGE", "k2", 1, 1), ["a"]);
  });
});

describe("Blocking timeouts", () => {
  it("parse seconds as a long double rounded up to whole milliseconds", () => {
    assert.equal(parseBlockingTimeout("0", 0), 0);
    assert.equal(parseBlockingTimeout("1.5", 0), 1500);
    assert.equal(parseBlockingTimeout("1.1", 0), 1100);
    assert.equal(parseBlockingTimeout("0.0001", 0), 1);
    assert.equal(parseBlockingTimeout("-0.0001", 0), 0);
    assert.equal(parseBlockingTimeout("0x10", 0), 16000);
    assert.equal(parseBlockingTimeout("1e-400", 0), 1);
  });

  it("reject malformed, negative and out-of-range values with Valkey's texts", () => {
    const t = makeEngine();
    const notFloat = { error: "ERR timeout is not a float or out of range" };
    const negative = { error: "ERR timeout is negative" };
    const range = { error: "ERR timeout is out of range" };
    assert.deepEqual(t.exec("BLPOP", "k", "abc"), notFloat);
    assert.deepEqual(t.exec("BLPOP", "k", " 1"), notFloat);
    assert.deepEqual(t.exec("BLPOP", "k", "nan"), notFloat);
    assert.deepEqual(t.exec("BLPOP", "k", "-1"), negative);
    assert.deepEqual(t.exec("BLPOP", "k", "-inf"), negative);
    assert.deepEqual(t.exec("BLPOP", "k", "inf"), range);
    assert.deepEqual(t.exec("BLPOP", "k", "1e400"), range);
    assert.deepEqual(t.exec("BRPOP", "k", "9223372036854775"), range);
    assert.deepEqual(t.exec("BLMOVE", "a", "b", "LEFT", "LEFT", "x"), notFloat);
    assert.deepEqual(t.exec("BRPOPLPUSH", "a", "b", "-2"), negative);
    assert.deepEqual(t.exec("BLMPOP", "x", 1, "k", "LEFT"), notFloat);
  });
});

describe("BLPOP / BRPOP", () => {
  it("pop at once from the first non-empty list", () => {
    const t = makeEngine();
    t.exec("RPUSH", "b", "1", "2");
    assert.deepEqual(t.exec("BLPOP", "a", "b", 0), ["b", "1"]);
    assert.deepEqual(t.exec("BRPOP", "a", "b", 0), ["b", "2"]);
    assert.equal(t.exec("EXISTS", "b"), 0);
  });

  it("reply WRONGTYPE when a wrong-typed key comes first", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    assert.deepEqual(t.exec("BLPOP", "s", "l", 0), WRONGTYPE);
  });

  it("serve parked clients in FIFO order when a list is pushed", () => {
    const { t, got, client } = clients();
    const a = client(1);
    const b = client(2);
    assert.equal(a.send("BLPOP", "k", 0)?.t, "blocked");
    assert.equal(b.send("BRPOP", "k", 0)?.t, "blocked");
    client(3).send("RPUSH", "k", "x", "y", "z");
    assert.deepEqual(got, [[1, ["k", "x"]], [2, ["k", "z"]], [3, 3]]);
    assert.deepEqual(t.exec("LRANGE", "k", 0, -1), ["y"]);
    assert.equal(t.engine.blocking.count, 0);
  });

  it("serve a client waiting on several keys from the key that was pushed", () => {
    const { got, client } = clients();
    client(1).send("BLPOP", "a", "b", "c", 0);
    client(2).send("RPUSH", "c", "v");
    assert.deepEqual(got, [[1, ["c", "v"]], [2, 1]]);
  });

  it("time out with a null array after the timeout", () => {
    const { t, got, client } = clients();
    const a = client(1);
    const r = a.send("BLPOP", "k", "0.5");
    assert.equal(r?.t, "blocked");
    assert.equal(r?.t === "blocked" ? wire(r.timeoutReply, 2) : "", "*-1\r\n");
    t.advance(499);
    assert.deepEqual(got, []);
    t.advance(1);
    assert.deepEqual(got, [[1, null]]);
  });

  it("wait 1 ms for a timeout of 0.0001 seconds", () => {
    const { t, got, client } = clients();
    client(1).send("BRPOP", "k", "0.0001");
    t.advance(1);
    assert.deepEqual(got, [[1, null]]);
  });

  it("answer the timeout reply at once when the caller cannot wait (MULTI, scripts)", () => {
    const t = makeEngine();
    assert.equal(wire(t.raw("BLPOP", "k", 0), 2), "*-1\r\n");
    assert.equal(wire(t.raw("BLPOP", "k", 0), 3), "_\r\n");
  });

  it("keep waiting while the key holds another type", () => {
    const { t, got, client } = clients();
    client(1).send("BLPOP", "k", 0);
    const w = client(2);
    w.send("SET", "k", "str");
    assert.equal(t.engine.blocking.count, 1);
    w.send("DEL", "k");
    w.send("LPUSH", "k", "v");
    assert.deepEqual(got, [[2, "OK"], [2, 1], [1, ["k", "v"]], [2, 1]]);
  });

  it("re-run the pop when served, so an earlier wrong-typed key is WRONGTYPE (Valkey 7.2+)", () => {
    const { got, client } = clients();
    client(1).send("BLPOP", "a", "b", 0);
    const w = client(2);
    w.send("SET", "a", "str");
    w.send("RPUSH", "b", "x");
    assert.deepEqual(got, [[2, "OK"], [1, WRONGTYPE], [2, 1]]);
  });

  it("are served by pushes inside the same command in order, one element each", () => {
    const { got, client } = clients();
    client(1).send("BLPOP", "k", 0);
    client(2).send("BLPOP", "k", 0);
    client(3).send("BLPOP", "k", 0);
    client(4).send("RPUSH", "k", "a", "b");
    assert.deepEqual(got, [[1, ["k", "a"]], [2, ["k", "b"]], [4, 2]]);
  });
});

describe("BLMPOP", () => {
  it("pops up to COUNT elements at once or when served", () => {
    const { t, got, client } = clients();
    t.exec("RPUSH", "k", "1", "2", "3");
    assert.deepEqual(t.exec("BLMPOP", 0, 1, "k", "RIGHT", "COUNT", 2), ["k", ["3", "2"]]);
    t.exec("DEL", "k");
    client(1).send("BLMPOP", 0, 2, "x", "k", "LEFT", "COUNT", 5);
    client(2).send("RPUSH", "k", "a", "b");
    assert.deepEqual(got, [[1, ["k", ["a", "b"]]], [2, 2]]);
  });

  it("times out with a null array", () => {
    const { t, got, client } = clients();
    client(1).send("BLMPOP", "0.01", 1, "k", "LEFT");
    t.advance(10);
    assert.deepEqual(got, [[1, null]]);
  });

  it("validates numkeys, direction and COUNT before the timeout", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("BLMPOP", "x", 0, "k", "LEFT"), { error: "ERR numkeys should be greater than 0" });
    assert.deepEqual(t.exec("BLMPOP", "x", 1, "k", "UP"), SYNTAX);
    assert.deepEqual(t.exec("BLMPOP", 0, 1, "k", "LEFT", "COUNT", 0), {
      error: "ERR count should be greater than 0",
    });
  });
});

describe("BLMOVE / BRPOPLPUSH", () => {
  it("move at once when the source has elements", () => {
    const t = makeEngine();
    t.exec("RPUSH", "src", "a", "b");
    assert.equal(t.exec("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0), "a");
    assert.equal(t.exec("BRPOPLPUSH", "src", "dst", 0), "b");
    assert.deepEqual(t.exec("LRANGE", "dst", 0, -1), ["b", "a"]);
  });

  it("reply WRONGTYPE for a wrong-typed source or destination", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    t.exec("RPUSH", "l", "a");
    assert.deepEqual(t.exec("BLMOVE", "s", "l", "LEFT", "LEFT", 0), WRONGTYPE);
    assert.deepEqual(t.exec("BRPOPLPUSH", "l", "s", 0), WRONGTYPE);
  });

  it("time out with a null array", () => {
    const { t, got, client } = clients();
    const r = client(1).send("BLMOVE", "src", "dst", "LEFT", "LEFT", "0.2");
    assert.equal(r?.t === "blocked" ? wire(r.timeoutReply, 2) : "", "*-1\r\n");
    // Where it cannot wait (no deliver callback, as inside MULTI) it answers a null bulk at once.
    assert.equal(wire(t.raw("BLMOVE", "src", "dst", "LEFT", "LEFT", "0.2")!, 2), "$-1\r\n");
    t.advance(200);
    assert.deepEqual(got, [[1, null]]);
  });

  it("serve a chain: a move into a key another client waits on serves that client too", () => {
    const { t, got, client } = clients();
    client(1).send("BLMOVE", "a", "b", "LEFT", "RIGHT", 0);
    client(2).send("BLPOP", "b", 0);
    client(3).send("RPUSH", "a", "x");
    assert.deepEqual(got, [[1, "x"], [2, ["b", "x"]], [3, 1]]);
    assert.equal(t.exec("EXISTS", "a", "b"), 0);
  });

  it("serve BRPOPLPUSH waiters in FIFO order", () => {
    const { t, got, client } = clients();
    client(1).send("BRPOPLPUSH", "src", "d1", 0);
    client(2).send("BRPOPLPUSH", "src", "d2", 0);
    client(3).send("RPUSH", "src", "a", "b");
    assert.deepEqual(got, [[1, "b"], [2, "a"], [3, 2]]);
    assert.deepEqual(t.exec("LRANGE", "d1", 0, -1), ["b"]);
    assert.deepEqual(t.exec("LRANGE", "d2", 0, -1), ["a"]);
  });
});
