/**
 * MONITOR (Valkey group `server`): turns the connection into a monitor that receives every
 * command the server executes (see `engine/monitor.ts` for the line format and the rules).
 *
 * @module
 */
import { cmd, type CommandSpec } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { OK, type Reply } from "../protocol/reply.ts";

function monitor(ctx: CommandContext): Reply {
  // Valkey ignores a repeated MONITOR without answering at all; Kite's handlers always answer,
  // so a repeated MONITOR answers OK and changes nothing.
  ctx.engine.monitor.add(ctx.session);
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
