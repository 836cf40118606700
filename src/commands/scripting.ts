/**
 * Scripting and functions: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FUNCTION, FCALL and
 * FCALL_RO, on the Lua VM of `src/scripting/`.
 *
 * @module
 */
import type { CommandContext } from "../engine/context.ts";
import { type Blocked, cmd, type CommandSpec, keynumKey } from "./spec.ts";
import {
  array,
  bulk,
  EMPTY_ARRAY,
  error,
  fieldMap,
  int,
  map,
  NULL,
  OK,
  type Reply,
  set,
  simple,
} from "../protocol/reply.ts";
import { E, fmt } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { globMatch } from "../util/glob.ts";
import { helpReply } from "./connection.ts";
import { type LibFunction, type Library, type Scripting, scriptingOf, splitArgs } from "../scripting/scripting.ts";
import { validName } from "../scripting/lua.ts";
import { dumpFunctions, PayloadError, readFunctionsPayload } from "../scripting/function_dump.ts";
import { SCRIPT_FLAGS } from "../scripting/vm.ts";

const NOSCRIPT = error("NOSCRIPT No matching script. Please use EVAL.");
const RO_WRITE_FLAG = "ERR Can not execute a script with write flag using *_ro command.";
const NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative";

function numkeysOf(argv: readonly string[], badMsg: string): number | Reply {
  const n = parseInt64(argv[2]!);
  if (n === null) return error(badMsg);
  if (n > argv.length - 3) return error(E.NUMKEYS_TOO_MANY);
  if (n < 0) return error(NUMKEYS_NEGATIVE);
  return Number(n);
}

// Valkey feeds EVAL/FCALL to MONITOR before running it, so the script's own commands follow.
function feedMonitor(ctx: CommandContext, argv: readonly string[]): void {
  const engine = ctx.engine;
  if (engine.monitor.count !== 0) engine.monitor.feed(ctx.session, argv, ctx.session.db);
}

function evalGeneric(ctx: CommandContext, argv: readonly string[], evalsha: boolean, ro: boolean): Reply | Blocked {
  feedMonitor(ctx, argv);
  // A SHA1 of the wrong length cannot match: answered before anything else, as Valkey does.
  if (evalsha && argv[1]!.length !== 40) return NOSCRIPT;
  const numkeys = numkeysOf(argv, E.NOT_INTEGER);
  if (typeof numkeys !== "number") return numkeys;
  const s = scriptingOf(ctx.engine);
  let script;
  if (evalsha) {
    script = s.scripts.get(argv[1]!.toLowerCase());
    if (script === undefined) return NOSCRIPT;
  } else {
    const r = s.register(argv[1]!, true);
    if ("error" in r) return error(r.error);
    script = r;
  }
  const flags = script.flags;
  // A script declaring flags without no-writes may write: refused by the *_RO commands.
  if (flags !== null && !flags.includes("no-writes") && ro) return error(RO_WRITE_FLAG);
  const readOnly = ro || (flags !== null && flags.includes("no-writes"));
  const keys = argv.slice(3, 3 + numkeys);
  const args = argv.slice(3 + numkeys);
  const reply = s.start(
    ctx,
    { argv, name: script.sha, evalMode: true, readOnly, env: s.evalEnv },
    script.handle,
    keys,
    args,
  );
  s.touch(script.sha);
  return reply;
}

function fcallGeneric(ctx: CommandContext, argv: readonly string[], ro: boolean): Reply | Blocked {
  feedMonitor(ctx, argv);
  const s = scriptingOf(ctx.engine);
  const fn = s.functions.get(argv[1]!.toLowerCase());
  if (fn === undefined) return error("ERR Function not found");
  const numkeys = numkeysOf(argv, "ERR Bad number of keys provided");
  if (typeof numkeys !== "number") return numkeys;
  if (!fn.flags.includes("no-writes") && ro) return error(RO_WRITE_FLAG);
  const readOnly = ro || fn.flags.includes("no-writes");
  return s.start(
    ctx,
    { argv, name: fn.name, evalMode: false, readOnly, env: s.funcEnv },
    fn.handle,
    argv.slice(3, 3 + numkeys),
    argv.slice(3 + numkeys),
  );
}

