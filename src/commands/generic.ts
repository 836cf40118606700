/**
 * generic commands (Valkey group `generic`).
 *
 * @module
 */
import type { CommandSpec } from "./spec.ts";

/** The generic group's table rows. */
export const GENERIC_COMMANDS: readonly CommandSpec[] = [];
