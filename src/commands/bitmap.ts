/**
 * Bitmap commands (Valkey group `bitmap`): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO. Bitmaps are string values; writes leave them stored as bytes that later writes
 * mutate in place.
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import { int64Arg } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import { array, error, int, NULL, type Reply, ReplyError } from "../protocol/reply.ts";
import { E, SYNTAX, WRONGTYPE } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { isStringValue, mutableBytes, type StringValue } from "../types/string.ts";
import {
  bitcount,
  type BitOp,
  bitop,
  bitpos,
  fieldResult,
  type FieldType,
  getBit,
  getSignedField,
  getUnsignedField,
  type Overflow,
  setBit,
  setField,
} from "../types/bitmap.ts";
import { maxBulkLen } from "./string.ts";

/**
 * Parses a bit offset: a non-negative int64 whose byte index stays below proto-max-bulk-len.
 * With `fieldBits` (BITFIELD), `#N` means N fields of that width; the product wraps at 64 bits
 * as in Valkey's C.
 */
function bitOffsetArg(ctx: CommandContext, text: string, fieldBits = 0): number {
  const hash = fieldBits > 0 && text.charCodeAt(0) === 35; /* # */
  const v = parseInt64(hash ? text.slice(1) : text);
  if (v === null) throw new ReplyError(E.BIT_OFFSET);
  let off = typeof v === "number" ? v : Number.POSITIVE_INFINITY;
  if (hash) {
    off = off * fieldBits;
    if (!Number.isSafeInteger(off)) off = Number(BigInt.asIntN(64, BigInt(v) * BigInt(fieldBits)));
  }
  if (!(off >= 0) || Math.floor(off / 8) >= maxBulkLen(ctx)) throw new ReplyError(E.BIT_OFFSET);
  return off;
}

function setbit(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const offset = bitOffsetArg(ctx, argv[2]!);
  const on = parseInt64(argv[3]!);
  if (on !== 0 && on !== 1) return error(E.BIT_VALUE);
  const db = ctx.db;
  const v = db.lookupWrite(key, ctx.now);
  if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
  const bytes = mutableBytes(v, Math.floor(offset / 8) + 1, v !== undefined);
  const grown = v === undefined || bytes.length !== v.length;
  // Even an unchanged bit leaves the value converted to bytes (Valkey's unshare to raw).
  if (v === undefined) db.set(key, bytes, ctx.now);
  else if (bytes !== v) db.replace(key, bytes, ctx.now);
  const prev = setBit(bytes, offset, on);
  if (grown || prev !== on) ctx.touched(key, "setbit");
  return int(prev);
}

function getbit(ctx: CommandContext, argv: readonly string[]): Reply {
  const offset = bitOffsetArg(ctx, argv[2]!);
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  if (v === undefined) return int(0);
  if (!isStringValue(v)) return WRONGTYPE;
  return int(getBit(v, offset));
}

/** BYTE or BIT (case-insensitive); anything else is a syntax error. */
function unitArg(text: string): boolean {
  const u = text.toLowerCase();
  if (u === "bit") return true;
  if (u === "byte") return false;
  throw new ReplyError(E.SYNTAX);
}

/**
 * Parses `[start [end [BYTE|BIT]]]` from `argv[first]` in Valkey's order: start, then the unit,
 * then end, all before the key is read (Valkey 8 validates arguments even for a missing key).
 */
function rangeArgs(argv: readonly string[], first: number): { start: number; end?: number; bit: boolean } | undefined {
  const n = argv.length;
  if (n === first) return undefined;
  if (n > first + 3) throw new ReplyError(E.SYNTAX);
  const start = Number(int64Arg(argv[first]!));
  const bit = n === first + 3 ? unitArg(argv[first + 2]!) : false;
  if (n >= first + 2) return { start, end: Number(int64Arg(argv[first + 1]!)), bit };
  return { start, bit };
}

function bitcountCommand(ctx: CommandContext, argv: readonly string[]): Reply {
  const range = rangeArgs(argv, 2);
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  if (v === undefined) return int(0);
  if (!isStringValue(v)) return WRONGTYPE;
  return int(bitcount(v, range));
}

