/**
 * The HTTP gateway over real sockets on each runtime (Deno.serve, Bun.serve, @hono/node-server)
 * beside the RESP port: raw `fetch` for every endpoint, the two doors sharing one keyspace,
 * blocking and event streams across connections, the command line (`--http-port`), the single
 * executable and the Node bundle, and the fetch handler `mod.ts` exports.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import * as net from "node:net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createFetchHandler, Engine, selectAdapter, type Server, startServer } from "../../mod.ts";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { nodeAdapter } from "../../src/net/node.ts";
import { sleep, waitFor, withClient, withTimeout } from "../_helpers/client.ts";
import { type KiteProcess, mainCommand, ROOT, startKiteProcess } from "../_helpers/kite_process.ts";

const TOKEN = "e2e-token";

/** A request to the gateway with the token. */
function call(base: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
  return fetch(base + path, { ...init, headers });
}

async function json(res: Response): Promise<{ status: number; body: unknown }> {
  return { status: res.status, body: await res.json() };
}

/**
 * Writes raw request bytes (the head, then each part of the body after `gapMs`) and reads one
 * response: its status and JSON body. For what fetch cannot send: a chunked upload, a body that
 * stops halfway.
 */
async function rawRequest(
  port: number,
  parts: readonly string[],
  gapMs = 0,
): Promise<{ status: number; body: unknown }> {
  const sock = net.createConnection({ port, host: "127.0.0.1" });
  try {
    return await withTimeout(
      new Promise((resolve, reject) => {
        let buf = Buffer.alloc(0);
        sock.on("error", reject);
        sock.on("data", (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = buf.toString("latin1", 0, end);
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
          if (buf.length < end + 4 + length) return;
          resolve({
            status: Number(head.slice(9, 12)),
            body: JSON.parse(buf.toString("utf8", end + 4, end + 4 + length)),
          });
        });
        sock.once("connect", async () => {
          for (const [i, part] of parts.entries()) {
            if (i > 0 && gapMs > 0) await sleep(gapMs);
            if (!sock.destroyed) sock.write(part);
          }
        });
      }),
      10_000,
      "a raw HTTP response",
    );
  } finally {
    sock.destroy();
  }
}

