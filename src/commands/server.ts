/**
 * Server commands (Valkey group `server`): INFO, CONFIG, TIME, LASTSAVE, DEBUG, SHUTDOWN and
 * COMMAND.
 * COMMAND answers from the registry, so it describes exactly the table Kite runs.
 *
 * @module
 */
import { type Blocked, cmd, type Command, type CommandSpec, type KeyFlag, type KeySpec } from "./spec.ts";
import { findKeys } from "./keys.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import {
  array,
  bulk,
  EMPTY_ARRAY,
  error,
  int,
  map,
  NULL,
  OK,
  type Reply,
  set,
  simple,
  verbatim,
} from "../protocol/reply.ts";
import { E, fmt, SYNTAX } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { globMatch } from "../util/glob.ts";
import { infoText, resetServerStats } from "../observability/info.ts";
import { builtinModule, moduleOfCommand } from "./module.ts";
import { lruIdleSeconds } from "../keyspace/db.ts";
import { stringEncoding, type StringValue } from "../types/string.ts";
import { helpReply } from "./connection.ts";
import { stopScriptForShutdown } from "../scripting/scripting.ts";
import { rewriteConfigText } from "../config/rewrite.ts";
import { LLONG_MAX, rangeLong } from "./args.ts";

// ---------------------------------------------------------------------------------------------
// INFO, TIME, LASTSAVE
// ---------------------------------------------------------------------------------------------

function info(ctx: CommandContext, argv: readonly string[]): Reply {
  return verbatim(infoText(ctx.engine, argv.slice(1), ctx.now));
}

function time(ctx: CommandContext): Reply {
  // Kite's clock has millisecond resolution; the microseconds field is that, scaled.
  const sec = Math.floor(ctx.now / 1000);
  return array([bulk(String(sec)), bulk(String((ctx.now - sec * 1000) * 1000))]);
}

function lastsave(ctx: CommandContext): Reply {
  return int(ctx.engine.lastSave);
}

// ---------------------------------------------------------------------------------------------
// CONFIG
// ---------------------------------------------------------------------------------------------

function configGet(ctx: CommandContext, argv: readonly string[]): Reply {
  const pairs = ctx.engine.config.match(argv.slice(2));
  return map(pairs.map(([k, v]) => [bulk(k), bulk(v)] as const));
}

function configSet(ctx: CommandContext, argv: readonly string[]): Reply {
  if ((argv.length - 2) % 2 !== 0) return SYNTAX;
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  const r = ctx.engine.config.setMany(pairs);
  if (r.status === "ok") return OK;
  if (r.status === "unknown") return error(fmt(E.CONFIG_UNKNOWN, r.name));
  return error(fmt(E.CONFIG_FAILED, r.name, r.reason));
}

function configResetstat(ctx: CommandContext): Reply {
  resetServerStats(ctx.engine);
  return OK;
}

function configRewrite(ctx: CommandContext): Reply {
  const engine = ctx.engine;
  const path = engine.configFile;
  if (path === undefined) return error(E.NO_CONFIG_FILE);
  try {
    engine.files.replace(path, rewriteConfigText(engine.files.read(path), engine.config));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    engine.log("warning", `CONFIG-REWRITE failed: ${why}`);
    return error(fmt(E.REWRITE_FAILED, why));
  }
  engine.log("notice", "CONFIG REWRITE executed with success.");
  return OK;
}

const CONFIG_HELP = [
  "GET <pattern>",
  "    Return the parameters matching a glob-style <pattern>, with their values.",
  "SET <directive> <value> [<directive> <value> ...]",
  "    Change parameters, all or none.",
  "RESETSTAT",
  "    Zero the statistics INFO reports.",
  "REWRITE",
  "    Write the running configuration back to the config file.",
];

function configHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, CONFIG_HELP);
}

// FAILOVER hands the primary role to a replica. Kite never has replicas, so after Valkey's own
// argument checks it answers what a Valkey primary without replicas answers.
function failover(_ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length === 2 && argv[1]!.toLowerCase() === "abort") return error(E.FAILOVER_NOT_IN_PROGRESS);
  let timeout = 0;
  let host: string | undefined;
  let force = false;
  for (let j = 1; j < argv.length; j++) {
    const a = argv[j]!.toLowerCase();
    if (a === "timeout" && j + 1 < argv.length && timeout === 0) {
      timeout = rangeLong(argv[j + 1]!, -LLONG_MAX - 1n, LLONG_MAX);
      if (timeout <= 0) return error(E.FAILOVER_TIMEOUT);
      j++;
    } else if (a === "to" && j + 2 < argv.length && host === undefined) {
      rangeLong(argv[j + 2]!, -LLONG_MAX - 1n, LLONG_MAX);
      host = argv[j + 1]!;
      j += 2;
    } else if (a === "force" && !force) {
      force = true;
    } else {
      return SYNTAX;
    }
  }
  return error(E.FAILOVER_NO_REPLICAS);
}

