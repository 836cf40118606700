/**
 * MEMORY and MODULE over real TCP: what `redis-cli --memkeys` and module checks of client
 * libraries send (MEMORY USAGE on every scanned key, MODULE LIST), in RESP2 and RESP3.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import type { Server } from "../../mod.ts";
import { startKite, withClient, withTimeout } from "../_helpers/client.ts";

/** Runs a program to completion. */
function run(cmd: string, args: string[], ms = 20_000): Promise<{ code: number; stdout: string }> {
  return withTimeout(
    new Promise((resolve) => {
      execFile(cmd, args, { timeout: ms }, (err, stdout) => {
        resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout: String(stdout) });
      });
    }),
    ms + 5_000,
    `${cmd} ${args.join(" ")}`,
  );
}

const HAS_REDIS_CLI = (await run("redis-cli", ["--version"]).catch(() => ({ code: 127 }))).code === 0;

describe("MEMORY and MODULE over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("SET", "str", "x".repeat(500)), "OK");
      assert.equal(await c.plain("RPUSH", "list", "a", "b", "c"), 3);
      assert.equal(await c.plain("HSET", "hash", "f", "v"), 1);
    });
  });
  after(async () => {
    await server.close();
  });

  it("answers MEMORY USAGE with an integer per key and a null for a missing one", async () => {
    await withClient(server.port, async (c) => {
      const str = await c.plain("MEMORY", "USAGE", "str");
      assert.ok(typeof str === "number" && str > 500, `${str}`);
      assert.equal(typeof await c.plain("MEMORY", "USAGE", "list", "SAMPLES", "0"), "number");
      await c.send("MEMORY", "USAGE", "absent");
      assert.equal((await c.readBytes(1)).toString("latin1"), "$-1\r\n");
    });
  });

  it("sends MEMORY STATS as a RESP3 map after HELLO 3", async () => {
    await withClient(server.port, async (c) => {
      await c.call("HELLO", "3");
      const stats = await c.call("MEMORY", "STATS");
      assert.equal(stats.type, "map");
      const modules = await c.plain("MODULE", "LIST");
      assert.deepEqual(modules, [{ name: "search", ver: 10000, path: "", args: [] }]);
    });
  });

  it("lets redis-cli --memkeys size every key", {
    skip: HAS_REDIS_CLI ? false : "redis-cli is not installed (apt-get install redis-tools)",
  }, async () => {
    const r = await run("redis-cli", ["-p", String(server.port), "--memkeys"]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /Sampled 3 keys in the keyspace!/);
    assert.match(r.stdout, /Biggest string found '"str"' has \d+ bytes/);
    assert.match(r.stdout, /Biggest\s+list found '"list"' has \d+ bytes/);
    assert.match(r.stdout, /Biggest\s+hash found '"hash"' has \d+ bytes/);
  });
});
