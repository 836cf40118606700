/**
 * Commands over whole databases: SELECT, SWAPDB, MOVE, FLUSHDB, FLUSHALL, DBSIZE.
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import { int, OK, type Reply, ReplyError } from "../protocol/reply.ts";
import { E, fmt, SYNTAX } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import type { Db } from "../keyspace/db.ts";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Parses a database index like Valkey's `getIntFromObjectOrReply`: not an integer gives
 * `ERR value is not an integer or out of range`, outside 32 bits gives Valkey's
 * `value is out of range, value must between ...` text. With `msg`, both failures reply `msg`
 * instead (SWAPDB's "invalid first DB index").
 * @throws {ReplyError}
 */
export function int32Arg(s: string, msg?: string): number {
  const v = parseInt64(s);
  if (v === null) throw new ReplyError(msg ?? E.NOT_INTEGER);
  if (v < INT32_MIN || v > INT32_MAX) {
    throw new ReplyError(msg ?? fmt(E.INT_RANGE, String(INT32_MIN), String(INT32_MAX)));
  }
  return Number(v);
}

/**
 * The database with index `id`, or `ERR DB index is out of range`.
 * @throws {ReplyError}
 */
export function dbByIndex(ctx: CommandContext, id: number): Db {
  const db = id >= 0 ? ctx.engine.dbs[id] : undefined;
  if (db === undefined) throw new ReplyError(E.DB_INDEX);
  return db;
}

function select(ctx: CommandContext, argv: readonly string[]): Reply {
  const id = int32Arg(argv[1]!);
  dbByIndex(ctx, id);
  ctx.session.db = id;
  return OK;
}

function swapdb(ctx: CommandContext, argv: readonly string[]): Reply {
  const id1 = int32Arg(argv[1]!, E.UNSAFE_SWAPDB);
  const id2 = int32Arg(argv[2]!, E.SWAPDB_SECOND);
  const dbs = ctx.engine.dbs;
  if (id1 < 0 || id1 >= dbs.length || id2 < 0 || id2 >= dbs.length) throw new ReplyError(E.DB_INDEX);
  // Valkey swaps contents, not Db objects: clients keep their index and see the other data.
  if (id1 !== id2) {
    const a = dbs[id1]!;
    const b = dbs[id2]!;
    a.swapWith(b);
    // A client blocked on a key that exists after the swap must be served (Valkey's
    // scanDatabaseForReadyKeys). signal() ignores keys nobody waits on; the walk is skipped
    // entirely when no client is blocked.
    const blocking = ctx.engine.blocking;
    if (blocking.count > 0) {
      for (const key of a.keys()) blocking.signal(a, key);
      for (const key of b.keys()) blocking.signal(b, key);
    }
    ctx.engine.dbReset(a, "swapdb");
    ctx.engine.dbReset(b, "swapdb");
  }
  ctx.engine.dirty++;
  return OK;
}

function move(ctx: CommandContext, argv: readonly string[]): Reply {
  const key = argv[1]!;
  const src = ctx.db;
  const dst = dbByIndex(ctx, int32Arg(argv[2]!));
  if (src === dst) throw new ReplyError(E.SAME_OBJECT);
  const now = ctx.now;
  const value = src.lookupWrite(key, now, ctx.session.noTouch);
  if (value === undefined) return int(0);
  const expire = src.getExpireExact(key);
  if (dst.lookupWrite(key, now, ctx.session.noTouch) !== undefined) return int(0);
  src.delete(key);
  dst.set(key, value, now);
  if (expire !== undefined) dst.setExpire(key, expire);
  // One change for Valkey's dirty counter, one event in each database.
  ctx.touchedIn(src, key, "move_from");
  ctx.engine.keyModified(dst, key, "move_to", ctx.session, false);
  return int(1);
}

/** FLUSHDB / FLUSHALL take nothing, SYNC or ASYNC; anything else is a syntax error. */
function checkFlushMode(argv: readonly string[]): Reply | undefined {
  if (argv.length === 1) return undefined;
  if (argv.length === 2) {
    const m = argv[1]!.toLowerCase();
    if (m === "sync" || m === "async") return undefined;
  }
  return SYNTAX;
}

// Both modes free memory the same way here: dropping the old table hands it to the garbage
// collector, which is what ASYNC buys in Valkey (no pause proportional to the data size).
function flushdb(ctx: CommandContext, argv: readonly string[]): Reply {
  const bad = checkFlushMode(argv);
  if (bad !== undefined) return bad;
  ctx.engine.dirty += ctx.db.flush();
  ctx.engine.dbReset(ctx.db, "flush");
  return OK;
}

function flushall(ctx: CommandContext, argv: readonly string[]): Reply {
  const bad = checkFlushMode(argv);
  if (bad !== undefined) return bad;
  let removed = 0;
  for (const db of ctx.engine.dbs) {
    removed += db.flush();
    ctx.engine.dbReset(db, "flush");
  }
  ctx.engine.dirty += removed;
  return OK;
}

function dbsize(ctx: CommandContext): Reply {
  return int(ctx.db.size);
}

const ALL_SHARDS_SUCCEEDED = ["request_policy:all_shards", "response_policy:all_succeeded"];

/** The database commands' table rows. */
export const DATABASE_COMMANDS: readonly CommandSpec[] = [
  cmd("select", "connection", 2, "loading stale fast", "connection", [], "1.0.0", select, {
    // A stateless HTTP request has no connection whose database could be selected.
    kite: ["no-http"],
    complexity: "O(1)",
    summary: "Changes the database the connection works on.",
  }),
  cmd("swapdb", "server", 3, "write fast", "keyspace dangerous", [], "4.0.0", swapdb, {
    complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
    summary: "Exchanges the contents of two databases.",
  }),
  cmd("move", "generic", 3, "write fast", "keyspace", [rangeKey(1, 0, 1, "RW ACCESS UPDATE")], "1.0.0", move, {
    complexity: "O(1)",
    summary: "Moves a key, with its time to live, to another database.",
  }),
  cmd("flushdb", "server", -1, "write", "keyspace dangerous", [], "1.0.0", flushdb, {
    tips: ALL_SHARDS_SUCCEEDED,
    complexity: "O(N) where N is the number of keys in the selected database",
    summary: "Removes every key of the selected database.",
  }),
  cmd("flushall", "server", -1, "write", "keyspace dangerous", [], "1.0.0", flushall, {
    tips: ALL_SHARDS_SUCCEEDED,
    complexity: "O(N) where N is the total number of keys in all databases",
    summary: "Removes every key of every database.",
  }),
  cmd("dbsize", "server", 1, "readonly fast", "keyspace", [], "1.0.0", dbsize, {
    tips: ["request_policy:all_shards", "response_policy:agg_sum"],
    complexity: "O(1)",
    summary: "Returns the number of keys in the selected database.",
  }),
];
