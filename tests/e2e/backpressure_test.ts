/**
 * Back-pressure: a client that pipelines many reads of a large value and does not read the
 * replies must make the server stop executing its commands (pause reading its socket) instead
 * of buffering every reply in memory; the server keeps serving others, and resumes the slow
 * client once it reads.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Server } from "../../mod.ts";
import type { Session } from "../../src/engine/session.ts";
import { RawClient, sleep, startKite, waitFor, withClient } from "../_helpers/client.ts";
import { command } from "../_helpers/resp.ts";

const VALUE_SIZE = 1024 * 1024;
const GETS = 150;

/** The server-side session of a raw client, found by its local port. */
function sessionOf(server: Server, c: RawClient): Session {
  const suffix = `:${c.socket.localPort}`;
  for (const s of server.engine.clients.values()) if (s.addr.endsWith(suffix)) return s;
  throw new Error(`No session for local port ${c.socket.localPort}`);
}

/** Waits until `read()` stops changing for `quietMs`, and returns its last value. */
async function settle(read: () => number, quietMs = 300, maxMs = 10_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(20);
    const v = read();
    if (v !== last) {
      last = v;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return v;
    }
  }
  return last;
}

describe("Back-pressure", () => {
  let server: Server;
  const value = Buffer.alloc(VALUE_SIZE, "v");
  value.write("head", 0);
  value.write("tail", VALUE_SIZE - 4);
  before(async () => {
    server = await startKite();
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("SET", "bp:big", value), "OK");
    });
  });
  after(async () => {
    await server.close();
  });

  it("stops executing a non-reading client's pipeline, serves others, and resumes when it reads", async () => {
    const slow = await RawClient.connect(server.port);
    try {
      // Stop reading on the client side: the kernel buffers fill, then the server must hold back.
      slow.socket.pause();
      const one = command("GET", "bp:big");
      await slow.write(Buffer.concat(Array.from({ length: GETS }, () => one)));
      const session = sessionOf(server, slow);
      const executed = await settle(() => session.commands);
      const sent = session.netOut;

      // Replies of 150 MB in total: without back-pressure they would all be executed and queued.
      assert.ok(executed < GETS, `all ${GETS} GETs ran although the client read nothing`);
      assert.ok(sent < (GETS / 2) * VALUE_SIZE, `server queued ${sent} bytes for a client that reads nothing`);
      assert.ok(server.engine.clients.has(session.id), "the slow client was dropped");

      // Another client is served while the slow one is held back.
      await withClient(server.port, async (other) => {
        assert.equal(await other.plain("PING"), "PONG");
        assert.equal(await other.plain("SET", "bp:other", "1"), "OK");
      });

      // Reading again drains everything, in order and intact.
      slow.socket.resume();
      const replies = await slow.readDecoded(GETS, 60_000);
      assert.equal(replies.length, GETS);
      for (const r of replies) {
        assert.ok(r.value.type === "bulk", `expected a bulk reply, got ${r.value.type}`);
        assert.equal(r.value.value.length, VALUE_SIZE);
        assert.equal(r.value.value.toString("latin1", 0, 4), "head");
        assert.equal(r.value.value.toString("latin1", VALUE_SIZE - 4), "tail");
      }
      assert.equal(session.commands, GETS);
      assert.equal(await slow.plain("PING"), "PONG");
    } finally {
      await slow.close();
    }
  });

  it("CLIENT KILL closes a client that is not reading at once, dropping its unsent replies", async () => {
    const slow = await RawClient.connect(server.port);
    try {
      slow.socket.pause();
      const one = command("GET", "bp:big");
      await slow.write(Buffer.concat(Array.from({ length: 40 }, () => one)));
      const session = sessionOf(server, slow);
      await settle(() => session.commands);
      await withClient(server.port, async (killer) => {
        assert.equal(await killer.plain("CLIENT", "KILL", "ID", String(session.id)), 1);
      });
      await waitFor(() => !server.engine.clients.has(session.id), "the killed session to be forgotten", 5_000);
      slow.socket.resume();
      await waitFor(() => slow.closed, "the killed connection to close", 5_000);
    } finally {
      await slow.close();
    }
  });

  it("frees a paused client's session when it disconnects without reading", async () => {
    const slow = await RawClient.connect(server.port);
    slow.socket.pause();
    const one = command("GET", "bp:big");
    await slow.write(Buffer.concat(Array.from({ length: 50 }, () => one)));
    const session = sessionOf(server, slow);
    await settle(() => session.commands, 200);
    await slow.close();
    await waitFor(() => !server.engine.clients.has(session.id), "the session to be closed");
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("PING"), "PONG");
    });
  });
});

describe("Query buffer limit", () => {
  let server: Server;
  before(async () => {
    server = await startKite({ "client-query-buffer-limit": "1mb" });
  });
  after(async () => {
    await server.close();
  });

  it("closes a client whose unfinished command grows past client-query-buffer-limit", async () => {
    await withClient(server.port, async (c) => {
      // A 3 MB inline-free multibulk argument that never completes.
      await c.write("*2\r\n$3\r\nSET\r\n$3000000\r\n");
      const chunk = Buffer.alloc(64 * 1024, "a");
      for (let i = 0; i < 40 && !c.closed; i++) {
        try {
          await c.write(chunk);
        } catch {
          break;
        }
      }
      await c.waitClosed();
    });
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("PING"), "PONG");
      const stats = String(await c.plain("INFO", "stats"));
      assert.match(stats, /\r\nclient_query_buffer_limit_disconnections:1\r\n/);
      assert.match(stats, /\r\ntotal_reads_processed:[1-9]\d*\r\n/);
      assert.match(stats, /\r\ntotal_writes_processed:[1-9]\d*\r\n/);
    });
  });
});
