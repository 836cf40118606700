import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, type TestEngine } from "../_helpers/engine.ts";
import { encodeReply } from "../../src/protocol/resp_encoder.ts";
import { Buffer } from "node:buffer";

// Expected values were read from redis-server 7.0 (Valkey 8 computes the same).

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const UNIT = { error: "ERR unsupported unit provided. please use M, KM, FT, MI" };
const MEMBER = { error: "ERR could not decode requested zset member" };

/** Records keyspace events as "event:key". */
function recordEvents(t: TestEngine): string[] {
  const events: string[] = [];
  t.engine.onKeyModified((_db, key, event) => events.push(`${event}:${key}`));
  return events;
}

/** The exact bytes a command's reply is sent as, in RESP2 or RESP3. */
function wire(t: TestEngine, resp: 2 | 3, ...argv: (string | number)[]): string {
  return Buffer.from(encodeReply(t.raw(...argv)!, resp)).toString("latin1");
}

/** Sicily: Palermo and Catania, as in Valkey's documentation. */
function sicily(): TestEngine {
  const t = makeEngine();
  t.exec("GEOADD", "Sicily", 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania");
  return t;
}

describe("GEOADD", () => {
  it("stores Valkey's 52-bit geohash scores", () => {
    const t = sicily();
    assert.deepEqual(t.exec("ZRANGE", "Sicily", 0, -1, "WITHSCORES"), [
      "Palermo",
      3479099956230698,
      "Catania",
      3479447370796909,
    ]);
    assert.equal(t.exec("TYPE", "Sicily"), "zset");
  });

  it("supports NX, XX and CH like ZADD, and fires zadd", () => {
    const t = sicily();
    const events = recordEvents(t);
    assert.equal(t.exec("GEOADD", "Sicily", "NX", 1, 1, "Palermo", 2, 2, "New"), 1);
    assert.equal(t.exec("ZSCORE", "Sicily", "Palermo"), 3479099956230698);
    assert.equal(t.exec("GEOADD", "Sicily", "XX", "CH", 1, 1, "Palermo", 3, 3, "Other"), 1);
    assert.equal(t.exec("ZSCORE", "Sicily", "Other"), null);
    assert.equal(t.exec("GEOADD", "Sicily", "XX", 1, 1, "Palermo"), 0);
    assert.deepEqual(events, ["zadd:Sicily", "zadd:Sicily"]);
  });

  it("rejects bad coordinates with Valkey's %f text, and bad syntax", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("GEOADD", "g", 200, 1, "x"), {
      error: "ERR invalid longitude,latitude pair 200.000000,1.000000",
    });
    assert.deepEqual(t.exec("GEOADD", "g", 1, 85.05112879, "x"), {
      error: "ERR invalid longitude,latitude pair 1.000000,85.051129",
    });
    assert.deepEqual(t.exec("GEOADD", "g", "x", 1, "m"), NOT_FLOAT);
    assert.deepEqual(t.exec("GEOADD", "g", 1, 1, "a", 2), SYNTAX);
    assert.deepEqual(t.exec("GEOADD", "g", "NX", "XX", 1, 1, "a"), SYNTAX);
    assert.deepEqual(t.exec("GEOADD", "g", "NX", "CH", "CH"), SYNTAX);
    assert.deepEqual(t.exec("GEOADD", "g", "GT", 1, 1), NOT_FLOAT);
    assert.deepEqual(t.exec("GEOADD", "g", "GT", 1, 1, "a"), SYNTAX);
    assert.equal(t.exec("EXISTS", "g"), 0);
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("GEOADD", "s", 1, 1, "a"), WRONGTYPE);
  });

  it("accepts the extreme corners", () => {
    const t = makeEngine();
    assert.equal(t.exec("GEOADD", "g", 180, 85.05112878, "p", -180, -85.05112878, "r"), 2);
    assert.deepEqual(t.exec("ZMSCORE", "g", "p", "r"), [13510798882111488, 0]);
  });
});

