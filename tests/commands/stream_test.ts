import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

const INVALID_ID = { error: "ERR Invalid stream ID specified as stream command argument" };
const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

/** Two clients on one engine; replies (immediate or delivered later) are collected in order. */
function clients() {
  const t = makeEngine();
  const got: [string, unknown][] = [];
  const client = (tag: string) => {
    const s = t.engine.openSession();
    return (...argv: (string | number)[]) => {
      const r = t.engine.dispatch(s, argv.map(String), (reply: Reply) => got.push([tag, plain(reply)]));
      if (r !== undefined && r.t !== "blocked") got.push([tag, plain(r)]);
      return r?.t === "blocked" ? "blocked" : undefined;
    };
  };
  return { t, got, client };
}

function seeded(n = 5) {
  const t = makeEngine();
  for (let i = 1; i <= n; i++) t.exec("XADD", "s", `${i}-0`, "f", `v${i}`);
  return t;
}

describe("XADD", () => {
  it("adds with explicit, partial and automatic IDs", () => {
    const t = makeEngine();
    assert.equal(t.exec("XADD", "s", "5-1", "a", "1"), "5-1");
    assert.equal(t.exec("XADD", "s", "5-*", "a", "1"), "5-2");
    assert.equal(t.exec("XADD", "s", "6-*", "a", "1"), "6-0");
    const auto = t.exec("XADD", "s", "*", "a", "1") as string;
    assert.equal(auto, `${t.clock.now()}-0`);
    assert.equal(t.exec("XADD", "s", "*", "a", "1"), `${t.clock.now()}-1`);
    assert.equal(t.exec("TYPE", "s"), "stream");
    assert.equal(t.exec("OBJECT", "ENCODING", "s"), "stream");
  });

  it("refuses IDs at or below the top, 0-0, and invalid IDs", () => {
    const t = makeEngine();
    t.exec("XADD", "s", "5-5", "a", "1");
    const small = { error: "ERR The ID specified in XADD is equal or smaller than the target stream top item" };
    assert.deepEqual(t.exec("XADD", "s", "5-5", "a", "1"), small);
    assert.deepEqual(t.exec("XADD", "s", "4-*", "a", "1"), small);
    assert.deepEqual(t.exec("XADD", "z", "0-0", "a", "1"), {
      error: "ERR The ID specified in XADD must be greater than 0-0",
    });
    assert.equal(t.exec("EXISTS", "z"), 0);
    assert.deepEqual(t.exec("XADD", "s", "abc", "a", "1"), INVALID_ID);
    assert.deepEqual(t.exec("XADD", "s", "+", "a", "1"), INVALID_ID);
    t.exec("XADD", "m", "1-18446744073709551615", "a", "1");
    assert.deepEqual(t.exec("XADD", "m", "1-*", "a", "1"), small);
  });

  it("reports an exhausted stream", () => {
    const t = makeEngine();
    t.exec("XADD", "s", "18446744073709551615-18446744073709551615", "a", "1");
    assert.deepEqual(t.exec("XADD", "s", "*", "a", "1"), {
      error: "ERR The stream has exhausted the last possible ID, unable to add more items",
    });
  });

  it("needs field/value pairs", () => {
    const t = makeEngine();
    const arity = { error: "ERR wrong number of arguments for 'xadd' command" };
    assert.deepEqual(t.exec("XADD", "s", "*", "a", "1", "b"), arity);
    assert.deepEqual(t.exec("XADD", "s", "MAXLEN", "1", "*"), {
      error: "ERR wrong number of arguments for 'xadd' command",
    });
  });

  it("returns nil with NOMKSTREAM on a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("XADD", "s", "NOMKSTREAM", "*", "a", "1"), null);
    assert.equal(t.exec("EXISTS", "s"), 0);
    t.exec("XADD", "s", "1", "a", "1");
    assert.equal(t.exec("XADD", "s", "NOMKSTREAM", "2", "a", "1"), "2-0");
  });

  it("trims with MAXLEN and MINID, exactly or approximately", () => {
    const t = makeEngine();
    for (let i = 1; i <= 5; i++) t.exec("XADD", "s", "MAXLEN", "3", i, "f", "v");
    assert.equal(t.exec("XLEN", "s"), 3);
    t.exec("XADD", "s", "MINID", "=", "5", "6", "f", "v");
    assert.deepEqual((t.exec("XRANGE", "s", "-", "+") as [string][]).map((e) => e[0]), ["5-0", "6-0"]);
    for (let i = 7; i <= 200; i++) t.exec("XADD", "s", "MAXLEN", "~", "10", i, "f", "v");
    // Only whole nodes go (redis-server ends at the same length for the same calls).
    assert.equal(t.exec("XLEN", "s"), 100);
  });

  it("validates the trimming options", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("XADD", "s", "MAXLEN", "-1", "*", "f", "v"), {
      error: "ERR The MAXLEN argument must be >= 0.",
    });
    assert.deepEqual(t.exec("XADD", "s", "MAXLEN", "x", "*", "f", "v"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(t.exec("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"), {
      error: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
    });
    assert.deepEqual(t.exec("XADD", "s", "LIMIT", "10", "*", "f", "v"), {
      error: "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
    });
    assert.deepEqual(t.exec("XADD", "s", "MAXLEN", "1", "LIMIT", "10", "*", "f", "v"), {
      error: "ERR syntax error, LIMIT cannot be used without the special ~ option",
    });
    assert.deepEqual(t.exec("XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "*", "f", "v"), {
      error: "ERR The LIMIT argument must be >= 0.",
    });
    assert.deepEqual(t.exec("XADD", "s", "MINID", "bad", "*", "f", "v"), INVALID_ID);
    assert.equal(t.exec("EXISTS", "s"), 0);
  });

  it("rejects another type", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    assert.deepEqual(t.exec("XADD", "k", "*", "f", "v"), WRONGTYPE);
  });
});

