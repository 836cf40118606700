/**
 * SHUTDOWN end to end: `src/main.ts` run as a child process of the current runtime exits with
 * code 0 when a client sends SHUTDOWN (over a raw connection and through `redis-cli`), also in
 * the middle of a busy script that has written; an in-process server closes on SHUTDOWN.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { RawClient, startKite, withTimeout } from "../_helpers/client.ts";
import { type KiteProcess, mainCommand, startKiteProcess } from "../_helpers/kite_process.ts";

const BUSY = "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

/** Starts `src/main.ts --port 0 ...` and waits for its ready line. */
function startChild(args: string[] = []): Promise<KiteProcess> {
  const [cmd, base] = mainCommand();
  return startKiteProcess(cmd, [...base, "--port", "0", ...args]);
}

/** Runs redis-cli to completion. */
function redisCli(args: string[]): Promise<{ code: number; stdout: string }> {
  return withTimeout(
    new Promise((resolve) => {
      execFile("redis-cli", args, { timeout: 10_000 }, (e, stdout) => {
        resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout: String(stdout) });
      });
    }),
    15_000,
    `redis-cli ${args.join(" ")}`,
  );
}

const HAS_REDIS_CLI = (await redisCli(["--version"]).catch(() => ({ code: 127 }))).code === 0;

describe("SHUTDOWN on kite-server (src/main.ts)", () => {
  it("closes the connection without a reply, disconnects every client and exits 0", async () => {
    const child = await startChild();
    try {
      const a = await RawClient.connect(child.port);
      const b = await RawClient.connect(child.port);
      try {
        assert.equal(await a.plain("SET", "k", "v"), "OK");
        assert.equal(await b.plain("PING"), "PONG");
        await a.send("SHUTDOWN");
        await a.waitClosed();
        await b.waitClosed();
        assert.equal(a.receivedLength, "+OK\r\n".length, "no bytes after SET's reply");
        assert.equal(await child.exit(), 0);
      } finally {
        await a.close();
        await b.close();
      }
      assert.match(child.stderr(), /warning User requested shutdown\.\.\./);
      assert.match(child.stderr(), /warning Kite is now ready to exit, bye bye\.\.\./);
    } finally {
      await child.kill();
    }
  });

  it("answers SHUTDOWN SAVE with Valkey's error and keeps serving (Kite cannot save)", async () => {
    const child = await startChild();
    try {
      const c = await RawClient.connect(child.port);
      try {
        assert.deepEqual(await c.plain("SHUTDOWN", "SAVE"), { error: "ERR Errors trying to SHUTDOWN. Check logs." });
        assert.deepEqual(await c.plain("SHUTDOWN", "ABORT"), { error: "ERR No shutdown in progress." });
        assert.equal(await c.plain("PING"), "PONG");
        await c.send("SHUTDOWN", "NOSAVE");
        await c.waitClosed();
      } finally {
        await c.close();
      }
      assert.equal(await child.exit(), 0);
      assert.match(child.stderr(), /Error trying to save the DB, can't exit\./);
    } finally {
      await child.kill();
    }
  });

  it("stops a busy script that has written on SHUTDOWN NOSAVE and exits 0", async () => {
    const child = await startChild(["--busy-reply-threshold", "100"]);
    try {
      const runner = await RawClient.connect(child.port);
      const other = await RawClient.connect(child.port);
      try {
        await runner.send("EVAL", "redis.call('set', 'x', '1') while true do end", "0");
        let busy: unknown;
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          busy = await other.plain("PING");
          if (typeof busy === "object" && busy !== null) break;
        }
        assert.deepEqual(busy, { error: BUSY });
        assert.deepEqual(await other.plain("SHUTDOWN"), { error: BUSY });
        const kill = await other.plain("SCRIPT", "KILL") as { error: string };
        assert.match(kill.error, /^UNKILLABLE /);
        await other.send("SHUTDOWN", "NOSAVE");
        await other.waitClosed();
        await runner.waitClosed();
        assert.equal(runner.receivedLength, 0, "the script's caller gets no reply");
        assert.equal(await child.exit(), 0);
      } finally {
        await runner.close();
        await other.close();
      }
    } finally {
      await child.kill();
    }
  });

  it("exits 0 on `redis-cli shutdown`", { skip: HAS_REDIS_CLI ? false : "redis-cli is not installed" }, async () => {
    const child = await startChild();
    try {
      assert.equal((await redisCli(["-p", String(child.port), "set", "a", "1"])).stdout.trim(), "OK");
      const r = await redisCli(["-p", String(child.port), "shutdown"]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout.trim(), "");
      assert.equal(await child.exit(), 0);
    } finally {
      await child.kill();
    }
  });
});

describe("SHUTDOWN on an in-process server (startServer)", () => {
  it("closes the server: `closed` settles and clients are disconnected", async () => {
    const server = await startKite();
    try {
      const c = await RawClient.connect(server.port);
      try {
        await c.send("SHUTDOWN");
        await c.waitClosed();
      } finally {
        await c.close();
      }
      await withTimeout(server.closed, 10_000, "the server to close");
      assert.equal(server.engine.shuttingDown, true);
    } finally {
      await server.close();
    }
  });

  it("no longer answers for an engine it served once closed", async () => {
    const server = await startKite();
    await server.close();
    await withTimeout(server.closed, 10_000, "the server to close");
    const s = server.engine.openSession();
    const r = server.engine.dispatch(s, ["SHUTDOWN"]);
    assert.deepEqual(r, { t: "error", msg: "ERR SHUTDOWN is not available: no server owns this embedded engine" });
  });
});
