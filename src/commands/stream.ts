/**
 * Stream commands (Valkey group `stream`): XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD,
 * XREADGROUP, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO and XSETID.
 *
 * Argument checks run in Valkey's order, since which error wins is visible to clients. Blocking
 * XREAD/XREADGROUP re-run their read whenever a key they wait on changes, which is what Valkey's
 * re-execution of the blocked command amounts to: a `$` ID is resolved once, when the command
 * first runs; XREADGROUP answers NOGROUP or WRONGTYPE when its key or group goes away.
 *
 * @module
 */
import { cmd, type CommandSpec, type KeySpec, rangeKey } from "./spec.ts";
import type { Blocked } from "./spec.ts";
import { intArg, parseMsTimeout } from "./args.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Config } from "../config/config.ts";
import {
  array,
  bulk,
  EMPTY_ARRAY,
  error,
  int,
  map,
  NULL,
  NULL_ARRAY,
  OK,
  type Reply,
  ReplyError,
  simple,
} from "../protocol/reply.ts";
import { E, fmt, SYNTAX, wrongArity } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import {
  type Consumer,
  type ConsumerGroup,
  formatId,
  idMs,
  type IdRequest,
  INVALID_ENTRIES_READ,
  MAX_ID,
  type Nack,
  parseRangeId,
  parseStreamId,
  type StreamId,
  type StreamLimits,
  StreamValue,
  type TrimArgs,
} from "../types/stream.ts";

const INVALID_ID: Reply = Object.freeze(error(E.STREAM_INVALID_ID));

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const LIMITS = new WeakMap<Config, StreamLimits>();

/** The node size limits of an engine, cached and refreshed on CONFIG SET. */
function streamLimits(config: Config): StreamLimits {
  let l = LIMITS.get(config);
  if (l === undefined) {
    const read = (): StreamLimits => ({
      maxBytes: config.num("stream-node-max-bytes"),
      maxEntries: config.num("stream-node-max-entries"),
    });
    l = read();
    LIMITS.set(config, l);
    const refresh = () => LIMITS.set(config, read());
    config.onChange("stream-node-max-bytes", refresh);
    config.onChange("stream-node-max-entries", refresh);
  }
  return l;
}

/** Parses a strict ID (no `-`/`+`), throwing Valkey's invalid-ID error. */
function strictId(text: string, missingSeq = 0n): StreamId {
  const p = parseStreamId(text, missingSeq, true);
  if (p === null) throw new ReplyError(E.STREAM_INVALID_ID);
  return p.id;
}

function idReply(id: StreamId): Reply {
  return bulk(formatId(id));
}

function entryReply(id: StreamId, pairs: readonly string[]): Reply {
  const items = new Array<Reply>(pairs.length);
  for (let i = 0; i < pairs.length; i++) items[i] = bulk(pairs[i]!);
  return array([idReply(id), array(items)]);
}

/** The stream at `key` for reading: undefined when missing; throws WRONGTYPE for another type. */
function readStream(ctx: CommandContext, key: string): StreamValue | undefined {
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) return undefined;
  if (!(v instanceof StreamValue)) throw new ReplyError(E.WRONGTYPE);
  return v;
}

function writeStream(ctx: CommandContext, key: string): StreamValue | undefined {
  const v = ctx.db.lookupWrite(key, ctx.now);
  if (v === undefined) return undefined;
  if (!(v instanceof StreamValue)) throw new ReplyError(E.WRONGTYPE);
  return v;
}

/** Parses a range bound for XRANGE/XPENDING/XAUTOCLAIM, applying `(` exclusion. */
function rangeBound(text: string, isStart: boolean): StreamId {
  const p = parseRangeId(text, isStart ? 0n : (1n << 64n) - 1n);
  if (p === null) throw new ReplyError(E.STREAM_INVALID_ID);
  if (!p.exclusive) return p.id;
  if (isStart) {
    if (p.id === MAX_ID) throw new ReplyError(E.STREAM_START_INTERVAL);
    return p.id + 1n;
  }
  if (p.id === 0n) throw new ReplyError(E.STREAM_END_INTERVAL);
  return p.id - 1n;
}

/** Creates a consumer, with Valkey's keyspace event. */
function createConsumer(ctx: CommandContext, key: string, g: ConsumerGroup, name: string): Consumer | undefined {
  const c = g.createConsumer(name, ctx.now);
  if (c !== undefined) ctx.touched(key, "xgroup-createconsumer");
  return c;
}

function lookupOrCreateConsumer(ctx: CommandContext, key: string, g: ConsumerGroup, name: string): Consumer {
  return g.consumers.get(name) ?? createConsumer(ctx, key, g, name)!;
}

// ---------------------------------------------------------------------------------------------
// XADD / XTRIM
// ---------------------------------------------------------------------------------------------

interface AddTrimArgs {
  trim: TrimArgs | undefined;
  noMkstream: boolean;
  /** Position of the ID argument (XADD). */
  idPos: number;
  id: IdRequest;
  /** An explicit `<ms>-<seq>` ID (for the 0-0 check). */
  explicitFull: boolean;
}

