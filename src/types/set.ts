/**
 * The set type's value (no keyspace, no replies) and the set algebra behind SINTER, SUNION,
 * SDIFF and their STORE forms.
 *
 * A set is stored in one of Valkey's three shapes, which also decide OBJECT ENCODING and the
 * order in which members come back:
 * - `intset`: only canonical int64 strings (`string2ll`), kept sorted by numeric value in an
 *   array (binary search), so SMEMBERS of an intset answers in ascending order as Valkey does.
 * - `listpack`: small sets, an array in insertion order searched linearly.
 * - `hashtable`: a {@link ScanMap} (O(1) membership, uniform random members for SPOP and
 *   SRANDMEMBER, stateless SSCAN cursors).
 *
 * Conversions follow Valkey's `setTypeAddAux` exactly, because OBJECT ENCODING exposes them:
 * an intset becomes a listpack when a non-integer arrives while it is small enough
 * (`set-max-listpack-entries`, `set-max-listpack-value`), otherwise a hashtable; an intset that
 * outgrows `set-max-intset-entries` becomes a hashtable; a listpack becomes a hashtable when it
 * outgrows the listpack limits. Removing members never converts back.
 *
 * @module
 */
import type { ObjectValue } from "../keyspace/db.ts";
import { ScanMap } from "../keyspace/scan.ts";
import { parseInt64 } from "../util/number.ts";

/** The thresholds that decide a set's encoding. */
export interface SetLimits {
  /** `set-max-intset-entries`. */
  readonly maxIntsetEntries: number;
  /** `set-max-listpack-entries`. */
  readonly maxListpackEntries: number;
  /** `set-max-listpack-value`: longest member (bytes) a listpack set may hold. */
  readonly maxListpackValue: number;
}

const INTSET = 0;
const LISTPACK = 1;
const HASHTABLE = 2;
type Enc = typeof INTSET | typeof LISTPACK | typeof HASHTABLE;

/** Valkey caps intsets at 2^30 entries whatever the configuration says. */
const INTSET_HARD_LIMIT = 1 << 30;

/** True when `s` is an int64 in canonical form, i.e. what an intset can hold. */
export function isIntsetMember(s: string): boolean {
  return s.length <= 20 && parseInt64(s) !== null;
}

/**
 * Numeric order of two canonical int64 strings: the sign first, then the length, then the
 * digits (same-length canonical numbers of one sign compare like their text).
 */
function cmpInt(a: string, b: string): number {
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  if (an !== bn) return an ? -1 : 1;
  if (a.length !== b.length) return (a.length < b.length) !== an ? -1 : 1;
  if (a === b) return 0;
  return (a < b) !== an ? -1 : 1;
}

/** Index of `m` in a sorted intset array, or `-(insertion point) - 1`. */
function intsetSearch(a: readonly string[], m: string): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmpInt(a[mid]!, m);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

function intsetMax(limits: SetLimits): number {
  return Math.min(limits.maxIntsetEntries, INTSET_HARD_LIMIT);
}

/** A set value (TYPE `set`). */
export class SetValue implements ObjectValue {
  /** Always `set`. */
  readonly type = "set" as const;
  #enc: Enc = INTSET;
  /** Sorted members (intset), insertion-ordered members (listpack), or the hashtable. */
  #d: string[] | ScanMap<true> = [];

  /**
   * The set SADD or SMOVE creates for a missing key, sized by Valkey's `setTypeCreate` rule:
   * an intset when the first member is an integer and `sizeHint` fits an intset, a listpack
   * when `sizeHint` fits a listpack, a hashtable otherwise.
   * @param first the first member to be added (not added here)
   * @param sizeHint how many members are about to be added (duplicates included)
   */
  static create(first: string, sizeHint: number, limits: SetLimits): SetValue {
    const s = new SetValue();
    if (isIntsetMember(first) && sizeHint <= limits.maxIntsetEntries) return s;
    if (sizeHint <= limits.maxListpackEntries) {
      s.#enc = LISTPACK;
    } else {
      s.#enc = HASHTABLE;
      s.#d = new ScanMap<true>();
    }
    return s;
  }

  /** An empty intset-encoded set, the starting point of SUNIONSTORE/SDIFFSTORE results. */
  static empty(): SetValue {
    return new SetValue();
  }

  /** Number of members. */
  get size(): number {
    const d = this.#d;
    return Array.isArray(d) ? d.length : d.size;
  }