// Kite is a primary without replicas (INFO replication says the same): offset 0, no replicas.
function role(): Reply {
  return array([bulk("master"), int(0), array([])]);
}

// ---------------------------------------------------------------------------------------------
// LATENCY
// ---------------------------------------------------------------------------------------------

function latencyLatest(ctx: CommandContext): Reply {
  return array(ctx.engine.latency.latest().map(([e, t, last, max]) => array([bulk(e), int(t), int(last), int(max)])));
}

function latencyHistory(ctx: CommandContext, argv: readonly string[]): Reply {
  return array(ctx.engine.latency.history(argv[2]!).map(([t, ms]) => array([int(t), int(ms)])));
}

function latencyReset(ctx: CommandContext, argv: readonly string[]): Reply {
  return int(ctx.engine.latency.reset(argv.slice(2)));
}

// The samples of one event as a column chart, newest on the right: Kite's own rendering of
// what Valkey draws (a text for people, which no client parses).
function latencyGraph(ctx: CommandContext, argv: readonly string[]): Reply {
  const event = argv[2]!;
  const samples = ctx.engine.latency.history(event).slice(-60);
  if (samples.length === 0) return error(fmt(E.LATENCY_NO_SAMPLES, event));
  const values = samples.map(([, ms]) => ms);
  const hi = Math.max(...values);
  const lo = Math.min(...values);
  const now = Math.floor(ctx.now / 1000);
  const rows: string[] = [
    `${event} - high ${hi} ms, low ${lo} ms (all time high ${ctx.engine.latency.max(event)} ms)`,
    "-".repeat(80),
  ];
  const height = 8;
  for (let r = height; r >= 1; r--) {
    rows.push(values.map((v) => (hi === 0 ? 0 : Math.ceil((v / hi) * height)) >= r ? "#" : " ").join(""));
  }
  rows.push(samples.map(([t]) => String(Math.min(9, Math.floor((now - t) / 60)))).join(""));
  rows.push("(each column is one second with a spike; the last row is its age in minutes, 9 for older)");
  return verbatim(rows.join("\n") + "\n", "txt");
}

// A report in Kite's words: each event's spikes, then what usually causes them.
function latencyDoctor(ctx: CommandContext): Reply {
  const engine = ctx.engine;
  const mon = engine.latency;
  const events = mon.events();
  const threshold = engine.config.num("latency-monitor-threshold");
  if (events.length === 0) {
    const text = threshold === 0
      ? "Latency monitoring is off. Turn it on with CONFIG SET latency-monitor-threshold <milliseconds>.\n"
      : `No event took ${threshold} ms or more since the latency monitor was turned on or reset.\n`;
    return verbatim(text, "txt");
  }
  const now = Math.floor(ctx.now / 1000);
  const out: string[] = ["Latency spikes were recorded on this Kite server.", ""];
  const advice = new Set<string>();
  events.forEach((e, i) => {
    const h = mon.history(e);
    const values = h.map(([, ms]) => ms);
    const avg = Math.floor(values.reduce((a, b) => a + b, 0) / values.length);
    const mad = Math.floor(values.reduce((a, v) => a + Math.abs(v - avg), 0) / values.length);
    const period = Math.max(1, now - Math.min(...h.map(([t]) => t)));
    out.push(
      `${i + 1}. ${e}: ${values.length} spikes, average ${avg} ms (mean deviation ${mad} ms), one every ` +
        `${(period / values.length).toFixed(2)} s; worst ever ${mon.max(e)} ms.`,
    );
    if (e === "command") {
      advice.add(
        "- SLOWLOG GET names the slow commands; large values and O(N) commands on big keys are the usual cause.",
      );
      if (engine.config.num("slowlog-log-slower-than") < 0) {
        advice.add(`- The slow log is off: CONFIG SET slowlog-log-slower-than ${threshold * 1000} turns it on.`);
      } else if (engine.config.num("slowlog-log-slower-than") > threshold * 1000) {
        advice.add(
          `- The slow log only keeps commands slower than the latency threshold: CONFIG SET slowlog-log-slower-than ` +
            `${threshold * 1000} aligns them.`,
        );
      }
    } else if (e === "fast-command") {
      advice.add(
        "- Commands that are always quick were slow: the process was paused, by the runtime's garbage collector or " +
          "by a busy host.",
      );
    } else if (e === "expire-cycle") {
      advice.add("- Many keys expired at once: spread their TTLs, or raise hz so each expiry cycle does less.");
    }
  });
  if (advice.size > 0) out.push("", "What to look at:", ...advice);
  return verbatim(out.join("\n") + "\n", "txt");
}

