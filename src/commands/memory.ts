/**
 * MEMORY (Valkey group `server`): USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP.
 *
 * The figures model Kite's JavaScript heap, not Valkey's allocator. A runtime gives no size for
 * one object, so MEMORY USAGE answers the size model of `src/keyspace/object_size.ts` (V8's
 * layout: string headers, `Map` entries, per-element shares of each structure), plus, for a
 * hash in a vector index, the bytes the index holds for that hash's vectors. MEMORY STATS
 * takes the process figures INFO `memory` prints (`used_memory` is the runtime's heap in use
 * plus memory held outside it) and splits them as Valkey does: overheads the engine can sum
 * without visiting a key (per-key table costs from the same model, client buffers, the script
 * and function caches), the rest being the dataset. Allocator fields take the values Valkey
 * computes when it runs on an allocator that reports nothing (libc malloc): the heap in use and
 * the RSS.
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import { bulk, double, int, map, NULL, OK, type Reply, verbatim } from "../protocol/reply.ts";
import { SYNTAX } from "../protocol/errors.ts";
import { int64Arg } from "./args.ts";
import { DEFAULT_SIZE_SAMPLES, estimateEntryBytes, estimateValueBytes, stringBytes } from "../keyspace/object_size.ts";
import { SearchManager } from "../search/manager.ts";
import { type Scripting, scriptingOf } from "../scripting/scripting.ts";
import { helpReply } from "./connection.ts";

// ---------------------------------------------------------------------------------------------
// MEMORY USAGE
// ---------------------------------------------------------------------------------------------

function memoryUsage(ctx: CommandContext, argv: readonly string[]): Reply {
  let samples = DEFAULT_SIZE_SAMPLES;
  // Valkey checks every option before looking the key up, so a bad option beats a missing key.
  for (let j = 3; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === "samples" && j + 1 < argv.length) {
      const n = int64Arg(argv[++j]!);
      if (n < 0) return SYNTAX;
      // 0 samples every element (Valkey: LLONG_MAX); so does the size model's 0.
      samples = Number(n);
    } else {
      return SYNTAX;
    }
  }
  const key = argv[2]!;
  // Valkey reads the key with dbFind: no lazy expiry, no keyspace hit or miss, no LRU/LFU
  // update, so a key past its time that nobody has reclaimed yet still has a size. At time -inf
  // no key has expired, which makes peek exactly that lookup.
  const value = ctx.db.peek(key, Number.NEGATIVE_INFINITY);
  if (value === undefined) return NULL;
  // The vector index keeps its own float32 copy of each indexed vector beside the hash.
  const vectors = SearchManager.peek(ctx.engine)?.vectorBytesOf(ctx.db.id, key) ?? 0;
  return int(estimateEntryBytes(key, value, samples) + vectors);
}

// ---------------------------------------------------------------------------------------------
// MEMORY STATS
// ---------------------------------------------------------------------------------------------

/**
 * A key's entry in its database beyond the key string and the value (the key table's `Map`
 * entry and slot columns), as the size model counts it.
 */
const KEY_ENTRY_BYTES = estimateEntryBytes("", "") - stringBytes(0) - estimateValueBytes("");

/**
 * One entry of a database's expires `Map` (key -> Unix ms): V8's ordered hash table keeps three
 * 8-byte slots per entry (key, value, chain) and one bucket head per two entries, doubling its
 * capacity as it grows; a millisecond time is past the small-integer range, so the value is a
 * separate 16-byte number.
 */
const EXPIRE_ENTRY_BYTES = 48;

/** A cached script beyond its SHA1 and body: its cache `Map` entry and record. */
const SCRIPT_ENTRY_BYTES = 96;
/** A FUNCTION library or function beyond its name and code: its record and `Map` entries. */
const FUNCTION_ENTRY_BYTES = 96;

/**
 * The EVAL script cache, as Valkey's `lua.caches` counts it: the cached scripts' dictionary
 * and bodies. The Lua state that runs them is not included (Valkey reports its memory apart).
 */
function scriptCacheBytes(s: Scripting): number {
  let n = 0;
  for (const sc of s.scripts.values()) {
    n += SCRIPT_ENTRY_BYTES + stringBytes(sc.sha.length) + stringBytes(sc.body.length);
  }
  return n;
}

/** The FUNCTION libraries, as Valkey's `functions.caches` counts them: names, code and tables. */
function functionCacheBytes(s: Scripting): number {
  let n = 0;
  for (const lib of s.libraries.values()) {
    n += FUNCTION_ENTRY_BYTES + stringBytes(lib.name.length) + stringBytes(lib.code.length);
    for (const name of lib.functions.keys()) n += FUNCTION_ENTRY_BYTES + stringBytes(name.length);
  }
  return n;
}