describe("GEOPOS", () => {
  it("returns positions with Valkey's digits, nil arrays for missing members", () => {
    const t = sicily();
    assert.equal(
      wire(t, 2, "GEOPOS", "Sicily", "Palermo", "nope", "Catania"),
      "*3\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n" +
        "*2\r\n$20\r\n15.08726745843887329\r\n$20\r\n37.50266842333162032\r\n",
    );
    assert.deepEqual(t.raw("GEOPOS", "Sicily", "nope"), { t: "array", v: [{ t: "null", as: "array" }] });
    assert.deepEqual(t.exec("GEOPOS", "nokey", "a"), [null]);
  });

  it("replies with doubles in RESP3", () => {
    const t = sicily();
    // Valkey's addReplyHumanLongDouble uses the same 17-digit text in RESP3 as in RESP2.
    assert.equal(
      wire(t, 3, "GEOPOS", "Sicily", "Palermo"),
      "*1\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n",
    );
  });

  it("answers WRONGTYPE for another type", () => {
    const t = makeEngine();
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("GEOPOS", "s", "a"), WRONGTYPE);
  });
});

describe("GEODIST", () => {
  it("returns distances with 4 decimals in every unit", () => {
    const t = sicily();
    assert.equal(t.exec("GEODIST", "Sicily", "Palermo", "Catania"), "166274.1516");
    assert.equal(t.exec("GEODIST", "Sicily", "Palermo", "Catania", "km"), "166.2742");
    assert.equal(t.exec("GEODIST", "Sicily", "Palermo", "Catania", "MI"), "103.3182");
    assert.equal(t.exec("GEODIST", "Sicily", "Palermo", "Catania", "ft"), "545518.8700");
    assert.equal(t.exec("GEODIST", "Sicily", "Palermo", "Palermo"), "0.0000");
  });

  it("returns nil for missing members or keys and checks the unit first", () => {
    const t = sicily();
    assert.equal(t.exec("GEODIST", "Sicily", "Palermo", "nope"), null);
    assert.equal(t.exec("GEODIST", "nokey", "a", "b"), null);
    assert.deepEqual(t.exec("GEODIST", "nokey", "a", "b", "yd"), UNIT);
    assert.deepEqual(t.exec("GEODIST", "Sicily", "a", "b", "m", "x"), SYNTAX);
  });
});

describe("GEOHASH", () => {
  it("returns 11-character geohashes and nil for missing members", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEOHASH", "Sicily", "Palermo", "Catania", "nope"), ["sqc8b49rny0", "sqdtr74hyu0", null]);
    assert.deepEqual(t.exec("GEOHASH", "nokey", "a"), [null]);
  });
});

