/**
 * The configuration table: every parameter Kite accepts, its type, default, bounds and whether
 * CONFIG SET may change it. One table serves the config file, CLI flags and CONFIG GET/SET, so
 * the three can never disagree.
 *
 * Decisions (Valkey 8.1 has about 200 parameters; Kite lists only those it can honour):
 *
 * - Applied by Kite: `port`, `bind`, `unixsocket`, `databases`, `http-port`, `http-bind` (read
 *   once at start, so immutable here even where Valkey can rebind at run time); the gateway's
 *   `http-token`, `http-readonly-token`, `http-max-body`, `http-max-pipeline`,
 *   `http-request-timeout`, `http-max-blocking-timeout` (read at every request); `requirepass` (new AUTHs
 *   use the new password, authenticated sessions stay authenticated, as in Valkey); `maxclients`;
 *   `client-query-buffer-limit`; `proto-max-bulk-len` (a connection reads it when it opens);
 *   `hz` (clamped to 1..500 like Valkey, GET shows the clamped value); `active-expire-effort`;
 *   `timeout` (idle clients are closed by the cron); `protected-mode` (without a password, only
 *   loopback and Unix socket clients are accepted); `loglevel` (the engine filters its log);
 *   `enable-debug-command` and `enable-module-command` (the dispatcher enforces them, `no` by
 *   default as in Valkey: tests pass `yes`); `extended-redis-compatibility` (HELLO and INFO name Redis 7.2.4 instead of Valkey);
 *   `availability-zone` (HELLO and INFO report it); `notify-keyspace-events` (published by
 *   `keyspace/notify.ts`); `client-output-buffer-limit` (Valkey's syntax; a CONFIG SET naming
 *   some classes keeps the others, and the `pubsub` and `normal` limits disconnect slow RESP
 *   clients; `replica` is kept for when replication exists); `tracking-table-max-keys`;
 *   `slowlog-log-slower-than` and `slowlog-max-len` (SLOWLOG); `latency-monitor-threshold`,
 *   `latency-tracking` and `latency-tracking-info-percentiles` (LATENCY, INFO latencystats).
 * - Memory limit and eviction (`src/engine/eviction.ts`): `maxmemory`, `maxmemory-policy`,
 *   `maxmemory-samples`, `maxmemory-eviction-tenacity` (the time one eviction pass may take),
 *   `lazyfree-lazy-eviction` (whether an eviction pass re-reads the heap every 16 keys, as
 *   Valkey does while a background thread frees evicted values: here the runtime's collector);
 *   `lfu-log-factor`, `lfu-decay-time` (LFU counters, OBJECT FREQ).
 * - Stored and validated now, honoured by subsystems that read them: the encoding thresholds
 *   `*-max-listpack-*`, `*-max-ziplist-*` aliases, `set-max-intset-entries`,
 *   `list-compress-depth`, `stream-node-max-*`, `hll-sparse-max-bytes` (they only change what
 *   OBJECT ENCODING reports).
 * - The other `lazyfree-lazy-*` and `replica-lazy-flush`: accepted with Valkey 8's defaults
 *   (`yes`). In a garbage-collected runtime freeing is always deferred, so both settings
 *   behave the same.
 * - Persistence: Kite does not persist yet. `save` accepts only "" and `appendonly` only `no`;
 *   anything else fails with a reason instead of being stored and ignored.
 * - Left out because nothing in Kite would act on them (CONFIG GET shows nothing, CONFIG SET
 *   answers "Unknown option"): `dir`, `dbfilename`, `appendfsync` and the other RDB/AOF knobs, `tcp-keepalive`, `tcp-backlog`, TLS, cluster,
 *   replication, ACL, `io-threads`, `dynamic-hz`, `activerehashing`, `activedefrag`,
 *   `maxmemory-clients`. Each belongs in this table once the feature that reads it exists.
 * - `busy-reply-threshold` (alias `lua-time-limit`): scripts past it yield to the event loop
 *   and other clients get BUSY (src/scripting/scripting.ts).
 *
 * @module
 */
import { keyspaceEventsFlagsToString, keyspaceEventsStringToFlags, NOTIFY } from "../keyspace/notify.ts";

/** How a parameter's text is parsed and printed. */
export type ConfigType = "int" | "memory" | "bool" | "string" | "enum";

/** Outcome of a parameter-specific check: the canonical value to store, or Valkey's reason. */
export type ConfigCheck = (value: string) => string | { reason: string };

