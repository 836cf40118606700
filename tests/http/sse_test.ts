/**
 * Server-sent event streams of the gateway (POST /subscribe, /psubscribe, /monitor) in-process:
 * framing, delivery of messages published by other clients, heartbeats and clean-up.
 */
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FULL, makeGateway, RO, type TestGateway, until } from "./_gateway.ts";
import { eventText, frameEvent } from "../../src/http/sse.ts";
import { array, bulk, int, push, simple } from "../../src/protocol/reply.ts";

const DECODER = new TextDecoder();

/** Reads an event stream's text as it arrives. */
class StreamReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  text = "";
  done = false;
  constructor(res: Response) {
    this.#reader = res.body!.getReader();
    this.#pump();
  }
  async #pump(): Promise<void> {
    try {
      while (true) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        this.text += DECODER.decode(value, { stream: true });
      }
    } catch { /* cancelled */ }
    this.done = true;
  }
  /** Waits until the text contains `s`. */
  async waitFor(s: string): Promise<void> {
    await until(() => this.text.includes(s), JSON.stringify(s) + " in " + JSON.stringify(this.text));
  }
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

describe("SSE framing", () => {
  it("joins push fields with commas and keeps payload bytes raw", () => {
    const r = push([bulk("message"), bulk("chat"), bulk('{"text":"hi, there"}')]);
    assert.equal(eventText(r), 'message,chat,{"text":"hi, there"}');
    assert.equal(eventText(array([bulk("subscribe"), bulk("chat"), int(1)])), "subscribe,chat,1");
    assert.equal(
      eventText(simple('1721284005.242090 [0 1.2.3.4:5] "GET" "k"')),
      '1721284005.242090 [0 1.2.3.4:5] "GET" "k"',
    );
  });

  it("frames one event per data line and splits a multi-line payload into several", () => {
    assert.equal(DECODER.decode(frameEvent("message,c,x")), "data: message,c,x\n\n");
    assert.equal(DECODER.decode(frameEvent("message,c,a\nb\r\nc")), "data: message,c,a\ndata: b\ndata: c\n\n");
    // A latin1 byte string carries UTF-8 bytes through unchanged.
    assert.deepEqual([...frameEvent("\xc3\xa9")], [...new TextEncoder().encode("data: é\n\n")]);
  });
});

let g: TestGateway;

/** POSTs `[]` to a stream endpoint, as the SDK does, and returns the live response. */
function openStream(path: string, token = FULL): Promise<Response> {
  return Promise.resolve(g.gateway.fetch(
    new Request("http://kite" + path, {
      method: "POST",
      body: "[]",
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    }),
  ));
}
const pubsub = () => g.engine.registry.get("subscribe") !== undefined && g.engine.registry.get("publish") !== undefined;
const skipWhy = "SUBSCRIBE/PUBLISH are not in the command table yet (pub/sub is built separately)";

describe("POST /subscribe/<channel>", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("streams the confirmation, then messages published by other clients", async (t) => {
    if (!pubsub()) return t.skip(skipWhy);
    const res = await g.gateway.fetch(
      new Request("http://kite/subscribe/chat", {
        method: "POST",
        body: "[]",
        headers: { authorization: `Bearer ${FULL}`, accept: "text/event-stream", "upstash-encoding": "base64" },
      }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const s = new StreamReader(res);
    await s.waitFor("data: subscribe,chat,1\n\n");
    assert.equal(g.exec("PUBLISH", "chat", "hello"), 1);
    g.exec("PUBLISH", "chat", '{"text":"hi, there"}');
    g.exec("PUBLISH", "other", "not for us");
    await s.waitFor('data: message,chat,{"text":"hi, there"}\n\n');
    assert.equal(
      s.text,
      'data: subscribe,chat,1\n\ndata: message,chat,hello\n\ndata: message,chat,{"text":"hi, there"}\n\n',
    );
    await s.cancel();
  });

  it("unsubscribes and releases the session when the client goes away", async (t) => {
    if (!pubsub()) return t.skip(skipWhy);
    const before = g.engine.clients.size;
    const res = await openStream("/subscribe/chat");
    const s = new StreamReader(res);
    await s.waitFor("subscribe,chat,1");
    assert.equal(g.engine.clients.size, before + 1);
    await s.cancel();
    await until(() => g.engine.clients.size === before, "the session to close");
    assert.deepEqual(g.exec("PUBSUB", "NUMSUB", "chat"), ["chat", 0]);
    assert.equal(g.exec("PUBLISH", "chat", "x"), 0);
  });

  it("sends keepalive comments while idle", async (t) => {
    if (!pubsub()) return t.skip(skipWhy);
    const s = new StreamReader(await openStream("/subscribe/chat"));
    await s.waitFor("subscribe,chat,1");
    g.advance(15_000);
    await s.waitFor(": keepalive\n\n");
    await s.cancel();
  });

  it("ends open streams when the gateway closes", async (t) => {
    if (!pubsub()) return t.skip(skipWhy);
    const s = new StreamReader(await openStream("/subscribe/chat"));
    await s.waitFor("subscribe,chat,1");
    g.gateway.close();
    await until(() => s.done, "the stream to end");
  });

  it("lets the read-only token subscribe", async (t) => {
    if (!pubsub()) return t.skip(skipWhy);
    const s = new StreamReader(await openStream("/subscribe/news", RO));
    await s.waitFor("subscribe,news,1");
    g.exec("PUBLISH", "news", "n1");
    await s.waitFor("message,news,n1");
    await s.cancel();
  });

  it("answers 401 without a token and 400 without a channel", async () => {
    const a = await g.call("POST", "/subscribe/chat", { token: null, body: "[]" });
    assert.equal(a.status, 401);
    const b = await g.call("POST", "/subscribe", { body: "[]" });
    assert.equal(b.status, 400);
    assert.match(b.json.error, /^ERR SUBSCRIBE needs a channel/);
  });
});

describe("POST /psubscribe/<pattern>", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("streams pattern messages with the pattern and the channel", async (t) => {
    if (!pubsub()) return t.skip(skipWhy);
    const s = new StreamReader(await openStream("/psubscribe/news.*"));
    await s.waitFor("data: psubscribe,news.*,1\n\n");
    g.exec("PUBLISH", "news.tech", "payload,with,commas");
    await s.waitFor("data: pmessage,news.*,news.tech,payload,with,commas\n\n");
    await s.cancel();
  });
});

describe("POST /monitor", () => {
  beforeEach(() => (g = makeGateway()));
  afterEach(() => g.close());

  it("streams OK, then one line per command other clients run", async (t) => {
    if (g.engine.registry.get("monitor") === undefined) return t.skip("MONITOR is not in the command table yet");
    const s = new StreamReader(await openStream("/monitor"));
    await s.waitFor('data: "OK"\n\n');
    g.exec("SET", "k", "v");
    await s.waitFor('"SET" "k" "v"');
    assert.match(s.text, /data: \d+\.\d{6} \[0 [^\]]*\] "SET" "k" "v"\n\n/);
    await s.cancel();
  });

  it("is refused for the read-only token", async (t) => {
    if (g.engine.registry.get("monitor") === undefined) return t.skip("MONITOR is not in the command table yet");
    const res = await openStream("/monitor", RO);
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /^NOPERM User default_ro has no permissions to run the 'monitor' command/);
  });
});
