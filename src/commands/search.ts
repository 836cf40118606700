/**
 * The valkey-search command surface (FT.CREATE, FT.SEARCH, FT.INFO, FT.DROPINDEX, FT._LIST)
 * over hashes, with vector (HNSW/FLAT), TAG and NUMERIC attributes. valkey-search is a module,
 * so these rows are not in Valkey's command table: arity, flags and ACL categories are the
 * ones the module registers (`module_loader.cc`, `commands.h`); index names are not keys, so
 * there are no key specs. The work lives in src/search (indexes, parsers, replies) and
 * src/vector (the vector indexes).
 *
 * @module
 */
import type { CommandContext } from "../engine/context.ts";
import { array, bulk, OK, type Reply } from "../protocol/reply.ts";
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

function ftInfo(ctx: CommandContext, argv: readonly string[]): Reply {
  const name = argv[1]!;
  const idx = SearchManager.of(ctx.engine).get(ctx.db.id, name) ?? indexNotFound(name, ctx.db.id);
  // LOCAL asks for this node's view, the only view of a standalone server.
  for (let i = 2; i < argv.length; i++) {
    if (argv[i]!.toUpperCase() !== "LOCAL") fail(`Unexpected parameter at position ${i}:${argv[i]}`);
  }
  return infoReply(idx);
}

function ftDropIndex(ctx: CommandContext, argv: readonly string[]): Reply {
  const name = argv[1]!;
  const manager = SearchManager.of(ctx.engine);
  const idx = manager.get(ctx.db.id, name) ?? indexNotFound(name, ctx.db.id);
  let deleteDocs = false;
  if (argv.length === 3 && argv[2]!.toUpperCase() === "DD") deleteDocs = true;
  else if (argv.length > 2) fail(`Unexpected parameter at position 2:${argv[2]}`);
  // RediSearch's DD also deletes the indexed hashes; they are collected before the index goes.
  const keys = deleteDocs ? [...idx.docs()].map((d) => idx.keyOf(d)!) : [];
  manager.drop(ctx.db.id, name);
  for (const key of keys) if (ctx.db.delete(key)) ctx.touched(key, "del");
  return OK;
}

function ftList(ctx: CommandContext): Reply {
  return array(SearchManager.of(ctx.engine).list(ctx.db.id).map((n) => bulk(n)));
}

/** The FT.* commands. */
export const SEARCH_COMMANDS: readonly CommandSpec[] = [
  cmd("ft.create", "search", -2, "write denyoom fast", "search", [], "1.0.0", ftCreate, {
    complexity: "Construction time O(N log N), where N is the number of indexed items",
    summary: "Creates a search index over hashes and indexes the existing ones in the background.",
  }),
  cmd("ft.search", "search", -2, "readonly", "search", [], "1.0.0", ftSearch, {
    complexity: "O(log N)",
    summary: "Runs a vector (KNN), filter or hybrid query against a search index.",
  }),
  cmd("ft.info", "search", -2, "readonly fast", "search", [], "1.0.0", ftInfo, {
    complexity: "O(1)",
    summary: "Describes a search index: schema, document counts, memory and backfill progress.",
  }),
  cmd("ft.dropindex", "search", -2, "write fast", "search", [], "1.0.0", ftDropIndex, {
    complexity: "O(1)",
    summary: "Deletes a search index, keeping its documents unless DD is given.",
  }),
  cmd("ft._list", "search", 1, "readonly admin", "search", [], "1.0.0", ftList, {
    complexity: "O(1)",
    summary: "Lists the search indexes of the selected database.",
  }),
];
