/**
 * The slow log: the latest `slowlog-max-len` commands whose run took at least
 * `slowlog-log-slower-than` microseconds (negative: off; 0: every command), as Valkey keeps it.
 *
 * - An entry is `[id, unix time (s), duration (µs), args, client addr, client name]`; ids grow
 *   from 0 for the server's life (SLOWLOG RESET keeps the counter).
 * - At most 32 arguments are kept: the 32nd becomes `... (N more arguments)`. An argument longer
 *   than 128 bytes keeps its first 128 followed by `... (N more bytes)`.
 * - Secrets are shown as `(redacted)` (AUTH, HELLO ... AUTH), commands flagged `skip_slowlog`
 *   (EXEC) are never logged, commands run by a script are logged with the client `?:0`.
 * - A blocked command is logged when it is answered.
 *
 * @module
 */

const MAX_ARGS = 32;
const MAX_STRING = 128;

/** One slow log entry. */
export interface SlowLogEntry {
  readonly id: number;
  /** Unix time in seconds when it was logged. */
  readonly time: number;
  /** Run time in microseconds. */
  readonly durationUs: number;
  readonly args: readonly string[];
  /** `ip:port` of the client (`?:0` for a script's commands). */
  readonly peer: string;
  /** CLIENT SETNAME name, or "". */
  readonly name: string;
}

/** The arguments as the slow log keeps them (see the module doc). */
export function slowLogArgs(argv: readonly string[]): string[] {
  const n = Math.min(argv.length, MAX_ARGS);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (n !== argv.length && i === n - 1) {
      out[i] = `... (${argv.length - n + 1} more arguments)`;
      break;
    }
    const a = argv[i]!;
    out[i] = a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a;
  }
  return out;
}

/** The entries of one engine, newest last. */
export class SlowLog {
  readonly #entries: SlowLogEntry[] = [];
  #nextId = 0;

  /** Number of entries. */
  get length(): number {
    return this.#entries.length;
  }

  /** Adds an entry, then drops the oldest beyond `maxLen`. */
  push(entry: Omit<SlowLogEntry, "id">, maxLen: number): void {
    this.#entries.push({ id: this.#nextId++, ...entry });
    this.trim(maxLen);
  }

  /** Drops the oldest entries beyond `maxLen`. */
  trim(maxLen: number): void {
    const extra = this.#entries.length - maxLen;
    if (extra > 0) this.#entries.splice(0, extra);
  }

  /** The newest `count` entries (all of them when `count` is larger), newest first. */
  newest(count: number): SlowLogEntry[] {
    const out: SlowLogEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0 && out.length < count; i--) out.push(this.#entries[i]!);
    return out;
  }

  /** Removes every entry (ids keep growing). */
  reset(): void {
    this.#entries.length = 0;
  }
}
