import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Config, parseMemory, parseMemoryBig, validateConfigValue } from "../../src/config/config.ts";
import { CONFIG_PARAMS, displayNotifyEvents, normalizeNotifyEvents } from "../../src/config/table.ts";
import { parseConfigText } from "../../src/config/load.ts";

describe("parseMemory", () => {
  it("reads plain bytes and Valkey's units, case-insensitively", () => {
    assert.equal(parseMemory("0"), 0);
    assert.equal(parseMemory("100"), 100);
    assert.equal(parseMemory("100b"), 100);
    assert.equal(parseMemory("1k"), 1000);
    assert.equal(parseMemory("1kb"), 1024);
    assert.equal(parseMemory("2M"), 2_000_000);
    assert.equal(parseMemory("2mb"), 2 * 1024 * 1024);
    assert.equal(parseMemory("1G"), 1e9);
    assert.equal(parseMemory("1Gb"), 1024 ** 3);
    assert.equal(parseMemory("010"), 10);
  });
  it("rejects signs, fractions, spaces and unknown units", () => {
    for (const bad of ["-1", "+1", "1.5gb", " 1", "1 ", "1tb", "kb", "", "1x"]) {
      assert.equal(parseMemory(bad), null, bad);
    }
  });
  it("keeps exact values up to 2^64 - 1 as bigints", () => {
    assert.equal(parseMemoryBig("18446744073709551615"), 18446744073709551615n);
    assert.equal(parseMemoryBig("18446744073709551616"), null);
  });
});

