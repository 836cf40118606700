/**
 * Per-engine scripting state and the run of one script or function: Valkey's `eval.c`
 * (script cache), `functions.c` (libraries) and `script.c` (run context: read-only and
 * write-dirty tracking, busy detection, SCRIPT/FUNCTION KILL).
 *
 * A run is synchronous (atomic) unless it passes `busy-reply-threshold`: then the Lua
 * coroutine yields every few milliseconds, the engine answers BUSY to every command without
 * `allow_busy`, and the run resumes from a timer until it ends or SCRIPT KILL stops it. The
 * EVAL itself looks like a parked blocking command to the dispatcher, delivered when the run
 * ends; a caller that cannot wait (in-process calls without a deliver callback) gets the run
 * finished on the spot instead. EXEC waits for a queued script that suspends
 * ({@link suspendedRun}) and runs the rest of its queue when the script ends.
 *
 * @module
 */
import type { Engine } from "../engine/engine.ts";
import type { Session } from "../engine/session.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Blocked, Command } from "../commands/spec.ts";
import { error, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";
import type { TimerHandle } from "../runtime/clock.ts";
import { LuaEnv, newRand48, sha1hex } from "./lua.ts";
import type { ErrorTally, FunctionHandle, RegisteredFunction, ScriptFlag, ScriptHost } from "./vm.ts";
import { SHEBANG_FLAGS } from "./vm.ts";

/** Scripts added by EVAL (not SCRIPT LOAD) beyond this many are evicted oldest first. */
const EVAL_LRU_LENGTH = 500;
/** While past the busy threshold, a run yields to the event loop after this much Lua time. */
const SLICE_US = 10_000;

/** A cached EVAL script. */
export interface EvalScript {
  readonly sha: string;
  readonly body: string;
  readonly handle: FunctionHandle;
  /** Shebang flags, or null for a script without shebang (Valkey's "compat mode"). */
  readonly flags: readonly ScriptFlag[] | null;
}

/** A function of a library. */
export interface LibFunction extends RegisteredFunction {
  readonly library: Library;
}

/** A FUNCTION library. */
export interface Library {
  readonly name: string;
  readonly engine: string;
  readonly code: string;
  readonly functions: Map<string, LibFunction>;
}

/** Valkey's texts that name the server (`extended-redis-compatibility` says "Redis"). */
export function serverTitle(engine: Engine): string {
  return engine.config.bool("extended-redis-compatibility") ? "Redis" : "Valkey";
}

/** `BUSY ... SCRIPT KILL` (EVAL) or `BUSY ... FUNCTION KILL` (FCALL). */
export function busyError(engine: Engine, evalMode: boolean): Reply {
  const kill = evalMode ? "SCRIPT KILL" : "FUNCTION KILL";
  return error(`BUSY ${serverTitle(engine)} is busy running a script. You can only call ${kill} or SHUTDOWN NOSAVE.`);
}

// Valkey level numbers (LL_DEBUG..LL_WARNING) to the engine's log levels.
const LOG_LEVELS = ["debug", "verbose", "notice", "warning"] as const;

/** One execution of a script or function. */
export class ScriptRun implements ScriptHost {
  readonly scripting: Scripting;
  readonly engine: Engine;
  readonly session: Session;
  readonly ctx: CommandContext;
  /** The EVAL/FCALL command that started the run (its stats and MONITOR name). */
  readonly command: Command;
  /** The caller's arguments (FUNCTION STATS `command`). */
  readonly argv: readonly string[];
  /** The SHA1 of an EVAL script, or the function name: `script: <name>` in errors. */
  readonly name: string;
  readonly evalMode: boolean;
  readonly readOnly: boolean;
  readonly env: LuaEnv;
  /** Monotonic µs at the start. */
  readonly startUs: number;
  resp: 2 | 3 = 2;
  replFlags = 3;
  /** A write command ran: SCRIPT KILL is refused from then on. */
  writeDirty = false;
  /** The error replies in the script's reply (its error statistics). */
  readonly errors: ErrorTally = { passedOn: 0, own: [] };
  /** The script declares `allow-oom`: it may write over the memory limit. */
  allowOom = false;
  /** Past busy-reply-threshold. */
  timedOut = false;
  killed = false;
  /** The run ended; `result` holds its reply. */
  done = false;
  result: Reply | undefined;
  /** False once the caller cannot wait: the run must finish without yielding. */
  canSuspend = true;
  /**
   * Takes the reply of a run that suspended, when it ends on its own, instead of the parked
   * caller: EXEC resumes its queue with it.
   */
  onEnd: ((reply: Reply) => void) | undefined;
  timer: TimerHandle | undefined;
  #sliceStartUs = 0;
  readonly #savedDb: number;
  readonly #savedLastCommand: string;

  /** @param init the run's fixed parts */
  constructor(init: {
    scripting: Scripting;
    ctx: CommandContext;
    argv: readonly string[];
    name: string;
    evalMode: boolean;
    readOnly: boolean;
    env: LuaEnv;
  }) {
    this.scripting = init.scripting;
    this.engine = init.ctx.engine;
    this.session = init.ctx.session;
    this.ctx = init.ctx;
    this.command = init.ctx.command;
    this.argv = init.argv;
    this.name = init.name;
    this.evalMode = init.evalMode;
    this.readOnly = init.readOnly;
    this.env = init.env;
    this.startUs = this.engine.clock.monotonicUs();
    this.#savedDb = this.session.db;
    this.#savedLastCommand = this.session.lastCommand;
  }

  /** The error a killed run raises inside Lua. */
  get killMessage(): string {
    return this.evalMode ? "Script killed by user with SCRIPT KILL." : "Script killed by user with FUNCTION KILL.";
  }

  /** Runs a command for `redis.call`: Valkey's `scriptCall` checks, then the engine's `call`. */
  call(argv: string[]): Reply | string {
    const engine = this.engine;
    let cmd = engine.registry.get(argv[0]!);
    if (cmd !== undefined && cmd.subcommands !== undefined && argv.length > 1) {
      cmd = cmd.subcommands.get(argv[1]!.toLowerCase());
    }
    if (cmd === undefined) return this.#reject(undefined, "Unknown command called from script");
    const arity = cmd.spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return this.#reject(cmd, "Wrong number of args calling command from script");
    }
    if (cmd.flags.has("noscript")) {
      return this.#reject(cmd, `This ${serverTitle(engine)} command is not allowed from script`);
    }
    // May-replicate commands (PUBLISH) count as writes for a read-only script.
    if (this.readOnly && (cmd.flags.has("write") || cmd.flags.has("may_replicate"))) {
      return this.#reject(cmd, "Write commands are not allowed from read-only scripts.");
    }
    // Valkey's scriptVerifyOOM: when memory was over the limit as the script started, a script
    // without allow-oom may not run a denyoom command before its first write (once it has
    // written it cannot stop halfway).
    if (engine.eviction.limit !== 0 && cmd.flags.has("denyoom")) {
      if (!this.allowOom && !this.writeDirty && engine.eviction.preCommandOom) return this.#reject(cmd, "-" + E.OOM);
      engine.eviction.grow(argv);
    }
    if (cmd.flags.has("write")) this.writeDirty = true;
    const r = engine.call(this.session, cmd, argv);
    if (r.t !== "blocked") return r;
    // A script cannot wait (Valkey's CLIENT_DENY_BLOCKING): a blocking command answers at once
    // as if it timed out, and is a call like any other.
    cmd.stats.calls++;
    return r.nowaitReply ?? r.timeoutReply;
  }

  // A command refused before it ran: rejected_calls and errorstats, as Valkey's scriptCall
  // (a "-CODE text" message counts under CODE, any other under ERR).
  #reject(cmd: Command | undefined, msg: string): string {
    if (cmd !== undefined) cmd.stats.rejectedCalls++;
    this.engine.countError(msg.startsWith("-") ? msg.slice(1) : `ERR ${msg}`);
    return msg;
  }

  /** Writes a `redis.log` line. */
  log(level: number, msg: string): void {
    this.engine.log(LOG_LEVELS[level] ?? "notice", msg);
  }

  /** The hook: decides whether the run continues, yields to the event loop or dies. */
  tick(): "continue" | "yield" | "kill" {
    if (this.killed) return "kill";
    const now = this.engine.clock.monotonicUs();
    if (!this.timedOut) {
      const threshold = this.engine.config.num("busy-reply-threshold");
      const elapsedMs = (now - this.startUs) / 1000;
      if (threshold <= 0 || elapsedMs < threshold) return "continue";
      this.timedOut = true;
      this.#sliceStartUs = now;
      this.engine.log(
        "warning",
        `Slow script detected: still in execution after ${Math.floor(elapsedMs)} milliseconds. ` +
          `You can try killing the script using the ${this.evalMode ? "SCRIPT KILL" : "FUNCTION KILL"} command. ` +
          `Script name is: ${this.name}.`,
      );
      this.engine.busyReply = busyError(this.engine, this.evalMode);
      return this.canSuspend ? "yield" : "continue";
    }
    if (this.canSuspend && now - this.#sliceStartUs >= SLICE_US) return "yield";
    return "continue";
  }

  /** Marks the start of a slice of Lua time after a resume. */
  beginSlice(): void {
    this.#sliceStartUs = this.engine.clock.monotonicUs();
  }

  /** Puts back what the run borrowed from the caller's session. */
  restoreSession(): void {
    this.session.db = this.#savedDb;
    this.session.lastCommand = this.#savedLastCommand;
    this.ctx.inScript = false;
    this.ctx.command = this.command;
  }
}

