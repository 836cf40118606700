/**
 * maxmemory and eviction at the engine level, on a fake process whose "used memory" the tests
 * control: a baseline, plus the estimated size of every stored key (so evicting a key really
 * lowers the reading), plus garbage that only a collection removes.
 */
import { describe, it } from "node:test";
import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import { makeEngine, type TestEngine } from "../_helpers/engine.ts";
import { openClient } from "../_helpers/sessions.ts";
import type { ProcessInfo } from "../../src/runtime/process.ts";
import type { EngineOptions } from "../../src/engine/engine.ts";
import { estimateEntryBytes, estimateValueBytes } from "../../src/keyspace/object_size.ts";
import { evictionTimeLimitUs } from "../../src/engine/eviction.ts";
import { Db, newKeyspaceStats } from "../../src/keyspace/db.ts";
import { createHash } from "node:crypto";

const OOM = { error: "OOM command not allowed when used memory > 'maxmemory'." };
const BASELINE = 1_000_000;

interface FakeProcess extends ProcessInfo {
  /** Bytes counted besides the keys. */
  baseline: number;
  /** Garbage: counted until a collection. */
  garbage: number;
  /** Memory readings taken. */
  reads: number;
  /** Collections run. */
  collections: number;
  /** Called on every reading (tests move the clock from here). */
  onRead: (() => void) | undefined;
}

interface MemEngine extends TestEngine {
  proc: FakeProcess;
  /** The fake reading now, without counting it as a read. */
  dataBytes(): number;
}

/**
 * A test engine whose process reports baseline + the estimated bytes of every key + garbage.
 * @param collector whether the fake runtime offers a synchronous collector
 */
function memEngine(opts: { collector?: boolean; config?: Record<string, string> } & EngineOptions = {}): MemEngine {
  const box: { t?: TestEngine } = {};
  const dataBytes = (): number => {
    let n = 0;
    for (const db of box.t?.engine.dbs ?? []) {
      db.scan(0, Number.MAX_SAFE_INTEGER, (k, v) => n += estimateEntryBytes(k, v));
    }
    return n;
  };
  const proc: FakeProcess = {
    baseline: BASELINE,
    garbage: 0,
    reads: 0,
    collections: 0,
    onRead: undefined,
    pid: 1,
    executable: "/kite",
    os: "Linux",
    archBits: 64,
    runtime: "test",
    allocator: "v8",
    totalSystemMemory: () => 1 << 30,
    memory: () => ({ rss: 0, used: proc.baseline + dataBytes() + proc.garbage }),
    usedMemory() {
      proc.reads++;
      proc.onRead?.();
      return proc.baseline + dataBytes() + proc.garbage;
    },
    cpu: () => ({ user: 0, system: 0 }),
    sleepSync: () => {},
  };
  if (opts.collector) {
    proc.collectGarbageNow = () => {
      proc.collections++;
      proc.garbage = 0;
    };
  }
  const { collector: _c, ...rest } = opts;
  box.t = makeEngine({ processInfo: proc, ...rest });
  return Object.assign(box.t, { proc, dataBytes: () => proc.baseline + dataBytes() + proc.garbage });
}

/** Sets maxmemory to the current reading plus `headroom` bytes. */
function limitAt(t: MemEngine, headroom: number): number {
  const limit = t.dataBytes() + headroom;
  assert.equal(t.exec("CONFIG", "SET", "maxmemory", limit), "OK");
  return limit;
}

/** Fills db 0 with `n` string keys `k0..` holding `size`-byte values. */
function fill(t: TestEngine, n: number, size = 100, prefix = "k"): void {
  for (let i = 0; i < n; i++) assert.equal(t.exec("SET", `${prefix}${i}`, "x".repeat(size)), "OK");
}

function infoField(t: TestEngine, section: string, field: string): string | undefined {
  const text = t.exec("INFO", section) as string;
  for (const line of text.split("\r\n")) {
    if (line.startsWith(field + ":")) return line.slice(field.length + 1);
  }
  return undefined;
}

