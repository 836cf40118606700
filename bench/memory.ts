/**
 * Memory benchmark: RSS of each server after loading 1,000,000 distinct keys (`key:<i>`) with
 * 32-byte values, pipelined over one raw socket. Reports RSS before and after, and bytes per key
 * ((after - before) / keys).
 *
 * Usage: node --import tsx bench/memory.ts [--quick] [--keys N] [--targets redis,deno,bun,node]
 *        [--json out.json]
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import {
  gitCommit,
  parseFlags,
  pipelineLoad,
  rssBytes,
  say,
  sleep,
  startTarget,
  table,
  targetsFrom,
  versions,
} from "./_lib.ts";

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const keys = Number(flags.get("keys") ?? (quick ? 100_000 : 1_000_000));
const targets = targetsFrom(flags);

/** `SET key:<i> <32 bytes>`; the value differs per key so no runtime can share it. */
function setCommand(i: number): string {
  const key = `key:${i}`;
  const value = String(i).padStart(32, "v");
  return `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$32\r\n${value}\r\n`;
}

interface Row {
  target: string;
  keys: number;
  rssBefore: number;
  rssAfter: number;
  bytesPerKey: number;
  loadSeconds: number;
}

say(`# memory: ${keys} keys with 32-byte values; commit ${gitCommit()}`);
const rows: Row[] = [];
for (const target of targets) {
  const server = await startTarget(target, { cpu: "1" });
  try {
    await sleep(500);
    const before = rssBytes(server.pid);
    const t0 = performance.now();
    await pipelineLoad(server.port, keys, setCommand);
    const loadSeconds = (performance.now() - t0) / 1000;
    // Give a garbage-collected runtime a moment to settle: the RSS is read every 500 ms for 5 s
    // and the lowest reading is kept, so a lazy collector is not charged for garbage it releases
    // shortly after the load (the same rule applies to redis-server, whose RSS does not move).
    let after = rssBytes(server.pid);
    for (let i = 0; i < 10; i++) {
      await sleep(500);
      after = Math.min(after, rssBytes(server.pid));
    }
    const row = { target, keys, rssBefore: before, rssAfter: after, bytesPerKey: (after - before) / keys, loadSeconds };
    rows.push(row);
    say(
      `${target}: RSS ${mb(before)} -> ${mb(after)} MB, ${row.bytesPerKey.toFixed(0)} bytes/key, load ${
        loadSeconds.toFixed(1)
      } s`,
    );
  } finally {
    await server.stop();
  }
}

function mb(b: number): string {
  return (b / 1048576).toFixed(1);
}

const redis = rows.find((r) => r.target === "redis");
const tbl: string[][] = [["server", "RSS before MB", "RSS after MB", "bytes/key", "ratio", "load s"]];
for (const r of rows) {
  tbl.push([
    r.target,
    mb(r.rssBefore),
    mb(r.rssAfter),
    r.bytesPerKey.toFixed(0),
    redis && r.target !== "redis" ? (r.bytesPerKey / redis.bytesPerKey).toFixed(2) + "x" : "",
    r.loadSeconds.toFixed(1),
  ]);
}
say("\n" + table(tbl));
const result = { benchmark: "memory", commit: gitCommit(), keys, versions: versions(), results: rows };
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
