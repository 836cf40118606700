/**
 * The same pipeline, written in one piece and then split into 1-, 2-, 7- and 4093-byte writes,
 * must get byte-identical replies: the parser and the socket adapter may see a command cut at
 * any byte (Garnet's SingleIncr(bytesPerSend) idea).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Server } from "../../mod.ts";
import { RawClient, startKite } from "../_helpers/client.ts";
import { type Arg, command, decodeAll, type Plain, plain } from "../_helpers/resp.ts";

// Over the parser's 32 KB threshold, so the preallocated big-argument path is crossed too.
const BIG = Buffer.alloc(40 * 1024, "x");
BIG.write("\r\n\0*1\r\n$3\r\n", 1000, "latin1");

/** The pipeline and the replies expected for it. */
function scenario(): { bytes: Buffer; count: number; expected: Plain[] } {
  const parts: Buffer[] = [];
  const expected: Plain[] = [];
  const add = (args: Arg[], reply: Plain) => {
    parts.push(command(...args));
    expected.push(reply);
  };
  const inline = (line: string, reply: Plain) => {
    parts.push(Buffer.from(line, "latin1"));
    expected.push(reply);
  };
  add(["PING"], "PONG");
  inline("PING inline\r\n", "inline");
  add(["SET", "frag:k", "value with spaces"], "OK");
  add(["GET", "frag:k"], "value with spaces");
  add(["SET", Buffer.from("frag:\r\n\0", "latin1"), Buffer.from("\0\r\n\xff$", "latin1")], "OK");
  add(["GET", Buffer.from("frag:\r\n\0", "latin1")], "\0\r\n\xff$");
  add(["SET", "frag:big", BIG], "OK");
  add(["GET", "frag:big"], BIG.toString("latin1"));
  add(["GET", "frag:absent"], null);
  inline(`SET "frag:q" 'quoted value'\n`, "OK");
  add(["GET", "frag:q"], "quoted value");
  add(["DEL", "frag:n"], 0);
  add(["INCR", "frag:n"], 1);
  add(["INCR", "frag:n"], 2);
  add(["DEL", "frag:n"], 1);
  add(["MGET", "frag:k", "frag:absent", "frag:q"], ["value with spaces", null, "quoted value"]);
  add(["ECHO", ""], "");
  add(["NOSUCHCMD", "a"], { error: "ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' " });
  add(["GET"], { error: "ERR wrong number of arguments for 'get' command" });
  add(["PING", "last"], "last");
  return { bytes: Buffer.concat(parts), count: expected.length, expected };
}

/** Writes `bytes` in `size`-byte pieces, each awaited, and returns the reply bytes. */
async function feed(port: number, bytes: Buffer, size: number, count: number): Promise<Buffer> {
  const c = await RawClient.connect(port);
  try {
    const reading = c.readBytes(count, 60_000);
    for (let off = 0; off < bytes.length; off += size) {
      await c.write(bytes.subarray(off, Math.min(off + size, bytes.length)));
    }
    return await reading;
  } finally {
    await c.close();
  }
}

describe("Fragmented requests", () => {
  let server: Server;
  const s = scenario();
  let reference: Buffer;
  before(async () => {
    server = await startKite();
    reference = await feed(server.port, s.bytes, s.bytes.length, s.count);
  });
  after(async () => {
    await server.close();
  });

  it("answers the pipeline written in one piece with the expected replies", () => {
    assert.deepEqual(decodeAll(reference).map(plain), s.expected);
  });

  for (const size of [1, 2, 7, 4093]) {
    it(`answers byte-identically when the pipeline arrives ${size} byte(s) at a time`, async () => {
      const got = await feed(server.port, s.bytes, size, s.count);
      assert.equal(got.length, reference.length);
      assert.ok(got.equals(reference), "reply bytes differ from the one-piece run");
    });
  }

  it("answers byte-identically when write boundaries fall at random offsets", async () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const c = await RawClient.connect(server.port);
    try {
      const reading = c.readBytes(s.count, 60_000);
      for (let off = 0; off < s.bytes.length;) {
        const n = 1 + Math.floor(rnd() * 300);
        await c.write(s.bytes.subarray(off, off + n));
        off += n;
      }
      assert.ok((await reading).equals(reference));
    } finally {
      await c.close();
    }
  });
});
