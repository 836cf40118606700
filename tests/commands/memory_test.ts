/**
 * MEMORY (USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP) and MODULE (LIST, LOAD, LOADEX,
 * UNLOAD, HELP) at the engine level, with INFO's Modules section: reply shapes in RESP2 and
 * RESP3, Valkey's errors, and the figures against the size model and a fake process.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine, type Plain, type TestEngine } from "../_helpers/engine.ts";
import type { EngineOptions } from "../../src/engine/engine.ts";
import type { ProcessInfo } from "../../src/runtime/process.ts";
import type { Reply } from "../../src/protocol/reply.ts";
import { encodeReply } from "../../src/protocol/resp_encoder.ts";
import { estimateEntryBytes } from "../../src/keyspace/object_size.ts";
import { SearchManager } from "../../src/search/manager.ts";

const MB = 1024 * 1024;

/** A process with settable memory figures and a collection-hint counter. */
interface FakeProcess extends ProcessInfo {
  used: number;
  rss: number;
  hints: number;
}

function fakeProcess(withHint: boolean): FakeProcess {
  const proc: FakeProcess = {
    used: 64 * MB,
    rss: 96 * MB,
    hints: 0,
    pid: 1,
    executable: "/opt/kite/kite-server",
    os: "Linux 6.1.0 x86_64",
    archBits: 64,
    runtime: "test v1",
    allocator: "v8",
    totalSystemMemory: () => 8 * 1024 * MB,
    memory: () => ({ rss: proc.rss, used: proc.used }),
    cpu: () => ({ user: 0, system: 0 }),
    sleepSync: () => {},
    ...(withHint ? { collectGarbage: () => void proc.hints++ } : {}),
  };
  return proc;
}

/** Memory the fake process uses while the engine is built (its `startupMemory`). */
const STARTUP = 8 * MB;

/** A test engine on a fake process that used {@link STARTUP} bytes at construction, 64 MB after. */
function engineWith(opts: EngineOptions = {}, withHint = false): TestEngine & { proc: FakeProcess } {
  const proc = fakeProcess(withHint);
  proc.used = STARTUP;
  const t = makeEngine({ processInfo: proc, ...opts });
  proc.used = 64 * MB;
  return Object.assign(t, { proc });
}

/** MEMORY STATS as a name -> value map (nested `db.N` maps stay flat arrays). */
function stats(t: TestEngine): Map<string, Plain> {
  const flat = t.exec("MEMORY", "STATS") as Plain[];
  const out = new Map<string, Plain>();
  for (let i = 0; i < flat.length; i += 2) out.set(flat[i] as string, flat[i + 1]!);
  return out;
}

/** The value stored at `key` in database `db`, read without side effects. */
function valueOf(t: TestEngine, key: string, db = 0) {
  const v = t.engine.dbs[db]!.peek(key, t.clock.now());
  assert.ok(v !== undefined, `no value at ${key}`);
  return v;
}

