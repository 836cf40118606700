/**
 * Pub/Sub, keyspace notifications, client-side caching, MONITOR and CLIENT PAUSE end to end:
 * exact RESP2/RESP3 bytes over TCP, 1,000 subscribers, a slow subscriber cut off by
 * `client-output-buffer-limit`, and the subscriber modes of ioredis and node-redis.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis as IoRedis } from "ioredis";
import { createClient } from "redis";
import type { Server } from "../../mod.ts";
import { RawClient, sleep, startKite, waitFor, withTimeout } from "../_helpers/client.ts";
import { Connection } from "../../src/engine/connection.ts";
import type { SocketLike } from "../../src/net/adapter.ts";
import { makeEngine } from "../_helpers/engine.ts";
import { plain } from "../_helpers/resp.ts";

/** INFO field of a Kite server, read in-process. */
function info(server: Server, field: string): string {
  const s = server.engine.openSession();
  const r = server.engine.dispatch(s, ["INFO", "everything"]);
  server.engine.closeSession(s);
  const text = r !== undefined && r.t === "verbatim" ? r.v : "";
  const m = new RegExp(`^${field}:(.*)\\r?$`, "m").exec(text);
  return m?.[1] ?? "";
}

describe("Pub/Sub over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server?.close();
  });

  it("sends RESP2 confirmations and messages as arrays", async () => {
    const sub = await RawClient.connect(server.port);
    const pub = await RawClient.connect(server.port);
    try {
      await sub.send("SUBSCRIBE", "t:a", "t:b");
      assert.equal(
        (await sub.readBytes(2)).toString("latin1"),
        "*3\r\n$9\r\nsubscribe\r\n$3\r\nt:a\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nt:b\r\n:2\r\n",
      );
      assert.equal(await pub.plain("PUBLISH", "t:b", "hi"), 1);
      assert.equal((await sub.readBytes(1)).toString("latin1"), "*3\r\n$7\r\nmessage\r\n$3\r\nt:b\r\n$2\r\nhi\r\n");
      await sub.send("GET", "x");
      assert.equal(
        (await sub.readBytes(1)).toString("latin1"),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      );
      await sub.send("PING");
      assert.equal((await sub.readBytes(1)).toString("latin1"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  it("sends RESP3 pushes beside normal replies, the own message before the PUBLISH reply", async () => {
    const c = await RawClient.connect(server.port);
    try {
      await c.call("HELLO", "3");
      await c.send("SUBSCRIBE", "t:3");
      assert.equal((await c.readBytes(1)).toString("latin1"), ">3\r\n$9\r\nsubscribe\r\n$3\r\nt:3\r\n:1\r\n");
      await c.send("PUBLISH", "t:3", "m");
      assert.equal(
        (await c.readBytes(2)).toString("latin1"),
        ">3\r\n$7\r\nmessage\r\n$3\r\nt:3\r\n$1\r\nm\r\n:1\r\n",
      );
      assert.deepEqual(await c.plain("SET", "t:k", "v"), "OK");
    } finally {
      await c.close();
    }
  });

  it("fans a message out to 1,000 subscriber connections", async () => {
    const subs = await Promise.all(Array.from({ length: 1000 }, () => RawClient.connect(server.port)));
    const pub = await RawClient.connect(server.port);
    try {
      await Promise.all(subs.map(async (s) => {
        await s.send("SUBSCRIBE", "t:wide");
        await s.read(1);
      }));
      assert.equal(await pub.plain("PUBLISH", "t:wide", "one"), 1000);
      assert.equal(await pub.plain("PUBLISH", "t:wide", "two"), 1000);
      const got = await Promise.all(subs.map((s) => s.read(2)));
      for (const msgs of got) {
        assert.deepEqual(msgs.map(plain), [
          ["message", "t:wide", "one"],
          ["message", "t:wide", "two"],
        ]);
      }
    } finally {
      await Promise.all([...subs, pub].map((s) => s.close()));
    }
  });

  it("disconnects a subscriber that stops reading once it passes the pubsub hard limit", async () => {
    const before = Number(info(server, "client_output_buffer_limit_disconnections"));
    const pub = await RawClient.connect(server.port);
    const slow = await RawClient.connect(server.port);
    try {
      assert.equal(await pub.plain("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"), "OK");
      await slow.send("SUBSCRIBE", "t:slow");
      await slow.read(1);
      slow.socket.pause();
      const big = "x".repeat(64 * 1024);
      let delivered = 1;
      for (let i = 0; i < 2000 && delivered > 0; i++) delivered = Number(await pub.plain("PUBLISH", "t:slow", big));
      assert.equal(delivered, 0, "the slow subscriber was dropped");
      await waitFor(
        () => Number(info(server, "client_output_buffer_limit_disconnections")) === before + 1,
        "the disconnection to be counted",
      );
      assert.equal(await pub.plain("PUBSUB", "NUMSUB", "t:slow").then((r) => (r as unknown[])[1]), 0);
    } finally {
      await pub.plain("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60");
      await pub.close();
      await slow.close();
    }
  });

  it("publishes keyspace notifications to TCP subscribers", async () => {
    const c = await RawClient.connect(server.port);
    const w = await RawClient.connect(server.port);
    try {
      await w.plain("CONFIG", "SET", "notify-keyspace-events", "KEA");
      await c.send("PSUBSCRIBE", "__keyevent@0__:*");
      await c.read(1);
      await w.plain("SET", "t:notified", "v");
      assert.deepEqual((await c.read(1)).map(plain), [
        ["pmessage", "__keyevent@0__:*", "__keyevent@0__:set", "t:notified"],
      ]);
    } finally {
      await w.plain("CONFIG", "SET", "notify-keyspace-events", "");
      await c.close();
      await w.close();
    }
  });
});

describe("Client-side caching over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server?.close();
  });

  it("pushes RESP3 invalidations, the own write's after its reply", async () => {
    const c = await RawClient.connect(server.port);
    const w = await RawClient.connect(server.port);
    try {
      await c.call("HELLO", "3");
      assert.equal(await c.plain("CLIENT", "TRACKING", "on"), "OK");
      await c.call("GET", "cc:k");
      await w.call("SET", "cc:k", "v");
      assert.equal((await c.readBytes(1)).toString("latin1"), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\ncc:k\r\n");
      await c.call("GET", "cc:k");
      await c.send("SET", "cc:k", "w");
      await c.send("PING");
      assert.equal(
        (await c.readBytes(3)).toString("latin1"),
        "+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\ncc:k\r\n+PONG\r\n",
      );
    } finally {
      await c.close();
      await w.close();
    }
  });

  it("redirects invalidations to a RESP2 connection subscribed to __redis__:invalidate", async () => {
    const r = await RawClient.connect(server.port);
    const c = await RawClient.connect(server.port);
    try {
      const id = await r.plain("CLIENT", "ID");
      await r.send("SUBSCRIBE", "__redis__:invalidate");
      await r.read(1);
      assert.equal(await c.plain("CLIENT", "TRACKING", "on", "REDIRECT", String(id)), "OK");
      await c.call("GET", "cc:r");
      await c.call("SET", "cc:r", "v");
      assert.equal(
        (await r.readBytes(1)).toString("latin1"),
        "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$4\r\ncc:r\r\n",
      );
    } finally {
      await r.close();
      await c.close();
    }
  });
});

describe("MONITOR over TCP", () => {
  it("streams commands with the client's address", async () => {
    const server = await startKite();
    const m = await RawClient.connect(server.port);
    const c = await RawClient.connect(server.port);
    try {
      assert.equal(await m.plain("MONITOR"), "OK");
      await c.call("SET", "mon:k", "a b");
      await c.call("AUTH", "secret");
      const lines = (await m.read(2)).map((r) => String(plain(r)));
      const addr = `${c.socket.localAddress}:${c.socket.localPort}`;
      assert.match(lines[0]!, new RegExp(`^\\d+\\.\\d{6} \\[0 ${addr.replace(/[.]/g, "\\.")}\\] "SET" "mon:k" "a b"$`));
      assert.match(lines[1]!, / "AUTH" "\(redacted\)"$/);
    } finally {
      await m.close();
      await c.close();
      await server.close();
    }
  });
});

describe("MONITOR over TCP, repeated", () => {
  it("answers nothing to a second MONITOR from a monitoring client", async () => {
    const server = await startKite();
    const m = await RawClient.connect(server.port);
    try {
      await m.send("MONITOR");
      await m.send("MONITOR");
      await m.send("PING");
      const [ok, pong, line] = (await m.read(3)).map((r) => String(plain(r)));
      assert.equal(ok, "OK");
      assert.equal(pong, "PONG");
      assert.match(line!, / "PING"$/);
    } finally {
      await m.close();
      await server.close();
    }
  });
});

describe("CLIENT PAUSE over TCP", () => {
  it("holds a client's writes and the rest of its pipeline until CLIENT UNPAUSE", async () => {
    const server = await startKite();
    const admin = await RawClient.connect(server.port);
    const c = await RawClient.connect(server.port);
    try {
      assert.equal(await admin.plain("CLIENT", "PAUSE", "60000", "WRITE"), "OK");
      assert.equal(await c.plain("GET", "p:k"), null);
      const seen = c.receivedLength;
      await c.send("SET", "p:k", "v");
      await c.send("GET", "p:k");
      await sleep(100);
      assert.equal(c.receivedLength, seen, "no reply while paused");
      assert.equal(info(server, "blocked_clients"), "1");
      assert.equal(await admin.plain("GET", "p:k"), null, "the held SET has not run");
      assert.equal(await admin.plain("CLIENT", "UNPAUSE"), "OK");
      assert.deepEqual((await c.read(2)).map(plain), ["OK", "v"]);
    } finally {
      await admin.close();
      await c.close();
      await server.close();
    }
  });
});

describe("CLIENT REPLY over TCP", () => {
  it("drops replies while OFF, one reply after SKIP, and keeps delivering pushes", async () => {
    const server = await startKite();
    const c = await RawClient.connect(server.port);
    const pub = await RawClient.connect(server.port);
    try {
      await c.call("HELLO", "3");
      await c.send("CLIENT", "REPLY", "OFF");
      await c.send("SET", "r:k", "1");
      await c.send("SUBSCRIBE", "r:ch");
      await waitFor(() => server.engine.pubsub.subscriberCount("channel", "r:ch") === 1, "the subscription");
      assert.equal(await pub.plain("PUBLISH", "r:ch", "m"), 1);
      await c.send("CLIENT", "REPLY", "ON");
      assert.deepEqual((await c.read(2)).map(plain), [["message", "r:ch", "m"], "OK"]);
      await c.send("CLIENT", "REPLY", "SKIP");
      await c.send("INCR", "r:k");
      await c.send("GET", "r:k");
      assert.deepEqual((await c.read(1)).map(plain), ["2"]);
      assert.deepEqual(await c.plain("CLIENT", "REPLY", "maybe"), { error: "ERR syntax error" });
    } finally {
      await c.close();
      await pub.close();
      await server.close();
    }
  });
});

describe("ioredis subscriber mode", () => {
  let server: Server;
  const opts = () => ({ host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server?.close();
  });

  for (const protocol of [2, 3] as const) {
    it(`receives message and pmessage events and counts receivers (RESP${protocol})`, async () => {
      const sub = new IoRedis({ ...opts(), port: server.port, protocol });
      const pub = new IoRedis({ ...opts(), port: server.port, protocol });
      await withTimeout(Promise.all([sub.connect(), pub.connect()]), 10_000, "ioredis to connect");
      try {
        const got: string[][] = [];
        sub.on("message", (ch: string, msg: string) => got.push(["message", ch, msg]));
        sub.on("pmessage", (p: string, ch: string, msg: string) => got.push(["pmessage", p, ch, msg]));
        const ch = `io${protocol}:ch`;
        assert.equal(await sub.subscribe(ch, `io${protocol}:other`), 2);
        assert.equal(await sub.psubscribe(`io${protocol}:*`), 3);
        assert.equal(await pub.publish(ch, "hello"), 2);
        await waitFor(() => got.length === 2, "two events");
        assert.deepEqual(got, [["message", ch, "hello"], ["pmessage", `io${protocol}:*`, ch, "hello"]]);
        if (protocol === 2) {
          await assert.rejects(sub.get("x"), /Connection in subscriber mode, only subscriber commands may be used/);
        } else {
          assert.equal(await sub.get("io:none"), null, "RESP3 runs any command while subscribed");
        }
        // Without arguments ioredis waits for a zero count, which patterns would keep above 0.
        assert.equal(await sub.unsubscribe(ch, `io${protocol}:other`), 1);
        assert.equal(await sub.punsubscribe(`io${protocol}:*`), 0);
        assert.equal(await sub.get("io:none"), null, "back to normal mode");
      } finally {
        sub.disconnect();
        pub.disconnect();
      }
    });
  }

  it("receives keyspace notifications", async () => {
    const sub = new IoRedis({ ...opts(), port: server.port });
    const w = new IoRedis({ ...opts(), port: server.port });
    await withTimeout(Promise.all([sub.connect(), w.connect()]), 10_000, "ioredis to connect");
    try {
      await w.config("SET", "notify-keyspace-events", "Kg$");
      const got: string[] = [];
      sub.on("message", (_ch: string, msg: string) => got.push(msg));
      await sub.subscribe("__keyspace@0__:io:ks");
      await w.set("io:ks", "1");
      await w.expire("io:ks", 100);
      await w.del("io:ks");
      await waitFor(() => got.length === 3, "three notifications");
      assert.deepEqual(got, ["set", "expire", "del"]);
    } finally {
      await w.config("SET", "notify-keyspace-events", "");
      sub.disconnect();
      w.disconnect();
    }
  });
});

describe("node-redis subscriptions and client-side caching", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server?.close();
  });

  for (const resp of [2, 3] as const) {
    it(`delivers subscribe, pSubscribe and sSubscribe messages (RESP${resp})`, async () => {
      const pub = createClient({
        socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false },
        RESP: resp,
      });
      pub.on("error", () => {});
      await withTimeout(pub.connect(), 10_000, "node-redis to connect");
      const sub = pub.duplicate();
      sub.on("error", () => {});
      await withTimeout(sub.connect(), 10_000, "node-redis to connect");
      try {
        const got: string[][] = [];
        await sub.subscribe(`nr${resp}:ch`, (msg, ch) => got.push(["message", ch, msg]));
        await sub.pSubscribe(`nr${resp}:p*`, (msg, ch) => got.push(["pmessage", ch, msg]));
        await sub.sSubscribe(`nr${resp}:s`, (msg, ch) => got.push(["smessage", ch, msg]));
        assert.equal(await pub.publish(`nr${resp}:ch`, "a"), 1);
        assert.equal(await pub.publish(`nr${resp}:px`, "b"), 1);
        assert.equal(await pub.sPublish(`nr${resp}:s`, "c"), 1);
        await waitFor(() => got.length === 3, "three messages");
        assert.deepEqual(got, [
          ["message", `nr${resp}:ch`, "a"],
          ["pmessage", `nr${resp}:px`, "b"],
          ["smessage", `nr${resp}:s`, "c"],
        ]);
        await sub.unsubscribe(`nr${resp}:ch`);
        assert.equal(await pub.publish(`nr${resp}:ch`, "d"), 0);
      } finally {
        pub.destroy();
        sub.destroy();
      }
    });
  }

  it("keeps a RESP3 client-side cache fresh with invalidations", async () => {
    const cached = createClient({
      socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false },
      RESP: 3,
      clientSideCache: { ttl: 0, maxEntries: 0 },
    });
    cached.on("error", () => {});
    await withTimeout(cached.connect(), 10_000, "node-redis to connect");
    const writer = createClient({ socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false } });
    writer.on("error", () => {});
    await withTimeout(writer.connect(), 10_000, "node-redis to connect");
    try {
      await writer.set("csc:k", "v1");
      assert.equal(await cached.get("csc:k"), "v1");
      assert.equal(await cached.get("csc:k"), "v1");
      assert.equal(cached.clientSideCache!.stats().hitCount, 1, "the second read came from the cache");
      await writer.set("csc:k", "v2");
      await waitFor(() => cached.clientSideCache!.size() === 0, "the invalidation");
      assert.equal(await cached.get("csc:k"), "v2");
    } finally {
      cached.destroy();
      writer.destroy();
    }
  });
});