describe("XLEN", () => {
  it("counts live entries, 0 for a missing key", () => {
    const t = seeded();
    t.exec("XDEL", "s", "2");
    assert.equal(t.exec("XLEN", "s"), 4);
    assert.equal(t.exec("XLEN", "nokey"), 0);
    t.exec("SET", "k", "v");
    assert.deepEqual(t.exec("XLEN", "k"), WRONGTYPE);
  });
});

describe("XRANGE and XREVRANGE", () => {
  it("return entries in range with COUNT, in both directions", () => {
    const t = seeded();
    assert.deepEqual(t.exec("XRANGE", "s", "2", "3"), [["2-0", ["f", "v2"]], ["3-0", ["f", "v3"]]]);
    assert.deepEqual(t.exec("XRANGE", "s", "-", "+", "COUNT", 1), [["1-0", ["f", "v1"]]]);
    assert.deepEqual(t.exec("XREVRANGE", "s", "+", "-", "COUNT", 2), [["5-0", ["f", "v5"]], ["4-0", ["f", "v4"]]]);
  });

  it("support exclusive bounds", () => {
    const t = seeded();
    assert.deepEqual((t.exec("XRANGE", "s", "(1", "(4-0") as [string][]).map((e) => e[0]), ["2-0", "3-0"]);
    // A bare start ID means sequence 0 and a bare end ID the highest sequence: "(4" starts
    // after 4-0, while "(5" as an end still includes 5-0.
    assert.deepEqual((t.exec("XRANGE", "s", "(4", "(5") as [string][]).map((e) => e[0]), ["5-0"]);
    assert.deepEqual(t.exec("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"), {
      error: "ERR invalid start ID for the interval",
    });
    assert.deepEqual(t.exec("XRANGE", "s", "-", "(0-0"), { error: "ERR invalid end ID for the interval" });
    assert.deepEqual(t.exec("XRANGE", "s", "(-", "+"), INVALID_ID);
  });

  it("answer a null array for COUNT 0 and an empty array for a missing key", () => {
    const t = seeded();
    assert.equal(t.exec("XRANGE", "s", "-", "+", "COUNT", 0), null);
    assert.deepEqual(t.exec("XRANGE", "nokey", "-", "+"), []);
    assert.deepEqual(t.exec("XRANGE", "s", "-", "+", "FOO", 1), { error: "ERR syntax error" });
  });
});