/** Runs a command past the dispatcher's checks, as an allowed MODULE LOAD would run. */
function callPastChecks(t: TestEngine, ...argv: string[]): Reply {
  const sub = t.engine.registry.get(argv[0]!)?.subcommands?.get(argv[1]!.toLowerCase());
  assert.ok(sub, `no such subcommand ${argv[0]} ${argv[1]}`);
  const r = t.engine.call(t.session, sub, argv);
  assert.notEqual(r.t, "blocked");
  return r as Reply;
}

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe("MEMORY USAGE", () => {
  it("answers the size model's estimate of a string key and its value", () => {
    const t = makeEngine();
    t.exec("SET", "greeting", "hello world");
    assert.equal(t.exec("MEMORY", "USAGE", "greeting"), estimateEntryBytes("greeting", valueOf(t, "greeting")));
  });

  it("grows with the value and with the key name", () => {
    const t = makeEngine();
    t.exec("SET", "k", "x");
    t.exec("SET", "kk", "x");
    t.exec("SET", "big", "x".repeat(10_000));
    const small = t.exec("MEMORY", "USAGE", "k") as number;
    assert.equal(t.exec("MEMORY", "USAGE", "kk"), small + 1);
    assert.ok((t.exec("MEMORY", "USAGE", "big") as number) > small + 9_000);
  });

  it("answers null for a missing key", () => {
    const t = makeEngine();
    assert.equal(t.exec("MEMORY", "USAGE", "nope"), null);
    assert.equal(t.raw("MEMORY", "USAGE", "nope")?.t, "null");
  });

  it("measures every aggregate type", () => {
    const t = makeEngine();
    t.exec("RPUSH", "l", "a", "b", "c");
    t.exec("HSET", "h", "f", "v", "g", "w");
    t.exec("SADD", "s", "a", "b");
    t.exec("ZADD", "z", "1", "a", "2", "b");
    t.exec("XADD", "x", "1-1", "f", "v");
    t.exec("PFADD", "hll", "a", "b");
    for (const key of ["l", "h", "s", "z", "x", "hll"]) {
      assert.equal(t.exec("MEMORY", "USAGE", key), estimateEntryBytes(key, valueOf(t, key)), key);
    }
  });

  it("samples 5 elements by default, the given count with SAMPLES, and all of them with SAMPLES 0", () => {
    const t = makeEngine();
    // Small fields first, then large ones: a sample of the first elements underestimates.
    for (let i = 0; i < 5; i++) t.exec("HSET", "h", `small${i}`, "x");
    for (let i = 0; i < 300; i++) t.exec("HSET", "h", `large${i}`, "y".repeat(100 + (i % 7)));
    const h = valueOf(t, "h");
    const byDefault = t.exec("MEMORY", "USAGE", "h") as number;
    const all = t.exec("MEMORY", "USAGE", "h", "SAMPLES", "0") as number;
    assert.equal(byDefault, estimateEntryBytes("h", h, 5));
    assert.equal(t.exec("MEMORY", "USAGE", "h", "samples", "20"), estimateEntryBytes("h", h, 20));
    assert.equal(all, estimateEntryBytes("h", h, 0));
    assert.notEqual(byDefault, all);
    assert.equal(t.exec("MEMORY", "USAGE", "h", "SAMPLES", "9223372036854775807"), all);
  });

  it("takes the last SAMPLES when it is given twice", () => {
    const t = makeEngine();
    for (let i = 0; i < 200; i++) t.exec("RPUSH", "l", i < 3 ? "a" : "b".repeat(50));
    const l = valueOf(t, "l");
    assert.equal(t.exec("MEMORY", "USAGE", "l", "SAMPLES", "0", "SAMPLES", "1"), estimateEntryBytes("l", l, 1));
  });

  it("answers a syntax error for a negative count, a missing count or an unknown option", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    const syntax = { error: "ERR syntax error" };
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "SAMPLES", "-1"), syntax);
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "SAMPLES"), syntax);
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "COUNT", "5"), syntax);
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "SAMPLES", "5", "extra"), syntax);
  });

  it("answers Valkey's integer error for a count that is not an integer", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    const notInt = { error: "ERR value is not an integer or out of range" };
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "SAMPLES", "five"), notInt);
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "SAMPLES", "1.5"), notInt);
    assert.deepEqual(t.exec("MEMORY", "USAGE", "k", "SAMPLES", "9223372036854775808"), notInt);
  });

  it("checks its options before the key, so a bad option beats a missing key", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MEMORY", "USAGE", "nope", "SAMPLES", "-1"), { error: "ERR syntax error" });
  });

  it("needs a key", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MEMORY", "USAGE"), { error: "ERR wrong number of arguments for 'memory|usage' command" });
  });

  it("reads the selected database and binary-safe keys", () => {
    const t = makeEngine();
    const key = "k\x00\xff";
    t.exec("SELECT", "3");
    t.exec("SET", key, "v");
    assert.equal(t.exec("MEMORY", "USAGE", key), estimateEntryBytes(key, valueOf(t, key, 3)));
    t.exec("SELECT", "0");
    assert.equal(t.exec("MEMORY", "USAGE", key), null);
  });

  it("counts no keyspace hit or miss and leaves the key's idle time alone", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    t.advance(10_000);
    t.exec("MEMORY", "USAGE", "k");
    t.exec("MEMORY", "USAGE", "missing");
    assert.equal(t.engine.stats.keyspaceHits, 0);
    assert.equal(t.engine.stats.keyspaceMisses, 0);
    assert.ok((t.exec("OBJECT", "IDLETIME", "k") as number) >= 10);
  });

  it("leaves LFU counters alone under an LFU policy", () => {
    const t = makeEngine({ config: { "maxmemory-policy": "allkeys-lfu" } });
    t.exec("SET", "k", "v");
    const before = t.engine.dbs[0]!.accessWord("k");
    for (let i = 0; i < 50; i++) t.exec("MEMORY", "USAGE", "k");
    assert.equal(t.engine.dbs[0]!.accessWord("k"), before);
  });

  it("still sizes a key past its expiry time that nobody reclaimed, and does not reclaim it", () => {
    const t = makeEngine();
    t.engine.activeExpireEnabled = false;
    t.exec("SET", "k", "v", "PX", "10");
    t.advance(100);
    assert.equal(typeof t.exec("MEMORY", "USAGE", "k"), "number");
    assert.equal(t.engine.stats.expiredKeys, 0);
    assert.equal(t.exec("DBSIZE"), 1);
    // Any other read reclaims it.
    assert.equal(t.exec("GET", "k"), null);
    assert.equal(t.exec("MEMORY", "USAGE", "k"), null);
  });

  it("adds the bytes a vector index holds for an indexed hash's vectors", () => {
    const t = makeEngine();
    const vec = Buffer.from(new Float32Array([1, 2, 3, 4]).buffer).toString("latin1");
    t.exec(
      "FT.CREATE",
      "idx",
      "PREFIX",
      "1",
      "doc:",
      "SCHEMA",
      "v",
      "VECTOR",
      "HNSW",
      "6",
      "TYPE",
      "FLOAT32",
      "DIM",
      "4",
      "DISTANCE_METRIC",
      "L2",
    );
    t.exec("HSET", "doc:1", "v", vec);
    t.exec("HSET", "other:1", "v", vec);
    const vectors = SearchManager.peek(t.engine)!.vectorBytesOf(0, "doc:1");
    assert.ok(vectors >= 16, `${vectors}`);
    assert.equal(t.exec("MEMORY", "USAGE", "doc:1"), estimateEntryBytes("doc:1", valueOf(t, "doc:1")) + vectors);
    assert.equal(t.exec("MEMORY", "USAGE", "other:1"), estimateEntryBytes("other:1", valueOf(t, "other:1")));
  });
});

