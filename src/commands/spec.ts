/**
 * The command table's types. A command is data: name, arity, flags, key specs, ACL categories
 * and a handler; generic code (dispatcher, COMMAND, ACL, stats) reads it.
 *
 * @module
 */
import type { LatencyHistogram } from "../engine/latency.ts";
import type { Reply } from "../protocol/reply.ts";
import type { CommandContext } from "../engine/context.ts";

/** Valkey's command flags, lower-cased as COMMAND INFO prints them. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "asking"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "sentinel"
  | "only_sentinel"
  | "no_mandatory_keys"
  | "protected"
  | "no_async_loading"
  | "no_multi"
  | "touches_arbitrary_keys"
  | "allow_busy";

/**
 * Kite's own flags, replacing Valkey's identity checks on command procs (never printed by
 * COMMAND INFO).
 */
export type KiteFlag =
  /** Allowed for a RESP2 client in subscribed mode. */
  | "resp2-subscribed-ok"
  /** Runs immediately inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH...). */
  | "multi-passthrough"
  /** Meaningless on a stateless HTTP request. */
  | "no-http";

/** Key-spec flags as Valkey names them. */
export type KeyFlag =
  | "RO"
  | "RW"
  | "OW"
  | "RM"
  | "ACCESS"
  | "UPDATE"
  | "INSERT"
  | "DELETE"
  | "NOT_KEY"
  | "INCOMPLETE"
  | "VARIABLE_FLAGS";

/** Where the key search starts and how keys are found, exactly as Valkey's key specs. */
export interface KeySpec {
  readonly begin:
    | { readonly index: number }
    | { readonly keyword: string; readonly startFrom: number }
    | { readonly unknown: true };
  readonly find:
    | { readonly range: { readonly last: number; readonly step: number; readonly limit: number } }
    | { readonly keynum: { readonly index: number; readonly first: number; readonly step: number } }
    | { readonly unknown: true };
  readonly flags: readonly KeyFlag[];
  readonly notes?: string;
}

/** Valkey's command groups (COMMAND DOCS `group`). */
export type CommandGroup =
  | "generic"
  | "string"
  | "list"
  | "set"
  | "sorted_set"
  | "hash"
  | "pubsub"
  | "transactions"
  | "connection"
  | "server"
  | "scripting"
  | "hyperloglog"
  | "cluster"
  | "geo"
  | "stream"
  | "bitmap"
  | "search";

/**
 * What a blocking command returns when it cannot be served yet (BLPOP on empty lists). The
 * engine parks the client; whenever one of `keys` is modified it calls `retry`, in FIFO order
 * among the clients waiting on that key, until `retry` returns a reply or the timeout fires.
 */
export interface Blocked {
  readonly t: "blocked";
  /** Keys (in the session's selected database) whose modification may serve the client. */
  readonly keys: readonly string[];
  /** Milliseconds to wait; 0 waits forever. */
  readonly timeoutMs: number;
  /** Tries again; undefined while still not servable. Runs with a fresh context (db, now). */
  readonly retry: (ctx: CommandContext) => Reply | undefined;
  /** The reply on timeout. */
  readonly timeoutReply: Reply;
  /**
   * The reply at once where the client cannot wait (MULTI, scripts), when it differs from the
   * timeout reply: BLMOVE times out with a null array but answers a null bulk there.
   */
  readonly nowaitReply?: Reply;
}

/** A command handler: synchronous, returns a semantic reply (or {@link Blocked}). */
export type Handler = (ctx: CommandContext, argv: readonly string[]) => Reply | Blocked;

