/**
 * FT.CREATE: the index definition and its parser, with valkey-search's rules, limits and error
 * texts (`ft_create_parser.cc`). Options valkey-search rejects are rejected here too.
 *
 * @module
 */
import type { Metric } from "../vector/distance.ts";
import { Args, ParseError, prefixed, toDouble, toInt } from "./args.ts";

/** A VECTOR attribute. */
export interface VectorAttribute {
  readonly type: "VECTOR";
  readonly identifier: string;
  readonly alias: string;
  readonly algorithm: "HNSW" | "FLAT";
  readonly dim: number;
  readonly metric: Metric;
  readonly dataType: "FLOAT32";
  readonly initialCap: number;
  /** HNSW only. */
  readonly m: number;
  readonly efConstruction: number;
  readonly efRuntime: number;
  /** FLAT only. */
  readonly blockSize: number;
}

/** A TAG attribute. */
export interface TagAttribute {
  readonly type: "TAG";
  readonly identifier: string;
  readonly alias: string;
  readonly separator: string;
  readonly caseSensitive: boolean;
}

/** A NUMERIC attribute. */
export interface NumericAttribute {
  readonly type: "NUMERIC";
  readonly identifier: string;
  readonly alias: string;
}

/** One schema attribute. */
export type Attribute = VectorAttribute | TagAttribute | NumericAttribute;

/** A parsed FT.CREATE. */
export interface IndexDefinition {
  readonly name: string;
  readonly keyType: "HASH";
  readonly prefixes: readonly string[];
  readonly score: number;
  readonly scoreField: string;
  readonly skipInitialScan: boolean;
  readonly attributes: readonly Attribute[];
}

/**
 * valkey-search's limits: the defaults of its `max-prefixes`, `max-vector-dimensions`,
 * `max-vector-m`, `max-vector-ef-construction`, `max-vector-ef-runtime`,
 * `max-tag-field-length`, `max-numeric-field-length`, `max-vector-attributes` and
 * `max-vector-knn` configs, and its default and largest TIMEOUT.
 */
export const LIMITS = {
  maxPrefixes: 8,
  maxDimensions: 32768,
  maxM: 2000000,
  maxEfConstruction: 4096,
  maxEfRuntime: 4096,
  maxTagFieldLength: 256,
  maxNumericFieldLength: 128,
  maxAttributes: 50,
  maxKnn: 10000,
  defaultTimeoutMs: 50000,
  maxTimeoutMs: 60000,
} as const;

// valkey-search's default punctuation: an alias may contain none of these.
const PUNCTUATION = ",.<>{}[]\"':;!@#$%^&*()-+=~/\\|?`";

/** The `{tag}` of a name, as cluster hash tags are read, or undefined. */
export function hashTag(s: string): string | undefined {
  const open = s.indexOf("{");
  if (open < 0) return undefined;
  const close = s.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return undefined;
  return s.slice(open + 1, close);
}

function notSupported(param: string): ParseError {
  return new ParseError(`The parameter \`${param}\` is not supported`);
}

function range(v: number, min: number | undefined, max: number | undefined, note: string): void {
  if (min !== undefined && v < min) throw new ParseError(`Invalid range: Value below minimum; ${note}`);
  if (max !== undefined && v > max) throw new ParseError(`Invalid range: Value above maximum; ${note}`);
}

function enumOf<T extends string>(s: string, allowed: readonly T[]): T {
  if (s.length === 0) throw new ParseError("Argument value is empty");
  const u = s.toUpperCase();
  for (const a of allowed) if (a === u) return a;
  throw new ParseError(`Unknown argument \`${s}\``);
}

/** `Bad arguments for KEY: ...` around the value parse of a `KEY value` parameter. */
function param<T>(key: string, it: Args, parse: (v: string) => T): T {
  return prefixed(`Bad arguments for ${key}: `, () => parse(it.next()));
}

/**
 * Parses `FT.CREATE` arguments after the command name.
 * @throws {ParseError} with valkey-search's message
 */
