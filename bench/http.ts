/**
 * HTTP gateway throughput: Kite on Deno, Bun and Node serving the Upstash REST dialect on each
 * runtime's native server (Deno.serve, Bun.serve, @hono/node-server), on loopback, next to
 *
 * - a reference: the same server adapter (`src/net/<runtime>.ts`) with a handler that only reads
 *   the body and answers a fixed JSON reply with the same two headers, measured in the same
 *   round, so the ratio kite/reference says what the gateway costs over the socket server
 *   whatever the machine's load;
 * - the same process's RESP figures (redis-benchmark GET at -P 1 and -P 16).
 *
 * The server is pinned to CPU 1 and the load generator to CPU 0; every run is bounded by
 * duration; each figure is the median over the rounds. Tests:
 * - `get` / `set`: one command per request, `POST /` with `["GET","bench:k"]` / `["SET",...]`
 * - `pipeline16`: `POST /pipeline` with 8 SETs and 8 GETs; commands/s = requests/s x 16
 * - `reference`: the `get` request against the reference server
 *
 * The load generator (`--generator`):
 * - `kite` (default): the raw-socket HTTP/1.1 client in this file, run under Bun (node with
 *   `--generator-runtime node`): keep-alive connections, one request in flight per connection
 *   (`--pipelining N` keeps N in flight, HTTP/1.1 pipelining), a prepared request, responses
 *   framed by Content-Length, its own CPU time read with process.cpuUsage().
 * - `wrk` (Debian package `wrk`, when installed), as a cross-check.
 * - `autocannon` (npm), the generator of the first figures.
 * On this VM all three cost about 9-10 µs of CPU per request (the socket system calls dominate),
 * so one core drives about 100,000 requests/s, well above the servers' single-request rates.
 * Each run reports the generator's own CPU share (for wrk and autocannon sampled from /proc):
 * near 1.0 the generator, not the server, set the figure, and a warning is printed. When the
 * generator is far from its limit and the reference also runs slowly, other processes held the
 * CPUs: compare server CPU per request and the kite/reference ratio, which load moves less.
 *
 * Besides requests/s it reports the server's CPU seconds per million requests (utime + stime from
 * /proc/<pid>/stat around each run, warm-up requests included in the count).
 *
 * Usage: node --import tsx bench/http.ts [--quick] [--rounds N] [--duration S] [--connections N]
 *        [--pipelining N] [--targets deno,bun,node] [--generator kite|wrk|autocannon]
 *        [--generator-runtime bun|node] [--json out.json]
 *
 * @module
 */
import * as net from "node:net";
import { Buffer } from "node:buffer";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
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
type Generator = "kite" | "wrk" | "autocannon";
const RUNTIMES: readonly Runtime[] = ["deno", "bun", "node"];
const SERVER_CPU = "1";
const CLIENT_CPU = "0";
const TOKEN = "bench-token";
const ROOT = new URL("..", import.meta.url).pathname;
const BIN = `${ROOT}node_modules/.bin`;
const SELF = new URL(import.meta.url).pathname;
/** Seconds of load before each measured run (connections, JIT). */
const WARMUP_S = 2;

/** The reference server's answer: as long as kite's `{"result":"value-0123456789"}`. */
const REFERENCE_BODY = '{"result":"value-0123456789"}';

const flags = parseFlags(process.argv.slice(2));

// ---------------------------------------------------------------------------------------------
// The load generator (`--load`), run as a child process pinned to the client CPU.
// ---------------------------------------------------------------------------------------------