/** Parses a shebang line as Valkey's `evalExtractShebangFlags`. */
export function parseShebang(body: string): { flags: ScriptFlag[] | null; start: number } | { error: string } {
  if (!body.startsWith("#!")) return { flags: null, start: 0 };
  const nl = body.indexOf("\n");
  if (nl < 0) return { error: "Invalid script shebang" };
  const parts = splitArgs(body.slice(0, nl));
  if (parts === null || parts.length === 0 || parts[0] !== "#!lua") {
    return { error: `Unexpected engine in script shebang: ${parts?.[0] ?? ""}` };
  }
  const flags: ScriptFlag[] = [];
  for (const part of parts.slice(1)) {
    if (part.startsWith("flags=")) {
      const list = part.slice(6);
      if (list.length === 0) continue;
      for (const f of list.split(",")) {
        const flag = SHEBANG_FLAGS.find((x) => x === f);
        if (flag === undefined) return { error: `Unexpected flag in script shebang: ${f}` };
        if (!flags.includes(flag)) flags.push(flag);
      }
    } else {
      return { error: `Unknown lua shebang option: ${part}` };
    }
  }
  return { flags, start: nl };
}

/**
 * Valkey's `sdssplitargs`: space-separated words, double quotes with C escapes, single quotes.
 * Returns null on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (true) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n) return out;
    let cur = "";
    let inDq = false;
    let inSq = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e === "b" ? "\b" : e === "a" ? "\x07" : e;
        } else if (c === '"') {
          if (i + 1 < n && !/\s/.test(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (c === undefined) return null;
        if (c === "\\" && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !/\s/.test(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (c === undefined || /\s/.test(c)) done = true;
        else if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

/** The scripting state of one engine. */
export class Scripting {
  readonly engine: Engine;
  /** sha -> script. */
  readonly scripts = new Map<string, EvalScript>();
  /** Scripts added by EVAL, oldest first (eviction order). */
  readonly #lru = new Set<string>();
  /** Scripts evicted from the cache (INFO `evicted_scripts`). */
  evictedScripts = 0;
  /** Library name -> library. */
  readonly libraries = new Map<string, Library>();
  /** Lower-cased function name -> function (Valkey looks functions up case-insensitively). */
  readonly functions = new Map<string, LibFunction>();
  /** The run in progress (suspended past the busy threshold, or inside its own command). */
  running: ScriptRun | undefined;
  #evalEnv: LuaEnv | undefined;
  #funcEnv: LuaEnv | undefined;
  readonly #random = newRand48();