/** Valkey 8's MEMORY STATS fields, in order, around the `db.N` maps. */
const STATS_HEAD = [
  "peak.allocated",
  "total.allocated",
  "startup.allocated",
  "replication.backlog",
  "clients.slaves",
  "clients.normal",
  "cluster.links",
  "aof.buffer",
  "lua.caches",
  "functions.caches",
];
const STATS_TAIL = [
  "overhead.db.hashtable.lut",
  "overhead.db.hashtable.rehashing",
  "overhead.total",
  "db.dict.rehashing.count",
  "keys.count",
  "keys.bytes-per-key",
  "dataset.bytes",
  "dataset.percentage",
  "peak.percentage",
  "allocator.allocated",
  "allocator.active",
  "allocator.resident",
  "allocator.muzzy",
  "allocator-fragmentation.ratio",
  "allocator-fragmentation.bytes",
  "allocator-rss.ratio",
  "allocator-rss.bytes",
  "rss-overhead.ratio",
  "rss-overhead.bytes",
  "fragmentation",
  "fragmentation.bytes",
];

describe("MEMORY STATS", () => {
  it("lists Valkey's fields in Valkey's order, with a db.N map for each database holding keys", () => {
    const t = engineWith();
    t.exec("SET", "a", "1");
    t.exec("SELECT", "3");
    t.exec("SET", "b", "2");
    assert.deepEqual([...stats(t).keys()], [...STATS_HEAD, "db.0", "db.3", ...STATS_TAIL]);
  });

  it("has no db.N map on an empty server", () => {
    const t = engineWith();
    assert.deepEqual([...stats(t).keys()], [...STATS_HEAD, ...STATS_TAIL]);
  });

  it("is a RESP3 map of integers and doubles with nested maps, and a flat array in RESP2", () => {
    const t = engineWith();
    t.exec("SET", "a", "1");
    const r = t.raw("MEMORY", "STATS")!;
    assert.equal(r.t, "map");
    if (r.t !== "map") return;
    const kinds = new Map(r.v.map(([k, v]) => [k.t === "bulk" ? text(k.v as Uint8Array) : "", v]));
    assert.equal(kinds.get("total.allocated")?.t, "int");
    assert.equal(kinds.get("dataset.percentage")?.t, "double");
    assert.equal(kinds.get("fragmentation")?.t, "double");
    const db0 = kinds.get("db.0")!;
    assert.equal(db0.t, "map");
    assert.ok(text(encodeReply(r, 3)).startsWith("%32\r\n$14\r\npeak.allocated\r\n:"));
    const resp2 = text(encodeReply(r, 2));
    assert.ok(resp2.startsWith("*64\r\n$14\r\npeak.allocated\r\n:"), resp2.slice(0, 40));
    assert.ok(resp2.includes("$4\r\ndb.0\r\n*4\r\n$23\r\noverhead.hashtable.main\r\n:"));
    assert.ok(resp2.includes("$18\r\ndataset.percentage\r\n$"));
  });

  it("reports the process figures as total, allocator and fragmentation fields", () => {
    const t = engineWith();
    t.proc.used = 40 * MB;
    t.proc.rss = 100 * MB;
    const s = stats(t);
    assert.equal(s.get("total.allocated"), 40 * MB);
    assert.equal(s.get("allocator.allocated"), 40 * MB);
    assert.equal(s.get("allocator.active"), 100 * MB);
    assert.equal(s.get("allocator.resident"), 100 * MB);
    assert.equal(s.get("allocator.muzzy"), 0);
    assert.equal(s.get("allocator-fragmentation.ratio"), 1);
    assert.equal(s.get("allocator-fragmentation.bytes"), 0);
    assert.equal(s.get("allocator-rss.ratio"), 1);
    assert.equal(s.get("allocator-rss.bytes"), 0);
    assert.equal(s.get("rss-overhead.ratio"), 1);
    assert.equal(s.get("rss-overhead.bytes"), 0);
    assert.equal(s.get("fragmentation"), 2.5);
    assert.equal(s.get("fragmentation.bytes"), 60 * MB);
  });

  it("reports 0 for the subsystems Kite does not have", () => {
    const s = stats(engineWith());
    for (const f of ["replication.backlog", "clients.slaves", "cluster.links", "aof.buffer"]) {
      assert.equal(s.get(f), 0, f);
    }
    assert.equal(s.get("overhead.db.hashtable.rehashing"), 0);
    assert.equal(s.get("db.dict.rehashing.count"), 0);
  });

  it("keeps the highest total as the peak", () => {
    const t = engineWith();
    t.proc.used = 80 * MB;
    stats(t);
    t.proc.used = 20 * MB;
    const s = stats(t);
    assert.equal(s.get("peak.allocated"), 80 * MB);
    assert.equal(s.get("peak.percentage"), 25);
  });

  it("counts keys of every database and a table cost per key and per volatile key", () => {
    const t = engineWith();
    for (let i = 0; i < 10; i++) t.exec("SET", `k${i}`, "v");
    t.exec("SELECT", "1");
    for (let i = 0; i < 20; i++) t.exec("SET", `k${i}`, "v");
    for (let i = 0; i < 4; i++) t.exec("EXPIRE", `k${i}`, "100");
    t.exec("SELECT", "2");
    for (let i = 0; i < 5; i++) t.exec("SET", `k${i}`, "v", "EX", "100");
    const s = stats(t);
    assert.equal(s.get("keys.count"), 35);
    const [, main0, , expires0] = s.get("db.0") as number[];
    const [, main1, , expires1] = s.get("db.1") as number[];
    const [, main2, , expires2] = s.get("db.2") as number[];
    assert.ok(main0! > 0);
    assert.equal(main1, 2 * main0!);
    assert.equal(main2, main0! / 2);
    assert.equal(expires0, 0);
    assert.ok(expires1! > 0);
    assert.equal(expires2! * 4, expires1! * 5);
    assert.ok((s.get("overhead.db.hashtable.lut") as number) > 0);
  });

  it("sums the client buffers of every client", () => {
    const t = engineWith();
    const other = t.engine.openSession();
    t.session.qbuf = 1000;
    other.obl = 500;
    other.multiBytes = 30;
    assert.equal(stats(t).get("clients.normal"), 1530);
  });

  it("counts the script cache and the function libraries, and drops them when flushed", () => {
    const t = engineWith();
    assert.equal(stats(t).get("lua.caches"), 0);
    assert.equal(stats(t).get("functions.caches"), 0);
    t.exec("EVAL", "return 1", "0");
    const one = stats(t).get("lua.caches") as number;
    t.exec("SCRIPT", "LOAD", `return '${"x".repeat(1000)}'`);
    const two = stats(t).get("lua.caches") as number;
    assert.ok(one > 0 && two > one + 1000, `${one} ${two}`);
    t.exec("FUNCTION", "LOAD", "#!lua name=lib\nserver.register_function('f', function() return 1 end)");
    assert.ok((stats(t).get("functions.caches") as number) > 60);
    t.exec("SCRIPT", "FLUSH");
    t.exec("FUNCTION", "FLUSH");
    assert.equal(stats(t).get("lua.caches"), 0);
    assert.equal(stats(t).get("functions.caches"), 0);
  });

  it("splits the total into overheads and dataset, Valkey's way", () => {
    const t = engineWith();
    t.session.qbuf = 4096;
    for (let i = 0; i < 7; i++) t.exec("SET", `k${i}`, "v");
    t.exec("PEXPIRE", "k0", "100000");
    const s = stats(t);
    const [, main, , expires] = s.get("db.0") as number[];
    const overhead = (s.get("startup.allocated") as number) + (s.get("clients.normal") as number) +
      (s.get("lua.caches") as number) + (s.get("functions.caches") as number) + main! + expires!;
    assert.equal(s.get("overhead.total"), overhead);
    const dataset = 64 * MB - overhead;
    assert.equal(s.get("dataset.bytes"), dataset);
    assert.equal(s.get("keys.bytes-per-key"), Math.floor(dataset / 7));
    assert.equal(s.get("dataset.percentage"), Math.fround((dataset * 100) / (64 * MB - STARTUP)));
  });

  it("reports the memory in use when the engine was built as startup.allocated", () => {
    const t = engineWith();
    assert.equal(t.engine.startupMemory, STARTUP);
    assert.equal(stats(t).get("startup.allocated"), STARTUP);
    t.proc.used = 200 * MB;
    assert.equal(stats(t).get("startup.allocated"), STARTUP);
  });

  it("rejects extra arguments", () => {
    const t = engineWith();
    assert.deepEqual(t.exec("MEMORY", "STATS", "x"), {
      error: "ERR wrong number of arguments for 'memory|stats' command",
    });
  });
});

