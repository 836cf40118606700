/**
 * bitmap commands (Valkey group `bitmap`).
 *
 * @module
 */
import type { CommandSpec } from "./spec.ts";

/** The bitmap group's table rows. */
export const BITMAP_COMMANDS: readonly CommandSpec[] = [];
