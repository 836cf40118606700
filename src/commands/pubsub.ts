/**
 * Pub/Sub commands (Valkey group `pubsub`): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
 * PUBLISH, SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and PUBSUB.
 *
 * A (un)subscribe command answers one confirmation per channel. The last one is the command's
 * reply; the earlier ones go out first through the session's push channel, so the client reads
 * them in order. Confirmations and messages are RESP3 pushes (RESP2 arrays).
 *
 * @module
 */
import { cmd, type CommandSpec, rangeKey } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Session } from "../engine/session.ts";
import type { SubscriptionKind } from "../pubsub/hub.ts";
import { array, bulk, error, int, NULL, push, type Reply } from "../protocol/reply.ts";
import { E, fmt } from "../protocol/errors.ts";
import { helpReply } from "./connection.ts";

/** The confirmation names of each namespace. */
const NAMES: Record<SubscriptionKind, { sub: Reply; unsub: Reply }> = {
  channel: { sub: bulk("subscribe"), unsub: bulk("unsubscribe") },
  pattern: { sub: bulk("psubscribe"), unsub: bulk("punsubscribe") },
  shard: { sub: bulk("ssubscribe"), unsub: bulk("sunsubscribe") },
};

// Channels and patterns share one count in confirmations; shard channels count apart.
function countFor(s: Session, kind: SubscriptionKind): number {
  return kind === "shard" ? s.shardSubscriptions : s.subscriptions + s.patternSubscriptions;
}

/** Sends all confirmations but the last, which becomes the reply. */
function confirmations(s: Session, replies: Reply[]): Reply {
  for (let i = 0; i < replies.length - 1; i++) s.push?.(replies[i]!);
  return replies[replies.length - 1]!;
}

function subscribeGeneric(ctx: CommandContext, argv: readonly string[], kind: SubscriptionKind): Reply {
  const s = ctx.session;
  const hub = ctx.engine.pubsub;
  const replies: Reply[] = [];
  for (let i = 1; i < argv.length; i++) {
    hub.subscribe(s, kind, argv[i]!);
    replies.push(push([NAMES[kind].sub, bulk(argv[i]!), int(countFor(s, kind))]));
  }
  return confirmations(s, replies);
}

function unsubscribeGeneric(ctx: CommandContext, argv: readonly string[], kind: SubscriptionKind): Reply {
  const s = ctx.session;
  const hub = ctx.engine.pubsub;
  const names = argv.length > 1 ? argv.slice(1) : hub.subscriptionsOf(s, kind);
  // Unsubscribing from everything while subscribed to nothing still answers once, with null.
  if (names.length === 0) return push([NAMES[kind].unsub, NULL, int(countFor(s, kind))]);
  const replies: Reply[] = [];
  for (const name of names) {
    hub.unsubscribe(s, kind, name);
    replies.push(push([NAMES[kind].unsub, bulk(name), int(countFor(s, kind))]));
  }
  return confirmations(s, replies);
}

function subscribe(ctx: CommandContext, argv: readonly string[]): Reply {
  return subscribeGeneric(ctx, argv, "channel");
}

function unsubscribe(ctx: CommandContext, argv: readonly string[]): Reply {
  return unsubscribeGeneric(ctx, argv, "channel");
}

function psubscribe(ctx: CommandContext, argv: readonly string[]): Reply {
  return subscribeGeneric(ctx, argv, "pattern");
}

function punsubscribe(ctx: CommandContext, argv: readonly string[]): Reply {
  return unsubscribeGeneric(ctx, argv, "pattern");
}

function ssubscribe(ctx: CommandContext, argv: readonly string[]): Reply {
  return subscribeGeneric(ctx, argv, "shard");
}

function sunsubscribe(ctx: CommandContext, argv: readonly string[]): Reply {
  return unsubscribeGeneric(ctx, argv, "shard");
}

function publish(ctx: CommandContext, argv: readonly string[]): Reply {
  return int(ctx.engine.pubsub.publish(argv[1]!, argv[2]!));
}

function spublish(ctx: CommandContext, argv: readonly string[]): Reply {
  return int(ctx.engine.pubsub.spublish(argv[1]!, argv[2]!));
}

/** `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try PUBSUB HELP.` */
function pubsubSyntax(argv: readonly string[]): Reply {
  return error(fmt(E.SUBCOMMAND_SYNTAX, argv[1]!, argv[0]!.toUpperCase()));
}

function pubsubChannelsGeneric(ctx: CommandContext, argv: readonly string[], kind: "channel" | "shard"): Reply {
  if (argv.length > 3) return pubsubSyntax(argv);
  return array(ctx.engine.pubsub.activeNames(kind, argv[2]).map((n) => bulk(n)));
}

function pubsubNumsubGeneric(ctx: CommandContext, argv: readonly string[], kind: "channel" | "shard"): Reply {
  const out: Reply[] = [];
  for (let i = 2; i < argv.length; i++) {
    out.push(bulk(argv[i]!), int(ctx.engine.pubsub.subscriberCount(kind, argv[i]!)));
  }
  // A flat array even in RESP3, as Valkey sends it.
  return array(out);
}

function pubsubChannels(ctx: CommandContext, argv: readonly string[]): Reply {
  return pubsubChannelsGeneric(ctx, argv, "channel");
}

function pubsubShardchannels(ctx: CommandContext, argv: readonly string[]): Reply {
  return pubsubChannelsGeneric(ctx, argv, "shard");
}

