/**
 * The FT.SEARCH query language: every grammar form (match-all, tags, numeric ranges with
 * exclusive and infinite bounds, AND, OR, NOT, parentheses, the KNN clause) and each error
 * valkey-search reports, checked on the parsed tree.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ParseError } from "../../src/search/args.ts";
import {
  type Filter,
  type Params,
  parseFilter,
  parseKnn,
  parseQueryTags,
  splitQuery,
  substitute,
} from "../../src/search/query.ts";
import { NumericField, TagField, VectorField } from "../../src/search/fields.ts";

const tag = new TagField({ type: "TAG", identifier: "t", alias: "tag", separator: ",", caseSensitive: false });
const ctag = new TagField({ type: "TAG", identifier: "c", alias: "ctag", separator: ",", caseSensitive: true });
const num = new NumericField({ type: "NUMERIC", identifier: "n", alias: "num" });
const vec = new VectorField({
  type: "VECTOR",
  identifier: "v",
  alias: "vec",
  algorithm: "FLAT",
  dim: 2,
  metric: "L2",
  dataType: "FLOAT32",
  initialCap: 4,
  m: 16,
  efConstruction: 200,
  efRuntime: 10,
  blockSize: 4,
});
const fields = new Map<string, TagField | NumericField | VectorField>([["tag", tag], ["ctag", ctag], ["num", num], [
  "vec",
  vec,
]]);
const lookup = (a: string) => fields.get(a);

/** A compact rendering of a filter tree. */
function show(f: Filter | undefined): string {
  if (f === undefined) return "ALL";
  switch (f.kind) {
    case "tag":
      return `TAG(${f.field.attr.alias}:${f.tags.map((t) => t.value + (t.prefix ? "*" : "")).join("|")})`;
    case "num": {
      const r = f.range;
      return `NUM(${f.field.attr.alias}:${r.loInclusive ? "[" : "("}${r.lo},${r.hi}${r.hiInclusive ? "]" : ")"})`;
    }
    case "and":
      return `AND(${f.kids.map(show).join(",")})`;
    case "or":
      return `OR(${f.kids.map(show).join(",")})`;
    case "not":
      return `NOT(${show(f.kid)})`;
  }
}

const parse = (s: string) => show(parseFilter(s, lookup));
const error = (s: string) => {
  try {
    parseFilter(s, lookup);
  } catch (e) {
    assert.ok(e instanceof ParseError);
    return e.message;
  }
  assert.fail(`no error for ${s}`);
};

describe("parseFilter", () => {
  it("reads `*`, `(*)` and an empty expression as every document", () => {
    assert.equal(parse("*"), "ALL");
    assert.equal(parse(" ( * ) "), "ALL");
    assert.equal(parse(""), "ALL");
  });

  it("reads tag lists with exact and prefix values, trimmed and case-folded", () => {
    assert.equal(parse("@tag:{ Drama | comedy|sci* }"), "TAG(tag:drama|comedy|sci*)");
    assert.equal(parse("@ctag:{Drama}"), "TAG(ctag:Drama)");
    assert.equal(parse("@tag:{a\\|b}"), "TAG(tag:a|b)");
    assert.equal(parse("@tag:{}"), "TAG(tag:)");
  });

  it("reads numeric ranges: inclusive, exclusive, comma, infinities and exponents", () => {
    assert.equal(parse("@num:[1 2]"), "NUM(num:[1,2])");
    assert.equal(parse("@num:[(1 (2]"), "NUM(num:(1,2))");
    assert.equal(parse("@num:[1,2]"), "NUM(num:[1,2])");
    assert.equal(parse("@num:[-inf +inf]"), "NUM(num:[-Infinity,Infinity])");
    assert.equal(parse("@num:[(-1.5e1 inf]"), "NUM(num:(-15,Infinity])");
    assert.equal(parse("@num:[3 3]"), "NUM(num:[3,3])");
  });

  it("combines with AND (space), OR (|), NOT (-) and parentheses, OR binding loosest", () => {
    assert.equal(parse("@tag:{a} @num:[1 2]"), "AND(TAG(tag:a),NUM(num:[1,2]))");
    assert.equal(parse("@tag:{a} | @tag:{b}"), "OR(TAG(tag:a),TAG(tag:b))");
    assert.equal(
      parse("@tag:{a} @num:[1 2] | @tag:{b} @num:[3 4]"),
      "OR(AND(TAG(tag:a),NUM(num:[1,2])),AND(TAG(tag:b),NUM(num:[3,4])))",
    );
    assert.equal(parse("-@tag:{a}"), "NOT(TAG(tag:a))");
    assert.equal(parse("(@tag:{a} | @tag:{b}) -@num:[1 2]"), "AND(OR(TAG(tag:a),TAG(tag:b)),NOT(NUM(num:[1,2])))");
    assert.equal(parse("-(@tag:{a} @tag:{b})"), "NOT(AND(TAG(tag:a),TAG(tag:b)))");
    assert.equal(parse("@tag:{a} | @tag:{b} | @tag:{c}"), "OR(TAG(tag:a),TAG(tag:b),TAG(tag:c))");
  });

  it("reports wrong field types and unknown fields", () => {
    assert.equal(error("@tag:[1 2]"), "`tag` is not indexed as a numeric field");
    assert.equal(error("@num:{a}"), "`num` is not indexed as a tag field");
    assert.equal(error("@nope:{a}"), "`nope` is not indexed as a tag field");
    assert.equal(error("@vec:[1 2]"), "`vec` is not indexed as a numeric field");
  });

  it("reports numeric range errors with valkey-search's texts", () => {
    assert.equal(error("@num:[2 1]"), "Start and end values of a numeric field indicate an empty range. Position: 10");
    assert.equal(error("@num:[(1 1]"), "Start and end values of a numeric field indicate an empty range. Position: 11");
    assert.equal(error("@num:[a 1]"), "Invalid number: ");
    assert.equal(
      error("@num:[1;2]"),
      "Expected space or `,` between start and end values of a numeric field. Position: 7",
    );
    assert.equal(error("@num:[1 2"), "Expected ']' got ''. Position: 9");
  });

  it("reports tag, bracket, OR and text errors", () => {
    assert.equal(error("@tag:{a"), "Missing closing TAG bracket, '}'");
    assert.equal(error("@tag:{abc*|b**}"), "Tag string `b**` ends with multiple *.");
    assert.equal(error("@tag:{a*}"), "Tag string `a*` is too short for prefix wildcard.");
    assert.equal(error("(@tag:{a}"), "Expected ')' after expression got ''. Position: 9");
    assert.equal(error("@tag:{a} ()"), "Empty brackets detected at Position: 10");
    assert.equal(error("()"), "Unexpected character at position 2: `)`");
    assert.equal(error("| @tag:{a}"), "Missing OR term");
    assert.equal(error("@tag:{a} |"), "Missing OR term");
    assert.equal(error("@tag:{a} -| @tag:{b}"), "Unexpected character at position 11: `|`");
    assert.equal(error("@tag:{a})"), "Unexpected character at position 9: `)`");
    assert.equal(error("hello"), "Index does not have any text field");
    assert.equal(error("@tag:hello"), "Index does not have any text field");
    assert.equal(error("@tag {a}"), "Unexpected character at position 6: `{`, expecting `:`");
    assert.equal(error("**"), "Unexpected character at position 2: `*`");
    assert.equal(error("(*"), "Missing `)`");
  });
});

