/**
 * Sorted-set workload: a 100,000-member sorted set built with pipelined ZADD, then read with
 * ZRANGEBYSCORE windows, on Kite (Deno, Bun, Node) and redis-server.
 *
 * 1. `zadd-load`: `ZADD bigzset <score> member:<i>` for i < members, one member per command,
 *    pipelined over one connection from this process (1,000 commands per batch, at most 4 batches
 *    in flight). Scores are uniform in [0, 1,000,000) from a seeded generator, so every server
 *    gets the same data. Timed; the server's CPU seconds are read around it.
 * 2. `zrangebyscore_10` / `zrangebyscore_100`: redis-benchmark (-c 50, at -P 1 and -P 16) in
 *    custom-command mode, `ZRANGEBYSCORE bigzset __rand_int__ +inf LIMIT 0 <k>` with
 *    `-r 1000000`: a window that starts at a random score and holds the next k members (10 or
 *    100), i.e. a seek by score plus a k-member walk.
 *
 * Each server gets an unmeasured read warm-up (10,000 requests per read phase at -P 16) after the
 * load. The server runs on CPU 1; redis-benchmark and this process (the loader) on CPU 0. Servers
 * alternate order between rounds; figures are medians over the rounds (3, 1 with --quick).
 *
 * Usage: node --import tsx bench/zset_workload.ts [--quick] [--rounds N] [--members N]
 *        [--targets redis,deno,bun,node] [--json out.json]
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import {
  commandInt,
  commandLine,
  cpuSeconds,
  encodeCommand,
  gitCommit,
  median,
  parseFlags,
  pinSelf,
  pipelineLoad,
  redisBenchmark,
  say,
  seededRandom,
  sleep,
  startTarget,
  table,
  type Target,
  targetsFrom,
  versions,
} from "./_lib.ts";

const SERVER_CPU = "1";
const CLIENT_CPU = "0";
const KEY = "bigzset";
/** Scores are drawn from [0, SCORE_RANGE); redis-benchmark's `-r` draws window starts from it too. */
const SCORE_RANGE = 1_000_000;

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const rounds = Number(flags.get("rounds") ?? (quick ? 1 : 3));
const members = Number(flags.get("members") ?? 100_000);
const targets = targetsFrom(flags);

/** The read phases: members per window and requests at each pipeline depth. */
const READS = [
  { name: "zrangebyscore_10", limit: 10, requests: quick ? { 1: 5_000, 16: 20_000 } : { 1: 50_000, 16: 200_000 } },
  { name: "zrangebyscore_100", limit: 100, requests: quick ? { 1: 3_000, 16: 5_000 } : { 1: 30_000, 16: 50_000 } },
] as const;
const PIPELINES = [1, 16] as const;

/** The ZADD commands, built once so every server (and every round) gets identical input. */
const zaddCommands: string[] = (() => {
  const rnd = seededRandom(3);
  const out: string[] = [];
  for (let i = 0; i < members; i++) {
    out.push(encodeCommand(["ZADD", KEY, String(rnd() * SCORE_RANGE), `member:${i}`]));
  }
  return out;
})();

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU seconds per million operations. */
  cpuPerM: number;
}

const samples = new Map<string, Sample[]>();
const keyOf = (t: Target, phase: string) => `${t}|${phase}`;
const record = (t: Target, phase: string, s: Sample) => {
  const k = keyOf(t, phase);
  samples.set(k, [...(samples.get(k) ?? []), s]);
  say(
    `${t.padEnd(5)} ${phase.padEnd(22)} ${Math.round(s.rps).toString().padStart(8)} ops/s  ` +
      (Number.isNaN(s.p50) ? "" : `p50 ${s.p50} ms  p99 ${s.p99} ms  `) + `cpu ${s.cpuPerM.toFixed(2)} s/M`,
  );
};

pinSelf(CLIENT_CPU);
say(`# zset workload: ${members} members, ${rounds} round(s), targets ${targets.join(", ")}`);
say(`# commit ${gitCommit()}; ${JSON.stringify(versions())}`);
const phases: string[] = ["zadd-load"];
for (const p of PIPELINES) for (const r of READS) phases.push(`${r.name} -P ${p}`);

