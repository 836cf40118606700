/**
 * Per-client state: selected database, protocol version, name, authentication and the flags
 * CLIENT sets. Sessions exist for RESP connections, HTTP requests and in-process callers alike.
 *
 * @module
 */
import type { RespVersion } from "../protocol/resp_encoder.ts";
import type { Reply } from "../protocol/reply.ts";
import type { Command } from "../commands/spec.ts";
import type { CommandContext } from "./context.ts";

/** A command queued by MULTI, run by EXEC. */
export interface QueuedCommand {
  readonly cmd: Command;
  readonly argv: readonly string[];
}

/** How a session reached the engine. */
export type SessionVia = "resp" | "http" | "embedded";

/** Options for {@link Session}. */
export interface SessionOptions {
  via?: SessionVia;
  resp?: RespVersion;
  /** `ip:port` of the peer, for CLIENT LIST `addr`. */
  addr?: string;
  /** `ip:port` of the local end, for CLIENT LIST `laddr`. */
  laddr?: string;
  /** A file descriptor number to report (`fd=`); adapters without one report -1. */
  fd?: number;
  /** Whether the connection is a Unix socket (affects CLIENT LIST flags). */
  unix?: boolean;
}

/** One client's state. */
export class Session {
  /** Unique, increasing client id (CLIENT ID). */
  readonly id: number;
  readonly via: SessionVia;
  /** Unix ms when the session was opened. */
  readonly createdAt: number;
  addr: string;
  laddr: string;
  fd: number;
  unix: boolean;
  /** Selected database index. */
  db = 0;
  resp: RespVersion;
  /** CLIENT SETNAME value, "" when unset. */
  name = "";
  /** CLIENT SETINFO lib-name / lib-ver. */
  libName = "";
  libVer = "";
  /** Authenticated user, or undefined before AUTH when a password is required. */
  user: string | undefined = "default";
  /** Unix ms of the last command (CLIENT LIST `idle`). */
  lastInteraction: number;
  /** Full name of the last command (CLIENT LIST `cmd`). */
  lastCommand = "NULL";
  /** CLIENT NO-EVICT. */
  noEvict = false;
  /** CLIENT NO-TOUCH: reads do not refresh LRU/LFU. */
  noTouch = false;
  /**
   * CLIENT CAPA redirect: the client follows `-REDIRECT` replies. Only a replica sends them
   * (to send writes to its primary), so on a primary such as Kite it only shows in CLIENT LIST
   * (`capa=r`).
   */
  capaRedirect = false;
  /** Set by QUIT and CLIENT KILL: the connection closes once pending replies are written. */
  closing = false;
  /**
   * CLIENT REPLY: `off` drops every reply, `skip-next` drops the reply of CLIENT REPLY SKIP
   * itself and then becomes `skip`, which drops one more. Pushes are always delivered.
   */
  replyMode: "on" | "off" | "skip-next" | "skip" = "on";
  /** Query buffer length and output buffer length, updated by the connection (CLIENT LIST). */
  qbuf = 0;
  obl = 0;
  /** Bytes read and written over the session's life. */
  netIn = 0;
  netOut = 0;
  /** Number of commands run. */
  commands = 0;
  /**
   * Sends a reply outside the request/response flow (pub/sub messages, tracking
   * invalidations, MONITOR lines), set by the transport. Undefined for transports that cannot
   * push (a plain HTTP request, an embedder without a push handler).
   */
  push: ((reply: Reply) => void) | undefined;
  /** Called to close the underlying transport (CLIENT KILL). */
  kill: (() => void) | undefined;

  // State other subsystems maintain and CLIENT LIST / INFO report. Each stays at its neutral
  // value until the feature that owns it (pub/sub, MULTI, WATCH, tracking) updates it.
  /** Channel, pattern and shard-channel subscriptions (CLIENT LIST `sub`, `psub`, `ssub`). */
  subscriptions = 0;
  patternSubscriptions = 0;
  shardSubscriptions = 0;
  /** Commands queued by MULTI, or -1 outside a transaction (CLIENT LIST `multi`, flag `x`). */
  multiQueued = -1;
  /** Bytes of the queued MULTI commands' arguments (CLIENT LIST `multi-mem`). */
  multiBytes = 0;
  /** The commands MULTI queued, in order (undefined until the first one). */
  multiQueue: QueuedCommand[] | undefined;
  /** A command was rejected while queueing: EXEC answers EXECABORT (Valkey's DIRTY_EXEC). */
  multiAborted = false;
  /** Keys WATCHed (CLIENT LIST `watch`). */
  watchedKeys = 0;
  /** A WATCHed key was modified: EXEC will fail (flag `d`). */
  dirtyCas = false;
  /** In MONITOR mode (flag `O`): receives every command, may not touch the keyspace. */
  monitor = false;
  /** Cluster READONLY mode (flag `r`). */
  readOnly = false;
  /** Client-side caching: tracking on (flag `t`) and the redirect client id (`redir`). */
  tracking = false;
  trackingRedirect = 0;
  /** The command context the engine reuses for this session's commands (made on first use). */
  context: CommandContext | undefined = undefined;

  /**
   * @param id the client id
   * @param now the creation time in ms
   * @param opts transport details
   */
  constructor(id: number, now: number, opts: SessionOptions = {}) {
    this.id = id;
    this.createdAt = now;
    this.lastInteraction = now;
    this.via = opts.via ?? "embedded";
    this.resp = opts.resp ?? 2;
    this.addr = opts.addr ?? "";
    this.laddr = opts.laddr ?? "";
    this.fd = opts.fd ?? -1;
    this.unix = opts.unix ?? false;
  }

  /**
   * Whether the peer is on this machine, for Valkey's "local" protected-command rule: in-process
   * sessions, Unix sockets and loopback TCP peers.
   */
  get isLocal(): boolean {
    if (this.via === "embedded" || this.unix) return true;
    const host = this.addr.startsWith("[")
      ? this.addr.slice(1, this.addr.indexOf("]"))
      : this.addr.slice(0, this.addr.lastIndexOf(":"));
    return host.startsWith("127.") || host === "::1" || host.startsWith("::ffff:127.");
  }

  /** True in Pub/Sub mode: subscribed to at least one channel, pattern or shard channel. */
  get pubsub(): boolean {
    return this.subscriptions + this.patternSubscriptions + this.shardSubscriptions > 0;
  }
}
