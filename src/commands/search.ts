/**
 * The valkey-search command surface (FT.CREATE, FT.SEARCH, FT.INFO, FT.DROPINDEX, FT._LIST)
 * over hashes, with vector (HNSW/FLAT), TAG and NUMERIC attributes. valkey-search is a module,
 * so these rows are not in Valkey's command table: arities come from the module's command JSON
 * (`src/commands/ft.*.json`: FT.CREATE -5, FT.SEARCH -3, FT.INFO -2, FT.DROPINDEX 2), flags and
 * ACL categories from what it registers (`module_loader.cc`, `commands.h`); index names are
 * not keys, so there are no key specs. FT._LIST keeps arity 1: its REGEX filter came later
 * and is not implemented. The work lives in src/search (indexes, parsers, replies) and
 * src/vector (the vector indexes).
 *
 * @module
 */
import type { CommandContext } from "../engine/context.ts";
import { array, bulk, error, OK, type Reply } from "../protocol/reply.ts";
import { asReply, fail, indexNotFound } from "../search/args.ts";
import { runSearch } from "../search/execute.ts";
import { SearchManager } from "../search/manager.ts";
import { infoReply } from "../search/reply.ts";
import { parseCreate } from "../search/schema.ts";
import { cmd, type CommandSpec } from "./spec.ts";

function ftCreate(ctx: CommandContext, argv: readonly string[]): Reply {
  const def = asReply(() => parseCreate(argv));
  const created = SearchManager.of(ctx.engine).create(ctx.db.id, def);
  if (created === undefined) fail(`Index ${def.name} in database ${ctx.db.id} already exists.`);
  return OK;
}

function ftSearch(ctx: CommandContext, argv: readonly string[]): Reply {
  return runSearch(ctx, argv);
}

// valkey-search checks the scope before the index: LOCAL is this node's view (the only one a
// standalone server has); PRIMARY and CLUSTER need cluster mode with its coordinator.
function ftInfo(ctx: CommandContext, argv: readonly string[]): Reply {
  const name = argv[1]!;
  if (argv.length > 3) return error("ERR wrong number of arguments for 'FT.INFO' command");
  if (argv.length === 3) {
    const scope = argv[2]!.toUpperCase();
    if (scope === "PRIMARY" || scope === "CLUSTER") {
      return error(`ERR ${scope} option is not valid in this configuration`);
    }
    if (scope !== "LOCAL") return error("ERR Invalid scope parameter. Must be LOCAL, PRIMARY or CLUSTER");
  }
  const idx = SearchManager.of(ctx.engine).get(ctx.db.id, name) ?? indexNotFound(name, ctx.db.id);
  return infoReply(idx);
}

// valkey-search keeps the documents: RediSearch's `DD` (delete the hashes too) does not exist
// there, and the arity of 2 rejects it before the handler runs.
function ftDropIndex(ctx: CommandContext, argv: readonly string[]): Reply {
  const name = argv[1]!;
  const manager = SearchManager.of(ctx.engine);
  if (!manager.drop(ctx.db.id, name)) indexNotFound(name, ctx.db.id);
  return OK;
}

function ftList(ctx: CommandContext): Reply {
  return array(SearchManager.of(ctx.engine).list(ctx.db.id).map((n) => bulk(n)));
}

/** The FT.* commands. */
export const SEARCH_COMMANDS: readonly CommandSpec[] = [
  cmd("FT.CREATE", "search", -5, "write denyoom fast", "search", [], "1.0.0", ftCreate, {
    complexity: "Construction time O(N log N), where N is the number of indexed items",
    summary: "Creates a search index over hashes and indexes the existing ones in the background.",
  }),
  cmd("FT.SEARCH", "search", -3, "readonly", "search", [], "1.0.0", ftSearch, {
    complexity: "O(log N)",
    summary: "Runs a vector (KNN), filter or hybrid query against a search index.",
  }),
  cmd("FT.INFO", "search", -2, "readonly fast", "search", [], "1.0.0", ftInfo, {
    complexity: "O(1)",
    summary: "Describes a search index: schema, document counts, memory and backfill progress.",
  }),
  cmd("FT.DROPINDEX", "search", 2, "write fast", "search", [], "1.0.0", ftDropIndex, {
    complexity: "O(1)",
    summary: "Deletes a search index; the indexed hashes stay.",
  }),
  cmd("FT._LIST", "search", 1, "readonly admin", "search", [], "1.0.0", ftList, {
    complexity: "O(1)",
    summary: "Lists the search indexes of the selected database.",
  }),
];
