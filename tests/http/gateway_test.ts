/**
 * The HTTP gateway in-process (fetch handler over a test engine): every endpoint of the Upstash
 * REST dialect, its errors and statuses, tokens, base64, limits and blocking commands.
 */
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { FULL, makeGateway, RO, type TestGateway, tick, until } from "./_gateway.ts";
import { makeEngine } from "../_helpers/engine.ts";
import { createGateway } from "../../src/http/app.ts";
import { createFetchHandler } from "../../mod.ts";

let g: TestGateway;

describe("POST / (one command as a JSON array)", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("runs a command and answers {result} in RESP2 shapes", async () => {
    assert.deepEqual((await g.post("/", ["SET", "user:1", "ada", "EX", 100])).json, { result: "OK" });
    assert.deepEqual((await g.post("/", ["GET", "user:1"])).json, { result: "ada" });
    assert.deepEqual((await g.post("/", ["TTL", "user:1"])).json, { result: 100 });
    assert.equal(g.exec("GET", "user:1"), "ada");
  });

  it("answers Upstash's SCAN ... WITHTYPE with each key's type, where RESP keeps Valkey's syntax error", async () => {
    g.exec("SET", "s", "1");
    g.exec("HSET", "h", "f", "v");
    g.exec("ZADD", "z", "1", "m");
    const a = await g.post("/", ["SCAN", 0, "COUNT", 100, "withtype"]);
    const [cursor, flat] = (a.json as { result: [string, string[]] }).result;
    assert.equal(cursor, "0");
    const pairs = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) pairs.set(flat[i]!, flat[i + 1]!);
    assert.deepEqual(Object.fromEntries([...pairs].sort()), { h: "hash", s: "string", z: "zset" });
    const filtered = await g.post("/", ["SCAN", 0, "MATCH", "h*", "WITHTYPE"]);
    assert.deepEqual(filtered.json, { result: ["0", ["h", "hash"]] });
    assert.deepEqual(await g.post("/", ["SCAN", "x", "WITHTYPE"]).then((r) => r.json), { error: "ERR invalid cursor" });
    assert.deepEqual(g.exec("SCAN", 0, "WITHTYPE"), { error: "ERR syntax error" });
  });

  it("keeps the result key for a null reply", async () => {
    const a = await g.post("/", ["GET", "nope"]);
    assert.equal(a.status, 200);
    assert.equal(a.text, '{"result":null}');
  });

  it("flattens maps and pairs, and writes doubles as strings", async () => {
    g.exec("HSET", "h", "name", "ada", "age", "36");
    assert.deepEqual((await g.post("/", ["HGETALL", "h"])).json, { result: ["name", "ada", "age", "36"] });
    g.exec("ZADD", "z", "2.5", "m", "1", "n");
    assert.deepEqual((await g.post("/", ["ZSCORE", "z", "m"])).json, { result: "2.5" });
    assert.deepEqual((await g.post("/", ["ZRANGE", "z", 0, -1, "WITHSCORES"])).json, {
      result: ["n", "1", "m", "2.5"],
    });
    assert.deepEqual((await g.post("/", ["INCRBYFLOAT", "f", 1.5])).json, { result: "1.5" });
    assert.deepEqual((await g.post("/", ["MGET", "f", "nope"])).json, { result: ["1.5", null] });
  });

  it("accepts command names in any case and numbers and booleans as arguments", async () => {
    assert.deepEqual((await g.post("/", ["set", "a", 1, "nx", "ex", 10])).json, { result: "OK" });
    assert.deepEqual((await g.post("/", ["sEt", "b", true])).json, { result: "OK" });
    assert.deepEqual((await g.post("/", ["set", "c", -0.25])).json, { result: "OK" });
    assert.equal(g.exec("GET", "a"), "1");
    assert.equal(g.exec("GET", "b"), "true");
    assert.equal(g.exec("GET", "c"), "-0.25");
  });

  it("keeps the exact digits of integers beyond 2^53, in arguments and replies", async () => {
    const body = '["SET","big",9223372036854775807]';
    assert.deepEqual((await g.call("POST", "/", { body })).json, { result: "OK" });
    assert.equal(g.exec("GET", "big"), "9223372036854775807");
    const a = await g.post("/", ["DECRBY", "big", 1]);
    assert.equal(a.text, '{"result":9223372036854775806}');
  });

  it("stores UTF-8 text as its bytes and answers it as text", async () => {
    await g.post("/", ["SET", "u", "héllo wörld ✓ 😀"]);
    assert.equal(g.exec("STRLEN", "u"), Buffer.byteLength("héllo wörld ✓ 😀"));
    assert.deepEqual((await g.post("/", ["GET", "u"])).json, { result: "héllo wörld ✓ 😀" });
  });

  it("answers a command error with 400 and Valkey's exact text", async () => {
    g.exec("SET", "s", "abc");
    let a = await g.post("/", ["INCR", "s"]);
    assert.equal(a.status, 400);
    assert.deepEqual(a.json, { error: "ERR value is not an integer or out of range" });
    a = await g.post("/", ["GET"]);
    assert.deepEqual(a.json, { error: "ERR wrong number of arguments for 'get' command" });
    a = await g.post("/", ["NOPE", "x"]);
    assert.deepEqual(a.json, { error: "ERR unknown command 'NOPE', with args beginning with: 'x' " });
    a = await g.post("/", ["LPUSH", "s", "x"]);
    assert.deepEqual(a.json, { error: "WRONGTYPE Operation against a key holding the wrong kind of value" });
  });

  it("needs no Content-Type (curl -d sends form encoding)", async () => {
    const a = await g.call("POST", "/", {
      body: '["PING"]',
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.deepEqual(a.json, { result: "PONG" });
  });

  it("ignores unknown headers (telemetry, sync token)", async () => {
    const a = await g.post("/", ["PING"], {
      headers: {
        "upstash-telemetry-sdk": "@upstash/redis@v1.39.0",
        "upstash-telemetry-runtime": "node@v20",
        "upstash-sync-token": "someone-else's",
        pragma: "no-cache",
      },
    });
    assert.deepEqual(a.json, { result: "PONG" });
  });

  it("validates the body shape with 400 {error}", async () => {
    const cases: [string, RegExp][] = [
      ["not json", /^ERR request body is not valid JSON$/],
      ["{}", /expected a JSON array/],
      ['"GET"', /expected a JSON array/],
      ["[]", /the command is empty/],
      ["[1,2]", /the command name must be a string/],
      ['["SET","k",null]', /argument 2 must be a JSON string, number or boolean/],
      ['["SET","k",{"a":1}]', /argument 2 must be/],
      ['["SET","k",["x"]]', /argument 2 must be/],
      ['["SET","k",1e400]', /argument 2 must be/],
    ];
    for (const [body, re] of cases) {
      const a = await g.call("POST", "/", { body });
      assert.equal(a.status, 400, body);
      assert.match(a.json.error, re, body);
      assert.match(a.json.error, /^ERR /);
    }
  });
});

