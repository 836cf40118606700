/**
 * `maxmemory`: the memory limit and key eviction, after Valkey's `evict.c` and the OOM rule of
 * `processCommand`.
 *
 * ## When
 * While `maxmemory` is set, the dispatcher asks {@link Evictor.beforeCommand} before every
 * command (after the arity, auth and MULTI checks, as Valkey does): over the limit, keys are
 * evicted by `maxmemory-policy`; if memory cannot be brought under the limit, a `denyoom`
 * command (or an EXEC whose queue holds one, or EVAL/FCALL of a script that declares flags
 * without `allow-oom` or `no-writes`), and any command queued inside MULTI except EXEC,
 * DISCARD, QUIT and RESET, is refused with `-OOM command not allowed when used memory >
 * 'maxmemory'.`. Reads still run. The state at the start of the command is kept for scripts
 * (Valkey's `pre_command_oom_state`): `redis.call` of a `denyoom` command from a script that
 * has not written yet is refused too. Eviction also runs when CONFIG SET lowers `maxmemory`
 * and from the cron, and continues in timer slices when one pass hits the time limit set by
 * `maxmemory-eviction-tenacity`. It never runs while clients are paused (CLIENT PAUSE WRITE or
 * ALL) or while a busy script has yielded. With `maxmemory` 0 the dispatcher reads one field.
 *
 * ## What "used memory" is
 * Valkey compares `used_memory`, exact from its allocator, with `maxmemory`. Kite's
 * `used_memory` is the runtime's heap in use plus memory held outside it
 * (`ProcessInfo.memory().used`), and that figure has two flaws a check before every command
 * has to live with:
 * - reading it costs about 1 µs on V8 and 7 µs on Bun, too much for every command;
 * - it counts garbage until the collector runs, so after keys are deleted it stays high.
 *
 * So the check works on an estimate: the last reading (a sample), plus the bytes of the
 * arguments of `denyoom` commands run since (each argument counted with a fixed per-string
 * overhead), minus the estimated size of the keys evicted since (see
 * `src/keyspace/object_size.ts`). A new sample is taken by the cron, and by a command once
 * enough bytes were written since the last one (1/64 of `maxmemory`, between 16 KB and 1 MB).
 * A reading over the limit may be garbage rather than data: when the runtime offers a
 * synchronous collector (`ProcessInfo.collectGarbageNow`: Bun.gc, or V8's gc), a full
 * collection runs first and the reading after it is used. Collections are rationed to about
 * 5% of the time (a collection that took `d` waits `20 d` before the next); in between, a
 * reading over the limit is not believed and the running estimate stands. Without a collector
 * every reading is believed, garbage included.
 *
 * `lazyfree-lazy-eviction yes` (the default) makes a pass re-read the heap every 16 evicted
 * keys and stop once the reading is under the limit, as Valkey does while its lazy-free
 * thread releases evicted values in the background (the collector's concurrent sweeping plays
 * that part here); with `no` a pass stops on the estimate alone.
 *
 * ## Which keys
 * The `*-lru`, `*-lfu` and `volatile-ttl` policies keep Valkey's eviction pool: each round
 * samples `maxmemory-samples` keys per database (at random from the key table, or from the
 * volatile keys), merges them into 16 best candidates kept across calls, and evicts the best
 * one still present. The random policies take one random key per round, visiting the
 * databases in turn. Sampling is O(samples) (see `Db.sampleKeys` and `Db.sampleVolatile`).
 * An evicted key is deleted through the engine's normal modification path: WATCH, client
 * tracking, blocked clients and search indexes follow it, the `evicted` keyspace event (class
 * `e`) fires and INFO `evicted_keys` counts it. Like Valkey, eviction does not count as a
 * change for `rdb_changes_since_last_save`.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";
import type { Command } from "../commands/spec.ts";
import { type Db, lfuDecrAndReturn, lruIdleSeconds } from "../keyspace/db.ts";
import { estimateEntryBytes } from "../keyspace/object_size.ts";
import { error, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";
import { scriptDenyOom } from "../scripting/scripting.ts";
import type { TimerHandle } from "../runtime/clock.ts";

/** Outcome of one eviction attempt (Valkey's `EVICT_OK`, `EVICT_RUNNING`, `EVICT_FAIL`). */
export type EvictResult = "ok" | "running" | "fail";

