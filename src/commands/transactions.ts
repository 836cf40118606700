/**
 * Transactions (Valkey group `transactions`): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Queueing is the dispatcher's job (every command without `multi-passthrough` answers QUEUED
 * inside MULTI, and a command rejected while queueing dooms the transaction); EXEC runs the
 * queue here. The WATCH rules live in `engine/watch.ts`.
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { array, error, NULL_ARRAY, OK, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";

function multi(ctx: CommandContext): Reply {
  const s = ctx.session;
  // MULTI inside MULTI never gets here: it is flagged `no_multi`.
  s.multiQueued = 0;
  s.multiBytes = 0;
  s.multiQueue = undefined;
  s.multiAborted = false;
  return OK;
}

/**
 * Runs the queued commands in order, atomically: every command runs within this one call, so
 * no other client, timer or blocked client is served in between. A command that fails at run
 * time answers its error in place and the others still run. A blocking command cannot wait
 * here and answers at once as if it timed out.
 */
function exec(ctx: CommandContext): Reply {
  const s = ctx.session;
  const engine = ctx.engine;
  if (s.multiQueued < 0) return error(E.EXEC_WITHOUT_MULTI);
  // A key that expired since WATCH counts as modified (Valkey 7+).
  if (!s.dirtyCas && s.watchedKeys > 0 && engine.watches.expiredSinceWatch(s, ctx.now)) s.dirtyCas = true;
  if (s.multiAborted || s.dirtyCas) {
    const reply = s.multiAborted ? error(E.EXECABORT) : NULL_ARRAY;
    engine.discardTransaction(s);
    return reply;
  }
  const queue = s.multiQueue ?? [];
  // Watches are dropped before running: the transaction's own writes must not matter.
  engine.discardTransaction(s);
  const replies: Reply[] = [];
  for (const q of queue) {
    const r = engine.call(s, q.cmd, q.argv);
    if (r.t === "blocked") {
      q.cmd.stats.calls++;
      replies.push(r.nowaitReply ?? r.timeoutReply);
    } else {
      replies.push(r);
    }
  }
  return array(replies);
}

function discard(ctx: CommandContext): Reply {
  if (ctx.session.multiQueued < 0) return error(E.DISCARD_WITHOUT_MULTI);
  ctx.engine.discardTransaction(ctx.session);
  return OK;
}

function watch(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = ctx.session;
  // Already doomed: watching more cannot change the outcome.
  if (s.dirtyCas) return OK;
  for (let i = 1; i < argv.length; i++) ctx.engine.watches.watch(s, ctx.db, argv[i]!, ctx.now);
  return OK;
}

function unwatch(ctx: CommandContext): Reply {
  ctx.engine.watches.unwatchAll(ctx.session);
  ctx.session.dirtyCas = false;
  return OK;
}

const FLAGS = "noscript loading stale fast allow_busy";

/** The transactions group's table rows. */
export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [
  cmd(
    "multi",
    "transactions",
    1,
    "noscript loading stale fast no_multi allow_busy",
    "transaction",
    [],
    "1.2.0",
    multi,
    {
      kite: ["multi-passthrough", "no-http"],
      complexity: "O(1)",
      summary: "Starts a transaction: later commands are queued until EXEC.",
    },
  ),
  cmd("exec", "transactions", 1, "noscript loading stale skip_slowlog", "transaction", [], "1.2.0", exec, {
    kite: ["multi-passthrough", "no-http"],
    complexity: "Depends on commands in the transaction",
    summary: "Runs the queued commands atomically, unless a watched key changed.",
  }),
  cmd("discard", "transactions", 1, FLAGS, "transaction", [], "2.0.0", discard, {
    kite: ["multi-passthrough", "no-http"],
    complexity: "O(N), when N is the number of queued commands",
    summary: "Drops the queued commands and leaves the transaction.",
  }),
  cmd(
    "watch",
    "transactions",
    -2,
    "noscript loading stale fast no_multi allow_busy",
    "transaction",
    [rangeKey(1, -1, 1, "RO")],
    "2.2.0",
    watch,
    {
      kite: ["multi-passthrough", "no-http"],
      complexity: "O(1) for every key.",
      summary: "Makes the next EXEC fail if any of the keys changes first.",
    },
  ),
  cmd("unwatch", "transactions", 1, FLAGS, "transaction", [], "2.2.0", unwatch, {
    kite: ["no-http"],
    complexity: "O(1)",
    summary: "Forgets every watched key.",
  }),
];
