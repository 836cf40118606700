/**
 * RESP over real TCP sockets, byte for byte: inline and multibulk requests, pipelines, binary
 * values, big values, protocol errors, RESP3 via HELLO, QUIT, CLIENT KILL and maxclients.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "../../mod.ts";
import { RawClient, startKite, waitFor, withClient } from "../_helpers/client.ts";
import { command, pipeline, plain } from "../_helpers/resp.ts";

describe("RESP over TCP", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server.close();
  });

  it("answers PING with +PONG and PING msg with a bulk string", async () => {
    await withClient(server.port, async (c) => {
      await c.send("PING");
      await c.send("PING", "hello");
      assert.equal((await c.readBytes(2)).toString("latin1"), "+PONG\r\n$5\r\nhello\r\n");
    });
  });

  it("runs inline commands terminated by CRLF or a bare LF", async () => {
    await withClient(server.port, async (c) => {
      await c.write("PING\r\nPING\n");
      assert.equal((await c.readBytes(2)).toString("latin1"), "+PONG\r\n+PONG\r\n");
    });
  });

  it("splits inline arguments on spaces and honours double and single quotes", async () => {
    await withClient(server.port, async (c) => {
      await c.write(`SET "inline key" 'a b'\r\nGET "inline key"\r\nPING "x\\x41\\ty"\r\n`);
      assert.equal((await c.readBytes(3)).toString("latin1"), "+OK\r\n$3\r\na b\r\n$4\r\nxA\ty\r\n");
    });
  });

  it("ignores empty inline lines and *0 / *-1 requests without replying", async () => {
    await withClient(server.port, async (c) => {
      await c.write("\r\n\n*0\r\n*-1\r\nPING\r\n");
      const first = await c.readBytes(1);
      assert.equal(first.toString("latin1"), "+PONG\r\n");
      // Nothing else may arrive: a second PING's reply must be the very next bytes.
      await c.send("PING", "after");
      assert.equal((await c.readBytes(1)).toString("latin1"), "$5\r\nafter\r\n");
      assert.equal(c.receivedLength, first.length + 11);
    });
  });

  it("accepts inline and multibulk commands mixed in one write", async () => {
    await withClient(server.port, async (c) => {
      await c.write(Buffer.concat([Buffer.from("PING a\r\n"), command("PING", "b"), Buffer.from("PING c\r\n")]));
      assert.equal((await c.readBytes(3)).toString("latin1"), "$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    });
  });

  it("keeps keys and values with CR, LF, NUL and every byte value intact", async () => {
    await withClient(server.port, async (c) => {
      const all = Buffer.alloc(256);
      for (let i = 0; i < 256; i++) all[i] = i;
      const value = Buffer.concat([Buffer.from("\r\n\0$3\r\n*1\r\n"), all, Buffer.from("\0\r\n")]);
      const key = Buffer.from("bin\r\n\0key\xff", "latin1");
      assert.equal(await c.plain("SET", key, value), "OK");
      const reply = await c.call("GET", key);
      assert.equal(reply.type, "bulk");
      assert.ok(reply.type === "bulk" && reply.value.equals(value));
    });
  });

  it("answers a pipeline of 1000 commands sent in one write, in order", async () => {
    await withClient(server.port, async (c) => {
      const cmds: string[][] = [];
      for (let i = 0; i < 500; i++) cmds.push(["SET", `pipe:${i}`, `v${i}`], ["GET", `pipe:${i}`]);
      await c.write(pipeline(...cmds));
      const replies = await c.read(1000);
      for (let i = 0; i < 500; i++) {
        assert.equal(plain(replies[2 * i]!), "OK");
        assert.equal(plain(replies[2 * i + 1]!), `v${i}`);
      }
    });
  });

  it("stores and returns a 10 MB value", async () => {
    await withClient(server.port, async (c) => {
      const big = Buffer.alloc(10 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
      big.write("\r\nend\r\n", big.length - 7, "latin1");
      assert.equal(await c.plain("SET", "big", big), "OK");
      const reply = await c.call("GET", "big");
      assert.ok(reply.type === "bulk", `expected a bulk reply, got ${reply.type}`);
      assert.equal(reply.value.length, big.length);
      assert.ok(reply.value.equals(big));
    });
  });

  it("serves 200 clients at once, each seeing its own replies", async () => {
    const clients: RawClient[] = [];
    try {
      // In batches, so the listen backlog never overflows into SYN retries.
      for (let i = 0; i < 200; i += 50) {
        clients.push(...await Promise.all(Array.from({ length: 50 }, () => RawClient.connect(server.port))));
      }
      await Promise.all(clients.map((c, i) => c.send("SET", `many:${i}`, `c${i}`)));
      await Promise.all(clients.map((c) => c.read(1)));
      const got = await Promise.all(clients.map((c, i) => c.plain("GET", `many:${i}`)));
      assert.deepEqual(got, clients.map((_, i) => `c${i}`));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe("Protocol errors", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ "proto-max-bulk-len": "1mb" });
  });
  after(async () => {
    await server.close();
  });

  /** Sends `bytes`, expects exactly `expected` back, then the server closing the connection. */
  async function expectClose(bytes: string, expected: string): Promise<void> {
    await withClient(server.port, async (c) => {
      await c.write(bytes);
      await c.waitClosed();
      assert.equal(c.received().toString("latin1"), expected);
    });
  }

  it("answers a non-numeric multibulk length with invalid multibulk length and closes", async () => {
    await expectClose("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n");
  });

  it("answers a non-numeric bulk length with invalid bulk length and closes", async () => {
    await expectClose("*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n");
  });

  it("answers a negative bulk length with invalid bulk length and closes", async () => {
    await expectClose("*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n");
  });

  it("answers a bulk longer than proto-max-bulk-len with invalid bulk length and closes", async () => {
    await expectClose("*2\r\n$3\r\nSET\r\n$2000000\r\n", "-ERR Protocol error: invalid bulk length\r\n");
  });

  it("names the unexpected byte when '$' is missing and closes", async () => {
    await expectClose("*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n");
  });

  it("rejects unbalanced quotes in an inline command and closes", async () => {
    await expectClose('PING "open\r\n', "-ERR Protocol error: unbalanced quotes in request\r\n");
  });

  it("answers the commands before a malformed frame, then the error", async () => {
    await expectClose(
      "*1\r\n$4\r\nPING\r\nPING x\r\n*x\r\nPING\r\n",
      "+PONG\r\n$1\r\nx\r\n-ERR Protocol error: invalid multibulk length\r\n",
    );
  });

  it("leaves other connections working while one is dropped for a protocol error", async () => {
    await withClient(server.port, async (good) => {
      assert.equal(await good.plain("SET", "survivor", "1"), "OK");
      await withClient(server.port, async (bad) => {
        await bad.write("*abc\r\n");
        await bad.waitClosed();
      });
      assert.equal(await good.plain("GET", "survivor"), "1");
      assert.equal(await good.plain("PING"), "PONG");
    });
  });
});

