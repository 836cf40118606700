import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import { openClient } from "../_helpers/sessions.ts";

const CONTEXT_ERROR = (cmd: string) => ({
  error:
    `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
});

describe("SUBSCRIBE / PUBLISH", () => {
  it("confirms each channel with the running subscription count", () => {
    const t = makeEngine();
    const c = openClient(t);
    assert.deepEqual(c.exec("SUBSCRIBE", "a", "b", "a"), ["subscribe", "a", 2]);
    assert.deepEqual(c.take(), [["subscribe", "a", 1], ["subscribe", "b", 2]]);
    assert.equal(c.s.subscriptions, 2);
  });

  it("delivers messages and answers the number of receivers", () => {
    const t = makeEngine();
    const a = openClient(t);
    const b = openClient(t);
    a.exec("SUBSCRIBE", "news");
    b.exec("SUBSCRIBE", "news", "other");
    a.take();
    b.take();
    assert.equal(t.exec("PUBLISH", "news", "hello"), 2);
    assert.equal(t.exec("PUBLISH", "nobody", "x"), 0);
    assert.deepEqual(a.take(), [["message", "news", "hello"]]);
    assert.deepEqual(b.take(), [["message", "news", "hello"]]);
  });

  it("keeps channel names and messages binary safe", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "ch\x00\xff");
    c.take();
    assert.equal(t.exec("PUBLISH", "ch\x00\xff", "\r\n\x00\xfe"), 1);
    assert.deepEqual(c.take(), [["message", "ch\x00\xff", "\r\n\x00\xfe"]]);
  });

  it("sends messages as RESP3 pushes, and as arrays to RESP2 clients", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("HELLO", "3");
    const r = c.raw("SUBSCRIBE", "x");
    assert.equal(r?.t, "push");
    t.exec("PUBLISH", "x", "m");
    assert.equal(c.pushedRaw[0]?.t, "push");
  });

  it("delivers a message published by the subscriber itself before its PUBLISH reply (RESP3)", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("HELLO", "3");
    c.exec("SUBSCRIBE", "self");
    c.take();
    assert.equal(c.exec("PUBLISH", "self", "m"), 1);
    assert.deepEqual(c.take(), [["message", "self", "m"]]);
  });

  it("fans out to 1,000 subscribers of one channel, each receiving every message once", () => {
    const t = makeEngine();
    const subs = Array.from({ length: 1000 }, () => openClient(t));
    for (const s of subs) s.exec("SUBSCRIBE", "wide");
    for (const s of subs) s.take();
    for (let i = 0; i < 3; i++) assert.equal(t.exec("PUBLISH", "wide", `m${i}`), 1000);
    for (const s of subs) {
      assert.deepEqual(s.take(), [["message", "wide", "m0"], ["message", "wide", "m1"], ["message", "wide", "m2"]]);
    }
    assert.match(String(t.exec("INFO", "clients")), /pubsub_clients:1000\r\n/);
  });
});

describe("UNSUBSCRIBE", () => {
  it("confirms each channel with the remaining count", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "a", "b", "c");
    c.take();
    assert.deepEqual(c.exec("UNSUBSCRIBE", "b", "zz"), ["unsubscribe", "zz", 2]);
    assert.deepEqual(c.take(), [["unsubscribe", "b", 2]]);
  });

  it("leaves every channel without arguments, in subscription order", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "a", "b");
    c.take();
    assert.deepEqual(c.exec("UNSUBSCRIBE"), ["unsubscribe", "b", 0]);
    assert.deepEqual(c.take(), [["unsubscribe", "a", 1]]);
    assert.equal(t.exec("PUBLISH", "a", "x"), 0);
  });

  it("answers once with a null channel when nothing is subscribed", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("UNSUBSCRIBE"), ["unsubscribe", null, 0]);
    assert.deepEqual(t.exec("PUNSUBSCRIBE"), ["punsubscribe", null, 0]);
    assert.deepEqual(t.exec("SUNSUBSCRIBE"), ["sunsubscribe", null, 0]);
  });

  it("counts channels and patterns together", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "a");
    assert.deepEqual(c.exec("PSUBSCRIBE", "h*"), ["psubscribe", "h*", 2]);
    assert.deepEqual(c.exec("UNSUBSCRIBE", "a"), ["unsubscribe", "a", 1]);
    assert.deepEqual(c.exec("PUNSUBSCRIBE"), ["punsubscribe", "h*", 0]);
  });
});

describe("PSUBSCRIBE", () => {
  it("delivers pmessage for channels matching the glob", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("PSUBSCRIBE", "h?llo", "n[ae]ws.*");
    c.take();
    assert.equal(t.exec("PUBLISH", "hello", "1"), 1);
    assert.equal(t.exec("PUBLISH", "news.x", "2"), 1);
    assert.equal(t.exec("PUBLISH", "nows.x", "3"), 0);
    assert.deepEqual(c.take(), [["pmessage", "h?llo", "hello", "1"], ["pmessage", "n[ae]ws.*", "news.x", "2"]]);
  });

  it("counts a client once per matching subscription", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "foo.bar");
    c.exec("PSUBSCRIBE", "foo.*", "*.bar");
    c.take();
    assert.equal(t.exec("PUBLISH", "foo.bar", "m"), 3);
    assert.deepEqual(c.take(), [
      ["message", "foo.bar", "m"],
      ["pmessage", "foo.*", "foo.bar", "m"],
      ["pmessage", "*.bar", "foo.bar", "m"],
    ]);
  });

  it("supports escaped glob characters as Valkey's stringmatch", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("PSUBSCRIBE", "a\\*b");
    c.take();
    assert.equal(t.exec("PUBLISH", "a*b", "x"), 1);
    assert.equal(t.exec("PUBLISH", "axxb", "x"), 0);
  });
});

describe("SSUBSCRIBE / SPUBLISH", () => {
  it("delivers smessage to shard subscribers only, counting shard channels apart", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "a");
    c.exec("PSUBSCRIBE", "*");
    assert.deepEqual(c.exec("SSUBSCRIBE", "s1", "s2"), ["ssubscribe", "s2", 2]);
    c.take();
    assert.equal(t.exec("SPUBLISH", "s1", "m"), 1);
    assert.deepEqual(c.take(), [["smessage", "s1", "m"]], "patterns do not match shard channels");
    assert.equal(t.exec("PUBLISH", "s1", "m"), 1, "the pattern hears the ordinary channel");
    c.take();
    assert.deepEqual(c.exec("SUNSUBSCRIBE"), ["sunsubscribe", "s2", 0]);
    assert.deepEqual(c.take(), [["sunsubscribe", "s1", 1]]);
  });
});

describe("RESP2 subscribed mode", () => {
  it("allows only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "x");
    assert.deepEqual(c.exec("GET", "k"), CONTEXT_ERROR("get"));
    assert.deepEqual(c.exec("CLIENT", "ID"), CONTEXT_ERROR("client|id"));
    assert.deepEqual(c.exec("PUBLISH", "x", "y"), CONTEXT_ERROR("publish"));
    assert.deepEqual(c.exec("PING"), ["pong", ""]);
    assert.deepEqual(c.exec("PSUBSCRIBE", "p"), ["psubscribe", "p", 2]);
    assert.deepEqual(c.exec("SSUBSCRIBE", "s"), ["ssubscribe", "s", 1]);
    assert.equal(c.exec("RESET"), "RESET");
    assert.equal(c.s.pubsub, false, "RESET left every subscription");
    assert.equal(c.exec("GET", "k"), null);
  });

  it("ends when the last subscription goes", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "x");
    c.exec("UNSUBSCRIBE");
    assert.equal(c.exec("SET", "k", "v"), "OK");
  });

  it("does not apply to RESP3 clients", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("HELLO", "3");
    c.exec("SUBSCRIBE", "x");
    assert.equal(c.exec("SET", "k", "v"), "OK");
    assert.equal(c.exec("PING"), "PONG");
  });

  it("counts the rejection in commandstats and errorstats", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "x");
    c.exec("GET", "k");
    assert.match(
      String(t.exec("INFO", "commandstats")),
      /cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,/,
    );
  });
});

describe("PUBSUB", () => {
  it("lists active channels, optionally matching a pattern", () => {
    const t = makeEngine();
    const a = openClient(t);
    a.exec("SUBSCRIBE", "news.a", "news.b", "other");
    a.exec("PSUBSCRIBE", "pat*");
    assert.deepEqual((t.exec("PUBSUB", "CHANNELS") as string[]).sort(), ["news.a", "news.b", "other"]);
    assert.deepEqual((t.exec("PUBSUB", "CHANNELS", "news.*") as string[]).sort(), ["news.a", "news.b"]);
    assert.deepEqual(t.exec("PUBSUB", "CHANNELS", "x", "y"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.",
    });
  });

  it("counts subscribers per channel with NUMSUB, excluding patterns", () => {
    const t = makeEngine();
    openClient(t).exec("SUBSCRIBE", "a");
    openClient(t).exec("SUBSCRIBE", "a", "b");
    openClient(t).exec("PSUBSCRIBE", "a");
    assert.deepEqual(t.exec("PUBSUB", "NUMSUB", "a", "b", "c"), ["a", 2, "b", 1, "c", 0]);
    assert.deepEqual(t.exec("PUBSUB", "NUMSUB"), []);
  });

  it("counts distinct patterns with NUMPAT", () => {
    const t = makeEngine();
    openClient(t).exec("PSUBSCRIBE", "a*", "b*");
    openClient(t).exec("PSUBSCRIBE", "a*");
    assert.equal(t.exec("PUBSUB", "NUMPAT"), 2);
  });

  it("lists and counts shard channels apart", () => {
    const t = makeEngine();
    openClient(t).exec("SSUBSCRIBE", "s1", "s2");
    openClient(t).exec("SUBSCRIBE", "c1");
    assert.deepEqual((t.exec("PUBSUB", "SHARDCHANNELS") as string[]).sort(), ["s1", "s2"]);
    assert.deepEqual(t.exec("PUBSUB", "SHARDCHANNELS", "*2"), ["s2"]);
    assert.deepEqual(t.exec("PUBSUB", "SHARDNUMSUB", "s1", "c1"), ["s1", 1, "c1", 0]);
  });

  it("answers HELP and rejects unknown subcommands", () => {
    const t = makeEngine();
    const help = t.exec("PUBSUB", "HELP") as string[];
    assert.match(help[0]!, /^PUBSUB <subcommand>/);
    assert.ok(help.some((l) => l.startsWith("NUMSUB")));
    assert.deepEqual(t.exec("PUBSUB", "FOO"), { error: "ERR unknown subcommand 'FOO'. Try PUBSUB HELP." });
  });

  it("reports channel and pattern counts in INFO stats", () => {
    const t = makeEngine();
    openClient(t).exec("SUBSCRIBE", "a", "b");
    openClient(t).exec("PSUBSCRIBE", "p*");
    openClient(t).exec("SSUBSCRIBE", "s");
    const info = String(t.exec("INFO", "stats"));
    assert.match(info, /pubsub_channels:2\r\n/);
    assert.match(info, /pubsub_patterns:1\r\n/);
    assert.match(info, /pubsubshard_channels:1\r\n/);
  });
});

describe("Pub/Sub clients", () => {
  it("appear in CLIENT LIST with flag P and their counts, and as TYPE pubsub", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "a", "b");
    c.exec("PSUBSCRIBE", "p");
    c.exec("SSUBSCRIBE", "s");
    const line = String(t.exec("CLIENT", "LIST", "TYPE", "pubsub"));
    assert.match(line, new RegExp(`^id=${c.s.id} .* flags=P .* sub=2 psub=1 ssub=1 `));
  });

  it("lose their subscriptions when they disconnect", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("SUBSCRIBE", "a");
    c.exec("PSUBSCRIBE", "p*");
    t.engine.closeSession(c.s);
    assert.equal(t.exec("PUBLISH", "a", "x"), 0);
    assert.equal(t.exec("PUBLISH", "pq", "x"), 0);
    assert.equal(t.exec("PUBSUB", "NUMPAT"), 0);
  });

  it("may subscribe inside MULTI; the confirmations come with EXEC", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("MULTI");
    assert.equal(c.exec("SUBSCRIBE", "a", "b"), "QUEUED");
    assert.deepEqual(c.exec("EXEC"), [["subscribe", "b", 2]]);
    assert.deepEqual(c.take(), [["subscribe", "a", 1]]);
  });
});
