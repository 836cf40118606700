/**
 * Runs a request's commands through the engine's dispatcher, adding only what a stateless HTTP
 * request needs on top of it: commands flagged `no-http` are refused, the read-only token's
 * permissions are enforced, and blocking commands wait no longer than the gateway allows.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Engine } from "../engine/engine.ts";
import type { Session } from "../engine/session.ts";
import type { Command } from "../commands/spec.ts";
import { array, bulk, error, type Reply } from "../protocol/reply.ts";
import { typeOf } from "../keyspace/db.ts";
import { E, fmt } from "../protocol/errors.ts";
import { type Access, readonlyAllows, USER_OF } from "./auth.ts";
import { HTTP_E, NO_HTTP_HINT } from "./errors.ts";

/** One request's execution context. */
export interface RunScope {
  readonly engine: Engine;
  readonly session: Session;
  readonly access: Access;
  /** Monotonic ms after which nothing may wait any more (the request timeout). */
  readonly deadline: number;
  /** Longest wait of one blocking command in ms (http-max-blocking-timeout); 0: never wait. */
  readonly maxBlockMs: number;
}

/** The current monotonic time in ms, from the engine's clock (faked in tests). */
export function monotonicMs(engine: Engine): number {
  return engine.clock.monotonicUs() / 1000;
}

/** Resolves a command (and subcommand) by name as the dispatcher does; undefined if unknown. */
export function resolveCommand(engine: Engine, argv: readonly string[]): Command | undefined {
  const cmd = engine.registry.get(argv[0]!);
  if (cmd === undefined || cmd.subcommands === undefined || argv.length < 2) return cmd;
  return cmd.subcommands.get(argv[1]!.toLowerCase());
}

/**
 * The gateway's own checks, run before the dispatcher's. Unknown commands and wrong arity are
 * left to the dispatcher, so they answer with its exact texts and in its order (arity comes
 * before permissions in Valkey too).
 * @returns an error reply when the command must not run, else undefined
 */
export function gatewayCheck(
  engine: Engine,
  cmd: Command | undefined,
  argv: readonly string[],
  access: Access,
): Reply | undefined {
  if (cmd === undefined) return undefined;
  const arity = cmd.spec.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return undefined;
  if (cmd.kite.has("no-http") || cmd.container?.kite.has("no-http")) {
    const name = cmd.container?.spec.name ?? cmd.spec.name;
    return reject(engine, cmd, fmt(HTTP_E.NO_HTTP, cmd.fullName, NO_HTTP_HINT[name] ?? ""));
  }
  return permissionCheck(engine, cmd, access);
}

/** The read-only token's permission check alone (stream endpoints, where no-http commands belong). */
export function permissionCheck(engine: Engine, cmd: Command, access: Access): Reply | undefined {
  if (access === "full" || readonlyAllows(cmd)) return undefined;
  return reject(engine, cmd, fmt(E.NOPERM_COMMAND, USER_OF.readonly, cmd.fullName));
}

/** Counts a refusal like the dispatcher's own (INFO commandstats rejected_calls, errorstats). */
function reject(engine: Engine, cmd: Command, msg: string): Reply {
  cmd.stats.rejectedCalls++;
  engine.countError(msg);
  engine.stats.totalCommandsProcessed++;
  return error(msg);
}

/** A command still waiting for its reply (a blocking command, or one CLIENT PAUSE holds). */
export interface Waiting {
  /** Settles with the final reply. */
  readonly reply: Promise<Reply>;
  /**
   * Ends the wait now (client gone, gateway closing): a parked blocking command answers its
   * timeout reply through the engine, as CLIENT UNBLOCK does; a held one is answered the same
   * reply directly (closing the session then drops the hold).
   */
  release(): void;
}

/**
 * Runs one command. A command the dispatcher answers at once returns its reply; a blocking one
 * (BLPOP ...) returns a {@link Waiting} that settles when it is served, when its own timeout
 * fires, or after the gateway's bound (the smaller of http-max-blocking-timeout and the time left
 * before the request deadline), whichever comes first: then it answers its usual timeout reply.
 */
export function runOne(scope: RunScope, argv: readonly string[]): Reply | Waiting {
  if (argv.length > 2 && isScanWithType(argv)) return scanWithType(scope, argv);
  const { engine, session } = scope;
  const cmd = resolveCommand(engine, argv);
  const refused = gatewayCheck(engine, cmd, argv, scope.access);
  if (refused !== undefined) return refused;
  let settle: ((r: Reply) => void) | undefined;
  let early: Reply | undefined;
  const r = engine.dispatch(session, argv, (reply) => {
    if (settle !== undefined) settle(reply);
    else early = reply;
  })!;
  if (r.t !== "blocked") return r;
  // Served within its own dispatch (the deliver already ran).
  if (early !== undefined) return early;
  const release = () => {
    if (engine.blocking.isBlocked(session)) engine.blocking.unblock(session, false);
    else settle?.(r.nowaitReply ?? r.timeoutReply);
  };
  const cap = Math.min(scope.maxBlockMs, scope.deadline - monotonicMs(engine));
  if (cap < 1) {
    // No time to wait: answer at once, as inside MULTI.
    if (engine.blocking.isBlocked(session)) engine.blocking.cancel(session);
    if (cmd !== undefined) cmd.stats.calls++;
    return r.nowaitReply ?? r.timeoutReply;
  }
  const reply = new Promise<Reply>((resolve) => {
    const timer = engine.scheduler.after(Math.ceil(cap), release);
    let done = false;
    settle = (x) => {
      if (done) return;
      done = true;
      timer.cancel();
      resolve(x);
    };
  });
  return { reply, release };
}

/** Whether `argv` is Upstash's `SCAN <cursor> ... WITHTYPE` (the extension ends the command). */
function isScanWithType(argv: readonly string[]): boolean {
  const last = argv[argv.length - 1]!;
  return last.length === 8 && last.toLowerCase() === "withtype" && argv[0]!.toLowerCase() === "scan";
}

/**
 * Upstash's `SCAN ... WITHTYPE` extension, which `@upstash/redis` sends for
 * `scan(cursor, { withType: true })`: the SCAN without it, each key followed by its type
 * (`[cursor, [key1, type1, ...]]`). It exists only on this door: over RESP, as in Valkey,
 * WITHTYPE is a syntax error. The types are read in the same turn as the scan, so they are the
 * types the scanned keys had then.
 */
function scanWithType(scope: RunScope, argv: readonly string[]): Reply {
  const r = runOne(scope, argv.slice(0, -1));
  if ("release" in r || r.t !== "array") return r as Reply;
  const [cursor, keys] = r.v;
  if (cursor === undefined || keys === undefined || keys.t !== "array") return r;
  const db = scope.engine.dbs[scope.session.db]!;
  const now = scope.engine.clock.now();
  const out: Reply[] = [];
  for (const k of keys.v) {
    if (k.t !== "bulk") continue;
    const key = typeof k.v === "string" ? k.v : Buffer.from(k.v).toString("latin1");
    const v = db.peek(key, now);
    out.push(k, bulk(v === undefined ? "none" : typeOf(v)));
  }
  return array([cursor, array(out)]);
}