// ---- SCRIPT ----------------------------------------------------------------------------------

const SCRIPT_HELP = [
  "DEBUG (YES|SYNC|NO)",
  "    Choose the debug mode of the scripts this connection runs next (only NO here: Kite",
  "    has no Lua debugger).",
  "EXISTS <sha1> [<sha1> ...]",
  "    For each SHA1, 1 when the script is cached, else 0.",
  "FLUSH [ASYNC|SYNC]",
  "    Empty the script cache (both modes empty it at once).",
  "KILL",
  "    Stop the running script, if it has not written anything yet.",
  "LOAD <script>",
  "    Cache a script without running it; returns its SHA1.",
  "SHOW <sha1>",
  "    Return the source of a cached script.",
];

function scriptLoad(ctx: CommandContext, argv: readonly string[]): Reply {
  const r = scriptingOf(ctx.engine).register(argv[2]!, false);
  return "error" in r ? error(r.error) : bulk(r.sha);
}

function scriptExists(ctx: CommandContext, argv: readonly string[]): Reply {
  const scripts = scriptingOf(ctx.engine).scripts;
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) out.push(int(scripts.has(argv[i]!.toLowerCase()) ? 1 : 0));
  return array(out);
}

function scriptFlush(ctx: CommandContext, argv: readonly string[]): Reply {
  // Both modes flush at once: a garbage-collected runtime frees the old state lazily anyway.
  const mode = argv[2]?.toLowerCase();
  if (argv.length > 3 || (argv.length === 3 && mode !== "sync" && mode !== "async")) {
    return error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  scriptingOf(ctx.engine).flushScripts();
  return OK;
}

function scriptKill(ctx: CommandContext): Reply {
  return scriptingOf(ctx.engine).kill(true);
}

function scriptDebug(_ctx: CommandContext, argv: readonly string[]): Reply {
  const mode = argv[2]!.toLowerCase();
  if (mode === "no") return OK;
  if (mode === "yes" || mode === "sync") {
    return error("ERR SCRIPT DEBUG YES and SYNC are not supported: this server has no Lua debugger");
  }
  return error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

function scriptShow(ctx: CommandContext, argv: readonly string[]): Reply {
  const sha = argv[2]!;
  const script = sha.length === 40 ? scriptingOf(ctx.engine).scripts.get(sha.toLowerCase()) : undefined;
  return script === undefined ? NOSCRIPT : bulk(script.body);
}

// ---- FUNCTION --------------------------------------------------------------------------------

const FUNCTION_HELP = [
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a library from its code (the first line names it: #!lua name=<library>).",
  "    REPLACE overwrites a library of the same name.",
  "DELETE <LIBRARY NAME>",
  "    Remove a library and its functions.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    List the libraries (optionally those matching a glob pattern): name, engine,",
  "    functions with their descriptions and flags, and the code with WITHCODE.",
  "STATS",
  "    The running function (name, command, duration in ms) or nil, and the engines with",
  "    their library and function counts.",
  "KILL",
  "    Stop the running function, if it has not written anything yet.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete every library (both modes delete at once).",
  "DUMP",
  "    Serialize every library into a payload for FUNCTION RESTORE.",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Load the libraries of a payload. FLUSH drops the current ones first; APPEND (the",
  "    default) fails on a name clash; REPLACE replaces libraries of the same name (a",
  "    function name clash with another library still fails).",
];

interface LibMeta {
  engine: string;
  name: string;
  /** The code after the shebang line, starting at its newline (line numbers stay right). */
  body: string;
}

// Valkey's functionExtractLibMetaData.
function libraryMeta(code: string): LibMeta | string {
  if (!code.startsWith("#!")) return "Missing library metadata";
  const nl = code.indexOf("\n");
  if (nl < 0) return "Invalid library metadata";
  const parts = splitArgs(code.slice(0, nl));
  if (parts === null || parts.length === 0) return "Invalid library metadata";
  const engine = parts[0]!.slice(2);
  let name: string | undefined;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === "name=") {
      if (name !== undefined) return "Invalid metadata value, name argument was given multiple times";
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${part}`;
  }
  if (name === undefined) return "Library name was not given";
  return { engine, name, body: code.slice(nl) };
}

/**
 * Compiles a library (Valkey's functionsCreateWithLibraryCtx) against `libs`/`functions`;
 * with `replace`, an existing library of the same name is replaced. Returns the new library
 * (not yet linked) and the one it replaces, or an error text without code.
 */
function createLibrary(
  s: Scripting,
  code: string,
  replace: boolean,
  libs: ReadonlyMap<string, Library>,
  functions: ReadonlyMap<string, LibFunction>,
  timeoutMs: number,
): { lib: Library; old: Library | undefined } | string {
  const meta = libraryMeta(code);
  if (typeof meta === "string") return meta;
  if (!validName(meta.name)) {
    return "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
  }
  if (meta.engine.toLowerCase() !== "lua") return `Engine '${meta.engine}' not found`;
  const old = libs.get(meta.name);
  if (old !== undefined && !replace) return `Library '${meta.name}' already exists`;
  const env = s.funcEnv;
  const loaded = env.loadLibrary(meta.body, timeoutMs, () => s.engine.clock.monotonicUs());
  if ("error" in loaded) return loaded.error;
  const lib: Library = { name: meta.name, engine: "LUA", code, functions: new Map() };
  const release = () => {
    for (const f of loaded.functions) env.release(f.handle);
  };
  if (loaded.functions.length === 0) {
    release();
    return "No functions registered";
  }
  for (const f of loaded.functions) {
    const other = functions.get(f.name.toLowerCase());
    if (other !== undefined && other.library !== old) {
      release();
      return `Function ${f.name} already exists`;
    }
    lib.functions.set(f.name, { ...f, library: lib });
  }
  return { lib, old };
}

function unlink(s: Scripting, lib: Library, release: boolean): void {
  s.libraries.delete(lib.name);
  for (const f of lib.functions.values()) {
    s.functions.delete(f.name.toLowerCase());
    if (release) s.funcEnv.release(f.handle);
  }
}

function link(s: Scripting, lib: Library): void {
  s.libraries.set(lib.name, lib);
  for (const f of lib.functions.values()) s.functions.set(f.name.toLowerCase(), f);
}

function functionLoad(ctx: CommandContext, argv: readonly string[]): Reply {
  let replace = false;
  let pos = 2;
  while (pos < argv.length - 1) {
    const a = argv[pos++]!;
    if (a.toLowerCase() === "replace") {
      replace = true;
      continue;
    }
    return error(`ERR Unknown option given: ${a}`);
  }
  if (pos >= argv.length) return error("ERR Function code is missing");
  const s = scriptingOf(ctx.engine);
  const r = createLibrary(s, argv[pos]!, replace, s.libraries, s.functions, LOAD_TIMEOUT_MS);
  if (typeof r === "string") return error(`ERR ${r}`);
  if (r.old !== undefined) unlink(s, r.old, true);
  link(s, r.lib);
  ctx.engine.dirty++;
  return bulk(r.lib.name);
}

const LOAD_TIMEOUT_MS = 500;

function flagsReply(f: LibFunction): Reply {
  // In Valkey's flag order, as status strings in a set.
  return set(SCRIPT_FLAGS.filter((x) => f.flags.includes(x)).map(simple));
}

function functionList(ctx: CommandContext, argv: readonly string[]): Reply {
  let withCode = false;
  let pattern: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (!withCode && a === "withcode") {
      withCode = true;
      continue;
    }
    if (pattern === undefined && a === "libraryname") {
      if (i >= argv.length - 1) return error("ERR library name argument was not given");
      pattern = argv[++i]!;
      continue;
    }
    return error(`ERR Unknown argument ${argv[i]}`);
  }
  const out: Reply[] = [];
  for (const lib of scriptingOf(ctx.engine).libraries.values()) {
    if (pattern !== undefined && !globMatch(pattern, lib.name, true)) continue;
    const fns = [...lib.functions.values()].map((f) =>
      fieldMap([
        ["name", bulk(f.name)],
        ["description", f.description === undefined ? NULL : bulk(f.description)],
        ["flags", flagsReply(f)],
      ])
    );
    const entries: [string, Reply][] = [
      ["library_name", bulk(lib.name)],
      ["engine", bulk(lib.engine)],
      ["functions", array(fns)],
    ];
    if (withCode) entries.push(["library_code", bulk(lib.code)]);
    out.push(fieldMap(entries));
  }
  return out.length === 0 ? EMPTY_ARRAY : array(out);
}

function functionDelete(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = scriptingOf(ctx.engine);
  const lib = s.libraries.get(argv[2]!);
  if (lib === undefined) return error("ERR Library not found");
  unlink(s, lib, true);
  ctx.engine.dirty++;
  return OK;
}

function functionFlush(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 3) return error(fmt(E.XINFO_SYNTAX, argv[1]!, "FUNCTION"));
  const mode = argv[2]?.toLowerCase();
  if (argv.length === 3 && mode !== "sync" && mode !== "async") {
    return error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  scriptingOf(ctx.engine).flushFunctions();
  ctx.engine.dirty++;
  return OK;
}

function functionDump(ctx: CommandContext): Reply {
  const codes = [...scriptingOf(ctx.engine).libraries.values()].map((l) => l.code);
  return bulk(dumpFunctions(codes));
}

function functionRestore(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 4) return error(fmt(E.XINFO_SYNTAX, argv[1]!, "FUNCTION"));
  let policy = "append";
  if (argv.length === 4) {
    policy = argv[3]!.toLowerCase();
    if (policy !== "append" && policy !== "replace" && policy !== "flush") {
      return error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  let codes: string[];
  try {
    codes = readFunctionsPayload(argv[2]!);
  } catch (e) {
    if (e instanceof PayloadError) return error(`ERR ${e.message}`);
    throw e;
  }
  const s = scriptingOf(ctx.engine);
  // The payload's libraries load into a scratch set first, checked against each other.
  const libs = new Map<string, Library>();
  const fns = new Map<string, LibFunction>();
  const releaseAll = () => {
    for (const l of libs.values()) for (const f of l.functions.values()) s.funcEnv.release(f.handle);
  };
  for (const code of codes) {
    const r = createLibrary(s, code, false, libs, fns, 0);
    if (typeof r === "string") {
      releaseAll();
      return error(`ERR ${r}`);
    }
    libs.set(r.lib.name, r.lib);
    for (const f of r.lib.functions.values()) fns.set(f.name.toLowerCase(), f);
  }
  if (policy === "flush") {
    for (const lib of [...s.libraries.values()]) unlink(s, lib, true);
  } else {
    // Valkey's libraryJoin: existing libraries of the same name abort (APPEND) or are replaced
    // (REPLACE); a function name clash with the remaining libraries aborts either way.
    const replaced: Library[] = [];
    for (const lib of libs.values()) {
      const old = s.libraries.get(lib.name);
      if (old === undefined) continue;
      if (policy === "append") {
        releaseAll();
        return error(`ERR Library ${lib.name} already exists`);
      }
      replaced.push(old);
    }
    for (const f of fns.values()) {
      const other = s.functions.get(f.name.toLowerCase());
      if (other !== undefined && !replaced.includes(other.library)) {
        releaseAll();
        return error(`ERR Function ${f.name} already exists`);
      }
    }
    for (const old of replaced) unlink(s, old, true);
  }
  for (const lib of libs.values()) link(s, lib);
  ctx.engine.dirty++;
  return OK;
}

function functionStats(ctx: CommandContext): Reply {
  const s = scriptingOf(ctx.engine);
  const run = s.running;
  if (run !== undefined && run.evalMode) return busyReplyFor(ctx, true);
  let running: Reply = NULL;
  if (run !== undefined) {
    running = fieldMap([
      ["name", bulk(run.name)],
      ["command", array(run.argv.map(bulk))],
      ["duration_ms", int(Math.floor((ctx.engine.clock.monotonicUs() - run.startUs) / 1000))],
    ]);
  }
  let nfn = 0;
  for (const lib of s.libraries.values()) nfn += lib.functions.size;
  return fieldMap([
    ["running_script", running],
    [
      "engines",
      map([[
        bulk("LUA"),
        fieldMap([["libraries_count", int(s.libraries.size)], ["functions_count", int(nfn)]]),
      ]]),
    ],
  ]);
}

function busyReplyFor(ctx: CommandContext, evalMode: boolean): Reply {
  const kill = evalMode ? "SCRIPT KILL" : "FUNCTION KILL";
  const title = ctx.engine.config.bool("extended-redis-compatibility") ? "Redis" : "Valkey";
  return error(`BUSY ${title} is busy running a script. You can only call ${kill} or SHUTDOWN NOSAVE.`);
}

function functionKill(ctx: CommandContext): Reply {
  return scriptingOf(ctx.engine).kill(false);
}

// ---- table -----------------------------------------------------------------------------------

const EVAL_FLAGS = "noscript skip_monitor may_replicate no_mandatory_keys stale";
const EVAL_RO_FLAGS = "noscript skip_monitor no_mandatory_keys stale readonly";
const RW_KEYS = [keynumKey(2, 0, 1, 1, "RW ACCESS UPDATE")];
const RO_KEYS = [keynumKey(2, 0, 1, 1, "RO ACCESS")];
const EVAL_NOTES = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE";
const EVAL_RO_NOTES = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS";
const ALL_SHARDS_OK = ["request_policy:all_shards", "response_policy:all_succeeded"];

/** The scripting command group. */
export const SCRIPTING_COMMANDS: readonly CommandSpec[] = [
  cmd("eval", "scripting", -3, EVAL_FLAGS, "scripting", [{ ...RW_KEYS[0]!, notes: EVAL_NOTES }], "2.6.0", (
    ctx,
    argv,
  ) => evalGeneric(ctx, argv, false, false), {
    complexity: "Depends on the script that is executed.",
    summary: "Runs a Lua script on the server, atomically.",
  }),
  cmd(
    "evalsha",
    "scripting",
    -3,
    EVAL_FLAGS,
    "scripting",
    RW_KEYS,
    "2.6.0",
    (ctx, argv) => evalGeneric(ctx, argv, true, false),
    {
      complexity: "Depends on the script that is executed.",
      summary: "Runs a cached Lua script, named by the SHA1 of its source.",
    },
  ),
  cmd("eval_ro", "scripting", -3, EVAL_RO_FLAGS, "scripting", [{ ...RO_KEYS[0]!, notes: EVAL_RO_NOTES }], "7.0.0", (
    ctx,
    argv,
  ) => evalGeneric(ctx, argv, false, true), {
    complexity: "Depends on the script that is executed.",
    summary: "Runs a Lua script that may only read data.",
  }),
  cmd(
    "evalsha_ro",
    "scripting",
    -3,
    EVAL_RO_FLAGS,
    "scripting",
    RO_KEYS,
    "7.0.0",
    (ctx, argv) => evalGeneric(ctx, argv, true, true),
    {
      complexity: "Depends on the script that is executed.",
      summary: "Runs a cached Lua script that may only read data.",
    },
  ),
  cmd("fcall", "scripting", -3, EVAL_FLAGS, "scripting", [{ ...RW_KEYS[0]!, notes: EVAL_NOTES }], "7.0.0", (
    ctx,
    argv,
  ) => fcallGeneric(ctx, argv, false), {
    complexity: "Depends on the function that is executed.",
    summary: "Calls a function of a loaded library.",
  }),
  cmd("fcall_ro", "scripting", -3, EVAL_RO_FLAGS, "scripting", [{ ...RO_KEYS[0]!, notes: EVAL_RO_NOTES }], "7.0.0", (
    ctx,
    argv,
  ) => fcallGeneric(ctx, argv, true), {
    complexity: "Depends on the function that is executed.",
    summary: "Calls a function of a loaded library that may only read data.",
  }),
  cmd("script", "scripting", -2, "", "", [], "2.6.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Manages the cache of Lua scripts.",
    subcommands: [
      cmd("debug", "scripting", 3, "noscript", "scripting", [], "3.2.0", scriptDebug, {
        complexity: "O(1)",
        summary: "Sets the debug mode of this connection's next scripts (NO only).",
      }),
      cmd("exists", "scripting", -3, "noscript", "scripting", [], "2.6.0", scriptExists, {
        complexity:
          "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
        summary: "Tells which of the given SHA1s name cached scripts.",
        tips: ["request_policy:all_shards", "response_policy:agg_logical_and"],
      }),
      cmd("flush", "scripting", -2, "noscript", "scripting", [], "2.6.0", scriptFlush, {
        complexity: "O(N) with N being the number of scripts in cache",
        summary: "Empties the script cache.",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
      }),
      cmd(
        "help",
        "scripting",
        2,
        "loading stale",
        "scripting",
        [],
        "5.0.0",
        (_ctx, argv) => helpReply(argv[0]!, SCRIPT_HELP),
        {
          complexity: "O(1)",
          summary: "Lists the SCRIPT subcommands.",
        },
      ),
      cmd("kill", "scripting", 2, "noscript allow_busy", "scripting", [], "2.6.0", scriptKill, {
        complexity: "O(1)",
        summary: "Stops the running script if it has not written yet.",
        tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
      }),
      cmd("load", "scripting", 3, "noscript stale", "scripting", [], "2.6.0", scriptLoad, {
        complexity: "O(N) with N being the length in bytes of the script body.",
        summary: "Compiles and caches a script without running it.",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
      }),
      cmd("show", "scripting", 3, "noscript", "scripting", [], "8.0.0", scriptShow, {
        complexity: "O(1).",
        summary: "Returns the source of a cached script.",
      }),
    ],
  }),
  cmd("function", "scripting", -2, "", "", [], "7.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Manages function libraries.",
    subcommands: [
      cmd("delete", "scripting", 3, "noscript write", "scripting", [], "7.0.0", functionDelete, {
        complexity: "O(1)",
        summary: "Deletes a library and its functions.",
        tips: ALL_SHARDS_OK,
      }),
      cmd("dump", "scripting", 2, "noscript", "scripting", [], "7.0.0", functionDump, {
        complexity: "O(N) where N is the number of functions",
        summary: "Serializes every library into a payload.",
      }),
      cmd("flush", "scripting", -2, "noscript write", "scripting", [], "7.0.0", functionFlush, {
        complexity: "O(N) where N is the number of functions deleted",
        summary: "Deletes every library.",
        tips: ALL_SHARDS_OK,
      }),
      cmd(
        "help",
        "scripting",
        2,
        "loading stale",
        "scripting",
        [],
        "7.0.0",
        (_ctx, argv) => helpReply(argv[0]!, FUNCTION_HELP),
        {
          complexity: "O(1)",
          summary: "Lists the FUNCTION subcommands.",
        },
      ),
      cmd("kill", "scripting", 2, "noscript allow_busy", "scripting", [], "7.0.0", functionKill, {
        complexity: "O(1)",
        summary: "Stops the running function if it has not written yet.",
        tips: ["request_policy:all_shards", "response_policy:one_succeeded"],
      }),
      cmd("list", "scripting", -2, "noscript", "scripting", [], "7.0.0", functionList, {
        complexity: "O(N) where N is the number of functions",
        summary: "Describes the loaded libraries and their functions.",
        tips: ["nondeterministic_output_order"],
      }),
      cmd("load", "scripting", -3, "noscript write denyoom", "scripting", [], "7.0.0", functionLoad, {
        complexity: "O(1) (considering compilation time is redundant)",
        summary: "Loads a library of functions.",
        tips: ALL_SHARDS_OK,
      }),
      cmd("restore", "scripting", -3, "noscript write denyoom", "scripting", [], "7.0.0", functionRestore, {
        complexity: "O(N) where N is the number of functions on the payload",
        summary: "Loads the libraries of a FUNCTION DUMP payload.",
        tips: ALL_SHARDS_OK,
      }),
      cmd("stats", "scripting", 2, "noscript allow_busy", "scripting", [], "7.0.0", functionStats, {
        complexity: "O(1)",
        summary: "Reports the running function and the engines' library counts.",
        tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
      }),
    ],
  }),
];
