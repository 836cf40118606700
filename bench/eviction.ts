/**
 * Eviction benchmark: SET throughput at the maxmemory limit under `allkeys-lru`, on each Kite
 * runtime beside redis-server in the same run, against the same servers' throughput without a
 * limit.
 *
 * Each server gets `maxmemory` = its own used_memory at start + 64 MB (Kite's baseline is tens
 * of MB of runtime heap, redis-server's about 1 MB, so an equal absolute limit would measure
 * different data budgets). A first redis-benchmark pass fills it past the limit; the measured
 * pass then runs with every write evicting: `redis-benchmark -t set -d 100 -r 100000000 -P 16
 * -c 50`. The reference pass runs the same load on a fresh server without a limit. Servers are
 * pinned to CPU 1, redis-benchmark to CPU 0.
 *
 * Usage: node --import tsx bench/eviction.ts [--quick] [--targets redis,deno,bun,node]
 *
 * The node target runs the esbuild bundle: `npm run build:node` first.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as net from "node:net";
import os from "node:os";
import process from "node:process";
import {
  commandLine,
  encodeCommand,
  median,
  parseFlags,
  redisBenchmark,
  say,
  startTarget,
  table,
  type Target,
  targetsFrom,
} from "./_lib.ts";

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const rounds = Number(flags.get("rounds") ?? (quick ? 1 : 3));
const targets = targetsFrom(flags);
const HEADROOM = 64 * 1024 * 1024;
const REQUESTS = quick ? 200_000 : 1_000_000;
const LOAD = ["-P", "16", "-d", "100", "-r", "100000000"];

/** Fetches `INFO <section>` as a field map. */
function info(port: number, section: string): Promise<Map<string, string>> {
  const sock = net.createConnection({ port, host: "127.0.0.1" });
  return new Promise<Map<string, string>>((resolve, reject) => {
    let buf = "";
    sock.once("error", reject);
    sock.once("connect", () => sock.write(Buffer.from(encodeCommand(["INFO", section]), "latin1")));
    sock.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      const nl = buf.indexOf("\r\n");
      if (nl < 0) return;
      const len = Number(buf.slice(1, nl));
      if (buf.length < nl + 2 + len + 2) return;
      const out = new Map<string, string>();
      for (const line of buf.slice(nl + 2, nl + 2 + len).split("\r\n")) {
        const i = line.indexOf(":");
        if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
      }
      resolve(out);
    });
  }).finally(() => sock.destroy());
}

interface Row {
  free: number;
  limited: number;
  evicted: number;
  keys: number;
  usedOverMax: number;
}

async function measure(target: Target): Promise<Row> {
  const free = await startTarget(target, { cpu: "1" });
  let freeRps: number;
  try {
    freeRps = redisBenchmark(free.port, "set", REQUESTS, LOAD, "0").rps;
  } finally {
    await free.stop();
  }
  const srv = await startTarget(target, { cpu: "1" });
  try {
    const base = Number((await info(srv.port, "memory")).get("used_memory"));
    const limit = base + HEADROOM;
    await commandLine(srv.port, ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    await commandLine(srv.port, ["CONFIG", "SET", "maxmemory", String(limit)]);
    redisBenchmark(srv.port, "set", REQUESTS, LOAD, "0");
    const limited = redisBenchmark(srv.port, "set", REQUESTS, LOAD, "0").rps;
    const stats = await info(srv.port, "stats");
    const keyspace = await info(srv.port, "keyspace");
    const used = Number((await info(srv.port, "memory")).get("used_memory"));
    const keys = Number(/keys=(\d+)/.exec(keyspace.get("db0") ?? "")?.[1] ?? 0);
    return {
      free: freeRps,
      limited,
      evicted: Number(stats.get("evicted_keys")),
      keys,
      usedOverMax: used / limit,
    };
  } finally {
    await srv.stop();
  }
}

say(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const results = new Map<Target, Row[]>();
for (let r = 0; r < rounds; r++) {
  for (const t of targets) {
    say(`round ${r + 1}/${rounds}: ${t}`);
    const row = await measure(t);
    results.set(t, [...(results.get(t) ?? []), row]);
  }
}

const med = (t: Target, f: (r: Row) => number) => median(results.get(t)!.map(f));
const redisLimited = results.has("redis") ? med("redis", (r) => r.limited) : undefined;
const rows: string[][] = [[
  "target",
  "SET/s no limit",
  "SET/s at limit",
  "at limit / no limit",
  "at limit vs redis",
  "evicted",
  "keys kept",
  "used/maxmemory",
]];
for (const t of targets) {
  const limited = med(t, (r) => r.limited);
  const free = med(t, (r) => r.free);
  rows.push([
    t,
    free.toFixed(0),
    limited.toFixed(0),
    (limited / free).toFixed(2),
    redisLimited === undefined ? "-" : (limited / redisLimited).toFixed(2),
    med(t, (r) => r.evicted).toFixed(0),
    med(t, (r) => r.keys).toFixed(0),
    med(t, (r) => r.usedOverMax).toFixed(2),
  ]);
}
say(table(rows));
say(`SUMMARY_JSON ${JSON.stringify(Object.fromEntries(results))}`);
