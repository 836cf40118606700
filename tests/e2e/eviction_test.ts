/**
 * maxmemory end to end: a real Kite server on this runtime's sockets, its real heap measure
 * and collector, a limit a few megabytes above its baseline, and pipelined writes well past it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Buffer } from "node:buffer";
import { sleep, startKite, withClient, withTimeout } from "../_helpers/client.ts";
import { pipeline } from "../_helpers/resp.ts";
import type { Plain } from "../_helpers/resp.ts";
import { SYSTEM_PROCESS } from "../../src/runtime/process.ts";

const MiB = 1024 * 1024;

function infoField(text: Plain, field: string): number {
  for (const line of String(text).split("\r\n")) {
    if (line.startsWith(field + ":")) return Number(line.slice(field.length + 1));
  }
  throw new Error(`INFO has no ${field}`);
}

/**
 * Sends `count` SETs of `size`-byte values in pipelined batches on a fresh connection and
 * counts the replies (each a single line: +OK or an error). Keeps no reply bytes, so the
 * test's own memory does not pose as the server's data.
 */
function writeMany(port: number, count: number, size: number): Promise<{ ok: number; errors: string[] }> {
  const batch = 250;
  const value = "v".repeat(size);
  return withTimeout(
    new Promise((resolve, reject) => {
      const sock = net.createConnection({ port, host: "127.0.0.1" });
      let sent = 0;
      let answered = 0;
      let ok = 0;
      const errors: string[] = [];
      let tail = "";
      const sendBatch = () => {
        const cmds: string[][] = [];
        for (let i = 0; i < batch && sent < count; i++, sent++) cmds.push(["SET", `key:${sent}`, value]);
        sock.write(pipeline(...cmds));
      };
      sock.on("connect", sendBatch);
      sock.on("error", reject);
      sock.on("data", (d: Buffer) => {
        const text = tail + d.toString("latin1");
        let start = 0;
        for (let nl = text.indexOf("\r\n"); nl >= 0; nl = text.indexOf("\r\n", start)) {
          const line = text.slice(start, nl);
          if (line === "+OK") ok++;
          else if (errors.length < 5) errors.push(line);
          answered++;
          start = nl + 2;
        }
        tail = text.slice(start);
        if (answered === count) {
          sock.end();
          resolve({ ok, errors });
        } else if (answered === sent) {
          sendBatch();
        }
      });
    }),
    60_000,
    "the writes",
  );
}

describe("maxmemory over TCP", () => {
  it("keeps the data set within maxmemory under allkeys-lru while every write succeeds", async () => {
    const server = await startKite({ "maxmemory-policy": "allkeys-lru" });
    try {
      await withClient(server.port, async (c) => {
        // The baseline after a collection, so that garbage of earlier tests does not count.
        SYSTEM_PROCESS.collectGarbageNow?.();
        const base = infoField(await c.plain("INFO", "memory"), "used_memory");
        const limit = base + 16 * MiB;
        assert.equal(await c.plain("CONFIG", "SET", "maxmemory", limit), "OK");
        const n = 50_000;
        const { ok, errors } = await writeMany(server.port, n, 1000);
        assert.deepEqual(errors, []);
        assert.equal(ok, n);
        const evicted = infoField(await c.plain("INFO", "stats"), "evicted_keys");
        const left = Number(await c.plain("DBSIZE"));
        assert.ok(evicted > 0, "keys were evicted");
        assert.equal(left + evicted, n, "every key is either stored or evicted");
        // About 16 MB of 1 KB values, give or take the estimate, transient memory and garbage
        // of earlier tests in this process collected during the run.
        assert.ok(left > 3_000 && left < 20_000, `${left} keys kept`);
        assert.equal(await c.plain("EXISTS", `key:${n - 1}`), 1, "the most recent key is kept");
        // Once the garbage of the evicted keys is collected (the cron does it when a reading is
        // over the limit), used_memory settles at the limit.
        let used = Number.POSITIVE_INFINITY;
        for (let i = 0; i < 100 && used > limit + MiB; i++) {
          await sleep(100);
          used = infoField(await c.plain("INFO", "memory"), "used_memory");
        }
        assert.ok(used <= limit + MiB, `used_memory ${used} settles near maxmemory ${limit}`);
      });
    } finally {
      await server.close();
    }
  });

  it("answers -OOM to writes under noeviction and keeps serving reads", async () => {
    const server = await startKite();
    try {
      await withClient(server.port, async (c) => {
        await c.send("SET", "k", "v");
        await c.send("CONFIG", "SET", "maxmemory", "1");
        await c.send("SET", "k2", "v");
        await c.send("GET", "k");
        await c.send("MULTI");
        await c.send("INCR", "n");
        await c.send("EXEC");
        await c.send("CONFIG", "SET", "maxmemory", "0");
        await c.send("SET", "k2", "v");
        assert.equal(
          (await c.readBytes(9)).toString("latin1"),
          "+OK\r\n+OK\r\n" +
            "-OOM command not allowed when used memory > 'maxmemory'.\r\n" +
            "$1\r\nv\r\n" +
            "+OK\r\n" +
            "-OOM command not allowed when used memory > 'maxmemory'.\r\n" +
            "-EXECABORT Transaction discarded because of previous errors.\r\n" +
            "+OK\r\n+OK\r\n",
        );
      });
    } finally {
      await server.close();
    }
  });
});
