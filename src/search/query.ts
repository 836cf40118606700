/**
 * The FT.SEARCH query language: the filter grammar (`*`, `@tag:{a|b*}`, `@num:[lo (hi]`, AND
 * as juxtaposition, OR `|`, NOT `-`, parentheses) and the `=>[KNN k @field $param ...]`
 * clause, parsed with valkey-search's rules and error texts (`filter_parser.cc`,
 * `ft_search_parser.cc`). Filters come out bound to the index's attribute indexes.
 *
 * @module
 */
import { ParseError, prefixed } from "./args.ts";
import { stripAscii } from "./fields.ts";
import type { NumericField, TagField } from "./fields.ts";
import type { NumericRange } from "./numeric.ts";
import type { Field } from "./fields.ts";

/** One query tag: exact, or a prefix when it ended with `*`. */
export interface QueryTag {
  readonly value: string;
  readonly prefix: boolean;
}

/** A parsed filter, bound to attribute indexes. */
export type Filter =
  | { readonly kind: "tag"; readonly field: TagField; readonly tags: readonly QueryTag[] }
  | { readonly kind: "num"; readonly field: NumericField; readonly range: NumericRange }
  | { readonly kind: "and"; readonly kids: readonly Filter[] }
  | { readonly kind: "or"; readonly kids: readonly Filter[] }
  | { readonly kind: "not"; readonly kid: Filter };

/** Looks an attribute up by the name queries use (its alias). */
export type FieldLookup = (alias: string) => Field | undefined;

/** valkey-search's defaults for the tag prefix length and nesting depth. */
const TAG_MIN_PREFIX = 2;
const MAX_DEPTH = 1000;
const MAX_TERMS = 1000;

/**
 * Parses a filter expression (the part before `=>`, or a whole non-vector query).
 * @returns undefined for "match everything" (`*`)
 * @throws {ParseError} with valkey-search's message (without the `Invalid filter expression` prefix)
 */
