/**
 * Commands over whole databases: SELECT, SWAPDB, MOVE, FLUSHDB, FLUSHALL, DBSIZE.
 *
 * @module
 */
import type { CommandSpec } from "./spec.ts";

/** The database commands' table rows. */
export const DATABASE_COMMANDS: readonly CommandSpec[] = [];
