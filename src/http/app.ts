/**
 * The HTTP/JSON gateway: the Upstash REST dialect (`@upstash/redis` and other edge SDKs) served
 * with hono, through the engine's own dispatcher, so a command behaves the same over HTTP as over
 * RESP (arity, errors, stats, keyspace events, blocking). The dialect is written down in
 * `reference/http-gateway.md`; in short:
 *
 * - `POST /` with `["SET","k","v"]`; path style `GET /set/k/v`, `POST /set/k?EX=100` (body = value)
 * - `POST /pipeline` and `POST /multi-exec` with `[[...],[...]]` -> `[{"result"}|{"error"}, ...]`
 * - `POST /subscribe/<channel>`, `/psubscribe/<pattern>`, `/monitor`: server-sent events
 * - `GET /healthz` (no token needed), `GET /metrics` (Prometheus text)
 * - `{"result": R}` in RESP2 shapes, `{"error": "<Valkey text>"}` with 400; 401, 405, 408, 413
 * - `Upstash-Encoding: base64`, bearer or `?_token=` tokens (full and read-only), and an
 *   `upstash-sync-token` header that changes after every write
 *
 * Each request runs on a fresh session (database 0, RESP2 shapes) that ends with the request, so
 * commands that only make sense on a connection (SELECT, MULTI, SUBSCRIBE, ...: the `no-http`
 * flag in the command table) are refused with a pointer to the endpoint that does the job.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { Hono } from "hono";
import type { Context } from "hono";
import type { Engine } from "../engine/engine.ts";
import type { Session } from "../engine/session.ts";
import type { HttpConnInfo } from "../net/adapter.ts";
import type { Reply } from "../protocol/reply.ts";
import { E, fmt } from "../protocol/errors.ts";
import { encodeReply } from "../protocol/resp_encoder.ts";
import { type Access, authorize, presentedToken, type Tokens, USER_OF } from "./auth.ts";
import { ArgvBuilder, decodeSegment, type JsonArg, pathArgv } from "./args.ts";
import { parseBatch, parseCommand, type Parsed } from "./schemas.ts";
import { errorBody, replyToJson, singleBody } from "./reply_json.ts";
import {
  gatewayCheck,
  monotonicMs,
  permissionCheck,
  resolveCommand,
  runOne,
  type RunScope,
  type Waiting,
} from "./exec.ts";
import { type EventStream, openEventStream } from "./sse.ts";
import { metricsText, type RequestCounts } from "./metrics.ts";
import { HTTP_E } from "./errors.ts";

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /**
   * The full-access token. Defaults to the `http-token` config, read at every request (so
   * CONFIG SET takes effect at once), or to `requirepass` when `http-token` is empty.
   */
  token?: string;
  /** The read-only token. Defaults to the `http-readonly-token` config. */
  readonlyToken?: string;
  /** Serve under this path prefix (`/v1`): SDK base URLs then end with it. */
  basePath?: string;
  /** Interval of `: keepalive` comments on event streams, in ms. Default 15000. */
  heartbeatMs?: number;
  /** Unread bytes after which a slow event-stream reader is dropped. Default 32 MB. */
  maxStreamQueuedBytes?: number;
}

/** A gateway bound to an engine. */
export interface Gateway {
  /** The hono application (mount it in a bigger app with `app.route()`). */
  readonly app: Hono;
  /**
   * The fetch handler: hand it to `Deno.serve`, `Bun.serve({ fetch })`, `@hono/node-server`,
   * or an edge platform. The second argument is optional connection info in any of those shapes.
   */
  readonly fetch: (req: Request, info?: unknown) => Response | Promise<Response>;
  /** Ends event streams and blocked requests, and answers 503 from then on. */
  close(): void;
}

type Env = { Bindings: { remote?: string } };

// Response headers every JSON answer carries. Browsers use the gateway directly with read-only
// tokens, so CORS is open and the sync token is readable (the SDK needs it).
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "upstash-sync-token",
} as const;
const ALLOW_METHODS = "GET, HEAD, POST, PUT";
const ALLOW_HEADERS = "authorization, content-type, upstash-encoding, upstash-sync-token, upstash-response-format, " +
  "upstash-telemetry-runtime, upstash-telemetry-platform, upstash-telemetry-sdk, upstash-telemetry-retry";

