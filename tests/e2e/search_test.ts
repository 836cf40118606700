/**
 * FT.* end to end over TCP: node-redis's `client.ft.*` (RESP2 and RESP3, as node-redis v6
 * negotiates RESP3 by default) and raw commands with binary vector blobs.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createClient, SCHEMA_FIELD_TYPE, SCHEMA_VECTOR_FIELD_ALGORITHM } from "redis";
import type { Server } from "../../mod.ts";
import { RawClient, startKite, withTimeout } from "../_helpers/client.ts";
import { makeGateway } from "../http/_gateway.ts";

const blob = (...xs: number[]) => Buffer.from(new Float32Array(xs).buffer);

for (const resp of [2, 3] as const) {
  describe(`node-redis client.ft (RESP${resp})`, () => {
    let server: Server;
    let client: ReturnType<typeof createClient>;
    before(async () => {
      server = await startKite();
      client = createClient({ socket: { port: server.port, host: "127.0.0.1", reconnectStrategy: false }, RESP: resp });
      client.on("error", () => {/* surfaced through the failing command */});
      await withTimeout(client.connect(), 10_000, "the client to connect");
    });
    after(async () => {
      await client.close();
      await server.close();
    });

    it("creates an index, searches by KNN with a filter, and reads FT.INFO and FT._LIST", async () => {
      assert.equal(
        await client.ft.create("idx", {
          vec: {
            type: SCHEMA_FIELD_TYPE.VECTOR,
            ALGORITHM: SCHEMA_VECTOR_FIELD_ALGORITHM.HNSW,
            TYPE: "FLOAT32",
            DIM: 3,
            DISTANCE_METRIC: "L2",
            M: 8,
            EF_CONSTRUCTION: 100,
          },
          genre: { type: SCHEMA_FIELD_TYPE.TAG },
          year: { type: SCHEMA_FIELD_TYPE.NUMERIC, SORTABLE: true },
        }, { ON: "HASH", PREFIX: "movie:" }),
        "OK",
      );
      await client.hSet("movie:1", { vec: blob(0, 0, 1), genre: "drama", year: "2001" });
      await client.hSet("movie:2", { vec: blob(0.8, 0, 0), genre: "comedy", year: "2005" });
      await client.hSet("movie:3", { vec: blob(0, 0, 0.9), genre: "comedy", year: "1999" });
      const r = await client.ft.search("idx", "@genre:{comedy}=>[KNN 2 @vec $q AS score]", {
        PARAMS: { q: blob(0, 0, 1) },
        RETURN: ["score", "year"],
        DIALECT: 2,
      });
      assert.equal(r.total, 2);
      assert.deepEqual(r.documents.map((d) => d.id), ["movie:3", "movie:2"]);
      assert.equal(r.documents[0]!.value.year, "1999");
      assert.ok(Math.abs(Number(r.documents[0]!.value.score) - 0.01) < 1e-6);
      const nc = await client.ft.searchNoContent("idx", "@year:[2000 +inf]", { SORTBY: "year" });
      assert.deepEqual(nc.documents, ["movie:1", "movie:2"]);
      assert.deepEqual(await client.ft._list(), ["idx"]);
      const info = await client.ft.info("idx") as unknown;
      // RESP2: node-redis parses the name/value pairs; RESP3: the raw array passes through.
      if (resp === 2) assert.equal((info as { num_docs: unknown }).num_docs, 3);
      else assert.ok(Array.isArray(info) && info.includes("num_docs"));
      // valkey-search has no DD: node-redis' `{ DD: true }` gets the wrong-arity error and
      // nothing is dropped or deleted.
      await assert.rejects(client.ft.dropIndex("idx", { DD: true }), /wrong number of arguments/i);
      assert.deepEqual(await client.ft._list(), ["idx"]);
      assert.equal(await client.exists("movie:1"), 1);
      assert.equal(await client.ft.dropIndex("idx"), "OK");
      assert.deepEqual(await client.ft._list(), []);
      assert.equal(await client.exists("movie:1"), 1, "the documents stay");
    });
  });
}

