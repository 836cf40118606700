/**
 * RESP throughput benchmark: Kite on Deno, Bun and Node against redis-server, with
 * redis-benchmark (-c 50) at -P 1 and -P 16. The server is pinned to CPU 1 and redis-benchmark to
 * CPU 0; targets alternate within each round, and each figure is the median over the rounds.
 *
 * The tests are redis-benchmark's built-in ones for the commands Kite implements, plus XADD and
 * ZRANGE in redis-benchmark's custom-command mode (it has no built-in test for them). Tests that
 * remove elements (LPOP, RPOP, SPOP, ZPOPMIN) and ZRANGE get an unmeasured preload first, so
 * every request works on a non-empty key. Each test's request count is scaled by its cost so
 * that every run takes a second or two on redis-server.
 *
 * Besides ops/s it reports the server's CPU seconds per million operations (utime + stime from
 * /proc/<pid>/stat around each redis-benchmark run), which is less sensitive than throughput to
 * the client saturating first.
 *
 * Usage: bash bench/resp.sh [--quick] [--rounds N] [--targets redis,deno,bun,node]
 *        [--tests ping_inline,set,...] [--json out.json]
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import {
  cpuSeconds,
  gitCommit,
  median,
  parseFlags,
  redisBenchmark,
  say,
  sleep,
  startTarget,
  table,
  type Target,
  targetsFrom,
  versions,
} from "./_lib.ts";
import { ALL_TESTS, type TestDef, testsByName } from "./_resp_tests.ts";

const SERVER_CPU = "1";
const CLIENT_CPU = "0";

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU seconds per million requests. */
  cpuPerM: number;
}

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const rounds = Number(flags.get("rounds") ?? (quick ? 1 : 3));
const targets = targetsFrom(flags);
const tests = testsByName(flags.get("tests")?.split(",") ?? ALL_TESTS.map((t) => t.name));
const pipelines = [1, 16];
/** Base request counts per pipeline depth, before each test's weight. */
const BASE: Record<number, number> = quick ? { 1: 10_000, 16: 50_000 } : { 1: 100_000, 16: 500_000 };
const requests = (p: number, t: TestDef) => Math.round(BASE[p]! * t.weight);
const started = performance.now();

// samples[target][pipeline][test] = one Sample per round
const samples = new Map<string, Sample[]>();
const keyOf = (t: Target, p: number, test: string) => `${t}|${p}|${test}`;

say(
  `# RESP throughput: ${rounds} round(s), targets ${targets.join(", ")}, tests ${tests.map((t) => t.name).join(", ")}`,
);
say(`# commit ${gitCommit()}; ${JSON.stringify(versions())}`);
for (let round = 0; round < rounds; round++) {
  // Alternate the order each round so no target always runs right after another one.
  const order = round % 2 === 0 ? targets : [...targets].reverse();
  for (const target of order) {
    const server = await startTarget(target, { cpu: SERVER_CPU });
    try {
      // Warm-up (JIT, buffers, hash table growth); not measured.
      redisBenchmark(server.port, "set,get", quick ? 20_000 : 100_000, ["-P", "16", "-r", "100000"], CLIENT_CPU);
      for (const p of pipelines) {
        for (const def of tests) {
          const test = def.name;
          const n = requests(p, def);
          await def.preload?.(server.port, n);
          const cpu0 = cpuSeconds(server.pid);
          const r = redisBenchmark(server.port, def.what, n, ["-P", String(p), "-r", "100000"], CLIENT_CPU);
          const cpu1 = cpuSeconds(server.pid);
          const s: Sample = { rps: r.rps, p50: r.p50, p99: r.p99, cpuPerM: ((cpu1 - cpu0) / n) * 1e6 };
          const k = keyOf(target, p, test);
          samples.set(k, [...(samples.get(k) ?? []), s]);
          say(
            `round ${round + 1} ${target.padEnd(5)} -P ${String(p).padEnd(2)} ${test.padEnd(11)} ` +
              `${Math.round(s.rps).toString().padStart(8)} ops/s  p50 ${s.p50} ms  p99 ${s.p99} ms  ` +
              `cpu ${s.cpuPerM.toFixed(2)} s/M`,
          );
        }
      }
    } finally {
      await server.stop();
    }
    await sleep(200);
  }
}

interface Summary {
  target: Target;
  pipeline: number;
  test: string;
  rps: number;
  p50: number;
  p99: number;
  cpuPerM: number;
  rpsRatio: number | null;
  cpuRatio: number | null;
}

const summary: Summary[] = [];
for (const p of pipelines) {
  for (const { name: test } of tests) {
    const ref = samples.get(keyOf("redis", p, test));
    const refRps = ref ? median(ref.map((s) => s.rps)) : undefined;
    const refCpu = ref ? median(ref.map((s) => s.cpuPerM)) : undefined;
    for (const target of targets) {
      const ss = samples.get(keyOf(target, p, test));
      if (!ss) continue;
      const rps = median(ss.map((s) => s.rps));
      const cpuPerM = median(ss.map((s) => s.cpuPerM));
      summary.push({
        target,
        pipeline: p,
        test,
        rps,
        p50: median(ss.map((s) => s.p50)),
        p99: median(ss.map((s) => s.p99)),
        cpuPerM,
        rpsRatio: refRps ? rps / refRps : null,
        cpuRatio: refCpu ? cpuPerM / refCpu : null,
      });
    }
  }
}

const fmtRatio = (x: number | null) => (x === null ? "-" : x.toFixed(2) + "x");
for (const p of pipelines) {
  say(`\n## -P ${p} (medians of ${rounds} round(s); ratio = Kite / redis)`);
  const rows: string[][] = [["test", "server", "ops/s", "ratio", "p50 ms", "p99 ms", "cpu s/M ops", "cpu ratio"]];
  for (const s of summary.filter((x) => x.pipeline === p)) {
    rows.push([
      s.test,
      s.target,
      Math.round(s.rps).toString(),
      s.target === "redis" ? "" : fmtRatio(s.rpsRatio),
      s.p50.toFixed(3),
      s.p99.toFixed(3),
      s.cpuPerM.toFixed(2),
      s.target === "redis" ? "" : fmtRatio(s.cpuRatio),
    ]);
  }
  say(table(rows));
}

say(`\n# elapsed ${((performance.now() - started) / 1000).toFixed(0)} s`);
const result = {
  benchmark: "resp",
  commit: gitCommit(),
  rounds,
  quick,
  requests: Object.fromEntries(tests.map((t) => [t.name, pipelines.map((p) => requests(p, t))])),
  versions: versions(),
  results: summary,
};
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
