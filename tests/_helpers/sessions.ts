/**
 * Engine-level clients for tests of out-of-band traffic (Pub/Sub, invalidations, MONITOR,
 * CLIENT PAUSE): a session whose pushes are collected, and which can wait for replies the way
 * a connection does.
 *
 * @module
 */
import type { TestEngine } from "./engine.ts";
import { type Plain, plain } from "./engine.ts";
import type { Session, SessionOptions } from "../../src/engine/session.ts";
import type { Reply } from "../../src/protocol/reply.ts";

/** A test client: its session, what was pushed to it, and ways to run commands. */
export interface TestClient {
  readonly s: Session;
  /** Pushed replies, as plain values, in arrival order. */
  readonly pushed: Plain[];
  /** Pushed replies as sent (to check RESP3 push types). */
  readonly pushedRaw: Reply[];
  /** Runs a command; out-of-band replies caused by it arrive after it, as on a connection. */
  exec(...argv: (string | number)[]): Plain;
  /** Runs a command and returns the raw reply. */
  raw(...argv: (string | number)[]): Reply | undefined;
  /**
   * Sends a command the way a connection does (it may wait: blocking commands, CLIENT PAUSE).
   * @returns the replies received so far for it (empty while it waits)
   */
  send(...argv: (string | number)[]): Plain[];
  /** Replies to {@link TestClient.send} commands that arrived later. */
  readonly delivered: Plain[];
  /** Takes and clears the pushed replies. */
  take(): Plain[];
}

/** Opens a session on the test engine whose pushes are collected. */
export function openClient(t: TestEngine, opts: SessionOptions = {}): TestClient {
  const s = t.engine.openSession(opts);
  const pushed: Plain[] = [];
  const pushedRaw: Reply[] = [];
  const delivered: Plain[] = [];
  s.push = (r) => {
    pushed.push(plain(r));
    pushedRaw.push(r);
  };
  const raw = (...argv: (string | number)[]): Reply | undefined => {
    const r = t.engine.dispatch(s, argv.map(String));
    const out = r?.t === "blocked" ? r.nowaitReply ?? r.timeoutReply : r;
    t.engine.afterReply(s);
    return out;
  };
  return {
    s,
    pushed,
    pushedRaw,
    delivered,
    raw,
    exec: (...argv) => plain(raw(...argv)),
    send: (...argv) => {
      const now: Plain[] = [];
      const r = t.engine.dispatch(s, argv.map(String), (late) => {
        delivered.push(plain(late));
        t.engine.afterReply(s);
      });
      if (r !== undefined && r.t !== "blocked") {
        now.push(plain(r));
        t.engine.afterReply(s);
      }
      return now;
    },
    take: () => {
      const out = pushed.splice(0);
      pushedRaw.splice(0);
      return out;
    },
  };
}
