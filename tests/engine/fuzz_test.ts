/**
 * Every command in the table, called with random arguments against keys of every type: none
 * may throw out of its handler (the engine turns that into "ERR internal error" and logs it),
 * and every reply must encode for RESP2, RESP3 and the HTTP gateway's JSON.
 * Seeded, so a failure replays; the seed and the command are in the message.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { engineWithProcess, type TestEngine } from "../_helpers/engine.ts";
import { encodeReply } from "../../src/protocol/resp_encoder.ts";
import { replyToJson } from "../../src/http/reply_json.ts";

// Commands left out: they end the process or hand the connection over (with a fake process
// DEBUG SLEEP only moves the fake clock, so DEBUG stays in).
const SKIP = new Set(["shutdown", "monitor", "sync", "psync"]);

const KEYS = ["str", "int", "list", "hash", "set", "zset", "stream", "hll", "geo", "missing", "{str}x"];
const WORDS = [
  "0",
  "1",
  "-1",
  "2",
  "3",
  "10",
  "100",
  "-100",
  "1.5",
  "-0.5",
  "1e3",
  "inf",
  "-inf",
  "+inf",
  "nan",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "18446744073709551616",
  "",
  " ",
  "abc",
  "*",
  "?",
  "[a-z]",
  "\u0000\u00ff\r\n",
  "x".repeat(300),
  "(1",
  "[a",
  "-",
  "+",
  "$",
  ">",
  "0-0",
  "1-1",
  "*-*",
  "NX",
  "XX",
  "GT",
  "LT",
  "CH",
  "INCR",
  "EX",
  "PX",
  "EXAT",
  "PXAT",
  "KEEPTTL",
  "GET",
  "LIMIT",
  "COUNT",
  "MATCH",
  "TYPE",
  "WITHSCORES",
  "WITHVALUES",
  "REV",
  "BYSCORE",
  "BYLEX",
  "STORE",
  "ASC",
  "DESC",
  "ALPHA",
  "BY",
  "MAXLEN",
  "MINID",
  "~",
  "=",
  "NOMKSTREAM",
  "BLOCK",
  "STREAMS",
  "GROUP",
  "MKSTREAM",
  "ENTRIESREAD",
  "IDLE",
  "TIME",
  "RETRYCOUNT",
  "FORCE",
  "JUSTID",
  "LASTID",
  "FULL",
  "LEFT",
  "RIGHT",
  "BEFORE",
  "AFTER",
  "RANK",
  "MAXLEN",
  "WEIGHTS",
  "AGGREGATE",
  "SUM",
  "MIN",
  "MAX",
  "FROMMEMBER",
  "FROMLONLAT",
  "BYRADIUS",
  "BYBOX",
  "m",
  "km",
  "WITHCOORD",
  "WITHDIST",
  "WITHHASH",
  "ANY",
  "OVERFLOW",
  "WRAP",
  "SAT",
  "FAIL",
  "u8",
  "i64",
  "#1",
  "SET",
  "INCRBY",
  "BIT",
  "BYTE",
  "AND",
  "OR",
  "XOR",
  "NOT",
  "IDX",
  "LEN",
  "MINMATCHLEN",
  "WITHMATCHLEN",
  "FIELDS",
  "NOVALUES",
  "ON",
  "OFF",
  "YES",
  "NO",
  "ID",
  "USER",
  "ADDR",
  "SKIPME",
  "KILL",
  "LIST",
  "INFO",
  "PREFIX",
  "BCAST",
  "OPTIN",
  "REDIRECT",
  "RESET",
  "HELP",
  "SAMPLES",
  "ASYNC",
  "SYNC",
  "FLUSH",
  "LOAD",
  "REPLACE",
  "ABSTTL",
  "FREQ",
  "DB",
  "COPY",
  "AUTH",
  "AUTH2",
  "KEYS",
  "SCHEMA",
  "VECTOR",
  "HNSW",
  "FLAT",
  "TAG",
  "NUMERIC",
  "DIM",
  "DISTANCE_METRIC",
  "L2",
  "COSINE",
  "FLOAT32",
  "PARAMS",
  "RETURN",
  "NOCONTENT",
  "DIALECT",
  "SORTBY",
  "idx",
  "@v:[0 1]",
  "*=>[KNN 3 @v $q]",
  "return 1",
  "return redis.call('get', KEYS[1])",
  "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
  "slowlog-max-len",
  "maxmemory",
  "hz",
  "latency-monitor-threshold",
  "50",
];

/** mulberry32: the same sequence on every runtime. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function populate(t: TestEngine): void {
  t.exec("SET", "str", "hello");
  t.exec("SET", "int", "42");
  t.exec("RPUSH", "list", "a", "b", "c", "1", "2");
  t.exec("HSET", "hash", "f", "v", "n", "7", "v", "\u0000\u0000\u0080?");
  t.exec("SADD", "set", "a", "b", "1");
  t.exec("ZADD", "zset", "1", "a", "2", "b", "3", "c");
  t.exec("XADD", "stream", "1-1", "f", "v");
  t.exec("XGROUP", "CREATE", "stream", "g", "0");
  t.exec("PFADD", "hll", "a", "b");
  t.exec("GEOADD", "geo", "13.36", "38.11", "Palermo", "15.08", "37.50", "Catania");
  t.exec(..."FT.CREATE idx ON HASH PREFIX 1 h SCHEMA v VECTOR FLAT 6 TYPE FLOAT32 DIM 2 DISTANCE_METRIC L2".split(" "));
}

describe("random arguments for every command", () => {
  for (const seed of (process.env.FUZZ_SEEDS ?? "1,2,3").split(",").map(Number)) {
    it(`never throws out of a handler (seed ${seed})`, () => {
      const internal: string[] = [];
      const t = engineWithProcess({
        config: { "enable-debug-command": "yes" },
        log: (_level, msg) => {
          if (msg.startsWith("Internal error")) internal.push(msg);
        },
      });
      const random = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const names: string[][] = [];
      for (const c of t.engine.registry.all()) {
        if (SKIP.has(c.fullName)) continue;
        if (c.subcommands) {
          for (const s of c.subcommands.values()) names.push([c.spec.name, s.spec.name]);
        } else {
          names.push([c.spec.name]);
        }
      }
      for (const name of names) {
        for (let round = 0; round < 12; round++) {
          if (round % 4 === 0) {
            t.exec("FLUSHALL");
            t.exec("SELECT", "0");
            populate(t);
          }
          const argv = [...name];
          const n = Math.floor(random() * 7);
          for (let i = 0; i < n; i++) argv.push(random() < 0.35 ? pick(KEYS) : pick(WORDS));
          const before = internal.length;
          const reply = t.raw(...argv);
          if (internal.length > before) {
            assert.fail(`seed ${seed}: ${JSON.stringify(argv)} -> ${internal[internal.length - 1]}`);
          }
          // Every reply must encode for RESP2, RESP3 and the HTTP gateway's JSON.
          if (reply !== undefined) {
            try {
              encodeReply(reply, 2);
              encodeReply(reply, 3);
              JSON.parse(replyToJson(reply, round % 2 === 0));
            } catch (e) {
              assert.fail(`seed ${seed}: ${JSON.stringify(argv)} -> cannot encode its reply: ${e}`);
            }
          }
          // Leave any transaction, subscription or protocol change behind.
          t.exec("RESET");
        }
      }
    });
  }
});
