/**
 * MONITOR: every command executed is echoed to the monitoring clients as one status line, in
 * Valkey's format:
 *
 *     +1700000000.123456 [0 127.0.0.1:50712] "SET" "key" "v\n"
 *
 * - The time is the wall clock in microseconds; the bracket holds the database the command
 *   left selected and the client (`unix:<socket>` for Unix sockets, `lua` for script calls).
 * - Arguments are quoted with Valkey's `sdscatrepr` escapes.
 * - Commands are echoed after they ran, errors included; commands rejected before running
 *   (unknown, wrong arity, ...) and `admin` / `skip_monitor` commands are not.
 * - Secrets are redacted by the handlers that read them (AUTH, HELLO ... AUTH): those arguments
 *   show as "(redacted)".
 *
 * @module
 */
import { simple } from "../protocol/reply.ts";
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";

const REDACTED = "(redacted)";

/** `argv` with the arguments at `positions` replaced by `(redacted)`. */
export function redactArgs(argv: readonly string[], positions: readonly number[]): string[] {
  return argv.map((a, i) => positions.includes(i) ? REDACTED : a);
}

/** Valkey's `sdscatrepr`: a double-quoted, escaped rendering of a byte string. */
export function reprArg(arg: string): string {
  let out = '"';
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += "\\\\";
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? arg[i] : "\\x" + c.toString(16).padStart(2, "0");
    }
  }
  return out + '"';
}

/** The MONITOR clients of one engine. */
export class Monitor {
  readonly #engine: Engine;
  readonly #sessions = new Set<Session>();

  /** @param engine the engine */
  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Number of monitoring clients (0 keeps the command path free of any MONITOR work). */
  count = 0;

  /** Adds a monitoring client. @returns false when it already was one */
  add(s: Session): boolean {
    if (this.#sessions.has(s)) return false;
    this.#sessions.add(s);
    s.monitor = true;
    this.count = this.#sessions.size;
    this.#engine.regate();
    return true;
  }

  /** Removes a monitoring client (RESET, disconnect). */
  remove(s: Session): void {
    if (this.#sessions.delete(s)) {
      s.monitor = false;
      this.count = this.#sessions.size;
      this.#engine.regate();
    }
  }

  /**
   * Echoes one executed command to every monitor.
   * @param argv the arguments, secrets already replaced (see {@link redactArgs})
   * @param dbId the database selected after the command
   * @param fromScript the command was called by a script (`[db lua]`)
   */
  feed(s: Session, argv: readonly string[], dbId: number, fromScript = false): void {
    if (this.#sessions.size === 0) return;
    const us = this.#engine.nowUs();
    const sec = Math.floor(us / 1_000_000);
    const usec = String(us % 1_000_000).padStart(6, "0");
    let who: string;
    if (fromScript) who = "lua";
    else if (s.unix) who = `unix:${this.#engine.config.get("unixsocket")}`;
    else who = s.addr;
    let line = `${sec}.${usec} [${dbId} ${who}]`;
    for (let i = 0; i < argv.length; i++) {
      line += " " + reprArg(argv[i]!);
    }
    const msg = simple(line);
    const current = this.#engine.currentSession;
    for (const m of this.#sessions) {
      // A monitor's own command is echoed after its reply, as Valkey appends it afterwards.
      if (m === current) this.#engine.pushAfterReply(m, msg);
      else m.push?.(msg);
    }
  }
}
