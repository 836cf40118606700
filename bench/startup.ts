/**
 * Start-up benchmark: time from spawning each server to its first PONG (PING polled every 2 ms),
 * median of 5 starts (1 with --quick).
 *
 * Usage: node --import tsx bench/startup.ts [--quick] [--runs N] [--targets redis,deno,bun,node]
 *        [--json out.json]
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import { gitCommit, median, parseFlags, say, sleep, startTarget, table, targetsFrom, versions } from "./_lib.ts";

const flags = parseFlags(process.argv.slice(2));
const runs = Number(flags.get("runs") ?? (flags.has("quick") ? 1 : 5));
const targets = targetsFrom(flags);

say(`# startup: spawn -> first PONG, ${runs} run(s) each; commit ${gitCommit()}`);
const times = new Map<string, number[]>();
for (let run = 0; run < runs; run++) {
  for (const target of targets) {
    const server = await startTarget(target, { cpu: "1", pollMs: 2 });
    await server.stop();
    times.set(target, [...(times.get(target) ?? []), server.startupMs]);
    say(`run ${run + 1} ${target}: ${server.startupMs.toFixed(1)} ms`);
    await sleep(100);
  }
}
const results = targets.map((t) => ({ target: t, medianMs: median(times.get(t)!), runsMs: times.get(t)! }));
const tbl: string[][] = [["server", "median ms", "min ms", "max ms"]];
for (const r of results) {
  tbl.push([r.target, r.medianMs.toFixed(1), Math.min(...r.runsMs).toFixed(1), Math.max(...r.runsMs).toFixed(1)]);
}
say("\n" + table(tbl));
const result = { benchmark: "startup", commit: gitCommit(), runs, versions: versions(), results };
const out = flags.get("json");
if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
say(`\nSUMMARY_JSON ${JSON.stringify(result)}`);