function latencyHistogram(ctx: CommandContext, argv: readonly string[]): Reply {
  const cmds: Command[] = [];
  if (argv.length === 2) {
    cmds.push(...ctx.engine.registry.flat());
  } else {
    for (const name of argv.slice(2)) {
      const c = lookupByFullName(ctx.engine, name);
      if (c === undefined) continue;
      cmds.push(c);
      if (c.subcommands) cmds.push(...c.subcommands.values());
    }
  }
  const pairs: [Reply, Reply][] = [];
  for (const c of cmds) {
    const h = c.stats.histogram;
    if (h === undefined || h.total === 0) continue;
    pairs.push([
      bulk(c.fullName),
      map([
        [bulk("calls"), int(h.total)],
        [bulk("histogram_usec"), map(h.cumulative().map(([us, n]) => [int(us), int(n)] as const))],
      ]),
    ]);
  }
  return map(pairs);
}

const LATENCY_HELP = [
  "DOCTOR",
  "    A report on the latency events recorded, and their usual causes.",
  "GRAPH <event>",
  "    The samples of one event as a text chart.",
  "HISTORY <event>",
  "    The samples of one event: [time, milliseconds] pairs, oldest first.",
  "LATEST",
  "    Each event's latest sample and its all-time maximum.",
  "RESET [<event> ...]",
  "    Forget the samples of the given events (all events by default).",
  "HISTOGRAM [<command> ...]",
  "    The cumulative distribution of each command's run times (all commands by default).",
];

function latencyHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, LATENCY_HELP);
}

// ---------------------------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------------------------

function slowlogGet(ctx: CommandContext, argv: readonly string[]): Reply {
  const log = ctx.engine.slowlog;
  let count = 10;
  if (argv.length === 3) {
    count = rangeLong(argv[2]!, -1n, LLONG_MAX, E.SLOWLOG_COUNT);
    if (count === -1) count = log.length;
  }
  return array(
    log.newest(count).map((e) =>
      array([
        int(e.id),
        int(e.time),
        int(e.durationUs),
        array(e.args.map((a) => bulk(a))),
        bulk(e.peer),
        bulk(e.name),
      ])
    ),
  );
}

function slowlogLen(ctx: CommandContext): Reply {
  return int(ctx.engine.slowlog.length);
}

function slowlogReset(ctx: CommandContext): Reply {
  ctx.engine.slowlog.reset();
  return OK;
}

const SLOWLOG_HELP = [
  "GET [<count>]",
  "    The newest <count> entries (10 by default, -1 for all), newest first. Each entry holds:",
  "    its id, the Unix time, the run time in microseconds, the arguments, the client's",
  "    address and the client's name.",
  "LEN",
  "    Number of entries.",
  "RESET",
  "    Remove every entry.",
];

function slowlogHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, SLOWLOG_HELP);
}

// ---------------------------------------------------------------------------------------------
// DEBUG
// ---------------------------------------------------------------------------------------------

/** C `strtod` on a prefix: leading spaces, then the longest number; 0 when there is none. */
function strtod(s: string): number {
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?)/i.exec(s);
  if (!m) return 0;
  const t = m[1]!.toLowerCase();
  if (t.endsWith("inf") || t.endsWith("infinity")) return t.startsWith("-") ? -Infinity : Infinity;
  return Number(m[1]);
}

/** C `atoi`: leading spaces, optional sign, digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) : 0;
}

/** Bytes an RDB length prefix takes (`rdbSaveLen`). */
function rdbLenSize(len: number): number {
  if (len < 1 << 6) return 1;
  if (len < 1 << 14) return 2;
  if (len <= 0xffffffff) return 5;
  return 9;
}

/**
 * The RDB size of a string value as Valkey's `rdbSaveRawString` writes it without LZF
 * compression: integers that fit 32 bits take 2, 3 or 5 bytes, anything else a length prefix
 * plus the bytes. Kite has no RDB writer with compression yet, so long compressible strings
 * report their uncompressed size.
 */
