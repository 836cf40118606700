/**
 * SHUTDOWN at engine level: the host's shutdown handler, the errors Valkey answers (syntax,
 * ABORT with nothing in progress, MULTI, scripts, a busy script), SAVE on a server without
 * persistence, and the refusal over the HTTP gateway.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import { openClient } from "../_helpers/sessions.ts";
import { makeGateway } from "../http/_gateway.ts";
import { SYSTEM_CLOCK } from "../../src/runtime/clock.ts";
import type { EngineOptions, ShutdownOptions } from "../../src/engine/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

const NO_SERVER = "ERR SHUTDOWN is not available: no server owns this embedded engine";
const FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";
const BUSY = "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

/** A test engine with a recording shutdown handler and a captured log. */
function hosted(opts: EngineOptions = {}): TestEngine & { calls: ShutdownOptions[]; logs: string[] } {
  const logs: string[] = [];
  const t = makeEngine({ log: (level, msg) => logs.push(`${level} ${msg}`), ...opts });
  const calls: ShutdownOptions[] = [];
  t.engine.onShutdown((o) => calls.push(o));
  return { ...t, calls, logs };
}

describe("SHUTDOWN", () => {
  it("calls the host's shutdown handler once and parks the client without a reply", () => {
    const t = hosted();
    const c = openClient(t);
    assert.deepEqual(c.send("SHUTDOWN"), []);
    assert.equal(t.calls.length, 1);
    assert.deepEqual(t.calls[0], { save: false, nosave: false, now: false, force: false });
    assert.equal(t.engine.shuttingDown, true);
    assert.equal(t.engine.isWaiting(c.s), true);
    assert.deepEqual(c.delivered, []);
  });

  it("answers OK to an in-process caller that cannot wait", () => {
    const t = hosted();
    assert.equal(t.exec("SHUTDOWN", "NOSAVE", "NOW"), "OK");
    assert.deepEqual(t.calls, [{ save: false, nosave: true, now: true, force: false }]);
  });

  it("does not run the handlers again for a second request", () => {
    const t = hosted();
    t.exec("SHUTDOWN");
    assert.equal(t.exec("shutdown", "now"), "OK");
    assert.equal(t.calls.length, 1);
  });

  it("logs Valkey's shutdown lines through the engine's logger", () => {
    const t = hosted();
    t.exec("SHUTDOWN");
    assert.deepEqual(t.logs, ["warning User requested shutdown..."]);
  });

  it("answers an error when no server owns the engine (embedded use)", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SHUTDOWN"), { error: NO_SERVER });
    assert.deepEqual(t.exec("SHUTDOWN", "NOSAVE"), { error: NO_SERVER });
    assert.equal(t.engine.shuttingDown, false);
  });

  it("stops calling a handler once it is removed", () => {
    const t = makeEngine();
    let called = 0;
    const off = t.engine.onShutdown(() => called++);
    off();
    assert.deepEqual(t.exec("SHUTDOWN"), { error: NO_SERVER });
    assert.equal(called, 0);
  });

  it("accepts its tokens in any order and case, repeated", () => {
    const t = hosted();
    assert.equal(t.exec("SHUTDOWN", "force", "NoSave", "now", "NOW"), "OK");
    assert.deepEqual(t.calls, [{ save: false, nosave: true, now: true, force: true }]);
  });

  it("answers a syntax error to an unknown token and to illegal combinations", () => {
    const t = hosted();
    for (
      const argv of [
        ["SHUTDOWN", "foo"],
        ["SHUTDOWN", "SAVE", "NOSAVE"],
        ["SHUTDOWN", "ABORT", "NOSAVE"],
        ["SHUTDOWN", "NOW", "ABORT"],
        ["SHUTDOWN", "ABORT", "FORCE"],
        ["SHUTDOWN", "ABORT", "SAVE"],
      ]
    ) {
      assert.deepEqual(t.exec(...argv), { error: "ERR syntax error" }, argv.join(" "));
    }
    assert.equal(t.calls.length, 0);
  });

  it("answers ABORT with Valkey's error when no shutdown is in progress", () => {
    assert.deepEqual(hosted().exec("SHUTDOWN", "ABORT"), { error: "ERR No shutdown in progress." });
    assert.deepEqual(makeEngine().exec("SHUTDOWN", "abort"), { error: "ERR No shutdown in progress." });
  });

  it("refuses SAVE, since nothing can be saved, logs why and keeps running", () => {
    const t = hosted();
    assert.deepEqual(t.exec("SHUTDOWN", "SAVE"), { error: FAILED });
    assert.deepEqual(t.exec("SHUTDOWN", "SAVE", "NOW"), { error: FAILED });
    assert.equal(t.calls.length, 0);
    assert.equal(t.engine.shuttingDown, false);
    assert.deepEqual(t.logs.slice(0, 5), [
      "warning User requested shutdown...",
      "notice Saving the final RDB snapshot before exiting.",
      "warning Kite has no persistence (no RDB or AOF writer): the dataset cannot be saved.",
      "warning Error trying to save the DB, can't exit.",
      "warning Errors trying to shut down the server. Check the logs for more information.",
    ]);
    assert.equal(t.exec("PING"), "PONG");
  });

  it("exits anyway on SAVE FORCE, logging the failed save", () => {
    const t = hosted();
    assert.equal(t.exec("SHUTDOWN", "SAVE", "FORCE"), "OK");
    assert.deepEqual(t.calls, [{ save: true, nosave: false, now: false, force: true }]);
    assert.ok(t.logs.includes("warning Error trying to save the DB. Exit anyway."), t.logs.join("\n"));
  });

  it("is refused inside MULTI with Valkey's text, and aborts the transaction", () => {
    const t = hosted();
    assert.equal(t.exec("MULTI"), "OK");
    assert.deepEqual(t.exec("SHUTDOWN"), { error: "ERR Command not allowed inside a transaction" });
    assert.deepEqual(t.exec("EXEC"), {
      error: "EXECABORT Transaction discarded because of previous errors.",
    });
    assert.equal(t.calls.length, 0);
  });

  it("is refused from scripts, with redis.call and redis.pcall", () => {
    const t = hosted();
    const called = t.exec("EVAL", "return redis.call('shutdown', 'nosave')", 0) as { error: string };
    assert.match(called.error, /^ERR This Valkey command is not allowed from script script: /);
    assert.deepEqual(t.exec("EVAL", "return redis.pcall('shutdown')", 0), {
      error: "ERR This Valkey command is not allowed from script",
    });
    assert.equal(t.calls.length, 0);
  });

  it("is held by CLIENT PAUSE ALL, and shuts down once the pause ends", () => {
    const t = hosted();
    const admin = openClient(t);
    const c = openClient(t);
    assert.equal(admin.exec("CLIENT", "PAUSE", 100000, "ALL"), "OK");
    assert.deepEqual(c.send("SHUTDOWN"), []);
    assert.equal(t.calls.length, 0);
    // CLIENT PAUSE WRITE would not hold it: SHUTDOWN is neither write nor may_replicate.
    assert.equal(admin.exec("CLIENT", "UNPAUSE"), "OK");
    assert.equal(t.calls.length, 1);
    assert.deepEqual(c.delivered, []);
  });

  it("runs under CLIENT PAUSE WRITE", () => {
    const t = hosted();
    const c = openClient(t);
    t.exec("CLIENT", "PAUSE", 100000, "WRITE");
    assert.deepEqual(c.send("SHUTDOWN"), []);
    assert.equal(t.calls.length, 1);
  });
});

