/**
 * Kite: a Valkey-compatible in-memory data store for Deno, Bun and Node.
 *
 * Embed the engine and run commands in-process, or start a RESP server:
 *
 * @example
 * ```ts
 * import { createEngine, startServer } from "./mod.ts";
 *
 * const kite = createEngine();
 * kite.command("SET", "greeting", "hello");
 * console.log(kite.command("GET", "greeting")); // { t: "bulk", v: "hello" }
 *
 * const server = await startServer({ port: 6379, httpPort: 8080 }); // RESP and HTTP
 * await server.close();
 * ```
 *
 * Or serve the HTTP gateway (the Upstash REST dialect) from any fetch-based host:
 *
 * @example
 * ```ts
 * import { createFetchHandler } from "./mod.ts";
 *
 * export default createFetchHandler({ token: "secret" }); // deno serve / Bun.serve / edge
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Engine, type EngineOptions } from "./src/engine/engine.ts";
import type { Session } from "./src/engine/session.ts";
import type { Reply } from "./src/protocol/reply.ts";
import { createGateway, type Gateway, type GatewayOptions } from "./src/http/app.ts";

export { Engine, type EngineOptions, KITE_VERSION } from "./src/engine/engine.ts";
export { type Server, type ServerOptions, startServer } from "./src/server/server.ts";
export type { Reply } from "./src/protocol/reply.ts";
export type { CommandSpec, Handler, KeySpec } from "./src/commands/spec.ts";
export type { ConnectionHandler, Listener, ListenOptions, NetAdapter, SocketLike } from "./src/net/adapter.ts";
export { selectAdapter } from "./src/net/select.ts";
export { Session } from "./src/engine/session.ts";
export { encodeReply } from "./src/protocol/resp_encoder.ts";
export { createGateway, type Gateway, type GatewayOptions } from "./src/http/app.ts";
export type { HttpConnInfo, HttpHandler } from "./src/net/adapter.ts";

/** An in-process engine with one session of its own. */
export interface EmbeddedEngine {
  /** The engine, shared with any server started on it. */
  readonly engine: Engine;
  /** The session `command` runs on (its selected db, protocol, name). */
  readonly session: Session;
  /**
   * Runs one command synchronously. String arguments are UTF-8 text, `Uint8Array`s raw bytes;
   * numbers are formatted in decimal. Bulk strings in the reply are latin1 byte strings.
   */
  command(...argv: (string | number | Uint8Array)[]): Reply | undefined;
  /** Runs one command and settles with its final reply; a blocking command waits to be served. */
  execute(...argv: (string | number | Uint8Array)[]): Promise<Reply | undefined>;
  /** Stops the engine's background work. */
  close(): void;
}

/**
 * Creates an engine to use without sockets.
 * @param opts engine options (config values, clock, scheduler)
 * @returns the engine and a `command` function bound to a session of its own
 */
export function createEngine(opts: EngineOptions = {}): EmbeddedEngine {
  const engine = new Engine(opts);
  const session = engine.openSession({ via: "embedded", resp: 3 });
  const toArg = (a: string | number | Uint8Array): string =>
    typeof a === "string"
      ? Buffer.from(a, "utf8").toString("latin1")
      : typeof a === "number"
      ? String(a)
      : Buffer.from(a).toString("latin1");
  return {
    engine,
    session,
    command: (...argv) => {
      const r = engine.dispatch(session, argv.map(toArg));
      return r?.t === "blocked" ? r.nowaitReply ?? r.timeoutReply : r;
    },
    execute: (...argv) => engine.execute(session, argv.map(toArg)),
    close: () => engine.close(),
  };
}

/** Options of {@link createFetchHandler}: the engine's and the gateway's. */
export interface FetchHandlerOptions extends EngineOptions, GatewayOptions {
  /** An existing engine to serve (otherwise one is created from the options). */
  engine?: Engine;
}

/** A fetch handler backed by an in-process engine, in the `export default { fetch }` shape. */
export interface FetchHandler {
  /** Answers one request with the HTTP gateway (Upstash REST dialect). */
  readonly fetch: Gateway["fetch"];
  /** The engine behind it. */
  readonly engine: Engine;
  /** Ends open event streams and stops the engine's background work. */
  close(): void;
}

/**
 * Kite as the edge function itself: the HTTP gateway over an in-process engine, with no separate
 * server. The result has the `{ fetch }` shape `deno serve`, `Bun.serve` and edge platforms
 * expect; data lives as long as the process (or isolate) does.
 *
 * Without a token (option or `http-token` config) every request has full access: set one
 * whenever the handler is reachable by others.
 *
 * On Deno, opt in to `Deno.serve`'s corrected `request.signal` (`"unstable": ["no-legacy-abort"]`
 * in deno.json, or `--unstable-no-legacy-abort`): the gateway watches the signal while a
 * blocking command waits, and the legacy signal makes Deno print a one-time warning.
 * @param opts engine options (config values) and gateway options (tokens)
 * @example
 * ```ts
 * // kite_edge.ts: `deno serve kite_edge.ts`, or `Bun.serve(handler)`
 * import { createFetchHandler } from "./mod.ts";
 *
 * export default createFetchHandler({ token: "secret" });
 * ```
 */
export function createFetchHandler(opts: FetchHandlerOptions = {}): FetchHandler {
  const engine = opts.engine ?? new Engine(opts);
  const gateway = createGateway(engine, opts);
  return {
    fetch: gateway.fetch,
    engine,
    close: () => {
      gateway.close();
      if (opts.engine === undefined) engine.close();
    },
  };
}
