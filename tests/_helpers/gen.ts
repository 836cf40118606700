/**
 * A seeded random command generator for differential tests. It covers the commands it has a
 * recipe for AND that are enabled (in practice: present in both Kite's registry and the reference
 * server), over a small key space so commands collide, with valid and invalid arguments.
 *
 * To cover a new command, add one entry to {@link RECIPES}: a weight and a function that builds an
 * argv from the {@link Gen} helpers (and, when the reply is not deterministic, a comparison mode).
 * Arguments are latin1 byte strings, one char per byte.
 *
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny PRNG that gives the same sequence on every runtime. */
export function mulberry32(seed: number): Rng {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How replies are compared.
 * - `exact`: byte for byte.
 * - `sorted`: an array whose order is unspecified (KEYS, SMEMBERS): compared after sorting the
 *   elements (nested arrays sort as whole elements).
 * - `pairs`: a flat field/value array (HGETALL in RESP2) or a map whose pair order is unspecified:
 *   compared as a sorted list of pairs. An array of 2-element arrays sorts like `sorted`.
 * - `scan`: a complete one-call SCAN/SSCAN: the cursor and the sorted element list.
 * - `scanpairs`: a complete one-call HSCAN/ZSCAN: the cursor and the sorted list of pairs.
 * - `ttl`: integers that depend on when each server ran the command (TTL, PTTL, EXPIRETIME of a
 *   relative expiry): equal when negative, otherwise within `tolerance`.
 * - `shape`: only the reply type is compared, and errors exactly (RANDOMKEY, OBJECT IDLETIME).
 * - `length`: the reply type and, for arrays, the number of elements (random picks with a count).
 * - `fields`: a map-like reply (or an array of them) compared with the fields named in `ignore`
 *   left out, for fields that hold times (XINFO CONSUMERS idle).
 * - `pending`: an XPENDING extended reply: every entry compared except its idle time.
 * - `dump`: a DUMP payload: for short strings equal except for the trailing RDB version and CRC64,
 *   otherwise only both present or both absent.
 */
export type Compare =
  | "exact"
  | "sorted"
  | "pairs"
  | "scan"
  | "scanpairs"
  | "ttl"
  | "shape"
  | "length"
  | "fields"
  | "pending"
  | "dump";

/** What the harness tells a probe's `decide` about the reference server's reply to the probe. */
export interface ProbeResult {
  /** True when the probe replied with an error (`items` then holds its text). */
  readonly error: boolean;
  /** The integer reply, when it was one. */
  readonly int: number | undefined;
  /** Every bulk, simple and integer payload of the reply, flattened in order. */
  readonly items: readonly string[];
}

/** A read-only question for the reference server, and how its answer decides the comparison. */
export interface CommandProbe {
  readonly argv: readonly string[];
  readonly decide: (r: ProbeResult) => Compare | "skip";
}

/** A command the harness runs after a non-deterministic reply, so both key spaces agree again. */
export interface Repair {
  /** `ref` runs on the reference only, `both` on both servers. */
  readonly on: "ref" | "both";
  readonly argv: readonly string[];
}

/** One generated command. */
export interface GenCommand {
  /** The command and its arguments, latin1 byte strings. */
  readonly argv: string[];
  /** The recipe that built it (the lower-case command name, or `arity:<name>`). */
  readonly recipe: string;
  readonly compare: Compare;
  /** For `ttl`: the largest accepted difference. */
  readonly tolerance?: number;
  /** For `fields`: the field names left out of the comparison. */
  readonly ignore?: readonly string[];
  /**
   * Keys whose lengths multiply into the command's cost (LCS is O(n*m)); the harness skips the
   * command when the reference says the product exceeds `maxProduct`.
   */
  readonly costKeys?: { readonly keys: readonly string[]; readonly maxProduct: number };
  /**
   * For RESTORE: the argument at `index` is replaced by the reference server's DUMP of `key`
   * (when that key does not exist, the placeholder stays and both servers reject it).
   */
  readonly dumpOf?: { readonly key: string; readonly index: number };
  /**
   * A sorted set this command stores distances in (GEOSEARCHSTORE/GEORADIUS STOREDIST): the harness
   * compares it on both servers with a tolerance of a few units in the last place (the two use
   * different libm sin/cos/asin), then gives Kite the reference's exact scores so the last bits
   * never spread into later replies.
   */
  readonly storedDistances?: string;
  /**
   * A read-only question for the reference server before the command is sent (the size of a set
   * for SRANDMEMBER, whether a blocking pop would block): `decide` picks the comparison mode, or
   * `skip` to leave the command out.
   */
  readonly probe?: CommandProbe;
  /**
   * Commands that make both key spaces equal again after a reply that may legitimately differ
   * (SPOP picks different members): called with the flattened payloads of both replies whenever
   * the comparison mode in force is not `exact` and the reference did not reply with an error.
   */
  readonly repair?: (ref: readonly string[], kite: readonly string[]) => readonly Repair[];
}

/** A recipe result: an argv, or a full command with a comparison mode. */
type RecipeResult = string[] | Omit<GenCommand, "recipe">;

/** One command's recipe. */
export interface Recipe {
  /** Relative frequency. */
  readonly weight: number;
  readonly build: (g: Gen) => RecipeResult;
}

/** The first names of {@link KEY_NAMES}, which string commands use. */
const STRING_KEY_COUNT = 20;

/** Keys that list commands use most. */
export const LIST_KEYS: readonly string[] = ["l0", "l1", "l2", "l3"];
/** Keys that hash commands use most. */
export const HASH_KEYS: readonly string[] = ["h0", "h1", "h2"];
/** Keys that set commands use most. */
export const SET_KEYS: readonly string[] = ["s0", "s1", "s2", "s3"];
/** Keys that sorted-set commands use most. */
export const ZSET_KEYS: readonly string[] = ["z0", "z1", "z2", "z3"];
/** Sorted sets whose members ZADD gives one score, so lex range commands are well defined. */
export const ZLEX_KEYS: readonly string[] = ["zl0", "zl1"];
/** Keys that geo commands use most. */
export const GEO_KEYS: readonly string[] = ["g0", "g1", "g2"];
/** Keys that stream commands use most. */
export const STREAM_KEYS: readonly string[] = ["x0", "x1", "x2"];
/** Keys that HyperLogLog commands use most. */
export const HLL_KEYS: readonly string[] = ["p0", "p1", "p2"];

/**
 * The key space: few keys so that commands collide, with binary-safe and odd names. String
 * commands use the `k*` keys most; every type has a few keys of its own, and each command reaches
 * any key now and then, so every command meets every type (WRONGTYPE, SET over a list, ...).
 */
export const KEY_NAMES: readonly string[] = [
  ...Array.from({ length: 13 }, (_, i) => `k${i}`),
  "",
  "k\x00\r\nk",
  "{tag}k",
  latin1("ключ"),
  "*",
  "k?[x]",
  "long:" + "x".repeat(120),
  // STRING_KEY_COUNT names above this line.
  ...LIST_KEYS,
  ...HASH_KEYS,
  ...SET_KEYS,
  ...ZSET_KEYS,
  ...ZLEX_KEYS,
  ...GEO_KEYS,
  ...STREAM_KEYS,
  ...HLL_KEYS,
];

const INTS = [
  "0",
  "1",
  "-1",
  "2",
  "7",
  "42",
  "-42",
  "100",
  "9999",
  "10000",
  "-10000",
  "123456789",
  "2147483647",
  "2147483648",
  "-2147483649",
  "4294967296",
  "9007199254740993",
  "9223372036854775807",
  "9223372036854775806",
  "-9223372036854775808",
  "-9223372036854775807",
];

const NOT_INTS = [
  "",
  "-0",
  "+1",
  "01",
  " 1",
  "1 ",
  "1.0",
  "1e3",
  "0x10",
  "9223372036854775808",
  "-9223372036854775809",
  "18446744073709551616",
  "abc",
  "1\x00",
  latin1("１"),
];

const FLOATS = [
  "0.1",
  "0.2",
  "-0.5",
  "3.14",
  "1.5",
  "2.5e3",
  "1e-5",
  "1E+2",
  "-1.25e-3",
  "10.5",
  "0.0",
  "-0.0",
  ".5",
  "5.",
  "1e308",
  "5e-324",
  "123456789.125",
];

const BAD_FLOATS = ["inf", "-inf", "+inf", "nan", "-nan", "1e309", "abc", "", " 1", "1.5x", "0x1p3", "1,5", "--1"];

const WORDS = ["a", "hello", "foo bar", "Kite", "value", "ohmy", "abcdefghij", "\x00", "\r\n", "a\x00b\r\nc"];

/** Typical short patterns for KEYS/SCAN MATCH. */
const PATTERNS = [
  "*",
  "k*",
  "k1*",
  "k?",
  "k[0-5]",
  "k[^0-5]*",
  "*k",
  "\\*",
  "k\\?*",
  "[a-z]*",
  "k[",
  "{tag}*",
  "*\x00*",
  "",
  "long:*",
  "*[x]",
  "k[1-]",
];

/** Far-future and far-past absolute times, so no expiry ever races the test. */
const FUTURE_S = 4_102_444_800; // 2100-01-01
const PAST_S = 1_000_000_000; // 2001

function latin1(utf8: string): string {
  let s = "";
  for (const b of new TextEncoder().encode(utf8)) s += String.fromCharCode(b);
  return s;
}

/** Helpers the recipes build arguments with. */
export class Gen {
  readonly rng: Rng;

  /** @param rng the random source */
  constructor(rng: Rng) {
    this.rng = rng;
  }

  #streamMs = 0;

  /** The milliseconds of a new explicit stream ID: a counter that rarely goes back. */
  streamMs(): number {
    this.#streamMs += this.int(0, 2);
    return STREAM_MS_BASE + this.#streamMs;
  }

  /** The milliseconds of a recent explicit stream ID (likely one that names an entry). */
  recentStreamMs(): number {
    return STREAM_MS_BASE + Math.max(0, this.#streamMs - this.int(0, 6));
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.rng() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rng() * xs.length)]!;
  }

  /** A key of the shared key space (the first keys are picked more often). */
  key(): string {
    const r = this.rng();
    if (r < 0.7) return KEY_NAMES[this.int(0, 6)]!;
    // Mostly the string keys: a string write over a collection key turns it into a string until
    // something deletes it, so that happens now and then, not all the time.
    if (r < 0.98) return KEY_NAMES[this.int(0, STRING_KEY_COUNT - 1)]!;
    return this.pick(KEY_NAMES);
  }

  /** Any key of the key space, uniformly (deletes and existence checks). */
  anyKey(): string {
    return this.chance(0.5) ? this.key() : this.pick(KEY_NAMES);
  }

  /**
   * A key of `pool` most of the time, otherwise any key of the key space (so the command meets
   * other types and missing keys).
   */
  keyOf(pool: readonly string[]): string {
    const r = this.rng();
    if (r < 0.9) return this.pick(pool);
    if (r < 0.975) return KEY_NAMES[this.int(0, 6)]!;
    return this.pick(KEY_NAMES);
  }

  /** `n` keys from `pool` (with the same occasional stray key as {@link keyOf}). */
  keysOf(pool: readonly string[], n: number): string[] {
    return Array.from({ length: n }, () => this.keyOf(pool));
  }

  /** `n` picks from `xs`, possibly repeated. */
  some<T>(xs: readonly T[], n: number): T[] {
    return Array.from({ length: n }, () => this.pick(xs));
  }

  /** `n` keys, possibly repeated. */
  keys(n: number): string[] {
    return Array.from({ length: n }, () => this.key());
  }

  /** Random bytes (including CR, LF and NUL) of length n. */
  bytes(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(0, 255));
    return s;
  }

  /** A value of any shape: ints, floats, near-int64 numbers, empty, binary, long strings. */
  value(): string {
    const r = this.rng();
    if (r < 0.3) return this.pick(INTS);
    if (r < 0.38) return this.pick(NOT_INTS);
    if (r < 0.5) return this.pick(FLOATS);
    if (r < 0.53) return this.pick(BAD_FLOATS);
    if (r < 0.75) return this.pick(WORDS);
    if (r < 0.8) return this.chance(0.5) ? "x".repeat(44) : "y".repeat(45);
    if (r < 0.9) return this.bytes(this.int(1, 24));
    if (r < 0.97) return this.bytes(this.int(25, 300));
    return this.bytes(this.int(300, 1200));
  }

  /** An integer argument: mostly valid, sometimes not an integer. */
  intArg(): string {
    return this.chance(0.85) ? this.pick(INTS) : this.pick(NOT_INTS);
  }

  /** A small integer argument (ranges, counts). */
  smallInt(lo = -20, hi = 40): string {
    return String(this.int(lo, hi));
  }

  /** A float argument: mostly valid, sometimes inf/nan/garbage. */
  floatArg(): string {
    const r = this.rng();
    if (r < 0.6) return this.pick(FLOATS);
    if (r < 0.8) return this.pick(INTS.slice(0, 12));
    return this.pick(BAD_FLOATS);
  }

  /** A relative expiry in seconds: long, zero/negative (deletes or errors) or invalid. */
  relSeconds(): string {
    const r = this.rng();
    if (r < 0.7) return String(this.int(1000, 1_000_000));
    if (r < 0.8) return this.pick(["0", "-1", "-100"]);
    return this.pick(["9223372036854775807", "9223372036854776", "-9223372036854775808", "abc", "1.5", ""]);
  }

  /** A relative expiry in milliseconds. */
  relMillis(): string {
    const r = this.rng();
    if (r < 0.7) return String(this.int(1_000_000, 1_000_000_000));
    if (r < 0.8) return this.pick(["0", "-1", "-1000"]);
    return this.pick(["9223372036854775807", "-9223372036854775808", "abc", "1.5"]);
  }

  /** An absolute time in seconds: far future, far past or invalid. */
  absSeconds(): string {
    const r = this.rng();
    if (r < 0.6) return String(FUTURE_S + this.int(0, 1_000_000));
    if (r < 0.8) return String(this.int(1, PAST_S));
    if (r < 0.85) return "0";
    return this.pick(["-1", "9223372036854775807", "9223372036854776", "x"]);
  }

  /** An absolute time in milliseconds. */
  absMillis(): string {
    const r = this.rng();
    if (r < 0.6) return String(FUTURE_S * 1000 + this.int(0, 1_000_000_000));
    if (r < 0.8) return String(this.int(1, PAST_S * 1000));
    if (r < 0.85) return "0";
    return this.pick(["-1", "9223372036854775807", "x"]);
  }

  /** A database index: mostly 0-3, sometimes out of range or invalid. */
  db(): string {
    const r = this.rng();
    if (r < 0.85) return String(this.int(0, 3));
    return this.pick(["16", "-1", "1024", "x", "", "9223372036854775807"]);
  }

  /** A bit offset: small, sometimes invalid (never one that would allocate a huge string). */
  bitOffset(max = 2000): string {
    const r = this.rng();
    if (r < 0.9) return String(this.int(0, max));
    return this.pick(["-1", "4294967296", "x", "1.5", ""]);
  }

  /** A glob pattern. */
  pattern(): string {
    return this.chance(0.8) ? this.pick(PATTERNS) : this.key();
  }

  /** Picks one option among `opts` (or none, with weight `none`), returned as a token list. */
  option(opts: readonly (readonly string[])[], none = 1): string[] {
    const i = this.int(0, opts.length - 1 + none);
    return i < opts.length ? [...opts[i]!] : [];
  }

  /** Randomizes the case of a command name (command lookup is case-insensitive). */
  casing(name: string): string {
    if (!this.chance(0.1)) return name;
    let s = "";
    for (const c of name) s += this.chance(0.5) ? c.toUpperCase() : c;
    return s;
  }
}

