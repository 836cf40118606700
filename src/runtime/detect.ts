/**
 * Runtime detection. Only this folder and `src/net/` read runtime globals.
 *
 * @module
 */

/** The JavaScript runtimes Kite runs on. */
export type RuntimeName = "deno" | "bun" | "node";

/** Detects the current runtime from its globals. */
export function detectRuntime(): RuntimeName {
  const g = globalThis as Record<string, unknown>;
  if (typeof g.Bun !== "undefined") return "bun";
  if (typeof g.Deno !== "undefined") return "deno";
  return "node";
}

/** A short version string of the runtime, e.g. `deno 2.1.0`. */
export function runtimeVersion(): string {
  const g = globalThis as {
    Bun?: { version: string };
    Deno?: { version: { deno: string } };
    process?: { version: string };
  };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process?.version ?? "unknown"}`;
}
