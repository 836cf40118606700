import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, type Plain } from "../_helpers/engine.ts";
import { openClient } from "../_helpers/sessions.ts";
import { cmd } from "../../src/commands/spec.ts";
import { int, OK } from "../../src/protocol/reply.ts";
import type { FakeClock } from "../../src/runtime/clock.ts";
import { createGateway } from "../../src/http/app.ts";
import { scriptingOf } from "../../src/scripting/scripting.ts";

const EXECABORT = { error: "EXECABORT Transaction discarded because of previous errors." };

/** The fields of the calling session's CLIENT INFO line. */
function clientInfo(t: ReturnType<typeof makeEngine>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of String(t.exec("CLIENT", "INFO")).trim().split(" ")) {
    const eq = kv.indexOf("=");
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

describe("MULTI / EXEC", () => {
  it("queues commands with QUEUED and runs them in order at EXEC", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a", "b", "c");
    assert.equal(t.exec("MULTI"), "OK");
    assert.equal(t.exec("LRANGE", "l", 0, -1), "QUEUED");
    assert.equal(t.exec("PING"), "QUEUED");
    assert.equal(t.exec("SET", "k", "v"), "QUEUED");
    assert.equal(openClient(t).exec("GET", "k"), null, "nothing ran yet");
    assert.deepEqual(t.exec("EXEC"), [["a", "b", "c"], "PONG", "OK"]);
    assert.equal(t.exec("GET", "k"), "v");
  });

  it("answers an empty array for an empty transaction", () => {
    const t = makeEngine();
    t.exec("MULTI");
    assert.deepEqual(t.exec("EXEC"), []);
  });

  it("returns run-time errors in place and still runs the other commands", () => {
    const t = makeEngine();
    t.exec("MULTI");
    t.exec("SET", "a", "1");
    t.exec("LPUSH", "a", "x");
    t.exec("INCR", "a");
    assert.deepEqual(t.exec("EXEC"), [
      "OK",
      { error: "WRONGTYPE Operation against a key holding the wrong kind of value" },
      2,
    ]);
  });

  it("aborts with EXECABORT after an unknown command while queueing, running nothing", () => {
    const t = makeEngine();
    t.exec("MULTI");
    assert.equal(t.exec("SET", "foo1", "bar1"), "QUEUED");
    assert.deepEqual(t.exec("NON-EXISTING-COMMAND"), {
      error: "ERR unknown command 'NON-EXISTING-COMMAND', with args beginning with: ",
    });
    assert.equal(t.exec("SET", "foo2", "bar2"), "QUEUED");
    assert.deepEqual(t.exec("EXEC"), EXECABORT);
    assert.equal(t.exec("EXISTS", "foo1", "foo2"), 0);
    assert.equal(t.exec("PING"), "PONG", "the MULTI state is cleared after the abort");
  });

  it("aborts with EXECABORT after a wrong arity while queueing", () => {
    const t = makeEngine();
    t.exec("MULTI");
    assert.deepEqual(t.exec("SET", "a"), { error: "ERR wrong number of arguments for 'set' command" });
    assert.deepEqual(t.exec("EXEC"), EXECABORT);
  });

  it("refuses nested MULTI and WATCH inside MULTI, dooming the transaction", () => {
    const t = makeEngine();
    t.exec("MULTI");
    assert.deepEqual(t.exec("MULTI"), { error: "ERR Command not allowed inside a transaction" });
    assert.deepEqual(t.exec("EXEC"), EXECABORT);
    t.exec("MULTI");
    assert.deepEqual(t.exec("WATCH", "x"), { error: "ERR Command not allowed inside a transaction" });
    assert.deepEqual(t.exec("EXEC"), EXECABORT);
  });

  it("answers EXEC and DISCARD without MULTI with Valkey's errors", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EXEC"), { error: "ERR EXEC without MULTI" });
    assert.deepEqual(t.exec("DISCARD"), { error: "ERR DISCARD without MULTI" });
  });

  it("turns a rejected EXEC into EXECABORT naming the reason, and leaves MULTI", () => {
    const t = makeEngine();
    t.exec("MULTI");
    t.exec("SET", "a", "1");
    assert.deepEqual(t.exec("EXEC", "extra"), {
      error: "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command",
    });
    assert.deepEqual(t.exec("EXEC"), { error: "ERR EXEC without MULTI" });
    assert.equal(t.exec("GET", "a"), null);
  });

  it("keeps NOAUTH's code in the EXECABORT reason", () => {
    const t = makeEngine();
    t.exec("MULTI");
    t.exec("CONFIG", "SET", "requirepass", "secret");
    t.exec("EXEC");
    t.session.user = undefined;
    t.session.multiQueued = 0;
    assert.deepEqual(t.exec("EXEC"), {
      error: "EXECABORT Transaction discarded because of: NOAUTH Authentication required.",
    });
  });

  it("times blocking commands out at once inside the transaction", () => {
    const t = makeEngine();
    t.exec("MULTI");
    t.exec("BLPOP", "empty", 0);
    t.exec("BLMOVE", "empty", "dst", "LEFT", "RIGHT", 0);
    assert.deepEqual(t.exec("EXEC"), [null, null]);
  });

  it("serves clients blocked on keys the transaction wrote, once it has finished", () => {
    const t = makeEngine();
    const waiter = openClient(t);
    assert.deepEqual(waiter.send("BLPOP", "q", 0), []);
    t.exec("MULTI");
    t.exec("RPUSH", "q", "x");
    t.exec("LLEN", "q");
    assert.deepEqual(t.exec("EXEC"), [1, 1], "the transaction saw its own push");
    assert.deepEqual(waiter.delivered, [["q", "x"]]);
  });

  it("runs every queued command with the transaction's single time", () => {
    // Test commands: one makes time pass while the transaction runs, one reports the time a
    // command sees.
    const tick = cmd("testtick", "generic", 1, "", "", [], "1.0.0", (ctx) => {
      (ctx.engine.clock as FakeClock).advance(1000);
      return OK;
    });
    const now = cmd("testnow", "generic", 1, "", "", [], "1.0.0", (ctx) => int(ctx.now));
    const t = makeEngine({ commands: [tick, now] });
    const start = t.exec("TESTNOW") as number;
    t.exec("SET", "k", "v", "PX", 500);
    t.exec("MULTI");
    t.exec("TESTNOW");
    t.exec("TESTTICK");
    t.exec("TESTNOW");
    t.exec("GET", "k");
    assert.deepEqual(t.exec("EXEC"), [start, "OK", start, "v"], "the key had not expired when EXEC began");
    assert.equal(t.exec("TESTNOW"), start + 1000);
  });

  it("counts queued commands in commandstats when they run, not when queued", () => {
    const t = makeEngine();
    t.exec("CONFIG", "RESETSTAT");
    t.exec("MULTI");
    t.exec("INCR", "n");
    t.exec("INCR", "n");
    const before = String(t.exec("INFO", "commandstats"));
    assert.doesNotMatch(before, /cmdstat_incr:/);
    t.exec("EXEC");
    const after = String(t.exec("INFO", "commandstats"));
    assert.match(after, /cmdstat_incr:calls=2,/);
    assert.match(after, /cmdstat_exec:calls=1,/);
  });

  it("shows the transaction in CLIENT LIST (flag x, multi count, multi-mem)", () => {
    const t = makeEngine();
    assert.equal(clientInfo(t)["multi"], "-1");
    t.exec("MULTI");
    t.exec("SET", "key", "value");
    // CLIENT INFO itself would be queued: read the session's counters directly.
    assert.equal(t.session.multiQueued, 1);
    assert.equal(t.session.multiBytes, "SETkeyvalue".length);
    t.exec("EXEC");
    const f = clientInfo(t);
    assert.equal(f["multi"], "-1");
    assert.equal(f["flags"], "N");
  });

  it("is left by RESET", () => {
    const t = makeEngine();
    t.exec("WATCH", "w");
    t.exec("MULTI");
    t.exec("SET", "a", "1");
    assert.equal(t.exec("RESET"), "RESET");
    assert.deepEqual(t.exec("EXEC"), { error: "ERR EXEC without MULTI" });
    assert.equal(t.session.watchedKeys, 0);
    assert.equal(t.exec("GET", "a"), null);
  });
});