describe("maxmemory with noeviction", () => {
  it("refuses denyoom commands over the limit with Valkey's OOM error and still serves reads", () => {
    const t = memEngine();
    fill(t, 10);
    limitAt(t, -1);
    assert.deepEqual(t.exec("SET", "new", "v"), OOM);
    assert.deepEqual(t.exec("APPEND", "k1", "more"), OOM);
    assert.equal(t.exec("GET", "k1"), "x".repeat(100));
    assert.equal(t.exec("DBSIZE"), 10);
    // DEL is a write without denyoom: it runs and makes room.
    assert.equal(t.exec("DEL", "k1", "k2"), 2);
    assert.equal(t.exec("SET", "new", "v"), "OK");
    assert.equal(infoField(t, "stats", "evicted_keys"), "0");
  });

  it("counts the refusal as a rejected call and an OOM error", () => {
    const t = memEngine();
    fill(t, 3);
    limitAt(t, -1);
    t.exec("SET", "a", "b");
    assert.match(infoField(t, "commandstats", "cmdstat_set")!, /rejected_calls=1,failed_calls=0$/);
    assert.equal(infoField(t, "errorstats", "errorstat_OOM"), "count=1");
  });

  it("refuses every command queued in MULTI, which dooms the transaction, but not EXEC or DISCARD", () => {
    const t = memEngine();
    fill(t, 3);
    limitAt(t, -1);
    t.exec("MULTI");
    assert.deepEqual(t.exec("GET", "k1"), OOM);
    assert.deepEqual(t.exec("EXEC"), { error: "EXECABORT Transaction discarded because of previous errors." });
    t.exec("MULTI");
    assert.deepEqual(t.exec("EXEC"), []);
    t.exec("MULTI");
    assert.equal(t.exec("DISCARD"), "OK");
  });

  it("refuses EXEC whose queue holds a denyoom command queued before the limit was reached", () => {
    const t = memEngine();
    fill(t, 3);
    t.exec("MULTI");
    assert.equal(t.exec("SET", "x", "1"), "QUEUED");
    assert.equal(t.exec("GET", "k1"), "QUEUED");
    const other = openClient(t);
    assert.equal(other.exec("CONFIG", "SET", "maxmemory", t.dataBytes() - 1), "OK");
    assert.deepEqual(t.exec("EXEC"), {
      error: "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
    });
    assert.equal(t.exec("GET", "x"), null);
  });

  it("runs EXEC whose queue holds only reads", () => {
    const t = memEngine();
    fill(t, 3);
    t.exec("MULTI");
    t.exec("GET", "k1");
    openClient(t).exec("CONFIG", "SET", "maxmemory", t.dataBytes() - 1);
    assert.deepEqual(t.exec("EXEC"), ["x".repeat(100)]);
  });

  it("lets writes through again once the limit is raised or removed", () => {
    const t = memEngine();
    fill(t, 3);
    limitAt(t, -1);
    assert.deepEqual(t.exec("SET", "a", "1"), OOM);
    limitAt(t, 10_000);
    assert.equal(t.exec("SET", "a", "1"), "OK");
    limitAt(t, -1);
    assert.deepEqual(t.exec("SET", "b", "1"), OOM);
    t.exec("CONFIG", "SET", "maxmemory", 0);
    assert.equal(t.exec("SET", "b", "1"), "OK");
  });
});

