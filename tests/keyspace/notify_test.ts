import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { makeEngine, type Plain } from "../_helpers/engine.ts";
import { openClient, type TestClient } from "../_helpers/sessions.ts";
import {
  keyspaceEventsFlagsToString,
  keyspaceEventsStringToFlags,
  knownEvents,
  NOTIFY,
  notifyClassOf,
  parseNotifyFlags,
} from "../../src/keyspace/notify.ts";

/** A client listening to every keyspace channel; returns [channel, message] pairs. */
function listener(t: ReturnType<typeof makeEngine>): { c: TestClient; events(): [string, string][] } {
  const c = openClient(t);
  c.exec("PSUBSCRIBE", "__key*__:*");
  c.take();
  return {
    c,
    events: () => c.take().map((m) => [(m as Plain[])[2] as string, (m as Plain[])[3] as string]),
  };
}

/** Keyevent notifications only, as [event, key]. */
function keyevents(t: ReturnType<typeof makeEngine>, run: () => void, classes = "EA"): [string, string][] {
  t.exec("CONFIG", "SET", "notify-keyspace-events", classes);
  const l = listener(t);
  run();
  return l.events().map(([ch, msg]) => [ch.slice("__keyevent@0__:".length), msg]);
}

describe("Keyspace notifications", () => {
  it("are off by default", () => {
    const t = makeEngine();
    const l = listener(t);
    t.exec("SET", "k", "v");
    t.exec("DEL", "k");
    assert.deepEqual(l.events(), []);
  });

  it("publish on __keyspace@<db>__:<key> (K) and __keyevent@<db>__:<event> (E)", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "notify-keyspace-events", "KEA");
    const l = listener(t);
    t.exec("SET", "k", "v");
    t.exec("SELECT", 3);
    t.exec("DEL", "nothing");
    t.exec("LPUSH", "l", "x");
    assert.deepEqual(l.events(), [
      ["__keyspace@0__:k", "set"],
      ["__keyevent@0__:set", "k"],
      ["__keyspace@3__:l", "lpush"],
      ["__keyevent@3__:lpush", "l"],
    ]);
  });

  it("publish only the channel types selected", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "notify-keyspace-events", "K$");
    const l = listener(t);
    t.exec("SET", "k", "v");
    assert.deepEqual(l.events(), [["__keyspace@0__:k", "set"]]);
    t.exec("CONFIG", "SET", "notify-keyspace-events", "$");
    t.exec("SET", "k", "v");
    assert.deepEqual(l.events(), [], "a class without K or E publishes nothing");
  });

  it("filter events by class", () => {
    const t = makeEngine();
    const run = () => {
      t.exec("SET", "s", "v");
      t.exec("LPUSH", "l", "a");
      t.exec("SADD", "set", "a");
      t.exec("HSET", "h", "f", "v");
      t.exec("ZADD", "z", 1, "a");
      t.exec("XADD", "x", "*", "f", "v");
      t.exec("DEL", "s");
    };
    const cases: [string, string[]][] = [
      ["Eg", ["del"]],
      ["E$", ["set"]],
      ["El", ["lpush"]],
      ["Es", ["sadd"]],
      ["Eh", ["hset"]],
      ["Ez", ["zadd"]],
      ["Et", ["xadd"]],
      ["EA", ["set", "lpush", "sadd", "hset", "zadd", "xadd", "del"]],
    ];
    for (const [classes, want] of cases) {
      t.exec("FLUSHALL");
      assert.deepEqual(keyevents(t, run, classes).map(([e]) => e), want, classes);
    }
  });

  it("name the events of common commands as Valkey does", () => {
    const t = makeEngine();
    const got = keyevents(t, () => {
      t.exec("SET", "a", "1", "EX", 100);
      t.exec("INCRBY", "a", 2);
      t.exec("APPEND", "a", "x");
      t.exec("SETRANGE", "a", 0, "y");
      t.exec("PERSIST", "a");
      t.exec("RENAME", "a", "b");
      t.exec("RPUSH", "l", "x", "y");
      t.exec("LPOP", "l");
      t.exec("RPOP", "l");
      t.exec("SADD", "s", "m");
      t.exec("SREM", "s", "m");
      t.exec("HSET", "h", "f", 1);
      t.exec("HINCRBY", "h", "f", 1);
      t.exec("ZADD", "z", 1, "m");
      t.exec("ZINCRBY", "z", 1, "m");
      t.exec("ZREM", "z", "m");
    });
    assert.deepEqual(got, [
      ["set", "a"],
      ["expire", "a"],
      ["incrby", "a"],
      ["append", "a"],
      ["setrange", "a"],
      ["persist", "a"],
      ["rename_from", "a"],
      ["rename_to", "b"],
      ["rpush", "l"],
      ["lpop", "l"],
      ["rpop", "l"],
      ["del", "l"],
      ["sadd", "s"],
      ["srem", "s"],
      ["del", "s"],
      ["hset", "h"],
      ["hincrby", "h"],
      ["zadd", "z"],
      ["zincr", "z"],
      ["zrem", "z"],
      ["del", "z"],
    ]);
  });

  it("report lazy and active expiry as `expired` (class x)", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    const got = keyevents(t, () => {
      t.exec("SET", "lazy", "v", "PX", 10);
      t.advance(20);
      t.exec("GET", "lazy");
    }, "Ex");
    assert.deepEqual(got, [["expired", "lazy"]]);
    t.engine.activeExpireEnabled = true;
    const active = keyevents(t, () => {
      t.exec("SET", "active", "v", "PX", 10);
      t.advance(500);
    }, "Ex");
    assert.deepEqual(active, [["expired", "active"]]);
  });

  it("report read misses as `keymiss` only with class m", () => {
    const t = makeEngine();
    const run = () => {
      t.exec("GET", "nope");
      t.exec("SET", "k", "v");
      t.exec("GET", "k");
    };
    assert.deepEqual(keyevents(t, run, "EA"), [["set", "k"]], "A does not include m");
    t.exec("FLUSHALL");
    assert.deepEqual(keyevents(t, run, "Em"), [["keymiss", "nope"]]);
  });

  it("report new keys as `new` only with class n, before the command's own event", () => {
    const t = makeEngine();
    const got = keyevents(t, () => {
      t.exec("SET", "k", "v");
      t.exec("SET", "k", "w");
      t.exec("RPUSH", "l", "x");
    }, "E$ln");
    assert.deepEqual(got, [["new", "k"], ["set", "k"], ["set", "k"], ["new", "l"], ["rpush", "l"]]);
  });

  it("keep new-key events with A plus n (KEAn), while CONFIG GET shows Valkey's AKE", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "notify-keyspace-events", "KEAn"), "OK");
    // redis-server 7.0 answers AKE: its printer drops n beside A, though the class stays on.
    assert.deepEqual(t.exec("CONFIG", "GET", "notify-keyspace-events"), ["notify-keyspace-events", "AKE"]);
    const l = listener(t);
    t.exec("SET", "k", "v");
    assert.deepEqual(l.events(), [
      ["__keyspace@0__:k", "new"],
      ["__keyevent@0__:new", "k"],
      ["__keyspace@0__:k", "set"],
      ["__keyevent@0__:set", "k"],
    ]);
    // Setting what CONFIG GET showed turns n off again, as in Valkey.
    t.exec("CONFIG", "SET", "notify-keyspace-events", "AKE");
    t.exec("SET", "k2", "v");
    assert.deepEqual(l.events(), [["__keyspace@0__:k2", "set"], ["__keyevent@0__:set", "k2"]]);
  });

  it("install no key-miss or new-key hook while those classes are off", () => {
    const t = makeEngine();
    const db = t.engine.dbs[0]!;
    assert.equal(db.onMiss, undefined);
    assert.equal(db.onNew, undefined);
    t.exec("CONFIG", "SET", "notify-keyspace-events", "Emn");
    assert.notEqual(db.onMiss, undefined);
    assert.notEqual(db.onNew, undefined);
    t.exec("CONFIG", "SET", "notify-keyspace-events", "");
    assert.equal(db.onMiss, undefined);
    assert.equal(db.onNew, undefined);
  });

  it('publish nothing for signal-only modifications (event "")', () => {
    const t = makeEngine();
    t.exec("PFADD", "hll", "a", "b");
    const got = keyevents(t, () => t.exec("PFCOUNT", "hll"));
    assert.deepEqual(got, []);
  });

  it("reach RESP3 subscribers as pushes", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "notify-keyspace-events", "KA");
    const c = openClient(t);
    c.exec("HELLO", "3");
    c.exec("SUBSCRIBE", "__keyspace@0__:k");
    c.take();
    c.exec("SET", "k", "v");
    assert.equal(c.pushedRaw[0]?.t, "push");
    assert.deepEqual(c.take(), [["message", "__keyspace@0__:k", "set"]]);
  });
});

