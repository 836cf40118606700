/**
 * The contract between the engine and a runtime's sockets. Adapters (`deno.ts`, `bun.ts`,
 * `node.ts`) implement it in a few dozen lines and carry no protocol logic.
 *
 * @module
 */

/** One accepted connection, as the engine sees it. */
export interface SocketLike {
  /** Peer address. */
  readonly remote: { address: string; port: number };
  /** Local address. */
  readonly local: { address: string; port: number };
  /** True for a Unix domain socket. */
  readonly unix: boolean;
  /** Queues bytes for sending. @returns false when the adapter is buffering: wait for onDrain */
  write(bytes: Uint8Array): boolean;
  /** Stops delivering data until {@link SocketLike.resume} (back-pressure). */
  pause(): void;
  /** Delivers data again after {@link SocketLike.pause}. */
  resume(): void;
  /** Closes after flushing what was written. */
  close(): void;
  /** Closes at once, dropping bytes not yet sent (CLIENT KILL of a client that is not reading). */
  destroy(): void;
}

/** The engine side of a connection. */
export interface ConnectionHandler {
  onData(bytes: Uint8Array): void;
  onDrain(): void;
  onClose(error?: unknown): void;
}

/** Where to listen. */
export interface ListenOptions {
  /** TCP port (0 picks a free one). Ignored when `path` is set. */
  port?: number;
  hostname?: string;
  /** Unix socket path. */
  path?: string;
}

/** A listening socket. */
export interface Listener {
  /** The bound TCP port (0 for a Unix socket). */
  readonly port: number;
  close(): Promise<void>;
}

/** What an HTTP handler learns about the connection a request came on. */
export interface HttpConnInfo {
  /** Peer address and port; empty address when the runtime does not say. */
  readonly remote: { address: string; port: number };
}

/** A fetch-style request handler, as `Deno.serve`, `Bun.serve` and `@hono/node-server` call it. */
export type HttpHandler = (req: Request, info: HttpConnInfo) => Response | Promise<Response>;

/** A runtime's networking. */
export interface NetAdapter {
  readonly runtime: "deno" | "bun" | "node";
  listenTcp(opts: ListenOptions, accept: (s: SocketLike) => ConnectionHandler): Promise<Listener>;
  /**
   * Serves HTTP/1.1 on TCP with the runtime's own server. `close()` stops accepting and drops
   * open connections (long-lived responses such as event streams must be ended by their owner).
   */
  serveHttp(opts: ListenOptions, handler: HttpHandler): Promise<Listener>;
}
