/**
 * The cluster group. Kite runs as a standalone server (Valkey's `cluster-enabled no`), where
 * every CLUSTER subcommand and READONLY, READWRITE and ASKING answer "This instance has cluster
 * support disabled", while an unknown subcommand or a wrong arity still gets its usual error
 * (the dispatcher checks those first). Clients probe these to tell a cluster from a standalone
 * server (ioredis' Cluster refreshes its slot map with CLUSTER SLOTS), so the rows and the error
 * are Valkey's.
 *
 * @module
 */
import { error, type Reply } from "../protocol/reply.ts";
import { E } from "../protocol/errors.ts";
import { cmd, type CommandSpec } from "./spec.ts";

function disabled(): Reply {
  return error(E.CLUSTER_DISABLED);
}

/** The cluster group's specs. */
export const CLUSTER_COMMANDS: readonly CommandSpec[] = [
  cmd("cluster", "cluster", -2, "", "", [], "3.0.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Manages a cluster node (disabled: Kite is a standalone server).",
    subcommands: [
      cmd("addslots", "cluster", -3, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(N) where N is the total number of hash slot arguments",
        summary: "Assigns hash slots to this node.",
      }),
      cmd("addslotsrange", "cluster", -4, "no_async_loading admin stale", "", [], "7.0.0", disabled, {
        complexity: "O(N) where N is the total number of the slots between the start slot and end slot arguments.",
        summary: "Assigns ranges of hash slots to this node.",
      }),
      cmd("bumpepoch", "cluster", 2, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(1)",
        summary: "Advances this node's config epoch.",
      }),
      cmd("count-failure-reports", "cluster", 3, "admin stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the number of failure reports",
        summary: "Counts the failure reports about a node.",
      }),
      cmd("countkeysinslot", "cluster", 3, "stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Counts the keys in a hash slot.",
      }),
      cmd("delslots", "cluster", -3, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(N) where N is the total number of hash slot arguments",
        summary: "Unassigns hash slots from this node.",
      }),
      cmd("delslotsrange", "cluster", -4, "no_async_loading admin stale", "", [], "7.0.0", disabled, {
        complexity: "O(N) where N is the total number of the slots between the start slot and end slot arguments.",
        summary: "Unassigns ranges of hash slots from this node.",
      }),
      cmd("failover", "cluster", -2, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Makes this replica take over from its primary.",
      }),
      cmd("flushslots", "cluster", 2, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Unassigns every hash slot of this node.",
      }),
      cmd("forget", "cluster", 3, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Removes a node from this node's view of the cluster.",
      }),
      cmd("getkeysinslot", "cluster", 4, "stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the number of requested keys",
        summary: "Lists keys of a hash slot.",
      }),
      cmd("help", "cluster", 2, "loading stale", "", [], "5.0.0", disabled, {
        complexity: "O(1)",
        summary: "Lists the CLUSTER subcommands.",
      }),
      cmd("info", "cluster", 2, "loading stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(1)",
        summary: "Reports the cluster's state.",
      }),
      cmd("keyslot", "cluster", 3, "stale", "", [], "3.0.0", disabled, {
        complexity: "O(N) where N is the number of bytes in the key",
        summary: "Computes a key's hash slot.",
      }),
      cmd("links", "cluster", 2, "stale", "", [], "7.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the total number of Cluster nodes",
        summary: "Lists this node's bus links.",
      }),
      cmd("meet", "cluster", -4, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Joins another node into the cluster.",
      }),
      cmd("myid", "cluster", 2, "loading stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Returns this node's id.",
      }),
      cmd("myshardid", "cluster", 2, "loading stale", "", [], "7.2.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(1)",
        summary: "Returns this node's shard id.",
      }),
      cmd("nodes", "cluster", 2, "loading stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the total number of Cluster nodes",
        summary: "Returns the cluster configuration seen by this node.",
      }),
      cmd("replicas", "cluster", 3, "admin stale", "", [], "5.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the number of replicas.",
        summary: "Lists the replicas of a primary.",
      }),
      cmd("replicate", "cluster", 3, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Makes this node a replica of a primary.",
      }),
      cmd("reset", "cluster", -2, "admin stale noscript", "", [], "3.0.0", disabled, {
        complexity: "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.",
        summary: "Resets this node's cluster state.",
      }),
      cmd("saveconfig", "cluster", 2, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Writes the cluster configuration to disk.",
      }),
      cmd("set-config-epoch", "cluster", 3, "no_async_loading admin stale", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Sets the config epoch of a new node.",
      }),
      cmd("setslot", "cluster", -4, "no_async_loading admin stale may_replicate", "", [], "3.0.0", disabled, {
        complexity: "O(1)",
        summary: "Binds a hash slot to a node or migrates it.",
      }),
      cmd("shards", "cluster", 2, "loading stale", "", [], "7.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the total number of cluster nodes",
        summary: "Lists the cluster's shards.",
      }),
      cmd("slaves", "cluster", 3, "admin stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the number of replicas.",
        summary: "Lists the replicas of a primary (old name of REPLICAS).",
      }),
      cmd("slot-stats", "cluster", -4, "stale loading", "", [], "8.0.0", disabled, {
        tips: ["nondeterministic_output", "request_policy:all_shards"],
        complexity:
          "O(N) where N is the total number of slots based on arguments. O(N*log(N)) with ORDERBY subcommand.",
        summary: "Reports per-slot key counts, CPU time and network bytes.",
      }),
      cmd("slots", "cluster", 2, "loading stale", "", [], "3.0.0", disabled, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the total number of Cluster nodes",
        summary: "Lists the hash slot ranges and their nodes.",
      }),
    ],
  }),
  cmd("readonly", "cluster", 1, "fast loading stale", "connection", [], "3.0.0", disabled, {
    complexity: "O(1)",
    summary: "Lets a cluster replica serve reads on this connection.",
  }),
  cmd("readwrite", "cluster", 1, "fast loading stale", "connection", [], "3.0.0", disabled, {
    complexity: "O(1)",
    summary: "Ends READONLY on this connection.",
  }),
  cmd("asking", "cluster", 1, "fast", "connection", [], "3.0.0", disabled, {
    complexity: "O(1)",
    summary: "Lets the next command reach a slot being imported.",
  }),
];