function expiryOption(g: Gen, withKeepTtl: boolean, withPersist: boolean): string[] {
  const opts: string[][] = [
    ["EX", g.relSeconds()],
    ["PX", g.relMillis()],
    ["EXAT", g.absSeconds()],
    ["PXAT", g.absMillis()],
  ];
  if (withKeepTtl) opts.push(["KEEPTTL"]);
  if (withPersist) opts.push(["PERSIST"]);
  return g.option(opts, 2);
}

function bitfieldType(g: Gen): string {
  const r = g.rng();
  if (r < 0.45) return "i" + g.int(1, 64);
  if (r < 0.9) return "u" + g.int(1, 63);
  return g.pick(["u64", "i65", "i0", "x8", "u", "I8"]);
}

function bitfieldOffset(g: Gen): string {
  const r = g.rng();
  if (r < 0.7) return String(g.int(0, 1024));
  if (r < 0.9) return "#" + g.int(0, 40);
  return g.pick(["-1", "#-1", "x", "4294967296"]);
}

// ---------------------------------------------------------------------------------------------
// Collections. Each type has a few keys of its own (see {@link Gen.keyOf}), pools of members that
// repeat so commands find what earlier ones stored, and arguments that are valid most of the time.

/** List elements: few, so LREM/LPOS/LINSERT find them; numeric, binary and long ones too. */
const ELEMS = ["a", "b", "c", "d", "1", "2", "10", "-3", "hello", "\x00", "a\r\nb", "x".repeat(70)];

/** Hash fields. */
const FIELDS = ["f1", "f2", "f3", "f4", "a", "1", "\x00", "field with spaces", "y".repeat(70)];

/** Set members: integers (intset), short strings and a long one (hashtable). */
const MEMBERS = ["1", "2", "3", "10", "-1", "42", "a", "b", "c", "hello", "9223372036854775807", "z".repeat(70)];

/** Sorted-set members. */
const ZMEMBERS = ["a", "b", "c", "d", "e", "m1", "m2", "1", "\x00", "w".repeat(70)];

/** Scores: integers, fractions whose %.17g form differs from the shortest, infinities. */
const SCORES = [
  "0",
  "1",
  "2",
  "3",
  "-1",
  "-2",
  "1.5",
  "0.5",
  "2.5",
  "10",
  "100",
  "-10",
  "0.1",
  "0.3",
  "3.14159",
  "1e3",
  "-1e-3",
  "1e20",
  "123456789012",
  "2.5e-7",
  "inf",
  "-inf",
  "+inf",
];

const BAD_SCORES = ["nan", "abc", "", "1.5x", "--1", "0x10"];

/** Score range bounds for ZCOUNT, ZRANGEBYSCORE and friends. */
const SCORE_BOUNDS = [
  "-inf",
  "+inf",
  "inf",
  "0",
  "1",
  "(1",
  "2",
  "(2",
  "1.5",
  "(0",
  "-1",
  "10",
  "(10",
  "0.1",
  "(0.5",
  "100",
];
const BAD_SCORE_BOUNDS = ["x", "(x", "((1", "", "[1", "nan"];

/** Lex range bounds. */
const LEX_BOUNDS = ["-", "+", "[a", "(a", "[b", "(c", "[m1", "[", "(", "[\x00", "(e", "[zz"];
const BAD_LEX_BOUNDS = ["a", "", "x", "{a"];

/** Geo members. */
const GEO_MEMBERS = ["Palermo", "Catania", "Rome", "p1", "p2", "p3", "edge", "\x00"];

/** Longitudes and latitudes at and beyond the limits (the limits are valid, beyond them is not). */
const EDGE_LONS = ["180", "-180", "0", "179.9999999", "-179.9999999"];
const EDGE_LATS = ["85.05112878", "-85.05112878", "0", "85.051128", "-85.051128"];
const BAD_LONS = ["180.0001", "-180.0001", "181", "x", "", "nan", "inf"];
const BAD_LATS = ["85.05112879", "-85.05112879", "90", "-91", "x"];

const GEO_UNITS = ["m", "km", "mi", "ft", "M", "KM"];
const BAD_GEO_UNITS = ["yd", "", "meters"];

/** Stream consumer groups and consumers. */
const GROUPS = ["g1", "g2"];
const CONSUMERS = ["c1", "c2", "c3"];
const STREAM_FIELDS = ["f", "g", "name", "\x00", "x"];

/** HyperLogLog elements. */
const HLL_ELEMS = ["a", "b", "c", "foo", "bar", "1", "2", "3", "hello", "\x00", "long".repeat(20)];

/** A list element, mostly from the shared pool. */
function elem(g: Gen): string {
  return g.chance(0.92) ? g.pick(ELEMS) : g.value();
}

function elems(g: Gen, n: number): string[] {
  return Array.from({ length: n }, () => elem(g));
}

/** A count argument for pops: mostly small, sometimes zero, negative or not a number. */
function countArg(g: Gen): string {
  const r = g.rng();
  if (r < 0.8) return String(g.int(1, 5));
  if (r < 0.88) return "0";
  return g.pick(["-1", "x", "1.5", "", "9223372036854775807", "-9223372036854775808"]);
}

/** LEFT or RIGHT in either case, rarely junk. */
function side(g: Gen): string {
  return g.chance(0.96) ? g.pick(["LEFT", "RIGHT", "left", "Right"]) : g.pick(["UP", ""]);
}

/** A blocking timeout: mostly valid, sometimes one the servers reject. */
function timeoutArg(g: Gen): string {
  return g.chance(0.85) ? g.pick(["0", "0.01", "1", "5", "1.5"]) : g.pick(["-1", "x", "", "-0.5", "1e10"]);
}

/** A numkeys argument for `keys`: usually right, sometimes zero, negative, too big or junk. */
function numkeys(g: Gen, keys: readonly string[]): string {
  return g.chance(0.92) ? String(keys.length) : g.pick(["0", "-1", "x", String(keys.length + 1), "2147483648"]);
}

/** A list index: small, sometimes out of range or not an integer. */
function indexArg(g: Gen): string {
  return g.chance(0.9) ? g.smallInt(-6, 6) : g.pick(["100", "-100", "x", "1.5", "9223372036854775807"]);
}

/** A score: valid (never -0 when `multi`, whose handling differs in 7.0), sometimes junk. */
function score(g: Gen, multi: boolean): string {
  const r = g.rng();
  if (r < 0.9) return g.pick(SCORES);
  if (r < 0.95 && !multi) return g.pick(["-0", "-0.0", "0.0"]);
  return g.pick(BAD_SCORES);
}

function scoreBound(g: Gen): string {
  return g.chance(0.93) ? g.pick(SCORE_BOUNDS) : g.pick(BAD_SCORE_BOUNDS);
}

function lexBound(g: Gen): string {
  return g.chance(0.93) ? g.pick(LEX_BOUNDS) : g.pick(BAD_LEX_BOUNDS);
}

/** LIMIT offset count, with negative counts (all) and junk now and then. */
function limitArgs(g: Gen): string[] {
  return ["LIMIT", g.chance(0.9) ? g.smallInt(-1, 4) : "x", g.chance(0.9) ? g.smallInt(-2, 5) : "y"];
}