describe("XDEL", () => {
  it("deletes existing entries and counts them", () => {
    const t = seeded();
    assert.equal(t.exec("XDEL", "s", "1", "3", "9"), 2);
    assert.equal(t.exec("XLEN", "s"), 3);
    assert.equal(t.exec("XDEL", "nokey", "1"), 0);
  });

  it("deletes nothing when an ID is invalid", () => {
    const t = seeded();
    assert.deepEqual(t.exec("XDEL", "s", "1", "bad"), INVALID_ID);
    assert.equal(t.exec("XLEN", "s"), 5);
  });
});

describe("XTRIM", () => {
  it("trims by MAXLEN and MINID and reports the count", () => {
    const t = seeded();
    assert.equal(t.exec("XTRIM", "s", "MAXLEN", 3), 2);
    assert.equal(t.exec("XTRIM", "s", "MINID", "5"), 2);
    assert.equal(t.exec("XLEN", "s"), 1);
    assert.equal(t.exec("XTRIM", "nokey", "MAXLEN", 0), 0);
  });

  it("requires a strategy and rejects unknown options", () => {
    const t = seeded();
    assert.deepEqual(t.exec("XTRIM", "s", "LIMIT", "5"), {
      error: "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
    });
    assert.deepEqual(t.exec("XTRIM", "s", "FOO", "1"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0", "FOO"), { error: "ERR syntax error" });
  });
});

describe("XREAD", () => {
  it("returns entries after each ID, per stream", () => {
    const t = seeded(3);
    t.exec("XADD", "t", "1", "a", "b");
    assert.deepEqual(t.exec("XREAD", "COUNT", 1, "STREAMS", "s", "t", "1", "0"), [
      ["s", [["2-0", ["f", "v2"]]]],
      ["t", [["1-0", ["a", "b"]]]],
    ]);
    assert.equal(t.exec("XREAD", "STREAMS", "s", "$"), null);
    assert.equal(t.exec("XREAD", "STREAMS", "nokey", "0"), null);
  });

  it("answers a RESP3 map keyed by stream", () => {
    const t = seeded(1);
    t.exec("HELLO", "3");
    const r = t.raw("XREAD", "STREAMS", "s", "0");
    assert.equal(r?.t, "map");
  });

  it("validates its arguments", () => {
    const t = seeded(1);
    assert.deepEqual(t.exec("XREAD", "STREAMS", "s", "t", "0"), {
      error: "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
    });
    assert.deepEqual(t.exec("XREAD", "STREAMS", "s", ">"), {
      error: "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
    });
    assert.deepEqual(t.exec("XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"), {
      error: "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
    });
    assert.deepEqual(t.exec("XREAD", "NOACK", "STREAMS", "s", "0"), {
      error: "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
    });
    assert.deepEqual(t.exec("XREAD", "BLOCK", "1.5", "STREAMS", "s", "0"), {
      error: "ERR timeout is not an integer or out of range",
    });
    assert.deepEqual(t.exec("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"), { error: "ERR timeout is negative" });
    assert.deepEqual(t.exec("XREAD", "FOO", "STREAMS", "s", "0"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("XREAD", "STREAMS", "s", "+"), INVALID_ID);
    t.exec("SET", "k", "v");
    assert.deepEqual(t.exec("XREAD", "STREAMS", "k", "0"), WRONGTYPE);
  });

  it("blocks until an entry arrives after $, resolved when it blocked", () => {
    const { got, client } = clients();
    const a = client("a");
    const b = client("b");
    b("XADD", "s", "1", "f", "v");
    assert.equal(a("XREAD", "BLOCK", 0, "STREAMS", "s", "$"), "blocked");
    b("XADD", "s", "2", "f", "v2");
    assert.deepEqual(got.slice(1), [["a", [["s", [["2-0", ["f", "v2"]]]]]], ["b", "2-0"]]);
  });

  it("times out with a null array after BLOCK milliseconds", () => {
    const { t, got, client } = clients();
    client("a")("XREAD", "BLOCK", 100, "STREAMS", "s", "$");
    t.advance(99);
    assert.deepEqual(got, []);
    t.advance(1);
    assert.deepEqual(got, [["a", null]]);
  });

  it("keeps waiting while its key holds another type", () => {
    const { got, client } = clients();
    const a = client("a");
    const b = client("b");
    a("XREAD", "BLOCK", 0, "STREAMS", "s", "$");
    b("SET", "s", "x");
    b("DEL", "s");
    b("XADD", "s", "7", "f", "v");
    assert.deepEqual(got.at(-2), ["a", [["s", [["7-0", ["f", "v"]]]]]]);
  });

  it("does not block in a session that cannot wait", () => {
    assert.equal(makeEngine().exec("XREAD", "BLOCK", 0, "STREAMS", "s", "$"), null);
  });
});

describe("XGROUP", () => {
  it("creates groups, with MKSTREAM for a missing key", () => {
    const t = seeded(2);
    assert.equal(t.exec("XGROUP", "CREATE", "s", "g", "$"), "OK");
    assert.deepEqual(t.exec("XGROUP", "CREATE", "s", "g", "0"), {
      error: "BUSYGROUP Consumer Group name already exists",
    });
    assert.deepEqual(t.exec("XGROUP", "CREATE", "new", "g", "$"), {
      error:
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
    });
    assert.equal(t.exec("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"), "OK");
    assert.equal(t.exec("XLEN", "new"), 0);
    assert.deepEqual(t.exec("XGROUP", "CREATE", "s", "h", "0", "ENTRIESREAD", "-3"), {
      error: "ERR value for ENTRIESREAD must be positive or -1",
    });
    assert.deepEqual(t.exec("XGROUP", "CREATE", "s", "h", "0", "FOO"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.",
    });
    assert.deepEqual(t.exec("XGROUP", "CREATE", "s", "h", "bad"), INVALID_ID);
  });

  it("manages consumers", () => {
    const t = seeded(2);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.equal(t.exec("XGROUP", "CREATECONSUMER", "s", "g", "c"), 1);
    assert.equal(t.exec("XGROUP", "CREATECONSUMER", "s", "g", "c"), 0);
    t.exec("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
    assert.equal(t.exec("XGROUP", "DELCONSUMER", "s", "g", "c"), 2);
    assert.equal(t.exec("XGROUP", "DELCONSUMER", "s", "g", "c"), 0);
    assert.deepEqual(t.exec("XPENDING", "s", "g"), [0, null, null, null]);
    assert.deepEqual(t.exec("XGROUP", "CREATECONSUMER", "s", "nog", "c"), {
      error: "NOGROUP No such consumer group 'nog' for key name 's'",
    });
  });

  it("sets the last delivered ID and destroys groups", () => {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "$");
    assert.equal(t.exec("XGROUP", "SETID", "s", "g", "1", "ENTRIESREAD", "1"), "OK");
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"), [
      ["s", [["2-0", ["f", "v2"]], ["3-0", ["f", "v3"]]]],
    ]);
    assert.equal(t.exec("XGROUP", "DESTROY", "s", "g"), 1);
    assert.equal(t.exec("XGROUP", "DESTROY", "s", "g"), 0);
    assert.deepEqual(t.exec("XGROUP", "SETID", "s", "g", "0"), {
      error: "NOGROUP No such consumer group 'g' for key name 's'",
    });
    assert.equal(
      (t.exec("XGROUP", "HELP") as string[])[0],
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    );
  });
});

describe("XREADGROUP", () => {
  it("delivers new entries once and records them as pending", () => {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "a", "COUNT", 2, "STREAMS", "s", ">"), [
      ["s", [["1-0", ["f", "v1"]], ["2-0", ["f", "v2"]]]],
    ]);
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"), [["s", [["3-0", ["f", "v3"]]]]]);
    assert.equal(t.exec("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"), null);
    assert.deepEqual(t.exec("XPENDING", "s", "g"), [3, "1-0", "3-0", [["a", "2"], ["b", "1"]]]);
  });

  it("reads new entries for the explicit ID 18446744073709551615-18446744073709551615, as for >", () => {
    const t = seeded(2);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    const max = "18446744073709551615-18446744073709551615";
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", max), [
      ["s", [["1-0", ["f", "v1"]], ["2-0", ["f", "v2"]]]],
    ]);
    assert.deepEqual(t.exec("XPENDING", "s", "g"), [2, "1-0", "2-0", [["a", "2"]]]);
    assert.equal(t.exec("XREAD", "STREAMS", "s", max), null);
  });

  it("serves the consumer's own history, deleted entries as nil", () => {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">");
    t.exec("XDEL", "s", "2");
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"), [
      ["s", [["1-0", ["f", "v1"]], ["2-0", null], ["3-0", ["f", "v3"]]]],
    ]);
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "other", "STREAMS", "s", "0"), [["s", []]]);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "+", 10), [
      ["1-0", "a", 0, 2],
      ["2-0", "a", 0, 1],
      ["3-0", "a", 0, 2],
    ]);
  });

  it("does not create pending entries with NOACK", () => {
    const t = seeded(2);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "NOACK", "STREAMS", "s", ">");
    assert.deepEqual(t.exec("XPENDING", "s", "g"), [0, null, null, null]);
    assert.equal((t.exec("XINFO", "CONSUMERS", "s", "g") as unknown[]).length, 1);
  });

  it("validates group, key and IDs", () => {
    const t = seeded(1);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "nog", "a", "STREAMS", "s", ">"), {
      error: "NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option",
    });
    assert.deepEqual(t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "$"), {
      error:
        "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
    });
    assert.deepEqual(t.exec("XREADGROUP", "COUNT", 1, "STREAMS", "s", ">", "x"), {
      error: "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.",
    });
    assert.deepEqual(t.exec("XREADGROUP", "COUNT", 1, "NOACK", "STREAMS", "s", ">"), {
      error: "ERR Missing GROUP option for XREADGROUP",
    });
  });

  it("blocks for new entries and is served on XADD", () => {
    const { got, client } = clients();
    const a = client("a");
    const b = client("b");
    b("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    assert.equal(a("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">"), "blocked");
    b("XADD", "s", "1", "f", "v");
    assert.deepEqual(got.slice(1), [["a", [["s", [["1-0", ["f", "v"]]]]]], ["b", "1-0"]]);
    b("XPENDING", "s", "g");
    assert.deepEqual(got.at(-1), ["b", [1, "1-0", "1-0", [["c", "1"]]]]);
  });

  it("answers NOGROUP when the key or the group goes away while blocked", () => {
    const { got, client } = clients();
    const a = client("a");
    const b = client("b");
    b("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    a("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">");
    b("DEL", "s");
    assert.deepEqual(got[1], ["a", {
      error: "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option",
    }]);
    b("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    a("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">");
    b("XGROUP", "DESTROY", "s", "g");
    assert.equal(
      (got.find(([tag], i) => tag === "a" && i > 1)![1] as { error: string }).error.startsWith("NOGROUP"),
      true,
    );
  });

  it("answers WRONGTYPE when the key is overwritten by another type while blocked", () => {
    const { got, client } = clients();
    const a = client("a");
    const b = client("b");
    b("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    a("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">");
    b("SET", "s", "x");
    assert.deepEqual(got[1], ["a", WRONGTYPE]);
  });

  it("keeps waiting when a competing consumer took the entry", () => {
    const { t, got, client } = clients();
    const a = client("a");
    const c = client("c");
    const b = client("b");
    b("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
    a("XREADGROUP", "GROUP", "g", "x", "BLOCK", 0, "STREAMS", "s", ">");
    c("XREADGROUP", "GROUP", "g", "x", "BLOCK", 500, "STREAMS", "s", ">");
    b("XADD", "s", "1", "f", "v");
    assert.deepEqual(got.filter(([tag]) => tag === "c"), []);
    t.advance(500);
    assert.deepEqual(got.filter(([tag]) => tag === "c"), [["c", null]]);
  });
});

