/**
 * zod schemas for the gateway's request bodies, and the translation of a validation failure into
 * the `{"error": "ERR ..."}` text every gateway error uses. Replies are encoded by hand
 * (`reply_json.ts`); zod checks the request shape only, never command semantics (arity, types of
 * values), which stay with the dispatcher so both doors answer alike.
 *
 * @module
 */
import { z } from "zod";
import type { JsonArg } from "./args.ts";

/** One command element: what the SDKs send (strings, finite numbers, booleans). */
export const Arg: z.ZodType<JsonArg> = z.union([z.string(), z.number(), z.boolean()]);

/** One command: `[name, arg1, ...]`, the name a string. */
export const Command: z.ZodType<JsonArg[]> = z.array(Arg).min(1).refine((c) => typeof c[0] === "string", {
  message: "the command name must be a string",
});

/** `/pipeline` and `/multi-exec` bodies: a non-empty array of commands. */
export const Batch: z.ZodType<JsonArg[][]> = z.array(Command).min(1);

/** The outcome of {@link parseCommand} / {@link parseBatch}. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Validates a single-command body (`POST /`). A body of the common shape passes a direct check of
 * the same rules; zod runs on anything else, so it alone words the errors.
 * @param body the parsed JSON
 * @returns the command, or the `ERR ...` text of the first problem
 */
export function parseCommand(body: unknown): Parsed<JsonArg[]> {
  if (isCommand(body)) return { ok: true, value: body };
  const r = Command.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describe(r.error, false) };
}

/**
 * Validates a `/pipeline` or `/multi-exec` body, with the same direct check first.
 * @param body the parsed JSON
 * @returns the commands, or the `ERR ...` text of the first problem
 */
export function parseBatch(body: unknown): Parsed<JsonArg[][]> {
  if (isBatch(body)) return { ok: true, value: body };
  const r = Batch.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describe(r.error, true) };
}

/**
 * {@link Command}'s rules written out: every request pays for this check, and zod's general
 * machinery costs several times more per element. A schema test keeps the two in agreement.
 */
function isCommand(v: unknown): v is JsonArg[] {
  if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== "string") return false;
  for (let i = 1; i < v.length; i++) {
    const a: unknown = v[i];
    if (typeof a === "string" || typeof a === "boolean") continue;
    // z.number() refuses NaN and the infinities (JSON.parse never makes them; callers might).
    if (typeof a !== "number" || !Number.isFinite(a)) return false;
  }
  return true;
}

/** {@link Batch}'s rules written out, as {@link isCommand}. */
function isBatch(v: unknown): v is JsonArg[][] {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (let i = 0; i < v.length; i++) if (!isCommand(v[i])) return false;
  return true;
}

const ELEMENT = "must be a JSON string, number or boolean";

/** Turns zod's first issue into one sentence naming where the body went wrong. */
function describe(err: z.ZodError, batch: boolean): string {
  const issue = err.issues[0];
  if (issue === undefined) return "ERR invalid request body";
  const path = issue.path.filter((p): p is number => typeof p === "number");
  const tooSmall = issue.code === "too_small";
  const custom = issue.code === "custom";
  if (batch) {
    if (path.length === 0) {
      return tooSmall
        ? "ERR invalid request body: the command list is empty"
        : 'ERR invalid request body: expected a JSON array of commands, like [["SET","k","v"],["GET","k"]]';
    }
    const where = `command ${path[0]}`;
    if (path.length === 1) {
      if (tooSmall) return `ERR invalid request body: ${where} is empty`;
      if (custom) return `ERR invalid request body: ${where}: ${issue.message}`;
      return `ERR invalid request body: ${where} must be a JSON array, like ["GET","k"]`;
    }
    return `ERR invalid request body: ${where}, argument ${path[1]} ${ELEMENT}`;
  }
  if (path.length === 0) {
    if (tooSmall) return "ERR invalid request body: the command is empty";
    if (custom) return `ERR invalid request body: ${issue.message}`;
    return 'ERR invalid request body: expected a JSON array, like ["SET","k","v"]';
  }
  return `ERR invalid request body: argument ${path[0]} ${ELEMENT}`;
}
