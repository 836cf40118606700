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
import { freePort } from "../tests/_helpers/redis_server.ts";

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
        // A file name no run writes, so a stray dump.rdb in the working directory is never loaded.
        "--dbfilename",
        `kite-bench-${process.pid}-unused.rdb`,
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

/** Asks the OS for a free loopback port (the tests' helper, shared). */
export { freePort };

/** A running server process. */
export interface RunningServer {
  readonly target: Target;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to the first PONG. */
  readonly startupMs: number;
  /** Kills the process (SIGKILL unless another signal is given) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Options of {@link startTarget}. */
export interface StartOptions {
  /** CPU list for `taskset -c` (omit to leave the process unpinned). */
  cpu?: string;
  /** How often to poll with PING while waiting, in ms. */
  pollMs?: number;
  /** Extra runtime flags, placed right after the runtime's executable (Node only, e.g. `--cpu-prof`). */
  runtimeFlags?: readonly string[];
}

/**
 * Spawns `target` on a free port and polls PING until it answers PONG.
 * @throws {Error} when the process exits or does not answer within 30 s
 */
export async function startTarget(target: Target, opts: StartOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const cmd = serverCommand(target, port);
  if (opts.runtimeFlags !== undefined) {
    if (target !== "node") throw new RangeError(`Cannot pass runtime flags to ${target}`);
    cmd.splice(1, 0, ...opts.runtimeFlags);
  }
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
  return { target, port, pid: child.pid!, startupMs, stop: (signal) => kill(child, exited, signal) };
}

async function kill(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
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
 * What one redis-benchmark run measures: a built-in test name (`-t set`, `-t lrange_100`) or a
 * custom command line (`["XADD", "mystream", "*", "field", "value"]`), where every
 * `__rand_int__` becomes a fresh 12-digit number below `-r` for each request.
 */
export type BenchWhat = string | readonly string[];

/**
 * Runs redis-benchmark (pinned to `cpu` when given) for one test and parses its CSV output.
 * @param args extra arguments (e.g. `-P 16`)
 * @throws {Error} when redis-benchmark fails or prints no row for the test
 */
export function redisBenchmark(
  port: number,
  what: BenchWhat,
  requests: number,
  args: readonly string[],
  cpu?: string,
): BenchResult {
  const custom = typeof what !== "string";
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
    "-q",
    "--csv",
    ...args,
    ...(custom ? what : ["-t", what]),
  ];
  const argv = cpu !== undefined ? ["taskset", "-c", cpu, ...cmd] : cmd;
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 600_000 });
  const rows = out.trim().split("\n").filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  // A built-in test may print helper rows first (lrange_* prints "LPUSH (needed to benchmark
  // LRANGE)"): pick the row named after the test ("MSET (10 keys)", "LRANGE_100 (first 100 ...)").
  const name = custom ? "" : what.toUpperCase();
  const row = custom || what.includes(",")
    ? rows[0]
    : rows.find((r) => r.startsWith(`"${name}"`) || r.startsWith(`"${name} (`));
  const label = custom ? what.join(" ") : what;
  if (row === undefined) throw new Error(`Cannot parse redis-benchmark output for ${label}: ${out}`);
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  // (a custom command's title may contain commas, so the numbers are taken from the end)
  const f = row.split(",").map((x) => x.replace(/"/g, ""));
  const k = f.length - 8;
  return { test: f.slice(0, k + 1).join(","), rps: Number(f[k + 1]), p50: Number(f[k + 4]), p99: Number(f[k + 6]) };
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

/** Encodes one command as a RESP array of bulk strings (arguments are latin1 byte strings). */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
  return out;
}

/**
 * Sends `count` pipelined commands built by `make(i)` over one connection, at most a few batches
 * in flight, and waits for every reply. Each command must answer with a one-line reply (`+OK`,
 * `:n`), which is how replies are counted.
 * @throws {Error} when a reply is an error (its text is included)
 */
export async function pipelineLoad(
  port: number,
  count: number,
  make: (i: number) => string,
  batch = 1000,
): Promise<void> {
  const sock = net.createConnection({ port, host: "127.0.0.1" });
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", () => resolve());
    sock.once("error", reject);
  });
  let replies = 0;
  let lineStart = true;
  let error: string | undefined;
  let waiter: (() => void) | undefined;
  sock.on("data", (d: Buffer) => {
    for (let i = 0; i < d.length; i++) {
      const b = d[i]!;
      if (lineStart && b === 45 /* '-' */ && error === undefined) {
        const end = d.indexOf(13, i);
        error = d.toString("latin1", i + 1, end < 0 ? d.length : end);
      }
      lineStart = b === 10;
      if (lineStart) replies++;
    }
    waiter?.();
  });
  let closed = false;
  sock.on("close", () => {
    closed = true;
    waiter?.();
  });
  const wait = () => new Promise<void>((resolve) => (waiter = resolve));
  const stuck = () => error !== undefined || closed;
  try {
    let sent = 0;
    while (sent < count && !stuck()) {
      const n = Math.min(batch, count - sent);
      let chunk = "";
      for (let i = 0; i < n; i++) chunk += make(sent + i);
      sock.write(Buffer.from(chunk, "latin1"));
      sent += n;
      // Keep at most a few batches in flight so neither side buffers the whole load.
      while (replies < sent - 4 * batch && !stuck()) await wait();
    }
    while (replies < count && !stuck()) await wait();
    if (error !== undefined) throw new Error(`Load failed: the server answered -${error}`);
    if (replies < count) throw new Error(`Load failed: connection closed after ${replies} of ${count} replies`);
  } finally {
    waiter = undefined;
    sock.destroy();
  }
}

/**
 * Sends one command and returns its reply's first line (enough for `+OK`, `:n` and errors).
 * @throws {Error} when the connection fails
 */
export async function commandLine(port: number, argv: readonly string[]): Promise<string> {
  const sock = net.createConnection({ port, host: "127.0.0.1" });
  try {
    return await new Promise<string>((resolve, reject) => {
      let buf = "";
      sock.once("error", reject);
      sock.once("close", () => reject(new Error(`Connection closed before a reply to ${argv[0]}`)));
      sock.once("connect", () => sock.write(Buffer.from(encodeCommand(argv), "latin1")));
      sock.on("data", (d: Buffer) => {
        buf += d.toString("latin1");
        const end = buf.indexOf("\r\n");
        if (end >= 0) resolve(buf.slice(0, end));
      });
    });
  } finally {
    sock.destroy();
  }
}

/**
 * Sends one command whose reply is an integer (`LLEN`, `ZCARD`...) and returns it.
 * @throws {Error} when the reply is not an integer
 */
export async function commandInt(port: number, argv: readonly string[]): Promise<number> {
  const line = await commandLine(port, argv);
  if (!line.startsWith(":")) throw new Error(`${argv[0]} answered ${line}, not an integer`);
  return Number(line.slice(1));
}

/**
 * A seeded pseudo-random generator (mulberry32) returning floats in [0, 1), so every server
 * gets exactly the same data.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pins this process (all its threads) to `cpu`, so a load generator in the benchmark script does
 * not compete with the server it measures.
 */
export function pinSelf(cpu: string): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpu, String(process.pid)], { stdio: "ignore" });
}