describe("hostile requests", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("answers deeply nested or garbage bodies with a 4xx JSON error and keeps serving", async () => {
    const bodies = [
      "[".repeat(100_000) + "]".repeat(100_000),
      '["SET","k",' + "[".repeat(5000) + "]".repeat(5000) + "]",
      "\u0000\xff\xfe",
      '["GET","k"',
      "[[[]]]",
      '{"0":"GET","length":1}',
    ];
    let seed = 7;
    for (let i = 0; i < 20; i++) {
      let b = "";
      for (let j = 0; j < 64; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        b += String.fromCharCode(32 + (seed % 95));
      }
      bodies.push(b);
    }
    for (const body of bodies) {
      for (const path of ["/", "/pipeline", "/multi-exec"]) {
        const a = await g.call("POST", path, { body });
        assert.ok(a.status >= 400 && a.status < 500, `${path} ${body.slice(0, 20)}: ${a.status}`);
        assert.equal(typeof a.json.error, "string");
      }
    }
    assert.deepEqual((await g.post("/", ["PING"])).json, { result: "PONG" });
  });

  it("treats odd paths and queries as arguments, never as failures of the server", async () => {
    for (const path of ["/%", "/%zz/%", "/get/%E0%A4%A", "/set/k/v?&&=&x", "/get//", "/?", "/ping?_token"]) {
      const a = await g.call("GET", path);
      assert.ok(a.status === 200 || a.status === 400, `${path}: ${a.status}`);
      assert.ok(a.json !== undefined, path);
    }
  });
});

describe("Upstash-Encoding: base64", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());
  const b64 = { headers: { "upstash-encoding": "base64" } };

  it("encodes every string but a top-level OK", async () => {
    assert.equal((await g.post("/", ["SET", "foo", "bar"], b64)).text, '{"result":"OK"}');
    assert.equal((await g.post("/", ["GET", "foo"], b64)).text, '{"result":"YmFy"}');
    assert.equal((await g.post("/", ["PING"], b64)).text, '{"result":"UE9ORw=="}');
    assert.equal((await g.post("/", ["TYPE", "foo"], b64)).text, '{"result":"c3RyaW5n"}');
    assert.equal((await g.post("/", ["STRLEN", "foo"], b64)).text, '{"result":3}');
    assert.equal((await g.post("/", ["GET", "nope"], b64)).text, '{"result":null}');
  });

  it("encodes strings inside arrays, even OK, and walks nested arrays", async () => {
    g.exec("RPUSH", "l", "x", "OK");
    assert.equal((await g.post("/", ["LRANGE", "l", 0, -1], b64)).text, '{"result":["eA==","T0s="]}');
    g.exec("XADD", "st", "1-1", "f", "v");
    assert.deepEqual((await g.post("/", ["XRANGE", "st", "-", "+"], b64)).json, {
      result: [["MS0x", ["Zg==", "dg=="]]],
    });
  });

  it("round-trips binary values written raw through a path-style body", async () => {
    const bytes = new Uint8Array([0, 0xff, 0xc3, 0x28, 10, 13, 0x80]);
    assert.deepEqual((await g.call("POST", "/set/bin", { body: bytes })).json, { result: "OK" });
    const a = await g.post("/", ["GET", "bin"], b64);
    assert.deepEqual(Buffer.from(a.json.result, "base64"), Buffer.from(bytes));
    assert.equal(g.exec("STRLEN", "bin"), 7);
  });

  it("never encodes error texts", async () => {
    const a = await g.post("/", ["GET"], b64);
    assert.deepEqual(a.json, { error: "ERR wrong number of arguments for 'get' command" });
  });

  it("matches the header value case-insensitively and ignores other values", async () => {
    g.exec("SET", "foo", "bar");
    assert.equal(
      (await g.post("/", ["GET", "foo"], { headers: { "upstash-encoding": "BASE64" } })).json.result,
      "YmFy",
    );
    assert.equal((await g.post("/", ["GET", "foo"], { headers: { "upstash-encoding": "utf8" } })).json.result, "bar");
  });

  it("replaces invalid UTF-8 with U+FFFD without the header", async () => {
    await g.call("POST", "/set/bin", { body: new Uint8Array([0x61, 0xff, 0x62]) });
    assert.equal((await g.post("/", ["GET", "bin"])).json.result, "a\ufffdb");
  });
});