describe("XACK", () => {
  it("acknowledges pending entries", () => {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">");
    assert.equal(t.exec("XACK", "s", "g", "1", "2", "9"), 2);
    assert.equal(t.exec("XACK", "s", "g", "1"), 0);
    assert.deepEqual(t.exec("XACK", "s", "g", "3", "bad"), INVALID_ID);
    assert.equal(t.exec("XACK", "s", "g", "3"), 1);
    assert.equal(t.exec("XACK", "s", "nog", "3"), 0);
    assert.equal(t.exec("XACK", "nokey", "g", "3"), 0);
  });
});

describe("XPENDING", () => {
  it("lists pending entries with IDLE, range and consumer filters", () => {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "COUNT", 1, "STREAMS", "s", ">");
    t.advance(100);
    t.exec("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">");
    assert.deepEqual(t.exec("XPENDING", "s", "g", "IDLE", 50, "-", "+", 10), [["1-0", "a", 100, 1]]);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "(1", "+", 10, "b"), [["2-0", "b", 0, 1], ["3-0", "b", 0, 1]]);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "+", 1), [["1-0", "a", 100, 1]]);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "+", 10, "nobody"), []);
  });

  it("validates arguments and the group", () => {
    const t = seeded(1);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("XPENDING", "s", "g", "IDLE", 10, "-", "+"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "+", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(t.exec("XPENDING", "s", "nog"), { error: "NOGROUP No such key 's' or consumer group 'nog'" });
  });
});

