/**
 * The `@upstash/redis` SDK against a Kite server's HTTP gateway on loopback, with the SDK's
 * defaults (base64 responses, auto-pipelining, read-your-writes) and with them turned off.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "@upstash/redis";
import { type Server, startServer } from "../../mod.ts";
import { sleep, waitFor, withClient, withTimeout } from "../_helpers/client.ts";

const TOKEN = "sdk-token";
const RO_TOKEN = "sdk-ro-token";

let server: Server;
let url: string;

before(async () => {
  server = await startServer({
    port: 0,
    hostname: "127.0.0.1",
    httpPort: 0,
    config: { "http-token": TOKEN, "http-readonly-token": RO_TOKEN },
  });
  url = `http://127.0.0.1:${server.httpPort}`;
});

after(async () => {
  await server.close();
});

/** SDK options common to every client here: no telemetry headers, no retries on failure. */
const BASE = { enableTelemetry: false, retry: false } as const;

/** Requests answered per endpoint so far (from the gateway's own metrics). */
async function requestCount(endpoint: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  let n = 0;
  for (const m of text.matchAll(/^kite_http_requests_total\{endpoint="([^"]*)",status="\d+"\} (\d+)$/gm)) {
    if (m[1] === endpoint) n += Number(m[2]);
  }
  return n;
}

const MODES = [
  { name: "SDK defaults (base64, auto-pipelining)", opts: {} },
  {
    name: "no base64, no auto-pipelining",
    opts: { responseEncoding: false, enableAutoPipelining: false, readYourWrites: false },
  },
] as const;

