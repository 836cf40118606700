/**
 * FT.* at the engine level: FT.CREATE parsing and errors, FT.SEARCH reply shapes (RESP2 and
 * RESP3 alike), scores, paging and sorting, hybrid and pure filter queries, FT.INFO, FT._LIST,
 * FT.DROPINDEX, the backfill, and index maintenance for every kind of keyspace change.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine, type Plain, type TestEngine } from "../_helpers/engine.ts";
import { SearchManager } from "../../src/search/manager.ts";

/** A FLOAT32 blob as a latin1 byte string. */
function v(...xs: number[]): string {
  return Buffer.from(new Float32Array(xs).buffer).toString("latin1");
}

const HNSW3 = ["VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "3", "DISTANCE_METRIC"];

/** An engine with `idx` over `doc:*` (vec L2 3-d, tag, n) and three documents. */
function setup(metric = "L2"): TestEngine {
  const t = makeEngine();
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
      "vec",
      ...HNSW3,
      metric,
      "tag",
      "TAG",
      "n",
      "NUMERIC",
    ),
    "OK",
  );
  t.exec("HSET", "doc:1", "vec", v(0, 0, 1), "tag", "a,b", "n", "5");
  t.exec("HSET", "doc:2", "vec", v(0.8, 0, 0), "tag", "b", "n", "10");
  t.exec("HSET", "doc:3", "vec", v(0, 1, 0), "tag", "C", "n", "15");
  return t;
}

const knn = (t: TestEngine, query: string, ...opts: string[]): Plain[] =>
  t.exec("FT.SEARCH", "idx", query, "PARAMS", "2", "q", v(0, 0, 1), ...opts) as Plain[];

/** Keys of a reply (NOCONTENT or with documents). */
function keys(r: Plain): string[] {
  const a = r as Plain[];
  const out: string[] = [];
  for (let i = 1; i < a.length; i++) {
    if (typeof a[i] === "string") out.push(a[i] as string);
  }
  return out;
}

const ids = (t: TestEngine, q = "*=>[KNN 10 @vec $q]") => keys(knn(t, q, "NOCONTENT"));
const filtered = (t: TestEngine, q: string) => keys(t.exec("FT.SEARCH", "idx", q, "NOCONTENT")).sort();
const info = (t: TestEngine, name = "idx") => {
  const a = t.exec("FT.INFO", name) as Plain[];
  const m = new Map<string, Plain>();
  for (let i = 0; i < a.length; i += 2) m.set(a[i] as string, a[i + 1]!);
  return m;
};