/** A request-level failure, answered as `{"error"}` with its status. */
class HttpFailure {
  readonly status: number;
  readonly msg: string;
  constructor(status: number, msg: string) {
    this.status = status;
    this.msg = msg;
  }
}

/** What the request frame settles before a body is read. */
interface Start {
  readonly access: Access;
  /** `Upstash-Encoding: base64`. */
  readonly b64: boolean;
  /** Monotonic ms by which the request must be done (Infinity: no limit). */
  readonly deadline: number;
}

/** What a command endpoint's body receives from the common frame. */
interface CommandArgs {
  /** The body text (latin1 bytes for path-style values); undefined when none was read. */
  readonly body: string | undefined;
  readonly scope: RunScope;
  readonly b64: boolean;
}

/** A body read waiting against the request deadline. */
interface PendingRead {
  readonly deadline: number;
  readonly fail: (f: HttpFailure) => void;
}

/**
 * Creates the gateway for an engine.
 * @param engine the engine every request runs on
 * @param options tokens and stream limits; limits of bodies, pipelines and waits come from the
 * `http-*` config parameters, read at every request
 * @example
 * ```ts
 * const engine = new Engine({ config: { "http-token": "secret" } });
 * const gateway = createGateway(engine);
 * const res = await gateway.fetch(new Request("http://kite/set/k/v", {
 *   headers: { authorization: "Bearer secret" },
 * }));
 * console.log(await res.json()); // { result: "OK" }
 * ```
 */