const NO_ISSUES =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const HEADER = "Sam, I detected a few issues in this Valkey instance memory implants:\n\n";
const FOOTER = "I'm here to keep you safe, Sam. I want to help you.\n";

describe("MEMORY DOCTOR", () => {
  it("declines to judge an instance using under 5 MB, with Valkey's text", () => {
    const t = engineWith();
    t.proc.used = 4 * MB;
    const r = t.raw("MEMORY", "DOCTOR")!;
    assert.equal(r.t, "verbatim");
    assert.ok(r.t === "verbatim" && r.format === "txt");
    assert.equal(
      t.exec("MEMORY", "DOCTOR"),
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these " +
        "conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be " +
        "back to our programming as soon as I finished rebooting.\n",
    );
  });

  it("finds no issue in a healthy instance", () => {
    const t = engineWith();
    assert.equal(t.exec("MEMORY", "DOCTOR"), NO_ISSUES);
  });

  it("does not call a large RSS over the heap in use an issue", () => {
    const t = engineWith();
    t.proc.used = 20 * MB;
    t.proc.rss = 400 * MB;
    assert.equal(t.exec("MEMORY", "DOCTOR"), NO_ISSUES);
  });

  it("reports a past peak over 150% of the memory in use", () => {
    const t = engineWith();
    t.proc.used = 100 * MB;
    t.exec("MEMORY", "STATS");
    t.proc.used = 60 * MB;
    const report = t.exec("MEMORY", "DOCTOR") as string;
    assert.ok(report.startsWith(HEADER + " * Peak memory: "), report);
    assert.ok(report.endsWith("\n\n" + FOOTER));
  });

  it("reports client buffers over 200K per client on average", () => {
    const t = engineWith();
    t.engine.openSession();
    t.session.obl = 500 * 1024;
    const report = t.exec("MEMORY", "DOCTOR") as string;
    assert.ok(report.startsWith(HEADER + " * Big client buffers: "), report);
    t.session.obl = 300 * 1024;
    assert.equal(t.exec("MEMORY", "DOCTOR"), NO_ISSUES);
  });

  it("reports more than 1000 cached scripts, with every issue in Valkey's order", () => {
    const t = engineWith();
    for (let i = 0; i <= 1000; i++) t.exec("SCRIPT", "LOAD", `return ${i}`);
    t.session.qbuf = 1024 * 1024;
    t.proc.used = 200 * MB;
    t.exec("MEMORY", "STATS");
    t.proc.used = 100 * MB;
    const report = t.exec("MEMORY", "DOCTOR") as string;
    const peak = report.indexOf(" * Peak memory: ");
    const clients = report.indexOf(" * Big client buffers: ");
    const scripts = report.indexOf(" * Many scripts: ");
    assert.ok(peak === HEADER.length && clients > peak && scripts > clients, report);
    assert.ok(report.endsWith(FOOTER));
    t.exec("SCRIPT", "FLUSH");
    t.session.qbuf = 0;
    t.proc.used = 150 * MB;
    assert.equal(t.exec("MEMORY", "DOCTOR"), NO_ISSUES);
  });
});