describe("Protocol limits before AUTH", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ requirepass: "secret" });
  });
  after(async () => {
    await server.close();
  });

  it("rejects a multibulk count over 10 from an unauthenticated client", async () => {
    await withClient(server.port, async (c) => {
      await c.write("*11\r\n");
      await c.waitClosed();
      assert.equal(c.received().toString("latin1"), "-ERR Protocol error: unauthenticated multibulk length\r\n");
    });
  });

  it("rejects a bulk over 16 KB from an unauthenticated client", async () => {
    await withClient(server.port, async (c) => {
      await c.write("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
      await c.waitClosed();
      assert.equal(c.received().toString("latin1"), "-ERR Protocol error: unauthenticated bulk length\r\n");
    });
  });

  it("answers commands with NOAUTH until the client authenticates", async () => {
    await withClient(server.port, async (c) => {
      assert.deepEqual(await c.plain("GET", "k"), { error: "NOAUTH Authentication required." });
    });
  });

  it("accepts AUTH with the right password", async () => {
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("AUTH", "secret"), "OK");
      assert.equal(await c.plain("PING"), "PONG");
    });
  });
});

describe("RESP3 via HELLO", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server.close();
  });

  it("answers HELLO 3 with a map of server facts, encoded with %", async () => {
    await withClient(server.port, async (c) => {
      const r = await c.call("HELLO", "3");
      assert.equal(r.type, "map");
      const m = plain(r) as Record<string, unknown>;
      assert.equal(m.proto, 3);
      assert.equal(typeof m.id, "number");
      assert.equal(typeof m.server, "string");
      assert.equal(typeof m.version, "string");
      assert.equal(m.mode, "standalone");
      assert.equal(m.role, "master");
      assert.deepEqual(m.modules, [{ name: "search", ver: 10000, path: "", args: [] }]);
    });
  });

  it("answers HELLO 2 with the same facts as a flat array", async () => {
    await withClient(server.port, async (c) => {
      const r = await c.call("HELLO", "2");
      assert.equal(r.type, "array");
      const flat = plain(r) as unknown[];
      assert.equal(flat[flat.indexOf("proto") + 1], 2);
    });
  });

  it("switches null replies from $-1 to _ after HELLO 3 and back after HELLO 2", async () => {
    await withClient(server.port, async (c) => {
      await c.send("GET", "resp3:absent");
      assert.equal((await c.readBytes(1)).toString("latin1"), "$-1\r\n");
      await c.call("HELLO", "3");
      await c.send("GET", "resp3:absent");
      assert.equal((await c.readBytes(1)).toString("latin1"), "_\r\n");
      await c.call("HELLO", "2");
      await c.send("GET", "resp3:absent");
      assert.equal((await c.readBytes(1)).toString("latin1"), "$-1\r\n");
    });
  });

  it("rejects an unsupported protocol version with NOPROTO", async () => {
    await withClient(server.port, async (c) => {
      assert.deepEqual(await c.plain("HELLO", "4"), { error: "NOPROTO unsupported protocol version" });
    });
  });
});

