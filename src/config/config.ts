/**
 * Live configuration values, validated against {@link CONFIG_PARAMS}. Shared by the config file
 * loader, the CLI and CONFIG GET/SET.
 *
 * @module
 */
import { CONFIG_PARAMS, type ConfigParam } from "./table.ts";

/** Outcome of setting one parameter. */
export type ConfigSetResult =
  | { status: "ok" }
  | { status: "unknown" }
  | { status: "immutable" }
  | { status: "invalid"; reason: string };

/** Parses Valkey memory units (`1gb`, `512mb`, `10k`, plain bytes). Null when invalid. */
export function parseMemory(text: string): number | null {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 * 1000,
    mb: 1024 * 1024,
    g: 1000 * 1000 * 1000,
    gb: 1024 * 1024 * 1024,
  };
  return n * mult[unit]!;
}

/** The current configuration of one engine. */
export class Config {
  readonly #params = new Map<string, ConfigParam>();
  readonly #values = new Map<string, string>();
  readonly #listeners = new Map<string, ((value: string) => void)[]>();

  /** @param params the parameter table; Kite's own by default */
  constructor(params: readonly ConfigParam[] = CONFIG_PARAMS) {
    for (const p of params) {
      this.#params.set(p.name, p);
      for (const a of p.aliases ?? []) this.#params.set(a, p);
      this.#values.set(p.name, p.default);
    }
  }

  /** The parameter definition for a name or alias (case-insensitive). */
  param(name: string): ConfigParam | undefined {
    return this.#params.get(name.toLowerCase());
  }

  /** Every parameter (canonical names). */
  params(): ConfigParam[] {
    return [...new Set(this.#params.values())];
  }

  /** The current text value of a parameter. @throws {RangeError} for an unknown name */
  get(name: string): string {
    const p = this.param(name);
    if (!p) throw new RangeError(`Cannot read config "${name}": unknown parameter`);
    return this.#values.get(p.name)!;
  }

  /** A numeric parameter (int or memory) as a number. */
  num(name: string): number {
    const p = this.param(name);
    const v = this.get(name);
    return p?.type === "memory" ? parseMemory(v)! : Number(v);
  }

  /** A boolean parameter. */
  bool(name: string): boolean {
    return this.get(name) === "yes";
  }

  /**
   * Validates and stores a value.
   * @param fromStartup true for the config file and CLI, which may set immutable parameters
   */
  set(name: string, value: string, fromStartup = false): ConfigSetResult {
    const p = this.param(name);
    if (!p) return { status: "unknown" };
    if (!p.mutable && !fromStartup) return { status: "immutable" };
    const checked = validate(p, value);
    if (typeof checked !== "string") return checked;
    this.#values.set(p.name, checked);
    for (const fn of this.#listeners.get(p.name) ?? []) fn(checked);
    return { status: "ok" };
  }

  /** Calls `fn` with the new value whenever `name` changes. */
  onChange(name: string, fn: (value: string) => void): void {
    const p = this.param(name);
    if (!p) throw new RangeError(`Cannot watch config "${name}": unknown parameter`);
    const list = this.#listeners.get(p.name) ?? [];
    list.push(fn);
    this.#listeners.set(p.name, list);
  }
}

/** Returns the normalized text to store, or an invalid result with Valkey's reason. */
function validate(p: ConfigParam, value: string): string | ConfigSetResult {
  switch (p.type) {
    case "bool": {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") return { status: "invalid", reason: "argument must be 'yes' or 'no'" };
      return v;
    }
    case "enum": {
      const v = value.toLowerCase();
      if (!p.values!.includes(v)) {
        return { status: "invalid", reason: "argument(s) must be one of the following: " + p.values!.join(", ") };
      }
      return v;
    }
    case "int": {
      if (!/^-?\d+$/.test(value.trim())) {
        return { status: "invalid", reason: "argument couldn't be parsed into an integer" };
      }
      const n = Number(value);
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        return { status: "invalid", reason: `argument must be between ${p.min} and ${p.max} inclusive` };
      }
      return String(n);
    }
    case "memory": {
      const n = parseMemory(value);
      if (n === null) return { status: "invalid", reason: "argument must be a memory value" };
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        return { status: "invalid", reason: `argument must be between ${p.min} and ${p.max} inclusive` };
      }
      return String(n);
    }
    case "string":
      return value;
  }
}