describe("normalizeNotifyEvents", () => {
  it("prints Valkey's canonical spelling", () => {
    assert.equal(normalizeNotifyEvents("KEA"), "AKE");
    assert.equal(normalizeNotifyEvents("Ex"), "xE");
    assert.equal(normalizeNotifyEvents("g$lshzxetdK"), "AK");
    assert.equal(normalizeNotifyEvents("KEn"), "nKE");
    assert.equal(normalizeNotifyEvents("Km"), "Km");
    assert.equal(normalizeNotifyEvents(""), "");
  });
  it("keeps n beside A in the stored value; the display drops it, as Valkey's printer does", () => {
    assert.equal(normalizeNotifyEvents("An"), "An");
    assert.equal(normalizeNotifyEvents("KEAmn"), "AnKEm");
    assert.equal(displayNotifyEvents("AnKEm"), "AKEm");
    assert.equal(displayNotifyEvents("nKE"), "nKE");
    const c = new Config();
    c.set("notify-keyspace-events", "nKEA");
    assert.equal(c.get("notify-keyspace-events"), "AnKE");
    assert.equal(c.shown("notify-keyspace-events"), "AKE");
    assert.deepEqual(c.match(["notify-*"]), [["notify-keyspace-events", "AKE"]]);
  });
  it("rejects unknown characters with Valkey's reason", () => {
    assert.deepEqual(normalizeNotifyEvents("KEQ"), { reason: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." });
  });
});

describe("CONFIG_PARAMS", () => {
  it("has unique names and aliases, in lower case", () => {
    const seen = new Set<string>();
    for (const p of CONFIG_PARAMS) {
      for (const n of [p.name, ...(p.aliases ?? [])]) {
        assert.equal(n, n.toLowerCase());
        assert.ok(!seen.has(n), `duplicate ${n}`);
        seen.add(n);
      }
    }
  });
  it("has defaults that pass their own validation unchanged", () => {
    for (const p of CONFIG_PARAMS) assert.equal(validateConfigValue(p, p.default), p.default, p.name);
  });
  it("uses Valkey 8's defaults for the parameters clients read", () => {
    const c = new Config();
    const expect: Record<string, string> = {
      maxmemory: "0",
      "maxmemory-policy": "noeviction",
      timeout: "0",
      hz: "10",
      databases: "16",
      port: "6379",
      maxclients: "10000",
      loglevel: "notice",
      "notify-keyspace-events": "",
      "lazyfree-lazy-user-flush": "yes",
      "list-max-listpack-size": "-2",
      "hash-max-listpack-entries": "512",
      "zset-max-listpack-entries": "128",
      "set-max-intset-entries": "512",
      "proto-max-bulk-len": "536870912",
      "enable-debug-command": "no",
      "enable-module-command": "no",
      save: "",
      appendonly: "no",
    };
    for (const [k, v] of Object.entries(expect)) assert.equal(c.get(k), v, k);
  });
});

describe("Config", () => {
  it("reads parameters by name or alias, case-insensitively", () => {
    const c = new Config();
    assert.equal(c.get("HZ"), "10");
    assert.equal(c.num("hz"), 10);
    assert.equal(c.get("hash-max-ziplist-entries"), "512");
    assert.equal(c.param("LIST-MAX-ZIPLIST-SIZE")?.name, "list-max-listpack-size");
    assert.throws(() => c.get("nosuch"), RangeError);
  });
  it("stores canonical values and caches numbers", () => {
    const c = new Config();
    assert.deepEqual(c.set("maxmemory", "2mb"), { status: "ok" });
    assert.equal(c.get("maxmemory"), "2097152");
    assert.equal(c.num("maxmemory"), 2097152);
    assert.deepEqual(c.set("appendonly", "NO"), { status: "ok" });
    assert.equal(c.get("appendonly"), "no");
    assert.equal(c.bool("appendonly"), false);
  });
  it("refuses immutable parameters except at startup", () => {
    const c = new Config();
    assert.deepEqual(c.set("databases", "4"), { status: "immutable" });
    assert.deepEqual(c.set("databases", "4", true), { status: "ok" });
    assert.equal(c.num("databases"), 4);
    assert.deepEqual(c.set("nosuch", "1"), { status: "unknown" });
    assert.deepEqual(c.set("hz", "x"), { status: "invalid", reason: "argument couldn't be parsed into an integer" });
  });
  it("validates every value of a multi-set before storing any", () => {
    const c = new Config();
    assert.deepEqual(c.setMany([["timeout", "5"], ["maxclients", "0"]]), {
      status: "failed",
      name: "maxclients",
      reason: "argument must be between 1 and 4294967295 inclusive",
    });
    assert.equal(c.get("timeout"), "0");
    assert.deepEqual(c.setMany([["timeout", "5"], ["maxclients", "7"]]), { status: "ok" });
    assert.equal(c.get("timeout"), "5");
  });
  it("reports the first unknown name, unless an earlier parameter already failed", () => {
    const c = new Config();
    assert.deepEqual(c.setMany([["a", "1"], ["b", "2"]]), { status: "unknown", name: "a" });
    assert.deepEqual(c.setMany([["hz", "1"], ["Hz", "2"], ["zzz", "3"]]), {
      status: "failed",
      name: "Hz",
      reason: "duplicate parameter",
    });
    assert.deepEqual(c.setMany([["timeout", "1"], ["nope", "2"], ["port", "1"]]), { status: "unknown", name: "nope" });
  });
  it("treats an alias and its parameter as duplicates", () => {
    const c = new Config();
    assert.deepEqual(c.setMany([["list-max-ziplist-size", "1"], ["list-max-listpack-size", "2"]]), {
      status: "failed",
      name: "list-max-listpack-size",
      reason: "duplicate parameter",
    });
  });
  it("calls change listeners after every value of a multi-set is stored", () => {
    const c = new Config();
    const seen: string[] = [];
    c.onChange("hz", (v) => seen.push(`hz=${v} timeout=${c.get("timeout")}`));
    c.setMany([["hz", "20"], ["timeout", "9"]]);
    assert.deepEqual(seen, ["hz=20 timeout=9"]);
    c.setMany([["hz", "x"]]);
    assert.equal(seen.length, 1);
  });
  it("matches CONFIG GET patterns over names and aliases without duplicates", () => {
    const c = new Config();
    assert.deepEqual(c.match(["zset-max-*-entries"]), [
      ["zset-max-listpack-entries", "128"],
      ["zset-max-ziplist-entries", "128"],
    ]);
    assert.deepEqual(c.match(["maxmemory", "MAXMEMORY", "max*ry"]), [["maxmemory", "0"]]);
    assert.deepEqual(c.match(["h?"]), [["hz", "10"]]);
    assert.deepEqual(c.match(["[pt]ort"]), [["port", "6379"]]);
  });
});

describe("parseConfigText", () => {
  it("reads valkey.conf lines, comments and quoted values", () => {
    const text = '# comment\nport 7000\n\nrequirepass "a b"\nnotify-keyspace-events KEA\nlist-max-ziplist-size 8\n';
    assert.deepEqual(parseConfigText(text), {
      port: "7000",
      requirepass: "a b",
      "notify-keyspace-events": "KEA",
      "list-max-ziplist-size": "8",
    });
  });
  it("refuses unknown directives, as valkey-server refuses to start", () => {
    assert.throws(() => parseConfigText("dir /tmp\n"), SyntaxError);
  });
});
