/**
 * Key extraction from key specs (Valkey's `getKeysUsingKeySpecs`). The key specs are the only
 * source of key positions: ACL, cluster slots, COMMAND GETKEYS and client tracking use this.
 *
 * @module
 */
import type { CommandSpec, KeySpec } from "./spec.ts";

/** Positions in argv of every key the command touches, in spec order. */
export function getKeyPositions(spec: CommandSpec, argv: readonly string[]): number[] {
  const out: number[] = [];
  for (const ks of spec.keys) keysOfSpec(ks, argv, out);
  return out;
}

/** The keys (not positions) the command touches. */
export function getKeys(spec: CommandSpec, argv: readonly string[]): string[] {
  return getKeyPositions(spec, argv).map((i) => argv[i]!);
}

function keysOfSpec(ks: KeySpec, argv: readonly string[], out: number[]): void {
  const argc = argv.length;
  let first: number;
  if ("index" in ks.begin) {
    first = ks.begin.index;
  } else {
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
    if (first < 0) return;
  }
  if (first >= argc) return;
  if ("range" in ks.find) {
    const { last, step, limit } = ks.find.range;
    let lastIdx: number;
    if (last >= 0) {
      lastIdx = first + last;
    } else if (limit <= 1) {
      lastIdx = argc + last;
    } else {
      // A limit divides the remaining arguments (Valkey: `(argc - first) / limit`).
      lastIdx = first + Math.floor((argc - first) / limit) - 1;
    }
    for (let i = first; i <= lastIdx && i < argc; i += step) out.push(i);
    return;
  }
  if ("keynum" in ks.find) {
    const { index, first: firstKey, step } = ks.find.keynum;
    const numIdx = first + index;
    if (numIdx >= argc) return;
    const n = Number(argv[numIdx]);
    if (!Number.isInteger(n) || n < 0) return;
    const start = numIdx + firstKey;
    for (let i = 0; i < n; i++) {
      const pos = start + i * step;
      if (pos >= argc) return;
      out.push(pos);
    }
  }
}