describe("XCLAIM", () => {
  function pending() {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">");
    t.advance(100);
    return t;
  }

  it("moves entries idle long enough to another consumer", () => {
    const t = pending();
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 50, "1", "2"), [["1-0", ["f", "v1"]], ["2-0", ["f", "v2"]]]);
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "c", 50, "1"), []);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "+", 10, "b"), [["1-0", "b", 0, 2], ["2-0", "b", 0, 2]]);
  });

  it("supports JUSTID, IDLE, TIME, RETRYCOUNT, FORCE and LASTID", () => {
    const t = pending();
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "JUSTID", "IDLE", 500), ["1-0"]);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "1", 10), [["1-0", "b", 500, 1]]);
    const now = t.clock.now();
    t.exec("XCLAIM", "s", "g", "b", 0, "2", "TIME", now - 30, "RETRYCOUNT", 9, "JUSTID");
    assert.deepEqual(t.exec("XPENDING", "s", "g", "2", "2", 10), [["2-0", "b", 30, 9]]);
    t.exec("XACK", "s", "g", "3");
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "c", 0, "3", "FORCE", "JUSTID", "LASTID", "9"), ["3-0"]);
    assert.equal((t.exec("XINFO", "GROUPS", "s") as unknown[][])[0]![7], "9-0");
  });

  it("drops pending entries whose stream entry was deleted", () => {
    const t = pending();
    t.exec("XDEL", "s", "2");
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "2", "3", "JUSTID"), ["1-0", "3-0"]);
    assert.equal((t.exec("XPENDING", "s", "g") as number[])[0], 2);
  });

  it("validates its arguments", () => {
    const t = pending();
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", "x", "1"), {
      error: "ERR Invalid min-idle-time argument for XCLAIM",
    });
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "IDLE", "x"), {
      error: "ERR Invalid IDLE option argument for XCLAIM",
    });
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "TIME", "x"), {
      error: "ERR Invalid TIME option argument for XCLAIM",
    });
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "RETRYCOUNT", "x"), {
      error: "ERR Invalid RETRYCOUNT option argument for XCLAIM",
    });
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "BOGUS"), {
      error: "ERR Unrecognized XCLAIM option 'BOGUS'",
    });
    assert.deepEqual(t.exec("XCLAIM", "s", "g", "b", 0, "1", "LASTID", "x"), INVALID_ID);
    assert.deepEqual(t.exec("XCLAIM", "s", "nog", "b", 0, "1"), {
      error: "NOGROUP No such key 's' or consumer group 'nog'",
    });
  });
});