/** What one load run measured. */
interface Load {
  /** Requests/s over the measured window. */
  rps: number;
  /** Median and 99th percentile latency in ms. */
  p50: number;
  p99: number;
  /** Non-2xx answers (and, for external generators, socket errors and timeouts). */
  errors: number;
  /** Requests answered in all, warm-up included (for the server's CPU per request). */
  total: number;
  /** The generator's CPU seconds per second of the measured window (1.0 = a full core). */
  cpu: number;
  /** The first response body, to see what was measured. */
  sample: string;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/**
 * Keeps `connections` keep-alive connections busy with the same request for warm-up + duration
 * seconds and prints one JSON {@link Load} line.
 */
async function loadMain(): Promise<void> {
  // A bug in the response parser must fail the run, not leave it counting nothing.
  process.on("uncaughtException", (e) => {
    process.stderr.write(`load generator: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
  const port = Number(flags.get("port"));
  const host = "127.0.0.1";
  const path = flags.get("path") ?? "/";
  const body = readFileSync(flags.get("body-file")!);
  const conns = Number(flags.get("connections") ?? 50);
  const depth = Math.max(1, Number(flags.get("pipelining") ?? 1));
  const warmup = Number(flags.get("warmup") ?? WARMUP_S);
  const seconds = Number(flags.get("duration") ?? 10);
  const request = Buffer.concat([
    Buffer.from(
      `POST ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\nauthorization: Bearer ${TOKEN}\r\n` +
        `content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      "latin1",
    ),
    body,
  ]);
  // The requests of one window go out in one write when pipelining.
  const burst = Buffer.concat(new Array<Buffer>(depth).fill(request));
  // Latency histogram: 10 µs buckets up to 1 s.
  const hist = new Uint32Array(100_000);
  let measuring = false;
  let measured = 0;
  let total = 0;
  let errors = 0;
  let sample = "";
  let failure: string | undefined;
  const sockets: net.Socket[] = [];
  let stopping = false;

  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const sock = net.createConnection({ port, host, noDelay: true });
      const sent: number[] = [];
      let pending: Buffer | undefined;
      // Body bytes still to skip; -1 while reading a head.
      let need = -1;
      let status = 0;
      sock.once("connect", () => {
        resolve();
        for (let i = 0; i < depth; i++) sent.push(performance.now());
        sock.write(burst);
      });
      sock.once("error", (e) => {
        failure ??= `connection error: ${e.message}`;
        reject(e);
      });
      sock.on("close", () => {
        if (!stopping) failure ??= "the server closed a connection";
      });
      sock.on("data", (chunk: Buffer) => {
        const b = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
        pending = undefined;
        let off = 0;
        let answered = 0;
        while (off < b.length) {
          if (need < 0) {
            const end = b.indexOf(CRLFCRLF, off);
            if (end < 0) {
              pending = b.subarray(off);
              break;
            }
            const head = b.toString("latin1", off, end);
            status = Number(head.slice(9, 12));
            const m = CONTENT_LENGTH.exec(head);
            if (m === null) {
              failure ??= `unsupported response framing (no Content-Length): ${head}`;
              sock.destroy();
              return;
            }
            need = Number(m[1]);
            off = end + 4;
          }
          const take = Math.min(need, b.length - off);
          if (sample === "" && take === need) sample = b.toString("utf8", off, off + take);
          need -= take;
          off += take;
          if (need > 0) break;
          need = -1;
          total++;
          answered++;
          if (status < 200 || status > 299) errors++;
          const t0 = sent.shift()!;
          if (measuring) {
            measured++;
            hist[Math.min(Math.floor((performance.now() - t0) * 100), hist.length - 1)]!++;
          }
        }
        if (answered > 0 && !stopping) {
          const now = performance.now();
          for (let i = 0; i < answered; i++) sent.push(now);
          sock.write(answered === depth ? burst : Buffer.concat(new Array<Buffer>(answered).fill(request)));
        }
      });
      sockets.push(sock);
    });

  await Promise.all(Array.from({ length: conns }, open));
  await sleep(warmup * 1000);
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  measuring = false;
  stopping = true;
  for (const s of sockets) s.destroy();
  if (failure !== undefined) {
    process.stderr.write(`load generator: ${failure}\n`);
    process.exit(1);
  }
  const pct = (p: number) => {
    let acc = 0;
    for (let i = 0; i < hist.length; i++) {
      acc += hist[i]!;
      if (acc >= measured * p) return i / 100;
    }
    return hist.length / 100;
  };
  const load: Load = {
    rps: measured / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    errors,
    total,
    cpu: (cpu.user + cpu.system) / 1e6 / elapsed,
    sample: sample.slice(0, 200),
  };
  process.stdout.write(JSON.stringify(load) + "\n");
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The reference server (`--reference`): the runtime's own adapter with a trivial handler.
// ---------------------------------------------------------------------------------------------

