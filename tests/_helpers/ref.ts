/**
 * Valkey's command metadata (shared/reference/valkey-commands.json, beside the repository), in
 * the shapes Kite's command table uses, for the meta tests.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CommandSpec, KeySpec } from "../../src/commands/spec.ts";

/** The reference file: `shared/` sits next to the repository, here and in CI. */
export const REFERENCE_PATH = fileURLToPath(
  new URL("../../../shared/reference/valkey-commands.json", import.meta.url),
);

/** One row of the reference, as stored. */
export interface RefCommand {
  name: string;
  container?: string;
  group: string;
  since: string;
  arity: number;
  complexity?: string;
  command_flags?: string[];
  acl_categories?: string[];
  command_tips?: string[];
  key_specs?: RefKeySpec[];
}

/** A key spec as the reference stores it. */
export interface RefKeySpec {
  flags: string[];
  notes?: string;
  begin_search: { index?: { pos: number }; keyword?: { keyword: string; startfrom: number }; unknown?: null };
  find_keys: {
    range?: { lastkey: number; step: number; limit: number };
    keynum?: { keynumidx: number; firstkey: number; step: number };
    unknown?: null;
  };
}

/** A key spec reduced to what both sides can express, for comparison. */
export interface NormalKeySpec {
  begin: string;
  find: string;
  flags: string[];
}

let cache: Map<string, RefCommand> | undefined;

/** Every reference command by full name (`get`, `config|get`). */
export function reference(): Map<string, RefCommand> {
  if (cache) return cache;
  const doc = JSON.parse(readFileSync(REFERENCE_PATH, "utf8")) as { commands: RefCommand[] };
  cache = new Map(doc.commands.map((c) => [fullName(c), c]));
  return cache;
}

/** `name` or `container|name`, lower case. */
export function fullName(c: RefCommand): string {
  return (c.container ? `${c.container}|${c.name}` : c.name).toLowerCase();
}

/** The reference's command flags as Kite spells them (lower case), sorted. */
export function refFlags(c: RefCommand): string[] {
  return (c.command_flags ?? []).map((f) => f.toLowerCase()).sort();
}

/** The reference's explicit ACL categories, lower case, sorted. */
export function refAcl(c: RefCommand): string[] {
  return (c.acl_categories ?? []).map((f) => f.toLowerCase()).sort();
}

/** The reference's command tips, lower case, sorted. */
export function refTips(c: RefCommand): string[] {
  return (c.command_tips ?? []).map((f) => f.toLowerCase()).sort();
}

/** A reference key spec, normalized. */
export function normalRefKeySpec(k: RefKeySpec): NormalKeySpec {
  const b = k.begin_search;
  const f = k.find_keys;
  return {
    begin: b.index
      ? `index ${b.index.pos}`
      : b.keyword
      ? `keyword ${b.keyword.keyword} from ${b.keyword.startfrom}`
      : "unknown",
    find: f.range
      ? `range last ${f.range.lastkey} step ${f.range.step} limit ${f.range.limit}`
      : f.keynum
      ? `keynum index ${f.keynum.keynumidx} first ${f.keynum.firstkey} step ${f.keynum.step}`
      : "unknown",
    flags: [...k.flags].sort(),
  };
}

/** One of Kite's key specs, normalized the same way. */
export function normalKeySpec(k: KeySpec): NormalKeySpec {
  const b = k.begin as Record<string, unknown>;
  const f = k.find as Record<string, unknown>;
  const range = f.range as { last: number; step: number; limit: number } | undefined;
  const keynum = f.keynum as { index: number; first: number; step: number } | undefined;
  return {
    begin: typeof b.index === "number"
      ? `index ${b.index}`
      : typeof b.keyword === "string"
      ? `keyword ${b.keyword} from ${b.startFrom}`
      : "unknown",
    find: range
      ? `range last ${range.last} step ${range.step} limit ${range.limit}`
      : keynum
      ? `keynum index ${keynum.index} first ${keynum.first} step ${keynum.step}`
      : "unknown",
    flags: [...k.flags].sort(),
  };
}

/**
 * A Kite key spec built from a reference key spec (only the index/keyword + range/keynum forms,
 * which are all Kite's KeySpec type expresses).
 */
export function keySpecFromRef(k: RefKeySpec): KeySpec {
  const b = k.begin_search;
  const f = k.find_keys;
  if (!(b.index || b.keyword) || !(f.range || f.keynum)) {
    throw new TypeError(`Cannot convert a key spec with an unknown part: ${JSON.stringify(k)}`);
  }
  return {
    begin: b.index ? { index: b.index.pos } : { keyword: b.keyword!.keyword, startFrom: b.keyword!.startfrom },
    find: f.range
      ? { range: { last: f.range.lastkey, step: f.range.step, limit: f.range.limit } }
      : { keynum: { index: f.keynum!.keynumidx, first: f.keynum!.firstkey, step: f.keynum!.step } },
    flags: k.flags as KeySpec["flags"],
  };
}

/** A handler-less spec with the reference's key specs, for key-extraction tests. */
export function specFromRef(name: string): CommandSpec {
  const c = reference().get(name.toLowerCase());
  if (!c) throw new RangeError(`Cannot find "${name}" in the reference`);
  return {
    name: c.name,
    group: c.group as CommandSpec["group"],
    arity: c.arity,
    flags: refFlags(c) as unknown as CommandSpec["flags"],
    acl: refAcl(c),
    keys: (c.key_specs ?? []).map(keySpecFromRef),
    since: c.since,
  };
}
