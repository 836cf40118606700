/**
 * server commands (Valkey group `server`).
 *
 * @module
 */
import type { CommandSpec } from "./spec.ts";

/** The server group's table rows. */
export const SERVER_COMMANDS: readonly CommandSpec[] = [];