describe("DISCARD", () => {
  it("drops the queued commands", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a");
    t.exec("MULTI");
    assert.equal(t.exec("DEL", "l"), "QUEUED");
    assert.equal(t.exec("DISCARD"), "OK");
    assert.deepEqual(t.exec("LRANGE", "l", 0, -1), ["a"]);
  });

  it("clears the WATCH dirty flag and unwatches every key", () => {
    const t = makeEngine();
    t.exec("WATCH", "x");
    t.exec("SET", "x", 10);
    t.exec("MULTI");
    t.exec("DISCARD");
    t.exec("MULTI");
    t.exec("INCR", "x");
    assert.deepEqual(t.exec("EXEC"), [11]);
    t.exec("WATCH", "x");
    t.exec("MULTI");
    t.exec("DISCARD");
    t.exec("SET", "x", 10);
    t.exec("MULTI");
    t.exec("INCR", "x");
    assert.deepEqual(t.exec("EXEC"), [11]);
  });
});

describe("WATCH", () => {
  it("lets EXEC run when no watched key changed", () => {
    const t = makeEngine();
    t.exec("WATCH", "x", "y", "z");
    t.exec("WATCH", "k");
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"]);
  });

  it("fails EXEC with a null array when another client modified a watched key", () => {
    const t = makeEngine();
    const other = openClient(t);
    t.exec("SET", "x", 30);
    t.exec("WATCH", "a", "b", "x", "k", "z");
    other.exec("SET", "x", 40);
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
    assert.deepEqual(t.raw("EXEC"), { t: "error", msg: "ERR EXEC without MULTI" });
  });

  it("is invalidated by the watching client's own write", () => {
    const t = makeEngine();
    t.exec("WATCH", "x");
    t.exec("SET", "x", 1);
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
  });

  it("answers the null array as RESP2 *-1 (null in array position)", () => {
    const t = makeEngine();
    t.exec("WATCH", "x");
    t.exec("SET", "x", 1);
    t.exec("MULTI");
    assert.deepEqual(t.raw("EXEC"), { t: "null", as: "array" });
  });

  it("is invalidated by SORT ... STORE even when the result is empty", () => {
    const t = makeEngine();
    t.exec("LPUSH", "foo", "bar");
    t.exec("WATCH", "foo");
    t.exec("SORT", "emptylist", "STORE", "foo");
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
  });

  it("is invalidated by EXPIRE of the watched key", () => {
    const t = makeEngine();
    t.exec("SET", "x", "foo");
    t.exec("WATCH", "x");
    t.exec("EXPIRE", "x", 10);
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
  });

  it("is invalidated by a key that expires lazily after WATCH", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SET", "key", 1, "PX", 100);
    t.exec("WATCH", "key");
    t.advance(101);
    t.exec("MULTI");
    t.exec("INCR", "key");
    assert.equal(t.exec("EXEC"), null, "expired but not yet deleted at EXEC time");
    t.exec("SET", "key", 1, "PX", 100);
    t.exec("WATCH", "key");
    t.advance(101);
    assert.equal(t.exec("EXISTS", "key"), 0, "deleted by the lookup");
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
  });

  it("is invalidated by a key removed by the active expiry cycle", () => {
    const t = makeEngine();
    t.exec("SET", "x", "foo", "PX", 50);
    t.exec("WATCH", "x");
    t.advance(1000);
    assert.equal(t.engine.dbs[0]!.size, 0, "the cycle removed it");
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
  });

  it("ignores a key that was already expired when watched, even once deleted", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SET", "x", "foo", "PX", 1);
    t.advance(2);
    t.exec("WATCH", "x");
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"]);
    t.exec("SET", "x", "foo", "PX", 1);
    t.advance(2);
    t.exec("WATCH", "x");
    assert.equal(t.exec("EXISTS", "x"), 0);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"]);
  });

  it("still fails when an already-expired watched key is written", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SET", "x", "foo", "PX", 1);
    t.advance(2);
    t.exec("WATCH", "x");
    openClient(t).exec("SET", "x", "new");
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
  });

  it("remembers the database a watched key belongs to", () => {
    const t = makeEngine();
    t.exec("SELECT", 5);
    t.exec("SET", "x", 30);
    t.exec("WATCH", "x");
    t.exec("SELECT", 1);
    t.exec("SET", "x", 10);
    t.exec("SELECT", 5);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"]);
  });

  it("is cleared by EXEC, successful or not", () => {
    const t = makeEngine();
    t.exec("SET", "x", 30);
    t.exec("WATCH", "x");
    t.exec("MULTI");
    t.exec("PING");
    t.exec("EXEC");
    t.exec("SET", "x", 40);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"], "after a successful EXEC");
    t.exec("WATCH", "x");
    t.exec("SET", "x", 50);
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null);
    t.exec("SET", "x", 60);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"], "after a failed EXEC");
  });

  it("is a no-op once the transaction is already doomed", () => {
    const t = makeEngine();
    t.exec("WATCH", "x");
    t.exec("SET", "x", 1);
    assert.equal(t.exec("WATCH", "y"), "OK");
    assert.equal(t.session.watchedKeys, 0, "a dirty session stops watching");
  });

  it("counts watched keys in CLIENT LIST (watch, flag d) and INFO", () => {
    const t = makeEngine();
    const other = openClient(t);
    t.exec("WATCH", "a", "b", "a");
    other.exec("WATCH", "a");
    let f = clientInfo(t);
    assert.equal(f["watch"], "2");
    const info = String(t.exec("INFO", "clients"));
    assert.match(info, /watching_clients:2\r\n/);
    assert.match(info, /total_watched_keys:2\r\n/);
    t.exec("SET", "b", 1);
    f = clientInfo(t);
    assert.equal(f["watch"], "0");
    assert.equal(f["flags"], "d");
  });
});

