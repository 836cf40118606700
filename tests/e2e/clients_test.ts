/**
 * Real client libraries against Kite over TCP: ioredis, iovalkey and node-redis (RESP2 and
 * RESP3). One behaviour suite runs through a small driver per library, so every library is held
 * to the same expectations.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis as IoRedis } from "ioredis";
import { Redis as IoValkey } from "iovalkey";
import { createClient, RESP_TYPES } from "redis";
import type { Server } from "../../mod.ts";
import { startKite, withTimeout } from "../_helpers/client.ts";

type Key = string | Buffer;

/** The operations the suite needs, mapped onto each library's API. */
interface Driver {
  set(k: Key, v: string | Buffer): Promise<unknown>;
  get(k: Key): Promise<string | null>;
  getBuffer(k: Key): Promise<Buffer | null>;
  incr(k: Key): Promise<number>;
  mget(keys: string[]): Promise<(string | null)[]>;
  del(keys: string[]): Promise<number>;
  expire(k: Key, seconds: number): Promise<number>;
  ttl(k: Key): Promise<number>;
  /** Sends the commands as one pipeline; errors come back as Error values in place. */
  pipeline(cmds: string[][]): Promise<unknown[]>;
  /** Any command, for errors and commands the driver has no method for. */
  raw(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** ioredis and iovalkey share one API (iovalkey is a fork). */
async function ioDriver(lib: "ioredis" | "iovalkey", port: number): Promise<Driver> {
  const opts = {
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    // Fail fast instead of retrying in the background, so a broken server fails the test.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  };
  // iovalkey is a fork with ioredis's API; its own typings only differ nominally.
  const r: IoRedis = lib === "ioredis" ? new IoRedis(opts) : new IoValkey(opts) as unknown as IoRedis;
  await withTimeout(r.connect(), 10_000, "the client to connect");
  const ended = new Promise<void>((resolve) => r.once("end", () => resolve()));
  return {
    set: (k, v) => r.set(k, v),
    get: (k) => r.get(k),
    getBuffer: (k) => r.getBuffer(k),
    incr: (k) => r.incr(k),
    mget: (keys) => r.mget(keys),
    del: (keys) => r.del(keys),
    expire: (k, s) => r.expire(k, s),
    ttl: (k) => r.ttl(k),
    pipeline: async (cmds) => {
      // ioredis maps each row's first element to a method name, which is lower case.
      const res = await r.pipeline(cmds.map(([name, ...args]) => [name!.toLowerCase(), ...args])).exec();
      return (res ?? []).map(([err, value]: [Error | null, unknown]) => err ?? value);
    },
    raw: (args) => r.call(args[0]!, ...args.slice(1)),
    close: async () => {
      r.disconnect();
      await withTimeout(ended, 10_000, "the client to disconnect");
    },
  };
}

async function nodeRedisDriver(port: number, resp: 2 | 3): Promise<Driver> {
  const c = createClient({ socket: { port, host: "127.0.0.1", reconnectStrategy: false }, RESP: resp });
  c.on("error", () => {/* surfaced through the failing command instead */});
  await withTimeout(c.connect(), 10_000, "the client to connect");
  const bin = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  return {
    set: (k, v) => c.set(k, v),
    get: (k) => c.get(k) as Promise<string | null>,
    getBuffer: (k) => bin.get(k) as unknown as Promise<Buffer | null>,
    incr: (k) => c.incr(k),
    mget: (keys) => c.mGet(keys) as Promise<(string | null)[]>,
    del: (keys) => c.del(keys),
    expire: async (k, s) => Number(await c.expire(k, s)),
    ttl: (k) => c.ttl(k),
    // node-redis pipelines the commands issued in one tick (its automatic pipelining).
    pipeline: async (cmds) =>
      (await Promise.allSettled(cmds.map((cmd) => c.sendCommand(cmd)))).map((r) =>
        r.status === "fulfilled" ? r.value : r.reason
      ),
    raw: (args) => c.sendCommand(args),
    close: () => {
      c.destroy();
      return Promise.resolve();
    },
  };
}

/** The behaviour every library must see. */
function clientSuite(name: string, open: (port: number) => Promise<Driver>): void {
  describe(name, () => {
    let server: Server;
    let d: Driver;
    const k = (s: string) => `${name}:${s}`;
    before(async () => {
      server = await startKite();
      d = await open(server.port);
    });
    after(async () => {
      await d?.close();
      await server?.close();
    });

    it("sets and gets a UTF-8 string", async () => {
      assert.equal(await d.set(k("utf8"), "héllo ✓ 日本"), "OK");
      assert.equal(await d.get(k("utf8")), "héllo ✓ 日本");
    });

    it("gets null for a missing key", async () => {
      assert.equal(await d.get(k("missing")), null);
    });

    it("round-trips a binary Buffer containing CR, LF and NUL bytes", async () => {
      const value = Buffer.from([0, 13, 10, 0, 255, 36, 13, 10, 42, 0x80, 0xe2, 0x82]);
      const key = Buffer.from([107, 0, 13, 10, 255]);
      assert.equal(await d.set(key, value), "OK");
      const got = await d.getBuffer(key);
      assert.ok(Buffer.isBuffer(got));
      assert.deepEqual([...got], [...value]);
    });

    it("round-trips a 1 MB Buffer", async () => {
      const value = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 31) & 0xff;
      await d.set(k("mb"), value);
      const got = await d.getBuffer(k("mb"));
      assert.ok(got !== null && got.equals(value));
    });

    it("increments a counter with INCR", async () => {
      assert.equal(await d.incr(k("ctr")), 1);
      assert.equal(await d.incr(k("ctr")), 2);
      await d.set(k("notnum"), "abc");
      await assert.rejects(d.incr(k("notnum")), /ERR value is not an integer or out of range/);
    });

    it("reads several keys with MGET, null for the missing ones", async () => {
      await d.set(k("m1"), "one");
      await d.set(k("m2"), "two");
      assert.deepEqual(await d.mget([k("m1"), k("nope"), k("m2")]), ["one", null, "two"]);
    });

    it("deletes keys with DEL and counts only the existing ones", async () => {
      await d.set(k("d1"), "x");
      await d.set(k("d2"), "y");
      assert.equal(await d.del([k("d1"), k("d2"), k("d3")]), 2);
      assert.equal(await d.get(k("d1")), null);
    });

    it("sets a TTL with EXPIRE and reads it back with TTL", async () => {
      await d.set(k("ttl"), "v");
      assert.equal(await d.ttl(k("ttl")), -1);
      assert.equal(await d.expire(k("ttl"), 100), 1);
      const ttl = await d.ttl(k("ttl"));
      assert.ok(ttl > 90 && ttl <= 100, `TTL ${ttl} not in (90, 100]`);
      assert.equal(await d.ttl(k("no-such-key")), -2);
      assert.equal(await d.expire(k("no-such-key"), 100), 0);
    });

    it("answers a pipeline of 200 commands in order", async () => {
      const cmds: string[][] = [];
      for (let i = 0; i < 100; i++) cmds.push(["SET", k(`p${i}`), `v${i}`], ["GET", k(`p${i}`)]);
      const res = await d.pipeline(cmds);
      assert.equal(res.length, 200);
      for (let i = 0; i < 100; i++) {
        assert.equal(res[2 * i], "OK");
        assert.equal(res[2 * i + 1], `v${i}`);
      }
    });

    it("keeps the other replies of a pipeline when one command fails", async () => {
      const res = await d.pipeline([["SET", k("pe"), "1"], ["GET"], ["GET", k("pe")]]);
      assert.equal(res[0], "OK");
      assert.ok(res[1] instanceof Error);
      assert.match(String((res[1] as Error).message), /wrong number of arguments for 'get' command/);
      assert.equal(res[2], "1");
    });

    it("serves 500 concurrent requests from one connection", async () => {
      await d.set(k("conc"), "same");
      const got = await Promise.all(Array.from({ length: 500 }, () => d.get(k("conc"))));
      assert.ok(got.every((v) => v === "same"));
    });

    it("rejects an unknown command with Valkey's error text", async () => {
      await assert.rejects(
        d.raw(["NOSUCHCMD", "x"]),
        /ERR unknown command 'NOSUCHCMD', with args beginning with: 'x'/,
      );
    });
  });
}

clientSuite("ioredis", (port) => ioDriver("ioredis", port));
clientSuite("iovalkey", (port) => ioDriver("iovalkey", port));
clientSuite("node-redis RESP2", (port) => nodeRedisDriver(port, 2));
clientSuite("node-redis RESP3", (port) => nodeRedisDriver(port, 3));

describe("node-redis explicit pipeline", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server.close();
  });

