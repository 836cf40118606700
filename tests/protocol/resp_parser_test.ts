import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ProtocolError, RespParser, splitArgs } from "../../src/protocol/resp_parser.ts";

function bytes(s: string): Uint8Array {
  return Buffer.from(s, "latin1");
}

function parseAll(p: RespParser): string[][] {
  const out: string[][] = [];
  for (let a = p.next(); a !== null; a = p.next()) out.push(a);
  return out;
}

/** Feeds `input` in pieces of `size` bytes, collecting every command. */
function feedInPieces(input: string, size: number): string[][] {
  const p = new RespParser();
  const out: string[][] = [];
  const buf = bytes(input);
  for (let i = 0; i < buf.length; i += size) {
    p.feed(buf.subarray(i, i + size));
    out.push(...parseAll(p));
  }
  return out;
}

const PIPELINE = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\r\nb\0\r\n" + "PING\r\n" + "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n" +
  "SET \"q k\" 'v w'\n";
const EXPECTED = [["SET", "k", "a\r\nb\0"], ["PING"], ["GET", "k"], ["SET", "q k", "v w"]];

describe("RespParser", () => {
  it("parses a pipeline of multibulk and inline commands in one chunk", () => {
    assert.deepEqual(feedInPieces(PIPELINE, PIPELINE.length), EXPECTED);
  });

  for (const size of [1, 2, 3, 7, 13]) {
    it(`parses the same pipeline fed ${size} byte(s) at a time`, () => {
      assert.deepEqual(feedInPieces(PIPELINE, size), EXPECTED);
    });
  }

  for (const size of [1, 5, 1000]) {
    it(`reuses a repeated command name only when its bytes match (fed ${size} at a time)`, () => {
      const input = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n".repeat(2) + "*2\r\n$3\r\nSET\r\n$1\r\nb\r\n" +
        "*2\r\n$3\r\nget\r\n$1\r\nc\r\n*2\r\n$4\r\nGETX\r\n$1\r\nd\r\n";
      assert.deepEqual(feedInPieces(input, size), [["GET", "a"], ["GET", "a"], ["SET", "b"], ["get", "c"], [
        "GETX",
        "d",
      ]]);
    });
  }

  it("keeps a partial bulk string buffered until its CRLF arrives", () => {
    const p = new RespParser();
    p.feed(bytes("*1\r\n$4\r\nPI"));
    assert.equal(p.next(), null);
    p.feed(bytes("NG"));
    assert.equal(p.next(), null);
    p.feed(bytes("\r\n"));
    assert.deepEqual(p.next(), ["PING"]);
  });

  it("is binary safe for every byte value", () => {
    let all = "";
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    const p = new RespParser();
    p.feed(bytes(`*2\r\n$4\r\nECHO\r\n$256\r\n${all}\r\n`));
    assert.deepEqual(p.next(), ["ECHO", all]);
  });

  it("assembles a large bulk argument that arrives in many chunks", () => {
    const big = "x".repeat(200_000);
    const cmd = `*2\r\n$4\r\nECHO\r\n$${big.length}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`;
    assert.deepEqual(feedInPieces(cmd, 4096), [["ECHO", big], ["PING"]]);
    assert.deepEqual(feedInPieces(cmd, 65536 + 3), [["ECHO", big], ["PING"]]);
  });

  it("returns an empty argv for an empty inline line and for *0", () => {
    const p = new RespParser();
    p.feed(bytes("\r\n*0\r\nPING\r\n"));
    assert.deepEqual(parseAll(p), [[], [], ["PING"]]);
  });

  it("rejects a non-numeric multibulk length", () => {
    const p = new RespParser();
    p.feed(bytes("*abc\r\n"));
    assert.throws(() => p.next(), { message: "ERR Protocol error: invalid multibulk length" });
  });

  it("rejects a multibulk length over INT_MAX", () => {
    const p = new RespParser();
    p.feed(bytes("*2147483648\r\n"));
    assert.throws(() => p.next(), ProtocolError);
  });

  it("rejects a bulk length over proto-max-bulk-len", () => {
    const p = new RespParser({ maxBulkLen: 100 });
    p.feed(bytes("*1\r\n$101\r\n"));
    assert.throws(() => p.next(), { message: "ERR Protocol error: invalid bulk length" });
  });

  it("rejects a negative bulk length", () => {
    const p = new RespParser();
    p.feed(bytes("*1\r\n$-1\r\n"));
    assert.throws(() => p.next(), { message: "ERR Protocol error: invalid bulk length" });
  });

  it("requires '$' before each bulk argument", () => {
    const p = new RespParser();
    p.feed(bytes("*1\r\n:1\r\n"));
    assert.throws(() => p.next(), { message: "ERR Protocol error: expected '$', got ':'" });
  });

  it("rejects an inline request over 64 KB without a newline", () => {
    const p = new RespParser();
    p.feed(bytes("a".repeat(64 * 1024 + 1)));
    assert.throws(() => p.next(), { message: "ERR Protocol error: too big inline request" });
  });

  it("rejects unbalanced quotes in an inline request", () => {
    const p = new RespParser();
    p.feed(bytes('SET "k v\r\n'));
    assert.throws(() => p.next(), { message: "ERR Protocol error: unbalanced quotes in request" });
  });

  it("caps multibulk length for unauthenticated clients as Valkey does", () => {
    const p = new RespParser();
    p.authenticated = false;
    p.feed(bytes("*11\r\n"));
    assert.throws(() => p.next(), { message: "ERR Protocol error: unauthenticated multibulk length" });
  });

  it("skips the two bytes after a bulk argument unchecked, as Valkey does", () => {
    const p = new RespParser();
    p.feed(bytes("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"));
    assert.deepEqual(parseAll(p), [["PING"], ["PING"]]);
  });
});

describe("splitArgs", () => {
  it("splits on spaces and honours double-quote escapes", () => {
    assert.deepEqual(splitArgs('set "a\\x41\\n" b'), ["set", "aA\n", "b"]);
  });
  it("keeps escaped single quotes inside single quotes", () => {
    assert.deepEqual(splitArgs("echo 'it\\'s'"), ["echo", "it's"]);
  });
  it("rejects a closing quote followed by a non-space", () => {
    assert.equal(splitArgs('"a"b'), null);
  });
  it("accepts empty quoted arguments", () => {
    assert.deepEqual(splitArgs('set k ""'), ["set", "k", ""]);
  });
});
