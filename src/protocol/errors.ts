/**
 * Exact Valkey error texts. These strings are protocol: clients and test suites match on them.
 * Every error reply a handler or the dispatcher produces comes from here.
 *
 * @module
 */
import { error, type Reply } from "./reply.ts";

/** Error texts as Valkey writes them (without the leading `-`). */
export const E = {
  SYNTAX: "ERR syntax error",
  NOT_INTEGER: "ERR value is not an integer or out of range",
  NOT_FLOAT: "ERR value is not a valid float",
  OVERFLOW: "ERR increment or decrement would overflow",
  INCR_NAN: "ERR increment would produce NaN or Infinity",
  WRONGTYPE: "WRONGTYPE Operation against a key holding the wrong kind of value",
  NO_SUCH_KEY: "ERR no such key",
  DB_INDEX: "ERR DB index is out of range",
  SAME_OBJECT: "ERR source and destination objects are the same",
  INVALID_EXPIRE: "ERR invalid expire time in '%s' command",
  STRING_TOO_LONG: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  BIT_OFFSET: "ERR bit offset is not an integer or out of range",
  BIT_VALUE: "ERR bit is not an integer or out of range",
  OFFSET_RANGE: "ERR offset is out of range",
  NOAUTH: "NOAUTH Authentication required.",
  NOPERM_COMMAND: "NOPERM User %s has no permissions to run the '%s' command",
  WRONGPASS: "WRONGPASS invalid username-password pair or user is disabled.",
  AUTH_NOPASS:
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  NOPROTO: "NOPROTO unsupported protocol version",
  TIMEOUT_NEGATIVE: "ERR timeout is negative",
  NO_MULTI: "ERR Command not allowed inside a transaction",
  CONFIG_UNKNOWN: "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
  XX_NX: "ERR XX and NX options at the same time are not compatible",
  GT_LT_NX: "ERR GT, LT, and/or NX options at the same time are not compatible",
  INVALID_CURSOR: "ERR invalid cursor",
  LCS_LEN_IDX: "ERR If you want both the length and indexes, please just use IDX.",
  UNSAFE_SWAPDB: "ERR invalid first DB index",
  INTERNAL: "ERR internal error",
  EXPIRE_NX_CONFLICT: "ERR NX and XX, GT or LT options at the same time are not compatible",
  EXPIRE_GT_LT: "ERR GT and LT options at the same time are not compatible",
  UNSUPPORTED_OPTION: "ERR Unsupported option %s",
  SWAPDB_SECOND: "ERR invalid second DB index",
  INT_RANGE: "ERR value is out of range, value must between %s and %s",
  UNKNOWN_TYPE_NAME: "ERR unknown type name '%s'",
  NOVALUES_HSCAN: "ERR NOVALUES option can only be used in HSCAN",
  NOSCORES_ZSCAN: "ERR NOSCORES option can only be used in ZSCAN",
  LFU_NOT_SELECTED:
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  LFU_SELECTED:
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  OOM: "OOM command not allowed when used memory > 'maxmemory'.",
  OOM_SCRIPT_FLAG: "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'",
  DECR_OVERFLOW: "ERR decrement would overflow",
  LCS_NOT_STRING: "ERR The specified keys must contain string values",
  LCS_MEMORY: "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
  BITPOS_BIT: "ERR The bit argument must be 1 or 0.",
  BITOP_NOT: "ERR BITOP NOT must be called with a single source key.",
  BITFIELD_TYPE: "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
  BITFIELD_OVERFLOW: "ERR Invalid OVERFLOW type specified",
  BITFIELD_RO: "ERR BITFIELD_RO only supports the GET subcommand",
  PROTECTED_COMMAND:
    'ERR %s command not allowed. If the %s option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  CLIENT_NAME: "ERR Client names cannot contain spaces, newlines or special characters.",
  CLIENT_ATTR: "ERR %s cannot contain spaces, newlines or special characters.",
  UNRECOGNIZED_OPTION: "ERR Unrecognized option '%s'",
  NO_SUCH_CLIENT: "ERR No such client",
  CLIENT_ID_POSITIVE: "ERR client-id should be greater than 0",
  MAXAGE_NOT_INT: "ERR maxage is not an integer or out of range",
  MAXAGE_POSITIVE: "ERR maxage should be greater than 0",
  UNKNOWN_CLIENT_TYPE: "ERR Unknown client type '%s'",
  NO_SUCH_USER: "ERR No such user '%s'",
  INVALID_CLIENT_ID: "ERR Invalid client ID",
  PROTO_NOT_INT: "ERR Protocol version is not an integer or out of range",
  HELLO_OPTION: "ERR Syntax error in HELLO option '%s'",
  HELLO_NOAUTH:
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
  CONFIG_FAILED: "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
  NO_CONFIG_FILE: "ERR The server is running without a config file",
  SLOWLOG_COUNT: "ERR count should be greater than or equal to -1",
  CLUSTER_DISABLED: "ERR This instance has cluster support disabled",
  FAILOVER_NO_REPLICAS: "ERR FAILOVER requires connected replicas.",
  FAILOVER_NOT_IN_PROGRESS: "ERR No failover in progress.",
  FAILOVER_TIMEOUT: "ERR FAILOVER timeout must be greater than 0",
  LATENCY_NO_SAMPLES: "ERR No samples available for event '%s'",
  REWRITE_FAILED: "ERR Rewriting config file: %s",
  DEBUG_SUBCOMMAND: "ERR unknown subcommand or wrong number of arguments for '%s'. Try DEBUG HELP.",
  NO_SHUTDOWN: "ERR No shutdown in progress.",
  SHUTDOWN_FAILED: "ERR Errors trying to SHUTDOWN. Check logs.",
  /** Kite's own: SHUTDOWN on an engine no server owns (embedded through mod.ts). */
  SHUTDOWN_NO_SERVER: "ERR SHUTDOWN is not available: no server owns this embedded engine",
  INVALID_COMMAND: "ERR Invalid command specified",
  INVALID_COMMAND_ARGS: "ERR Invalid arguments specified for command",
  INVALID_COMMAND_ARGC: "ERR Invalid number of arguments specified for command",
  NO_KEY_ARGS: "ERR The command has no key arguments",
  HASH_NOT_INTEGER: "ERR hash value is not an integer",
  HASH_NOT_FLOAT: "ERR hash value is not a float",
  NAN_OR_INFINITY: "ERR value is NaN or Infinity",
  OUT_OF_RANGE: "ERR value is out of range",
  OUT_OF_RANGE_POSITIVE: "ERR value is out of range, must be positive",
  NUMKEYS_POSITIVE: "ERR numkeys should be greater than 0",
  NUMKEYS_TOO_MANY: "ERR Number of keys can't be greater than number of args",
  LIMIT_NEGATIVE: "ERR LIMIT can't be negative",
  ZADD_INCR_PAIR: "ERR INCR option supports a single increment-element pair",
  ZSCORE_NAN: "ERR resulting score is not a number (NaN)",
  ZRANGE_NOT_FLOAT: "ERR min or max is not a float",
  ZRANGE_NOT_LEX: "ERR min or max not valid string range item",
  ZRANGE_LIMIT: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
  ZRANGE_WITHSCORES_BYLEX: "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
  ZSET_NO_INPUT_KEY: "ERR at least 1 input key is needed for '%s' command",
  ZSET_WEIGHT: "ERR weight value is not a float",
  ZSET_COUNT_POSITIVE: "ERR count should be greater than 0",
  BLOCK_TIMEOUT_NOT_FLOAT: "ERR timeout is not a float or out of range",
  BLOCK_TIMEOUT_RANGE: "ERR timeout is out of range",
  GEO_LONLAT: "ERR invalid longitude,latitude pair %s,%s",
  GEO_UNIT: "ERR unsupported unit provided. please use M, KM, FT, MI",
  GEO_RADIUS_NUMERIC: "ERR need numeric radius",
  GEO_RADIUS_NEGATIVE: "ERR radius cannot be negative",
  GEO_WIDTH_NUMERIC: "ERR need numeric width",
  GEO_HEIGHT_NUMERIC: "ERR need numeric height",
  GEO_BOX_NEGATIVE: "ERR height or width cannot be negative",
  GEO_MEMBER: "ERR could not decode requested zset member",
  GEO_COUNT: "ERR COUNT must be > 0",
  GEO_ANY: "ERR the ANY argument requires COUNT argument",
  GEO_STORE_OPTIONS: "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
  GEO_FROM: "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s",
  GEO_BY: "ERR exactly one of BYRADIUS and BYBOX can be specified for %s",
  HLL_WRONGTYPE: "WRONGTYPE Key is not a valid HyperLogLog string value.",
  HLL_INVALID: "INVALIDOBJ Corrupted HLL object detected",
  PFDEBUG_NO_KEY: "ERR The specified key does not exist",
  PFDEBUG_NOT_SPARSE: "ERR HLL encoding is not sparse",
  PFDEBUG_UNKNOWN: "ERR Unknown PFDEBUG subcommand '%s'",
  STREAM_INVALID_ID: "ERR Invalid stream ID specified as stream command argument",
  XADD_ID_TOO_SMALL: "ERR The ID specified in XADD is equal or smaller than the target stream top item",
  XADD_ID_ZERO: "ERR The ID specified in XADD must be greater than 0-0",
  XADD_EXHAUSTED: "ERR The stream has exhausted the last possible ID, unable to add more items",
  XADD_TOO_LARGE: "ERR Elements are too large to be stored",
  STREAM_MAXLEN_MINID: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
  STREAM_MAXLEN_NEGATIVE: "ERR The MAXLEN argument must be >= 0.",
  STREAM_LIMIT_NEGATIVE: "ERR The LIMIT argument must be >= 0.",
  STREAM_LIMIT_NO_STRATEGY: "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
  STREAM_LIMIT_NO_APPROX: "ERR syntax error, LIMIT cannot be used without the special ~ option",
  XTRIM_NO_STRATEGY: "ERR syntax error, XTRIM must be called with a trimming strategy",
  STREAM_START_INTERVAL: "ERR invalid start ID for the interval",
  STREAM_END_INTERVAL: "ERR invalid end ID for the interval",
  XREAD_UNBALANCED: "ERR Unbalanced '%s' list of streams: for each stream key an ID or '%s' must be specified.",
  XREAD_GROUP_ONLY: "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
  XREAD_BLOCK_SCRIPT: "ERR %s command is not allowed with BLOCK option from scripts",
  XREAD_NOACK_ONLY: "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
  XREADGROUP_NO_GROUP: "ERR Missing GROUP option for XREADGROUP",
  XREADGROUP_NOGROUP: "NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option",
  XREADGROUP_DOLLAR:
    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
  XREAD_GT: "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
  XGROUP_NO_KEY:
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
  XGROUP_NOGROUP: "NOGROUP No such consumer group '%s' for key name '%s'",
  XGROUP_BUSYGROUP: "BUSYGROUP Consumer Group name already exists",
  XGROUP_ENTRIESREAD: "ERR value for ENTRIESREAD must be positive or -1",
  STREAM_NOGROUP: "NOGROUP No such key '%s' or consumer group '%s'",
  XSETID_ENTRIES_ADDED: "ERR entries_added must be positive",
  XSETID_MAXDELETED_GT_ID: "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
  XSETID_LT_MAXDELETED: "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id",
  XSETID_LT_TOP: "ERR The ID specified in XSETID is smaller than the target stream top item",
  XSETID_ENTRIES_LT_LENGTH: "ERR The entries_added specified in XSETID is smaller than the target stream length",
  XCLAIM_MIN_IDLE: "ERR Invalid min-idle-time argument for XCLAIM",
  XCLAIM_IDLE: "ERR Invalid IDLE option argument for XCLAIM",
  XCLAIM_TIME: "ERR Invalid TIME option argument for XCLAIM",
  XCLAIM_RETRYCOUNT: "ERR Invalid RETRYCOUNT option argument for XCLAIM",
  XCLAIM_UNKNOWN_OPTION: "ERR Unrecognized XCLAIM option '%s'",
  XAUTOCLAIM_MIN_IDLE: "ERR Invalid min-idle-time argument for XAUTOCLAIM",
  XAUTOCLAIM_COUNT: "ERR COUNT must be > 0",
  XINFO_SYNTAX: "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
  TIMEOUT_NOT_INTEGER: "ERR timeout is not an integer or out of range",
  WAITAOF_NO_AOF: "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.",
  LIST_INDEX_RANGE: "ERR index out of range",
  LPOS_RANK_ZERO:
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  LPOS_COUNT_NEGATIVE: "ERR COUNT can't be negative",
  LPOS_MAXLEN_NEGATIVE: "ERR MAXLEN can't be negative",
  SORT_NOT_DOUBLE: "ERR One or more scores can't be converted into double",
  // Transactions, Pub/Sub, client tracking, CLIENT PAUSE, MONITOR.
  PUBSUB_CONTEXT:
    "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
  REPLICA_KEYSPACE: "ERR Replica can't interact with the keyspace",
  MONITOR_DENY_BLOCKING: "ERR MONITOR isn't allowed for DENY BLOCKING client",
  EXECABORT: "EXECABORT Transaction discarded because of previous errors.",
  EXECABORT_BECAUSE: "EXECABORT Transaction discarded because of: %s",
  EXEC_WITHOUT_MULTI: "ERR EXEC without MULTI",
  DISCARD_WITHOUT_MULTI: "ERR DISCARD without MULTI",
  TRACKING_REDIRECT_TWICE: "ERR A client can only redirect to a single other client",
  TRACKING_REDIRECT_MISSING: "ERR The client ID you want redirect to does not exist",
  TRACKING_PREFIX_NO_BCAST: "ERR PREFIX option requires BCAST mode to be enabled",
  TRACKING_BCAST_SWITCH:
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  TRACKING_BCAST_OPTIN: "ERR OPTIN and OPTOUT are not compatible with BCAST",
  TRACKING_OPTIN_OPTOUT: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  TRACKING_OPT_SWITCH:
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  TRACKING_PREFIX_EXISTING:
    "ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap.",
  TRACKING_PREFIX_OTHER:
    "ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.",
  CACHING_NOT_TRACKING:
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
  CACHING_YES_OPTIN: "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
  CACHING_NO_OPTOUT: "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
  PAUSE_MODE: "ERR CLIENT PAUSE mode must be WRITE or ALL",
  SUBCOMMAND_SYNTAX: "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
  MODULE_LOAD_FAILED: "ERR Error loading the extension. Please check the server logs.",
  MODULE_UNLOAD_NO_SUCH: "ERR Error unloading module: no such module with that name",
  MODULE_UNLOAD_DATATYPES:
    "ERR Error unloading module: the module exports one or more module-side data types, can't unload",
} as const;

