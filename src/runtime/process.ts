/**
 * What the engine asks of its host process: memory and CPU usage, a few static facts for INFO,
 * and a blocking sleep for DEBUG SLEEP. Like the clock, the engine receives this as an object so
 * it never reads runtime globals, and tests can substitute a fake.
 *
 * @module
 */
import process from "node:process";
import os from "node:os";
// Aliased: the Node bundle's banner declares its own top-level `createRequire`.
import { createRequire as moduleRequire } from "node:module";
import v8 from "node:v8";
import vm from "node:vm";
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
  /**
   * A cheap reading of `memory().used` (no RSS read), for the maxmemory check, which samples
   * it far more often than INFO does. Like `used` it counts garbage until the runtime collects
   * it. Absent: `memory().used` is read instead.
   */
  usedMemory?(): number;
  /**
   * Runs a full garbage collection now, synchronously, where the runtime offers a way; the
   * maxmemory check uses it to tell garbage from data before evicting keys. Costly (about a
   * millisecond per megabyte of heap on V8), so callers ration it.
   */
  collectGarbageNow?(): void;
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
/**
 * JavaScriptCore's current heap size on Bun, which includes the memory held outside the heap
 * (strings' character buffers and other "extra memory"). Bun's `process.memoryUsage()` is no
 * substitute: its `heapUsed` is the size after the last collection, lagging behind every
 * allocation since, and already includes `external`, which it also reports apart.
 */
const BUN_HEAP_SIZE = bunHeapSize();
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
    return { rss: m.rss, used: BUN_HEAP_SIZE !== undefined ? BUN_HEAP_SIZE() : m.heapUsed + m.external };
  },
  usedMemory: usedMemoryProbe(),
  cpu: () => process.cpuUsage(),
  sleepSync(ms) {
    // Atomics.wait parks the thread without spinning; nothing ever notifies the cell, so it
    // returns after the timeout. All three runtimes allow it on the main thread.
    if (ms > 0) Atomics.wait(SLEEP_CELL, 0, 0, ms);
  },
  ...gcHint(),
  ...fullCollector(),
};

/** Bun's non-blocking collection request; V8 runtimes expose none without flags. */
function gcHint(): Pick<ProcessInfo, "collectGarbage"> {
  const bun = (globalThis as { Bun?: { gc?: (force: boolean) => void } }).Bun;
  const gc = bun?.gc;
  return typeof gc === "function" ? { collectGarbage: () => gc.call(bun, false) } : {};
}

/**
 * The same figure as `memory().used`, read cheaply: V8's heap statistics take about a
 * microsecond, while `process.memoryUsage()` also reads the RSS (7 µs on Node, which opens
 * /proc). On Bun `v8.getHeapStatistics()` walks the heap (milliseconds); `bun:jsc`'s
 * `heapSize()` (20-40 µs) is used there.
 */
function usedMemoryProbe(): () => number {
  if (BUN_HEAP_SIZE !== undefined) return BUN_HEAP_SIZE;
  if (detectRuntime() === "bun") {
    return () => process.memoryUsage().heapUsed;
  }
  return () => {
    const h = v8.getHeapStatistics() as v8.HeapInfo & { external_memory?: number };
    return h.used_heap_size + (h.external_memory ?? 0);
  };
}

/**
 * A synchronous full collection: `Bun.gc(true)` on Bun; on V8 runtimes `globalThis.gc` when
 * the process was started with `--expose-gc`, else the collector is exposed to a fresh `node:vm`
 * context by setting the flag at run time (it affects only contexts created afterwards), on
 * first use. On V8 a minor collection follows the full one: V8 releases the backing stores of
 * dead ArrayBuffers (every network read is one) in a sweep that the next collection completes,
 * and until then `external_memory` still counts them (tens of megabytes on Node).
 */
function fullCollector(): Pick<ProcessInfo, "collectGarbageNow"> {
  type V8Gc = (opts?: { type: "major" | "minor" }) => void;
  const g = globalThis as { Bun?: { gc?: (force: boolean) => void }; gc?: V8Gc };
  const bunGc = g.Bun?.gc;
  if (typeof bunGc === "function") return { collectGarbageNow: () => bunGc.call(g.Bun, true) };
  let gc: V8Gc | null | undefined;
  return {
    collectGarbageNow() {
      if (gc === undefined) {
        gc = typeof g.gc === "function" ? g.gc : null;
        if (gc === null) {
          try {
            v8.setFlagsFromString("--expose-gc");
            const exposed: unknown = vm.runInNewContext("gc");
            if (typeof exposed === "function") gc = exposed as V8Gc;
          } catch {
            gc = null;
          }
        }
      }
      if (gc) {
        gc();
        gc({ type: "minor" });
      }
    },
  };
}

function bunHeapSize(): (() => number) | undefined {
  if (detectRuntime() !== "bun") return undefined;
  try {
    const jsc = moduleRequire(import.meta.url)("bun:jsc") as { heapSize?: () => number };
    const heapSize = jsc.heapSize;
    return typeof heapSize === "function" ? () => heapSize() : undefined;
  } catch {
    return undefined;
  }
}