/** One configuration parameter. */
export interface ConfigParam {
  readonly name: string;
  /** Old names that still work (`list-max-ziplist-size`); CONFIG GET lists them too. */
  readonly aliases?: readonly string[];
  readonly type: ConfigType;
  /** The default, in the canonical form CONFIG GET prints. */
  readonly default: string;
  /** Inclusive bounds of int and memory parameters, as int64 values. */
  readonly min?: bigint;
  readonly max?: bigint;
  /** Allowed values of an enum parameter, in the order Valkey lists them in errors. */
  readonly values?: readonly string[];
  /** False when only the config file or the command line may set it (Valkey's IMMUTABLE_CONFIG). */
  readonly mutable: boolean;
  /** Valkey's SENSITIVE_CONFIG: the value is a secret (redacted from logs and MONITOR). */
  readonly sensitive?: boolean;
  /** Extra validation and normalization after the type's own parsing. */
  readonly check?: ConfigCheck;
  /**
   * How CONFIG GET (and a config rewrite) prints the stored value, when that differs from the
   * value the server works with (`notify-keyspace-events`: `An` is stored, `A` is shown).
   */
  readonly display?: (stored: string) => string;
  /**
   * The config-file lines CONFIG REWRITE writes for the stored value, when the type's single
   * `name value` line is not Valkey's form (`bind` unquoted, `save`, one
   * `client-output-buffer-limit` line per class). An empty list: the file should not mention
   * the parameter.
   */
  readonly rewrite?: (stored: string, p: ConfigParam) => readonly RewriteLine[];
}

/** One line CONFIG REWRITE writes; `force`: append it even where the file does not mention the parameter. */
export interface RewriteLine {
  readonly line: string;
  readonly force: boolean;
}

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

/**
 * Parses a `notify-keyspace-events` value into the form Kite stores: Valkey's printed spelling
 * (`KEA` -> `AKE`), except that `n` is kept after `A` (`KEAn` -> `AnKE`). Valkey keeps the class
 * bits and prints them with `keyspaceEventsFlagsToString`, which drops `n` beside `A`; storing
 * that printed text would lose new-key events, so CONFIG GET prints through
 * {@link displayNotifyEvents} instead.
 */