/** Valkey's `streamParseAddOrTrimArgsOrReply`. */
function parseAddTrim(ctx: CommandContext, argv: readonly string[], xadd: boolean): AddTrimArgs {
  let strategy: "maxlen" | "minid" | undefined;
  let approx = false;
  let maxlen = 0;
  let minid: StreamId = 0n;
  let limit = 0;
  let limitGiven = false;
  let noMkstream = false;
  let id: IdRequest = { kind: "auto" };
  let explicitFull = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreargs = argv.length - 1 - i;
    const opt = argv[i]!;
    const lower = opt.toLowerCase();
    if (xadd && opt === "*") break;
    if ((lower === "maxlen" || lower === "minid") && moreargs > 0) {
      if (strategy !== undefined) throw new ReplyError(E.STREAM_MAXLEN_MINID);
      approx = false;
      const next = argv[i + 1]!;
      if (moreargs >= 2 && next === "~") {
        approx = true;
        i++;
      } else if (moreargs >= 2 && next === "=") {
        i++;
      }
      if (lower === "maxlen") {
        maxlen = intArg(argv[i + 1]!);
        if (maxlen < 0) throw new ReplyError(E.STREAM_MAXLEN_NEGATIVE);
      } else {
        minid = strictId(argv[i + 1]!);
      }
      i++;
      strategy = lower;
    } else if (lower === "limit" && moreargs > 0) {
      limit = intArg(argv[i + 1]!);
      if (limit < 0) throw new ReplyError(E.STREAM_LIMIT_NEGATIVE);
      limitGiven = true;
      i++;
    } else if (xadd && lower === "nomkstream") {
      noMkstream = true;
    } else if (xadd) {
      const p = parseStreamId(opt, 0n, true, true);
      if (p === null) throw new ReplyError(E.STREAM_INVALID_ID);
      id = p.seqGiven ? { kind: "explicit", id: p.id } : { kind: "partial", ms: idMs(p.id) };
      explicitFull = p.seqGiven;
      break;
    } else {
      throw new ReplyError(E.SYNTAX);
    }
  }
  if (limit !== 0 && strategy === undefined) throw new ReplyError(E.STREAM_LIMIT_NO_STRATEGY);
  if (!xadd && strategy === undefined) throw new ReplyError(E.XTRIM_NO_STRATEGY);
  if (limitGiven) {
    if (!approx) throw new ReplyError(E.STREAM_LIMIT_NO_APPROX);
  } else if (approx) {
    // Approximate trimming does at most 100 nodes' worth of work unless LIMIT says otherwise.
    limit = 100 * streamLimits(ctx.engine.config).maxEntries;
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else {
    limit = 0;
  }
  return {
    trim: strategy === undefined ? undefined : { strategy, maxlen, minid, approx, limit },
    noMkstream,
    idPos: i,
    id,
    explicitFull,
  };
}

function xadd(ctx: CommandContext, argv: readonly string[]): Reply {
  const args = parseAddTrim(ctx, argv, true);
  const fieldPos = args.idPos + 1;
  const nfv = argv.length - fieldPos;
  if (nfv < 2 || nfv % 2 === 1) return wrongArity(ctx.command.fullName);
  if (args.explicitFull && args.id.kind === "explicit" && args.id.id === 0n) return error(E.XADD_ID_ZERO);
  const key = argv[1]!;
  let s = writeStream(ctx, key);
  let created = false;
  if (s === undefined) {
    if (args.noMkstream) return NULL;
    s = new StreamValue();
    created = true;
  }
  const r = s.append(args.id, ctx.now, argv, fieldPos, streamLimits(ctx.engine.config));
  if ("err" in r) {
    if (r.err === "exhausted") return error(E.XADD_EXHAUSTED);
    return error(r.err === "too-small" ? E.XADD_ID_TOO_SMALL : E.XADD_TOO_LARGE);
  }
  if (created) ctx.db.set(key, s, ctx.now);
  ctx.touched(key, "xadd");
  if (args.trim !== undefined && s.trim(args.trim) > 0) ctx.touched(key, "xtrim");
  return idReply(r.ok);
}

function xtrim(ctx: CommandContext, argv: readonly string[]): Reply {
  const args = parseAddTrim(ctx, argv, false);
  const key = argv[1]!;
  const s = writeStream(ctx, key);
  if (s === undefined) return int(0);
  const deleted = s.trim(args.trim!);
  if (deleted > 0) ctx.touched(key, "xtrim");
  return int(deleted);
}

// ---------------------------------------------------------------------------------------------
// XLEN / XRANGE / XREVRANGE / XDEL
// ---------------------------------------------------------------------------------------------

function xlen(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = readStream(ctx, argv[1]!);
  return int(s === undefined ? 0 : s.length);
}

function xrangeGeneric(ctx: CommandContext, argv: readonly string[], rev: boolean): Reply {
  const start = rangeBound(rev ? argv[3]! : argv[2]!, true);
  const end = rangeBound(rev ? argv[2]! : argv[3]!, false);
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === "count" && j + 1 < argv.length) {
      count = intArg(argv[j + 1]!);
      if (count < 0) count = 0;
      j++;
    } else {
      return SYNTAX;
    }
  }
  const s = readStream(ctx, argv[1]!);
  if (s === undefined) return EMPTY_ARRAY;
  if (count === 0) return NULL_ARRAY;
  const out: Reply[] = [];
  s.range(start, end, rev, count < 0 ? 0 : count, (id, pairs) => {
    out.push(entryReply(id, pairs));
  });
  return array(out);
}

function xrange(ctx: CommandContext, argv: readonly string[]): Reply {
  return xrangeGeneric(ctx, argv, false);
}

function xrevrange(ctx: CommandContext, argv: readonly string[]): Reply {
  return xrangeGeneric(ctx, argv, true);
}

function xdel(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const s = writeStream(ctx, key);
  if (s === undefined) return int(0);
  // Every ID is checked before any is deleted, so a bad ID leaves the stream untouched.
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(strictId(argv[j]!));
  const deleted = s.deleteIds(ids);
  if (deleted > 0) ctx.touched(key, "xdel");
  return int(deleted);
}

// ---------------------------------------------------------------------------------------------
// XREAD / XREADGROUP
// ---------------------------------------------------------------------------------------------

/** A parsed XREAD/XREADGROUP call; `ids` may hold `$` resolved at first execution. */
interface ReadRequest {
  readonly group: string | undefined;
  readonly consumer: string;
  readonly noack: boolean;
  /** 0: no limit. */
  readonly count: number;
  /** -1: no BLOCK. */
  readonly timeoutMs: number;
  readonly keys: readonly string[];
  /** Raw ID arguments (`>` kept; `$` replaced by the ID it meant). */
  readonly idArgs: string[];
}

