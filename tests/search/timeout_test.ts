/**
 * FT.SEARCH TIMEOUT: the deadline is checked inside each long phase (exact scans, FLAT scans,
 * HNSW walks, filter evaluation, sorting), so a short TIMEOUT cancels a query over a large
 * index with valkey-search's error instead of finishing it. Time is a fake clock that moves
 * 1 ms every time it is read while a query runs: the number of reads is the number of
 * deadline checks, so a query that only checked between phases would never time out here.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine, type Plain, type TestEngine } from "../_helpers/engine.ts";
import { FakeClock } from "../../src/runtime/clock.ts";
import { SearchManager } from "../../src/search/manager.ts";

/** A fake clock that, while `ticking`, moves forward `msPerRead` on every monotonic read. */
class TickingClock extends FakeClock {
  ticking = false;
  msPerRead = 1;
  reads = 0;

  override monotonicUs(): number {
    if (this.ticking) {
      this.reads++;
      this.advance(this.msPerRead);
    }
    return super.monotonicUs();
  }
}

const v = (...xs: number[]) => Buffer.from(new Float32Array(xs).buffer).toString("latin1");
const TIMEOUT = { error: "Search operation cancelled due to timeout" };

/** An engine with index `i` (one vector attribute and NUMERIC `n`) over `n` documents `d:<i>`. */
function build(n: number, algorithm: "FLAT" | "HNSW"): { t: TestEngine; clock: TickingClock } {
  const clock = new TickingClock();
  const t = makeEngine({ clock });
  const graph = algorithm === "HNSW" ? ["M", "4", "EF_CONSTRUCTION", "8"] : [];
  t.exec(
    "FT.CREATE",
    "i",
    "SCHEMA",
    "v",
    "VECTOR",
    algorithm,
    String(6 + graph.length),
    "TYPE",
    "FLOAT32",
    "DIM",
    "2",
    "DISTANCE_METRIC",
    "L2",
    ...graph,
    "n",
    "NUMERIC",
  );
  for (let i = 0; i < n; i++) t.exec("HSET", `d:${i}`, "v", v(i % 97, Math.floor(i / 97)), "n", String(i % 1000));
  return { t, clock };
}

/** Runs FT.SEARCH with the clock ticking; returns the reply and the clock reads it made. */
function timed(t: TestEngine, clock: TickingClock, ...args: string[]): { reply: Plain; reads: number } {
  clock.reads = 0;
  clock.ticking = true;
  try {
    return { reply: t.exec("FT.SEARCH", "i", ...args), reads: clock.reads };
  } finally {
    clock.ticking = false;
  }
}

const q = ["PARAMS", "2", "q", v(40, 40)];

describe("FT.SEARCH TIMEOUT", () => {
  it("cancels a FLAT scan of 20,000 vectors part way, and lets the same scan finish with a larger budget", () => {
    const { t, clock } = build(20_000, "FLAT");
    const cut = timed(t, clock, "*=>[KNN 5 @v $q]", ...q, "NOCONTENT", "TIMEOUT", "5");
    assert.deepEqual(cut.reply, TIMEOUT);
    const full = timed(t, clock, "*=>[KNN 5 @v $q]", ...q, "NOCONTENT", "TIMEOUT", "60000");
    assert.equal((full.reply as Plain[])[0], 5);
    // Work stopped soon after the budget: far fewer checks than the whole scan makes.
    assert.ok(cut.reads < full.reads / 2, `${cut.reads} reads when cancelled, ${full.reads} when finished`);
  });

  it("does not time out a small index with the same short budget (checks are every 1024 units of work)", () => {
    const { t, clock } = build(50, "FLAT");
    const r = timed(t, clock, "*=>[KNN 5 @v $q]", ...q, "NOCONTENT", "TIMEOUT", "5");
    assert.equal((r.reply as Plain[])[0], 5);
    assert.ok(r.reads < 10, `${r.reads} reads`);
  });

  it("cancels a wide HNSW walk (EF_RUNTIME 4096 over 6,000 nodes)", () => {
    const { t, clock } = build(6_000, "HNSW");
    const cut = timed(t, clock, "*=>[KNN 5 @v $q EF_RUNTIME 4096]", ...q, "NOCONTENT", "TIMEOUT", "5");
    assert.deepEqual(cut.reply, TIMEOUT);
    const full = timed(t, clock, "*=>[KNN 5 @v $q EF_RUNTIME 4096]", ...q, "NOCONTENT");
    assert.equal((full.reply as Plain[])[0], 5);
    assert.ok(full.reads > 10, `the walk itself reads the clock (${full.reads} reads)`);
  });

  it("cancels the exact scan of a hybrid query's filter matches", () => {
    const { t, clock } = build(20_000, "HNSW");
    const plans = SearchManager.of(t.engine).get(0, "i")!.plans;
    const cut = timed(t, clock, "@n:[0 +inf]=>[KNN 5 @v $q EF_RUNTIME 4096]", ...q, "NOCONTENT", "TIMEOUT", "5");
    assert.deepEqual(cut.reply, TIMEOUT);
    assert.deepEqual(plans, { filteredWalk: 0, exactScan: 1 });
  });

  it("cancels the evaluation of a filter matching most of a large index", () => {
    const { t, clock } = build(20_000, "FLAT");
    const cut = timed(t, clock, "-@n:[7 7]", "NOCONTENT", "TIMEOUT", "5");
    assert.deepEqual(cut.reply, TIMEOUT);
    const full = timed(t, clock, "-@n:[7 7]", "NOCONTENT", "LIMIT", "0", "0");
    assert.deepEqual(full.reply, [19_980]);
  });

  it("cancels the sort of a large match set", () => {
    const { t, clock } = build(20_000, "FLAT");
    // Collecting and fetching 20,000 documents takes about 40 checks: inside a 100 ms budget.
    const unsorted = timed(t, clock, "@n:[0 +inf]", "NOCONTENT", "LIMIT", "0", "1", "TIMEOUT", "100");
    assert.equal((unsorted.reply as Plain[])[0], 20_000);
    assert.ok(unsorted.reads < 100, `${unsorted.reads} reads`);
    const sorted = timed(t, clock, "@n:[0 +inf]", "NOCONTENT", "LIMIT", "0", "1", "SORTBY", "n", "TIMEOUT", "100");
    assert.deepEqual(sorted.reply, TIMEOUT);
  });

  it("counts a timed out query as a failure in INFO", () => {
    const { t, clock } = build(20_000, "FLAT");
    timed(t, clock, "*=>[KNN 5 @v $q]", ...q, "TIMEOUT", "5");
    assert.match(t.exec("INFO", "search_query") as string, /search_failure_requests_count:1\r\n/);
  });
});