function serializedStringLength(v: StringValue): number {
  if (v.length <= 11 && typeof v === "string") {
    const n = parseInt64(v);
    if (n !== null && typeof n === "number") {
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
  }
  return rdbLenSize(v.length) + v.length;
}

/** A stable pseudo-address for DEBUG OBJECT's `Value at:` (Kite values have no address). */
function pseudoAddress(dbId: number, key: string): string {
  let h = 0x811c9dc5 ^ dbId;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return "0x7f" + ((h >>> 0) * 16).toString(16).padStart(10, "0");
}

function debugObject(ctx: CommandContext, key: string, fast: boolean): Reply {
  const value = ctx.db.peek(key, ctx.now);
  if (value === undefined) return error(E.NO_SUCH_KEY);
  const word = ctx.db.accessWord(key) ?? 0;
  const isString = typeof value === "string" || value instanceof Uint8Array;
  // Every type module implements encoding(); "unknown" is what Valkey prints for anything else.
  const encoding = isString ? stringEncoding(value) : value.encoding?.() ?? "unknown";
  let line = `Value at:${pseudoAddress(ctx.db.id, key)} refcount:1 encoding:${encoding}`;
  // Only string sizes can be computed without an RDB writer; other types leave the field out
  // rather than report a made-up size (as `fast` does in Valkey).
  if (!fast && isString) line += ` serializedlength:${serializedStringLength(value)}`;
  line += ` lru:${word} lru_seconds_idle:${lruIdleSeconds(word, ctx.now)}`;
  return simple(line);
}

const DEBUG_HELP = [
  "ERROR <string>",
  "    Reply with an error made of <string>, for testing clients.",
  "LOG <message>",
  "    Write <message> to the server log.",
  "OBJECT <key> [fast]",
  "    Describe the value at <key>; `fast` skips the serialized length.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Stop or restart the background expiry of volatile keys.",
  "SLEEP <seconds>",
  "    Stop the whole server for <seconds> (decimals allowed).",
];

function debug(ctx: CommandContext, argv: readonly string[]): Reply {
  const sub = argv[1]!.toLowerCase();
  const argc = argv.length;
  if (sub === "help" && argc === 2) return helpReply(argv[0]!, DEBUG_HELP);
  if (sub === "sleep" && argc === 3) {
    // Valkey's DEBUG SLEEP stops the whole server, so this blocks the thread too (through the
    // engine's process provider, which tests replace with one that moves their fake clock).
    const us = Math.trunc(strtod(argv[2]!) * 1_000_000);
    if (us > 0) ctx.engine.process.sleepSync(us / 1000);
    return OK;
  }
  if (sub === "set-active-expire" && argc === 3) {
    ctx.engine.activeExpireEnabled = atoi(argv[2]!) !== 0;
    return OK;
  }
  if (sub === "object" && (argc === 3 || argc === 4)) {
    return debugObject(ctx, argv[2]!, argc === 4 && argv[3]!.toLowerCase() === "fast");
  }
  if (sub === "log" && argc === 3) {
    ctx.engine.log("warning", `DEBUG LOG: ${argv[2]}`);
    return OK;
  }
  if (sub === "error" && argc === 3) return error(argv[2]!.replace(/[\r\n]/g, " "));
  return error(fmt(E.DEBUG_SUBCOMMAND, argv[1]!));
}

// ---------------------------------------------------------------------------------------------
// COMMAND
// ---------------------------------------------------------------------------------------------

// COMMAND INFO prints flags in Valkey's table order; `sentinel`, `only_sentinel`,
// `may_replicate`, `protected` and `touches_arbitrary_keys` are hidden on purpose there.
const FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
] as const;

// ACL categories in Valkey's category table order, which is how COMMAND INFO lists them.
const ACL_ORDER = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

// Key-spec flags as COMMAND prints them: access types upper case, the rest lower case.
const KEY_FLAG_ORDER: readonly KeyFlag[] = [
  "RO",
  "RW",
  "OW",
  "RM",
  "ACCESS",
  "UPDATE",
  "INSERT",
  "DELETE",
  "NOT_KEY",
  "INCOMPLETE",
  "VARIABLE_FLAGS",
];

function keyFlagsReply(flags: readonly KeyFlag[]): Reply {
  const out: Reply[] = [];
  for (const f of KEY_FLAG_ORDER) {
    if (flags.includes(f)) out.push(simple(f.length === 2 ? f : f.toLowerCase()));
  }
  return set(out);
}

/**
 * Valkey's legacy (first key, last key, step) triple and `movablekeys` flag, derived from the
 * key specs as `populateCommandLegacyRangeSpec` does: one plain range spec is used as is;
 * otherwise consecutive step-1 range specs are merged, and anything else makes keys movable.
 */
export function legacyKeyRange(
  keys: readonly KeySpec[],
): { first: number; last: number; step: number; movable: boolean } {
  if (keys.length === 0) return { first: 0, last: 0, step: 0, movable: false };
  const k0 = keys[0]!;
  if (keys.length === 1 && "index" in k0.begin && "range" in k0.find) {
    const pos = k0.begin.index;
    const lastkey = k0.find.range.last;
    return {
      first: pos,
      last: lastkey >= 0 ? pos + lastkey : lastkey,
      step: k0.find.range.step,
      movable: k0.flags.includes("INCOMPLETE"),
    };
  }
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  let prevLast = 0;
  let movable = false;
  for (const k of keys) {
    if (!("index" in k.begin) || !("range" in k.find)) {
      movable = true;
      continue;
    }
    const pos = k.begin.index;
    if (k.find.range.step !== 1 || (prevLast !== 0 && prevLast !== pos - 1)) {
      movable = true;
      continue;
    }
    if (k.flags.includes("INCOMPLETE")) movable = true;
    first = Math.min(first, pos);
    const abs = k.find.range.last >= 0 ? k.find.range.last + pos : k.find.range.last;
    // Valkey compares as unsigned, so a negative (open-ended) last key wins.
    last = (abs >>> 0) > (last >>> 0) ? abs : last;
    prevLast = last;
  }
  if (first === Number.MAX_SAFE_INTEGER) return { first: 0, last: 0, step: 0, movable: true };
  return { first, last, step: 1, movable };
}