function parseRead(ctx: CommandContext, argv: readonly string[], isGroup: boolean): ReadRequest {
  let timeoutMs = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let group: string | undefined;
  let consumer = "";
  for (let i = 1; i < argv.length; i++) {
    const moreargs = argv.length - i - 1;
    const o = argv[i]!.toLowerCase();
    if (o === "block" && moreargs > 0) {
      // Valkey refuses BLOCK in scripts outright (named as the script typed the command),
      // where MULTI treats it as an immediate timeout.
      if (ctx.inScript) throw new ReplyError(fmt(E.XREAD_BLOCK_SCRIPT, argv[0]!));
      i++;
      timeoutMs = parseMsTimeout(argv[i]!, ctx.now);
    } else if (o === "count" && moreargs > 0) {
      i++;
      count = intArg(argv[i]!);
      if (count < 0) count = 0;
    } else if (o === "streams" && moreargs > 0) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) {
        throw new ReplyError(fmt(E.XREAD_UNBALANCED, ctx.command.fullName, isGroup ? ">" : "$"));
      }
      streamsCount /= 2;
      break;
    } else if (o === "group" && moreargs >= 2) {
      if (!isGroup) throw new ReplyError(E.XREAD_GROUP_ONLY);
      group = argv[i + 1]!;
      consumer = argv[i + 2]!;
      i += 2;
    } else if (o === "noack") {
      if (!isGroup) throw new ReplyError(E.XREAD_NOACK_ONLY);
      noack = true;
    } else {
      throw new ReplyError(E.SYNTAX);
    }
  }
  if (streamsArg === 0) throw new ReplyError(E.SYNTAX);
  if (isGroup && group === undefined) throw new ReplyError(E.XREADGROUP_NO_GROUP);
  const keys = argv.slice(streamsArg, streamsArg + streamsCount);
  const idArgs = argv.slice(streamsArg + streamsCount);
  return { group, consumer, noack, count, timeoutMs, keys, idArgs };
}

/** Per-stream resolution of a read: its stream, group and "greater than" ID. */
interface Resolved {
  s: StreamValue | undefined;
  g: ConsumerGroup | undefined;
  /** True for `>`. */
  newOnly: boolean;
  gt: StreamId;
}

/**
 * Resolves keys, groups and IDs in Valkey's order (type, then group, then the ID), resolving `$`
 * to the stream's last ID and rewriting it in `req.idArgs` so a later re-run means the same.
 */
function resolveRead(ctx: CommandContext, req: ReadRequest): Resolved[] {
  const out: Resolved[] = [];
  for (let i = 0; i < req.keys.length; i++) {
    const key = req.keys[i]!;
    const s = readStream(ctx, key);
    let g: ConsumerGroup | undefined;
    if (req.group !== undefined) {
      g = s?.group(req.group);
      if (g === undefined) throw new ReplyError(fmt(E.XREADGROUP_NOGROUP, key, req.group));
    }
    const arg = req.idArgs[i]!;
    if (arg === "$") {
      if (req.group !== undefined) throw new ReplyError(E.XREADGROUP_DOLLAR);
      const last = s === undefined ? 0n : s.lastId;
      req.idArgs[i] = formatId(last);
      out.push({ s, g, newOnly: false, gt: last });
      continue;
    }
    if (arg === ">") {
      if (req.group === undefined) throw new ReplyError(E.XREAD_GT);
      out.push({ s, g, newOnly: true, gt: MAX_ID });
      continue;
    }
    const id = strictId(arg);
    // Valkey encodes `>` as the maximal ID and then tests for that value, so a group read given
    // that ID explicitly reads new messages too.
    out.push({ s, g, newOnly: g !== undefined && id === MAX_ID, gt: id });
  }
  return out;
}

/**
 * Serves what can be served now. @returns the reply, or undefined when nothing was served
 * (the caller then blocks or answers null).
 */
function serveRead(ctx: CommandContext, req: ReadRequest, resolved: readonly Resolved[]): Reply | undefined {
  const served: [string, Reply][] = [];
  let groupWork = false;
  for (let i = 0; i < resolved.length; i++) {
    const key = req.keys[i]!;
    const r = resolved[i]!;
    // Valkey looks each key up again when serving.
    const s = readStream(ctx, key);
    if (s === undefined) continue;
    let gt = r.gt;
    let serve = false;
    let history = false;
    let consumer: Consumer | undefined;
    const g = r.g;
    if (g !== undefined) {
      if (!r.newOnly) {
        serve = true;
        history = true;
      } else if (s.length > 0 && s.lastValidId() > g.lastId) {
        serve = true;
        gt = g.lastId;
      }
      consumer = lookupOrCreateConsumer(ctx, key, g, req.consumer);
      consumer.seenTime = ctx.now;
    } else if (s.length > 0 && s.lastValidId() > gt) {
      serve = true;
    }
    if (!serve) continue;
    // Entries strictly after gt (an overflowing increment wraps to 0-0, as in Valkey).
    const start = gt === MAX_ID ? 0n : gt + 1n;
    let entries: Reply[];
    if (history) entries = readHistory(ctx, s, consumer!, start, req.count);
    else if (g !== undefined) entries = deliverNew(ctx, s, g, consumer!, start, req.count, req.noack);
    else {
      entries = [];
      s.range(start, MAX_ID, false, req.count, (id, pairs) => {
        entries.push(entryReply(id, pairs));
      });
    }
    if (g !== undefined) groupWork = true;
    served.push([key, array(entries)]);
  }
  if (groupWork) ctx.engine.dirty++;
  if (served.length === 0) return undefined;
  // RESP2 gets [key, entries] pairs; RESP3 a map from key to entries.
  if (ctx.session.resp === 3) return map(served.map(([k, e]) => [bulk(k), e] as const));
  return array(served.map(([k, e]) => array([bulk(k), e])));
}

