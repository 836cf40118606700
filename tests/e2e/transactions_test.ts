/**
 * MULTI/EXEC/WATCH end to end: exact RESP bytes, ioredis and node-redis transactions, and a
 * seeded differential run of transaction sequences against redis-server (two connections, so
 * WATCH is exercised by another client's writes).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis as IoRedis } from "ioredis";
import { createClient } from "redis";
import type { Server } from "../../mod.ts";
import { RawClient, sleep, startKite, withTimeout } from "../_helpers/client.ts";
import { type RedisServer, RespConnection, startRedisServer } from "../_helpers/redis_server.ts";

describe("MULTI/EXEC over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server?.close();
  });

  it("answers QUEUED and the EXEC array with exact bytes", async () => {
    const c = await RawClient.connect(server.port);
    try {
      await c.send("MULTI");
      await c.send("SET", "tx:a", "1");
      await c.send("INCR", "tx:a");
      await c.send("LPUSH", "tx:a", "x");
      await c.send("EXEC");
      const bytes = (await c.readBytes(5)).toString("latin1");
      assert.equal(
        bytes,
        "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n+OK\r\n:2\r\n" +
          "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
      );
    } finally {
      await c.close();
    }
  });

  it("aborts with EXECABORT after a queueing error", async () => {
    const c = await RawClient.connect(server.port);
    try {
      await c.send("MULTI");
      await c.send("SET", "tx:b");
      await c.send("EXEC");
      const bytes = (await c.readBytes(3)).toString("latin1");
      assert.equal(
        bytes,
        "+OK\r\n-ERR wrong number of arguments for 'set' command\r\n" +
          "-EXECABORT Transaction discarded because of previous errors.\r\n",
      );
    } finally {
      await c.close();
    }
  });

  it("fails EXEC with *-1 when another connection wrote a watched key", async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    try {
      assert.equal(await a.plain("WATCH", "tx:w"), "OK");
      assert.equal(await b.plain("SET", "tx:w", "1"), "OK");
      await a.send("MULTI");
      await a.send("SET", "tx:w", "2");
      await a.send("EXEC");
      assert.equal((await a.readBytes(3)).toString("latin1"), "+OK\r\n+QUEUED\r\n*-1\r\n");
      assert.equal(await b.plain("GET", "tx:w"), "1");
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("answers a RESP3 EXEC failure with the null type", async () => {
    const c = await RawClient.connect(server.port);
    try {
      await c.call("HELLO", "3");
      await c.call("WATCH", "tx:r3");
      await c.call("SET", "tx:r3", "x");
      await c.call("MULTI");
      await c.send("EXEC");
      assert.equal((await c.readBytes(1)).toString("latin1"), "_\r\n");
    } finally {
      await c.close();
    }
  });
});

describe("MULTI/EXEC with a busy script over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ "busy-reply-threshold": "100" });
  });
  after(async () => {
    await server?.close();
  });

  it("answers BUSY to another connection, and SCRIPT KILL lets EXEC answer with the rest of its queue", async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    try {
      await a.send("MULTI");
      await a.send("SET", "txb:k", "1");
      await a.send("EVAL", "local i = 0 while true do i = i + 1 end", "0");
      await a.send("GET", "txb:k");
      await a.send("INCR", "txb:k");
      await a.send("EXEC");
      const busy = "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
      let seen: unknown;
      for (let i = 0; i < 200; i++) {
        seen = await b.plain("GET", "txb:k");
        if (JSON.stringify(seen) === JSON.stringify({ error: busy })) break;
        await sleep(20);
      }
      assert.deepEqual(seen, { error: busy }, "the server keeps answering other connections");
      assert.equal(await b.plain("SCRIPT", "KILL"), "OK");
      const bytes = (await withTimeout(a.readBytes(6), 10_000, "the EXEC reply")).toString("latin1");
      assert.match(
        bytes,
        new RegExp(
          "^\\+OK\r\n(\\+QUEUED\r\n){4}\\*4\r\n\\+OK\r\n" +
            "-ERR Script killed by user with SCRIPT KILL\\. script: [0-9a-f]{40}, on @user_script:1\\.\r\n" +
            "\\$1\r\n1\r\n:2\r\n$",
        ),
      );
      assert.equal(await b.plain("GET", "txb:k"), "2");
      assert.equal(await a.plain("PING"), "PONG");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("ioredis transactions", () => {
  let server: Server;
  let r: IoRedis;
  let other: IoRedis;
  const opts = () => ({ host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  before(async () => {
    server = await startKite();
    r = new IoRedis({ ...opts(), port: server.port });
    other = new IoRedis({ ...opts(), port: server.port });
    await withTimeout(Promise.all([r.connect(), other.connect()]), 10_000, "ioredis to connect");
  });
  after(async () => {
    r?.disconnect();
    other?.disconnect();
    await server?.close();
  });

  it("runs .multi() and returns each reply with its error", async () => {
    const res = await r.multi().set("io:k", "1").incr("io:k").lpush("io:k", "x").get("io:k").exec();
    assert.ok(res !== null);
    assert.deepEqual(res.map(([e]) => e === null ? null : String((e as Error).message)), [
      null,
      null,
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      null,
    ]);
    assert.deepEqual(res.map(([, v]) => v), ["OK", 2, undefined, "2"]);
  });

  it("rejects .exec() with EXECABORT after a queueing error", async () => {
    await assert.rejects(
      r.multi().set("io:a", "1").call("NOSUCHCOMMAND").exec(),
      /EXECABORT Transaction discarded because of previous errors/,
    );
    assert.equal(await r.get("io:a"), null);
  });

  it("returns null from .exec() when a watched key changed", async () => {
    await r.watch("io:w");
    await other.set("io:w", "changed");
    const res = await r.multi().set("io:w", "mine").exec();
    assert.equal(res, null);
    assert.equal(await r.get("io:w"), "changed");
  });

  it("pipelines transactions among other commands", async () => {
    const res = await r.pipeline([
      ["set", "io:p", "1"],
      ["multi"],
      ["incr", "io:p"],
      ["incr", "io:p"],
      ["exec"],
      ["get", "io:p"],
    ]).exec();
    assert.ok(res !== null);
    assert.deepEqual(res.map(([, v]: [Error | null, unknown]) => v), ["OK", "OK", "QUEUED", "QUEUED", [2, 3], "3"]);
  });
});

describe("node-redis transactions", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server?.close();
  });

  for (const resp of [2, 3] as const) {
    it(`runs .multi() and detects a WATCH conflict (RESP${resp})`, async () => {
      const c = createClient({
        socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false },
        RESP: resp,
      });
      c.on("error", () => {});
      await withTimeout(c.connect(), 10_000, "node-redis to connect");
      const d = c.duplicate();
      d.on("error", () => {});
      await withTimeout(d.connect(), 10_000, "node-redis to connect");
      try {
        const k = `nr${resp}:k`;
        assert.deepEqual(await c.multi().set(k, "1").incr(k).get(k).exec(), ["OK", 2, "2"]);
        await c.watch(k);
        await d.set(k, "other");
        await assert.rejects(c.multi().set(k, "mine").exec(), /One \(or more\) of the watched keys has been changed/);
        assert.equal(await c.get(k), "other");
      } finally {
        c.destroy();
        d.destroy();
      }
    });
  }
});

/** mulberry32: the same sequence on every runtime. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One step of a differential script: which connection sends what. */
type Step = { conn: 0 | 1; argv: string[] };