  /** @param engine the engine */
  constructor(engine: Engine) {
    this.engine = engine;
  }

  #newEnv(mode: "eval" | "function"): LuaEnv {
    const engine = this.engine;
    const env = new LuaEnv({
      mode,
      log: (level, msg) => engine.log(LOG_LEVELS[level] ?? "notice", msg),
      commandExists: (argv) => {
        let cmd = engine.registry.get(argv[0]!);
        if (cmd?.subcommands !== undefined && argv.length > 1) cmd = cmd.subcommands.get(argv[1]!.toLowerCase());
        return cmd !== undefined;
      },
      random: this.#random,
    });
    env.bindTo(this);
    return env;
  }

  /** The Lua state of EVAL scripts, created on first use. */
  get evalEnv(): LuaEnv {
    return this.#evalEnv ??= this.#newEnv("eval");
  }

  /** The Lua state of FUNCTION libraries, created on first use. */
  get funcEnv(): LuaEnv {
    return this.#funcEnv ??= this.#newEnv("function");
  }

  /** Bytes used by the EVAL Lua state (0 before first use). */
  get evalMemory(): number {
    return this.#evalEnv?.memoryBytes() ?? 0;
  }

  /** Bytes used by the FUNCTION Lua state (0 before first use). */
  get functionMemory(): number {
    return this.#funcEnv?.memoryBytes() ?? 0;
  }

  /**
   * Compiles and caches a script (EVAL: `fromEval`, evictable; SCRIPT LOAD: kept). Returns the
   * script or Valkey's error text.
   */
  register(body: string, fromEval: boolean, knownSha?: string): EvalScript | { error: string } {
    const sha = knownSha ?? sha1hex(body);
    const existing = this.scripts.get(sha);
    if (existing !== undefined) {
      // SCRIPT LOAD of a script EVAL added makes it permanent.
      if (!fromEval) this.#lru.delete(sha);
      return existing;
    }
    const shebang = parseShebang(body);
    if ("error" in shebang) return { error: `ERR ${shebang.error}` };
    const compiled = this.evalEnv.compile(body.slice(shebang.start), "@user_script");
    if (typeof compiled !== "number") {
      return { error: `ERR Error compiling script (new function): ${compiled.error}`.replace(/[\r\n]/g, " ") };
    }
    const script: EvalScript = { sha, body, handle: compiled, flags: shebang.flags };
    if (fromEval) {
      while (this.#lru.size >= EVAL_LRU_LENGTH) {
        const oldest = this.#lru.values().next().value as string;
        this.#lru.delete(oldest);
        const old = this.scripts.get(oldest);
        if (old !== undefined) this.evalEnv.release(old.handle);
        this.scripts.delete(oldest);
        this.evictedScripts++;
      }
      this.#lru.add(sha);
    }
    this.scripts.set(sha, script);
    return script;
  }

  /** Moves an EVAL-added script to the young end of the eviction order. */
  touch(sha: string): void {
    if (this.#lru.delete(sha)) this.#lru.add(sha);
  }

  /** SCRIPT FLUSH: drops every script and resets the EVAL Lua state. */
  flushScripts(): void {
    this.scripts.clear();
    this.#lru.clear();
    const env = this.#evalEnv;
    this.#evalEnv = undefined;
    env?.close();
  }

  /** FUNCTION FLUSH (and FUNCTION RESTORE FLUSH): drops every library. */
  flushFunctions(): void {
    this.libraries.clear();
    this.functions.clear();
    const env = this.#funcEnv;
    this.#funcEnv = undefined;
    env?.close();
  }

  /**
   * Starts a run. Returns the reply, or a {@link Blocked} when the run passed the busy
   * threshold and yielded: the dispatcher parks the caller and the run ends later.
   */
  start(
    ctx: CommandContext,
    init: { argv: readonly string[]; name: string; evalMode: boolean; readOnly: boolean; env: LuaEnv },
    handle: FunctionHandle,
    keys: readonly string[],
    args: readonly string[],
  ): Reply | Blocked {
    // Valkey's scriptPrepareForRun: over the memory limit, a script that declares flags starts
    // only if they include allow-oom (no-writes implies it). Scripts without shebang start.
    const declared = init.evalMode
      ? this.scripts.get(init.name)?.flags
      : this.functions.get(init.name.toLowerCase())?.flags;
    const eviction = this.engine.eviction;
    if (
      declared != null && eviction.limit !== 0 && eviction.preCommandOom &&
      !declared.includes("allow-oom") && !declared.includes("no-writes")
    ) {
      return error(E.OOM_SCRIPT_FLAG);
    }
    const run = new ScriptRun({ scripting: this, ctx, ...init });
    run.allowOom = declared != null && declared.includes("allow-oom");
    this.running = run;
    ctx.inScript = true;
    let out;
    try {
      out = run.env.start(run, handle, keys, args);
    } catch (e) {
      this.#end(run);
      throw e;
    }
    if ("done" in out) {
      this.#end(run, out.done);
      return out.done;
    }
    return this.#suspend(run);
  }

  #suspend(run: ScriptRun): Blocked {
    const finishNow = (): Reply => this.#finishNow(run);
    run.timer = this.engine.scheduler.after(0, () => this.#continue(run));
    const blocked: Blocked = {
      t: "blocked",
      keys: [],
      timeoutMs: 0,
      retry: () => undefined,
      // Read when the run ends (delivered through the blocking manager's unblock).
      get timeoutReply(): Reply {
        return run.result ?? error("ERR script still running");
      },
      // A caller that cannot wait (MULTI/EXEC, in-process) gets the run finished now.
      get nowaitReply(): Reply {
        return finishNow();
      },
    };
    SUSPENDED.set(blocked, run);
    return blocked;
  }

  #finishNow(run: ScriptRun): Reply {
    if (run.done) return run.result!;
    run.canSuspend = false;
    run.timer?.cancel();
    run.timer = undefined;
    let out;
    try {
      out = this.engine.resumeUnit(run.session, run.ctx.now, () => run.env.resume(run));
    } catch (e) {
      this.#end(run);
      throw e;
    }
    // With canSuspend false the hook never yields.
    const reply = "done" in out ? out.done : error("ERR script did not complete");
    this.#end(run, reply);
    return reply;
  }

  #continue(run: ScriptRun): void {
    run.timer = undefined;
    if (run.done) return;
    run.beginSlice();
    let out;
    try {
      out = this.engine.resumeUnit(run.session, run.ctx.now, () => run.env.resume(run));
    } catch (e) {
      this.#end(run, error("ERR internal error"));
      this.engine.log("warning", `Internal error in script: ${e instanceof Error ? e.stack ?? e.message : e}`);
      this.#deliver(run);
      return;
    }
    if ("suspended" in out) {
      run.timer = this.engine.scheduler.after(0, () => this.#continue(run));
      return;
    }
    this.#end(run, out.done);
    this.#deliver(run);
  }

  // Hands the reply of a run that had suspended to its (parked) caller, then serves the
  // clients blocked on keys the script changed, which waited for the whole script. Inside EXEC
  // the transaction takes the reply and does this once its queue is done.
  #deliver(run: ScriptRun): void {
    const onEnd = run.onEnd;
    if (onEnd !== undefined) {
      run.onEnd = undefined;
      onEnd(run.result!);
      return;
    }
    const engine = this.engine;
    engine.blocking.unblock(run.session, false);
    if (engine.blocking.hasReady) engine.serveBlocked();
  }

  #end(run: ScriptRun, result?: Reply): void {
    run.done = true;
    run.result = result;
    run.restoreSession();
    if (this.running === run) this.running = undefined;
    if (run.timedOut) this.engine.busyReply = undefined;
    if (result !== undefined) this.#account(run, result);
  }

  // The failures of a run, counted as Valkey counts the error replies a script sends (see
  // ErrorTally): each error passed on from a command makes one failed call, the script's own
  // errors go to the error statistics and make one failed call in all. The engine then leaves
  // an error reply alone.
  #account(run: ScriptRun, reply: Reply): void {
    const { passedOn, own } = run.errors;
    if (passedOn === 0 && own.length === 0) return;
    const engine = this.engine;
    run.command.stats.failedCalls += passedOn + (own.length > 0 ? 1 : 0);
    for (const msg of own) engine.countError(msg);
    if (reply.t === "error") engine.markAccounted(reply);
  }

  /**
   * Stops the run in progress for SHUTDOWN NOSAVE, even one that has written (SCRIPT KILL
   * refuses those; Valkey exits in the middle of them). The run ends as killed, but its caller
   * gets no reply: the server closes every connection next, and a Valkey client sees only the
   * connection close.
   */
  stopForShutdown(): void {
    const run = this.running;
    if (run === undefined || run.done) return;
    run.killed = true;
    run.onEnd = undefined;
    try {
      this.#finishNow(run);
    } catch (e) {
      this.engine.log("warning", `Internal error stopping a script: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** SCRIPT KILL (`evalMode`) and FUNCTION KILL, as Valkey's `scriptKill`. */
  kill(evalMode: boolean): Reply {
    const run = this.running;
    if (run === undefined || run.done) return error("NOTBUSY No scripts in execution right now.");
    if (run.writeDirty) {
      return error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
      );
    }
    if (evalMode && !run.evalMode) return busyError(this.engine, false);
    if (!evalMode && run.evalMode) return busyError(this.engine, true);
    run.killed = true;
    return { t: "simple", v: "OK" };
  }
}

const STATES = new WeakMap<Engine, Scripting>();

// The runs behind the Blocked values of suspended scripts.
const SUSPENDED = new WeakMap<Blocked, ScriptRun>();

/**
 * The script run behind `blocked` when it is a script that suspended past the busy threshold
 * (still running, answered when it ends), or undefined for any other wait (a blocking command,
 * a run already finished).
 */
export function suspendedRun(blocked: Blocked): ScriptRun | undefined {
  const run = SUSPENDED.get(blocked);
  return run === undefined || run.done ? undefined : run;
}

/**
 * Stops the script run in progress, if any, for SHUTDOWN NOSAVE ({@link Scripting.stopForShutdown});
 * an engine that never ran a script has nothing to stop and gets no scripting state.
 */
export function stopScriptForShutdown(engine: Engine): void {
  STATES.get(engine)?.stopForShutdown();
}

/** The scripting state of `engine`, created on first use. */
export function scriptingOf(engine: Engine): Scripting {
  let s = STATES.get(engine);
  if (s === undefined) {
    s = new Scripting(engine);
    STATES.set(engine, s);
  }
  return s;
}

/**
 * Whether EVAL, EVALSHA, FCALL or their `_RO` forms count as `denyoom` for the maxmemory
 * check, from the flags the script declares (Valkey's `evalGetCommandFlags`,
 * `fcallGetCommandFlags` and `scriptFlagsToCmdFlags`): a script with a shebang, or a function,
 * is `denyoom` unless it declares `allow-oom` or `no-writes`; a script without shebang, an
 * unknown SHA1 or an unknown function keeps the command's own flags, which lack `denyoom`.
 * @param argv the command's arguments, arity already checked
 */
export function scriptDenyOom(engine: Engine, argv: readonly string[], kind: "eval" | "evalsha" | "fcall"): boolean {
  const s = scriptingOf(engine);
  const target = argv[1]!;
  let flags: readonly ScriptFlag[] | null | undefined;
  if (kind === "fcall") {
    flags = s.functions.get(target.toLowerCase())?.flags;
  } else if (kind === "evalsha") {
    flags = target.length === 40 ? s.scripts.get(target.toLowerCase())?.flags : undefined;
  } else {
    // Only a shebang declares flags: the common script pays no SHA1 here.
    if (!target.startsWith("#!")) return false;
    flags = s.scripts.get(sha1hex(target))?.flags;
    if (flags === undefined) {
      const parsed = parseShebang(target);
      flags = "error" in parsed ? undefined : parsed.flags;
    }
  }
  return flags != null && !flags.includes("allow-oom") && !flags.includes("no-writes");
}