describe("parseNotifyFlags()", () => {
  it("maps each class letter, and A to every class but m and n", () => {
    assert.equal(parseNotifyFlags(""), 0);
    assert.equal(parseNotifyFlags("g"), 0, "no K or E: off");
    const a = parseNotifyFlags("AKE");
    for (const bit of [NOTIFY.GENERIC, NOTIFY.STRING, NOTIFY.LIST, NOTIFY.SET, NOTIFY.HASH, NOTIFY.ZSET]) {
      assert.ok((a & bit) !== 0);
    }
    for (const bit of [NOTIFY.EXPIRED, NOTIFY.EVICTED, NOTIFY.STREAM, NOTIFY.MODULE]) assert.ok((a & bit) !== 0);
    assert.equal(a & NOTIFY.KEY_MISS, 0);
    assert.equal(a & NOTIFY.NEW, 0);
    assert.ok((parseNotifyFlags("Kmn") & (NOTIFY.KEY_MISS | NOTIFY.NEW)) === (NOTIFY.KEY_MISS | NOTIFY.NEW));
  });
});

describe("keyspaceEventsStringToFlags() and keyspaceEventsFlagsToString()", () => {
  it("keeps n and m beside A, which stands for every other class", () => {
    const an = keyspaceEventsStringToFlags("AnK");
    assert.equal(an & NOTIFY.NEW, NOTIFY.NEW);
    assert.equal(an & NOTIFY.KEY_MISS, 0);
    assert.equal(keyspaceEventsStringToFlags("mA") & NOTIFY.KEY_MISS, NOTIFY.KEY_MISS);
    assert.equal(keyspaceEventsStringToFlags("A") & NOTIFY.NEW, 0);
    assert.equal(keyspaceEventsStringToFlags(""), 0);
  });

  it("returns -1 for a character that names no class", () => {
    assert.equal(keyspaceEventsStringToFlags("KEQ"), -1);
    assert.equal(keyspaceEventsStringToFlags("a"), -1);
  });

  it("prints as Valkey does: A (without n), else the classes and n, then K, E and m", () => {
    const cases: [string, string][] = [
      ["An", "A"],
      ["nA", "A"],
      ["AKE", "AKE"],
      ["KEA", "AKE"],
      ["KEAmn", "AKEm"],
      ["Kn", "nK"],
      ["Km", "Km"],
      ["g$lshzxetd", "A"],
      ["KEg$lshzxetdmn", "AKEm"],
      ["KEx", "xKE"],
      ["Ag", "A"],
      ["d", "d"],
      ["Exg", "gxE"],
      ["", ""],
    ];
    for (const [set, shown] of cases) {
      assert.equal(keyspaceEventsFlagsToString(keyspaceEventsStringToFlags(set)), shown, set);
    }
  });
});

