/**
 * The throughput tests of bench/resp.ts (also used by bench/profile.ts): redis-benchmark's
 * built-in tests for the commands Kite implements, XADD and ZRANGE in custom-command mode, and
 * the unmeasured preloads that keep popping tests and ZRANGE working on non-empty keys.
 *
 * @module
 */
import { type BenchWhat, commandInt, encodeCommand, pipelineLoad } from "./_lib.ts";

/** One throughput test. */
export interface TestDef {
  /** The name in the tables and in `--tests`. */
  readonly name: string;
  /** redis-benchmark's built-in test, or a custom command line. */
  readonly what: BenchWhat;
  /** Requests relative to the base count: below 1 for commands that cost more per request. */
  readonly weight: number;
  /** Unmeasured set-up before the run of `n` requests. */
  readonly preload?: (port: number, n: number) => Promise<void>;
}

/** Distinct preload members across preloads on one server. */
let preloadSeq = 0;

/**
 * Adds elements to `key` until `size` reports at least `want`, 100 per command, so a popping
 * test of `n` requests never meets an empty key (redis-benchmark may send up to `-c` x `-P` more
 * requests than `-n`, hence the margin).
 */
async function fill(
  port: number,
  key: string,
  size: string,
  want: number,
  command: (key: string, ids: number[]) => string[],
): Promise<void> {
  const have = await commandInt(port, [size, key]);
  const missing = Math.max(0, want - have);
  const per = 100;
  const cmds = Math.ceil(missing / per);
  await pipelineLoad(port, cmds, (i) => {
    const ids: number[] = [];
    for (let j = 0; j < per && i * per + j < missing; j++) ids.push(preloadSeq++);
    return encodeCommand(command(key, ids));
  });
}

const MARGIN = 1000;
const fillList = (port: number, n: number) =>
  fill(port, "mylist", "LLEN", n + MARGIN, (k, ids) => ["RPUSH", k, ...ids.map(() => "xxx")]);
const fillSet = (port: number, n: number) =>
  fill(port, "myset", "SCARD", n + MARGIN, (k, ids) => ["SADD", k, ...ids.map((i) => `pre:${i}`)]);
const fillZset = (port: number, n: number) =>
  fill(port, "myzset", "ZCARD", n + MARGIN, (k, ids) => ["ZADD", k, ...ids.flatMap((i) => [String(i), `pre:${i}`])]);
/** ZRANGE reads the first 100 of 1,000 members: past the listpack size, so a skip list on redis. */
const fillRangeZset = (port: number) =>
  fill(port, "zrangeset", "ZCARD", 1000, (k, ids) => ["ZADD", k, ...ids.flatMap((i) => [String(i), `member:${i}`])]);

/** Every test, in run order (pushes before pops, SADD before SPOP, ZADD before ZPOPMIN). */
export const ALL_TESTS: readonly TestDef[] = [
  { name: "ping_inline", what: "ping_inline", weight: 1 },
  { name: "ping_mbulk", what: "ping_mbulk", weight: 1 },
  { name: "set", what: "set", weight: 1 },
  { name: "get", what: "get", weight: 1 },
  { name: "incr", what: "incr", weight: 1 },
  { name: "mset", what: "mset", weight: 0.3 },
  { name: "lpush", what: "lpush", weight: 1 },
  { name: "rpush", what: "rpush", weight: 1 },
  { name: "lpop", what: "lpop", weight: 1, preload: fillList },
  { name: "rpop", what: "rpop", weight: 1, preload: fillList },
  { name: "sadd", what: "sadd", weight: 1 },
  { name: "hset", what: "hset", weight: 1 },
  { name: "spop", what: "spop", weight: 1, preload: fillSet },
  { name: "zadd", what: "zadd", weight: 1 },
  { name: "zpopmin", what: "zpopmin", weight: 1, preload: fillZset },
  { name: "lrange_100", what: "lrange_100", weight: 0.5 },
  { name: "lrange_300", what: "lrange_300", weight: 0.2 },
  { name: "xadd", what: ["XADD", "mystream", "*", "field", "value"], weight: 1 },
  { name: "zrange_100", what: ["ZRANGE", "zrangeset", "0", "99"], weight: 0.5, preload: fillRangeZset },
];
/**
 * The tests named in `names`, in the given order.
 * @throws {RangeError} for an unknown name
 */
export function testsByName(names: readonly string[]): TestDef[] {
  return names.map((name) => {
    const t = ALL_TESTS.find((x) => x.name === name);
    if (t === undefined) {
      throw new RangeError(`Cannot run test "${name}": known tests are ${ALL_TESTS.map((x) => x.name)}`);
    }
    return t;
  });
}
