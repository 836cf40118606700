/**
 * Every command group's specs, in one list for the registry.
 *
 * @module
 */
import type { CommandSpec } from "./spec.ts";
import { STRING_COMMANDS } from "./string.ts";
import { BITMAP_COMMANDS } from "./bitmap.ts";
import { GENERIC_COMMANDS } from "./generic.ts";
import { CONNECTION_COMMANDS } from "./connection.ts";
import { SERVER_COMMANDS } from "./server.ts";
import { DATABASE_COMMANDS } from "./databases.ts";
import { HASH_COMMANDS } from "./hash.ts";
import { SET_COMMANDS } from "./set.ts";
import { ZSET_COMMANDS } from "./zset.ts";
import { GEO_COMMANDS } from "./geo.ts";
import { LIST_COMMANDS } from "./list.ts";
import { SORT_COMMANDS } from "./sort.ts";
import { HYPERLOGLOG_COMMANDS } from "./hyperloglog.ts";
import { STREAM_COMMANDS } from "./stream.ts";
import { SCRIPTING_COMMANDS } from "./scripting.ts";
import { TRANSACTION_COMMANDS } from "./transactions.ts";
import { PUBSUB_COMMANDS } from "./pubsub.ts";
import { MONITOR_COMMANDS } from "./monitor.ts";
import { SEARCH_COMMANDS } from "./search.ts";
import { MEMORY_COMMANDS } from "./memory.ts";
import { MODULE_COMMANDS } from "./module.ts";
import { CLUSTER_COMMANDS } from "./cluster.ts";

/** The whole command table. */
export const ALL_COMMANDS: readonly CommandSpec[] = [
  ...STRING_COMMANDS,
  ...BITMAP_COMMANDS,
  ...GENERIC_COMMANDS,
  ...CONNECTION_COMMANDS,
  ...SERVER_COMMANDS,
  ...DATABASE_COMMANDS,
  ...HASH_COMMANDS,
  ...SET_COMMANDS,
  ...ZSET_COMMANDS,
  ...GEO_COMMANDS,
  ...LIST_COMMANDS,
  ...SORT_COMMANDS,
  ...HYPERLOGLOG_COMMANDS,
  ...STREAM_COMMANDS,
  ...SCRIPTING_COMMANDS,
  ...TRANSACTION_COMMANDS,
  ...PUBSUB_COMMANDS,
  ...MONITOR_COMMANDS,
  ...SEARCH_COMMANDS,
  ...MEMORY_COMMANDS,
  ...MODULE_COMMANDS,
  ...CLUSTER_COMMANDS,
];