/**
 * Bytes of the bucket heads of a V8 `Map` holding `n` entries: the capacity is the next power
 * of two (at least 4) and there is one 8-byte head per two entries of capacity. This is the part
 * of a table Valkey reports as `lut` (its buckets' lookup table).
 */
function mapBucketBytes(n: number): number {
  let capacity = 4;
  while (capacity < n) capacity *= 2;
  return (capacity / 2) * 8;
}

/** The overhead of one database (Valkey's `db.N` map in MEMORY STATS). */
export interface DbOverhead {
  /** The SELECT number. */
  readonly id: number;
  /** The key table: each key's entry beyond its key string and value. */
  readonly main: number;
  /** The expires table. */
  readonly expires: number;
}

/**
 * Kite's counterpart of Valkey's `getMemoryOverheadData`: what MEMORY STATS and MEMORY DOCTOR
 * report. Byte counts are integers; ratios are plain numbers.
 */
export interface MemoryOverhead {
  /** The highest `total` seen (INFO `used_memory_peak`). */
  readonly peak: number;
  /** The heap in use plus memory held outside it (INFO `used_memory`). */
  readonly total: number;
  /** Memory in use when the engine was built ({@link Engine.startupMemory}). */
  readonly startup: number;
  /** Resident set size of the process. */
  readonly rss: number;
  /** Query, output and MULTI buffers of every client. */
  readonly clientsNormal: number;
  /** Clients connected. */
  readonly clients: number;
  /** The EVAL script cache (see {@link scriptCacheBytes}). */
  readonly luaCaches: number;
  /** The FUNCTION libraries (see {@link functionCacheBytes}). */
  readonly functionsCaches: number;
  /** Scripts in the EVAL cache. */
  readonly scripts: number;
  /** Databases holding keys, by SELECT number. */
  readonly dbs: readonly DbOverhead[];
  /** The bucket heads of every database's key and expires tables. */
  readonly hashtableLut: number;
  /** Every overhead above, startup included (Valkey's `overhead.total`). */
  readonly overheadTotal: number;
  /** Keys in every database. */
  readonly keys: number;
  /** `total` minus the overheads (never below 0: the overheads are a model). */
  readonly dataset: number;
}

/**
 * Sums the overheads of `engine` in O(databases + clients + cached scripts): no key is
 * visited. Also records a new memory peak, as INFO does.
 */
export function memoryOverhead(engine: Engine): MemoryOverhead {
  const mem = engine.process.memory();
  engine.metrics.notePeak(mem.used);
  const total = mem.used;
  const startup = engine.startupMemory;
  let clientsNormal = 0;
  for (const s of engine.clients.values()) clientsNormal += s.qbuf + s.obl + s.multiBytes;
  const scripting = scriptingOf(engine);
  const luaCaches = scriptCacheBytes(scripting);
  const functionsCaches = functionCacheBytes(scripting);
  // Kite has no replication backlog, replicas, cluster bus or AOF buffer: Valkey reports 0 for
  // each of those when the subsystem is off.
  let overheadTotal = startup + clientsNormal + luaCaches + functionsCaches;
  const dbs: DbOverhead[] = [];
  let keys = 0;
  let hashtableLut = 0;
  for (const db of engine.dbs) {
    const n = db.size;
    if (n === 0) continue;
    const volatile = db.expires.size;
    const main = n * KEY_ENTRY_BYTES;
    const expires = volatile * EXPIRE_ENTRY_BYTES;
    dbs.push({ id: db.id, main, expires });
    overheadTotal += main + expires;
    keys += n;
    hashtableLut += mapBucketBytes(n) + (volatile > 0 ? mapBucketBytes(volatile) : 0);
  }
  return {
    peak: engine.metrics.peakMemory,
    total,
    startup,
    rss: mem.rss,
    clientsNormal,
    clients: engine.clients.size,
    luaCaches,
    functionsCaches,
    scripts: scripting.scripts.size,
    dbs,
    hashtableLut,
    overheadTotal,
    keys,
    dataset: Math.max(0, total - overheadTotal),
  };
}

/** A ratio as Valkey computes it, in a C `float`, then sent as a double. */
function ratio(n: number): Reply {
  return double(Math.fround(n));
}