export function normalizeNotifyEvents(value: string): string | { reason: string } {
  const flags = keyspaceEventsStringToFlags(value);
  if (flags < 0) return { reason: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  const shown = keyspaceEventsFlagsToString(flags);
  return shown.startsWith("A") && (flags & NOTIFY.NEW) !== 0 ? "An" + shown.slice(1) : shown;
}

/** What CONFIG GET shows for a stored `notify-keyspace-events` value (Valkey's printed form). */
export function displayNotifyEvents(stored: string): string {
  return keyspaceEventsFlagsToString(keyspaceEventsStringToFlags(stored));
}

/** Output buffer limits of one client class, in bytes and seconds (0: no limit). */
export interface OutputBufferLimit {
  readonly hard: number;
  readonly soft: number;
  readonly softSeconds: number;
}

/** The classes `client-output-buffer-limit` configures, in Valkey's print order and names. */
export const OUTPUT_BUFFER_CLASSES = ["normal", "slave", "pubsub"] as const;

/** One of {@link OUTPUT_BUFFER_CLASSES}. */
export type OutputBufferClass = typeof OUTPUT_BUFFER_CLASSES[number];

/**
 * Parses a `client-output-buffer-limit` value: groups of `<class> <hard> <soft> <seconds>`,
 * with memory units, class `replica` or `slave` for replicas (`master` is refused). Checks every
 * group before accepting any, as Valkey does.
 * @returns the limits of the classes named, in order, or Valkey's reason
 */
export function parseOutputBufferLimits(
  value: string,
): [OutputBufferClass, OutputBufferLimit][] | { reason: string } {
  const args = value.split(" ").filter((a) => a.length > 0);
  if (args.length % 4 !== 0) return { reason: "Wrong number of arguments in buffer limit configuration." };
  const out: [OutputBufferClass, OutputBufferLimit][] = [];
  for (let i = 0; i < args.length; i += 4) {
    const name = args[i]!.toLowerCase();
    const cls = name === "replica" ? "slave" : OUTPUT_BUFFER_CLASSES.find((c) => c === name);
    if (cls === undefined) return { reason: "Invalid client class specified in buffer limit configuration." };
    const hard = parseMemoryText(args[i + 1]!);
    const soft = parseMemoryText(args[i + 2]!);
    const secs = args[i + 3]!;
    if (hard === null || soft === null || !/^\d+$/.test(secs) || secs.length > 18) {
      return { reason: "Error in hard, soft or soft_seconds setting in buffer limit configuration." };
    }
    out.push([cls, { hard, soft, softSeconds: Number(secs) }]);
  }
  return out;
}

/** Formats limits in Valkey's CONFIG GET form (`normal 0 0 0 slave 268435456 ...`). */
export function formatOutputBufferLimits(limits: readonly (readonly [OutputBufferClass, OutputBufferLimit])[]): string {
  return limits.map(([c, l]) => `${c} ${l.hard} ${l.soft} ${l.softSeconds}`).join(" ");
}

/** `bytes` as valkey.conf writes memory: in gb, mb or kb when it is an exact multiple. */
export function formatConfigMemory(bytes: bigint): string {
  if (bytes !== 0n) {
    for (const [unit, size] of [["gb", 1n << 30n], ["mb", 1n << 20n], ["kb", 1n << 10n]] as const) {
      if (bytes % size === 0n) return `${bytes / size}${unit}`;
    }
  }
  return String(bytes);
}

// Valkey's memtoull for these limits: digits with an optional unit (b, k, kb, m, mb, g, gb).
function parseMemoryText(text: string): number | null {
  const m = /^(\d{1,20})([a-zA-Z]*)$/.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const mult = unit === "" || unit === "b"
    ? 1
    : unit === "k"
    ? 1000
    : unit === "kb"
    ? 1024
    : unit === "m"
    ? 1e6
    : unit === "mb"
    ? 1024 * 1024
    : unit === "g"
    ? 1e9
    : unit === "gb"
    ? 1024 * 1024 * 1024
    : 0;
  return mult === 0 ? null : Number(m[1]) * mult;
}

function checkOutputBufferLimits(value: string): string | { reason: string } {
  const parsed = parseOutputBufferLimits(value);
  return "reason" in parsed ? parsed : formatOutputBufferLimits(parsed);
}

/** `save`: Valkey's syntax check, then Kite's refusal of any snapshot schedule (no persistence). */
/** A percentile as Valkey prints it: `%f` without trailing zeros (`99.9`, `50`). */
export function formatPercentile(p: number): string {
  return p.toFixed(6).replace(/\.?0+$/, "");
}

// Space-separated percentiles (C strtod syntax), each within [0, 100]; "" for none.
function checkPercentiles(value: string): string | { reason: string } {
  const parts = value.split(" ").filter((a) => a.length > 0);
  const out: string[] = [];
  for (const a of parts) {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(a) ? Number(a) : NaN;
    if (Number.isNaN(n)) return { reason: "Invalid latency-tracking-info-percentiles parameters" };
    if (n < 0 || n > 100) {
      return { reason: "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]" };
    }
    out.push(formatPercentile(n));
  }
  return out.join(" ");
}

// Valkey writes the addresses unquoted, and nothing at all for the default.
function rewriteBind(stored: string, p: ConfigParam): RewriteLine[] {
  return stored === p.default ? [] : [{ line: `bind ${stored === "" ? '""' : stored}`, force: true }];
}

// One line per class that differs from its default (or that the file already has), `slave`
// named `replica`, sizes in Valkey's units.
function rewriteOutputBufferLimits(stored: string, p: ConfigParam): RewriteLine[] {
  const now = parseOutputBufferLimits(stored);
  const defaults = parseOutputBufferLimits(p.default);
  if ("reason" in now || "reason" in defaults) return [];
  return OUTPUT_BUFFER_CLASSES.flatMap((cls) => {
    const l = now.find(([c]) => c === cls)?.[1];
    const d = defaults.find(([c]) => c === cls)![1];
    if (l === undefined) return [];
    const force = l.hard !== d.hard || l.soft !== d.soft || l.softSeconds !== d.softSeconds;
    const name = cls === "slave" ? "replica" : cls;
    const hard = formatConfigMemory(BigInt(l.hard));
    const soft = formatConfigMemory(BigInt(l.soft));
    return [{ line: `client-output-buffer-limit ${name} ${hard} ${soft} ${l.softSeconds}`, force }];
  });
}

// Always written, so a Valkey reading the file does not fall back to its default snapshots.
function rewriteSave(stored: string): RewriteLine[] {
  return [{ line: stored === "" ? 'save ""' : `save ${stored}`, force: true }];
}

function checkSave(value: string): string | { reason: string } {
  const args = value.split(" ").filter((a) => a.length > 0);
  if (args.length === 0) return "";
  if (args.length % 2 !== 0) return { reason: "Invalid save parameters" };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!/^-?\d+$/.test(a)) return { reason: "Invalid save parameters" };
    const n = BigInt(a);
    if ((i % 2 === 0 && n < 1n) || (i % 2 === 1 && n < 0n)) return { reason: "Invalid save parameters" };
  }
  return { reason: "Kite does not persist data yet: only an empty save schedule is supported" };
}