describe("FT.* over raw RESP", () => {
  let server: Server;
  let c: RawClient;
  before(async () => {
    server = await startKite();
    c = await RawClient.connect(server.port);
  });
  after(async () => {
    await c.close();
    await server.close();
  });

  it("round-trips binary blobs and answers errors without an ERR prefix", async () => {
    assert.deepEqual(
      await c.call(
        "FT.CREATE",
        "i",
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
        "IP",
      ),
      { type: "simple", value: "OK" },
    );
    // Bytes 0x80..0xff in the blob must survive as raw bytes.
    const v = blob(-1.5, 2.25);
    await c.call("HSET", "k", "v", v);
    const r = await c.call("FT.SEARCH", "i", "*=>[KNN 1 @v $q]", "PARAMS", "2", "q", blob(1, 0));
    assert.equal(r.type, "array");
    const items = r.type === "array" ? r.value : [];
    assert.deepEqual(items[0], { type: "int", value: 1n });
    const fields = items[2]!;
    assert.equal(fields.type, "array");
    if (fields.type === "array") {
      assert.deepEqual(fields.value.map((x) => x.type === "bulk" ? x.value.toString("latin1") : ""), [
        "__v_score",
        "2.5",
        "v",
        v.toString("latin1"),
      ]);
    }
    const err = await c.call("FT.SEARCH", "missing", "*");
    assert.equal(err.type, "error");
    if (err.type === "error") assert.equal(err.value, "Index with name 'missing' not found in database 0");
  });

  it("answers valkey-search's texts for a bad option, an unknown SORTBY field and DROPINDEX ... DD", async () => {
    const bogus = await c.call("FT.SEARCH", "i", "*", "BOGUS");
    assert.deepEqual(bogus, { type: "error", value: "Unexpected argument `BOGUS`" });
    const sort = await c.call("FT.SEARCH", "i", "*", "SORTBY", "nope");
    assert.deepEqual(sort, { type: "error", value: "Index field `nope` does not exist" });
    const dd = await c.call("FT.DROPINDEX", "i", "DD");
    assert.equal(dd.type, "error");
    if (dd.type === "error") assert.match(dd.value, /^ERR wrong number of arguments for 'ft\.dropindex' command$/i);
    assert.deepEqual(await c.call("FT._LIST"), { type: "array", value: [{ type: "bulk", value: Buffer.from("i") }] });
  });

  it("reports the search INFO sections with valkey-search's field names", async () => {
    const r = await c.call("INFO", "search");
    assert.equal(r.type, "bulk");
    const text = r.type === "bulk" ? r.value.toString("latin1") : "";
    assert.match(text, /^# search_memory\r\nsearch_used_memory_bytes:\d+\r\nsearch_used_memory_human:\d+\.\d\dM\r\n/);
    assert.match(text, /\r\nsearch_number_of_indexes:1\r\n/);
  });
});

describe("FT.* through the HTTP gateway", () => {
  it("sees HTTP writes from the engine at once, and engine writes from HTTP", async () => {
    const g = makeGateway();
    try {
      const create = await g.post("/", [
        "FT.CREATE",
        "i",
        "PREFIX",
        "1",
        "d:",
        "SCHEMA",
        "v",
        "VECTOR",
        "HNSW",
        "6",
        "TYPE",
        "FLOAT32",
        "DIM",
        "2",
        "DISTANCE_METRIC",
        "L2",
      ]);
      assert.deepEqual(create.json, { result: "OK" });
      // A binary vector goes in the raw body of a path-style command (the last argument).
      const put = await g.call("POST", "/hset/d:1/v", { body: blob(1, 2) });
      assert.deepEqual(put.json, { result: 1 });
      const q = Buffer.from(blob(1, 2)).toString("latin1");
      assert.deepEqual(g.exec("FT.SEARCH", "i", "*=>[KNN 1 @v $q]", "PARAMS", "2", "q", q, "NOCONTENT"), [1, "d:1"]);
      g.exec("HSET", "d:2", "v", Buffer.from(blob(1, 3)).toString("latin1"));
      const path = `/FT.SEARCH/i/${encodeURIComponent("*=>[KNN 2 @v $q AS s]")}/RETURN/1/s/PARAMS/2/q`;
      const found = await g.call("POST", path, { body: blob(1, 2) });
      assert.deepEqual(found.json, { result: [2, "d:1", ["s", "0"], "d:2", ["s", "1"]] });
    } finally {
      g.close();
    }
  });
});