describe(`HTTP gateway on ${detectRuntime()} (native server)`, () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = await startServer({ port: 0, hostname: "127.0.0.1", httpPort: 0, config: { "http-token": TOKEN } });
    base = `http://127.0.0.1:${server.httpPort}`;
  });
  after(async () => {
    await server.close();
  });

  it("listens beside the RESP port", () => {
    assert.ok(server.httpPort! > 0);
    assert.notEqual(server.httpPort, server.port);
  });

  it("answers every endpoint with its status and JSON body", async () => {
    assert.deepEqual(await json(await call(base, "/", { method: "POST", body: '["SET","k","v","EX",100]' })), {
      status: 200,
      body: { result: "OK" },
    });
    assert.deepEqual(await json(await call(base, "/get/k")), { status: 200, body: { result: "v" } });
    assert.deepEqual(await json(await call(base, "/set/k2?EX=10", { method: "POST", body: "v2" })), {
      status: 200,
      body: { result: "OK" },
    });
    assert.deepEqual(await json(await call(base, "/pipeline", { method: "POST", body: '[["INCR","n"],["GET"]]' })), {
      status: 200,
      body: [{ result: 1 }, { error: "ERR wrong number of arguments for 'get' command" }],
    });
    assert.deepEqual(
      await json(await call(base, "/multi-exec", { method: "POST", body: '[["INCR","n"],["INCR","n"]]' })),
      { status: 200, body: [{ result: 2 }, { result: 3 }] },
    );
    assert.deepEqual(await json(await call(base, "/", { method: "POST", body: '["INCR","k"]' })), {
      status: 400,
      body: { error: "ERR value is not an integer or out of range" },
    });
    assert.deepEqual(await json(await call(base, "/", { method: "POST", body: "[1" })), {
      status: 400,
      body: { error: "ERR request body is not valid JSON" },
    });
    assert.deepEqual(await json(await call(base, "/get/k", { headers: { authorization: "Bearer nope" } })), {
      status: 401,
      body: { error: "WRONGPASS invalid or missing auth token" },
    });
    assert.equal((await json(await call(base, "/get/k", { method: "DELETE" }))).status, 405);
    assert.deepEqual(await json(await fetch(base + "/healthz")), { status: 200, body: { status: "ok" } });
    const m = await call(base, "/metrics");
    assert.equal(m.status, 200);
    assert.match(await m.text(), /\nkite_command_calls_total\{cmd="incr"\} \d+\n/);
  });

  it("carries binary values both ways through raw bodies and base64", async () => {
    const bytes = Buffer.from([0, 1, 0xfe, 0xff, 0x0d, 0x0a, 0x80]);
    assert.equal((await call(base, "/set/bin", { method: "POST", body: bytes })).status, 200);
    const res = await call(base, "/get/bin", { headers: { "upstash-encoding": "base64" } });
    assert.deepEqual(Buffer.from(((await res.json()) as { result: string }).result, "base64"), bytes);
    await withClient(server.port, async (c) => {
      const r = await c.call("GET", "bin");
      assert.deepEqual(r, { type: "bulk", value: bytes });
    });
  });

  it("shares the keyspace with RESP: each door sees the other's writes at once", async () => {
    await withClient(server.port, async (c) => {
      for (let i = 0; i < 20; i++) {
        assert.equal(await c.plain("SET", `door:${i}`, `resp-${i}`), "OK");
        const got = await json(await call(base, `/get/door:${i}`));
        assert.deepEqual(got.body, { result: `resp-${i}` });
        await call(base, "/", { method: "POST", body: JSON.stringify(["SET", `door:${i}`, `http-${i}`]) });
        assert.equal(await c.plain("GET", `door:${i}`), `http-${i}`);
      }
      await call(base, "/", { method: "POST", body: '["HSET","h","f","ü"]' });
      assert.deepEqual(await c.plain("HGETALL", "h"), ["f", Buffer.from("ü").toString("latin1")]);
    });
  });

  it("serves many concurrent requests on reused connections", async () => {
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, () => call(base, "/", { method: "POST", body: `["INCR","conc"]` }).then(json)),
    );
    assert.ok(results.every((r) => r.status === 200));
    const values = results.map((r) => (r.body as { result: number }).result).sort((a, b) => a - b);
    assert.deepEqual(values, Array.from({ length: n }, (_, i) => i + 1));
  });

  it("hands a blocked BLPOP the value pushed over RESP", async () => {
    const pending = call(base, "/", { method: "POST", body: '["BLPOP","jobs",0]' }).then(json);
    await waitFor(() => server.engine.blocking.count === 1, "the HTTP request to block");
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("RPUSH", "jobs", "j1"), 1);
    });
    assert.deepEqual(await pending, { status: 200, body: { result: ["jobs", "j1"] } });
  });

  it("stops waiting when the client of a blocked request goes away, so no value is lost", async () => {
    const ac = new AbortController();
    const pending = call(base, "/", { method: "POST", body: '["BLPOP","lost",0]', signal: ac.signal }).catch(() => {});
    await waitFor(() => server.engine.blocking.count === 1, "the HTTP request to block");
    ac.abort();
    await pending;
    await waitFor(() => server.engine.blocking.count === 0, "the wait to be released");
    await withClient(server.port, async (c) => {
      await c.plain("RPUSH", "lost", "keep-me");
      assert.deepEqual(await c.plain("LRANGE", "lost", 0, -1), ["keep-me"]);
    });
  });

  it("holds the request limits on the runtime's server: body size, request time, pipeline length", async () => {
    const cfg = server.engine.config;
    const limits = { "http-max-body": "4096", "http-request-timeout": "300", "http-max-pipeline": "3" };
    const before = Object.entries(limits).map(([name]) => [name, cfg.get(name)] as const);
    for (const [name, value] of Object.entries(limits)) assert.equal(cfg.set(name, value).status, "ok");
    try {
      const auth = `authorization: Bearer ${TOKEN}\r\n`;
      const big = JSON.stringify(["SET", "big", "x".repeat(5000)]);
      const tooLarge = { status: 413, body: { error: "ERR max request size exceeded (http-max-body is 4096 bytes)" } };
      // Declared too large: refused before the body is read.
      assert.deepEqual(await json(await call(base, "/", { method: "POST", body: big })), tooLarge);
      // Chunked, with no length declared: refused once 4096 bytes have arrived.
      const chunk = big.length.toString(16);
      assert.deepEqual(
        await rawRequest(server.httpPort!, [
          `POST / HTTP/1.1\r\nhost: kite\r\n${auth}transfer-encoding: chunked\r\n\r\n${chunk}\r\n${big}\r\n0\r\n\r\n`,
        ]),
        tooLarge,
      );
      // A body that stops halfway: 408 once http-request-timeout has passed.
      const t0 = performance.now();
      assert.deepEqual(
        await rawRequest(server.httpPort!, [
          `POST / HTTP/1.1\r\nhost: kite\r\n${auth}content-length: 40\r\n\r\n["SET","slow",`,
        ]),
        { status: 408, body: { error: "ERR request timed out (http-request-timeout is 300 ms)" } },
      );
      assert.ok(performance.now() - t0 >= 250, "answered before the timeout");
      // A body that arrives in pieces within the time is served.
      assert.deepEqual(
        await rawRequest(server.httpPort!, [
          `POST / HTTP/1.1\r\nhost: kite\r\n${auth}content-length: 19\r\n\r\n["SET",`,
          '"slow","ok"]',
        ], 50),
        { status: 200, body: { result: "OK" } },
      );
      assert.deepEqual(
        await json(await call(base, "/pipeline", { method: "POST", body: '[["PING"],["PING"],["PING"],["PING"]]' })),
        { status: 400, body: { error: "ERR max pipeline length exceeded: 4 commands, http-max-pipeline is 3" } },
      );
      assert.deepEqual(await json(await call(base, "/get/slow")), { status: 200, body: { result: "ok" } });
      assert.deepEqual(await json(await call(base, "/exists/big")), { status: 200, body: { result: 0 } });
    } finally {
      for (const [name, value] of before) cfg.set(name, value);
    }
  });

  it("streams SUBSCRIBE messages published over RESP, and unsubscribes when the client leaves", async (t) => {
    if (server.engine.registry.get("subscribe") === undefined) {
      return t.skip("SUBSCRIBE/PUBLISH are not in the command table yet (pub/sub is built separately)");
    }
    const ac = new AbortController();
    const res = await call(base, "/subscribe/news", {
      method: "POST",
      body: "[]",
      headers: { accept: "text/event-stream" },
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const pump = (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch { /* aborted */ }
    })();
    await waitFor(() => text.includes("data: subscribe,news,1\n\n"), "the subscribe event");
    await withClient(server.port, async (c) => {
      assert.equal(await c.plain("PUBLISH", "news", "héllo, world"), 1);
      await waitFor(() => text.includes("data: message,news,héllo, world\n\n"), "the message event");
      ac.abort();
      await pump;
      await waitFor(() => server.engine.pubsub.channelCount === 0, "the server to unsubscribe");
      assert.equal(await c.plain("PUBLISH", "news", "nobody"), 0);
    });
  });
});