describe("path-style commands", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("runs GET /cmd/arg... with percent-decoded segments", async () => {
    assert.deepEqual((await g.call("GET", "/set/greeting/hello")).json, { result: "OK" });
    assert.deepEqual((await g.call("GET", "/get/greeting")).json, { result: "hello" });
    assert.deepEqual((await g.call("GET", "/set/a%2Fb/x%20y")).json, { result: "OK" });
    assert.equal(g.exec("GET", "a/b"), "x y");
    assert.deepEqual((await g.call("GET", "/set/caf%C3%A9/%FF")).json, { result: "OK" });
    assert.equal(g.exec("STRLEN", Buffer.from("café").toString("latin1")), 1);
  });

  it("appends the raw POST body, then query parameters as name value (or a lone flag)", async () => {
    assert.deepEqual((await g.call("POST", "/set/foo?EX=100", { body: "bar" })).json, { result: "OK" });
    assert.equal(g.exec("GET", "foo"), "bar");
    assert.equal(g.exec("TTL", "foo"), 100);
    assert.deepEqual((await g.call("POST", "/set/foo?NX", { body: "other" })).json, { result: null });
    assert.deepEqual((await g.call("PUT", "/set/j", { body: '{"a": [1, 2]}' })).json, { result: "OK" });
    assert.equal(g.exec("GET", "j"), '{"a": [1, 2]}');
  });

  it("appends an empty argument for an empty POST body", async () => {
    assert.deepEqual((await g.call("POST", "/set/empty")).json, { result: "OK" });
    assert.equal(g.exec("EXISTS", "empty"), 1);
    assert.equal(g.exec("STRLEN", "empty"), 0);
  });

  it("never passes _token as an argument", async () => {
    const a = await g.call("GET", `/set/k/v?_token=${FULL}&EX=5`, { token: null });
    assert.deepEqual(a.json, { result: "OK" });
    assert.equal(g.exec("TTL", "k"), 5);
  });

  it("answers GET / with 400", async () => {
    const a = await g.call("GET", "/");
    assert.equal(a.status, 400);
    assert.match(a.json.error, /^ERR no command given/);
  });

  it("answers HEAD like GET without a body", async () => {
    g.exec("SET", "k", "v");
    const a = await g.call("HEAD", "/get/k");
    assert.equal(a.status, 200);
    assert.equal(a.text, "");
  });

  it("treats unreserved paths as command names", async () => {
    const a = await g.call("GET", "/nosuchcommand/x");
    assert.equal(a.status, 400);
    assert.equal(a.json.error, "ERR unknown command 'nosuchcommand', with args beginning with: 'x' ");
    // The raw body is the last argument: PUBLISH chat <body>.
    if (g.engine.registry.get("publish") !== undefined) {
      assert.deepEqual((await g.call("POST", "/publish/chat", { body: "hello" })).json, { result: 0 });
    }
  });
});