describe("Connection lifecycle", () => {
  let server: Server;
  before(async () => {
    server = await startKite();
  });
  after(async () => {
    await server.close();
  });

  it("replies +OK to QUIT, then closes without running later commands", async () => {
    await withClient(server.port, async (c) => {
      await c.write(pipeline(["QUIT"], ["SET", "after-quit", "1"]));
      await c.waitClosed();
      assert.equal(c.received().toString("latin1"), "+OK\r\n");
    });
    await withClient(server.port, async (c) => {
      await c.send("GET", "after-quit");
      assert.equal((await c.readBytes(1)).toString("latin1"), "$-1\r\n");
    });
  });

  it("closes a connection named by CLIENT KILL ID from another client", async () => {
    await withClient(server.port, async (killer) => {
      await withClient(server.port, async (victim) => {
        const id = await victim.plain("CLIENT", "ID");
        assert.equal(typeof id, "number");
        assert.equal(await killer.plain("CLIENT", "KILL", "ID", String(id)), 1);
        await victim.waitClosed();
      });
      assert.equal(await killer.plain("PING"), "PONG");
    });
  });

  it("closes the connection at an address given to CLIENT KILL addr", async () => {
    await withClient(server.port, async (killer) => {
      await withClient(server.port, async (victim) => {
        const addr = `127.0.0.1:${victim.socket.localPort}`;
        assert.match(String(await victim.plain("CLIENT", "INFO")), new RegExp(`addr=${addr} `));
        assert.equal(await killer.plain("CLIENT", "KILL", addr), "OK");
        await victim.waitClosed();
      });
    });
  });

  it("forgets a client once its socket closes", async () => {
    // Earlier tests' clients are closed, but the server may not have noticed yet.
    await waitFor(() => server.engine.clients.size === 0, "earlier clients to be forgotten");
    const c = await RawClient.connect(server.port);
    assert.equal(await c.plain("PING"), "PONG");
    assert.equal(server.engine.clients.size, 1);
    await c.close();
    await waitFor(() => server.engine.clients.size === 0, "the closed client to be forgotten");
  });
});

describe("maxclients", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ maxclients: "2" });
  });
  after(async () => {
    await server.close();
  });

  it("refuses a connection over maxclients with Valkey's error and closes it", async () => {
    const a = await RawClient.connect(server.port);
    const b = await RawClient.connect(server.port);
    try {
      assert.equal(await a.plain("PING"), "PONG");
      assert.equal(await b.plain("PING"), "PONG");
      await withClient(server.port, async (c) => {
        await c.waitClosed();
        assert.equal(c.received().toString("latin1"), "-ERR max number of clients reached\r\n");
      });
      assert.equal(server.engine.stats.rejectedConnections, 1);
      assert.equal(await a.plain("PING"), "PONG");
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("Unix socket", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kite-unix-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("answers PING on the unixSocket path and shares the keyspace with TCP", async () => {
    const path = join(dir, "a.sock");
    const server = await startKite({}, { unixSocket: path });
    try {
      await withClient({ path }, async (c) => {
        assert.equal(await c.plain("PING"), "PONG");
        assert.equal(await c.plain("SET", "via-unix", "yes"), "OK");
      });
      await withClient(server.port, async (c) => {
        assert.equal(await c.plain("GET", "via-unix"), "yes");
      });
    } finally {
      await server.close();
    }
    assert.equal(existsSync(path), false, "the socket file was left behind");
  });

  it("reads the path from the unixsocket config parameter", async () => {
    const path = join(dir, "b.sock");
    const server = await startKite({ unixsocket: path });
    try {
      await withClient({ path }, async (c) => {
        assert.equal(await c.plain("PING"), "PONG");
      });
    } finally {
      await server.close();
    }
  });

  it("takes over a socket file left at the path, as Valkey unlinks before binding", async () => {
    const path = join(dir, "c.sock");
    const first = await startKite({}, { unixSocket: path });
    const second = await startKite({}, { unixSocket: path });
    try {
      await withClient({ path }, async (c) => {
        assert.equal(await c.plain("SET", "owner", "second"), "OK");
      });
      await withClient(second.port, async (c) => {
        assert.equal(await c.plain("GET", "owner"), "second");
      });
    } finally {
      await second.close();
      await first.close();
    }
  });
});