/** A zset key: mostly the score-keyed ones, sometimes a lex key or a geo key (a zset too). */
function zkey(g: Gen): string {
  const r = g.rng();
  if (r < 0.75) return g.keyOf(ZSET_KEYS);
  if (r < 0.9) return g.keyOf(ZLEX_KEYS);
  return g.keyOf(GEO_KEYS);
}

/** Keys for ZUNION & co: sorted sets, and sets now and then (they count as score 1). */
function zsetOpKeys(g: Gen, n: number): string[] {
  return Array.from({ length: n }, () => (g.chance(0.85) ? zkey(g) : g.keyOf(SET_KEYS)));
}

/**
 * The comparison for a random pick (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER) from a collection of
 * `size` (undefined when the probe failed: a wrong type, which errors on both servers): exact when
 * the result is forced (one member, a count of 0), sorted when the count covers everything, else
 * only the shape (no count) or the length (a count).
 */
function pickCompare(size: number | undefined, count: string | undefined, pairs: boolean): Compare {
  if (size === undefined || size === 0) return "exact";
  if (count === undefined) return size <= 1 ? "exact" : "shape";
  if (!/^-?[0-9]+$/.test(count)) return "exact";
  const n = Number(count);
  if (n === 0) return "exact";
  if (n > 0 && n >= size) return pairs ? "pairs" : "sorted";
  if (n < 0 && size === 1) return "exact";
  return "length";
}

/** A probe that skips a lex-range command unless every member of `key` has the same score. */
function oneScoreProbe(key: string): CommandProbe {
  return {
    argv: ["ZRANGE", key, "0", "-1", "WITHSCORES"],
    decide: (r) => {
      if (r.error) return "exact";
      const scores = r.items.filter((_, i) => i % 2 === 1);
      return scores.every((s) => s === scores[0]) ? "exact" : "skip";
    },
  };
}

/** A probe that skips a blocking command unless one of `keys` exists (then it never blocks). */
function existsProbe(keys: readonly string[]): CommandProbe {
  return { argv: ["EXISTS", ...keys], decide: (r) => (r.int === undefined || r.int > 0 ? "exact" : "skip") };
}

const LIST_RECIPES: Record<string, Recipe> = {
  lpush: { weight: 5, build: (g) => ["lpush", g.keyOf(LIST_KEYS), ...elems(g, g.int(1, 4))] },
  rpush: { weight: 5, build: (g) => ["rpush", g.keyOf(LIST_KEYS), ...elems(g, g.int(1, 4))] },
  lpushx: { weight: 1, build: (g) => ["lpushx", g.keyOf(LIST_KEYS), ...elems(g, g.int(1, 2))] },
  rpushx: { weight: 1, build: (g) => ["rpushx", g.keyOf(LIST_KEYS), ...elems(g, g.int(1, 2))] },
  lpop: {
    weight: 2,
    build: (g) => (g.chance(0.5) ? ["lpop", g.keyOf(LIST_KEYS)] : ["lpop", g.keyOf(LIST_KEYS), countArg(g)]),
  },
  rpop: {
    weight: 2,
    build: (g) => (g.chance(0.5) ? ["rpop", g.keyOf(LIST_KEYS)] : ["rpop", g.keyOf(LIST_KEYS), countArg(g)]),
  },
  llen: { weight: 2, build: (g) => ["llen", g.keyOf(LIST_KEYS)] },
  lindex: { weight: 2, build: (g) => ["lindex", g.keyOf(LIST_KEYS), indexArg(g)] },
  lrange: { weight: 3, build: (g) => ["lrange", g.keyOf(LIST_KEYS), rangeBound(g), rangeBound(g)] },
  lset: { weight: 2, build: (g) => ["lset", g.keyOf(LIST_KEYS), indexArg(g), elem(g)] },
  linsert: {
    weight: 2,
    build: (g) => [
      "linsert",
      g.keyOf(LIST_KEYS),
      g.chance(0.95) ? g.pick(["BEFORE", "AFTER", "before", "After"]) : g.pick(["BEHIND", ""]),
      elem(g),
      elem(g),
    ],
  },
  lrem: {
    weight: 2,
    build: (g) => ["lrem", g.keyOf(LIST_KEYS), g.chance(0.9) ? g.smallInt(-3, 3) : g.pick(["x", "1.5"]), elem(g)],
  },
  ltrim: {
    weight: 1,
    build: (g) => ["ltrim", g.keyOf(LIST_KEYS), g.chance(0.9) ? g.smallInt(-5, 5) : rangeBound(g), rangeBound(g)],
  },
  lpos: {
    weight: 2,
    build: (g) => {
      const argv = ["lpos", g.keyOf(LIST_KEYS), elem(g)];
      const opts: string[][] = [];
      if (g.chance(0.35)) {
        opts.push([
          "RANK",
          g.chance(0.9) ? g.pick(["1", "2", "-1", "-2", "3"]) : g.pick(["0", "x", "-9223372036854775807"]),
        ]);
      }
      if (g.chance(0.35)) opts.push(["COUNT", g.chance(0.9) ? g.pick(["0", "1", "2", "5"]) : g.pick(["-1", "x"])]);
      if (g.chance(0.25)) opts.push(["MAXLEN", g.chance(0.9) ? g.pick(["0", "1", "3", "10"]) : g.pick(["-1", "x"])]);
      if (g.chance(0.03)) opts.push(g.pick([["FOO"], ["RANK"], ["COUNT"]]));
      for (const o of shuffle(g, opts)) argv.push(...o);
      return argv;
    },
  },
  lmove: { weight: 2, build: (g) => ["lmove", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS), side(g), side(g)] },
  rpoplpush: { weight: 1, build: (g) => ["rpoplpush", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS)] },
  lmpop: {
    weight: 2,
    build: (g) => {
      const keys = g.keysOf(LIST_KEYS, g.int(1, 3));
      const argv = ["lmpop", numkeys(g, keys), ...keys, side(g)];
      if (g.chance(0.5)) argv.push("COUNT", countArg(g));
      return argv;
    },
  },
  // Blocking pops are sent only when a key exists, so they answer at once (serve or WRONGTYPE);
  // blocking itself is covered by the two-connection scenarios.
  blpop: {
    weight: 1,
    build: (g) => {
      const keys = g.keysOf(LIST_KEYS, g.int(1, 3));
      return { argv: ["blpop", ...keys, timeoutArg(g)], compare: "exact", probe: existsProbe(keys) };
    },
  },
  brpop: {
    weight: 1,
    build: (g) => {
      const keys = g.keysOf(LIST_KEYS, g.int(1, 3));
      return { argv: ["brpop", ...keys, timeoutArg(g)], compare: "exact", probe: existsProbe(keys) };
    },
  },
  blmove: {
    weight: 1,
    build: (g) => {
      const src = g.keyOf(LIST_KEYS);
      const argv = ["blmove", src, g.keyOf(LIST_KEYS), side(g), side(g), timeoutArg(g)];
      return { argv, compare: "exact", probe: existsProbe([src]) };
    },
  },
  brpoplpush: {
    weight: 1,
    build: (g) => {
      const src = g.keyOf(LIST_KEYS);
      return {
        argv: ["brpoplpush", src, g.keyOf(LIST_KEYS), timeoutArg(g)],
        compare: "exact",
        probe: existsProbe([src]),
      };
    },
  },
  blmpop: {
    weight: 1,
    build: (g) => {
      const keys = g.keysOf(LIST_KEYS, g.int(1, 3));
      const argv = ["blmpop", timeoutArg(g), numkeys(g, keys), ...keys, side(g)];
      if (g.chance(0.5)) argv.push("COUNT", countArg(g));
      return { argv, compare: "exact", probe: existsProbe(keys) };
    },
  },
};

/** A hash value: often a number (HINCRBY/HINCRBYFLOAT work on it), else any value. */
function hashValue(g: Gen): string {
  const r = g.rng();
  if (r < 0.35) return g.smallInt(-100, 100);
  if (r < 0.45) return g.pick(FLOATS);
  return g.value();
}

function field(g: Gen): string {
  return g.chance(0.95) ? g.pick(FIELDS) : g.bytes(g.int(0, 8));
}

const HASH_RECIPES: Record<string, Recipe> = {
  hset: {
    weight: 6,
    build: (g) => {
      const argv = ["hset", g.keyOf(HASH_KEYS)];
      for (let i = g.int(1, 3); i > 0; i--) argv.push(field(g), hashValue(g));
      if (g.chance(0.03)) argv.push(field(g));
      return argv;
    },
  },
  hmset: {
    weight: 1,
    build: (g) => {
      const argv = ["hmset", g.keyOf(HASH_KEYS)];
      for (let i = g.int(1, 3); i > 0; i--) argv.push(field(g), hashValue(g));
      return argv;
    },
  },
  hsetnx: { weight: 1, build: (g) => ["hsetnx", g.keyOf(HASH_KEYS), field(g), hashValue(g)] },
  hget: { weight: 3, build: (g) => ["hget", g.keyOf(HASH_KEYS), field(g)] },
  hmget: {
    weight: 2,
    build: (g) => ["hmget", g.keyOf(HASH_KEYS), ...Array.from({ length: g.int(1, 4) }, () => field(g))],
  },
  hdel: {
    weight: 2,
    build: (g) => ["hdel", g.keyOf(HASH_KEYS), ...Array.from({ length: g.int(1, 3) }, () => field(g))],
  },
  hlen: { weight: 1, build: (g) => ["hlen", g.keyOf(HASH_KEYS)] },
  hstrlen: { weight: 1, build: (g) => ["hstrlen", g.keyOf(HASH_KEYS), field(g)] },
  hexists: { weight: 1, build: (g) => ["hexists", g.keyOf(HASH_KEYS), field(g)] },
  hincrby: { weight: 3, build: (g) => ["hincrby", g.keyOf(HASH_KEYS), field(g), g.intArg()] },
  hincrbyfloat: { weight: 3, build: (g) => ["hincrbyfloat", g.keyOf(HASH_KEYS), field(g), g.floatArg()] },
  hkeys: { weight: 1, build: (g) => ({ argv: ["hkeys", g.keyOf(HASH_KEYS)], compare: "sorted" }) },
  hvals: { weight: 1, build: (g) => ({ argv: ["hvals", g.keyOf(HASH_KEYS)], compare: "sorted" }) },
  hgetall: { weight: 2, build: (g) => ({ argv: ["hgetall", g.keyOf(HASH_KEYS)], compare: "pairs" }) },
  hrandfield: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(HASH_KEYS);
      const argv = ["hrandfield", key];
      let count: string | undefined;
      const withValues = g.chance(0.5);
      if (g.chance(0.75)) {
        count = g.chance(0.9) ? g.smallInt(-8, 12) : g.pick(["x", "-9223372036854775808", "9223372036854775807"]);
        argv.push(count);
        if (withValues) argv.push(g.chance(0.95) ? "WITHVALUES" : "WITHSCORES");
      }
      return {
        argv,
        compare: "exact",
        probe: { argv: ["HLEN", key], decide: (r) => pickCompare(r.int, count, withValues) },
      };
    },
  },
  hscan: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(HASH_KEYS);
      if (g.chance(0.1)) {
        return g.pick<RecipeResult>([
          // A negative cursor: Valkey rejects it, redis 7.0 scans from 2^64-1 (whatever it finds).
          { argv: ["hscan", key, g.pick(["-1", ""])], compare: "shape" },
          ["hscan", key, g.pick(["x", "18446744073709551616", " 1"])],
          ["hscan", key, "0", "COUNT", g.pick(["0", "-1", "x"])],
          ["hscan", key, "0", "MATCH"],
          ["hscan", key, "0", "FOO", "bar"],
        ]);
      }
      // COUNT above any hash's size returns everything in one call with cursor 0.
      const argv = ["hscan", key, "0", "COUNT", "1000"];
      if (g.chance(0.4)) argv.push("MATCH", g.pick(["*", "f*", "f[12]", "?", "*a*", "\x00", "nomatch*"]));
      return { argv, compare: "scanpairs" };
    },
  },
};

