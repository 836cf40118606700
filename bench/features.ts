/**
 * Feature benchmark: PUBLISH fan-out, EVALSHA of a 3-command script and MULTI/EXEC of 10 SETs on
 * each Kite runtime beside redis-server in the same run (servers alternate within each round;
 * medians of 3 rounds, 1 with --quick). The server is pinned to CPU 1; the load generators are
 * redis-benchmark (`taskset -c 0`) and, for pub/sub and MULTI, raw node:net RESP clients running
 * in this process, which pins itself to CPU 0.
 *
 * - pubsub: 100 subscribers on one channel, 1 publisher sending N messages (PUBLISH pipelined in
 *   batches of 100); rate = 100 x N deliveries / wall time until every subscriber has them all.
 * - evalsha P1 / P16: `redis-benchmark -c 50 -r 10000 EVALSHA <sha> 2 k:__rand_int__ c:__rand_int__ v`.
 * - multi: 50 connections, each looping MULTI + 10 SETs + EXEC (one write) and waiting for its
 *   22 reply lines; rate = transactions/s.
 *
 * Usage: node --import tsx bench/features.ts [--quick] [--targets redis,deno,bun,node] [--json out.json]
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import * as net from "node:net";
import process from "node:process";
import {
  encodeCommand,
  gitCommit,
  median,
  parseFlags,
  pinSelf,
  pipelineLoad,
  redisBenchmark,
  say,
  sleep,
  startTarget,
  table,
  type Target,
  targetsFrom,
  versions,
} from "./_lib.ts";

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const rounds = Number(flags.get("rounds") ?? (quick ? 1 : 3));
const targets = targetsFrom(flags);

const SUBSCRIBERS = 100;
const PUB_MESSAGES = quick ? 5_000 : 50_000;
const PUB_WARMUP = quick ? 2_000 : 10_000;
const PUB_BATCH = 100;
const EVAL_REQUESTS = quick ? 30_000 : 100_000;
const MULTI_CONNS = 50;
const MULTI_TX = quick ? 5_000 : 20_000;
const MULTI_SETS = 10;
/** Every phase is abandoned (and the run fails) after this long. */
const PHASE_TIMEOUT_MS = 60_000;

const SCRIPT = "redis.call('SET',KEYS[1],ARGV[1]); redis.call('INCR',KEYS[2]); return redis.call('GET',KEYS[1])";
const CHANNEL = "kite:bench:fanout";
/** Fixed-size payloads, so every delivered message has the same byte count. */
const PAYLOAD_LEN = 16;
/** The RESP2 reply to SUBSCRIBE of one channel on a fresh connection. */
const CONFIRM = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`;

type Workload = "pubsub" | "evalsha_p1" | "evalsha_p16" | "multi";
const WORKLOADS: readonly Workload[] = ["pubsub", "evalsha_p1", "evalsha_p16", "multi"];
const UNIT: Record<Workload, string> = {
  pubsub: "msgs/s",
  evalsha_p1: "ops/s",
  evalsha_p16: "ops/s",
  multi: "tx/s",
};
/** The ratio to redis-server the fastest Kite runtime should reach. */
const TARGET_RATIO: Record<Workload, number | null> = {
  pubsub: 0.5,
  evalsha_p1: 0.3,
  evalsha_p16: 0.3,
  multi: null,
};

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ port, host: "127.0.0.1" });
    sock.setNoDelay(true);
    sock.once("connect", () => resolve(sock));
    sock.once("error", reject);
  });
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${PHASE_TIMEOUT_MS} ms`)),
      PHASE_TIMEOUT_MS,
    );
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Sends one command and returns its reply as a string (simple, error, integer or bulk). */
async function command(port: number, argv: readonly string[]): Promise<string> {
  const sock = await connect(port);
  try {
    return await withTimeout(
      new Promise<string>((resolve, reject) => {
        let buf = "";
        sock.once("close", () => reject(new Error(`Connection closed before a reply to ${argv[0]}`)));
        sock.on("data", (d: Buffer) => {
          buf += d.toString("latin1");
          const end = buf.indexOf("\r\n");
          if (end < 0) return;
          if (buf[0] !== "$") return resolve(buf.slice(0, end));
          const len = Number(buf.slice(1, end));
          if (len < 0) return resolve("(nil)");
          if (buf.length >= end + 2 + len + 2) resolve(buf.slice(end + 2, end + 2 + len));
        });
        sock.write(Buffer.from(encodeCommand(argv), "latin1"));
      }),
      argv[0]!,
    );
  } finally {
    sock.destroy();
  }
}

/**
 * 100 subscribers, 1 publisher: returns deliveries per second in the steady state. A warm-up
 * of PUB_WARMUP messages goes through first, unmeasured, so a JIT-compiled server is timed
 * after compilation as redis-server is (a fresh process per round would otherwise charge its
 * compile time to a phase of a few hundred milliseconds).
 */
