/**
 * The command context: one per session, kept on the session itself (an HTTP request is a
 * session of its own, so a per-engine table of contexts would cost an entry per request).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";
import type { CommandContext } from "../../src/engine/context.ts";
import { cmd } from "../../src/commands/spec.ts";
import { bulk } from "../../src/protocol/reply.ts";

describe("CommandContext", () => {
  it("is made on a session's first command, kept on the session and reused", () => {
    const seen: CommandContext[] = [];
    const probe = cmd("ctxprobe", "server", 1, "fast", "", [], "1.0.0", (ctx) => {
      seen.push(ctx);
      return bulk(String(ctx.session.id));
    });
    const t = makeEngine({ commands: [probe] });
    const other = t.engine.openSession();
    assert.equal(other.context, undefined, "no context before the first command");
    t.exec("CTXPROBE");
    t.execOn(other, "CTXPROBE");
    t.exec("SET", "k", "v");
    t.exec("CTXPROBE");
    assert.equal(seen.length, 3);
    assert.equal(seen[0], t.session.context);
    assert.equal(seen[1], other.context);
    assert.equal(seen[2], seen[0], "the same context serves every command of a session");
    assert.notEqual(seen[0], seen[1]);
    assert.equal(seen[1]!.session, other);
    assert.equal(seen[0]!.engine, t.engine);
  });

  it("follows SELECT: the database is refreshed before each command", () => {
    const t = makeEngine();
    t.exec("SET", "k", "zero");
    t.exec("SELECT", 2);
    t.exec("SET", "k", "two");
    assert.equal(t.session.context!.db, t.engine.dbs[2]);
    t.exec("SELECT", 0);
    assert.equal(t.exec("GET", "k"), "zero");
    assert.equal(t.session.context!.db, t.engine.dbs[0]);
  });
});
