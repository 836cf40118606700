/**
 * Live configuration values, validated against {@link CONFIG_PARAMS}. Shared by the config file
 * loader, the CLI and CONFIG GET/SET, with Valkey's parsing rules and error reasons.
 *
 * @module
 */
import { CONFIG_PARAMS, type ConfigParam } from "./table.ts";
import { globMatch } from "../util/glob.ts";
import { parseInt64 } from "../util/number.ts";

/** Outcome of setting one parameter. */
export type ConfigSetResult =
  | { status: "ok" }
  | { status: "unknown" }
  | { status: "immutable" }
  | { status: "invalid"; reason: string };

/**
 * Outcome of an atomic multi-set (CONFIG SET). `name` is the argument Valkey's error names: the
 * name as the client typed it, except for an invalid value, where it is the canonical name.
 */
export type ConfigSetManyResult =
  | { status: "ok" }
  | { status: "unknown"; name: string }
  | { status: "failed"; name: string; reason: string };

const MEMORY_UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Parses a memory amount like Valkey's `memtoull`: digits (leading zeros allowed, no sign, no
 * fraction) and an optional case-insensitive unit `b`, `k`, `kb`, `m`, `mb`, `g` or `gb`.
 * @returns the byte count, or null when the text is not a memory value
 */
export function parseMemoryBig(text: string): bigint | null {
  const m = /^(\d{1,20})([a-zA-Z]*)$/.exec(text);
  if (!m) return null;
  const mult = MEMORY_UNITS[m[2]!.toLowerCase()];
  if (mult === undefined) return null;
  const v = BigInt(m[1]!) * mult;
  return v > 18446744073709551615n ? null : v;
}

/** Like {@link parseMemoryBig}, as a JS number (exact up to 2^53 bytes). */
export function parseMemory(text: string): number | null {
  const v = parseMemoryBig(text);
  return v === null ? null : Number(v);
}

/** The current configuration of one engine. */
export class Config {
  readonly #params = new Map<string, ConfigParam>();
  readonly #order: ConfigParam[] = [];
  readonly #values = new Map<string, string>();
  // Numeric parameters are read on hot paths (every socket read checks the query buffer limit),
  // so their numbers are cached next to the text.
  readonly #numbers = new Map<string, number>();
  readonly #listeners = new Map<string, ((value: string) => void)[]>();

  /** @param params the parameter table; Kite's own by default */
  constructor(params: readonly ConfigParam[] = CONFIG_PARAMS) {
    for (const p of params) {
      this.#order.push(p);
      this.#params.set(p.name, p);
      for (const a of p.aliases ?? []) this.#params.set(a, p);
      this.#store(p, p.default);
    }
  }

  /** The parameter definition for a name or alias (case-insensitive). */
  param(name: string): ConfigParam | undefined {
    return this.#params.get(name) ?? this.#params.get(name.toLowerCase());
  }

  /** Every parameter (canonical names), in table order. */
  params(): ConfigParam[] {
    return [...this.#order];
  }

  /** The stored value of a parameter (CONFIG GET prints {@link shown}). @throws {RangeError} for an unknown name */
  get(name: string): string {
    const p = this.param(name);
    if (!p) throw new RangeError(`Cannot read config "${name}": unknown parameter`);
    return this.#values.get(p.name)!;
  }

  /**
   * The value as CONFIG GET prints it (and a config rewrite would write it): the stored value,
   * or the parameter's `display` form of it. @throws {RangeError} for an unknown name
   */
  shown(name: string): string {
    const p = this.param(name);
    if (!p) throw new RangeError(`Cannot read config "${name}": unknown parameter`);
    return this.#shown(p);
  }

  #shown(p: ConfigParam): string {
    const value = this.#values.get(p.name)!;
    return p.display ? p.display(value) : value;
  }

  /** A numeric parameter (int or memory) as a number. @throws {RangeError} for an unknown name */
  num(name: string): number {
    const n = this.#numbers.get(name);
    if (n !== undefined) return n;
    const p = this.param(name);
    if (!p) throw new RangeError(`Cannot read config "${name}": unknown parameter`);
    return this.#numbers.get(p.name) ?? Number(this.#values.get(p.name));
  }

  /** A boolean parameter. */
  bool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /**
   * Validates and stores one value.
   * @param fromStartup true for the config file and CLI, which may set immutable parameters
   */
  set(name: string, value: string, fromStartup = false): ConfigSetResult {
    const p = this.param(name);
    if (!p) return { status: "unknown" };
    if (!p.mutable && !fromStartup) return { status: "immutable" };
    const checked = validateConfigValue(p, value);
    if (typeof checked !== "string") return { status: "invalid", reason: checked.reason };
    this.#store(p, checked);
    this.#notify(p);
    return { status: "ok" };
  }