function bitposCommand(ctx: CommandContext, argv: readonly string[]): Reply {
  const bit = int64Arg(argv[2]!);
  if (bit !== 0 && bit !== 1) return error(E.BITPOS_BIT);
  const range = rangeArgs(argv, 3);
  const v = ctx.db.lookupRead(argv[1]!, ctx.now, ctx.session.noTouch);
  // A missing key is an endless run of zeros.
  if (v === undefined) return int(bit === 1 ? -1 : 0);
  if (!isStringValue(v)) return WRONGTYPE;
  return int(bitpos(v, bit === 1 ? 1 : 0, range));
}

const BITOPS: Record<string, BitOp> = { and: "and", or: "or", xor: "xor", not: "not" };

function bitopCommand(ctx: CommandContext, argv: readonly string[]): Reply {
  const op = BITOPS[argv[1]!.toLowerCase()];
  if (op === undefined) return SYNTAX;
  if (op === "not" && argv.length !== 4) return error(E.BITOP_NOT);
  const dest = argv[2]!;
  const db = ctx.db;
  const noTouch = ctx.session.noTouch;
  const sources: (StringValue | undefined)[] = [];
  for (let j = 3; j < argv.length; j++) {
    const v = db.lookupRead(argv[j]!, ctx.now, noTouch);
    if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
    sources.push(v);
  }
  const out = bitop(op, sources);
  if (out !== null) {
    db.expireIfNeeded(dest, ctx.now);
    db.set(dest, out, ctx.now);
    ctx.touched(dest, "set");
    return int(out.length);
  }
  // Every source empty: the destination is removed rather than set to "".
  if (db.delete(dest)) ctx.touched(dest, "del");
  return int(0);
}

interface FieldOp {
  readonly op: "get" | "set" | "incrby";
  readonly type: FieldType;
  readonly offset: number;
  readonly value: bigint;
  readonly overflow: Overflow;
}

/** `i1`..`i64` or `u1`..`u63`; the sign letter is lower case only, as in Valkey. */
function fieldTypeArg(text: string): FieldType {
  const sign = text.charCodeAt(0);
  const bits = parseInt64(text.slice(1));
  const signed = sign === 105; /* i */
  if (
    (!signed && sign !== 117 /* u */) || typeof bits !== "number" || bits < 1 || bits > (signed ? 64 : 63)
  ) {
    throw new ReplyError(E.BITFIELD_TYPE);
  }
  return { signed, bits };
}

/**
 * BITFIELD and BITFIELD_RO. Every operation is parsed (and validated) first; only then is the
 * key read, or, when any operation writes, created or grown to the farthest bit written. With
 * OVERFLOW FAIL an overflowing write replies nil and leaves the field untouched.
 */
function bitfieldGeneric(ctx: CommandContext, argv: readonly string[], readonlyCommand: boolean): Reply {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "wrap";
  let writes = false;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!.toLowerCase();
    let op: FieldOp["op"];
    if (sub === "get" && rem >= 2) op = "get";
    else if (sub === "set" && rem >= 3) op = "set";
    else if (sub === "incrby" && rem >= 3) op = "incrby";
    else if (sub === "overflow" && rem >= 1) {
      const t = argv[++j]!.toLowerCase();
      if (t !== "wrap" && t !== "sat" && t !== "fail") return error(E.BITFIELD_OVERFLOW);
      overflow = t;
      continue;
    } else {
      return SYNTAX;
    }
    const type = fieldTypeArg(argv[j + 1]!);
    const offset = bitOffsetArg(ctx, argv[j + 2]!, type.bits);
    let value = 0n;
    if (op !== "get") {
      writes = true;
      if (offset + type.bits - 1 > highest) highest = offset + type.bits - 1;
      value = BigInt(int64Arg(argv[j + 3]!));
    }
    ops.push({ op, type, offset, value, overflow });
    j += op === "get" ? 2 : 3;
  }

  const key = argv[1]!;
  const db = ctx.db;
  let src: StringValue | undefined;
  let bytes: Uint8Array | undefined;
  let grown = false;
  if (!writes) {
    const v = db.lookupRead(key, ctx.now, ctx.session.noTouch);
    if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
    src = v;
  } else {
    if (readonlyCommand) return error(E.BITFIELD_RO);
    const v = db.lookupWrite(key, ctx.now);
    if (v !== undefined && !isStringValue(v)) return WRONGTYPE;
    bytes = mutableBytes(v, Math.floor(highest / 8) + 1, v !== undefined);
    grown = v === undefined || bytes.length !== v.length;
    // The key is created or grown even when every write then fails (OVERFLOW FAIL).
    if (v === undefined) db.set(key, bytes, ctx.now);
    else if (bytes !== v) db.replace(key, bytes, ctx.now);
    src = bytes;
  }

  const out: Reply[] = [];
  let changes = 0;
  for (const f of ops) {
    const { signed, bits } = f.type;
    if (f.op === "get") {
      out.push(
        int(
          src === undefined ? 0 : signed ? getSignedField(src, f.offset, bits) : getUnsignedField(src, f.offset, bits),
        ),
      );
      continue;
    }
    const old = signed ? getSignedField(bytes!, f.offset, bits) : getUnsignedField(bytes!, f.offset, bits);
    const next = f.op === "incrby"
      ? fieldResult(f.type, old, f.value, f.overflow)
      : fieldResult(f.type, f.value, 0n, f.overflow);
    if (next === null) {
      out.push(NULL);
      continue;
    }
    setField(bytes!, f.offset, bits, next);
    out.push(int(f.op === "incrby" ? next : old));
    if (grown || old !== next) changes++;
  }
  if (changes > 0) ctx.touched(key, "setbit");
  return array(out);
}

