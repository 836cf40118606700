/**
 * Transactions (Valkey group `transactions`): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * Queueing is the dispatcher's job (every command without `multi-passthrough` answers QUEUED
 * inside MULTI, and a command rejected while queueing dooms the transaction); EXEC runs the
 * queue here. The WATCH rules live in `engine/watch.ts`.
 *
 * @module
 */
import { type Blocked, cmd, type Command, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import type { QueuedCommand, Session } from "../engine/session.ts";
import { array, error, NULL_ARRAY, OK, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";
import { suspendedRun } from "../scripting/scripting.ts";

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
 * Runs the queued commands in order, atomically: no other client, timer or blocked client is
 * served in between. A command that fails at run time answers its error in place and the others
 * still run. A blocking command cannot wait here and answers at once as if it timed out.
 *
 * A queued script that passes `busy-reply-threshold` suspends as it does outside MULTI (Valkey
 * keeps serving other clients with BUSY, so SCRIPT KILL / FUNCTION KILL can reach it): EXEC then
 * returns {@link Blocked}, resumes its queue when the script ends (killed: its error takes the
 * script's slot) and answers the whole array at the end. Other clients only get BUSY meanwhile,
 * and the rest of the queue runs in the same turn as the script's end, so the unit stays atomic.
 */
function exec(ctx: CommandContext): Reply | Blocked {
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
  const tx = new Transaction(engine, s, queue, ctx.now);
  tx.runQueue();
  return tx.result ?? tx.blocked();
}

/** One EXEC's run through its queue, which may pause while a queued script is busy. */
class Transaction {
  readonly #engine: Engine;
  readonly #session: Session;
  readonly #queue: readonly QueuedCommand[];
  // The EXEC's command time: every queued command sees it, also after a pause.
  readonly #now: number;
  readonly #replies: Reply[] = [];
  #next = 0;
  // The suspended script the queue waits for, and its command.
  #pending: { readonly blocked: Blocked; readonly cmd: Command } | undefined;
  // False once the caller cannot wait: later scripts finish on the spot.
  #canWait = true;
  /** The EXEC reply, once every queued command has run. */
  result: Reply | undefined;

  constructor(engine: Engine, session: Session, queue: readonly QueuedCommand[], now: number) {
    this.#engine = engine;
    this.#session = session;
    this.#queue = queue;
    this.#now = now;
  }

  /** Runs queued commands until the end of the queue or a script that suspends. */
  runQueue(): void {
    const engine = this.#engine;
    const queue = this.#queue;
    while (this.#next < queue.length) {
      const q = queue[this.#next++]!;
      const r = engine.call(this.#session, q.cmd, q.argv);
      if (r.t !== "blocked") {
        this.#replies.push(r);
        continue;
      }
      const run = this.#canWait ? suspendedRun(r) : undefined;
      if (run !== undefined) {
        this.#pending = { blocked: r, cmd: q.cmd };
        run.onEnd = (reply) => this.#scriptEnded(q.cmd, reply);
        return;
      }
      this.#settle(q.cmd, r.nowaitReply ?? r.timeoutReply);
    }
    this.result = array(this.#replies);
  }

  // A command answered after engine.call returned (a script's end, a blocking command's
  // no-wait reply): its call is counted now, then its reply takes its slot.
  #settle(cmd: Command, reply: Reply): void {
    this.#engine.countLateReply(cmd, reply);
    this.#replies.push(reply);
  }

  // The busy script ended on its own (or was killed): the queue goes on in the same turn, and
  // once it is done the parked EXEC gets its array and the clients blocked on keys the
  // transaction changed, which waited for all of it, are served.
  #scriptEnded(cmd: Command, reply: Reply): void {
    this.#pending = undefined;
    this.#settle(cmd, reply);
    const engine = this.#engine;
    engine.resumeUnit(this.#session, this.#now, () => this.runQueue());
    if (this.result === undefined) return;
    engine.blocking.unblock(this.#session, false);
    if (engine.blocking.hasReady && engine.busyReply === undefined) engine.serveBlocked();
    if (engine.tracking.pendingBroadcasts) engine.tracking.flushBroadcasts();
  }

  // For a caller that cannot wait: the suspended script and every later one finish now.
  #finishNow(): Reply {
    if (this.result !== undefined) return this.result;
    this.#canWait = false;
    const { blocked, cmd } = this.#pending!;
    this.#pending = undefined;
    const run = suspendedRun(blocked);
    if (run !== undefined) run.onEnd = undefined;
    this.#settle(cmd, blocked.nowaitReply ?? blocked.timeoutReply);
    this.#engine.resumeUnit(this.#session, this.#now, () => this.runQueue());
    return this.result!;
  }

  /** The EXEC's own wait, delivered through the blocking manager once the queue is done. */
  blocked(): Blocked {
    const finishNow = (): Reply => this.#finishNow();
    const final = (): Reply => this.result ?? error(E.INTERNAL);
    return {
      t: "blocked",
      keys: [],
      timeoutMs: 0,
      retry: () => undefined,
      // Read when the queue is done; nothing else releases a transaction waiting for a busy
      // script (CLIENT UNBLOCK gets BUSY meanwhile).
      get timeoutReply(): Reply {
        return final();
      },
      get nowaitReply(): Reply {
        return finishNow();
      },
    };
  }
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
