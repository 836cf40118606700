/**
 * HyperLogLog commands (Valkey group `hyperloglog`): PFADD, PFCOUNT, PFMERGE, PFDEBUG and
 * PFSELFTEST. HLLs are ordinary string values in Valkey's byte format (see types/hyperloglog.ts),
 * stored as bytes (Valkey's raw encoding); any string value, in either storage form, is read as an HLL if its
 * header is valid.
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Value } from "../keyspace/db.ts";
import { array, bulk, error, int, OK, type Reply, simple } from "../protocol/reply.ts";
import { E, fmt, WRONGTYPE } from "../protocol/errors.ts";
import { isStringValue } from "../types/string.ts";
import {
  type Hll,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllAdd,
  hllCachedCard,
  hllCount,
  hllCountRaw,
  hllCreate,
  hllDecodeSparse,
  hllDenseCompress,
  hllDenseRegisters,
  hllEncoding,
  hllFromValue,
  hllInvalidateCache,
  hllMergeInto,
  hllSelfTest,
  hllSetCachedCard,
  hllSetRegister,
  hllSparseToDense,
  hllToBytes,
  isValidHll,
} from "../types/hyperloglog.ts";

const HLL_WRONGTYPE: Reply = Object.freeze(error(E.HLL_WRONGTYPE));
const HLL_INVALID: Reply = Object.freeze(error(E.HLL_INVALID));

function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.engine.config.num("hll-sparse-max-bytes");
}

/** The HLL check of Valkey's `isHLLObjectOrReply`: an error reply, or undefined when valid. */
function checkHll(v: Value): Reply | undefined {
  if (!isStringValue(v)) return WRONGTYPE;
  return isValidHll(v) ? undefined : HLL_WRONGTYPE;
}

/** Stores an updated HLL under an existing key (in place: TTL and access data are kept). */
function storeExisting(ctx: CommandContext, key: string, h: Hll): void {
  ctx.db.replace(key, hllToBytes(h), ctx.now);
}

function pfadd(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const v = ctx.db.lookupWrite(key, ctx.now);
  let h: Hll;
  let updated = 0;
  if (v === undefined) {
    h = hllCreate();
    updated++;
  } else {
    const bad = checkHll(v);
    if (bad !== undefined) return bad;
    h = hllFromValue(v as string | Uint8Array);
  }
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j]!, maxBytes);
    if (r === 1) updated++;
    else if (r === -1) {
      // Valkey updates the value in place, so elements added before the corrupt spot stay.
      if (updated > 0 && v !== undefined) storeExisting(ctx, key, h);
      return HLL_INVALID;
    }
  }
  if (updated === 0) {
    // Valkey unshares the value before adding, so even a no-op PFADD leaves it raw.
    if (typeof v === "string") ctx.db.replace(key, hllToBytes(h), ctx.now);
    return int(0);
  }
  hllInvalidateCache(h);
  if (v === undefined) ctx.db.set(key, hllToBytes(h), ctx.now);
  else storeExisting(ctx, key, h);
  ctx.touched(key, "pfadd");
  return int(1);
}

/** Reads the cached cardinality straight from a stored value (no copy); -1 when stale. */
function cachedCardOf(v: string | Uint8Array): number {
  const at = typeof v === "string" ? (i: number) => v.charCodeAt(i) : (i: number) => v[i]!;
  if ((at(15) & 0x80) !== 0) return -1;
  let card = 0;
  for (let i = 7; i >= 0; i--) card = card * 256 + at(8 + i);
  return card;
}

function pfcount(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 2) {
    // The union of several HLLs: merged into one byte per register, never stored.
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = ctx.db.lookupRead(argv[j]!, ctx.now, ctx.session.noTouch);
      if (v === undefined) continue;
      const bad = checkHll(v);
      if (bad !== undefined) return bad;
      if (!hllMergeInto(max, hllFromValue(v as string | Uint8Array))) return HLL_INVALID;
    }
    return int(hllCountRaw(max));
  }
  const key = argv[1]!;
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return int(0);
  const bad = checkHll(v);
  if (bad !== undefined) return bad;
  const s = v as string | Uint8Array;
  const cached = cachedCardOf(s);
  if (cached >= 0) return int(cached);
  const h = hllFromValue(s);
  const card = hllCount(h);
  if (card < 0) return HLL_INVALID;
  hllSetCachedCard(h, card);
  storeExisting(ctx, key, h);
  // Valkey signals the key (WATCH, tracking) and counts a change, but fires no keyspace event:
  // only the cached cardinality in the header changed.
  ctx.engine.keyModified(ctx.db, key, "", ctx.session);
  return int(card);
}

