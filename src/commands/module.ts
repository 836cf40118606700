/**
 * MODULE (Valkey group `server`): LIST, LOAD, LOADEX, UNLOAD and HELP.
 *
 * Kite has valkey-search's command surface built in (FT.*, the `search_*` INFO sections), so it
 * presents itself as a Valkey server with that module loaded: MODULE LIST, INFO `modules` and
 * (through {@link loadedModulesReply}) any other reply that lists modules show `search`, which
 * is what RedisVL, LangChain and similar clients look for before they use FT.*.
 *
 * Kite cannot load native modules, so MODULE LOAD and LOADEX always fail, with the reply Valkey
 * gives for a module that did not load (and the reason in the server log, where that reply
 * points). MODULE UNLOAD answers as Valkey would with valkey-search loaded: valkey-search
 * registers a module data type, which makes it impossible to unload; any other name is unknown.
 *
 * @module
 */
import { cmd, type Command, type CommandGroup, type CommandSpec } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { array, bulk, EMPTY_ARRAY, error, int, map, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";
import { helpReply } from "./connection.ts";

/** A module Kite presents as loaded. */
export interface BuiltinModule {
  /** The name the module registers (`ValkeyModule_Init`), as MODULE LIST and INFO print it. */
  readonly name: string;
  /** The module's version integer (MODULE LIST `ver`, INFO `ver=`). */
  readonly ver: number;
  /** The module API version it was built against (INFO `api=`). */
  readonly api: number;
  /** The module options it sets, as INFO prints them (`ValkeyModule_SetModuleOptions`). */
  readonly options: readonly string[];
  /** The command group of Kite's table rows that are this module's commands (FT.*: `search`). */
  readonly commandGroup: CommandGroup;
}

/**
 * valkey-search, whose command surface Kite follows: release 1.0, the one with exactly Kite's
 * FT.CREATE, FT.SEARCH, FT.INFO, FT.DROPINDEX and FT._LIST and no full-text search
 * (`shared/reference/vector-search.md`). valkey-search 1.0 registers `search` with
 * MODULE_VERSION 10000 and sets the options below; valkey-bundle 8.1.1, which pairs it with
 * Valkey 8.1 (the release Kite reports), prints exactly this INFO line. Later releases encode
 * their version differently (1.2.0 reports 66048), so the integer is tied to the 1.0 surface.
 * RediSearch numbers its releases the same way as 1.0 does but higher (2.6.0 is 20600), so a
 * client that demands RediSearch's version rejects Kite exactly as it rejects valkey-search.
 */
export const SEARCH_MODULE: BuiltinModule = Object.freeze({
  name: "search",
  ver: 10000,
  api: 1,
  options: Object.freeze(["handle-io-errors", "handle-repl-async-load", "no-implicit-signal-modified"]),
  commandGroup: "search",
});

/** Every module Kite presents as loaded, in MODULE LIST order. */
export const BUILTIN_MODULES: readonly BuiltinModule[] = Object.freeze([SEARCH_MODULE]);

/**
 * The module a command belongs to (Valkey's `moduleNameFromCommand`), or undefined for a
 * server command. Valkey gives every module command the `module` flag, the COMMAND DOCS group
 * `module` and a `module` field, and COMMAND LIST FILTERBY MODULE selects by it.
 */
export function moduleOfCommand(c: Command): BuiltinModule | undefined {
  const group = (c.container ?? c).spec.group;
  for (const m of BUILTIN_MODULES) if (m.commandGroup === group) return m;
  return undefined;
}

/**
 * The built-in module named `name`, compared case-insensitively as Valkey's module table does.
 */
export function builtinModule(name: string): BuiltinModule | undefined {
  const lower = name.toLowerCase();
  return BUILTIN_MODULES.find((m) => m.name === lower);
}

/**
 * The loaded modules as Valkey's `addReplyLoadedModules` sends them (MODULE LIST, and HELLO's
 * `modules`): one `name`, `ver`, `path`, `args` map each. A built-in module has no shared
 * object, so its path is empty, as servers print for modules compiled in.
 */
export function loadedModulesReply(): Reply {
  return array(BUILTIN_MODULES.map((m) =>
    map([
      [bulk("name"), bulk(m.name)],
      [bulk("ver"), int(m.ver)],
      [bulk("path"), bulk("")],
      [bulk("args"), EMPTY_ARRAY],
    ])
  ));
}

/**
 * The lines of INFO's `Modules` section (after its title), one per module, in Valkey's format:
 * `module:name=...,ver=...,api=...,filters=0,usedby=[],using=[],options=[a|b]`. Kite's
 * modules register no command filters and use no other module's API.
 */
export function moduleInfoLines(): string {
  let out = "";
  for (const m of BUILTIN_MODULES) {
    out += `module:name=${m.name},ver=${m.ver},api=${m.api},filters=0,usedby=[],using=[],` +
      `options=[${m.options.join("|")}]\r\n`;
  }
  return out;
}

function moduleList(): Reply {
  return loadedModulesReply();
}

// Valkey parses LOADEX's CONFIG and ARGS before loading and answers this same error when the
// parse fails, so every outcome here is that reply: no module ever loads into Kite.
function moduleLoad(ctx: CommandContext, argv: readonly string[]): Reply {
  ctx.engine.log("warning", `Module ${argv[2]} failed to load: Kite cannot load native modules`);
  return error(E.MODULE_LOAD_FAILED);
}

function moduleUnload(_ctx: CommandContext, argv: readonly string[]): Reply {
  return error(builtinModule(argv[2]!) !== undefined ? E.MODULE_UNLOAD_DATATYPES : E.MODULE_UNLOAD_NO_SUCH);
}

const MODULE_HELP = [
  "LIST",
  "    Return a list of loaded modules.",
  "LOAD <path> [<arg> ...]",
  "    Load a module library from <path>, passing to it any optional arguments.",
  "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
  "    Load a module library from <path>, while passing it module configurations and optional arguments.",
  "UNLOAD <name>",
  "    Unload a module.",
];

function moduleHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, MODULE_HELP);
}

const LOAD_FLAGS = "no_async_loading admin noscript protected";

/** The MODULE container's table rows. */
export const MODULE_COMMANDS: readonly CommandSpec[] = [
  cmd("module", "server", -2, "", "", [], "4.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Lists, loads and unloads server modules.",
    subcommands: [
      cmd("help", "server", 2, "loading stale", "", [], "5.0.0", moduleHelp, {
        complexity: "O(1)",
        summary: "Lists the MODULE subcommands.",
      }),
      cmd("list", "server", 2, "admin noscript", "", [], "4.0.0", moduleList, {
        tips: ["nondeterministic_output_order"],
        complexity: "O(N) where N is the number of loaded modules.",
        summary: "Describes the loaded modules: name, version, path and arguments.",
      }),
      cmd("load", "server", -3, LOAD_FLAGS, "", [], "4.0.0", moduleLoad, {
        complexity: "O(1)",
        summary: "Loads a module from a shared library (never possible in Kite).",
      }),
      cmd("loadex", "server", -3, LOAD_FLAGS, "", [], "7.0.0", moduleLoad, {
        complexity: "O(1)",
        summary: "Loads a module with configuration values and arguments (never possible in Kite).",
      }),
      cmd("unload", "server", 3, LOAD_FLAGS, "", [], "4.0.0", moduleUnload, {
        complexity: "O(1)",
        summary: "Unloads a module by name.",
      }),
    ],
  }),
];