describe("maxmemory eviction", () => {
  it("evicts just enough keys for each write at the limit (allkeys-random)", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 50);
    const limit = limitAt(t, 0);
    fill(t, 50, 100, "new");
    // As in Valkey the check precedes each command: the last write is paid for by the next one.
    // The estimate drifts a little from the real growth; the cron's reading corrects it.
    t.advance(100);
    const left = t.exec("DBSIZE") as number;
    assert.ok(t.dataBytes() <= limit, "the reading is back under the limit");
    // One key out for each key in; the new keys' names are longer, so sometimes one more.
    assert.ok(left >= 47 && left <= 50, `${left} keys left`);
    assert.ok(Number(infoField(t, "stats", "evicted_keys")) >= 100 - left);
  });

  it("evicts the least recently used keys first under allkeys-lru", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-lru", "maxmemory-samples": "64" } });
    fill(t, 10);
    t.advance(10_000);
    // Touch the odd keys: they become the recently used ones.
    for (let i = 1; i < 10; i += 2) t.exec("GET", `k${i}`);
    t.advance(1_000);
    limitAt(t, 0);
    fill(t, 5, 100, "new");
    const left = (t.exec("KEYS", "k*") as string[]).sort();
    assert.deepEqual(left, ["k1", "k3", "k5", "k7", "k9"]);
  });

  it("keeps frequently used keys under allkeys-lfu", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-lfu", "maxmemory-samples": "64" } });
    fill(t, 10);
    for (let r = 0; r < 200; r++) for (const k of ["k2", "k4", "k6"]) t.exec("GET", k);
    limitAt(t, 0);
    fill(t, 7, 100, "new");
    assert.equal(infoField(t, "stats", "evicted_keys"), "7");
    assert.equal(t.exec("EXISTS", "k2", "k4", "k6"), 3, "the hot keys stay");
  });

  it("evicts the keys closest to expiring under volatile-ttl and never persistent keys", () => {
    const t = memEngine({ config: { "maxmemory-policy": "volatile-ttl", "maxmemory-samples": "64" } });
    fill(t, 4, 100, "p");
    for (let i = 0; i < 4; i++) t.exec("SET", `v${i}`, "x".repeat(100), "EX", 1000 * (i + 1));
    limitAt(t, 0);
    fill(t, 2, 100, "new");
    assert.deepEqual((t.exec("KEYS", "v*") as string[]).sort(), ["v2", "v3"]);
    fill(t, 2, 100, "more");
    assert.deepEqual(t.exec("KEYS", "v*"), []);
    assert.deepEqual(t.exec("SET", "last", "x".repeat(20_000)), OOM, "no volatile key is left to evict");
    assert.deepEqual((t.exec("KEYS", "p*") as string[]).sort(), ["p0", "p1", "p2", "p3"]);
  });

  it("answers OOM under volatile-lru when no key has a TTL", () => {
    const t = memEngine({ config: { "maxmemory-policy": "volatile-lru" } });
    fill(t, 5);
    limitAt(t, -1);
    assert.deepEqual(t.exec("SET", "x", "y"), OOM);
    assert.equal(t.exec("DBSIZE"), 5);
  });

  it("evicts volatile keys at random under volatile-random", () => {
    const t = memEngine({ config: { "maxmemory-policy": "volatile-random" } });
    fill(t, 5, 100, "p");
    for (let i = 0; i < 5; i++) t.exec("SET", `v${i}`, "x".repeat(100), "PX", 100_000);
    limitAt(t, 0);
    fill(t, 3, 100, "new");
    assert.equal((t.exec("KEYS", "v*") as string[]).length, 2);
    assert.equal((t.exec("KEYS", "p*") as string[]).length, 5);
  });

  it("samples keys from every database into one pool", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-lru", "maxmemory-samples": "64" } });
    t.exec("SELECT", 3);
    fill(t, 3, 100, "old");
    t.advance(20_000);
    t.exec("SELECT", 0);
    fill(t, 3, 100, "young");
    limitAt(t, 0);
    fill(t, 3, 100, "new");
    t.exec("SELECT", 3);
    assert.equal(t.exec("DBSIZE"), 0, "the idle keys of db 3 went first");
    t.exec("SELECT", 0);
    assert.equal(t.exec("DBSIZE"), 6);
  });

  it("evicts aggregate values by their estimated size", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    const fields: string[] = [];
    for (let i = 0; i < 100; i++) fields.push(`f${i}`, "v".repeat(20));
    t.exec("HSET", "big", ...fields);
    limitAt(t, 0);
    // One small write over the limit: the only key is the hash, and it goes.
    assert.equal(t.exec("SET", "s", "1"), "OK");
    assert.equal(t.exec("EXISTS", "big"), 0);
    assert.equal(infoField(t, "stats", "evicted_keys"), "1");
  });

  it("fires the evicted keyspace event (class e) and no other", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random", "notify-keyspace-events": "KEA" } });
    fill(t, 1, 100, "old");
    const sub = openClient(t);
    sub.exec("PSUBSCRIBE", "__key*__:*");
    sub.take();
    limitAt(t, -1);
    t.exec("SET", "new", "x".repeat(100));
    const events = sub.take().map((m) => (m as string[]).slice(2));
    assert.deepEqual(events, [
      ["__keyspace@0__:old0", "evicted"],
      ["__keyevent@0__:evicted", "old0"],
      ["__keyspace@0__:new", "set"],
      ["__keyevent@0__:set", "new"],
    ]);
    t.exec("CONFIG", "SET", "notify-keyspace-events", "K$");
    limitAt(t, -1);
    t.exec("SET", "newer", "x".repeat(100));
    assert.equal(infoField(t, "stats", "evicted_keys"), "2");
    assert.deepEqual(sub.take().map((m) => (m as string[])[3]), ["set"], "evicted needs class e");
  });

  it("fails a transaction that WATCHed an evicted key", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 1, 100, "w");
    t.exec("WATCH", "w0");
    limitAt(t, 0);
    openClient(t).exec("SET", "other", "x".repeat(100));
    assert.equal(t.exec("EXISTS", "w0"), 0);
    t.exec("MULTI");
    t.exec("SET", "w0", "mine");
    assert.equal(t.exec("EXEC"), null);
  });

  it("sends a tracking invalidation for an evicted key", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 1, 100, "tracked");
    const reader = openClient(t, { resp: 3 });
    reader.exec("CLIENT", "TRACKING", "ON");
    reader.exec("GET", "tracked0");
    reader.take();
    limitAt(t, -1);
    t.exec("SET", "other", "x".repeat(100));
    assert.deepEqual(reader.take(), [["invalidate", ["tracked0"]]]);
  });

  it("removes an evicted hash from the vector index, as any deletion does", () => {
    const t = memEngine({ config: { "maxmemory-policy": "volatile-random" } });
    const vec = (x: number) => Buffer.from(new Float32Array([x, 0]).buffer).toString("latin1");
    assert.equal(
      t.exec(
        "FT.CREATE",
        "idx",
        "ON",
        "HASH",
        "PREFIX",
        "1",
        "doc:",
        "SCHEMA",
        "v",
        "VECTOR",
        "FLAT",
        "6",
        "TYPE",
        "FLOAT32",
        "DIM",
        "2",
        "DISTANCE_METRIC",
        "L2",
      ),
      "OK",
    );
    t.exec("HSET", "doc:keep", "v", vec(1));
    t.exec("HSET", "doc:gone", "v", vec(2));
    t.exec("EXPIRE", "doc:gone", 1000);
    const knn = () =>
      t.exec("FT.SEARCH", "idx", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", vec(0), "NOCONTENT", "DIALECT", "2");
    assert.deepEqual(knn(), [2, "doc:keep", "doc:gone"]);
    limitAt(t, -1);
    t.exec("SET", "other", "x");
    assert.equal(t.exec("EXISTS", "doc:gone"), 0);
    assert.deepEqual(knn(), [1, "doc:keep"]);
  });

  it("does not count evictions as changes since the last save", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 5);
    limitAt(t, 0);
    const before = Number(infoField(t, "persistence", "rdb_changes_since_last_save"));
    fill(t, 5, 100, "n");
    assert.equal(infoField(t, "stats", "evicted_keys"), "5");
    assert.equal(Number(infoField(t, "persistence", "rdb_changes_since_last_save")), before + 5);
  });

  it("reports evicted_keys, the maxmemory fields, and resets evicted_keys on CONFIG RESETSTAT", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-lru" } });
    fill(t, 3);
    limitAt(t, 0);
    fill(t, 2, 100, "n");
    assert.equal(infoField(t, "stats", "evicted_keys"), "2");
    assert.equal(infoField(t, "stats", "total_eviction_exceeded_time"), "0");
    assert.equal(infoField(t, "stats", "current_eviction_exceeded_time"), "0");
    assert.equal(infoField(t, "memory", "maxmemory_policy"), "allkeys-lru");
    assert.equal(infoField(t, "memory", "mem_not_counted_for_evict"), "0");
    t.exec("CONFIG", "RESETSTAT");
    assert.equal(infoField(t, "stats", "evicted_keys"), "0");
  });

  it("measures the time spent over the limit while writes are refused", () => {
    const t = memEngine();
    fill(t, 2);
    limitAt(t, -1);
    assert.deepEqual(t.exec("SET", "a", "b"), OOM);
    t.clock.advance(1500);
    assert.equal(infoField(t, "stats", "current_eviction_exceeded_time"), "1500");
    t.exec("CONFIG", "SET", "maxmemory", 0);
    limitAt(t, 1_000_000);
    t.exec("GET", "a");
    assert.equal(infoField(t, "stats", "current_eviction_exceeded_time"), "0");
    assert.equal(infoField(t, "stats", "total_eviction_exceeded_time"), "1500");
  });
});