export function parseCreate(argv: readonly string[]): IndexDefinition {
  const it = new Args(argv, 1);
  const name = it.next();
  if (it.popIf("ON")) {
    const on = param("ON", it, (v) => enumOf(v, ["HASH", "JSON"] as const));
    // JSON indexes need the JSON module, which this server does not have.
    if (on === "JSON") throw new ParseError("JSON module is not loaded.");
  }
  const prefixes: string[] = [];
  const tag = hashTag(name);
  if (it.popIf("PREFIX")) {
    const n = param("PREFIX", it, (v) => toInt(v, false));
    if (n > it.left) throw new ParseError(`Bad arguments for PREFIX: \`${n}\` is outside acceptable bounds`);
    range(
      n,
      undefined,
      LIMITS.maxPrefixes,
      `Number of prefixes (${n}) exceeds the maximum allowed (${LIMITS.maxPrefixes})`,
    );
    for (let i = 0; i < n; i++) {
      const p = it.next();
      const t = hashTag(p);
      if (tag !== undefined) {
        if (t !== tag) throw new ParseError("All PREFIX arguments must contain the same hash tag as the index");
      } else if (t !== undefined) {
        throw new ParseError("PREFIX argument(s) must not contain a hash tag");
      }
      prefixes.push(p);
    }
  } else if (tag !== undefined) {
    throw new ParseError("PREFIX parameter is required for hash-tagged indexes");
  }
  if (it.hasNext && it.peek().toUpperCase() === "FILTER") throw notSupported("FILTER");
  let score = 1;
  let scoreField = "";
  let skipInitialScan = false;
  // Index-level options in any order until SCHEMA.
  while (it.hasNext) {
    const word = it.peek().toUpperCase();
    if (word === "SCHEMA") break;
    if (word === "SCORE") {
      it.skip(1);
      const v = param("SCORE", it, (s) => {
        const d = toDouble(s);
        if (d === undefined) throw new ParseError(`${s} is not a valid float`);
        return d;
      });
      if (v < 0 || v > 1) {
        throw new ParseError(
          `\`SCORE\` parameter with a value \`${v}\` is not supported. The value must be between 0.0 and 1.0`,
        );
      }
      score = v;
    } else if (word === "SCORE_FIELD") {
      it.skip(1);
      scoreField = param("SCORE_FIELD", it, (s) => s);
    } else if (word === "LANGUAGE") {
      it.skip(1);
      param("LANGUAGE", it, (v) => enumOf(v, ["ENGLISH"] as const));
    } else if (word === "LANGUAGE_FIELD") {
      throw notSupported("LANGUAGE_FIELD");
    } else if (word === "PAYLOAD_FIELD") {
      throw notSupported("PAYLOAD_FIELD");
    } else if (word === "SKIPINITIALSCAN") {
      it.skip(1);
      skipInitialScan = true;
    } else {
      break;
    }
  }
  const schema = it.next();
  if (schema.toUpperCase() !== "SCHEMA") {
    throw new ParseError(`Unexpected parameter \`${schema}\`, expecting \`SCHEMA\``);
  }
  if (!it.hasNext) throw new ParseError("Index schema must have at least one attribute");
  const attributes: Attribute[] = [];
  const identifiers = new Set<string>();
  while (it.hasNext) {
    const identifier = it.next();
    const attr = prefixed(`Invalid field type for field \`${identifier}\`: `, () => parseAttribute(it, identifier));
    if (identifiers.has(identifier)) throw new ParseError(`Duplicate field in schema - ${identifier}`);
    range(
      identifiers.size + 1,
      undefined,
      LIMITS.maxAttributes,
      `The maximum number of attributes cannot exceed ${LIMITS.maxAttributes}.`,
    );
    identifiers.add(identifier);
    attributes.push(attr);
  }
  return { name, keyType: "HASH", prefixes, score, scoreField, skipInitialScan, attributes };
}

