/**
 * FT.SEARCH: option parsing, planning (graph walk, filtered walk or exact scan), fetching
 * and the reply, with valkey-search's semantics:
 *
 * - the first reply element is min(found, k) for a KNN query, the match count otherwise;
 *   LIMIT (default 0 10) pages inside that and does not change it;
 * - NOCONTENT / RETURN 0 give keys only; RETURN gives the listed fields (renamed by AS, the
 *   score by its name); otherwise every hash field, after the score for KNN queries;
 * - scores are float32 distances printed with `%.12g`.
 *
 * Hybrid queries: when the filter's match count is small next to the index (the walk would
 * visit many rejected nodes), the matching documents are scanned exactly; otherwise the HNSW
 * walk applies the filter to each node it admits as a result.
 *
 * @module
 */
import type { CommandContext } from "../engine/context.ts";
import { typeOf } from "../keyspace/db.ts";
import { array, bulk, int, NULL, type Reply } from "../protocol/reply.ts";
import type { HashValue } from "../types/hash.ts";
import { Hnsw } from "../vector/hnsw.ts";
import type { Neighbors } from "../vector/store.ts";
import { Args, asReply, fail, indexNotFound, ParseError, prefixed, toDouble, toInt } from "./args.ts";
import { VectorField } from "./fields.ts";
import { SearchManager } from "./manager.ts";
import {
  type Filter,
  type KnnClause,
  type Params,
  parseFilterWithPrefix,
  parseKnn,
  splitQuery,
  substitute,
} from "./query.ts";
import { formatG12 } from "./reply.ts";
import { LIMITS } from "./schema.ts";
import type { SearchIndex } from "./search_index.ts";

/** A RETURN entry. */
interface ReturnField {
  /** The hash field to read. */
  identifier: string;
  /** The name to reply with. */
  as: string;
  /** The name as written (matched against the score name). */
  name: string;
}

/** A parsed FT.SEARCH. */
export interface SearchRequest {
  readonly index: SearchIndex;
  readonly filter: Filter | undefined;
  readonly knn:
    | {
      readonly field: VectorField;
      readonly k: number;
      readonly ef: number | undefined;
      readonly query: string;
      readonly scoreAs: string;
    }
    | undefined;
  readonly noContent: boolean;
  readonly returns: readonly ReturnField[] | undefined;
  readonly offset: number;
  readonly num: number;
  readonly sortBy: { readonly name: string; readonly desc: boolean } | undefined;
  readonly withSortKeys: boolean;
  readonly timeoutMs: number;
}

const VECTOR_PREFIX = "Error parsing vector similarity parameters";

/**
 * Parses FT.SEARCH's arguments (after the name) in valkey-search's order: index, query,
 * options, then the query string, then parameter substitution and checks.
 */