function keySpecReply(k: KeySpec): Reply {
  const fields: [Reply, Reply][] = [];
  if (k.notes !== undefined) fields.push([bulk("notes"), bulk(k.notes)]);
  fields.push([bulk("flags"), keyFlagsReply(k.flags)]);
  const begin = "index" in k.begin
    ? map([[bulk("type"), bulk("index")], [bulk("spec"), map([[bulk("index"), int(k.begin.index)]])]])
    : "keyword" in k.begin
    ? map([
      [bulk("type"), bulk("keyword")],
      [bulk("spec"), map([[bulk("keyword"), bulk(k.begin.keyword)], [bulk("startfrom"), int(k.begin.startFrom)]])],
    ])
    : map([[bulk("type"), bulk("unknown")], [bulk("spec"), map([])]]);
  fields.push([bulk("begin_search"), begin]);
  let find: Reply;
  if ("range" in k.find) {
    const r = k.find.range;
    find = map([
      [bulk("type"), bulk("range")],
      [
        bulk("spec"),
        map([[bulk("lastkey"), int(r.last)], [bulk("keystep"), int(r.step)], [bulk("limit"), int(r.limit)]]),
      ],
    ]);
  } else if ("keynum" in k.find) {
    const r = k.find.keynum;
    find = map([
      [bulk("type"), bulk("keynum")],
      [
        bulk("spec"),
        map([[bulk("keynumidx"), int(r.index)], [bulk("firstkey"), int(r.first)], [bulk("keystep"), int(r.step)]]),
      ],
    ]);
  } else {
    find = map([[bulk("type"), bulk("unknown")], [bulk("spec"), map([])]]);
  }
  fields.push([bulk("find_keys"), find]);
  return map(fields);
}

/** One COMMAND INFO entry: the 10-element array Valkey 7+ sends. */
function commandInfoReply(c: Command): Reply {
  const range = legacyKeyRange(c.spec.keys);
  const flags: Reply[] = [];
  const fromModule = moduleOfCommand(c) !== undefined;
  for (const f of FLAG_ORDER) {
    const on = f === "movablekeys" ? range.movable : f === "module" ? fromModule : c.flags.has(f as never);
    if (on) flags.push(simple(f));
  }
  const cats: Reply[] = [];
  for (const a of ACL_ORDER) if (c.aclCategories.includes(a)) cats.push(simple("@" + a));
  return array([
    bulk(c.fullName),
    int(c.spec.arity),
    set(flags),
    int(range.first),
    int(range.last),
    int(range.step),
    set(cats),
    set((c.spec.tips ?? []).map((t) => bulk(t))),
    set(c.spec.keys.map(keySpecReply)),
    c.subcommands ? array([...c.subcommands.values()].map(commandInfoReply)) : set([]),
  ]);
}

/** COMMAND DOCS `group` names (`sorted_set` is spelled `sorted-set` there). */
function groupName(c: Command): string {
  return c.spec.group === "sorted_set" ? "sorted-set" : c.spec.group;
}

/**
 * One COMMAND DOCS entry. Kite's table has no argument descriptions, history or deprecation
 * data, so `arguments`, `history` and `doc_flags` are absent, as Valkey omits empty fields.
 * A module command (FT.*) answers as Valkey answers for valkey-search's: group `module` and the
 * module's name, and no summary, since or complexity, which that module does not register
 * (it sets no `ValkeyModule_SetCommandInfo`).
 */
function commandDocsReply(c: Command): Reply {
  const fields: [Reply, Reply][] = [];
  const module = moduleOfCommand(c);
  if (module !== undefined) {
    fields.push([bulk("group"), bulk("module")], [bulk("module"), bulk(module.name)]);
    return map(fields);
  }
  if (c.spec.summary !== undefined) fields.push([bulk("summary"), bulk(c.spec.summary)]);
  fields.push([bulk("since"), bulk(c.spec.since)]);
  fields.push([bulk("group"), bulk(groupName(c))]);
  if (c.spec.complexity !== undefined) fields.push([bulk("complexity"), bulk(c.spec.complexity)]);
  if (c.subcommands) {
    fields.push([
      bulk("subcommands"),
      map([...c.subcommands.values()].map((s) => [bulk(s.fullName), commandDocsReply(s)] as const)),
    ]);
  }
  return map(fields);
}