describe("FT.CREATE", () => {
  it("creates an index once per database and lists it in FT._LIST", () => {
    const t = setup();
    assert.deepEqual(t.exec("FT._LIST"), ["idx"]);
    assert.deepEqual(t.exec("FT.CREATE", "idx", "SCHEMA", "x", "NUMERIC"), {
      error: "Index idx in database 0 already exists.",
    });
    t.exec("SELECT", "1");
    assert.deepEqual(t.exec("FT._LIST"), []);
    assert.equal(t.exec("FT.CREATE", "idx", "SCHEMA", "x", "NUMERIC"), "OK");
    assert.deepEqual(t.exec("FT.SEARCH", "nope", "*"), { error: "Index with name 'nope' not found in database 1" });
  });

  it("accepts keywords in any case, AS aliases, SORTABLE, SCORE and FLAT options", () => {
    const t = makeEngine();
    assert.equal(
      t.exec(
        "ft.create",
        "i",
        "on",
        "hash",
        "SCORE",
        "0.5",
        "SKIPINITIALSCAN",
        "schema",
        "v",
        "AS",
        "emb",
        "vector",
        "flat",
        "8",
        "type",
        "float32",
        "dim",
        "2",
        "distance_metric",
        "cosine",
        "BLOCK_SIZE",
        "16",
        "t",
        "tag",
        "separator",
        "|",
        "casesensitive",
        "SORTABLE",
        "p",
        "numeric",
        "sortable",
      ),
      "OK",
    );
    const m = info(t, "i");
    assert.deepEqual(m.get("index_definition"), [
      "key_type",
      "HASH",
      "prefixes",
      [],
      "default_score",
      "0.5",
      "score_field",
      "",
    ]);
    const attrs = m.get("attributes") as Plain[][];
    assert.deepEqual(attrs[0]!.slice(0, 4), ["identifier", "v", "attribute", "emb"]);
    assert.deepEqual((attrs[0]![9] as Plain[]).slice(-2), ["algorithm", ["name", "FLAT", "block_size", 16]]);
    assert.deepEqual(attrs[1]!.slice(6), ["type", "TAG", "SEPARATOR", "|", "CASESENSITIVE", "1", "size", "0"]);
  });

  it("has valkey-search's arity of -5, so an index needs at least one attribute word", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("FT.CREATE", "e", "SCHEMA", "x"), {
      error: "ERR wrong number of arguments for 'FT.CREATE' command",
    });
  });

  const errors: [string[], string][] = [
    [["PREFIX", "1", "p:", "SCHEMA"], "Index schema must have at least one attribute"],
    [["ON", "JSON", "SCHEMA", "x", "NUMERIC"], "JSON module is not loaded."],
    [["ON", "XML", "SCHEMA", "x", "NUMERIC"], "Bad arguments for ON: Unknown argument `XML`"],
    [["PREFIX", "3", "a", "SCHEMA"], "Bad arguments for PREFIX: `3` is outside acceptable bounds"],
    [["PREFIX", "x", "SCHEMA"], "Bad arguments for PREFIX: `x` is not a valid numeric value"],
    [
      ["PREFIX", "9", ..."abcdefghi".split(""), "SCHEMA", "x", "NUMERIC"],
      "Invalid range: Value above maximum; Number of prefixes (9) exceeds the maximum allowed (8)",
    ],
    [["FILTER", "@x>1", "SCHEMA", "x", "NUMERIC"], "The parameter `FILTER` is not supported"],
    [["LANGUAGE", "klingon", "SCHEMA", "x", "NUMERIC"], "Bad arguments for LANGUAGE: Unknown argument `klingon`"],
    [
      ["SCORE", "2", "SCHEMA", "x", "NUMERIC"],
      "`SCORE` parameter with a value `2` is not supported. The value must be between 0.0 and 1.0",
    ],
    [["NOOFFSETS", "SCHEMA", "x", "NUMERIC"], "Unexpected parameter `NOOFFSETS`, expecting `SCHEMA`"],
    [["SCHEMA", "x", "GEO"], "Invalid field type for field `x`: Unknown argument `GEO`"],
    [["SCHEMA", "x", "TEXT"], "Invalid field type for field `x`: Unknown argument `TEXT`"],
    [["SCHEMA", "x", "NUMERIC", "x", "TAG"], "Duplicate field in schema - x"],
    [
      ["SCHEMA", "x", "AS", "a.b", "NUMERIC"],
      "Invalid field type for field `x`: Attribute alias `a.b` contains invalid character `.`",
    ],
    [
      ["SCHEMA", "x", "TAG", "SEPARATOR", "ab"],
      "Invalid field type for field `x`: The separator must be a single character, but got `ab`",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "8", "TYPE", "FLOAT32"],
      "Invalid field type for field `v`: Expected 8 parameters for HNSW but got 2 parameters.",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "4", "TYPE", "FLOAT32", "DISTANCE_METRIC", "L2"],
      "Invalid field type for field `v`: Missing dimensions parameter.",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "4", "DIM", "3", "DISTANCE_METRIC", "L2"],
      "Invalid field type for field `v`: Missing vector TYPE parameter.",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "4", "DIM", "3", "TYPE", "FLOAT32"],
      "Invalid field type for field `v`: Missing DISTANCE_METRIC parameter.",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "6", "DIM", "3", "TYPE", "FLOAT64", "DISTANCE_METRIC", "L2"],
      "Invalid field type for field `v`: Error parsing value for the parameter `TYPE` - Unknown argument `FLOAT64`",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "6", "DIM", "0", "TYPE", "FLOAT32", "DISTANCE_METRIC", "L2"],
      "Invalid field type for field `v`: Invalid range: Value below minimum; The dimensions value must be a positive integer greater than 0 and less than or equal to 32768.",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "8", "DIM", "3", "TYPE", "FLOAT32", "DISTANCE_METRIC", "L2", "M", "1"],
      "Invalid field type for field `v`: Invalid range: Value below minimum; M must be a positive integer greater than 2 and cannot exceed 2000000.",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "FLAT", "8", "DIM", "3", "TYPE", "FLOAT32", "DISTANCE_METRIC", "L2", "M", "4"],
      "Invalid field type for field `v`: Unexpected argument `M`",
    ],
    [
      ["SCHEMA", "v", "VECTOR", "HNSW", "8", "DIM", "3", "TYPE", "FLOAT32", "DISTANCE_METRIC", "L2", "RERANK", "1"],
      "Invalid field type for field `v`: Unexpected argument `RERANK`",
    ],
    [
      [
        "SCHEMA",
        "v",
        "VECTOR",
        "HNSW",
        "8",
        "DIM",
        "3",
        "TYPE",
        "FLOAT32",
        "DISTANCE_METRIC",
        "L2",
        "INITIAL_CAP",
        "0",
      ],
      "Invalid field type for field `v`: INITIAL_CAP must be a positive integer greater than 0.",
    ],
    [["SCHEMA", "x", "NUMERIC", "INDEXMISSING"], "Invalid field type for field `INDEXMISSING`: Missing argument"],
  ];
  for (const [args, msg] of errors) {
    it(`rejects ${args.join(" ")}`, () => {
      const t = makeEngine();
      assert.deepEqual(t.exec("FT.CREATE", "e", ...args), { error: msg });
      assert.deepEqual(t.exec("FT._LIST"), []);
    });
  }

  it("requires a hash-tagged index to have prefixes with its tag, and others to have none", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("FT.CREATE", "{u}i", "SCHEMA", "x", "NUMERIC"), {
      error: "PREFIX parameter is required for hash-tagged indexes",
    });
    assert.deepEqual(t.exec("FT.CREATE", "{u}i", "PREFIX", "1", "{v}:", "SCHEMA", "x", "NUMERIC"), {
      error: "All PREFIX arguments must contain the same hash tag as the index",
    });
    assert.deepEqual(t.exec("FT.CREATE", "i", "PREFIX", "1", "{v}:", "SCHEMA", "x", "NUMERIC"), {
      error: "PREFIX argument(s) must not contain a hash tag",
    });
    assert.equal(t.exec("FT.CREATE", "{u}i", "PREFIX", "1", "{u}:", "SCHEMA", "x", "NUMERIC"), "OK");
  });
});

