/**
 * The INFO sections valkey-search adds as the module `search`: `search_memory`,
 * `search_index_stats`, `search_ingestion` and `search_query`, with valkey-search's field names
 * (Valkey prefixes a module's section and field names with `<module>_`). Only what Kite measures
 * is reported: valkey-search's thread-pool, RDB, coordinator and hnswlib-exception sections
 * describe machinery Kite does not have and are left out.
 *
 * Valkey prints module sections after its own, for `INFO everything`, `INFO modules`,
 * `INFO search` (the module name) or a section's full name (`INFO search_memory`), never for
 * `INFO`, `INFO default` or `INFO all`.
 *
 * @module
 */
import type { Engine } from "../engine/engine.ts";
import { SearchManager } from "./manager.ts";

/** The module name Valkey prefixes to the section and field names. */
const MODULE = "search";

/** valkey-search's `ConvertToMB`: bytes as MiB with two decimals and an `M`. */
function toMB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)}M`;
}

/** Bytes held by every search index of the engine (FT.INFO's attribute memory plus document tables). */
export function searchUsedMemory(engine: Engine): number {
  const m = SearchManager.peek(engine);
  if (m === undefined) return 0;
  let n = 0;
  for (const idx of m.all()) n += idx.memoryBytes();
  return n;
}

/**
 * The INFO text of the search sections selected by `wanted` (lower-cased section names as
 * requested), or of all of them when `wanted` is undefined.
 * @returns one string per section, each ending in CRLF
 */
export function searchInfoSections(engine: Engine, wanted?: ReadonlySet<string>): string[] {
  const m = SearchManager.peek(engine);
  const indexes = m === undefined ? [] : [...m.all()];
  let attributes = 0;
  let documents = 0;
  let backfilling = false;
  for (const idx of indexes) {
    attributes += idx.fields.length;
    documents += idx.size;
    if (idx.backfill.inProgress) backfilling = true;
  }
  const used = searchUsedMemory(engine);
  const stats = m?.stats ?? { successful: 0, failed: 0, hybrid: 0, inlineFiltering: 0 };
  const sections: [string, [string, string | number][]][] = [
    ["memory", [["used_memory_bytes", used], ["used_memory_human", toMB(used)]]],
    ["index_stats", [
      ["number_of_indexes", indexes.length],
      ["number_of_attributes", attributes],
      ["total_indexed_hash_keys", documents],
    ]],
    ["ingestion", [["background_indexing_status", backfilling ? "IN_PROGRESS" : "NO_ACTIVITY"]]],
    ["query", [
      ["successful_requests_count", stats.successful],
      ["failure_requests_count", stats.failed],
      ["hybrid_requests_count", stats.hybrid],
      ["inline_filtering_requests_count", stats.inlineFiltering],
    ]],
  ];
  const out: string[] = [];
  for (const [name, fields] of sections) {
    const full = `${MODULE}_${name}`;
    if (wanted !== undefined && !wanted.has(MODULE) && !wanted.has(full)) continue;
    let text = `# ${full}\r\n`;
    for (const [k, v] of fields) text += `${MODULE}_${k}:${v}\r\n`;
    out.push(text);
  }
  return out;
}