/** Delivers entries after `start` to a consumer, creating pending entries unless NOACK. */
function deliverNew(
  ctx: CommandContext,
  s: StreamValue,
  g: ConsumerGroup,
  consumer: Consumer,
  start: StreamId,
  count: number,
  noack: boolean,
): Reply[] {
  const out: Reply[] = [];
  s.range(start, MAX_ID, false, count, (id, pairs) => {
    s.advanceGroup(g, id);
    out.push(entryReply(id, pairs));
    if (noack) return;
    const nack = g.pel.get(id);
    if (nack === undefined) {
      const created: Nack = { id, consumer, deliveryTime: ctx.now, deliveryCount: 1 };
      g.pel.insert(created);
      consumer.pel.insert(created);
    } else {
      // The entry was already pending (the group's ID was moved back with SETID): it changes owner.
      nack.consumer?.pel.remove(id);
      nack.consumer = consumer;
      nack.deliveryTime = ctx.now;
      nack.deliveryCount = 1;
      consumer.pel.insert(nack);
    }
    consumer.activeTime = ctx.now;
  });
  return out;
}

/** A consumer's own pending entries after `start`; deleted entries come back as [id, nil]. */
function readHistory(ctx: CommandContext, s: StreamValue, consumer: Consumer, start: StreamId, count: number): Reply[] {
  const out: Reply[] = [];
  let nack = consumer.pel.ceiling(start);
  while (nack !== undefined && (count === 0 || out.length < count)) {
    const pairs = s.get(nack.id);
    if (pairs === undefined) {
      out.push(array([idReply(nack.id), NULL_ARRAY]));
    } else {
      out.push(entryReply(nack.id, pairs));
      nack.deliveryTime = ctx.now;
      nack.deliveryCount++;
    }
    nack = consumer.pel.ceiling(nack.id + 1n);
  }
  return out;
}

function xreadGeneric(ctx: CommandContext, argv: readonly string[], isGroup: boolean): Reply | Blocked {
  const req = parseRead(ctx, argv, isGroup);
  const reply = serveRead(ctx, req, resolveRead(ctx, req));
  if (reply !== undefined) return reply;
  if (req.timeoutMs < 0) return NULL_ARRAY;
  return {
    t: "blocked",
    keys: req.keys,
    timeoutMs: req.timeoutMs,
    retry: (c) => retryRead(c, req, isGroup),
    timeoutReply: NULL_ARRAY,
  };
}

/**
 * Re-runs a blocked read. XREADGROUP reports any error (its key deleted, retyped, or its group
 * destroyed), as Valkey's re-execution does; XREAD keeps waiting while a key holds another
 * type, since Valkey only wakes it for stream keys.
 */
function retryRead(ctx: CommandContext, req: ReadRequest, isGroup: boolean): Reply | undefined {
  try {
    return serveRead(ctx, req, resolveRead(ctx, req));
  } catch (e) {
    if (!(e instanceof ReplyError)) throw e;
    if (!isGroup && e.message === E.WRONGTYPE) return undefined;
    return e.reply;
  }
}

function xread(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return xreadGeneric(ctx, argv, false);
}

function xreadgroup(ctx: CommandContext, argv: readonly string[]): Reply | Blocked {
  return xreadGeneric(ctx, argv, true);
}

// ---------------------------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------------------------

function subcommandSyntax(ctx: CommandContext, argv: readonly string[]): Reply {
  const container = ctx.command.container?.spec.name ?? argv[0]!;
  return error(fmt(E.XINFO_SYNTAX, argv[1]!, container.toUpperCase()));
}

/** The checks every XGROUP subcommand shares (options, key, group), in Valkey's order. */
function xgroupPrepare(
  ctx: CommandContext,
  argv: readonly string[],
  sub: "create" | "setid" | "destroy" | "createconsumer" | "delconsumer",
): { s: StreamValue | undefined; g: ConsumerGroup | undefined; mkstream: boolean; entriesRead: bigint } | Reply {
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  for (let i = 5; i < argv.length;) {
    const o = argv[i]!.toLowerCase();
    if (sub === "create" && o === "mkstream") {
      mkstream = true;
      i++;
    } else if ((sub === "create" || sub === "setid") && o === "entriesread" && i + 1 < argv.length) {
      const v = parseInt64(argv[i + 1]!);
      if (v === null) return error(E.NOT_INTEGER);
      if (v < 0 && v !== -1) return error(E.XGROUP_ENTRIESREAD);
      entriesRead = BigInt(v);
      i += 2;
    } else {
      return subcommandSyntax(ctx, argv);
    }
  }
  const s = writeStream(ctx, argv[2]!);
  if (s === undefined && !mkstream) return error(E.XGROUP_NO_KEY);
  const g = s?.group(argv[3]!);
  if (g === undefined && s !== undefined && sub !== "create" && sub !== "destroy") {
    return error(fmt(E.XGROUP_NOGROUP, argv[3]!, argv[2]!));
  }
  return { s, g, mkstream, entriesRead };
}

function isReply(x: unknown): x is Reply {
  return typeof x === "object" && x !== null && "t" in x;
}

function xgroupCreate(ctx: CommandContext, argv: readonly string[]): Reply {
  const p = xgroupPrepare(ctx, argv, "create");
  if (isReply(p)) return p;
  if (argv.length > 8) return subcommandSyntax(ctx, argv);
  const key = argv[2]!;
  let s = p.s;
  let id: StreamId;
  if (argv[4] === "$") id = s === undefined ? 0n : s.lastId;
  else id = strictId(argv[4]!);
  if (s === undefined) {
    s = new StreamValue();
    ctx.db.set(key, s, ctx.now);
  }
  if (s.createGroup(argv[3]!, id, p.entriesRead) === undefined) return error(E.XGROUP_BUSYGROUP);
  ctx.touched(key, "xgroup-create");
  return OK;
}

