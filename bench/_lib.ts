/**
 * Shared plumbing for the benchmark scripts: start Kite (on Deno, Bun or Node) or redis-server as
 * a child process pinned to a CPU, wait for its first PONG, read its CPU time and RSS from /proc,
 * run redis-benchmark, and format results. Linux only (taskset, /proc); loopback only.
 *
 * @module
 */
import * as net from "node:net";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import process from "node:process";

/** The servers a benchmark can compare. */
export type Target = "redis" | "deno" | "bun" | "node";

/** Every target, Kite's runtimes first. */
export const ALL_TARGETS: readonly Target[] = ["redis", "deno", "bun", "node"];

const ROOT = new URL("..", import.meta.url).pathname;
const BIN = `${ROOT}node_modules/.bin`;

/** The command line that starts `target` on `port` (without the CPU pinning). */
/**
 * The young generation size Kite is run with (`npm start`, the Dockerfile): V8's default lets
 * the semi-spaces grow to tens of MB of mostly-garbage RSS under pipelined load; 4 MB costs no
 * throughput here and keeps RSS close to the live heap.
 */
export const DENO_V8_FLAGS = "--v8-flags=--max-semi-space-size=4";
/** The same setting for Node. */
export const NODE_V8_FLAG = "--max-semi-space-size=4";

export function serverCommand(target: Target, port: number): string[] {
  switch (target) {
    case "redis":
      return [
        "redis-server",
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--logfile",
        "",
        "--loglevel",
        "warning",
      ];
    case "deno":
      return [`${BIN}/deno`, "run", "-A", DENO_V8_FLAGS, `${ROOT}src/main.ts`, "--port", String(port)];
    case "bun":
      return [`${BIN}/bun`, "run", `${ROOT}src/main.ts`, "--port", String(port)];
    case "node":
      // The production form: the esbuild bundle (`npm run build:node`, built by resp.sh), one
      // process, no TypeScript loading at start-up.
      return ["node", NODE_V8_FLAG, `${ROOT}dist/kite.mjs`, "--port", String(port)];
  }
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A running server process. */
export interface RunningServer {
  readonly target: Target;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to the first PONG. */
  readonly startupMs: number;
  /** Kills the process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startTarget}. */
export interface StartOptions {
  /** CPU list for `taskset -c` (omit to leave the process unpinned). */
  cpu?: string;
  /** How often to poll with PING while waiting, in ms. */
  pollMs?: number;
}

/**
 * Spawns `target` on a free port and polls PING until it answers PONG.
 * @throws {Error} when the process exits or does not answer within 30 s
 */
export async function startTarget(target: Target, opts: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const cmd = serverCommand(target, port);
  const argv = opts.cpu !== undefined ? ["taskset", "-c", opts.cpu, ...cmd] : cmd;
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  const pollMs = opts.pollMs ?? 2;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Cannot start ${target}: it exited (${child.exitCode ?? child.signalCode}): ${output}`);
    }
    if (await pingOnce(port)) break;
    if (Date.now() > deadline) {
      await kill(child, exited);
      throw new Error(`Cannot start ${target}: no PONG within 30 s: ${output}`);
    }
    await sleep(pollMs);
  }
  const startupMs = performance.now() - t0;
  return { target, port, pid: child.pid!, startupMs, stop: () => kill(child, exited) };
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited;
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** One connection attempt: resolves true when the server answers PING with +PONG. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.createConnection({ port, host: "127.0.0.1" });
    let buf = "";
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    sock.once("error", () => done(false));
    sock.once("connect", () => sock.write("PING\r\n"));
    sock.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      if (buf.includes("\r\n")) done(buf.startsWith("+PONG"));
    });
  });
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** User + system CPU seconds a process (all its threads) has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces: fields are counted after its closing ')'.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLK_TCK;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (m === null) throw new Error(`Cannot read VmRSS of process ${pid}`);
  return Number(m[1]) * 1024;
}

/** One redis-benchmark result line. */
export interface BenchResult {
  test: string;
  rps: number;
  p50: number;
  p99: number;
}

/**
 * Runs redis-benchmark (pinned to `cpu` when given) for one test and parses its CSV output.
 * @param args extra arguments (e.g. `-P 16`)
 */
export function redisBenchmark(
  port: number,
  test: string,
  requests: number,
  args: readonly string[],
  cpu?: string,
): BenchResult {
  const cmd = [
    "redis-benchmark",
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-c",
    "50",
    "-n",
    String(requests),
    "-t",
    test,
    "-q",
    "--csv",
    ...args,
  ];
  const argv = cpu !== undefined ? ["taskset", "-c", cpu, ...cmd] : cmd;
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 600_000 });
  const rows = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  const row = rows[0];
  if (row === undefined) throw new Error(`Cannot parse redis-benchmark output for ${test}: ${out}`);
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const f = row.split(",").map((x) => x.replace(/"/g, ""));
  return { test: f[0]!, rps: Number(f[1]), p50: Number(f[4]), p99: Number(f[6]) };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Formats rows as an aligned text table (first row = header). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "))
    .join("\n");
}

/** Parses `--name value` / `--flag` arguments. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith("--")) {
      m.set(a.slice(2), next);
      i++;
    } else {
      m.set(a.slice(2), "true");
    }
  }
  return m;
}

/** The targets chosen with `--targets redis,deno,...` (default: all). */
export function targetsFrom(flags: Map<string, string>): Target[] {
  const list = flags.get("targets")?.split(",") ?? [...ALL_TARGETS];
  for (const t of list) {
    if (!ALL_TARGETS.includes(t as Target)) throw new RangeError(`Cannot benchmark "${t}": unknown target`);
  }
  return list as Target[];
}

/** The git commit the benchmark runs on (with `-dirty` when the tree has changes). */
export function gitCommit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return "unknown";
  }
}

/** Versions of the runtimes and redis, for the record. */
export function versions(): Record<string, string> {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8" }).trim().split("\n")[0]!;
    } catch {
      return "unavailable";
    }
  };
  return {
    node: process.version,
    deno: run(`${BIN}/deno`, ["--version"]),
    bun: run(`${BIN}/bun`, ["--version"]),
    redis: run("redis-server", ["--version"]),
  };
}

/** Writes a line to stdout. */
export function say(line: string): void {
  process.stdout.write(line + "\n");
}

/** Sends `count` pipelined commands built by `make(i)` and waits for every reply (`+OK`-sized). */
export async function pipelineLoad(
  port: number,
  count: number,
  make: (i: number) => string,
  replyBytes: number,
  batch = 1000,
): Promise<void> {
  const sock = net.createConnection({ port, host: "127.0.0.1" });
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", () => resolve());
    sock.once("error", reject);
  });
  let received = 0;
  let waiter: (() => void) | undefined;
  sock.on("data", (d: Buffer) => {
    received += d.length;
    waiter?.();
  });
  let sent = 0;
  while (sent < count) {
    const n = Math.min(batch, count - sent);
    let chunk = "";
    for (let i = 0; i < n; i++) chunk += make(sent + i);
    sock.write(Buffer.from(chunk, "latin1"));
    sent += n;
    // Keep at most a few batches in flight so neither side buffers the whole load.
    while (received < (sent - 4 * batch) * replyBytes) {
      await new Promise<void>((resolve) => (waiter = resolve));
    }
  }
  while (received < count * replyBytes) await new Promise<void>((resolve) => (waiter = resolve));
  waiter = undefined;
  sock.destroy();
}