  it("runs multi().execAsPipeline() and returns every reply in order", async () => {
    const c = createClient({ socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false }, RESP: 2 });
    await c.connect();
    try {
      const res = await c.multi().set("xp:a", "1").get("xp:a").ping().get("xp:none").execAsPipeline();
      assert.deepEqual(res, ["OK", "1", "PONG", null]);
    } finally {
      c.destroy();
    }
  });
});

describe("node-redis RESP3 replies", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server.close();
  });

  it("decodes HELLO 3's map reply into an object with proto 3", async () => {
    const d = await nodeRedisDriver(server.port, 3);
    try {
      const hello = await d.raw(["HELLO", "3"]);
      const proto = hello instanceof Map ? hello.get("proto") : (hello as Record<string, unknown>).proto;
      assert.equal(proto, 3);
      assert.equal(await d.get("resp3:none"), null);
    } finally {
      await d.close();
    }
  });
});

describe("server introspection through the clients' own methods", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ "slowlog-log-slower-than": "0" });
  });
  after(async () => {
    await server.close();
  });

  it("node-redis decodes ROLE as a primary and surfaces CONFIG REWRITE's error", async () => {
    const c = createClient({ socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false } });
    await c.connect();
    try {
      assert.deepEqual(await c.role(), { role: "master", replicationOffest: 0, replicas: [] });
      await assert.rejects(c.configRewrite(), /The server is running without a config file/);
    } finally {
      c.destroy();
    }
  });

  it("ioredis reads SLOWLOG entries and the ROLE reply", async () => {
    const r = new IoRedis({ port: server.port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    await r.connect();
    try {
      await r.client("SETNAME", "io");
      await r.set("slow:k", "v");
      const entries = await r.slowlog("GET", 2) as [number, number, number, string[], string, string][];
      assert.deepEqual(entries[0]!.slice(3), [["set", "slow:k", "v"], entries[0]![4], "io"]);
      assert.match(entries[0]![4], /^127\.0\.0\.1:\d+$/);
      assert.ok(entries[0]![0] > entries[1]![0]);
      assert.deepEqual(await r.role(), ["master", 0, []]);
    } finally {
      r.disconnect();
    }
  });
});
