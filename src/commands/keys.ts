/**
 * Key extraction from key specs (Valkey's `getKeysUsingKeySpecs`). The key specs are the only
 * source of key positions: ACL, cluster slots, COMMAND GETKEYS and client tracking use this.
 * Commands whose keys no spec can describe (SORT's `STORE`) supply a `getKeys` function, as
 * Valkey's `getkeys_proc`.
 *
 * @module
 */
import type { CommandSpec, KeyFlag, KeySpec } from "./spec.ts";
import { parseInt64 } from "../util/number.ts";

/** A key position with the flags of the spec that found it. */
export interface FoundKey {
  readonly pos: number;
  readonly flags: readonly KeyFlag[];
}

/**
 * Every key a command line names.
 * @param strict COMMAND GETKEYS semantics: null when a spec cannot be resolved (a bad key
 *   count, keys past the end, an unknown or INCOMPLETE spec) instead of the keys found so far
 */
export function findKeys(spec: CommandSpec, argv: readonly string[], strict = false): FoundKey[] | null {
  if (spec.getKeys !== undefined) return spec.getKeys(argv);
  const out: FoundKey[] = [];
  for (const ks of spec.keys) {
    if (!keysOfSpec(ks, argv, out, strict)) {
      if (strict) return null;
    }
  }
  return out;
}

/** Positions in argv of every key the command touches, in spec order (best effort). */
export function getKeyPositions(spec: CommandSpec, argv: readonly string[]): number[] {
  return (findKeys(spec, argv) ?? []).map((k) => k.pos);
}

/** The keys (not positions) the command touches. */
export function getKeys(spec: CommandSpec, argv: readonly string[]): string[] {
  return getKeyPositions(spec, argv).map((i) => argv[i]!);
}

/** Appends the keys of one spec; false when the spec could not be fully resolved. */
function keysOfSpec(ks: KeySpec, argv: readonly string[], out: FoundKey[], strict: boolean): boolean {
  const argc = argv.length;
  let first: number;
  if ("index" in ks.begin) {
    first = ks.begin.index;
  } else if ("keyword" in ks.begin) {
    const { keyword, startFrom } = ks.begin;
    const kw = keyword.toLowerCase();
    first = -1;
    if (startFrom >= 0) {
      for (let i = startFrom; i < argc; i++) {
        if (argv[i]!.toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
    } else {
      for (let i = argc + startFrom; i > 0; i--) {
        if (argv[i]!.toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
    }
    // A keyword that is absent names no keys; that is not an error.
    if (first < 0) return true;
  } else {
    return false;
  }
  let last: number;
  let step: number;
  if ("range" in ks.find) {
    const r = ks.find.range;
    step = r.step;
    if (r.last >= 0) last = first + r.last;
    else if (r.limit <= 1) last = argc + r.last;
    // A limit divides the remaining arguments (Valkey: `(argc - first) / limit`).
    else last = first + Math.floor((argc - first) / r.limit) + r.last;
  } else if ("keynum" in ks.find) {
    const r = ks.find.keynum;
    step = r.step;
    if (first + r.index >= argc) return false;
    const n = parseInt64(argv[first + r.index]!);
    if (n === null || n < 0) return false;
    if (n === 0) return true;
    first += r.first;
    last = first + (Number(n) - 1) * step;
  } else {
    return false;
  }
  if (strict && (last >= argc || last < first || first >= argc)) return false;
  for (let i = first; i <= last && i < argc; i += step) out.push({ pos: i, flags: ks.flags });
  return !ks.flags.includes("INCOMPLETE");
}
