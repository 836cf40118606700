import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain, type TestEngine } from "../_helpers/engine.ts";
import { cmd, type CommandSpec } from "../../src/commands/spec.ts";
import { OK } from "../../src/protocol/reply.ts";
import type { EngineOptions } from "../../src/engine/engine.ts";
import { slowLogArgs } from "../../src/engine/slowlog.ts";

// Test-only commands that take exactly the time they are told (in ms of the fake clock).
function sleeper(name: string, flags: string): CommandSpec {
  return cmd(name, "server", 2, flags, "", [], "1.0.0", (ctx, argv) => {
    const ms = Number(argv[1]);
    // Moving the fake clock inside the command is what the command's duration measures.
    (ctx.engine.clock as TestEngine["clock"]).advance(ms);
    return OK;
  });
}
const TAKES = sleeper("takes", "");
const FASTTAKES = sleeper("fasttakes", "fast");

function engine(config: Record<string, string> = {}, opts: EngineOptions = {}): TestEngine {
  return makeEngine({ commands: [TAKES, FASTTAKES], config, ...opts });
}

type Entry = [number, number, number, string[], string, string];

function entries(t: TestEngine, count?: number): Entry[] {
  return (count === undefined ? t.exec("SLOWLOG", "GET") : t.exec("SLOWLOG", "GET", count)) as Entry[];
}