describe("maxmemory triggers", () => {
  it("evicts in the background when CONFIG SET lowers maxmemory, and logs a warning", () => {
    const lines: string[] = [];
    const t = memEngine({
      config: { "maxmemory-policy": "allkeys-random" },
      log: (_level, msg) => lines.push(msg),
    });
    fill(t, 20);
    const limit = limitAt(t, -1000);
    assert.equal(t.engine.dbs[0]!.size, 20, "nothing is evicted inside CONFIG SET");
    assert.ok(lines.some((l) => l.startsWith("WARNING: the new maxmemory value set via CONFIG SET")));
    t.advance(0);
    assert.ok(t.dataBytes() <= limit);
    assert.ok((t.exec("DBSIZE") as number) < 20);
  });

  it("evicts from the cron when memory grows without a command", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 20);
    limitAt(t, 0);
    t.proc.baseline += 1000;
    assert.equal(t.exec("DBSIZE"), 20, "the estimate has not seen the growth yet");
    t.advance(100);
    assert.ok((t.exec("DBSIZE") as number) < 20);
    assert.ok(t.dataBytes() <= t.engine.eviction.limit);
  });

  it("re-reads the memory once enough bytes were written since the last reading", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    limitAt(t, 10_000_000);
    const reads = t.proc.reads;
    fill(t, 10, 10);
    assert.equal(t.proc.reads, reads, "small writes use the estimate");
    fill(t, 20, 10_000);
    assert.ok(t.proc.reads > reads);
  });

  it("reads no memory and evicts nothing while maxmemory is 0", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-lru" } });
    // The constructor reads once, for used_memory_startup.
    const atStart = t.proc.reads;
    fill(t, 100, 1000);
    t.advance(1000);
    assert.equal(t.proc.reads, atStart);
    assert.equal(t.exec("DBSIZE"), 100);
  });

  it("neither evicts nor refuses while clients are paused, and resumes after", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 10);
    const pauser = openClient(t);
    pauser.exec("CLIENT", "PAUSE", 1000, "WRITE");
    limitAt(t, -500);
    t.advance(200);
    assert.equal(t.exec("DBSIZE"), 10);
    assert.equal(t.exec("GET", "k1"), "x".repeat(100));
    pauser.exec("CLIENT", "UNPAUSE");
    t.exec("GET", "k1");
    assert.ok((t.exec("DBSIZE") as number) < 10);
  });

  it("does not evict under CLIENT PAUSE ALL either", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 10);
    openClient(t).exec("CLIENT", "PAUSE", 1000, "ALL");
    openClient(t).exec("CONFIG", "SET", "maxmemory", t.dataBytes() - 500);
    t.advance(500);
    assert.equal(t.engine.dbs[0]!.size, 10);
    t.advance(600);
    assert.ok(t.engine.dbs[0]!.size < 10);
  });

  it("continues a pass cut short by maxmemory-eviction-tenacity from a timer", () => {
    const t = memEngine({
      config: { "maxmemory-policy": "allkeys-random", "maxmemory-eviction-tenacity": "0" },
    });
    fill(t, 64, 10);
    const perKey = estimateEntryBytes("k10", "x".repeat(10));
    const limit = limitAt(t, -40 * perKey);
    // Every reading takes a millisecond, so each pass runs out of time after 16 keys.
    t.proc.onRead = () => t.clock.advance(1);
    t.exec("GET", "k1");
    assert.equal(t.engine.dbs[0]!.size, 64 - 16, "one pass of 16 keys, then the command runs");
    t.advance(0);
    assert.equal(t.engine.dbs[0]!.size, 64 - 32, "the timer continues");
    for (let i = 0; i < 5; i++) t.advance(10);
    const left = t.engine.dbs[0]!.size;
    assert.ok(left <= 24 && left >= 22, `${left} keys left`);
    assert.ok(t.dataBytes() <= limit);
  });

  it("maps tenacity to Valkey's time limits", () => {
    assert.equal(evictionTimeLimitUs(0), 0);
    assert.equal(evictionTimeLimitUs(10), 500);
    assert.ok(Math.abs(evictionTimeLimitUs(20) - 500 * 1.15 ** 10) < 1e-6);
    assert.equal(evictionTimeLimitUs(100), Number.POSITIVE_INFINITY);
  });
});

