/**
 * MONITOR (Valkey group `server`): turns the connection into a monitor that receives every
 * command the server executes (see `engine/monitor.ts` for the line format and the rules).
 *
 * @module
 */
import { cmd, type CommandSpec } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { error, OK, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";

function monitor(ctx: CommandContext): Reply {
  const s = ctx.session;
  // Inside EXEC (scripts may not call MONITOR) the client expects one reply per queued
  // command, which a monitor cannot give: Valkey refuses MONITOR for a client that may not block.
  if (ctx.nested) return error(E.MONITOR_DENY_BLOCKING);
  // Valkey ignores a repeated MONITOR without answering at all. A handler always returns a
  // reply, so this one is dropped the way CLIENT REPLY SKIP drops the next reply (with replies
  // off or already skipped it is dropped anyway).
  if (!ctx.engine.monitor.add(s) && s.replyMode === "on") s.replyMode = "skip";
  return OK;
}

/** The MONITOR table row. */
export const MONITOR_COMMANDS: readonly CommandSpec[] = [
  cmd("monitor", "server", 1, "admin noscript loading stale", "", [], "1.0.0", monitor, {
    // Over HTTP a monitor is a server-sent event stream (POST /monitor), not a request.
    kite: ["no-http"],
    summary: "Streams every command the server runs to this connection.",
  }),
];
