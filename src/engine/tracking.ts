/**
 * Client-side caching (CLIENT TRACKING): remembers which keys each tracking client read and
 * tells it when they change, as Valkey's `tracking.c` does.
 *
 * - Default mode: the keys of every read-only command a tracking client runs are remembered in
 *   one table (key name -> client ids, across databases). The first modification of a key sends
 *   one invalidation to each client that read it and forgets the entry; reading it again
 *   re-arms it. OPTIN remembers only after `CLIENT CACHING yes`, OPTOUT skips after
 *   `CLIENT CACHING no` (for the next command, or the next transaction).
 * - BCAST mode: nothing is remembered; every modified key under a registered prefix is
 *   collected and, at the end of the event-loop turn, each subscriber of the prefix gets one
 *   message with the keys.
 * - Delivery: a RESP3 push `["invalidate", [keys]]` on the client's own connection, or on the
 *   REDIRECT client: as a RESP3 push, or for a RESP2 client in Pub/Sub mode as a message on
 *   `__redis__:invalidate`. FLUSHDB/FLUSHALL send a null key list to every tracking client.
 * - Invalidations caused by a client's own command are sent after that command's reply, never
 *   in the middle of it; NOLOOP suppresses them altogether.
 * - The table is capped by `tracking-table-max-keys`: past it, the oldest keys are invalidated
 *   and forgotten, as Valkey evicts them.
 *
 * @module
 */
import type { Command } from "../commands/spec.ts";
import { getKeyPositions } from "../commands/keys.ts";
import { bulk, int, NULL, push, type Reply } from "../protocol/reply.ts";
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";

/** One client's tracking options (CLIENT TRACKINGINFO). */
export interface TrackingState {
  /** Client id receiving the invalidations, 0 for the client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING was given for the next command (or transaction). */
  caching: boolean;
  /** The redirect client went away (`broken_redirect` flag). */
  brokenRedirect: boolean;
  /** BCAST prefixes. */
  readonly prefixes: Set<string>;
}

/** Options of {@link Tracking.enable}. */
export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: readonly string[];
}

/** A BCAST prefix: its subscribers and the keys modified under it since the last broadcast. */
interface Prefix {
  readonly clients: Set<Session>;
  // key -> the session whose command modified it last (for NOLOOP)
  readonly keys: Map<string, Session | undefined>;
}

const INVALIDATE = bulk("invalidate");
const MESSAGE = bulk("message");
const INVALIDATE_CHANNEL = bulk("__redis__:invalidate");
const REDIR_BROKEN = bulk("tracking-redir-broken");

/** The client tracking state of one engine. */
export class Tracking {
  readonly #engine: Engine;
  readonly #states = new Map<Session, TrackingState>();
  // key -> ids of the clients that may cache it (ids, so a gone client is simply skipped)
  #table = new Map<string, Set<number>>();
  #items = 0;
  readonly #prefixes = new Map<string, Prefix>();
  /** BCAST invalidations wait for {@link Tracking.flushBroadcasts} (read after every command). */
  pendingBroadcasts = false;
  // The command count at the last FLUSH invalidation, so FLUSHALL sends one null per client.
  #flushStamp = -1;
  // Removes the modification listener; set only while some key or prefix is tracked.
  #unhook: (() => void) | undefined;
  readonly #listener = (_db: unknown, key: string, _event: string, session: Session | undefined) => {
    if (this.#table.size !== 0) this.#invalidateKey(key, session);
    if (this.#prefixes.size !== 0) this.#collectBcast(key, session);
  };

  /** @param engine the engine whose modifications invalidate */
  constructor(engine: Engine) {
    this.#engine = engine;
    engine.onDbReset((_db, why) => {
      if (why === "flush") this.#invalidateAll();
    });
  }

  // Listens to modifications only while something is tracked: writes pay nothing otherwise.
  #sync(): void {
    if (this.#table.size !== 0 || this.#prefixes.size !== 0) {
      this.#unhook ??= this.#engine.onKeyModified(this.#listener);
    } else if (this.#unhook !== undefined) {
      this.#unhook();
      this.#unhook = undefined;
    }
  }

