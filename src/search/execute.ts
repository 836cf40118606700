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
 * Error texts and their order follow valkey-search's `ft_search_parser.cc` and `search.cc`
 * (option parsing, then the filter, the KNN clause, parameter substitution and the blob size,
 * then range checks and unused parameters).
 *
 * @module
 */
import type { CommandContext } from "../engine/context.ts";
import { typeOf } from "../keyspace/db.ts";
import { array, bulk, int, NULL, type Reply } from "../protocol/reply.ts";
import type { HashValue } from "../types/hash.ts";
import { Deadline, DeadlineExceeded } from "../vector/deadline.ts";
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

/** Prefix of errors in the `=>[KNN ...]` clause once parameters are substituted. */
const VECTOR_PREFIX = "Error parsing vector similarity parameters: ";

/** valkey-search's message when a query's time budget runs out. */
export const TIMEOUT_MESSAGE = "Search operation cancelled due to timeout";

/**
 * `VerifyRange` of valkey-search: the range error annotated (`; `) with the parameter's own
 * message.
 */
function verifyRange(v: number, min: number, max: number, message: string): void {
  if (v < min) throw new ParseError(`Invalid range: Value below minimum; ${message}`);
  if (v > max) throw new ParseError(`Invalid range: Value above maximum; ${message}`);
}

/**
 * Parses FT.SEARCH's arguments (after the name) in valkey-search's order: the index, the query
 * string, the options (any order), then the query string's filter and KNN clause, parameter
 * substitution, and last the range checks and unused parameters.
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
    let needsOffsets = false;
    const params: Params = new Map();
    while (it.hasNext) {
      const key = it.next();
      // vmsdk's KeyValueParser names the parameter as the client wrote it.
      const value = <T>(fn: () => T): T => prefixed(`Error parsing value for the parameter \`${key}\` - `, fn);
      switch (key.toUpperCase()) {
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
        // VERBATIM turns off stemming of TEXT terms; an index without TEXT fields has none.
        case "VERBATIM":
          break;
        // INORDER and SLOP need term offsets, which only TEXT fields record.
        case "INORDER":
          needsOffsets = true;
          break;
        case "SLOP":
          value(() => toInt(it.next(), false));
          needsOffsets = true;
          break;
        case "DIALECT":
          dialect = value(() => toInt(it.next(), false));
          break;
        case "TIMEOUT":
          timeoutMs = value(() => toInt(it.next(), false, 64));
          break;
        case "LIMIT":
          value(() => {
            offset = toInt(it.next(), false, 64);
            num = toInt(it.next(), false, 64);
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
          throw new ParseError(`Unexpected argument \`${key}\``);
      }
    }
    // The query string: filter, then the KNN clause.
    if (needsOffsets) throw new ParseError("Index does not support offsets");
    const [filterText, split] = splitQuery(query);
    // Nothing after `=>` is no KNN clause at all (valkey-search parses one only when present).
    const knnText = split === undefined || split.length === 0 ? undefined : split;
    const filter = parseFilterWithPrefix(filterText, (a) => index.byAlias(a));
    // An empty filter is not `*`: without a KNN clause there is nothing to search for.
    if (knnText === undefined && filter === undefined && filterText.length === 0) {
      throw new ParseError("Invalid query string syntax");
    }
    let knn: SearchRequest["knn"];
    if (knnText !== undefined) {
      const clause: KnnClause = prefixed(`${VECTOR_PREFIX}\`${knnText}\`. `, () => parseKnn(knnText));
      const field = index.byAlias(clause.field);
      if (field === undefined) throw new ParseError(`Index field \`${clause.field}\` does not exist`);
      if (!(field instanceof VectorField)) {
        throw new ParseError(`Index field \`${clause.field}\` is not a Vector index `);
      }
      // Substitution of k, the blob, EF_RUNTIME and AS, then the blob's size.
      const [k, blob, ef, as] = prefixed(VECTOR_PREFIX, () => {
        const kv = toInt(substitute(params, clause.k), false);
        const b = substitute(params, clause.blob);
        const expected = field.attr.dim * 4;
        if (b.length !== expected) {
          throw new ParseError(
            `query vector blob size (${b.length}) does not match index's expected size (${expected}).`,
          );
        }
        const efv = clause.ef === undefined ? undefined : toInt(substitute(params, clause.ef), false);
        const asv = clause.as === undefined ? undefined : substitute(params, clause.as);
        return [kv, b, efv, asv] as const;
      });
      if (ef !== undefined) {
        verifyRange(
          ef,
          1,
          LIMITS.maxEfRuntime,
          `\`EF_RUNTIME\` must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxEfRuntime}.`,
        );
      }
      verifyRange(
        k,
        1,
        LIMITS.maxKnn,
        `KNN parameter must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxKnn}.`,
      );
      knn = { field, k, ef, query: blob, scoreAs: as ?? `__${field.attr.alias}_score` };
    }
    if (sortBy !== undefined) checkSortBy(index, sortBy, knn?.scoreAs);
    if (timeoutMs > LIMITS.maxTimeoutMs) {
      throw new ParseError(
        `TIMEOUT must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxTimeoutMs}.`,
      );
    }
    if (dialect < 2 || dialect > 4) throw new ParseError("DIALECT requires a non negative integer >=2 and <= 4");
    for (const [pk, p] of params) if (p.uses === 0) throw new ParseError(`Parameter \`${pk}\` not used.`);
    return { index, filter, knn, noContent, returns, offset, num, sortBy, withSortKeys, timeoutMs };
  });
}

/** SORTBY names a schema attribute (by alias), or the KNN score in either direction. */
function checkSortBy(index: SearchIndex, s: { name: string }, scoreAs: string | undefined): void {
  if (s.name === scoreAs) return;
  if (index.byAlias(s.name) === undefined) throw new ParseError(`Index field \`${s.name}\` does not exist`);
}

