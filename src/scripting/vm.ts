/**
 * What the scripting commands need from a script VM, independent of the Lua binding behind it:
 * compiled functions as opaque handles, runs that either finish or suspend (busy scripts), and
 * the callbacks a running script makes into the server.
 *
 * @module
 */
import type { Reply } from "../protocol/reply.ts";

/** A compiled function inside a VM (a Lua registry reference). */
export type FunctionHandle = number;

/**
 * Flags a script may declare (`#!lua flags=...`) or a function may register
 * (`allow-key-locking`: EVAL shebangs only, see {@link SHEBANG_FLAGS}).
 */
export type ScriptFlag =
  | "no-writes"
  | "allow-oom"
  | "allow-stale"
  | "no-cluster"
  | "allow-cross-slot-keys"
  | "allow-key-locking";

/** Every script flag in Valkey's order (`scripts_flags_def`), as FUNCTION LIST prints them. */
export const SCRIPT_FLAGS: readonly ScriptFlag[] = [
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
];

/**
 * The flags an EVAL shebang accepts: Valkey's, plus Upstash's `allow-key-locking`, which
 * `@upstash/ratelimit` (2.1 and later) and other Upstash clients put in their scripts' shebang.
 *
 * On Upstash the flag lets the server lock only the keys named in KEYS while the script runs,
 * so other keys stay usable by concurrent commands; in exchange the script promises to touch no
 * other key. Kite accepts it and does not enforce that promise: Kite runs every script alone,
 * holding the whole keyspace, so a script touching an undeclared key can race with nothing, and
 * there is no narrower lock for the flag to grant. Enforcing it would refuse scripts that run
 * correctly here with an error text Upstash does not document. The flag makes the script a
 * shebang script (Valkey's rules for flagged scripts, not compat mode), as any shebang does.
 * FUNCTION libraries cannot register it (Upstash has no functions).
 */
export const SHEBANG_FLAGS: readonly ScriptFlag[] = [...SCRIPT_FLAGS, "allow-key-locking"];

/** The callbacks a running script makes into the server. */
export interface ScriptHost {
  /** `redis.call`/`redis.pcall`: runs a command; a string is a script-level error (no code). */
  call(argv: string[]): Reply | string;
  /** Protocol the script reads replies in (`redis.setresp`). */
  resp: 2 | 3;
  /** Propagation flags (`redis.set_repl`); stored, as Kite has no replication yet. */
  replFlags: number;
  /** Logs a line at a Valkey level (0 debug ... 3 warning). */
  log(level: number, msg: string): void;
  /** Called by the VM's instruction hook; may ask the VM to yield or to abort the script. */
  tick(): "continue" | "yield" | "kill";
  /** The error a killed run raises inside the script. */
  readonly killMessage: string;
  /** The script's name in error replies (`script: <name>`): its SHA1 or the function name. */
  readonly name: string;
  /** The error replies found in the script's reply, filled in as it is converted. */
  readonly errors: ErrorTally;
}

/**
 * The error replies a script's reply holds (at any depth), sorted the way Valkey's
 * `afterErrorReply` counts them: an error table marked `ignore_error_stats_update` (an error a
 * command called by the script returned, already counted then) only makes the script a failed
 * call, once per such error; any other error is counted in the error statistics when sent, and
 * makes the script a failed call once in all.
 */
export interface ErrorTally {
  /** Errors passed on from `redis.call`/`redis.pcall`. */
  passedOn: number;
  /** Texts of the errors the script made itself (`CODE message`). */
  readonly own: string[];
}

/** A function registered by `redis.register_function` during FUNCTION LOAD. */
export interface RegisteredFunction {
  name: string;
  handle: FunctionHandle;
  description: string | undefined;
  flags: ScriptFlag[];
}

/** The outcome of starting or resuming a run. */
export type RunOutcome = { done: Reply } | { suspended: true };