export function createGateway(engine: Engine, options: GatewayOptions = {}): Gateway {
  const base = normalizeBase(options.basePath ?? "");
  const app = new Hono<Env>();
  const root = base === "" ? app : app.basePath(base);
  const requests: RequestCounts = new Map();
  const streams = new Set<EventStream>();
  const waiting = new Set<Waiting>();
  const pendingReads = new Set<PendingRead>();
  let watchdog: { cancel(): void } | undefined;
  let closing = false;

  // The sync token: this run's id and a sequence number that moves whenever the data changed
  // since the last response, whichever door the write came through. Key writes are counted by a
  // listener (removed again by close(), or every gateway ever made on a long-lived engine would
  // stay on its write path); FLUSHDB, FLUSHALL, SWAPDB and script loads fire no key event but
  // move the engine's dirty counter, which is watched too.
  const runTag = engine.runId.slice(0, 12);
  let writes = 0;
  const unhookWrites = engine.onKeyModified(() => {
    writes++;
  });
  let seq = 0;
  let seenWrites = 0;
  let seenDirty = engine.dirty;
  let token = `${runTag}-0`;
  const syncToken = () => {
    if (writes !== seenWrites || engine.dirty !== seenDirty) {
      seenWrites = writes;
      seenDirty = engine.dirty;
      token = `${runTag}-${++seq}`;
    }
    return token;
  };

  const tokens = (): Tokens => {
    const cfg = engine.config;
    return {
      full: options.token ?? (cfg.get("http-token") || cfg.get("requirepass")),
      readonly: options.readonlyToken ?? cfg.get("http-readonly-token"),
    };
  };

  const count = (endpoint: string, status: number) => {
    let byStatus = requests.get(endpoint);
    if (byStatus === undefined) requests.set(endpoint, byStatus = new Map());
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  };

  /**
   * Response headers: the content type and the sync token, plus CORS headers for browsers (a
   * request with an Origin header): each header costs measurably on the hot path.
   */
  const headersOf = (req: Request, type: string): Record<string, string> =>
    req.headers.has("origin")
      ? { "content-type": type, "upstash-sync-token": syncToken(), ...CORS_HEADERS }
      : { "content-type": type, "upstash-sync-token": syncToken() };

  const respond = (req: Request, endpoint: string, status: number, body: string, type = "application/json") => {
    count(endpoint, status);
    return new Response(body, { status, headers: headersOf(req, type) });
  };

  const fail = (req: Request, endpoint: string, f: HttpFailure): Response =>
    respond(req, endpoint, f.status, errorBody(f.msg));

  /** The answer to an unexpected exception: logged, and a JSON 500 as every gateway error. */
  const internalError = (req: Request, e: unknown): Response => {
    engine.log("warning", `HTTP gateway internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return respond(req, "other", 500, errorBody(E.INTERNAL));
  };

  /** Fails the body reads that are past their deadline; runs while any read is pending. */
  const startWatchdog = () => {
    watchdog = engine.scheduler.every(100, () => {
      const now = monotonicMs(engine);
      for (const r of pendingReads) {
        if (now >= r.deadline) {
          pendingReads.delete(r);
          r.fail(new HttpFailure(408, fmt(HTTP_E.TIMEOUT, String(engine.config.num("http-request-timeout")))));
        }
      }
      if (pendingReads.size === 0) {
        watchdog?.cancel();
        watchdog = undefined;
      }
    });
  };

  /**
   * Reads the request body within the size limit and the request deadline.
   * @param mode "text" for JSON (UTF-8 decoded), "bytes" for a raw path-style value (latin1)
   */
  const readBody = (req: Request, mode: "text" | "bytes", deadline: number): Promise<string> => {
    const max = engine.config.num("http-max-body");
    const tooLarge = () => new HttpFailure(413, fmt(HTTP_E.BODY_TOO_LARGE, String(max)));
    const declared = req.headers.get("content-length");
    // Drain nothing: the request is answered at once and the runtime discards the rest.
    if (declared !== null && Number(declared) > max) return Promise.reject(tooLarge());
    // With a declared length the runtime's own reader is used (Deno.serve and Bun.serve hand a
    // buffered body over without a stream); req.body is not touched, as that would force one.
    const read = declared !== null || req.body === null
      ? mode === "text" ? req.text() : req.arrayBuffer().then((b) => Buffer.from(b).toString("latin1"))
      : readStream(req.body, max, mode, tooLarge);
    if (deadline === Infinity) return read;
    // One promise settled by whichever comes first, the body or the watchdog: cheaper than a
    // Promise.race with a timeout promise on every request.
    return new Promise<string>((resolve, reject) => {
      const pending: PendingRead = {
        deadline,
        fail: (f) => {
          reject(f);
          req.body?.cancel().catch(() => {});
        },
      };
      pendingReads.add(pending);
      if (watchdog === undefined) startWatchdog();
      read.then((text) => {
        pendingReads.delete(pending);
        resolve(text);
      }, (e: unknown) => {
        pendingReads.delete(pending);
        reject(e);
      });
    });
  };

  /** Authenticates and sets up a request: access level, encoding, deadline. */
  const begin = (req: Request): Start | HttpFailure => {
    if (closing) return new HttpFailure(503, HTTP_E.CLOSING);
    const access = authorize(presentedToken(req.headers.get("authorization"), req.url), tokens());
    if (access === undefined) return new HttpFailure(401, HTTP_E.UNAUTHORIZED);
    const enc = req.headers.get("upstash-encoding");
    const timeout = engine.config.num("http-request-timeout");
    return {
      access,
      b64: enc !== null && enc.toLowerCase() === "base64",
      deadline: timeout > 0 ? monotonicMs(engine) + timeout : Infinity,
    };
  };

  const openSession = (remote: string, access: Access): Session => {
    const s = engine.openSession({ via: "http", resp: 2, addr: remote });
    s.user = USER_OF[access];
    return s;
  };

  const scopeOf = (session: Session, access: Access, deadline: number): RunScope => ({
    engine,
    session,
    access,
    deadline,
    maxBlockMs: engine.config.num("http-max-blocking-timeout"),
  });

  /** Runs one command, releasing a blocked wait if the client goes away. */
  const run = (scope: RunScope, argv: readonly string[], req: Request): Reply | Promise<Reply> => {
    const r = runOne(scope, argv);
    return "release" in r ? awaitBlocked(r, req) : r;
  };

  /**
   * The common frame of command endpoints: auth, body, session, status counting. Exceptions
   * become JSON answers here, so the endpoints served without hono's router (below) need no
   * error handler of their own.
   */
  const command = async (
    req: Request,
    remote: string,
    endpoint: string,
    bodyMode: "text" | "bytes" | "none",
    fn: (args: CommandArgs) => Response | Promise<Response>,
  ): Promise<Response> => {
    try {
      const start = begin(req);
      if (start instanceof HttpFailure) return fail(req, endpoint, start);
      const body = bodyMode === "none" ? undefined : await readBody(req, bodyMode, start.deadline);
      const session = openSession(remote, start.access);
      try {
        return await fn({ body, scope: scopeOf(session, start.access, start.deadline), b64: start.b64 });
      } finally {
        // Out-of-band replies the request's commands queued for after their reply (MONITOR lines,
        // tracking invalidations) go out now; then the session is gone.
        engine.afterReply(session);
        engine.closeSession(session);
      }
    } catch (e) {
      if (e instanceof HttpFailure) return fail(req, endpoint, e);
      return internalError(req, e);
    }
  };

  /** RESP2 bytes instead of JSON (`Upstash-Response-Format: resp2`), validated per the spec. */
  const respFormat = (req: Request, b64: boolean): "json" | "resp2" => {
    const f = req.headers.get("upstash-response-format");
    if (f === null) return "json";
    const lower = f.toLowerCase();
    if (lower === "json") return "json";
    if (lower !== "resp2") throw new HttpFailure(400, fmt(HTTP_E.FORMAT, f));
    if (b64) throw new HttpFailure(400, fmt(HTTP_E.FORMAT_CONFLICT, "Upstash-Encoding: base64"));
    return "resp2";
  };

  const answer = (req: Request, endpoint: string, format: "json" | "resp2", reply: Reply, b64: boolean): Response => {
    const status = reply.t === "error" ? 400 : 200;
    if (format === "resp2") {
      count(endpoint, status);
      return new Response(encodeReply(reply, 2) as Uint8Array<ArrayBuffer>, {
        status,
        headers: headersOf(req, "application/octet-stream"),
      });
    }
    return respond(req, endpoint, status, singleBody(reply, b64));
  };

  /** One command; answered synchronously unless it blocks. */
  const single = (
    req: Request,
    endpoint: string,
    argv: readonly string[],
    scope: RunScope,
    b64: boolean,
  ): Response | Promise<Response> => {
    const format = respFormat(req, b64);
    const r = run(scope, argv, req);
    return r instanceof Promise
      ? r.then((reply) => answer(req, endpoint, format, reply, b64))
      : answer(req, endpoint, format, r, b64);
  };

  // One command as a JSON array. No Content-Type is required: curl -d sends form encoding.
  const postCommand = (req: Request, remote: string): Promise<Response> =>
    command(req, remote, "/", "text", ({ body, scope, b64 }) => {
      const cmd = parseJson(body!, parseCommand);
      return single(req, "/", new ArgvBuilder(body!).argv(cmd), scope, b64);
    });

  const postPipeline = (req: Request, remote: string): Promise<Response> =>
    command(req, remote, "/pipeline", "text", async ({ body, scope, b64 }) => {
      const format = respFormat(req, b64);
      const argvs = batchArgvs(body!, engine);
      // JSON entries are joined into one string as they come; resp2 bytes gathered for one copy.
      let json = "[";
      const bytes: Uint8Array[] = [];
      const put = (i: number, r: Reply) => {
        if (format === "resp2") bytes.push(encodeReply(r, 2));
        else {
          json += (i === 0 ? "" : ",") +
            (r.t === "error" ? errorBody(r.msg) : `{"result":${replyToJson(r, b64)}}`);
        }
      };
      // Commands run back to back; only a blocked command yields to other clients, since a
      // pipeline is not atomic. Fast commands share clock reads, as in a RESP read batch.
      let i = 0;
      while (i < argvs.length) {
        let blocked: Waiting | undefined;
        engine.beginBatch();
        try {
          for (; i < argvs.length; i++) {
            const r = runOne(scope, argvs[i]!);
            if ("release" in r) {
              blocked = r;
              break;
            }
            put(i, r);
          }
        } finally {
          engine.endBatch();
        }
        if (blocked !== undefined) {
          put(i, await awaitBlocked(blocked, req));
          i++;
        }
      }
      if (format === "resp2") {
        count("/pipeline", 200);
        return new Response(Buffer.concat(bytes), {
          status: 200,
          headers: headersOf(req, "application/octet-stream"),
        });
      }
      return respond(req, "/pipeline", 200, json + "]");
    });

  const postMultiExec = (req: Request, remote: string): Promise<Response> =>
    command(req, remote, "/multi-exec", "text", async ({ body, scope, b64 }) => {
      if (req.headers.has("upstash-response-format") && respFormat(req, b64) === "resp2") {
        throw new HttpFailure(400, fmt(HTTP_E.FORMAT_CONFLICT, "/multi-exec"));
      }
      const argvs = batchArgvs(body!, engine);
      const started = transaction(engine, scope, argvs);
      // A queued script past busy-reply-threshold: the transaction finishes later (other
      // clients get BUSY meanwhile, SCRIPT KILL can stop the script), so the request waits.
      let out: Reply[] | HttpFailure;
      if ("release" in started) {
        const r = await awaitBlocked(started, req);
        out = r === RELEASED_EXEC ? new HttpFailure(503, HTTP_E.CLOSING) : execReplies(r);
      } else {
        out = started;
      }
      if (out instanceof HttpFailure) return fail(req, "/multi-exec", out);
      const parts = out.map((r) => (r.t === "error" ? errorBody(r.msg) : `{"result":${replyToJson(r, b64)}}`));
      return respond(req, "/multi-exec", 200, "[" + parts.join(",") + "]");
    });

  // Preflight: browsers call the gateway directly (read-only tokens).
  app.options("*", (c) => {
    count("options", 204);
    return c.body(null, 204, {
      ...CORS_HEADERS,
      "access-control-allow-methods": ALLOW_METHODS,
      "access-control-allow-headers": c.req.header("access-control-request-headers") ?? ALLOW_HEADERS,
      "access-control-max-age": "86400",
    });
  });

  root.get("/healthz", (c) => {
    if (closing) return respond(c.req.raw, "/healthz", 503, errorBody(HTTP_E.CLOSING));
    return respond(c.req.raw, "/healthz", 200, '{"status":"ok"}');
  });

  root.get("/metrics", (c) => {
    const start = begin(c.req.raw);
    if (start instanceof HttpFailure) return fail(c.req.raw, "/metrics", start);
    return respond(
      c.req.raw,
      "/metrics",
      200,
      metricsText(engine, requests),
      "text/plain; version=0.0.4; charset=utf-8",
    );
  });

  // The two hot endpoints are also taken before the router (see fetch below); these routes
  // serve app.fetch callers (an app mounted with app.route()).
  root.post("/", (c) => postCommand(c.req.raw, c.env?.remote ?? ""));
  root.post("/pipeline", (c) => postPipeline(c.req.raw, c.env?.remote ?? ""));
  root.post("/multi-exec", (c) => postMultiExec(c.req.raw, c.env?.remote ?? ""));

  /** SUBSCRIBE / PSUBSCRIBE / MONITOR as a server-sent event stream. */
  const stream = (c: Context<Env>, endpoint: string, argv: string[]): Response => {
    const req = c.req.raw;
    const start = begin(req);
    if (start instanceof HttpFailure) return fail(req, endpoint, start);
    const session = openSession(c.env?.remote ?? "", start.access);
    const cmd = resolveCommand(engine, argv);
    // The stream endpoints are where no-http commands belong, so only permissions are checked.
    const refused = cmd === undefined ? undefined : permissionCheck(engine, cmd, start.access);
    if (refused !== undefined) {
      engine.closeSession(session);
      return respond(req, endpoint, 400, singleBody(refused, false));
    }
    const release = (s: EventStream) => {
      streams.delete(s);
      // RESET listeners drop the session's subscriptions (and MONITOR); then it is gone.
      engine.resetSession(session);
      engine.closeSession(session);
    };
    const opened = openEventStream(engine, session, argv, {
      heartbeatMs: options.heartbeatMs ?? 15_000,
      maxQueuedBytes: options.maxStreamQueuedBytes ?? 32 * 1024 * 1024,
      headers: { "upstash-sync-token": syncToken(), ...CORS_HEADERS },
    }, release);
    if ("error" in opened) {
      engine.closeSession(session);
      return respond(req, endpoint, 400, singleBody(opened.error, false));
    }
    // The client going away cancels the body stream, which closes it (see sse.ts).
    streams.add(opened.stream);
    count(endpoint, 200);
    return opened.response;
  };

  const streamTarget = (c: Context<Env>, name: string): string | undefined => {
    const url = c.req.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2)).split(/[?#]/, 1)[0]!;
    const rest = path.slice(base.length + name.length + 2);
    if (rest.length === 0) return undefined;
    return rest.split("/").map(decodeSegment).join("/");
  };

  for (const [name, verb] of [["subscribe", "SUBSCRIBE"], ["psubscribe", "PSUBSCRIBE"]] as const) {
    const endpoint = "/" + name;
    const handler = (c: Context<Env>) => {
      const target = streamTarget(c, name);
      if (target === undefined) {
        return fail(c.req.raw, endpoint, new HttpFailure(400, fmt(HTTP_E.NO_CHANNEL, verb, name)));
      }
      return stream(c, endpoint, [verb, target]);
    };
    root.post(`/${name}/*`, handler);
    root.post(`/${name}`, handler);
  }
  root.post("/monitor", (c) => stream(c, "/monitor", ["MONITOR"]));

  // Path style: every other path is a command. GET/HEAD carry no value; POST/PUT append the raw
  // body (bytes, never JSON-parsed) as the last path argument, then the query parameters.
  const pathStyle = (c: Context<Env>) => {
    const req = c.req.raw;
    const method = req.method;
    const hasBody = method === "POST" || method === "PUT";
    return command(req, c.env?.remote ?? "", "path", hasBody ? "bytes" : "none", ({ body, scope, b64 }) => {
      let url = req.url;
      if (base !== "") {
        const p = url.indexOf("/", url.indexOf("//") + 2);
        url = url.slice(0, p) + url.slice(p + base.length);
      }
      const argv = pathArgv(url, body);
      if (argv.length === 0) throw new HttpFailure(400, HTTP_E.NO_COMMAND);
      return single(req, "path", argv, scope, b64);
    });
  };
  root.on(["GET", "HEAD", "POST", "PUT"], "/*", pathStyle);
  root.get("/", pathStyle);

  app.all("*", (c) => {
    count("other", 405);
    return c.body(errorBody(fmt(HTTP_E.METHOD, c.req.method)), 405, {
      "content-type": "application/json",
      allow: ALLOW_METHODS,
      ...CORS_HEADERS,
    });
  });

  app.onError((e, c) => {
    if (e instanceof HttpFailure) return fail(c.req.raw, "other", e);
    return internalError(c.req.raw, e);
  });

  /**
   * Waits for a blocked command, releasing it if the client goes away (else a value pushed later
   * would be served to nobody and lost). The request's signal is the only news of a client that
   * left while its handler is still pending, on every runtime. It is read only here, and the
   * listener is gone before the response is returned, so Deno.serve's legacy signal (which also
   * aborts after every successful response) changes nothing; Deno warns once about that legacy
   * behaviour when a read signal's response completes, unless the process opts in to the
   * corrected one (`"unstable": ["no-legacy-abort"]` in deno.json, or
   * `--unstable-no-legacy-abort`).
   */
  const awaitBlocked = async (w: Waiting, req: Request): Promise<Reply> => {
    const signal = req.signal;
    const release = () => w.release();
    waiting.add(w);
    signal.addEventListener("abort", release);
    try {
      return await w.reply;
    } finally {
      waiting.delete(w);
      signal.removeEventListener("abort", release);
    }
  };

  // `POST <base>` and `POST <base>/pipeline` (everything `@upstash/redis` sends with its default
  // auto-pipelining) are matched here with two string comparisons; hono's router, context and
  // compose cost about as much again as the rest of such a request. Every other request, and any
  // path that differs at all, goes through the router, whose routes for these two endpoints run
  // the same functions.
  const rootPath = base === "" ? "/" : base;
  const pipelinePath = base + "/pipeline";
  const fetch = (req: Request, info?: unknown): Response | Promise<Response> => {
    const remote = remoteOf(req, info);
    if (req.method === "POST") {
      const url = req.url;
      const start = url.indexOf("/", url.indexOf("//") + 2);
      if (start >= 0) {
        const q = url.indexOf("?", start);
        const len = (q < 0 ? url.length : q) - start;
        if (len === rootPath.length && url.startsWith(rootPath, start)) return postCommand(req, remote);
        if (len === pipelinePath.length && url.startsWith(pipelinePath, start)) return postPipeline(req, remote);
      }
    }
    return app.fetch(req, { remote });
  };

  return {
    app: app as unknown as Hono,
    fetch,
    close() {
      if (!closing) unhookWrites();
      closing = true;
      for (const s of [...streams]) s.close();
      for (const w of [...waiting]) w.release();
      for (const p of [...pendingReads]) p.fail(new HttpFailure(503, HTTP_E.CLOSING));
      pendingReads.clear();
      watchdog?.cancel();
      watchdog = undefined;
    },
  };
}

/** `/v1/` -> `/v1`; "" and "/" -> "". */
function normalizeBase(p: string): string {
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "";
  return trimmed.startsWith("/") ? trimmed : "/" + trimmed;
}

/** `ip:port` of the peer from whatever the host passed as the second fetch argument. */
function remoteOf(_req: Request, info: unknown): string {
  if (typeof info !== "object" || info === null) return "";
  const i = info as Partial<HttpConnInfo> & {
    remoteAddr?: { hostname?: string; port?: number };
    requestIP?: (r: Request) => { address: string; port: number } | null;
  };
  if (i.remote !== undefined) return hostPort(i.remote.address, i.remote.port);
  if (i.remoteAddr?.hostname !== undefined) return hostPort(i.remoteAddr.hostname, i.remoteAddr.port ?? 0);
  if (typeof i.requestIP === "function") {
    const ip = i.requestIP(_req);
    if (ip) return hostPort(ip.address, ip.port);
  }
  return "";
}

function hostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Parses a JSON body and validates it with a schema; failures are 400s. */
function parseJson<T>(body: string, check: (v: unknown) => Parsed<T>): T {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new HttpFailure(400, HTTP_E.NOT_JSON);
  }
  const r = check(v);
  if (!r.ok) throw new HttpFailure(400, r.error);
  return r.value;
}

/** Validates a batch body and converts it, enforcing http-max-pipeline. */
function batchArgvs(body: string, engine: Engine): string[][] {
  const cmds: JsonArg[][] = parseJson(body, parseBatch);
  const max = engine.config.num("http-max-pipeline");
  if (cmds.length > max) throw new HttpFailure(400, fmt(HTTP_E.PIPELINE_TOO_LONG, String(cmds.length), String(max)));
  const b = new ArgvBuilder(body);
  return cmds.map((c) => b.argv(c));
}

// What a released /multi-exec wait settles with (client gone or gateway closing): the
// transaction itself runs on to its end.
const RELEASED_EXEC: Reply = Object.freeze({ t: "null", as: "array" });

/**
 * Runs `/multi-exec`: MULTI, the commands, EXEC on the request's session, in one synchronous
 * stretch, unless a queued script passes busy-reply-threshold: then EXEC waits for it as it
 * does over RESP. A command refused at queue time (unknown, wrong arity, not allowed over HTTP
 * or with the read-only token) discards the whole transaction, as EXECABORT does over RESP.
 * @returns one reply per command, the failure that discarded the transaction, or the wait for
 *   EXEC's reply
 */
function transaction(engine: Engine, scope: RunScope, argvs: readonly string[][]): Reply[] | HttpFailure | Waiting {
  const { session } = scope;
  const started = engine.dispatch(session, ["MULTI"]);
  if (started === undefined || started.t === "error" || started.t === "blocked") {
    return new HttpFailure(500, started?.t === "error" ? started.msg : E.INTERNAL);
  }
  let firstError: string | undefined;
  for (const argv of argvs) {
    const refused = gatewayCheck(engine, resolveCommand(engine, argv), argv, scope.access);
    const r = refused ?? engine.dispatch(session, argv);
    if (r !== undefined && r.t === "error") firstError ??= r.msg;
  }
  if (firstError !== undefined) {
    engine.dispatch(session, ["DISCARD"]);
    return new HttpFailure(400, fmt(HTTP_E.EXECABORT, firstError));
  }
  let settle: ((r: Reply) => void) | undefined;
  let early: Reply | undefined;
  const r = engine.dispatch(session, ["EXEC"], (reply) => {
    if (settle !== undefined) settle(reply);
    else early = reply;
  });
  if (r === undefined) return new HttpFailure(500, E.INTERNAL);
  if (r.t !== "blocked") return execReplies(r);
  if (early !== undefined) return execReplies(early);
  const reply = new Promise<Reply>((resolve) => settle = resolve);
  return { reply, release: () => settle!(RELEASED_EXEC) };
}

/** EXEC's reply as one reply per command, or the failure that discarded the transaction. */
function execReplies(r: Reply): Reply[] | HttpFailure {
  if (r.t === "error") return new HttpFailure(400, r.msg);
  if (r.t !== "array") return new HttpFailure(500, E.INTERNAL);
  return [...r.v];
}

/** Reads a body of unknown length, stopping at `max` bytes. */
async function readStream(
  body: ReadableStream<Uint8Array>,
  max: number,
  mode: "text" | "bytes",
  tooLarge: () => HttpFailure,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = Buffer.concat(chunks);
  return all.toString(mode === "text" ? "utf8" : "latin1");
}
