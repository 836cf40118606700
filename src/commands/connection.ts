/**
 * Connection commands (Valkey group `connection`).
 *
 * @module
 */
import { cmd, type CommandSpec } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { bulk, PONG, type Reply } from "../protocol/reply.ts";

function ping(_ctx: CommandContext, argv: readonly string[]): Reply {
  return argv.length > 1 ? bulk(argv[1]!) : PONG;
}

/** The connection group's table rows. */
export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  cmd("ping", "connection", -1, "fast", "connection", [], "1.0.0", ping, {
    kite: ["resp2-subscribed-ok"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
  }),
];