export function parseSearch(ctx: CommandContext, argv: readonly string[]): SearchRequest {
  const it = new Args(argv, 1);
  const name = asReply(() => it.next());
  const index = SearchManager.of(ctx.engine).get(ctx.db.id, name) ?? indexNotFound(name, ctx.db.id);
  return asReply(() => {
    const query = it.next();
    let noContent = false;
    let returns: ReturnField[] | undefined;
    let offset = 0;
    let num = 10;
    let sortBy: { name: string; desc: boolean } | undefined;
    let withSortKeys = false;
    let timeoutMs: number = LIMITS.defaultTimeoutMs;
    let dialect = 2;
    const params: Params = new Map();
    while (it.hasNext) {
      const at = it.position;
      const key = it.next();
      const k = key.toUpperCase();
      const value = <T>(fn: () => T): T => prefixed(`Error parsing value for the parameter \`${key}\` - `, fn);
      switch (k) {
        case "NOCONTENT":
          noContent = true;
          break;
        case "WITHSORTKEYS":
          withSortKeys = true;
          break;
        // Shard and consistency choices of cluster mode: with one shard every choice holds.
        case "LOCALONLY":
        case "ALLSHARDS":
        case "SOMESHARDS":
        case "CONSISTENT":
        case "INCONSISTENT":
          break;
        case "DIALECT":
          dialect = value(() => toInt(it.next(), true));
          break;
        case "TIMEOUT":
          timeoutMs = value(() => toInt(it.next(), false));
          break;
        case "LIMIT":
          value(() => {
            offset = toInt(it.next(), false, 53);
            num = toInt(it.next(), false, 53);
          });
          break;
        case "SORTBY": {
          const field = value(() => it.next());
          let desc = false;
          if (it.popIf("DESC")) desc = true;
          else it.popIf("ASC");
          sortBy = { name: field, desc };
          break;
        }
        case "RETURN":
          value(() => {
            const cnt = toInt(it.next(), false);
            if (cnt === 0) {
              noContent = true;
              return;
            }
            returns = [];
            for (let i = 0; i < cnt; i++) {
              const fieldName = it.next();
              let as = fieldName;
              if (it.popIf("AS")) {
                as = prefixed("Bad arguments for AS: ", () => it.next());
                i += 2;
                if (i > cnt) throw new ParseError("Unexpected parameter `AS` ");
              }
              const attr = index.byAlias(fieldName);
              returns.push({ identifier: attr?.attr.identifier ?? fieldName, as, name: fieldName });
            }
          });
          break;
        case "PARAMS":
          value(() => {
            const cnt = toInt(it.next(), false);
            if (cnt & 1) throw new ParseError("Parameter count must be an even number.");
            for (let i = 0; i < cnt; i += 2) {
              const pk = it.next();
              const pv = it.next();
              if (params.has(pk)) throw new ParseError(`Parameter ${pk} is already defined.`);
              params.set(pk, { uses: 0, value: pv });
            }
          });
          break;
        default:
          throw new ParseError(`Unexpected parameter at position ${at}:${key}`);
      }
    }
    // The query string: filter, then the KNN clause.
    const [filterText, knnText] = splitQuery(query);
    const filter = parseFilterWithPrefix(filterText, (a) => index.byAlias(a));
    let knn: SearchRequest["knn"];
    if (knnText !== undefined) {
      const clause: KnnClause = prefixed(`${VECTOR_PREFIX}: \`${knnText}\`. `, () => parseKnn(knnText, params));
      const field = index.byAlias(clause.field);
      if (field === undefined) throw new ParseError(`Index field \`${clause.field}\` does not exist`);
      if (!(field instanceof VectorField)) {
        throw new ParseError(`Index field \`${clause.field}\` is not a Vector index `);
      }
      const [k, blob] = prefixed(`${VECTOR_PREFIX}. `, () => {
        const kv = toInt(substitute(params, clause.k), false);
        const b = substitute(params, clause.blob);
        for (const [pk, p] of params) if (p.uses === 0) throw new ParseError(`Parameter \`${pk}\` not used.`);
        return [kv, b] as const;
      });
      if (k <= 0 || k > LIMITS.maxKnn) {
        throw new ParseError(
          `KNN parameter must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxKnn}.`,
        );
      }
      if (clause.ef !== undefined && (clause.ef <= 0 || clause.ef > LIMITS.maxEfRuntime)) {
        throw new ParseError(
          `\`EF_RUNTIME\` must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxEfRuntime}.`,
        );
      }
      knn = { field, k, ef: clause.ef, query: blob, scoreAs: clause.as ?? `__${field.attr.alias}_score` };
    } else {
      for (const [pk, p] of params) if (p.uses === 0) throw new ParseError(`Parameter \`${pk}\` not used.`);
    }
    if (timeoutMs <= 0 || timeoutMs > LIMITS.maxTimeoutMs) {
      throw new ParseError(
        `TIMEOUT must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxTimeoutMs}.`,
      );
    }
    if (dialect < 2 || dialect > 4) throw new ParseError("DIALECT requires a non negative integer >=2 and <= 4");
    if (sortBy !== undefined) checkSortBy(index, sortBy, knn?.scoreAs);
    return { index, filter, knn, noContent, returns, offset, num, sortBy, withSortKeys, timeoutMs };
  });
}

function checkSortBy(index: SearchIndex, s: { name: string; desc: boolean }, scoreAs: string | undefined): void {
  if (s.name === scoreAs) {
    // Results come out by ascending distance; valkey-search sorts the score no other way.
    if (s.desc) throw new ParseError(`SORTBY \`${s.name}\` supports ascending order only`);
    return;
  }
  if (index.byAlias(s.name) === undefined && index.byIdentifier(s.name) === undefined) {
    throw new ParseError(`Property \`${s.name}\` not loaded nor in schema`);
  }
}

/** One result: document key, distance (KNN) and the hash read for the reply. */
interface Hit {
  key: string;
  dist: number;
  hash: HashValue;
}

/** How many filter matches make an exact scan cheaper than a filtered graph walk. */
function preferExact(matches: number, size: number, ef: number, m: number): boolean {
  // A walk admitting a fraction s = matches/size of nodes visits about ef/s nodes of 2M links
  // each; the exact scan computes `matches` distances.
  return matches * matches <= ef * 2 * m * size;
}

