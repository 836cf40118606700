/**
 * The engine: databases, the command table, configuration, clients and statistics, and the
 * dispatcher every front door (RESP, HTTP, in-process) goes through. It touches no runtime
 * globals; time and timers come in as a {@link Clock} and a {@link Scheduler}.
 *
 * @module
 */
import { bindAccessPolicy, Db, type KeyspaceStats, newKeyspaceStats } from "../keyspace/db.ts";
import { Registry } from "../commands/registry.ts";
import type { Blocked, Command, CommandFlag, CommandSpec } from "../commands/spec.ts";
import { BlockingManager, type Deliver } from "./blocking.ts";
import { ALL_COMMANDS } from "../commands/index.ts";
import { Config } from "../config/config.ts";
import { type Clock, type Scheduler, SYSTEM_CLOCK, SYSTEM_SCHEDULER, type TimerHandle } from "../runtime/clock.ts";
import { error, NULL, QUEUED, type Reply, ReplyError } from "../protocol/reply.ts";
import { E, fmt, unknownCommand, unknownSubcommand, wrongArity } from "../protocol/errors.ts";
import { Session, type SessionOptions } from "./session.ts";
import { CommandContext } from "./context.ts";
import { type ProcessInfo, SYSTEM_PROCESS } from "../runtime/process.ts";
import { type ConfigFileIO, SYSTEM_FILES } from "../runtime/files.ts";
import { InstantMetrics } from "../observability/stats.ts";
import { PubSubHub } from "../pubsub/hub.ts";
import { KeyspaceNotifier } from "../keyspace/notify.ts";
import { WatchTable } from "./watch.ts";
import { Tracking } from "./tracking.ts";
import { Monitor, redactArgs } from "./monitor.ts";
import { SlowLog, slowLogArgs } from "./slowlog.ts";
import { LatencyHistogram, LatencyMonitor } from "./latency.ts";
import { ClientPause } from "./pause.ts";
import { Evictor } from "./eviction.ts";
import { OutputBufferLimits } from "./connection.ts";

/** Server-wide counters (INFO stats). */
export interface ServerStats extends KeyspaceStats {
  totalCommandsProcessed: number;
  totalConnectionsReceived: number;
  rejectedConnections: number;
  totalErrorReplies: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** Clients closed by `client-output-buffer-limit` (INFO `client_output_buffer_limit_disconnections`). */
  outputBufferLimitDisconnections: number;
  /** Socket reads and writes of RESP connections (INFO `total_reads_processed`, `total_writes_processed`). */
  readsProcessed: number;
  writesProcessed: number;
  /** Clients closed by `client-query-buffer-limit` (INFO `client_query_buffer_limit_disconnections`). */
  queryBufferLimitDisconnections: number;
  /** Time the active expire cycle ran, in µs (INFO `expire_cycle_cpu_milliseconds`). */
  expireCycleUs: number;
  /** Error prefix (`ERR`, `WRONGTYPE`) -> count (INFO errorstats). */
  errors: Map<string, number>;
  /** Unix ms of the last CONFIG RESETSTAT or start. */
  resetAt: number;
}

/** A listener for key modifications (WATCH, tracking, notifications, indexes). */
export type KeyListener = (db: Db, key: string, event: string, session: Session | undefined) => void;

/** A listener for FLUSHDB/FLUSHALL (`flush`) and SWAPDB (`swapdb`) of a whole database. */
export type DbResetListener = (db: Db, why: "flush" | "swapdb") => void;

/** SHUTDOWN's modifiers, as {@link Engine.shutdown} takes them. */
export interface ShutdownOptions {
  /** SAVE: save the dataset even with no save schedule (Kite cannot: see {@link Engine.shutdown}). */
  readonly save?: boolean;
  /** NOSAVE: do not save, even with a save schedule. */
  readonly nosave?: boolean;
  /** NOW: do not wait for lagging replicas (Kite has none, so it never waits). */
  readonly now?: boolean;
  /** FORCE: exit even when saving fails. */
  readonly force?: boolean;
}

/**
 * What the host does when a shutdown is accepted (SHUTDOWN, or a signal routed through
 * {@link Engine.shutdown}): close listeners and connections, then exit. It is called
 * synchronously inside the command, so it should defer the teardown (the command's client is
 * parked first, as Valkey blocks it until the process exits).
 */
export type ShutdownHandler = (opts: ShutdownOptions) => void;

/**
 * The outcome of {@link Engine.shutdown}: `ok` (the handlers run), `no-handler` (no host owns
 * the engine: it is embedded without a server) or `save-failed` (SAVE without FORCE).
 */
export type ShutdownResult = "ok" | "no-handler" | "save-failed";

/**
 * What dispatch returns for a command CLIENT PAUSE holds: the caller waits for `deliver`, as
 * for a parked blocking command.
 */
const HELD: Blocked = Object.freeze({
  t: "blocked",
  keys: [],
  timeoutMs: 0,
  retry: () => undefined,
  timeoutReply: NULL,
});

// EXEC is held by CLIENT PAUSE WRITE when any queued command has one of these flags.
const MAY_REPLICATE = ["write", "may_replicate"] as const;
// A MONITOR client may not run these (Valkey: "Replica can't interact with the keyspace").
const KEYSPACE_FLAGS = ["write", "readonly", "may_replicate"] as const;

/** Options of {@link Engine}. */
export interface EngineOptions {
  clock?: Clock;
  scheduler?: Scheduler;
  /** Config values to apply at start (config file and CLI), by parameter name. */
  config?: Record<string, string>;
  /** Extra command specs (tests, embedders). */
  commands?: readonly CommandSpec[];
  /** Random source in [0, 1); seedable for tests. */
  random?: () => number;
  /** Logs a line (level, message). Defaults to silence. Lines below `loglevel` are dropped. */
  log?: (level: "debug" | "verbose" | "notice" | "warning", msg: string) => void;
  /** The host process (memory, CPU, DEBUG SLEEP). Defaults to the real one. */
  processInfo?: ProcessInfo;
  /** Path of the config file the values came from (INFO `config_file`, CONFIG REWRITE). */
  configFile?: string;
  /** How CONFIG REWRITE reads and replaces that file. Defaults to the real file system. */
  files?: ConfigFileIO;
}

