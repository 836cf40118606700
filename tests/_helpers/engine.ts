/**
 * Engine-level test helpers: an engine on a fake clock with a manual scheduler, and `exec`,
 * which runs a command in-process and returns the reply as plain JS values.
 */
import { Engine, type EngineOptions } from "../../src/engine/engine.ts";
import { FakeClock, ManualScheduler } from "../../src/runtime/clock.ts";
import type { Session } from "../../src/engine/session.ts";
import type { Reply } from "../../src/protocol/reply.ts";
import type { ProcessInfo } from "../../src/runtime/process.ts";

/** A test engine with its fake clock and scheduler, and a default session. */
export interface TestEngine {
  engine: Engine;
  clock: FakeClock;
  scheduler: ManualScheduler;
  session: Session;
  /** Runs a command on the default session; returns the plain reply. */
  exec(...argv: (string | number)[]): Plain;
  /** Runs a command on another session. */
  execOn(session: Session, ...argv: (string | number)[]): Plain;
  /** Runs a command and returns the raw Reply. */
  raw(...argv: (string | number)[]): Reply | undefined;
  /** Moves time forward, running timers (cron) that fall due. */
  advance(ms: number): void;
}

/** A reply as plain values: simple/bulk/verbatim -> string, int -> number (bigint when huge). */
export type Plain =
  | string
  | number
  | bigint
  | boolean
  | null
  | { error: string }
  | Plain[];

/** Creates a test engine (fake clock at a fixed epoch, seeded random). */
export function makeEngine(opts: EngineOptions = {}): TestEngine {
  const clock = new FakeClock();
  const scheduler = new ManualScheduler(clock);
  let seed = 42;
  const random = () => {
    // mulberry32: deterministic across runtimes
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const engine = new Engine({ clock, scheduler, random, ...opts });
  const session = engine.openSession();
  const raw = (s: Session, argv: (string | number)[]): Reply | undefined => {
    const r = engine.dispatch(s, argv.map(String));
    // Without a deliver callback a blocking command times out at once, so never "blocked".
    return r?.t === "blocked" ? r.nowaitReply ?? r.timeoutReply : r;
  };
  return {
    engine,
    clock,
    scheduler,
    session,
    exec: (...argv) => plain(raw(session, argv)),
    execOn: (s, ...argv) => plain(raw(s, argv)),
    raw: (...argv) => raw(session, argv),
    advance: (ms) => scheduler.advance(ms),
  };
}

/** Converts a Reply into plain values (maps become flat arrays, as in RESP2). */
export function plain(r: Reply | undefined): Plain {
  if (r === undefined) return null;
  switch (r.t) {
    case "simple":
      return r.v;
    case "error":
      return { error: r.msg };
    case "int":
      return r.v;
    case "bulk":
      return typeof r.v === "string" ? r.v : Buffer.from(r.v).toString("latin1");
    case "null":
      return null;
    case "array":
    case "set":
    case "push":
      return r.v.map(plain);
    case "map":
    case "pairs":
      return r.v.flatMap(([k, v]) => [plain(k), plain(v)]);
    case "double":
      return r.v;
    case "bool":
      return r.v;
    case "verbatim":
      return r.v;
    case "bignum":
      return r.v;
  }
}

import { Buffer } from "node:buffer";

/**
 * A test engine whose process is fake: fixed memory and CPU figures, and a DEBUG SLEEP that
 * moves the fake clock instead of blocking.
 */
export function engineWithProcess(opts: EngineOptions = {}): TestEngine & { proc: ProcessInfo & { used: number } } {
  const box: { t?: TestEngine } = {};
  const proc = {
    used: 1_500_000,
    pid: 4242,
    executable: "/opt/kite/kite-server",
    os: "Linux 6.1.0 x86_64",
    archBits: 64,
    runtime: "test v1",
    allocator: "v8",
    totalSystemMemory: () => 8 * 1024 * 1024 * 1024,
    memory() {
      return { rss: 4 * 1024 * 1024, used: proc.used };
    },
    cpu: () => ({ user: 1_250_000, system: 500 }),
    sleepSync(ms: number) {
      box.t!.clock.advance(ms);
    },
  };
  box.t = makeEngine({ processInfo: proc, ...opts });
  return Object.assign(box.t, { proc });
}
