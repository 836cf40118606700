/**
 * node:net / @hono/node-server adapter (Node; also works on Bun and Deno through their Node
 * compatibility).
 *
 * @module
 */
import * as net from "node:net";
import type { IncomingMessage } from "node:http";
import type { ConnectionHandler, HttpHandler, Listener, ListenOptions, NetAdapter, SocketLike } from "./adapter.ts";

/** The node:net adapter. */
export const nodeAdapter: NetAdapter = {
  runtime: "node",
  listenTcp(opts: ListenOptions, accept: (s: SocketLike) => ConnectionHandler): Promise<Listener> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ noDelay: true }, (sock) => {
      sockets.add(sock);
      sock.setNoDelay(true);
      const s: SocketLike = {
        remote: { address: sock.remoteAddress ?? "", port: sock.remotePort ?? 0 },
        local: { address: sock.localAddress ?? "", port: sock.localPort ?? 0 },
        unix: opts.path !== undefined,
        // Writing after close is a no-op: the engine may answer a command of a dead client.
        write: (b) => sock.destroyed || sock.writableEnded ? true : sock.write(b),
        pause: () => sock.pause(),
        resume: () => sock.resume(),
        // end() sends what is queued, then FIN; the socket goes once the peer closes its side.
        close: () => {
          if (!sock.destroyed && !sock.writableEnded) sock.end();
        },
        destroy: () => sock.destroy(),
      };
      const h = accept(s);
      sock.on("data", (d) => h.onData(d as Uint8Array));
      sock.on("drain", () => h.onDrain());
      sock.on("error", () => sock.destroy());
      sock.on("close", () => {
        sockets.delete(sock);
        h.onClose();
      });
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      const onListening = () => {
        server.off("error", reject);
        // An accept error (EMFILE and the like) must not crash the process; the listener goes on.
        server.on("error", () => {});
        const addr = server.address();
        resolve({
          port: typeof addr === "object" && addr ? addr.port : 0,
          close: () =>
            new Promise<void>((done) => {
              for (const s of sockets) s.destroy();
              server.close(() => done());
            }),
        });
      };
      if (opts.path !== undefined) server.listen(opts.path, onListening);
      else server.listen(opts.port ?? 6379, opts.hostname ?? "127.0.0.1", onListening);
    });
  },
  async serveHttp(opts: ListenOptions, handler: HttpHandler): Promise<Listener> {
    // Loaded on first use, so RESP-only processes never load the HTTP stack.
    const { createAdaptorServer } = await import("@hono/node-server");
    const server = createAdaptorServer({
      // Its lighter Request/Response replace the globals only on Node, where they pay off;
      // on Deno and Bun the native servers need the real classes in the same process.
      overrideGlobalObjects: typeof (globalThis as Record<string, unknown>).Bun === "undefined" &&
        typeof (globalThis as Record<string, unknown>).Deno === "undefined",
      fetch: (req: Request, env: { incoming: Pick<IncomingMessage, "socket"> }) => {
        const sock = env.incoming.socket;
        return handler(req, { remote: { address: sock.remoteAddress ?? "", port: sock.remotePort ?? 0 } });
      },
    }) as import("node:http").Server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 8080, opts.hostname ?? "127.0.0.1", () => {
        server.off("error", reject);
        server.on("error", () => {});
        const addr = server.address();
        resolve({
          port: typeof addr === "object" && addr ? addr.port : 0,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        });
      });
    });
  },
};
