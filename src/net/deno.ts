/**
 * Deno.listen / Deno.serve adapter.
 *
 * @module
 */
import type { ConnectionHandler, HttpHandler, Listener, ListenOptions, NetAdapter, SocketLike } from "./adapter.ts";

const READ_SIZE = 64 * 1024;

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
    let closing = false;
    const acceptLoop = (async () => {
      while (!closing) {
        let conn: Deno.Conn;
        try {
          conn = await listener.accept();
        } catch {
          if (closing) return;
          // A transient accept failure (EMFILE, ECONNABORTED) must not stop the listener.
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        conns.add(conn);
        serve(conn, unix, accept).finally(() => conns.delete(conn));
      }
    })();
    return Promise.resolve({
      port,
      close: async () => {
        closing = true;
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
  serveHttp(opts: ListenOptions, handler: HttpHandler): Promise<Listener> {
    // Deno.serve binds synchronously and throws on failure (address in use).
    const server = Deno.serve(
      {
        hostname: opts.hostname ?? "127.0.0.1",
        port: opts.port ?? 8080,
        // The default prints "Listening on ..." to stdout.
        onListen: () => {},
        onError: internalError,
      },
      (req, info) => {
        const r = info.remoteAddr as Deno.NetAddr;
        return handler(req, { remote: { address: r.hostname, port: r.port } });
      },
    );
    return Promise.resolve({
      port: (server.addr as Deno.NetAddr).port,
      close: async () => {
        // shutdown() waits for in-flight responses; their owner ends long-lived ones first, and a
        // stuck upload cannot hold the process for more than a moment.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          server.shutdown(),
          new Promise((r) => (timer = setTimeout(r, 1000))),
        ]);
        clearTimeout(timer);
      },
    });
  },
};

/** The answer to a request whose handler threw: a JSON body, as every gateway error has. */
function internalError(): Response {
  return new Response('{"error":"ERR internal error"}', {
    status: 500,
    headers: { "content-type": "application/json" },
  });
}

async function serve(conn: Deno.Conn, unix: boolean, accept: (s: SocketLike) => ConnectionHandler): Promise<void> {
  if (!unix) (conn as Deno.TcpConn).setNoDelay(true);
  const r = conn.remoteAddr as Deno.NetAddr;
  const l = conn.localAddr as Deno.NetAddr;
  // Writes are promises, chained so bytes leave in order. A write issued while another is still in
  // flight reports back-pressure: the connection then stops reading until the chain drains, which
  // also batches the next read's commands into fewer, larger writes (measured faster than letting
  // writes pile up).
  let inflight = 0;
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  let closeRequested = false;
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
      // Writing after close is a no-op: the engine may answer a command of a dead client.
      if (closed || closeRequested) return true;
      inflight++;
      tail = tail.then(() => closed ? undefined : writeAll(conn, b)).then(
        () => {
          if (--inflight === 0 && !closed) h.onDrain();
        },
        closeConn,
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
      if (closeRequested) return;
      closeRequested = true;
      tail.then(closeConn, closeConn);
    },
    destroy: () => closeConn(),
  };
  const h = accept(s);
  const buf = new Uint8Array(READ_SIZE);
  try {
    while (!closed) {
      if (paused) {
        await new Promise<void>((res) => (wake = res));
        wake = undefined;
        continue;
      }
      const n = await conn.read(buf);
      if (n === null) break;
      // The read buffer is reused, and the parser may keep a partial command: hand over a copy.
      h.onData(buf.slice(0, n));
    }
  } catch { /* reset by peer, or closed locally */ }
  closeConn();
  h.onClose();
}

async function writeAll(conn: Deno.Conn, b: Uint8Array): Promise<void> {
  let off = 0;
  while (off < b.byteLength) off += await conn.write(b.subarray(off));
}
