/**
 * Memory of large collections: RSS of each server after loading one key with 1,000,000 elements
 * of one type, for a sorted set, a hash, a list and a set, each in a freshly started server.
 *
 * - zset: `ZADD zset <score> member:<i>`, scores uniform in [0, 1,000,000) (seeded);
 * - hash: `HSET hash field:<i> value:<i>`;
 * - list: `RPUSH list element:<i>`;
 * - set:  `SADD set member:<i>`.
 *
 * Elements are sent 100 per command, pipelined over one connection. Like bench/memory.ts, the RSS
 * after the load is the lowest of the readings taken every 500 ms for 5 s (so a garbage-collected
 * runtime is not charged for garbage it releases shortly after the load), and bytes per element =
 * (RSS after - RSS before) / elements. The element count is checked with ZCARD/HLEN/LLEN/SCARD.
 *
 * Usage: node --import tsx bench/memory_types.ts [--quick] [--elements N] [--types zset,hash,list,set]
 *        [--targets redis,deno,bun,node] [--json out.json]
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import {
  commandInt,
  encodeCommand,
  gitCommit,
  parseFlags,
  pipelineLoad,
  rssBytes,
  say,
  seededRandom,
  sleep,
  startTarget,
  table,
  targetsFrom,
  versions,
} from "./_lib.ts";

/** How one collection type is built and counted. */
interface TypeDef {
  readonly name: string;
  /** The command and key prefix of one load command (`["ZADD", "zset"]`). */
  readonly head: readonly string[];
  /** The arguments element `i` adds. */
  readonly args: (i: number, rnd: () => number) => string[];
  /** The command that counts the elements. */
  readonly count: string;
}

const TYPES: readonly TypeDef[] = [
  { name: "zset", head: ["ZADD", "zset"], args: (i, rnd) => [String(rnd() * 1e6), `member:${i}`], count: "ZCARD" },
  { name: "hash", head: ["HSET", "hash"], args: (i) => [`field:${i}`, `value:${i}`], count: "HLEN" },
  { name: "list", head: ["RPUSH", "list"], args: (i) => [`element:${i}`], count: "LLEN" },
  { name: "set", head: ["SADD", "set"], args: (i) => [`member:${i}`], count: "SCARD" },
];
const PER_COMMAND = 100;

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has("quick");
const elements = Number(flags.get("elements") ?? (quick ? 100_000 : 1_000_000));
const targets = targetsFrom(flags);
const types = (flags.get("types")?.split(",") ?? TYPES.map((t) => t.name)).map((name) => {
  const t = TYPES.find((x) => x.name === name);
  if (t === undefined) throw new RangeError(`Cannot load type "${name}": known types are ${TYPES.map((x) => x.name)}`);
  return t;
});
const settleReadings = quick ? 2 : 10;

interface Row {
  type: string;
  target: string;
  elements: number;
  rssBefore: number;
  rssAfter: number;
  bytesPerElement: number;
  loadSeconds: number;
}

const mb = (b: number) => (b / 1048576).toFixed(1);

say(`# memory by type: one key with ${elements} elements per server; commit ${gitCommit()}`);
const rows: Row[] = [];
for (const type of types) {
  // The same commands for every server.
  const rnd = seededRandom(7);
  const commands: string[] = [];
  for (let i = 0; i < elements; i += PER_COMMAND) {
    const argv = [...type.head];
    for (let j = i; j < Math.min(elements, i + PER_COMMAND); j++) argv.push(...type.args(j, rnd));
    commands.push(encodeCommand(argv));
  }
  for (const target of targets) {
    const server = await startTarget(target, { cpu: "1" });
    try {
      await sleep(500);
      const before = rssBytes(server.pid);
      const t0 = performance.now();
      await pipelineLoad(server.port, commands.length, (i) => commands[i]!, 50);
      const loadSeconds = (performance.now() - t0) / 1000;
      const n = await commandInt(server.port, [type.count, type.head[1]!]);
      if (n !== elements) throw new Error(`${target}: ${type.count} ${type.head[1]} is ${n}, expected ${elements}`);
      let after = rssBytes(server.pid);
      for (let i = 0; i < settleReadings; i++) {
        await sleep(500);
        after = Math.min(after, rssBytes(server.pid));
      }
      const row: Row = {
        type: type.name,
        target,
        elements,
        rssBefore: before,
        rssAfter: after,
        bytesPerElement: (after - before) / elements,
        loadSeconds,
      };
      rows.push(row);
      say(
        `${type.name.padEnd(4)} ${target.padEnd(5)}: RSS ${mb(before)} -> ${mb(after)} MB, ` +
          `${row.bytesPerElement.toFixed(0)} bytes/element, load ${loadSeconds.toFixed(1)} s`,
      );
    } finally {
      await server.stop();
    }
  }
}

const tbl: string[][] = [["type", "server", "RSS before MB", "RSS after MB", "bytes/element", "ratio", "load s"]];
for (const r of rows) {
  const redis = rows.find((x) => x.type === r.type && x.target === "redis");
  tbl.push([
    r.type,
    r.target,
    mb(r.rssBefore),
    mb(r.rssAfter),
    r.bytesPerElement.toFixed(0),
    redis && r.target !== "redis" ? (r.bytesPerElement / redis.bytesPerElement).toFixed(2) + "x" : "",
    r.loadSeconds.toFixed(1),
  ]);
}
say("\n" + table(tbl));
const result = { benchmark: "memory_types", commit: gitCommit(), elements, versions: versions(), results: rows };
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