describe("GEOSEARCH", () => {
  it("finds members in a radius around a position, sorted and with details", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 100, "km"), ["Catania"]);
    assert.deepEqual(
      t.exec(
        "GEOSEARCH",
        "Sicily",
        "FROMLONLAT",
        15,
        37,
        "BYRADIUS",
        200,
        "km",
        "ASC",
        "WITHCOORD",
        "WITHDIST",
        "WITHHASH",
      ),
      [
        ["Catania", "56.4413", 3479447370796909, [15.08726745843887329, 37.50266842333162032]],
        ["Palermo", "190.4424", 3479099956230698, [13.36138933897018433, 38.11555639549629859]],
      ],
    );
    assert.deepEqual(
      t.exec("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "DESC", "WITHDIST"),
      [["Palermo", "190.4424"], ["Catania", "56.4413"]],
    );
  });

  it("finds members in a box around a member", () => {
    const t = sicily();
    assert.deepEqual(
      t.exec("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", 400, 400, "km", "ASC", "WITHDIST"),
      [["Palermo", "0.0000"], ["Catania", "166.2742"]],
    );
    assert.deepEqual(t.exec("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", 400, 10, "km", "ASC"), [
      "Palermo",
    ]);
  });

  it("limits with COUNT (closest first) and COUNT ANY", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "COUNT", 1), [
      "Catania",
    ]);
    assert.deepEqual(t.exec("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "COUNT", 1, "DESC"), [
      "Palermo",
    ]);
    assert.equal(
      (t.exec("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "COUNT", 1, "ANY") as []).length,
      1,
    );
  });

  it("orders equal distances as Valkey does: stable when all hits are returned, pqsort with COUNT", () => {
    const t = makeEngine();
    t.exec(
      "GEOADD",
      "tie",
      ...[
        [1, 1, "a"],
        [1, 1, "b"],
        [1, 1, "c"],
        [1.01, 1, "x1"],
        [1.02, 1, "x2"],
        [1, 1, "d"],
        [1, 1, "e"],
        [1.005, 1, "y"],
        [1, 1, "f"],
        [1, 1, "g"],
        [1, 1, "h"],
        [1, 1, "i"],
        [0.99, 1, "z"],
      ].flat(),
    );
    const search = (...opts: (string | number)[]) =>
      t.exec("GEOSEARCH", "tie", "FROMLONLAT", 1, 1, "BYRADIUS", 10, "km", ...opts);
    assert.deepEqual(search(), ["z", "a", "b", "c", "d", "e", "f", "g", "h", "i", "y", "x1", "x2"]);
    assert.deepEqual(search("ASC"), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "y", "x1", "z", "x2"]);
    assert.deepEqual(search("ASC", "COUNT", 2), ["h", "a"]);
    assert.deepEqual(search("ASC", "COUNT", 5), ["h", "a", "b", "c", "d"]);
    assert.deepEqual(search("DESC", "COUNT", 4, "WITHDIST"), [
      ["x2", "2.2240"],
      ["z", "1.1120"],
      ["x1", "1.1120"],
      ["y", "0.5560"],
    ]);
  });

  it("returns an empty array for a missing key or no match", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", 1, "km"), []);
    assert.deepEqual(t.exec("GEOSEARCH", "Sicily", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"), []);
  });

  it("rejects bad arguments with Valkey's errors", () => {
    const t = sicily();
    const g = (...rest: (string | number)[]) => t.exec("GEOSEARCH", "Sicily", ...rest);
    assert.deepEqual(g("BYRADIUS", 1, "km", "WITHDIST", "ASC"), {
      error: "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH",
    });
    assert.deepEqual(t.exec("geosearch", "Sicily", "FROMLONLAT", 1, 2, "WITHDIST", "ASC"), {
      error: "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch",
    });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "FROMMEMBER", "Palermo", "BYRADIUS", 1, "km"), SYNTAX);
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "BYBOX", 1, 1, "km"), SYNTAX);
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "COUNT", 0), { error: "ERR COUNT must be > 0" });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "COUNT", "x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "ANY"), {
      error: "ERR the ANY argument requires COUNT argument",
    });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "STORE", "x"), SYNTAX);
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "STOREDIST"), SYNTAX);
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", -1, "km"), { error: "ERR radius cannot be negative" });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", "x", "km"), { error: "ERR need numeric radius" });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYRADIUS", 1, "yd"), UNIT);
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYBOX", "x", 1, "km"), { error: "ERR need numeric width" });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYBOX", 1, "x", "km"), { error: "ERR need numeric height" });
    assert.deepEqual(g("FROMLONLAT", 1, 2, "BYBOX", 1, -1, "km"), { error: "ERR height or width cannot be negative" });
    assert.deepEqual(g("FROMLONLAT", 200, 2, "BYRADIUS", 1, "km"), {
      error: "ERR invalid longitude,latitude pair 200.000000,2.000000",
    });
    assert.deepEqual(g("FROMMEMBER", "nope", "BYRADIUS", 1, "km"), MEMBER);
    assert.deepEqual(t.exec("GEOSEARCH", "nokey", "FROMMEMBER", "x", "BYRADIUS", "x", "km"), {
      error: "ERR need numeric radius",
    });
    t.exec("SET", "s", "x");
    assert.deepEqual(t.exec("GEOSEARCH", "s", "FROMLONLAT", 1, 2, "BYRADIUS", "x", "km"), WRONGTYPE);
  });
});