describe("maxmemory and garbage", () => {
  it("collects garbage before evicting when a reading is over the limit", () => {
    const t = memEngine({ collector: true, config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 10);
    limitAt(t, 1000);
    t.proc.garbage = 50_000;
    t.advance(100);
    assert.equal(t.proc.collections, 1);
    assert.equal(t.exec("DBSIZE"), 10, "the excess was garbage: no key evicted");
  });

  it("evicts on the reading when the runtime has no collector", () => {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 10);
    limitAt(t, 1000);
    t.proc.garbage = 1500;
    t.advance(100);
    assert.ok((t.exec("DBSIZE") as number) < 10);
  });

  it("rations collections and trusts the running estimate in between", () => {
    const t = memEngine({ collector: true, config: { "maxmemory-policy": "allkeys-random" } });
    fill(t, 10);
    limitAt(t, 1000);
    // A collection that takes 10 ms: the next may run 200 ms after it ends.
    t.proc.collectGarbageNow = () => {
      t.proc.collections++;
      t.proc.garbage = 0;
      t.clock.advance(10);
    };
    t.proc.garbage = 50_000;
    t.advance(100);
    assert.equal(t.proc.collections, 1);
    t.proc.garbage = 50_000;
    t.advance(100);
    assert.equal(t.proc.collections, 1, "within the cool-down");
    assert.equal(t.exec("DBSIZE"), 10, "the inflated reading was not believed");
    t.advance(200);
    assert.equal(t.proc.collections, 2);
    assert.equal(t.exec("DBSIZE"), 10);
  });

  // 100 keys; the estimate is 50 keys over the limit, but every evicted key really releases
  // four times its estimated size (memory the estimate does not know of, freed in the
  // background), so a reading after 16 keys shows room.
  function lazyCase(lazy: "yes" | "no"): MemEngine {
    const t = memEngine({ config: { "maxmemory-policy": "allkeys-random", "lazyfree-lazy-eviction": lazy } });
    fill(t, 100, 10);
    const perKey = estimateEntryBytes("k10", "x".repeat(10));
    limitAt(t, -50 * perKey);
    const db = t.engine.dbs[0]!;
    t.proc.onRead = () => t.proc.garbage = -(100 - db.size) * perKey * 3;
    t.exec("GET", "k1");
    return t;
  }

  it("with lazyfree-lazy-eviction yes, stops a pass once a reading every 16 keys shows room", () => {
    assert.equal(lazyCase("yes").engine.dbs[0]!.size, 100 - 16);
  });

  it("with lazyfree-lazy-eviction no, stops a pass on the estimate alone", () => {
    // 50 keys, or 51 when some of the shorter keys k0..k9 went.
    const left = lazyCase("no").engine.dbs[0]!.size;
    assert.ok(left === 50 || left === 49, `${left} keys left`);
  });
});