function bitfield(ctx: CommandContext, argv: readonly string[]): Reply {
  return bitfieldGeneric(ctx, argv, false);
}

function bitfieldRo(ctx: CommandContext, argv: readonly string[]): Reply {
  return bitfieldGeneric(ctx, argv, true);
}

/** The bitmap group's table rows. */
export const BITMAP_COMMANDS: readonly CommandSpec[] = [
  cmd("bitcount", "bitmap", -2, "readonly", "bitmap", [rangeKey(1, 0, 1, "RO ACCESS")], "2.6.0", bitcountCommand, {
    complexity: "O(N)",
    summary: "Counts the set bits of a string value, optionally within a byte or bit range.",
  }),
  cmd(
    "bitfield",
    "bitmap",
    -2,
    "write denyoom",
    "bitmap",
    [rangeKey(1, 0, 1, "RW UPDATE ACCESS VARIABLE_FLAGS")],
    "3.2.0",
    bitfield,
    {
      complexity: "O(1) for each subcommand specified",
      summary: "Reads, writes and increments integer fields of arbitrary width and offset in a string value.",
    },
  ),
  cmd("bitfield_ro", "bitmap", -2, "readonly fast", "bitmap", [rangeKey(1, 0, 1, "RO ACCESS")], "6.0.0", bitfieldRo, {
    complexity: "O(1) for each subcommand specified",
    summary: "The read-only form of BITFIELD: GET operations only.",
  }),
  cmd(
    "bitop",
    "bitmap",
    -4,
    "write denyoom",
    "bitmap",
    [rangeKey(2, 0, 1, "OW UPDATE"), rangeKey(3, -1, 1, "RO ACCESS")],
    "2.6.0",
    bitopCommand,
    {
      complexity: "O(N)",
      summary: "Stores the bitwise AND, OR, XOR or NOT of string values in a destination key.",
    },
  ),
  cmd("bitpos", "bitmap", -3, "readonly", "bitmap", [rangeKey(1, 0, 1, "RO ACCESS")], "2.8.7", bitposCommand, {
    complexity: "O(N)",
    summary: "Finds the first set or clear bit of a string value, optionally within a range.",
  }),
  cmd("getbit", "bitmap", 3, "readonly fast", "bitmap", [rangeKey(1, 0, 1, "RO ACCESS")], "2.2.0", getbit, {
    complexity: "O(1)",
    summary: "Returns the bit at an offset of a string value.",
  }),
  cmd("setbit", "bitmap", 4, "write denyoom", "bitmap", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "2.2.0", setbit, {
    complexity: "O(1)",
    summary: "Sets or clears the bit at an offset of a string value, growing it as needed; returns the old bit.",
  }),
];
