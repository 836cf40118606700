/**
 * Glob matching with the rules of Valkey's `stringmatchlen`: `*`, `?`, `[abc]`, `[^a-z]`,
 * `\x` escapes. One implementation serves KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE and ACL
 * patterns, so they agree on every edge case.
 *
 * @module
 */

/**
 * Matches `s` against `pattern`.
 * @param nocase compare ASCII letters case-insensitively (CONFIG GET)
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  // Valkey bounds recursion with a nesting limit; an iterative backtracking matcher with one
  // saved star position is linear in practice and cannot blow the stack.
  return matchFrom(pattern, 0, s, 0, nocase, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): boolean {
  if (depth > 1000) return false;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen) {
    const c = p[pi]!;
    if (c === "*") {
      while (pi + 1 < plen && p[pi + 1] === "*") pi++;
      if (pi + 1 === plen) return true;
      for (let k = si; k <= slen; k++) {
        if (matchFrom(p, pi + 1, s, k, nocase, depth + 1)) return true;
      }
      return false;
    }
    if (si >= slen) return false;
    if (c === "?") {
      pi++;
      si++;
      continue;
    }
    if (c === "[") {
      pi++;
      const not = p[pi] === "^";
      if (not) pi++;
      let matched = false;
      const ch = s[si]!;
      while (true) {
        if (pi >= plen) {
          // An unterminated class: Valkey treats the end of the pattern as closing it.
          pi--;
          break;
        }
        const pc = p[pi]!;
        if (pc === "\\" && pi + 2 <= plen) {
          pi++;
          if (eq(p[pi]!, ch, nocase)) matched = true;
        } else if (pc === "]") {
          break;
        } else if (pi + 2 < plen && p[pi + 1] === "-") {
          let lo = p[pi]!.charCodeAt(0);
          let hi = p[pi + 2]!.charCodeAt(0);
          if (lo > hi) [lo, hi] = [hi, lo];
          let x = ch.charCodeAt(0);
          if (nocase) {
            lo = lowerCode(lo);
            hi = lowerCode(hi);
            x = lowerCode(x);
          }
          pi += 2;
          if (x >= lo && x <= hi) matched = true;
        } else if (eq(pc, ch, nocase)) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return false;
      pi++;
      si++;
      continue;
    }
    if (c === "\\" && pi + 1 < plen) {
      pi++;
    }
    if (!eq(p[pi]!, s[si]!, nocase)) return false;
    pi++;
    si++;
  }
  return si === slen;
}

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function eq(a: string, b: string, nocase: boolean): boolean {
  if (a === b) return true;
  return nocase && lowerCode(a.charCodeAt(0)) === lowerCode(b.charCodeAt(0));
}
