/**
 * The data types (lists, hashes, sets, sorted sets, geo, streams, HyperLogLog, SORT) and the
 * blocking commands through real client libraries over TCP: ioredis (RESP2, and RESP3 with its
 * "resp3" reply mapping) and node-redis (RESP2 and RESP3). Each library runs a realistic workload
 * with its own API, and its decoded results are checked in the shape that library gives them, so
 * a reply whose RESP type is wrong for the protocol (a bulk string where RESP3 wants a double, a
 * flat array where it wants a map) fails here even when the raw text is right.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis as IoRedis } from "ioredis";
import { createClient } from "redis";
import type { Server } from "../../mod.ts";
import { ALL_COMMANDS } from "../../src/commands/index.ts";
import { sleep, startKite, WAIT_MS, withTimeout } from "../_helpers/client.ts";

/** MULTI may land after this file: its blocking test runs once the command exists. */
const HAS_MULTI = ALL_COMMANDS.some((c) => c.name === "multi");

const WRONGTYPE = /^WRONGTYPE Operation against a key holding the wrong kind of value$/;

/** Awaits a command that must fail, and matches the library error's message (not its class name). */
async function rejectsWith(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  });
}

/** The field/value pairs of a flat `[f1, v1, f2, v2, ...]` reply, as an object. */
function pairs(flat: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** A map reply as an object, whether the library gave a flat array, a Map or an object. */
function record(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) return pairs(v);
  if (v instanceof Map) return Object.fromEntries(v);
  assert.ok(v !== null && typeof v === "object", `expected a map reply, got ${String(v)}`);
  return v as Record<string, unknown>;
}

function sorted(v: unknown): string[] {
  assert.ok(Array.isArray(v), `expected an array, got ${String(v)}`);
  return (v as unknown[]).map(String).sort();
}

function near(got: unknown, want: number, eps: number, what: string): void {
  const n = Number(got);
  assert.ok(Math.abs(n - want) <= eps, `${what}: ${String(got)} not within ${eps} of ${want}`);
}

/** `blocked_clients` from an INFO reply. */
function blockedClients(info: string): number {
  const m = /^blocked_clients:(\d+)\r?$/m.exec(info);
  assert.ok(m !== null, "INFO clients has no blocked_clients line");
  return Number(m[1]);
}