  /** Valkey's OBJECT ENCODING name: `intset`, `listpack` or `hashtable`. */
  encoding(): string {
    return this.#enc === INTSET ? "intset" : this.#enc === LISTPACK ? "listpack" : "hashtable";
  }

  /**
   * Converts to a hashtable ahead of adding `sizeHint` members when they could not fit the
   * current shape (Valkey's `setTypeMaybeConvert`, used by SADD on an existing set).
   */
  reserve(sizeHint: number, limits: SetLimits): void {
    if (
      (this.#enc === LISTPACK && sizeHint > limits.maxListpackEntries) ||
      (this.#enc === INTSET && sizeHint > limits.maxIntsetEntries)
    ) {
      this.#toHashtable();
    }
  }

  /** Whether `m` is a member. */
  has(m: string): boolean {
    const d = this.#d;
    if (!Array.isArray(d)) return d.has(m);
    if (this.#enc === LISTPACK) return d.indexOf(m) >= 0;
    return isIntsetMember(m) && intsetSearch(d, m) >= 0;
  }

  /**
   * Adds `m`, converting the encoding as Valkey does.
   * @returns true when `m` was not a member
   */
  add(m: string, limits: SetLimits): boolean {
    let d = this.#d;
    if (this.#enc === INTSET) {
      const a = d as string[];
      if (isIntsetMember(m)) {
        const i = intsetSearch(a, m);
        if (i >= 0) return false;
        a.splice(-i - 1, 0, m);
        if (a.length > intsetMax(limits)) this.#toHashtable();
        return true;
      }
      // A non-integer: a listpack if everything (the longest integer too) fits one.
      const n = a.length;
      const widest = n === 0 ? 0 : Math.max(a[0]!.length, a[n - 1]!.length);
      if (n < limits.maxListpackEntries && m.length <= limits.maxListpackValue && widest <= limits.maxListpackValue) {
        this.#enc = LISTPACK;
        a.push(m);
        return true;
      }
      d = this.#toHashtable();
    } else if (this.#enc === LISTPACK) {
      const a = d as string[];
      if (a.indexOf(m) >= 0) return false;
      if (a.length < limits.maxListpackEntries && m.length <= limits.maxListpackValue) {
        a.push(m);
        return true;
      }
      d = this.#toHashtable();
    }
    const h = d as ScanMap<true>;
    if (h.has(m)) return false;
    h.insert(m, true);
    return true;
  }

  /** Removes `m`. @returns whether it was a member */
  remove(m: string): boolean {
    const d = this.#d;
    if (!Array.isArray(d)) return d.delete(m);
    const i = this.#enc === LISTPACK ? d.indexOf(m) : isIntsetMember(m) ? intsetSearch(d, m) : -1;
    if (i < 0) return false;
    d.splice(i, 1);
    return true;
  }

  /**
   * Calls `fn` for every member in iteration order (ascending for an intset, insertion order
   * otherwise). `fn` must not modify this set.
   */
  forEach(fn: (m: string) => void): void {
    const d = this.#d;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i++) fn(d[i]!);
    } else {
      d.scan(0, Number.MAX_SAFE_INTEGER, fn);
    }
  }

  /** Every member, in iteration order. */
  *[Symbol.iterator](): IterableIterator<string> {
    const d = this.#d;
    if (Array.isArray(d)) yield* d.slice();
    else yield* d.keys();
  }

  /** The members as an array, in iteration order. */
  toArray(): string[] {
    const d = this.#d;
    if (Array.isArray(d)) return d.slice();
    const out: string[] = [];
    d.scan(0, Number.MAX_SAFE_INTEGER, (m) => out.push(m));
    return out;
  }

  /** A uniformly random member; the set must not be empty. */
  random(rand: () => number): string {
    const d = this.#d;
    if (Array.isArray(d)) return d[Math.floor(rand() * d.length)]!;
    return d.keyAt(d.randomSlot(rand))!;
  }

  /** Removes and returns a uniformly random member; the set must not be empty. */
  pop(rand: () => number): string {
    const d = this.#d;
    if (Array.isArray(d)) return d.splice(Math.floor(rand() * d.length), 1)[0]!;
    const m = d.keyAt(d.randomSlot(rand))!;
    d.delete(m);
    return m;
  }

  /**
   * SPOP with `0 < count < size`: removes `count` random members and returns them, with
   * Valkey's two strategies. When few members are taken they are removed one by one (in one
   * ordered pass for a listpack); when most are taken, the members that stay are drawn instead
   * and moved to a fresh set (intset or listpack, re-converted by the usual rules, so a popped
   * hashtable can shrink back to a listpack exactly as in Valkey).
   */
  popMany(count: number, rand: () => number, limits: SetLimits): string[] {
    const size = this.size;
    const remaining = size - count;
    const d = this.#d;
    if (remaining * 5 > count) {
      if (this.#enc === LISTPACK) {
        const a = d as string[];
        const out: string[] = [];
        const keep: string[] = [];
        let need = count;
        for (let i = 0; i < a.length; i++) {
          if (need > 0 && rand() * (a.length - i) < need) {
            out.push(a[i]!);
            need--;
          } else {
            keep.push(a[i]!);
          }
        }
        this.#d = keep;
        return out;
      }
      const out: string[] = [];
      for (let i = 0; i < count; i++) out.push(this.pop(rand));
      return out;
    }
    // Draw the survivors.
    if (this.#enc === LISTPACK) {
      const a = d as string[];
      const keep: string[] = [];
      const out: string[] = [];
      let need = remaining;
      for (let i = 0; i < a.length; i++) {
        if (need > 0 && rand() * (a.length - i) < need) {
          keep.push(a[i]!);
          need--;
        } else {
          out.push(a[i]!);
        }
      }
      this.#d = keep;
      return out;
    }
    // Valkey starts the new set as an intset for an intset, as a listpack for a hashtable.
    const fresh = new SetValue();
    if (this.#enc === HASHTABLE) fresh.#enc = LISTPACK;
    for (let i = 0; i < remaining; i++) fresh.add(this.pop(rand), limits);
    const out = this.toArray();
    this.#enc = fresh.#enc;
    this.#d = fresh.#d;
    return out;
  }

  /**
   * SRANDMEMBER with a count, following Valkey's strategies: with `unique` false (negative
   * count) `count` independent picks; with `unique` true, `min(count, size)` distinct members:
   * the whole set in iteration order when `count >= size`, a sample in listpack order for a
   * listpack, otherwise a random subset.
   */
  randomMembers(count: number, unique: boolean, rand: () => number): string[] {
    const out: string[] = [];
    const size = this.size;
    if (count === 0 || size === 0) return out;
    const d = this.#d;
    if (!unique || count === 1) {
      for (let i = 0; i < count; i++) out.push(this.random(rand));
      return out;
    }
    if (count >= size) return this.toArray();
    if (this.#enc === LISTPACK) {
      const a = d as string[];
      let need = count;
      for (let i = 0; i < size && need > 0; i++) {
        if (rand() * (size - i) < need) {
          out.push(a[i]!);
          need--;
        }
      }
      return out;
    }
    if (count * 3 > size) {
      const all = this.toArray();
      for (let i = 0; i < count; i++) {
        const j = i + Math.floor(rand() * (all.length - i));
        const m = all[j]!;
        all[j] = all[i]!;
        all[i] = m;
        out.push(m);
      }
      return out;
    }
    const seen = new Set<string>();
    while (seen.size < count) {
      const m = this.random(rand);
      if (seen.has(m)) continue;
      seen.add(m);
      out.push(m);
    }
    return out;
  }

  /**
   * One SSCAN step. Intsets and listpacks are returned whole with cursor 0, as Valkey does; a
   * hashtable is walked with {@link ScanMap.scan}'s stateless cursor.
   * @param visit receives each sampled member; must not modify this set
   * @returns the next cursor, 0 when done
   */
  scan(cursor: number, count: number, visit: (m: string) => void): number {
    const d = this.#d;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i++) visit(d[i]!);
      return 0;
    }
    return d.scan(cursor, count, visit);
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): SetValue {
    const c = new SetValue();
    c.#enc = this.#enc;
    const d = this.#d;
    if (Array.isArray(d)) {
      c.#d = d.slice();
    } else {
      const m = new ScanMap<true>();
      d.scan(0, Number.MAX_SAFE_INTEGER, (k) => m.insert(k, true));
      c.#d = m;
    }
    return c;
  }

  /**
   * SINTERSTORE's result, shaped as Valkey builds it: it starts as an intset when the smallest
   * operand is one and as a listpack otherwise, grows by the usual conversion rules, and ends
   * as an intset when every member is an integer and it fits one (`maybeConvertToIntset`).
   * @param members the intersection, non-empty
   * @param startAsIntset whether the smallest operand is an intset
   */
  static fromIntersection(members: readonly string[], startAsIntset: boolean, limits: SetLimits): SetValue {
    const s = new SetValue();
    if (!startAsIntset) s.#enc = LISTPACK;
    let allIntegers = true;
    for (const m of members) {
      if (allIntegers && !isIntsetMember(m)) allIntegers = false;
      s.add(m, limits);
    }
    if (allIntegers && s.#enc !== INTSET && s.size <= intsetMax(limits)) {
      s.#d = s.toArray().sort(cmpInt);
      s.#enc = INTSET;
    }
    return s;
  }

  /**
   * Calls `fn` for members in iteration order until it returns true. `fn` must not modify
   * this set.
   */
  some(fn: (m: string) => boolean): boolean {
    const d = this.#d;
    if (Array.isArray(d)) {
      for (let i = 0; i < d.length; i++) if (fn(d[i]!)) return true;
      return false;
    }
    for (const m of d.keys()) if (fn(m)) return true;
    return false;
  }

  #toHashtable(): ScanMap<true> {
    const d = this.#d;
    if (!Array.isArray(d)) return d;
    const m = new ScanMap<true>();
    for (let i = 0; i < d.length; i++) m.insert(d[i]!, true);
    this.#enc = HASHTABLE;
    this.#d = m;
    return m;
  }
}

// ---------------------------------------------------------------------------------------------
// Set algebra
// ---------------------------------------------------------------------------------------------

/** Sets of an SINTER-like command: a missing key is `undefined` (an empty set). */
export type SetOperands = readonly (SetValue | undefined)[];

/** The operands sorted smallest first, as Valkey orders them before intersecting. */
function bySize(sets: readonly SetValue[]): SetValue[] {
  return sets.slice().sort((a, b) => a.size - b.size);
}

/**
 * SINTER / SINTERCARD: the members of the smallest set that every other set holds, in the
 * smallest set's order. Stops after `limit` members when `limit` > 0.
 */
export function intersect(sets: SetOperands, limit = 0): string[] {
  const out: string[] = [];
  if (sets.some((s) => s === undefined)) return out;
  const sorted = bySize(sets as readonly SetValue[]);
  const first = sorted[0];
  if (first === undefined) return out;
  first.some((m) => {
    for (let j = 1; j < sorted.length; j++) {
      const s = sorted[j]!;
      if (s !== first && !s.has(m)) return false;
    }
    out.push(m);
    return limit > 0 && out.length >= limit;
  });
  return out;
}

/** SINTERSTORE's result set (see {@link SetValue.fromIntersection}); empty when nothing is shared. */
export function intersectStore(sets: SetOperands, limits: SetLimits): SetValue {
  const members = intersect(sets);
  if (members.length === 0) return SetValue.empty();
  const smallest = bySize(sets as readonly SetValue[])[0]!;
  return SetValue.fromIntersection(members, smallest.encoding() === "intset", limits);
}

/**
 * SUNION / SUNIONSTORE: every member of every set, collected into a set that starts as an
 * intset and converts as members arrive (so the result's order and encoding match Valkey's).
 */
export function union(sets: SetOperands, limits: SetLimits): SetValue {
  const dst = SetValue.empty();
  for (const s of sets) s?.forEach((m) => dst.add(m, limits));
  return dst;
}

/**
 * SDIFF / SDIFFSTORE: the members of the first set that no other set holds. Valkey picks one
 * of two algorithms by estimated work (walk the first set probing the others, or copy the
 * first set and remove the others' members); both are mirrored because the second can leave
 * the result in a larger encoding than its final size needs.
 */
export function difference(sets: SetOperands, limits: SetLimits): SetValue {
  const dst = SetValue.empty();
  const first = sets[0];
  if (first === undefined) return dst;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return dst;
  let algoOne = 0;
  let algoTwo = 0;
  for (const s of sets) {
    if (s === undefined) continue;
    algoOne += first.size;
    algoTwo += s.size;
  }
  algoOne = Math.floor(algoOne / 2);
  if (algoOne <= algoTwo) {
    // Probing bigger sets first finds a shared member sooner.
    const rest = (sets.slice(1).filter((s) => s !== undefined) as SetValue[]).sort((a, b) => b.size - a.size);
    first.forEach((m) => {
      for (const s of rest) if (s.has(m)) return;
      dst.add(m, limits);
    });
    return dst;
  }
  first.forEach((m) => dst.add(m, limits));
  for (let j = 1; j < sets.length && dst.size > 0; j++) {
    const s = sets[j];
    if (s === undefined) continue;
    s.forEach((m) => dst.remove(m));
  }
  return dst;
}
