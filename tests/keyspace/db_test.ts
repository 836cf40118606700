import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bindAccessPolicy,
  Db,
  isLfuPolicy,
  LFU_INIT_VAL,
  lfuDecrAndReturn,
  lfuLogIncr,
  lruClock,
  lruIdleSeconds,
  newKeyspaceStats,
  type ObjectValue,
  typeOf,
} from "../../src/keyspace/db.ts";
import { Config } from "../../src/config/config.ts";

const T0 = 1_700_000_000_000;

function newDb(): { db: Db; stats: ReturnType<typeof newKeyspaceStats>; expired: string[] } {
  const stats = newKeyspaceStats();
  const db = new Db(0, stats);
  const expired: string[] = [];
  db.onExpire = (_d, key) => expired.push(key);
  return { db, stats, expired };
}

describe("Db lookups", () => {
  it("counts hits and misses on lookupRead only", () => {
    const { db, stats } = newDb();
    db.set("a", "1", T0);
    assert.equal(db.lookupRead("a", T0), "1");
    assert.equal(db.lookupRead("b", T0), undefined);
    assert.equal(db.lookupWrite("a", T0), "1");
    assert.equal(db.lookupWrite("b", T0), undefined);
    assert.equal(db.peek("a", T0), "1");
    assert.equal(stats.keyspaceHits, 1);
    assert.equal(stats.keyspaceMisses, 1);
  });

  it("treats a key as expired only once the time is strictly past its expiry", () => {
    const { db, stats, expired } = newDb();
    db.set("a", "1", T0);
    db.setExpire("a", T0 + 100);
    assert.equal(db.peek("a", T0 + 100), "1");
    assert.equal(db.isExpired("a", T0 + 100), false);
    assert.equal(db.peek("a", T0 + 101), undefined);
    assert.deepEqual(expired, ["a"]);
    assert.equal(stats.expiredKeys, 1);
    assert.equal(db.size, 0);
  });

  it("returns a write-through handle from entry()", () => {
    const { db } = newDb();
    db.set("a", "1", T0);
    const e = db.entry("a", T0)!;
    assert.equal(e.key, "a");
    assert.equal(e.value, "1");
    e.value = "2";
    assert.equal(db.peek("a", T0), "2");
    assert.equal(e.lru, lruClock(T0));
    assert.equal(db.entry("missing", T0), undefined);
  });

  it("keeps the TTL with replace() and drops it with set()", () => {
    const { db } = newDb();
    db.set("a", "1", T0);
    db.setExpire("a", T0 + 1000);
    db.replace("a", "2", T0);
    assert.equal(db.getExpire("a"), T0 + 1000);
    assert.equal(db.set("a", "3", T0), false);
    assert.equal(db.getExpire("a"), undefined);
    assert.equal(db.set("b", "3", T0, true), true);
  });

  it("keeps expiry times past 2^53 exactly", () => {
    const { db } = newDb();
    db.set("a", "1", T0);
    db.setExpire("a", 9223372036854775807n);
    assert.equal(db.getExpireExact("a"), 9223372036854775807n);
    assert.equal(db.getExpire("a"), 9223372036854775807);
    db.setExpire("a", 5000n);
    assert.equal(db.getExpireExact("a"), 5000);
    db.setExpire("a", 9223372036854775000n);
    assert.equal(db.persist("a"), true);
    assert.equal(db.getExpireExact("a"), undefined);
    assert.equal(db.persist("a"), false);
  });

  it("reports typeOf for bare strings, bytes and objects", () => {
    const list: ObjectValue = { type: "list" };
    assert.equal(typeOf("x"), "string");
    assert.equal(typeOf(new Uint8Array(1)), "string");
    assert.equal(typeOf(list), "list");
  });
});

describe("Db.removeExpired", () => {
  it("deletes the key and counts it in expired_keys without calling the listener", () => {
    const { db, stats, expired } = newDb();
    db.set("a", "1", T0);
    db.setExpire("a", T0 + 5);
    assert.equal(db.removeExpired("a"), true);
    assert.equal(db.removeExpired("a"), false);
    assert.equal(stats.expiredKeys, 1);
    assert.deepEqual(expired, []);
    assert.equal(db.expires.size, 0);
  });
});

describe("Db.activeExpire", () => {
  it("reclaims expired keys across passes, continuing where the last one stopped", () => {
    const { db, expired } = newDb();
    for (let i = 0; i < 50; i++) {
      db.set(`k${i}`, "v", T0);
      db.setExpire(`k${i}`, T0 + (i < 30 ? 10 : 100_000));
    }
    db.set("persistent", "v", T0);
    const [checked1, expired1] = db.activeExpire(T0 + 11, 20);
    assert.equal(checked1, 20);
    assert.equal(expired1, 20);
    const [, expired2] = db.activeExpire(T0 + 11, 20);
    assert.equal(expired2, 10);
    assert.equal(expired.length, 30);
    assert.equal(db.size, 21);
  });

  it("checks nothing when no key is volatile", () => {
    const { db } = newDb();
    db.set("a", "1", T0);
    assert.deepEqual(db.activeExpire(T0, 20), [0, 0]);
  });
});

describe("Db.randomKey", () => {
  it("reaches every live key and reclaims expired ones met on the way", () => {
    const { db, expired } = newDb();
    for (let i = 0; i < 10; i++) db.set(`k${i}`, "v", T0);
    for (let i = 0; i < 5; i++) db.setExpire(`k${i}`, T0 - 10);
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(db.randomKey(T0, rand)!);
    assert.deepEqual([...seen].sort(), ["k5", "k6", "k7", "k8", "k9"]);
    assert.equal(expired.length, 5);
  });

  it("returns undefined for a database holding only expired keys, leaving it empty", () => {
    const { db } = newDb();
    for (let i = 0; i < 200; i++) {
      db.set(`k${i}`, "v", T0);
      db.setExpire(`k${i}`, T0 - 1);
    }
    assert.equal(db.randomKey(T0, Math.random), undefined);
    assert.equal(db.size, 0);
  });
});