function member(g: Gen): string {
  return g.chance(0.95) ? g.pick(MEMBERS) : g.value();
}

function members(g: Gen, n: number): string[] {
  return Array.from({ length: n }, () => member(g));
}

const SET_RECIPES: Record<string, Recipe> = {
  sadd: { weight: 6, build: (g) => ["sadd", g.keyOf(SET_KEYS), ...members(g, g.int(1, 4))] },
  srem: { weight: 2, build: (g) => ["srem", g.keyOf(SET_KEYS), ...members(g, g.int(1, 3))] },
  scard: { weight: 1, build: (g) => ["scard", g.keyOf(SET_KEYS)] },
  sismember: { weight: 2, build: (g) => ["sismember", g.keyOf(SET_KEYS), member(g)] },
  smismember: { weight: 2, build: (g) => ["smismember", g.keyOf(SET_KEYS), ...members(g, g.int(1, 4))] },
  smembers: { weight: 2, build: (g) => ({ argv: ["smembers", g.keyOf(SET_KEYS)], compare: "sorted" }) },
  sinter: { weight: 2, build: (g) => ({ argv: ["sinter", ...g.keysOf(SET_KEYS, g.int(1, 3))], compare: "sorted" }) },
  sunion: { weight: 2, build: (g) => ({ argv: ["sunion", ...g.keysOf(SET_KEYS, g.int(1, 3))], compare: "sorted" }) },
  sdiff: { weight: 2, build: (g) => ({ argv: ["sdiff", ...g.keysOf(SET_KEYS, g.int(1, 3))], compare: "sorted" }) },
  sinterstore: { weight: 1, build: (g) => ["sinterstore", g.keyOf(SET_KEYS), ...g.keysOf(SET_KEYS, g.int(1, 3))] },
  sunionstore: { weight: 1, build: (g) => ["sunionstore", g.keyOf(SET_KEYS), ...g.keysOf(SET_KEYS, g.int(1, 3))] },
  sdiffstore: { weight: 1, build: (g) => ["sdiffstore", g.keyOf(SET_KEYS), ...g.keysOf(SET_KEYS, g.int(1, 3))] },
  sintercard: {
    weight: 2,
    build: (g) => {
      const keys = g.keysOf(SET_KEYS, g.int(1, 3));
      const argv = ["sintercard", numkeys(g, keys), ...keys];
      if (g.chance(0.4)) argv.push("LIMIT", g.chance(0.9) ? g.smallInt(0, 5) : g.pick(["-1", "x"]));
      return argv;
    },
  },
  smove: { weight: 2, build: (g) => ["smove", g.keyOf(SET_KEYS), g.keyOf(SET_KEYS), member(g)] },
  spop: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(SET_KEYS);
      const count = g.chance(0.5) ? (g.chance(0.9) ? g.smallInt(0, 6) : g.pick(["-1", "x"])) : undefined;
      return {
        argv: count === undefined ? ["spop", key] : ["spop", key, count],
        compare: "exact",
        probe: { argv: ["SCARD", key], decide: (r) => pickCompare(r.int, count, false) },
        // Different members were popped: the reference puts its own back and drops Kite's.
        repair: (ref, kite) => [
          ...(ref.length > 0 ? [{ on: "ref" as const, argv: ["SADD", key, ...ref] }] : []),
          ...(kite.length > 0 ? [{ on: "ref" as const, argv: ["SREM", key, ...kite] }] : []),
        ],
      };
    },
  },
  srandmember: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(SET_KEYS);
      const count = g.chance(0.7)
        ? (g.chance(0.9) ? g.smallInt(-8, 12) : g.pick(["x", "-9223372036854775808"]))
        : undefined;
      return {
        argv: count === undefined ? ["srandmember", key] : ["srandmember", key, count],
        compare: "exact",
        probe: { argv: ["SCARD", key], decide: (r) => pickCompare(r.int, count, false) },
      };
    },
  },
  sscan: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(SET_KEYS);
      if (g.chance(0.1)) {
        const cursor = g.pick(["x", "-1"]);
        return {
          argv: ["sscan", key, cursor, ...g.option([["COUNT", "0"], ["MATCH"]])],
          compare: cursor === "x" ? "exact" : "shape",
        };
      }
      const argv = ["sscan", key, "0", "COUNT", "1000"];
      if (g.chance(0.4)) argv.push("MATCH", g.pick(["*", "1*", "[a-c]", "?", "*e*", "nomatch*"]));
      return { argv, compare: "scan" };
    },
  },
};

function zmember(g: Gen): string {
  return g.chance(0.95) ? g.pick(ZMEMBERS) : g.value();
}

/** ZRANGE in any of its forms, and the matching probe for lex ranges. */
function zrangeArgs(g: Gen, cmd: "zrange" | "zrangestore"): { argv: string[]; lex: boolean; key: string } {
  const dst = cmd === "zrangestore" ? [zkey(g)] : [];
  const key = zkey(g);
  const form = g.int(0, 2); // 0: by rank, 1: BYSCORE, 2: BYLEX
  const rev = g.chance(0.35);
  const argv: string[] = [cmd, ...dst, key];
  if (form === 0) argv.push(rangeBound(g), rangeBound(g));
  else if (form === 1) argv.push(scoreBound(g), scoreBound(g), "BYSCORE");
  else argv.push(lexBound(g), lexBound(g), "BYLEX");
  const opts: string[][] = [];
  if (rev) opts.push(["REV"]);
  if ((form !== 0 && g.chance(0.4)) || g.chance(0.04)) opts.push(limitArgs(g));
  if (cmd === "zrange" && ((form !== 2 && g.chance(0.5)) || g.chance(0.04))) opts.push(["WITHSCORES"]);
  if (g.chance(0.03)) opts.push(g.pick([["BYSCORE"], ["FOO"], ["BYLEX"]]));
  for (const o of shuffle(g, opts)) argv.push(...o);
  return { argv, lex: form === 2 || argv.some((a) => a === "BYLEX"), key };
}

/** ZUNION/ZINTER/ZDIFF (and the STORE forms when `dst`). */
function zsetOpArgs(g: Gen, cmd: string, dst: boolean, weights: boolean): string[] {
  const keys = zsetOpKeys(g, g.int(1, 3));
  const argv = [cmd, ...(dst ? [zkey(g)] : []), numkeys(g, keys), ...keys];
  const opts: string[][] = [];
  if ((weights && g.chance(0.4)) || g.chance(0.03)) {
    opts.push([
      "WEIGHTS",
      ...keys.map(() => (g.chance(0.93) ? g.pick(["1", "2", "0", "-1", "0.5", "3", "1.5", "inf"]) : g.pick(["x", ""]))),
    ]);
  }
  if ((weights && g.chance(0.4)) || g.chance(0.03)) {
    opts.push(["AGGREGATE", g.chance(0.95) ? g.pick(["SUM", "MIN", "MAX", "sum", "max"]) : "AVG"]);
  }
  if (!dst && g.chance(0.5)) opts.push(["WITHSCORES"]);
  if (g.chance(0.02)) opts.push(["FOO"]);
  for (const o of shuffle(g, opts)) argv.push(...o);
  return argv;
}