for (let round = 0; round < rounds; round++) {
  say(`## round ${round + 1}`);
  const order = round % 2 === 0 ? targets : [...targets].reverse();
  for (const target of order) {
    const server = await startTarget(target, { cpu: SERVER_CPU });
    try {
      const cpu0 = cpuSeconds(server.pid);
      const t0 = performance.now();
      await pipelineLoad(server.port, members, (i) => zaddCommands[i]!);
      const secs = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds(server.pid) - cpu0;
      const card = await commandInt(server.port, ["ZCARD", KEY]);
      if (card !== members) throw new Error(`${target}: ZCARD ${KEY} is ${card}, expected ${members}`);
      record(target, "zadd-load", { rps: members / secs, p50: NaN, p99: NaN, cpuPerM: (cpu / members) * 1e6 });
      for (const r of READS) {
        // The command answers with exactly `limit` members from the lowest score up.
        const head = await commandLine(server.port, ["ZRANGEBYSCORE", KEY, "0", "+inf", "LIMIT", "0", String(r.limit)]);
        if (head !== `*${r.limit}`) throw new Error(`${target}: ZRANGEBYSCORE answered ${head}`);
      }
      const readCommand = (
        limit: number,
      ) => ["ZRANGEBYSCORE", KEY, "__rand_int__", "+inf", "LIMIT", "0", String(limit)];
      // Warm-up of the read path (JIT); not measured.
      for (const r of READS) {
        redisBenchmark(
          server.port,
          readCommand(r.limit),
          quick ? 2_000 : 10_000,
          ["-P", "16", "-r", "1000"],
          CLIENT_CPU,
        );
      }
      for (const p of PIPELINES) {
        for (const r of READS) {
          const n = r.requests[p];
          const cmd = readCommand(r.limit);
          const c0 = cpuSeconds(server.pid);
          const res = redisBenchmark(server.port, cmd, n, ["-P", String(p), "-r", String(SCORE_RANGE)], CLIENT_CPU);
          const c1 = cpuSeconds(server.pid);
          record(target, `${r.name} -P ${p}`, {
            rps: res.rps,
            p50: res.p50,
            p99: res.p99,
            cpuPerM: ((c1 - c0) / n) * 1e6,
          });
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
  phase: string;
  rps: number;
  p50: number | null;
  p99: number | null;
  cpuPerM: number;
  rpsRatio: number | null;
  cpuRatio: number | null;
}

const summary: Summary[] = [];
for (const phase of phases) {
  const ref = samples.get(keyOf("redis", phase));
  const refRps = ref ? median(ref.map((s) => s.rps)) : undefined;
  const refCpu = ref ? median(ref.map((s) => s.cpuPerM)) : undefined;
  for (const target of targets) {
    const ss = samples.get(keyOf(target, phase));
    if (!ss) continue;
    const rps = median(ss.map((s) => s.rps));
    const cpuPerM = median(ss.map((s) => s.cpuPerM));
    const p50 = median(ss.map((s) => s.p50));
    const p99 = median(ss.map((s) => s.p99));
    summary.push({
      target,
      phase,
      rps,
      p50: Number.isNaN(p50) ? null : p50,
      p99: Number.isNaN(p99) ? null : p99,
      cpuPerM,
      rpsRatio: refRps ? rps / refRps : null,
      cpuRatio: refCpu ? cpuPerM / refCpu : null,
    });
  }
}

const fmtRatio = (x: number | null) => (x === null ? "-" : x.toFixed(2) + "x");
say(`\n## ${members}-member sorted set (medians of ${rounds} round(s); ratio = Kite / redis)`);
const rows: string[][] = [["phase", "server", "ops/s", "ratio", "p50 ms", "p99 ms", "cpu s/M ops", "cpu ratio"]];
for (const s of summary) {
  rows.push([
    s.phase,
    s.target,
    Math.round(s.rps).toString(),
    s.target === "redis" ? "" : fmtRatio(s.rpsRatio),
    s.p50 === null ? "" : s.p50.toFixed(3),
    s.p99 === null ? "" : s.p99.toFixed(3),
    s.cpuPerM.toFixed(2),
    s.target === "redis" ? "" : fmtRatio(s.cpuRatio),
  ]);
}
say(table(rows));
const result = {
  benchmark: "zset_workload",
  commit: gitCommit(),
  members,
  rounds,
  quick,
  versions: versions(),
  results: summary,
};
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