function parseAttribute(it: Args, identifier: string): Attribute {
  let alias = identifier;
  if (it.popIf("AS")) alias = param("AS", it, (s) => s);
  for (const ch of alias) {
    if (PUNCTUATION.includes(ch)) {
      throw new ParseError(`Attribute alias \`${alias}\` contains invalid character \`${ch}\``);
    }
  }
  const type = enumOf(it.next(), ["TAG", "NUMERIC", "VECTOR"] as const);
  let attr: Attribute;
  if (type === "VECTOR") {
    attr = parseVector(it, identifier, alias);
  } else if (type === "TAG") {
    range(
      identifier.length,
      undefined,
      LIMITS.maxTagFieldLength,
      `A tag field can have a maximum length of ${LIMITS.maxTagFieldLength}.`,
    );
    let separator = ",";
    let caseSensitive = false;
    // TAG's own options, in any order; anything else ends the attribute.
    while (it.hasNext) {
      const w = it.peek().toUpperCase();
      if (w === "SEPARATOR") {
        it.skip(1);
        separator = prefixed("Error parsing value for the parameter `SEPARATOR` - ", () => it.next());
      } else if (w === "CASESENSITIVE") {
        it.skip(1);
        caseSensitive = true;
      } else {
        break;
      }
    }
    if (separator.length !== 1) {
      throw new ParseError(`The separator must be a single character, but got \`${separator}\``);
    }
    attr = { type: "TAG", identifier, alias, separator, caseSensitive };
  } else {
    range(
      identifier.length,
      undefined,
      LIMITS.maxNumericFieldLength,
      `A numeric field can have a maximum length of ${LIMITS.maxNumericFieldLength}.`,
    );
    attr = { type: "NUMERIC", identifier, alias };
  }
  // valkey-search accepts a trailing SORTABLE and sorts any attribute without it.
  it.popIf("SORTABLE");
  return attr;
}

function parseVector(it: Args, identifier: string, alias: string): VectorAttribute {
  const algorithm = enumOf(it.next(), ["HNSW", "FLAT"] as const);
  const count = toInt(it.next(), false);
  if (count > it.left + 1) {
    throw new ParseError(`Expected ${count} parameters for ${algorithm} but got ${it.left} parameters.`);
  }
  const sub = it.sub(count);
  const keys = algorithm === "HNSW"
    ? ["DIM", "TYPE", "DISTANCE_METRIC", "INITIAL_CAP", "M", "EF_CONSTRUCTION", "EF_RUNTIME"]
    : ["DIM", "TYPE", "DISTANCE_METRIC", "INITIAL_CAP", "BLOCK_SIZE"];
  let dim: number | undefined;
  let dataType: "FLOAT32" | undefined;
  let metric: Metric | undefined;
  let initialCap = 10240;
  let m = 16;
  let efConstruction = 200;
  let efRuntime = 10;
  let blockSize = 1024;
  while (sub.hasNext) {
    const key = sub.next();
    const k = key.toUpperCase();
    if (!keys.includes(k)) throw new ParseError(`Unexpected argument \`${key}\``);
    prefixed(`Error parsing value for the parameter \`${key}\` - `, () => {
      const v = sub.next();
      switch (k) {
        case "DIM":
          dim = toInt(v, true);
          break;
        case "TYPE":
          dataType = enumOf(v, ["FLOAT32"] as const);
          break;
        case "DISTANCE_METRIC":
          metric = enumOf(v, ["L2", "IP", "COSINE"] as const);
          break;
        case "INITIAL_CAP":
          initialCap = toInt(v, true);
          break;
        case "M":
          m = toInt(v, true);
          break;
        case "EF_CONSTRUCTION":
          efConstruction = toInt(v, true);
          break;
        case "EF_RUNTIME":
          efRuntime = toInt(v, true);
          break;
        case "BLOCK_SIZE":
          blockSize = toInt(v, false);
          break;
      }
    });
  }
  it.skip(count);
  if (dim === undefined) throw new ParseError("Missing dimensions parameter.");
  range(
    dim,
    1,
    LIMITS.maxDimensions,
    `The dimensions value must be a positive integer greater than 0 and less than or equal to ${LIMITS.maxDimensions}.`,
  );
  if (initialCap <= 0) throw new ParseError("INITIAL_CAP must be a positive integer greater than 0.");
  if (dataType === undefined) throw new ParseError("Missing vector TYPE parameter.");
  if (metric === undefined) throw new ParseError("Missing DISTANCE_METRIC parameter.");
  if (algorithm === "HNSW") {
    range(m, 2, LIMITS.maxM, `M must be a positive integer greater than 2 and cannot exceed ${LIMITS.maxM}.`);
    range(
      efConstruction,
      1,
      LIMITS.maxEfConstruction,
      `EF_CONSTRUCTION must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxEfConstruction}.`,
    );
    range(
      efRuntime,
      1,
      LIMITS.maxEfRuntime,
      `EF_RUNTIME must be a positive integer greater than 0 and cannot exceed ${LIMITS.maxEfRuntime}.`,
    );
  }
  return {
    type: "VECTOR",
    identifier,
    alias,
    algorithm,
    dim,
    metric,
    dataType,
    initialCap,
    m,
    efConstruction,
    efRuntime,
    blockSize,
  };
}
