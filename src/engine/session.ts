/**
 * Per-client state: selected database, protocol version, name, authentication and the flags
 * CLIENT sets. Sessions exist for RESP connections, HTTP requests and in-process callers alike.
 *
 * @module
 */
import type { RespVersion } from "../protocol/resp_encoder.ts";

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
  /** Set by QUIT and CLIENT KILL: the connection closes once pending replies are written. */
  closing = false;
  /** Query buffer length and output buffer length, updated by the connection (CLIENT LIST). */
  qbuf = 0;
  obl = 0;
  /** Bytes read and written over the session's life. */
  netIn = 0;
  netOut = 0;
  /** Number of commands run. */
  commands = 0;
  /** Called to close the underlying transport (CLIENT KILL). */
  kill: (() => void) | undefined;

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
}