  /** Clients with tracking on (INFO `tracking_clients`). */
  get clientCount(): number {
    return this.#states.size;
  }

  /** Keys in the tracking table (INFO `tracking_total_keys`). */
  get totalKeys(): number {
    return this.#table.size;
  }

  /** Client ids over all keys of the table (INFO `tracking_total_items`). */
  get totalItems(): number {
    return this.#items;
  }

  /** BCAST prefixes registered by any client (INFO `tracking_total_prefixes`). */
  get totalPrefixes(): number {
    return this.#prefixes.size;
  }

  /** A session's tracking options, or undefined when tracking is off. */
  stateOf(s: Session): TrackingState | undefined {
    return this.#states.get(s);
  }

  /**
   * Turns tracking on (or updates its options). The caller has validated the options against
   * each other and against the current state, as CLIENT TRACKING does.
   */
  enable(s: Session, opts: TrackingOptions): void {
    let st = this.#states.get(s);
    if (st === undefined) {
      st = {
        redirect: 0,
        bcast: false,
        optin: false,
        optout: false,
        noloop: false,
        caching: false,
        brokenRedirect: false,
        prefixes: new Set(),
      };
      this.#states.set(s, st);
    }
    s.tracking = true;
    s.trackingRedirect = opts.redirect;
    st.redirect = opts.redirect;
    st.brokenRedirect = false;
    st.bcast = opts.bcast;
    st.optin = opts.optin;
    st.optout = opts.optout;
    st.noloop = opts.noloop;
    if (opts.bcast) {
      // Without PREFIX a BCAST client hears every key: the empty prefix.
      const list = opts.prefixes.length === 0 ? [""] : opts.prefixes;
      for (const p of list) {
        st.prefixes.add(p);
        let entry = this.#prefixes.get(p);
        if (entry === undefined) {
          entry = { clients: new Set(), keys: new Map() };
          this.#prefixes.set(p, entry);
        }
        entry.clients.add(s);
      }
      this.#sync();
    }
  }

  /** Turns tracking off (CLIENT TRACKING off, RESET, disconnect). */
  disable(s: Session): void {
    const st = this.#states.get(s);
    if (st === undefined) return;
    for (const p of st.prefixes) {
      const entry = this.#prefixes.get(p);
      if (entry === undefined) continue;
      entry.clients.delete(s);
      if (entry.clients.size === 0) this.#prefixes.delete(p);
    }
    this.#states.delete(s);
    s.tracking = false;
    s.trackingRedirect = 0;
    this.#sync();
  }