describe("GEOSEARCHSTORE", () => {
  it("stores the matches with their geohash scores, or distances with STOREDIST", () => {
    const t = sicily();
    const events = recordEvents(t);
    assert.equal(
      t.exec("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 400, 400, "km", "ASC", "COUNT", 3),
      2,
    );
    assert.deepEqual(t.exec("ZRANGE", "dst", 0, -1, "WITHSCORES"), [
      "Palermo",
      3479099956230698,
      "Catania",
      3479447370796909,
    ]);
    assert.equal(
      t.exec("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "STOREDIST"),
      2,
    );
    const stored = t.exec("ZRANGE", "dst", 0, -1, "WITHSCORES") as [string, number, string, number];
    assert.equal(stored[0], "Catania");
    assert.equal(stored[1].toFixed(4), "56.4413");
    assert.equal(stored[3].toFixed(4), "190.4424");
    assert.equal(t.exec("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"), 0);
    assert.equal(t.exec("EXISTS", "dst"), 0);
    assert.equal(t.exec("GEOSEARCHSTORE", "dst", "nokey", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"), 0);
    assert.deepEqual(events, ["geosearchstore:dst", "geosearchstore:dst", "del:dst"]);
  });

  it("rejects WITH* options", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", 1, 2, "BYRADIUS", 1, "km", "WITHDIST"), {
      error: "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
    });
  });
});

describe("GEORADIUS and GEORADIUSBYMEMBER", () => {
  it("search around a position or a member", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHDIST", "ASC"), [
      ["Catania", "56.4413"],
      ["Palermo", "190.4424"],
    ]);
    assert.deepEqual(t.exec("GEORADIUSBYMEMBER", "Sicily", "Palermo", 100, "km"), ["Palermo"]);
    assert.deepEqual(t.exec("GEORADIUS_RO", "Sicily", 15, 37, 100, "km", "WITHHASH"), [["Catania", 3479447370796909]]);
    assert.deepEqual(t.exec("GEORADIUSBYMEMBER_RO", "Sicily", "Catania", 200, "km", "COUNT", 1, "DESC"), ["Palermo"]);
  });

  it("store with STORE or STOREDIST, and delete the destination when nothing matches", () => {
    const t = sicily();
    const events = recordEvents(t);
    assert.equal(t.exec("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE", "dst"), 2);
    assert.deepEqual(t.exec("ZRANGE", "dst", 0, -1), ["Palermo", "Catania"]);
    assert.equal(t.exec("GEORADIUSBYMEMBER", "Sicily", "Palermo", 200, "km", "STOREDIST", "dst"), 2);
    assert.deepEqual(t.exec("ZRANGE", "dst", 0, -1, "WITHSCORES"), ["Palermo", 0, "Catania", 166.27415156960032]);
    assert.equal(t.exec("GEORADIUS", "Sicily", 0, 0, 1, "km", "STORE", "dst"), 0);
    assert.equal(t.exec("EXISTS", "dst"), 0);
    assert.deepEqual(events, ["georadiusstore:dst", "georadiusstore:dst", "del:dst"]);
  });

  it("parse nothing past the member when the key is missing", () => {
    const t = makeEngine();
    assert.equal(t.exec("GEORADIUSBYMEMBER", "nokey", "x", -1, "km", "STORE", "d"), 0);
    assert.deepEqual(t.exec("GEORADIUSBYMEMBER", "nokey", "x", 1, "km"), []);
  });

  it("reject STORE on the read-only forms and with WITH* options", () => {
    const t = sicily();
    assert.deepEqual(t.exec("GEORADIUS_RO", "Sicily", 15, 37, 200, "km", "STORE", "dst"), SYNTAX);
    assert.deepEqual(t.exec("GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", 200, "km", "STOREDIST", "dst"), SYNTAX);
    assert.deepEqual(t.exec("GEORADIUS", "Sicily", 15, 37, 200, "km", "STORE", "dst", "WITHCOORD"), {
      error: "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
    });
    assert.deepEqual(t.exec("GEORADIUS", "Sicily", 15, 37, 200, "km", "FROMLONLAT", 1, 2), SYNTAX);
    assert.deepEqual(t.exec("GEORADIUSBYMEMBER", "Sicily", "nope", 1, "km"), MEMBER);
    assert.deepEqual(t.exec("GEORADIUS", "Sicily", 15, 37, 1, "foo"), UNIT);
    assert.deepEqual(t.exec("GEORADIUS", "Sicily", 15, 37, "x", "km"), { error: "ERR need numeric radius" });
  });
});
