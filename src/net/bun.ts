/**
 * Bun.listen adapter.
 *
 * @module
 */
import type { ConnectionHandler, Listener, ListenOptions, NetAdapter, SocketLike } from "./adapter.ts";

// Only the members of Bun's socket API this adapter uses (hono's approach: no full typings).
interface BunSocket {
  data: BunConn;
  remoteAddress: string;
  localPort?: number;
  write(data: Uint8Array): number;
  end(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(on: boolean): boolean;
}
interface BunConn {
  handler: ConnectionHandler;
  pending: Uint8Array[];
}
interface BunListener {
  port: number;
  stop(closeActive?: boolean): void;
}
declare const Bun: {
  listen(opts: Record<string, unknown>): BunListener;
};

/** The Bun.listen adapter. */
export const bunAdapter: NetAdapter = {
  runtime: "bun",
  listenTcp(opts: ListenOptions, accept: (s: SocketLike) => ConnectionHandler): Promise<Listener> {
    const unix = opts.path !== undefined;
    const socket = {
      open(sock: BunSocket) {
        sock.setNoDelay?.(true);
        const conn: BunConn = { handler: undefined as unknown as ConnectionHandler, pending: [] };
        sock.data = conn;
        const s: SocketLike = {
          remote: { address: sock.remoteAddress ?? "", port: 0 },
          local: { address: opts.hostname ?? "127.0.0.1", port: sock.localPort ?? listener.port },
          unix,
          write(b: Uint8Array): boolean {
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
            if (conn.pending.length === 0) sock.end();
            else conn.pending.push(CLOSE_MARK);
          },
        };
        conn.handler = accept(s);
      },
      data(sock: BunSocket, data: Uint8Array) {
        sock.data.handler.onData(data);
      },
      drain(sock: BunSocket) {
        const conn = sock.data;
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
      close(sock: BunSocket) {
        sock.data?.handler?.onClose();
      },
      error(sock: BunSocket, err: unknown) {
        sock.data?.handler?.onClose(err);
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
};

const CLOSE_MARK = new Uint8Array(0);
