/**
 * End-to-end helpers: start Kite in-process on a free port, and a raw RESP client over node:net
 * (present on Deno, Bun and Node alike) that sends exact bytes and reads exact reply bytes.
 * Every wait is bounded, and every timer is cleared, so no test hangs or leaks.
 *
 * @module
 */
import * as net from "node:net";
import { Buffer } from "node:buffer";
import { type Server, startServer } from "../../mod.ts";
import { type Arg, command, type Decoded, type Plain, plain, ReplyReader, type RespValue } from "./resp.ts";

/** Default bound on any single wait in e2e tests. */
export const WAIT_MS = 10_000;

/** Starts Kite on 127.0.0.1 with a free port. */
export function startKite(config: Record<string, string> = {}, extra: { unixSocket?: string } = {}): Promise<Server> {
  return startServer({ port: 0, hostname: "127.0.0.1", config, ...extra });
}

/**
 * Resolves with `p`, or rejects after `ms` with a message naming `what`. The timer is always
 * cleared, so Deno's op sanitizer sees nothing pending.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every few ms until it returns true, or throws after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Where to connect: a TCP port on 127.0.0.1, or a Unix socket path. */
export type Target = number | { path: string };

/** A raw RESP connection. */
export class RawClient {
  readonly socket: net.Socket;
  readonly #reader = new ReplyReader();
  #raw: Buffer[] = [];
  #rawLen = 0;
  #waiter: (() => void) | undefined;
  #closed = false;
  #closedPromise: Promise<void>;
  /** Set when the socket reported an error (ECONNRESET and the like). */
  error: Error | undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    let markClosed: () => void = () => {};
    this.#closedPromise = new Promise<void>((resolve) => (markClosed = resolve));
    socket.on("data", (d: Buffer) => {
      this.#reader.feed(d);
      this.#raw.push(d);
      this.#rawLen += d.length;
      this.#waiter?.();
    });
    socket.on("error", (e) => {
      this.error = e;
    });
    socket.on("close", () => {
      this.#closed = true;
      markClosed();
      this.#waiter?.();
    });
  }

  /** Connects to Kite. */
  static connect(target: Target): Promise<RawClient> {
    return withTimeout(
      new Promise<RawClient>((resolve, reject) => {
        const sock = typeof target === "number"
          ? net.createConnection({ port: target, host: "127.0.0.1" })
          : net.createConnection({ path: target.path });
        sock.setNoDelay?.(true);
        const onError = (e: Error) => reject(e);
        sock.once("error", onError);
        sock.once("connect", () => {
          sock.off("error", onError);
          resolve(new RawClient(sock));
        });
      }),
      WAIT_MS,
      "connect",
    );
  }

  /** True once the server (or we) closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends raw bytes (or a latin1 string) as they are. */
  write(bytes: Uint8Array | string): Promise<void> {
    const b = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    return new Promise<void>((resolve, reject) => {
      this.socket.write(b, (e) => (e ? reject(e) : resolve()));
    });
  }

  /** Sends one command without waiting for its reply. */
  send(...args: Arg[]): Promise<void> {
    return this.write(command(...args));
  }

  async #wait(cond: () => boolean, what: string, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (this.#closed) throw new Error(`Connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
      await withTimeout(new Promise<void>((resolve) => (this.#waiter = resolve)), left, what).finally(() => {
        this.#waiter = undefined;
      });
    }
  }

  /** Reads the next `n` complete replies with their exact bytes. */
  async readDecoded(n: number, ms = WAIT_MS): Promise<Decoded[]> {
    const out: Decoded[] = [];
    const pull = () => {
      for (let d = out.length < n ? this.#reader.next() : undefined; d !== undefined;) {
        out.push(d);
        d = out.length < n ? this.#reader.next() : undefined;
      }
      return out.length >= n;
    };
    await this.#wait(pull, `${n} replies (got ${out.length})`, ms);
    return out;
  }

  /** Reads the next `n` replies as tagged values. */
  async read(n = 1, ms = WAIT_MS): Promise<RespValue[]> {
    return (await this.readDecoded(n, ms)).map((d) => d.value);
  }

  /** Reads the next `n` replies and returns their bytes, concatenated. */
  async readBytes(n: number, ms = WAIT_MS): Promise<Buffer> {
    return Buffer.concat((await this.readDecoded(n, ms)).map((d) => d.bytes));
  }

  /** Sends a command and returns its reply as a tagged value. */
  async call(...args: Arg[]): Promise<RespValue> {
    await this.send(...args);
    return (await this.read(1))[0]!;
  }

  /** Sends a command and returns its reply as plain values. */
  async plain(...args: Arg[]): Promise<Plain> {
    return plain(await this.call(...args));
  }

  /** Every byte received so far (replies taken by read() included). */
  received(): Buffer {
    if (this.#raw.length > 1) this.#raw = [Buffer.concat(this.#raw)];
    return this.#raw[0] ?? Buffer.alloc(0);
  }

  /** Number of bytes received so far. */
  get receivedLength(): number {
    return this.#rawLen;
  }

  /** Waits until at least `n` bytes in total have arrived. */
  async waitBytes(n: number, ms = WAIT_MS): Promise<void> {
    await this.#wait(() => this.#rawLen >= n, `${n} bytes (got ${this.#rawLen})`, ms);
  }

  /** Waits for the server to close the connection. */
  waitClosed(ms = WAIT_MS): Promise<void> {
    return withTimeout(this.#closedPromise, ms, "the server to close the connection");
  }

  /** Closes the connection and waits until it is gone. */
  async close(): Promise<void> {
    if (!this.#closed) this.socket.destroy();
    await this.waitClosed();
  }
}

/** Connects, runs `fn`, and closes the client whatever happens. */
export async function withClient<T>(target: Target, fn: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.connect(target);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}
