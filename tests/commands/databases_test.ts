import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import { cmd, rangeKey } from "../../src/commands/spec.ts";
import { bulk, NULL_ARRAY } from "../../src/protocol/reply.ts";

/** Records every key modification as "db:event:key". */
function events(t: TestEngine): string[] {
  const out: string[] = [];
  t.engine.onKeyModified((db, key, event) => out.push(`${db.id}:${event}:${key}`));
  return out;
}

const OUT_OF_INT = { error: "ERR value is out of range, value must between -2147483648 and 2147483647" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const DB_RANGE = { error: "ERR DB index is out of range" };

describe("SELECT", () => {
  it("switches the session to another database with its own keys", () => {
    const t = makeEngine();
    t.exec("SET", "k", "zero");
    assert.equal(t.exec("SELECT", 9), "OK");
    assert.equal(t.session.db, 9);
    assert.equal(t.exec("GET", "k"), null);
    t.exec("SET", "k", "nine");
    t.exec("SELECT", 0);
    assert.equal(t.exec("GET", "k"), "zero");
  });

  it("keeps the selection per session", () => {
    const t = makeEngine();
    const other = t.engine.openSession();
    t.exec("SELECT", 3);
    t.exec("SET", "k", "v");
    assert.equal(t.execOn(other, "GET", "k"), null);
    assert.equal(other.db, 0);
  });

  it("rejects indexes that are not integers, outside 32 bits or out of range", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SELECT", "abc"), NOT_INT);
    assert.deepEqual(t.exec("SELECT", "1.5"), NOT_INT);
    assert.deepEqual(t.exec("SELECT", " 1"), NOT_INT);
    assert.deepEqual(t.exec("SELECT", "99999999999"), OUT_OF_INT);
    assert.deepEqual(t.exec("SELECT", "2147483648"), OUT_OF_INT);
    assert.deepEqual(t.exec("SELECT", 16), DB_RANGE);
    assert.deepEqual(t.exec("SELECT", -1), DB_RANGE);
    assert.equal(t.session.db, 0);
  });

  it("follows the databases setting", () => {
    const t = makeEngine({ config: { databases: "2" } });
    assert.equal(t.exec("SELECT", 1), "OK");
    assert.deepEqual(t.exec("SELECT", 2), DB_RANGE);
  });
});

describe("SWAPDB", () => {
  it("exchanges the contents of two databases, TTLs included, while sessions stay put", () => {
    const t = makeEngine();
    const other = t.engine.openSession();
    t.execOn(other, "SELECT", 1);
    t.exec("SET", "a", "in0");
    t.exec("EXPIRE", "a", 100);
    t.execOn(other, "SET", "b", "in1");
    const dirty = t.engine.dirty;
    assert.equal(t.exec("SWAPDB", 0, 1), "OK");
    assert.equal(t.engine.dirty, dirty + 1);
    assert.equal(t.exec("GET", "b"), "in1");
    assert.equal(t.exec("GET", "a"), null);
    assert.equal(t.execOn(other, "GET", "a"), "in0");
    assert.equal(t.execOn(other, "TTL", "a"), 100);
    assert.equal(t.engine.dbs[0]!.id, 0);
  });

  it("accepts swapping a database with itself", () => {
    const t = makeEngine();
    t.exec("SET", "a", "v");
    assert.equal(t.exec("SWAPDB", 2, 2), "OK");
    assert.equal(t.exec("GET", "a"), "v");
  });

  it("names the bad index, and checks the range after both parse", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SWAPDB", "a", 1), { error: "ERR invalid first DB index" });
    assert.deepEqual(t.exec("SWAPDB", "99999999999", 1), { error: "ERR invalid first DB index" });
    assert.deepEqual(t.exec("SWAPDB", 1, "a"), { error: "ERR invalid second DB index" });
    assert.deepEqual(t.exec("SWAPDB", "a", "b"), { error: "ERR invalid first DB index" });
    assert.deepEqual(t.exec("SWAPDB", 0, 99), DB_RANGE);
    assert.deepEqual(t.exec("SWAPDB", -1, 0), DB_RANGE);
  });

  it("serves a client blocked on a key that exists after the swap", async () => {
    // A minimal blocking command: waits until the key exists, then returns its value.
    const bwait = cmd("bwait", "list", 2, "write blocking", "list", [rangeKey(1, 0, 1, "RW")], "1.0.0", (_c, argv) => ({
      t: "blocked",
      keys: [argv[1]!],
      timeoutMs: 0,
      retry: (ctx) => {
        const v = ctx.db.peek(argv[1]!, ctx.now);
        return typeof v === "string" ? bulk(v) : undefined;
      },
      timeoutReply: NULL_ARRAY,
    }));
    const t = makeEngine({ commands: [bwait] });
    const waiter = t.engine.openSession();
    const served = t.engine.execute(waiter, ["BWAIT", "k"]);
    t.exec("SELECT", 1);
    t.exec("SET", "k", "from1");
    assert.equal(t.engine.blocking.count, 1);
    t.exec("SWAPDB", 0, 1);
    assert.equal(plain(await served), "from1");
    assert.equal(t.engine.blocking.count, 0);
  });

  it("keeps active expiry working on the swapped contents", () => {
    const t = makeEngine();
    t.exec("SET", "a", "v");
    t.exec("PEXPIRE", "a", 100);
    t.exec("SWAPDB", 0, 5);
    t.advance(1000);
    assert.equal(t.engine.dbs[5]!.size, 0);
  });
});

