/**
 * What a handler sees while it runs: the engine, the calling session, the selected database
 * and the command's fixed time. One context per session is reused across commands.
 *
 * @module
 */
import type { Db } from "../keyspace/db.ts";
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";
import type { Command } from "../commands/spec.ts";

/** The handler's view of one command execution. */
export class CommandContext {
  /** The engine. */
  readonly engine: Engine;
  /** The calling session. */
  readonly session: Session;
  /** The selected database (refreshed before each command). */
  db!: Db;
  /** The command's time in Unix ms, read once so a command (or MULTI/script) sees one time. */
  now = 0;
  /** The running command. */
  command!: Command;
  /**
   * True while a Lua script or function of this session runs: handlers that behave differently
   * for scripts (SORT forcing ALPHA on sets, XREAD refusing BLOCK) read it.
   */
  inScript = false;
  /**
   * True while the command runs inside EXEC or a script rather than on its own (Valkey's
   * CLIENT_DENY_BLOCKING): it can neither block nor take the connection over (MONITOR).
   */
  nested = false;

  /**
   * @param engine the engine
   * @param session the session
   */
  constructor(engine: Engine, session: Session) {
    this.engine = engine;
    this.session = session;
  }

  /**
   * Records that `key` in the current database was modified: counts a dirty change and lets
   * WATCH, client tracking, keyspace notifications and secondary indexes follow it.
   * @param event the keyspace event name (`set`, `del`, `expire`, ...)
   */
  touched(key: string, event: string): void {
    this.engine.keyModified(this.db, key, event, this.session);
  }

  /**
   * Reports a further keyspace event for a key already counted by {@link CommandContext.touched}
   * in this command (SET ... EX fires `set` then `expire` but is one change to Valkey's dirty
   * counter).
   */
  notify(key: string, event: string): void {
    this.engine.keyModified(this.db, key, event, this.session, false);
  }

  /** Like {@link CommandContext.touched} for a database other than the selected one. */
  touchedIn(db: Db, key: string, event: string): void {
    this.engine.keyModified(db, key, event, this.session);
  }
}
