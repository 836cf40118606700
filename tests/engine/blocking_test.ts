import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain } from "../_helpers/engine.ts";
import { cmd, type CommandSpec, rangeKey } from "../../src/commands/spec.ts";
import { bulk, NULL_ARRAY, OK, type Reply } from "../../src/protocol/reply.ts";
import type { CommandContext } from "../../src/engine/context.ts";

// A test-only blocking command: waits until one of its string keys exists, then pops it.
function take(ctx: CommandContext, keys: readonly string[]): Reply | undefined {
  for (const k of keys) {
    const v = ctx.db.lookupWrite(k, ctx.now);
    if (typeof v === "string") {
      ctx.db.delete(k);
      ctx.touched(k, "del");
      return bulk(v);
    }
  }
  return undefined;
}
const TESTBPOP: CommandSpec = cmd(
  "testbpop",
  "generic",
  -3,
  "write blocking",
  "",
  [rangeKey(1, -2, 1, "RW")],
  "1.0.0",
  (ctx, argv) => {
    const keys = argv.slice(1, -1);
    const ms = Number(argv[argv.length - 1]) * 1000;
    return take(ctx, keys) ??
      { t: "blocked", keys, timeoutMs: ms, retry: (c) => take(c, keys), timeoutReply: NULL_ARRAY };
  },
);
const TESTPUT: CommandSpec = cmd(
  "testput",
  "generic",
  3,
  "write",
  "",
  [rangeKey(1, 0, 1, "OW")],
  "1.0.0",
  (ctx, argv) => {
    ctx.db.set(argv[1]!, argv[2]!, ctx.now);
    ctx.touched(argv[1]!, "set");
    return OK;
  },
);

function setup() {
  const t = makeEngine({ commands: [TESTBPOP, TESTPUT] });
  const got: [number, unknown][] = [];
  const client = (n: number) => {
    const s = t.engine.openSession();
    return {
      session: s,
      send: (...argv: string[]) => {
        const r = t.engine.dispatch(s, argv, (reply) => got.push([n, plain(reply)]));
        if (r !== undefined && r.t !== "blocked") got.push([n, plain(r)]);
        return r;
      },
    };
  };
  return { t, got, client };
}

describe("Blocking commands", () => {
  it("answer at once when the key is ready", () => {
    const { got, client } = setup();
    const a = client(1);
    a.send("testput", "k", "v");
    a.send("testbpop", "k", "0");
    assert.deepEqual(got, [[1, "OK"], [1, "v"]]);
  });

  it("serve parked clients in FIFO order when the key is written", () => {
    const { t, got, client } = setup();
    const a = client(1);
    const b = client(2);
    const w = client(3);
    assert.equal(a.send("testbpop", "k", "0")?.t, "blocked");
    assert.equal(b.send("testbpop", "k", "0")?.t, "blocked");
    assert.equal(t.engine.blocking.count, 2);
    w.send("testput", "k", "first");
    // The waiter is served as soon as the writing command completes, before its reply is sent.
    assert.deepEqual(got, [[1, "first"], [3, "OK"]]);
    w.send("testput", "k", "second");
    assert.deepEqual(got.slice(2), [[2, "second"], [3, "OK"]]);
    assert.equal(t.engine.blocking.count, 0);
  });

  it("time out with the command's null reply", () => {
    const { t, got, client } = setup();
    const a = client(1);
    a.send("testbpop", "k", "0.5");
    t.advance(499);
    assert.deepEqual(got, []);
    t.advance(1);
    assert.deepEqual(got, [[1, null]]);
    assert.equal(t.engine.blocking.count, 0);
  });

  it("wait on several keys and are served by the first one written", () => {
    const { got, client } = setup();
    const a = client(1);
    a.send("testbpop", "x", "y", "0");
    client(2).send("testput", "y", "v");
    assert.deepEqual(got, [[1, "v"], [2, "OK"]]);
  });

  it("forget a client that disconnects while blocked", () => {
    const { t, got, client } = setup();
    const a = client(1);
    a.send("testbpop", "k", "0");
    t.engine.closeSession(a.session);
    client(2).send("testput", "k", "v");
    assert.deepEqual(got, [[2, "OK"]]);
    assert.equal(t.exec("GET", "k"), "v");
  });

  it("time out at once without a way to wait (no deliver callback)", () => {
    const { t } = setup();
    assert.equal(t.exec("testbpop", "k", "0"), null);
  });

  it("are released by unblock with the timeout reply or the UNBLOCKED error", () => {
    const { t, got, client } = setup();
    const a = client(1);
    const b = client(2);
    a.send("testbpop", "k", "0");
    b.send("testbpop", "k", "0");
    assert.equal(t.engine.blocking.unblock(a.session, false), true);
    assert.equal(t.engine.blocking.unblock(b.session, true), true);
    assert.equal(t.engine.blocking.unblock(b.session, true), false);
    assert.deepEqual(got, [[1, null], [2, { error: "UNBLOCKED client unblocked via CLIENT UNBLOCK" }]]);
  });

  it("settle Engine.execute() promises when served", async () => {
    const { t, client } = setup();
    const s = t.engine.openSession();
    const p = t.engine.execute(s, ["testbpop", "k", "0"]);
    client(2).send("testput", "k", "later");
    assert.deepEqual(plain(await p), "later");
  });
});

describe("CLIENT UNBLOCK", () => {
  it("releases a blocked client with the timeout reply and returns 1", () => {
    const { t, got, client } = setup();
    const a = client(1);
    a.send("testbpop", "k", "0");
    assert.equal(t.exec("CLIENT", "UNBLOCK", a.session.id), 1);
    assert.deepEqual(got, [[1, null]]);
  });
  it("releases with the UNBLOCKED error when asked", () => {
    const { t, got, client } = setup();
    const a = client(1);
    a.send("testbpop", "k", "0");
    assert.equal(t.exec("CLIENT", "UNBLOCK", a.session.id, "ERROR"), 1);
    assert.deepEqual(got, [[1, { error: "UNBLOCKED client unblocked via CLIENT UNBLOCK" }]]);
  });
  it("returns 0 for a client that is not blocked or does not exist", () => {
    const { t } = setup();
    assert.equal(t.exec("CLIENT", "UNBLOCK", t.session.id), 0);
    assert.equal(t.exec("CLIENT", "UNBLOCK", 99999), 0);
  });
  it("rejects an unknown reason and a non-integer id", () => {
    const { t } = setup();
    assert.deepEqual(t.exec("CLIENT", "UNBLOCK", 1, "LATER"), {
      error: "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
    });
    assert.deepEqual(t.exec("CLIENT", "UNBLOCK", "x"), { error: "ERR value is not an integer or out of range" });
  });
});