async function referenceMain(): Promise<void> {
  const { selectAdapter } = await import("../src/net/select.ts");
  const adapter = await selectAdapter();
  const headers = { "content-type": "application/json", "upstash-sync-token": "0123456789ab-1" };
  await adapter.serveHttp({ port: Number(flags.get("port")), hostname: "127.0.0.1" }, async (req) => {
    await req.text();
    return new Response(REFERENCE_BODY, { status: 200, headers });
  });
  process.stdout.write(`reference ready on ${adapter.runtime}\n`);
}

// ---------------------------------------------------------------------------------------------
// The benchmark driver.
// ---------------------------------------------------------------------------------------------

async function benchMain(): Promise<void> {
  const quick = flags.has("quick");
  const rounds = Number(flags.get("rounds") ?? (quick ? 1 : 3));
  const duration = Number(flags.get("duration") ?? (quick ? 3 : 10));
  const pipelining = Number(flags.get("pipelining") ?? 1);
  const connections = Number(flags.get("connections") ?? 50);
  const targets = (flags.get("targets")?.split(",") ?? [...RUNTIMES]) as Runtime[];
  for (const t of targets) if (!RUNTIMES.includes(t)) throw new RangeError(`Cannot benchmark "${t}": unknown runtime`);
  const generator = (flags.get("generator") ?? "kite") as Generator;
  if (!["kite", "wrk", "autocannon"].includes(generator)) {
    throw new RangeError(`Cannot use generator "${generator}": use kite, wrk or autocannon`);
  }
  const genRuntime = flags.get("generator-runtime") ?? "bun";
  if (genRuntime !== "bun" && genRuntime !== "node") {
    throw new RangeError(`Cannot run the generator on "${genRuntime}": use bun or node`);
  }
  if (generator === "wrk" && !onPath("wrk")) throw new Error("Cannot use wrk: not installed (apt-get install wrk)");

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
  const GET: HttpTest = { name: "get", path: "/", body: JSON.stringify(["GET", "bench:k"]), commands: 1 };
  const HTTP_TESTS: HttpTest[] = [
    GET,
    { name: "set", path: "/", body: JSON.stringify(["SET", "bench:k", "value-0123456789"]), commands: 1 },
    { name: "pipeline16", path: "/pipeline", body: JSON.stringify(PIPELINE), commands: 16 },
  ];

  const tmp = mkdtempSync(join(tmpdir(), "kite-http-bench-"));
  process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
  const bodyFile = (test: HttpTest): string => {
    const path = join(tmp, `${test.name}.json`);
    writeFileSync(path, test.body);
    return path;
  };

  /** A server child pinned to the server CPU. */
  interface Running {
    pid: number;
    port: number;
    httpPort: number;
    stop(): Promise<void>;
  }

  const spawnServer = async (rt: Runtime, argv: string[], ready: RegExp, port: number, httpPort: number) => {
    const child: ChildProcess = spawn("taskset", ["-c", SERVER_CPU, ...argv], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (d) => (out = (out + String(d)).slice(-4000)));
    child.stderr?.on("data", (d) => (out = (out + String(d)).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + 30_000;
    while (!ready.test(out)) {
      if (child.exitCode !== null) throw new Error(`Cannot start ${rt}: ${out}`);
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`Cannot start ${rt}: no ready line within 30 s: ${out}`);
      }
      await sleep(10);
    }
    const running: Running = {
      pid: child.pid!,
      port,
      httpPort,
      stop: async () => {
        if (child.exitCode === null) child.kill("SIGKILL");
        await exited;
      },
    };
    return running;
  };

  const startKite = async (rt: Runtime): Promise<Running> => {
    const port = await freePort();
    const httpPort = await freePort();
    const args = ["--port", String(port), "--http-port", String(httpPort), "--http-token", TOKEN];
    const argv = rt === "deno"
      ? [`${BIN}/deno`, "run", "-A", DENO_V8_FLAGS, `${ROOT}src/main.ts`, ...args]
      : rt === "bun"
      ? [`${BIN}/bun`, "run", `${ROOT}src/main.ts`, ...args]
      : ["node", NODE_V8_FLAG, `${ROOT}dist/kite.mjs`, ...args];
    return await spawnServer(rt, argv, /ready to accept connections/, port, httpPort);
  };

  const startReference = async (rt: Runtime): Promise<Running> => {
    const httpPort = await freePort();
    const args = ["--reference", "--port", String(httpPort)];
    const argv = rt === "deno"
      ? [`${BIN}/deno`, "run", "-A", DENO_V8_FLAGS, SELF, ...args]
      : rt === "bun"
      ? [`${BIN}/bun`, "run", SELF, ...args]
      : ["node", NODE_V8_FLAG, "--import", "tsx", SELF, ...args];
    return await spawnServer(rt, argv, /reference ready/, 0, httpPort);
  };

  /** Runs the chosen generator pinned to the client CPU: warm-up, then `seconds` measured. */
  const load = (httpPort: number, test: HttpTest, seconds: number): Promise<Load> => {
    switch (generator) {
      case "kite":
        return kiteLoad(httpPort, test, seconds);
      case "wrk":
        return wrkLoad(httpPort, test, seconds);
      case "autocannon":
        return autocannonLoad(httpPort, test, seconds);
    }
  };

  const kiteLoad = (httpPort: number, test: HttpTest, seconds: number): Promise<Load> => {
    const rtArgv = genRuntime === "bun" ? [`${BIN}/bun`, "run", SELF] : ["node", "--import", "tsx", SELF];
    const args = [
      "-c",
      CLIENT_CPU,
      ...rtArgv,
      "--load",
      "--port",
      String(httpPort),
      "--path",
      test.path,
      "--body-file",
      bodyFile(test),
      "--connections",
      String(connections),
      "--pipelining",
      String(pipelining),
      "--warmup",
      String(WARMUP_S),
      "--duration",
      String(seconds),
    ];
    return new Promise((resolve, reject) => {
      execFile("taskset", args, { cwd: ROOT, timeout: (seconds + 60) * 1000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`load generator failed: ${stderr || err.message}`));
        resolve(JSON.parse(stdout.trim().split("\n").pop()!) as Load);
      });
    });
  };

  /** CPU share of an external generator: /proc samples while it runs (it is gone at the end). */
  const watchCpu = (pid: number, startAfterS: number) => {
    let first: [number, number] | undefined;
    let last: [number, number] | undefined;
    const timer = setInterval(() => {
      try {
        const sample: [number, number] = [performance.now(), cpuSeconds(pid)];
        if (sample[0] - started >= startAfterS * 1000) {
          first ??= sample;
          last = sample;
        }
      } catch { /* exited */ }
    }, 200);
    const started = performance.now();
    return () => {
      clearInterval(timer);
      return first && last && last[0] > first[0] ? (last[1] - first[1]) / ((last[0] - first[0]) / 1000) : NaN;
    };
  };

  const wrkLoad = (httpPort: number, test: HttpTest, seconds: number): Promise<Load> => {
    const script = join(tmp, `${test.name}.lua`);
    writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = ${JSON.stringify(test.body)}\n` +
        `wrk.headers["authorization"] = "Bearer ${TOKEN}"\nwrk.headers["content-type"] = "application/json"\n`,
    );
    // wrk has no warm-up phase: the warm-up is a run of its own, unmeasured.
    const run = (s: number) =>
      new Promise<{ out: string; cpu: number }>((resolve, reject) => {
        const child = execFile(
          "taskset",
          [
            "-c",
            CLIENT_CPU,
            "wrk",
            "-t1",
            `-c${connections}`,
            `-d${s}s`,
            "--latency",
            "-s",
            script,
            `http://127.0.0.1:${httpPort}${test.path}`,
          ],
          { timeout: (s + 60) * 1000 },
          (err, stdout) => (err ? reject(err) : resolve({ out: stdout, cpu: stopCpu() })),
        );
        const stopCpu = watchCpu(child.pid!, 0.5);
      });
    return run(WARMUP_S).then(async (w) => {
      const { out, cpu } = await run(seconds);
      const num = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? NaN);
      const ms = (re: RegExp) => {
        const m = re.exec(out);
        if (m === null) return NaN;
        const v = Number(m[1]);
        return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
      };
      const requests = num(/(\d+) requests in/, out);
      return {
        rps: num(/Requests\/sec:\s+([\d.]+)/, out),
        p50: ms(/50%\s+([\d.]+)(us|ms|s)/),
        p99: ms(/99%\s+([\d.]+)(us|ms|s)/),
        errors: num(/Non-2xx or 3xx responses: (\d+)/, out) || 0,
        total: requests + num(/(\d+) requests in/, w.out),
        cpu,
        sample: "",
      };
    });
  };

  const autocannonLoad = (httpPort: number, test: HttpTest, seconds: number): Promise<Load> => {
    const run = (s: number) =>
      new Promise<{ r: Record<string, unknown>; cpu: number }>((resolve, reject) => {
        const child = execFile(
          "taskset",
          [
            "-c",
            CLIENT_CPU,
            "node",
            `${ROOT}node_modules/autocannon/autocannon.js`,
            "-c",
            String(connections),
            "-p",
            String(pipelining),
            "-d",
            String(s),
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
          ],
          { maxBuffer: 64 * 1024 * 1024, timeout: (s + 60) * 1000 },
          (err, stdout) => (err ? reject(err) : resolve({ r: JSON.parse(stdout), cpu: stopCpu() })),
        );
        const stopCpu = watchCpu(child.pid!, 1);
      });
    return run(WARMUP_S).then(async (w) => {
      const { r, cpu } = await run(seconds);
      const a = r as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        errors: number;
        non2xx: number;
        timeouts: number;
      };
      return {
        rps: a.requests.average,
        p50: a.latency.p50,
        p99: a.latency.p99,
        errors: a.errors + a.non2xx + a.timeouts,
        total: a.requests.total + (w.r as { requests: { total: number } }).requests.total,
        cpu,
        sample: "",
      };
    });
  };

  interface Sample {
    rps: number;
    cmdsPerSec: number;
    p50: number;
    p99: number;
    cpuPerM: number;
    genCpu: number;
  }
  const samples = new Map<string, Sample[]>();
  const add = (rt: Runtime, test: string, s: Sample) => {
    const k = `${rt}|${test}`;
    samples.set(k, [...(samples.get(k) ?? []), s]);
  };
  const fmtLoad = () => loadavg().map((x) => x.toFixed(2)).join(" ");

  /** Measures one HTTP test against a running server and records it. */
  const measure = async (round: number, rt: Runtime, server: Running, test: HttpTest, label = test.name) => {
    const cpu0 = cpuSeconds(server.pid);
    const r = await load(server.httpPort, test, duration);
    const cpu1 = cpuSeconds(server.pid);
    if (r.errors > 0) say(`  warning: ${r.errors} non-2xx answers in ${rt} ${label}: ${r.sample}`);
    if (r.cpu > 0.9) {
      say(`  warning: the generator used ${r.cpu.toFixed(2)} of its CPU: ${rt} ${label} is a lower bound`);
    }
    if (round === 0 && r.sample !== "") say(`  ${rt} ${label} answers ${r.sample.slice(0, 100)}`);
    const s: Sample = {
      rps: r.rps,
      cmdsPerSec: r.rps * test.commands,
      p50: r.p50,
      p99: r.p99,
      cpuPerM: ((cpu1 - cpu0) / r.total) * 1e6,
      genCpu: r.cpu,
    };
    add(rt, label, s);
    say(
      `round ${round + 1} ${rt.padEnd(4)} ${label.padEnd(12)} ${Math.round(s.rps).toString().padStart(7)} req/s ` +
        `${Math.round(s.cmdsPerSec).toString().padStart(8)} cmd/s  p50 ${s.p50.toFixed(2)} ms  p99 ${
          s.p99.toFixed(2)
        } ms  server cpu ${s.cpuPerM.toFixed(1)} s/M req  generator cpu ${s.genCpu.toFixed(2)}  (load ${fmtLoad()})`,
    );
  };

  const loadBefore = fmtLoad();
  say(
    `# HTTP gateway: ${rounds} round(s) of ${duration} s per test (after ${WARMUP_S} s of warm-up), runtimes ` +
      `${targets.join(", ")}, generator ${generator}${
        generator === "kite" ? ` on ${genRuntime}` : ""
      }, ${connections} connections, ${pipelining} request(s) in flight per connection`,
  );
  say(`# commit ${gitCommit()}; ${JSON.stringify(versions())}; load average ${loadBefore}`);
  // Node runs the production bundle; rebuild it from the current sources.
  if (targets.includes("node")) {
    execFileSync("npm", ["run", "--silent", "build:node"], { cwd: ROOT, stdio: "inherit" });
  }
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const rt of order) {
      const server = await startKite(rt);
      try {
        for (const t of HTTP_TESTS) await measure(round, rt, server, t);
        for (const p of [1, 16]) {
          const n = quick ? 50_000 : p === 1 ? 200_000 : 1_000_000;
          const cpu0 = cpuSeconds(server.pid);
          const r = redisBenchmark(server.port, "get", n, ["-P", String(p), "-r", "100000"], CLIENT_CPU);
          const cpu1 = cpuSeconds(server.pid);
          const s = {
            rps: r.rps,
            cmdsPerSec: r.rps,
            p50: r.p50,
            p99: r.p99,
            cpuPerM: ((cpu1 - cpu0) / n) * 1e6,
            genCpu: NaN,
          };
          add(rt, `resp-get-P${p}`, s);
          say(`round ${round + 1} ${rt.padEnd(4)} resp-get-P${String(p).padEnd(3)} ${Math.round(s.rps)} ops/s`);
        }
      } finally {
        await server.stop();
      }
      const ref = await startReference(rt);
      try {
        await measure(round, rt, ref, GET, "reference");
      } finally {
        await ref.stop();
      }
      await sleep(200);
    }
  }

  const TESTS = [...HTTP_TESTS.map((t) => t.name), "reference", "resp-get-P1", "resp-get-P16"];
  const summary: ({ runtime: Runtime; test: string; ofReference: number } & Sample)[] = [];
  for (const test of TESTS) {
    for (const rt of targets) {
      const ss = samples.get(`${rt}|${test}`);
      if (!ss) continue;
      const ref = samples.get(`${rt}|reference`);
      const rps = median(ss.map((s) => s.rps));
      summary.push({
        runtime: rt,
        test,
        rps,
        cmdsPerSec: median(ss.map((s) => s.cmdsPerSec)),
        p50: median(ss.map((s) => s.p50)),
        p99: median(ss.map((s) => s.p99)),
        cpuPerM: median(ss.map((s) => s.cpuPerM)),
        genCpu: median(ss.map((s) => s.genCpu)),
        ofReference: test.startsWith("resp") || ref === undefined ? NaN : rps / median(ref.map((s) => s.rps)),
      });
    }
  }
  say(
    `\n## medians of ${rounds} round(s) (HTTP: ${generator}, ${connections} connections, ${pipelining} in flight ` +
      `each; RESP: redis-benchmark -c 50 GET)`,
  );
  const rows = [[
    "test",
    "runtime",
    "req/s",
    "commands/s",
    "x reference",
    "p50 ms",
    "p99 ms",
    "server cpu s/M req",
    "generator cpu",
  ]];
  for (const s of summary) {
    rows.push([
      s.test,
      s.runtime,
      Math.round(s.rps).toString(),
      Math.round(s.cmdsPerSec).toString(),
      Number.isNaN(s.ofReference) ? "" : s.ofReference.toFixed(2),
      s.p50.toFixed(3),
      s.p99.toFixed(3),
      s.cpuPerM.toFixed(1),
      Number.isNaN(s.genCpu) ? "" : s.genCpu.toFixed(2),
    ]);
  }
  say(table(rows));
  const best = (test: string) => Math.max(0, ...summary.filter((s) => s.test === test).map((s) => s.cmdsPerSec));
  say(
    `\ntargets: single-command requests/s >= 25,000 (best: ${Math.round(Math.max(best("get"), best("set")))}); ` +
      `pipeline commands/s >= 150,000 (best: ${Math.round(best("pipeline16"))})`,
  );
  const loadAfter = fmtLoad();
  say(`# elapsed ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadBefore} -> ${loadAfter}`);
  const result = {
    benchmark: "http",
    commit: gitCommit(),
    rounds,
    duration,
    quick,
    generator,
    connections,
    pipelining,
    load: { before: loadBefore, after: loadAfter },
    versions: versions(),
    results: summary,
  };
  const out = flags.get("json");
  if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
}

/** Whether an executable is on the PATH. */
function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(":").some((d) => d !== "" && existsSync(join(d, cmd)));
}

// Last, so every constant above is initialized before any mode runs.
if (flags.has("load")) await loadMain();
else if (flags.has("reference")) await referenceMain();
else await benchMain();
