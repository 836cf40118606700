/**
 * Starts a RESP server for an engine on the current runtime's sockets.
 *
 * @module
 */
import { Engine, type EngineOptions } from "../engine/engine.ts";
import { Connection } from "../engine/connection.ts";
import type { Listener, NetAdapter } from "../net/adapter.ts";
import { selectAdapter } from "../net/select.ts";
import { lstat, unlink } from "node:fs/promises";

const MAX_CLIENTS_REACHED = new TextEncoder().encode("-ERR max number of clients reached\r\n");

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
      s.write(MAX_CLIENTS_REACHED);
      s.close();
      return { onData() {}, onDrain() {}, onClose() {} };
    }
    return new Connection(engine, s);
  };
  const listeners: Listener[] = [];
  const unixPath = opts.unixSocket ?? engine.config.get("unixsocket");
  try {
    let port = opts.port ?? engine.config.num("port");
    for (const { host, optional } of bindAddresses(opts.hostname ?? engine.config.get("bind"))) {
      try {
        const l = await adapter.listenTcp({ port, hostname: host }, accept);
        listeners.push(l);
        // With port 0 the first address picks a free port; the others must share it.
        port = l.port;
      } catch (e) {
        // Valkey's "-addr": skip an address this machine does not have (e.g. IPv6 disabled).
        if (!optional) throw e;
        engine.log("warning", `Skipping optional bind address ${host}: ${e instanceof Error ? e.message : e}`);
      }
    }
    if (unixPath) {
      await removeStaleSocket(unixPath);
      listeners.push(await adapter.listenTcp({ path: unixPath }, accept));
    }
  } catch (e) {
    for (const l of listeners) await l.close();
    if (opts.engine === undefined) engine.close();
    throw e;
  }
  const port = listeners[0]?.port ?? 0;
  return {
    engine,
    port,
    runtime: adapter.runtime,
    async close() {
      for (const l of listeners) await l.close();
      // Valkey removes its Unix socket file on shutdown.
      if (unixPath) await removeStaleSocket(unixPath);
      engine.close();
    },
  };
}

/**
 * Parses Valkey's `bind` value: space-separated addresses, `*` for every IPv4 address, `::*` for
 * every IPv6 address, and a leading `-` marking an address that may be missing on this machine.
 */
export function bindAddresses(bind: string): { host: string; optional: boolean }[] {
  return bind.split(" ").filter((h) => h.length > 0).map((h) => {
    const optional = h.startsWith("-");
    const addr = optional ? h.slice(1) : h;
    return { host: addr === "*" ? "0.0.0.0" : addr === "::*" ? "::" : addr, optional };
  });
}

/** Removes a Unix socket file left by an earlier run (Valkey unlinks before binding). */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch { /* absent */ }
}