describe("UNWATCH", () => {
  it("forgets the watched keys and the dirty flag", () => {
    const t = makeEngine();
    t.exec("SET", "x", 30);
    t.exec("WATCH", "x");
    t.exec("SET", "x", 40);
    assert.equal(t.exec("UNWATCH"), "OK");
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"]);
  });

  it("answers OK with nothing watched", () => {
    const t = makeEngine();
    assert.equal(t.exec("UNWATCH"), "OK");
  });

  it("is queued inside MULTI and runs after the watch check", () => {
    const t = makeEngine();
    t.exec("WATCH", "x");
    t.exec("MULTI");
    assert.equal(t.exec("UNWATCH"), "QUEUED");
    assert.deepEqual(t.exec("EXEC"), ["OK"]);
  });
});

describe("WATCH and whole-database changes", () => {
  it("FLUSHALL and FLUSHDB touch watched keys that existed", () => {
    for (const flush of ["FLUSHALL", "FLUSHDB"]) {
      const t = makeEngine();
      t.exec("SET", "x", 30);
      t.exec("WATCH", "x");
      t.exec(flush);
      t.exec("MULTI");
      t.exec("PING");
      assert.equal(t.exec("EXEC"), null, flush);
    }
  });

  it("FLUSHALL and FLUSHDB do not touch watched keys that did not exist", () => {
    for (const flush of ["FLUSHALL", "FLUSHDB"]) {
      const t = makeEngine();
      t.exec("WATCH", "x");
      t.exec("SET", "other", 1);
      t.exec(flush);
      t.exec("MULTI");
      t.exec("PING");
      assert.deepEqual(t.exec("EXEC"), ["PONG"], flush);
    }
  });

  it("FLUSHDB does not touch a watched key that was already expired", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SET", "x", "foo", "PX", 1);
    t.advance(2);
    t.exec("WATCH", "x");
    t.exec("FLUSHDB");
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"]);
  });

  it("SWAPDB touches watched keys that exist on either side", () => {
    const t = makeEngine();
    t.exec("SET", "x", 30);
    t.exec("WATCH", "x");
    t.exec("SWAPDB", 0, 1);
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null, "the key went away");
    t.exec("FLUSHALL");
    t.exec("SELECT", 1);
    t.exec("SET", "x", 30);
    t.exec("SELECT", 0);
    t.exec("WATCH", "x");
    t.exec("SWAPDB", 0, 1);
    t.exec("MULTI");
    t.exec("PING");
    assert.equal(t.exec("EXEC"), null, "the key appeared");
  });

  it("SWAPDB does not touch stale keys replaced by nothing or by other stale keys", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SELECT", 1);
    t.exec("SET", "x", "foo", "PX", 1);
    t.advance(2);
    t.exec("WATCH", "x");
    t.exec("SWAPDB", 0, 1);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"], "expired key replaced with no key");

    t.exec("FLUSHALL");
    t.exec("SELECT", 0);
    t.exec("SET", "x", "foo", "PX", 1);
    t.advance(2);
    t.exec("SELECT", 1);
    t.exec("WATCH", "x");
    t.exec("SWAPDB", 0, 1);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"], "no key replaced with an expired key");

    t.exec("FLUSHALL");
    t.exec("SELECT", 1);
    t.exec("SET", "x", "foo", "PX", 1);
    t.exec("SELECT", 0);
    t.exec("SET", "x", "bar", "PX", 1);
    t.advance(2);
    t.exec("SELECT", 1);
    t.exec("WATCH", "x");
    t.exec("SWAPDB", 0, 1);
    t.exec("MULTI");
    t.exec("PING");
    assert.deepEqual(t.exec("EXEC"), ["PONG"], "expired key replaced with another expired key");
  });
});