export function parseFilter(expression: string, lookup: FieldLookup): Filter | undefined {
  return new FilterParser(stripAscii(expression), lookup).parse();
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

class FilterParser {
  readonly #s: string;
  readonly #lookup: FieldLookup;
  #pos = 0;
  #nodes = 0;

  constructor(s: string, lookup: FieldLookup) {
    this.#s = s;
    this.#lookup = lookup;
  }

  parse(): Filter | undefined {
    if (this.#isMatchAll()) return undefined;
    this.#pos = 0;
    const f = this.#expression(0);
    if (!this.#end()) throw this.#unexpected(this.#pos);
    // An empty expression has no predicate: like `*`, it matches every document.
    return f;
  }

  #end(): boolean {
    return this.#pos >= this.#s.length;
  }

  #peek(): string {
    return this.#s[this.#pos]!;
  }

  #skipWs(): void {
    while (!this.#end() && isSpace(this.#peek())) this.#pos++;
  }

  #match(c: string, skipWs = true): boolean {
    if (skipWs) this.#skipWs();
    if (!this.#end() && this.#peek() === c) {
      this.#pos++;
      return true;
    }
    return false;
  }

  #matchInsensitive(word: string): boolean {
    const at = this.#pos;
    if (this.#s.slice(at, at + word.length).toLowerCase() === word) {
      this.#pos += word.length;
      return true;
    }
    return false;
  }

  #unexpected(pos: number): ParseError {
    return new ParseError(`Unexpected character at position ${pos + 1}: \`${this.#s.slice(pos, pos + 1)}\``);
  }

  // `*` alone, or `(*)`, means every document.
  #isMatchAll(): boolean {
    this.#pos = 0;
    let open = false;
    let close = false;
    let star = false;
    while (!this.#end()) {
      this.#skipWs();
      if (this.#match("*")) {
        if (star || close) throw this.#unexpected(this.#pos - 1);
        star = true;
      } else if (this.#match("(")) {
        if (star || close) throw this.#unexpected(this.#pos - 1);
        if (open) return false;
        open = true;
      } else if (this.#match(")")) {
        if (!close && star && open) close = true;
        else throw this.#unexpected(this.#pos - 1);
      } else {
        break;
      }
    }
    if (!star) return false;
    if (this.#end()) {
      if (open === close) return true;
      throw new ParseError("Missing `)`");
    }
    return false;
  }

  #expression(level: number): Filter | undefined {
    if (level >= MAX_DEPTH) throw new ParseError("Query string is too complex");
    let prev: Filter | undefined;
    this.#skipWs();
    while (!this.#end()) {
      if (this.#peek() === ")") break;
      const negate = this.#match("-");
      let pred: Filter;
      if (this.#match("(")) {
        const sub = this.#expression(level + 1);
        if (!this.#match(")")) {
          throw new ParseError(
            `Expected ')' after expression got '${this.#s.slice(this.#pos, this.#pos + 1)}'. Position: ${this.#pos}`,
          );
        }
        if (sub === undefined) throw new ParseError(`Empty brackets detected at Position: ${this.#pos - 1}`);
        pred = negate ? { kind: "not", kid: sub } : sub;
        prev = and(prev, pred);
      } else if (this.#match("|")) {
        if (negate) throw this.#unexpected(this.#pos - 1);
        const rest = this.#expression(level + 1);
        if (rest === undefined || prev === undefined) throw new ParseError("Missing OR term");
        prev = or(prev, rest);
      } else {
        if (this.#peek() !== "@") throw new ParseError("Index does not have any text field");
        const name = this.#fieldName();
        if (this.#match("[")) {
          pred = this.#numeric(name);
        } else if (this.#match("{")) {
          pred = this.#tag(name);
        } else {
          // `@field:word` is a full-text term; no attribute here is TEXT.
          throw new ParseError("Index does not have any text field");
        }
        this.#nodes++;
        pred = negate ? { kind: "not", kid: pred } : pred;
        prev = and(prev, pred);
      }
      this.#skipWs();
      if (this.#nodes > MAX_TERMS) {
        throw new ParseError(`Query string is too complex: max number of terms can't exceed ${MAX_TERMS}`);
      }
    }
    return prev;
  }

  #fieldName(): string {
    if (!this.#match("@")) {
      throw new ParseError(
        `Unexpected character at position ${this.#pos + 1}: \`${
          this.#s.slice(this.#pos, this.#pos + 1)
        }\`, expecting \`@\``,
      );
    }
    let name = "";
    while (!this.#end() && this.#peek() !== ":" && !isSpace(this.#peek())) name += this.#s[this.#pos++];
    this.#skipWs();
    if (this.#end() || this.#peek() !== ":") {
      throw new ParseError(
        `Unexpected character at position ${this.#pos + 1}: \`${
          this.#s.slice(this.#pos, this.#pos + 1)
        }\`, expecting \`:\``,
      );
    }
    this.#pos++;
    return name;
  }

  #number(): number {
    this.#skipWs();
    if (this.#matchInsensitive("-inf")) return -Infinity;
    if (this.#matchInsensitive("+inf") || this.#matchInsensitive("inf")) return Infinity;
    let str = "";
    if (!this.#end() && this.#peek() === "-") str += this.#s[this.#pos++];
    let expSeen = false;
    let signAllowed = false;
    while (!this.#end()) {
      const c = this.#peek();
      if ((c >= "0" && c <= "9") || c === ".") {
        str += this.#s[this.#pos++];
        signAllowed = false;
      } else if ((c === "e" || c === "E") && !expSeen) {
        str += this.#s[this.#pos++];
        expSeen = true;
        signAllowed = true;
      } else if ((c === "+" || c === "-") && signAllowed) {
        str += this.#s[this.#pos++];
        signAllowed = false;
      } else {
        break;
      }
    }
    if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(str)) return Number(str);
    throw new ParseError(`Invalid number: ${str}`);
  }

  #numeric(alias: string): Filter {
    const field = this.#lookup(alias);
    if (field === undefined || field.attr.type !== "NUMERIC") {
      throw new ParseError(`\`${alias}\` is not indexed as a numeric field`);
    }
    const loInclusive = !this.#match("(");
    const lo = this.#number();
    if (!this.#match(" ", false) && !this.#match(",")) {
      throw new ParseError(
        `Expected space or \`,\` between start and end values of a numeric field. Position: ${this.#pos}`,
      );
    }
    const hiInclusive = !this.#match("(");
    const hi = this.#number();
    if (!this.#match("]")) {
      throw new ParseError(`Expected ']' got '${this.#s.slice(this.#pos, this.#pos + 1)}'. Position: ${this.#pos}`);
    }
    if (lo > hi || (lo === hi && !(loInclusive && hiInclusive))) {
      throw new ParseError(
        `Start and end values of a numeric field indicate an empty range. Position: ${this.#pos}`,
      );
    }
    return { kind: "num", field: field as NumericField, range: { lo, loInclusive, hi, hiInclusive } };
  }

  #tag(alias: string): Filter {
    const field = this.#lookup(alias);
    if (field === undefined || field.attr.type !== "TAG") {
      throw new ParseError(`\`${alias}\` is not indexed as a tag field`);
    }
    this.#skipWs();
    const rest = this.#s.slice(this.#pos);
    let stop = -1;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === "\\" && i + 1 < rest.length) i++;
      else if (rest[i] === "}") {
        stop = i;
        break;
      }
    }
    if (stop < 0) throw new ParseError("Missing closing TAG bracket, '}'");
    this.#pos += stop + 1;
    const tagField = field as TagField;
    const tags = parseQueryTags(rest.slice(0, stop)).map((t) => ({
      value: tagField.norm(t.value),
      prefix: t.prefix,
    }));
    return { kind: "tag", field: tagField, tags };
  }
}