describe("MEMORY MALLOC-STATS, PURGE and HELP", () => {
  it("MALLOC-STATS answers Valkey's bulk string for an allocator without statistics", () => {
    const t = makeEngine();
    assert.equal(t.raw("MEMORY", "MALLOC-STATS")?.t, "bulk");
    assert.equal(t.exec("MEMORY", "malloc-stats"), "Stats not supported for the current allocator");
  });

  it("PURGE answers OK and hints the runtime to collect where it can", () => {
    const withHint = engineWith({}, true);
    assert.equal(withHint.exec("MEMORY", "PURGE"), "OK");
    assert.equal(withHint.proc.hints, 1);
    assert.equal(engineWith().exec("MEMORY", "PURGE"), "OK");
  });

  it("HELP lists the subcommands in Valkey's words", () => {
    const t = makeEngine();
    const lines = t.exec("MEMORY", "HELP") as string[];
    assert.equal(lines[0], "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.deepEqual(lines.filter((l) => !l.startsWith(" ")).slice(1), [
      "DOCTOR",
      "MALLOC-STATS",
      "PURGE",
      "STATS",
      "USAGE <key> [SAMPLES <count>]",
      "HELP",
    ]);
  });

  it("answers Valkey's errors for arity and unknown subcommands", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MEMORY"), { error: "ERR wrong number of arguments for 'memory' command" });
    assert.deepEqual(t.exec("MEMORY", "DOCTOR", "now"), {
      error: "ERR wrong number of arguments for 'memory|doctor' command",
    });
    assert.deepEqual(t.exec("MEMORY", "PURGE", "all"), {
      error: "ERR wrong number of arguments for 'memory|purge' command",
    });
    assert.deepEqual(t.exec("MEMORY", "FREE"), { error: "ERR unknown subcommand 'FREE'. Try MEMORY HELP." });
  });
});