describe("Event class table", () => {
  it("classifies every keyspace event the commands report", () => {
    const dir = new URL("../../src/commands/", import.meta.url);
    const found = new Set<string>();
    for (const file of readdirSync(dir)) {
      if (!file.endsWith(".ts")) continue;
      const text = readFileSync(new URL(file, dir), "utf8");
      for (const line of text.split("\n")) {
        if (!/(touched|touchedIn|notify|keyModified|storeResult|afterRemove)\(/.test(line)) continue;
        // Drop comparisons (`where === "head" ? ...`) and prefixes built at run time.
        const cleaned = line.replace(/===? "[^"]*"/g, "").replace(/"[^"]*" \+/g, "");
        for (const m of cleaned.matchAll(/"([^"]*)"/g)) found.add(m[1]!);
      }
    }
    // Events assembled at run time or named on another line than the call.
    for (const e of ["zremrangebyscore", "zremrangebyrank", "zremrangebylex", "zunionstore", "zinterstore"]) {
      found.add(e);
    }
    found.add("zdiffstore");
    found.delete("");
    assert.ok(found.size > 40, `found only ${found.size} events`);
    const unknown = [...found].filter((e) => notifyClassOf(e) === undefined);
    assert.deepEqual(unknown, []);
  });

  it("sorts server-raised events into their own classes", () => {
    assert.equal(notifyClassOf("expired"), NOTIFY.EXPIRED);
    assert.equal(notifyClassOf("evicted"), NOTIFY.EVICTED);
    assert.equal(notifyClassOf("keymiss"), NOTIFY.KEY_MISS);
    assert.equal(notifyClassOf("new"), NOTIFY.NEW);
    assert.equal(notifyClassOf("sortstore"), NOTIFY.LIST);
    assert.equal(notifyClassOf("georadiusstore"), NOTIFY.ZSET);
    assert.ok(knownEvents().includes("xgroup-createconsumer"));
  });
});