function memoryStats(ctx: CommandContext): Reply {
  const mh = memoryOverhead(ctx.engine);
  const netUsage = mh.total > mh.startup ? mh.total - mh.startup : 1;
  // Valkey's fallbacks when the allocator reports nothing: allocated = used memory, active =
  // resident = RSS (Kite's Lua runs inside the JS heap, so nothing is deducted), no muzzy pages
  // and no small-bin fragmentation. Hence allocator-fragmentation, allocator-rss and
  // rss-overhead ratios of 1 and the whole gap in `fragmentation`.
  const allocated = mh.total;
  const resident = mh.rss;
  const active = resident;
  const smallBinFragmentation = 0;
  const fields: [Reply, Reply][] = [
    [bulk("peak.allocated"), int(mh.peak)],
    [bulk("total.allocated"), int(mh.total)],
    [bulk("startup.allocated"), int(mh.startup)],
    [bulk("replication.backlog"), int(0)],
    [bulk("clients.slaves"), int(0)],
    [bulk("clients.normal"), int(mh.clientsNormal)],
    [bulk("cluster.links"), int(0)],
    [bulk("aof.buffer"), int(0)],
    [bulk("lua.caches"), int(mh.luaCaches)],
    [bulk("functions.caches"), int(mh.functionsCaches)],
  ];
  for (const d of mh.dbs) {
    fields.push([
      bulk(`db.${d.id}`),
      map([
        [bulk("overhead.hashtable.main"), int(d.main)],
        [bulk("overhead.hashtable.expires"), int(d.expires)],
      ]),
    ]);
  }
  fields.push(
    [bulk("overhead.db.hashtable.lut"), int(mh.hashtableLut)],
    // V8 grows a Map in one step, never incrementally: nothing is ever being rehashed.
    [bulk("overhead.db.hashtable.rehashing"), int(0)],
    [bulk("overhead.total"), int(mh.overheadTotal)],
    [bulk("db.dict.rehashing.count"), int(0)],
    [bulk("keys.count"), int(mh.keys)],
    [bulk("keys.bytes-per-key"), int(mh.keys > 0 ? Math.floor(mh.dataset / mh.keys) : 0)],
    [bulk("dataset.bytes"), int(mh.dataset)],
    [bulk("dataset.percentage"), ratio((mh.dataset * 100) / netUsage)],
    [bulk("peak.percentage"), ratio((mh.total * 100) / mh.peak)],
    [bulk("allocator.allocated"), int(allocated)],
    [bulk("allocator.active"), int(active)],
    [bulk("allocator.resident"), int(resident)],
    [bulk("allocator.muzzy"), int(0)],
    [bulk("allocator-fragmentation.ratio"), ratio(smallBinFragmentation / allocated + 1)],
    [bulk("allocator-fragmentation.bytes"), int(smallBinFragmentation)],
    [bulk("allocator-rss.ratio"), ratio(resident / active)],
    [bulk("allocator-rss.bytes"), int(resident - active)],
    [bulk("rss-overhead.ratio"), ratio(mh.rss / resident)],
    [bulk("rss-overhead.bytes"), int(mh.rss - resident)],
    [bulk("fragmentation"), ratio(mh.rss / mh.total)],
    [bulk("fragmentation.bytes"), int(mh.rss - mh.total)],
  );
  return map(fields);
}

// ---------------------------------------------------------------------------------------------
// MEMORY DOCTOR
// ---------------------------------------------------------------------------------------------

/** Below this much memory Valkey's doctor declines to judge (5 MB). */
const DOCTOR_EMPTY_BYTES = 5 * 1024 * 1024;
/** Valkey's per-client buffer average above which clients are reported (200 KB). */
const DOCTOR_CLIENT_BYTES = 200 * 1024;
/** Valkey's cached-script count above which scripts are reported. */
const DOCTOR_MANY_SCRIPTS = 1000;

const DOCTOR_NO_ISSUES =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const DOCTOR_EMPTY = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't " +
  "be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new " +
  "Sam and I will be back to our programming as soon as I finished rebooting.\n";
const DOCTOR_HEADER = "Sam, I detected a few issues in this Valkey instance memory implants:\n\n";
const DOCTOR_FOOTER = "I'm here to keep you safe, Sam. I want to help you.\n";
const DOCTOR_PEAK = " * Peak memory: this instance once used more than 1.5 times the memory it uses now. A " +
  "JavaScript heap shrinks over later garbage collections; MEMORY PURGE asks the runtime to collect sooner.\n\n";