  /**
   * Remembers the keys of a read-only command run by a tracking session (called by the engine
   * after every such command, also inside EXEC and scripts).
   */
  remember(s: Session, cmd: Command, argv: readonly string[]): void {
    const st = this.#states.get(s);
    if (st === undefined || st.bcast) return;
    if ((st.optin && !st.caching) || (st.optout && st.caching)) return;
    // Shard channels are declared as keys for cluster routing; they are not cached data.
    if (cmd.flags.has("pubsub")) return;
    const positions = getKeyPositions(cmd.spec, argv);
    if (positions.length === 0) return;
    const id = s.id;
    for (const pos of positions) {
      const key = argv[pos]!;
      let ids = this.#table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.#table.set(key, ids);
      }
      if (!ids.has(id)) {
        ids.add(id);
        this.#items++;
      }
    }
    this.#enforceLimit(s);
    this.#sync();
  }

  /**
   * Ends a top-level command of a tracking session: CLIENT CACHING applies to the next command
   * only (or the next whole transaction), except that further CLIENT subcommands keep it.
   * @param clientContainer the CLIENT container command
   */
  afterCommand(s: Session, cmd: Command | undefined, clientContainer: Command | undefined): void {
    const st = this.#states.get(s);
    if (st === undefined || !st.caching) return;
    if (
      s.multiQueued >= 0 || (cmd !== undefined && clientContainer !== undefined && cmd.container === clientContainer)
    ) {
      return;
    }
    st.caching = false;
  }

  /** Sends the BCAST invalidations collected since the last call (end of an event-loop turn). */
  flushBroadcasts(): void {
    if (!this.pendingBroadcasts) return;
    this.pendingBroadcasts = false;
    for (const entry of this.#prefixes.values()) {
      if (entry.keys.size === 0) continue;
      // Valkey walks a radix tree: keys go out in byte order.
      const keys = [...entry.keys.keys()].sort(byteOrder);
      for (const client of entry.clients) {
        const st = this.#states.get(client);
        if (st === undefined) continue;
        const mine = st.noloop ? keys.filter((k) => entry.keys.get(k) !== client) : keys;
        if (mine.length === 0) continue;
        this.#send(client, st, mine.map((k) => bulk(k)));
      }
      entry.keys.clear();
    }
  }

  #collectBcast(key: string, by: Session | undefined): void {
    for (const [prefix, entry] of this.#prefixes) {
      if (!key.startsWith(prefix)) continue;
      entry.keys.set(key, by);
      this.pendingBroadcasts = true;
    }
  }

  #invalidateKey(key: string, by: Session | undefined): void {
    const ids = this.#table.get(key);
    if (ids === undefined) return;
    this.#table.delete(key);
    this.#items -= ids.size;
    if (this.#table.size === 0) this.#sync();
    const clients = this.#engine.clients;
    for (const id of ids) {
      const target = clients.get(id);
      if (target === undefined) continue;
      const st = this.#states.get(target);
      // A client that switched to BCAST since reading no longer gets per-key messages.
      if (st === undefined || st.bcast) continue;
      if (target === by && st.noloop) continue;
      this.#send(target, st, [bulk(key)], target === by);
    }
  }

  #invalidateAll(): void {
    const stamp = this.#engine.stats.totalCommandsProcessed;
    if (this.#states.size !== 0 && stamp !== this.#flushStamp) {
      this.#flushStamp = stamp;
      const current = this.#engine.currentSession;
      for (const [s, st] of this.#states) this.#send(s, st, null, s === current);
    }
    this.#table = new Map();
    this.#items = 0;
    this.#sync();
  }

  // Valkey evicts keys from the table past `tracking-table-max-keys`, invalidating them so
  // clients drop what they cached; the oldest entries go first here.
  #enforceLimit(by: Session): void {
    const max = this.#engine.config.num("tracking-table-max-keys");
    if (max === 0) return;
    while (this.#table.size > max) {
      const oldest = this.#table.keys().next().value as string;
      this.#invalidateKey(oldest, by);
    }
  }

  /**
   * Sends one invalidation for `target`: a key list, or null for "everything" (FLUSH*).
   * @param deferred the target is running the command that caused it: send after its reply
   */
  #send(target: Session, st: TrackingState, keys: Reply[] | null, deferred = false): void {
    const payload = keys === null ? NULL : { t: "array" as const, v: keys };
    let to = target;
    let redirected = false;
    if (st.redirect !== 0) {
      const r = this.#engine.clients.get(st.redirect);
      if (r === undefined) {
        st.brokenRedirect = true;
        // Only a RESP3 client can be told on its own connection that its redirect is gone.
        if (target.resp === 3) this.#deliver(target, target, push([REDIR_BROKEN, int(st.redirect)]), deferred);
        return;
      }
      to = r;
      redirected = true;
    }
    if (to.resp === 3) {
      this.#deliver(target, to, push([INVALIDATE, payload]), deferred);
    } else if (redirected && to.pubsub) {
      // RESP2 has no push type: a redirect client in Pub/Sub mode gets a channel message.
      this.#deliver(target, to, push([MESSAGE, INVALIDATE_CHANNEL, payload]), deferred);
    }
    // A RESP2 client without a redirect cannot receive invalidations at all.
  }

  // A message caused by the tracking client's own command waits until that command's reply
  // has been written (it goes to the redirect client then, if there is one).
  #deliver(owner: Session, to: Session, msg: Reply, deferred: boolean): void {
    if (deferred) this.#engine.pushAfterReply(owner, msg, to);
    else to.push?.(msg);
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
