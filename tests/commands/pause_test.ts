import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import { openClient } from "../_helpers/sessions.ts";

describe("CLIENT PAUSE WRITE", () => {
  it("lets reads through and holds writes until CLIENT UNPAUSE", () => {
    const t = makeEngine();
    t.exec("SET", "foo", "bar");
    assert.equal(t.exec("CLIENT", "PAUSE", 100000, "WRITE"), "OK");
    const c = openClient(t);
    assert.deepEqual(c.send("GET", "foo"), ["bar"]);
    assert.deepEqual(c.send("PING"), ["PONG"]);
    assert.deepEqual(c.send("SET", "foo", "new"), [], "held, not rejected");
    assert.equal(t.engine.isWaiting(c.s), true);
    assert.match(String(t.exec("INFO", "clients")), /blocked_clients:1\r\n/);
    assert.equal(t.exec("GET", "foo"), "bar");
    assert.equal(t.exec("CLIENT", "UNPAUSE"), "OK");
    assert.deepEqual(c.delivered, ["OK"]);
    assert.equal(t.exec("GET", "foo"), "new");
  });

  it("holds may-replicate commands such as PUBLISH and PFCOUNT", () => {
    const t = makeEngine();
    t.exec("PFADD", "hll", "a");
    t.exec("CLIENT", "PAUSE", 100000, "WRITE");
    const a = openClient(t);
    const b = openClient(t);
    assert.deepEqual(a.send("PFCOUNT", "hll"), []);
    assert.deepEqual(b.send("PUBLISH", "ch", "m"), []);
    t.exec("CLIENT", "UNPAUSE");
    assert.deepEqual(a.delivered, [1]);
    assert.deepEqual(b.delivered, [0]);
  });

  it("releases held clients in arrival order", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 100000, "WRITE");
    const clients = [openClient(t), openClient(t), openClient(t)];
    clients.forEach((c, i) => c.send("RPUSH", "order", i));
    t.exec("CLIENT", "UNPAUSE");
    assert.deepEqual(t.exec("LRANGE", "order", 0, -1), ["0", "1", "2"]);
  });

  it("ends by itself when the time is up", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 500, "WRITE");
    const c = openClient(t);
    c.send("SET", "x", "1");
    t.advance(499);
    assert.deepEqual(c.delivered, []);
    t.advance(2);
    assert.deepEqual(c.delivered, ["OK"]);
  });

  it("does not hold read-only transactions, but holds EXEC of a write transaction", () => {
    const t = makeEngine();
    t.exec("SET", "foo", "bar");
    const w = openClient(t);
    w.exec("MULTI");
    w.exec("SET", "foo", "baz");
    t.exec("CLIENT", "PAUSE", 100000, "WRITE");
    const r = openClient(t);
    assert.deepEqual(r.send("MULTI"), ["OK"]);
    assert.deepEqual(r.send("PING"), ["QUEUED"]);
    assert.deepEqual(r.send("GET", "foo"), ["QUEUED"]);
    assert.deepEqual(r.send("EXEC"), [["PONG", "bar"]]);
    assert.deepEqual(w.send("EXEC"), []);
    t.exec("CLIENT", "UNPAUSE");
    assert.deepEqual(w.delivered, [["OK"]]);
  });

  it("starts only after the transaction that issued it", () => {
    const t = makeEngine();
    t.exec("MULTI");
    t.exec("SET", "foo1", "bar");
    t.exec("CLIENT", "PAUSE", 60000, "WRITE");
    t.exec("SET", "foo2", "bar");
    assert.deepEqual(t.exec("EXEC"), ["OK", "OK", "OK"]);
    const c = openClient(t);
    assert.deepEqual(c.send("SET", "foo3", "bar"), []);
    assert.equal(t.exec("GET", "foo2"), "bar");
    t.exec("CLIENT", "UNPAUSE");
    assert.deepEqual(c.delivered, ["OK"]);
  });

  it("still answers syntax errors at once", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 100000, "WRITE");
    const c = openClient(t);
    assert.deepEqual(c.send("SET", "foo"), [{ error: "ERR wrong number of arguments for 'set' command" }]);
  });

  it("stops expiry: keys past their time read as missing but stay until unpaused", () => {
    const t = makeEngine();
    const expiredBefore = () => Number(/expired_keys:(\d+)/.exec(String(t.exec("INFO", "stats")))![1]);
    t.exec("SET", "foo", "bar", "PX", 10);
    t.exec("SET", "bar", "foo", "PX", 10);
    const before = expiredBefore();
    t.exec("CLIENT", "PAUSE", 50000, "WRITE");
    t.advance(1000);
    assert.equal(t.exec("GET", "foo"), null);
    assert.equal(t.exec("EXISTS", "bar"), 0);
    assert.equal(t.exec("DBSIZE"), 2, "neither active nor lazy expiry deleted them");
    assert.equal(expiredBefore(), before);
    t.exec("CLIENT", "UNPAUSE");
    t.exec("GET", "foo");
    t.exec("GET", "bar");
    assert.equal(expiredBefore(), before + 2);
  });

  it("does not loop in RANDOMKEY when every key is expired", () => {
    const t = makeEngine();
    t.exec("SET", "key", "value", "PX", 10);
    t.exec("CLIENT", "PAUSE", 5000, "WRITE");
    t.advance(100);
    assert.equal(t.exec("RANDOMKEY"), null);
  });
});