function checkAppendonly(value: string): string | { reason: string } {
  return value === "no" ? value : { reason: "Kite does not persist data yet: appendonly must be 'no'" };
}

/** `bind` is a list; Valkey stores and prints it space separated. */
function checkBind(value: string): string {
  return value.split(" ").filter((a) => a.length > 0).join(" ");
}

const MAXMEMORY_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
] as const;

function bool(name: string, def: "yes" | "no", extra: Partial<ConfigParam> = {}): ConfigParam {
  return { name, type: "bool", default: def, mutable: true, ...extra };
}

function int(name: string, def: number, min: bigint, max: bigint, extra: Partial<ConfigParam> = {}): ConfigParam {
  return { name, type: "int", default: String(def), min, max, mutable: true, ...extra };
}

function memory(name: string, def: number, min: bigint, max: bigint, extra: Partial<ConfigParam> = {}): ConfigParam {
  return { name, type: "memory", default: String(def), min, max, mutable: true, ...extra };
}

/** Kite's parameters. Defaults, bounds and names are Valkey 8.1's unless the header says otherwise. */
export const CONFIG_PARAMS: readonly ConfigParam[] = [
  // Network and clients.
  int("port", 6379, 0n, 65535n, { mutable: false }),
  { name: "bind", type: "string", default: "127.0.0.1", mutable: false, check: checkBind, rewrite: rewriteBind },
  { name: "unixsocket", type: "string", default: "", mutable: false },
  // The HTTP gateway (Kite's own; see src/http/app.ts). -1 leaves it off; 0 picks a free port.
  int("http-port", -1, -1n, 65535n, { mutable: false }),
  // Addresses of the gateway, in `bind` syntax; empty: the same addresses as `bind`.
  { name: "http-bind", type: "string", default: "", mutable: false, check: checkBind },
  // Bearer tokens. Empty http-token: requirepass (if set) is the full-access token; with no
  // token at all the gateway is open, and refuses to start on a non-loopback address.
  { name: "http-token", type: "string", default: "", mutable: true, sensitive: true },
  { name: "http-readonly-token", type: "string", default: "", mutable: true, sensitive: true },
  // Request limits: body bytes, commands per /pipeline or /multi-exec, ms per request (0: no
  // limit), and the longest wait of a blocking command in ms (0: answer at once, as in MULTI).
  memory("http-max-body", 10 * 1024 * 1024, 1024n, 1024n * 1024n * 1024n),
  int("http-max-pipeline", 10000, 1n, INT_MAX),
  int("http-request-timeout", 60000, 0n, INT_MAX),
  int("http-max-blocking-timeout", 30000, 0n, INT_MAX),
  int("maxclients", 10000, 1n, UINT_MAX),
  // Without a password, only loopback and Unix socket clients may connect (src/server/server.ts).
  bool("protected-mode", "yes"),
  int("timeout", 0, 0n, INT_MAX),
  memory("client-query-buffer-limit", 1024 * 1024 * 1024, 1024n * 1024n, LONG_MAX),
  {
    name: "client-output-buffer-limit",
    type: "string",
    default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    mutable: true,
    check: checkOutputBufferLimits,
    rewrite: rewriteOutputBufferLimits,
  },
  int("tracking-table-max-keys", 1000000, 0n, LONG_MAX),
  // SLOWLOG (src/engine/slowlog.ts): negative turns it off, 0 logs every command.
  int("slowlog-log-slower-than", 10000, -1n, LONG_MAX),
  int("slowlog-max-len", 128, 0n, LONG_MAX),
  // LATENCY (src/engine/latency.ts): events of at least this many ms (0: off); per-command
  // histograms and the percentiles INFO latencystats prints.
  int("latency-monitor-threshold", 0, 0n, LONG_MAX),
  bool("latency-tracking", "yes"),
  {
    name: "latency-tracking-info-percentiles",
    type: "string",
    default: "50 99 99.9",
    mutable: true,
    check: checkPercentiles,
    // Always written, unquoted ("" for none), as Valkey does.
    rewrite: (stored) => [{ line: `latency-tracking-info-percentiles ${stored === "" ? '""' : stored}`, force: true }],
  },
  memory("proto-max-bulk-len", 512 * 1024 * 1024, 1024n * 1024n, LONG_MAX),
  { name: "requirepass", type: "string", default: "", mutable: true, sensitive: true },
  { name: "availability-zone", type: "string", default: "", mutable: true },
  bool("extended-redis-compatibility", "no"),
  {
    name: "enable-debug-command",
    type: "enum",
    default: "no",
    values: ["no", "yes", "local"],
    mutable: false,
  },
  {
    name: "enable-module-command",
    type: "enum",
    default: "no",
    values: ["no", "yes", "local"],
    mutable: false,
  },

  // Keyspace and background work.
  int("databases", 16, 1n, INT_MAX, { mutable: false }),
  int("hz", 10, 0n, INT_MAX, {
    // Valkey keeps the configured value within 1..500 (updateHZ), and CONFIG GET shows that.
    check: (v) => String(Math.min(500, Math.max(1, Number(v)))),
  }),
  int("active-expire-effort", 1, 1n, 10n),
  {
    name: "notify-keyspace-events",
    type: "string",
    default: "",
    mutable: true,
    check: normalizeNotifyEvents,
    display: displayNotifyEvents,
  },
  {
    name: "loglevel",
    type: "enum",
    default: "notice",
    values: ["debug", "verbose", "notice", "warning", "nothing"],
    mutable: true,
  },

  // Memory limits and eviction.
  memory("maxmemory", 0, 0n, ULLONG_MAX),
  { name: "maxmemory-policy", type: "enum", default: "noeviction", values: MAXMEMORY_POLICIES, mutable: true },
  int("maxmemory-samples", 5, 1n, 64n),
  int("maxmemory-eviction-tenacity", 10, 0n, 100n),
  int("lfu-log-factor", 10, 0n, INT_MAX),
  int("lfu-decay-time", 1, 0n, INT_MAX),
  bool("lazyfree-lazy-eviction", "yes"),
  bool("lazyfree-lazy-expire", "yes"),
  bool("lazyfree-lazy-server-del", "yes"),
  bool("lazyfree-lazy-user-del", "yes"),
  bool("lazyfree-lazy-user-flush", "yes"),
  bool("replica-lazy-flush", "yes", { aliases: ["slave-lazy-flush"] }),

  // Encodings (what OBJECT ENCODING reports).
  int("hash-max-listpack-entries", 512, 0n, LONG_MAX, { aliases: ["hash-max-ziplist-entries"] }),
  memory("hash-max-listpack-value", 64, 0n, LONG_MAX, { aliases: ["hash-max-ziplist-value"] }),
  int("list-max-listpack-size", -2, INT_MIN, INT_MAX, { aliases: ["list-max-ziplist-size"] }),
  int("list-compress-depth", 0, 0n, INT_MAX),
  int("set-max-intset-entries", 512, 0n, LONG_MAX),
  int("set-max-listpack-entries", 128, 0n, LONG_MAX),
  int("set-max-listpack-value", 64, 0n, LONG_MAX),
  int("zset-max-listpack-entries", 128, 0n, LONG_MAX, { aliases: ["zset-max-ziplist-entries"] }),
  memory("zset-max-listpack-value", 64, 0n, LONG_MAX, { aliases: ["zset-max-ziplist-value"] }),
  memory("stream-node-max-bytes", 4096, 0n, LONG_MAX),
  int("stream-node-max-entries", 100, 0n, LONG_MAX),
  memory("hll-sparse-max-bytes", 3000, 0n, LONG_MAX),

  // Scripting: a script running longer than this (ms) makes other clients get BUSY; 0 never.
  int("busy-reply-threshold", 5000, 0n, LONG_MAX, { aliases: ["lua-time-limit"] }),

  // Persistence (none yet).
  { name: "save", type: "string", default: "", mutable: true, check: checkSave, rewrite: rewriteSave },
  bool("appendonly", "no", { check: checkAppendonly }),
];