describe("MOVE", () => {
  it("moves a key with its TTL to another database", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    t.exec("PEXPIRE", "k", 5000);
    const ev = events(t);
    const dirty = t.engine.dirty;
    assert.equal(t.exec("MOVE", "k", 1), 1);
    assert.equal(t.engine.dirty, dirty + 1);
    assert.equal(t.exec("EXISTS", "k"), 0);
    t.exec("SELECT", 1);
    assert.equal(t.exec("GET", "k"), "v");
    assert.equal(t.exec("PTTL", "k"), 5000);
    assert.deepEqual(ev, ["0:move_from:k", "1:move_to:k"]);
  });

  it("answers 0 when the key is missing or already exists in the target", () => {
    const t = makeEngine();
    assert.equal(t.exec("MOVE", "k", 1), 0);
    t.exec("SET", "k", "here");
    t.engine.dbs[1]!.set("k", "there", t.clock.now());
    assert.equal(t.exec("MOVE", "k", 1), 0);
    assert.equal(t.exec("GET", "k"), "here");
  });

  it("treats an expired key in the target as absent", () => {
    const t = makeEngine();
    const now = t.clock.now();
    t.engine.dbs[1]!.set("k", "stale", now);
    t.engine.dbs[1]!.setExpire("k", now - 1);
    t.exec("SET", "k", "fresh");
    assert.equal(t.exec("MOVE", "k", 1), 1);
    assert.equal(t.engine.dbs[1]!.peek("k", now), "fresh");
  });

  it("refuses the current database, even for a missing key", () => {
    const t = makeEngine();
    const same = { error: "ERR source and destination objects are the same" };
    assert.deepEqual(t.exec("MOVE", "k", 0), same);
    t.exec("SELECT", 4);
    assert.deepEqual(t.exec("MOVE", "k", 4), same);
  });

  it("rejects bad indexes like SELECT", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    assert.deepEqual(t.exec("MOVE", "k", "abc"), NOT_INT);
    assert.deepEqual(t.exec("MOVE", "k", "99999999999"), OUT_OF_INT);
    assert.deepEqual(t.exec("MOVE", "k", 16), DB_RANGE);
    assert.equal(t.exec("EXISTS", "k"), 1);
  });
});

describe("FLUSHDB", () => {
  it("empties only the selected database", () => {
    const t = makeEngine();
    t.exec("SET", "a", "v");
    t.exec("EXPIRE", "a", 100);
    t.exec("SELECT", 1);
    t.exec("SET", "b", "v");
    assert.equal(t.exec("FLUSHDB"), "OK");
    assert.equal(t.exec("DBSIZE"), 0);
    t.exec("SELECT", 0);
    assert.equal(t.exec("DBSIZE"), 1);
    assert.equal(t.exec("TTL", "a"), 100);
  });

  it("accepts SYNC and ASYNC in any case and counts removed keys as changes", () => {
    const t = makeEngine();
    for (const mode of ["SYNC", "async", "Async"]) {
      t.exec("SET", "a", "v");
      t.exec("SET", "b", "v");
      const dirty = t.engine.dirty;
      assert.equal(t.exec("FLUSHDB", mode), "OK");
      assert.equal(t.exec("DBSIZE"), 0);
      assert.equal(t.engine.dirty, dirty + 2);
    }
  });

  it("rejects any other argument", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("FLUSHDB", "foo"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("FLUSHDB", "sync", "async"), { error: "ERR syntax error" });
  });

  it("drops expiries with the keys, so a new key of the same name lives", () => {
    const t = makeEngine();
    t.exec("SET", "a", "v");
    t.exec("PEXPIRE", "a", 10);
    t.exec("FLUSHDB");
    t.exec("SET", "a", "again");
    t.clock.advance(100);
    assert.equal(t.exec("GET", "a"), "again");
    assert.equal(t.exec("TTL", "a"), -1);
  });

  it("lets a SCAN cursor from before the flush continue without errors", () => {
    const t = makeEngine();
    for (let i = 0; i < 30; i++) t.exec("SET", `k${i}`, "v");
    const [cursor] = t.exec("SCAN", 0) as [string, string[]];
    t.exec("FLUSHDB");
    t.exec("SET", "new", "v");
    const r = t.exec("SCAN", cursor, "COUNT", 100) as [string, string[]];
    assert.deepEqual(r, ["0", ["new"]]);
  });
});

describe("FLUSHALL", () => {
  it("empties every database", () => {
    const t = makeEngine();
    t.exec("SET", "a", "v");
    t.engine.dbs[7]!.set("b", "v", t.clock.now());
    assert.equal(t.exec("FLUSHALL"), "OK");
    assert.ok(t.engine.dbs.every((db) => db.size === 0));
  });

  it("accepts SYNC and ASYNC and rejects anything else", () => {
    const t = makeEngine();
    assert.equal(t.exec("FLUSHALL", "sync"), "OK");
    assert.equal(t.exec("FLUSHALL", "ASYNC"), "OK");
    assert.deepEqual(t.exec("FLUSHALL", "now"), { error: "ERR syntax error" });
  });
});

describe("DBSIZE", () => {
  it("counts the keys of the selected database", () => {
    const t = makeEngine();
    assert.equal(t.exec("DBSIZE"), 0);
    t.exec("SET", "a", "v");
    t.exec("SET", "b", "v");
    assert.equal(t.exec("DBSIZE"), 2);
    t.exec("SELECT", 1);
    assert.equal(t.exec("DBSIZE"), 0);
  });

  it("includes expired keys not yet reclaimed, as Valkey does", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SET", "a", "v");
    t.exec("PEXPIRE", "a", 1);
    t.clock.advance(10);
    assert.equal(t.exec("DBSIZE"), 1);
    t.exec("GET", "a");
    assert.equal(t.exec("DBSIZE"), 0);
  });

  it("rejects arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("DBSIZE", "x"), { error: "ERR wrong number of arguments for 'dbsize' command" });
  });
});