describe("HTTP gateway on the node:http adapter (@hono/node-server)", {
  // Native on Node; on Deno and Bun through their Node compatibility.
  skip: detectRuntime() === "node" ? "covered by the native suite" : false,
}, () => {
  it("answers commands and shares the keyspace with RESP", async () => {
    const server = await startServer({
      port: 0,
      hostname: "127.0.0.1",
      httpPort: 0,
      adapter: { ...(await selectAdapter()), serveHttp: nodeAdapter.serveHttp },
      config: { "http-token": TOKEN },
    });
    try {
      const base = `http://127.0.0.1:${server.httpPort}`;
      assert.deepEqual(await json(await call(base, "/set/a/1")), { status: 200, body: { result: "OK" } });
      assert.deepEqual(await json(await call(base, "/pipeline", { method: "POST", body: '[["INCR","a"]]' })), {
        status: 200,
        body: [{ result: 2 }],
      });
      await withClient(server.port, async (c) => assert.equal(await c.plain("GET", "a"), "2"));
    } finally {
      await server.close();
    }
  });
});

describe("startServer() HTTP safety", () => {
  it("refuses to serve HTTP on a non-loopback address without a token", async () => {
    await assert.rejects(
      startServer({ port: 0, hostname: "127.0.0.1", httpPort: 0, httpHostname: "0.0.0.0" }),
      /Refusing to serve HTTP on 0\.0\.0\.0 without a token/,
    );
  });

  it("takes the gateway's write listener off a shared engine when the server stops", async () => {
    const engine = new Engine({ config: { "http-token": TOKEN } });
    const live = new Set<unknown>();
    const add = engine.onKeyModified.bind(engine);
    engine.onKeyModified = (fn) => {
      live.add(fn);
      const remove = add(fn);
      return () => {
        live.delete(fn);
        remove();
      };
    };
    try {
      const server = await startServer({ port: 0, hostname: "127.0.0.1", httpPort: 0, engine });
      assert.equal(live.size, 1);
      await server.close();
      assert.equal(live.size, 0);
    } finally {
      engine.close();
    }
  });

  it("leaves the gateway off unless a port is given", async () => {
    const server = await startServer({ port: 0, hostname: "127.0.0.1" });
    try {
      assert.equal(server.httpPort, undefined);
      assert.equal(server.gateway, undefined);
    } finally {
      await server.close();
    }
  });
});

