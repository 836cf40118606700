/**
 * Picks the socket adapter of the current runtime, importing only that one.
 *
 * @module
 */
import type { NetAdapter } from "./adapter.ts";
import { detectRuntime, type RuntimeName } from "../runtime/detect.ts";

/** Loads the adapter for `runtime` (the current runtime by default). */
export async function selectAdapter(runtime: RuntimeName = detectRuntime()): Promise<NetAdapter> {
  switch (runtime) {
    case "deno":
      return (await import("./deno.ts")).denoAdapter;
    case "bun":
      return (await import("./bun.ts")).bunAdapter;
    case "node":
      return (await import("./node.ts")).nodeAdapter;
  }
}
