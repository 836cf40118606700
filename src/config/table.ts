/**
 * The configuration table: every parameter Kite supports, its type, default, bounds and
 * whether CONFIG SET may change it. One table serves the config file, CLI flags and CONFIG
 * GET/SET, so the three can never disagree.
 *
 * @module
 */

/** How a parameter's text is parsed and printed. */
export type ConfigType = "int" | "memory" | "bool" | "string" | "enum";

/** One configuration parameter. */
export interface ConfigParam {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly type: ConfigType;
  readonly default: string;
  readonly min?: number;
  readonly max?: number;
  /** Allowed values of an enum parameter. */
  readonly values?: readonly string[];
  /** False when only the config file or the command line may set it (Valkey's IMMUTABLE_CONFIG). */
  readonly mutable: boolean;
  /** Hidden from `CONFIG GET *`, as Valkey hides sensitive ones? (No: Valkey shows all.) */
  readonly sensitive?: boolean;
}

/** Kite's parameters. Defaults are Valkey 8's. */
export const CONFIG_PARAMS: readonly ConfigParam[] = [
  { name: "port", type: "int", default: "6379", min: 0, max: 65535, mutable: false },
  { name: "bind", type: "string", default: "127.0.0.1", mutable: false },
  { name: "unixsocket", type: "string", default: "", mutable: false },
  { name: "databases", type: "int", default: "16", min: 1, max: 1024 * 1024, mutable: false },
  { name: "requirepass", type: "string", default: "", mutable: true, sensitive: true },
  { name: "maxclients", type: "int", default: "10000", min: 1, max: 1_000_000, mutable: true },
  { name: "proto-max-bulk-len", type: "memory", default: "536870912", min: 1024 * 1024, max: 2 ** 53, mutable: true },
  {
    name: "client-query-buffer-limit",
    type: "memory",
    default: "1073741824",
    min: 1024 * 1024,
    max: 2 ** 53,
    mutable: true,
  },
  { name: "hz", type: "int", default: "10", min: 1, max: 500, mutable: true },
  { name: "maxmemory", type: "memory", default: "0", min: 0, max: 2 ** 53, mutable: true },
  {
    name: "maxmemory-policy",
    type: "enum",
    default: "noeviction",
    values: [
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "noeviction",
    ],
    mutable: true,
  },
  { name: "lfu-log-factor", type: "int", default: "10", min: 0, max: 2 ** 31 - 1, mutable: true },
  { name: "lfu-decay-time", type: "int", default: "1", min: 0, max: 2 ** 31 - 1, mutable: true },
  { name: "active-expire-effort", type: "int", default: "1", min: 1, max: 10, mutable: true },
  { name: "timeout", type: "int", default: "0", min: 0, max: 2 ** 31 - 1, mutable: true },
  { name: "tcp-keepalive", type: "int", default: "300", min: 0, max: 2 ** 31 - 1, mutable: true },
  {
    name: "loglevel",
    type: "enum",
    default: "notice",
    values: ["debug", "verbose", "notice", "warning", "nothing"],
    mutable: true,
  },
  { name: "enable-debug-command", type: "enum", default: "no", values: ["no", "yes", "local"], mutable: false },
  { name: "http-port", type: "int", default: "0", min: 0, max: 65535, mutable: false },
];
