import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import { openClient, type TestClient } from "../_helpers/sessions.ts";

type T = ReturnType<typeof makeEngine>;

/** A RESP3 client with tracking turned on with `opts`. */
function tracker(t: T, ...opts: string[]): TestClient {
  const c = openClient(t);
  c.exec("HELLO", "3");
  assert.equal(c.exec("CLIENT", "TRACKING", "on", ...opts), "OK");
  return c;
}

describe("CLIENT TRACKING (default mode)", () => {
  it("invalidates a key another client modifies after this client read it", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("GET", "k1");
    c.exec("MGET", "k2", "k3");
    t.exec("SET", "k1", "x");
    t.exec("MSET", "k2", "1", "k3", "2");
    assert.deepEqual(c.take(), [["invalidate", ["k1"]], ["invalidate", ["k2"]], ["invalidate", ["k3"]]]);
    assert.equal(c.pushedRaw.length, 0);
  });

  it("sends RESP3 push replies", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("GET", "k");
    t.exec("SET", "k", "v");
    assert.equal(c.pushedRaw[0]?.t, "push");
  });

  it("invalidates once, until the key is read again", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("GET", "k");
    t.exec("SET", "k", "1");
    t.exec("SET", "k", "2");
    assert.deepEqual(c.take(), [["invalidate", ["k"]]]);
    c.exec("GET", "k");
    t.exec("DEL", "k");
    assert.deepEqual(c.take(), [["invalidate", ["k"]]]);
  });

  it("does not track keys that were not read, nor writes", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("SET", "w", "1");
    c.take();
    t.exec("SET", "w", "2");
    t.exec("SET", "other", "x");
    assert.deepEqual(c.take(), []);
  });

  it("sends the invalidation caused by the client's own write after that write's reply", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("GET", "k");
    const r = t.engine.dispatch(c.s, ["SET", "k", "v"]);
    assert.deepEqual(r, { t: "simple", v: "OK" });
    assert.deepEqual(c.pushed, [], "held until the reply is written");
    t.engine.afterReply(c.s);
    assert.deepEqual(c.take(), [["invalidate", ["k"]]]);
  });

  it("skips the client's own writes with NOLOOP", () => {
    const t = makeEngine();
    const c = tracker(t, "NOLOOP");
    c.exec("GET", "k");
    c.exec("SET", "k", "v");
    assert.deepEqual(c.take(), []);
    c.exec("GET", "k");
    t.exec("SET", "k", "w");
    assert.deepEqual(c.take(), [["invalidate", ["k"]]]);
  });

  it("tracks keys read inside MULTI/EXEC", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("MULTI");
    c.exec("GET", "inmulti");
    c.exec("EXEC");
    t.exec("SET", "inmulti", "v");
    assert.deepEqual(c.take(), [["invalidate", ["inmulti"]]]);
  });

  it("invalidates keys that expire", () => {
    const t = makeEngine();
    const c = tracker(t);
    t.exec("SET", "e", "v", "PX", 10);
    c.exec("GET", "e");
    t.advance(1000);
    assert.deepEqual(c.take(), [["invalidate", ["e"]]]);
  });

  it("sends a null key list on FLUSHDB and FLUSHALL (once per command)", () => {
    const t = makeEngine();
    const c = tracker(t);
    const b = tracker(t, "BCAST");
    t.exec("FLUSHALL");
    assert.deepEqual(c.take(), [["invalidate", null]]);
    assert.deepEqual(b.take(), [["invalidate", null]]);
    t.exec("FLUSHDB");
    assert.deepEqual(c.take(), [["invalidate", null]]);
  });

  it("sends nothing to a RESP2 client without a redirect", () => {
    const t = makeEngine();
    const c = openClient(t);
    c.exec("CLIENT", "TRACKING", "on");
    c.exec("GET", "k");
    t.exec("SET", "k", "v");
    assert.deepEqual(c.take(), []);
  });

  it("stops when turned off", () => {
    const t = makeEngine();
    const c = tracker(t);
    c.exec("GET", "k");
    c.exec("CLIENT", "TRACKING", "off");
    t.exec("SET", "k", "v");
    assert.deepEqual(c.take(), []);
    assert.equal(c.s.tracking, false);
  });
});

