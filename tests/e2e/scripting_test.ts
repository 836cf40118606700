/**
 * Scripting over TCP: ioredis `defineCommand` scripts (EVALSHA with EVAL fallback), node-redis
 * `eval`/`evalSha`/`fCall`, a busy script answered with BUSY and stopped by SCRIPT KILL from
 * another connection, and a differential run of deterministic scripts against redis-server 7.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Redis as IoRedis } from "ioredis";
import { createClient } from "redis";
import type { Server } from "../../mod.ts";
import { RawClient, startKite, withTimeout } from "../_helpers/client.ts";
import {
  type RawReply,
  type RedisServer,
  redisServerVersion,
  RespConnection,
  startRedisServer,
} from "../_helpers/redis_server.ts";

const HAS_REDIS = (() => {
  try {
    return / v=7\./.test(redisServerVersion());
  } catch {
    return false;
  }
})();

describe("Scripting with ioredis", () => {
  let server: Server;
  let r: IoRedis;
  before(async () => {
    server = await startKite();
    r = new IoRedis({ port: server.port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    await withTimeout(r.connect(), 10_000, "ioredis to connect");
  });
  after(async () => {
    r.disconnect();
    await server.close();
  });

  it("runs a defineCommand script, loading it through EVAL after NOSCRIPT", async () => {
    r.defineCommand("setIncrGet", {
      numberOfKeys: 2,
      lua: "redis.call('SET',KEYS[1],ARGV[1]); redis.call('INCR',KEYS[2]); return redis.call('GET',KEYS[1])",
    });
    const run = (r as unknown as { setIncrGet(a: string, b: string, c: string): Promise<string> }).setIncrGet;
    assert.equal(await run.call(r, "io:k1", "io:k2", "v1"), "v1");
    assert.equal(await run.call(r, "io:k1", "io:k2", "v2"), "v2");
    assert.equal(await r.get("io:k2"), "2");
  });

  it("runs scripts inside a pipeline and surfaces script errors", async () => {
    await r.set("io:str", "x");
    const res = await r.pipeline()
      .eval("return ARGV[1] .. ARGV[2]", 0, "a", "b")
      .eval("return redis.call('INCR', KEYS[1])", 1, "io:str")
      .exec();
    assert.deepEqual(res?.[0], [null, "ab"]);
    assert.match(String(res?.[1]?.[0]), /ERR value is not an integer or out of range script: [0-9a-f]{40}/);
  });

  it("converts replies: arrays, integers, nil holes and status tables", async () => {
    assert.deepEqual(await r.eval("return {1, 'two', 3.9, false, nil, 6}", 0), [1, "two", 3, null]);
    assert.equal(await r.eval("return {ok='PONG'}", 0), "PONG");
  });
});

describe("Scripting with node-redis", () => {
  let server: Server;
  let c: ReturnType<typeof createClient>;
  before(async () => {
    server = await startKite();
    c = createClient({ socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false } });
    await withTimeout(c.connect(), 10_000, "node-redis to connect");
  });
  after(async () => {
    c.destroy();
    await server.close();
  });

  it("runs eval and evalSha with keys and arguments", async () => {
    const script = "return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}";
    assert.deepEqual(await c.eval(script, { keys: ["nr:n"], arguments: ["a"] }), ["nr:n", "a", 1]);
    const sha = await c.scriptLoad(script);
    assert.deepEqual(await c.evalSha(sha, { keys: ["nr:n"], arguments: ["b"] }), ["nr:n", "b", 2]);
    await assert.rejects(c.evalSha("f".repeat(40)), /NOSCRIPT No matching script/);
  });

  it("loads a library and calls its functions with fCall and fCallRo", async () => {
    const lib = "#!lua name=nrlib\n" +
      "redis.register_function('incrby2', function(keys, args) return redis.call('INCRBY', keys[1], 2) end)\n" +
      "redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, " +
      "flags={'no-writes'}}";
    assert.equal(await c.functionLoad(lib), "nrlib");
    assert.equal(await c.fCall("incrby2", { keys: ["nr:f"] }), 2);
    assert.equal(await c.fCallRo("peek", { keys: ["nr:f"] }), "2");
  });
});

describe("Busy scripts over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ "busy-reply-threshold": "100" });
  });
  after(async () => {
    await server.close();
  });

  it("answers BUSY to other clients, runs SCRIPT KILL, then serves again", async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    try {
      await a.send("EVAL", "local i = 0 while true do i = i + 1 end", "0");
      // Past the threshold every other command gets BUSY.
      let busy = "";
      for (let i = 0; i < 100 && !busy.startsWith("BUSY"); i++) {
        const r = await b.plain("PING");
        busy = typeof r === "object" && r !== null && "error" in r ? String((r as { error: string }).error) : "";
        if (!busy.startsWith("BUSY")) await new Promise((res) => setTimeout(res, 20));
      }
      assert.equal(busy, "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
      assert.equal(await b.plain("SCRIPT", "KILL"), "OK");
      const [killed] = await a.read(1);
      assert.match(JSON.stringify(killed), /ERR Script killed by user with SCRIPT KILL\./);
      assert.equal(await b.plain("PING"), "PONG");
      assert.equal(await a.plain("PING"), "PONG");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

// Deterministic scripts whose replies must match redis-server byte for byte. Error texts that
// Valkey 8 words differently from Redis 7.0 ("Unknown command called from script") are left
// out, as are the Lua 5.4 vs 5.1 differences Kite cannot hide (table iteration order, integer
// division by zero) and what depends on the machine (the sign of NaN).
const DIFF_SCRIPTS: (readonly string[])[] = [
  ["EVAL", "return 1", "0"],
  ["EVAL", "return {1, 2, 3.7, -3.7, 'x', true, false, nil, 5}", "0"],
  ["EVAL", "return {{1, {'a'}}, {}}", "0"],
  ["EVAL", "return {ok='FINE'}", "0"],
  ["EVAL", "return {err='MY failure'}", "0"],
  ["EVAL", "return redis.error_reply('My Error')", "0"],
  ["EVAL", "return redis.error_reply('nospace')", "0"],
  ["EVAL", "return redis.status_reply('DONE')", "0"],
  ["EVAL", "return redis.status_reply(5)", "0"],
  ["EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", "2", "k1", "k2", "a1"],
  [
    "EVAL",
    "redis.call('SET',KEYS[1],ARGV[1]); redis.call('INCR',KEYS[2]); return redis.call('GET',KEYS[1])",
    "2",
    "d1",
    "d2",
    "v",
  ],
  ["EVAL", "return redis.call('INCRBY', KEYS[1], 5)", "1", "d2"],
  ["EVAL", "return redis.call('GET', 'd:none')", "0"],
  ["EVAL", "return tostring(redis.call('GET', 'd:none'))", "0"],
  ["EVAL", "redis.call('RPUSH', 'd:l', 'a', 'b', 'c'); return redis.call('LRANGE', 'd:l', 0, -1)", "0"],
  ["EVAL", "redis.call('HSET', 'd:h', 'f', '1'); return redis.call('HGETALL', 'd:h')", "0"],
  ["EVAL", "redis.call('ZADD', 'd:z', '1.5', 'm'); return redis.call('ZSCORE', 'd:z', 'm')", "0"],
  ["EVAL", "return redis.call('SET', 'd:s', 'v')", "0"],
  ["EVAL", "return redis.call('SET', 'd:s', 'v').ok", "0"],
  ["EVAL", "return redis.pcall('INCR', 'd:s')", "0"],
  ["EVAL", "local ok, e = pcall(redis.call, 'INCR', 'd:s'); return {tostring(ok), e}", "0"],
  ["EVAL", "return redis.call('INCR', 'd:s')", "0"],
  ["EVAL", "return x", "0"],
  ["EVAL", "x = 5", "0"],
  ["EVAL", "error('boom')", "0"],
  ["EVAL", "error({err='CODE boom'})", "0"],
  ["EVAL", "return redis.sha1hex('hello')", "0"],
  ["EVAL", "return tostring(10/2) .. ' ' .. tostring(1e15) .. ' ' .. tostring(0.1)", "0"],
  ["EVAL", "return string.format('%d %s %5.2f', 3.7, 'x', 1.234)", "0"],
  ["EVAL", "return {table.getn({1,2,3}), math.pow(2, 10), math.floor(3.7), unpack({1, 2})}", "0"],
  ["EVAL", "return cjson.encode({1, 'a', {2, 3}, true})", "0"],
  ["EVAL", "return cjson.decode('[1,\"x\",[true]]')[3][1]", "0"],
  ["EVAL", "return {bit.band(0xff, 0x0f), bit.tohex(65535), bit.lshift(1, 4), bit.bxor(7, 2)}", "0"],
  ["EVAL", "return {struct.unpack('>I2', struct.pack('>I2', 513))}", "0"],
  ["EVAL", "return cmsgpack.pack({1, 2, 'abc'})", "0"],
  ["EVAL", "return 1", "2", "a"],
  ["EVAL", "return 1", "-1"],
  ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"],
  ["SCRIPT", "LOAD", "return 'loaded'"],
  ["EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"],
  ["SCRIPT", "EXISTS", "b534286061d4b9e4026607613b95c06c06015ae8", "ffffffffffffffffffffffffffffffffffffffff"],
  ["EVAL_RO", "return redis.call('GET', 'd1')", "0"],
  ["EVAL_RO", "return redis.call('SET', 'd1', 'x')", "0"],
  ["EVAL", "#!lua flags=no-writes\nreturn redis.call('SET', 'd1', 'x')", "0"],
  ["EVAL_RO", "#!lua\nreturn 1", "0"],
  ["EVAL", "#!lua flags=no-writes,bad\nreturn 1", "0"],
  ["EVAL", "#!lua foo=bar\nreturn 1", "0"],
  ["EVAL", "return redis.setresp(4)", "0"],
  ["EVAL", "redis.setresp(3); return redis.call('HGETALL', 'd:h').map.f", "0"],
  ["EVAL", "redis.setresp(3); return {redis.call('ZSCORE', 'd:z', 'm')}", "0"],
  ["SCRIPT", "KILL"],
  [
    "FUNCTION",
    "LOAD",
    "#!lua name=difflib\nredis.register_function('dget', function(keys) return redis.call('GET', keys[1]) end)",
  ],
  ["FCALL", "dget", "1", "d1"],
  ["FCALL_RO", "dget", "1", "d1"],
  ["FCALL", "nosuch", "0"],
  ["FUNCTION", "LOAD", "#!lua name=difflib\nredis.register_function('dget', function() return 1 end)"],
  ["FUNCTION", "LOAD", "#!lua name=bad\nreturn 1"],
  ["FUNCTION", "DELETE", "nosuch"],
  ["FUNCTION", "LIST", "WITHCODE"],
  ["FUNCTION", "DELETE", "difflib"],
  ["FUNCTION", "KILL"],
  // Lua 5.1 fidelity: number printing, the 5.1 library, the script as main thread.
  ["EVAL", "return 10/2 .. ' ' .. 1.5 .. ' ' .. -0.5 * 2 .. ' ' .. 2^53 .. ' ' .. 1e15 .. ' ' .. 1/3", "0"],
  ["EVAL", "return table.concat({5.0, 2.5, 7, 1e100}, ',')", "0"],
  ["EVAL", "return {tostring(10/3), tostring(123456789012345678), tostring(-1e300 * 10), tostring(2^63)}", "0"],
  ["EVAL", "return string.format('%q|%q|%s|%d|%5.1f', 1/3, 7, 2.0, 3.9, 2)", "0"],
  ["EVAL", "return loadstring('return ' .. 2.5 * 2)()", "0"],
  ["EVAL", "redis.call('SET', 'd:n', 10/2) return redis.call('GET', 'd:n')", "0"],
  ["EVAL", "return _VERSION", "0"],
  [
    "EVAL",
    "return {math.atan2(1, 2) * 1000, math.pow(2, 0.5) * 1000, math.log10(1000), math.ldexp(3, 2), math.mod(-7, 3)}",
    "0",
  ],
  ["EVAL", "local m, e = math.frexp(-12.5) return m .. ' ' .. e .. ' ' .. math.cosh(0) .. ' ' .. math.tanh(0)", "0"],
  ["EVAL", "return {string.rep('ab', 3, ','), table.getn({1, 2}), table.maxn({[7] = 1})}", "0"],
  [
    "EVAL",
    "return {type(table.unpack), type(string.pack), type(math.type), type(coroutine.isyieldable), type(table.move)}",
    "0",
  ],
  ["EVAL", "coroutine.yield(1) return 2", "0"],
  ["EVAL", "local ok, e = pcall(coroutine.yield) return {tostring(ok), e}", "0"],
  ["EVAL", "return tostring(coroutine.running())", "0"],
  [
    "EVAL",
    "local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end) return {co(1), co(10)}",
    "0",
  ],
  ["EVAL", "return load('return 1')", "0"],
  ["EVAL", "return {loadstring()}", "0"],
  ["EVAL", "local p = {'return ', '7'} return load(function() return table.remove(p, 1) end)()", "0"],
  ["EVAL", "return {tostring(next(_G) ~= nil), type(rawget(string, 'format')), type(rawget(_G, 'redis'))}", "0"],
  [
    "EVAL",
    "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION, cjson._VERSION}",
    "0",
  ],
  ["EVAL", "local c = cjson.new() c.encode_max_depth(1) return {pcall(c.encode, {{1}})}", "0"],
  ["EVAL", "return next(nil)", "0"],
  ["EVAL", "return rawget(5, 1)", "0"],
  // SORT BY nosort in a script sorts a set; blocking forms in scripts.
  ["SADD", "d:set", "b", "10", "c", "a", "2"],
  ["EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", "1", "d:set"],
  ["EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nokey', 'DESC', 'LIMIT', 1, 3)", "1", "d:set"],
  ["XADD", "d:st", "1-1", "f", "v"],
  ["XGROUP", "CREATE", "d:st", "g", "0"],
  ["EVAL", "return redis.call('xread', 'BLOCK', 0, 'STREAMS', 'd:st', '0')", "0"],
  ["EVAL", "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 'd:st', '>')", "0"],
  ["EVAL", "return redis.call('BLMPOP', 0, 1, 'd:nolist', 'LEFT')", "0"],
  ["MULTI"],
  ["XREAD", "BLOCK", "0", "STREAMS", "d:st", "$"],
  ["BLMPOP", "0", "1", "d:nolist", "LEFT"],
  ["EXEC"],
];

// Scripts whose error statistics (INFO errorstats, and commandstats' calls, failed_calls and
// rejected_calls) must match redis-server's, each run after CONFIG RESETSTAT.
const STAT_SCRIPTS: (readonly (readonly string[])[])[] = [
  [["EVAL", "return redis.call('INCR', KEYS[1])", "1", "e:str"]],
  [["EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "e:str"]],
  [["EVAL", "error(redis.pcall('INCR', KEYS[1]))", "1", "e:str"]],
  [["EVAL", "local ok, e = pcall(redis.call, 'INCR', KEYS[1]) error(e)", "1", "e:str"]],
  [["EVAL", "pcall(redis.call, 'INCR', KEYS[1]) return 1", "1", "e:str"]],
  [["EVAL", "local e = redis.pcall('INCR', KEYS[1]) return {e, 1, e}", "1", "e:str"]],
  [["EVAL", "return {1, {err='XX nested'}, redis.error_reply('YY two')}", "0"]],
  [["EVAL", "return redis.call('GET')", "0"]],
  [["EVAL", "return redis.pcall('NOSUCH')", "0"]],
  [["EVAL_RO", "return redis.call('SET', 'e:k', 'v')", "0"]],
  [["EVAL", "return redis.call('MULTI')", "0"]],
  [["EVAL", "error('boom')", "0"]],
  [["EVAL", "return redis.call('xread', 'BLOCK', 0, 'STREAMS', 'e:st', '$')", "0"]],
  [["EVAL", "return redis.call('BLMPOP', 0, 1, 'e:nolist', 'LEFT')", "0"]],
  [["MULTI"], ["INCR", "e:str"], ["EVAL", "return redis.call('INCR', KEYS[1])", "1", "e:str"], ["EXEC"]],
  [
    [
      "FUNCTION",
      "LOAD",
      "REPLACE",
      "#!lua name=estat\nredis.register_function('f', function(k) return redis.call('INCR', k[1]) end)",
    ],
    ["FCALL", "f", "1", "e:str"],
  ],
];

function statDigest(info: RawReply): string {
  const text = info.node.t === "$" ? info.node.b?.toString("latin1") ?? "" : "";
  const out: string[] = [];
  for (const line of text.split("\r\n")) {
    if (/^(errorstat_|total_error_replies:)/.test(line)) out.push(line);
    const m = /^cmdstat_([^:]+):calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)$/.exec(line);
    if (m && m[1] !== "info" && m[1] !== "config|resetstat") out.push(`${m[1]} calls=${m[2]} r=${m[3]} f=${m[4]}`);
  }
  return out.sort().join("; ");
}

describe("Scripts against redis-server", { skip: HAS_REDIS ? false : "redis-server 7 not installed" }, () => {
  let kite: Server;
  let redis: RedisServer;
  let k: RespConnection;
  let ref: RespConnection;
  before(async () => {
    kite = await startKite();
    redis = await startRedisServer();
    k = await RespConnection.connect(kite.port);
    ref = await RespConnection.connect(redis.port);
  });
  after(async () => {
    await k?.close();
    await ref?.close();
    await kite?.close();
    await redis?.stop();
  });

  it("answers each deterministic script with redis-server's exact bytes", async () => {
    const mismatches: string[] = [];
    for (const argv of DIFF_SCRIPTS) {
      const a: RawReply = await k.call(argv);
      const b: RawReply = await ref.call(argv);
      if (!a.bytes.equals(b.bytes)) {
        mismatches.push(
          `${JSON.stringify(argv)}\n  kite:  ${JSON.stringify(a.bytes.toString("latin1"))}\n  redis: ${
            JSON.stringify(b.bytes.toString("latin1"))
          }`,
        );
      }
    }
    assert.deepEqual(mismatches, []);
  });

  it("counts script errors in errorstats and commandstats as redis-server does", async () => {
    const mismatches: string[] = [];
    for (const conn of [k, ref]) await conn.call(["SET", "e:str", "x"]);
    for (const steps of STAT_SCRIPTS) {
      const digests: string[] = [];
      for (const conn of [k, ref]) {
        await conn.call(["CONFIG", "RESETSTAT"]);
        for (const argv of steps) await conn.call(argv);
        digests.push(statDigest(await conn.call(["INFO", "all"])));
      }
      if (digests[0] !== digests[1]) {
        mismatches.push(`${JSON.stringify(steps)}\n  kite:  ${digests[0]}\n  redis: ${digests[1]}`);
      }
    }
    assert.deepEqual(mismatches, []);
  });
});