function pfmerge(ctx: CommandContext, argv: readonly string[]): Reply {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = ctx.db.lookupRead(argv[j]!, ctx.now, ctx.session.noTouch);
    if (v === undefined) continue;
    const bad = checkHll(v);
    if (bad !== undefined) return bad;
    const h = hllFromValue(v as string | Uint8Array);
    if (hllEncoding(h) === HLL_DENSE) useDense = true;
    if (!hllMergeInto(max, h)) return HLL_INVALID;
  }
  const key = argv[1]!;
  const cur = ctx.db.lookupWrite(key, ctx.now);
  // The destination was validated as one of the sources above.
  const h = cur === undefined ? hllCreate() : hllFromValue(cur as string | Uint8Array);
  if (useDense) {
    if (!hllSparseToDense(h)) return HLL_INVALID;
    hllDenseCompress(h, max);
  } else {
    const maxBytes = sparseMaxBytes(ctx);
    for (let j = 0; j < HLL_REGISTERS; j++) {
      if (max[j] !== 0) hllSetRegister(h, j, max[j]!, maxBytes);
    }
  }
  hllInvalidateCache(h);
  if (cur === undefined) ctx.db.set(key, hllToBytes(h), ctx.now);
  else storeExisting(ctx, key, h);
  // Valkey reports a merge as a mass PFADD.
  ctx.touched(key, "pfadd");
  return OK;
}

function pfdebug(ctx: CommandContext, argv: readonly string[]): Reply {
  const sub = argv[1]!;
  const key = argv[2]!;
  const v = ctx.db.lookupWrite(key, ctx.now);
  if (v === undefined) return error(E.PFDEBUG_NO_KEY);
  const bad = checkHll(v);
  if (bad !== undefined) return bad;
  const h = hllFromValue(v as string | Uint8Array);
  switch (sub.toLowerCase()) {
    case "getreg": {
      if (hllEncoding(h) === HLL_SPARSE) {
        if (!hllSparseToDense(h)) return HLL_INVALID;
        storeEncodingChange(ctx, key, h);
      }
      return array(hllDenseRegisters(h).map((r) => int(r)));
    }
    case "decode":
      if (hllEncoding(h) !== HLL_SPARSE) return error(E.PFDEBUG_NOT_SPARSE);
      return bulk(hllDecodeSparse(h));
    case "encoding":
      return simple(hllEncoding(h) === HLL_DENSE ? "dense" : "sparse");
    case "todense": {
      if (hllEncoding(h) !== HLL_SPARSE) return int(0);
      if (!hllSparseToDense(h)) return HLL_INVALID;
      storeEncodingChange(ctx, key, h);
      return int(1);
    }
    default:
      return error(fmt(E.PFDEBUG_UNKNOWN, sub));
  }
}

/** PFDEBUG's sparse -> dense conversion: stored and counted as a change, with no event. */
function storeEncodingChange(ctx: CommandContext, key: string, h: Hll): void {
  storeExisting(ctx, key, h);
  ctx.engine.dirty++;
}

function pfselftest(ctx: CommandContext): Reply {
  const failed = hllSelfTest(ctx.engine.random, sparseMaxBytes(ctx));
  return failed === undefined ? OK : error(failed);
}

/** The HyperLogLog command table rows. */
export const HYPERLOGLOG_COMMANDS: readonly CommandSpec[] = [
  cmd(
    "pfadd",
    "hyperloglog",
    -2,
    "write denyoom fast",
    "hyperloglog",
    [rangeKey(1, 0, 1, "RW INSERT")],
    "2.8.9",
    pfadd,
    {
      complexity: "O(1) to add every element.",
      summary: "Adds elements to a HyperLogLog, creating it when missing.",
    },
  ),
  cmd(
    "pfcount",
    "hyperloglog",
    -2,
    "readonly may_replicate",
    "hyperloglog",
    [{
      ...rangeKey(1, -1, 1, "RW ACCESS"),
      notes: "RW because it may change the internal representation of the key, and propagate to replicas",
    }],
    "2.8.9",
    pfcount,
    {
      complexity:
        "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
      summary: "Estimates the number of distinct elements in one HyperLogLog or the union of several.",
    },
  ),
  cmd(
    "pfdebug",
    "hyperloglog",
    3,
    "write denyoom admin",
    "hyperloglog",
    [rangeKey(2, 0, 1, "RW ACCESS")],
    "2.8.9",
    pfdebug,
    {
      complexity: "N/A",
      summary: "Inspects or converts the internal encoding of a HyperLogLog (debugging aid).",
    },
  ),
  cmd(
    "pfmerge",
    "hyperloglog",
    -2,
    "write denyoom",
    "hyperloglog",
    [rangeKey(1, 0, 1, "RW ACCESS INSERT"), rangeKey(2, -1, 1, "RO ACCESS")],
    "2.8.9",
    pfmerge,
    {
      complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
      summary: "Stores the union of several HyperLogLogs in a destination key.",
    },
  ),
  cmd("pfselftest", "hyperloglog", 1, "admin", "hyperloglog", [], "2.8.9", pfselftest, {
    complexity: "N/A",
    summary: "Runs the internal consistency checks of the HyperLogLog implementation.",
  }),
];

/** Exposed for tests: the cached cardinality of an HLL value, -1 when stale. */
export function cachedCardinality(v: string | Uint8Array): number {
  return hllCachedCard(hllFromValue(v));
}
