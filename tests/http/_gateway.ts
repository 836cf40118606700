/**
 * Gateway test helpers: a gateway over a test engine (fake clock, manual scheduler), called
 * in-process through its fetch handler, with JSON conveniences.
 */
import { createGateway, type Gateway, type GatewayOptions } from "../../src/http/app.ts";
import { makeEngine, type TestEngine } from "../_helpers/engine.ts";

/** The answer to one request, body read. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

/** Options of one request. */
export interface CallOptions {
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Bearer token to send; null sends none. Default: the full-access token `tok`. */
  token?: string | null;
}

/** A test gateway. */
export interface TestGateway extends TestEngine {
  gateway: Gateway;
  /** Sends a request and reads the whole answer. */
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>;
  /** POSTs a JSON value. */
  post(path: string, value: unknown, opts?: CallOptions): Promise<Answer>;
  /** Closes the gateway and the engine. */
  close(): void;
}

/** Tokens every test gateway is configured with. */
export const FULL = "tok";
export const RO = "ro-tok";

/** Reads a response into an {@link Answer}. */
export async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

/** Creates a gateway over a fresh test engine. */
export function makeGateway(config: Record<string, string> = {}, opts: GatewayOptions = {}): TestGateway {
  const t = makeEngine({ config: { "http-token": FULL, "http-readonly-token": RO, ...config } });
  const gateway = createGateway(t.engine, opts);
  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Answer> => {
    const headers = new Headers(o.headers ?? {});
    const token = o.token === undefined ? FULL : o.token;
    if (token !== null) headers.set("authorization", `Bearer ${token}`);
    const init: RequestInit & { duplex?: string } = { method, headers };
    if (o.body !== undefined) {
      init.body = o.body;
      if (o.body instanceof ReadableStream) init.duplex = "half";
    }
    return answer(await gateway.fetch(new Request("http://kite" + path, init)));
  };
  return {
    ...t,
    gateway,
    call,
    post: (path, value, o = {}) => call("POST", path, { ...o, body: JSON.stringify(value) }),
    close: () => {
      gateway.close();
      t.engine.close();
    },
  };
}

/** Lets pending promise callbacks and I/O run. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (in real time, bounded) until `check` holds. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await tick(2);
  }
  throw new Error(`Timed out waiting for ${what}`);
}