describe("XAUTOCLAIM", () => {
  it("claims idle entries from a cursor and reports deleted ones", () => {
    const t = makeEngine();
    for (let i = 1; i <= 3; i++) t.exec("XADD", "x", `${i}-0`, "f", "v");
    t.exec("XGROUP", "CREATE", "x", "grp", "0");
    t.exec("XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", ">");
    t.exec("XDEL", "x", "1-0", "2-0");
    assert.deepEqual(t.exec("XAUTOCLAIM", "x", "grp", "Bob", 0, "0-0", "COUNT", 1), ["2-0", [], ["1-0"]]);
    assert.deepEqual(t.exec("XAUTOCLAIM", "x", "grp", "Bob", 0, "2-0", "COUNT", 1), ["3-0", [], ["2-0"]]);
    assert.deepEqual(t.exec("XAUTOCLAIM", "x", "grp", "Bob", 0, "3-0", "COUNT", 1), ["0-0", [["3-0", ["f", "v"]]], []]);
    assert.deepEqual(t.exec("XPENDING", "x", "grp", "-", "+", 10, "Alice"), []);
  });

  it("honours min-idle-time and JUSTID", () => {
    const t = seeded(2);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">");
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", 100, "-"), ["0-0", [], []]);
    t.advance(100);
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", 100, "-", "JUSTID"), ["0-0", ["1-0", "2-0"], []]);
    assert.deepEqual(t.exec("XPENDING", "s", "g", "-", "+", 10), [["1-0", "b", 0, 1], ["2-0", "b", 0, 1]]);
  });

  it("validates its arguments", () => {
    const t = seeded(1);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", 0, "0", "COUNT", 0), { error: "ERR COUNT must be > 0" });
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", 0, "0", "COUNT", "8070450532247928833"), {
      error: "ERR COUNT must be > 0",
    });
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", "x", "0"), {
      error: "ERR Invalid min-idle-time argument for XAUTOCLAIM",
    });
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", 0, "bad"), INVALID_ID);
    assert.deepEqual(t.exec("XAUTOCLAIM", "s", "g", "b", 0, "0", "FOO"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("XAUTOCLAIM", "nokey", "g", "b", 0, "0"), {
      error: "NOGROUP No such key 'nokey' or consumer group 'g'",
    });
  });
});