describe("parseQueryTags", () => {
  it("splits on unescaped bars, drops empty pieces and duplicates", () => {
    assert.deepEqual(parseQueryTags(" a | | b|a|pre* "), [
      { value: "a", prefix: false },
      { value: "b", prefix: false },
      { value: "pre", prefix: true },
    ]);
  });
});

describe("parseKnn", () => {
  const params = (o: Record<string, string>): Params =>
    new Map(Object.entries(o).map(([k, v]) => [k, { uses: 0, value: v }]));
  const knnError = (s: string) => {
    try {
      parseKnn(s);
    } catch (e) {
      assert.ok(e instanceof ParseError);
      return e.message;
    }
    assert.fail(`no error for ${s}`);
  };

  it("reads k, the field, the blob reference, EF_RUNTIME and AS in either order, unsubstituted", () => {
    assert.deepEqual(parseKnn("[KNN 10 @vec $q EF_RUNTIME $ef AS $name]"), {
      k: "10",
      field: "vec",
      blob: "$q",
      ef: "$ef",
      as: "$name",
    });
    assert.deepEqual(parseKnn("  [ knn 3  @vec  $q AS s EF_RUNTIME 5 ]  "), {
      k: "3",
      field: "vec",
      blob: "$q",
      ef: "5",
      as: "s",
    });
  });

  it("substitutes $name from PARAMS, counting each use, and reports a missing one", () => {
    const p = params({ ef: "40" });
    assert.equal(substitute(p, "$ef"), "40");
    assert.equal(substitute(p, "7"), "7");
    assert.equal(p.get("ef")!.uses, 1);
    assert.throws(() => substitute(p, "$e"), (e) => e instanceof ParseError && e.message === "Parameter e not found.");
  });

  it("reports each KNN clause error", () => {
    assert.equal(knnError(""), "Vector query clause is missing");
    assert.equal(knnError("[KNN 1 @v $q] x"), "Expecting ']' got 'x'");
    assert.equal(knnError("x [KNN 1 @v $q]"), "Expecting '[' got 'x'");
    assert.equal(knnError("KNN 1 @v $q]"), "Expecting '[' got 'K'");
    assert.equal(knnError("[]"), "Missing parameters");
    assert.equal(knnError("[ANN 1 @v $q]"), "`ANN`. Expecting `KNN`");
    assert.equal(knnError("[KNN]"), "KNN argument is missing");
    assert.equal(knnError("[KNN 1]"), "Vector field argument is missing");
    assert.equal(knnError("[KNN 1 v $q]"), "Unexpected argument `v`. Expecting a vector field name, starting with '@'");
    assert.equal(knnError("[KNN 1 @v]"), "Blob attribute argument is missing");
    assert.equal(knnError("[KNN 1 @v $q EF_RUNTIME]"), "EF_RUNTIME argument is missing");
    assert.equal(knnError("[KNN 1 @v $q AS]"), "AS argument is missing");
    assert.equal(knnError("[KNN 1 @v $q FOO 1]"), "Unexpected argument `FOO`");
  });
});

describe("splitQuery", () => {
  it("splits at the first => and trims both sides", () => {
    assert.deepEqual(splitQuery(" @tag:{a} =>[KNN 1 @v $q] "), ["@tag:{a}", "[KNN 1 @v $q]"]);
    assert.deepEqual(splitQuery("@tag:{a}"), ["@tag:{a}", undefined]);
  });
});