/** Looks a command up by `name` or `container|sub`, case-insensitively. */
function lookupByFullName(engine: Engine, name: string): Command | undefined {
  const bar = name.indexOf("|");
  if (bar < 0) return engine.registry.get(name);
  const container = engine.registry.get(name.slice(0, bar));
  return container?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

/** Looks up the command an argv would run (`config get` -> `config|get`), like the dispatcher. */
function lookupArgv(engine: Engine, argv: readonly string[]): Command | undefined {
  const c = engine.registry.get(argv[0]!);
  if (c === undefined || c.subcommands === undefined || argv.length === 1) return c;
  return c.subcommands.get(argv[1]!.toLowerCase());
}

function command(ctx: CommandContext): Reply {
  return array([...ctx.engine.registry.all()].map(commandInfoReply));
}

function commandCount(ctx: CommandContext): Reply {
  return int(ctx.engine.registry.size);
}

function commandInfo(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length === 2) return command(ctx);
  return array(
    argv.slice(2).map((n) => {
      const c = lookupByFullName(ctx.engine, n);
      return c === undefined ? NULL : commandInfoReply(c);
    }),
  );
}

function commandDocs(ctx: CommandContext, argv: readonly string[]): Reply {
  const cmds = argv.length === 2
    ? [...ctx.engine.registry.all()]
    : argv.slice(2).map((n) => lookupByFullName(ctx.engine, n)).filter((c) => c !== undefined);
  return map(cmds.map((c) => [bulk(c.fullName), commandDocsReply(c)] as const));
}

function commandList(ctx: CommandContext, argv: readonly string[]): Reply {
  let filter: ((c: Command) => boolean) | undefined;
  for (let i = 2; i < argv.length; i++) {
    // FILTERBY must be the last three arguments, as in Valkey.
    if (argv[i]!.toLowerCase() !== "filterby" || argv.length - 1 - i !== 2) return SYNTAX;
    const kind = argv[i + 1]!.toLowerCase();
    const arg = argv[i + 2]!;
    if (kind === "module") {
      // The built-in search module's commands (FT.*); an unknown module has none.
      const module = builtinModule(arg);
      filter = (c) => module !== undefined && moduleOfCommand(c) === module;
    } else if (kind === "aclcat") {
      const cat = arg.toLowerCase();
      filter = (c) => c.aclCategories.includes(cat);
    } else if (kind === "pattern") {
      filter = (c) => globMatch(arg, c.fullName, true);
    } else {
      return SYNTAX;
    }
    i += 2;
  }
  const out: Reply[] = [];
  for (const c of ctx.engine.registry.flat()) {
    if (filter === undefined || filter(c)) out.push(bulk(c.fullName));
  }
  return array(out);
}

function getKeysGeneric(ctx: CommandContext, argv: readonly string[], withFlags: boolean): Reply {
  const target = argv.slice(2);
  const c = lookupArgv(ctx.engine, target);
  if (c === undefined) return error(E.INVALID_COMMAND);
  // Valkey: a command has keys when some key spec is not NOT_KEY (pub/sub channels are not keys).
  if (!c.spec.keys.some((k) => !k.flags.includes("NOT_KEY"))) return error(E.NO_KEY_ARGS);
  const arity = c.spec.arity;
  if ((arity > 0 && arity !== target.length) || target.length < -arity) return error(E.INVALID_COMMAND_ARGC);
  const keys = findKeys(c.spec, target, true);
  if (keys === null || keys.length === 0) {
    return c.flags.has("no_mandatory_keys") ? EMPTY_ARRAY : error(E.INVALID_COMMAND_ARGS);
  }
  return array(
    keys.map((k) => withFlags ? array([bulk(target[k.pos]!), keyFlagsReply(k.flags)]) : bulk(target[k.pos]!)),
  );
}

function commandGetkeys(ctx: CommandContext, argv: readonly string[]): Reply {
  return getKeysGeneric(ctx, argv, false);
}

function commandGetkeysandflags(ctx: CommandContext, argv: readonly string[]): Reply {
  return getKeysGeneric(ctx, argv, true);
}

const COMMAND_HELP = [
  "(no subcommand)",
  "    Describe every command.",
  "COUNT",
  "    Return how many commands the server has.",
  "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
  "    Return the names of all commands, or of those matching a filter.",
  "INFO [<command-name> ...]",
  "    Describe the named commands, or all of them.",
  "DOCS [<command-name> ...]",
  "    Return documentation for the named commands, or for all of them.",
  "GETKEYS <full-command>",
  "    Return the keys a full command line names.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys a full command line names, with their access flags.",
];

function commandHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, COMMAND_HELP);
}

// ---------------------------------------------------------------------------------------------
// SHUTDOWN
// ---------------------------------------------------------------------------------------------

// An accepted SHUTDOWN parks its client, as Valkey's blockClientShutdown does: no reply comes,
// the connection closes as the server goes. A caller that cannot wait (in-process, without a
// deliver callback) gets OK: the host's shutdown handler has been called.
const SHUTDOWN_STARTED: Blocked = Object.freeze({
  t: "blocked",
  keys: [],
  timeoutMs: 0,
  retry: () => undefined,
  timeoutReply: OK,
  nowaitReply: OK,
});

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | ABORT. Kite has no persistence and no replicas, so a
 * shutdown never saves (SAVE fails unless FORCE, see Engine.shutdown), never waits (NOW changes
 * nothing) and is therefore never in progress for ABORT to cancel. Valkey's refusal of SHUTDOWN
 * without NOW for a deny-blocking client cannot arise here: those are MULTI and script
 * clients, which the no_multi and noscript flags already turn away.
 */
