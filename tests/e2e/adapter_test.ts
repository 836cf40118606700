/**
 * The socket adapters under stress, without the engine: a recording handler stands in for the
 * connection. Runs the current runtime's adapter, and the node:net adapter too where the runtime
 * is not Node (Deno and Bun run it through their Node compatibility).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rm } from "node:fs/promises";
import type { ConnectionHandler, Listener, NetAdapter, SocketLike } from "../../src/net/adapter.ts";
import { selectAdapter } from "../../src/net/select.ts";
import { nodeAdapter } from "../../src/net/node.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { sleep, waitFor, withTimeout } from "../_helpers/client.ts";

/** What a handler saw on one accepted connection. */
interface Seen {
  socket: SocketLike;
  chunks: Buffer[];
  drains: number;
  closes: number;
}

/** A listener whose accepted connections are recorded (and optionally given behaviour). */
interface Harness {
  listener: Listener;
  seen: Seen[];
  close(): Promise<void>;
}

async function listen(
  adapter: NetAdapter,
  opts: { path?: string; onAccept?: (s: Seen) => void; onData?: (s: Seen, b: Buffer) => void } = {},
): Promise<Harness> {
  const seen: Seen[] = [];
  const accept = (socket: SocketLike): ConnectionHandler => {
    const rec: Seen = { socket, chunks: [], drains: 0, closes: 0 };
    seen.push(rec);
    opts.onAccept?.(rec);
    return {
      onData(bytes) {
        const b = Buffer.from(bytes);
        rec.chunks.push(b);
        opts.onData?.(rec, b);
      },
      onDrain() {
        rec.drains++;
      },
      onClose() {
        rec.closes++;
      },
    };
  };
  const listener = await adapter.listenTcp(
    opts.path !== undefined ? { path: opts.path } : { port: 0, hostname: "127.0.0.1" },
    accept,
  );
  return { listener, seen, close: () => listener.close() };
}

/** A node:net client that records what it receives. */
class Peer {
  readonly sock: net.Socket;
  received: Buffer[] = [];
  receivedLength = 0;
  ended = false;
  closed: Promise<void>;

  private constructor(sock: net.Socket) {
    this.sock = sock;
    sock.on("data", (d: Buffer) => {
      this.received.push(d);
      this.receivedLength += d.length;
    });
    sock.on("error", () => {});
    sock.on("end", () => (this.ended = true));
    this.closed = new Promise((resolve) => sock.once("close", () => resolve()));
  }

  static connect(target: number | string): Promise<Peer> {
    return withTimeout(
      new Promise<Peer>((resolve, reject) => {
        const sock = typeof target === "number"
          ? net.createConnection({ port: target, host: "127.0.0.1" })
          : net.createConnection({ path: target });
        sock.once("error", reject);
        sock.once("connect", () => {
          sock.off("error", reject);
          resolve(new Peer(sock));
        });
      }),
      10_000,
      "connect",
    );
  }

  text(): string {
    return Buffer.concat(this.received).toString("latin1");
  }

  async destroy(): Promise<void> {
    this.sock.destroy();
    await withTimeout(this.closed, 10_000, "the client socket to close");
  }
}

/** Waits for the n-th accepted connection to be recorded. */
async function accepted(h: Harness, n = 1): Promise<Seen> {
  await waitFor(() => h.seen.length >= n, `connection #${n} to be accepted`);
  return h.seen[n - 1]!;
}

function unixPath(tag: string): string {
  return join(tmpdir(), `kite-adapter-${tag}-${process.pid}-${Math.floor(Math.random() * 1e9)}.sock`);
}

const native = await selectAdapter();
const adapters: NetAdapter[] = detectRuntime() === "node" ? [native] : [native, nodeAdapter];
const labels = (a: NetAdapter) => (a === nodeAdapter && detectRuntime() !== "node" ? "node:net (compat)" : a.runtime);