function pubsubNumsub(ctx: CommandContext, argv: readonly string[]): Reply {
  return pubsubNumsubGeneric(ctx, argv, "channel");
}

function pubsubShardnumsub(ctx: CommandContext, argv: readonly string[]): Reply {
  return pubsubNumsubGeneric(ctx, argv, "shard");
}

function pubsubNumpat(ctx: CommandContext): Reply {
  return int(ctx.engine.pubsub.patternCount);
}

const PUBSUB_HELP = [
  "CHANNELS [<pattern>]",
  "    List the channels that have subscribers, optionally only those matching a glob",
  "    <pattern> (default: '*').",
  "NUMPAT",
  "    Count the distinct patterns clients are subscribed to.",
  "NUMSUB [<channel> ...]",
  "    Count the subscribers of each channel, not counting pattern subscribers.",
  "SHARDCHANNELS [<pattern>]",
  "    List the shard channels that have subscribers, optionally only those matching",
  "    a glob <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Count the subscribers of each shard channel.",
];

function pubsubHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, PUBSUB_HELP);
}

const SUB_FLAGS = "pubsub noscript loading stale sentinel";
const SHARD_KEYS = [rangeKey(1, -1, 1, "NOT_KEY")];
const PUBSUB_SUB = "pubsub loading stale";

/** The pubsub group's table rows. */
export const PUBSUB_COMMANDS: readonly CommandSpec[] = [
  cmd("subscribe", "pubsub", -2, SUB_FLAGS, "", [], "2.0.0", subscribe, {
    kite: ["resp2-subscribed-ok", "no-http"],
    complexity: "O(N) where N is the number of channels to subscribe to.",
    summary: "Listens for messages published to channels.",
  }),
  cmd("unsubscribe", "pubsub", -1, SUB_FLAGS, "", [], "2.0.0", unsubscribe, {
    kite: ["resp2-subscribed-ok", "no-http"],
    complexity: "O(N) where N is the number of channels to unsubscribe.",
    summary: "Stops listening to some channels, or to all of them.",
  }),
  cmd("psubscribe", "pubsub", -2, SUB_FLAGS, "", [], "2.0.0", psubscribe, {
    kite: ["resp2-subscribed-ok", "no-http"],
    complexity: "O(N) where N is the number of patterns to subscribe to.",
    summary: "Listens for messages published to channels matching glob patterns.",
  }),
  cmd("punsubscribe", "pubsub", -1, SUB_FLAGS, "", [], "2.0.0", punsubscribe, {
    kite: ["resp2-subscribed-ok", "no-http"],
    complexity: "O(N) where N is the number of patterns to unsubscribe.",
    summary: "Stops listening to some patterns, or to all of them.",
  }),
  cmd("publish", "pubsub", 3, "pubsub loading stale fast may_replicate sentinel", "", [], "2.0.0", publish, {
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    summary: "Sends a message to a channel's subscribers; answers how many received it.",
  }),
  cmd("ssubscribe", "pubsub", -2, "pubsub noscript loading stale", "", SHARD_KEYS, "7.0.0", ssubscribe, {
    kite: ["resp2-subscribed-ok", "no-http"],
    complexity: "O(N) where N is the number of shard channels to subscribe to.",
    summary: "Listens for messages published to shard channels.",
  }),
  cmd("sunsubscribe", "pubsub", -1, "pubsub noscript loading stale", "", SHARD_KEYS, "7.0.0", sunsubscribe, {
    kite: ["resp2-subscribed-ok", "no-http"],
    complexity: "O(N) where N is the number of shard channels to unsubscribe.",
    summary: "Stops listening to some shard channels, or to all of them.",
  }),
  cmd(
    "spublish",
    "pubsub",
    3,
    "pubsub loading stale fast may_replicate",
    "",
    [rangeKey(1, 0, 1, "NOT_KEY")],
    "7.0.0",
    spublish,
    {
      complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
      summary: "Sends a message to a shard channel's subscribers; answers how many received it.",
    },
  ),
  cmd("pubsub", "pubsub", -2, "", "", [], "2.8.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Inspects the Pub/Sub state.",
    subcommands: [
      cmd("channels", "pubsub", -2, PUBSUB_SUB, "", [], "2.8.0", pubsubChannels, {
        complexity:
          "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        summary: "Lists the channels that have subscribers.",
      }),
      cmd("numsub", "pubsub", -2, PUBSUB_SUB, "", [], "2.8.0", pubsubNumsub, {
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        summary: "Counts the subscribers of channels.",
      }),
      cmd("numpat", "pubsub", 2, PUBSUB_SUB, "", [], "2.8.0", pubsubNumpat, {
        complexity: "O(1)",
        summary: "Counts the distinct subscribed patterns.",
      }),
      cmd("shardchannels", "pubsub", -2, PUBSUB_SUB, "", [], "7.0.0", pubsubShardchannels, {
        complexity:
          "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
        summary: "Lists the shard channels that have subscribers.",
      }),
      cmd("shardnumsub", "pubsub", -2, PUBSUB_SUB, "", [], "7.0.0", pubsubShardnumsub, {
        complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
        summary: "Counts the subscribers of shard channels.",
      }),
      cmd("help", "pubsub", 2, "loading stale", "", [], "6.2.0", pubsubHelp, {
        complexity: "O(1)",
        summary: "Lists the PUBSUB subcommands.",
      }),
    ],
  }),
];
