/**
 * Server-sent event streams for SUBSCRIBE, PSUBSCRIBE and MONITOR: a session whose `push` writes
 * `data:` lines. Each RESP2 push array becomes one event with its fields comma-separated and
 * written raw (`data: message,chat,hello`), the format `@upstash/redis` parses; a status line
 * (a MONITOR entry) is written as it is. Events are never base64-encoded.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { Engine } from "../engine/engine.ts";
import type { Session } from "../engine/session.ts";
import type { Reply } from "../protocol/reply.ts";
import type { TimerHandle } from "../runtime/clock.ts";
import { formatDouble } from "../util/number.ts";

/** Limits of one stream. */
export interface StreamOptions {
  /** A `: keepalive` comment is sent this often (ms), so proxies and idle timers keep the stream. */
  readonly heartbeatMs: number;
  /**
   * Bytes a slow reader may leave unread before the stream is closed, as Valkey drops a Pub/Sub
   * client over its output buffer limit (its default hard limit is 32 MB).
   */
  readonly maxQueuedBytes: number;
  /** Response headers besides the stream's own. */
  readonly headers: Record<string, string>;
}

/** An open event stream, as the gateway tracks it. */
export interface EventStream {
  /** Ends the stream and releases its session. Idempotent. */
  close(): void;
}

const ENCODER = new TextEncoder();
const HEARTBEAT = ENCODER.encode(": keepalive\n\n");

/**
 * The text of one push reply as SSE field text: an array's elements joined with commas (bytes of
 * bulk strings as they are), a status or bulk reply its own text.
 */
export function eventText(r: Reply): string {
  switch (r.t) {
    case "array":
    case "set":
    case "push": {
      let out = "";
      for (let i = 0; i < r.v.length; i++) out += (i > 0 ? "," : "") + eventText(r.v[i]!);
      return out;
    }
    case "simple":
    case "bulk":
      return typeof r.v === "string" ? r.v : Buffer.from(r.v.buffer, r.v.byteOffset, r.v.byteLength).toString("latin1");
    case "int":
      return r.v.toString();
    case "error":
      return r.msg;
    case "null":
      return "";
    case "double":
      return r.text ?? formatDouble(r.v);
    case "bool":
      return r.v ? "1" : "0";
    case "verbatim":
      return r.v;
    case "bignum":
      return r.v.toString();
    case "map":
    case "pairs": {
      let out = "";
      for (const [k, v] of r.v) out += (out.length > 0 ? "," : "") + eventText(k) + "," + eventText(v);
      return out;
    }
  }
}

/**
 * Frames field text as one SSE event. A payload with line breaks becomes several `data:` lines,
 * the SSE rule for multi-line data (EventSource joins them with `\n`).
 * @returns the event's bytes (the text is a latin1 byte string, so payload bytes pass through)
 */
export function frameEvent(text: string): Uint8Array {
  const body = /[\r\n]/.test(text) ? text.split(/\r\n|\r|\n/).join("\ndata: ") : text;
  return Buffer.from(`data: ${body}\n\n`, "latin1");
}

/**
 * Whether a reply holds several events: SUBSCRIBE with many channels may answer an array of
 * confirmation arrays rather than one.
 */
function isEventList(r: Reply): r is Reply & { v: readonly Reply[] } {
  return (r.t === "array" || r.t === "push") && r.v.length > 0 &&
    r.v.every((x) => x.t === "array" || x.t === "push");
}

/**
 * Opens a stream on `session`: sets its `push` to write events, runs `argv` (SUBSCRIBE ch,
 * PSUBSCRIBE pat, MONITOR), and returns the streaming response, or the command's error reply
 * when it failed (the caller answers that as JSON; nothing was streamed).
 * @param onClose called once when the stream ends (client gone, slow reader dropped, gateway
 * closing): the caller releases the session there
 */
export function openEventStream(
  engine: Engine,
  session: Session,
  argv: readonly string[],
  opts: StreamOptions,
  onClose: (stream: EventStream) => void,
): { response: Response; stream: EventStream } | { error: Reply } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  // Started once the command succeeded; close() may run before that.
  // deno-lint-ignore prefer-const
  let heartbeat: TimerHandle | undefined;
  const stream: EventStream = {
    close() {
      if (closed) return;
      closed = true;
      heartbeat?.cancel();
      session.push = undefined;
      try {
        controller.close();
      } catch { /* already closed or errored by the runtime */ }
      onClose(stream);
    },
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      // The client went away (the SDK aborts to unsubscribe).
      cancel() {
        stream.close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
  const write = (bytes: Uint8Array) => {
    if (closed) return;
    controller.enqueue(bytes);
    // desiredSize is the high-water mark minus the unread bytes.
    if ((controller.desiredSize ?? 0) < -opts.maxQueuedBytes) {
      engine.log("warning", `Closing HTTP event stream of client ${session.id}: reader too slow`);
      stream.close();
    }
  };
  const emit = (r: Reply) => {
    if (isEventList(r)) { for (const e of r.v) write(frameEvent(eventText(e))); }
    else write(frameEvent(eventText(r)));
  };
  session.push = emit;
  const reply = engine.dispatch(session, argv);
  if (reply !== undefined && reply.t === "blocked") throw new TypeError(`Cannot stream "${argv[0]}": it blocks`);
  if (reply !== undefined && reply.t === "error") {
    closed = true;
    session.push = undefined;
    controller.close();
    return { error: reply };
  }
  // MONITOR answers OK before its stream of commands: Upstash writes it as `data: "OK"`.
  if (reply !== undefined) {
    if (reply.t === "simple" && reply.v === "OK") write(frameEvent('"OK"'));
    else emit(reply);
  }
  engine.afterReply(session);
  heartbeat = engine.scheduler.every(opts.heartbeatMs, () => write(HEARTBEAT));
  const response = new Response(body, {
    status: 200,
    headers: {
      ...opts.headers,
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      // Reverse proxies (nginx) must not buffer the stream.
      "x-accel-buffering": "no",
    },
  });
  return { response, stream };
}