const ZSET_RECIPES: Record<string, Recipe> = {
  zadd: {
    weight: 8,
    build: (g) => {
      const key = zkey(g);
      const lex = ZLEX_KEYS.includes(key);
      const argv = ["zadd", key];
      const flags: string[] = [];
      for (const f of ["NX", "XX", "GT", "LT", "CH", "INCR"]) {
        if (g.chance(0.12)) flags.push(g.chance(0.9) ? f : f.toLowerCase());
      }
      if (g.chance(0.02)) flags.push("FOO");
      argv.push(...shuffle(g, flags));
      const incr = flags.some((f) => f.toUpperCase() === "INCR");
      const n = incr ? (g.chance(0.92) ? 1 : 2) : g.int(1, 4);
      for (let i = 0; i < n; i++) {
        // Lex keys keep one score, so lex ranges on them are well defined.
        argv.push(lex ? (g.chance(0.97) ? "0" : "1") : score(g, n > 1), zmember(g));
      }
      if (g.chance(0.02)) argv.push(score(g, true));
      return argv;
    },
  },
  zincrby: { weight: 3, build: (g) => ["zincrby", zkey(g), score(g, false), zmember(g)] },
  zrem: { weight: 2, build: (g) => ["zrem", zkey(g), ...Array.from({ length: g.int(1, 3) }, () => zmember(g))] },
  zcard: { weight: 1, build: (g) => ["zcard", zkey(g)] },
  zscore: { weight: 3, build: (g) => ["zscore", zkey(g), zmember(g)] },
  zmscore: { weight: 2, build: (g) => ["zmscore", zkey(g), ...Array.from({ length: g.int(1, 4) }, () => zmember(g))] },
  zcount: { weight: 2, build: (g) => ["zcount", zkey(g), scoreBound(g), scoreBound(g)] },
  zlexcount: {
    weight: 1,
    build: (g) => {
      const key = zkey(g);
      return { argv: ["zlexcount", key, lexBound(g), lexBound(g)], compare: "exact", probe: oneScoreProbe(key) };
    },
  },
  zrank: { weight: 2, build: (g) => ["zrank", zkey(g), zmember(g)] },
  zrevrank: { weight: 2, build: (g) => ["zrevrank", zkey(g), zmember(g)] },
  zrange: {
    weight: 6,
    build: (g) => {
      const { argv, lex, key } = zrangeArgs(g, "zrange");
      return lex ? { argv, compare: "exact", probe: oneScoreProbe(key) } : argv;
    },
  },
  zrangestore: {
    weight: 2,
    build: (g) => {
      const { argv, lex, key } = zrangeArgs(g, "zrangestore");
      return lex ? { argv, compare: "exact", probe: oneScoreProbe(key) } : argv;
    },
  },
  zrevrange: {
    weight: 2,
    build: (
      g,
    ) => [
      "zrevrange",
      zkey(g),
      rangeBound(g),
      rangeBound(g),
      ...g.option([["WITHSCORES"], ["withscores"], ["FOO"]], 3),
    ],
  },
  zrangebyscore: {
    weight: 2,
    build: (g) => {
      const argv = ["zrangebyscore", zkey(g), scoreBound(g), scoreBound(g)];
      if (g.chance(0.4)) argv.push("WITHSCORES");
      if (g.chance(0.3)) argv.push(...limitArgs(g));
      return argv;
    },
  },
  zrevrangebyscore: {
    weight: 2,
    build: (g) => {
      const argv = ["zrevrangebyscore", zkey(g), scoreBound(g), scoreBound(g)];
      if (g.chance(0.3)) argv.push(...limitArgs(g));
      if (g.chance(0.4)) argv.push("WITHSCORES");
      return argv;
    },
  },
  zrangebylex: {
    weight: 1,
    build: (g) => {
      const key = zkey(g);
      const argv = ["zrangebylex", key, lexBound(g), lexBound(g)];
      if (g.chance(0.3)) argv.push(...limitArgs(g));
      return { argv, compare: "exact", probe: oneScoreProbe(key) };
    },
  },
  zrevrangebylex: {
    weight: 1,
    build: (g) => {
      const key = zkey(g);
      const argv = ["zrevrangebylex", key, lexBound(g), lexBound(g)];
      if (g.chance(0.3)) argv.push(...limitArgs(g));
      return { argv, compare: "exact", probe: oneScoreProbe(key) };
    },
  },
  zremrangebyrank: { weight: 1, build: (g) => ["zremrangebyrank", zkey(g), g.smallInt(-5, 5), rangeBound(g)] },
  zremrangebyscore: { weight: 1, build: (g) => ["zremrangebyscore", zkey(g), scoreBound(g), scoreBound(g)] },
  zremrangebylex: {
    weight: 1,
    build: (g) => {
      const key = zkey(g);
      return { argv: ["zremrangebylex", key, lexBound(g), lexBound(g)], compare: "exact", probe: oneScoreProbe(key) };
    },
  },
  zunion: { weight: 2, build: (g) => zsetOpArgs(g, "zunion", false, true) },
  zinter: { weight: 2, build: (g) => zsetOpArgs(g, "zinter", false, true) },
  zdiff: { weight: 2, build: (g) => zsetOpArgs(g, "zdiff", false, false) },
  zunionstore: { weight: 1, build: (g) => zsetOpArgs(g, "zunionstore", true, true) },
  zinterstore: { weight: 1, build: (g) => zsetOpArgs(g, "zinterstore", true, true) },
  zdiffstore: { weight: 1, build: (g) => zsetOpArgs(g, "zdiffstore", true, false) },
  zintercard: {
    weight: 1,
    build: (g) => {
      const keys = zsetOpKeys(g, g.int(1, 3));
      const argv = ["zintercard", numkeys(g, keys), ...keys];
      if (g.chance(0.4)) argv.push("LIMIT", g.chance(0.9) ? g.smallInt(0, 5) : g.pick(["-1", "x"]));
      return argv;
    },
  },
  zpopmin: { weight: 2, build: (g) => (g.chance(0.5) ? ["zpopmin", zkey(g)] : ["zpopmin", zkey(g), countArg(g)]) },
  zpopmax: { weight: 2, build: (g) => (g.chance(0.5) ? ["zpopmax", zkey(g)] : ["zpopmax", zkey(g), countArg(g)]) },
  zmpop: {
    weight: 2,
    build: (g) => {
      const keys = Array.from({ length: g.int(1, 3) }, () => zkey(g));
      const argv = ["zmpop", numkeys(g, keys), ...keys, g.chance(0.95) ? g.pick(["MIN", "MAX", "min"]) : "MID"];
      if (g.chance(0.5)) argv.push("COUNT", countArg(g));
      return argv;
    },
  },
  bzpopmin: {
    weight: 1,
    build: (g) => {
      const keys = Array.from({ length: g.int(1, 2) }, () => zkey(g));
      return { argv: ["bzpopmin", ...keys, timeoutArg(g)], compare: "exact", probe: existsProbe(keys) };
    },
  },
  bzpopmax: {
    weight: 1,
    build: (g) => {
      const keys = Array.from({ length: g.int(1, 2) }, () => zkey(g));
      return { argv: ["bzpopmax", ...keys, timeoutArg(g)], compare: "exact", probe: existsProbe(keys) };
    },
  },
  bzmpop: {
    weight: 1,
    build: (g) => {
      const keys = Array.from({ length: g.int(1, 2) }, () => zkey(g));
      const argv = ["bzmpop", timeoutArg(g), numkeys(g, keys), ...keys, g.pick(["MIN", "MAX"])];
      if (g.chance(0.5)) argv.push("COUNT", countArg(g));
      return { argv, compare: "exact", probe: existsProbe(keys) };
    },
  },
  zrandmember: {
    weight: 2,
    build: (g) => {
      const key = zkey(g);
      const argv = ["zrandmember", key];
      let count: string | undefined;
      const withScores = g.chance(0.5);
      if (g.chance(0.75)) {
        count = g.chance(0.9) ? g.smallInt(-8, 12) : g.pick(["x", "-9223372036854775808"]);
        argv.push(count);
        if (withScores) argv.push(g.chance(0.95) ? "WITHSCORES" : "WITHVALUES");
      }
      return {
        argv,
        compare: "exact",
        probe: { argv: ["ZCARD", key], decide: (r) => pickCompare(r.int, count, withScores) },
      };
    },
  },
  zscan: {
    weight: 2,
    build: (g) => {
      const key = zkey(g);
      if (g.chance(0.1)) {
        const cursor = g.pick(["x", "-1"]);
        return {
          argv: ["zscan", key, cursor, ...g.option([["COUNT", "0"], ["MATCH"]])],
          compare: cursor === "x" ? "exact" : "shape",
        };
      }
      const argv = ["zscan", key, "0", "COUNT", "1000"];
      if (g.chance(0.4)) argv.push("MATCH", g.pick(["*", "m*", "[a-c]", "?", "nomatch*"]));
      return { argv, compare: "scanpairs" };
    },
  },
};

/** A longitude: random in range, an edge value, or (rarely) invalid. */
function lon(g: Gen): string {
  const r = g.rng();
  if (r < 0.82) return (g.int(-1_800_000, 1_800_000) / 10_000).toString();
  if (r < 0.95) return g.pick(EDGE_LONS);
  return g.pick(BAD_LONS);
}

function lat(g: Gen): string {
  const r = g.rng();
  if (r < 0.82) return (g.int(-850_511, 850_511) / 10_000).toString();
  if (r < 0.95) return g.pick(EDGE_LATS);
  return g.pick(BAD_LATS);
}

function geoMember(g: Gen): string {
  return g.chance(0.95) ? g.pick(GEO_MEMBERS) : g.pick(ZMEMBERS);
}

function geoUnit(g: Gen): string {
  return g.chance(0.95) ? g.pick(GEO_UNITS) : g.pick(BAD_GEO_UNITS);
}

/** A radius or box side: small to whole-earth, sometimes zero, negative or junk. */
function geoDistance(g: Gen): string {
  const r = g.rng();
  if (r < 0.85) return g.pick(["1", "10", "100", "500", "1000", "5000", "20000", "40000000", "0.5", "250.75"]);
  if (r < 0.92) return "0";
  return g.pick(["-1", "x", "", "inf"]);
}

/**
 * Result options shared by GEOSEARCH and GEORADIUS. Unsorted results come in an unspecified
 * order, so they are compared sorted; ANY returns whichever matches the scan finds first, so only
 * the count is compared (and never stored).
 */
function geoResultOptions(g: Gen, store: boolean): { opts: string[][]; compare: Compare } {
  const opts: string[][] = [];
  const sort = g.chance(0.6) ? g.pick(["ASC", "DESC", "asc"]) : undefined;
  if (sort !== undefined) opts.push([sort]);
  let any = false;
  if (g.chance(0.4)) {
    const count = g.chance(0.92) ? g.pick(["1", "2", "3", "10"]) : g.pick(["0", "-1", "x"]);
    any = !store && g.chance(0.25);
    opts.push(any ? ["COUNT", count, "ANY"] : ["COUNT", count]);
  } else if (g.chance(0.02)) {
    opts.push(["ANY"]);
  }
  if (!store) {
    if (g.chance(0.3)) opts.push(["WITHCOORD"]);
    if (g.chance(0.3)) opts.push(["WITHDIST"]);
    if (g.chance(0.2)) opts.push(["WITHHASH"]);
  }
  const counted = opts.some((o) => o[0] === "COUNT");
  return { opts, compare: any ? "length" : sort === undefined && !counted ? "sorted" : "exact" };
}

function geosearchArgs(g: Gen, store: boolean): RecipeResult {
  const dst = g.keyOf(GEO_KEYS);
  const argv = store ? ["geosearchstore", dst, g.keyOf(GEO_KEYS)] : ["geosearch", g.keyOf(GEO_KEYS)];
  const parts: string[][] = [];
  const from = g.int(0, 20);
  if (from < 10) parts.push(["FROMMEMBER", geoMember(g)]);
  else if (from < 19) parts.push(["FROMLONLAT", lon(g), lat(g)]);
  else parts.push(["FROMMEMBER", geoMember(g)], ["FROMLONLAT", lon(g), lat(g)]);
  const by = g.int(0, 20);
  if (by < 10) parts.push(["BYRADIUS", geoDistance(g), geoUnit(g)]);
  else if (by < 19) parts.push(["BYBOX", geoDistance(g), geoDistance(g), geoUnit(g)]);
  else if (by === 19) parts.push(["BYRADIUS", "10", "km"], ["BYBOX", "1", "1", "km"]);
  const { opts, compare } = geoResultOptions(g, store);
  parts.push(...opts);
  const storeDist = store && g.chance(0.3);
  if (storeDist) parts.push(["STOREDIST"]);
  for (const p of shuffle(g, parts)) argv.push(...p);
  return storeDist ? { argv, compare, storedDistances: dst } : { argv, compare };
}

function georadiusArgs(g: Gen, name: string, byMember: boolean, ro: boolean): RecipeResult {
  const argv = [name, g.keyOf(GEO_KEYS)];
  if (byMember) argv.push(geoMember(g));
  else argv.push(lon(g), lat(g));
  argv.push(geoDistance(g), geoUnit(g));
  const store = !ro && g.chance(0.3);
  const { opts, compare } = geoResultOptions(g, store);
  const dst = g.keyOf(GEO_KEYS);
  const storeOpt = g.pick(["STORE", "STOREDIST"]);
  if (store) opts.push([storeOpt, dst]);
  if (ro && g.chance(0.03)) opts.push(["STORE", g.keyOf(GEO_KEYS)]);
  for (const o of shuffle(g, opts)) argv.push(...o);
  return store && storeOpt === "STOREDIST" ? { argv, compare, storedDistances: dst } : { argv, compare };
}

const GEO_RECIPES: Record<string, Recipe> = {
  geoadd: {
    weight: 5,
    build: (g) => {
      const argv = ["geoadd", g.keyOf(GEO_KEYS)];
      const opts: string[][] = [];
      if (g.chance(0.2)) opts.push([g.pick(["NX", "XX"])]);
      if (g.chance(0.2)) opts.push(["CH"]);
      if (g.chance(0.02)) opts.push(["NX", "XX"]);
      for (const o of shuffle(g, opts)) argv.push(...o);
      for (let i = g.int(1, 3); i > 0; i--) argv.push(lon(g), lat(g), geoMember(g));
      if (g.chance(0.02)) argv.push(lon(g));
      return argv;
    },
  },
  geopos: {
    weight: 2,
    build: (g) => ["geopos", g.keyOf(GEO_KEYS), ...Array.from({ length: g.int(0, 3) }, () => geoMember(g))],
  },
  geodist: {
    weight: 2,
    build: (g) => {
      const argv = ["geodist", g.keyOf(GEO_KEYS), geoMember(g), geoMember(g)];
      if (g.chance(0.6)) argv.push(geoUnit(g));
      return argv;
    },
  },
  geohash: {
    weight: 2,
    build: (g) => ["geohash", g.keyOf(GEO_KEYS), ...Array.from({ length: g.int(0, 3) }, () => geoMember(g))],
  },
  geosearch: { weight: 3, build: (g) => geosearchArgs(g, false) },
  geosearchstore: { weight: 1, build: (g) => geosearchArgs(g, true) },
  georadius: { weight: 1, build: (g) => georadiusArgs(g, "georadius", false, false) },
  georadius_ro: { weight: 1, build: (g) => georadiusArgs(g, "georadius_ro", false, true) },
  georadiusbymember: { weight: 1, build: (g) => georadiusArgs(g, "georadiusbymember", true, false) },
  georadiusbymember_ro: { weight: 1, build: (g) => georadiusArgs(g, "georadiusbymember_ro", true, true) },
};