/**
 * Transaction scripts: connection 0 watches keys, opens MULTI, queues commands (some failing
 * at run time, some rejected while queueing), then EXECs or DISCARDs; connection 1 writes in
 * between, sometimes to a watched key, sometimes flushing.
 */
function transactionScript(seed: number, rounds: number): Step[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const keys = ["d:a", "d:b", "d:c", "d:l"];
  const queued = (): string[] => {
    const k = pick(keys);
    switch (Math.floor(rand() * 10)) {
      case 0:
        return ["SET", k, String(Math.floor(rand() * 100))];
      case 1:
        return ["INCR", k];
      case 2:
        return ["LPUSH", k, "x"];
      case 3:
        return ["GET", k];
      case 4:
        return ["DEL", k];
      case 5:
        return ["LRANGE", k, "0", "-1"];
      case 6:
        return ["EXISTS", k, pick(keys)];
      case 7:
        return rand() < 0.5 ? ["SET", k] : ["NOSUCHCMD", k]; // rejected while queueing
      case 8:
        return ["UNWATCH"];
      default:
        return ["APPEND", k, "z"];
    }
  };
  const steps: Step[] = [];
  for (let r = 0; r < rounds; r++) {
    if (rand() < 0.6) steps.push({ conn: 0, argv: ["WATCH", pick(keys), pick(keys)] });
    if (rand() < 0.4) steps.push({ conn: 1, argv: ["SET", pick(keys), "other"] });
    if (rand() < 0.05) steps.push({ conn: 1, argv: ["FLUSHDB"] });
    if (rand() < 0.1) steps.push({ conn: 0, argv: ["EXEC"] }); // without MULTI
    steps.push({ conn: 0, argv: ["MULTI"] });
    const n = Math.floor(rand() * 5);
    for (let i = 0; i < n; i++) {
      steps.push({ conn: 0, argv: queued() });
      if (rand() < 0.15) steps.push({ conn: 1, argv: ["INCR", pick(keys)] });
    }
    const end = rand();
    steps.push({ conn: 0, argv: end < 0.8 ? ["EXEC"] : end < 0.95 ? ["DISCARD"] : ["EXEC", "extra"] });
    if (rand() < 0.3) steps.push({ conn: 0, argv: ["UNWATCH"] });
    steps.push({ conn: 1, argv: ["MGET", ...keys] });
  }
  return steps;
}

describe("MULTI/EXEC/WATCH differential against redis-server", () => {
  let kite: Server;
  let redis: RedisServer;
  before(async () => {
    kite = await startKite();
    redis = await startRedisServer();
  });
  after(async () => {
    await kite?.close();
    await redis?.stop();
  });

  for (const seed of [1, 2, 3]) {
    it(`answers every reply byte for byte as redis-server (seed ${seed})`, async () => {
      const k = [await RespConnection.connect(kite.port), await RespConnection.connect(kite.port)];
      const r = [await RespConnection.connect(redis.port), await RespConnection.connect(redis.port)];
      try {
        await k[0]!.call(["FLUSHALL"]);
        await r[0]!.call(["FLUSHALL"]);
        const steps = transactionScript(seed, 150);
        let i = 0;
        for (const step of steps) {
          const got = await k[step.conn]!.call(step.argv);
          const want = await r[step.conn]!.call(step.argv);
          assert.equal(
            got.bytes.toString("latin1"),
            want.bytes.toString("latin1"),
            `step ${i} (conn ${step.conn}): ${step.argv.join(" ")}`,
          );
          i++;
        }
        assert.ok(i > 500, `only ${i} steps`);
      } finally {
        for (const c of [...k, ...r]) await c.close();
      }
    });
  }
});