describe("XINFO", () => {
  it("describes a stream with Valkey's fields in order", () => {
    const t = seeded(3);
    t.exec("XDEL", "s", "2");
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.deepEqual(t.exec("XINFO", "STREAM", "s"), [
      "length",
      2,
      "radix-tree-keys",
      1,
      "radix-tree-nodes",
      2,
      "last-generated-id",
      "3-0",
      "max-deleted-entry-id",
      "2-0",
      "entries-added",
      3,
      "recorded-first-entry-id",
      "1-0",
      "groups",
      1,
      "first-entry",
      ["1-0", ["f", "v1"]],
      "last-entry",
      ["3-0", ["f", "v3"]],
    ]);
  });

  it("describes everything with FULL and COUNT", () => {
    const t = seeded(3);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "COUNT", 1, "STREAMS", "s", ">");
    const now = t.clock.now();
    assert.deepEqual(t.exec("XINFO", "STREAM", "s", "FULL", "COUNT", 1), [
      "length",
      3,
      "radix-tree-keys",
      1,
      "radix-tree-nodes",
      2,
      "last-generated-id",
      "3-0",
      "max-deleted-entry-id",
      "0-0",
      "entries-added",
      3,
      "recorded-first-entry-id",
      "1-0",
      "entries",
      [["1-0", ["f", "v1"]]],
      "groups",
      [[
        "name",
        "g",
        "last-delivered-id",
        "1-0",
        "entries-read",
        1,
        "lag",
        2,
        "pel-count",
        1,
        "pending",
        [["1-0", "a", now, 1]],
        "consumers",
        [["name", "a", "seen-time", now, "active-time", now, "pel-count", 1, "pending", [["1-0", now, 1]]]],
      ]],
    ]);
  });

  it("lists groups and consumers", () => {
    const t = seeded(2);
    t.exec("XGROUP", "CREATE", "s", "g2", "0");
    t.exec("XGROUP", "CREATE", "s", "g1", "$");
    t.exec("XGROUP", "CREATECONSUMER", "s", "g2", "zed");
    t.exec("XREADGROUP", "GROUP", "g2", "amy", "COUNT", 1, "STREAMS", "s", ">");
    t.advance(10);
    assert.deepEqual(t.exec("XINFO", "GROUPS", "s"), [
      ["name", "g1", "consumers", 0, "pending", 0, "last-delivered-id", "2-0", "entries-read", null, "lag", 0],
      ["name", "g2", "consumers", 2, "pending", 1, "last-delivered-id", "1-0", "entries-read", 1, "lag", 1],
    ]);
    assert.deepEqual(t.exec("XINFO", "CONSUMERS", "s", "g2"), [
      ["name", "amy", "pending", 1, "idle", 10, "inactive", 10],
      ["name", "zed", "pending", 0, "idle", 10, "inactive", -1],
    ]);
  });

  it("reports errors", () => {
    const t = seeded(1);
    assert.deepEqual(t.exec("XINFO", "STREAM", "nokey"), { error: "ERR no such key" });
    assert.deepEqual(t.exec("XINFO", "STREAM", "s", "FOO"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.",
    });
    assert.deepEqual(t.exec("XINFO", "CONSUMERS", "s", "nog"), {
      error: "NOGROUP No such consumer group 'nog' for key name 's'",
    });
    t.exec("SET", "k", "v");
    assert.deepEqual(t.exec("XINFO", "GROUPS", "k"), WRONGTYPE);
    assert.equal((t.exec("XINFO", "HELP") as string[]).length > 2, true);
  });

  it("uses RESP3 maps", () => {
    const t = seeded(1);
    t.exec("HELLO", "3");
    assert.equal(t.raw("XINFO", "STREAM", "s")?.t, "map");
  });
});

