import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { encodeReply, encodeShared, RespWriter } from "../../src/protocol/resp_encoder.ts";
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
  push,
  type Reply,
  set,
  verbatim,
} from "../../src/protocol/reply.ts";

function enc(r: Reply, v: 2 | 3): string {
  return Buffer.from(encodeReply(r, v)).toString("latin1");
}

const CASES: [string, Reply, string, string][] = [
  ["simple", OK, "+OK\r\n", "+OK\r\n"],
  ["error", error("ERR bad"), "-ERR bad\r\n", "-ERR bad\r\n"],
  [
    "error quoting CR LF",
    error("NOGROUP No such key 'a\r\nb'"),
    "-NOGROUP No such key 'a  b'\r\n",
    "-NOGROUP No such key 'a  b'\r\n",
  ],
  ["small int", int(7), ":7\r\n", ":7\r\n"],
  ["negative int", int(-12345), ":-12345\r\n", ":-12345\r\n"],
  ["bigint", int(9223372036854775807n), ":9223372036854775807\r\n", ":9223372036854775807\r\n"],
  ["bulk string", bulk("a\r\nb"), "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"],
  ["bulk bytes", bulk(new Uint8Array([0, 255])), "$2\r\n\x00\xff\r\n", "$2\r\n\x00\xff\r\n"],
  ["empty bulk", bulk(""), "$0\r\n\r\n", "$0\r\n\r\n"],
  ["null bulk", NULL, "$-1\r\n", "_\r\n"],
  ["null array", NULL_ARRAY, "*-1\r\n", "_\r\n"],
  ["array", array([int(1), bulk("x")]), "*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n"],
  ["set", set([bulk("a")]), "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"],
  ["push", push([bulk("m")]), "*1\r\n$1\r\nm\r\n", ">1\r\n$1\r\nm\r\n"],
  ["map", map([[bulk("k"), int(1)]]), "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"],
  ["pairs", pairs([[bulk("m"), double(2)]]), "*2\r\n$1\r\nm\r\n$1\r\n2\r\n", "*1\r\n*2\r\n$1\r\nm\r\n,2\r\n"],
  ["double", double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"],
  ["double inf", double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
  ["bool true", bool(true), ":1\r\n", "#t\r\n"],
  ["bool false", bool(false), ":0\r\n", "#f\r\n"],
  ["verbatim", verbatim("hi"), "$2\r\nhi\r\n", "=6\r\ntxt:hi\r\n"],
  [
    "bignum",
    bignum(123456789012345678901234567890n),
    "$30\r\n123456789012345678901234567890\r\n",
    "(123456789012345678901234567890\r\n",
  ],
];

describe("RespWriter.reply", () => {
  for (const [name, reply, r2, r3] of CASES) {
    it(`encodes ${name} for RESP2`, () => assert.equal(enc(reply, 2), r2));
    it(`encodes ${name} for RESP3`, () => assert.equal(enc(reply, 3), r3));
  }

  it("grows past its initial capacity and keeps replies in order", () => {
    const w = new RespWriter(8);
    const big = "z".repeat(100_000);
    w.reply(bulk(big), 2);
    w.reply(OK, 2);
    const out = Buffer.from(w.take()).toString("latin1");
    assert.equal(out, `$100000\r\n${big}\r\n+OK\r\n`);
    assert.equal(w.length, 0);
  });

  it("hands out buffers it never writes into again", () => {
    const w = new RespWriter(64);
    w.reply(OK, 2);
    const first = w.take();
    w.reply(error("ERR x"), 2);
    w.take();
    assert.equal(Buffer.from(first).toString("latin1"), "+OK\r\n");
  });
});

describe("encodeShared", () => {
  it("encodes a fanned-out reply once per protocol and matches the per-client encoding", () => {
    const msg = push([bulk("message"), bulk("ch"), bulk("hi")]);
    const r2 = encodeShared(msg, 2);
    const r3 = encodeShared(msg, 3);
    assert.equal(Buffer.from(r2).toString("latin1"), "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    assert.equal(Buffer.from(r3).toString("latin1"), ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    assert.equal(encodeShared(msg, 2), r2, "the second subscriber gets the same bytes without encoding");
    assert.equal(encodeShared(msg, 3), r3);
    const next = push([bulk("message"), bulk("ch"), bulk("bye")]);
    assert.deepEqual(encodeShared(next, 2), encodeReply(next, 2));
    assert.notEqual(encodeShared(next, 2), r2);
  });
});