/** One result: document key, distance (KNN) and the hash read for the reply. */
interface Hit {
  key: string;
  dist: number;
  /** Read only when the reply or the sort uses fields. */
  hash: HashValue | undefined;
}

/** How many filter matches make an exact scan cheaper than a filtered graph walk. */
function preferExact(matches: number, size: number, ef: number, m: number): boolean {
  // A walk admitting a fraction s = matches/size of nodes visits about ef/s nodes of 2M links
  // each; the exact scan computes `matches` distances.
  return matches * matches <= ef * 2 * m * size;
}

/**
 * Runs FT.SEARCH. Every long phase (filter evaluation, exact scans, graph walks, fetching,
 * sorting) steps one deadline read from the engine's monotonic clock, so TIMEOUT cancels the
 * work where it is; the reply is then valkey-search's timeout error (a standalone server has
 * no partial results to return).
 */
export function runSearch(ctx: CommandContext, argv: readonly string[]): Reply {
  const manager = SearchManager.of(ctx.engine);
  try {
    const req = parseSearch(ctx, argv);
    const clock = ctx.engine.clock;
    const deadline = new Deadline(() => clock.monotonicUs(), req.timeoutMs * 1000);
    let reply: Reply;
    try {
      reply = execute(ctx, req, deadline, manager);
    } catch (e) {
      if (e instanceof DeadlineExceeded) fail(TIMEOUT_MESSAGE);
      throw e;
    }
    manager.stats.successful++;
    return reply;
  } catch (e) {
    manager.stats.failed++;
    throw e;
  }
}