describe("CLIENT TRACKING REDIRECT", () => {
  it("sends invalidations to a RESP2 client subscribed to __redis__:invalidate", () => {
    const t = makeEngine();
    const r = openClient(t);
    r.exec("SUBSCRIBE", "__redis__:invalidate");
    r.take();
    const c = openClient(t);
    c.exec("CLIENT", "TRACKING", "on", "REDIRECT", r.s.id);
    assert.equal(c.exec("CLIENT", "GETREDIR"), r.s.id);
    c.exec("GET", "k");
    t.exec("SET", "k", "v");
    assert.deepEqual(r.take(), [["message", "__redis__:invalidate", ["k"]]]);
    t.exec("FLUSHALL");
    assert.deepEqual(r.take(), [["message", "__redis__:invalidate", null]]);
  });

  it("sends invalidations to a RESP3 redirect client as pushes", () => {
    const t = makeEngine();
    const r = openClient(t);
    r.exec("HELLO", "3");
    const c = openClient(t);
    c.exec("CLIENT", "TRACKING", "on", "REDIRECT", r.s.id);
    c.exec("GET", "k");
    t.exec("SET", "k", "v");
    assert.deepEqual(r.take(), [["invalidate", ["k"]]]);
    assert.deepEqual(c.take(), []);
  });

  it("sends nothing to a RESP2 redirect client that is not in Pub/Sub mode", () => {
    const t = makeEngine();
    const r = openClient(t);
    const c = openClient(t);
    c.exec("CLIENT", "TRACKING", "on", "REDIRECT", r.s.id);
    c.exec("GET", "k");
    t.exec("SET", "k", "v");
    assert.deepEqual(r.take(), []);
  });

  it("reports a broken redirect to a RESP3 client and in TRACKINGINFO and CLIENT LIST", () => {
    const t = makeEngine();
    const r = openClient(t);
    const c = tracker(t, "REDIRECT", String(r.s.id));
    c.exec("GET", "k");
    t.engine.closeSession(r.s);
    t.exec("SET", "k", "v");
    assert.deepEqual(c.take(), [["tracking-redir-broken", r.s.id]]);
    assert.deepEqual(c.exec("CLIENT", "TRACKINGINFO"), [
      "flags",
      ["on", "broken_redirect"],
      "redirect",
      r.s.id,
      "prefixes",
      [],
    ]);
    assert.match(String(c.exec("CLIENT", "INFO")), / flags=tR /);
  });

  it("requires the redirect client to exist, once", () => {
    const t = makeEngine();
    const other = openClient(t);
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "REDIRECT", 999), {
      error: "ERR The client ID you want redirect to does not exist",
    });
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "REDIRECT", "1x"), {
      error: "ERR value is not an integer or out of range",
    });
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "REDIRECT", other.s.id, "REDIRECT", other.s.id), {
      error: "ERR A client can only redirect to a single other client",
    });
  });
});

describe("CLIENT TRACKING BCAST", () => {
  it("announces every modified key under the prefixes, once per batch, in byte order", () => {
    const t = makeEngine();
    const c = tracker(t, "BCAST", "PREFIX", "user:", "PREFIX", "obj:");
    t.engine.beginBatch();
    t.exec("SET", "user:2", "x");
    t.exec("SET", "user:1", "x");
    t.exec("SET", "misc", "x");
    t.exec("SET", "obj:9", "x");
    assert.deepEqual(c.pushed, [], "sent at the end of the batch");
    t.engine.endBatch();
    assert.deepEqual(c.take().sort(), [["invalidate", ["obj:9"]], ["invalidate", ["user:1", "user:2"]]]);
  });

  it("announces every key without a prefix", () => {
    const t = makeEngine();
    const c = tracker(t, "BCAST");
    t.exec("SET", "anything", "x");
    assert.deepEqual(c.take(), [["invalidate", ["anything"]]]);
  });

  it("leaves out the client's own writes with NOLOOP", () => {
    const t = makeEngine();
    const c = tracker(t, "BCAST", "NOLOOP");
    t.engine.beginBatch();
    c.exec("SET", "mine", "x");
    t.exec("SET", "theirs", "x");
    t.engine.endBatch();
    assert.deepEqual(c.take(), [["invalidate", ["theirs"]]]);
  });

  it("rejects overlapping prefixes with Valkey's errors", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"), {
      error:
        "ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.",
    });
    t.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b");
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "bc"), {
      error: "ERR Prefix 'bc' overlaps with an existing prefix 'b'. Prefixes for a single client must not overlap.",
    });
    assert.equal(t.exec("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "c"), "OK");
    assert.deepEqual(t.exec("CLIENT", "TRACKINGINFO"), ["flags", ["on", "bcast"], "redirect", 0, "prefixes", [
      "a",
      "b",
      "c",
    ]]);
  });

  it("counts prefixes in INFO stats", () => {
    const t = makeEngine();
    tracker(t, "BCAST", "PREFIX", "a", "PREFIX", "b");
    tracker(t, "BCAST", "PREFIX", "a");
    assert.match(String(t.exec("INFO", "stats")), /tracking_total_prefixes:2\r\n/);
  });
});

