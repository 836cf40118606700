import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, type TestEngine } from "../_helpers/engine.ts";
import { cmd, type CommandSpec } from "../../src/commands/spec.ts";
import { OK } from "../../src/protocol/reply.ts";
import { highestEquivalent, LatencyHistogram, LatencyMonitor } from "../../src/engine/latency.ts";

// Test-only commands that take exactly the time they are told (in µs of the fake clock).
function sleeper(name: string, flags: string): CommandSpec {
  return cmd(name, "server", 2, flags, "", [], "1.0.0", (ctx, argv) => {
    (ctx.engine.clock as TestEngine["clock"]).advance(Number(argv[1]) / 1000);
    return OK;
  });
}

function engine(config: Record<string, string> = {}): TestEngine {
  return makeEngine({ commands: [sleeper("takes", ""), sleeper("fasttakes", "fast")], config });
}

function infoField(t: TestEngine, section: string, field: string): string | undefined {
  const text = t.exec("INFO", section) as string;
  const line = text.split("\r\n").find((l) => l.startsWith(field + ":"));
  return line?.slice(field.length + 1);
}

describe("LatencyHistogram", () => {
  it("reports a bucket's highest equivalent value, as HdrHistogram with two significant digits", () => {
    // Values redis-server 7.0 printed in INFO latencystats for single calls of 3, 12, 61 and 966 µs.
    for (const [us, shown] of [[3, "3.007"], [12, "12.031"], [61, "61.183"], [966, "966.655"], [0, "0.001"]] as const) {
      const h = new LatencyHistogram();
      h.record(us * 1000);
      assert.equal((h.valueAtPercentile(50) / 1000).toFixed(3), shown);
    }
    assert.equal(highestEquivalent(255), 255);
    assert.equal(highestEquivalent(1024), 1031);
    assert.equal(highestEquivalent(131072), 132095);
  });

  it("gives percentiles over the recorded values", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.record(i * 1000);
    assert.equal(h.total, 100);
    assert.equal(Math.round(h.valueAtPercentile(50) / 1000), 50);
    assert.equal(Math.round(h.valueAtPercentile(99) / 1000), 99);
    assert.equal(Math.round(h.valueAtPercentile(100) / 1000), 100);
  });

  it("lists the cumulative counts at doubling levels where they grow", () => {
    const h = new LatencyHistogram();
    for (const us of [100, 101, 110, 120, 125, 128, 130, 200, 250, 300, 290]) h.record(us * 1000);
    // The levels redis-server 7.0 prints: 132, 264, 528 µs.
    assert.deepEqual(h.cumulative(), [[132, 7], [264, 9], [528, 11]]);
    const small = new LatencyHistogram();
    small.record(500);
    small.record(5_000_000_000);
    assert.deepEqual(small.cumulative(), [[1, 1], [1_082_130, 2]]);
  });
});

describe("LatencyMonitor", () => {
  it("keeps the worst sample of each second, the last 160 seconds, and the all-time maximum", () => {
    const m = new LatencyMonitor();
    m.add("command", 5, 1000);
    m.add("command", 9, 1000);
    m.add("command", 7, 1001);
    assert.deepEqual(m.history("command"), [[1000, 9], [1001, 7]]);
    assert.deepEqual(m.latest(), [["command", 1001, 7, 9]]);
    for (let s = 2000; s < 2200; s++) m.add("command", 1, s);
    const h = m.history("command");
    assert.equal(h.length, 160);
    assert.deepEqual(h[0], [2040, 1]);
    assert.equal(m.max("command"), 9);
    assert.deepEqual(m.history("nosuch"), []);
  });
});