describe("Connection output buffer limits", () => {
  /** A socket that accepts writes but never drains (a client that stopped reading). */
  function stuckSocket(): SocketLike & { closed: boolean } {
    const s = {
      remote: { address: "127.0.0.1", port: 1 },
      local: { address: "127.0.0.1", port: 2 },
      unix: false,
      closed: false,
      write: () => false,
      pause: () => {},
      resume: () => {},
      close: () => (s.closed = true),
      destroy: () => (s.closed = true),
    };
    return s;
  }

  it("closes a subscriber that stays over the soft limit for longer than its seconds", () => {
    const t = makeEngine({ config: { "client-output-buffer-limit": "pubsub 0 1kb 2" } });
    const sock = stuckSocket();
    const conn = new Connection(t.engine, sock);
    conn.onData(new TextEncoder().encode("*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n"));
    const big = "x".repeat(2000);
    t.exec("PUBLISH", "c", big);
    t.advance(1000);
    t.exec("PUBLISH", "c", big);
    assert.equal(sock.closed, false, "over the soft limit for 1 s");
    t.advance(2000);
    t.exec("PUBLISH", "c", big);
    assert.equal(sock.closed, true, "over it for 3 s");
    assert.equal(t.engine.stats.outputBufferLimitDisconnections, 1);
    assert.equal(t.exec("PUBLISH", "c", "x"), 0);
  });

  it("leaves normal clients unlimited by default", () => {
    const t = makeEngine();
    const sock = stuckSocket();
    const conn = new Connection(t.engine, sock);
    conn.session.push!({ t: "bulk", v: "y".repeat(64 * 1024 * 1024) });
    assert.equal(sock.closed, false);
  });

  it("merges a CONFIG SET of some classes into the others", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "client-output-buffer-limit"), [
      "client-output-buffer-limit",
      "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 10",
    ]);
    t.exec("CONFIG", "SET", "client-output-buffer-limit", "replica 1 2 3 normal 4 5 6");
    assert.deepEqual(t.exec("CONFIG", "GET", "client-output-buffer-limit"), [
      "client-output-buffer-limit",
      "normal 4 5 6 slave 1 2 3 pubsub 1048576 524288 10",
    ]);
  });

  it("rejects bad values with Valkey's reasons", () => {
    const t = makeEngine();
    const reason = (v: string) => (t.exec("CONFIG", "SET", "client-output-buffer-limit", v) as { error: string }).error;
    assert.match(reason("pubsub 1mb 512kb"), /Wrong number of arguments in buffer limit configuration\.$/);
    assert.match(reason("master 1 1 1"), /Invalid client class specified in buffer limit configuration\.$/);
    assert.match(reason("foo 1 1 1"), /Invalid client class specified in buffer limit configuration\.$/);
    assert.match(
      reason("pubsub x 1 1"),
      /Error in hard, soft or soft_seconds setting in buffer limit configuration\.$/,
    );
    assert.match(
      reason("pubsub 1 1 -1"),
      /Error in hard, soft or soft_seconds setting in buffer limit configuration\.$/,
    );
  });
});