describe("MULTI / EXEC on disconnect", () => {
  it("forgets the transaction and the watches of a closed session", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("WATCH", "x");
    c.exec("MULTI");
    t.engine.closeSession(c.s);
    assert.equal(t.engine.watches.watchingClients, 0);
    assert.equal(t.engine.watches.totalKeys, 0);
  });
});

describe("EXEC with a busy script", () => {
  // Time passes only when a script calls TESTSLEEP (fractions of a ms), so the busy threshold,
  // the scripts' slices and the resumes are deterministic on the fake clock.
  function busyEngine(threshold = 10) {
    const sleep = cmd("testsleep", "generic", 2, "fast", "", [], "1.0.0", (ctx, argv) => {
      (ctx.engine.clock as FakeClock).advance(Number(argv[1]));
      return OK;
    });
    const t = makeEngine({ commands: [sleep], config: { "busy-reply-threshold": String(threshold) } });
    return { t, a: openClient(t), b: openClient(t) };
  }
  // Runs the scheduler (the script's resumes) until `done` or a bound.
  function pump(t: ReturnType<typeof makeEngine>, done: () => boolean): void {
    for (let i = 0; i < 500 && !done(); i++) t.advance(20);
  }
  const SPIN = "while true do redis.call('testsleep', '0.01') end";
  const SPIN_SHA = "def942419e409e22c84d3c37e57d07278efcb1cd";
  const BUSY_EVAL = "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
  const BUSY_FCALL = "BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
  const killed = (sha: string) => ({
    error: `ERR Script killed by user with SCRIPT KILL. script: ${sha}, on @user_script:1.`,
  });

  it("answers BUSY to other clients, and SCRIPT KILL puts the kill error in the script's slot", () => {
    const { t, a, b } = busyEngine();
    a.exec("MULTI");
    a.exec("SET", "k", "1");
    a.exec("EVAL", SPIN, 0);
    a.exec("GET", "k");
    a.exec("INCR", "k");
    assert.deepEqual(a.send("EXEC"), [], "EXEC waits for the script");
    assert.deepEqual(b.exec("GET", "k"), { error: BUSY_EVAL });
    assert.deepEqual(b.exec("PING"), { error: BUSY_EVAL });
    assert.deepEqual(b.exec("FUNCTION", "KILL"), { error: BUSY_EVAL });
    assert.equal(b.exec("SCRIPT", "KILL"), "OK");
    pump(t, () => a.delivered.length > 0);
    assert.deepEqual(a.delivered, [["OK", killed(SPIN_SHA), "1", 2]], "the rest of the queue ran");
    assert.equal(t.engine.busyReply, undefined);
    assert.equal(b.exec("GET", "k"), "2");
    assert.deepEqual(b.exec("SCRIPT", "KILL"), { error: "NOTBUSY No scripts in execution right now." });
    const stats = String(t.exec("INFO", "commandstats"));
    assert.match(stats, /cmdstat_exec:calls=1,/);
    assert.match(stats, /cmdstat_eval:calls=1,.*,failed_calls=1/);
    assert.match(stats, /cmdstat_incr:calls=1,/);
  });

  it("keeps the transaction atomic while it waits: nothing after the script runs before it ends", () => {
    const { t, a, b } = busyEngine();
    const waiter = openClient(t);
    assert.deepEqual(waiter.send("BLPOP", "q", 0), []);
    a.exec("MULTI");
    a.exec("EVAL", SPIN, 0);
    a.exec("RPUSH", "q", "x");
    a.exec("SET", "after", "1");
    a.send("EXEC");
    // Another client may open a transaction, but every command it queues is refused, and so is
    // its EXEC (Valkey's allow-busy list has MULTI and DISCARD, not EXEC).
    assert.equal(b.exec("MULTI"), "OK");
    assert.deepEqual(b.exec("SET", "after", "2"), { error: BUSY_EVAL });
    assert.deepEqual(b.exec("EXEC"), { error: "EXECABORT Transaction discarded because of: " + BUSY_EVAL });
    assert.equal(b.exec("SCRIPT", "KILL"), "OK");
    assert.deepEqual(waiter.delivered, []);
    pump(t, () => a.delivered.length > 0);
    assert.deepEqual(a.delivered, [[killed(SPIN_SHA), 1, "OK"]]);
    assert.deepEqual(waiter.delivered, [["q", "x"]], "served once the whole transaction ended");
    assert.equal(b.exec("GET", "after"), "1");
  });

  it("refuses SCRIPT KILL for a script that wrote, and delivers the array once it completes", () => {
    const { t, a, b } = busyEngine();
    a.exec("MULTI");
    a.exec("EVAL", "redis.call('set', 'w', 'v') for i = 1, 3000 do redis.call('testsleep', '0.01') end return 7", 0);
    a.exec("GET", "w");
    a.send("EXEC");
    assert.deepEqual(b.exec("GET", "w"), { error: BUSY_EVAL });
    assert.match(
      String((b.exec("SCRIPT", "KILL") as { error: string }).error),
      /^UNKILLABLE Sorry the script already executed write commands against the dataset\./,
    );
    assert.match(String((b.exec("FUNCTION", "KILL") as { error: string }).error), /^UNKILLABLE /);
    pump(t, () => a.delivered.length > 0);
    assert.deepEqual(a.delivered, [[7, "v"]]);
    assert.equal(b.exec("GET", "w"), "v");
  });

  it("waits again for a second busy script in the same transaction", () => {
    const { t, a, b } = busyEngine();
    const spin2 = "local n = 0 while true do n = n + 1 redis.call('testsleep', '0.01') end";
    a.exec("MULTI");
    a.exec("EVAL", SPIN, 0);
    a.exec("SET", "x", "1");
    a.exec("EVAL", spin2, 0);
    a.exec("GET", "x");
    a.send("EXEC");
    assert.equal(b.exec("SCRIPT", "KILL"), "OK");
    // The first script ends, SET runs and the second script starts, in one turn.
    const scripting = scriptingOf(t.engine);
    pump(t, () => scripting.running?.name !== SPIN_SHA);
    assert.notEqual(t.engine.busyReply, undefined, "the second script passed the threshold");
    assert.deepEqual(a.delivered, []);
    assert.deepEqual(b.exec("GET", "x"), { error: BUSY_EVAL });
    assert.equal(b.exec("SCRIPT", "KILL"), "OK");
    pump(t, () => a.delivered.length > 0);
    const sha2 = String(t.exec("SCRIPT", "LOAD", spin2));
    assert.deepEqual(a.delivered, [[killed(SPIN_SHA), "OK", killed(sha2), "1"]]);
  });

  it("stops a busy FCALL with FUNCTION KILL, not SCRIPT KILL", () => {
    const { t, a, b } = busyEngine();
    t.exec(
      "FUNCTION",
      "LOAD",
      "#!lua name=lib\nredis.register_function('spin', function() while true do redis.call('testsleep', '0.01') end end)",
    );
    a.exec("MULTI");
    a.exec("FCALL", "spin", 0);
    a.exec("PING");
    a.send("EXEC");
    assert.deepEqual(b.exec("SCRIPT", "KILL"), { error: BUSY_FCALL });
    const stats = b.exec("FUNCTION", "STATS") as Plain[];
    assert.deepEqual((stats[1] as Plain[]).slice(0, 4), ["name", "spin", "command", ["FCALL", "spin", "0"]]);
    assert.equal(b.exec("FUNCTION", "KILL"), "OK");
    pump(t, () => a.delivered.length > 0);
    assert.deepEqual(a.delivered, [[
      { error: "ERR Script killed by user with FUNCTION KILL. script: spin, on @user_function:2." },
      "PONG",
    ]]);
  });

  it("finishes every busy script on the spot for a caller that cannot wait", () => {
    const { t } = busyEngine();
    const slow = "for i = 1, 3000 do redis.call('testsleep', '0.01') end return ARGV[1]";
    t.exec("MULTI");
    t.exec("EVAL", slow, 0, "one");
    t.exec("SET", "k", "v");
    t.exec("EVAL", slow, 0, "two");
    assert.deepEqual(t.exec("EXEC"), ["one", "OK", "two"]);
    assert.equal(t.engine.busyReply, undefined);
    assert.match(String(t.exec("INFO", "commandstats")), /cmdstat_eval:calls=2,/);
  });

  it("runs the rest of the queue after the client disconnected while it waited", () => {
    const { t, a, b } = busyEngine();
    a.exec("MULTI");
    a.exec("EVAL", SPIN, 0);
    a.exec("SET", "left", "1");
    a.send("EXEC");
    t.engine.closeSession(a.s);
    assert.deepEqual(b.exec("GET", "left"), { error: BUSY_EVAL });
    assert.equal(b.exec("SCRIPT", "KILL"), "OK");
    pump(t, () => t.engine.busyReply === undefined && t.engine.blocking.count === 0);
    assert.equal(b.exec("GET", "left"), "1");
    assert.deepEqual(a.delivered, []);
  });

  it("waits over the HTTP gateway's /multi-exec without holding up other requests", async () => {
    const { t } = busyEngine();
    const gateway = createGateway(t.engine);
    const post = async (path: string, body: unknown) => {
      const res = await gateway.fetch(
        new Request("http://kite" + path, { method: "POST", body: JSON.stringify(body) }),
      );
      return { status: res.status, json: await res.json() };
    };
    try {
      const pending = post("/multi-exec", [["SET", "h", "1"], ["EVAL", SPIN, "0"], ["INCR", "h"]]);
      for (let i = 0; i < 100 && t.engine.busyReply === undefined; i++) await new Promise((r) => setTimeout(r, 1));
      assert.notEqual(t.engine.busyReply, undefined);
      const busy = await post("/", ["GET", "h"]);
      assert.deepEqual(busy.json, { error: BUSY_EVAL });
      assert.deepEqual((await post("/", ["SCRIPT", "KILL"])).json, { result: "OK" });
      pump(t, () => t.engine.busyReply === undefined && t.engine.blocking.count === 0);
      const done = await pending;
      assert.equal(done.status, 200);
      assert.deepEqual(done.json, [{ result: "OK" }, killed(SPIN_SHA), { result: 2 }]);
    } finally {
      gateway.close();
    }
  });
});