// Valkey's verbosity order; a line is logged when its level is at least `loglevel`.
const LOG_RANK = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 } as const;

/** Kite's version (defined in a leaf module so commands can read it without importing the engine). */
export { KITE_VERSION } from "../observability/version.ts";

/** The data store engine. Many can coexist in one process. */
export class Engine {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly config: Config;
  readonly registry: Registry;
  readonly random: () => number;
  readonly log: (level: "debug" | "verbose" | "notice" | "warning", msg: string) => void;
  /** The logical databases, indexed by SELECT number. */
  readonly dbs: Db[];
  readonly stats: ServerStats;
  /** Live sessions by client id. */
  readonly clients = new Map<number, Session>();
  /** Unix ms at construction. */
  readonly startedAt: number;
  /** Changes since the last save (INFO persistence `rdb_changes_since_last_save`). */
  dirty = 0;
  /** Unix seconds of the last successful save (LASTSAVE). */
  lastSave: number;
  /** Clients parked in blocking commands. */
  readonly blocking = new BlockingManager();
  /** Whether the active expiry cycle runs (DEBUG SET-ACTIVE-EXPIRE). */
  activeExpireEnabled = true;
  /** The host process (INFO memory/cpu/server, DEBUG SLEEP). */
  readonly process: ProcessInfo;
  /**
   * Memory in use when the constructor finished (Valkey's `used_memory_startup`, MEMORY STATS
   * `startup.allocated`): the runtime, Kite's code and the empty engine.
   */
  readonly startupMemory: number;
  /** 40 random hex characters identifying this engine's run (INFO `run_id`). */
  readonly runId: string;
  /**
   * The replication id (INFO `master_replid`): a primary draws one at start, as Valkey does,
   * whether or not a replica ever connects.
   */
  readonly replId: string;
  /** The config file the engine was started from, if any. */
  readonly configFile: string | undefined;
  /** The file system CONFIG REWRITE uses. */
  readonly files: ConfigFileIO;
  /** Instantaneous ops/sec and network rates, memory peak (INFO stats/memory). */
  readonly metrics = new InstantMetrics();
  /**
   * Set while a script runs past `busy-reply-threshold` (it yields to the event loop between
   * slices): commands without the `allow_busy` flag are rejected with this reply (BUSY).
   */
  busyReply: Reply | undefined;
  /** Pub/Sub channels, patterns and shard channels. */
  readonly pubsub: PubSubHub = new PubSubHub(() => this.regate());
  /**
   * True while some session is subscribed or monitoring, or clients are paused: only then do
   * commands go through the Pub/Sub, MONITOR and CLIENT PAUSE checks (one read per command
   * otherwise).
   */
  gated = false;
  /** WATCHed keys (MULTI/EXEC optimistic locking). */
  readonly watches: WatchTable;
  /** Client-side caching (CLIENT TRACKING). */
  readonly tracking: Tracking;
  /** MONITOR clients. */
  readonly monitor: Monitor;
  /** SLOWLOG's entries. */
  readonly slowlog = new SlowLog();
  /** The latency monitor's events (LATENCY). */
  readonly latency = new LatencyMonitor();
  /** CLIENT PAUSE state and the commands it holds. */
  readonly pause: ClientPause;
  /** Keyspace notifications (`notify-keyspace-events`). */
  readonly notifier: KeyspaceNotifier;
  /** `maxmemory`: the memory estimate and key eviction. */
  readonly eviction: Evictor;
  /** `client-output-buffer-limit`, parsed. */
  readonly outputLimits: OutputBufferLimits;
  readonly #resetListeners: ((s: Session) => void)[] = [];
  // Error replies whose command already recorded its failure (see markAccounted).
  readonly #accounted = new WeakSet<Reply>();
  // Whether unauthenticated sessions must AUTH first: a default-user password is set. Cached
  // because the dispatcher checks it for every command of an unauthenticated session.
  #authRequired = false;
  #logRank: number = LOG_RANK.notice;
  #keyListeners: readonly KeyListener[] = [];
  readonly #dbResetListeners: DbResetListener[] = [];
  #shutdownHandlers: readonly ShutdownHandler[] = [];
  #shuttingDown = false;
  #nextClientId = 1;
  // The dirty counter and time of the last garbage collection hint.
  #gcDirty = 0;
  #gcAt = 0;
  #gcLastTick = 0;
  // Unix ms minus monotonic ms; see call().
  #wallOffsetMs = 0;
  // Monotonic µs of the last clock read in the current batch, or -1 outside one.
  #batchMark = -1;
  // Stats of the fast commands run since #batchMark, timed together at the next read, with
  // what the slow log would record of each (null: not loggable).
  readonly #untimed: Command[] = [];
  readonly #untimedSession: (Session | null)[] = [];
  readonly #untimedArgv: (readonly string[] | null)[] = [];
  // Run time of the last command call() timed on its own (a blocked command's, observed when it
  // is answered), or -1 when it was deferred to its batch's settlement.
  #lastCallUs = 0;
  // slowlog-log-slower-than, slowlog-max-len, latency-monitor-threshold and latency-tracking,
  // read by every command.
  #slowUs = 10000;
  #slowMax = 128;
  #latencyMs = 0;
  #tracking = true;
  // Argument positions the running commands marked secret (AUTH, HELLO ... AUTH), by session.
  readonly #redacted = new Map<Session, number[]>();
  #cron: TimerHandle | undefined;
  #closed = false;
  // The session whose command is running (the outermost caller for nested calls); defined
  // exactly while a command runs, so commands inside EXEC or a script see it set and share the
  // outer command's time (#unitNow).
  #current: Session | undefined;
  #unitNow = 0;
  // Out-of-band replies to send once a session's current reply is written (Valkey appends
  // invalidations and MONITOR lines caused by a client's own command after its reply).
  readonly #afterReply = new Map<Session, [Session, Reply][]>();
  // EXEC is special to the dispatcher in two of Valkey's rules: a rejected EXEC aborts the
  // transaction (EXECABORT ... because of), and its queued commands' flags decide whether
  // CLIENT PAUSE WRITE holds it or MONITOR refuses it. CLIENT subcommands keep CLIENT CACHING.
  readonly #execCommand: Command | undefined;
  readonly #clientCommand: Command | undefined;