for (const mode of MODES) {
  describe(`@upstash/redis with ${mode.name}`, () => {
    let redis: Redis;
    let n = 0;
    // Each test works on keys of its own.
    const k = (name: string) => `${mode.opts === MODES[0].opts ? "d" : "p"}:${n}:${name}`;
    before(() => {
      redis = new Redis({ url, token: TOKEN, ...BASE, ...mode.opts });
    });

    it("writes and reads strings, counters and options", async () => {
      n++;
      assert.equal(await redis.set(k("s"), "hello"), "OK");
      assert.equal(await redis.get(k("s")), "hello");
      assert.equal(await redis.append(k("s"), " world"), 11);
      assert.equal(await redis.getrange(k("s"), 0, 4), "hello");
      assert.equal(await redis.set(k("s"), "x", { nx: true }), null);
      assert.equal(await redis.incr(k("n")), 1);
      assert.equal(await redis.incrby(k("n"), 41), 42);
      assert.equal(await redis.decr(k("n")), 41);
      assert.equal(await redis.incrbyfloat(k("f"), 1.5), 1.5);
      assert.equal(await redis.mset({ [k("a")]: "1", [k("b")]: "two" }), "OK");
      assert.deepEqual(await redis.mget(k("a"), k("b"), k("none")), [1, "two", null]);
      assert.equal(await redis.getdel(k("b")), "two");
      assert.equal(await redis.exists(k("a"), k("b")), 1);
      assert.equal(await redis.del(k("a")), 1);
      assert.equal(await redis.strlen(k("s")), 11);
    });

    it("serializes JSON values and reads them back", async () => {
      n++;
      const obj = { name: "ada", tags: ["x", "y"], nested: { n: 1.5, ok: true } };
      await redis.set(k("obj"), obj);
      assert.deepEqual(await redis.get(k("obj")), obj);
      await redis.set(k("num"), 42);
      assert.equal(await redis.get(k("num")), 42);
      await redis.set(k("bool"), true);
      assert.equal(await redis.get(k("bool")), true);
      await redis.set(k("arr"), [1, "a", null]);
      assert.deepEqual(await redis.get(k("arr")), [1, "a", null]);
      // The server stores JSON text.
      await withClient(server.port, async (c) => {
        assert.equal(await c.plain("GET", k("obj")), JSON.stringify(obj));
        assert.equal(await c.plain("GET", k("bool")), "true");
      });
    });

    it("round-trips unicode text, and binary bytes as far as UTF-8 allows", async () => {
      n++;
      const text = "héllo wörld ✓ 😀 日本語 \u0000 \n end";
      await redis.set(k("u"), text);
      assert.equal(await redis.get(k("u")), text);
      assert.equal(await redis.strlen(k("u")), Buffer.byteLength(text));
      await withClient(server.port, async (c) => {
        await c.plain("SET", k("bin"), Buffer.from([0x61, 0xff, 0x00, 0x62]));
      });
      // Not UTF-8: the SDK decodes with replacement characters (spec 3.2); raw fetch keeps bytes.
      assert.equal(await redis.get(k("bin")), "a\ufffd\u0000b");
      const res = await fetch(`${url}/get/${encodeURIComponent(k("bin"))}`, {
        headers: { authorization: `Bearer ${TOKEN}`, "upstash-encoding": "base64" },
      });
      assert.deepEqual(Buffer.from((await res.json()).result, "base64"), Buffer.from([0x61, 0xff, 0x00, 0x62]));
    });

    it("works with hashes", async () => {
      n++;
      assert.equal(await redis.hset(k("h"), { name: "ada", age: 36, meta: { a: 1 } }), 3);
      assert.equal(await redis.hget(k("h"), "name"), "ada");
      assert.equal(await redis.hget(k("h"), "age"), 36);
      assert.deepEqual(await redis.hgetall(k("h")), { name: "ada", age: 36, meta: { a: 1 } });
      assert.equal(await redis.hincrby(k("h"), "age", 1), 37);
      assert.deepEqual(await redis.hmget(k("h"), "name", "none"), { name: "ada", none: null });
      assert.equal(await redis.hlen(k("h")), 3);
      assert.deepEqual((await redis.hkeys(k("h"))).sort(), ["age", "meta", "name"]);
      assert.equal(await redis.hdel(k("h"), "meta"), 1);
      assert.equal(await redis.hexists(k("h"), "meta"), 0);
    });

    it("works with lists", async () => {
      n++;
      assert.equal(await redis.rpush(k("l"), "a", "b", "c"), 3);
      assert.equal(await redis.lpush(k("l"), "z"), 4);
      assert.deepEqual(await redis.lrange(k("l"), 0, -1), ["z", "a", "b", "c"]);
      assert.equal(await redis.lpop(k("l")), "z");
      assert.equal(await redis.rpop(k("l")), "c");
      assert.equal(await redis.llen(k("l")), 2);
      assert.equal(await redis.lindex(k("l"), 1), "b");
      assert.deepEqual(await redis.lpop(k("l"), 5), ["a", "b"]);
    });

    it("works with sets", async () => {
      n++;
      assert.equal(await redis.sadd(k("s"), "a", "b", "c"), 3);
      assert.equal(await redis.sismember(k("s"), "b"), 1);
      assert.deepEqual((await redis.smembers(k("s"))).sort(), ["a", "b", "c"]);
      assert.equal(await redis.srem(k("s"), "a"), 1);
      assert.equal(await redis.scard(k("s")), 2);
      await redis.sadd(k("t"), "c", "d");
      assert.deepEqual(await redis.sinter(k("s"), k("t")), ["c"]);
    });

    it("works with sorted sets", async () => {
      n++;
      assert.equal(await redis.zadd(k("z"), { score: 1, member: "a" }, { score: 2.5, member: "b" }), 2);
      assert.equal(await redis.zscore(k("z"), "b"), 2.5);
      assert.deepEqual(await redis.zrange(k("z"), 0, -1), ["a", "b"]);
      assert.deepEqual(await redis.zrange(k("z"), 0, -1, { withScores: true }), ["a", 1, "b", 2.5]);
      assert.equal(await redis.zincrby(k("z"), 2, "a"), 3);
      assert.equal(await redis.zrank(k("z"), "a"), 1);
      assert.equal(await redis.zcard(k("z")), 2);
      assert.deepEqual(await redis.zrange(k("z"), 2, 3, { byScore: true }), ["b", "a"]);
    });

    it("sets and reads expiry", async () => {
      n++;
      await redis.set(k("e"), "v", { ex: 100 });
      const ttl = await redis.ttl(k("e"));
      assert.ok(ttl > 98 && ttl <= 100, String(ttl));
      assert.equal(await redis.expire(k("e"), 50), 1);
      assert.ok((await redis.pttl(k("e"))) <= 50_000);
      assert.equal(await redis.persist(k("e")), 1);
      assert.equal(await redis.ttl(k("e")), -1);
      await redis.set(k("short"), "v", { px: 50 });
      await sleep(120);
      assert.equal(await redis.get(k("short")), null);
      assert.equal(await redis.ttl(k("none")), -2);
    });

    it("runs explicit pipelines and transactions", async () => {
      n++;
      const p = redis.pipeline();
      p.set(k("a"), 1);
      p.incr(k("a"));
      p.get(k("a"));
      p.hset(k("h"), { f: "v" });
      assert.deepEqual(await p.exec(), ["OK", 2, 2, 1]);
      const tx = redis.multi();
      tx.set(k("b"), "x");
      tx.get(k("b"));
      tx.del(k("a"));
      assert.deepEqual(await tx.exec(), ["OK", "x", 1]);
      // One failing command fails the SDK's exec() but not the others on the server.
      const bad = redis.pipeline();
      bad.set(k("c"), "text");
      bad.incr(k("c"));
      bad.set(k("d"), "after");
      await assert.rejects(bad.exec(), /ERR value is not an integer or out of range/);
      assert.equal(await redis.get(k("d")), "after");
      const kept = redis.pipeline();
      kept.get(k("c"));
      kept.incr(k("c"));
      const out = await kept.exec({ keepErrors: true });
      assert.equal(out[0]!.result, "text");
      assert.match(String(out[1]!.error), /ERR value is not an integer/);
    });

    it("scans, counts and lists keys on the whole database", async () => {
      n++;
      await redis.set(k("scan1"), "1");
      await redis.set(k("scan2"), "2");
      const [, keys] = await redis.scan(0, { match: k("scan*"), count: 1000 });
      assert.deepEqual(keys.sort(), [k("scan1"), k("scan2")]);
      const [, typed] = await redis.scan(0, { match: k("scan*"), count: 1000, withType: true });
      assert.deepEqual(typed.sort((a, b) => a.key < b.key ? -1 : 1), [
        { key: k("scan1"), type: "string" },
        { key: k("scan2"), type: "string" },
      ]);
      assert.deepEqual((await redis.keys(k("scan*"))).sort(), [k("scan1"), k("scan2")]);
      assert.ok((await redis.dbsize()) >= 2);
      assert.equal(await redis.type(k("scan1")), "string");
      assert.equal(await redis.ping(), "PONG");
      assert.equal(await redis.echo("hi there"), "hi there");
    });

    it("surfaces command errors as exceptions with Valkey's text", async () => {
      n++;
      await redis.set(k("s"), "abc");
      await assert.rejects(redis.incr(k("s")), /ERR value is not an integer or out of range/);
      await assert.rejects(redis.lpush(k("s"), "x"), /WRONGTYPE Operation against a key holding the wrong kind/);
    });

    it("is refused with a wrong token", async () => {
      const bad = new Redis({ url, token: "wrong", ...BASE, ...mode.opts });
      await assert.rejects(bad.get("x"), /WRONGPASS invalid or missing auth token/);
    });

    it("reads but cannot write with the read-only token", async () => {
      n++;
      await redis.set(k("ro"), "v");
      const ro = new Redis({ url, token: RO_TOKEN, ...BASE, ...mode.opts });
      assert.equal(await ro.get(k("ro")), "v");
      await assert.rejects(ro.set(k("ro"), "x"), /NOPERM User default_ro has no permissions to run the 'set' command/);
      await assert.rejects(ro.del(k("ro")), /NOPERM/);
      assert.equal(await redis.get(k("ro")), "v");
    });

    it("sees writes made over RESP at once, and RESP sees its writes at once", async () => {
      n++;
      await withClient(server.port, async (c) => {
        assert.equal(await c.plain("SET", k("from-resp"), "r"), "OK");
        assert.equal(await redis.get(k("from-resp")), "r");
        await redis.set(k("from-http"), "h");
        assert.equal(await c.plain("GET", k("from-http")), "h");
        await redis.hset(k("hh"), { a: "1" });
        assert.deepEqual(await c.plain("HGETALL", k("hh")), ["a", "1"]);
      });
    });
  });
}

