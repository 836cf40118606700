import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { globMatch } from "../../src/util/glob.ts";

// Every expectation below was checked against redis-server 7.0 (KEYS), whose stringmatchlen is
// the same as Valkey 8's.
describe("globMatch()", () => {
  it("matches literals, ? and * like stringmatchlen", () => {
    assert.equal(globMatch("hello", "hello"), true);
    assert.equal(globMatch("hello", "hell"), false);
    assert.equal(globMatch("h?llo", "hallo"), true);
    assert.equal(globMatch("h?llo", "hllo"), false);
    assert.equal(globMatch("h*llo", "hllo"), true);
    assert.equal(globMatch("h*llo", "heeeello"), true);
    assert.equal(globMatch("a*", "a"), true);
    assert.equal(globMatch("a*b", "a"), false);
    assert.equal(globMatch("*a*b*", "xxaxxbxx"), true);
    assert.equal(globMatch("user:*:name", "user:42:name"), true);
  });

  it("never matches an empty subject with a non-empty pattern, even `*`", () => {
    assert.equal(globMatch("*", ""), false);
    assert.equal(globMatch("**", ""), false);
    assert.equal(globMatch("", ""), true);
    assert.equal(globMatch("", "a"), false);
  });

  it("handles classes, negation and ranges in either order", () => {
    assert.equal(globMatch("h[ae]llo", "hello"), true);
    assert.equal(globMatch("h[ae]llo", "hillo"), false);
    assert.equal(globMatch("h[^e]llo", "hello"), false);
    assert.equal(globMatch("h[^e]llo", "hallo"), true);
    assert.equal(globMatch("h[a-b]llo", "hbllo"), true);
    assert.equal(globMatch("h[b-a]llo", "hbllo"), true);
    assert.equal(globMatch("h[a-b]llo", "hcllo"), false);
  });

  it("treats the end of the pattern as closing an unterminated class", () => {
    assert.equal(globMatch("[a", "a"), true);
    assert.equal(globMatch("[^", "a"), true);
    assert.equal(globMatch("a[", "a"), false);
  });

  it("compares range bounds as signed C chars", () => {
    // [a-\xff] is the range [-1, 97] once 0xff is read as a signed char, so it matches 'A'.
    assert.equal(globMatch("[a-\xff]", "A"), true);
    assert.equal(globMatch("[a-\xff]", "a"), true);
    assert.equal(globMatch("[a-\xff]", "b"), false);
    assert.equal(globMatch("[\x80-\xff]", "\x90"), true);
    assert.equal(globMatch("[\x80-\xff]", "a"), false);
  });

  it("honours backslash escapes inside and outside classes", () => {
    assert.equal(globMatch("a\\*b", "a*b"), true);
    assert.equal(globMatch("a\\*b", "axb"), false);
    assert.equal(globMatch("[\\]]", "]"), true);
    assert.equal(globMatch("[\\-]", "-"), true);
    // A trailing backslash stands for itself.
    assert.equal(globMatch("a\\", "a\\"), true);
  });

  it("compares case-insensitively only in nocase mode, except escaped class members", () => {
    assert.equal(globMatch("HeLLo", "hello"), false);
    assert.equal(globMatch("HeLLo", "hello", true), true);
    assert.equal(globMatch("[A-C]x", "bX", true), true);
    assert.equal(globMatch("[\\A]", "a", true), false);
    assert.equal(globMatch("[A]", "a", true), true);
  });

  it("matches binary bytes, including NUL", () => {
    assert.equal(globMatch("a\0*", "a\0zz"), true);
    assert.equal(globMatch("?", "\xff"), true);
  });

  it("answers pathological star patterns quickly", () => {
    const s = "a".repeat(5000);
    const start = Date.now();
    assert.equal(globMatch("*a*a*a*a*a*a*a*a*a*a*b", s), false);
    assert.ok(Date.now() - start < 2000);
  });

  it("gives up past 1000 nested stars, as Valkey's recursion limit does", () => {
    const p = "*x".repeat(1100);
    const s = "x".repeat(1100);
    assert.equal(globMatch(p, s), false);
    assert.equal(globMatch("*x".repeat(900), "x".repeat(900)), true);
  });
});
