/**
 * HTTP gateway throughput: Kite on Deno, Bun and Node serving the Upstash REST dialect, loaded
 * with autocannon (-c 50) on loopback, next to the same server's RESP figures (redis-benchmark
 * GET at -P 1 and -P 16). The server is pinned to CPU 1 and the load generator to CPU 0; every
 * run is bounded by duration; each figure is the median over the rounds.
 *
 * Tests:
 * - `get` / `set`: one command per request, `POST /` with `["GET","bench:k"]` / `["SET",...]`
 * - `pipeline16`: `POST /pipeline` with 8 SETs and 8 GETs; commands/s = requests/s x 16
 * - `resp-get-P1` / `resp-get-P16`: redis-benchmark against the RESP port of the same process
 *
 * Besides requests/s it reports the server's CPU seconds per million requests (utime + stime from
 * /proc/<pid>/stat around each run).
 *
 * The load generator is a single Node process on one CPU, and at one request in flight per
 * connection it saturates before the server does (compare the server CPU per request with its
 * throughput); `--pipelining N` lets autocannon pipeline N requests per connection (HTTP/1.1
 * pipelining, answered in order by all three servers), which shows what the server can take.
 *
 * Usage: node --import tsx bench/http.ts [--quick] [--rounds N] [--duration S] [--pipelining N]
 *        [--connections N] [--targets deno,bun,node] [--json out.json]
 *
 * @module
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import {
  cpuSeconds,
  DENO_V8_FLAGS,
  freePort,
  gitCommit,
  median,
  NODE_V8_FLAG,
  parseFlags,
  redisBenchmark,
  say,
  sleep,
  table,
  versions,
} from "./_lib.ts";

type Runtime = "deno" | "bun" | "node";
const RUNTIMES: readonly Runtime[] = ["deno", "bun", "node"];
const SERVER_CPU = "1";
const CLIENT_CPU = "0";
const TOKEN = "bench-token";
const ROOT = new URL("..", import.meta.url).pathname;
const BIN = `${ROOT}node_modules/.bin`;

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const rounds = Number(flags.get("rounds") ?? (quick ? 1 : 3));
const duration = Number(flags.get("duration") ?? (quick ? 3 : 10));
const pipelining = Number(flags.get("pipelining") ?? 1);
const connections = Number(flags.get("connections") ?? 50);
const targets = (flags.get("targets")?.split(",") ?? [...RUNTIMES]) as Runtime[];
for (const t of targets) if (!RUNTIMES.includes(t)) throw new RangeError(`Cannot benchmark "${t}": unknown runtime`);

/** One HTTP load test. */
interface HttpTest {
  name: string;
  path: string;
  body: string;
  /** Commands per request. */
  commands: number;
}

const PIPELINE: string[][] = [];
for (let i = 0; i < 8; i++) {
  PIPELINE.push(["SET", `bench:p${i}`, "value-0123456789"]);
  PIPELINE.push(["GET", `bench:p${i}`]);
}
const HTTP_TESTS: HttpTest[] = [
  { name: "get", path: "/", body: JSON.stringify(["GET", "bench:k"]), commands: 1 },
  { name: "set", path: "/", body: JSON.stringify(["SET", "bench:k", "value-0123456789"]), commands: 1 },
  { name: "pipeline16", path: "/pipeline", body: JSON.stringify(PIPELINE), commands: 16 },
];

/** A running kite-server with both doors open. */
interface Running {
  pid: number;
  port: number;
  httpPort: number;
  stop(): Promise<void>;
}

function commandFor(rt: Runtime, port: number, httpPort: number): string[] {
  const args = ["--port", String(port), "--http-port", String(httpPort), "--http-token", TOKEN];
  switch (rt) {
    case "deno":
      return [`${BIN}/deno`, "run", "-A", DENO_V8_FLAGS, `${ROOT}src/main.ts`, ...args];
    case "bun":
      return [`${BIN}/bun`, "run", `${ROOT}src/main.ts`, ...args];
    case "node":
      return ["node", NODE_V8_FLAG, `${ROOT}dist/kite.mjs`, ...args];
  }
}

async function start(rt: Runtime): Promise<Running> {
  const port = await freePort();
  const httpPort = await freePort();
  const argv = ["taskset", "-c", SERVER_CPU, ...commandFor(rt, port, httpPort)];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out = (out + String(d)).slice(-4000)));
  child.stderr?.on("data", (d) => (out = (out + String(d)).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!/ready to accept connections/.test(out)) {
    if (child.exitCode !== null) throw new Error(`Cannot start ${rt}: ${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`Cannot start ${rt}: no ready line within 30 s: ${out}`);
    }
    await sleep(10);
  }
  return {
    pid: child.pid!,
    port,
    httpPort,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** What one autocannon run reports. */
interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const tmp = mkdtempSync(join(tmpdir(), "kite-http-bench-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
function bodyFile(test: HttpTest): string {
  const path = join(tmp, `${test.name}.json`);
  writeFileSync(path, test.body);
  return path;
}

/** Runs autocannon pinned to the client CPU for `seconds` and parses its JSON report. */
function autocannon(httpPort: number, test: HttpTest, seconds: number): Promise<Load> {
  const args = [
    "-c",
    CLIENT_CPU,
    "node",
    `${ROOT}node_modules/autocannon/autocannon.js`,
    "-c",
    String(connections),
    "-p",
    String(pipelining),
    "-d",
    String(seconds),
    "-m",
    "POST",
    "-H",
    `authorization=Bearer ${TOKEN}`,
    // A file, not -b: autocannon's argument parser reads "[...]" as a nested option list.
    "-i",
    bodyFile(test),
    "-j",
    "-n",
    `http://127.0.0.1:${httpPort}${test.path}`,
  ];
  return new Promise((resolve, reject) => {
    execFile("taskset", args, { maxBuffer: 64 * 1024 * 1024, timeout: (seconds + 60) * 1000 }, (err, stdout) => {
      if (err) return reject(err);
      const r = JSON.parse(stdout) as {
        requests: { average: number };
        latency: { p50: number; p99: number };
        errors: number;
        non2xx: number;
        timeouts: number;
      };
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
      });
    });
  });
}

