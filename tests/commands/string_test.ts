import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";

describe("GET", () => {
  it("returns null for a missing key and the value after SET", () => {
    const t = makeEngine();
    assert.equal(t.exec("GET", "k"), null);
    assert.equal(t.exec("SET", "k", "v"), "OK");
    assert.equal(t.exec("GET", "k"), "v");
  });
});
