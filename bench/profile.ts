/**
 * CPU profile of Kite's Node bundle (dist/kite.mjs, `npm run build:node`) under redis-benchmark
 * tests from bench/resp.ts: starts `node --cpu-prof` pinned to CPU 1, runs each test once (with
 * its preload) at the chosen pipeline depth, stops the server with SIGTERM so Node writes the
 * profile, and prints the functions with the most self time. The `.cpuprofile` file is kept for
 * Chrome DevTools (Performance panel, "Load profile").
 *
 * The profile covers the whole process: start-up and preloads are included but are small next to
 * the measured run. `(idle)` is time the event loop waited for input (the client was the limit),
 * `(garbage collector)` is GC, `(program)` is native code outside JavaScript (mostly socket I/O).
 *
 * Usage: node --import tsx bench/profile.ts --tests zadd[,xadd...] [--pipeline 16]
 *        [--requests N] [--top 25]
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseFlags, redisBenchmark, say, startTarget, table } from "./_lib.ts";
import { testsByName } from "./_resp_tests.ts";

const flags = parseFlags(process.argv.slice(2));
const tests = testsByName(flags.get("tests")?.split(",") ?? ["set"]);
const pipeline = Number(flags.get("pipeline") ?? 16);
const top = Number(flags.get("top") ?? 25);
const base = pipeline === 1 ? 100_000 : 500_000;

const dir = mkdtempSync(join(tmpdir(), "kite-prof-"));
const server = await startTarget("node", { cpu: "1", runtimeFlags: ["--cpu-prof", "--cpu-prof-dir", dir] });
try {
  for (const t of tests) {
    const n = Number(flags.get("requests") ?? Math.round(base * t.weight));
    await t.preload?.(server.port, n);
    const r = redisBenchmark(server.port, t.what, n, ["-P", String(pipeline), "-r", "100000"], "0");
    say(`${t.name} -P ${pipeline}: ${Math.round(r.rps)} ops/s, p50 ${r.p50} ms, p99 ${r.p99} ms (${n} requests)`);
  }
} finally {
  await server.stop("SIGTERM");
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (file === undefined) throw new Error(`No profile was written to ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;
const frameOf = new Map<number, CallFrame>(profile.nodes.map((n) => [n.id, n.callFrame]));
// Self time per function: each sample's time delta is charged to the function on top of the stack.
const self = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const f = frameOf.get(profile.samples[i]!)!;
  const where = f.url === "" ? "" : ` ${f.url.slice(f.url.lastIndexOf("/") + 1)}:${f.lineNumber + 1}`;
  const key = `${f.functionName || "(anonymous)"}${where}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
}
const rows: string[][] = [["function (bundle line)", "self ms", "self %"]];
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  rows.push([key, (us / 1000).toFixed(0), ((us / total) * 100).toFixed(1)]);
}
say(`\nTop ${top} functions by self time (${(total / 1e6).toFixed(1)} s profiled):`);
say(table(rows));
say(`\nProfile: ${join(dir, file)}`);
