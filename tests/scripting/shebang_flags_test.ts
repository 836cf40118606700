/**
 * Upstash's `allow-key-locking` shebang flag: accepted by EVAL (alone or beside Valkey's flags)
 * on every door, as `@upstash/ratelimit` sends it; not a flag FUNCTION libraries can register.
 */
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import { makeGateway, type TestGateway } from "../http/_gateway.ts";
import { parseShebang } from "../../src/scripting/scripting.ts";

// The shape of @upstash/ratelimit's fixed-window script, with the shebang it prepends.
const RATELIMIT = "#!lua flags=allow-key-locking\n" +
  "local key = KEYS[1]\n" +
  "local window = ARGV[1]\n" +
  "local r = redis.call('INCRBY', key, ARGV[2])\n" +
  "if r == tonumber(ARGV[2]) then redis.call('PEXPIRE', key, window) end\n" +
  "return r";

describe("The allow-key-locking shebang flag", () => {
  it("is accepted by EVAL, and the script runs and writes", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", RATELIMIT, 1, "rl:user", 60000, 1), 1);
    assert.equal(t.exec("EVAL", RATELIMIT, 1, "rl:user", 60000, 1), 2);
    assert.equal(t.exec("PTTL", "rl:user"), 60000);
  });

  it("combines with no-writes, which still forbids writes and allows EVAL_RO", () => {
    const t = makeEngine();
    t.exec("SET", "k", "v");
    const ro = "#!lua flags=allow-key-locking,no-writes\nreturn redis.call('GET', KEYS[1])";
    assert.equal(t.exec("EVAL_RO", ro, 1, "k"), "v");
    const write = "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('SET', KEYS[1], 'x')";
    const r = t.exec("EVAL", write, 1, "k") as { error: string };
    assert.match(r.error, /^ERR Write commands are not allowed from read-only scripts/);
  });

  it("is parsed as a shebang flag of its own", () => {
    assert.deepEqual(parseShebang("#!lua flags=allow-key-locking\nreturn 1"), {
      flags: ["allow-key-locking"],
      start: 29,
    });
    assert.deepEqual(parseShebang("#!lua flags=allow-key-locking,bogus\nreturn 1"), {
      error: "Unexpected flag in script shebang: bogus",
    });
  });

  it("does not confine the script to KEYS (Kite runs every script with the whole keyspace)", () => {
    const t = makeEngine();
    t.exec("SET", "other", "1");
    assert.equal(t.exec("EVAL", "#!lua flags=allow-key-locking\nreturn redis.call('INCR', 'other')", 0), 2);
  });

  it("cannot be registered by a FUNCTION library, which only takes Valkey's flags", () => {
    const t = makeEngine();
    const lib = "#!lua name=l\n" +
      "server.register_function{function_name='f', callback=function() return 1 end, flags={'allow-key-locking'}}";
    const r = t.exec("FUNCTION", "LOAD", lib) as { error: string };
    assert.equal(r.error, "ERR Error registering functions: ERR unknown flag given");
  });
});

describe("The allow-key-locking flag through the HTTP gateway", () => {
  let g: TestGateway;
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("runs EVAL, SCRIPT LOAD + EVALSHA and a pipelined EVAL", async () => {
    assert.deepEqual((await g.post("/", ["EVAL", RATELIMIT, 1, "rl:a", 1000, 1])).json, { result: 1 });
    const sha = (await g.post("/", ["SCRIPT", "LOAD", RATELIMIT])).json.result as string;
    assert.match(sha, /^[0-9a-f]{40}$/);
    assert.deepEqual((await g.post("/", ["EVALSHA", sha, 1, "rl:a", 1000, 1])).json, { result: 2 });
    const p = await g.post("/pipeline", [["EVAL", RATELIMIT, 1, "rl:b", 1000, 5], ["GET", "rl:b"]]);
    assert.deepEqual(p.json, [{ result: 5 }, { result: "5" }]);
    assert.equal(g.exec("PTTL", "rl:b"), 1000);
  });
});
