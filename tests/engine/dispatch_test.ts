import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";

describe("Engine.dispatch", () => {
  it("answers an unknown command with Valkey's text listing its arguments", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("NOPE", "a", "b"), {
      error: "ERR unknown command 'NOPE', with args beginning with: 'a' 'b' ",
    });
  });
  it("rejects a wrong argument count with the command name in lower case", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("GET"), { error: "ERR wrong number of arguments for 'get' command" });
  });
  it("looks command names up case-insensitively", () => {
    const t = makeEngine();
    assert.equal(t.exec("pInG"), "PONG");
  });
});