describe("CLIENT TRACKING OPTIN / OPTOUT and CLIENT CACHING", () => {
  it("OPTIN tracks only the command after CLIENT CACHING yes", () => {
    const t = makeEngine();
    const c = tracker(t, "OPTIN");
    c.exec("GET", "a");
    c.exec("CLIENT", "CACHING", "yes");
    c.exec("GET", "b");
    c.exec("GET", "c");
    t.exec("MSET", "a", 1, "b", 1, "c", 1);
    assert.deepEqual(c.take(), [["invalidate", ["b"]]]);
  });

  it("OPTOUT tracks everything but the command after CLIENT CACHING no", () => {
    const t = makeEngine();
    const c = tracker(t, "OPTOUT");
    c.exec("GET", "a");
    c.exec("CLIENT", "CACHING", "no");
    c.exec("GET", "b");
    c.exec("GET", "c");
    t.exec("MSET", "a", 1, "b", 1, "c", 1);
    assert.deepEqual(c.take(), [["invalidate", ["a"]], ["invalidate", ["c"]]]);
  });

  it("keeps CLIENT CACHING across other CLIENT subcommands and a whole transaction", () => {
    const t = makeEngine();
    const c = tracker(t, "OPTIN");
    c.exec("CLIENT", "CACHING", "yes");
    c.exec("CLIENT", "ID");
    assert.deepEqual(c.exec("CLIENT", "TRACKINGINFO"), [
      "flags",
      ["on", "optin", "caching-yes"],
      "redirect",
      0,
      "prefixes",
      [],
    ]);
    c.exec("MULTI");
    c.exec("GET", "x");
    c.exec("GET", "y");
    c.exec("EXEC");
    c.exec("GET", "z");
    t.exec("MSET", "x", 1, "y", 1, "z", 1);
    assert.deepEqual(c.take(), [["invalidate", ["x"]], ["invalidate", ["y"]]]);
  });

  it("rejects CLIENT CACHING outside the matching mode", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "CACHING", "yes"), {
      error:
        "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
    });
    t.exec("CLIENT", "TRACKING", "on", "OPTIN");
    assert.deepEqual(t.exec("CLIENT", "CACHING", "no"), {
      error: "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
    });
    assert.deepEqual(t.exec("CLIENT", "CACHING", "maybe"), { error: "ERR syntax error" });
    t.exec("CLIENT", "TRACKING", "off");
    t.exec("CLIENT", "TRACKING", "on");
    assert.deepEqual(t.exec("CLIENT", "CACHING", "yes"), {
      error: "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
    });
  });
});

describe("CLIENT TRACKING option errors", () => {
  it("answers Valkey's errors for incompatible options", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "PREFIX", "a"), {
      error: "ERR PREFIX option requires BCAST mode to be enabled",
    });
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"), {
      error: "ERR You can't specify both OPTIN mode and OPTOUT mode",
    });
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"), {
      error: "ERR OPTIN and OPTOUT are not compatible with BCAST",
    });
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "maybe"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "foo"), { error: "ERR syntax error" });
    t.exec("CLIENT", "TRACKING", "on");
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "BCAST"), {
      error:
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    });
    t.exec("CLIENT", "TRACKING", "on", "OPTIN");
    assert.deepEqual(t.exec("CLIENT", "TRACKING", "on", "OPTOUT"), {
      error:
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    });
  });
});

describe("CLIENT GETREDIR / TRACKINGINFO", () => {
  it("answer -1 and off while tracking is off", () => {
    const t = makeEngine();
    assert.equal(t.exec("CLIENT", "GETREDIR"), -1);
    assert.deepEqual(t.exec("CLIENT", "TRACKINGINFO"), ["flags", ["off"], "redirect", -1, "prefixes", []]);
    t.exec("CLIENT", "TRACKING", "on", "NOLOOP");
    assert.equal(t.exec("CLIENT", "GETREDIR"), 0);
    assert.deepEqual(t.exec("CLIENT", "TRACKINGINFO"), ["flags", ["on", "noloop"], "redirect", 0, "prefixes", []]);
  });

  it("answer TRACKINGINFO as a map with a set of flags in RESP3", () => {
    const t = makeEngine();
    t.exec("HELLO", "3");
    t.exec("CLIENT", "TRACKING", "on");
    const r = t.raw("CLIENT", "TRACKINGINFO");
    assert.equal(r?.t, "map");
    assert.equal(r?.t === "map" ? r.v[0]![1].t : undefined, "set");
  });
});

describe("Client tracking bookkeeping", () => {
  it("reports clients, keys and items in INFO and the t flag in CLIENT LIST", () => {
    const t = makeEngine();
    const a = tracker(t);
    const b = tracker(t);
    a.exec("MGET", "k1", "k2");
    b.exec("GET", "k1");
    assert.match(String(t.exec("INFO", "clients")), /tracking_clients:2\r\n/);
    const stats = String(t.exec("INFO", "stats"));
    assert.match(stats, /tracking_total_keys:2\r\n/);
    assert.match(stats, /tracking_total_items:3\r\n/);
    assert.match(String(a.exec("CLIENT", "INFO")), / flags=t /);
  });

  it("invalidates the oldest keys past tracking-table-max-keys", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "tracking-table-max-keys", 2);
    const c = tracker(t);
    c.exec("GET", "a");
    c.exec("GET", "b");
    c.exec("GET", "c");
    assert.deepEqual(c.take(), [["invalidate", ["a"]]]);
    assert.equal(t.engine.tracking.totalKeys, 2);
  });

  it("is turned off by RESET and by disconnecting", () => {
    const t = makeEngine();
    const c = tracker(t, "BCAST", "PREFIX", "p");
    c.exec("RESET");
    assert.equal(c.s.tracking, false);
    const d = tracker(t, "BCAST", "PREFIX", "p");
    t.engine.closeSession(d.s);
    assert.equal(t.engine.tracking.clientCount, 0);
    assert.equal(t.engine.tracking.totalPrefixes, 0);
  });
});