/** Candidates kept across eviction rounds (Valkey's `EVPOOL_SIZE`). */
const POOL_SIZE = 16;
/** Estimated heap cost of one stored argument beyond its bytes (a JS string and its slot). */
const ARG_OVERHEAD = 48;
/** Forced collections may take 1/20 of the time: one that took `d` waits `20 d`. */
const GC_COOLDOWN_FACTOR = 20;
const OOM_REPLY = error(E.OOM);

/** One eviction candidate: a higher score is a better victim. */
interface Candidate {
  score: number;
  key: string;
  db: Db;
}

type Policy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl";

/**
 * Valkey's `evictionTimeLimitUs`: tenacity 0..10 grows linearly to 500 µs, then by 15% a step
 * up to about two minutes at 99; 100 means no limit.
 */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Number.POSITIVE_INFINITY;
}

/** The maxmemory state and eviction of one engine (see the module doc). */
export class Evictor {
  /**
   * `maxmemory` in bytes, 0 for no limit. Read by the dispatcher for every command: nothing
   * else about eviction costs anything while it is 0.
   */
  limit = 0;
  /**
   * Whether memory was over the limit (and could not be freed) when the running top-level
   * command started: Valkey's `pre_command_oom_state`, which scripts consult.
   */
  preCommandOom = false;
  /** Keys evicted (INFO `evicted_keys`). */
  evictedKeys = 0;
  /** Forced garbage collections run to check the memory (not shown by INFO). */
  collections = 0;
  readonly #engine: Engine;
  #policy: Policy = "noeviction";
  #samples = 5;
  #timeLimitUs = 500;
  #lazy = true;
  // The estimate: #base (a reading) + #grown (argument bytes since) - #freed (evicted since).
  #base = 0;
  #grown = 0;
  #freed = 0;
  #sampleEvery = 16 * 1024;
  // Argument bytes since the last scheduled sample (whether or not it was adopted).
  #sinceSample = 0;
  // Whether the estimate was checked against a reading while over the limit since the last
  // scheduled sample (so a run of commands at the limit reads the heap once, not once each).
  #checked = false;
  // The engine's dirty counter at the last reading: a command that is about to be refused
  // gets a new reading if the keyspace changed since (a DEL may have made room).
  #readDirty = -1;
  // Monotonic µs before which no forced collection runs (the collection budget).
  #gcNotBefore = 0;
  readonly #pool: Candidate[] = [];
  #nextDb = 0;
  #procRunning = false;
  #procTimer: TimerHandle | undefined;
  #exceeding = false;
  #exceededSinceUs = 0;
  #totalExceededUs = 0;
  // Commands with rules of their own, resolved once (Valkey compares command procs).
  readonly #exec: Command | undefined;
  readonly #multiExempt = new Set<Command>();
  readonly #scriptKinds = new Map<Command, "eval" | "evalsha" | "fcall">();

  /** @param engine the engine whose keys are evicted */
  constructor(engine: Engine) {
    this.#engine = engine;
    const reg = engine.registry;
    this.#exec = reg.get("exec");
    for (const name of ["exec", "discard", "quit", "reset"]) {
      const c = reg.get(name);
      if (c !== undefined) this.#multiExempt.add(c);
    }
    const kinds = [
      ["eval", "eval"],
      ["eval_ro", "eval"],
      ["evalsha", "evalsha"],
      ["evalsha_ro", "evalsha"],
      ["fcall", "fcall"],
      ["fcall_ro", "fcall"],
    ] as const;
    for (const [name, kind] of kinds) {
      const c = reg.get(name);
      if (c !== undefined) this.#scriptKinds.set(c, kind);
    }
    const config = engine.config;
    const read = () => {
      this.#policy = config.get("maxmemory-policy") as Policy;
      this.#samples = config.num("maxmemory-samples");
      this.#timeLimitUs = evictionTimeLimitUs(config.num("maxmemory-eviction-tenacity"));
      this.#lazy = config.bool("lazyfree-lazy-eviction");
    };
    read();
    for (const name of ["maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity"]) {
      config.onChange(name, read);
    }
    config.onChange("lazyfree-lazy-eviction", read);
    this.#setLimit(config.num("maxmemory"), false);
    config.onChange("maxmemory", () => this.#setLimit(config.num("maxmemory"), true));
  }

  // Valkey's updateMaxmemory: warn when the new limit is below the current use, and start
  // evicting in the background.
  #setLimit(bytes: number, changed: boolean): void {
    this.limit = bytes;
    this.#sampleEvery = Math.min(1 << 20, Math.max(16 * 1024, Math.floor(bytes / 64)));
    this.#pool.length = 0;
    if (bytes === 0) {
      this.#stopProc();
      this.preCommandOom = false;
      if (this.#exceeding) this.#updateMetrics("ok");
      return;
    }
    const reading = this.#read();
    if (changed && reading > bytes) {
      this.#engine.log(
        "warning",
        `WARNING: the new maxmemory value set via CONFIG SET (${bytes}) is smaller than the current memory ` +
          `usage (${reading}). This will result in key eviction and/or the inability to accept new write ` +
          `commands depending on the maxmemory-policy.`,
      );
    }
    this.#sinceSample = 0;
    this.#checked = false;
    this.#sample(reading);
    if (changed) this.#startProc();
  }