function xgroupSetid(ctx: CommandContext, argv: readonly string[]): Reply {
  const p = xgroupPrepare(ctx, argv, "setid");
  if (isReply(p)) return p;
  if (argv.length !== 5 && argv.length !== 7) return subcommandSyntax(ctx, argv);
  const s = p.s!;
  const g = p.g!;
  let id: StreamId;
  if (argv[4] === "$") id = s.lastId;
  else {
    const parsed = parseStreamId(argv[4]!, 0n, false);
    if (parsed === null) return INVALID_ID;
    id = parsed.id;
  }
  g.lastId = id;
  g.entriesRead = p.entriesRead;
  ctx.touched(argv[2]!, "xgroup-setid");
  return OK;
}

function xgroupDestroy(ctx: CommandContext, argv: readonly string[]): Reply {
  const p = xgroupPrepare(ctx, argv, "destroy");
  if (isReply(p)) return p;
  if (p.g === undefined) return int(0);
  p.s!.groups!.delete(argv[3]!);
  // Also wakes XREADGROUP clients blocked on the group, which then answer NOGROUP.
  ctx.touched(argv[2]!, "xgroup-destroy");
  return int(1);
}

function xgroupCreateconsumer(ctx: CommandContext, argv: readonly string[]): Reply {
  const p = xgroupPrepare(ctx, argv, "createconsumer");
  if (isReply(p)) return p;
  return int(createConsumer(ctx, argv[2]!, p.g!, argv[4]!) === undefined ? 0 : 1);
}

function xgroupDelconsumer(ctx: CommandContext, argv: readonly string[]): Reply {
  const p = xgroupPrepare(ctx, argv, "delconsumer");
  if (isReply(p)) return p;
  const c = p.g!.consumers.get(argv[4]!);
  if (c === undefined) return int(0);
  const pending = p.g!.deleteConsumer(c);
  ctx.touched(argv[2]!, "xgroup-delconsumer");
  return int(pending);
}

const XGROUP_HELP: Reply = Object.freeze(
  array(
    [
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a consumer group starting after <id> ($: the stream's last entry).",
      "    Options are:",
      "    * MKSTREAM",
      "      Create an empty stream when the key does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's read counter (used internally for replication).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Add a consumer to the group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove a consumer and its pending entries from the group.",
      "DESTROY <key> <groupname>",
      "    Remove the group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Move the group's last delivered ID (and set its read counter).",
      "HELP",
      "    Print this help.",
    ].map(simple),
  ),
);

// ---------------------------------------------------------------------------------------------
// XACK / XPENDING / XCLAIM / XAUTOCLAIM
// ---------------------------------------------------------------------------------------------

function xack(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = readStream(ctx, argv[1]!);
  const g = s?.group(argv[2]!);
  if (g === undefined) return int(0);
  // All or nothing: every ID is checked before any is acknowledged.
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(strictId(argv[j]!));
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.get(id);
    if (nack === undefined) continue;
    g.removeNack(nack);
    acked++;
  }
  ctx.engine.dirty += acked;
  return int(acked);
}

function xpending(ctx: CommandContext, argv: readonly string[]): Reply {
  const argc = argv.length;
  const justInfo = argc === 3;
  if (argc !== 3 && (argc < 6 || argc > 9)) return SYNTAX;
  let minIdle = 0;
  let start: StreamId = 0n;
  let end: StreamId = MAX_ID;
  let count = 0;
  let consumerName: string | undefined;
  if (argc >= 6) {
    let startIdx = 3;
    if (argv[3]!.toLowerCase() === "idle") {
      minIdle = intArg(argv[4]!);
      if (argc < 8) return SYNTAX;
      startIdx += 2;
    }
    count = intArg(argv[startIdx + 2]!);
    if (count < 0) count = 0;
    start = rangeBound(argv[startIdx]!, true);
    end = rangeBound(argv[startIdx + 1]!, false);
    if (startIdx + 3 < argc) consumerName = argv[startIdx + 3]!;
  }
  const key = argv[1]!;
  const s = readStream(ctx, key);
  const g = s?.group(argv[2]!);
  if (g === undefined) return error(fmt(E.STREAM_NOGROUP, key, argv[2]!));
  if (justInfo) {
    if (g.pel.size === 0) return array([int(0), NULL, NULL, NULL_ARRAY]);
    const owners: Reply[] = [];
    for (const c of g.sortedConsumers()) {
      if (c.pel.size > 0) owners.push(array([bulk(c.name), bulk(String(c.pel.size))]));
    }
    return array([int(g.pel.size), idReply(g.pel.first()!.id), idReply(g.pel.last()!.id), array(owners)]);
  }
  let pel = g.pel;
  if (consumerName !== undefined) {
    const c = g.consumers.get(consumerName);
    if (c === undefined) return EMPTY_ARRAY;
    pel = c.pel;
  }
  const out: Reply[] = [];
  let nack = pel.ceiling(start);
  while (count > 0 && nack !== undefined && nack.id <= end) {
    const elapsed = ctx.now - nack.deliveryTime;
    if (minIdle === 0 || elapsed >= minIdle) {
      count--;
      out.push(
        array([idReply(nack.id), bulk(nack.consumer!.name), int(Math.max(0, elapsed)), int(nack.deliveryCount)]),
      );
    }
    nack = pel.ceiling(nack.id + 1n);
  }
  return array(out);
}

