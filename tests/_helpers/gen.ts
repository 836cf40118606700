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
 * - `sorted`: an array whose order is unspecified (KEYS): compared after sorting the elements.
 * - `scan`: a complete one-call SCAN: cursor and the sorted key list.
 * - `ttl`: integers that depend on when each server ran the command (TTL, PTTL, EXPIRETIME of a
 *   relative expiry): equal when negative, otherwise within `tolerance`.
 * - `shape`: only the reply type is compared, and errors exactly (RANDOMKEY, OBJECT IDLETIME).
 * - `dump`: a DUMP payload: for short strings equal except for the trailing RDB version and CRC64,
 *   otherwise only both present or both absent.
 */
export type Compare = "exact" | "sorted" | "scan" | "ttl" | "shape" | "dump";

/** One generated command. */
export interface GenCommand {
  /** The command and its arguments, latin1 byte strings. */
  readonly argv: string[];
  /** The recipe that built it (the lower-case command name, or `arity:<name>`). */
  readonly recipe: string;
  readonly compare: Compare;
  /** For `ttl`: the largest accepted difference. */
  readonly tolerance?: number;
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
}

/** A recipe result: an argv, or a full command with a comparison mode. */
type RecipeResult = string[] | Omit<GenCommand, "recipe">;

/** One command's recipe. */
export interface Recipe {
  /** Relative frequency. */
  readonly weight: number;
  readonly build: (g: Gen) => RecipeResult;
}

/** The key space: few keys so that commands collide, with binary-safe and odd names. */
export const KEY_NAMES: readonly string[] = [
  ...Array.from({ length: 13 }, (_, i) => `k${i}`),
  "",
  "k\x00\r\nk",
  "{tag}k",
  latin1("ключ"),
  "*",
  "k?[x]",
  "long:" + "x".repeat(120),
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
    return this.chance(0.7) ? KEY_NAMES[this.int(0, 6)]! : this.pick(KEY_NAMES);
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

/**
 * One recipe per command, by lower-case name. Only recipes whose command is enabled run, so a
 * recipe can be written before its command exists.
 */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  // --- string ---
  get: { weight: 6, build: (g) => ["get", g.key()] },
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
  del: { weight: 3, build: (g) => ["del", ...g.keys(g.int(1, 3))] },
  unlink: { weight: 1, build: (g) => ["unlink", ...g.keys(g.int(1, 3))] },
  exists: { weight: 3, build: (g) => ["exists", ...g.keys(g.int(1, 4))] },
  touch: { weight: 1, build: (g) => ["touch", ...g.keys(g.int(1, 3))] },
  type: { weight: 3, build: (g) => ["type", g.key()] },
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
  rename: { weight: 2, build: (g) => ["rename", g.key(), g.key()] },
  renamenx: { weight: 2, build: (g) => ["renamenx", g.key(), g.key()] },
  copy: {
    weight: 2,
    build: (g) => {
      const argv = ["copy", g.key(), g.key()];
      if (g.chance(0.3)) argv.push("DB", g.db());
      if (g.chance(0.4)) argv.push("REPLACE");
      if (g.chance(0.03)) argv.push("FOO");
      return argv;
    },
  },
  move: { weight: 2, build: (g) => ["move", g.key(), g.db()] },
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
      const argv = g.chance(0.04) ? ["object", sub, g.key(), g.key()] : ["object", sub, g.key()];
      return { argv, compare: sub.toUpperCase() === "IDLETIME" ? "shape" : "exact" };
    },
  },
  dump: { weight: 1, build: (g) => ({ argv: ["dump", g.key()], compare: "dump" }) },
  restore: {
    weight: 2,
    build: (g) => {
      const src = g.key();
      // A TTL is relative unless ABSTTL is given; both kinds stay far from now.
      const abs = g.chance(0.2);
      const ttl = g.chance(0.6) ? "0" : abs ? g.absMillis() : g.relMillis();
      const argv = ["restore", g.key(), ttl, g.chance(0.9) ? "<dump>" : g.pick(["", "garbage", "\x00\x01"])];
      if (g.chance(0.5)) argv.push("REPLACE");
      if (abs) argv.push("ABSTTL");
      if (g.chance(0.1)) argv.push("IDLETIME", g.pick(["10", "-1", "x"]));
      if (g.chance(0.1)) argv.push("FREQ", g.pick(["5", "256", "-1", "x"]));
      return { argv, compare: "exact", dumpOf: { key: src, index: 3 } };
    },
  },
  sort: {
    weight: 1,
    build: (g) => {
      const argv = ["sort", g.key()];
      if (g.chance(0.3)) argv.push("LIMIT", g.smallInt(-2, 5), g.smallInt(-2, 5));
      if (g.chance(0.4)) argv.push(g.pick(["ASC", "DESC"]));
      if (g.chance(0.5)) argv.push("ALPHA");
      if (g.chance(0.2)) argv.push("STORE", g.key());
      return argv;
    },
  },
  sort_ro: {
    weight: 1,
    build: (g) => ["sort_ro", g.key(), ...g.option([["ALPHA"], ["DESC", "ALPHA"], ["STORE", "x"]])],
  },
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

  // --- other types, so string commands meet WRONGTYPE once those types exist ---
  rpush: { weight: 1, build: (g) => ["rpush", g.key(), ...Array.from({ length: g.int(1, 3) }, () => g.pick(WORDS))] },
  lpush: { weight: 1, build: (g) => ["lpush", g.key(), ...Array.from({ length: g.int(1, 3) }, () => g.pick(INTS))] },
  sadd: { weight: 1, build: (g) => ["sadd", g.key(), ...Array.from({ length: g.int(1, 3) }, () => g.pick(WORDS))] },
  hset: { weight: 1, build: (g) => ["hset", g.key(), g.pick(WORDS), g.value()] },
  zadd: { weight: 1, build: (g) => ["zadd", g.key(), g.pick(INTS.slice(0, 10)), g.pick(WORDS)] },
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