/** One row of the command table. */
export interface CommandSpec {
  /** Lower case; a subcommand's name is its own (`get`), its full name is `container|get`. */
  readonly name: string;
  readonly group: CommandGroup;
  /** N: exactly N arguments including the name; -N: at least N. */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly kite?: readonly KiteFlag[];
  /** Explicit ACL categories, lower case without `@`; implicit ones are derived. */
  readonly acl: readonly string[];
  readonly keys: readonly KeySpec[];
  /** Command tips as Valkey lists them (`nondeterministic_output`, `request_policy:all_shards`). */
  readonly tips?: readonly string[];
  readonly since: string;
  readonly complexity?: string;
  /** One line in our own words, for COMMAND DOCS. */
  readonly summary?: string;
  readonly run?: Handler;
  readonly subcommands?: readonly CommandSpec[];
  /**
   * Finds the keys when the key specs cannot (Valkey's `getkeys_proc`, e.g. SORT ... STORE);
   * null when the arguments are invalid.
   */
  readonly getKeys?: (argv: readonly string[]) => { pos: number; flags: readonly KeyFlag[] }[] | null;
}

/** A resolved table entry: the spec plus what the registry derives once. */
export interface Command {
  readonly spec: CommandSpec;
  /** `get` or `config|get`. */
  readonly fullName: string;
  readonly container: Command | undefined;
  readonly flags: ReadonlySet<CommandFlag>;
  readonly kite: ReadonlySet<KiteFlag>;
  /** Explicit plus implicit categories, lower case without `@`. */
  readonly aclCategories: readonly string[];
  readonly subcommands: ReadonlyMap<string, Command> | undefined;
  readonly movableKeys: boolean;
  /** Has the `protected` flag (checked for every command, so precomputed). */
  readonly isProtected: boolean;
  /** Has the `fast` flag: O(1) or O(log N), timed per batch rather than one by one. */
  readonly isFast: boolean;
  /** Has the `skip_slowlog` flag (checked after every command, so precomputed). */
  readonly skipSlowlog: boolean;
  /** Per-command statistics (INFO commandstats). */
  readonly stats: CommandStats;
}

/** Counters Valkey keeps per command. */
export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Run times (LATENCY HISTOGRAM, INFO latencystats); made on the first call timed. */
  histogram: LatencyHistogram | undefined;
}

/**
 * Builds a key spec of the common `index` + `range` form.
 * @param pos first key position
 * @param last last key relative to pos (0: one key, -1: up to the end, -2: all but the last)
 * @param step distance between keys
 * @param flags key flags, space separated (`RW ACCESS UPDATE`)
 */
export function rangeKey(pos: number, last: number, step: number, flags: string): KeySpec {
  return { begin: { index: pos }, find: { range: { last, step, limit: 0 } }, flags: splitFlags(flags) as KeyFlag[] };
}

/** Builds a key spec of the `index` + `keynum` form (numkeys argument precedes the keys). */
export function keynumKey(pos: number, keynumIdx: number, first: number, step: number, flags: string): KeySpec {
  return {
    begin: { index: pos },
    find: { keynum: { index: keynumIdx, first, step } },
    flags: splitFlags(flags) as KeyFlag[],
  };
}

/** Splits a space-separated flag list. */
export function splitFlags(s: string): string[] {
  return s.split(" ").filter((x) => x.length > 0);
}

/** Options of {@link cmd} beyond the required columns. */
export interface CmdExtra {
  kite?: readonly KiteFlag[];
  tips?: readonly string[];
  complexity?: string;
  summary?: string;
  subcommands?: readonly CommandSpec[];
  getKeys?: NonNullable<CommandSpec["getKeys"]>;
}

/**
 * Compact constructor for a table row.
 * @example
 * ```ts
 * cmd("get", 2, "readonly fast", "string", [rangeKey(1, 0, 1, "RO ACCESS")], "1.0.0", get)
 * ```
 */
export function cmd(
  name: string,
  group: CommandGroup,
  arity: number,
  flags: string,
  acl: string,
  keys: readonly KeySpec[],
  since: string,
  run: Handler | undefined,
  extra: CmdExtra = {},
): CommandSpec {
  return {
    name,
    group,
    arity,
    flags: splitFlags(flags) as CommandFlag[],
    acl: splitFlags(acl),
    keys,
    since,
    ...(run ? { run } : {}),
    ...extra,
  };
}