/** Splits the inside of `{...}` on unescaped `|`, with valkey-search's prefix rules. */
export function parseQueryTags(data: string): QueryTag[] {
  const out: QueryTag[] = [];
  const seen = new Set<string>();
  const insert = (raw: string) => {
    const tag = stripAscii(raw);
    if (tag.length === 0) return;
    let prefix = false;
    if (tag.endsWith("*")) {
      if (tag.length >= 2 && tag[tag.length - 2] === "*") {
        throw new ParseError(`Tag string \`${tag}\` ends with multiple *.`);
      }
      if (tag.length <= TAG_MIN_PREFIX) {
        throw new ParseError(`Tag string \`${tag}\` is too short for prefix wildcard.`);
      }
      prefix = true;
    }
    const body = unescape(prefix ? tag.slice(0, -1) : tag);
    const id = (prefix ? "*" : "=") + body;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ value: body, prefix });
  };
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === "\\" && i + 1 < data.length) i++;
    else if (data[i] === "|") {
      insert(data.slice(start, i));
      start = i + 1;
    }
  }
  insert(data.slice(start));
  return out;
}

function unescape(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) i++;
    out += s[i];
  }
  return out;
}

function and(prev: Filter | undefined, next: Filter): Filter {
  if (prev === undefined) return next;
  if (prev.kind === "and") return { kind: "and", kids: [...prev.kids, next] };
  return { kind: "and", kids: [prev, next] };
}

function or(prev: Filter, next: Filter): Filter {
  const kids: Filter[] = [];
  for (const f of [prev, next]) {
    if (f.kind === "or") kids.push(...f.kids);
    else kids.push(f);
  }
  return { kind: "or", kids };
}

/**
 * The `[KNN ...]` clause before parameter substitution: valkey-search substitutes (and parses
 * numbers) only once the whole query string is known to be well formed.
 */