  /** @param opts clock, scheduler, config and extra commands */
  constructor(opts: EngineOptions = {}) {
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.scheduler = opts.scheduler ?? SYSTEM_SCHEDULER;
    this.random = opts.random ?? Math.random;
    const sink = opts.log;
    this.log = sink === undefined ? () => {} : (level, msg) => {
      if (LOG_RANK[level] >= this.#logRank) sink(level, msg);
    };
    this.process = opts.processInfo ?? SYSTEM_PROCESS;
    this.configFile = opts.configFile;
    this.files = opts.files ?? SYSTEM_FILES;
    this.syncClock();
    this.config = new Config();
    for (const [k, v] of Object.entries(opts.config ?? {})) {
      const r = this.config.set(k, v, true);
      if (r.status !== "ok") {
        throw new RangeError(
          `Cannot set config "${k}" to "${v}": ${r.status === "invalid" ? r.reason : r.status + " parameter"}`,
        );
      }
    }
    this.registry = new Registry([...ALL_COMMANDS, ...(opts.commands ?? [])]);
    this.startedAt = this.clock.now();
    this.lastSave = Math.floor(this.startedAt / 1000);
    this.stats = {
      ...newKeyspaceStats(),
      totalCommandsProcessed: 0,
      totalConnectionsReceived: 0,
      rejectedConnections: 0,
      totalErrorReplies: 0,
      netInputBytes: 0,
      netOutputBytes: 0,
      outputBufferLimitDisconnections: 0,
      readsProcessed: 0,
      writesProcessed: 0,
      queryBufferLimitDisconnections: 0,
      expireCycleUs: 0,
      errors: new Map(),
      resetAt: this.startedAt,
    };
    const n = this.config.num("databases");
    this.dbs = [];
    for (let i = 0; i < n; i++) {
      const db = new Db(i, this.stats);
      db.onExpire = (d, key) => this.keyModified(d, key, "expired", undefined);
      this.dbs.push(db);
    }
    // LRU/LFU bookkeeping on key access follows maxmemory-policy (OBJECT FREQ/IDLETIME).
    bindAccessPolicy(this);
    this.runId = this.#hexId();
    this.replId = this.#hexId();
    this.#authRequired = this.config.get("requirepass") !== "";
    this.#logRank = LOG_RANK[this.config.get("loglevel") as keyof typeof LOG_RANK];
    this.#startCron();
    this.config.onChange("hz", () => this.#startCron());
    this.config.onChange("requirepass", (v) => this.#authRequired = v !== "");
    this.config.onChange("loglevel", (v) => this.#logRank = LOG_RANK[v as keyof typeof LOG_RANK]);
    this.#slowUs = this.config.num("slowlog-log-slower-than");
    this.#slowMax = this.config.num("slowlog-max-len");
    this.config.onChange("slowlog-log-slower-than", (v) => this.#slowUs = Number(v));
    this.#latencyMs = this.config.num("latency-monitor-threshold");
    this.#tracking = this.config.bool("latency-tracking");
    this.config.onChange("latency-monitor-threshold", (v) => this.#latencyMs = Number(v));
    this.config.onChange("latency-tracking", (v) => this.#tracking = v === "yes");
    this.config.onChange("slowlog-max-len", (v) => {
      this.#slowMax = Number(v);
      this.slowlog.trim(this.#slowMax);
    });
    this.#execCommand = this.registry.get("exec");
    this.#clientCommand = this.registry.get("client");
    this.outputLimits = new OutputBufferLimits(this.config);
    this.watches = new WatchTable(this);
    this.tracking = new Tracking(this);
    this.monitor = new Monitor(this);
    this.pause = new ClientPause(this);
    this.notifier = new KeyspaceNotifier(this);
    this.eviction = new Evictor(this);
    this.onSessionReset((s) => this.#clearSessionState(s, false));
    this.startupMemory = this.process.usedMemory?.() ?? this.process.memory().used;
  }

  // MULTI, WATCH, subscriptions, tracking and MONITOR end with RESET and with the connection.
  #clearSessionState(s: Session, closing: boolean): void {
    if (s.multiQueued >= 0 || s.dirtyCas || s.watchedKeys > 0) this.discardTransaction(s);
    this.pubsub.dropSession(s);
    this.tracking.disable(s);
    this.monitor.remove(s);
    if (closing) {
      this.pause.cancel(s);
      this.#afterReply.delete(s);
    }
  }

  /** Leaves MULTI (if in it), drops the queued commands and every WATCH. */
  discardTransaction(s: Session): void {
    s.multiQueued = -1;
    s.multiBytes = 0;
    s.multiQueue = undefined;
    s.multiAborted = false;
    s.dirtyCas = false;
    this.watches.unwatchAll(s);
  }

  /** Recomputes {@link Engine.gated}; the subsystems call it when their state turns on or off. */
  regate(): void {
    this.gated = this.pubsub.clientCount > 0 || this.monitor.count > 0 || this.pause.mode !== undefined;
  }

  /** The session whose command is running now (the outermost caller), if any. */
  get currentSession(): Session | undefined {
    return this.#current;
  }

  /**
   * Runs `fn` as the continuation of `session`'s command started at Unix ms `now` (a busy
   * script resumed after yielding): commands called inside are nested in it and share its
   * time, as when it first ran.
   */
  resumeUnit<T>(session: Session, now: number, fn: () => T): T {
    const outer = this.#current;
    const outerNow = this.#unitNow;
    this.#current = session;
    this.#unitNow = now;
    try {
      return fn();
    } finally {
      this.#current = outer;
      this.#unitNow = outerNow;
    }
  }

  /**
   * Queues an out-of-band reply caused by `owner`'s running command, sent to `to` once the
   * transport has written that command's reply ({@link Engine.afterReply}).
   */
  pushAfterReply(owner: Session, reply: Reply, to: Session = owner): void {
    const list = this.#afterReply.get(owner);
    if (list === undefined) this.#afterReply.set(owner, [[to, reply]]);
    else list.push([to, reply]);
  }

  /** Sends what {@link Engine.pushAfterReply} queued for `owner`; transports call it per reply. */
  afterReply(owner: Session): void {
    if (this.#afterReply.size === 0) return;
    const list = this.#afterReply.get(owner);
    if (list === undefined) return;
    this.#afterReply.delete(owner);
    for (const [to, reply] of list) to.push?.(reply);
  }

  /** Whether a session waits for a reply: parked in a blocking command or held by CLIENT PAUSE. */
  isWaiting(s: Session): boolean {
    return this.blocking.isBlocked(s) || (this.pause.heldCount > 0 && this.pause.isHeld(s));
  }

  /** Whether any of `flags` is set on `cmd`, or for EXEC on one of the commands it would run. */
  #anyFlag(s: Session, cmd: Command, flags: readonly CommandFlag[]): boolean {
    for (const f of flags) if (cmd.flags.has(f)) return true;
    if (cmd !== this.#execCommand || s.multiQueue === undefined) return false;
    for (const q of s.multiQueue) {
      for (const f of flags) if (q.cmd.flags.has(f)) return true;
    }
    return false;
  }

  /** Opens a session (a client). RESP connections, HTTP requests and embedders each get one. */
  openSession(opts: SessionOptions = {}): Session {
    const s = new Session(this.#nextClientId++, this.clock.now(), opts);
    if (this.#authRequired) s.user = undefined;
    this.clients.set(s.id, s);
    if (s.via === "resp") this.stats.totalConnectionsReceived++;
    return s;
  }

  /** Forgets a session once its transport is gone. */
  closeSession(s: Session): void {
    this.blocking.cancel(s);
    this.#clearSessionState(s, true);
    this.clients.delete(s.id);
  }

  /** Adds a listener RESET calls so each subsystem can drop the session's state (MULTI, pub/sub). */
  onSessionReset(fn: (s: Session) => void): void {
    this.#resetListeners.push(fn);
  }

  /** Runs the RESET listeners for a session. */
  resetSession(s: Session): void {
    for (const fn of this.#resetListeners) fn(s);
  }

  /**
   * Adds a listener for whole-database changes that fire no per-key events: FLUSHDB/FLUSHALL
   * emptied `db`, or SWAPDB exchanged its contents (WATCH, tracking and indexes resync).
   */
  onDbReset(fn: DbResetListener): void {
    this.#dbResetListeners.push(fn);
  }

  /** Reports a whole-database change to the {@link Engine.onDbReset} listeners. */
  dbReset(db: Db, why: "flush" | "swapdb"): void {
    for (const fn of this.#dbResetListeners) fn(db, why);
  }

  /**
   * Adds a key modification listener.
   * @returns a function that removes it again: subsystems with nothing to do (no WATCH, no
   *   tracking, notifications off) stay off the write path entirely
   */
  onKeyModified(fn: KeyListener): () => void {
    // Copy on write: a listener may remove itself (or another) while the list is being walked.
    this.#keyListeners = [...this.#keyListeners, fn];
    return () => {
      this.#keyListeners = this.#keyListeners.filter((f) => f !== fn);
    };
  }

  /** Records a modification of `key` in `db` (dirty counter, listeners). */
  keyModified(db: Db, key: string, event: string, session: Session | undefined, dirty = true): void {
    if (dirty) this.dirty++;
    this.blocking.signal(db, key);
    for (const fn of this.#keyListeners) fn(db, key, event, session);
  }

  /**
   * Runs one command synchronously through the full check pipeline and returns its reply.
   * An empty argv (an empty inline line) returns undefined: Valkey sends nothing back.
   *
   * A blocking command that cannot be served yet returns its {@link Blocked} value: with
   * `deliver`, the session is parked and `deliver` later receives the final reply; without it
   * (no way to wait), the command times out at once, as inside MULTI.
   */
  dispatch(session: Session, argv: readonly string[], deliver?: Deliver): Reply | Blocked | undefined {
    if (argv.length === 0) return undefined;
    let cmd = this.registry.get(argv[0]!);
    if (cmd === undefined) {
      return this.#reject(session, undefined, unknownCommand(argv[0]!, argv.slice(1)));
    }
    // A container alone runs its own handler when it has one (COMMAND); otherwise the arity
    // check below rejects it (CONFIG).
    if (cmd.subcommands !== undefined && argv.length > 1) {
      const sub = cmd.subcommands.get(argv[1]!.toLowerCase());
      if (sub === undefined) {
        return this.#reject(session, cmd, unknownSubcommand(cmd.spec.name, argv[1]!));
      }
      cmd = sub;
    }
    const arity = cmd.spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return this.#reject(session, cmd, wrongArity(cmd.fullName));
    }
    // Valkey checks protected commands (DEBUG, MODULE LOAD) before authentication, and names the
    // container of a protected subcommand (MODULE) in the refusal and the config option.
    if (cmd.isProtected && !this.#protectedAllowed(cmd, session)) {
      const name = (cmd.container ?? cmd).spec.name;
      return this.#reject(
        session,
        cmd,
        error(fmt(E.PROTECTED_COMMAND, name.toUpperCase(), `enable-${name}-command`)),
      );
    }
    // With no password configured, a session that never authenticated may run commands (it is
    // the default user), but it must AUTH again once a password is set, as in Valkey.
    if (session.user === undefined && this.#authRequired && !cmd.flags.has("no_auth")) {
      return this.#reject(session, cmd, error(E.NOAUTH));
    }
    const inMulti = session.multiQueued >= 0;
    if (inMulti && cmd.flags.has("no_multi")) return this.#reject(session, cmd, error(E.NO_MULTI));
    // maxmemory (Valkey's processCommand, skipped while a busy script has yielded): evict, and
    // refuse what would grow memory when nothing more can be freed.
    if (this.eviction.limit !== 0 && this.busyReply === undefined) {
      const oom = this.eviction.beforeCommand(session, cmd, argv, inMulti);
      if (oom !== undefined) return this.#reject(session, cmd, oom);
    }
    // A RESP2 connection in Pub/Sub mode cannot tell replies from messages, so only the
    // commands flagged for it may run there.
    if (this.gated && session.resp === 2 && session.pubsub && !cmd.kite.has("resp2-subscribed-ok")) {
      return this.#reject(session, cmd, error(fmt(E.PUBSUB_CONTEXT, cmd.fullName)));
    }
    // A script past busy-reply-threshold: only allow_busy commands (SCRIPT KILL...) run.
    if (this.busyReply !== undefined && !cmd.flags.has("allow_busy")) {
      return this.#reject(session, cmd, this.busyReply);
    }
    if (this.gated) {
      // MONITOR makes a connection a replica to Valkey, and replicas may not use the keyspace.
      if (session.monitor && this.#anyFlag(session, cmd, KEYSPACE_FLAGS)) {
        return this.#reject(session, cmd, error(E.REPLICA_KEYSPACE));
      }
      // CLIENT PAUSE holds the command (not an error): the caller waits for `deliver`. A
      // caller that cannot wait runs it now.
      if (this.pause.mode !== undefined && deliver !== undefined) {
        const mayReplicate = this.pause.mode === "write" && this.#anyFlag(session, cmd, MAY_REPLICATE);
        if (this.pause.holds(session, mayReplicate)) {
          this.pause.hold(session, argv, deliver);
          return HELD;
        }
      }
    }
    if (inMulti && !cmd.kite.has("multi-passthrough")) return this.#queue(session, cmd, argv);
    let reply = this.call(session, cmd, argv);
    if (reply.t === "blocked") {
      if (deliver === undefined) {
        reply = reply.nowaitReply ?? reply.timeoutReply;
        this.countLateReply(cmd, reply);
      } else {
        const db = this.dbs[session.db]!;
        const served = cmd;
        // Valkey counts a blocked command once, when it is finally answered (served or timed out).
        const firstUs = this.#lastCallUs;
        const counted: Deliver = (r) => {
          this.countLateReply(served, r);
          // Valkey logs a blocked command once it is answered, with its run time (not the wait).
          if (this.#slowUs >= 0 && this.#slowMax > 0 && firstUs >= this.#slowUs) {
            this.#logSlow(session, argv, firstUs, false);
          }
          if (firstUs >= 0) this.#observe(served, firstUs);
          deliver(r);
        };
        this.blocking.park(session, db, cmd, reply, counted, (ms, fn) => this.scheduler.after(ms, fn));
      }
    }
    if (session.tracking) this.tracking.afterCommand(session, cmd, this.#clientCommand);
    // Clients blocked on keys this command changed are served once it has completed; while a
    // busy script is suspended they wait for the whole script (it serves them when it ends).
    if (this.blocking.hasReady && this.busyReply === undefined) this.serveBlocked();
    // Outside a socket batch the "event loop turn" ends with the command.
    if (this.tracking.pendingBroadcasts && this.#batchMark < 0) this.tracking.flushBroadcasts();
    if (this.pause.resumePending) this.pause.resume();
    return reply;
  }

  // MULTI: the command runs at EXEC. After a rejection or a touched WATCH the transaction is
  // doomed, so Valkey stops storing commands but still answers QUEUED.
  #queue(session: Session, cmd: Command, argv: readonly string[]): Reply {
    session.lastCommand = cmd.fullName;
    if (!session.dirtyCas && !session.multiAborted) {
      (session.multiQueue ??= []).push({ cmd, argv });
      session.multiQueued++;
      let bytes = 0;
      for (const a of argv) bytes += a.length;
      session.multiBytes += bytes;
    }
    return QUEUED;
  }

  /**
   * Like {@link Engine.dispatch}, as a promise that settles with the final reply (a blocking
   * command settles once it is served or times out).
   */
  execute(session: Session, argv: readonly string[]): Promise<Reply | undefined> {
    return new Promise((resolve) => {
      const r = this.dispatch(session, argv, resolve);
      if (r === undefined || r.t !== "blocked") {
        resolve(r);
        this.afterReply(session);
      }
    });
  }

  /** Serves clients blocked on keys signalled since the last serve. */
  serveBlocked(): void {
    this.blocking.serveReady((session, db, cmd, retry) => {
      const ctx = this.#contextOf(session);
      ctx.db = db;
      ctx.now = this.now();
      ctx.command = cmd;
      try {
        return retry(ctx);
      } catch (e) {
        return e instanceof ReplyError ? e.reply : error(E.INTERNAL);
      }
    });
  }

  // The context lives on the session (one property read per command, no map entry per
  // session: every HTTP request is a session of its own) and is made on its first command.
  #contextOf(session: Session): CommandContext {
    return session.context ??= new CommandContext(this, session);
  }

  /**
   * Marks the start of a batch of commands read together (one socket read). Inside a batch each
   * command's start time is the previous one's end, saving a clock read per command.
   */
  beginBatch(): void {
    this.#batchMark = this.clock.monotonicUs();
  }

  /**
   * Stops the batch's command clock before a socket write: the batch's fast commands are settled
   * now, and {@link Engine.resumeCommandTime} restarts the clock after the write. Valkey's
   * commandstats time the command alone; a synchronous write on loopback costs 10-30 µs, far
   * more than a GET.
   */
  pauseCommandTime(): void {
    if (this.#batchMark >= 0 && this.#untimed.length > 0) this.#settleUntimed(this.clock.monotonicUs());
  }

  /** Restarts the batch's command clock after {@link Engine.pauseCommandTime} and the write. */
  resumeCommandTime(): void {
    if (this.#batchMark >= 0) this.#batchMark = this.clock.monotonicUs();
  }

  /** Ends the batch started by {@link Engine.beginBatch}. */
  endBatch(): void {
    if (this.#untimed.length > 0) this.#settleUntimed(this.clock.monotonicUs());
    this.#batchMark = -1;
    // BCAST invalidations of the whole batch go out together, as at the end of Valkey's
    // event-loop iteration.
    if (this.tracking.pendingBroadcasts) this.tracking.flushBroadcasts();
  }

  #hexId(): string {
    let id = "";
    for (let i = 0; i < 40; i++) id += Math.floor(this.random() * 16).toString(16);
    return id;
  }

  /**
   * Shares the time since the last clock read among the fast commands run since then. The slow
   * log gets their share too: exact for a command read alone (a client that waits for each
   * reply), the batch's average for pipelined ones.
   */
  #settleUntimed(now: number): void {
    const list = this.#untimed;
    const share = (now - this.#batchMark) / list.length;
    for (const c of list) {
      c.stats.usec += share;
      this.#observe(c, share);
    }
    if (this.#slowUs >= 0 && share >= this.#slowUs) {
      for (let i = 0; i < list.length; i++) {
        const s = this.#untimedSession[i];
        if (s) this.#logSlow(s, this.#untimedArgv[i]!, share, false);
      }
    }
    list.length = 0;
    this.#untimedSession.length = 0;
    this.#untimedArgv.length = 0;
    this.#batchMark = now;
  }

  /**
   * Records a command's run time of `us` µs in its latency histogram (`latency-tracking`) and,
   * at `latency-monitor-threshold` ms or more, as a latency event.
   */
  #observe(cmd: Command, us: number): void {
    if (this.#tracking) (cmd.stats.histogram ??= new LatencyHistogram()).record(us * 1000);
    const ms = Math.floor(us / 1000);
    if (this.#latencyMs > 0 && ms >= this.#latencyMs) {
      this.latency.add(cmd.isFast ? "fast-command" : "command", ms, Math.floor(this.now() / 1000));
    }
  }

  /** Adds a slow log entry for a command that ran `us` µs (`script`: called by a script). */
  #logSlow(session: Session, argv: readonly string[], us: number, script: boolean): void {
    this.slowlog.push({
      time: Math.floor(this.now() / 1000),
      durationUs: Math.floor(us),
      args: slowLogArgs(argv),
      peer: script ? "?:0" : session.addr,
      name: script ? "" : session.name,
    }, this.#slowMax);
  }

  /**
   * Marks argument `index` of the command `s` is running as secret (Valkey's
   * `redactClientCommandArgument`): MONITOR and the slow log show it as `(redacted)`.
   */
  redact(s: Session, index: number): void {
    if (this.monitor.count === 0 && this.#slowUs < 0) return;
    const list = this.#redacted.get(s);
    if (list === undefined) this.#redacted.set(s, [index]);
    else list.push(index);
  }

  #takeRedacted(s: Session): number[] | undefined {
    const list = this.#redacted.get(s);
    if (list !== undefined) this.#redacted.delete(s);
    return list;
  }

  /** Re-reads the wall clock (cron does this every tick; tests after moving a fake clock). */
  syncClock(): void {
    this.#wallOffsetMs = this.clock.now() - this.clock.monotonicUs() / 1000;
  }

  /** The current Unix time in ms as commands see it. */
  now(): number {
    return Math.floor(this.#wallOffsetMs + this.clock.monotonicUs() / 1000);
  }

  /** The current Unix time in µs (MONITOR timestamps). */
  nowUs(): number {
    return Math.floor(this.#wallOffsetMs * 1000 + this.clock.monotonicUs());
  }

  /** Runs a resolved command: the handler, then statistics. */
  call(session: Session, cmd: Command, argv: readonly string[]): Reply | Blocked {
    const ctx = this.#contextOf(session);
    ctx.db = this.dbs[session.db]!;
    // One monotonic read per command gives both the command's wall time (via an offset resynced
    // every cron tick) and, chained within a batch, its duration: clock reads cost 40-80 ns each
    // on Deno, a large share of a GET.
    // Inside a batch, fast commands (O(1)/O(log N)) are not timed one by one: a clock read costs
    // as much as a GET on Deno. Their batch's elapsed time is shared among them at the next read,
    // so totals stay exact; any other command is timed on its own. Their `now` is the last read,
    // at most one batch of fast commands old.
    const inBatch = this.#batchMark >= 0;
    const st = cmd.stats;
    // Commands without Valkey's `fast` flag whose average so far is under 2 µs (SET, DEL of
    // small keys) are deferred too; a rare slow call among them shares its batch's time with
    // its neighbours, but every total stays exact.
    // Commands nested in EXEC or a script are timed one by one: the outer command's own timing
    // would otherwise absorb their shares.
    const outer = this.#current;
    const nested = outer !== undefined;
    // With slowlog-log-slower-than 0 every command is logged with its own time: none is deferred.
    const slowUs = this.#slowUs;
    const deferred = inBatch && !nested && slowUs !== 0 &&
      (cmd.isFast || (st.calls >= 64 && st.usec < st.calls * 2));
    let start: number;
    if (!inBatch) {
      start = this.clock.monotonicUs();
    } else if (!deferred && this.#untimed.length > 0) {
      start = this.clock.monotonicUs();
      this.#settleUntimed(start);
    } else {
      start = this.#batchMark;
    }
    // A transaction or a script sees one time throughout, like Valkey's command time snapshot.
    const now = nested ? this.#unitNow : Math.floor(this.#wallOffsetMs + start / 1000);
    ctx.now = now;
    ctx.command = cmd;
    ctx.nested = nested;
    session.lastInteraction = now;
    if (!nested) {
      this.#unitNow = now;
      session.lastCommand = cmd.fullName;
    }
    session.commands++;
    if (!nested) this.#current = session;
    let reply: Reply | Blocked;
    try {
      reply = cmd.spec.run!(ctx, argv);
    } catch (e) {
      if (e instanceof ReplyError) {
        reply = e.reply;
      } else {
        this.log(
          "warning",
          `Internal error in '${cmd.fullName}': ${e instanceof Error ? e.stack ?? e.message : String(e)}`,
        );
        reply = error(E.INTERNAL);
      }
    }
    if (reply.t !== "blocked") st.calls++;
    const redacted = this.#redacted.size === 0 ? undefined : this.#takeRedacted(session);
    const logged = redacted === undefined ? argv : redactArgs(argv, redacted);
    // Read again: the command may have been CONFIG SET slowlog-log-slower-than.
    const loggable = this.#slowUs >= 0 && !cmd.skipSlowlog && reply.t !== "blocked" && this.#slowMax > 0;
    if (deferred) {
      // Observed when its batch is settled, blocked or not.
      this.#lastCallUs = -1;
      this.#untimedSession.push(loggable ? session : null);
      this.#untimedArgv.push(loggable ? logged : null);
      // Bounded, so a long pipeline still refreshes `now` and never grows this list.
      if (this.#untimed.push(cmd) >= 128) this.#settleUntimed(this.clock.monotonicUs());
    } else {
      const end = this.clock.monotonicUs();
      const us = end - start;
      st.usec += us;
      this.#lastCallUs = us;
      // A blocked command is observed once it is answered.
      if (reply.t !== "blocked") this.#observe(cmd, us);
      if (inBatch) this.#batchMark = end;
      if (loggable && us >= this.#slowUs) this.#logSlow(session, logged, us, ctx.inScript);
    }
    this.stats.totalCommandsProcessed++;
    if (reply.t === "error" && !this.#accounted.has(reply)) {
      st.failedCalls++;
      this.#countError(reply.msg);
    }
    // Valkey echoes commands to MONITOR after they ran, except administrative ones.
    if (this.monitor.count !== 0 && !cmd.flags.has("admin") && !cmd.flags.has("skip_monitor")) {
      this.monitor.feed(session, logged, session.db, ctx.inScript);
    }
    // Client-side caching remembers what tracking clients read. A read-only script is not a
    // read itself: the commands it calls are (Valkey skips the scripting commands here).
    if (session.tracking && cmd.flags.has("readonly") && !cmd.spec.acl.includes("scripting")) {
      this.tracking.remember(session, cmd, argv);
    }
    this.#current = outer;
    return reply;
  }

  // A protected command runs when its `enable-<name>-command` config is `yes`, or `local` and
  // the client is on this machine; a subcommand goes by its container's option (MODULE LOAD:
  // enable-module-command).
  #protectedAllowed(cmd: Command, session: Session): boolean {
    const p = this.config.param(`enable-${(cmd.container ?? cmd).spec.name}-command`);
    if (p === undefined) return false;
    const v = this.config.get(p.name);
    return v === "yes" || (v === "local" && session.isLocal);
  }

  #reject(session: Session, cmd: Command | undefined, reply: Reply): Reply {
    if (cmd) cmd.stats.rejectedCalls++;
    if (reply.t === "error") this.#countError(reply.msg);
    this.stats.totalCommandsProcessed++;
    if (session.tracking) this.tracking.afterCommand(session, cmd, this.#clientCommand);
    // A rejected EXEC ends the transaction, naming the reason; any other rejection inside
    // MULTI dooms it (Valkey's flagTransaction): EXEC will answer EXECABORT.
    if (cmd !== undefined && cmd === this.#execCommand && reply.t === "error") {
      this.discardTransaction(session);
      // Valkey's own rejection texts carry no code ("ERR" is added when sent); coded ones
      // (NOAUTH, OOM, NOPERM) keep theirs.
      return error(fmt(E.EXECABORT_BECAUSE, reply.msg.startsWith("ERR ") ? reply.msg.slice(4) : reply.msg));
    }
    if (session.multiQueued >= 0) session.multiAborted = true;
    return reply;
  }

  #countError(msg: string): void {
    this.stats.totalErrorReplies++;
    const sp = msg.indexOf(" ");
    const code = sp < 0 ? msg : msg.slice(0, sp);
    // Valkey caps distinct error codes at 128 to keep INFO bounded against arbitrary errors.
    if (!this.stats.errors.has(code) && this.stats.errors.size >= 128) return;
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  /**
   * Counts a command whose reply came after its call returned {@link Blocked} (a parked command
   * served or timed out, a busy script that ended): one call, and a failed call unless the
   * reply's failure was already recorded ({@link Engine.markAccounted}).
   */
  countLateReply(cmd: Command, reply: Reply): void {
    cmd.stats.calls++;
    if (reply.t === "error" && !this.#accounted.has(reply)) {
      cmd.stats.failedCalls++;
      this.#countError(reply.msg);
    }
  }

  /** Counts a failed command from a caller that handles errors itself (EXEC, scripts). */
  countError(msg: string): void {
    this.#countError(msg);
  }

  /**
   * Marks an error reply whose command has already recorded its failure (failed_calls,
   * errorstats), so the engine leaves it alone. Scripts do: an error a command they called
   * returned was counted when that command failed, and is not counted again when the script
   * passes it on (Valkey's ERR_REPLY_FLAG_NO_STATS_UPDATE).
   */
  markAccounted(reply: Reply): void {
    this.#accounted.add(reply);
  }

  #startCron(): void {
    this.#cron?.cancel();
    if (this.#closed) return;
    const hz = this.config.num("hz");
    this.#cron = this.scheduler.every(Math.max(1, Math.floor(1000 / hz)), () => this.cron());
  }

  /**
   * One tick of background work: the active expiry cycle, budgeted like Valkey's slow cycle
   * (20 keys a loop per db, repeating while over 10% of the sample was expired, until 25% of
   * the tick period is spent).
   */
  cron(): void {
    this.syncClock();
    this.metrics.sample(this, this.clock.now());
    this.#closeIdleClients();
    this.#gcHint();
    this.#activeExpireCycle();
    this.eviction.cron();
    // Keys expired by the cycle may concern BCAST tracking clients.
    if (this.tracking.pendingBroadcasts) this.tracking.flushBroadcasts();
  }

  #activeExpireCycle(): void {
    // No key expires under a busy script that yielded: it must see the keyspace it started with.
    if (!this.activeExpireEnabled || this.busyReply !== undefined) return;
    const hz = this.config.num("hz");
    const effort = this.config.num("active-expire-effort") - 1;
    const perLoop = 20 + 5 * effort;
    const budgetUs = ((25 + 2 * effort) * 1_000_000) / hz / 100;
    const start = this.clock.monotonicUs();
    const now = this.clock.now();
    let sampled = 0;
    let expired = 0;
    for (const db of this.dbs) {
      if (db.expires.size === 0) continue;
      while (true) {
        const [c, x] = db.activeExpire(now, perLoop);
        sampled += c;
        expired += x;
        if (c === 0 || x * 10 <= c) break;
        if (this.clock.monotonicUs() - start > budgetUs) {
          this.stats.expiredTimeCapReachedCount++;
          break;
        }
      }
    }
    const tookUs = this.clock.monotonicUs() - start;
    this.stats.expireCycleUs += tookUs;
    if (this.#latencyMs > 0 && tookUs >= this.#latencyMs * 1000) {
      this.latency.add("expire-cycle", Math.floor(tookUs / 1000), Math.floor(this.now() / 1000));
    }
    // Valkey reports a running average of the stale-key ratio seen by the cycle.
    const perc = sampled > 0 ? expired / sampled : 0;
    this.stats.expiredStalePerc = perc * 0.05 + this.stats.expiredStalePerc * 0.95;
  }

  // Valkey's `timeout`: closes connections idle for longer than that many seconds, except
  // blocked and Pub/Sub clients. Sessions without a transport (embedded, HTTP) are never closed.
  #closeIdleClients(): void {
    const timeout = this.config.num("timeout");
    if (timeout === 0) return;
    const now = Math.floor(this.clock.now() / 1000);
    for (const s of this.clients.values()) {
      if (s.kill === undefined || s.pubsub || this.blocking.isBlocked(s)) continue;
      if (now - Math.floor(s.lastInteraction / 1000) > timeout) {
        this.log("verbose", "Closing idle client");
        s.kill();
      }
    }
  }

  /**
   * After a burst of writes (10k changes), once the server has been quiet for a tick, asks the
   * runtime to collect garbage (at most every 5 s). Only Bun takes the hint: its collector is
   * lazy enough that the garbage of a large load otherwise doubles RSS for a long time.
   */
  #gcHint(): void {
    const collect = this.process.collectGarbage;
    if (collect === undefined) return;
    const now = this.clock.now();
    const quiet = this.dirty === this.#gcLastTick;
    this.#gcLastTick = this.dirty;
    if (!quiet || this.dirty - this.#gcDirty < 10_000 || now - this.#gcAt < 5_000) return;
    this.#gcDirty = this.dirty;
    this.#gcAt = now;
    collect.call(this.process);
  }

  /**
   * Registers what the host does on SHUTDOWN (see {@link ShutdownHandler}). An engine without
   * one (embedded through `mod.ts` with no server) refuses SHUTDOWN.
   * @returns a function that removes the handler again (a server that closed)
   */
  onShutdown(fn: ShutdownHandler): () => void {
    this.#shutdownHandlers = [...this.#shutdownHandlers, fn];
    return () => {
      this.#shutdownHandlers = this.#shutdownHandlers.filter((f) => f !== fn);
    };
  }

  /** Whether a shutdown was accepted: the host is tearing the server down. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /**
   * Valkey's `prepareForShutdown` + `finishShutdown` for a server without persistence or
   * replicas: nothing to wait for, and nothing to save unless SAVE asks for it. Kite has no
   * RDB/AOF writer, so SAVE fails as a failed final save does in Valkey (logged; the server
   * keeps running) unless FORCE says to exit anyway. The `save` schedule is always empty and
   * `appendonly` always `no`, so plain SHUTDOWN never saves. Once accepted, later requests
   * return `ok` without running the handlers again.
   */
  shutdown(opts: ShutdownOptions = {}): ShutdownResult {
    if (this.#shuttingDown) return "ok";
    if (this.#shutdownHandlers.length === 0) return "no-handler";
    this.log("warning", "User requested shutdown...");
    if (opts.save && !opts.nosave) {
      this.log("notice", "Saving the final RDB snapshot before exiting.");
      this.log("warning", "Kite has no persistence (no RDB or AOF writer): the dataset cannot be saved.");
      if (!opts.force) {
        this.log("warning", "Error trying to save the DB, can't exit.");
        this.log("warning", "Errors trying to shut down the server. Check the logs for more information.");
        return "save-failed";
      }
      this.log("warning", "Error trying to save the DB. Exit anyway.");
    }
    this.#shuttingDown = true;
    for (const fn of this.#shutdownHandlers) {
      try {
        fn(opts);
      } catch (e) {
        this.log("warning", `Shutdown handler failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return "ok";
  }

  /** Stops background work. Sessions and data stay readable. */
  close(): void {
    this.#closed = true;
    this.#cron?.cancel();
    this.#cron = undefined;
    this.eviction.close();
  }
}