describe("POST /pipeline", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("answers one {result} or {error} per command, in order, errors not stopping the rest", async () => {
    g.exec("SET", "s", "x");
    const a = await g.post("/pipeline", [["SET", "a", "1"], ["INCR", "a"], ["INCR", "s"], ["GET", "a"], ["GET", "no"]]);
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, [
      { result: "OK" },
      { result: 2 },
      { error: "ERR value is not an integer or out of range" },
      { result: "2" },
      { result: null },
    ]);
  });

  it("applies the base64 rule to each entry's result", async () => {
    const a = await g.post("/pipeline", [["SET", "a", "b"], ["GET", "a"], ["ECHO", "OK"]], {
      headers: { "upstash-encoding": "base64" },
    });
    assert.equal(a.text, '[{"result":"OK"},{"result":"Yg=="},{"result":"T0s="}]');
  });

  it("refuses a malformed body as a whole with 400", async () => {
    for (const body of ["[]", '["GET","k"]', "[[]]", '[["GET","k"],{}]', "nope"]) {
      const a = await g.call("POST", "/pipeline", { body });
      assert.equal(a.status, 400, body);
      assert.match(a.json.error, /^ERR /, body);
    }
    assert.match(
      (await g.call("POST", "/pipeline", { body: '[["GET","k"],["SET","k",null]]' })).json.error,
      /command 1, argument 2/,
    );
  });

  it("keeps number digits in order across commands", async () => {
    const a = await g.call("POST", "/pipeline", {
      body: '[["SET","a",1],["SET","b",12345678901234567890],["SET","c",2.5],["SET","d",-98765432109876543210]]',
    });
    assert.equal(a.status, 200);
    assert.deepEqual([g.exec("GET", "a"), g.exec("GET", "b"), g.exec("GET", "c"), g.exec("GET", "d")], [
      "1",
      "12345678901234567890",
      "2.5",
      "-98765432109876543210",
    ]);
  });
});

describe("POST /multi-exec", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("runs the commands as one transaction and answers one entry per command", async () => {
    g.exec("SET", "s", "x");
    const a = await g.post("/multi-exec", [["SET", "a", "1"], ["INCR", "a"], ["INCR", "s"], ["GET", "a"]]);
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, [
      { result: "OK" },
      { result: 2 },
      { error: "ERR value is not an integer or out of range" },
      { result: "2" },
    ]);
  });

  it("discards the whole transaction on a queue-time error, with a non-2xx status", async () => {
    const a = await g.post("/multi-exec", [["SET", "a", "1"], ["GET"], ["SET", "b", "2"]]);
    assert.equal(a.status, 400);
    assert.equal(
      a.json.error,
      "EXECABORT Transaction discarded because of previous errors: ERR wrong number of arguments for 'get' command",
    );
    assert.equal(g.exec("EXISTS", "a", "b"), 0);
    const b = await g.post("/multi-exec", [["SET", "a", "1"], ["NOPE"]]);
    assert.equal(b.status, 400);
    assert.match(b.json.error, /^EXECABORT .*unknown command 'NOPE'/);
    assert.equal(g.exec("EXISTS", "a"), 0);
  });

  it("discards the transaction when a command is not allowed over HTTP", async () => {
    const a = await g.post("/multi-exec", [["SET", "a", "1"], ["SELECT", "1"]]);
    assert.equal(a.status, 400);
    assert.match(a.json.error, /^EXECABORT .*'select' is not supported over HTTP/);
    assert.equal(g.exec("EXISTS", "a"), 0);
  });

  it("serves clients blocked on its keys only after the last command", async () => {
    const waiter = g.engine.openSession();
    let served: unknown;
    const r = g.engine.dispatch(waiter, ["BLPOP", "q", "0"], (reply) => (served = reply));
    assert.equal(r?.t, "blocked");
    const a = await g.post("/multi-exec", [["RPUSH", "q", "a"], ["LPOP", "q"]]);
    assert.deepEqual(a.json, [{ result: 1 }, { result: "a" }]);
    assert.equal(served, undefined);
    assert.equal(g.engine.blocking.count, 1);
    g.engine.closeSession(waiter);
  });

  it("answers blocking commands at once inside the transaction", async () => {
    const a = await g.post("/multi-exec", [["BLPOP", "q", 0], ["BLMOVE", "q", "r", "LEFT", "LEFT", 0]]);
    assert.deepEqual(a.json, [{ result: null }, { result: null }]);
  });
});

