/**
 * Deno.listen adapter.
 *
 * @module
 */
import type { ConnectionHandler, Listener, ListenOptions, NetAdapter, SocketLike } from "./adapter.ts";

/** The Deno.listen adapter. */
export const denoAdapter: NetAdapter = {
  runtime: "deno",
  listenTcp(opts: ListenOptions, accept: (s: SocketLike) => ConnectionHandler): Promise<Listener> {
    const unix = opts.path !== undefined;
    const listener: Deno.Listener = unix
      ? Deno.listen({ transport: "unix", path: opts.path! })
      : Deno.listen({ hostname: opts.hostname ?? "127.0.0.1", port: opts.port ?? 6379 });
    const conns = new Set<Deno.Conn>();
    const port = unix ? 0 : (listener.addr as Deno.NetAddr).port;
    const acceptLoop = (async () => {
      for await (const conn of listener) {
        conns.add(conn);
        serve(conn, unix, accept).finally(() => conns.delete(conn));
      }
    })().catch(() => {});
    return Promise.resolve({
      port,
      close: async () => {
        listener.close();
        for (const c of conns) {
          try {
            c.close();
          } catch { /* already closed */ }
        }
        await acceptLoop;
      },
    });
  },
};

async function serve(conn: Deno.Conn, unix: boolean, accept: (s: SocketLike) => ConnectionHandler): Promise<void> {
  if (!unix) (conn as Deno.TcpConn).setNoDelay(true);
  const r = conn.remoteAddr as Deno.NetAddr;
  const l = conn.localAddr as Deno.NetAddr;
  // Deno writes are promises: chain them so bytes leave in order, and report back-pressure
  // while more than a few writes are in flight.
  let inflight = 0;
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const closeConn = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch { /* already closed */ }
    wake?.();
  };
  const s: SocketLike = {
    remote: { address: unix ? "" : r.hostname, port: unix ? 0 : r.port },
    local: { address: unix ? "" : l.hostname, port: unix ? 0 : l.port },
    unix,
    write(b: Uint8Array): boolean {
      if (closed) return true;
      inflight++;
      tail = tail.then(() => writeAll(conn, b)).then(
        () => {
          inflight--;
          if (inflight === 0) h.onDrain();
        },
        () => closeConn(),
      );
      return inflight < 2;
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      wake?.();
    },
    close: () => {
      tail.then(closeConn, closeConn);
    },
  };
  const h = accept(s);
  const buf = new Uint8Array(64 * 1024);
  try {
    while (!closed) {
      if (paused) {
        await new Promise<void>((res) => (wake = res));
        wake = undefined;
        continue;
      }
      const n = await conn.read(buf);
      if (n === null) break;
      h.onData(buf.slice(0, n));
    }
  } catch { /* reset by peer or closed locally */ }
  closed = true;
  try {
    conn.close();
  } catch { /* already closed */ }
  h.onClose();
}

async function writeAll(conn: Deno.Conn, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.byteLength) off += await conn.write(b.subarray(off));
}