describe("SLOWLOG", () => {
  it("logs commands that ran at least slowlog-log-slower-than µs, newest first, with their run time", () => {
    const t = engine({ "slowlog-log-slower-than": "5000" });
    t.session.addr = "127.0.0.1:5555";
    t.exec("TAKES", "4");
    t.exec("TAKES", "5");
    t.exec("TAKES", "7");
    const got = entries(t);
    assert.equal(got.length, 2);
    assert.deepEqual(got.map((e) => [e[0], e[2], e[3], e[4], e[5]]), [
      [1, 7000, ["TAKES", "7"], "127.0.0.1:5555", ""],
      [0, 5000, ["TAKES", "5"], "127.0.0.1:5555", ""],
    ]);
    assert.equal(got[0]![1], Math.floor(t.clock.now() / 1000));
    assert.equal(t.exec("SLOWLOG", "LEN"), 2);
  });

  it("logs every command at 0, and nothing when negative", () => {
    const t = engine({ "slowlog-log-slower-than": "0" });
    t.exec("CLIENT", "SETNAME", "app");
    t.exec("SET", "k", "v");
    assert.deepEqual(entries(t).map((e) => [e[3], e[5]]), [[["SET", "k", "v"], "app"], [
      ["CLIENT", "SETNAME", "app"],
      "app",
    ]]);
    t.exec("CONFIG", "SET", "slowlog-log-slower-than", "-1");
    t.exec("TAKES", "100");
    assert.equal(t.exec("SLOWLOG", "LEN"), 3);
  });

  it("GET returns 10 entries by default, all with -1, and rejects a count below -1", () => {
    const t = engine({ "slowlog-log-slower-than": "0" });
    for (let i = 0; i < 14; i++) t.exec("PING");
    assert.equal(entries(t).length, 10);
    // SLOWLOG GET is logged too, once it has run.
    assert.equal(entries(t, -1).length, 15);
    assert.equal(entries(t, 3).length, 3);
    assert.equal(entries(t, 0).length, 0);
    for (const bad of ["-2", "abc", "1.5"]) {
      assert.deepEqual(t.exec("SLOWLOG", "GET", bad), { error: "ERR count should be greater than or equal to -1" });
    }
  });

  it("keeps slowlog-max-len entries, dropping the oldest, and trims at once when it shrinks", () => {
    const t = engine({ "slowlog-log-slower-than": "0", "slowlog-max-len": "3" });
    for (let i = 0; i < 5; i++) t.exec("ECHO", String(i));
    assert.deepEqual(entries(t).map((e) => e[3]), [["ECHO", "4"], ["ECHO", "3"], ["ECHO", "2"]]);
    t.exec("CONFIG", "SET", "slowlog-max-len", "1");
    assert.deepEqual(entries(t).map((e) => e[3]), [["CONFIG", "SET", "slowlog-max-len", "1"]]);
  });

  it("RESET empties the log while ids keep growing", () => {
    const t = engine({ "slowlog-log-slower-than": "0" });
    t.exec("PING");
    t.exec("PING");
    assert.equal(t.exec("SLOWLOG", "RESET"), "OK");
    const got = entries(t);
    assert.deepEqual(got.map((e) => [e[0], e[3]]), [[2, ["SLOWLOG", "RESET"]]]);
  });

  it("keeps 32 arguments and 128 bytes of each, saying how much was left out", () => {
    const argv = ["RPUSH", "l", ...Array.from({ length: 40 }, (_, i) => String(i)), "x".repeat(200)];
    const kept = slowLogArgs(argv);
    assert.equal(kept.length, 32);
    assert.equal(kept[31], "... (12 more arguments)");
    assert.equal(kept[30], "28");
    assert.deepEqual(slowLogArgs(["SET", "k", "x".repeat(200)]), ["SET", "k", "x".repeat(128) + "... (72 more bytes)"]);
    assert.deepEqual(slowLogArgs(["SET", "k", "x".repeat(128)]), ["SET", "k", "x".repeat(128)]);
  });

  it("shows AUTH's arguments as (redacted), the user name too, as Valkey does", () => {
    const t = engine({ "slowlog-log-slower-than": "0", requirepass: "s3cret" });
    t.exec("AUTH", "s3cret");
    t.exec("AUTH", "default", "wrong");
    assert.deepEqual(entries(t).map((e) => e[3]), [["AUTH", "(redacted)", "(redacted)"], ["AUTH", "(redacted)"]]);
  });

  it("logs the commands EXEC runs but not EXEC, and a script's commands with the client ?:0", () => {
    const t = engine({ "slowlog-log-slower-than": "0" });
    t.session.addr = "10.0.0.1:7000";
    t.exec("MULTI");
    t.exec("SET", "a", "1");
    t.exec("EXEC");
    t.exec("EVAL", "return redis.call('INCR', 'a')", "0");
    assert.deepEqual(entries(t).map((e) => [e[3][0], e[4]]), [
      ["EVAL", "10.0.0.1:7000"],
      ["INCR", "?:0"],
      ["SET", "10.0.0.1:7000"],
      ["MULTI", "10.0.0.1:7000"],
    ]);
  });

  it("logs a fast command read alone with its own time when it is slow", () => {
    const t = engine({ "slowlog-log-slower-than": "2000" });
    t.engine.beginBatch();
    t.exec("FASTTAKES", "1");
    t.engine.pauseCommandTime();
    t.engine.resumeCommandTime();
    t.exec("FASTTAKES", "3");
    t.engine.endBatch();
    assert.deepEqual(entries(t).map((e) => [e[2], e[3]]), [[3000, ["FASTTAKES", "3"]]]);
  });

  it("logs a blocked command when it is answered, with its run time rather than the wait", () => {
    const t = engine({ "slowlog-log-slower-than": "0" });
    const waiter = t.engine.openSession();
    const got: unknown[] = [];
    const r = t.engine.dispatch(waiter, ["BLPOP", "q", "0"], (reply) => got.push(plain(reply)));
    assert.equal(r?.t, "blocked");
    assert.ok(!entries(t).some((e) => e[3][0] === "BLPOP"), "logged while still blocked");
    t.clock.advance(50);
    t.exec("RPUSH", "q", "x");
    assert.deepEqual(got, [["q", "x"]]);
    const blpop = entries(t).find((e) => e[3][0] === "BLPOP")!;
    assert.ok(blpop[2] < 50_000, `duration ${blpop[2]} includes the wait`);
  });

  it("HELP lists the subcommands", () => {
    const t = engine();
    const help = t.exec("SLOWLOG", "HELP") as string[];
    assert.equal(help[0], "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.ok(help.includes("LEN") && help.includes("RESET"));
    assert.deepEqual(t.exec("SLOWLOG", "NOPE"), { error: "ERR unknown subcommand 'NOPE'. Try SLOWLOG HELP." });
  });
});