/** Polls INFO until `blocked_clients` is `n`, within a deadline. */
async function waitBlocked(info: () => Promise<string>, n: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const got = blockedClients(await info());
    if (got === n) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for blocked_clients:${n} (still ${got})`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------
// ioredis

/** ioredis speaks RESP2, or RESP3 with maps as objects and doubles as numbers. */
type IoMode = { protocol: 2 } | { protocol: 3; replyMapping: "resp3" };

async function openIo(port: number, mode: IoMode): Promise<IoRedis> {
  const r = new IoRedis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    // Fail fast instead of retrying in the background, so a broken server fails the test.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    ...mode,
  }) as unknown as IoRedis;
  await withTimeout(r.connect(), WAIT_MS, "ioredis to connect");
  return r;
}

async function closeIo(r: IoRedis): Promise<void> {
  if (r.status === "end") return;
  const ended = new Promise<void>((resolve) => r.once("end", () => resolve()));
  r.disconnect();
  await withTimeout(ended, WAIT_MS, "ioredis to disconnect");
}

function ioredisTypes(label: string, mode: IoMode): void {
  // RESP3 doubles arrive as numbers under the "resp3" mapping, as strings in RESP2.
  const resp3 = mode.protocol === 3;
  const dbl = (n: number) => (resp3 ? n : String(n));

  describe(`${label} data types`, () => {
    let server: Server;
    let r: IoRedis;
    const k = (s: string) => `io${mode.protocol}:${s}`;
    before(async () => {
      server = await startKite();
      r = await openIo(server.port, mode);
    });
    after(async () => {
      if (r !== undefined) await closeIo(r);
      await server?.close();
    });

    it("runs a job queue with RPUSH, LPOP, LMOVE, LRANGE and deletes the emptied list", async () => {
      const q = k("jobs");
      const done = k("done");
      assert.equal(await r.rpush(q, "j1", "j2", "j3", "j4", "j5"), 5);
      assert.equal(await r.lpush(q, "j0"), 6);
      assert.deepEqual(await r.lrange(q, 0, -1), ["j0", "j1", "j2", "j3", "j4", "j5"]);
      assert.deepEqual(await r.lrange(q, -2, 100), ["j4", "j5"]);
      assert.equal(await r.lpop(q), "j0");
      assert.deepEqual(await r.lpop(q, 2), ["j1", "j2"]);
      assert.equal(await r.rpop(q), "j5");
      assert.equal(await r.llen(q), 2);
      assert.equal(await r.lmove(q, done, "LEFT", "RIGHT"), "j3");
      assert.equal(await r.lmove(q, done, "LEFT", "RIGHT"), "j4");
      assert.equal(await r.lmove(q, done, "LEFT", "RIGHT"), null);
      assert.equal(await r.exists(q), 0);
      assert.deepEqual(await r.lrange(done, 0, -1), ["j3", "j4"]);
      assert.equal(await r.lpop(q), null);
      assert.equal(await r.type(done), "list");
    });

    it("finds elements with LPOS and edits with LTRIM, LINSERT, LSET, LREM, LINDEX", async () => {
      const l = k("letters");
      await r.rpush(l, "a", "b", "c", "a", "b", "c", "a");
      assert.equal(await r.lpos(l, "a"), 0);
      assert.equal(await r.lpos(l, "a", "RANK", 2), 3);
      assert.equal(await r.lpos(l, "a", "RANK", -1), 6);
      assert.deepEqual(await r.lpos(l, "a", "COUNT", 0), [0, 3, 6]);
      assert.deepEqual(await r.lpos(l, "c", "COUNT", 0, "MAXLEN", 4), [2]);
      assert.equal(await r.lpos(l, "zz"), null);
      await rejectsWith(r.lpos(l, "a", "RANK", 0), /^ERR RANK can't be zero/);
      assert.equal(await r.ltrim(l, 1, -2), "OK");
      assert.deepEqual(await r.lrange(l, 0, -1), ["b", "c", "a", "b", "c"]);
      assert.equal(await r.linsert(l, "BEFORE", "a", "X"), 6);
      assert.equal(await r.lset(l, -1, "Z"), "OK");
      assert.equal(await r.lrem(l, 0, "b"), 2);
      assert.deepEqual(await r.lrange(l, 0, -1), ["c", "X", "a", "Z"]);
      assert.equal(await r.lindex(l, 1), "X");
      assert.equal(await r.lindex(l, 10), null);
      await rejectsWith(r.lset(l, 10, "nope"), /^ERR index out of range$/);
    });

    it("keeps order across a 2000-element list and trims it to a window", async () => {
      const big = k("big");
      const values = Array.from({ length: 2000 }, (_, i) => `item-${i}-${"x".repeat(i % 50)}`);
      for (let i = 0; i < values.length; i += 500) assert.ok((await r.rpush(big, ...values.slice(i, i + 500))) > 0);
      assert.equal(await r.llen(big), 2000);
      assert.deepEqual(await r.lrange(big, 998, 1001), values.slice(998, 1002));
      assert.equal(await r.lindex(big, -1), values[1999]);
      assert.equal(await r.lpos(big, values[1500]!), 1500);
      await r.ltrim(big, 100, 199);
      assert.deepEqual(await r.lrange(big, 0, -1), values.slice(100, 200));
    });

    it("stores a user profile with HSET, HGETALL, HINCRBY and HINCRBYFLOAT", async () => {
      const h = k("user:1");
      assert.equal(await r.hset(h, { name: "Ada", email: "ada@example.com", visits: "10", balance: "10.5" }), 4);
      assert.equal(await r.hset(h, "name", "Ada L."), 0);
      assert.deepEqual(await r.hgetall(h), {
        name: "Ada L.",
        email: "ada@example.com",
        visits: "10",
        balance: "10.5",
      });
      assert.equal(await r.hincrby(h, "visits", 5), 15);
      assert.equal(await r.hincrby(h, "visits", -20), -5);
      assert.equal(await r.hincrbyfloat(h, "balance", "0.1"), "10.6");
      assert.equal(await r.hincrbyfloat(h, "balance", "-0.6"), "10");
      assert.equal(await r.hincrbyfloat(h, "balance", "1.5e3"), "1510");
      assert.equal(await r.hincrbyfloat(h, "fresh", "2.25"), "2.25");
      await rejectsWith(r.hincrby(h, "name", 1), /^ERR hash value is not an integer$/);
      await rejectsWith(r.hincrbyfloat(h, "name", "1"), /^ERR hash value is not a float$/);
      assert.deepEqual(await r.hmget(h, "name", "nope", "visits"), ["Ada L.", null, "-5"]);
      assert.equal(await r.hexists(h, "email"), 1);
      assert.equal(await r.hdel(h, "email", "nope"), 1);
      assert.equal(await r.hexists(h, "email"), 0);
      assert.equal(await r.hlen(h), 4);
      assert.equal(await r.hstrlen(h, "name"), 6);
      assert.deepEqual(sorted(await r.hkeys(h)), ["balance", "fresh", "name", "visits"]);
      assert.deepEqual(await r.hgetall(k("no-such-hash")), {});
    });

    it("picks random fields with HRANDFIELD, with and without values", async () => {
      const h = k("rand");
      const all: Record<string, string> = { a: "1", b: "2", c: "3", d: "4", e: "5" };
      await r.hset(h, all);
      const one = await r.hrandfield(h);
      assert.ok(typeof one === "string" && one in all, `HRANDFIELD gave ${String(one)}`);
      const three = (await r.hrandfield(h, 3)) as unknown as string[];
      assert.equal(three.length, 3);
      assert.equal(new Set(three).size, 3, "a positive count gives distinct fields");
      assert.ok(three.every((f) => f in all));
      const many = (await r.hrandfield(h, -20)) as unknown as string[];
      assert.equal(many.length, 20, "a negative count may repeat fields");
      assert.ok(many.every((f) => f in all));
      assert.deepEqual(sorted(await r.hrandfield(h, 10)), Object.keys(all).sort());
      const withValues: unknown = await r.hrandfield(h, 2, "WITHVALUES");
      assert.ok(Array.isArray(withValues));
      // RESP3 nests each pair; RESP2 flattens them.
      const got: [string, string][] = resp3
        ? (withValues as [string, string][])
        : Array.from({ length: withValues.length / 2 }, (_, i) => [withValues[2 * i], withValues[2 * i + 1]]);
      assert.equal(got.length, 2);
      for (const [f, v] of got) assert.equal(all[f], v);
      assert.equal(await r.hrandfield(k("no-such-hash")), null);
    });

    it("iterates a 300-field hash with HSCAN until the cursor is 0", async () => {
      const h = k("wide");
      const fields: Record<string, string> = {};
      for (let i = 0; i < 300; i++) fields[`f${i}`] = `v${i}`;
      await r.hset(h, fields);
      const seen = new Map<string, string>();
      let cursor = "0";
      let rounds = 0;
      do {
        const [next, flat] = await r.hscan(h, cursor, "COUNT", 20);
        assert.equal(flat.length % 2, 0);
        for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
        cursor = next;
        assert.ok(++rounds < 1000, "HSCAN did not finish");
      } while (cursor !== "0");
      assert.equal(seen.size, 300);
      for (const [f, v] of Object.entries(fields)) assert.equal(seen.get(f), v);
      // MATCH filters after the fetch: f1, f10-f19 and f100-f199.
      const matched = new Set<string>();
      cursor = "0";
      do {
        const [next, flat] = await r.hscan(h, cursor, "MATCH", "f1*", "COUNT", 50);
        for (let i = 0; i < flat.length; i += 2) matched.add(flat[i]!);
        cursor = next;
      } while (cursor !== "0");
      assert.equal(matched.size, 111);
    });

    it("tags items with SADD, SMEMBERS, SINTER, SUNIONSTORE, SDIFF and SMISMEMBER", async () => {
      const a = k("tags:a");
      const b = k("tags:b");
      assert.equal(await r.sadd(a, "redis", "db", "cache", "fast"), 4);
      assert.equal(await r.sadd(a, "db"), 0);
      assert.equal(await r.sadd(b, "cache", "fast", "kv"), 3);
      assert.deepEqual(sorted(await r.smembers(a)), ["cache", "db", "fast", "redis"]);
      assert.equal(await r.sismember(a, "db"), 1);
      assert.equal(await r.sismember(a, "kv"), 0);
      assert.deepEqual(await r.smismember(a, "db", "kv", "fast"), [1, 0, 1]);
      assert.deepEqual(sorted(await r.sinter(a, b)), ["cache", "fast"]);
      assert.deepEqual(sorted(await r.sdiff(a, b)), ["db", "redis"]);
      assert.equal(await r.sunionstore(k("tags:all"), a, b), 5);
      assert.deepEqual(sorted(await r.smembers(k("tags:all"))), ["cache", "db", "fast", "kv", "redis"]);
      assert.equal(await r.scard(k("tags:all")), 5);
      assert.equal(await r.srem(a, "db", "nope"), 1);
      assert.deepEqual(await r.smembers(k("no-such-set")), []);
      // An empty result stores nothing and removes the destination.
      assert.equal(await r.sinterstore(k("tags:all"), a, k("no-such-set")), 0);
      assert.equal(await r.exists(k("tags:all")), 0);
    });

    it("iterates a 500-member set with SSCAN and an integer set in one pass", async () => {
      const s = k("members");
      const members = Array.from({ length: 500 }, (_, i) => `m${i}`);
      await r.sadd(s, ...members);
      const seen = new Set<string>();
      let cursor = "0";
      let rounds = 0;
      do {
        const [next, batch] = await r.sscan(s, cursor, "COUNT", 50);
        for (const m of batch) seen.add(m);
        cursor = next;
        assert.ok(++rounds < 1000, "SSCAN did not finish");
      } while (cursor !== "0");
      assert.deepEqual([...seen].sort(), [...members].sort());
      await r.sadd(k("ints"), 3, 1, 2);
      const [c, ints] = await r.sscan(k("ints"), 0);
      assert.equal(c, "0");
      assert.deepEqual(sorted(ints), ["1", "2", "3"]);
    });

    it("keeps a leaderboard with ZADD options, ZRANGE forms, ZRANK and ZINCRBY", async () => {
      const lb = k("leaderboard");
      assert.equal(await r.zadd(lb, 100, "alice", 85, "bob", 92, "carol", 70, "dave"), 4);
      assert.equal(await r.zadd(lb, "NX", 1, "alice", 60, "erin"), 1);
      assert.equal(await r.zadd(lb, "XX", "CH", 101, "alice", 999, "zed"), 1);
      assert.equal(await r.zadd(lb, "GT", "CH", 50, "bob"), 0);
      assert.equal(await r.zadd(lb, "GT", "CH", 90, "bob"), 1);
      assert.equal(await r.zadd(lb, "LT", "CH", 95, "carol"), 0);
      assert.equal(await r.zadd(lb, "LT", "CH", 91, "carol"), 1);
      const incr: unknown = await r.zadd(lb, "INCR", 5, "dave");
      assert.equal(incr, dbl(75));
      assert.equal(await r.zadd(lb, "NX", "INCR", 5, "dave"), null);
      await rejectsWith(r.zadd(lb, "NX", "XX", 1, "x"), /^ERR XX and NX options at the same time are not compatible$/);
      const score: unknown = await r.zscore(lb, "alice");
      assert.equal(score, dbl(101));
      assert.equal(await r.zscore(lb, "nobody"), null);
      assert.equal(await r.zcard(lb), 5);
      assert.deepEqual(await r.zrange(lb, 0, "-1"), ["erin", "dave", "bob", "carol", "alice"]);
      const withScores: unknown = await r.zrange(lb, 0, "-1", "WITHSCORES");
      assert.deepEqual(
        withScores,
        resp3
          ? [["erin", 60], ["dave", 75], ["bob", 90], ["carol", 91], ["alice", 101]]
          : ["erin", "60", "dave", "75", "bob", "90", "carol", "91", "alice", "101"],
      );
      assert.deepEqual(await r.zrange(lb, 80, "100", "BYSCORE"), ["bob", "carol"]);
      assert.deepEqual(await r.zrange(lb, "(90", "+inf", "BYSCORE", "LIMIT", 0, 1), ["carol"]);
      assert.deepEqual(await r.zrange(lb, "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 1, 2), ["carol", "bob"]);
      const revScores: unknown = await r.zrange(lb, 0, "1", "REV", "WITHSCORES");
      assert.deepEqual(revScores, resp3 ? [["alice", 101], ["carol", 91]] : ["alice", "101", "carol", "91"]);
      assert.equal(await r.zrank(lb, "alice"), 4);
      assert.equal(await r.zrevrank(lb, "alice"), 0);
      assert.equal(await r.zrank(lb, "nobody"), null);
      const rankScore: unknown = await r.call("ZRANK", lb, "bob", "WITHSCORE");
      assert.deepEqual(rankScore, [2, dbl(90)]);
      const bumped: unknown = await r.zincrby(lb, "10.5", "erin");
      assert.equal(bumped, dbl(70.5));
      assert.equal(await r.zcount(lb, "(70", 91), 4);
      assert.equal(await r.zrem(lb, "zed", "dave"), 1);
      const popped: unknown = await r.zpopmin(lb);
      assert.deepEqual(popped, ["erin", resp3 ? 70.5 : "70.5"]);
    });

    it("sums weekly scores with ZUNIONSTORE WEIGHTS and AGGREGATE", async () => {
      await r.zadd(k("week1"), 1, "a", 2, "b");
      await r.zadd(k("week2"), 3, "b", 4, "c");
      assert.equal(await r.zunionstore(k("total"), 2, k("week1"), k("week2"), "WEIGHTS", 2, 1), 3);
      const total: unknown = await r.zrange(k("total"), 0, "-1", "WITHSCORES");
      assert.deepEqual(total, resp3 ? [["a", 2], ["c", 4], ["b", 7]] : ["a", "2", "c", "4", "b", "7"]);
      assert.equal(
        await r.zunionstore(k("best"), 2, k("week1"), k("week2"), "WEIGHTS", 2, 1, "AGGREGATE", "MAX"),
        3,
      );
      const best: unknown = await r.zrange(k("best"), 0, "-1", "WITHSCORES");
      assert.deepEqual(best, resp3 ? [["a", 2], ["b", 4], ["c", 4]] : ["a", "2", "b", "4", "c", "4"]);
      assert.equal(await r.zinterstore(k("both"), 2, k("week1"), k("week2")), 1);
      assert.equal(await r.zscore(k("both"), "b"), dbl(5));
    });

    it("iterates a 300-member sorted set with ZSCAN, member and score pairs", async () => {
      const z = k("scan");
      const args: (string | number)[] = [];
      for (let i = 0; i < 300; i++) args.push(i / 4, `m${i}`);
      await r.zadd(z, ...args);
      const seen = new Map<string, number>();
      let cursor = "0";
      let rounds = 0;
      do {
        const [next, flat] = await r.zscan(z, cursor, "COUNT", 25);
        for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, Number(flat[i + 1]));
        cursor = next;
        assert.ok(++rounds < 1000, "ZSCAN did not finish");
      } while (cursor !== "0");
      assert.equal(seen.size, 300);
      for (let i = 0; i < 300; i++) assert.equal(seen.get(`m${i}`), i / 4);
    });

    it("locates cities with GEOADD, GEODIST, GEOPOS and GEOSEARCH", async () => {
      const g = k("sicily");
      assert.equal(await r.geoadd(g, 13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"), 2);
      assert.equal(await r.geodist(g, "Palermo", "Catania"), "166274.1516");
      assert.equal(await r.geodist(g, "Palermo", "Catania", "KM"), "166.2742");
      assert.equal(await r.geodist(g, "Palermo", "Atlantis"), null);
      const pos = (await r.geopos(g, "Palermo", "Atlantis")) as unknown[];
      assert.equal(pos.length, 2);
      assert.equal(pos[1], null);
      const [lon, lat] = pos[0] as unknown[];
      if (resp3) {
        assert.equal(typeof lon, "number");
      } else {
        assert.equal(lon, "13.36138933897018433");
        assert.equal(lat, "38.11555639549629859");
      }
      near(lon, 13.361389, 1e-5, "Palermo longitude");
      near(lat, 38.115556, 1e-5, "Palermo latitude");
      assert.deepEqual(await r.geosearch(g, "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "ASC"), [
        "Catania",
        "Palermo",
      ]);
      assert.deepEqual(await r.geosearch(g, "FROMLONLAT", 15, 37, "BYRADIUS", 100, "km"), ["Catania"]);
      const withDist = (await r.geosearch(
        g,
        "FROMMEMBER",
        "Palermo",
        "BYBOX",
        400,
        400,
        "km",
        "DESC",
        "WITHDIST",
        "WITHCOORD",
      )) as unknown[][];
      assert.deepEqual(withDist.map((e) => e[0]), ["Catania", "Palermo"]);
      assert.equal(withDist[0]![1], "166.2742");
      assert.equal(withDist[1]![1], "0.0000");
      const coord = withDist[0]![2] as unknown[];
      near(coord[0], 15.087269, 1e-5, "Catania longitude");
      near(coord[1], 37.502669, 1e-5, "Catania latitude");
      assert.deepEqual(await r.geosearch(g, "FROMLONLAT", 0, 0, "BYRADIUS", 10, "km"), []);
      assert.equal(await r.type(g), "zset");
    });

    it("consumes an event stream with XADD, XRANGE, XREAD and a consumer group", async () => {
      const s = k("events");
      assert.equal(await r.xadd(s, "1-1", "type", "login", "user", "ada"), "1-1");
      assert.equal(await r.xadd(s, "1-2", "type", "click", "page", "/home"), "1-2");
      const id3 = await r.xadd(s, "*", "type", "logout");
      assert.match(String(id3), /^\d+-\d+$/);
      await rejectsWith(
        r.xadd(s, "1-1", "x", "y"),
        /^ERR The ID specified in XADD is equal or smaller than the target stream top item$/,
      );
      assert.equal(await r.xlen(s), 3);
      assert.deepEqual(await r.xrange(s, "-", "+", "COUNT", 2), [
        ["1-1", ["type", "login", "user", "ada"]],
        ["1-2", ["type", "click", "page", "/home"]],
      ]);
      assert.deepEqual(await r.xrevrange(s, "+", "-", "COUNT", 1), [[id3, ["type", "logout"]]]);
      const read: unknown = await r.xread("COUNT", 10, "STREAMS", s, "1-1");
      const expectRead = [["1-2", ["type", "click", "page", "/home"]], [id3, ["type", "logout"]]];
      // A RESP3 XREAD reply is a map of stream name to entries.
      assert.deepEqual(read, resp3 ? { [s]: expectRead } : [[s, expectRead]]);
      assert.equal(await r.xread("STREAMS", s, "$"), null);

      assert.equal(await r.xgroup("CREATE", s, "workers", "0"), "OK");
      await rejectsWith(r.xgroup("CREATE", s, "workers", "0"), /^BUSYGROUP Consumer Group name already exists$/);
      const a: unknown = await r.xreadgroup("GROUP", "workers", "alice", "COUNT", 2, "STREAMS", s, ">");
      const expectA = [["1-1", ["type", "login", "user", "ada"]], ["1-2", ["type", "click", "page", "/home"]]];
      assert.deepEqual(a, resp3 ? { [s]: expectA } : [[s, expectA]]);
      const b: unknown = await r.xreadgroup("GROUP", "workers", "bob", "STREAMS", s, ">");
      assert.deepEqual(b, resp3 ? { [s]: [[id3, ["type", "logout"]]] } : [[s, [[id3, ["type", "logout"]]]]]);
      assert.deepEqual(await r.xpending(s, "workers"), [3, "1-1", id3, [["alice", "2"], ["bob", "1"]]]);
      assert.equal(await r.xack(s, "workers", "1-1"), 1);
      assert.equal(await r.xack(s, "workers", "1-1"), 0);
      const detail = (await r.xpending(s, "workers", "-", "+", 10)) as unknown[][];
      assert.deepEqual(detail.map((e) => [e[0], e[1], e[3]]), [["1-2", "alice", 1], [id3, "bob", 1]]);
      assert.ok(typeof detail[0]![2] === "number" && detail[0]![2] >= 0);
      // Re-reading its own history gives a consumer what it has not acknowledged yet.
      const history: unknown = await r.xreadgroup("GROUP", "workers", "alice", "STREAMS", s, "0");
      const expectHistory = [["1-2", ["type", "click", "page", "/home"]]];
      assert.deepEqual(history, resp3 ? { [s]: expectHistory } : [[s, expectHistory]]);

      const info = record(await r.xinfo("STREAM", s));
      assert.equal(info["length"], 3);
      assert.equal(info["last-generated-id"], id3);
      assert.equal(info["groups"], 1);
      assert.equal(info["entries-added"], 3);
      assert.deepEqual(info["first-entry"], ["1-1", ["type", "login", "user", "ada"]]);
      assert.deepEqual(info["last-entry"], [id3, ["type", "logout"]]);
      const groups = (await r.xinfo("GROUPS", s)) as unknown[];
      assert.equal(groups.length, 1);
      const g0 = record(groups[0]);
      assert.equal(g0["name"], "workers");
      assert.equal(g0["pending"], 2);
      assert.equal(g0["last-delivered-id"], id3);

      assert.ok(/^\d+-\d+$/.test(String(await r.xadd(s, "MAXLEN", 2, "*", "type", "trim"))));
      assert.equal(await r.xlen(s), 2);
      assert.equal(await r.xgroup("CREATE", k("fresh"), "g", "$", "MKSTREAM"), "OK");
      assert.equal(await r.xlen(k("fresh")), 0);
      assert.equal(await r.type(k("fresh")), "stream");
    });

    it("counts unique visitors with PFADD, PFCOUNT and PFMERGE", async () => {
      const hll = k("hll");
      assert.equal(await r.pfadd(hll, "a", "b", "c"), 1);
      assert.equal(await r.pfadd(hll, "a"), 0);
      assert.equal(await r.pfcount(hll), 3);
      const mon = k("visitors:mon");
      const tue = k("visitors:tue");
      await r.pfadd(mon, ...Array.from({ length: 1000 }, (_, i) => `user-${i}`));
      await r.pfadd(tue, ...Array.from({ length: 1000 }, (_, i) => `user-${i + 500}`));
      const monCount = await r.pfcount(mon);
      near(monCount, 1000, 30, "PFCOUNT of 1000 users");
      const union = await r.pfcount(mon, tue);
      near(union, 1500, 45, "PFCOUNT of the union of 1500 users");
      assert.equal(await r.pfmerge(k("visitors:week"), mon, tue), "OK");
      assert.equal(await r.pfcount(k("visitors:week")), union);
      assert.equal(await r.pfcount(k("no-such-hll")), 0);
      assert.equal(await r.getrange(hll, 0, 3), "HYLL");
      await r.set(k("plain"), "not an hll");
      await rejectsWith(r.pfadd(k("plain"), "x"), /^WRONGTYPE Key is not a valid HyperLogLog string value\.$/);
    });

    it("sorts with SORT numerically, ALPHA, DESC LIMIT, BY and GET patterns, and STORE", async () => {
      const ids = k("ids");
      await r.rpush(ids, "3", "1", "2", "10");
      assert.deepEqual(await r.sort(ids), ["1", "2", "3", "10"]);
      assert.deepEqual(await r.sort(ids, "LIMIT", 0, 2, "DESC"), ["10", "3"]);
      assert.deepEqual(await r.sort(ids, "ALPHA"), ["1", "10", "2", "3"]);
      for (const [id, w, name] of [["1", 30, "one"], ["2", 10, "two"], ["3", 20, "three"], ["10", 5, "ten"]] as const) {
        await r.hset(k(`obj:${id}`), { w: String(w), name });
      }
      assert.deepEqual(await r.sort(ids, "BY", k("obj:*->w")), ["10", "2", "3", "1"]);
      assert.deepEqual(await r.sort(ids, "BY", k("obj:*->w"), "GET", "#", "GET", k("obj:*->name")), [
        "10",
        "ten",
        "2",
        "two",
        "3",
        "three",
        "1",
        "one",
      ]);
      assert.deepEqual(await r.sort(ids, "BY", "nosort", "GET", k("obj:*->missing")), [null, null, null, null]);
      assert.equal(await r.sort(ids, "DESC", "STORE", k("sorted")), 4);
      assert.deepEqual(await r.lrange(k("sorted"), 0, -1), ["10", "3", "2", "1"]);
      await r.sadd(k("words"), "pear", "apple");
      await rejectsWith(r.sort(k("words")), /^ERR One or more scores can't be converted into double$/);
      assert.deepEqual(await r.sort(k("words"), "ALPHA"), ["apple", "pear"]);
      assert.deepEqual(await r.call("SORT_RO", ids, "LIMIT", 1, 2), ["2", "3"]);
    });

    it("surfaces WRONGTYPE as a library error with Valkey's text for every type", async () => {
      const str = k("a-string");
      await r.set(str, "v");
      await r.rpush(k("a-list"), "x");
      await r.hset(k("a-hash"), "f", "v");
      const attempts: Promise<unknown>[] = [
        r.lpush(str, "x"),
        r.lrange(k("a-hash"), 0, -1),
        r.hset(str, "f", "v"),
        r.hgetall(k("a-list")),
        r.sadd(k("a-list"), "m"),
        r.zadd(k("a-hash"), 1, "m"),
        r.zscore(k("a-list"), "m"),
        r.geoadd(k("a-list"), 13, 38, "p"),
        r.xadd(k("a-hash"), "*", "f", "v"),
        r.pfcount(k("a-list")),
        r.get(k("a-list")),
        r.blpop(str, 1),
      ];
      // Settled together: replies arrive in one burst, and a rejection must never go unhandled.
      for (const res of await Promise.allSettled(attempts)) {
        assert.equal(res.status, "rejected");
        assert.ok(res.status === "rejected" && res.reason instanceof Error);
        assert.match(res.reason.message, WRONGTYPE);
      }
      await rejectsWith(r.sort(k("a-hash")), WRONGTYPE);
      // The connection carries on after the errors.
      assert.equal(await r.get(str), "v");
    });
  });
}

// ---------------------------------------------------------------------------------------------
// node-redis

type NodeRedis = ReturnType<typeof createClient>;

async function openNode(port: number, resp: 2 | 3): Promise<NodeRedis> {
  const c = createClient({
    socket: { port, host: "127.0.0.1", reconnectStrategy: false },
    RESP: resp,
  }) as unknown as NodeRedis;
  c.on("error", () => {/* surfaced through the failing command instead */});
  await withTimeout(c.connect(), WAIT_MS, "node-redis to connect");
  return c;
}

function nodeRedisTypes(resp: 2 | 3): void {
  describe(`node-redis RESP${resp} data types`, () => {
    let server: Server;
    let c: NodeRedis;
    const k = (s: string) => `nr${resp}:${s}`;
    before(async () => {
      server = await startKite();
      c = await openNode(server.port, resp);
    });
    after(async () => {
      c?.destroy();
      await server?.close();
    });

    it("runs a job queue with rPush, lPop, lMove, lRange and deletes the emptied list", async () => {
      const q = k("jobs");
      const done = k("done");
      assert.equal(await c.rPush(q, ["j1", "j2", "j3", "j4", "j5"]), 5);
      assert.equal(await c.lPush(q, "j0"), 6);
      assert.deepEqual(await c.lRange(q, 0, -1), ["j0", "j1", "j2", "j3", "j4", "j5"]);
      assert.equal(await c.lPop(q), "j0");
      assert.deepEqual(await c.lPopCount(q, 2), ["j1", "j2"]);
      assert.equal(await c.rPop(q), "j5");
      assert.equal(await c.lLen(q), 2);
      assert.equal(await c.lMove(q, done, "LEFT", "RIGHT"), "j3");
      assert.equal(await c.lMove(q, done, "LEFT", "RIGHT"), "j4");
      assert.equal(await c.lMove(q, done, "LEFT", "RIGHT"), null);
      assert.equal(await c.exists(q), 0);
      assert.deepEqual(await c.lRange(done, 0, -1), ["j3", "j4"]);
      assert.equal(await c.lPopCount(q, 2), null);
    });

    it("finds elements with lPos and lPosCount and edits with lTrim, lInsert, lSet, lRem", async () => {
      const l = k("letters");
      await c.rPush(l, ["a", "b", "c", "a", "b", "c", "a"]);
      assert.equal(await c.lPos(l, "a"), 0);
      assert.equal(await c.lPos(l, "a", { RANK: 2 }), 3);
      assert.equal(await c.lPos(l, "a", { RANK: -1 }), 6);
      assert.equal(await c.lPos(l, "zz"), null);
      assert.deepEqual(await c.lPosCount(l, "a", 0), [0, 3, 6]);
      assert.deepEqual(await c.lPosCount(l, "c", 0, { MAXLEN: 4 }), [2]);
      assert.equal(await c.lTrim(l, 1, -2), "OK");
      assert.deepEqual(await c.lRange(l, 0, -1), ["b", "c", "a", "b", "c"]);
      assert.equal(await c.lInsert(l, "BEFORE", "a", "X"), 6);
      assert.equal(await c.lSet(l, -1, "Z"), "OK");
      assert.equal(await c.lRem(l, 0, "b"), 2);
      assert.deepEqual(await c.lRange(l, 0, -1), ["c", "X", "a", "Z"]);
      assert.equal(await c.lIndex(l, 1), "X");
    });

    it("stores a user profile with hSet, hGetAll, hIncrBy and hIncrByFloat", async () => {
      const h = k("user:1");
      assert.equal(await c.hSet(h, { name: "Ada", email: "ada@example.com", visits: 10, balance: "10.5" }), 4);
      // node-redis gives an object for HGETALL in both protocols (a RESP3 map, a RESP2 flat array).
      assert.deepEqual({ ...await c.hGetAll(h) }, {
        name: "Ada",
        email: "ada@example.com",
        visits: "10",
        balance: "10.5",
      });
      assert.equal(await c.hIncrBy(h, "visits", 5), 15);
      assert.equal(await c.hIncrByFloat(h, "balance", 0.1), "10.6");
      assert.equal(await c.hIncrByFloat(h, "balance", -0.6), "10");
      await rejectsWith(c.hIncrBy(h, "name", 1), /^ERR hash value is not an integer$/);
      assert.deepEqual(await c.hmGet(h, ["name", "nope"]), ["Ada", null]);
      assert.equal(await c.hLen(h), 4);
      assert.equal(await c.hDel(h, ["email", "nope"]), 1);
      assert.deepEqual({ ...await c.hGetAll(k("no-such-hash")) }, {});
      const all: Record<string, string> = { a: "1", b: "2", c: "3", d: "4" };
      await c.hSet(k("rand"), all);
      const one = await c.hRandField(k("rand"));
      assert.ok(typeof one === "string" && one in all);
      const two = await c.hRandFieldCount(k("rand"), 2);
      assert.equal(new Set(two).size, 2);
      const withValues = await c.hRandFieldCountWithValues(k("rand"), 3);
      assert.equal(withValues.length, 3);
      for (const { field, value } of withValues) assert.equal(all[String(field)], value);
      assert.equal((await c.hRandFieldCountWithValues(k("rand"), -8)).length, 8);
    });

    it("iterates a 300-field hash with hScan until the cursor is 0", async () => {
      const h = k("wide");
      const fields: Record<string, string> = {};
      for (let i = 0; i < 300; i++) fields[`f${i}`] = `v${i}`;
      await c.hSet(h, fields);
      const seen = new Map<string, string>();
      let cursor = "0";
      let rounds = 0;
      do {
        const res = await c.hScan(h, cursor, { COUNT: 20 });
        for (const { field, value } of res.entries) seen.set(String(field), String(value));
        cursor = String(res.cursor);
        assert.ok(++rounds < 1000, "HSCAN did not finish");
      } while (cursor !== "0");
      assert.equal(seen.size, 300);
      for (const [f, v] of Object.entries(fields)) assert.equal(seen.get(f), v);
    });

    it("tags items with sAdd, sMembers, sInter, sUnionStore and sScan", async () => {
      const a = k("tags:a");
      const b = k("tags:b");
      assert.equal(await c.sAdd(a, ["redis", "db", "cache", "fast"]), 4);
      assert.equal(await c.sAdd(b, ["cache", "fast", "kv"]), 3);
      // A RESP3 set reply still decodes to an array by default.
      const members = await c.sMembers(a);
      assert.ok(Array.isArray(members));
      assert.deepEqual(sorted(members), ["cache", "db", "fast", "redis"]);
      assert.equal(await c.sIsMember(a, "db"), 1);
      assert.deepEqual(await c.smIsMember(a, ["db", "kv"]), [1, 0]);
      assert.deepEqual(sorted(await c.sInter([a, b])), ["cache", "fast"]);
      assert.equal(await c.sUnionStore(k("tags:all"), [a, b]), 5);
      assert.deepEqual(sorted(await c.sMembers(k("tags:all"))), ["cache", "db", "fast", "kv", "redis"]);
      const big = k("members");
      const all = Array.from({ length: 400 }, (_, i) => `m${i}`);
      await c.sAdd(big, all);
      const seen = new Set<string>();
      let cursor = "0";
      let rounds = 0;
      do {
        const res = await c.sScan(big, cursor, { COUNT: 40 });
        for (const m of res.members) seen.add(String(m));
        cursor = String(res.cursor);
        assert.ok(++rounds < 1000, "SSCAN did not finish");
      } while (cursor !== "0");
      assert.deepEqual([...seen].sort(), [...all].sort());
    });

    it("keeps a leaderboard with zAdd options, zRange forms, zRank, zIncrBy and numeric zScore", async () => {
      const lb = k("leaderboard");
      assert.equal(
        await c.zAdd(lb, [
          { score: 100, value: "alice" },
          { score: 85, value: "bob" },
          { score: 92, value: "carol" },
          { score: 70, value: "dave" },
        ]),
        4,
      );
      assert.equal(
        await c.zAdd(lb, [{ score: 1, value: "alice" }, { score: 60, value: "erin" }], { condition: "NX" }),
        1,
      );
      assert.equal(await c.zAdd(lb, { score: 90, value: "bob" }, { comparison: "GT", CH: true }), 1);
      assert.equal(await c.zAdd(lb, { score: 95, value: "carol" }, { comparison: "LT", CH: true }), 0);
      assert.equal(await c.zAddIncr(lb, { score: 5, value: "dave" }), 75);
      // ZSCORE is a RESP3 double and a RESP2 bulk string: node-redis gives a number for both.
      assert.equal(await c.zScore(lb, "alice"), 100);
      assert.equal(await c.zScore(lb, "nobody"), null);
      assert.deepEqual(await c.zRange(lb, 0, -1), ["erin", "dave", "bob", "carol", "alice"]);
      assert.deepEqual(await c.zRangeWithScores(lb, 0, 1), [{ value: "erin", score: 60 }, {
        value: "dave",
        score: 75,
      }]);
      assert.deepEqual(await c.zRange(lb, 80, 100, { BY: "SCORE" }), ["bob", "carol", "alice"]);
      assert.deepEqual(await c.zRange(lb, "+inf", "-inf", { BY: "SCORE", REV: true, LIMIT: { offset: 1, count: 2 } }), [
        "carol",
        "bob",
      ]);
      assert.deepEqual(await c.zRangeWithScores(lb, 0, 0, { REV: true }), [{ value: "alice", score: 100 }]);
      assert.equal(await c.zRank(lb, "alice"), 4);
      assert.equal(await c.zRank(lb, "nobody"), null);
      const rs = await c.zRankWithScore(lb, "bob");
      assert.ok(rs !== null);
      assert.equal(Number(rs.rank), 2);
      assert.equal(rs.score, 90);
      assert.equal(await c.zIncrBy(lb, 10.5, "erin"), 70.5);
      await c.zAdd(k("week1"), [{ score: 1, value: "a" }, { score: 2, value: "b" }]);
      await c.zAdd(k("week2"), [{ score: 3, value: "b" }, { score: 4, value: "c" }]);
      assert.equal(
        await c.zUnionStore(k("total"), [{ key: k("week1"), weight: 2 }, { key: k("week2"), weight: 1 }]),
        3,
      );
      assert.deepEqual(await c.zRangeWithScores(k("total"), 0, -1), [
        { value: "a", score: 2 },
        { value: "c", score: 4 },
        { value: "b", score: 7 },
      ]);
      assert.equal(
        await c.zUnionStore(k("best"), [{ key: k("week1"), weight: 2 }, { key: k("week2"), weight: 1 }], {
          AGGREGATE: "MAX",
        }),
        3,
      );
      assert.deepEqual(await c.zRangeWithScores(k("best"), 0, -1), [
        { value: "a", score: 2 },
        { value: "b", score: 4 },
        { value: "c", score: 4 },
      ]);
      const z = k("scan");
      await c.zAdd(z, Array.from({ length: 200 }, (_, i) => ({ score: i / 2, value: `m${i}` })));
      const seen = new Map<string, number>();
      let cursor = "0";
      do {
        const res = await c.zScan(z, cursor, { COUNT: 30 });
        for (const { value, score } of res.members) seen.set(String(value), score);
        cursor = String(res.cursor);
      } while (cursor !== "0");
      assert.equal(seen.size, 200);
      for (let i = 0; i < 200; i++) assert.equal(seen.get(`m${i}`), i / 2);
    });

    it("locates cities with geoAdd, geoDist, geoPos and geoSearchWith", async () => {
      const g = k("sicily");
      assert.equal(
        await c.geoAdd(g, [
          { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
          { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
        ]),
        2,
      );
      assert.equal(await c.geoDist(g, "Palermo", "Catania", "km"), 166.2742);
      assert.equal(await c.geoDist(g, "Palermo", "Atlantis"), null);
      const pos = await c.geoPos(g, ["Palermo", "Atlantis"]);
      assert.equal(pos[1], null);
      const p = pos[0];
      assert.ok(p !== null && p !== undefined);
      // RESP3 sends coordinates as doubles, RESP2 as bulk strings.
      assert.equal(typeof p.longitude, resp === 3 ? "number" : "string");
      if (resp === 2) assert.equal(p.longitude, "13.36138933897018433");
      near(p.longitude, 13.361389, 1e-5, "Palermo longitude");
      near(p.latitude, 38.115556, 1e-5, "Palermo latitude");
      assert.deepEqual(
        await c.geoSearch(g, { longitude: 15, latitude: 37 }, { radius: 200, unit: "km" }, { SORT: "ASC" }),
        ["Catania", "Palermo"],
      );
      const found = await c.geoSearchWith(g, "Palermo", { width: 400, height: 400, unit: "km" }, [
        "WITHDIST",
        "WITHCOORD",
      ], { SORT: "DESC" });
      assert.deepEqual(found.map((f) => f.member), ["Catania", "Palermo"]);
      near(found[0]!.distance, 166.2742, 1e-9, "Catania distance");
      near(found[0]!.coordinates?.longitude, 15.087269, 1e-5, "Catania longitude");
      near(found[0]!.coordinates?.latitude, 37.502669, 1e-5, "Catania latitude");
    });

    it("consumes an event stream with xAdd, xRange, xRead, xReadGroup, xAck, xPending and xInfoStream", async () => {
      const s = k("events");
      assert.equal(await c.xAdd(s, "1-1", { type: "login", user: "ada" }), "1-1");
      assert.equal(await c.xAdd(s, "1-2", { type: "click" }), "1-2");
      const id3 = await c.xAdd(s, "*", { type: "logout" });
      assert.match(id3, /^\d+-\d+$/);
      assert.deepEqual(await c.xRange(s, "-", "+", { COUNT: 2 }), [
        { id: "1-1", message: { type: "login", user: "ada" } },
        { id: "1-2", message: { type: "click" } },
      ]);
      const read = await c.xRead({ key: s, id: "1-1" }, { COUNT: 10 });
      assert.deepEqual(JSON.parse(JSON.stringify(read)), [{
        name: s,
        messages: [{ id: "1-2", message: { type: "click" } }, { id: id3, message: { type: "logout" } }],
      }]);
      assert.equal(await c.xRead({ key: s, id: "$" }), null);
      assert.equal(await c.xGroupCreate(s, "workers", "0"), "OK");
      await rejectsWith(c.xGroupCreate(s, "workers", "0"), /^BUSYGROUP Consumer Group name already exists$/);
      const got = await c.xReadGroup("workers", "alice", { key: s, id: ">" }, { COUNT: 2 });
      assert.deepEqual(JSON.parse(JSON.stringify(got)), [{
        name: s,
        messages: [{ id: "1-1", message: { type: "login", user: "ada" } }, { id: "1-2", message: { type: "click" } }],
      }]);
      await c.xReadGroup("workers", "bob", { key: s, id: ">" });
      assert.deepEqual(await c.xPending(s, "workers"), {
        pending: 3,
        firstId: "1-1",
        lastId: id3,
        consumers: [{ name: "alice", deliveriesCounter: 2 }, { name: "bob", deliveriesCounter: 1 }],
      });
      assert.equal(await c.xAck(s, "workers", "1-1"), 1);
      const range = await c.xPendingRange(s, "workers", "-", "+", 10);
      assert.deepEqual(range.map((e) => [e.id, e.consumer, e.deliveriesCounter]), [
        ["1-2", "alice", 1],
        [id3, "bob", 1],
      ]);
      const info = record(await c.xInfoStream(s));
      assert.equal(info["length"], 3);
      assert.equal(info["last-generated-id"], id3);
      assert.equal(info["groups"], 1);
      assert.deepEqual(JSON.parse(JSON.stringify(info["first-entry"])), {
        id: "1-1",
        message: { type: "login", user: "ada" },
      });
      assert.deepEqual(JSON.parse(JSON.stringify(info["last-entry"])), { id: id3, message: { type: "logout" } });
      assert.equal(await c.xGroupCreate(k("fresh"), "g", "$", { MKSTREAM: true }), "OK");
      assert.equal(await c.xLen(k("fresh")), 0);
    });

    it("counts unique visitors with pfAdd, pfCount and pfMerge", async () => {
      const mon = k("visitors:mon");
      const tue = k("visitors:tue");
      assert.equal(await c.pfAdd(mon, Array.from({ length: 1000 }, (_, i) => `user-${i}`)), 1);
      assert.equal(await c.pfAdd(mon, "user-1"), 0);
      await c.pfAdd(tue, Array.from({ length: 1000 }, (_, i) => `user-${i + 500}`));
      near(await c.pfCount(mon), 1000, 30, "PFCOUNT of 1000 users");
      const union = await c.pfCount([mon, tue]);
      near(union, 1500, 45, "PFCOUNT of the union");
      assert.equal(await c.pfMerge(k("visitors:week"), [mon, tue]), "OK");
      assert.equal(await c.pfCount(k("visitors:week")), union);
    });

    it("sorts with sort BY and GET patterns, LIMIT, ALPHA and sortStore", async () => {
      const ids = k("ids");
      await c.rPush(ids, ["3", "1", "2", "10"]);
      assert.deepEqual(await c.sort(ids), ["1", "2", "3", "10"]);
      assert.deepEqual(await c.sort(ids, { DIRECTION: "DESC", LIMIT: { offset: 0, count: 2 } }), ["10", "3"]);
      assert.deepEqual(await c.sort(ids, { ALPHA: true }), ["1", "10", "2", "3"]);
      for (const [id, w] of [["1", 30], ["2", 10], ["3", 20], ["10", 5]] as const) {
        await c.set(k(`w:${id}`), String(w));
        await c.set(k(`name:${id}`), `n${id}`);
      }
      assert.deepEqual(await c.sort(ids, { BY: k("w:*"), GET: ["#", k("name:*")] }), [
        "10",
        "n10",
        "2",
        "n2",
        "3",
        "n3",
        "1",
        "n1",
      ]);
      assert.equal(await c.sortStore(ids, k("sorted"), { DIRECTION: "DESC" }), 4);
      assert.deepEqual(await c.lRange(k("sorted"), 0, -1), ["10", "3", "2", "1"]);
    });

    it("surfaces WRONGTYPE as a library error with Valkey's text", async () => {
      await c.set(k("a-string"), "v");
      await c.rPush(k("a-list"), "x");
      await rejectsWith(c.lPush(k("a-string"), "x"), WRONGTYPE);
      await rejectsWith(c.hGetAll(k("a-list")), WRONGTYPE);
      await rejectsWith(c.zScore(k("a-list"), "m"), WRONGTYPE);
      await rejectsWith(c.sMembers(k("a-string")), WRONGTYPE);
      await rejectsWith(c.xAdd(k("a-list"), "*", { f: "v" }), WRONGTYPE);
      await rejectsWith(c.blPop(k("a-string"), 1), WRONGTYPE);
      assert.equal(await c.get(k("a-string")), "v");
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Blocking commands, through one small driver per library so every library meets the same suite.

/** A stream read as `[stream name, [[id, {field: value}]]]`, whatever the library's shape. */
type StreamRead = [string, [string, Record<string, string>][]][];

/** One dedicated connection; blocking calls park it, so each waiter opens its own. */
interface Conn {
  blpop(keys: string[], timeout: number): Promise<[string, string] | null>;
  brpop(keys: string[], timeout: number): Promise<[string, string] | null>;
  brpoplpush(src: string, dst: string, timeout: number): Promise<string | null>;
  /** BLMPOP timeout numkeys keys... LEFT COUNT count */
  blmpop(keys: string[], timeout: number, count: number): Promise<[string, string[]] | null>;
  bzpopmin(key: string, timeout: number): Promise<[string, string, number] | null>;
  bzpopmax(key: string, timeout: number): Promise<[string, string, number] | null>;
  /** BZMPOP timeout numkeys keys... MIN COUNT count */
  bzmpop(keys: string[], timeout: number, count: number): Promise<[string, [string, number][]] | null>;
  blmove(src: string, dst: string, timeout: number): Promise<string | null>;
  xreadBlock(key: string, ms: number): Promise<StreamRead | null>;
  xreadgroupBlock(key: string, group: string, consumer: string, ms: number): Promise<StreamRead | null>;
  /** BLPOP inside MULTI/EXEC: the single reply EXEC holds. */
  blpopInMulti(key: string): Promise<unknown>;
  rpush(key: string, ...values: string[]): Promise<number>;
  zadd(key: string, score: number, member: string): Promise<number>;
  xadd(key: string, fields: Record<string, string>): Promise<string>;
  xgroupCreate(key: string, group: string): Promise<string>;
  lrange(key: string): Promise<string[]>;
  select(db: number): Promise<unknown>;
  clientId(): Promise<number>;
  clientUnblock(id: number, mode: "TIMEOUT" | "ERROR"): Promise<number>;
  info(): Promise<string>;
  raw(args: string[]): Promise<unknown>;
  /** Drops the connection at once, whatever is pending on it. */
  close(): Promise<void>;
}

function streamPairs(fields: unknown): Record<string, string> {
  const flat = fields as string[];
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** ioredis's stream reply: `[[name, entries]]` in RESP2, `{name: entries}` under the RESP3 mapping. */
function ioStreams(v: unknown, resp3: boolean): StreamRead | null {
  if (v === null) return null;
  const rows = resp3 ? Object.entries(v as Record<string, unknown>) : (v as [string, unknown][]);
  if (resp3) assert.ok(!Array.isArray(v), "a RESP3 stream read is a map");
  return rows.map(([name, entries]) => [
    name,
    (entries as [string, unknown][]).map(([id, fields]) =>
      [id, streamPairs(fields)] as [string, Record<string, string>]
    ),
  ]);
}

function ioConn(r: IoRedis, resp3: boolean): Conn {
  return {
    blpop: async (keys, t) => (await r.blpop(keys, t)) as [string, string] | null,
    brpop: async (keys, t) => (await r.brpop(keys, t)) as [string, string] | null,
    brpoplpush: (src, dst, t) => r.brpoplpush(src, dst, t),
    blmpop: async (keys, t, count) =>
      (await r.blmpop(t, keys.length, keys, "LEFT", "COUNT", count)) as [string, string[]] | null,
    bzpopmin: async (key, t) => {
      const v = (await r.bzpopmin(key, t)) as unknown as [string, string, unknown] | null;
      if (v === null) return null;
      assert.equal(typeof v[2], resp3 ? "number" : "string", "BZPOPMIN score type");
      return [v[0], v[1], Number(v[2])];
    },
    bzpopmax: async (key, t) => {
      const v = (await r.bzpopmax(key, t)) as unknown as [string, string, unknown] | null;
      if (v === null) return null;
      assert.equal(typeof v[2], resp3 ? "number" : "string", "BZPOPMAX score type");
      return [v[0], v[1], Number(v[2])];
    },
    bzmpop: async (keys, t, count) => {
      const v = (await r.call("BZMPOP", t, keys.length, ...keys, "MIN", "COUNT", count)) as
        | [string, [string, unknown][]]
        | null;
      if (v === null) return null;
      for (const [, score] of v[1]) assert.equal(typeof score, resp3 ? "number" : "string", "BZMPOP score type");
      return [v[0], v[1].map(([m, score]) => [m, Number(score)] as [string, number])];
    },
    blmove: (src, dst, t) => r.blmove(src, dst, "LEFT", "RIGHT", t),
    xreadBlock: async (key, ms) => ioStreams(await r.xread("BLOCK", ms, "STREAMS", key, "$"), resp3),
    xreadgroupBlock: async (key, group, consumer, ms) =>
      ioStreams(await r.xreadgroup("GROUP", group, consumer, "BLOCK", ms, "STREAMS", key, ">"), resp3),
    blpopInMulti: async (key) => {
      const res = await r.multi().blpop(key, 0).exec();
      assert.ok(res !== null && res.length === 1);
      assert.equal(res[0]![0], null);
      return res[0]![1];
    },
    rpush: (key, ...values) => r.rpush(key, ...values),
    zadd: async (key, score, member) => Number(await r.zadd(key, score, member)),
    xadd: async (key, fields) => String(await r.xadd(key, "*", ...Object.entries(fields).flat())),
    xgroupCreate: async (key, group) => String(await r.xgroup("CREATE", key, group, "$", "MKSTREAM")),
    lrange: (key) => r.lrange(key, 0, -1),
    select: (db) => r.select(db),
    clientId: () => r.client("ID"),
    clientUnblock: async (id, mode) =>
      Number(await (mode === "TIMEOUT" ? r.client("UNBLOCK", id, "TIMEOUT") : r.client("UNBLOCK", id, "ERROR"))),
    info: () => r.info("clients"),
    raw: (args) => r.call(args[0]!, ...args.slice(1)),
    close: async () => {
      if (r.status === "end") return;
      const ended = new Promise<void>((resolve) => r.once("end", () => resolve()));
      r.disconnect();
      await withTimeout(ended, WAIT_MS, "ioredis to disconnect");
    },
  };
}

/** node-redis's stream reply: `[{name, messages: [{id, message}]}]` in both protocols. */
function nodeStreams(v: unknown): StreamRead | null {
  if (v === null) return null;
  return (v as { name: string; messages: { id: string; message: Record<string, string> }[] }[]).map((s) => [
    String(s.name),
    s.messages.map((m) => [String(m.id), { ...m.message }] as [string, Record<string, string>]),
  ]);
}

function nodeConn(c: NodeRedis): Conn {
  return {
    blpop: async (keys, t) => {
      const v = await c.blPop(keys, t);
      return v === null ? null : [String(v.key), String(v.element)];
    },
    brpop: async (keys, t) => {
      const v = await c.brPop(keys, t);
      return v === null ? null : [String(v.key), String(v.element)];
    },
    brpoplpush: async (src, dst, t) => {
      const v = await c.brPopLPush(src, dst, t);
      return v === null ? null : String(v);
    },
    blmpop: async (keys, t, count) => {
      const v = (await c.blmPop(t, keys, "LEFT", { COUNT: count })) as unknown as [string, string[]] | null;
      return v === null ? null : [String(v[0]), v[1].map(String)];
    },
    bzpopmin: async (key, t) => {
      const v = await c.bzPopMin(key, t);
      if (v === null) return null;
      assert.equal(typeof v.score, "number", "node-redis decodes the BZPOPMIN score as a number");
      return [String(v.key), String(v.value), v.score];
    },
    bzpopmax: async (key, t) => {
      const v = await c.bzPopMax(key, t);
      if (v === null) return null;
      assert.equal(typeof v.score, "number", "node-redis decodes the BZPOPMAX score as a number");
      return [String(v.key), String(v.value), v.score];
    },
    bzmpop: async (keys, t, count) => {
      const v = await c.bzmPop(t, keys, "MIN", { COUNT: count });
      if (v === null) return null;
      return [String(v.key), v.members.map((m) => [String(m.value), m.score] as [string, number])];
    },
    blmove: async (src, dst, t) => {
      const v = await c.blMove(src, dst, "LEFT", "RIGHT", t);
      return v === null ? null : String(v);
    },
    xreadBlock: async (key, ms) => nodeStreams(await c.xRead({ key, id: "$" }, { BLOCK: ms })),
    xreadgroupBlock: async (key, group, consumer, ms) =>
      nodeStreams(await c.xReadGroup(group, consumer, { key, id: ">" }, { BLOCK: ms })),
    blpopInMulti: async (key) => {
      const res = await c.multi().blPop(key, 0).exec();
      assert.equal(res.length, 1);
      return res[0];
    },
    rpush: (key, ...values) => c.rPush(key, values),
    zadd: (key, score, member) => c.zAdd(key, { score, value: member }),
    xadd: async (key, fields) => String(await c.xAdd(key, "*", fields)),
    xgroupCreate: async (key, group) => String(await c.xGroupCreate(key, group, "$", { MKSTREAM: true })),
    lrange: async (key) => (await c.lRange(key, 0, -1)).map(String),
    select: (db) => c.select(db),
    clientId: () => c.clientId(),
    clientUnblock: (id, mode) => c.clientUnblock(id, mode),
    info: async () => String(await c.info("clients")),
    raw: (args) => c.sendCommand(args),
    close: () => {
      c.destroy();
      return Promise.resolve();
    },
  };
}

/** Waits until the server reports a blocking call parked (`total` blocked clients in all). */
async function parked(ctl: Conn, call: Promise<unknown>, total: number): Promise<void> {
  // Keep a rejection from surfacing as unhandled while we poll; the test awaits `call` itself.
  call.catch(() => {});
  await waitBlocked(() => ctl.info(), total);
}

function blockingSuite(label: string, open: (port: number) => Promise<Conn>): void {
  describe(`${label} blocking commands`, () => {
    let server: Server;
    let ctl: Conn;
    const conns: Conn[] = [];
    const k = (s: string) => `${label}:${s}`;
    /** A dedicated connection for one blocking call, closed after the suite. */
    const waiter = async (): Promise<Conn> => {
      const c = await open(server.port);
      conns.push(c);
      return c;
    };
    before(async () => {
      server = await startKite();
      ctl = await open(server.port);
    });
    after(async () => {
      for (const c of conns) await c.close();
      await ctl?.close();
      await server?.close();
    });

    it("serves BLPOP with timeout 0 when another connection pushes, on the key that got data", async () => {
      const a = await waiter();
      const p = a.blpop([k("q1"), k("q2")], 0);
      await parked(ctl, p, 1);
      assert.equal(await ctl.rpush(k("q2"), "job-1"), 1);
      assert.deepEqual(await withTimeout(p, WAIT_MS, "BLPOP"), [k("q2"), "job-1"]);
      assert.deepEqual(await ctl.lrange(k("q2")), []);
      await waitBlocked(() => ctl.info(), 0);
      // Data already there: no blocking at all.
      await ctl.rpush(k("q1"), "ready");
      assert.deepEqual(await withTimeout(a.blpop([k("q1")], 0), WAIT_MS, "BLPOP"), [k("q1"), "ready"]);
    });

    it("serves BZPOPMIN with the lowest score of what ZADD added", async () => {
      const a = await waiter();
      const p = a.bzpopmin(k("z"), 0);
      await parked(ctl, p, 1);
      await ctl.raw(["ZADD", k("z"), "3", "c", "1.5", "a", "2", "b"]);
      assert.deepEqual(await withTimeout(p, WAIT_MS, "BZPOPMIN"), [k("z"), "a", 1.5]);
      assert.equal(Number(await ctl.raw(["ZCARD", k("z")])), 2);
    });

    it("serves BLMOVE and pushes the element to the destination", async () => {
      const a = await waiter();
      const p = a.blmove(k("src"), k("dst"), 0);
      await parked(ctl, p, 1);
      await ctl.rpush(k("src"), "x");
      assert.equal(await withTimeout(p, WAIT_MS, "BLMOVE"), "x");
      assert.deepEqual(await ctl.lrange(k("dst")), ["x"]);
      assert.equal(Number(await ctl.raw(["EXISTS", k("src")])), 0);
    });

    it("serves XREAD BLOCK 0 with the entry XADD appended after it blocked", async () => {
      const a = await waiter();
      await ctl.xadd(k("s"), { old: "1" });
      const p = a.xreadBlock(k("s"), 0);
      await parked(ctl, p, 1);
      const id = await ctl.xadd(k("s"), { temp: "21.5", room: "kitchen" });
      assert.deepEqual(await withTimeout(p, WAIT_MS, "XREAD BLOCK"), [[k("s"), [[id, {
        temp: "21.5",
        room: "kitchen",
      }]]]]);
    });

    it("serves XREADGROUP BLOCK and records the entry as pending for the consumer", async () => {
      const a = await waiter();
      assert.equal(await ctl.xgroupCreate(k("gs"), "g"), "OK");
      const p = a.xreadgroupBlock(k("gs"), "g", "c1", 0);
      await parked(ctl, p, 1);
      const id = await ctl.xadd(k("gs"), { job: "resize" });
      assert.deepEqual(await withTimeout(p, WAIT_MS, "XREADGROUP BLOCK"), [[k("gs"), [[id, { job: "resize" }]]]]);
      const pending = (await ctl.raw(["XPENDING", k("gs"), "g"])) as unknown[];
      assert.equal(Number(pending[0]), 1);
      assert.equal(pending[1], id);
      assert.deepEqual((pending[3] as unknown[][]).map((r) => r.map(String)), [["c1", "1"]]);
    });

    it("serves BRPOP, BRPOPLPUSH, BLMPOP, BZPOPMAX and BZMPOP waiters parked together", async () => {
      const [a1, a2, a3, a4, a5] = [await waiter(), await waiter(), await waiter(), await waiter(), await waiter()];
      const p1 = a1.brpop([k("r1")], 0);
      await parked(ctl, p1, 1);
      const p2 = a2.brpoplpush(k("r2"), k("r2-dst"), 0);
      await parked(ctl, p2, 2);
      const p3 = a3.blmpop([k("m1"), k("m2")], 0, 2);
      await parked(ctl, p3, 3);
      const p4 = a4.bzpopmax(k("zmax"), 0);
      await parked(ctl, p4, 4);
      const p5 = a5.bzmpop([k("zm")], 0, 2);
      await parked(ctl, p5, 5);
      await ctl.rpush(k("r1"), "a", "b");
      assert.deepEqual(await withTimeout(p1, WAIT_MS, "BRPOP"), [k("r1"), "b"]);
      await ctl.rpush(k("r2"), "x");
      assert.equal(await withTimeout(p2, WAIT_MS, "BRPOPLPUSH"), "x");
      assert.deepEqual(await ctl.lrange(k("r2-dst")), ["x"]);
      await ctl.rpush(k("m2"), "a", "b", "c");
      assert.deepEqual(await withTimeout(p3, WAIT_MS, "BLMPOP"), [k("m2"), ["a", "b"]]);
      assert.deepEqual(await ctl.lrange(k("m2")), ["c"]);
      await ctl.raw(["ZADD", k("zmax"), "1", "a", "5", "e"]);
      assert.deepEqual(await withTimeout(p4, WAIT_MS, "BZPOPMAX"), [k("zmax"), "e", 5]);
      await ctl.raw(["ZADD", k("zm"), "1", "a", "2.5", "b", "3", "c"]);
      assert.deepEqual(await withTimeout(p5, WAIT_MS, "BZMPOP"), [k("zm"), [["a", 1], ["b", 2.5]]]);
      await waitBlocked(() => ctl.info(), 0);
    });

    it("passes an element that a served BLMOVE pushed on to a waiter on the destination", async () => {
      const [a1, a2] = [await waiter(), await waiter()];
      const p1 = a1.blpop([k("chain-dst")], 0);
      await parked(ctl, p1, 1);
      const p2 = a2.blmove(k("chain-src"), k("chain-dst"), 0);
      await parked(ctl, p2, 2);
      await ctl.rpush(k("chain-src"), "baton");
      assert.equal(await withTimeout(p2, WAIT_MS, "BLMOVE"), "baton");
      assert.deepEqual(await withTimeout(p1, WAIT_MS, "BLPOP on the destination"), [k("chain-dst"), "baton"]);
      assert.deepEqual(await ctl.lrange(k("chain-dst")), []);
    });

    it("keeps a BLPOP waiter blocked while its key holds a string, and serves it once a list arrives", async () => {
      const a = await waiter();
      const p = a.blpop([k("morph")], 0);
      await parked(ctl, p, 1);
      assert.equal(await ctl.raw(["SET", k("morph"), "text"]), "OK");
      // Served (or failed) waiters are released before the next command runs, so this is exact.
      assert.equal(blockedClients(await ctl.info()), 1);
      await ctl.raw(["DEL", k("morph")]);
      await ctl.rpush(k("morph"), "item");
      assert.deepEqual(await withTimeout(p, WAIT_MS, "BLPOP"), [k("morph"), "item"]);
    });

    it("fails a blocked XREADGROUP with NOGROUP when its stream is deleted", async () => {
      const a = await waiter();
      await ctl.xgroupCreate(k("doomed"), "g");
      const p = a.xreadgroupBlock(k("doomed"), "g", "c1", 0);
      await parked(ctl, p, 1);
      await ctl.raw(["DEL", k("doomed")]);
      await rejectsWith(
        withTimeout(p, WAIT_MS, "the XREADGROUP to fail"),
        /^NOGROUP No such key '.+' or consumer group 'g' in XREADGROUP with GROUP option$/,
      );
      assert.equal(blockedClients(await ctl.info()), 0);
    });

    it("serves three BLPOP waiters on one key in arrival order", async () => {
      const [a1, a2, a3] = [await waiter(), await waiter(), await waiter()];
      const p1 = a1.blpop([k("fifo")], 0);
      await parked(ctl, p1, 1);
      const p2 = a2.blpop([k("fifo")], 0);
      await parked(ctl, p2, 2);
      const p3 = a3.blpop([k("fifo")], 0);
      await parked(ctl, p3, 3);
      await ctl.rpush(k("fifo"), "first");
      assert.deepEqual(await withTimeout(p1, WAIT_MS, "the first waiter"), [k("fifo"), "first"]);
      // Only the oldest waiter was served; the others still wait.
      await waitBlocked(() => ctl.info(), 2);
      await ctl.rpush(k("fifo"), "second", "third");
      assert.deepEqual(await withTimeout(p2, WAIT_MS, "the second waiter"), [k("fifo"), "second"]);
      assert.deepEqual(await withTimeout(p3, WAIT_MS, "the third waiter"), [k("fifo"), "third"]);
      assert.deepEqual(await ctl.lrange(k("fifo")), []);
    });

    it("does not serve a waiter from a push to the same key in another database", async () => {
      const a = await waiter();
      await a.select(1);
      const p = a.blpop([k("db")], 0);
      await parked(ctl, p, 1);
      assert.equal(await ctl.rpush(k("db"), "db0"), 1);
      assert.equal(blockedClients(await ctl.info()), 1);
      await ctl.select(1);
      try {
        await ctl.rpush(k("db"), "db1");
      } finally {
        await ctl.select(0);
      }
      assert.deepEqual(await withTimeout(p, WAIT_MS, "BLPOP in db 1"), [k("db"), "db1"]);
      assert.deepEqual(await ctl.lrange(k("db")), ["db0"]);
    });

    it("times out a fractional BLPOP timeout with a null reply after about that long", async () => {
      const a = await waiter();
      const t0 = Date.now();
      assert.equal(await withTimeout(a.blpop([k("never")], 0.2), WAIT_MS, "BLPOP 0.2"), null);
      const ms = Date.now() - t0;
      assert.ok(ms >= 150 && ms < 3000, `BLPOP 0.2 returned after ${ms} ms`);
      const t1 = Date.now();
      assert.equal(await withTimeout(a.bzpopmin(k("never-z"), 0.1), WAIT_MS, "BZPOPMIN 0.1"), null);
      const ms1 = Date.now() - t1;
      assert.ok(ms1 >= 60 && ms1 < 3000, `BZPOPMIN 0.1 returned after ${ms1} ms`);
      const t2 = Date.now();
      assert.equal(await withTimeout(a.xreadBlock(k("never-s"), 150), WAIT_MS, "XREAD BLOCK 150"), null);
      const ms2 = Date.now() - t2;
      assert.ok(ms2 >= 100 && ms2 < 3000, `XREAD BLOCK 150 returned after ${ms2} ms`);
      assert.equal(blockedClients(await ctl.info()), 0);
    });

    it("releases a blocked client with CLIENT UNBLOCK TIMEOUT as if it timed out", async () => {
      const a = await waiter();
      const id = await a.clientId();
      const p = a.blpop([k("unblock-t")], 0);
      await parked(ctl, p, 1);
      assert.equal(await ctl.clientUnblock(id, "TIMEOUT"), 1);
      assert.equal(await withTimeout(p, WAIT_MS, "the unblocked BLPOP"), null);
      assert.equal(await ctl.clientUnblock(id, "TIMEOUT"), 0);
      assert.equal(blockedClients(await ctl.info()), 0);
    });

    it("releases a blocked client with CLIENT UNBLOCK ERROR as an UNBLOCKED error", async () => {
      const a = await waiter();
      const id = await a.clientId();
      const p = a.bzpopmin(k("unblock-e"), 0);
      await parked(ctl, p, 1);
      assert.equal(await ctl.clientUnblock(id, "ERROR"), 1);
      await rejectsWith(
        withTimeout(p, WAIT_MS, "the unblocked BZPOPMIN"),
        /^UNBLOCKED client unblocked via CLIENT UNBLOCK$/,
      );
      // The connection carries on.
      await ctl.rpush(k("after-unblock"), "v");
      assert.deepEqual(await a.lrange(k("after-unblock")), ["v"]);
    });

    it("forgets a blocked client that disconnects, and a later push stays in the list", async () => {
      const a = await waiter();
      const p = a.blpop([k("gone")], 0);
      await parked(ctl, p, 1);
      await a.close();
      await assert.rejects(withTimeout(p, WAIT_MS, "the dropped BLPOP to fail"));
      await waitBlocked(() => ctl.info(), 0);
      assert.equal(await ctl.rpush(k("gone"), "kept"), 1);
      assert.deepEqual(await ctl.lrange(k("gone")), ["kept"]);
    });

    it("returns at once with a null reply for BLPOP inside MULTI", { skip: !HAS_MULTI }, async () => {
      const a = await waiter();
      assert.equal(await withTimeout(a.blpopInMulti(k("multi")), WAIT_MS, "EXEC"), null);
      assert.equal(blockedClients(await ctl.info()), 0);
    });
  });
}

ioredisTypes("ioredis RESP2", { protocol: 2 });
ioredisTypes("ioredis RESP3", { protocol: 3, replyMapping: "resp3" });
nodeRedisTypes(2);
nodeRedisTypes(3);
blockingSuite("ioredis RESP2", async (port) => ioConn(await openIo(port, { protocol: 2 }), false));
blockingSuite(
  "ioredis RESP3",
  async (port) => ioConn(await openIo(port, { protocol: 3, replyMapping: "resp3" }), true),
);
blockingSuite("node-redis RESP2", async (port) => nodeConn(await openNode(port, 2)));
blockingSuite("node-redis RESP3", async (port) => nodeConn(await openNode(port, 3)));