describe("SHUTDOWN under a busy script", () => {
  // A real clock: the busy threshold is measured in wall time. Resumes run on the manual scheduler.
  function busy(script: string) {
    const t = hosted({ clock: SYSTEM_CLOCK, config: { "busy-reply-threshold": "30" } });
    const other = t.engine.openSession();
    let delivered: Reply | undefined;
    const r = t.engine.dispatch(t.session, ["EVAL", script, "0"], (x) => delivered = x);
    assert.equal(r?.t, "blocked");
    assert.notEqual(t.engine.busyReply, undefined);
    return { t, other, delivered: () => delivered };
  }

  it("answers BUSY without NOSAVE, as Valkey", () => {
    const { t, other } = busy("local i = 0 while true do i = i + 1 end");
    assert.deepEqual(t.execOn(other, "SHUTDOWN"), { error: BUSY });
    assert.deepEqual(t.execOn(other, "SHUTDOWN", "SAVE", "FORCE"), { error: BUSY });
    assert.deepEqual(t.execOn(other, "SHUTDOWN", "NOW"), { error: BUSY });
    assert.equal(t.calls.length, 0);
    assert.equal(t.execOn(other, "SCRIPT", "KILL"), "OK");
    for (let i = 0; i < 100 && t.engine.busyReply !== undefined; i++) t.advance(0);
    assert.equal(t.engine.busyReply, undefined);
  });

  it("answers ABORT while a script is busy (it is allow_busy)", () => {
    const { t, other } = busy("local i = 0 while true do i = i + 1 end");
    assert.deepEqual(t.execOn(other, "SHUTDOWN", "ABORT"), { error: "ERR No shutdown in progress." });
    t.execOn(other, "SCRIPT", "KILL");
    for (let i = 0; i < 100 && t.engine.busyReply !== undefined; i++) t.advance(0);
  });

  it("stops a script that has written on NOSAVE, and the script's caller gets no reply", () => {
    const { t, other, delivered } = busy("redis.call('set', 'x', '1') while true do end");
    assert.match(
      (t.execOn(other, "SCRIPT", "KILL") as { error: string }).error,
      /^UNKILLABLE Sorry the script already executed write commands/,
    );
    assert.equal(t.execOn(other, "SHUTDOWN", "NOSAVE"), "OK");
    assert.deepEqual(t.calls, [{ save: false, nosave: true, now: false, force: false }]);
    // The script is over at once: no more BUSY, no resume pending, and nothing was delivered
    // (the server is about to close the connection).
    assert.equal(t.engine.busyReply, undefined);
    for (let i = 0; i < 10; i++) t.advance(0);
    assert.equal(delivered(), undefined);
    assert.equal(plain(t.engine.dispatch(other, ["GET", "x"]) as Reply), "1");
  });

  it("leaves a busy script alone when no server owns the engine", () => {
    const t = makeEngine({ clock: SYSTEM_CLOCK, config: { "busy-reply-threshold": "30" } });
    const other = t.engine.openSession();
    t.engine.dispatch(t.session, ["EVAL", "local i = 0 while true do i = i + 1 end", "0"], () => {});
    assert.deepEqual(t.execOn(other, "SHUTDOWN", "NOSAVE"), { error: NO_SERVER });
    assert.notEqual(t.engine.busyReply, undefined);
    t.execOn(other, "SCRIPT", "KILL");
    for (let i = 0; i < 100 && t.engine.busyReply !== undefined; i++) t.advance(0);
    assert.equal(t.engine.busyReply, undefined);
  });
});

describe("SHUTDOWN over the HTTP gateway", () => {
  it("is refused like the other connection-only commands", async () => {
    const g = makeGateway();
    let called = 0;
    g.engine.onShutdown(() => called++);
    try {
      const a = await g.post("/", ["SHUTDOWN", "NOSAVE"]);
      assert.equal(a.status, 400);
      assert.match(a.json.error, /^ERR 'shutdown' is not supported over HTTP: .* \(stop the server over RESP/);
      const b = await g.call("GET", "/shutdown");
      assert.equal(b.status, 400);
      assert.equal(called, 0);
    } finally {
      g.close();
    }
  });
});
