/**
 * Memory reporting of search indexes: FT.INFO's per-attribute `user_indexed_memory` (vector
 * blocks, graph links, tag and numeric structures), INFO's `search_*` sections with
 * valkey-search's field names, and the bytes one key's vectors occupy in its indexes (what
 * MEMORY USAGE adds for an indexed hash).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine, type Plain, type TestEngine } from "../_helpers/engine.ts";
import { SearchManager } from "../../src/search/manager.ts";
import { searchUsedMemory } from "../../src/search/info.ts";

const v = (...xs: number[]) => Buffer.from(new Float32Array(xs).buffer).toString("latin1");

/** `identifier -> user_indexed_memory` from FT.INFO. */
function attrMemory(t: TestEngine, name = "i"): Map<string, number> {
  const a = t.exec("FT.INFO", name) as Plain[];
  const attrs = a[a.indexOf("attributes") + 1] as Plain[][];
  return new Map(attrs.map((x) => [x[1] as string, x[x.indexOf("user_indexed_memory") + 1] as number]));
}

/** `field -> value` of an INFO text. */
function infoFields(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) m.set(line.slice(0, at), line.slice(at + 1));
  }
  return m;
}

/** HNSW (M 8) over 16-d vectors, a TAG and a NUMERIC attribute, on `d:*`. */
function setup(): TestEngine {
  const t = makeEngine();
  t.exec(
    "FT.CREATE",
    "i",
    "PREFIX",
    "1",
    "d:",
    "SCHEMA",
    "v",
    "VECTOR",
    "HNSW",
    "10",
    "TYPE",
    "FLOAT32",
    "DIM",
    "16",
    "DISTANCE_METRIC",
    "L2",
    "M",
    "8",
    "INITIAL_CAP",
    "100",
    "t",
    "TAG",
    "n",
    "NUMERIC",
  );
  return t;
}

const vec16 = (i: number) => v(...Array.from({ length: 16 }, (_, j) => (i * 7 + j) % 11));

describe("FT.INFO user_indexed_memory", () => {
  it("covers a vector index's reserved blocks and link tables, and grows with the graph", () => {
    const t = setup();
    const empty = attrMemory(t).get("v")!;
    // INITIAL_CAP 100 reserves 100 vectors of 16 floats and their level-0 links (2M+1 ints).
    assert.ok(empty >= 100 * 16 * 4 + 100 * 17 * 4, `${empty}`);
    for (let i = 0; i < 500; i++) t.exec("HSET", `d:${i}`, "v", vec16(i));
    const full = attrMemory(t).get("v")!;
    assert.ok(full >= 500 * (16 * 4 + 17 * 4), `${full} for 500 vectors`);
    assert.ok(full > empty);
  });

  it("grows tag and numeric memory with their content and gives it back when documents go", () => {
    const t = setup();
    const before = attrMemory(t);
    for (let i = 0; i < 200; i++) t.exec("HSET", `d:${i}`, "t", `red,tag-${i}`, "n", String(i));
    const mid = attrMemory(t);
    // Each document holds two tags (a shared one and its own) and one number.
    assert.ok(mid.get("t")! - before.get("t")! >= 200 * 2 * 24, `tag bytes ${mid.get("t")}`);
    assert.ok(mid.get("n")! - before.get("n")! >= 200 * 16, `numeric bytes ${mid.get("n")}`);
    for (let i = 0; i < 200; i++) t.exec("DEL", `d:${i}`);
    const after = attrMemory(t);
    // Only the per-document slot array (8 bytes per document id ever used) stays.
    assert.equal(after.get("t")! - before.get("t")!, 200 * 8);
    // The per-document value table keeps its size; the sorted entries are gone.
    assert.ok(after.get("n")! < mid.get("n")!);
  });
});