function shutdown(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  let save = false;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  // Valkey accepts the tokens in any order, repeated.
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === "nosave") nosave = true;
    else if (a === "save") save = true;
    else if (a === "now") now = true;
    else if (a === "force") force = true;
    else if (a === "abort") abort = true;
    else return SYNTAX;
  }
  if ((abort && (save || nosave || now || force)) || (save && nosave)) return SYNTAX;
  if (abort) return error(E.NO_SHUTDOWN);
  const engine = ctx.engine;
  // A busy script can only be cut short without saving: its writes are half done.
  if (!nosave && engine.busyReply !== undefined) return engine.busyReply;
  const result = engine.shutdown({ save, nosave, now, force });
  if (result === "no-handler") return error(E.SHUTDOWN_NO_SERVER);
  if (result === "save-failed") return error(E.SHUTDOWN_FAILED);
  // SHUTDOWN NOSAVE under a busy script: Valkey exits in the middle of the script.
  stopScriptForShutdown(engine);
  return SHUTDOWN_STARTED;
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const CMD_SUB = "loading stale sentinel";
const ADMIN_SUB = "admin noscript loading stale";
const LATENCY_TIPS = ["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"];
const SHUTDOWN_FLAGS = "admin noscript loading stale no_multi sentinel allow_busy";
const ALL_NODES = ["request_policy:all_nodes", "response_policy:all_succeeded"];

