/**
 * The Pub/Sub registry: who listens to which channel, pattern and shard channel, and delivery of
 * published messages as out-of-band pushes (`session.push`). Keyspace notifications and
 * client-side caching in RESP2 redirect mode publish through it too.
 *
 * Valkey keeps three independent namespaces: channels (SUBSCRIBE/PUBLISH), patterns
 * (PSUBSCRIBE, matched against channels on PUBLISH) and shard channels (SSUBSCRIBE/SPUBLISH,
 * never matched by patterns). A session's subscription counters live on the session itself
 * (CLIENT LIST `sub`, `psub`, `ssub`; RESP2 subscribed mode).
 *
 * @module
 */
import type { Session } from "../engine/session.ts";
import { bulk, push, type Reply } from "../protocol/reply.ts";
import { globMatch } from "../util/glob.ts";

/** The three subscription namespaces. */
export type SubscriptionKind = "channel" | "pattern" | "shard";

/** One session's subscriptions, in subscription order. */
interface SessionSubs {
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
  readonly shard: Set<string>;
}

const MESSAGE = bulk("message");
const PMESSAGE = bulk("pmessage");
const SMESSAGE = bulk("smessage");

/** The Pub/Sub state of one engine. */
export class PubSubHub {
  readonly #onActive: ((active: boolean) => void) | undefined;
  // name -> subscribers in subscription order
  readonly #channels = new Map<string, Set<Session>>();
  readonly #patterns = new Map<string, Set<Session>>();
  readonly #shard = new Map<string, Set<Session>>();
  readonly #bySession = new Map<Session, SessionSubs>();

  /** @param onActive told when the first session subscribes and when the last one leaves */
  constructor(onActive?: (active: boolean) => void) {
    this.#onActive = onActive;
  }

  /** Channels with at least one subscriber (INFO `pubsub_channels`). */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Distinct patterns with at least one subscriber (INFO `pubsub_patterns`, PUBSUB NUMPAT). */
  get patternCount(): number {
    return this.#patterns.size;
  }

  /** Shard channels with at least one subscriber (INFO `pubsubshard_channels`). */
  get shardChannelCount(): number {
    return this.#shard.size;
  }

  /** Sessions subscribed to anything (INFO `pubsub_clients`). */
  get clientCount(): number {
    return this.#bySession.size;
  }

  #subsOf(s: Session): SessionSubs {
    let subs = this.#bySession.get(s);
    if (subs === undefined) {
      subs = { channels: new Set(), patterns: new Set(), shard: new Set() };
      this.#bySession.set(s, subs);
      if (this.#bySession.size === 1) this.#onActive?.(true);
    }
    return subs;
  }

  #table(kind: SubscriptionKind): Map<string, Set<Session>> {
    return kind === "channel" ? this.#channels : kind === "pattern" ? this.#patterns : this.#shard;
  }

  /**
   * Subscribes a session to a channel, pattern or shard channel.
   * @returns false when it was already subscribed
   */
  subscribe(s: Session, kind: SubscriptionKind, name: string): boolean {
    const subs = this.#subsOf(s);
    const mine = kind === "channel" ? subs.channels : kind === "pattern" ? subs.patterns : subs.shard;
    if (mine.has(name)) return false;
    mine.add(name);
    const table = this.#table(kind);
    const set = table.get(name);
    if (set === undefined) table.set(name, new Set([s]));
    else set.add(s);
    this.#count(s, subs);
    return true;
  }

  /**
   * Unsubscribes a session from one name.
   * @returns false when it was not subscribed
   */
  unsubscribe(s: Session, kind: SubscriptionKind, name: string): boolean {
    const subs = this.#bySession.get(s);
    if (subs === undefined) return false;
    const mine = kind === "channel" ? subs.channels : kind === "pattern" ? subs.patterns : subs.shard;
    if (!mine.delete(name)) return false;
    const table = this.#table(kind);
    const set = table.get(name);
    if (set !== undefined) {
      set.delete(s);
      if (set.size === 0) table.delete(name);
    }
    this.#count(s, subs);
    return true;
  }

  /** The names a session is subscribed to in one namespace, in subscription order. */
  subscriptionsOf(s: Session, kind: SubscriptionKind): string[] {
    const subs = this.#bySession.get(s);
    if (subs === undefined) return [];
    return [...(kind === "channel" ? subs.channels : kind === "pattern" ? subs.patterns : subs.shard)];
  }

  // Keeps the session's counters (CLIENT LIST, subscribed mode) in step and forgets sessions
  // without subscriptions.
  #count(s: Session, subs: SessionSubs): void {
    s.subscriptions = subs.channels.size;
    s.patternSubscriptions = subs.patterns.size;
    s.shardSubscriptions = subs.shard.size;
    if (subs.channels.size + subs.patterns.size + subs.shard.size === 0 && this.#bySession.delete(s)) {
      if (this.#bySession.size === 0) this.#onActive?.(false);
    }
  }

  /** Drops every subscription of a session (RESET, disconnect). */
  dropSession(s: Session): void {
    const subs = this.#bySession.get(s);
    if (subs === undefined) return;
    for (const kind of ["channel", "pattern", "shard"] as const) {
      for (const name of this.subscriptionsOf(s, kind)) this.unsubscribe(s, kind, name);
    }
  }

  /**
   * Delivers a message to the subscribers of `channel` and of every pattern matching it.
   * @returns the number of receivers (a session subscribed to the channel and to two matching
   *   patterns counts three times, as in Valkey)
   */
  publish(channel: string, message: string | Uint8Array): number {
    let receivers = 0;
    const subs = this.#channels.get(channel);
    if (subs !== undefined) {
      // One reply tree serves every subscriber; each connection encodes it for its protocol.
      const msg = push([MESSAGE, bulk(channel), bulk(message)]);
      for (const s of subs) {
        deliver(s, msg);
        receivers++;
      }
    }
    if (this.#patterns.size > 0) {
      let chan: Reply | undefined;
      let payload: Reply | undefined;
      for (const [pattern, set] of this.#patterns) {
        if (!globMatch(pattern, channel)) continue;
        chan ??= bulk(channel);
        payload ??= bulk(message);
        const msg = push([PMESSAGE, bulk(pattern), chan, payload]);
        for (const s of set) {
          deliver(s, msg);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** Delivers a message to the subscribers of a shard channel. @returns the number of receivers */
  spublish(channel: string, message: string | Uint8Array): number {
    const subs = this.#shard.get(channel);
    if (subs === undefined) return 0;
    const msg = push([SMESSAGE, bulk(channel), bulk(message)]);
    for (const s of subs) deliver(s, msg);
    return subs.size;
  }

  /** Subscribers of a channel or shard channel, excluding pattern subscribers (PUBSUB NUMSUB). */
  subscriberCount(kind: "channel" | "shard", name: string): number {
    return this.#table(kind).get(name)?.size ?? 0;
  }

  /** Active channels or shard channels, optionally filtered by a glob (PUBSUB CHANNELS). */
  activeNames(kind: "channel" | "shard", pattern?: string): string[] {
    const out: string[] = [];
    for (const name of this.#table(kind).keys()) {
      if (pattern === undefined || globMatch(pattern, name)) out.push(name);
    }
    return out;
  }
}

function deliver(s: Session, msg: Reply): void {
  s.push?.(msg);
}
