/**
 * String commands (Valkey group `string`).
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { bulk, NULL, OK, type Reply } from "../protocol/reply.ts";
import { WRONGTYPE } from "../protocol/errors.ts";

function get(ctx: CommandContext, argv: readonly string[]): Reply {
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  if (v === undefined) return NULL;
  if (typeof v === "string" || v instanceof Uint8Array) return bulk(v);
  return WRONGTYPE;
}

function set(ctx: CommandContext, argv: readonly string[]): Reply {
  ctx.db.set(argv[1]!, argv[2]!, ctx.now);
  ctx.touched(argv[1]!, "set");
  return OK;
}

/** The string group's table rows. */
export const STRING_COMMANDS: readonly CommandSpec[] = [
  cmd("get", "string", 2, "readonly fast", "string", [rangeKey(1, 0, 1, "RO ACCESS")], "1.0.0", get),
  cmd(
    "set",
    "string",
    -3,
    "write denyoom",
    "string",
    [rangeKey(1, 0, 1, "RW ACCESS UPDATE VARIABLE_FLAGS")],
    "1.0.0",
    set,
  ),
];