describe("maxmemory and scripts", () => {
  function overLimit(): MemEngine {
    const t = memEngine();
    fill(t, 3);
    t.exec("SET", "x", "1");
    limitAt(t, -1);
    return t;
  }

  it("refuses redis.call of a denyoom command from a script without flags", () => {
    const t = overLimit();
    const r = t.exec("EVAL", "return redis.call('set','k','v')", 0) as { error: string };
    assert.match(r.error, /^OOM command not allowed when used memory > 'maxmemory'\. script: /);
    assert.deepEqual(t.exec("EVAL", "return redis.pcall('set','k','v')", 0), OOM);
    assert.equal(t.exec("EVAL", "return redis.call('get','x')", 0), "1");
    // Counted once, where the call was refused; the script's error reply is not counted again.
    assert.match(infoField(t, "commandstats", "cmdstat_set")!, /rejected_calls=2,failed_calls=0$/);
    assert.match(infoField(t, "commandstats", "cmdstat_eval")!, /rejected_calls=0,failed_calls=2$/);
    assert.equal(infoField(t, "errorstats", "errorstat_OOM"), "count=2");
  });

  it("lets a script write once it has run a write command", () => {
    const t = overLimit();
    assert.equal(t.exec("EVAL", "redis.call('del','nokey'); return redis.call('set','k','v')", 0), "OK");
  });

  it("refuses at the dispatcher a script whose shebang lacks allow-oom and no-writes", () => {
    const t = overLimit();
    assert.deepEqual(t.exec("EVAL", "#!lua\nreturn 1", 0), OOM);
    assert.equal(t.exec("EVAL", "#!lua flags=no-writes\nreturn 2", 0), 2);
    assert.equal(t.exec("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','k','v')", 0), "OK");
    const sha = t.exec("SCRIPT", "LOAD", "#!lua\nreturn 3") as string;
    assert.deepEqual(t.exec("EVALSHA", sha, 0), OOM);
  });

  it("applies functions' flags to FCALL and FCALL_RO", () => {
    const t = memEngine();
    t.exec(
      "FUNCTION",
      "LOAD",
      "#!lua name=lib\n" +
        "redis.register_function('w', function() return redis.call('set','k','v') end)\n" +
        "redis.register_function{function_name='oom', callback=function() return redis.call('set','k','v') end, flags={'allow-oom'}}\n" +
        "redis.register_function{function_name='ro', callback=function() return 1 end, flags={'no-writes'}}",
    );
    limitAt(t, -1);
    assert.deepEqual(t.exec("FCALL", "w", 0), OOM);
    assert.deepEqual(t.exec("FCALL_RO", "w", 0), OOM);
    assert.equal(t.exec("FCALL", "oom", 0), "OK");
    assert.equal(t.exec("FCALL_RO", "ro", 0), 1);
  });

  it("refuses to start a flagged script inside EXEC over the limit (allow-oom not set)", () => {
    const t = memEngine();
    const body = "#!lua\nreturn redis.call('set','k2','v')";
    const sha = createHash("sha1").update(body).digest("hex");
    t.exec("MULTI");
    t.exec("SCRIPT", "LOAD", body);
    t.exec("EVALSHA", sha, 0);
    openClient(t).exec("CONFIG", "SET", "maxmemory", t.dataBytes() - 1);
    assert.deepEqual(t.exec("EXEC"), [
      sha,
      { error: "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'" },
    ]);
  });

  it("refuses a script's write inside EXEC when memory was over the limit at EXEC", () => {
    const t = memEngine();
    t.exec("MULTI");
    t.exec("EVAL", "return redis.call('set','k4','v')", 0);
    t.exec("GET", "x");
    openClient(t).exec("CONFIG", "SET", "maxmemory", t.dataBytes() - 1);
    const r = t.exec("EXEC") as [{ error: string }, null];
    assert.match(r[0].error, /^OOM command not allowed when used memory > 'maxmemory'\. script: /);
    assert.equal(r[1], null);
  });
});