describe("XSETID", () => {
  it("sets the last ID, entries added and max deleted ID", () => {
    const t = seeded(2);
    assert.equal(t.exec("XSETID", "s", "10-0", "ENTRIESADDED", 50, "MAXDELETEDID", "5-0"), "OK");
    const info = t.exec("XINFO", "STREAM", "s") as unknown[];
    assert.deepEqual(info.slice(6, 12), [
      "last-generated-id",
      "10-0",
      "max-deleted-entry-id",
      "5-0",
      "entries-added",
      50,
    ]);
    assert.deepEqual(t.exec("XADD", "s", "9", "f", "v"), {
      error: "ERR The ID specified in XADD is equal or smaller than the target stream top item",
    });
  });

  it("refuses inconsistent values", () => {
    const t = seeded(2);
    assert.deepEqual(t.exec("XSETID", "s", "1-0"), {
      error: "ERR The ID specified in XSETID is smaller than the target stream top item",
    });
    assert.deepEqual(t.exec("XSETID", "s", "5", "ENTRIESADDED", 1), {
      error: "ERR The entries_added specified in XSETID is smaller than the target stream length",
    });
    assert.deepEqual(t.exec("XSETID", "s", "5", "ENTRIESADDED", -1), { error: "ERR entries_added must be positive" });
    assert.deepEqual(t.exec("XSETID", "s", "5", "MAXDELETEDID", 6), {
      error: "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
    });
    t.exec("XSETID", "s", "5", "MAXDELETEDID", 4);
    assert.deepEqual(t.exec("XSETID", "s", "3"), {
      error: "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id",
    });
    assert.deepEqual(t.exec("XSETID", "nokey", "1"), { error: "ERR no such key" });
    assert.deepEqual(t.exec("XSETID", "s", "5", "FOO"), { error: "ERR syntax error" });
  });
});

describe("COPY of a stream", () => {
  it("copies entries and groups independently", () => {
    const t = seeded(2);
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    t.exec("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">");
    assert.equal(t.exec("COPY", "s", "d"), 1);
    t.exec("XACK", "d", "g", "1");
    assert.deepEqual((t.exec("XPENDING", "s", "g") as unknown[])[0], 2);
    assert.deepEqual((t.exec("XPENDING", "d", "g") as unknown[])[0], 1);
  });
});
