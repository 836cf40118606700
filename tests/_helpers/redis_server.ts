/**
 * A real redis-server for differential tests, and a minimal raw RESP client that sends one
 * command and reads back exactly one reply with its exact bytes.
 *
 * The server runs in the foreground on a free loopback port with persistence off, so it leaves
 * nothing behind; `stop()` kills it and waits for the exit. Everything uses node:net and
 * node:child_process, which Deno, Bun and Node all provide.
 *
 * @module
 */
import * as net from "node:net";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";

/** Bound on any single wait (connect, reply, start, stop). */
const WAIT_MS = 10_000;

/** A decoded RESP value; bulk payloads stay as bytes, line payloads are latin1 text. */
export type RespNode =
  | { readonly t: "+" | "-" | ":" | "," | "(" | "#"; readonly s: string }
  | { readonly t: "$" | "!" | "="; readonly b: Buffer | null }
  | { readonly t: "*" | "~" | ">" | "%" | "|"; readonly items: RespNode[] | null }
  | { readonly t: "_" };

/** One reply: its decoded value and the exact bytes it occupied on the wire. */
export interface RawReply {
  readonly node: RespNode;
  readonly bytes: Buffer;
}

/**
 * Decodes one complete RESP2/RESP3 value at `pos`.
 * @returns the value and the offset just past it, or null when `buf` holds only part of it
 * @throws {SyntaxError} when the bytes are not RESP
 */
export function parseReply(buf: Buffer, pos = 0): { node: RespNode; end: number } | null {
  if (pos >= buf.length) return null;
  const nl = buf.indexOf("\r\n", pos, "latin1");
  if (nl < 0) return null;
  const t = String.fromCharCode(buf[pos]!);
  const line = buf.toString("latin1", pos + 1, nl);
  const next = nl + 2;
  switch (t) {
    case "+":
    case "-":
    case ":":
    case ",":
    case "(":
    case "#":
      return { node: { t, s: line }, end: next };
    case "_":
      return { node: { t }, end: next };
    case "$":
    case "!":
    case "=": {
      const len = Number(line);
      if (!Number.isInteger(len)) throw new SyntaxError(`Cannot parse bulk length "${line}"`);
      if (len < 0) return { node: { t, b: null }, end: next };
      if (buf.length < next + len + 2) return null;
      return { node: { t, b: Buffer.from(buf.subarray(next, next + len)) }, end: next + len + 2 };
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const n = Number(line);
      if (!Number.isInteger(n)) throw new SyntaxError(`Cannot parse aggregate length "${line}"`);
      if (n < 0) return { node: { t, items: null }, end: next };
      // Maps and attributes carry n pairs; they are kept flattened.
      const count = t === "%" || t === "|" ? n * 2 : n;
      const items: RespNode[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const r = parseReply(buf, at);
        if (r === null) return null;
        items.push(r.node);
        at = r.end;
      }
      return { node: { t, items }, end: at };
    }
    default:
      throw new SyntaxError(`Cannot parse reply: unexpected type byte 0x${buf[pos]!.toString(16)}`);
  }
}

/** Encodes argv (latin1 byte strings) as a RESP multibulk request. */
export function encodeCommand(argv: readonly string[]): Buffer {
  let head = `*${argv.length}\r\n`;
  const parts: Buffer[] = [];
  for (const a of argv) {
    head += `$${a.length}\r\n`;
    parts.push(Buffer.from(head, "latin1"), Buffer.from(a, "latin1"));
    head = "\r\n";
  }
  parts.push(Buffer.from(head, "latin1"));
  return Buffer.concat(parts);
}

/**
 * A raw RESP connection for request/reply use: one command in flight at a time, every reply
 * returned with its exact bytes.
 */
export class RespConnection {
  readonly #socket: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #waiter: (() => void) | undefined;
  #closed = false;
  readonly #closedPromise: Promise<void>;
  #error: Error | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    let markClosed = () => {};
    this.#closedPromise = new Promise<void>((resolve) => (markClosed = resolve));
    socket.on("data", (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#waiter?.();
    });
    socket.on("error", (e: Error) => {
      this.#error = e;
    });
    socket.on("close", () => {
      this.#closed = true;
      markClosed();
      this.#waiter?.();
    });
  }

  /** Connects to 127.0.0.1:`port`. */
  static connect(port: number): Promise<RespConnection> {
    return new Promise<RespConnection>((resolve, reject) => {
      const sock = net.createConnection({ port, host: "127.0.0.1" });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`Cannot connect to 127.0.0.1:${port}: timed out after ${WAIT_MS} ms`));
      }, WAIT_MS);
      sock.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      sock.once("connect", () => {
        clearTimeout(timer);
        sock.removeAllListeners("error");
        sock.setNoDelay(true);
        resolve(new RespConnection(sock));
      });
    });
  }

  /** Sends one command and resolves with its one reply. */
  async call(argv: readonly string[], ms = WAIT_MS): Promise<RawReply> {
    if (this.#buf.length > 0) {
      throw new Error(`Cannot send ${argv[0]}: ${this.#buf.length} unread reply bytes are pending`);
    }
    this.#socket.write(encodeCommand(argv));
    return await this.#readOne(argv, ms);
  }

  async #readOne(argv: readonly string[], ms: number): Promise<RawReply> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = parseReply(this.#buf);
      if (r !== null) {
        const bytes = Buffer.from(this.#buf.subarray(0, r.end));
        this.#buf = this.#buf.subarray(r.end);
        return { node: r.node, bytes };
      }
      if (this.#closed) {
        throw new Error(`Connection closed while waiting for the reply to ${argv[0]}: ${this.#error?.message ?? ""}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out after ${ms} ms waiting for the reply to ${argv[0]}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#waiter = undefined;
    }
  }

  /** Closes the connection and waits until the socket is gone. */
  async close(): Promise<void> {
    if (!this.#closed) this.#socket.destroy();
    await this.#closedPromise;
  }
}

/** Asks the OS for a free loopback TCP port (bind port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A running redis-server child process. */
export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  /** `redis-server --version` output, e.g. `Redis server v=7.0.15 ...`. */
  readonly version: string;
  /** Kills the server and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Returns the version line of the redis-server on PATH.
 * @throws {Error} with install advice when there is none
 */
export function redisServerVersion(bin = "redis-server"): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(
      `Cannot run "${bin}": ${r.error?.message ?? `exit status ${r.status}`}. ` +
        "The differential test needs redis-server 7.0 on PATH (Debian/Ubuntu: apt-get install redis-server).",
    );
  }
  return String(r.stdout).trim();
}

/**
 * Starts `redis-server` in the foreground on a free loopback port, persistence off, and waits
 * until it answers PING. Retries on a new port when another process took the port first.
 * @param extraArgs more `--name value` arguments
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const version = redisServerVersion();
  let lastError = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--logfile",
      "",
      "--loglevel",
      "warning",
      ...extraArgs,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    const ready = await waitForPong(port, child);
    if (ready) {
      return {
        port,
        pid: child.pid!,
        version,
        stop: () => stopChild(child, exited),
      };
    }
    await stopChild(child, exited);
    lastError = output.trim().split("\n").slice(-3).join(" | ");
  }
  throw new Error(`Cannot start redis-server: ${lastError}`);
}

async function waitForPong(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const c = await RespConnection.connect(port);
      try {
        const r = await c.call(["PING"], 2000);
        if (r.bytes.toString("latin1") === "+PONG\r\n") return true;
      } finally {
        await c.close();
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, WAIT_MS)))]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}
