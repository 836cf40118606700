import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import { openClient } from "../_helpers/sessions.ts";
import { reprArg } from "../../src/engine/monitor.ts";

type T = ReturnType<typeof makeEngine>;

/** A monitor and a client at a known address; lines lose their timestamp for comparison. */
function setup(t: T) {
  const m = openClient(t);
  assert.equal(m.exec("MONITOR"), "OK");
  const c = openClient(t, { addr: "127.0.0.1:5000" });
  const lines = () => m.take().map((l) => String(l).replace(/^\d+\.\d{6} /, ""));
  return { m, c, lines };
}

describe("MONITOR", () => {
  it("streams each executed command with the time, database and client", () => {
    const t = makeEngine();
    const { m, c } = setup(t);
    t.clock.advance(1234);
    c.exec("SET", "k", "v");
    const [line] = m.take() as string[];
    const us = t.engine.nowUs();
    const want = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")} [0 127.0.0.1:5000] "SET" "k" "v"`;
    assert.equal(line, want);
  });

  it("quotes arguments with Valkey's escapes", () => {
    assert.equal(reprArg('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(reprArg("\n\r\t\x07\x08"), '"\\n\\r\\t\\a\\b"');
    assert.equal(reprArg("\x01\xff ~"), '"\\x01\\xff ~"');
  });

  it("shows the database the command left selected", () => {
    const t = makeEngine();
    const { c, lines } = setup(t);
    c.exec("SELECT", 3);
    c.exec("SET", "z", 1);
    c.exec("SELECT", 0);
    assert.deepEqual(lines(), [
      '[3 127.0.0.1:5000] "SELECT" "3"',
      '[3 127.0.0.1:5000] "SET" "z" "1"',
      '[0 127.0.0.1:5000] "SELECT" "0"',
    ]);
  });

  it("redacts AUTH and HELLO credentials", () => {
    const t = makeEngine();
    const { c, lines } = setup(t);
    c.exec("AUTH", "pw");
    c.exec("AUTH", "user", "pw");
    c.exec("HELLO", "2", "AUTH", "default", "secret", "SETNAME", "n");
    assert.deepEqual(lines(), [
      '[0 127.0.0.1:5000] "AUTH" "(redacted)"',
      '[0 127.0.0.1:5000] "AUTH" "(redacted)" "(redacted)"',
      '[0 127.0.0.1:5000] "HELLO" "2" "AUTH" "(redacted)" "(redacted)" "SETNAME" "n"',
    ]);
  });

  it("shows commands that failed but not rejected or administrative ones", () => {
    const t = makeEngine();
    const { c, lines } = setup(t);
    c.exec("NOSUCH");
    c.exec("GET");
    c.exec("CONFIG", "SET", "maxmemory", "0");
    c.exec("CLIENT", "LIST");
    c.exec("SET", "s", "x");
    c.exec("LPUSH", "s", "y");
    assert.deepEqual(lines(), ['[0 127.0.0.1:5000] "SET" "s" "x"', '[0 127.0.0.1:5000] "LPUSH" "s" "y"']);
  });

  it("shows MULTI, then the queued commands as EXEC runs them, then EXEC", () => {
    const t = makeEngine();
    const { c, lines } = setup(t);
    c.exec("MULTI");
    c.exec("SET", "a", "1");
    c.exec("GET", "a");
    assert.deepEqual(lines(), ['[0 127.0.0.1:5000] "MULTI"']);
    c.exec("EXEC");
    assert.deepEqual(lines(), [
      '[0 127.0.0.1:5000] "SET" "a" "1"',
      '[0 127.0.0.1:5000] "GET" "a"',
      '[0 127.0.0.1:5000] "EXEC"',
    ]);
  });

  it("names Unix socket clients by the socket path", () => {
    const t = makeEngine({ config: { unixsocket: "/tmp/kite.sock" } });
    const m = openClient(t);
    m.exec("MONITOR");
    const c = openClient(t, { unix: true, addr: "/unix:0" });
    c.exec("PING");
    assert.match(String(m.take()[0]), / \[0 unix:\/tmp\/kite.sock\] "PING"$/);
  });

  it("keeps the monitor away from the keyspace, but lets it PING and see its own line after the reply", () => {
    const t = makeEngine();
    const m = openClient(t, { addr: "127.0.0.1:6000" });
    m.exec("MONITOR");
    assert.deepEqual(m.exec("GET", "x"), { error: "ERR Replica can't interact with the keyspace" });
    assert.deepEqual(m.exec("SET", "x", "1"), { error: "ERR Replica can't interact with the keyspace" });
    const r = t.engine.dispatch(m.s, ["PING"]);
    assert.deepEqual(r, { t: "simple", v: "PONG" });
    assert.deepEqual(m.pushed, [], "its own line follows the reply");
    t.engine.afterReply(m.s);
    assert.match(String(m.take()[0]), / \[0 127.0.0.1:6000\] "PING"$/);
  });

  it("feeds RESP3 monitors a plain status line too", () => {
    const t = makeEngine();
    const m = openClient(t);
    m.exec("HELLO", "3");
    m.exec("MONITOR");
    t.exec("PING");
    assert.equal(m.pushedRaw[0]?.t, "simple");
  });

  it("marks the client O in CLIENT LIST and ends with RESET", () => {
    const t = makeEngine();
    const m = openClient(t);
    m.exec("MONITOR");
    assert.match(String(t.exec("CLIENT", "LIST", "ID", m.s.id)), / flags=O /);
    assert.equal(m.exec("RESET"), "RESET");
    t.exec("PING");
    assert.deepEqual(m.take(), []);
    assert.equal(m.exec("GET", "x"), null);
  });

  it("refuses MONITOR inside a transaction, where the client expects one reply per command", () => {
    const t = makeEngine();
    const m = openClient(t);
    m.exec("MULTI");
    assert.equal(m.exec("MONITOR"), "QUEUED");
    assert.deepEqual(m.exec("EXEC"), [{ error: "ERR MONITOR isn't allowed for DENY BLOCKING client" }]);
    assert.equal(t.engine.monitor.count, 0);
    assert.equal(m.exec("GET", "x"), null, "still a normal client");
  });

  it("stops feeding a monitor that disconnected", () => {
    const t = makeEngine();
    const m = openClient(t);
    m.exec("MONITOR");
    t.engine.closeSession(m.s);
    assert.equal(t.engine.monitor.count, 0);
    t.exec("PING");
    assert.deepEqual(m.take(), []);
  });
});
