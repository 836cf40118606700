/**
 * The gateway's pure parts: Reply -> JSON in RESP2 shapes (with and without base64), JSON and
 * path-style arguments -> argv, and token handling.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { errorBody, replyToJson, singleBody } from "../../src/http/reply_json.ts";
import { ArgvBuilder, decodeSegment, numberTokens, pathArgv, utf8Bytes } from "../../src/http/args.ts";
import { authorize, presentedToken, readonlyAllows, safeEqual } from "../../src/http/auth.ts";
import { Batch, Command, parseBatch, parseCommand } from "../../src/http/schemas.ts";
import {
  array,
  bignum,
  bool,
  bulk,
  double,
  error,
  int,
  map,
  NULL,
  NULL_ARRAY,
  OK,
  pairs,
  PONG,
  push,
  set,
  simple,
  verbatim,
} from "../../src/protocol/reply.ts";
import { Engine } from "../../src/engine/engine.ts";

describe("replyToJson()", () => {
  it("writes every reply type in its RESP2 shape", () => {
    assert.equal(replyToJson(OK, false), '"OK"');
    assert.equal(replyToJson(bulk('a"b\\c\n'), false), '"a\\"b\\\\c\\n"');
    assert.equal(replyToJson(int(-42), false), "-42");
    assert.equal(replyToJson(NULL, false), "null");
    assert.equal(replyToJson(NULL_ARRAY, false), "null");
    assert.equal(replyToJson(array([bulk("a"), NULL, int(1), array([])]), false), '["a",null,1,[]]');
    assert.equal(replyToJson(set([bulk("x")]), false), '["x"]');
    assert.equal(replyToJson(push([bulk("message"), bulk("c")]), false), '["message","c"]');
    assert.equal(replyToJson(map([[bulk("k"), int(1)], [bulk("j"), bulk("v")]]), false), '["k",1,"j","v"]');
    assert.equal(replyToJson(pairs([[bulk("m"), double(2.5)]]), false), '["m","2.5"]');
    assert.equal(replyToJson(double(Infinity), false), '"inf"');
    assert.equal(replyToJson(double(1.5, "1.50000000000000000"), false), '"1.50000000000000000"');
    assert.equal(replyToJson(bool(true), false), "1");
    assert.equal(replyToJson(bool(false), false), "0");
    assert.equal(replyToJson(verbatim("text"), false), '"text"');
    assert.equal(replyToJson(bignum(123456789012345678901234567890n), false), '"123456789012345678901234567890"');
  });

  it("keeps the exact digits of 64-bit integers", () => {
    assert.equal(replyToJson(int(9223372036854775807n), false), "9223372036854775807");
    assert.equal(replyToJson(int(-9223372036854775808n), false), "-9223372036854775808");
  });

  it("decodes bulk bytes as UTF-8, with U+FFFD for invalid sequences", () => {
    assert.equal(JSON.parse(replyToJson(bulk(utf8Bytes("héllo ✓")), false)), "héllo ✓");
    assert.equal(JSON.parse(replyToJson(bulk("\xff"), false)), "\ufffd");
    assert.equal(JSON.parse(replyToJson(bulk(new Uint8Array([0x68, 0x69])), false)), "hi");
  });

  it("base64-encodes every string except a top-level OK", () => {
    assert.equal(replyToJson(OK, true), '"OK"');
    assert.equal(replyToJson(PONG, true), '"UE9ORw=="');
    assert.equal(replyToJson(simple("string"), true), '"c3RyaW5n"');
    assert.equal(replyToJson(array([OK, bulk("x")]), true), '["T0s=","eA=="]');
    assert.equal(replyToJson(bulk("\xff\x00"), true), '"/wA="');
    assert.equal(replyToJson(bulk(new Uint8Array([0xff, 0])), true), '"/wA="');
    assert.equal(replyToJson(int(5), true), "5");
    assert.equal(replyToJson(NULL, true), "null");
    assert.equal(replyToJson(double(2.5), true), '"Mi41"');
  });
});

describe("singleBody() / errorBody()", () => {
  it("wraps a result, and never encodes an error", () => {
    assert.equal(singleBody(NULL, true), '{"result":null}');
    assert.equal(singleBody(bulk("v"), true), '{"result":"dg=="}');
    assert.equal(singleBody(error("ERR x"), true), '{"error":"ERR x"}');
    assert.equal(errorBody("ERR unknown command '\xc3\xa9'"), '{"error":"ERR unknown command \'é\'"}');
  });
});

describe("ArgvBuilder", () => {
  it("turns strings into UTF-8 byte strings, numbers into decimal text, booleans into true/false", () => {
    const b = new ArgvBuilder('["SET","ключ",1.5,-1,true,false,0]');
    assert.deepEqual(b.argv(["SET", "ключ", 1.5, -1, true, false, 0]), [
      "SET",
      Buffer.from("ключ").toString("latin1"),
      "1.5",
      "-1",
      "true",
      "false",
      "0",
    ]);
  });

  it("takes integers beyond 2^53 from the request text, in document order", () => {
    const text = '[["A",1,99999999999999999999],["B",2.5,-123456789012345678901,3]]';
    const cmds = JSON.parse(text) as (string | number)[][];
    const b = new ArgvBuilder(text);
    assert.deepEqual(cmds.map((c) => b.argv(c)), [
      ["A", "1", "99999999999999999999"],
      ["B", "2.5", "-123456789012345678901", "3"],
    ]);
  });
});

describe("numberTokens()", () => {
  it("finds number tokens outside strings, skipping escapes", () => {
    assert.deepEqual(numberTokens('["1 2", 3, "a\\"4", -5.5e+3, [6]]'), ["3", "-5.5e+3", "6"]);
  });
});

describe("decodeSegment()", () => {
  it("decodes percent escapes to bytes and other text to UTF-8 bytes", () => {
    assert.equal(decodeSegment("a%2Fb"), "a/b");
    assert.equal(decodeSegment("%FF%00"), "\xff\x00");
    assert.equal(decodeSegment("é%20x"), "\xc3\xa9 x");
    assert.equal(decodeSegment("100%"), "100%");
    assert.equal(decodeSegment("%zz"), "%zz");
  });
});

describe("pathArgv()", () => {
  it("splits the path, appends the body, then query parameters", () => {
    assert.deepEqual(pathArgv("http://h/set/k?EX=100&NX", "v"), ["set", "k", "v", "EX", "100", "NX"]);
    assert.deepEqual(pathArgv("http://h/get/k?_token=t", undefined), ["get", "k"]);
    assert.deepEqual(pathArgv("http://h/echo/a+b?x=a+b", undefined), ["echo", "a+b", "x", "a b"]);
    assert.deepEqual(pathArgv("http://h/set/k/", undefined), ["set", "k", ""]);
    assert.deepEqual(pathArgv("http://h/", undefined), []);
    assert.deepEqual(pathArgv("http://h:8080/get/k#frag", undefined), ["get", "k"]);
  });
});

describe("presentedToken() / authorize()", () => {
  const tokens = { full: "full-t", readonly: "ro-t" };

  it("reads a bearer header, else _token, and fails a malformed header", () => {
    assert.equal(presentedToken("Bearer abc", "http://h/"), "abc");
    assert.equal(presentedToken("bearer  abc ", "http://h/"), "abc");
    assert.equal(presentedToken("Basic abc", "http://h/?_token=x"), null);
    assert.equal(presentedToken(null, "http://h/get/k?a=1&_token=x%2By"), "x+y");
    assert.equal(presentedToken(null, "http://h/"), "");
  });

  it("takes the token after Bearer (any case, any spacing) and nothing with whitespace inside", () => {
    const rule = (h: string) => /^\s*bearer\s+(\S+)\s*$/i.exec(h)?.[1] ?? null;
    const headers = [
      "Bearer abc",
      "Bearer a-b_c.d~e+f/g=",
      "Bearer ",
      "Bearer",
      "Bearer a b",
      "Bearer abc\t",
      "Bearer  abc",
      " Bearer abc",
      "BEARER abc",
      "Bearer tök",
      "Bearer tok\u00a0",
      "Bearer \u007fx",
      "Bearerabc",
      "Bearer abc\r\n",
    ];
    for (const h of headers) assert.equal(presentedToken(h, "http://h/?_token=q"), rule(h), JSON.stringify(h));
  });

  it("maps tokens to access levels", () => {
    assert.equal(authorize("full-t", tokens), "full");
    assert.equal(authorize("ro-t", tokens), "readonly");
    assert.equal(authorize("nope", tokens), undefined);
    assert.equal(authorize("", tokens), undefined);
    assert.equal(authorize(null, tokens), undefined);
    assert.equal(authorize("", { full: "", readonly: "" }), "full");
    assert.equal(authorize("anything", { full: "", readonly: "ro-t" }), undefined);
  });

  it("compares tokens of any length", () => {
    assert.ok(safeEqual("abc", "abc"));
    assert.ok(!safeEqual("abc", "abd"));
    assert.ok(!safeEqual("abc", "abcd"));
    assert.ok(!safeEqual("", "a"));
  });
});

describe("readonlyAllows()", () => {
  const engine = new Engine();
  const allows = (...names: string[]) => {
    let cmd = engine.registry.get(names[0]!)!;
    if (names[1] !== undefined) cmd = cmd.subcommands!.get(names[1])!;
    return readonlyAllows(cmd);
  };

  it("allows reads, PING/ECHO and subscriptions", () => {
    for (const n of ["get", "mget", "hgetall", "zrange", "scan", "ttl", "exists", "ping", "echo", "subscribe"]) {
      if (engine.registry.get(n) !== undefined) assert.ok(allows(n), n);
    }
    assert.ok(allows("object", "encoding"));
  });

  it("refuses writes, publishing, admin and dangerous commands", () => {
    for (const n of ["set", "del", "expire", "flushall", "keys", "publish", "monitor", "debug", "swapdb"]) {
      if (engine.registry.get(n) !== undefined) assert.ok(!allows(n), n);
    }
    assert.ok(!allows("config", "set"));
    assert.ok(!allows("client", "kill"));
    engine.close();
  });
});

describe("parseCommand() / parseBatch()", () => {
  // Bodies of every shape: the direct check must accept exactly what the zod schemas accept.
  const commands: unknown[] = [
    ["GET", "k"],
    ["set", "k", 1, "nx", "ex", 10],
    ["SET", "k", true],
    ["ZADD", "z", 1.5, "m", -0, false],
    ["PING"],
    [],
    [1, "x"],
    [true],
    ["SET", "k", null],
    ["SET", "k", { a: 1 }],
    ["SET", "k", ["x"]],
    ["SET", "k", undefined],
    ["SET", "k", Infinity],
    ["SET", "k", NaN],
    ["SET", "k", 1n],
    "GET",
    { 0: "GET", length: 1 },
    null,
    42,
    // deno-lint-ignore no-sparse-arrays
    ["SET", , "v"],
  ];
  const batches: unknown[] = [
    ...commands.map((c) => [c]),
    [["GET", "a"], ["SET", "b", 2]],
    [["GET", "a"], []],
    [["GET", "a"], "GET"],
    [],
    commands,
  ];

  it("accepts exactly what the zod schemas accept", () => {
    for (const c of commands) {
      assert.equal(parseCommand(c).ok, Command.safeParse(c).success, JSON.stringify(String(c)));
    }
    for (const b of batches) assert.equal(parseBatch(b).ok, Batch.safeParse(b).success);
  });

  it("hands back the command itself, and zod's wording of the first problem otherwise", () => {
    const cmd = ["SET", "k", 1];
    const ok = parseCommand(cmd);
    assert.ok(ok.ok && ok.value === cmd);
    assert.deepEqual(parseCommand(["SET", "k", null]), {
      ok: false,
      error: "ERR invalid request body: argument 2 must be a JSON string, number or boolean",
    });
    assert.deepEqual(parseBatch([["GET", "a"], []]), {
      ok: false,
      error: "ERR invalid request body: command 1 is empty",
    });
  });
});
