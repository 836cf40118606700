/**
 * Bun.listen / Bun.serve adapter.
 *
 * @module
 */
import type { ConnectionHandler, HttpHandler, Listener, ListenOptions, NetAdapter, SocketLike } from "./adapter.ts";

// Only the members of Bun's socket API this adapter uses (hono's approach: no full typings).
interface BunSocket {
  data: BunConn;
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  write(data: Uint8Array): number;
  end(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(on: boolean): boolean;
  terminate?(): void;
}
interface BunConn {
  handler: ConnectionHandler;
  pending: Uint8Array[];
  /** Set once the handler heard onClose: Bun may report an error and then a close. */
  closed: boolean;
}
interface BunListener {
  port: number;
  stop(closeActive?: boolean): void;
}
interface BunHttpServer {
  port: number;
  requestIP(req: Request): { address: string; port: number } | null;
  stop(closeActive?: boolean): Promise<void> | void;
}
declare const Bun: {
  listen(opts: Record<string, unknown>): BunListener;
  serve(opts: Record<string, unknown>): BunHttpServer;
};

// Bun closes connections idle this long (seconds; 255 is its maximum). Blocking commands and
// event streams stay within it: streams send a heartbeat well inside it.
const HTTP_IDLE_TIMEOUT_S = 255;

/** The Bun.listen adapter. */
export const bunAdapter: NetAdapter = {
  runtime: "bun",
  listenTcp(opts: ListenOptions, accept: (s: SocketLike) => ConnectionHandler): Promise<Listener> {
    const unix = opts.path !== undefined;
    const socket = {
      open(sock: BunSocket) {
        if (!unix) sock.setNoDelay?.(true);
        const conn: BunConn = { handler: NOOP_HANDLER, pending: [], closed: false };
        sock.data = conn;
        const s: SocketLike = {
          remote: unix ? { address: "", port: 0 } : { address: sock.remoteAddress ?? "", port: sock.remotePort ?? 0 },
          local: unix
            ? { address: "", port: 0 }
            : { address: sock.localAddress ?? opts.hostname ?? "", port: sock.localPort ?? listener.port },
          unix,
          write(b: Uint8Array): boolean {
            // Writing after close is a no-op: the engine may answer a command of a dead client.
            if (conn.closed) return true;
            // Bun writes what the kernel takes and returns the count; keep the rest in order.
            if (conn.pending.length > 0) {
              conn.pending.push(b);
              return false;
            }
            const n = sock.write(b);
            if (n >= b.byteLength) return true;
            if (n < 0) return true;
            conn.pending.push(b.subarray(n));
            return false;
          },
          pause: () => sock.pause(),
          resume: () => sock.resume(),
          close: () => {
            if (conn.closed || conn.pending[conn.pending.length - 1] === CLOSE_MARK) return;
            if (conn.pending.length === 0) sock.end();
            else conn.pending.push(CLOSE_MARK);
          },
          destroy: () => {
            conn.pending.length = 0;
            if (sock.terminate) sock.terminate();
            else sock.end();
          },
        };
        conn.handler = accept(s);
      },
      // Bun hands each read over in a fresh buffer, so the parser may keep it without copying.
      data(sock: BunSocket, data: Uint8Array) {
        sock.data.handler.onData(data);
      },
      drain(sock: BunSocket) {
        const conn = sock.data;
        if (conn.closed) return;
        while (conn.pending.length > 0) {
          const b = conn.pending[0]!;
          if (b === CLOSE_MARK) {
            conn.pending.length = 0;
            sock.end();
            return;
          }
          const n = sock.write(b);
          if (n < 0) return;
          if (n < b.byteLength) {
            conn.pending[0] = b.subarray(n);
            return;
          }
          conn.pending.shift();
        }
        conn.handler.onDrain();
      },
      close(sock: BunSocket, err?: unknown) {
        closeOnce(sock.data, err);
      },
      error(sock: BunSocket, err: unknown) {
        closeOnce(sock.data, err);
      },
    };
    const listener: BunListener = unix
      ? Bun.listen({ unix: opts.path, socket })
      : Bun.listen({ hostname: opts.hostname ?? "127.0.0.1", port: opts.port ?? 6379, socket });
    return Promise.resolve({
      port: listener.port ?? 0,
      close: () => {
        listener.stop(true);
        return Promise.resolve();
      },
    });
  },
  serveHttp(opts: ListenOptions, handler: HttpHandler): Promise<Listener> {
    const server = Bun.serve({
      hostname: opts.hostname ?? "127.0.0.1",
      port: opts.port ?? 8080,
      idleTimeout: HTTP_IDLE_TIMEOUT_S,
      fetch(req: Request, srv: BunHttpServer) {
        const ip = srv.requestIP(req);
        return handler(req, { remote: { address: ip?.address ?? "", port: ip?.port ?? 0 } });
      },
      error() {
        return new Response('{"error":"ERR internal error"}', {
          status: 500,
          headers: { "content-type": "application/json" },
        });
      },
    });
    return Promise.resolve({
      port: server.port,
      close: async () => {
        await server.stop(true);
      },
    });
  },
};

const CLOSE_MARK = new Uint8Array(0);

const NOOP_HANDLER: ConnectionHandler = { onData() {}, onDrain() {}, onClose() {} };

function closeOnce(conn: BunConn | undefined, err?: unknown): void {
  if (conn === undefined || conn.closed) return;
  conn.closed = true;
  conn.pending.length = 0;
  conn.handler.onClose(err);
}