describe("MODULE", () => {
  it("LIST shows valkey-search as the module `search` with its 1.0 version", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MODULE", "LIST"), [["name", "search", "ver", 10000, "path", "", "args", []]]);
  });

  it("LIST is an array of RESP3 maps, flattened in RESP2", () => {
    const t = makeEngine();
    const r = t.raw("MODULE", "LIST")!;
    assert.equal(
      text(encodeReply(r, 3)),
      "*1\r\n%4\r\n$4\r\nname\r\n$6\r\nsearch\r\n$3\r\nver\r\n:10000\r\n$4\r\npath\r\n$0\r\n\r\n$4\r\nargs\r\n*0\r\n",
    );
    assert.equal(
      text(encodeReply(r, 2)),
      "*1\r\n*8\r\n$4\r\nname\r\n$6\r\nsearch\r\n$3\r\nver\r\n:10000\r\n$4\r\npath\r\n$0\r\n\r\n$4\r\nargs\r\n*0\r\n",
    );
  });

  it("INFO modules prints the module line valkey-search prints", () => {
    const t = makeEngine();
    const info = t.exec("INFO", "modules") as string;
    assert.ok(
      info.startsWith(
        "# Modules\r\nmodule:name=search,ver=10000,api=1,filters=0,usedby=[],using=[]," +
          "options=[handle-io-errors|handle-repl-async-load|no-implicit-signal-modified]\r\n",
      ),
      info,
    );
    assert.ok((t.exec("INFO") as string).includes("\r\nmodule:name=search,ver=10000,"));
  });

  it("LOAD, LOADEX and UNLOAD are refused by default, naming MODULE and enable-module-command", () => {
    const t = makeEngine();
    assert.equal(t.engine.config.get("enable-module-command"), "no");
    const refused = 'ERR MODULE command not allowed. If the enable-module-command option is set to "local", ' +
      "you can run it from a local connection, otherwise you need to set this option in the configuration file, " +
      "and then restart the server.";
    for (const argv of [["LOAD", "/opt/mod.so"], ["LOADEX", "/opt/mod.so", "ARGS", "a"], ["UNLOAD", "search"]]) {
      assert.deepEqual(t.exec("MODULE", ...argv), { error: refused }, argv.join(" "));
    }
    assert.deepEqual(t.exec("MODULE", "LIST"), [["name", "search", "ver", 10000, "path", "", "args", []]]);
  });

  it("enable-module-command yes lets LOAD and UNLOAD run; CONFIG SET cannot change it", () => {
    const t = makeEngine({ config: { "enable-module-command": "yes" } });
    assert.deepEqual(t.exec("MODULE", "LOAD", "/opt/mod.so"), {
      error: "ERR Error loading the extension. Please check the server logs.",
    });
    assert.deepEqual(t.exec("MODULE", "UNLOAD", "json"), {
      error: "ERR Error unloading module: no such module with that name",
    });
    assert.deepEqual(t.exec("CONFIG", "SET", "enable-module-command", "no"), {
      error:
        "ERR CONFIG SET failed (possibly related to argument 'enable-module-command') - can't set immutable config",
    });
  });

  it("LOAD and LOADEX fail as a load failure does in Valkey, and say why in the log", () => {
    const logged: string[] = [];
    const t = makeEngine({ log: (_level, msg) => logged.push(msg) });
    const failed = "ERR Error loading the extension. Please check the server logs.";
    assert.deepEqual(callPastChecks(t, "MODULE", "LOAD", "/opt/mod.so", "arg"), { t: "error", msg: failed });
    assert.deepEqual(callPastChecks(t, "MODULE", "LOADEX", "/opt/mod.so", "CONFIG", "a", "1", "ARGS", "x"), {
      t: "error",
      msg: failed,
    });
    assert.deepEqual(callPastChecks(t, "MODULE", "LOADEX", "/opt/mod.so", "CONFIG", "a"), { t: "error", msg: failed });
    assert.ok(logged.some((l) => l.startsWith("Module /opt/mod.so failed to load: ")), logged.join("\n"));
    assert.deepEqual(t.exec("MODULE", "LIST"), [["name", "search", "ver", 10000, "path", "", "args", []]]);
  });

  it("UNLOAD cannot unload search, which exports a data type, and knows no other module", () => {
    const t = makeEngine();
    assert.deepEqual(callPastChecks(t, "MODULE", "UNLOAD", "SEARCH"), {
      t: "error",
      msg: "ERR Error unloading module: the module exports one or more module-side data types, can't unload",
    });
    assert.deepEqual(callPastChecks(t, "MODULE", "UNLOAD", "json"), {
      t: "error",
      msg: "ERR Error unloading module: no such module with that name",
    });
  });

  it("HELP lists the subcommands in Valkey's words", () => {
    const t = makeEngine();
    const lines = t.exec("MODULE", "HELP") as string[];
    assert.equal(lines[0], "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.deepEqual(lines.filter((l) => !l.startsWith(" ")).slice(1), [
      "LIST",
      "LOAD <path> [<arg> ...]",
      "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
      "UNLOAD <name>",
      "HELP",
    ]);
  });

  it("answers Valkey's errors for arity and unknown subcommands", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("MODULE"), { error: "ERR wrong number of arguments for 'module' command" });
    assert.deepEqual(t.exec("MODULE", "LIST", "x"), {
      error: "ERR wrong number of arguments for 'module|list' command",
    });
    assert.deepEqual(t.exec("MODULE", "UNLOAD"), {
      error: "ERR wrong number of arguments for 'module|unload' command",
    });
    assert.deepEqual(t.exec("MODULE", "LOAD"), { error: "ERR wrong number of arguments for 'module|load' command" });
    assert.deepEqual(t.exec("MODULE", "SHOW"), { error: "ERR unknown subcommand 'SHOW'. Try MODULE HELP." });
  });
});