describe("Db.flush and Db.swapWith", () => {
  it("flush removes keys and expiries and reports how many keys went", () => {
    const { db } = newDb();
    db.set("a", "1", T0);
    db.set("b", "1", T0);
    db.setExpire("a", T0 + 10);
    assert.equal(db.flush(), 2);
    assert.equal(db.size, 0);
    assert.equal(db.expires.size, 0);
    assert.equal(db.peek("a", T0), undefined);
  });

  it("swapWith exchanges keys and expiries but not ids", () => {
    const stats = newKeyspaceStats();
    const a = new Db(0, stats);
    const b = new Db(1, stats);
    a.set("x", "1", T0);
    a.setExpire("x", 9223372036854775000n);
    b.set("y", "2", T0);
    a.swapWith(b);
    assert.equal(a.id, 0);
    assert.equal(a.peek("y", T0), "2");
    assert.equal(b.peek("x", T0), "1");
    assert.equal(b.getExpireExact("x"), 9223372036854775000n);
    assert.equal(a.getExpire("y"), undefined);
  });
});

describe("LRU and LFU helpers", () => {
  it("keeps a 24-bit LRU clock in seconds and measures idle time across its wrap", () => {
    assert.equal(lruClock(T0), Math.floor(T0 / 1000) % (1 << 24));
    const word = lruClock(T0);
    assert.equal(lruIdleSeconds(word, T0 + 5999), 5);
    const nearWrap = (1 << 24) - 2;
    // The clock wrapped: Valkey counts clock + (LRU_CLOCK_MAX - word).
    const wrappedNow = 101 * (1 << 24) * 1000 + 3000; // the clock reads 3 here
    assert.equal(lruIdleSeconds(nearWrap, wrappedNow), 3 + 1);
  });

  it("always increments below the initial value and ever more rarely above it", () => {
    const never = () => 0.999999;
    const always = () => 0;
    assert.equal(lfuLogIncr(0, 10, never), 1);
    assert.equal(lfuLogIncr(LFU_INIT_VAL, 10, never), LFU_INIT_VAL + 1);
    assert.equal(lfuLogIncr(LFU_INIT_VAL + 1, 10, () => 0.5), LFU_INIT_VAL + 1);
    assert.equal(lfuLogIncr(LFU_INIT_VAL + 1, 10, () => 0.05), LFU_INIT_VAL + 2);
    assert.equal(lfuLogIncr(255, 0, always), 255);
    assert.equal(lfuLogIncr(100, 0, never), 101);
  });

  it("decays the counter by one per lfu-decay-time minutes, never below 0", () => {
    const minutes = Math.floor(T0 / 60000) % 65536;
    const word = minutes * 256 + 10;
    assert.equal(lfuDecrAndReturn(word, T0, 1), 10);
    assert.equal(lfuDecrAndReturn(word, T0 + 3 * 60000, 1), 7);
    assert.equal(lfuDecrAndReturn(word, T0 + 6 * 60000, 2), 7);
    assert.equal(lfuDecrAndReturn(word, T0 + 60 * 60000, 1), 0);
    assert.equal(lfuDecrAndReturn(word, T0 + 60 * 60000, 0), 10);
  });

  it("recognises the LFU policies", () => {
    assert.equal(isLfuPolicy("allkeys-lfu"), true);
    assert.equal(isLfuPolicy("volatile-lfu"), true);
    assert.equal(isLfuPolicy("allkeys-lru"), false);
    assert.equal(isLfuPolicy("noeviction"), false);
  });
});

describe("bindAccessPolicy()", () => {
  it("follows maxmemory-policy and the LFU parameters, and is idempotent", () => {
    const config = new Config();
    const dbs = [new Db(0, newKeyspaceStats()), new Db(1, newKeyspaceStats())];
    const policy = bindAccessPolicy({ dbs, config, random: () => 0 });
    assert.equal(policy.lfu, false);
    assert.equal(dbs[1]!.policy, policy);
    config.set("maxmemory-policy", "allkeys-lfu");
    config.set("lfu-log-factor", "3");
    config.set("lfu-decay-time", "7");
    assert.deepEqual([policy.lfu, policy.lfuLogFactor, policy.lfuDecayTime], [true, 3, 7]);
    assert.equal(bindAccessPolicy({ dbs, config, random: () => 0 }), policy);
  });

  it("starts new keys at LFU_INIT_VAL and counts accesses under LFU", () => {
    const config = new Config();
    config.set("maxmemory-policy", "allkeys-lfu");
    config.set("lfu-log-factor", "0");
    const db = new Db(0, newKeyspaceStats());
    bindAccessPolicy({ dbs: [db], config, random: () => 0.5 });
    db.set("a", "1", T0);
    assert.equal(db.accessWord("a")! % 256, LFU_INIT_VAL);
    db.lookupRead("a", T0);
    db.lookupWrite("a", T0);
    db.lookupRead("a", T0, true);
    assert.equal(db.accessWord("a")! % 256, LFU_INIT_VAL + 2);
    // An overwrite keeps the counter, as Valkey carries LFU data over.
    db.set("a", "2", T0);
    assert.equal(db.accessWord("a")! % 256, LFU_INIT_VAL + 2);
  });
});