describe("CLIENT PAUSE ALL", () => {
  it("holds every command, reads included", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 100000);
    const c = openClient(t);
    assert.deepEqual(c.send("PING"), []);
    assert.deepEqual(c.send("GET", "x"), []);
    t.engine.pause.unpause();
    t.engine.pause.resume();
    assert.deepEqual(c.delivered, ["PONG", null]);
  });

  it("stays in force when a shorter WRITE pause follows, keeping the later end", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 200, "ALL");
    t.engine.pause.pause("write", t.engine.now() + 20);
    const c = openClient(t);
    c.send("GET", "foo");
    t.advance(50);
    assert.deepEqual(c.delivered, [], "still ALL after the WRITE pause's end");
    t.advance(200);
    assert.deepEqual(c.delivered, [null]);
  });

  it("keeps the old end when the new pause is shorter", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 60000, "WRITE");
    t.exec("CLIENT", "PAUSE", 10, "WRITE");
    t.advance(100);
    const c = openClient(t);
    assert.deepEqual(c.send("SET", "foo", "bar"), []);
    t.exec("CLIENT", "UNPAUSE");
    assert.deepEqual(c.delivered, ["OK"]);
  });

  it("never holds MONITOR clients", () => {
    const t = makeEngine();
    const m = openClient(t);
    m.exec("MONITOR");
    t.exec("CLIENT", "PAUSE", 100000);
    assert.deepEqual(m.send("PING"), ["PONG"]);
  });
});

describe("CLIENT PAUSE / UNPAUSE", () => {
  it("report the pause in INFO clients", () => {
    const t = makeEngine();
    let info = String(t.exec("INFO", "clients"));
    assert.match(info, /paused_reason:none\r\npaused_actions:none\r\npaused_timeout_milliseconds:0\r\n/);
    t.exec("CLIENT", "PAUSE", 10000, "WRITE");
    t.advance(1000);
    info = String(t.exec("INFO", "clients"));
    assert.match(info, /paused_reason:client_pause\r\npaused_actions:write\r\npaused_timeout_milliseconds:9000\r\n/);
    t.exec("CLIENT", "UNPAUSE");
    t.exec("MULTI");
    t.exec("CLIENT", "PAUSE", 1000, "ALL");
    t.exec("INFO", "clients");
    const [, res] = t.exec("EXEC") as [unknown, string];
    assert.match(res, /paused_actions:all/);
    t.exec("CLIENT", "UNPAUSE");
  });

  it("reject bad timeouts and modes with Valkey's errors", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "PAUSE", "abc"), { error: "ERR timeout is not an integer or out of range" });
    assert.deepEqual(t.exec("CLIENT", "PAUSE", "1.5"), { error: "ERR timeout is not an integer or out of range" });
    assert.deepEqual(t.exec("CLIENT", "PAUSE", -1), { error: "ERR timeout is negative" });
    assert.deepEqual(t.exec("CLIENT", "PAUSE", "9223372036854775807"), { error: "ERR timeout is out of range" });
    assert.deepEqual(t.exec("CLIENT", "PAUSE", 10, "foo"), { error: "ERR CLIENT PAUSE mode must be WRITE or ALL" });
    assert.deepEqual(t.exec("CLIENT", "PAUSE", 10, "write", "x"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.",
    });
    assert.deepEqual(t.exec("CLIENT", "UNPAUSE", "x"), {
      error: "ERR wrong number of arguments for 'client|unpause' command",
    });
    assert.equal(t.engine.pause.mode, undefined);
  });

  it("forget a held client that disconnects", () => {
    const t = makeEngine();
    t.exec("CLIENT", "PAUSE", 100000, "WRITE");
    const c = openClient(t);
    c.send("SET", "x", 1);
    t.engine.closeSession(c.s);
    t.exec("CLIENT", "UNPAUSE");
    assert.deepEqual(c.delivered, []);
    assert.equal(t.exec("GET", "x"), null);
  });
});
