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
import { createGateway, type Gateway, type GatewayOptions } from "../http/app.ts";

const MAX_CLIENTS_REACHED = new TextEncoder().encode("-ERR max number of clients reached\r\n");
// Valkey's DENIED error (its first two sentences are the protocol's; what to do is in Kite's words).
const PROTECTED_DENIED = new TextEncoder().encode(
  "-DENIED Kite is running in protected mode because protected mode is enabled and no password is set for the " +
    "default user. In this mode connections are only accepted from the loopback interface. To accept other clients, " +
    "set a password (requirepass), or turn protected mode off: 'CONFIG SET protected-mode no' from a local connection " +
    "(CONFIG REWRITE keeps it), or '--protected-mode no' at start. Only do so when the port is not reachable from " +
    "untrusted networks.\r\n",
);

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
  /**
   * Port of the HTTP gateway: 0 picks a free one, -1 leaves it off. Defaults to the `http-port`
   * config (-1).
   */
  httpPort?: number;
  /** Address(es) of the HTTP gateway. Defaults to the `http-bind` config, or else `bind`'s. */
  httpHostname?: string;
  /** Gateway options (tokens override the `http-token` / `http-readonly-token` config). */
  gateway?: GatewayOptions;
}

/** A running server. */
export interface Server {
  readonly engine: Engine;
  /** The bound TCP port. */
  readonly port: number;
  readonly runtime: NetAdapter["runtime"];
  /** The bound port of the HTTP gateway, or undefined when it is off. */
  readonly httpPort: number | undefined;
  /** The HTTP gateway, when it is on. */
  readonly gateway: Gateway | undefined;
  /**
   * Stops listening, closes every connection and stops the engine's background work. Calling
   * it again returns the same promise.
   */
  close(): Promise<void>;
  /**
   * Settles once the server has closed, whether through {@link Server.close} or a SHUTDOWN
   * command (the `kite-server` program exits when it does).
   */
  readonly closed: Promise<void>;
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
    // Valkey's protected mode: without a password, only local clients may connect.
    if (
      engine.config.bool("protected-mode") && engine.config.get("requirepass") === "" && !s.unix &&
      !isLoopback(s.remote.address)
    ) {
      engine.stats.rejectedConnections++;
      s.write(PROTECTED_DENIED);
      s.close();
      return { onData() {}, onDrain() {}, onClose() {} };
    }
    return new Connection(engine, s);
  };
  const listeners: Listener[] = [];
  const httpListeners: Listener[] = [];
  let gateway: Gateway | undefined;
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
    const http = opts.httpPort ?? engine.config.num("http-port");
    if (http >= 0) {
      const hosts = bindAddresses(opts.httpHostname || engine.config.get("http-bind") || engine.config.get("bind"));
      const tokens = opts.gateway?.token || opts.gateway?.readonlyToken || engine.config.get("http-token") ||
        engine.config.get("http-readonly-token") || engine.config.get("requirepass");
      const exposed = hosts.find((h) => !isLoopback(h.host));
      if (!tokens && exposed !== undefined) {
        throw new Error(
          `Refusing to serve HTTP on ${exposed.host} without a token: set --http-token (or requirepass), ` +
            `or bind the gateway to a loopback address with --http-bind 127.0.0.1`,
        );
      }
      gateway = createGateway(engine, opts.gateway);
      let port = http;
      for (const { host, optional } of hosts) {
        try {
          const l = await adapter.serveHttp({ port, hostname: host }, gateway.fetch);
          httpListeners.push(l);
          port = l.port;
        } catch (e) {
          if (!optional) throw e;
          engine.log("warning", `Skipping optional HTTP bind address ${host}: ${e instanceof Error ? e.message : e}`);
        }
      }
    }
  } catch (e) {
    gateway?.close();
    for (const l of [...httpListeners, ...listeners]) await l.close();
    if (opts.engine === undefined) engine.close();
    throw e;
  }
  const port = listeners[0]?.port ?? 0;
  let closing: Promise<void> | undefined;
  let settleClosed: (p: Promise<void>) => void = () => {};
  const closed = new Promise<void>((resolve) => settleClosed = resolve);
  // A failed close rejects close()'s own promise for its caller; nobody need listen here.
  closed.catch(() => {});
  const close = (): Promise<void> => {
    if (closing !== undefined) return closing;
    closing = (async () => {
      try {
        // Event streams and blocked requests end first, so the HTTP servers can stop at once.
        gateway?.close();
        for (const l of httpListeners) await l.close();
        for (const l of listeners) await l.close();
        // Valkey removes its Unix socket file on shutdown.
        if (unixPath) await removeStaleSocket(unixPath);
        engine.close();
      } finally {
        // Until then a SHUTDOWN arriving while a signal closes the server is accepted (its
        // client waits for the close); afterwards the engine is no longer this server's.
        offShutdown();
      }
    })();
    settleClosed(closing);
    return closing;
  };
  // SHUTDOWN: runs in a microtask, after the command has parked its client and before any other
  // socket is read again, so no client is served once the server has agreed to go (Valkey exits
  // inside the command).
  const offShutdown = engine.onShutdown(() => {
    queueMicrotask(() => {
      // Every RESP client goes at once, without its unsent replies, as at Valkey's exit; the
      // listeners (and the HTTP servers) may take longer to close.
      for (const s of [...engine.clients.values()]) if (s.via === "resp") s.kill?.();
      close().then(
        () => engine.log("warning", "Kite is now ready to exit, bye bye..."),
        (e) => engine.log("warning", `Errors closing the server: ${e instanceof Error ? e.message : String(e)}`),
      );
    });
  });
  return { engine, port, runtime: adapter.runtime, httpPort: httpListeners[0]?.port, gateway, close, closed };
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

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return h === "localhost" || h === "::1" || h.startsWith("127.") || h.startsWith("::ffff:127.");
}

/** Removes a Unix socket file left by an earlier run (Valkey unlinks before binding). */
async function removeStaleSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch { /* absent */ }
}
