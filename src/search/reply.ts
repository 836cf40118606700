/**
 * Reply builders with valkey-search's shapes: FT.INFO's name/value array and the `%.12g`
 * score text. FT.SEARCH replies are built in execute.ts. valkey-search sends the same arrays
 * on RESP2 and RESP3, so these use arrays (never maps).
 *
 * @module
 */
import { array, bulk, int, type Reply, simple } from "../protocol/reply.ts";
import { type Field, NumericField, TagField, VectorField } from "./fields.ts";
import type { SearchIndex } from "./search_index.ts";

/** Formats a number like C's `printf("%.12g")` (how valkey-search prints scores). */
export function formatG12(x: number): string {
  return formatG(x, 12);
}

/** C `%.<p>g`. */
export function formatG(x: number, p: number): string {
  if (Number.isNaN(x)) return x < 0 ? "-nan" : "nan";
  if (!Number.isFinite(x)) return x < 0 ? "-inf" : "inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const ax = x < 0 ? -x : x;
  // Where C picks fixed notation, toPrecision does too (it switches only below 1e-6).
  if (ax >= 1e-4 && ax < 10 ** p) {
    const s = x.toPrecision(p);
    if (!s.includes("e")) return stripZeros(s);
  }
  const e = x.toExponential(p - 1);
  const exp = Number(e.slice(e.indexOf("e") + 1));
  if (exp < -4 || exp >= p) {
    const [m, ex] = e.split("e") as [string, string];
    const mant = m.includes(".") ? m.replace(/\.?0+$/, "") : m;
    const n = Math.abs(Number(ex));
    return `${mant}e${ex[0] === "-" ? "-" : "+"}${n < 10 ? "0" : ""}${n}`;
  }
  return stripZeros(x.toFixed(Math.max(0, p - 1 - exp)));
}

/** Drops trailing fraction zeros (and a bare point), as %g does. */
function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** C `%f` (six decimals). */
function formatF(x: number): string {
  return x.toFixed(6);
}

function attributeInfo(f: Field): Reply {
  const head: Reply[] = [
    simple("identifier"),
    bulk(f.attr.identifier),
    simple("attribute"),
    bulk(f.attr.alias),
    simple("user_indexed_memory"),
    int(f.memoryBytes()),
  ];
  if (f instanceof VectorField) {
    const a = f.attr;
    const algo: Reply[] = a.algorithm === "HNSW"
      ? [
        simple("name"),
        simple("HNSW"),
        simple("m"),
        int(a.m),
        simple("ef_construction"),
        int(a.efConstruction),
        simple("ef_runtime"),
        int(a.efRuntime),
      ]
      : [simple("name"), simple("FLAT"), simple("block_size"), int(a.blockSize)];
    return array([
      ...head,
      simple("type"),
      simple("VECTOR"),
      simple("index"),
      array([
        simple("capacity"),
        int(f.index.capacity),
        simple("dimensions"),
        int(a.dim),
        simple("distance_metric"),
        simple(a.metric),
        simple("size"),
        bulk(String(f.size)),
        simple("data_type"),
        simple(a.dataType),
        simple("algorithm"),
        array(algo),
      ]),
    ]);
  }
  if (f instanceof TagField) {
    return array([
      ...head,
      simple("type"),
      simple("TAG"),
      simple("SEPARATOR"),
      bulk(f.attr.separator),
      simple("CASESENSITIVE"),
      bulk(f.attr.caseSensitive ? "1" : "0"),
      simple("size"),
      bulk(String(f.size)),
    ]);
  }
  const n = f as NumericField;
  return array([...head, simple("type"), simple("NUMERIC"), simple("size"), bulk(String(n.size))]);
}

/** FT.INFO's reply: valkey-search's field set and order. */
export function infoReply(idx: SearchIndex): Reply {
  const b = idx.backfill;
  const percent = b.inProgress ? (b.total === 0 ? 0 : Math.min(1, b.scanned / b.total)) : 1;
  const state = b.inProgress ? "backfill_in_progress" : "ready";
  return array([
    simple("index_name"),
    bulk(idx.name),
    simple("index_definition"),
    array([
      simple("key_type"),
      simple(idx.def.keyType),
      simple("prefixes"),
      array(idx.def.prefixes.map((p) => bulk(p))),
      simple("default_score"),
      bulk(formatG(idx.def.score, 17)),
      simple("score_field"),
      bulk(idx.def.scoreField),
    ]),
    simple("attributes"),
    array(idx.fields.map(attributeInfo)),
    simple("num_docs"),
    int(idx.size),
    simple("num_records"),
    int(idx.records()),
    simple("total_term_occurrences"),
    int(0),
    simple("num_terms"),
    int(0),
    simple("hash_indexing_failures"),
    bulk(String(idx.failures)),
    simple("backfill_in_progress"),
    bulk(b.inProgress ? "1" : "0"),
    simple("backfill_complete_percent"),
    bulk(formatF(percent)),
    simple("mutation_queue_size"),
    bulk("0"),
    simple("recent_mutations_queue_delay"),
    bulk("0 sec"),
    simple("state"),
    simple(state),
    simple("language"),
    simple("english"),
    // RediSearch's readiness fields, for clients that wait on them (LangChain, RedisVL).
    simple("indexing"),
    int(b.inProgress ? 1 : 0),
    simple("percent_indexed"),
    bulk(formatG(percent, 17)),
  ]);
}