describe("authentication", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("answers 401 with a JSON body for a missing, wrong or malformed token", async () => {
    for (const token of [null, "wrong", ""]) {
      const a = await g.post("/", ["PING"], { token });
      assert.equal(a.status, 401, String(token));
      assert.deepEqual(a.json, { error: "WRONGPASS invalid or missing auth token" });
    }
    const m = await g.post("/", ["PING"], { token: null, headers: { authorization: `Basic ${FULL}` } });
    assert.equal(m.status, 401);
  });

  it("accepts ?_token= when no Authorization header is sent, and the header wins otherwise", async () => {
    assert.deepEqual((await g.post(`/?_token=${FULL}`, ["PING"], { token: null })).json, { result: "PONG" });
    assert.equal((await g.post(`/?_token=${FULL}`, ["PING"], { token: "wrong" })).status, 401);
    assert.equal((await g.call("GET", `/ping?_token=wrong`, { token: null })).status, 401);
  });

  it("refuses writes with the read-only token using NOPERM, and allows reads", async () => {
    g.exec("SET", "k", "v");
    assert.deepEqual((await g.post("/", ["GET", "k"], { token: RO })).json, { result: "v" });
    assert.deepEqual((await g.post("/", ["PING"], { token: RO })).json, { result: "PONG" });
    const w = await g.post("/", ["SET", "k", "x"], { token: RO });
    assert.equal(w.status, 400);
    assert.deepEqual(w.json, { error: "NOPERM User default_ro has no permissions to run the 'set' command" });
    assert.equal(
      (await g.post("/", ["KEYS", "*"], { token: RO })).json.error,
      "NOPERM User default_ro has no permissions to run the 'keys' command",
    );
    assert.equal(
      (await g.post("/", ["CONFIG", "SET", "hz", "20"], { token: RO })).json.error,
      "NOPERM User default_ro has no permissions to run the 'config|set' command",
    );
    assert.equal(g.exec("GET", "k"), "v");
  });

  it("refuses read-only writes per entry in a pipeline and as a whole in a transaction", async () => {
    const p = await g.post("/pipeline", [["SET", "k", "x"], ["GET", "k"]], { token: RO });
    assert.deepEqual(p.json, [
      { error: "NOPERM User default_ro has no permissions to run the 'set' command" },
      { result: null },
    ]);
    const t = await g.post("/multi-exec", [["GET", "k"], ["SET", "k", "x"]], { token: RO });
    assert.equal(t.status, 400);
    assert.match(t.json.error, /^EXECABORT .*NOPERM User default_ro/);
  });

  it("counts refusals as rejected calls", async () => {
    await g.post("/", ["SET", "k", "x"], { token: RO });
    const set = g.engine.registry.get("set")!;
    assert.equal(set.stats.rejectedCalls, 1);
    assert.equal(set.stats.calls, 0);
    assert.equal(g.engine.stats.errors.get("NOPERM"), 1);
  });

  it("takes a CONFIG SET of the token at once", async () => {
    g.exec("CONFIG", "SET", "http-token", "new");
    assert.equal((await g.post("/", ["PING"])).status, 401);
    assert.equal((await g.post("/", ["PING"], { token: "new" })).status, 200);
  });

  it("uses requirepass as the full token when http-token is empty", async () => {
    const h = makeGateway({ "http-token": "", "http-readonly-token": "", requirepass: "pw" });
    try {
      assert.equal((await h.post("/", ["PING"], { token: null })).status, 401);
      assert.deepEqual((await h.post("/", ["SET", "a", "b"], { token: "pw" })).json, { result: "OK" });
    } finally {
      h.close();
    }
  });

  it("is open when no token is configured at all", async () => {
    const h = makeGateway({ "http-token": "", "http-readonly-token": "" });
    try {
      assert.deepEqual((await h.post("/", ["SET", "a", "b"], { token: null })).json, { result: "OK" });
    } finally {
      h.close();
    }
  });

  it("takes tokens from options over the config", async () => {
    const h = makeGateway({}, { token: "opt", readonlyToken: "opt-ro" });
    try {
      assert.equal((await h.post("/", ["PING"])).status, 401);
      assert.equal((await h.post("/", ["PING"], { token: "opt" })).status, 200);
      assert.equal((await h.post("/", ["SET", "a", "b"], { token: "opt-ro" })).status, 400);
    } finally {
      h.close();
    }
  });
});

describe("commands that need a connection", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("refuses every command flagged no-http with a clear error", async () => {
    for (const cmd of g.engine.registry.flat()) {
      if (!cmd.kite.has("no-http")) continue;
      const argv = cmd.container ? [cmd.container.spec.name, cmd.spec.name] : [cmd.spec.name];
      while (argv.length < Math.abs(cmd.spec.arity)) argv.push("x");
      const a = await g.post("/", argv);
      assert.equal(a.status, 400, cmd.fullName);
      assert.match(a.json.error, new RegExp(`^ERR '${cmd.fullName.replace("|", "\\|")}' is not supported over HTTP`));
    }
  });

  it("names SELECT, HELLO, QUIT and RESET among them", async () => {
    for (const argv of [["SELECT", "1"], ["HELLO", "3"], ["QUIT"], ["RESET"]]) {
      const a = await g.post("/", argv);
      assert.equal(a.status, 400, argv[0]!);
      assert.match(a.json.error, /is not supported over HTTP: each request runs on a fresh connection/, argv[0]!);
    }
    assert.match((await g.post("/", ["SELECT", "1"])).json.error, /every request uses database 0/);
  });

  it("refuses SUBSCRIBE, MONITOR and MULTI as plain requests when they exist", async () => {
    for (
      const [name, hint] of [["subscribe", /POST \/subscribe/], ["monitor", /POST \/monitor/], [
        "multi",
        /POST \/multi-exec/,
      ]] as const
    ) {
      if (g.engine.registry.get(name) === undefined) continue;
      const argv = name === "subscribe" ? [name, "ch"] : [name];
      const a = await g.post("/", argv);
      assert.equal(a.status, 400, name);
      assert.match(a.json.error, hint, name);
    }
  });

  it("gives each request a fresh session that is gone afterwards", async () => {
    const before = g.engine.clients.size;
    const a = await g.post("/", ["CLIENT", "ID"]);
    const b = await g.post("/", ["CLIENT", "ID"]);
    assert.notEqual(a.json.result, b.json.result);
    assert.equal(g.engine.clients.size, before);
  });
});