async function pubsub(port: number): Promise<number> {
  const message = encodeCommand(["message", CHANNEL, "x".repeat(PAYLOAD_LEN)]);
  const subs: net.Socket[] = [];
  try {
    // Bytes every subscriber must have received before `onReached` fires.
    let target = 0;
    let reached = 0;
    let onReached: (() => void) | undefined;
    let failure: Error | undefined;
    const received: number[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const sock = await connect(port);
      subs.push(sock);
      received.push(0);
      let confirmed = false;
      let pending = "";
      ready.push(
        new Promise<void>((resolve, reject) => {
          sock.on("close", () => {
            if (received[i]! < target) {
              failure = new Error(`Subscriber ${i} disconnected after ${received[i]} of ${target} bytes`);
              reject(failure);
              onReached?.();
            }
          });
          sock.on("data", (d: Buffer) => {
            const before = received[i]!;
            if (!confirmed) {
              pending += d.toString("latin1");
              if (pending.length < CONFIRM.length) {
                if (!CONFIRM.startsWith(pending)) reject(new Error(`SUBSCRIBE answered ${pending}`));
                return;
              }
              if (!pending.startsWith(CONFIRM)) return reject(new Error(`SUBSCRIBE answered ${pending}`));
              confirmed = true;
              received[i] = pending.length - CONFIRM.length;
              pending = "";
              resolve();
            } else {
              received[i] = before + d.length;
            }
            if (target > 0 && before < target && received[i]! >= target && ++reached === SUBSCRIBERS) onReached?.();
          });
        }),
      );
      sock.write(Buffer.from(encodeCommand(["SUBSCRIBE", CHANNEL]), "latin1"));
    }
    await withTimeout(Promise.all(ready), "SUBSCRIBE");
    const payload = (i: number) => String(i).padStart(PAYLOAD_LEN, "0");
    /** Publishes `count` messages and waits until every subscriber has all of them. */
    const publish = async (count: number) => {
      reached = 0;
      target += count * message.length;
      const done = new Promise<void>((resolve) => (onReached = resolve));
      await withTimeout(
        pipelineLoad(port, count, (i) => encodeCommand(["PUBLISH", CHANNEL, payload(i)]), PUB_BATCH),
        "PUBLISH",
      );
      await withTimeout(done, "fan-out delivery");
      if (failure !== undefined) throw failure;
    };
    await publish(PUB_WARMUP);
    const t0 = performance.now();
    await publish(PUB_MESSAGES);
    return (SUBSCRIBERS * PUB_MESSAGES) / ((performance.now() - t0) / 1000);
  } finally {
    for (const s of subs) s.destroy();
  }
}

/** SCRIPT LOADs the script, checks one EVALSHA, then runs redis-benchmark with `-P pipeline`. */
async function evalsha(port: number, pipeline: number): Promise<number> {
  const sha = await command(port, ["SCRIPT", "LOAD", SCRIPT]);
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`SCRIPT LOAD answered ${sha}`);
  const check = await command(port, ["EVALSHA", sha, "2", "k:check", "c:check", "v"]);
  if (check !== "v") throw new Error(`EVALSHA answered ${check}, not v`);
  const r = redisBenchmark(
    port,
    ["EVALSHA", sha, "2", "k:__rand_int__", "c:__rand_int__", "v"],
    EVAL_REQUESTS,
    ["-P", String(pipeline), "-r", "10000"],
    "0",
  );
  return r.rps;
}

/** 50 connections looping MULTI, 10 SETs, EXEC: returns transactions per second. */
async function multi(port: number): Promise<number> {
  const linesPerTx = 1 + MULTI_SETS + 1 + MULTI_SETS; // +OK, +QUEUED x10, *10, +OK x10
  const socks = await Promise.all(Array.from({ length: MULTI_CONNS }, () => connect(port)));
  try {
    let started = 0;
    const next = (): Buffer | undefined => {
      if (started >= MULTI_TX) return undefined;
      const tx = started++;
      let out = encodeCommand(["MULTI"]);
      for (let j = 0; j < MULTI_SETS; j++) out += encodeCommand(["SET", `m:${(tx * MULTI_SETS + j) % 10_000}`, "v"]);
      return Buffer.from(out + encodeCommand(["EXEC"]), "latin1");
    };
    const t0 = performance.now();
    await withTimeout(
      Promise.all(socks.map((sock) =>
        new Promise<void>((resolve, reject) => {
          let lines = 0;
          let lineStart = true;
          sock.on("close", () => reject(new Error("MULTI connection closed")));
          sock.on("data", (d: Buffer) => {
            for (let i = 0; i < d.length; i++) {
              const b = d[i]!;
              if (lineStart && b === 45 /* '-' */) {
                const end = d.indexOf(13, i);
                return reject(new Error(`MULTI load: -${d.toString("latin1", i + 1, end < 0 ? d.length : end)}`));
              }
              lineStart = b === 10;
              if (lineStart) lines++;
            }
            if (lines > linesPerTx) reject(new Error(`MULTI load: ${lines} reply lines for one transaction`));
            if (lines < linesPerTx) return;
            lines = 0;
            const chunk = next();
            if (chunk === undefined) resolve();
            else sock.write(chunk);
          });
          const first = next();
          if (first === undefined) resolve();
          else sock.write(first);
        })
      )),
      "MULTI/EXEC",
    );
    return MULTI_TX / ((performance.now() - t0) / 1000);
  } finally {
    for (const s of socks) s.destroy();
  }
}