describe("@upstash/redis defaults on the wire", () => {
  it("batches commands issued together into one POST /pipeline", async () => {
    const redis = new Redis({ url, token: TOKEN, ...BASE });
    const before = await requestCount("/pipeline");
    const single = await requestCount("/");
    const keys = Array.from({ length: 20 }, (_, i) => `auto:${i}`);
    await Promise.all(keys.map((key, i) => redis.set(key, i)));
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    assert.deepEqual(values, keys.map((_, i) => i));
    const pipelines = (await requestCount("/pipeline")) - before;
    assert.ok(pipelines >= 1 && pipelines <= 4, `${pipelines} pipelines for 40 commands`);
    assert.equal(await requestCount("/"), single);
  });

  it("sends and updates the read-your-writes sync token", async () => {
    const redis = new Redis({ url, token: TOKEN, ...BASE, enableAutoPipelining: false });
    await redis.get("ryw");
    const t0 = redis.readYourWritesSyncToken;
    assert.ok(t0);
    await redis.set("ryw", 1);
    const t1 = redis.readYourWritesSyncToken;
    assert.notEqual(t1, t0);
    await redis.pipeline().set("ryw", 2).set("ryw2", 3).exec();
    assert.notEqual(redis.readYourWritesSyncToken, t1);
  });
});

describe("@upstash/redis subscribe (server-sent events)", () => {
  it("receives messages published by a RESP client", async (t) => {
    if (server.engine.registry.get("subscribe") === undefined) {
      return t.skip("SUBSCRIBE/PUBLISH are not in the command table yet (pub/sub is built separately)");
    }
    const redis = new Redis({ url, token: TOKEN, ...BASE });
    const sub = redis.subscribe<{ text: string } | string>(["chat"]);
    const got: unknown[] = [];
    let subscribed = 0;
    sub.on("subscribe", (count) => (subscribed = count));
    sub.on("message", (m) => got.push(m.message));
    try {
      await waitFor(() => subscribed === 1, "the subscription");
      await withClient(server.port, async (c) => {
        assert.equal(await c.plain("PUBLISH", "chat", "hello"), 1);
        assert.equal(await c.plain("PUBLISH", "chat", '{"text":"hi, there"}'), 1);
      });
      await waitFor(() => got.length === 2, "two messages");
      assert.deepEqual(got, ["hello", { text: "hi, there" }]);
    } finally {
      await sub.unsubscribe();
    }
    // Aborting the request unsubscribes on the server.
    await withTimeout(
      (async () => {
        while (server.engine.clients.size > 0 && [...server.engine.clients.values()].some((s) => s.pubsub)) {
          await sleep(10);
        }
      })(),
      5_000,
      "the SSE session to close",
    );
  });
});
