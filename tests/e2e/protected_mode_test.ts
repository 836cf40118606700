/**
 * Valkey's protected mode at the server's front door: a fake adapter hands startServer()
 * connections from chosen addresses.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../../mod.ts";
import type { ConnectionHandler, NetAdapter, SocketLike } from "../../src/net/adapter.ts";

interface FakeSocket extends SocketLike {
  sent(): string;
  closed: boolean;
}

function socketFrom(address: string, unix = false): FakeSocket {
  const chunks: Uint8Array[] = [];
  const s: FakeSocket = {
    remote: { address, port: 40000 },
    local: { address: "0.0.0.0", port: 6379 },
    unix,
    closed: false,
    write: (b) => {
      chunks.push(b);
      return true;
    },
    pause: () => {},
    resume: () => {},
    close: () => {
      s.closed = true;
    },
    destroy: () => {
      s.closed = true;
    },
    sent: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
  return s;
}

async function serverWithFakeAdapter(config: Record<string, string>) {
  let accept: ((s: SocketLike) => ConnectionHandler) | undefined;
  const adapter: NetAdapter = {
    runtime: "node",
    listenTcp: (_opts, fn) => {
      accept = fn;
      return Promise.resolve({ port: 6379, close: () => Promise.resolve() });
    },
    serveHttp: () => Promise.reject(new Error("no HTTP here")),
  };
  const server = await startServer({ adapter, config });
  const connect = (s: FakeSocket) => {
    const h = accept!(s);
    h.onData(new TextEncoder().encode("PING\r\n"));
    return h;
  };
  return { server, connect };
}

describe("protected mode", () => {
  it("refuses a client from another host when no password is set, with Valkey's DENIED error", async () => {
    const { server, connect } = await serverWithFakeAdapter({});
    try {
      const remote = socketFrom("10.1.2.3");
      connect(remote);
      assert.match(remote.sent(), /^-DENIED Kite is running in protected mode because protected mode is enabled/);
      assert.ok(remote.closed);
      assert.equal(server.engine.stats.rejectedConnections, 1);
      for (
        const local of [
          socketFrom("127.0.0.1"),
          socketFrom("::1"),
          socketFrom("::ffff:127.0.0.1"),
          socketFrom("", true),
        ]
      ) {
        connect(local);
        assert.equal(local.sent(), "+PONG\r\n");
        assert.equal(local.closed, false);
      }
    } finally {
      await server.close();
    }
  });

  it("lets other hosts in with a password set, or with protected-mode no", async () => {
    for (const config of [{ requirepass: "pw" }, { "protected-mode": "no" }]) {
      const { server, connect } = await serverWithFakeAdapter(config);
      try {
        const remote = socketFrom("10.1.2.3");
        connect(remote);
        assert.ok(!remote.sent().startsWith("-DENIED"), remote.sent());
        assert.equal(remote.closed, false);
      } finally {
        await server.close();
      }
    }
  });

  it("follows CONFIG SET protected-mode for new connections", async () => {
    const { server, connect } = await serverWithFakeAdapter({ "protected-mode": "no" });
    try {
      server.engine.config.set("protected-mode", "yes");
      const remote = socketFrom("192.168.0.9");
      connect(remote);
      assert.match(remote.sent(), /^-DENIED /);
    } finally {
      await server.close();
    }
  });
});