export interface KnnClause {
  /** `k` as written (a number or `$param`). */
  readonly k: string;
  /** The vector attribute's alias (without `@`). */
  readonly field: string;
  /** The blob reference (`$param`). */
  readonly blob: string;
  /** EF_RUNTIME as written, or undefined. */
  readonly ef: string | undefined;
  /** AS name as written, or undefined. */
  readonly as: string | undefined;
}

/** PARAMS of a query: name -> [uses, value]. */
export type Params = Map<string, { uses: number; value: string }>;

/** Replaces `$name` by its PARAMS value (counting the use). */
export function substitute(params: Params, source: string): string {
  if (source.length === 0 || source[0] !== "$") return source;
  const name = source.slice(1);
  const p = params.get(name);
  if (p === undefined) throw new ParseError(`Parameter ${name} not found.`);
  p.uses++;
  return p.value;
}

/**
 * Parses the text after `=>`: `[KNN k @field $blob [EF_RUNTIME n] [AS name]]`.
 * @throws {ParseError} without the `Error parsing vector similarity parameters` prefix
 */
export function parseKnn(text: string): KnnClause {
  if (text.length === 0) throw new ParseError("Vector query clause is missing");
  let close = -1;
  for (let p = text.length; p > 0; p--) {
    if (text[p - 1] === "]") {
      close = p - 1;
      break;
    }
    if (!isSpace(text[p - 1]!)) throw new ParseError(`Expecting ']' got '${text[p - 1]}'`);
  }
  if (close < 0) throw new ParseError("Missing closing bracket");
  let open = -1;
  for (let p = 0; p < close; p++) {
    if (text[p] === "[") {
      open = p;
      break;
    }
    if (!isSpace(text[p]!)) throw new ParseError(`Expecting '[' got '${text[p]}'`);
  }
  if (open < 0) throw new ParseError("Missing opening bracket");
  const parts = text.slice(open + 1, close).split(" ").filter((s) => s.length > 0);
  if (parts.length === 0) throw new ParseError("Missing parameters");
  if (parts[0]!.toUpperCase() !== "KNN") throw new ParseError(`\`${parts[0]}\`. Expecting \`KNN\``);
  if (parts.length === 1) throw new ParseError("KNN argument is missing");
  const k = parts[1]!;
  if (parts.length === 2) throw new ParseError("Vector field argument is missing");
  const f = parts[2]!;
  if (f[0] !== "@" || f.length === 1) {
    throw new ParseError(`Unexpected argument \`${f}\`. Expecting a vector field name, starting with '@'`);
  }
  if (parts.length === 3) throw new ParseError("Blob attribute argument is missing");
  const blob = parts[3]!;
  let ef: string | undefined;
  let as: string | undefined;
  for (let i = 4; i < parts.length;) {
    const w = parts[i]!.toUpperCase();
    if (w === "EF_RUNTIME") {
      i++;
      if (i === parts.length) throw new ParseError("EF_RUNTIME argument is missing");
      ef = parts[i++]!;
    } else if (w === "AS") {
      i++;
      if (i === parts.length) throw new ParseError("AS argument is missing");
      as = parts[i++]!;
    } else {
      throw new ParseError(`Unexpected argument \`${parts[i]}\``);
    }
  }
  return { k, field: f.slice(1), blob, ef, as };
}

/**
 * Splits a query at `=>`: [filter text, knn text] or [filter text, undefined], each stripped of
 * ASCII whitespace (error messages quote the stripped filter, as valkey-search's do).
 */
export function splitQuery(query: string): [string, string | undefined] {
  const at = query.indexOf("=>");
  if (at < 0) return [stripAscii(query), undefined];
  return [stripAscii(query.slice(0, at)), stripAscii(query.slice(at + 2))];
}

/** Wraps filter errors with valkey-search's prefix. */
export function parseFilterWithPrefix(filter: string, lookup: FieldLookup): Filter | undefined {
  return prefixed(`Invalid filter expression: \`${filter}\`. `, () => parseFilter(filter, lookup));
}