/**
 * Stream IDs. Explicit IDs take their milliseconds from a counter far in the future (year 2128),
 * so `*` on a stream that holds one yields the same next ID on both servers (last ms, seq + 1);
 * `*` on a stream without one uses the clock and is compared by shape (see `xadd`).
 */
const STREAM_MS_BASE = 5_000_000_000_000;

function streamId(g: Gen): string {
  const r = g.rng();
  if (r < 0.72) return `${g.streamMs()}-${g.int(0, 2)}`;
  if (r < 0.82) return `${g.streamMs()}-*`;
  if (r < 0.9) return `${g.int(0, 5)}-${g.int(0, 3)}`;
  return g.pick(["0-0", "0", "x", "1-", "-1", "18446744073709551615-18446744073709551615", "1-x", "*-1"]);
}

/** A stream ID (`ms-seq` or `ms`) as one comparable number; -1 when it is not an ID. */
function streamIdOrder(id: string): bigint {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(id);
  return m === null ? -1n : (BigInt(m[1]!) << 64n) + BigInt(m[2] ?? "0");
}

/** An ID that probably names an entry (recent counter values), or a special or invalid one. */
function existingId(g: Gen): string {
  const r = g.rng();
  if (r < 0.75) return `${g.recentStreamMs()}-${g.int(0, 2)}`;
  if (r < 0.85) return String(g.recentStreamMs());
  return g.pick(["0-0", "0", "x", "1-1", "18446744073709551615-18446744073709551615"]);
}

/** A range bound for XRANGE: -, +, an ID, an exclusive ID, or junk. */
function streamBound(g: Gen): string {
  const r = g.rng();
  if (r < 0.3) return g.pick(["-", "+"]);
  if (r < 0.8) return existingId(g);
  if (r < 0.92) return "(" + `${g.recentStreamMs()}-${g.int(0, 2)}`;
  return g.pick(["(-", "(+", "x", "", "(18446744073709551615-18446744073709551615"]);
}

function streamFields(g: Gen): string[] {
  const out: string[] = [];
  for (let i = g.int(1, 2); i > 0; i--) out.push(g.pick(STREAM_FIELDS), g.chance(0.8) ? g.pick(WORDS) : g.value());
  return out;
}

/** MAXLEN/MINID trimming for XADD and XTRIM. */
function trimArgs(g: Gen): string[] {
  const out: string[] = [];
  const strategy = g.chance(0.95) ? g.pick(["MAXLEN", "MINID", "maxlen"]) : "LEN";
  out.push(strategy);
  const approx = g.chance(0.4);
  if (approx) out.push("~");
  else if (g.chance(0.3)) out.push("=");
  const threshold = strategy.toUpperCase() === "MINID"
    ? existingId(g)
    : (g.chance(0.9) ? g.smallInt(0, 12) : g.pick(["-1", "x"]));
  out.push(threshold);
  if (g.chance(0.15)) out.push("LIMIT", g.chance(0.9) ? g.smallInt(0, 200) : g.pick(["-1", "x"]));
  return out;
}

function group(g: Gen): string {
  const r = g.rng();
  return r < 0.7 ? GROUPS[0]! : r < 0.96 ? GROUPS[1]! : "nogroup";
}

function consumer(g: Gen): string {
  return g.pick(CONSUMERS);
}

const STREAM_RECIPES: Record<string, Recipe> = {
  xadd: {
    weight: 8,
    build: (g) => {
      const key = g.keyOf(STREAM_KEYS);
      const argv = ["xadd", key];
      const nomk = g.chance(0.08);
      if (nomk) argv.push("NOMKSTREAM");
      if (g.chance(0.15)) argv.push(...trimArgs(g));
      const auto = g.chance(0.1);
      argv.push(auto ? "*" : streamId(g), ...streamFields(g));
      if (g.chance(0.02)) argv.push("dangling");
      if (!auto) return argv;
      return {
        argv,
        compare: "exact",
        // `*` is deterministic only after an ID from the future counter; otherwise the clock
        // picks it, so only the shape is compared and the stream is dropped on both servers.
        probe: {
          argv: ["XINFO", "STREAM", key],
          decide: (r) => {
            if (r.error) return r.items[0]?.startsWith("ERR no such key") && !nomk ? "shape" : "exact";
            const i = r.items.indexOf("last-generated-id");
            const ms = Number((r.items[i + 1] ?? "0").split("-")[0]);
            return ms >= STREAM_MS_BASE ? "exact" : "shape";
          },
        },
        repair: () => [{ on: "both", argv: ["DEL", key] }],
      };
    },
  },
  xlen: { weight: 2, build: (g) => ["xlen", g.keyOf(STREAM_KEYS)] },
  xrange: {
    weight: 3,
    build: (g) => {
      const argv = ["xrange", g.keyOf(STREAM_KEYS), streamBound(g), streamBound(g)];
      if (g.chance(0.4)) argv.push("COUNT", g.chance(0.9) ? g.smallInt(0, 5) : g.pick(["-1", "x"]));
      return argv;
    },
  },
  xrevrange: {
    weight: 2,
    build: (g) => {
      const argv = ["xrevrange", g.keyOf(STREAM_KEYS), streamBound(g), streamBound(g)];
      if (g.chance(0.4)) argv.push("COUNT", g.chance(0.9) ? g.smallInt(0, 5) : g.pick(["-1", "x"]));
      return argv;
    },
  },
  xdel: {
    weight: 2,
    build: (g) => ["xdel", g.keyOf(STREAM_KEYS), ...Array.from({ length: g.int(1, 3) }, () => existingId(g))],
  },
  xtrim: { weight: 1, build: (g) => ["xtrim", g.keyOf(STREAM_KEYS), ...trimArgs(g)] },
  xread: {
    weight: 2,
    build: (g) => {
      const keys = g.keysOf(STREAM_KEYS, g.int(1, 2));
      const argv = ["xread"];
      if (g.chance(0.4)) argv.push("COUNT", g.chance(0.9) ? g.smallInt(0, 4) : "x");
      // BLOCK only on one key from ID 0 when it has entries: then it answers at once.
      const block = keys.length === 1 && g.chance(0.2);
      if (block) argv.push("BLOCK", g.pick(["0", "100"]));
      argv.push("STREAMS", ...keys);
      for (const _ of keys) argv.push(block ? "0" : g.chance(0.85) ? existingId(g) : "$");
      if (g.chance(0.03)) argv.pop();
      if (!block) return argv;
      return {
        argv,
        compare: "exact",
        probe: { argv: ["XLEN", keys[0]!], decide: (r) => (r.int === 0 ? "skip" : "exact") },
      };
    },
  },
  xgroup: {
    weight: 7,
    build: (g) => {
      const key = g.keyOf(STREAM_KEYS);
      const r = g.rng();
      if (r < 0.45) {
        // Mostly from the start (or `$`), so the groups have entries to read, claim and ack.
        const start = g.chance(0.5) ? "0" : g.chance(0.4) ? "$" : existingId(g);
        const argv = ["xgroup", "CREATE", key, group(g), start];
        if (g.chance(0.6)) argv.push("MKSTREAM");
        if (g.chance(0.2)) argv.push("ENTRIESREAD", g.chance(0.9) ? g.smallInt(-1, 10) : "x");
        return argv;
      }
      if (r < 0.58) {
        const argv = ["xgroup", "SETID", key, group(g), g.chance(0.3) ? "$" : existingId(g)];
        if (g.chance(0.2)) argv.push("ENTRIESREAD", g.chance(0.9) ? g.smallInt(-1, 10) : "x");
        return argv;
      }
      if (r < 0.63) return ["xgroup", "DESTROY", key, group(g)];
      if (r < 0.8) return ["xgroup", "CREATECONSUMER", key, group(g), consumer(g)];
      if (r < 0.9) return ["xgroup", "DELCONSUMER", key, group(g), consumer(g)];
      return g.pick([["xgroup", "FOO"], ["xgroup", "CREATE", key], ["xgroup", "create", key, "g1"]]);
    },
  },
  xreadgroup: {
    weight: 4,
    build: (g) => {
      const keys = g.keysOf(STREAM_KEYS, g.chance(0.9) ? 1 : 2);
      const argv = ["xreadgroup", "GROUP", group(g), consumer(g)];
      if (g.chance(0.5)) argv.push("COUNT", g.chance(0.9) ? g.smallInt(0, 4) : "x");
      if (g.chance(0.15)) argv.push("NOACK");
      // History reads (an explicit ID) never block, so BLOCK may come with them.
      const ids = keys.map(() => (g.chance(0.7) ? ">" : g.chance(0.5) ? "0" : existingId(g)));
      if (!ids.includes(">") && g.chance(0.3)) argv.push("BLOCK", "100");
      argv.push("STREAMS", ...keys, ...ids);
      return argv;
    },
  },
  xack: {
    weight: 2,
    build: (g) => ["xack", g.keyOf(STREAM_KEYS), group(g), ...Array.from({ length: g.int(1, 3) }, () => existingId(g))],
  },
  xpending: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(STREAM_KEYS);
      if (g.chance(0.6)) return ["xpending", key, group(g)];
      // The extended form carries each entry's idle time, which is not compared.
      const argv = ["xpending", key, group(g), streamBound(g), streamBound(g), g.chance(0.9) ? g.smallInt(0, 10) : "x"];
      if (g.chance(0.3)) argv.push(consumer(g));
      return { argv, compare: "pending" };
    },
  },
  xclaim: {
    weight: 2,
    build: (g) => {
      const argv = ["xclaim", g.keyOf(STREAM_KEYS), group(g), consumer(g), g.chance(0.95) ? "0" : "x"];
      for (let i = g.int(1, 3); i > 0; i--) argv.push(existingId(g));
      const opts: string[][] = [];
      if (g.chance(0.3)) opts.push(["JUSTID"]);
      if (g.chance(0.1)) opts.push(["FORCE"]);
      if (g.chance(0.1)) opts.push(["RETRYCOUNT", g.chance(0.9) ? g.smallInt(0, 5) : "x"]);
      if (g.chance(0.1)) opts.push(["IDLE", g.chance(0.9) ? "0" : "x"]);
      if (g.chance(0.1)) opts.push(["LASTID", existingId(g)]);
      for (const o of shuffle(g, opts)) argv.push(...o);
      return argv;
    },
  },
  xautoclaim: {
    weight: 2,
    build: (g) => {
      const argv = ["xautoclaim", g.keyOf(STREAM_KEYS), group(g), consumer(g), g.chance(0.95) ? "0" : "x"];
      argv.push(g.chance(0.7) ? g.pick(["0", "0-0", "-"]) : existingId(g));
      if (g.chance(0.4)) argv.push("COUNT", g.chance(0.9) ? g.smallInt(1, 5) : g.pick(["0", "-1", "x"]));
      if (g.chance(0.3)) argv.push("JUSTID");
      return argv;
    },
  },
  xinfo: {
    weight: 2,
    build: (g) => {
      const key = g.keyOf(STREAM_KEYS);
      const r = g.rng();
      if (r < 0.45) return ["xinfo", "STREAM", key];
      if (r < 0.75) return ["xinfo", "GROUPS", key];
      if (r < 0.97) {
        return { argv: ["xinfo", "CONSUMERS", key, group(g)], compare: "fields", ignore: ["idle"] };
      }
      return ["xinfo", g.pick(["FOO", "STREAM"])];
    },
  },
  xsetid: {
    weight: 1,
    build: (g) => {
      const key = g.keyOf(STREAM_KEYS);
      const id = g.chance(0.8) ? existingId(g) : streamId(g);
      const argv = ["xsetid", key, id];
      if (g.chance(0.25)) argv.push("ENTRIESADDED", g.chance(0.9) ? g.smallInt(0, 30) : g.pick(["-1", "x"]));
      if (g.chance(0.25)) argv.push("MAXDELETEDID", existingId(g));
      return {
        argv,
        compare: "exact",
        // Since 7.2 XSETID refuses an ID below the stream's max-deleted-entry-id; redis 7.0 has no
        // such check and takes it unless it is below the top entry, so that case is left out (below
        // the top entry both refuse it, see the known difference xsetid-checks-deleted-id-first).
        probe: {
          argv: ["XINFO", "STREAM", key],
          decide: (r) => {
            if (r.error) return "exact";
            const at = (name: string) => r.items[r.items.indexOf(name) + 1] ?? "";
            if (streamIdOrder(id) >= streamIdOrder(at("max-deleted-entry-id"))) return "exact";
            const top = r.items.indexOf("last-entry") >= 0 ? at("last-entry") : "";
            return at("length") === "0" || streamIdOrder(id) >= streamIdOrder(top) ? "skip" : "exact";
          },
        },
      };
    },
  },
};