/** Builds `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `. */
export function unknownCommand(name: string, args: readonly string[]): Reply {
  let msg = `ERR unknown command '${trimForError(name)}', with args beginning with: `;
  for (const a of args) msg += `'${trimForError(a)}' `;
  return error(msg);
}

/** Builds `ERR unknown subcommand '<sub>'. Try <CMD> HELP.` */
export function unknownSubcommand(container: string, sub: string): Reply {
  return error(
    `ERR unknown subcommand '${trimForError(sub)}'. Try ${container.toUpperCase()} HELP.`,
  );
}

/** Builds `ERR wrong number of arguments for '<name>' command` (`container|sub` for subcommands). */
export function wrongArity(name: string): Reply {
  return error(`ERR wrong number of arguments for '${name}' command`);
}

/** Replaces `%s` in one of the texts of {@link E}. */
export function fmt(text: string, ...args: string[]): string {
  let i = 0;
  return text.replace(/%s/g, () => args[i++] ?? "");
}

/** Valkey truncates user-supplied names in errors to 128 bytes and strips newlines. */
function trimForError(s: string): string {
  const cut = s.length > 128 ? s.slice(0, 128) : s;
  return cut.replace(/[\r\n]/g, " ");
}

/** Shared frozen error replies for the hottest errors. */
export const WRONGTYPE: Reply = Object.freeze(error(E.WRONGTYPE));
/** `ERR syntax error`. */
export const SYNTAX: Reply = Object.freeze(error(E.SYNTAX));