describe("blocking commands over HTTP", () => {
  beforeEach(() => (g = makeGateway({ "http-max-blocking-timeout": "5000" })));
  afterEach(() => g.close());

  it("waits until another client serves it", async () => {
    const pending = g.post("/", ["BLPOP", "q", 0]);
    await until(() => g.engine.blocking.count === 1, "the request to block");
    g.exec("RPUSH", "q", "job");
    assert.deepEqual((await pending).json, { result: ["q", "job"] });
  });

  it("answers its own timeout reply when its timeout is shorter than the bound", async () => {
    const pending = g.post("/", ["BLPOP", "q", "1"]);
    await until(() => g.engine.blocking.count === 1, "the request to block");
    g.advance(1000);
    assert.deepEqual((await pending).json, { result: null });
  });

  it("gives up after http-max-blocking-timeout with the command's timeout reply", async () => {
    const pending = g.post("/", ["BLPOP", "q", 0]);
    await until(() => g.engine.blocking.count === 1, "the request to block");
    g.advance(4999);
    await tick();
    assert.equal(g.engine.blocking.count, 1);
    g.advance(1);
    assert.deepEqual((await pending).json, { result: null });
    assert.equal(g.engine.blocking.count, 0);
    assert.equal(g.engine.registry.get("blpop")!.stats.calls, 1);
  });

  it("answers at once when http-max-blocking-timeout is 0, as inside MULTI", async () => {
    g.exec("CONFIG", "SET", "http-max-blocking-timeout", "0");
    assert.deepEqual((await g.post("/", ["BLMOVE", "q", "r", "LEFT", "LEFT", 0])).json, { result: null });
  });

  it("waits for a blocked pipeline entry and then runs the rest", async () => {
    const pending = g.post("/pipeline", [["SET", "a", "1"], ["BLPOP", "q", 0], ["GET", "a"]]);
    await until(() => g.engine.blocking.count === 1, "the pipeline to block");
    g.exec("SET", "a", "2");
    g.exec("LPUSH", "q", "x");
    assert.deepEqual((await pending).json, [{ result: "OK" }, { result: ["q", "x"] }, { result: "2" }]);
  });

  it("does not stall other clients while one request is blocked", async () => {
    const pending = g.post("/", ["BLPOP", "q", 0]);
    await until(() => g.engine.blocking.count === 1, "the request to block");
    assert.deepEqual((await g.post("/", ["SET", "x", "1"])).json, { result: "OK" });
    assert.equal(g.exec("GET", "x"), "1");
    g.exec("RPUSH", "q", "done");
    await pending;
  });

  it("releases a blocked request when the gateway closes", async () => {
    const pending = g.post("/", ["BLPOP", "q", 0]);
    await until(() => g.engine.blocking.count === 1, "the request to block");
    g.gateway.close();
    assert.deepEqual((await pending).json, { result: null });
    assert.equal((await g.post("/", ["PING"])).status, 503);
  });
});

describe("request limits", () => {
  afterEach(() => g.close());

  it("answers 413 for a body over http-max-body, declared or streamed", async () => {
    g = makeGateway({ "http-max-body": "1024" });
    const big = JSON.stringify(["SET", "k", "x".repeat(2000)]);
    const a = await g.call("POST", "/", { body: big });
    assert.equal(a.status, 413);
    assert.equal(a.json.error, "ERR max request size exceeded (http-max-body is 1024 bytes)");
    const chunk = new TextEncoder().encode("x".repeat(600));
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(chunk);
        c.enqueue(chunk);
        c.close();
      },
    });
    const b = await g.call("POST", "/set/k", { body });
    assert.equal(b.status, 413);
    assert.equal(g.exec("EXISTS", "k"), 0);
    assert.equal((await g.post("/", ["SET", "k", "small"])).status, 200);
  });

  it("answers 400 for a pipeline or transaction over http-max-pipeline", async () => {
    g = makeGateway({ "http-max-pipeline": "3" });
    const cmds = [["INCR", "n"], ["INCR", "n"], ["INCR", "n"], ["INCR", "n"]];
    for (const path of ["/pipeline", "/multi-exec"]) {
      const a = await g.post(path, cmds);
      assert.equal(a.status, 400);
      assert.equal(a.json.error, "ERR max pipeline length exceeded: 4 commands, http-max-pipeline is 3");
    }
    assert.equal(g.exec("EXISTS", "n"), 0);
    assert.equal((await g.post("/pipeline", cmds.slice(1))).status, 200);
  });

  it("answers 408 when the body does not arrive within http-request-timeout", async () => {
    g = makeGateway({ "http-request-timeout": "2000" });
    const body = new ReadableStream<Uint8Array>({ start() {} });
    const pending = g.call("POST", "/", { body });
    await tick(5);
    g.advance(1900);
    await tick(5);
    g.advance(200);
    const a = await pending;
    assert.equal(a.status, 408);
    assert.equal(a.json.error, "ERR request timed out (http-request-timeout is 2000 ms)");
  });

  it("bounds a blocking wait by the time left before the request deadline", async () => {
    g = makeGateway({ "http-request-timeout": "1000", "http-max-blocking-timeout": "60000" });
    const pending = g.post("/", ["BLPOP", "q", 0]);
    await until(() => g.engine.blocking.count === 1, "the request to block");
    g.advance(1000);
    assert.deepEqual((await pending).json, { result: null });
  });
});

