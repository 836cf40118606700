/**
 * CLIENT PAUSE / CLIENT UNPAUSE, as Valkey's pause actions:
 *
 * - `ALL` holds every command of every client; `WRITE` holds commands flagged `write` or
 *   `may_replicate` (and an EXEC whose queued commands are), letting reads through.
 * - Held commands are not rejected: the client waits, and its command (then the rest of its
 *   pipeline) runs when the pause ends, in arrival order across clients.
 * - Both modes stop expiry: keys past their time read as missing but are not deleted, and the
 *   active expiry cycle skips, so the dataset stays static.
 * - A new pause keeps the later end time of the two, and ALL stays ALL until the pause ends.
 * - Commands inside a transaction or script already running are never held (a pause issued
 *   inside MULTI starts once EXEC is over). MONITOR clients are never paused.
 *
 * @module
 */
import type { Deliver } from "./blocking.ts";
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";
import type { TimerHandle } from "../runtime/clock.ts";

/** What a pause holds. */
export type PauseMode = "write" | "all";

/** A command held until the pause ends. */
interface Postponed {
  readonly session: Session;
  readonly argv: readonly string[];
  readonly deliver: Deliver;
}

// Timers cannot wait longer than a signed 32-bit number of milliseconds; a longer pause is
// re-armed when that fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The client pause state of one engine. */
export class ClientPause {
  readonly #engine: Engine;
  /** The current mode, or undefined when nothing is paused (a field: read for every command). */
  mode: PauseMode | undefined;
  /** Held commands can run: {@link ClientPause.resume} has work (read for every command). */
  resumePending = false;
  #end = 0;
  #timer: TimerHandle | undefined;
  #held: Postponed[] = [];
  // Sessions whose held command can run: the pause ended while another command was running.
  #resumable: Postponed[] = [];

  /** @param engine the engine */
  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Milliseconds left in the pause (INFO `paused_timeout_milliseconds`). */
  remainingMs(now: number): number {
    return this.mode === undefined ? 0 : Math.max(0, this.#end - now);
  }

  /** Clients whose command is held (they count as blocked clients, as in Valkey). */
  get heldCount(): number {
    return this.#held.length;
  }

  /** Whether a session's command is held. */
  isHeld(s: Session): boolean {
    return this.#held.some((p) => p.session === s) || this.#resumable.some((p) => p.session === s);
  }

  /**
   * Pauses clients until `end` (Unix ms). A pause already running with a later end keeps it.
   * Issued inside EXEC, it starts once the transaction is over: nested commands are never held.
   */
  pause(mode: PauseMode, end: number): void {
    // The more restrictive ALL stays in force when a WRITE pause comes on top of it.
    if (this.mode !== "all") this.mode = mode;
    if (end > this.#end) this.#end = end;
    for (const db of this.#engine.dbs) db.expirePaused = true;
    this.#engine.regate();
    this.#arm();
  }

  #arm(): void {
    this.#timer?.cancel();
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, this.#end - this.#engine.now()));
    this.#timer = this.#engine.scheduler.after(wait, () => {
      this.#timer = undefined;
      if (this.mode === undefined) return;
      if (this.#engine.now() >= this.#end) {
        this.unpause();
        this.resume();
      } else {
        this.#arm();
      }
    });
  }

  /** Ends the pause (CLIENT UNPAUSE, or its time ran out); held commands become runnable. */
  unpause(): void {
    if (this.mode === undefined) return;
    this.mode = undefined;
    this.#end = 0;
    this.#timer?.cancel();
    this.#timer = undefined;
    for (const db of this.#engine.dbs) db.expirePaused = false;
    this.#engine.regate();
    this.#resumable.push(...this.#held);
    this.#held = [];
    this.resumePending = this.#resumable.length > 0;
  }

  /**
   * Whether a command must wait now. Checked by the dispatcher after the rejection checks.
   * @param mayReplicate the command, or the transaction EXEC would run, writes or may replicate
   */
  holds(s: Session, mayReplicate: boolean): boolean {
    if (this.mode === undefined || s.monitor) return false;
    // The timer may run late (a busy event loop): the end time is what counts.
    if (this.#engine.now() >= this.#end) {
      this.unpause();
      return false;
    }
    return this.mode === "all" || mayReplicate;
  }

  /** Holds a command; `deliver` later receives its reply. */
  hold(s: Session, argv: readonly string[], deliver: Deliver): void {
    this.#held.push({ session: s, argv, deliver });
  }

  /**
   * Runs the commands released by the end of the pause, in arrival order (Valkey runs them
   * after the command that unpaused, before the next event). A command may be held again by
   * a new pause, or block.
   */
  resume(): void {
    while (this.#resumable.length > 0) {
      const batch = this.#resumable;
      this.#resumable = [];
      this.resumePending = false;
      for (const p of batch) {
        if (!this.#engine.clients.has(p.session.id)) continue;
        const r = this.#engine.dispatch(p.session, p.argv, p.deliver);
        // Held again or parked: `deliver` answers later; served within dispatch: already sent.
        if (r !== undefined && r.t !== "blocked") p.deliver(r);
      }
    }
  }

  /** Forgets the held command of a session that disconnected. */
  cancel(s: Session): void {
    if (this.#held.length > 0) this.#held = this.#held.filter((p) => p.session !== s);
    if (this.#resumable.length > 0) {
      this.#resumable = this.#resumable.filter((p) => p.session !== s);
      this.resumePending = this.#resumable.length > 0;
    }
  }
}