describe("INFO search sections", () => {
  it("reports valkey-search's memory, index, ingestion and query fields", () => {
    const t = setup();
    t.exec("FT.CREATE", "j", "PREFIX", "1", "o:", "SCHEMA", "x", "NUMERIC");
    for (let i = 0; i < 20; i++) t.exec("HSET", `d:${i}`, "v", vec16(i), "t", "a");
    const text = t.exec("INFO", "search") as string;
    assert.deepEqual(
      text.split("\r\n").filter((l) => l.startsWith("#")),
      ["# search_memory", "# search_index_stats", "# search_ingestion", "# search_query"],
    );
    const f = infoFields(text);
    const used = searchUsedMemory(t.engine);
    assert.equal(f.get("search_used_memory_bytes"), String(used));
    assert.equal(f.get("search_used_memory_human"), `${(used / 1048576).toFixed(2)}M`);
    // The index total covers every attribute's memory.
    let attrs = 0;
    for (const m of [attrMemory(t, "i"), attrMemory(t, "j")]) for (const n of m.values()) attrs += n;
    assert.ok(used > attrs, `${used} vs ${attrs}`);
    assert.equal(f.get("search_number_of_indexes"), "2");
    assert.equal(f.get("search_number_of_attributes"), "4");
    assert.equal(f.get("search_total_indexed_hash_keys"), "20");
    assert.equal(f.get("search_background_indexing_status"), "NO_ACTIVITY");
    assert.equal(f.get("search_successful_requests_count"), "0");
  });

  it("shows IN_PROGRESS while a backfill runs", () => {
    const t = makeEngine();
    for (let i = 0; i < 10_000; i++) t.exec("HSET", `k:${i}`, "n", String(i));
    SearchManager.of(t.engine).sliceKeys = 1000;
    t.exec("FT.CREATE", "b", "SCHEMA", "n", "NUMERIC");
    assert.match(t.exec("INFO", "search_ingestion") as string, /search_background_indexing_status:IN_PROGRESS/);
  });

  it("selects the sections as Valkey selects a module's: everything, modules, the module or a section name", () => {
    const t = setup();
    const has = (...args: string[]) => (t.exec("INFO", ...args) as string).includes("# search_");
    assert.equal(has(), false);
    assert.equal(has("default"), false);
    assert.equal(has("all"), false);
    assert.equal(has("everything"), true);
    assert.equal(has("modules"), true);
    assert.equal(has("SEARCH"), true);
    const one = t.exec("INFO", "search_memory") as string;
    assert.deepEqual(one.split("\r\n").filter((l) => l.startsWith("#")), ["# search_memory"]);
    // Module sections come after Valkey's own.
    const every = t.exec("INFO", "everything") as string;
    assert.ok(every.indexOf("# Keyspace") < every.indexOf("# search_memory"));
  });

  it("reports zeros before any FT command ran", () => {
    const t = makeEngine();
    const f = infoFields(t.exec("INFO", "search") as string);
    assert.equal(f.get("search_number_of_indexes"), "0");
    assert.equal(f.get("search_used_memory_bytes"), "0");
    assert.equal(f.get("search_used_memory_human"), "0.00M");
  });
});

describe("SearchManager.vectorBytesOf (MEMORY USAGE's share of an indexed hash)", () => {
  it("counts the key's vector, slot maps and graph links in each index of its database", () => {
    const t = setup();
    t.exec("HSET", "d:1", "v", vec16(1));
    t.exec("HSET", "d:2", "t", "x");
    const m = SearchManager.of(t.engine);
    const one = m.vectorBytesOf(0, "d:1");
    // 16 floats, 3 map entries, 2M+1 level-0 link ints and 8 bytes of per-node fields at least.
    assert.ok(one >= 16 * 4 + 12 + 17 * 4 + 8, `${one}`);
    assert.equal(m.vectorBytesOf(0, "d:2"), 0, "indexed, but without a vector");
    assert.equal(m.vectorBytesOf(0, "nope"), 0);
    assert.equal(m.vectorBytesOf(1, "d:1"), 0, "another database");
    t.exec(
      "FT.CREATE",
      "f",
      "PREFIX",
      "1",
      "d:",
      "SCHEMA",
      "v",
      "VECTOR",
      "FLAT",
      "6",
      "TYPE",
      "FLOAT32",
      "DIM",
      "16",
      "DISTANCE_METRIC",
      "IP",
    );
    assert.equal(m.vectorBytesOf(0, "d:1"), one + 16 * 4 + 12, "plus its FLAT copy");
    t.exec("HDEL", "d:1", "v");
    assert.equal(m.vectorBytesOf(0, "d:1"), 0);
  });
});