for (const adapter of adapters) {
  describe(`${labels(adapter)} adapter`, () => {
    it("delivers received bytes to onData and sends what write() is given", async () => {
      const h = await listen(adapter, { onData: (s, b) => s.socket.write(b) });
      try {
        const p = await Peer.connect(h.listener.port);
        p.sock.write("hello ");
        p.sock.write(Buffer.from([0, 13, 10, 255]));
        await waitFor(() => p.receivedLength >= 10, "the echo");
        assert.deepEqual([...Buffer.concat(p.received)], [...Buffer.from("hello "), 0, 13, 10, 255]);
        await p.destroy();
      } finally {
        await h.close();
      }
    });

    it("reports the peer's address and port and the local port", async () => {
      const h = await listen(adapter);
      try {
        const p = await Peer.connect(h.listener.port);
        const s = await accepted(h);
        assert.equal(s.socket.unix, false);
        assert.equal(s.socket.remote.address, "127.0.0.1");
        assert.equal(s.socket.remote.port, p.sock.localPort);
        assert.equal(s.socket.local.port, h.listener.port);
        await p.destroy();
      } finally {
        await h.close();
      }
    });

    it("sends every byte written before close(), then ends the connection", async () => {
      const total = 8 * 1024 * 1024;
      const h = await listen(adapter, {
        onAccept: (s) => {
          const chunk = Buffer.alloc(64 * 1024);
          for (let off = 0; off < total; off += chunk.length) {
            chunk.writeUInt32BE(off, 0);
            s.socket.write(Buffer.from(chunk));
          }
          s.socket.close();
        },
      });
      try {
        const p = await Peer.connect(h.listener.port);
        await withTimeout(p.closed, 30_000, "the server to end the connection");
        assert.equal(p.receivedLength, total);
        const all = Buffer.concat(p.received);
        for (let off = 0; off < total; off += 64 * 1024) assert.equal(all.readUInt32BE(off), off);
        const s = await accepted(h);
        await waitFor(() => s.closes === 1, "onClose");
      } finally {
        await h.close();
      }
    });

    it("treats write() and close() after close() as no-ops", async () => {
      const h = await listen(adapter);
      try {
        const p = await Peer.connect(h.listener.port);
        const s = await accepted(h);
        s.socket.close();
        await withTimeout(p.closed, 10_000, "the server to close");
        await waitFor(() => s.closes > 0, "onClose");
        assert.doesNotThrow(() => s.socket.write(Buffer.from("late")));
        assert.doesNotThrow(() => s.socket.close());
        await sleep(20);
        assert.equal(s.closes, 1);
        assert.equal(p.receivedLength, 0);
      } finally {
        await h.close();
      }
    });

    it("reports back-pressure from write() and calls onDrain once the peer reads", async () => {
      const h = await listen(adapter);
      try {
        const p = await Peer.connect(h.listener.port);
        p.sock.pause();
        const s = await accepted(h);
        const chunk = Buffer.alloc(64 * 1024, 7);
        let written = 0;
        let refused = false;
        // 256 MB is far beyond any kernel buffer: write() must say "wait" well before that.
        for (let i = 0; i < 4096 && !refused; i++) {
          refused = !s.socket.write(chunk);
          written += chunk.length;
        }
        assert.ok(refused, "write() never reported back-pressure");
        assert.equal(s.drains, 0);
        p.sock.resume();
        await waitFor(() => s.drains > 0, "onDrain", 30_000);
        await waitFor(() => p.receivedLength >= written, `${written} bytes to arrive`, 30_000);
        assert.equal(p.receivedLength, written);
        await p.destroy();
      } finally {
        await h.close();
      }
    });

    it("delivers no data while paused, and all of it after resume()", async () => {
      const h = await listen(adapter, { onAccept: (s) => s.socket.pause() });
      try {
        const p = await Peer.connect(h.listener.port);
        const s = await accepted(h);
        p.sock.write("while paused");
        await sleep(150);
        assert.equal(s.chunks.length, 0, "data arrived while paused");
        s.socket.resume();
        await waitFor(() => Buffer.concat(s.chunks).length >= 12, "data after resume");
        assert.equal(Buffer.concat(s.chunks).toString(), "while paused");
        await p.destroy();
      } finally {
        await h.close();
      }
    });

    it("calls onClose once when the peer resets in the middle of a large write, and keeps listening", async () => {
      const h = await listen(adapter, {
        onAccept: (s) => {
          const chunk = Buffer.alloc(256 * 1024, 1);
          for (let i = 0; i < 64; i++) s.socket.write(chunk);
        },
      });
      try {
        const p = await Peer.connect(h.listener.port);
        await waitFor(() => p.receivedLength > 0, "the first bytes");
        // Unread data in the receive buffer makes close() send RST instead of FIN.
        p.sock.pause();
        const reset = (p.sock as { resetAndDestroy?: () => void }).resetAndDestroy;
        if (reset) reset.call(p.sock);
        else p.sock.destroy();
        await withTimeout(p.closed, 10_000, "the client to close");
        const s = await accepted(h);
        await waitFor(() => s.closes > 0, "onClose after the reset");
        assert.doesNotThrow(() => s.socket.write(Buffer.from("after reset")));
        await sleep(20);
        assert.equal(s.closes, 1);
        const q = await Peer.connect(h.listener.port);
        await accepted(h, 2);
        await q.destroy();
      } finally {
        await h.close();
      }
    });

    it("calls onClose once when the peer closes normally", async () => {
      const h = await listen(adapter);
      try {
        const p = await Peer.connect(h.listener.port);
        const s = await accepted(h);
        p.sock.end();
        await waitFor(() => s.closes > 0, "onClose");
        await sleep(20);
        assert.equal(s.closes, 1);
        await p.destroy();
      } finally {
        await h.close();
      }
    });

    it("listens on a Unix socket path", async () => {
      const path = unixPath(labels(adapter).replace(/\W/g, ""));
      const h = await listen(adapter, { path, onData: (s, b) => s.socket.write(b) });
      try {
        const p = await Peer.connect(path);
        p.sock.write("over unix");
        await waitFor(() => p.receivedLength >= 9, "the echo");
        assert.equal(p.text(), "over unix");
        const s = await accepted(h);
        assert.equal(s.socket.unix, true);
        await p.destroy();
      } finally {
        await h.close();
        await rm(path, { force: true });
      }
    });

    it("serves 200 concurrent connections, each getting its own bytes", async () => {
      const h = await listen(adapter, { onData: (s, b) => s.socket.write(b) });
      const peers: Peer[] = [];
      try {
        for (let i = 0; i < 200; i += 50) {
          peers.push(...await Promise.all(Array.from({ length: 50 }, () => Peer.connect(h.listener.port))));
        }
        peers.forEach((p, i) => p.sock.write(`peer-${i};`));
        await Promise.all(peers.map((p, i) => waitFor(() => p.receivedLength >= `peer-${i};`.length, `echo ${i}`)));
        peers.forEach((p, i) => assert.equal(p.text(), `peer-${i};`));
        assert.equal(h.seen.length, 200);
      } finally {
        await Promise.all(peers.map((p) => p.destroy()));
        await h.close();
      }
    });

    it("closes open connections when the listener closes", async () => {
      const h = await listen(adapter);
      const peers = await Promise.all([1, 2, 3].map(() => Peer.connect(h.listener.port)));
      await accepted(h, 3);
      await h.close();
      await Promise.all(peers.map((p) => withTimeout(p.closed, 10_000, "the server to drop the client")));
      await waitFor(() => h.seen.every((s) => s.closes === 1), "onClose for every connection");
    });
  });
}