describe("FT.SEARCH replies", () => {
  it("returns [count, key, [score, fields...]...] closest first, scores as %.12g", () => {
    const t = setup();
    assert.deepEqual(knn(t, "*=>[KNN 2 @vec $q]"), [
      2,
      "doc:1",
      ["__vec_score", "0", "vec", v(0, 0, 1), "tag", "a,b", "n", "5"],
      "doc:2",
      // 0.8f^2 + 1 as float32, printed with 12 significant digits.
      ["__vec_score", "1.6400001049", "vec", v(0.8, 0, 0), "tag", "b", "n", "10"],
    ]);
  });

  it("scores IP as 1 - dot and COSINE as 1 - cos", () => {
    const ip = setup("IP");
    ip.exec("HSET", "doc:3", "vec", v(0, 1, 0.5));
    assert.deepEqual(knn(ip, "*=>[KNN 3 @vec $q AS d]", "RETURN", "1", "d").slice(1), [
      "doc:1",
      ["d", "0"],
      "doc:3",
      ["d", "0.5"],
      "doc:2",
      ["d", "1"],
    ]);
    const cos = setup("COSINE");
    cos.exec("HSET", "doc:4", "vec", v(0, 3, 3));
    assert.deepEqual(knn(cos, "*=>[KNN 2 @vec $q AS d]", "RETURN", "1", "d"), [2, "doc:1", ["d", "0"], "doc:4", [
      "d",
      "0.29289317131",
    ]]);
  });

  it("honours RETURN (order, AS, missing fields, the score alias), NOCONTENT and RETURN 0", () => {
    const t = setup();
    t.exec("HDEL", "doc:2", "n");
    assert.deepEqual(knn(t, "*=>[KNN 2 @vec $q AS dist]", "RETURN", "4", "n", "AS", "num", "dist"), [
      2,
      "doc:1",
      ["num", "5", "dist", "0"],
      "doc:2",
      ["dist", "1.6400001049"],
    ]);
    assert.deepEqual(knn(t, "*=>[KNN 2 @vec $q]", "NOCONTENT"), [2, "doc:1", "doc:2"]);
    assert.deepEqual(knn(t, "*=>[KNN 2 @vec $q]", "RETURN", "0"), [2, "doc:1", "doc:2"]);
    assert.deepEqual(knn(t, "*=>[KNN 1 @vec $q]", "RETURN", "1", "nope"), [1, "doc:1", []]);
  });

  it("pages with LIMIT inside the k results without changing the count", () => {
    const t = setup();
    assert.deepEqual(knn(t, "*=>[KNN 3 @vec $q]", "NOCONTENT", "LIMIT", "1", "1"), [3, "doc:2"]);
    assert.deepEqual(knn(t, "*=>[KNN 3 @vec $q]", "NOCONTENT", "LIMIT", "0", "0"), [3]);
    assert.deepEqual(knn(t, "*=>[KNN 2 @vec $q]", "NOCONTENT", "LIMIT", "2", "5"), [2]);
    for (let i = 4; i < 20; i++) t.exec("HSET", `doc:${i}`, "n", String(i));
    assert.deepEqual(
      (t.exec("FT.SEARCH", "idx", "@n:[0 +inf]", "NOCONTENT") as Plain[]).length,
      11,
      "default LIMIT 0 10",
    );
    assert.equal((t.exec("FT.SEARCH", "idx", "@n:[0 +inf]", "NOCONTENT") as Plain[])[0], 19);
  });

  it("sorts by a numeric field, a tag field, and the score in either direction", () => {
    const t = setup();
    assert.deepEqual(keys(t.exec("FT.SEARCH", "idx", "*", "NOCONTENT", "SORTBY", "n", "DESC")), [
      "doc:3",
      "doc:2",
      "doc:1",
    ]);
    t.exec("HSET", "doc:2", "n", "1e1"); // compared as numbers, not text
    t.exec("HSET", "doc:1", "n", "9");
    assert.deepEqual(keys(t.exec("FT.SEARCH", "idx", "*", "NOCONTENT", "SORTBY", "n")), ["doc:1", "doc:2", "doc:3"]);
    assert.deepEqual(keys(t.exec("FT.SEARCH", "idx", "*", "NOCONTENT", "SORTBY", "tag", "ASC")), [
      "doc:3",
      "doc:1",
      "doc:2",
    ]);
    assert.deepEqual(keys(knn(t, "*=>[KNN 3 @vec $q AS s]", "NOCONTENT", "SORTBY", "n", "DESC")), [
      "doc:3",
      "doc:2",
      "doc:1",
    ]);
    assert.deepEqual(keys(knn(t, "*=>[KNN 3 @vec $q AS s]", "NOCONTENT", "SORTBY", "s")), ["doc:1", "doc:2", "doc:3"]);
    // valkey-search orders the KNN score descending too (farthest of the k first).
    assert.deepEqual(keys(knn(t, "*=>[KNN 3 @vec $q AS s]", "NOCONTENT", "SORTBY", "s", "DESC")), [
      "doc:3",
      "doc:2",
      "doc:1",
    ]);
    assert.deepEqual(
      keys(knn(t, "*=>[KNN 3 @vec $q]", "NOCONTENT", "SORTBY", "__vec_score", "DESC", "LIMIT", "0", "1")),
      [
        "doc:3",
      ],
    );
    assert.deepEqual(knn(t, "*=>[KNN 2 @vec $q AS s]", "NOCONTENT", "SORTBY", "n", "WITHSORTKEYS"), [
      2,
      "doc:1",
      "#9",
      "doc:2",
      "#1e1",
    ]);
  });

  it("answers pure filter queries with the match count: tags, ranges, AND/OR/NOT", () => {
    const t = setup();
    t.exec("HSET", "doc:4", "tag", "b,c", "n", "-3");
    assert.deepEqual(filtered(t, "*"), ["doc:1", "doc:2", "doc:3", "doc:4"]);
    assert.deepEqual(filtered(t, "@tag:{c}"), ["doc:3", "doc:4"], "case-insensitive by default");
    assert.deepEqual(filtered(t, "@tag:{a|c}"), ["doc:1", "doc:3", "doc:4"]);
    assert.deepEqual(filtered(t, "@n:[(5 15]"), ["doc:2", "doc:3"]);
    assert.deepEqual(filtered(t, "@n:[-inf (5]"), ["doc:4"]);
    assert.deepEqual(filtered(t, "@tag:{b} @n:[0 +inf]"), ["doc:1", "doc:2"]);
    assert.deepEqual(filtered(t, "@tag:{a} | @n:[15 15]"), ["doc:1", "doc:3"]);
    assert.deepEqual(filtered(t, "-@tag:{b}"), ["doc:3"]);
    assert.deepEqual(filtered(t, "(@tag:{b} | @tag:{c}) -@n:[10 20]"), ["doc:1", "doc:4"]);
    assert.equal((t.exec("FT.SEARCH", "idx", "@tag:{b}", "NOCONTENT") as Plain[])[0], 3);
  });

  it("combines a filter with KNN, exactly satisfying the filter", () => {
    const t = setup();
    assert.deepEqual(ids(t, "@tag:{b}=>[KNN 5 @vec $q]"), ["doc:1", "doc:2"]);
    assert.deepEqual(ids(t, "(-@tag:{a})=>[KNN 5 @vec $q]"), ["doc:2", "doc:3"]);
    assert.deepEqual(ids(t, "@n:[100 200]=>[KNN 5 @vec $q]"), []);
    assert.deepEqual(knn(t, "@n:[100 200]=>[KNN 5 @vec $q]"), [0]);
  });

  it("answers broad filters by walking the graph and narrow ones by an exact scan, both exact on the filter", () => {
    const t = makeEngine();
    t.exec(
      "FT.CREATE",
      "w",
      "SCHEMA",
      "v",
      "VECTOR",
      "HNSW",
      "8",
      "TYPE",
      "FLOAT32",
      "DIM",
      "2",
      "DISTANCE_METRIC",
      "L2",
      "M",
      "4",
      "t",
      "TAG",
    );
    let seed = 5;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pts: [number, number][] = [];
    for (let i = 0; i < 400; i++) {
      const p: [number, number] = [rnd() * 100, rnd() * 100];
      pts.push(p);
      t.exec("HSET", `p:${i}`, "v", v(...p), "t", i % 2 === 0 ? "even" : i % 97 === 1 ? "odd,rare" : "odd");
    }
    const q: [number, number] = [50, 50];
    const brute = (accept: (i: number) => boolean, k: number) =>
      pts.map((p, i) => [(p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2, i] as const).filter(([, i]) => accept(i))
        .sort((a, b) => a[0] - b[0]).slice(0, k).map(([, i]) => `p:${i}`);
    const search = (filter: string, k: number, ef: number) =>
      keys(
        t.exec(
          "FT.SEARCH",
          "w",
          `${filter}=>[KNN ${k} @v $q EF_RUNTIME ${ef}]`,
          "PARAMS",
          "2",
          "q",
          v(...q),
          "NOCONTENT",
        ),
      );
    const plans = SearchManager.of(t.engine).get(0, "w")!.plans;
    // 200 matches of 400: the walk (the filter is tested on each admitted node).
    const broad = search("@t:{even}", 10, 10);
    assert.deepEqual(plans, { filteredWalk: 1, exactScan: 0 });
    assert.equal(broad.length, 10);
    for (const k of broad) assert.equal(Number(k.slice(2)) % 2, 0);
    const want = brute((i) => i % 2 === 0, 10);
    assert.ok(broad.filter((k) => want.includes(k)).length >= 9, `${broad} vs ${want}`);
    // 5 matches: the exact scan of just those documents.
    assert.deepEqual(search("@t:{rare}", 10, 20), brute((i) => i % 2 === 1 && i % 97 === 1, 10));
    assert.deepEqual(plans, { filteredWalk: 1, exactScan: 1 });
  });

  it("answers with arrays on RESP3 too, as valkey-search does", () => {
    const t = setup();
    t.exec("HELLO", "3");
    const r = t.raw("FT.SEARCH", "idx", "*=>[KNN 1 @vec $q]", "PARAMS", "2", "q", v(0, 0, 1));
    assert.equal(r?.t, "array");
    assert.equal(t.raw("FT.INFO", "idx")?.t, "array");
    assert.equal(t.raw("FT._LIST")?.t, "array");
  });

  const errors: [string[], string][] = [
    [["*=>[KNN 2 @vec $q]"], "Error parsing vector similarity parameters: Parameter q not found."],
    [
      ["*=>[KNN 2 @vec $q]", "PARAMS", "2", "q", "abc"],
      "Error parsing vector similarity parameters: query vector blob size (3) does not match index's expected size (12).",
    ],
    [
      ["*=>[KNN 2 @vec $q]", "PARAMS", "3", "q", "x", "y"],
      "Error parsing value for the parameter `PARAMS` - Parameter count must be an even number.",
    ],
    [
      ["*=>[KNN 2 @vec $q]", "PARAMS", "4", "q", "x", "q", "y"],
      "Error parsing value for the parameter `PARAMS` - Parameter q is already defined.",
    ],
    [["*=>[KNN 2 @vec $q]", "PARAMS", "4", "q", v(1, 2, 3), "z", "y"], "Parameter `z` not used."],
    [["*", "PARAMS", "2", "z", "y"], "Parameter `z` not used."],
    [
      ["*=>[KNN 0 @vec $q]", "PARAMS", "2", "q", v(1, 2, 3)],
      "Invalid range: Value below minimum; KNN parameter must be a positive integer greater than 0 and cannot exceed 10000.",
    ],
    [
      ["*=>[KNN 10001 @vec $q]", "PARAMS", "2", "q", v(1, 2, 3)],
      "Invalid range: Value above maximum; KNN parameter must be a positive integer greater than 0 and cannot exceed 10000.",
    ],
    [
      ["*=>[KNN x @vec $q]", "PARAMS", "2", "q", v(1, 2, 3)],
      "Error parsing vector similarity parameters: `x` is not a valid numeric value",
    ],
    [
      ["*=>[KNN 2 @vec $q EF_RUNTIME 0]", "PARAMS", "2", "q", v(1, 2, 3)],
      "Invalid range: Value below minimum; `EF_RUNTIME` must be a positive integer greater than 0 and cannot exceed 4096.",
    ],
    [
      ["*=>[KNN 2 @vec $q EF_RUNTIME $e]", "PARAMS", "4", "q", v(1, 2, 3), "e", "4097"],
      "Invalid range: Value above maximum; `EF_RUNTIME` must be a positive integer greater than 0 and cannot exceed 4096.",
    ],
    [
      ["*=>[KNN 2 @vec $q EF_RUNTIME x]", "PARAMS", "2", "q", v(1, 2, 3)],
      "Error parsing vector similarity parameters: `x` is not a valid numeric value",
    ],
    [
      ["*=>[KNN 2 @vec $q EF_RUNTIME $e]", "PARAMS", "2", "q", v(1, 2, 3)],
      "Error parsing vector similarity parameters: Parameter e not found.",
    ],
    // The blob is checked before EF_RUNTIME and k's range.
    [
      ["*=>[KNN 0 @vec $q EF_RUNTIME 0]", "PARAMS", "2", "q", "ab"],
      "Error parsing vector similarity parameters: query vector blob size (2) does not match index's expected size (12).",
    ],
    [["*=>[KNN 2 @tag $q]", "PARAMS", "2", "q", v(1, 2, 3)], "Index field `tag` is not a Vector index "],
    [["*=>[KNN 2 @nope $q]", "PARAMS", "2", "q", v(1, 2, 3)], "Index field `nope` does not exist"],
    [["*=>KNN 2 @vec $q]"], "Error parsing vector similarity parameters: `KNN 2 @vec $q]`. Expecting '[' got 'K'"],
    [["@tag:{a=>[KNN 2 @vec $q]"], "Invalid filter expression: `@tag:{a`. Missing closing TAG bracket, '}'"],
    [["*", "DIALECT", "1"], "DIALECT requires a non negative integer >=2 and <= 4"],
    [["*", "DIALECT", "x"], "Error parsing value for the parameter `DIALECT` - `x` is not a valid numeric value"],
    [["*", "dialect", "-2"], "Error parsing value for the parameter `dialect` - `-2` is outside acceptable bounds"],
    [["*", "TIMEOUT", "60001"], "TIMEOUT must be a positive integer greater than 0 and cannot exceed 60000."],
    [["*", "TIMEOUT", "-1"], "Error parsing value for the parameter `TIMEOUT` - `-1` is outside acceptable bounds"],
    [["*", "LIMIT", "1"], "Error parsing value for the parameter `LIMIT` - Missing argument"],
    [["*", "LIMIT", "-1", "5"], "Error parsing value for the parameter `LIMIT` - `-1` is outside acceptable bounds"],
    [["*", "NOCONTENT", "BOGUS"], "Unexpected argument `BOGUS`"],
    [["*", "WITHSCORES"], "Unexpected argument `WITHSCORES`"],
    [["*", "INORDER"], "Index does not support offsets"],
    [["*", "SLOP", "2"], "Index does not support offsets"],
    [["*", "SLOP", "x"], "Error parsing value for the parameter `SLOP` - `x` is not a valid numeric value"],
    [[""], "Invalid query string syntax"],
    [["  "], "Invalid query string syntax"],
    [[" => "], "Invalid query string syntax"],
    [
      ["*", "RETURN", "1", "n", "AS", "m"],
      "Error parsing value for the parameter `RETURN` - Unexpected parameter `AS` ",
    ],
    [["*", "SORTBY", "zzz"], "Index field `zzz` does not exist"],
    // The score alias exists only in KNN queries.
    [["*", "SORTBY", "__vec_score"], "Index field `__vec_score` does not exist"],
  ];
  for (const [args, msg] of errors) {
    it(`answers ${JSON.stringify(msg)} for ${args.map((a) => a.length > 20 ? "<blob>" : a).join(" ")}`, () => {
      const t = setup();
      assert.deepEqual(t.exec("FT.SEARCH", "idx", ...args), { error: msg });
    });
  }

  it("rejects FT.SEARCH without a query with Valkey's arity error (valkey-search's arity is -3)", () => {
    const t = setup();
    assert.deepEqual(t.exec("FT.SEARCH", "idx"), { error: "ERR wrong number of arguments for 'FT.SEARCH' command" });
  });

  it("treats an empty clause after => as no KNN clause", () => {
    const t = setup();
    assert.deepEqual(keys(t.exec("FT.SEARCH", "idx", "@tag:{b} =>", "NOCONTENT")), ["doc:1", "doc:2"]);
  });

  it("accepts VERBATIM, which only affects TEXT terms, and the cluster shard options", () => {
    const t = setup();
    assert.deepEqual(
      keys(t.exec("FT.SEARCH", "idx", "@tag:{b}", "VERBATIM", "LOCALONLY", "SOMESHARDS", "INCONSISTENT", "NOCONTENT")),
      ["doc:1", "doc:2"],
    );
  });

  it("counts queries in INFO's search_query section", () => {
    const t = setup();
    knn(t, "@tag:{b}=>[KNN 2 @vec $q]", "NOCONTENT");
    knn(t, "*=>[KNN 2 @vec $q]", "NOCONTENT");
    t.exec("FT.SEARCH", "idx", "*", "BOGUS");
    t.exec("FT.SEARCH", "nope", "*");
    const text = t.exec("INFO", "search_query") as string;
    assert.match(text, /^# search_query\r\n/);
    assert.match(text, /\r\nsearch_successful_requests_count:2\r\n/);
    assert.match(text, /\r\nsearch_failure_requests_count:2\r\n/);
    assert.match(text, /\r\nsearch_hybrid_requests_count:1\r\n/);
  });
});

describe("FT.INFO", () => {
  it("reports valkey-search's fields: definition, attributes, counts, failures, state", () => {
    const t = setup();
    t.exec("HSET", "doc:9", "vec", "short", "tag", "z");
    const m = info(t);
    assert.deepEqual(
      [...m.keys()],
      [
        "index_name",
        "index_definition",
        "attributes",
        "num_docs",
        "num_records",
        "total_term_occurrences",
        "num_terms",
        "hash_indexing_failures",
        "backfill_in_progress",
        "backfill_complete_percent",
        "mutation_queue_size",
        "recent_mutations_queue_delay",
        "state",
        "language",
        "indexing",
        "percent_indexed",
      ],
    );
    assert.equal(m.get("index_name"), "idx");
    assert.equal(m.get("num_docs"), 4);
    assert.equal(m.get("num_records"), 3 + 4 + 3);
    assert.equal(m.get("hash_indexing_failures"), "1");
    assert.equal(m.get("backfill_in_progress"), "0");
    assert.equal(m.get("backfill_complete_percent"), "1.000000");
    assert.equal(m.get("state"), "ready");
    const vec = (m.get("attributes") as Plain[][])[0]!;
    assert.deepEqual(vec.slice(0, 4), ["identifier", "vec", "attribute", "vec"]);
    assert.equal(vec[4], "user_indexed_memory");
    assert.ok((vec[5] as number) > 10240 * 12, "memory covers the reserved vectors");
    assert.deepEqual(vec.slice(6, 9), ["type", "VECTOR", "index"]);
    assert.deepEqual(vec[9], [
      "capacity",
      10240,
      "dimensions",
      3,
      "distance_metric",
      "L2",
      "size",
      "3",
      "data_type",
      "FLOAT32",
      "algorithm",
      ["name", "HNSW", "m", 16, "ef_construction", 200, "ef_runtime", 10],
    ]);
    assert.deepEqual((m.get("attributes") as Plain[][])[2]!.slice(6), ["type", "NUMERIC", "size", "3"]);
    assert.deepEqual(t.exec("FT.INFO", "nope"), { error: "Index with name 'nope' not found in database 0" });
    assert.equal((t.exec("FT.INFO", "idx", "LOCAL") as Plain[])[1], "idx");
  });

  it("answers valkey-search's standalone errors for the scope argument", () => {
    const t = setup();
    assert.deepEqual(t.exec("FT.INFO", "idx", "local"), t.exec("FT.INFO", "idx"));
    assert.deepEqual(t.exec("FT.INFO", "idx", "PRIMARY"), {
      error: "ERR PRIMARY option is not valid in this configuration",
    });
    assert.deepEqual(t.exec("FT.INFO", "idx", "cluster"), {
      error: "ERR CLUSTER option is not valid in this configuration",
    });
    assert.deepEqual(t.exec("FT.INFO", "nope", "GLOBAL"), {
      error: "ERR Invalid scope parameter. Must be LOCAL, PRIMARY or CLUSTER",
    });
    assert.deepEqual(t.exec("FT.INFO", "idx", "LOCAL", "x"), {
      error: "ERR wrong number of arguments for 'FT.INFO' command",
    });
  });
});

describe("FT.DROPINDEX", () => {
  it("drops the index and keeps the documents", () => {
    const t = setup();
    assert.equal(t.exec("FT.DROPINDEX", "idx"), "OK");
    assert.deepEqual(t.exec("FT._LIST"), []);
    assert.equal(t.exec("EXISTS", "doc:1"), 1);
    assert.deepEqual(t.exec("FT.DROPINDEX", "idx"), { error: "Index with name 'idx' not found in database 0" });
  });

  it("rejects RediSearch's DD with a wrong-arity error and keeps both the index and the documents", () => {
    const t = setup();
    // valkey-search's FT.DROPINDEX has arity 2. Valkey prints a module command under its declared
    // (upper-case) name; Kite's registry prints command names in lower case.
    const arity = /^ERR wrong number of arguments for 'ft\.dropindex' command$/i;
    const r = t.exec("FT.DROPINDEX", "idx", "DD") as { error: string };
    assert.match(r.error, arity);
    assert.match((t.exec("FT.DROPINDEX") as { error: string }).error, arity);
    assert.deepEqual(t.exec("FT._LIST"), ["idx"]);
    assert.equal(t.exec("EXISTS", "doc:1", "doc:2", "doc:3"), 3);
    assert.equal((knn(t, "*=>[KNN 3 @vec $q]", "NOCONTENT") as Plain[])[0], 3);
  });
});

describe("Index maintenance", () => {
  it("follows HSET, HSETNX, HMSET updates of vectors, tags and numbers", () => {
    const t = setup();
    t.exec("HSET", "doc:3", "vec", v(0, 0, 0.9));
    assert.deepEqual(ids(t).slice(0, 2), ["doc:1", "doc:3"]);
    t.exec("HSETNX", "doc:5", "tag", "new");
    assert.deepEqual(filtered(t, "@tag:{new}"), ["doc:5"]);
    t.exec("HMSET", "doc:5", "tag", "newer", "n", "7");
    assert.deepEqual(filtered(t, "@tag:{new}"), []);
    assert.deepEqual(filtered(t, "@n:[7 7]"), ["doc:5"]);
  });

  it("follows HDEL: a removed vector leaves KNN, the document stays for its other fields", () => {
    const t = setup();
    t.exec("HDEL", "doc:1", "vec");
    assert.deepEqual(ids(t), ["doc:2", "doc:3"]);
    assert.deepEqual(filtered(t, "@tag:{a}"), ["doc:1"]);
    t.exec("HDEL", "doc:1", "tag", "n");
    assert.deepEqual(filtered(t, "*"), ["doc:2", "doc:3"]);
  });

  it("follows HINCRBY and HINCRBYFLOAT on numeric fields", () => {
    const t = setup();
    t.exec("HINCRBY", "doc:1", "n", "100");
    assert.deepEqual(filtered(t, "@n:[105 105]"), ["doc:1"]);
    t.exec("HINCRBYFLOAT", "doc:2", "n", "0.5");
    assert.deepEqual(filtered(t, "@n:[10.5 10.5]"), ["doc:2"]);
  });

  it("follows DEL, UNLINK and a type change", () => {
    const t = setup();
    t.exec("DEL", "doc:1");
    t.exec("UNLINK", "doc:2");
    assert.deepEqual(ids(t), ["doc:3"]);
    t.exec("SET", "doc:3", "a string now");
    assert.deepEqual(ids(t), []);
    assert.equal(info(t).get("num_docs"), 0);
  });

  it("drops expired keys from results at once and from the index when they expire", () => {
    const t = setup();
    t.exec("PEXPIRE", "doc:1", "100");
    t.clock.advance(200);
    assert.deepEqual(ids(t), ["doc:2", "doc:3"], "expired but not yet reclaimed");
    assert.equal(knn(t, "*=>[KNN 3 @vec $q]", "NOCONTENT")[0], 2);
    // The same with the hashes read for the reply, and with only the score returned.
    assert.deepEqual(keys(knn(t, "*=>[KNN 3 @vec $q]", "RETURN", "1", "n")), ["doc:2", "doc:3"]);
    assert.deepEqual(keys(knn(t, "*=>[KNN 3 @vec $q AS s]", "RETURN", "1", "s")), ["doc:2", "doc:3"]);
    assert.deepEqual(filtered(t, "@n:[0 +inf]"), ["doc:2", "doc:3"]);
    t.advance(1000); // active expiry runs in cron
    assert.equal(info(t).get("num_docs"), 2);
  });

  it("follows RENAME in and out of the prefix, and COPY", () => {
    const t = setup();
    t.exec("RENAME", "doc:1", "other:1");
    assert.deepEqual(ids(t), ["doc:2", "doc:3"]);
    t.exec("RENAME", "other:1", "doc:9");
    assert.deepEqual(ids(t), ["doc:9", "doc:2", "doc:3"]);
    t.exec("COPY", "doc:9", "doc:10");
    assert.deepEqual(ids(t).slice(0, 2).sort(), ["doc:10", "doc:9"]);
  });

  it("follows RENAME and COPY REPLACE onto an indexed key, and a non-hash renamed over one", () => {
    const t = setup();
    t.exec("HSET", "tmp", "vec", v(0, 1, 0.1), "tag", "renamed");
    t.exec("RENAME", "tmp", "doc:1");
    assert.deepEqual(filtered(t, "@tag:{a}"), [], "the old document is replaced");
    assert.deepEqual(filtered(t, "@tag:{renamed}"), ["doc:1"]);
    assert.equal(info(t).get("num_docs"), 3);
    t.exec("COPY", "doc:3", "doc:2", "REPLACE");
    assert.deepEqual(filtered(t, "@tag:{c}"), ["doc:2", "doc:3"]);
    t.exec("SET", "str", "x");
    t.exec("RENAME", "str", "doc:3");
    assert.deepEqual(filtered(t, "*"), ["doc:1", "doc:2"]);
    assert.equal(info(t).get("num_docs"), 2);
  });

  it("follows FLUSHALL ASYNC and FLUSHDB ASYNC like their synchronous forms", () => {
    const t = setup();
    t.exec("FLUSHDB", "ASYNC");
    assert.deepEqual(t.exec("FT._LIST"), []);
    const u = setup();
    u.exec("FLUSHALL", "ASYNC");
    assert.deepEqual(u.exec("FT._LIST"), []);
    assert.equal(u.exec("DBSIZE"), 0);
  });

  it("follows a key a Lua script finds expired, and one a script deletes", () => {
    const t = setup();
    t.exec("PEXPIRE", "doc:1", "10");
    t.clock.advance(20);
    assert.equal(t.exec("EVAL", "return redis.call('EXISTS', KEYS[1])", 1, "doc:1"), 0);
    assert.equal(info(t).get("num_docs"), 2, "reclaimed by the script's lookup");
    t.exec("EVAL", "redis.call('DEL', KEYS[1]) redis.call('HSET', KEYS[2], 'tag', 'lua')", 2, "doc:2", "doc:6");
    assert.deepEqual(filtered(t, "*"), ["doc:3", "doc:6"]);
  });

  it("follows MOVE between databases with their own indexes", () => {
    const t = setup();
    t.exec("SELECT", "1");
    t.exec("FT.CREATE", "idx", "PREFIX", "1", "doc:", "SCHEMA", "vec", ...HNSW3, "L2");
    t.exec("SELECT", "0");
    t.exec("MOVE", "doc:1", "1");
    assert.deepEqual(ids(t), ["doc:2", "doc:3"]);
    t.exec("SELECT", "1");
    assert.deepEqual(ids(t), ["doc:1"]);
  });

  it("applies MULTI/EXEC writes command by command", () => {
    const t = setup();
    t.exec("MULTI");
    t.exec("HSET", "doc:7", "tag", "multi");
    t.exec("DEL", "doc:1");
    t.exec("EXEC");
    assert.deepEqual(filtered(t, "@tag:{multi}"), ["doc:7"]);
    assert.deepEqual(ids(t), ["doc:2", "doc:3"]);
  });

  it("counts a malformed vector as a failure, not an error to the writer", () => {
    const t = setup();
    assert.equal(t.exec("HSET", "doc:8", "vec", "xyz", "tag", "bad"), 2);
    assert.equal(info(t).get("hash_indexing_failures"), "1");
    assert.deepEqual(filtered(t, "@tag:{bad}"), ["doc:8"]);
    assert.ok(!ids(t).includes("doc:8"));
    t.exec("HSET", "doc:2", "vec", "toolong-toolong-");
    assert.ok(!ids(t).includes("doc:2"), "a bad update removes the old vector");
    assert.equal(info(t).get("hash_indexing_failures"), "2");
  });

  it("ignores keys outside the prefixes and non-hash keys", () => {
    const t = setup();
    t.exec("HSET", "nodoc:1", "vec", v(0, 0, 1));
    t.exec("SET", "doc:str", "x");
    t.exec("SADD", "doc:set", "x");
    assert.equal(info(t).get("num_docs"), 3);
  });

  it("drops the flushed database's indexes on FLUSHDB and FLUSHALL", () => {
    const t = setup();
    t.exec("FLUSHDB");
    assert.deepEqual(t.exec("FT._LIST"), []);
    const u = setup();
    u.exec("SELECT", "2");
    u.exec("FT.CREATE", "two", "SCHEMA", "n", "NUMERIC");
    u.exec("FLUSHALL");
    assert.deepEqual(u.exec("FT._LIST"), []);
    u.exec("SELECT", "0");
    assert.deepEqual(u.exec("FT._LIST"), []);
  });

  it("moves indexes with their data on SWAPDB", () => {
    const t = setup();
    t.exec("SWAPDB", "0", "3");
    assert.deepEqual(t.exec("FT._LIST"), []);
    t.exec("SELECT", "3");
    assert.deepEqual(t.exec("FT._LIST"), ["idx"]);
    assert.deepEqual(ids(t), ["doc:1", "doc:2", "doc:3"]);
    t.exec("HSET", "doc:4", "vec", v(0, 0, 2));
    assert.deepEqual(ids(t), ["doc:1", "doc:4", "doc:2", "doc:3"]);
  });
});

describe("Backfill", () => {
  it("indexes existing hashes at FT.CREATE, skipping them with SKIPINITIALSCAN", () => {
    const t = makeEngine();
    t.exec("HSET", "doc:1", "n", "1");
    t.exec("HSET", "doc:2", "n", "2");
    t.exec("FT.CREATE", "all", "SCHEMA", "n", "NUMERIC");
    t.exec("FT.CREATE", "none", "SKIPINITIALSCAN", "SCHEMA", "n", "NUMERIC");
    assert.equal(info(t, "all").get("num_docs"), 2);
    assert.equal(info(t, "none").get("num_docs"), 0);
    t.exec("HSET", "doc:3", "n", "3");
    assert.equal(info(t, "none").get("num_docs"), 1, "later writes are indexed either way");
  });

  it("runs in slices between commands, reporting progress, with writes applied meanwhile", () => {
    const t = makeEngine();
    for (let i = 0; i < 50; i++) t.exec("HSET", `k:${i}`, "n", String(i));
    SearchManager.of(t.engine).sliceKeys = 10;
    t.exec("FT.CREATE", "i", "SCHEMA", "n", "NUMERIC");
    let m = info(t, "i");
    assert.equal(m.get("backfill_in_progress"), "1");
    assert.equal(m.get("state"), "backfill_in_progress");
    assert.ok(Number(m.get("backfill_complete_percent")) < 1);
    assert.ok((m.get("num_docs") as number) < 50);
    t.exec("HSET", "k:49", "n", "1000");
    t.exec("DEL", "k:0");
    t.advance(0);
    m = info(t, "i");
    assert.equal(m.get("backfill_in_progress"), "0");
    assert.equal(m.get("state"), "ready");
    assert.equal(m.get("num_docs"), 49);
    assert.deepEqual(keys(t.exec("FT.SEARCH", "i", "@n:[1000 1000]", "NOCONTENT")), ["k:49"]);
  });

  it("stops when the index is dropped mid-way", () => {
    const t = makeEngine();
    for (let i = 0; i < 30; i++) t.exec("HSET", `k:${i}`, "n", String(i));
    SearchManager.of(t.engine).sliceKeys = 5;
    t.exec("FT.CREATE", "i", "SCHEMA", "n", "NUMERIC");
    t.exec("FT.DROPINDEX", "i");
    t.advance(0);
    assert.deepEqual(t.exec("FT._LIST"), []);
  });
});