function execute(ctx: CommandContext, req: SearchRequest, deadline: Deadline, manager: SearchManager): Reply {
  const idx = req.index;
  const db = ctx.db;
  const now = ctx.now;
  let docs: number[];
  let dists: number[] | undefined;
  let total: number;
  if (req.knn !== undefined) {
    const { field, k, ef, query } = req.knn;
    // The decoded floats live in a reused buffer; the index copies the query before walking.
    const q = field.decode(query)!;
    const vi = field.index;
    let found: Neighbors;
    if (req.filter === undefined) {
      found = vi.search(q, k, ef === undefined ? { deadline } : { ef, deadline });
    } else {
      const filter = req.filter;
      manager.stats.hybrid++;
      const efUsed = Math.max(ef ?? (vi instanceof Hnsw ? vi.efRuntime : k), k);
      const estimate = idx.estimate(filter);
      const m = vi instanceof Hnsw ? vi.m : 0;
      if (estimate === 0) {
        found = { labels: [], dists: [] };
      } else if (!(vi instanceof Hnsw) || preferExact(estimate, vi.size, efUsed, m)) {
        idx.plans.exactScan++;
        found = vi.searchAmong(q, k, idx.collect(filter, deadline), deadline);
      } else {
        idx.plans.filteredWalk++;
        manager.stats.inlineFiltering++;
        found = vi.search(q, k, { ef: efUsed, filter: (d) => idx.test(filter, d), deadline });
      }
    }
    docs = found.labels;
    dists = found.dists;
    total = docs.length;
  } else {
    docs = req.filter === undefined ? idx.allDocs(deadline) : idx.collect(req.filter, deadline).sort((a, b) => a - b);
    total = docs.length;
  }
  deadline.check();
  // Fetch: an expired key may not be reclaimed yet, so it is left out. The index follows every
  // keyspace change synchronously, so any other indexed key is a live hash: it is read only when
  // the reply or the sort needs its fields (a keyspace lookup per hit is a cache miss or more).
  const needsHash = (!req.noContent && (req.returns === undefined ||
    req.returns.some((r) => req.knn === undefined || r.name !== req.knn.scoreAs))) ||
    (req.sortBy !== undefined && req.sortBy.name !== req.knn?.scoreAs);
  const hits: Hit[] = [];
  for (let i = 0; i < docs.length; i++) {
    deadline.step();
    const key = idx.keyOf(docs[i]!);
    if (key === undefined || db.isExpired(key, now)) {
      total--;
      continue;
    }
    let hash: HashValue | undefined;
    if (needsHash) {
      const v = db.peek(key, now);
      if (v === undefined || typeOf(v) !== "hash") {
        total--;
        continue;
      }
      hash = v as HashValue;
    }
    hits.push({ key, dist: dists === undefined ? 0 : dists[i]!, hash });
  }
  if (req.sortBy !== undefined) sortHits(idx, hits, req.sortBy, req.knn?.scoreAs, deadline);
  deadline.check();
  return buildReply(req, hits, total);
}

function sortValue(idx: SearchIndex, h: Hit, name: string): string | undefined {
  return h.hash!.get(idx.byAlias(name)?.attr.identifier ?? name);
}

/** Byte-wise order of two latin1 strings. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts hits as valkey-search's `ApplySorting` does: the KNN score by distance (ties by key,
 * ascending); a NUMERIC attribute numerically (a value that does not parse counts as 0); any
 * other attribute as byte strings; documents without the field last in either direction, and
 * equal values keep their order. Each comparison steps the deadline.
 */
function sortHits(
  idx: SearchIndex,
  hits: Hit[],
  s: { name: string; desc: boolean },
  scoreAs: string | undefined,
  deadline: Deadline,
): void {
  const dir = s.desc ? -1 : 1;
  if (s.name === scoreAs) {
    hits.sort((a, b) => {
      deadline.step();
      return a.dist !== b.dist ? (a.dist - b.dist) * dir : compareBytes(a.key, b.key);
    });
    return;
  }
  const numeric = idx.byAlias(s.name)?.attr.type === "NUMERIC";
  const keyed = hits.map((h) => {
    const raw = sortValue(idx, h, s.name);
    return { h, raw, num: raw === undefined ? 0 : (toDouble(raw) ?? 0) };
  });
  // Array.prototype.sort is stable, so equal values keep their order.
  keyed.sort((a, b) => {
    deadline.step();
    if (a.raw === undefined || b.raw === undefined) {
      return a.raw === b.raw ? 0 : a.raw === undefined ? 1 : -1;
    }
    if (numeric) return a.num === b.num ? 0 : (a.num < b.num ? -1 : 1) * dir;
    return compareBytes(a.raw, b.raw) * dir;
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
        const v = h.hash!.get(r.identifier);
        if (v !== undefined) fields.push(bulk(r.as), bulk(v));
      }
    } else {
      if (knn !== undefined) fields.push(bulk(knn.scoreAs), bulk(formatG12(h.dist)));
      h.hash!.forEach((f, v) => {
        fields.push(bulk(f), bulk(v));
      });
    }
    out.push(array(fields));
  }
  return array(out);
}