pinSelf("0");
say(
  `# features: pubsub (${SUBSCRIBERS} subs x ${PUB_MESSAGES} msgs), EVALSHA (-n ${EVAL_REQUESTS}), ` +
    `MULTI/EXEC (${MULTI_CONNS} conns, ${MULTI_TX} tx of ${MULTI_SETS} SETs); ${rounds} round(s); commit ${gitCommit()}`,
);
const samples = new Map<string, number[]>();
const add = (t: Target, w: Workload, v: number) => samples.set(`${t}/${w}`, [...(samples.get(`${t}/${w}`) ?? []), v]);
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round, so no server always runs first (or right after another).
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
  for (const target of order) {
    const server = await startTarget(target, { cpu: "1" });
    try {
      const r: Record<Workload, number> = {
        pubsub: await pubsub(server.port),
        evalsha_p1: await evalsha(server.port, 1),
        evalsha_p16: await evalsha(server.port, 16),
        multi: await multi(server.port),
      };
      for (const w of WORKLOADS) add(target, w, r[w]);
      say(
        `round ${round + 1} ${target.padEnd(5)} ` + WORKLOADS.map((w) => `${w} ${Math.round(r[w])}`).join("  "),
      );
    } finally {
      await server.stop();
    }
    await sleep(200);
  }
}

const med = (t: Target, w: Workload) => median(samples.get(`${t}/${w}`)!);
const hasRedis = targets.includes("redis");
const results = targets.map((t) => ({
  target: t,
  ...Object.fromEntries(WORKLOADS.map((w) => [w, Math.round(med(t, w))])),
  ratios: hasRedis ? Object.fromEntries(WORKLOADS.map((w) => [w, +(med(t, w) / med("redis", w)).toFixed(3)])) : null,
  samples: Object.fromEntries(WORKLOADS.map((w) => [w, samples.get(`${t}/${w}`)!.map(Math.round)])),
}));
const tbl: string[][] = [["server", ...WORKLOADS.map((w) => `${w} ${UNIT[w]}`), ...(hasRedis ? ["ratios"] : [])]];
for (const t of targets) {
  tbl.push([
    t,
    ...WORKLOADS.map((w) => Math.round(med(t, w)).toLocaleString("en-US")),
    ...(hasRedis ? [WORKLOADS.map((w) => (med(t, w) / med("redis", w)).toFixed(2)).join(" / ")] : []),
  ]);
}
say("\n" + table(tbl));

const kite = targets.filter((t) => t !== "redis");
const goals = hasRedis && kite.length > 0
  ? Object.fromEntries(WORKLOADS.map((w) => {
    const best = kite.reduce((a, b) => (med(b, w) > med(a, w) ? b : a));
    const ratio = med(best, w) / med("redis", w);
    const goal = TARGET_RATIO[w];
    say(
      `${w}: fastest runtime ${best} at ${ratio.toFixed(2)}x redis` +
        (goal === null ? "" : ` (target >= ${goal}x: ${ratio >= goal ? "met" : "NOT met"})`),
    );
    return [w, { runtime: best, ratio: +ratio.toFixed(3), target: goal, met: goal === null ? null : ratio >= goal }];
  }))
  : null;

const result = {
  benchmark: "features",
  commit: gitCommit(),
  rounds,
  quick,
  params: {
    subscribers: SUBSCRIBERS,
    pubMessages: PUB_MESSAGES,
    pubWarmup: PUB_WARMUP,
    pubBatch: PUB_BATCH,
    evalRequests: EVAL_REQUESTS,
    evalClients: 50,
    multiConns: MULTI_CONNS,
    multiTx: MULTI_TX,
    multiSets: MULTI_SETS,
    serverCpu: "1",
    loadCpu: "0 (redis-benchmark via taskset; pub/sub and MULTI clients in this Node process, pinned)",
  },
  versions: versions(),
  results,
  goals,
};
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