const HLL_RECIPES: Record<string, Recipe> = {
  pfadd: {
    weight: 4,
    build: (g) => {
      const argv = ["pfadd", g.keyOf(HLL_KEYS)];
      const r = g.rng();
      if (r < 0.6) argv.push(...g.some(HLL_ELEMS, g.int(1, 4)));
      else if (r < 0.9) { for (let i = g.int(10, 60); i > 0; i--) argv.push(`e${g.int(0, 5000)}`); }
      // Enough distinct elements to outgrow the sparse encoding (hll-sparse-max-bytes 3000).
      else if (r < 0.96) { for (let i = 600; i > 0; i--) argv.push(`d${g.int(0, 1_000_000)}`); }
      return argv;
    },
  },
  pfcount: { weight: 3, build: (g) => ["pfcount", ...g.keysOf(HLL_KEYS, g.int(1, 3))] },
  pfmerge: { weight: 2, build: (g) => ["pfmerge", g.keyOf(HLL_KEYS), ...g.keysOf(HLL_KEYS, g.int(0, 3))] },
};

/** SORT and SORT_RO on lists, sets and sorted sets, with BY and GET patterns into the key space. */
function sortArgs(g: Gen, ro: boolean): RecipeResult {
  const key = g.keyOf(g.pick([LIST_KEYS, SET_KEYS, ZSET_KEYS]));
  const argv = [ro ? "sort_ro" : "sort", key];
  const opts: string[][] = [];
  // Elements like "1" name k1 (a string) and h1 (a hash) through these patterns.
  const by = g.chance(0.35) ? g.pick(["k*", "h*->f1", "h*->a", "nosort", "nosuch*", "k*->f1", "*", "l*"]) : undefined;
  if (by !== undefined) opts.push(["BY", by]);
  if (g.chance(0.3)) opts.push(limitArgs(g));
  for (let i = g.chance(0.3) ? g.int(1, 2) : 0; i > 0; i--) {
    opts.push(["GET", g.pick(["#", "k*", "h*->f1", "h*->f2", "*", "#->x"])]);
  }
  if (g.chance(0.4)) opts.push([g.pick(["ASC", "DESC"])]);
  const alpha = g.chance(0.5);
  if (alpha) opts.push(["ALPHA"]);
  // ALPHA by weights leaves ties (missing or equal weights) in whatever order the sort algorithm
  // and the input happen to give (SORT reads sets and sorted sets from their hash tables), so
  // those results are compared as multisets (only counted under LIMIT) and never stored.
  const ties = alpha && by !== undefined && by !== "nosort";
  const store = !ro && !ties && g.chance(0.2);
  if (store) opts.push(["STORE", g.keyOf(LIST_KEYS)]);
  // (A bare BY would take the next word as a pattern without `*`, which means "do not sort".)
  if (g.chance(0.03)) opts.push(g.pick([["FOO"], ties ? ["ASC", "x"] : ["STORE", "x"], ["LIMIT", "1"], ["GET"]]));
  for (const o of shuffle(g, opts)) argv.push(...o);
  if (ties) return { argv, compare: opts.some((o) => o[0] === "LIMIT" || o[0] === "STORE") ? "length" : "sorted" };
  if (by !== "nosort" || store) return argv;
  // A set unsorted comes in its internal order (picked by LIMIT too): left out.
  return {
    argv,
    compare: "exact",
    probe: { argv: ["TYPE", key], decide: (r) => (r.items[0] === "set" ? "skip" : "exact") },
  };
}