describe("createFetchHandler() from mod.ts", () => {
  it("answers in-process, with no server", async () => {
    const h = createFetchHandler({ token: "edge" });
    try {
      const res = await h.fetch(
        new Request("http://edge/", {
          method: "POST",
          body: '["SET","e","1"]',
          headers: { authorization: "Bearer edge" },
        }),
      );
      assert.deepEqual(await res.json(), { result: "OK" });
      const get = await h.fetch(new Request("http://edge/get/e?_token=edge"));
      assert.deepEqual(await get.json(), { result: "1" });
      assert.equal((await h.fetch(new Request("http://edge/get/e"))).status, 401);
    } finally {
      h.close();
    }
  });

  it("can be handed to the runtime's own server as its fetch", async () => {
    const h = createFetchHandler({ config: { "http-token": "edge2" } });
    const adapter = await selectAdapter();
    const listener = await adapter.serveHttp({ port: 0, hostname: "127.0.0.1" }, h.fetch);
    try {
      const res = await fetch(`http://127.0.0.1:${listener.port}/incr/c`, {
        headers: { authorization: "Bearer edge2" },
      });
      assert.deepEqual(await res.json(), { result: 1 });
      assert.equal(h.engine.dbs[0]!.size, 1);
    } finally {
      h.close();
      await listener.close();
    }
  });
});

/** Runs kite-server expecting it to fail at start; returns its exit code and stderr. */
async function startFailing(cmd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d) => (err += String(d)));
  const code = await withTimeout(
    new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c))),
    30_000,
    "kite-server to exit",
  );
  return { code, stderr: err };
}