function xclaim(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const s = readStream(ctx, key);
  const g = s?.group(argv[2]!);
  if (s === undefined || g === undefined) return error(fmt(E.STREAM_NOGROUP, key, argv[2]!));
  let minIdle = intArg(argv[4]!, E.XCLAIM_MIN_IDLE);
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseStreamId(argv[j]!, 0n, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const now = ctx.now;
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justId = false;
  let lastId: StreamId = 0n;
  for (; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    const opt = argv[j]!;
    const o = opt.toLowerCase();
    if (o === "force") force = true;
    else if (o === "justid") justId = true;
    else if (o === "idle" && moreargs > 0) deliveryTime = now - intArg(argv[++j]!, E.XCLAIM_IDLE);
    else if (o === "time" && moreargs > 0) deliveryTime = intArg(argv[++j]!, E.XCLAIM_TIME);
    else if (o === "retrycount" && moreargs > 0) retryCount = intArg(argv[++j]!, E.XCLAIM_RETRYCOUNT);
    else if (o === "lastid" && moreargs > 0) lastId = strictId(argv[++j]!);
    else return error(fmt(E.XCLAIM_UNKNOWN_OPTION, opt));
  }
  if (lastId > g.lastId) {
    g.lastId = lastId;
    ctx.engine.dirty++;
  }
  // A bogus delivery time (negative or in the future) is clamped to now rather than refused.
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const consumer = lookupOrCreateConsumer(ctx, key, g, argv[3]!);
  consumer.seenTime = now;
  const out: Reply[] = [];
  for (const id of ids) {
    let nack = g.pel.get(id);
    const pairs = s.get(id);
    if (pairs === undefined) {
      // The entry is gone: its pending entry goes too.
      if (nack !== undefined) {
        g.removeNack(nack);
        ctx.engine.dirty++;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { id, consumer: null, deliveryTime: now, deliveryCount: 1 };
      g.pel.insert(nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle > 0 && now - nack.deliveryTime < minIdle) continue;
    if (nack.consumer !== consumer) nack.consumer?.pel.remove(id);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.insert(nack);
      nack.consumer = consumer;
    }
    out.push(justId ? idReply(id) : entryReply(id, pairs));
    consumer.activeTime = now;
    ctx.engine.dirty++;
  }
  return array(out);
}

/** LONG_MAX / max(sizeof(streamID), attempts factor 10): XAUTOCLAIM's COUNT ceiling. */
const XAUTOCLAIM_MAX_COUNT = 576460752303423487n;

function xautoclaim(ctx: CommandContext, argv: readonly string[]): Reply {
  let minIdle = intArg(argv[4]!, E.XAUTOCLAIM_MIN_IDLE);
  if (minIdle < 0) minIdle = 0;
  const start = rangeBound(argv[5]!, true);
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    const o = argv[j]!.toLowerCase();
    if (o === "count" && moreargs > 0) {
      const v = parseInt64(argv[++j]!);
      if (v === null || v < 1 || BigInt(v) > XAUTOCLAIM_MAX_COUNT) return error(E.XAUTOCLAIM_COUNT);
      count = Number(v);
    } else if (o === "justid") {
      justId = true;
    } else {
      return SYNTAX;
    }
  }
  const key = argv[1]!;
  const s = readStream(ctx, key);
  const g = s?.group(argv[2]!);
  if (s === undefined || g === undefined) return error(fmt(E.STREAM_NOGROUP, key, argv[2]!));
  const consumer = lookupOrCreateConsumer(ctx, key, g, argv[3]!);
  const now = ctx.now;
  consumer.seenTime = now;
  let attempts = count * 10;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  let next = g.pel.ceiling(start);
  while (attempts-- > 0 && count > 0 && next !== undefined) {
    const nack = next;
    next = g.pel.ceiling(nack.id + 1n);
    const pairs = s.get(nack.id);
    if (pairs === undefined) {
      g.removeNack(nack);
      deleted.push(idReply(nack.id));
      count--;
      ctx.engine.dirty++;
      continue;
    }
    if (minIdle > 0 && now - nack.deliveryTime < minIdle) continue;
    if (nack.consumer !== consumer) {
      nack.consumer?.pel.remove(nack.id);
      consumer.pel.insert(nack);
      nack.consumer = consumer;
    }
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    claimed.push(justId ? idReply(nack.id) : entryReply(nack.id, pairs));
    count--;
    consumer.activeTime = now;
    ctx.engine.dirty++;
  }
  // The cursor is the next pending entry not examined, 0-0 once the list is exhausted.
  return array([idReply(next === undefined ? 0n : next.id), array(claimed), array(deleted)]);
}

// ---------------------------------------------------------------------------------------------
// XINFO / XSETID
// ---------------------------------------------------------------------------------------------

function infoStream(ctx: CommandContext, key: string): StreamValue {
  const v = ctx.db.lookupRead(key, ctx.now, ctx.session.noTouch);
  if (v === undefined) throw new ReplyError(E.NO_SUCH_KEY);
  if (!(v instanceof StreamValue)) throw new ReplyError(E.WRONGTYPE);
  return v;
}

function field(name: string, v: Reply): readonly [Reply, Reply] {
  return [bulk(name), v] as const;
}

function lagReply(s: StreamValue, g: ConsumerGroup): Reply {
  const lag = s.lag(g);
  return lag === undefined ? NULL : int(lag);
}

function entriesReadReply(g: ConsumerGroup): Reply {
  return g.entriesRead === INVALID_ENTRIES_READ ? NULL : int(g.entriesRead);
}

function xinfoStream(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = infoStream(ctx, argv[2]!);
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc > 0) {
    if (optc !== 1 && optc !== 3) return subcommandSyntax(ctx, argv);
    if (argv[3]!.toLowerCase() !== "full") return subcommandSyntax(ctx, argv);
    if (optc === 3) {
      if (argv[4]!.toLowerCase() !== "count") return subcommandSyntax(ctx, argv);
      count = intArg(argv[5]!);
      if (count < 0) count = 10;
    }
    full = true;
  }
  const fields: (readonly [Reply, Reply])[] = [
    field("length", int(s.length)),
    field("radix-tree-keys", int(s.nodeCount)),
    field("radix-tree-nodes", int(s.radixTreeNodes())),
    field("last-generated-id", idReply(s.lastId)),
    field("max-deleted-entry-id", idReply(s.maxDeletedId)),
    field("entries-added", int(s.entriesAdded)),
    field("recorded-first-entry-id", idReply(s.firstId)),
  ];
  if (!full) {
    fields.push(field("groups", int(s.groups?.size ?? 0)));
    let first: Reply = NULL;
    let last: Reply = NULL;
    s.range(0n, MAX_ID, false, 1, (id, pairs) => {
      first = entryReply(id, pairs);
    });
    s.range(0n, MAX_ID, true, 1, (id, pairs) => {
      last = entryReply(id, pairs);
    });
    fields.push(field("first-entry", first), field("last-entry", last));
    return map(fields);
  }
  const entries: Reply[] = [];
  s.range(0n, MAX_ID, false, count, (id, pairs) => {
    entries.push(entryReply(id, pairs));
  });
  fields.push(field("entries", array(entries)));
  const groups: Reply[] = [];
  for (const [name, g] of s.sortedGroups()) {
    const pending: Reply[] = [];
    for (const nack of g.pel) {
      if (count > 0 && pending.length >= count) break;
      pending.push(
        array([idReply(nack.id), bulk(nack.consumer!.name), int(nack.deliveryTime), int(nack.deliveryCount)]),
      );
    }
    const consumers: Reply[] = [];
    for (const c of g.sortedConsumers()) {
      const cpending: Reply[] = [];
      for (const nack of c.pel) {
        if (count > 0 && cpending.length >= count) break;
        cpending.push(array([idReply(nack.id), int(nack.deliveryTime), int(nack.deliveryCount)]));
      }
      consumers.push(map([
        field("name", bulk(c.name)),
        field("seen-time", int(c.seenTime)),
        field("active-time", int(c.activeTime)),
        field("pel-count", int(c.pel.size)),
        field("pending", array(cpending)),
      ]));
    }
    groups.push(map([
      field("name", bulk(name)),
      field("last-delivered-id", idReply(g.lastId)),
      field("entries-read", entriesReadReply(g)),
      field("lag", lagReply(s, g)),
      field("pel-count", int(g.pel.size)),
      field("pending", array(pending)),
      field("consumers", array(consumers)),
    ]));
  }
  fields.push(field("groups", array(groups)));
  return map(fields);
}