describe("upstash-sync-token", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("is non-empty on every response and changes after every write, whichever door", async () => {
    const t0 = (await g.post("/", ["PING"])).headers.get("upstash-sync-token");
    assert.ok(t0);
    const t1 = (await g.post("/", ["SET", "a", "1"])).headers.get("upstash-sync-token");
    assert.notEqual(t1, t0);
    const t2 = (await g.post("/", ["GET", "a"])).headers.get("upstash-sync-token");
    assert.equal(t2, t1);
    const t3 = (await g.post("/pipeline", [["INCR", "a"]])).headers.get("upstash-sync-token");
    assert.notEqual(t3, t2);
    g.exec("SET", "b", "2");
    const t4 = (await g.post("/", ["GET", "a"])).headers.get("upstash-sync-token");
    assert.notEqual(t4, t3);
    assert.ok((await g.post("/", ["GET"], { token: "bad" })).headers.get("upstash-sync-token"));
  });

  it("changes after writes that fire no key event: FLUSHDB, FLUSHALL, SWAPDB", async () => {
    const seen = new Set<string>();
    const tokenAfter = async (cmd: string[]) => {
      const t = (await g.post("/", cmd)).headers.get("upstash-sync-token")!;
      assert.ok(!seen.has(t), `${cmd.join(" ")} answered an earlier token`);
      seen.add(t);
    };
    await tokenAfter(["SET", "a", "1"]);
    await tokenAfter(["FLUSHDB"]);
    g.exec("SET", "a", "1");
    await tokenAfter(["FLUSHALL"]);
    g.exec("SET", "a", "1");
    await tokenAfter(["SWAPDB", "0", "1"]);
    await tokenAfter(["SWAPDB", "0", "1"]);
    const t = (await g.post("/", ["DBSIZE"])).headers.get("upstash-sync-token")!;
    assert.ok(seen.has(t), "a read moved the token");
  });
});

describe("closing the gateway", () => {
  it("removes its write listener from the engine, once, whoever closes it", () => {
    const t = makeEngine();
    const live = new Set<unknown>();
    let calls = 0;
    const add = t.engine.onKeyModified.bind(t.engine);
    t.engine.onKeyModified = (fn) => {
      const counted: typeof fn = (...args) => {
        calls++;
        fn(...args);
      };
      live.add(counted);
      const remove = add(counted);
      return () => {
        assert.ok(live.delete(counted), "removed twice");
        remove();
      };
    };
    try {
      const gw = createGateway(t.engine);
      assert.equal(live.size, 1);
      t.exec("SET", "k", "v");
      assert.equal(calls, 1);
      gw.close();
      assert.equal(live.size, 0);
      t.exec("SET", "k", "w");
      assert.equal(calls, 1);
      gw.close();
      // createFetchHandler over an engine it does not own closes only its gateway.
      const h = createFetchHandler({ engine: t.engine });
      assert.equal(live.size, 1);
      h.close();
      assert.equal(live.size, 0);
      assert.equal(t.exec("GET", "k"), "w");
    } finally {
      t.engine.close();
    }
  });
});