interface Sample {
  rps: number;
  cmdsPerSec: number;
  p50: number;
  p99: number;
  cpuPerM: number;
}
const samples = new Map<string, Sample[]>();
const add = (rt: Runtime, test: string, s: Sample) => {
  const k = `${rt}|${test}`;
  samples.set(k, [...(samples.get(k) ?? []), s]);
};

say(
  `# HTTP gateway: ${rounds} round(s) of ${duration} s per test, runtimes ${targets.join(", ")}, ` +
    `autocannon -c ${connections} -p ${pipelining}`,
);
say(`# commit ${gitCommit()}; ${JSON.stringify(versions())}`);
// Node runs the production bundle; rebuild it from the current sources.
if (targets.includes("node")) execFileSync("npm", ["run", "--silent", "build:node"], { cwd: ROOT, stdio: "inherit" });
const started = performance.now();
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? targets : [...targets].reverse();
  for (const rt of order) {
    const server = await start(rt);
    try {
      // Warm-up (JIT, connection pools); not measured.
      for (const t of HTTP_TESTS) await autocannon(server.httpPort, t, quick ? 1 : 2);
      for (const t of HTTP_TESTS) {
        const cpu0 = cpuSeconds(server.pid);
        const r = await autocannon(server.httpPort, t, duration);
        const cpu1 = cpuSeconds(server.pid);
        if (r.errors > 0) say(`  warning: ${r.errors} failed requests in ${rt} ${t.name}`);
        const total = r.rps * duration;
        const s = {
          rps: r.rps,
          cmdsPerSec: r.rps * t.commands,
          p50: r.p50,
          p99: r.p99,
          cpuPerM: ((cpu1 - cpu0) / total) * 1e6,
        };
        add(rt, t.name, s);
        say(
          `round ${round + 1} ${rt.padEnd(4)} ${t.name.padEnd(12)} ${Math.round(s.rps).toString().padStart(7)} req/s ` +
            `${Math.round(s.cmdsPerSec).toString().padStart(8)} cmd/s  p50 ${s.p50} ms  p99 ${s.p99} ms  ` +
            `cpu ${s.cpuPerM.toFixed(1)} s/M req`,
        );
      }
      for (const p of [1, 16]) {
        const n = quick ? 50_000 : p === 1 ? 200_000 : 1_000_000;
        const cpu0 = cpuSeconds(server.pid);
        const r = redisBenchmark(server.port, "get", n, ["-P", String(p), "-r", "100000"], CLIENT_CPU);
        const cpu1 = cpuSeconds(server.pid);
        const s = { rps: r.rps, cmdsPerSec: r.rps, p50: r.p50, p99: r.p99, cpuPerM: ((cpu1 - cpu0) / n) * 1e6 };
        add(rt, `resp-get-P${p}`, s);
        say(`round ${round + 1} ${rt.padEnd(4)} resp-get-P${String(p).padEnd(3)} ${Math.round(s.rps)} ops/s`);
      }
    } finally {
      await server.stop();
    }
    await sleep(200);
  }
}

const TESTS = [...HTTP_TESTS.map((t) => t.name), "resp-get-P1", "resp-get-P16"];
const summary: {
  runtime: Runtime;
  test: string;
  rps: number;
  cmdsPerSec: number;
  p50: number;
  p99: number;
  cpuPerM: number;
}[] = [];
for (const test of TESTS) {
  for (const rt of targets) {
    const ss = samples.get(`${rt}|${test}`);
    if (!ss) continue;
    summary.push({
      runtime: rt,
      test,
      rps: median(ss.map((s) => s.rps)),
      cmdsPerSec: median(ss.map((s) => s.cmdsPerSec)),
      p50: median(ss.map((s) => s.p50)),
      p99: median(ss.map((s) => s.p99)),
      cpuPerM: median(ss.map((s) => s.cpuPerM)),
    });
  }
}
say(
  `\n## medians of ${rounds} round(s) (HTTP: autocannon -c ${connections} -p ${pipelining}; ` +
    `RESP: redis-benchmark -c 50 GET)`,
);
const rows = [["test", "runtime", "req/s", "commands/s", "p50 ms", "p99 ms", "cpu s/M req"]];
for (const s of summary) {
  rows.push([
    s.test,
    s.runtime,
    Math.round(s.rps).toString(),
    Math.round(s.cmdsPerSec).toString(),
    s.p50.toFixed(3),
    s.p99.toFixed(3),
    s.cpuPerM.toFixed(1),
  ]);
}
say(table(rows));
const best = (test: string) => Math.max(0, ...summary.filter((s) => s.test === test).map((s) => s.cmdsPerSec));
say(
  `\ntargets: single-command requests/s >= 25,000 (best: ${Math.round(Math.max(best("get"), best("set")))}); ` +
    `pipeline commands/s >= 150,000 (best: ${Math.round(best("pipeline16"))})`,
);
say(`# elapsed ${((performance.now() - started) / 1000).toFixed(0)} s`);
const result = {
  benchmark: "http",
  commit: gitCommit(),
  rounds,
  duration,
  quick,
  versions: versions(),
  results: summary,
};
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
