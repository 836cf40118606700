/**
 * A Lua state set up as Valkey's scripting sandbox, and the host functions scripts call
 * (`redis.*`, `math.random`, the libraries). One {@link LuaEnv} serves EVAL scripts and
 * another FUNCTION libraries, as Valkey keeps two separate Lua states.
 *
 * Scripts run inside a coroutine with an instruction-count hook, so a script past
 * `busy-reply-threshold` can yield to the event loop (other clients then get BUSY, and SCRIPT
 * KILL can stop it) and be resumed later; this is Kite's counterpart of Valkey's
 * `processEventsWhileBlocked` from the Lua hook.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  cfunction,
  cstr,
  loadChunk,
  lua,
  LUA_OK,
  LUA_YIELD,
  type LuaState,
  MASK_COUNT,
  MASK_LINE,
  pushBytes,
  raise,
  raiseWhere,
  REGISTRY,
  resume,
  RIDX_GLOBALS,
  setField,
  T_FUNCTION,
  T_NIL,
  T_NUMBER,
  T_STRING,
  T_TABLE,
  toBytes,
  upvalueIndex,
} from "./lua_wasm.ts";
import {
  errorText,
  numberArg,
  passedOnError,
  popReply,
  pushErrorTable,
  pushReply,
  stringField,
  toNumber,
} from "./convert.ts";
import { libFunction, pushLibraries } from "./lua_libs.ts";
import { PRELUDE } from "./prelude.ts";
import { error, type Reply } from "../protocol/reply.ts";
import { REDIS_COMPAT_VERSION, VALKEY_VERSION } from "../observability/version.ts";
import type { FunctionHandle, RegisteredFunction, RunOutcome, ScriptFlag, ScriptHost } from "./vm.ts";
import { SCRIPT_FLAGS } from "./vm.ts";

// Instructions between two hook calls. Valkey uses 100000; a smaller count keeps the time
// check (a clock read) cheap while reacting to the threshold within a fraction of a ms.
const HOOK_COUNT = 10000;

/** The run a host function acts for, set while Lua code runs. */
let active: { host: ScriptHost; env: LuaEnv } | undefined;
/** The library being loaded by FUNCTION LOAD, set while its code runs. */
let loading: LoadContext | undefined;

interface LoadContext {
  env: LuaEnv;
  functions: RegisteredFunction[];
  deadlineUs: number;
  now: () => number;
}

/** Lowercase hex SHA1 of a byte string (script names, redis.sha1hex). */
export function sha1hex(s: string | Uint8Array): string {
  return createHash("sha1").update(typeof s === "string" ? Buffer.from(s, "latin1") : s).digest("hex");
}

function scriptError(L: LuaState, msg: string): number {
  pushErrorTable(L, errorText(msg));
  return raise(L);
}

// redis.call / redis.pcall: arguments must be strings or numbers (numbers formatted as Valkey
// does); the reply converts to Lua; an error reply raises (call) or is returned (pcall).
function redisCall(L: LuaState, raiseError: boolean): number {
  const run = active;
  if (run === undefined) return scriptError(L, "redis.call can only be called inside a script invocation");
  const argc = lua._lua_gettop(L);
  if (argc === 0) {
    pushErrorTable(L, errorText("Please specify at least one argument for this redis lib call"));
    return raiseError ? raise(L) : 1;
  }
  const argv = new Array<string>(argc);
  for (let j = 0; j < argc; j++) {
    const t = lua._lua_type(L, j + 1);
    if (t === T_NUMBER) {
      argv[j] = numberArg(toNumber(L, j + 1));
    } else if (t === T_STRING) {
      argv[j] = toBytes(L, j + 1)!;
    } else {
      lua._lua_settop(L, 0);
      pushErrorTable(L, errorText("Lua redis lib command arguments must be strings or integers"));
      return raiseError ? raise(L) : 1;
    }
  }
  lua._lua_settop(L, 0);
  const reply = run.host.call(argv);
  if (typeof reply === "string") {
    pushErrorTable(L, errorText(reply), true);
    return raiseError ? raise(L) : 1;
  }
  pushReply(L, reply, run.host.resp);
  if (raiseError && reply.t === "error") return raise(L);
  return 1;
}