/**
 * One recipe per command, by lower-case name. Only recipes whose command is enabled run, so a
 * recipe can be written before its command exists.
 */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  // --- string ---
  // GET also reads HyperLogLogs: their bytes (sparse or dense registers, cached cardinality) must match.
  get: { weight: 6, build: (g) => ["get", g.chance(0.15) ? g.keyOf(HLL_KEYS) : g.key()] },
  set: {
    weight: 8,
    build: (g) => {
      const argv = ["set", g.key(), g.value()];
      const opts: string[][] = [];
      if (g.chance(0.3)) opts.push(expiryOption(g, true, false));
      if (g.chance(0.2)) opts.push(g.option([["NX"], ["XX"]], 0));
      if (g.chance(0.15)) opts.push(["GET"]);
      // Invalid combinations and junk: both NX and XX, two expiries, unknown words.
      if (g.chance(0.05)) {
        opts.push(g.pick([["NX", "XX"], ["EX", "10", "PX", "100"], ["FOO"], ["EX"], ["KEEPTTL", "EX", "5"]]));
      }
      for (const o of shuffle(g, opts)) argv.push(...o);
      return argv;
    },
  },
  setnx: { weight: 2, build: (g) => ["setnx", g.key(), g.value()] },
  setex: { weight: 2, build: (g) => ["setex", g.key(), g.relSeconds(), g.value()] },
  psetex: { weight: 2, build: (g) => ["psetex", g.key(), g.relMillis(), g.value()] },
  getset: { weight: 2, build: (g) => ["getset", g.key(), g.value()] },
  getdel: { weight: 2, build: (g) => ["getdel", g.key()] },
  getex: { weight: 3, build: (g) => ["getex", g.key(), ...expiryOption(g, false, true)] },
  append: {
    weight: 3,
    build: (g) => ["append", g.key(), g.chance(0.8) ? g.pick(WORDS) : g.value()],
  },
  strlen: { weight: 2, build: (g) => ["strlen", g.key()] },
  getrange: {
    weight: 3,
    build: (g) => ["getrange", g.key(), rangeBound(g), rangeBound(g)],
  },
  substr: { weight: 1, build: (g) => ["substr", g.key(), rangeBound(g), rangeBound(g)] },
  setrange: {
    weight: 3,
    build: (g) => {
      const r = g.rng();
      // Offsets stay small: a valid huge offset would make both servers allocate 512 MB.
      const off = r < 0.85 ? String(g.int(0, 1500)) : g.pick(["-1", "536870912", "536870911", "x", "1.5"]);
      const v = off === "536870911" ? "" : g.chance(0.9) ? g.pick(WORDS) : g.value();
      return ["setrange", g.key(), off, v];
    },
  },
  incr: { weight: 4, build: (g) => ["incr", g.key()] },
  decr: { weight: 3, build: (g) => ["decr", g.key()] },
  incrby: { weight: 4, build: (g) => ["incrby", g.key(), g.intArg()] },
  decrby: { weight: 3, build: (g) => ["decrby", g.key(), g.intArg()] },
  incrbyfloat: { weight: 4, build: (g) => ["incrbyfloat", g.key(), g.floatArg()] },
  mget: { weight: 3, build: (g) => ["mget", ...g.keys(g.int(1, 6))] },
  mset: {
    weight: 3,
    build: (g) => ["mset", ...g.keys(g.int(1, 4)).flatMap((k) => [k, g.value()])],
  },
  msetnx: {
    weight: 2,
    build: (g) => ["msetnx", ...g.keys(g.int(1, 3)).flatMap((k) => [k, g.value()])],
  },
  lcs: {
    weight: 2,
    build: (g) => {
      const a = g.key();
      const b = g.key();
      const argv = ["lcs", a, b];
      if (g.chance(0.3)) argv.push("LEN");
      if (g.chance(0.3)) argv.push("IDX");
      if (g.chance(0.2)) argv.push("MINMATCHLEN", g.chance(0.8) ? g.smallInt(-1, 6) : "x");
      if (g.chance(0.2)) argv.push("WITHMATCHLEN");
      if (g.chance(0.05)) argv.push("FOO");
      return { argv, compare: "exact", costKeys: { keys: [a, b], maxProduct: 400_000 } };
    },
  },

  // --- bitmap ---
  getbit: { weight: 3, build: (g) => ["getbit", g.key(), g.chance(0.95) ? g.bitOffset() : "4294967295"] },
  setbit: {
    weight: 3,
    build: (g) => ["setbit", g.key(), g.bitOffset(), g.chance(0.9) ? g.pick(["0", "1"]) : g.pick(["2", "-1", "x", ""])],
  },
  bitcount: {
    weight: 3,
    build: (g) => {
      const argv = ["bitcount", g.key()];
      if (g.chance(0.6)) {
        argv.push(rangeBound(g), rangeBound(g));
        if (g.chance(0.4)) argv.push(g.pick(["BYTE", "BIT", "bit", "WORD"]));
      } else if (g.chance(0.1)) {
        argv.push(rangeBound(g));
      }
      return argv;
    },
  },
  bitpos: {
    weight: 3,
    build: (g) => {
      const argv = ["bitpos", g.key(), g.chance(0.9) ? g.pick(["0", "1"]) : g.pick(["2", "x"])];
      if (g.chance(0.6)) {
        argv.push(rangeBound(g));
        if (g.chance(0.6)) {
          argv.push(rangeBound(g));
          if (g.chance(0.4)) argv.push(g.pick(["BYTE", "BIT", "bit", "WORD"]));
        }
      }
      return argv;
    },
  },
  bitop: {
    weight: 2,
    build: (g) => {
      const op = g.chance(0.9) ? g.pick(["AND", "OR", "XOR", "NOT", "and", "xor"]) : g.pick(["NAND", "DIFF", ""]);
      const n = op.toUpperCase() === "NOT" ? (g.chance(0.85) ? 1 : 2) : g.int(1, 4);
      return ["bitop", op, g.key(), ...g.keys(n)];
    },
  },
  bitfield: {
    weight: 3,
    build: (g) => {
      const argv = ["bitfield", g.key()];
      const n = g.int(0, 4);
      for (let i = 0; i < n; i++) {
        const r = g.rng();
        if (r < 0.3) argv.push("GET", bitfieldType(g), bitfieldOffset(g));
        else if (r < 0.6) argv.push("SET", bitfieldType(g), bitfieldOffset(g), g.intArg());
        else if (r < 0.85) argv.push("INCRBY", bitfieldType(g), bitfieldOffset(g), g.intArg());
        else if (r < 0.97) argv.push("OVERFLOW", g.pick(["WRAP", "SAT", "FAIL", "wrap", "fail", "NONE"]));
        else argv.push(g.pick(["GET", "SET", "FOO", "INCRBY"]));
      }
      return argv;
    },
  },
  bitfield_ro: {
    weight: 2,
    build: (g) => {
      const argv = ["bitfield_ro", g.key()];
      const n = g.int(0, 3);
      for (let i = 0; i < n; i++) {
        if (g.chance(0.9)) argv.push("GET", bitfieldType(g), bitfieldOffset(g));
        else argv.push(g.pick(["SET", "INCRBY", "OVERFLOW"]), "u8", "0", "1");
      }
      return argv;
    },
  },

  // --- generic ---
  // Deletes reach every key uniformly half of the time: they undo the type changes that stray
  // writes, RENAME, COPY and MOVE make to the keys of other types.
  del: { weight: 6, build: (g) => ["del", ...Array.from({ length: g.int(1, 3) }, () => g.anyKey())] },
  unlink: { weight: 2, build: (g) => ["unlink", ...Array.from({ length: g.int(1, 3) }, () => g.anyKey())] },
  exists: { weight: 3, build: (g) => ["exists", ...Array.from({ length: g.int(1, 4) }, () => g.anyKey())] },
  touch: { weight: 1, build: (g) => ["touch", ...Array.from({ length: g.int(1, 3) }, () => g.anyKey())] },
  type: { weight: 3, build: (g) => ["type", g.anyKey()] },
  keys: { weight: 2, build: (g) => ({ argv: ["keys", g.pattern()], compare: "sorted" }) },
  scan: {
    weight: 2,
    build: (g) => {
      if (g.chance(0.15)) {
        return g.pick([
          ["scan", g.pick(["x", "1.5", "18446744073709551616", "-", "0x1"])],
          ["scan", "0", "COUNT", g.pick(["0", "-1", "x"])],
          ["scan", "0", "MATCH"],
          ["scan", "0", "FOO", "bar"],
        ]);
      }
      // A COUNT larger than the key space makes one call return every key with cursor 0, which is
      // deterministic on both servers; smaller counts would expose hash-table order.
      const argv = ["scan", "0", "COUNT", "1000"];
      if (g.chance(0.5)) argv.push("MATCH", g.pattern());
      if (g.chance(0.3)) argv.push("TYPE", g.pick(["string", "list", "set", "zset", "hash", "STRING", "stream"]));
      return { argv, compare: "scan" };
    },
  },
  randomkey: { weight: 1, build: () => ({ argv: ["randomkey"], compare: "shape" }) },
  rename: { weight: 2, build: (g) => ["rename", g.anyKey(), g.anyKey()] },
  renamenx: { weight: 2, build: (g) => ["renamenx", g.anyKey(), g.anyKey()] },
  copy: {
    weight: 2,
    build: (g) => {
      const argv = ["copy", g.anyKey(), g.anyKey()];
      if (g.chance(0.3)) argv.push("DB", g.db());
      if (g.chance(0.4)) argv.push("REPLACE");
      if (g.chance(0.03)) argv.push("FOO");
      return argv;
    },
  },
  move: { weight: 2, build: (g) => ["move", g.anyKey(), g.db()] },
  expire: { weight: 2, build: (g) => ["expire", g.key(), g.relSeconds(), ...expireFlags(g)] },
  pexpire: { weight: 2, build: (g) => ["pexpire", g.key(), g.relMillis(), ...expireFlags(g)] },
  expireat: { weight: 2, build: (g) => ["expireat", g.key(), g.absSeconds(), ...expireFlags(g)] },
  pexpireat: { weight: 2, build: (g) => ["pexpireat", g.key(), g.absMillis(), ...expireFlags(g)] },
  ttl: { weight: 2, build: (g) => ({ argv: ["ttl", g.key()], compare: "ttl", tolerance: 2 }) },
  pttl: { weight: 2, build: (g) => ({ argv: ["pttl", g.key()], compare: "ttl", tolerance: 2000 }) },
  expiretime: { weight: 1, build: (g) => ({ argv: ["expiretime", g.key()], compare: "ttl", tolerance: 2 }) },
  pexpiretime: { weight: 1, build: (g) => ({ argv: ["pexpiretime", g.key()], compare: "ttl", tolerance: 2000 }) },
  persist: { weight: 2, build: (g) => ["persist", g.key()] },
  object: {
    weight: 2,
    build: (g) => {
      const sub = g.chance(0.95) ? g.pick(["ENCODING", "REFCOUNT", "IDLETIME", "FREQ", "encoding"]) : "NOSUCH";
      // Subcommand arity errors name the full command (`object|encoding`).
      const argv = g.chance(0.04) ? ["object", sub, g.key(), g.key()] : ["object", sub, g.anyKey()];
      return { argv, compare: sub.toUpperCase() === "IDLETIME" ? "shape" : "exact" };
    },
  },
  dump: { weight: 1, build: (g) => ({ argv: ["dump", g.anyKey()], compare: "dump" }) },
  restore: {
    weight: 2,
    build: (g) => {
      const src = g.anyKey();
      // A TTL is relative unless ABSTTL is given; both kinds stay far from now.
      const abs = g.chance(0.2);
      const ttl = g.chance(0.6) ? "0" : abs ? g.absMillis() : g.relMillis();
      const argv = ["restore", g.anyKey(), ttl, g.chance(0.9) ? "<dump>" : g.pick(["", "garbage", "\x00\x01"])];
      if (g.chance(0.5)) argv.push("REPLACE");
      if (abs) argv.push("ABSTTL");
      if (g.chance(0.1)) argv.push("IDLETIME", g.pick(["10", "-1", "x"]));
      if (g.chance(0.1)) argv.push("FREQ", g.pick(["5", "256", "-1", "x"]));
      return { argv, compare: "exact", dumpOf: { key: src, index: 3 } };
    },
  },
  sort: { weight: 3, build: (g) => sortArgs(g, false) },
  sort_ro: { weight: 2, build: (g) => sortArgs(g, true) },
  wait: { weight: 1, build: (g) => ["wait", "0", g.pick(["0", "1", "-1", "x"])] },

  // --- databases, connection ---
  select: { weight: 2, build: (g) => ["select", g.db()] },
  swapdb: { weight: 1, build: (g) => ["swapdb", g.db(), g.db()] },
  dbsize: { weight: 2, build: () => ["dbsize"] },
  flushdb: {
    weight: 0.15,
    build: (g) => ["flushdb", ...g.option([["ASYNC"], ["SYNC"], ["sync"], ["FOO"]], 3)],
  },
  flushall: {
    weight: 0.05,
    build: (g) => ["flushall", ...g.option([["ASYNC"], ["SYNC"], ["FOO"]], 3)],
  },
  ping: { weight: 1, build: (g) => (g.chance(0.5) ? ["ping"] : ["ping", g.value()]) },
  echo: { weight: 1, build: (g) => ["echo", g.value()] },

  ...LIST_RECIPES,
  ...HASH_RECIPES,
  ...SET_RECIPES,
  ...ZSET_RECIPES,
  ...GEO_RECIPES,
  ...STREAM_RECIPES,
  ...HLL_RECIPES,
};

function rangeBound(g: Gen): string {
  const r = g.rng();
  if (r < 0.85) return g.smallInt(-30, 60);
  return g.pick(["9223372036854775807", "-9223372036854775808", "x", "1.5", "", "4294967296"]);
}

function expireFlags(g: Gen): string[] {
  if (!g.chance(0.35)) return [];
  const flags = g.chance(0.85)
    ? [g.pick(["NX", "XX", "GT", "LT", "nx", "gt"])]
    : [g.pick(["NX", "GT"]), g.pick(["XX", "LT"])];
  if (g.chance(0.03)) flags.push("FOO");
  return flags;
}

function shuffle<T>(g: Gen, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Options of {@link CommandGenerator}. */
export interface GeneratorOptions {
  seed: number;
  /** Commands that may be generated (lower case); recipes for other commands are ignored. */
  enabled: ReadonlySet<string>;
  /** Arity by command (Valkey's convention), for wrong-arity cases. */
  arity: ReadonlyMap<string, number>;
  /** Probability of a wrong-arity command instead of a recipe (default 0.03). */
  wrongArity?: number;
}

/** Generates commands from {@link RECIPES} with a seeded PRNG. */
export class CommandGenerator {
  /** The commands this generator covers, sorted. */
  readonly commands: readonly string[];
  readonly #gen: Gen;
  readonly #weights: number[];
  readonly #total: number;
  readonly #arity: ReadonlyMap<string, number>;
  readonly #wrongArity: number;

  /** @param opts seed, enabled commands and their arities */
  constructor(opts: GeneratorOptions) {
    this.#gen = new Gen(mulberry32(opts.seed));
    this.commands = Object.keys(RECIPES).filter((n) => opts.enabled.has(n)).sort();
    this.#weights = this.commands.map((n) => RECIPES[n]!.weight);
    this.#total = this.#weights.reduce((a, b) => a + b, 0);
    this.#arity = opts.arity;
    this.#wrongArity = opts.wrongArity ?? 0.03;
  }

  /** The helpers, for callers that build extra arguments with the same seed. */
  get gen(): Gen {
    return this.#gen;
  }

  /** The next command. */
  next(): GenCommand {
    const g = this.#gen;
    if (this.commands.length === 0) throw new Error("Cannot generate commands: no enabled command has a recipe");
    let r = g.rng() * this.#total;
    let name = this.commands[this.commands.length - 1]!;
    for (let i = 0; i < this.commands.length; i++) {
      r -= this.#weights[i]!;
      if (r < 0) {
        name = this.commands[i]!;
        break;
      }
    }
    if (g.chance(this.#wrongArity)) {
      const bad = this.#wrongArityArgv(name);
      if (bad !== undefined) return { argv: bad, recipe: `arity:${name}`, compare: "exact" };
    }
    const res = RECIPES[name]!.build(g);
    const cmd: GenCommand = Array.isArray(res)
      ? { argv: res, recipe: name, compare: "exact" }
      : { ...res, recipe: name };
    cmd.argv[0] = g.casing(cmd.argv[0]!);
    return cmd;
  }

  /** An argv with a count of arguments the command's arity forbids, if any exists. */
  #wrongArityArgv(name: string): string[] | undefined {
    const arity = this.#arity.get(name);
    if (arity === undefined) return undefined;
    const g = this.#gen;
    let n: number;
    if (arity > 0) n = g.chance(0.5) && arity > 1 ? arity - 1 : arity + 1;
    else if (-arity > 1) n = g.int(1, -arity - 1);
    else return undefined;
    const argv = [g.casing(name)];
    for (let i = 1; i < n; i++) argv.push(i === 1 ? g.key() : g.value());
    return argv;
  }
}