describe("other endpoints and methods", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("GET /healthz answers 200 without a token, 503 once closing", async () => {
    const a = await g.call("GET", "/healthz", { token: null });
    assert.equal(a.status, 200);
    assert.deepEqual(a.json, { status: "ok" });
    g.gateway.close();
    assert.equal((await g.call("GET", "/healthz", { token: null })).status, 503);
  });

  it("GET /metrics answers Prometheus text, behind the token", async () => {
    assert.equal((await g.call("GET", "/metrics", { token: null })).status, 401);
    g.exec("SET", "k", "v");
    g.exec("GET", "k");
    g.exec("GET", "nope");
    await g.post("/", ["PING"]);
    const a = await g.call("GET", "/metrics", { token: RO });
    assert.equal(a.status, 200);
    assert.match(a.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
    assert.match(a.text, /^# HELP kite_info /);
    assert.match(a.text, /\nkite_keyspace_hits_total 1\n/);
    assert.match(a.text, /\nkite_keyspace_misses_total 1\n/);
    assert.match(a.text, /\nkite_db_keys\{db="0"\} 1\n/);
    assert.match(a.text, /\nkite_command_calls_total\{cmd="set"\} 1\n/);
    assert.match(a.text, /\nkite_command_duration_seconds_total\{cmd="get"\} [0-9.e-]+\n/);
    assert.match(a.text, /\nkite_connected_clients\{via="embedded"\} 1\n/);
    assert.match(a.text, /\nkite_http_requests_total\{endpoint="\/",status="200"\} 1\n/);
    assert.match(a.text, /\nkite_memory_used_bytes \d+\n/);
    // Every sample line is "name{labels} number".
    for (const line of a.text.trim().split("\n")) {
      if (!line.startsWith("#")) assert.match(line, /^[a-z_]+(\{[^}]*\})? -?[0-9.e+-]+$/, line);
    }
  });

  it("answers 405 with a JSON body for other methods", async () => {
    for (const method of ["DELETE", "PATCH"]) {
      const a = await g.call(method, "/get/k");
      assert.equal(a.status, 405);
      assert.equal(a.headers.get("allow"), "GET, HEAD, POST, PUT");
      assert.equal(a.json.error, `ERR method ${method} is not allowed: use GET, HEAD, POST or PUT`);
    }
  });

  it("answers a CORS preflight and exposes the sync token to browsers", async () => {
    const a = await g.call("OPTIONS", "/", {
      token: null,
      headers: { origin: "https://app.example", "access-control-request-headers": "authorization, upstash-encoding" },
    });
    assert.equal(a.status, 204);
    assert.equal(a.headers.get("access-control-allow-origin"), "*");
    assert.equal(a.headers.get("access-control-allow-headers"), "authorization, upstash-encoding");
    const b = await g.post("/", ["PING"], { headers: { origin: "https://app.example" } });
    assert.equal(b.headers.get("access-control-allow-origin"), "*");
    assert.equal(b.headers.get("access-control-expose-headers"), "upstash-sync-token");
    // Server-to-server requests (no Origin) are spared the CORS headers.
    const c = await g.post("/", ["PING"]);
    assert.equal(c.headers.get("access-control-allow-origin"), null);
    assert.ok(c.headers.get("upstash-sync-token"));
  });

  it("answers raw RESP2 with Upstash-Response-Format: resp2", async () => {
    g.exec("SET", "k", "v");
    const a = await g.post("/", ["MGET", "k", "nope"], { headers: { "upstash-response-format": "resp2" } });
    assert.equal(a.status, 200);
    assert.equal(a.headers.get("content-type"), "application/octet-stream");
    assert.equal(a.text, "*2\r\n$1\r\nv\r\n$-1\r\n");
    const p = await g.post("/pipeline", [["GET", "k"], ["GET"]], { headers: { "upstash-response-format": "resp2" } });
    assert.equal(p.text, "$1\r\nv\r\n-ERR wrong number of arguments for 'get' command\r\n");
    assert.equal((await g.post("/", ["GET", "k"], { headers: { "upstash-response-format": "xml" } })).status, 400);
    const both = await g.post("/", ["GET", "k"], {
      headers: { "upstash-response-format": "resp2", "upstash-encoding": "base64" },
    });
    assert.equal(both.status, 400);
    const t = await g.post("/multi-exec", [["GET", "k"]], { headers: { "upstash-response-format": "resp2" } });
    assert.equal(t.status, 400);
  });
});

describe("createGateway({ basePath })", () => {
  afterEach(() => g.close());

  it("serves every endpoint under the prefix", async () => {
    g = makeGateway({}, { basePath: "/v1/" });
    assert.deepEqual((await g.post("/v1", ["SET", "k", "v"])).json, { result: "OK" });
    assert.deepEqual((await g.call("GET", "/v1/get/k")).json, { result: "v" });
    assert.deepEqual((await g.post("/v1/pipeline", [["GET", "k"]])).json, [{ result: "v" }]);
    assert.equal((await g.call("GET", "/v1/healthz", { token: null })).status, 200);
  });
});

describe("POST / and POST /pipeline outside the router", () => {
  afterEach(() => g.close());

  // fetch() takes the two hot endpoints before hono's router; app.fetch() routes them.
  it("answer exactly as the router's routes do", async () => {
    for (const basePath of ["", "/v1"]) {
      g = makeGateway({}, { basePath });
      g.exec("SET", "k", "v");
      const requests: [string, string, Record<string, string>][] = [
        ["/", '["GET","k"]', {}],
        ["/", '["GET","k"]', { "upstash-encoding": "base64" }],
        ["/", '["INCR","k"]', {}],
        ["/", '["GET"]', { origin: "https://app.example" }],
        ["/", "[1", {}],
        ["/", '["GET","k"]', { "upstash-response-format": "resp2" }],
        ["/?_token=" + FULL, '["GET","k"]', {}],
        ["/pipeline", '[["GET","k"],["GET"],["MULTI"]]', {}],
        ["/pipeline", '[["GET","k"]]', { "upstash-response-format": "resp2" }],
        ["/pipeline", "[]", {}],
      ];
      for (const [path, body, headers] of requests) {
        for (const auth of [`Bearer ${FULL}`, `Bearer ${RO}`, "Bearer wrong"]) {
          const make = () =>
            new Request("http://kite" + basePath + path, {
              method: "POST",
              body,
              headers: { authorization: auth, ...headers },
            });
          const direct = await g.gateway.fetch(make());
          const routed = await g.gateway.app.fetch(make(), { remote: "" });
          const what = `${basePath}${path} ${body} ${auth}`;
          assert.equal(direct.status, routed.status, what);
          assert.deepEqual([...direct.headers], [...routed.headers], what);
          assert.equal(await direct.text(), await routed.text(), what);
        }
      }
      g.close();
    }
    g = makeGateway();
  });
});