describe("LATENCY", () => {
  it("records commands at or over latency-monitor-threshold as command or fast-command events", () => {
    const t = engine({ "latency-monitor-threshold": "5" });
    t.exec("TAKES", 4_000);
    assert.deepEqual(t.exec("LATENCY", "LATEST"), []);
    t.exec("TAKES", 5_000);
    t.exec("FASTTAKES", 12_000);
    const now = Math.floor(t.clock.now() / 1000);
    assert.deepEqual(t.exec("LATENCY", "LATEST"), [["command", now, 5, 5], ["fast-command", now, 12, 12]]);
    assert.deepEqual(t.exec("LATENCY", "HISTORY", "command"), [[now, 5]]);
    assert.deepEqual(t.exec("LATENCY", "HISTORY", "nosuch"), []);
  });

  it("records nothing while the threshold is 0", () => {
    const t = engine();
    t.exec("TAKES", 50_000);
    assert.deepEqual(t.exec("LATENCY", "LATEST"), []);
    assert.match(t.exec("LATENCY", "DOCTOR") as string, /Latency monitoring is off/);
  });

  it("RESET forgets the named events (all by default) and counts them", () => {
    const t = engine({ "latency-monitor-threshold": "1" });
    t.exec("TAKES", 2_000);
    t.exec("FASTTAKES", 2_000);
    assert.equal(t.exec("LATENCY", "RESET", "COMMAND", "nosuch"), 1);
    assert.deepEqual((t.exec("LATENCY", "LATEST") as unknown[][]).map((e) => e[0]), ["fast-command"]);
    assert.equal(t.exec("LATENCY", "RESET"), 1);
    assert.equal(t.exec("LATENCY", "RESET"), 0);
  });

  it("GRAPH draws an event and fails for one without samples; DOCTOR reports each event", () => {
    const t = engine({ "latency-monitor-threshold": "1" });
    assert.deepEqual(t.exec("LATENCY", "GRAPH", "command"), { error: "ERR No samples available for event 'command'" });
    t.exec("TAKES", 30_000);
    t.advance(1000);
    t.exec("TAKES", 10_000);
    const graph = t.exec("LATENCY", "GRAPH", "command") as string;
    assert.match(graph, /^command - high 30 ms, low 10 ms \(all time high 30 ms\)\n/);
    const doctor = t.exec("LATENCY", "DOCTOR") as string;
    assert.match(doctor, /1\. command: 2 spikes, average 20 ms .*worst ever 30 ms/);
    assert.match(doctor, /SLOWLOG GET/);
  });

  it("HISTOGRAM gives each command's calls and cumulative run times; RESETSTAT clears them", () => {
    const t = engine();
    t.exec("TAKES", 100);
    t.exec("TAKES", 3_000);
    t.exec("CONFIG", "GET", "hz");
    assert.deepEqual(t.exec("LATENCY", "HISTOGRAM", "takes", "nosuch"), [
      "takes",
      ["calls", 2, "histogram_usec", [132, 1, 4227, 2]],
    ]);
    const byContainer = t.exec("LATENCY", "HISTOGRAM", "config") as unknown[];
    assert.equal(byContainer[0], "config|get");
    const all = t.exec("LATENCY", "HISTOGRAM") as unknown[];
    assert.ok(all.includes("takes") && all.includes("config|get"));
    t.exec("CONFIG", "RESETSTAT");
    assert.deepEqual(t.exec("LATENCY", "HISTOGRAM", "takes"), []);
  });

  it("observes a blocked command once, when it is answered", () => {
    const t = engine();
    const waiter = t.engine.openSession();
    t.engine.dispatch(waiter, ["BLPOP", "q", "0"], () => {});
    assert.deepEqual(t.exec("LATENCY", "HISTOGRAM", "blpop"), []);
    t.exec("RPUSH", "q", "x");
    const got = t.exec("LATENCY", "HISTOGRAM", "blpop") as unknown[];
    assert.deepEqual((got[1] as unknown[]).slice(0, 2), ["calls", 1]);
  });

  it("records no histogram while latency-tracking is no", () => {
    const t = engine({ "latency-tracking": "no" });
    t.exec("TAKES", 100);
    assert.deepEqual(t.exec("LATENCY", "HISTOGRAM", "takes"), []);
  });

  it("HELP lists the subcommands", () => {
    const help = engine().exec("LATENCY", "HELP") as string[];
    assert.equal(help[0], "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.ok(help.includes("LATEST") && help.includes("HISTOGRAM [<command> ...]"));
  });
});

describe("INFO latencystats", () => {
  it("prints the configured percentiles of each command's run times", () => {
    const t = engine();
    t.exec("TAKES", 3);
    assert.equal(infoField(t, "latencystats", "latency_percentiles_usec_takes"), "p50=3.007,p99=3.007,p99.9=3.007");
    assert.equal(t.exec("CONFIG", "SET", "latency-tracking-info-percentiles", "99.99 50.0 1e1"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "latency-tracking-info-percentiles"), [
      "latency-tracking-info-percentiles",
      "99.99 50 10",
    ]);
    assert.equal(infoField(t, "latencystats", "latency_percentiles_usec_takes"), "p99.99=3.007,p50=3.007,p10=3.007");
    t.exec("CONFIG", "SET", "latency-tracking-info-percentiles", "");
    assert.equal(infoField(t, "latencystats", "latency_percentiles_usec_takes"), "");
    assert.ok(!(t.exec("INFO") as string).includes("Latencystats"), "not a default section");
    assert.ok((t.exec("INFO", "all") as string).includes("# Latencystats"));
  });

  it("rejects percentiles that are not numbers in [0, 100], with Valkey's reasons", () => {
    const t = engine();
    const prefix = "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - ";
    assert.deepEqual(t.exec("CONFIG", "SET", "latency-tracking-info-percentiles", "abc"), {
      error: prefix + "Invalid latency-tracking-info-percentiles parameters",
    });
    assert.deepEqual(t.exec("CONFIG", "SET", "latency-tracking-info-percentiles", "50 101"), {
      error: prefix + "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
    });
  });
});