  /**
   * Sets several parameters atomically, with CONFIG SET's rules: every name is resolved first
   * (unknown, immutable and duplicate names fail the whole call), then every value is validated,
   * and only when all pass are they stored and the change listeners called.
   */
  setMany(pairs: readonly (readonly [string, string])[], fromStartup = false): ConfigSetManyResult {
    const found: ConfigParam[] = [];
    let failure: ConfigSetManyResult | undefined;
    for (const [name] of pairs) {
      const p = this.param(name);
      // Valkey keeps scanning after the first problem (to redact every sensitive value) and
      // reports the first one; an unknown name only wins when nothing failed before it.
      if (!p) {
        failure ??= { status: "unknown", name };
        continue;
      }
      if (failure) continue;
      if (!p.mutable && !fromStartup) {
        failure = { status: "failed", name, reason: "can't set immutable config" };
        continue;
      }
      if (found.includes(p)) {
        failure = { status: "failed", name, reason: "duplicate parameter" };
        continue;
      }
      found.push(p);
    }
    if (failure) return failure;
    const values: string[] = [];
    for (let i = 0; i < found.length; i++) {
      const p = found[i]!;
      const checked = validateConfigValue(p, pairs[i]![1]);
      if (typeof checked !== "string") return { status: "failed", name: p.name, reason: checked.reason };
      values.push(checked);
    }
    for (let i = 0; i < found.length; i++) this.#store(found[i]!, values[i]!);
    for (const p of found) this.#notify(p);
    return { status: "ok" };
  }

  /**
   * The parameters CONFIG GET returns for some patterns, as [name, value] pairs. A pattern
   * without glob characters is an exact (case-insensitive) lookup and answers under the name as
   * given; a glob matches canonical names and aliases alike, case-insensitively.
   */
  match(patterns: readonly string[]): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    const add = (shown: string, p: ConfigParam) => {
      const key = shown.toLowerCase();
      if (seen.has(key)) return;
      seen.add(key);
      out.push([shown, this.#shown(p)]);
    };
    for (const pattern of patterns) {
      if (!/[*?[]/.test(pattern)) {
        const p = this.param(pattern);
        if (p) add(pattern, p);
        continue;
      }
      for (const p of this.#order) {
        if (globMatch(pattern, p.name, true)) add(p.name, p);
        for (const a of p.aliases ?? []) if (globMatch(pattern, a, true)) add(a, p);
      }
    }
    return out;
  }

  /** Calls `fn` with the new value whenever `name` is set (even to the same value). */
  onChange(name: string, fn: (value: string) => void): void {
    const p = this.param(name);
    if (!p) throw new RangeError(`Cannot watch config "${name}": unknown parameter`);
    const list = this.#listeners.get(p.name) ?? [];
    list.push(fn);
    this.#listeners.set(p.name, list);
  }

  #store(p: ConfigParam, value: string): void {
    this.#values.set(p.name, value);
    if (p.type === "int" || p.type === "memory") this.#numbers.set(p.name, Number(value));
  }

  #notify(p: ConfigParam): void {
    const value = this.#values.get(p.name)!;
    for (const fn of this.#listeners.get(p.name) ?? []) fn(value);
  }
}

/**
 * Parses a value for a parameter with Valkey's rules and reasons.
 * @returns the canonical text to store, or the reason CONFIG SET reports
 */
export function validateConfigValue(p: ConfigParam, value: string): string | { reason: string } {
  let canonical: string;
  switch (p.type) {
    case "bool": {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") return { reason: "argument must be 'yes' or 'no'" };
      canonical = v;
      break;
    }
    case "enum": {
      const v = value.toLowerCase();
      if (!p.values!.includes(v)) {
        return { reason: "argument(s) must be one of the following: " + p.values!.join(", ") };
      }
      canonical = v;
      break;
    }
    case "int":
    case "memory": {
      let n: bigint | null;
      if (p.type === "int") {
        const v = parseInt64(value);
        n = v === null ? null : BigInt(v);
        if (n === null) return { reason: "argument couldn't be parsed into an integer" };
      } else {
        n = parseMemoryBig(value);
        if (n === null) return { reason: "argument must be a memory value" };
      }
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        return { reason: `argument must be between ${p.min} and ${p.max} inclusive` };
      }
      canonical = String(n);
      break;
    }
    case "string":
      canonical = value;
      break;
  }
  return p.check ? p.check(canonical) : canonical;
}
