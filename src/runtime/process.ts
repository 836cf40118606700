/**
 * What the engine asks of its host process: memory and CPU usage, a few static facts for INFO,
 * and a blocking sleep for DEBUG SLEEP. Like the clock, the engine receives this as an object so
 * it never reads runtime globals, and tests can substitute a fake.
 *
 * @module
 */
import process from "node:process";
import os from "node:os";
import { detectRuntime, runtimeVersion } from "./detect.ts";

/** Memory figures in bytes. */
export interface MemoryFigures {
  /** Resident set size of the process. */
  rss: number;
  /** Bytes the data set and engine occupy: JS heap in use plus memory held outside it. */
  used: number;
}

/** The host process, as INFO and DEBUG see it. */
export interface ProcessInfo {
  /** Process id (INFO `process_id`). */
  readonly pid: number;
  /** Path of the running executable (INFO `executable`). */
  readonly executable: string;
  /** `uname`-style system, release and machine (INFO `os`). */
  readonly os: string;
  /** 32 or 64 (INFO `arch_bits`). */
  readonly archBits: number;
  /** The runtime and its version, e.g. `node v20.20.2` (INFO `kite_runtime`). */
  readonly runtime: string;
  /** The memory manager behind the heap (INFO `mem_allocator`). */
  readonly allocator: string;
  /** Physical memory of the machine in bytes (INFO `total_system_memory`). */
  totalSystemMemory(): number;
  /** Current memory use. */
  memory(): MemoryFigures;
  /** CPU time used by the process so far, in microseconds. */
  cpu(): { user: number; system: number };
  /** Blocks the whole thread for `ms` milliseconds (DEBUG SLEEP stops the server, as in Valkey). */
  sleepSync(ms: number): void;
  /**
   * Asks the runtime to collect garbage soon, without blocking, where it offers a way (Bun).
   * JavaScriptCore collects lazily, so after a burst of writes most of the RSS can be garbage.
   */
  collectGarbage?(): void;
}

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
const ARCH_64 = new Set(["x64", "arm64", "ppc64", "s390x", "riscv64", "loong64", "mips64el"]);

/** The real process, through `node:process` and `node:os` (present in Deno, Bun and Node). */
export const SYSTEM_PROCESS: ProcessInfo = {
  pid: process.pid,
  executable: process.execPath,
  os: `${os.type()} ${os.release()} ${typeof os.machine === "function" ? os.machine() : os.arch()}`,
  archBits: ARCH_64.has(process.arch) ? 64 : 32,
  runtime: runtimeVersion(),
  allocator: detectRuntime() === "bun" ? "javascriptcore" : "v8",
  totalSystemMemory: () => os.totalmem(),
  memory() {
    const m = process.memoryUsage();
    return { rss: m.rss, used: m.heapUsed + m.external };
  },
  cpu: () => process.cpuUsage(),
  sleepSync(ms) {
    // Atomics.wait parks the thread without spinning; nothing ever notifies the cell, so it
    // returns after the timeout. All three runtimes allow it on the main thread.
    if (ms > 0) Atomics.wait(SLEEP_CELL, 0, 0, ms);
  },
  ...gcHint(),
};

/** Bun's non-blocking collection request; V8 runtimes expose none without flags. */
function gcHint(): Pick<ProcessInfo, "collectGarbage"> {
  const bun = (globalThis as { Bun?: { gc?: (force: boolean) => void } }).Bun;
  const gc = bun?.gc;
  return typeof gc === "function" ? { collectGarbage: () => gc.call(bun, false) } : {};
}