describe("Db eviction sampling", () => {
  function db(n: number, volatile: number): Db {
    const d = new Db(0, newKeyspaceStats());
    for (let i = 0; i < n; i++) {
      d.set(`k${i}`, "v", 0);
      if (i < volatile) d.setExpire(`k${i}`, 10_000 + i);
    }
    return d;
  }

  it("sampleKeys draws the requested number of present keys", () => {
    const d = db(100, 0);
    const seen: string[] = [];
    assert.equal(d.sampleKeys(7, Math.random, (k) => seen.push(k)), 7);
    assert.equal(seen.length, 7);
    for (const k of seen) assert.ok(d.has(k));
    assert.equal(new Db(1, newKeyspaceStats()).sampleKeys(5, Math.random, () => assert.fail()), 0);
  });

  it("sampleVolatile visits only keys with a TTL, with their expiry time, even when they are rare", () => {
    const d = db(1000, 3);
    const seen = new Map<string, number>();
    assert.equal(d.sampleVolatile(5, Math.random, (k, at) => seen.set(k, at)), 5);
    assert.deepEqual([...seen.keys()].sort(), ["k0", "k1", "k2"]);
    assert.equal(seen.get("k2"), 10_002);
    const dense = db(100, 90);
    let n = 0;
    dense.sampleVolatile(10, Math.random, (k) => {
      assert.ok(dense.expires.has(k));
      n++;
    });
    assert.equal(n, 10);
  });

  it("evict removes a key with its TTL, expired or not, and returns its value", () => {
    const d = db(3, 3);
    assert.equal(d.evict("k1"), "v");
    assert.equal(d.has("k1"), false);
    assert.equal(d.expires.has("k1"), false);
    assert.equal(d.evict("k1"), undefined);
  });
});

describe("estimateEntryBytes", () => {
  it("grows with the key and value sizes", () => {
    const small = estimateEntryBytes("k", "v");
    assert.ok(estimateEntryBytes("k".repeat(100), "v") === small + 99);
    assert.ok(estimateEntryBytes("k", "v".repeat(1000)) === small + 999);
  });

  it("extrapolates aggregates from a few sampled elements", () => {
    const t = makeEngine();
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(`member${String(i).padStart(4, "0")}`);
    t.exec("SADD", "s", ...args);
    t.exec("RPUSH", "l", ...args);
    const db = t.engine.dbs[0]!;
    const set = estimateValueBytes(db.peek("s", 0)!);
    const all = estimateValueBytes(db.peek("s", 0)!, 0);
    assert.equal(set, all, "equal-sized members: the sample predicts the whole");
    assert.ok(set > 1000 * 10);
    const list = estimateValueBytes(db.peek("l", 0)!);
    assert.ok(list > 1000 * 10);
  });
});