/** The server group's table rows. */
export const SERVER_COMMANDS: readonly CommandSpec[] = [
  cmd("info", "server", -1, "loading stale sentinel", "dangerous", [], "1.0.0", info, {
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    complexity: "O(1)",
    summary: "Reports server information and statistics, section by section.",
  }),
  cmd("time", "server", 1, "loading stale fast", "", [], "2.6.0", time, {
    tips: ["nondeterministic_output"],
    complexity: "O(1)",
    summary: "Returns the server time as seconds and microseconds.",
  }),
  cmd("lastsave", "server", 1, "loading stale fast", "admin dangerous", [], "1.0.0", lastsave, {
    tips: ["nondeterministic_output"],
    complexity: "O(1)",
    summary: "Returns the Unix time of the last successful save.",
  }),
  cmd("debug", "server", -2, "admin noscript loading stale protected", "", [], "1.0.0", debug, {
    complexity: "Depends on subcommand.",
    summary: "Debugging helpers: sleep, object details, active expiry switch, log lines.",
  }),
  cmd("shutdown", "server", -1, SHUTDOWN_FLAGS, "", [], "1.0.0", shutdown, {
    kite: ["no-http"],
    complexity:
      "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    summary: "Stops the server: closes every connection and exits. Kite has no persistence, so nothing is saved.",
  }),
  cmd("failover", "server", -1, "admin noscript stale", "", [], "6.2.0", failover, {
    complexity: "O(1)",
    summary: "Hands the primary role to a replica (Kite has none, so it always fails).",
  }),
  cmd("role", "server", 1, "noscript loading stale fast sentinel", "admin dangerous", [], "2.8.12", role, {
    complexity: "O(1)",
    summary: "Returns the replication role: a primary, its replication offset and its replicas.",
  }),
  cmd("latency", "server", -2, "", "", [], "2.8.13", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Reports latency spikes and per-command run time distributions.",
    subcommands: [
      cmd("doctor", "server", 2, "admin noscript loading stale", "", [], "2.8.13", latencyDoctor, {
        tips: LATENCY_TIPS,
        complexity: "O(1)",
        summary: "Returns a report on the latency events recorded.",
      }),
      cmd("graph", "server", 3, "admin noscript loading stale", "", [], "2.8.13", latencyGraph, {
        tips: LATENCY_TIPS,
        complexity: "O(1)",
        summary: "Draws the samples of one latency event.",
      }),
      cmd("help", "server", 2, "loading stale", "", [], "2.8.13", latencyHelp, {
        complexity: "O(1)",
        summary: "Lists the LATENCY subcommands.",
      }),
      cmd("histogram", "server", -2, "admin noscript loading stale", "", [], "7.0.0", latencyHistogram, {
        tips: LATENCY_TIPS,
        complexity: "O(N) where N is the number of commands with latency information being retrieved.",
        summary: "Returns the cumulative distribution of commands' run times.",
      }),
      cmd("history", "server", 3, "admin noscript loading stale", "", [], "2.8.13", latencyHistory, {
        tips: LATENCY_TIPS,
        complexity: "O(1)",
        summary: "Returns the samples of one latency event.",
      }),
      cmd("latest", "server", 2, "admin noscript loading stale", "", [], "2.8.13", latencyLatest, {
        tips: LATENCY_TIPS,
        complexity: "O(1)",
        summary: "Returns each latency event's latest sample.",
      }),
      cmd("reset", "server", -2, "admin noscript loading stale", "", [], "2.8.13", latencyReset, {
        tips: ["request_policy:all_nodes", "response_policy:agg_sum"],
        complexity: "O(1)",
        summary: "Forgets the samples of latency events.",
      }),
    ],
  }),
  cmd("slowlog", "server", -2, "", "", [], "2.2.12", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Reads or clears the log of slow commands.",
    subcommands: [
      cmd("get", "server", -2, "admin loading stale", "", [], "2.2.12", slowlogGet, {
        tips: ["request_policy:all_nodes", "nondeterministic_output"],
        complexity: "O(N) where N is the number of entries returned",
        summary: "Returns the newest slow log entries.",
      }),
      cmd("len", "server", 2, "admin loading stale", "", [], "2.2.12", slowlogLen, {
        tips: ["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        complexity: "O(1)",
        summary: "Returns the number of slow log entries.",
      }),
      cmd("reset", "server", 2, "admin loading stale", "", [], "2.2.12", slowlogReset, {
        tips: ALL_NODES,
        complexity: "O(N) where N is the number of entries in the slowlog",
        summary: "Removes every slow log entry.",
      }),
      cmd("help", "server", 2, "loading stale", "", [], "6.2.0", slowlogHelp, {
        complexity: "O(1)",
        summary: "Lists the SLOWLOG subcommands.",
      }),
    ],
  }),
  cmd("config", "server", -2, "", "", [], "2.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Reads and changes the server configuration.",
    subcommands: [
      cmd("get", "server", -3, ADMIN_SUB, "", [], "2.0.0", configGet, {
        complexity: "O(N) when N is the number of configuration parameters provided",
        summary: "Returns the parameters matching glob patterns, with their values.",
      }),
      cmd("set", "server", -4, ADMIN_SUB, "", [], "2.0.0", configSet, {
        tips: ALL_NODES,
        complexity: "O(N) when N is the number of configuration parameters provided",
        summary: "Changes one or more parameters atomically.",
      }),
      cmd("resetstat", "server", 2, ADMIN_SUB, "", [], "2.0.0", configResetstat, {
        tips: ALL_NODES,
        complexity: "O(1)",
        summary: "Zeroes the statistics INFO reports.",
      }),
      cmd("rewrite", "server", 2, ADMIN_SUB, "", [], "2.8.0", configRewrite, {
        tips: ALL_NODES,
        complexity: "O(1)",
        summary: "Writes the running configuration back to the config file.",
      }),
      cmd("help", "server", 2, "loading stale", "", [], "5.0.0", configHelp, {
        complexity: "O(1)",
        summary: "Lists the CONFIG subcommands.",
      }),
    ],
  }),
  cmd("command", "server", -1, "loading stale sentinel", "connection", [], "2.8.13", command, {
    tips: ["nondeterministic_output_order"],
    complexity: "O(N) where N is the total number of commands",
    summary: "Describes every command.",
    subcommands: [
      cmd("count", "server", 2, CMD_SUB, "connection", [], "2.8.13", commandCount, {
        complexity: "O(1)",
        summary: "Returns the number of commands.",
      }),
      cmd("docs", "server", -2, CMD_SUB, "connection", [], "7.0.0", commandDocs, {
        tips: ["nondeterministic_output_order"],
        complexity: "O(N) where N is the number of commands to look up",
        summary: "Returns documentation for some or all commands.",
      }),
      cmd("getkeys", "server", -3, CMD_SUB, "connection", [], "2.8.13", commandGetkeys, {
        complexity: "O(N) where N is the number of arguments to the command",
        summary: "Extracts the key names from a full command line.",
      }),
      cmd("getkeysandflags", "server", -3, CMD_SUB, "connection", [], "7.0.0", commandGetkeysandflags, {
        complexity: "O(N) where N is the number of arguments to the command",
        summary: "Extracts the key names and their access flags from a full command line.",
      }),
      cmd("help", "server", 2, CMD_SUB, "connection", [], "5.0.0", commandHelp, {
        complexity: "O(1)",
        summary: "Lists the COMMAND subcommands.",
      }),
      cmd("info", "server", -2, CMD_SUB, "connection", [], "2.8.13", commandInfo, {
        tips: ["nondeterministic_output_order"],
        complexity: "O(N) where N is the number of commands to look up",
        summary: "Describes some or all commands.",
      }),
      cmd("list", "server", -2, CMD_SUB, "connection", [], "7.0.0", commandList, {
        tips: ["nondeterministic_output_order"],
        complexity: "O(N) where N is the total number of commands",
        summary: "Returns the names of all commands, optionally filtered.",
      }),
    ],
  }),
];