  /** The estimated memory in use, in bytes (see the module doc). */
  get used(): number {
    return Math.max(0, this.#base + this.#grown - this.#freed);
  }

  /** Milliseconds spent over the limit, in total and in the current stretch (INFO stats). */
  exceededMs(): { total: number; current: number } {
    const current = this.#exceeding ? this.#engine.clock.monotonicUs() - this.#exceededSinceUs : 0;
    return { total: Math.floor((this.#totalExceededUs + current) / 1000), current: Math.floor(current / 1000) };
  }

  /** CONFIG RESETSTAT: zeroes `evicted_keys` and the time spent over the limit. */
  resetStats(): void {
    this.evictedKeys = 0;
    this.#totalExceededUs = 0;
    this.#exceeding = false;
  }

  /**
   * The maxmemory step of the dispatcher, for a top-level command that passed the earlier
   * checks (Valkey's `processCommand`): evicts when over the limit, and returns the OOM error
   * when the command must be refused, else undefined. Call only while {@link Evictor.limit} is
   * set and no busy script has yielded.
   * @param inMulti the session is queueing a transaction (queueing itself uses memory)
   */
  beforeCommand(session: Session, cmd: Command, argv: readonly string[], inMulti: boolean): Reply | undefined {
    const denyoom = this.#denyOom(session, cmd, argv);
    // Like Valkey, the check is on the memory in use before the command stores anything; a
    // command big enough to call for a new reading gets it first (its arguments are already
    // in the heap, as they are in Valkey's query buffer).
    let bytes = 0;
    if (denyoom || inMulti) {
      bytes = argBytes(argv);
      if (this.#sinceSample + bytes >= this.#sampleEvery) this.#scheduledSample();
    }
    const outOfMemory = this.perform() === "fail";
    if (outOfMemory && (denyoom || (inMulti && !this.#multiExempt.has(cmd)))) return OOM_REPLY;
    this.preCommandOom = outOfMemory;
    this.#grown += bytes;
    this.#sinceSample += bytes;
    return undefined;
  }

  /**
   * Counts memory written by a command that did not pass {@link Evictor.beforeCommand} itself
   * (one called by a script): its arguments, as for any `denyoom` command.
   */
  grow(argv: readonly string[]): void {
    const bytes = argBytes(argv);
    this.#grown += bytes;
    this.#sinceSample += bytes;
    if (this.#sinceSample >= this.#sampleEvery) this.#scheduledSample();
  }

  // Valkey's is_denyoom_command, with the script and EXEC rules of getCommandFlags.
  #denyOom(session: Session, cmd: Command, argv: readonly string[]): boolean {
    if (cmd.flags.has("denyoom")) return true;
    if (this.#scriptKinds.size !== 0) {
      const kind = this.#scriptKinds.get(cmd);
      if (kind !== undefined) return scriptDenyOom(this.#engine, argv, kind);
    }
    if (cmd === this.#exec && session.multiQueue !== undefined) {
      for (const q of session.multiQueue) {
        if (q.cmd.flags.has("denyoom")) return true;
        const kind = this.#scriptKinds.get(q.cmd);
        if (kind !== undefined && scriptDenyOom(this.#engine, q.argv, kind)) return true;
      }
    }
    return false;
  }

  /** One background step: a new sample, and eviction in timer slices when over the limit. */
  cron(): void {
    if (this.limit === 0) return;
    this.#scheduledSample();
    if (this.used > this.limit && this.#policy !== "noeviction" && this.#safe()) this.#startProc();
  }

  /**
   * Valkey's `performEvictions`: when the estimate is over the limit, evicts keys until it is
   * under, the policy forbids it (`fail`), nothing is left to evict (`fail`) or the pass's time
   * limit is reached (`running`: a timer continues).
   */
  perform(): EvictResult {
    // Not now (a fake "ok", as Valkey's isSafeToPerformEvictions): paused or inside a yielding script.
    if (!this.#safe()) return "ok";
    let result: EvictResult;
    if (this.used <= this.limit || this.#verify()) {
      result = "ok";
    } else if (this.#policy === "noeviction") {
      result = this.#lastChance() ? "ok" : "fail";
    } else {
      result = this.#evict();
    }
    this.#updateMetrics(result);
    return result;
  }

  // Over the limit by the estimate: checks it once against a fresh reading (after a
  // collection, when one is due) before acting on it. True when the reading shows room.
  #verify(): boolean {
    if (this.#checked) return false;
    this.#sample(this.#read());
    this.#checked = true;
    return this.used <= this.limit;
  }

  // About to refuse a command: a new reading if the keyspace changed since the last one.
  #lastChance(): boolean {
    if (this.#engine.dirty === this.#readDirty) return false;
    this.#sample(this.#read());
    return this.used <= this.limit;
  }

  #evict(): EvictResult {
    const clock = this.#engine.clock;
    const start = clock.monotonicUs();
    let keysFreed = 0;
    while (this.used > this.limit) {
      const victim = this.#pick();
      if (victim === undefined) return this.#cantFree();
      const value = victim.db.evict(victim.key);
      if (value !== undefined) {
        this.#freed += estimateEntryBytes(victim.key, value);
        this.evictedKeys++;
        // Not a dirty change (Valkey leaves rdb_changes_since_last_save alone).
        this.#engine.keyModified(victim.db, victim.key, "evicted", undefined, false);
      }
      keysFreed++;
      if (keysFreed % 16 === 0) {
        if (this.#lazy) {
          const reading = this.#read();
          if (reading <= this.limit) {
            this.#adopt(reading);
            break;
          }
        }
        if (clock.monotonicUs() - start > this.#timeLimitUs) {
          this.#startProc();
          break;
        }
      }
    }
    return this.#procRunning ? "running" : "ok";
  }

  // Nothing left to evict: the excess may still be garbage, which a collection (if one is
  // due) reveals, as Valkey waits briefly for its lazy-free thread before giving up.
  #cantFree(): EvictResult {
    if (this.#lastChance()) return "ok";
    if (this.#collect()) return this.used <= this.limit ? "ok" : "fail";
    return "fail";
  }

  // The next victim by policy, or undefined when no key can be evicted.
  #pick(): Candidate | undefined {
    const engine = this.#engine;
    const dbs = engine.dbs;
    const policy = this.#policy;
    const allkeys = policy.startsWith("allkeys");
    if (policy === "allkeys-random" || policy === "volatile-random") {
      // One random key from the next database that has one, the databases taken in turn.
      let found: Candidate | undefined;
      for (let i = 0; i < dbs.length && found === undefined; i++) {
        this.#nextDb = (this.#nextDb + 1) % dbs.length;
        const db = dbs[this.#nextDb]!;
        const take = (key: string) => found = { score: 0, key, db };
        if (allkeys) db.sampleKeys(1, engine.random, take);
        else db.sampleVolatile(1, engine.random, take);
      }
      return found;
    }
    const pool = this.#pool;
    while (true) {
      let total = 0;
      for (const db of dbs) {
        const n = allkeys ? db.size : db.expires.size;
        if (n === 0) continue;
        total += n;
        this.#populate(db, allkeys);
      }
      if (total === 0) return undefined;
      // The best candidate still present; the others stay for later rounds.
      while (pool.length > 0) {
        const c = pool.pop()!;
        if (allkeys ? c.db.has(c.key) : c.db.expires.has(c.key)) return c;
      }
    }
  }

  // Valkey's evictionPoolPopulate: a higher score is a better victim (idle seconds, inverted
  // frequency, or the nearest expiry).
  #populate(db: Db, allkeys: boolean): void {
    const engine = this.#engine;
    const now = engine.now();
    const policy = this.#policy;
    const lfu = policy.endsWith("-lfu");
    const decay = lfu ? engine.config.num("lfu-decay-time") : 0;
    const score = (word: number) => lfu ? 255 - lfuDecrAndReturn(word, now, decay) : lruIdleSeconds(word, now);
    if (allkeys) {
      db.sampleKeys(this.#samples, engine.random, (key, word) => this.#offer(score(word), key, db));
    } else if (policy === "volatile-ttl") {
      db.sampleVolatile(this.#samples, engine.random, (key, at) => this.#offer(-at, key, db));
    } else {
      db.sampleVolatile(this.#samples, engine.random, (key, _at, word) => this.#offer(score(word), key, db));
    }
  }

  // Inserts a candidate in ascending score order; a full pool drops its worst entry, and a
  // candidate no better than that entry is not taken.
  #offer(score: number, key: string, db: Db): void {
    const pool = this.#pool;
    if (pool.length === POOL_SIZE) {
      if (score <= pool[0]!.score) return;
      pool.shift();
    }
    let i = pool.length;
    while (i > 0 && pool[i - 1]!.score >= score) i--;
    pool.splice(i, 0, { score, key, db });
  }

  // isSafeToPerformEvictions: not while a busy script has yielded, nor while clients are
  // paused (both CLIENT PAUSE modes pause eviction).
  #safe(): boolean {
    const engine = this.#engine;
    if (engine.busyReply !== undefined) return false;
    const pause = engine.pause;
    return pause.mode === undefined || pause.remainingMs(engine.now()) === 0;
  }

  #read(): number {
    const p = this.#engine.process;
    return p.usedMemory !== undefined ? p.usedMemory() : p.memory().used;
  }

  #adopt(reading: number): void {
    this.#base = reading;
    this.#grown = 0;
    this.#freed = 0;
  }

  // A new sample period: the cron, or enough bytes written since the last one.
  #scheduledSample(): void {
    this.#sinceSample = 0;
    this.#checked = false;
    this.#sample(this.#read());
  }

  // Takes `reading` as the new base when it shows room, or when garbage cannot be told from
  // data; over the limit, a collection (when due) decides, and otherwise the running estimate
  // stands unless the reading is lower.
  #sample(reading: number): void {
    this.#readDirty = this.#engine.dirty;
    if (reading <= this.limit) {
      this.#adopt(reading);
      return;
    }
    if (this.#collect()) return;
    if (this.#engine.process.collectGarbageNow === undefined || reading < this.used) this.#adopt(reading);
  }

  // A full collection and a reading after it, when the runtime offers one and the budget
  // allows. @returns whether it ran
  #collect(): boolean {
    const proc = this.#engine.process;
    const gc = proc.collectGarbageNow;
    if (gc === undefined) return false;
    const clock = this.#engine.clock;
    const start = clock.monotonicUs();
    if (start < this.#gcNotBefore) return false;
    gc.call(proc);
    this.collections++;
    const reading = this.#read();
    const end = clock.monotonicUs();
    this.#gcNotBefore = end + (end - start) * GC_COOLDOWN_FACTOR;
    this.#adopt(reading);
    return true;
  }

  // startEvictionTimeProc: continues eviction in timer slices until it is done or stuck.
  #startProc(): void {
    if (this.#procRunning) return;
    this.#procRunning = true;
    this.#scheduleProc();
  }

  #scheduleProc(): void {
    this.#procTimer = this.#engine.scheduler.after(0, () => {
      this.#procTimer = undefined;
      const r = this.perform();
      // Evictions may concern BCAST tracking clients; no command follows to flush them.
      const tracking = this.#engine.tracking;
      if (tracking.pendingBroadcasts) tracking.flushBroadcasts();
      if (r === "running" && this.limit !== 0) this.#scheduleProc();
      else this.#procRunning = false;
    });
  }

  #stopProc(): void {
    this.#procTimer?.cancel();
    this.#procTimer = undefined;
    this.#procRunning = false;
  }

  /** Stops background eviction (engine close). */
  close(): void {
    this.#stopProc();
  }

  // INFO's time over the limit: a stretch starts when eviction cannot finish at once.
  #updateMetrics(result: EvictResult): void {
    if (result !== "ok") {
      if (!this.#exceeding) {
        this.#exceeding = true;
        this.#exceededSinceUs = this.#engine.clock.monotonicUs();
      }
    } else if (this.#exceeding) {
      this.#exceeding = false;
      this.#totalExceededUs += this.#engine.clock.monotonicUs() - this.#exceededSinceUs;
    }
  }
}

// Bytes an argv adds when stored: every argument but the command name, with a string's overhead.
function argBytes(argv: readonly string[]): number {
  let n = 0;
  for (let i = 1; i < argv.length; i++) n += argv[i]!.length + ARG_OVERHEAD;
  return n;
}
