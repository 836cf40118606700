/**
 * Starts a RESP server for an engine on the current runtime's sockets.
 *
 * @module
 */
import { Engine, type EngineOptions } from "../engine/engine.ts";
import { Connection } from "../engine/connection.ts";
import type { Listener, NetAdapter } from "../net/adapter.ts";
import { selectAdapter } from "../net/select.ts";

/** Options of {@link startServer}. */
export interface ServerOptions extends EngineOptions {
  /** TCP port; 0 picks a free one. Defaults to the `port` config (6379). */
  port?: number;
  /** Address to bind. Defaults to the `bind` config (127.0.0.1). */
  hostname?: string;
  /** Also listen on this Unix socket path. */
  unixSocket?: string;
  /** An existing engine to serve (otherwise one is created from the options). */
  engine?: Engine;
  /** A specific adapter (otherwise the current runtime's). */
  adapter?: NetAdapter;
}

/** A running server. */
export interface Server {
  readonly engine: Engine;
  /** The bound TCP port. */
  readonly port: number;
  readonly runtime: NetAdapter["runtime"];
  /** Stops listening, closes every connection and stops the engine's background work. */
  close(): Promise<void>;
}

/**
 * Starts serving RESP on TCP (and optionally a Unix socket).
 * @example
 * ```ts
 * const server = await startServer({ port: 0 });
 * console.log(server.port);
 * await server.close();
 * ```
 */
export async function startServer(opts: ServerOptions = {}): Promise<Server> {
  const engine = opts.engine ?? new Engine(opts);
  const adapter = opts.adapter ?? await selectAdapter();
  const accept = (s: Parameters<Parameters<NetAdapter["listenTcp"]>[1]>[0]) => {
    if (engine.clients.size >= engine.config.num("maxclients")) {
      engine.stats.rejectedConnections++;
      s.write(new TextEncoder().encode("-ERR max number of clients reached\r\n"));
      s.close();
      return { onData() {}, onDrain() {}, onClose() {} };
    }
    return new Connection(engine, s);
  };
  const listeners: Listener[] = [];
  const hostnames = (opts.hostname ?? engine.config.get("bind")).split(" ").filter((h) => h.length > 0);
  let port = opts.port ?? engine.config.num("port");
  for (const hostname of hostnames) {
    const l = await adapter.listenTcp({ port, hostname }, accept);
    listeners.push(l);
    port = l.port;
  }
  const unixPath = opts.unixSocket ?? engine.config.get("unixsocket");
  if (unixPath) listeners.push(await adapter.listenTcp({ path: unixPath }, accept));
  return {
    engine,
    port,
    runtime: adapter.runtime,
    async close() {
      for (const l of listeners) await l.close();
      engine.close();
    },
  };
}