const DOCTOR_CLIENTS = " * Big client buffers: clients hold more than 200K of buffers each on average, often " +
  "from slow readers, Pub/Sub subscribers that fall behind or very long pipelines. CLIENT LIST shows which " +
  "clients they are.\n\n";
const DOCTOR_SCRIPTS = " * Many scripts: more than 1000 scripts are cached, usually because scripts are built " +
  "per call instead of taking KEYS and ARGV and running through SCRIPT LOAD and EVALSHA. SCRIPT FLUSH empties " +
  "the cache.\n\n";

/**
 * Valkey's MEMORY DOCTOR report for the conditions Kite can observe. Its empty-instance rule
 * compares the memory in use with 5 MB (Valkey starts at about 1 MB); Kite compares the growth
 * since startup, as a JavaScript runtime alone holds more than that. Of Valkey's checks, the
 * memory peak, client buffers and script cache apply as they are. The fragmentation and RSS
 * checks do not: a runtime's RSS always holds its code and reserved heap spaces far beyond the
 * heap in use, so a large RSS/used ratio is normal for Kite and says nothing about its
 * allocator (whose own ratios are 1, see MEMORY STATS); there are no replicas to check either.
 */
export function memoryDoctorReport(engine: Engine): string {
  const mh = memoryOverhead(engine);
  if (mh.total - mh.startup < DOCTOR_EMPTY_BYTES) return DOCTOR_EMPTY;
  let report = "";
  if (mh.peak / mh.total > 1.5) report += DOCTOR_PEAK;
  if (mh.clients > 0 && mh.clientsNormal / mh.clients > DOCTOR_CLIENT_BYTES) report += DOCTOR_CLIENTS;
  if (mh.scripts > DOCTOR_MANY_SCRIPTS) report += DOCTOR_SCRIPTS;
  return report === "" ? DOCTOR_NO_ISSUES : DOCTOR_HEADER + report + DOCTOR_FOOTER;
}

function memoryDoctor(ctx: CommandContext): Reply {
  return verbatim(memoryDoctorReport(ctx.engine));
}

// ---------------------------------------------------------------------------------------------
// MALLOC-STATS, PURGE, HELP
// ---------------------------------------------------------------------------------------------

// Valkey built without jemalloc answers this plain bulk string; Kite's heap is the runtime's.
const NO_MALLOC_STATS: Reply = Object.freeze(bulk("Stats not supported for the current allocator"));

function memoryMallocStats(): Reply {
  return NO_MALLOC_STATS;
}

// Valkey's purge without jemalloc does nothing and succeeds. Where the runtime takes a
// collection hint without blocking (Bun), it gets one: that is what returns a heap's free pages.
function memoryPurge(ctx: CommandContext): Reply {
  ctx.engine.process.collectGarbage?.();
  return OK;
}

const MEMORY_HELP = [
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
];

function memoryHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, MEMORY_HELP);
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const SHARDS_SPECIAL = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"];
const SLOW = "Depends on how much memory is allocated, could be slow";

/** The MEMORY container's table rows. */
export const MEMORY_COMMANDS: readonly CommandSpec[] = [
  cmd("memory", "server", -2, "", "", [], "4.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Reports how the server uses memory.",
    subcommands: [
      cmd("doctor", "server", 2, "", "", [], "4.0.0", memoryDoctor, {
        tips: SHARDS_SPECIAL,
        complexity: "O(1)",
        summary: "Reports memory problems the server can detect.",
      }),
      cmd("help", "server", 2, "loading stale", "", [], "4.0.0", memoryHelp, {
        complexity: "O(1)",
        summary: "Lists the MEMORY subcommands.",
      }),
      cmd("malloc-stats", "server", 2, "", "", [], "4.0.0", memoryMallocStats, {
        tips: SHARDS_SPECIAL,
        complexity: SLOW,
        summary: "Returns the memory allocator's own statistics, where it has any.",
      }),
      cmd("purge", "server", 2, "", "", [], "4.0.0", memoryPurge, {
        tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
        complexity: SLOW,
        summary: "Asks the memory manager to give free memory back.",
      }),
      cmd("stats", "server", 2, "", "", [], "4.0.0", memoryStats, {
        tips: SHARDS_SPECIAL,
        complexity: "O(1)",
        summary: "Breaks the server's memory use down into overheads and dataset.",
      }),
      cmd("usage", "server", -3, "readonly", "", [rangeKey(2, 0, 1, "RO")], "4.0.0", memoryUsage, {
        complexity: "O(N) where N is the number of samples.",
        summary: "Estimates the bytes a key and its value take, sampling nested elements.",
      }),
    ],
  }),
];