/** Runs FT.SEARCH. */
export function runSearch(ctx: CommandContext, argv: readonly string[]): Reply {
  const req = parseSearch(ctx, argv);
  const started = ctx.engine.clock.monotonicUs();
  const idx = req.index;
  const db = ctx.db;
  const now = ctx.now;
  let docs: number[];
  let dists: number[] | undefined;
  let total: number;
  if (req.knn !== undefined) {
    const { field, k, ef, query } = req.knn;
    const expected = field.attr.dim * 4;
    if (query.length !== expected) {
      fail(`query vector blob size (${query.length}) does not match index's expected size (${expected}).`);
    }
    const q = Float32Array.from(field.decode(query)!);
    const vi = field.index;
    let found: Neighbors;
    if (req.filter === undefined) {
      found = vi.search(q, k, ef === undefined ? {} : { ef });
    } else {
      const filter = req.filter;
      const efUsed = Math.max(ef ?? (vi instanceof Hnsw ? vi.efRuntime : k), k);
      const estimate = idx.estimate(filter);
      const m = vi instanceof Hnsw ? vi.m : 0;
      if (estimate === 0) {
        found = { labels: [], dists: [] };
      } else if (!(vi instanceof Hnsw) || preferExact(estimate, vi.size, efUsed, m)) {
        idx.plans.exactScan++;
        found = vi.searchAmong(q, k, idx.collect(filter));
      } else {
        idx.plans.filteredWalk++;
        found = vi.search(q, k, { ef: efUsed, filter: (d) => idx.test(filter, d) });
      }
    }
    docs = found.labels;
    dists = found.dists;
    total = docs.length;
  } else {
    docs = req.filter === undefined ? [...idx.docs()] : idx.collect(req.filter).sort((a, b) => a - b);
    total = docs.length;
  }
  checkTimeout(ctx, started, req.timeoutMs);
  // Fetch: the key must still be a live hash (an expired key may not be reclaimed yet).
  const hits: Hit[] = [];
  for (let i = 0; i < docs.length; i++) {
    const key = idx.keyOf(docs[i]!);
    if (key === undefined || db.isExpired(key, now)) {
      total--;
      continue;
    }
    const v = db.peek(key, now);
    if (v === undefined || typeOf(v) !== "hash") {
      total--;
      continue;
    }
    hits.push({ key, dist: dists === undefined ? 0 : dists[i]!, hash: v as HashValue });
  }
  if (req.sortBy !== undefined && req.sortBy.name !== req.knn?.scoreAs) sortHits(idx, hits, req.sortBy);
  checkTimeout(ctx, started, req.timeoutMs);
  return buildReply(req, hits, total);
}

function checkTimeout(ctx: CommandContext, started: number, timeoutMs: number): void {
  if (ctx.engine.clock.monotonicUs() - started > timeoutMs * 1000) fail("Search operation cancelled due to timeout");
}

function sortValue(idx: SearchIndex, h: Hit, name: string): string | undefined {
  const attr = idx.byAlias(name) ?? idx.byIdentifier(name);
  return h.hash.get(attr?.attr.identifier ?? name);
}

/** Sorts hits by a field: numbers numerically (NUMERIC attributes), others as byte strings. */
function sortHits(idx: SearchIndex, hits: Hit[], s: { name: string; desc: boolean }): void {
  const attr = idx.byAlias(s.name) ?? idx.byIdentifier(s.name);
  const numeric = attr?.attr.type === "NUMERIC";
  const keyed = hits.map((h) => {
    const raw = sortValue(idx, h, s.name);
    return { h, raw, num: raw === undefined ? NaN : (toDouble(raw) ?? NaN) };
  });
  const dir = s.desc ? -1 : 1;
  keyed.sort((a, b) => {
    // Documents without a value sort last either way.
    const am = numeric ? Number.isNaN(a.num) : a.raw === undefined;
    const bm = numeric ? Number.isNaN(b.num) : b.raw === undefined;
    if (am || bm) return am === bm ? 0 : am ? 1 : -1;
    if (numeric) return (a.num - b.num) * dir;
    return (a.raw! < b.raw! ? -1 : a.raw! > b.raw! ? 1 : 0) * dir;
  });
  for (let i = 0; i < hits.length; i++) hits[i] = keyed[i]!.h;
}

function buildReply(req: SearchRequest, hits: Hit[], total: number): Reply {
  const out: Reply[] = [int(total)];
  const knn = req.knn;
  if (req.num === 0 || (knn !== undefined && req.offset >= knn.k)) return array(out);
  const page = hits.slice(req.offset, req.offset + req.num);
  for (const h of page) {
    out.push(bulk(h.key));
    if (req.withSortKeys) {
      const v = req.sortBy === undefined
        ? undefined
        : req.sortBy.name === knn?.scoreAs
        ? formatG12(h.dist)
        : sortValue(req.index, h, req.sortBy.name);
      out.push(v === undefined ? NULL : bulk("#" + v));
    }
    if (req.noContent) continue;
    const fields: Reply[] = [];
    if (req.returns !== undefined) {
      for (const r of req.returns) {
        if (knn !== undefined && r.name === knn.scoreAs) {
          fields.push(bulk(r.as), bulk(formatG12(h.dist)));
          continue;
        }
        const v = h.hash.get(r.identifier);
        if (v !== undefined) fields.push(bulk(r.as), bulk(v));
      }
    } else {
      if (knn !== undefined) fields.push(bulk(knn.scoreAs), bulk(formatG12(h.dist)));
      h.hash.forEach((f, v) => {
        fields.push(bulk(f), bulk(v));
      });
    }
    out.push(array(fields));
  }
  return array(out);
}
