/**
 * Bearer tokens: `Authorization: Bearer <token>` or `?_token=<token>`, a full-access token and a
 * read-only one. Until ACL users exist, each token stands for a fixed user: the full token for
 * `default`, the read-only token for `default_ro` (the name Upstash gives its read-only user),
 * whose permissions {@link readonlyAllows} defines.
 *
 * @module
 */
import type { Command } from "../commands/spec.ts";

/** What a request may do. */
export type Access = "full" | "readonly";

/** The tokens in force; an empty string means "not set". */
export interface Tokens {
  readonly full: string;
  readonly readonly: string;
}

/** The session user of each access level (CLIENT LIST `user=`, NOPERM texts). */
export const USER_OF: Readonly<Record<Access, string>> = { full: "default", readonly: "default_ro" };

/**
 * Finds the token a request presents. An `Authorization` header wins over `_token`; a header
 * that is not `Bearer <token>` is a failure, with no fallback to the query (uprest's rule).
 * @returns the token; "" when none is presented; null for a malformed header
 */
export function presentedToken(authorization: string | null, url: string): string | null {
  if (authorization !== null) {
    // Every request pays for this: the form the SDKs send, "Bearer " and a token of visible
    // ASCII, is taken without a regex; anything else gets the general rule below.
    if (authorization.length > 7 && authorization.startsWith("Bearer ")) {
      let plain = true;
      for (let i = 7; i < authorization.length && plain; i++) {
        const c = authorization.charCodeAt(i);
        plain = c > 0x20 && c < 0x7f;
      }
      if (plain) return authorization.slice(7);
    }
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
    return m === null ? null : m[1]!;
  }
  const q = url.indexOf("?");
  if (q < 0) return "";
  for (const part of url.slice(q + 1).split("&")) {
    if (part.startsWith("_token=")) {
      try {
        return decodeURIComponent(part.slice(7).replace(/\+/g, " "));
      } catch {
        return null;
      }
    }
  }
  return "";
}

/**
 * Decides a request's access.
 * @param token the presented token ({@link presentedToken})
 * @param tokens the configured tokens; with neither set, every request has full access
 * @returns the access level, or undefined when the request must be refused (401)
 */
export function authorize(token: string | null, tokens: Tokens): Access | undefined {
  if (tokens.full === "" && tokens.readonly === "") return "full";
  if (token === null || token === "") return undefined;
  if (tokens.full !== "" && safeEqual(token, tokens.full)) return "full";
  if (tokens.readonly !== "" && safeEqual(token, tokens.readonly)) return "readonly";
  return undefined;
}

/** String equality whose time does not depend on where the strings differ. */
export function safeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/**
 * The read-only token's permissions, the ACL rule `+@read +@connection +@pubsub -@write
 * -@admin -@dangerous` minus commands that may replicate (PUBLISH, SPUBLISH): reads, PING and
 * ECHO, and subscribing to channels; never a write, an administrative command or a dangerous read
 * such as KEYS. SCAN stays allowed (it is not `@dangerous` in Valkey), unlike on Upstash.
 */
export function readonlyAllows(cmd: Command): boolean {
  if (cmd.flags.has("write") || cmd.flags.has("may_replicate")) return false;
  const cats = cmd.aclCategories;
  if (cats.includes("admin") || cats.includes("dangerous")) return false;
  return cats.includes("read") || cats.includes("connection") || cats.includes("pubsub");
}