function xinfoGroups(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = infoStream(ctx, argv[2]!);
  return array(
    s.sortedGroups().map(([name, g]) =>
      map([
        field("name", bulk(name)),
        field("consumers", int(g.consumers.size)),
        field("pending", int(g.pel.size)),
        field("last-delivered-id", idReply(g.lastId)),
        field("entries-read", entriesReadReply(g)),
        field("lag", lagReply(s, g)),
      ])
    ),
  );
}

function xinfoConsumers(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[2]!;
  const s = infoStream(ctx, key);
  const g = s.group(argv[3]!);
  if (g === undefined) return error(fmt(E.XGROUP_NOGROUP, argv[3]!, key));
  const now = ctx.now;
  return array(
    g.sortedConsumers().map((c) =>
      map([
        field("name", bulk(c.name)),
        field("pending", int(c.pel.size)),
        field("idle", int(Math.max(0, now - c.seenTime))),
        field("inactive", int(c.activeTime === -1 ? -1 : now - c.activeTime)),
      ])
    ),
  );
}

const XINFO_HELP: Reply = Object.freeze(
  array(
    [
      "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONSUMERS <key> <groupname>",
      "    List the consumers of <groupname>.",
      "GROUPS <key>",
      "    List the consumer groups of the stream.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Describe the stream (FULL: with its entries, groups and pending entries).",
      "HELP",
      "    Print this help.",
    ].map(simple),
  ),
);

function xsetid(ctx: CommandContext, argv: readonly string[]): Reply {
  const id = strictId(argv[2]!);
  let entriesAdded = -1n;
  let maxDeleted: StreamId = 0n;
  for (let i = 3; i < argv.length;) {
    const moreargs = argv.length - 1 - i;
    const o = argv[i]!.toLowerCase();
    if (o === "entriesadded" && moreargs > 0) {
      const v = parseInt64(argv[i + 1]!);
      if (v === null) return error(E.NOT_INTEGER);
      if (v < 0) return error(E.XSETID_ENTRIES_ADDED);
      entriesAdded = BigInt(v);
      i += 2;
    } else if (o === "maxdeletedid" && moreargs > 0) {
      maxDeleted = strictId(argv[i + 1]!);
      if (id < maxDeleted) return error(E.XSETID_MAXDELETED_GT_ID);
      i += 2;
    } else {
      return SYNTAX;
    }
  }
  const key = argv[1]!;
  const s = writeStream(ctx, key);
  if (s === undefined) return error(E.NO_SUCH_KEY);
  if (id < s.maxDeletedId) return error(E.XSETID_LT_MAXDELETED);
  if (s.length > 0) {
    if (id < s.lastValidId()) return error(E.XSETID_LT_TOP);
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) return error(E.XSETID_ENTRIES_LT_LENGTH);
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDeleted !== 0n) s.maxDeletedId = maxDeleted;
  ctx.touched(key, "xsetid");
  return OK;
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

function streamsKeyword(startFrom: number, flags: string): KeySpec {
  return {
    begin: { keyword: "STREAMS", startFrom },
    find: { range: { last: -1, step: 1, limit: 2 } },
    flags: rangeKey(1, 0, 1, flags).flags,
  };
}

const ND = ["nondeterministic_output"];