/** Exercises a running kite-server's gateway and its shared keyspace. */
async function checkChild(child: KiteProcess, token: string): Promise<void> {
  const base = `http://127.0.0.1:${child.httpPort}`;
  const res = await fetch(base + "/", {
    method: "POST",
    body: '["SET","cli","from-http"]',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.deepEqual(await res.json(), { result: "OK" });
  await withClient(child.port, async (c) => assert.equal(await c.plain("GET", "cli"), "from-http"));
  const bad = await fetch(base + "/get/cli");
  assert.equal(bad.status, 401);
  await bad.body?.cancel();
}

describe("kite-server --http-port (src/main.ts)", () => {
  /** kite-server on free ports with the gateway on and the token `cli-token`. */
  const startGatewayChild = () => {
    const [cmd, args] = mainCommand();
    return startKiteProcess(cmd, [...args, "--port", "0", "--http-port", "0", "--http-token", "cli-token"]);
  };

  it("serves the gateway on the port it prints, with --http-token", async () => {
    const child = await startGatewayChild();
    try {
      await checkChild(child, "cli-token");
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });

  // Deno.serve's legacy request.signal (it also aborts after every successful response) makes
  // Deno warn once when a handler that read the signal completes; the gateway reads it while a
  // blocking command waits, to release the wait if the client leaves. deno.json opts in to the
  // corrected signal ("unstable": ["no-legacy-abort"]), so nothing is printed.
  it("serves blocking commands without a runtime warning", async () => {
    const child = await startGatewayChild();
    try {
      const base = `http://127.0.0.1:${child.httpPort}`;
      const headers = { authorization: "Bearer cli-token" };
      const timedOut = await fetch(base + "/", { method: "POST", body: '["BLPOP","q",0.05]', headers });
      assert.deepEqual(await timedOut.json(), { result: null });
      const served = fetch(base + "/", { method: "POST", body: '["BLPOP","q",0]', headers });
      await withClient(child.port, async (c) => {
        const deadline = Date.now() + 10_000;
        while (!/\bblocked_clients:1\b/.test(String(await c.plain("INFO", "clients")))) {
          if (Date.now() > deadline) throw new Error("Timed out waiting for the HTTP request to block");
          await sleep(5);
        }
        assert.equal(await c.plain("RPUSH", "q", "v"), 1);
      });
      assert.deepEqual(await (await served).json(), { result: ["q", "v"] });
      await sleep(100);
    } finally {
      assert.equal(await child.stop(), 0);
    }
    // Kite's own log lines (the shutdown on SIGTERM) are expected; anything else is the runtime's.
    const foreign = child.stderr().split("\n").filter((l) => l !== "" && !/^\S+Z (warning|notice) /.test(l));
    assert.deepEqual(foreign, []);
  });

  it("refuses to start on a non-loopback address without a token", async () => {
    const [cmd, args] = mainCommand();
    const r = await startFailing(cmd, [...args, "--port", "0", "--http-port", "0", "--http-bind", "0.0.0.0"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Refusing to serve HTTP on 0\.0\.0\.0 without a token/);
  });
});

const EXE = join(ROOT, "dist", "kite-server");
const BUNDLE = join(ROOT, "dist", "kite.mjs");

describe("single executable with --http-port (dist/kite-server)", {
  skip: existsSync(EXE) ? false : "dist/kite-server is not built (npm run build:exe)",
}, () => {
  it("serves the gateway", async () => {
    const child = await startKiteProcess(EXE, ["--port", "0", "--http-port", "0", "--http-token", "exe-token"]);
    try {
      await checkChild(child, "exe-token");
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });
});

describe("Node bundle with --http-port (dist/kite.mjs)", {
  skip: existsSync(BUNDLE) ? false : "dist/kite.mjs is not built (npm run build:node)",
}, () => {
  it("serves the gateway under plain node", async () => {
    const child = await startKiteProcess("node", [
      BUNDLE,
      "--port",
      "0",
      "--http-port",
      "0",
      "--http-token",
      "mjs-token",
    ]);
    try {
      await checkChild(child, "mjs-token");
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });
});

// Let sockets closed by the last test settle before runtimes that check for leaks look.
after(() => sleep(10));