function argCountError(L: LuaState, msg: string): number {
  pushErrorTable(L, errorText(msg));
  return raise(L);
}

/** The state of Valkey's redisLrand48 (shared by a server's EVAL and FUNCTION states). */
export interface Rand48 {
  state: bigint;
}

/** A fresh PRNG in lrand48's unseeded state (0x1234ABCD330E). */
export function newRand48(): Rand48 {
  return { state: 0x1234abcd330en };
}

// lrand48: a 48-bit LCG whose high 31 bits are the result. Not reseeded per script: since
// Valkey replicates scripts by their effects, the sequence simply continues.
function rand48Next(r: Rand48): number {
  r.state = (r.state * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
  return Number(r.state >> 17n);
}

/** Valkey's `redisSrand48`. */
function srand48(seed: number): bigint {
  return ((BigInt(seed) & 0xffffffffn) << 16n) | 0x330en;
}

const RAND_MAX = 2147483647;

// luaL_checkint: a number (or numeric string), truncated to a C int.
function checkInt(L: LuaState, n: number, fname: string): number {
  if (lua._lua_isnumber(L, n) === 0) {
    const t = lua._lua_type(L, n);
    const got = t < 0
      ? "no value"
      : ["nil", "boolean", "userdata", "number", "string", "table", "function"][t] ?? "value";
    throw new RangeError(`bad argument #${n} to '${fname}' (number expected, got ${got})`);
  }
  return Math.trunc(toNumber(L, n)) | 0;
}

// Lua 5.1's type names (luaL_typename), by type tag.
const TYPE_NAMES = ["nil", "boolean", "userdata", "number", "string", "table", "function", "userdata", "thread"];

// A C function standing for a Lua 5.1 base function the prelude writes in Lua (load,
// loadstring, next, rawget): it checks argument 1 as luaL_checktype does, so the error names
// the script line that called it (an error raised in Lua code of the prelude would name the
// prelude, or nothing when the script tail-calls it), then calls the Lua implementation with
// every argument. Upvalues: name, expected type ("function", "table" or "string", which a
// number satisfies), implementation.
const CHECKED = cfunction((L) => {
  const n = lua._lua_gettop(L);
  const expected = toBytes(L, upvalueIndex(2))!;
  const t = n === 0 ? -1 : lua._lua_type(L, 1);
  const ok = expected === "function"
    ? t === T_FUNCTION
    : expected === "table"
    ? t === T_TABLE
    : t === T_STRING || t === T_NUMBER;
  if (!ok) {
    const got = t < 0 ? "no value" : TYPE_NAMES[t] ?? "userdata";
    return raiseWhere(L, `bad argument #1 to '${toBytes(L, upvalueIndex(1))}' (${expected} expected, got ${got})`);
  }
  lua._lua_pushvalue(L, upvalueIndex(3));
  lua._lua_rotate(L, 1, 1);
  lua._lua_callk(L, n, /* LUA_MULTRET */ -1, 0, 0);
  return lua._lua_gettop(L);
});

const HOST_FUNCTIONS = {
  /** checked(name, expected type, impl): a {@link CHECKED} closure. */
  checked: cfunction((L) => {
    lua._lua_settop(L, 3);
    lua._lua_pushcclosure(L, CHECKED, 3);
    return 1;
  }),
  call: cfunction((L) => redisCall(L, true)),
  pcall: cfunction((L) => redisCall(L, false)),
  sha1hex: cfunction((L) => {
    if (lua._lua_gettop(L) !== 1) return argCountError(L, "wrong number of arguments");
    pushBytes(L, sha1hex(toBytes(L, 1) ?? ""));
    return 1;
  }),
  error_reply: cfunction((L) => {
    if (lua._lua_gettop(L) !== 1 || lua._lua_type(L, -1) !== T_STRING) {
      pushErrorTable(L, errorText("wrong number or type of arguments"));
      return 1;
    }
    const e = toBytes(L, -1)!;
    pushErrorTable(L, errorText(e.startsWith("-") ? e : "-" + e));
    return 1;
  }),
  status_reply: cfunction((L) => {
    if (lua._lua_gettop(L) !== 1 || lua._lua_type(L, -1) !== T_STRING) {
      pushErrorTable(L, errorText("wrong number or type of arguments"));
      return 1;
    }
    lua._lua_createtable(L, 0, 1);
    lua._lua_pushvalue(L, -2);
    setField(L, -2, "ok");
    return 1;
  }),
  log: cfunction((L) => {
    const argc = lua._lua_gettop(L);
    if (argc < 2) return argCountError(L, "redis.log() requires two arguments or more.");
    if (lua._lua_isnumber(L, 1) === 0) return argCountError(L, "First argument must be a number (log level).");
    const level = Math.trunc(toNumber(L, 1));
    if (level < 0 || level > 3) return argCountError(L, "Invalid debug level.");
    const parts: string[] = [];
    for (let j = 2; j <= argc; j++) {
      const s = toBytes(L, j);
      if (s !== undefined) parts.push(s);
    }
    const run = active;
    if (run !== undefined) run.host.log(level, parts.join(" "));
    else loading?.env.log(level, parts.join(" "));
    return 0;
  }),
  setresp: cfunction((L) => {
    const run = active;
    if (run === undefined) return argCountError(L, "redis.setresp can only be called inside a script invocation");
    if (lua._lua_gettop(L) !== 1) return argCountError(L, "redis.setresp() requires one argument.");
    const resp = Math.trunc(toNumber(L, 1));
    if (resp !== 2 && resp !== 3) return argCountError(L, "RESP version must be 2 or 3.");
    run.host.resp = resp;
    return 0;
  }),
  set_repl: cfunction((L) => {
    const run = active;
    if (run === undefined) return argCountError(L, "redis.set_repl can only be called inside a script invocation");
    if (lua._lua_gettop(L) !== 1) return argCountError(L, "redis.set_repl() requires one argument.");
    const flags = Math.trunc(toNumber(L, -1));
    if ((flags & ~3) !== 0 || Number.isNaN(flags)) {
      return argCountError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    }
    run.host.replFlags = flags;
    return 0;
  }),
  acl_check_cmd: cfunction((L) => {
    const run = active;
    if (run === undefined) return argCountError(L, "redis.acl_check_cmd can only be called inside a script invocation");
    const argc = lua._lua_gettop(L);
    if (argc === 0) return argCountError(L, "Please specify at least one argument for this redis lib call");
    const name = lua._lua_type(L, 1) === T_STRING ? toBytes(L, 1)! : "";
    const argv = [name];
    for (let j = 2; j <= argc; j++) argv.push(toBytes(L, j) ?? "");
    lua._lua_settop(L, 0);
    // Kite has no ACL users yet: every user may run every existing command.
    if (!run.env.commandExists(argv)) return argCountError(L, "Invalid command passed to redis.acl_check_cmd()");
    lua._lua_pushboolean(L, 1);
    return 1;
  }),
  math_random: libFunction((L) => {
    const env = active?.env ?? loading?.env;
    if (env === undefined) throw new RangeError("math.random is not available here");
    const r = (rand48Next(env.random) % RAND_MAX) / RAND_MAX;
    switch (lua._lua_gettop(L)) {
      case 0:
        lua._lua_pushnumber(L, r);
        return 1;
      case 1: {
        const u = checkInt(L, 1, "random");
        if (!(1 <= u)) throw new RangeError("bad argument #1 to 'random' (interval is empty)");
        lua._lua_pushinteger(L, BigInt(Math.floor(r * u) + 1));
        return 1;
      }
      case 2: {
        const l = checkInt(L, 1, "random");
        const u = checkInt(L, 2, "random");
        if (!(l <= u)) throw new RangeError("bad argument #2 to 'random' (interval is empty)");
        lua._lua_pushinteger(L, BigInt(Math.floor(r * (u - l + 1)) + l));
        return 1;
      }
      default:
        throw new RangeError("wrong number of arguments");
    }
  }),
  math_randomseed: libFunction((L) => {
    const env = active?.env ?? loading?.env;
    if (env !== undefined) env.random.state = srand48(checkInt(L, 1, "randomseed"));
    return 0;
  }),
  // __index of the globals: reading a global that does not exist is an error.
  global_index_error: cfunction((L) => {
    const name = toBytes(L, 2) ?? "?";
    return raiseWhere(L, `Script attempted to access nonexistent global variable '${name}'`);
  }),
  // __newindex of every protected table.
  readonly_error: cfunction((L) => raiseWhere(L, "Attempt to modify a readonly table")),
  register_function: cfunction((L) => registerFunction(L)),
};

function registerError(L: LuaState, msg: string): number {
  pushErrorTable(L, errorText(msg));
  return raise(L);
}

// redis.register_function(name, callback) or redis.register_function{function_name=...,
// callback=..., flags={...}, description=...}, during FUNCTION LOAD only.
function registerFunction(L: LuaState): number {
  const ctx = loading;
  if (ctx === undefined) return registerError(L, "redis.register_function can only be called on FUNCTION LOAD command");
  const argc = lua._lua_gettop(L);
  if (argc < 1 || argc > 2) return registerError(L, "wrong number of arguments to redis.register_function");
  let name: string | undefined;
  let description: string | undefined;
  let flags: ScriptFlag[] = [];
  let handle: FunctionHandle | undefined;
  const fail = (msg: string): number => {
    if (handle !== undefined) lua._luaL_unref(L, REGISTRY, handle);
    return registerError(L, msg);
  };
  if (argc === 2) {
    const t = lua._lua_type(L, 1);
    if (t !== T_STRING && t !== T_NUMBER) return fail("first argument to redis.register_function must be a string");
    name = toBytes(L, 1)!;
    if (lua._lua_type(L, 2) !== T_FUNCTION) {
      return fail("second argument to redis.register_function must be a function");
    }
    lua._lua_pushvalue(L, 2);
    handle = lua._luaL_ref(L, REGISTRY);
  } else {
    if (lua._lua_type(L, 1) !== T_TABLE) {
      return fail(
        "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).",
      );
    }
    lua._lua_pushnil(L);
    while (lua._lua_next(L, 1) !== 0) {
      const kt = lua._lua_type(L, -2);
      if (kt !== T_STRING && kt !== T_NUMBER) {
        return fail("named argument key given to redis.register_function is not a string");
      }
      lua._lua_pushvalue(L, -2);
      const key = (toBytes(L, -1) ?? "").toLowerCase();
      lua._lua_settop(L, -2);
      const vt = lua._lua_type(L, -1);
      if (key === "function_name") {
        if (vt !== T_STRING && vt !== T_NUMBER) {
          return fail("function_name argument given to redis.register_function must be a string");
        }
        name = toBytes(L, -1)!;
      } else if (key === "description") {
        if (vt !== T_STRING && vt !== T_NUMBER) {
          return fail("description argument given to redis.register_function must be a string");
        }
        description = toBytes(L, -1)!;
      } else if (key === "callback") {
        if (vt !== T_FUNCTION) return fail("callback argument given to redis.register_function must be a function");
        if (handle !== undefined) lua._luaL_unref(L, REGISTRY, handle);
        handle = lua._luaL_ref(L, REGISTRY);
        continue;
      } else if (key === "flags") {
        if (vt !== T_TABLE) {
          return fail("flags argument to redis.register_function must be a table representing function flags");
        }
        const read = readFlags(L);
        if (read === undefined) return fail("unknown flag given");
        flags = read;
      } else {
        return fail("unknown argument given to redis.register_function");
      }
      lua._lua_settop(L, -2);
    }
    if (name === undefined) return fail("redis.register_function must get a function name argument");
    if (handle === undefined) return fail("redis.register_function must get a callback argument");
  }
  if (!validName(name)) {
    return fail(
      "Function names can only contain letters, numbers, or underscores(_) and must be at least one character long",
    );
  }
  if (ctx.functions.some((f) => f.name === name)) return fail("Function already exists in the library");
  ctx.functions.push({ name, handle: handle!, description, flags });
  return 0;
}

// Reads the flags array at the top of the stack (luaRegisterFunctionReadFlags).
function readFlags(L: LuaState): ScriptFlag[] | undefined {
  const out: ScriptFlag[] = [];
  const t = lua._lua_gettop(L);
  for (let j = 1;; j++) {
    const vt = lua._lua_rawgeti(L, t, BigInt(j));
    if (vt === T_NIL) {
      lua._lua_settop(L, -2);
      return out;
    }
    if (vt !== T_STRING && vt !== T_NUMBER) {
      lua._lua_settop(L, -2);
      return undefined;
    }
    const f = toBytes(L, -1)!.toLowerCase();
    lua._lua_settop(L, -2);
    const flag = SCRIPT_FLAGS.find((x) => x === f);
    if (flag === undefined) return undefined;
    if (!out.includes(flag)) out.push(flag);
  }
}

/** Valkey's `functionsVerifyName`: `[A-Za-z0-9_]+`. */
export function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

// The instruction hook: busy detection, yielding to the event loop, SCRIPT KILL.
const HOOK = lua.addFunction((L: LuaState) => {
  const lc = loading;
  if (lc !== undefined) {
    if (lc.deadlineUs > 0 && lc.now() > lc.deadlineUs) {
      lua._lua_sethook(L, HOOK, MASK_LINE, 0);
      pushErrorTable(L, errorText("FUNCTION LOAD timeout"));
      raise(L);
    }
    return;
  }
  const run = active;
  if (run === undefined) return;
  const what = run.host.tick();
  if (what === "kill") {
    // Fire on every line from now on, so a pcall in the script cannot swallow the kill.
    lua._lua_sethook(L, HOOK, MASK_LINE, 0);
    pushErrorTable(L, errorText(run.host.killMessage));
    raise(L);
  } else if (what === "yield" && L === run.env.thread && lua._lua_isyieldable(L) !== 0) {
    lua._lua_yieldk(L, 0, 0, 0);
  }
}, "vii");

const HOST_TABLE_FIELDS = Object.entries(HOST_FUNCTIONS);

/** Options of a {@link LuaEnv}. */
export interface LuaEnvOptions {
  /** "eval" for EVAL scripts (KEYS/ARGV globals), "function" for FUNCTION libraries. */
  mode: "eval" | "function";
  /** Writes a line to the server log (Valkey levels 0 debug ... 3 warning). */
  log: (level: number, msg: string) => void;
  /** Whether a command (name plus arguments) exists (redis.acl_check_cmd). */
  commandExists: (argv: string[]) => boolean;
  /** The PRNG behind math.random. */
  random: Rand48;
}

/**
 * Closes the Lua states of owners (a server's scripting state) that were garbage collected
 * without closing them: the WebAssembly memory is shared by the whole process.
 */
const ORPHANS = new FinalizationRegistry<LuaState>((L) => lua._lua_close(L));

/** One sandboxed Lua state. */
export class LuaEnv {
  readonly mode: "eval" | "function";
  readonly log: (level: number, msg: string) => void;
  readonly commandExists: (argv: string[]) => boolean;
  /** The state's main thread. */
  readonly L: LuaState;
  /** The coroutine scripts run in (replaced after a run that fails outside the error handler). */
  thread: LuaState;
  /** Valkey's redisLrand48 state for math.random. */
  readonly random: Rand48;
  #threadRef: number;
  readonly #runRef: number;
  readonly #setEnvRef: number;
  readonly #globalsRef: number;
  // Lua's own `collectgarbage` and a thread to call it on: wasmoon's build exports no lua_gc
  // (it is variadic in Lua 5.4), and a script may be running or suspended on `thread` when INFO
  // asks, so the query runs on a thread of its own.
  readonly #gcRef: number;
  readonly #gcThread: LuaState;
  #closed = false;

  /** @param opts mode, log sink and command lookup */
  constructor(opts: LuaEnvOptions) {
    this.mode = opts.mode;
    this.log = opts.log;
    this.commandExists = opts.commandExists;
    this.random = opts.random;
    const L = lua._luaL_newstate();
    this.L = L;
    lua._luaL_openlibs(L);
    // Captured before the prelude builds the sandbox: scripts cannot replace this one.
    lua._lua_rawgeti(L, REGISTRY, RIDX_GLOBALS);
    lua._lua_getfield(L, -1, cstr("collectgarbage"));
    this.#gcRef = lua._luaL_ref(L, REGISTRY);
    this.#gcThread = lua._lua_newthread(L);
    lua._luaL_ref(L, REGISTRY);
    lua._lua_settop(L, 0);
    const err = loadChunk(L, PRELUDE, "=prelude");
    if (err !== null) throw new Error(`Cannot build the Lua sandbox: ${err}`);
    // The host table: C functions, libraries and version fields.
    lua._lua_createtable(L, 0, HOST_TABLE_FIELDS.length + 6);
    for (const [name, fn] of HOST_TABLE_FIELDS) {
      lua._lua_pushcclosure(L, fn, 0);
      setField(L, -2, name);
    }
    pushLibraries(L);
    lua._lua_createtable(L, 0, 5);
    pushBytes(L, REDIS_COMPAT_VERSION);
    setField(L, -2, "REDIS_VERSION");
    lua._lua_pushinteger(L, BigInt(versionNum(REDIS_COMPAT_VERSION)));
    setField(L, -2, "REDIS_VERSION_NUM");
    pushBytes(L, VALKEY_VERSION);
    setField(L, -2, "VALKEY_VERSION");
    lua._lua_pushinteger(L, BigInt(versionNum(VALKEY_VERSION)));
    setField(L, -2, "VALKEY_VERSION_NUM");
    pushBytes(L, "valkey");
    setField(L, -2, "SERVER_NAME");
    setField(L, -2, "version");
    pushBytes(L, this.mode);
    if (lua._lua_pcallk(L, 2, 4, 0, 0, 0) !== LUA_OK) {
      throw new Error(`Cannot build the Lua sandbox: ${toBytes(L, -1)}`);
    }
    // Stack: errh, run, set_env, G. The sandbox proxy becomes the globals of every chunk.
    this.#globalsRef = lua._luaL_ref(L, REGISTRY);
    this.#setEnvRef = lua._luaL_ref(L, REGISTRY);
    this.#runRef = lua._luaL_ref(L, REGISTRY);
    lua._lua_settop(L, 0);
    lua._lua_rawgeti(L, REGISTRY, BigInt(this.#globalsRef));
    lua._lua_getfield(L, -1, cstr("_G"));
    lua._lua_rawseti(L, REGISTRY, RIDX_GLOBALS);
    lua._lua_settop(L, 0);
    this.thread = lua._lua_newthread(L);
    this.#threadRef = lua._luaL_ref(L, REGISTRY);
  }

  /** Compiles code into a function handle, or returns Lua's compile error message. */
  compile(code: string | Uint8Array, chunkname: string): FunctionHandle | { error: string } {
    const err = loadChunk(this.L, code, chunkname);
    if (err !== null) return { error: err };
    return lua._luaL_ref(this.L, REGISTRY);
  }

  /** Releases a compiled function. */
  release(handle: FunctionHandle): void {
    if (!this.#closed) lua._luaL_unref(this.L, REGISTRY, handle);
  }

  /**
   * Runs a library's code with the FUNCTION LOAD globals (registration and logging only) and
   * returns the functions it registered, or the error text (Valkey's wording, without code).
   */
  loadLibrary(
    code: string,
    timeoutMs: number,
    nowUs: () => number,
  ): { functions: RegisteredFunction[] } | { error: string } {
    const L = this.L;
    const h = this.compile(code, "@user_function");
    if (typeof h !== "number") return { error: `Error compiling function: ${h.error}` };
    const ctx: LoadContext = {
      env: this,
      functions: [],
      deadlineUs: timeoutMs > 0 ? nowUs() + timeoutMs * 1000 : 0,
      now: nowUs,
    };
    const prevLoading = loading;
    const prevActive = active;
    loading = ctx;
    active = undefined;
    this.#setEnv("load");
    lua._lua_sethook(L, HOOK, MASK_COUNT, HOOK_COUNT);
    let status: number;
    try {
      lua._lua_rawgeti(L, REGISTRY, BigInt(h));
      status = lua._lua_pcallk(L, 0, 0, 0, 0, 0);
    } finally {
      lua._lua_sethook(L, 0, 0, 0);
      loading = prevLoading;
      active = prevActive;
      this.#setEnv("run");
      this.release(h);
    }
    if (status !== LUA_OK) {
      const msg = errorMessage(L, lua._lua_gettop(L));
      lua._lua_settop(L, 0);
      for (const f of ctx.functions) this.release(f.handle);
      return { error: `Error registering functions: ${msg}` };
    }
    lua._lua_settop(L, 0);
    return { functions: ctx.functions };
  }

  #setEnv(which: "load" | "run"): void {
    const L = this.L;
    lua._lua_rawgeti(L, REGISTRY, BigInt(this.#setEnvRef));
    pushBytes(L, which);
    lua._lua_callk(L, 1, 0, 0, 0);
  }

  /**
   * Starts a run of `handle`. EVAL scripts get KEYS and ARGV as globals, functions get them as
   * arguments. The run finishes (done) or suspends at the busy threshold until
   * {@link LuaEnv.resume}.
   */
  start(host: ScriptHost, handle: FunctionHandle, keys: readonly string[], args: readonly string[]): RunOutcome {
    const L = this.L;
    const T = this.thread;
    lua._lua_settop(T, 0);
    if (this.mode === "eval") {
      lua._lua_rawgeti(L, REGISTRY, BigInt(this.#globalsRef));
      pushArray(L, keys);
      setRaw(L, "KEYS");
      pushArray(L, args);
      setRaw(L, "ARGV");
      lua._lua_settop(L, -2);
    }
    lua._lua_rawgeti(T, REGISTRY, BigInt(this.#runRef));
    lua._lua_rawgeti(T, REGISTRY, BigInt(handle));
    let nargs = 1;
    if (this.mode === "function") {
      pushArray(T, keys);
      pushArray(T, args);
      nargs = 3;
    }
    lua._lua_sethook(T, HOOK, MASK_COUNT, HOOK_COUNT);
    return this.#step(host, nargs);
  }

  /** Continues a suspended run. */
  resume(host: ScriptHost): RunOutcome {
    return this.#step(host, 0);
  }

  #step(host: ScriptHost, nargs: number): RunOutcome {
    const T = this.thread;
    const prev = active;
    active = { host, env: this };
    let r: { status: number; nres: number };
    try {
      r = resume(T, this.L, nargs);
    } finally {
      active = prev;
    }
    if (r.status === LUA_YIELD) return { suspended: true };
    lua._lua_sethook(T, 0, 0, 0);
    if (r.status !== LUA_OK) {
      // An error outside the script's error handler (out of memory, an error in the handler):
      // the coroutine is dead, so the next run gets a fresh one.
      const msg = toBytes(T, -1) ?? "execution failure";
      this.#replaceThread();
      const text = `ERR Error running script, ${msg.slice(0, 100)}`;
      host.errors.own.push(text);
      return { done: error(text) };
    }
    // Results: ok, value (the run function returns what xpcall returns).
    const ok = lua._lua_toboolean(T, 1) !== 0;
    if (ok) {
      if (r.nres < 2) lua._lua_pushnil(T);
      else lua._lua_settop(T, 2);
      const reply = popReply(T, host.resp, host.errors);
      lua._lua_settop(T, 0);
      return { done: reply };
    }
    lua._lua_settop(T, 2);
    const reply = scriptFailure(T, host);
    lua._lua_settop(T, 0);
    return { done: reply };
  }

  #replaceThread(): void {
    const L = this.L;
    lua._luaL_unref(L, REGISTRY, this.#threadRef);
    this.thread = lua._lua_newthread(L);
    this.#threadRef = lua._luaL_ref(L, REGISTRY);
  }

  /** Runs a full garbage collection (`collectgarbage("collect")`). */
  collect(): void {
    if (!this.#closed) this.#gc("collect");
  }

  /**
   * Bytes of memory the state uses (INFO `used_memory_vm_eval` / `used_memory_vm_functions`):
   * `collectgarbage("count")`, Lua's `lua_gc(LUA_GCCOUNT)` plus `LUA_GCCOUNTB` in kilobytes.
   */
  memoryBytes(): number {
    if (this.#closed) return 0;
    return Math.round(this.#gc("count") * 1024);
  }

  // Calls the captured `collectgarbage(option)` on the state's own query thread; the hook is
  // never set on that thread, so a busy script's hook cannot fire inside it.
  #gc(option: string): number {
    const G = this.#gcThread;
    lua._lua_rawgeti(G, REGISTRY, BigInt(this.#gcRef));
    pushBytes(G, option);
    if (lua._lua_pcallk(G, 1, 1, 0, 0, 0) !== LUA_OK) {
      const why = toBytes(G, -1);
      lua._lua_settop(G, 0);
      throw new Error(`Cannot run collectgarbage("${option}"): ${why}`);
    }
    const n = lua._lua_tonumberx(G, -1, 0);
    lua._lua_settop(G, 0);
    return n;
  }

  /** Closes the state with `owner`: when `owner` is garbage collected first, the state is closed then. */
  bindTo(owner: object): void {
    ORPHANS.register(owner, this.L, this);
  }

  /** Closes the state. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    ORPHANS.unregister(this);
    lua._lua_close(this.L);
  }
}

// Builds the reply of a failed run from the error table Valkey's handler produced:
// "<err> script: <name>, on <source>:<line>." (luaCallFunction).
function scriptFailure(T: LuaState, host: ScriptHost): Reply {
  const name = host.name;
  if (lua._lua_type(T, 2) !== T_TABLE) {
    const msg = toBytes(T, 2) ?? "execution failure";
    const text = `ERR Error running script ${name}, ${msg.slice(0, 100)}`.replace(/[\r\n]/g, " ");
    host.errors.own.push(text);
    return error(text);
  }
  const msg = stringField(T, 2, "err") ?? "ERR unknown error";
  const source = stringField(T, 2, "source");
  const line = stringField(T, 2, "line");
  let text = msg;
  if (source !== undefined && line !== undefined) text += ` script: ${name}, on ${source}:${line}.`;
  text = text.replace(/[\r\n]/g, " ");
  // An error from a command the script called (redis.call raising it, or the script raising
  // what redis.pcall returned) was counted when the command failed.
  if (passedOnError(T, 2)) host.errors.passedOn++;
  else host.errors.own.push(text);
  return error(text);
}

// Valkey's luaExtractErrorInformation for FUNCTION LOAD: a string error gets "ERR ", a table
// gives its err field.
function errorMessage(L: LuaState, idx: number): string {
  const t = lua._lua_type(L, idx);
  if (t === T_STRING || t === T_NUMBER) return `ERR ${toBytes(L, idx)}`;
  if (t === T_TABLE) return stringField(L, idx, "err") ?? "ERR unknown error";
  return "ERR unknown error";
}

function pushArray(L: LuaState, items: readonly string[]): void {
  lua._lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushBytes(L, items[i]!);
    lua._lua_rawseti(L, -2, BigInt(i + 1));
  }
}

// t[name] = top, raw, where t is just below the value.
function setRaw(L: LuaState, name: string): void {
  pushBytes(L, name);
  lua._lua_rotate(L, -2, 1);
  lua._lua_rawset(L, -3);
}

/** "7.2.4" -> 0x00070204, as Valkey's *_VERSION_NUM. */
function versionNum(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split(".").map(Number);
  return (a << 16) | (b << 8) | c;
}
