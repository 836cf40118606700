import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, plain } from "../_helpers/engine.ts";

/** A test engine with a second client whose replies (immediate or delivered later) are recorded. */
function waiter() {
  const t = makeEngine();
  const got: unknown[] = [];
  const s = t.engine.openSession();
  const send = (...argv: string[]) => {
    const r = t.engine.dispatch(s, argv, (reply) => got.push(plain(reply)));
    if (r !== undefined && r.t !== "blocked") got.push(plain(r));
    return r;
  };
  return { t, got, send, session: s };
}

describe("WAIT (a primary without replicas)", () => {
  it("answers 0 at once when no acknowledgement is asked for", () => {
    const t = makeEngine();
    assert.equal(t.exec("WAIT", "0", "0"), 0);
    assert.equal(t.exec("WAIT", "-1", "1000"), 0);
  });

  it("waits out the timeout for a replica that never comes, then answers 0", () => {
    const { t, got, send } = waiter();
    assert.equal(send("WAIT", "1", "100")?.t, "blocked");
    t.advance(99);
    assert.deepEqual(got, []);
    t.advance(1);
    assert.deepEqual(got, [0]);
  });

  it("waits forever with timeout 0 until CLIENT UNBLOCK", () => {
    const { t, got, send, session } = waiter();
    send("SET", "k", "v");
    send("WAIT", "2", "0");
    t.advance(60_000);
    assert.deepEqual(got, ["OK"]);
    assert.equal(t.exec("CLIENT", "UNBLOCK", String(session.id)), 1);
    assert.deepEqual(got, ["OK", 0]);
  });

  it("answers at once inside MULTI", () => {
    const t = makeEngine();
    t.exec("MULTI");
    assert.equal(t.exec("WAIT", "1", "0"), "QUEUED");
    assert.deepEqual(t.exec("EXEC"), [0]);
  });

  it("checks numreplicas, then the timeout, with Valkey's texts", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("WAIT", "x", "-1"), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("WAIT", "0", "-1"), { error: "ERR timeout is negative" });
    assert.deepEqual(t.exec("WAIT", "0", "1.5"), { error: "ERR timeout is not an integer or out of range" });
    assert.deepEqual(t.exec("WAIT", "0", "9223372036854775807"), { error: "ERR timeout is out of range" });
    assert.deepEqual(t.exec("WAIT", "1"), { error: "ERR wrong number of arguments for 'wait' command" });
  });
});

describe("WAITAOF (no append-only file, no replicas)", () => {
  it("answers [0, 0] at once when nothing is asked for", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("WAITAOF", "0", "0", "0"), [0, 0]);
  });

  it("waits out the timeout when replicas are asked for", () => {
    const { t, got, send } = waiter();
    assert.equal(send("WAITAOF", "0", "1", "50")?.t, "blocked");
    t.advance(50);
    assert.deepEqual(got, [[0, 0]]);
  });

  it("refuses a local fsync: appendonly is off", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("WAITAOF", "1", "0", "0"), {
      error: "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.",
    });
  });

  it("reads every argument before looking at the server, with Valkey's texts", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("WAITAOF", "1", "0", "-5"), { error: "ERR timeout is negative" });
    assert.deepEqual(t.exec("WAITAOF", "abc", "0", "0"), { error: "ERR value is not an integer or out of range" });
    assert.deepEqual(t.exec("WAITAOF", "2", "0", "0"), {
      error: "ERR value is out of range, value must between 0 and 1",
    });
    assert.deepEqual(t.exec("WAITAOF", "-1", "0", "0"), {
      error: "ERR value is out of range, value must between 0 and 1",
    });
    assert.deepEqual(t.exec("WAITAOF", "0", "-1", "0"), { error: "ERR value is out of range, must be positive" });
    assert.deepEqual(t.exec("WAITAOF", "1", "abc", "100"), { error: "ERR value is out of range, must be positive" });
    assert.deepEqual(t.exec("WAITAOF", "0", "0", "abc"), { error: "ERR timeout is not an integer or out of range" });
  });
});