/** The stream command table rows. */
export const STREAM_COMMANDS: readonly CommandSpec[] = [
  cmd("xack", "stream", -4, "write fast", "stream", [rangeKey(1, 0, 1, "RW UPDATE")], "5.0.0", xack, {
    complexity: "O(1) for each message ID processed.",
    summary: "Acknowledges entries of a consumer group, removing them from its pending list.",
  }),
  cmd(
    "xadd",
    "stream",
    -5,
    "write denyoom fast",
    "stream",
    [{ ...rangeKey(1, 0, 1, "RW UPDATE"), notes: "UPDATE instead of INSERT because of the optional trimming feature" }],
    "5.0.0",
    xadd,
    {
      tips: ND,
      complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
      summary: "Appends an entry to a stream, creating it when missing, optionally trimming it.",
    },
  ),
  cmd("xautoclaim", "stream", -6, "write fast", "stream", [rangeKey(1, 0, 1, "RW DELETE")], "6.2.0", xautoclaim, {
    tips: ND,
    complexity: "O(1) if COUNT is small.",
    summary: "Transfers pending entries idle long enough to a consumer, scanning the pending list like a cursor.",
  }),
  cmd("xclaim", "stream", -6, "write fast", "stream", [rangeKey(1, 0, 1, "RW UPDATE")], "5.0.0", xclaim, {
    tips: ND,
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    summary: "Transfers the ownership of given pending entries to a consumer.",
  }),
  cmd("xdel", "stream", -3, "write fast", "stream", [rangeKey(1, 0, 1, "RW DELETE")], "5.0.0", xdel, {
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
    summary: "Deletes entries from a stream by ID.",
  }),
  cmd("xgroup", "stream", -2, "", "", [], "5.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Container for consumer group management subcommands.",
    subcommands: [
      cmd("create", "stream", -5, "write denyoom", "stream", [rangeKey(2, 0, 1, "RW INSERT")], "5.0.0", xgroupCreate, {
        complexity: "O(1)",
        summary: "Creates a consumer group, optionally creating the stream.",
      }),
      cmd(
        "createconsumer",
        "stream",
        5,
        "write denyoom",
        "stream",
        [rangeKey(2, 0, 1, "RW INSERT")],
        "6.2.0",
        xgroupCreateconsumer,
        { complexity: "O(1)", summary: "Adds a consumer to a consumer group." },
      ),
      cmd("delconsumer", "stream", 5, "write", "stream", [rangeKey(2, 0, 1, "RW DELETE")], "5.0.0", xgroupDelconsumer, {
        complexity: "O(1)",
        summary: "Removes a consumer from a consumer group along with its pending entries.",
      }),
      cmd("destroy", "stream", 4, "write", "stream", [rangeKey(2, 0, 1, "RW DELETE")], "5.0.0", xgroupDestroy, {
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        summary: "Deletes a consumer group.",
      }),
      cmd("help", "stream", 2, "loading stale", "stream", [], "5.0.0", () => XGROUP_HELP, {
        complexity: "O(1)",
        summary: "Describes the XGROUP subcommands.",
      }),
      cmd("setid", "stream", -5, "write", "stream", [rangeKey(2, 0, 1, "RW UPDATE")], "5.0.0", xgroupSetid, {
        complexity: "O(1)",
        summary: "Moves the last delivered ID of a consumer group.",
      }),
    ],
  }),
  cmd("xinfo", "stream", -2, "", "", [], "5.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Container for stream introspection subcommands.",
    subcommands: [
      cmd("consumers", "stream", 4, "readonly", "stream", [rangeKey(2, 0, 1, "RO ACCESS")], "5.0.0", xinfoConsumers, {
        tips: ND,
        complexity: "O(1)",
        summary: "Lists the consumers of a consumer group.",
      }),
      cmd("groups", "stream", 3, "readonly", "stream", [rangeKey(2, 0, 1, "RO ACCESS")], "5.0.0", xinfoGroups, {
        complexity: "O(1)",
        summary: "Lists the consumer groups of a stream.",
      }),
      cmd("help", "stream", 2, "loading stale", "stream", [], "5.0.0", () => XINFO_HELP, {
        complexity: "O(1)",
        summary: "Describes the XINFO subcommands.",
      }),
      cmd("stream", "stream", -3, "readonly", "stream", [rangeKey(2, 0, 1, "RO ACCESS")], "5.0.0", xinfoStream, {
        complexity: "O(1)",
        summary: "Describes a stream, or with FULL its entries, groups and pending entries.",
      }),
    ],
  }),
  cmd("xlen", "stream", 2, "readonly fast", "stream", [rangeKey(1, 0, 1, "RO")], "5.0.0", xlen, {
    complexity: "O(1)",
    summary: "Returns the number of entries in a stream.",
  }),
  cmd("xpending", "stream", -3, "readonly", "stream", [rangeKey(1, 0, 1, "RO ACCESS")], "5.0.0", xpending, {
    tips: ND,
    complexity:
      "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    summary: "Summarizes or lists the pending entries of a consumer group.",
  }),
  cmd("xrange", "stream", -4, "readonly", "stream", [rangeKey(1, 0, 1, "RO ACCESS")], "5.0.0", xrange, {
    complexity:
      "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    summary: "Returns the entries of a stream within an ID range.",
  }),
  cmd("xread", "stream", -4, "blocking readonly", "stream", [streamsKeyword(1, "RO ACCESS")], "5.0.0", xread, {
    summary: "Reads entries newer than given IDs from one or more streams, optionally waiting for them.",
  }),
  cmd(
    "xreadgroup",
    "stream",
    -7,
    "blocking write",
    "stream",
    [streamsKeyword(4, "RO ACCESS")],
    "5.0.0",
    xreadgroup,
    {
      complexity:
        "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
      summary: "Reads entries for a consumer of a group: new ones, or its own pending history.",
    },
  ),
  cmd("xrevrange", "stream", -4, "readonly", "stream", [rangeKey(1, 0, 1, "RO ACCESS")], "5.0.0", xrevrange, {
    complexity:
      "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    summary: "Returns the entries of a stream within an ID range, newest first.",
  }),
  cmd("xsetid", "stream", -3, "write denyoom fast", "stream", [rangeKey(1, 0, 1, "RW UPDATE")], "5.0.0", xsetid, {
    complexity: "O(1)",
    summary: "Sets a stream's last ID and its added/deleted bookkeeping.",
  }),
  cmd("xtrim", "stream", -4, "write", "stream", [rangeKey(1, 0, 1, "RW DELETE")], "5.0.0", xtrim, {
    tips: ND,
    complexity:
      "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    summary: "Trims a stream to a maximum length or a minimum ID.",
  }),
];
