/**
 * Glob matching with the rules of Valkey's `stringmatchlen`: `*`, `?`, `[abc]`, `[^a-z]`,
 * `\x` escapes. One implementation serves KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE and ACL
 * patterns, so they agree on every edge case.
 *
 * Compatibility rules copied on purpose (each one is observable from a client):
 * - An empty subject only matches an empty pattern: `**` does not match the key `""`. KEYS and
 *   SCAN special-case the pattern `*` before calling the matcher, which is why `KEYS *` still
 *   lists an empty key.
 * - An unterminated class ends at the end of the pattern: `[a` matches `a`.
 * - Range bounds compare as C `char`, which is signed: bytes 0x80-0xFF are negative, so
 *   `[a-\xff]` is the range [-1, 97] and matches `A`.
 * - An escaped character inside a class compares exactly, even in `nocase` mode.
 * - Recursion on `*` is bounded (nesting over 1000 fails the match), and once the rest of the
 *   pattern failed from every later position, outer stars stop trying longer matches. That
 *   pruning keeps patterns like `*a*a*a*a*b` linear-ish instead of exponential.
 *
 * @module
 */

/**
 * Matches `s` against `pattern`, both latin1 byte strings.
 * @param pattern the glob pattern
 * @param s the subject
 * @param nocase compare ASCII letters case-insensitively (CONFIG GET)
 * @returns whether the whole of `s` matches
 * @example
 * ```ts
 * globMatch("user:*", "user:42"); // true
 * globMatch("h[^e]llo", "hello"); // false
 * ```
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  const state = { skipLonger: false };
  return matchFrom(pattern, 0, s, 0, nocase, state, 0);
}

interface MatchState {
  /** Set when the pattern after some star failed from every remaining position. */
  skipLonger: boolean;
}

function matchFrom(
  p: string,
  pi: number,
  s: string,
  si: number,
  nocase: boolean,
  state: MatchState,
  nesting: number,
): boolean {
  if (nesting > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const c = p.charCodeAt(pi);
    if (c === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return true;
      // Valkey tries the rest of the pattern at every position that still has a character,
      // never at the very end of the subject.
      for (let k = si; k < slen; k++) {
        if (matchFrom(p, pi + 1, s, k, nocase, state, nesting + 1)) return true;
        if (state.skipLonger) return false;
      }
      state.skipLonger = true;
      return false;
    }
    if (c === 63 /* ? */) {
      si++;
    } else if (c === 91 /* [ */) {
      pi++;
      const not = pi < plen && p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      const ch = s.charCodeAt(si);
      while (true) {
        if (pi < plen && p.charCodeAt(pi) === 92 /* \ */ && plen - pi >= 2) {
          pi++;
          if (p.charCodeAt(pi) === ch) matched = true;
        } else if (pi < plen && p.charCodeAt(pi) === 93 /* ] */) {
          break;
        } else if (pi >= plen) {
          // The class runs to the end of the pattern: step back so the shared `pi++` below
          // lands exactly on the end.
          pi--;
          break;
        } else if (plen - pi >= 3 && p.charCodeAt(pi + 1) === 45 /* - */) {
          let lo = signedChar(p.charCodeAt(pi));
          let hi = signedChar(p.charCodeAt(pi + 2));
          let x = signedChar(ch);
          if (lo > hi) {
            const t = lo;
            lo = hi;
            hi = t;
          }
          if (nocase) {
            lo = lowerCode(lo);
            hi = lowerCode(hi);
            x = lowerCode(x);
          }
          pi += 2;
          if (x >= lo && x <= hi) matched = true;
        } else if (eq(p.charCodeAt(pi), ch, nocase)) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      si++;
    } else {
      if (c === 92 /* \ */ && plen - pi >= 2) pi++;
      if (!eq(p.charCodeAt(pi), s.charCodeAt(si), nocase)) return false;
      si++;
    }
    pi++;
    if (si === slen) {
      while (pi < plen && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi >= plen && si === slen;
}

/** A byte as C's signed `char` (x86 and most ABIs Valkey builds on). */
function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** ASCII `tolower`; Valkey runs in the C locale, so other bytes are unchanged. */
function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function eq(a: number, b: number, nocase: boolean): boolean {
  if (a === b) return true;
  return nocase && lowerCode(a) === lowerCode(b);
}
