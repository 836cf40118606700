/**
 * The INFO command's text, section by section, with Valkey 8.1's section names, field names and
 * formats. Only what Kite really measures is reported: a field Valkey prints about a subsystem
 * Kite does not have (RDB child processes, replication backlog, allocator fragmentation) is left
 * out rather than filled with a made-up number.
 *
 * @module
 */
import { formatPercentile } from "../config/table.ts";
import type { Engine } from "../engine/engine.ts";
import type { Command } from "../commands/spec.ts";
import { KITE_VERSION, REDIS_COMPAT_VERSION, VALKEY_VERSION } from "./version.ts";
import { lruClock } from "../keyspace/db.ts";
import { searchInfoSections } from "../search/info.ts";
import { moduleInfoLines } from "../commands/module.ts";
import { memoryOverhead } from "../commands/memory.ts";
import { scriptingOf } from "../scripting/scripting.ts";

/** Valkey's `bytesToHuman`: `100B`, `1.50K`, `2.00M`, ... with two decimals and 1024 steps. */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (let i = 0; i < units.length; i++) {
    if (d < 1024 || i === units.length - 1) return `${d.toFixed(2)}${units[i]}`;
    d /= 1024;
  }
  return `${n}B`;
}

/** The sections `INFO` (and `INFO default`) returns, in output order. */
const DEFAULT_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "module_list",
  "errorstats",
  "cluster",
  "keyspace",
] as const;

/** Every section Kite can produce, in Valkey's output order. */
const ALL_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "module_list",
  "commandstats",
  "errorstats",
  "latencystats",
  "cluster",
  "keyspace",
] as const;

type Section = (typeof ALL_SECTIONS)[number];

/**
 * Builds the INFO text for the requested section names (case-insensitive): none means
 * `default`; `all` is every section; `everything` and `modules` add the module sections (the
 * built-in valkey-search's `search_*`), which a module or section name also selects. Unknown
 * names are ignored, so an unknown-only request yields an empty string.
 */
export function infoText(engine: Engine, args: readonly string[], now: number): string {
  const wanted = new Set<string>();
  let all = false;
  let modules = false;
  if (args.length === 0) {
    for (const s of DEFAULT_SECTIONS) wanted.add(s);
  }
  for (const a of args) {
    const s = a.toLowerCase();
    if (s === "default") { for (const d of DEFAULT_SECTIONS) wanted.add(d); }
    else if (s === "all" || s === "everything") {
      all = true;
      if (s === "everything") modules = true;
    } else if (s === "modules") {
      wanted.add("module_list");
      modules = true;
    } else wanted.add(s);
  }
  const parts: string[] = [];
  for (const s of ALL_SECTIONS) {
    if (all || wanted.has(s)) parts.push(section(engine, s, now));
  }
  parts.push(...searchInfoSections(engine, modules ? undefined : wanted));
  return parts.join("\r\n");
}

function section(engine: Engine, name: Section, now: number): string {
  switch (name) {
    case "server":
      return serverSection(engine, now);
    case "clients":
      return clientsSection(engine, now);
    case "memory":
      return memorySection(engine);
    case "persistence":
      // Valkey's fields for a server that has never saved, forked or loaded: Kite writes no
      // RDB or AOF yet, so nothing is in progress, nothing failed and every count is 0.
      return lines("Persistence", [
        ["loading", 0],
        ["async_loading", 0],
        ["current_cow_peak", 0],
        ["current_cow_size", 0],
        ["current_cow_size_age", 0],
        ["current_fork_perc", "0.00"],
        ["current_save_keys_processed", 0],
        ["current_save_keys_total", 0],
        ["rdb_changes_since_last_save", engine.dirty],
        ["rdb_bgsave_in_progress", 0],
        ["rdb_last_save_time", engine.lastSave],
        ["rdb_last_bgsave_status", "ok"],
        ["rdb_last_bgsave_time_sec", -1],
        ["rdb_current_bgsave_time_sec", -1],
        ["rdb_saves", 0],
        ["rdb_last_cow_size", 0],
        ["rdb_last_load_keys_expired", 0],
        ["rdb_last_load_keys_loaded", 0],
        ["aof_enabled", engine.config.bool("appendonly") ? 1 : 0],
        ["aof_rewrite_in_progress", 0],
        ["aof_rewrite_scheduled", 0],
        ["aof_last_rewrite_time_sec", -1],
        ["aof_current_rewrite_time_sec", -1],
        ["aof_last_bgrewrite_status", "ok"],
        ["aof_rewrites", 0],
        ["aof_rewrites_consecutive_failures", 0],
        ["aof_last_write_status", "ok"],
        ["aof_last_cow_size", 0],
        ["module_fork_in_progress", 0],
        ["module_fork_last_cow_size", 0],
      ]);
    case "stats":
      return statsSection(engine);
    case "replication":
      // Kite is always a primary without replicas until replication exists: its replication
      // stream never started (offset 0, no backlog), as on a Valkey primary nobody replicates.
      return lines("Replication", [
        ["role", "master"],
        ["connected_slaves", 0],
        ["master_failover_state", "no-failover"],
        ["master_replid", engine.replId],
        ["master_replid2", "0".repeat(40)],
        ["master_repl_offset", 0],
        ["second_repl_offset", -1],
        ["repl_backlog_active", 0],
        ["repl_backlog_size", 1048576],
        ["repl_backlog_first_byte_offset", 0],
        ["repl_backlog_histlen", 0],
      ]);
    case "cpu": {
      const cpu = engine.process.cpu();
      // Kite forks no children, so their CPU time is truly zero.
      return lines("CPU", [
        ["used_cpu_sys", seconds(cpu.system)],
        ["used_cpu_user", seconds(cpu.user)],
        ["used_cpu_sys_children", "0.000000"],
        ["used_cpu_user_children", "0.000000"],
      ]);
    }
    case "module_list":
      return "# Modules\r\n" + moduleInfoLines();
    case "commandstats":
      return commandStats(engine);
    case "latencystats":
      return latencyStats(engine);
    case "errorstats": {
      const codes = [...engine.stats.errors.keys()].sort();
      return lines("Errorstats", codes.map((c) => [`errorstat_${safe(c)}`, `count=${engine.stats.errors.get(c)}`]));
    }
    case "cluster":
      return lines("Cluster", [["cluster_enabled", 0]]);
    case "keyspace":
      return keyspaceSection(engine, now);
  }
}

type Field = readonly [string, string | number];

function lines(title: string, fields: readonly Field[]): string {
  let out = `# ${title}\r\n`;
  for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  return out;
}

/** `%ld.%06ld` of a microsecond count. */
function seconds(us: number): string {
  const whole = Math.floor(us / 1_000_000);
  return `${whole}.${String(Math.floor(us - whole * 1_000_000)).padStart(6, "0")}`;
}

/** Valkey replaces characters that would break the `name:value` line format. */
function safe(s: string): string {
  return s.replace(/[#:\r\n]/g, "_");
}

function serverSection(engine: Engine, now: number): string {
  const compat = engine.config.bool("extended-redis-compatibility");
  const uptime = Math.floor((now - engine.startedAt) / 1000);
  const hz = engine.config.num("hz");
  return lines("Server", [
    ["redis_version", REDIS_COMPAT_VERSION],
    ["server_name", "valkey"],
    ["valkey_version", VALKEY_VERSION],
    ["valkey_release_stage", "ga"],
    ["kite_version", KITE_VERSION],
    ["kite_runtime", engine.process.runtime],
    [compat ? "redis_mode" : "server_mode", "standalone"],
    ["os", engine.process.os],
    ["arch_bits", engine.process.archBits],
    ["process_id", engine.process.pid],
    ["run_id", engine.runId],
    ["tcp_port", engine.config.num("port")],
    ["server_time_usec", now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", lruClock(now)],
    ["executable", engine.process.executable],
    ["config_file", engine.configFile ?? ""],
    // Kite runs every command on one thread and has no I/O threads.
    ["io_threads_active", 0],
    ["availability_zone", engine.config.get("availability-zone")],
  ]);
}

function clientsSection(engine: Engine, now: number): string {
  const pause = engine.pause;
  return lines("Clients", [
    ["connected_clients", engine.clients.size],
    // No cluster bus (Kite has no cluster mode).
    ["cluster_connections", 0],
    ["maxclients", engine.config.num("maxclients")],
    // Clients held by CLIENT PAUSE count as blocked, as in Valkey.
    ["blocked_clients", engine.blocking.count + pause.heldCount],
    ["tracking_clients", engine.tracking.clientCount],
    ["pubsub_clients", engine.pubsub.clientCount],
    ["watching_clients", engine.watches.watchingClients],
    ["clients_in_timeout_table", engine.blocking.timedCount],
    ["total_watched_keys", engine.watches.totalKeys],
    ["total_blocking_keys", engine.blocking.keyCount],
    ["paused_reason", pause.mode === undefined ? "none" : "client_pause"],
    ["paused_actions", pause.mode ?? "none"],
    ["paused_timeout_milliseconds", pause.remainingMs(now)],
  ]);
}

function memorySection(engine: Engine): string {
  // The overheads MEMORY STATS reports (O(databases + clients + cached scripts)); it also
  // reads the process and records the peak.
  const mh = memoryOverhead(engine);
  const used = mh.total;
  const peak = mh.peak;
  const total = engine.process.totalSystemMemory();
  const max = engine.config.num("maxmemory");
  const netUsage = used > mh.startup ? used - mh.startup : 1;
  const scripting = scriptingOf(engine);
  const vmEval = scripting.evalMemory;
  const vmFunctions = scripting.functionMemory;
  let libraryFunctions = 0;
  for (const lib of scripting.libraries.values()) libraryFunctions += lib.functions.size;
  const scriptsBytes = mh.luaCaches + mh.functionsCaches;
  return lines("Memory", [
    ["used_memory", used],
    ["used_memory_human", bytesToHuman(used)],
    ["used_memory_rss", mh.rss],
    ["used_memory_rss_human", bytesToHuman(mh.rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", bytesToHuman(peak)],
    ["used_memory_peak_perc", `${(peak > 0 ? (used * 100) / peak : 0).toFixed(2)}%`],
    ["used_memory_overhead", mh.overheadTotal],
    ["used_memory_startup", mh.startup],
    ["used_memory_dataset", mh.dataset],
    // Valkey computes the ratio in a C float before printing it with %.2f.
    ["used_memory_dataset_perc", `${Math.fround((mh.dataset * 100) / netUsage).toFixed(2)}%`],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    // The Lua states (0 until a script or library first needs one): `used_memory_lua` is
    // Valkey's older name of `used_memory_vm_eval`.
    ["used_memory_lua", vmEval],
    ["used_memory_vm_eval", vmEval],
    ["used_memory_lua_human", bytesToHuman(vmEval)],
    ["used_memory_scripts_eval", mh.luaCaches],
    ["number_of_cached_scripts", mh.scripts],
    ["number_of_functions", libraryFunctions],
    ["number_of_libraries", scripting.libraries.size],
    ["used_memory_vm_functions", vmFunctions],
    ["used_memory_vm_total", vmEval + vmFunctions],
    ["used_memory_vm_total_human", bytesToHuman(vmEval + vmFunctions)],
    ["used_memory_functions", mh.functionsCaches],
    ["used_memory_scripts", scriptsBytes],
    ["used_memory_scripts_human", bytesToHuman(scriptsBytes)],
    ["maxmemory", engine.config.get("maxmemory")],
    ["maxmemory_human", bytesToHuman(max)],
    ["maxmemory_policy", engine.config.get("maxmemory-policy")],
    // Valkey's ratio of the resident set to the memory it accounts as used. In a collected heap
    // it includes the collector's free room, so it sits well above 1 even without fragmentation.
    ["mem_fragmentation_ratio", (used > 0 ? mh.rss / used : 0).toFixed(2)],
    ["mem_fragmentation_bytes", mh.rss - used],
    // Valkey leaves replication and AOF buffers out of the maxmemory check; Kite has neither,
    // nor replicas, cluster links, defragmentation or a lazy-free thread.
    ["mem_not_counted_for_evict", 0],
    ["mem_replication_backlog", 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", mh.clientsNormal],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", engine.process.allocator],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ]);
}

function statsSection(engine: Engine): string {
  const s = engine.stats;
  const m = engine.metrics;
  const exceeded = engine.eviction.exceededMs();
  return lines("Stats", [
    ["total_connections_received", s.totalConnectionsReceived],
    ["total_commands_processed", s.totalCommandsProcessed],
    ["instantaneous_ops_per_sec", m.ops.value],
    ["total_net_input_bytes", s.netInputBytes],
    ["total_net_output_bytes", s.netOutputBytes],
    // No replication stream, fork, defragmentation, MIGRATE or RESTORE exists yet: their
    // counters are Valkey's for a server that never did any.
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", (m.netIn.value / 1024).toFixed(2)],
    ["instantaneous_output_kbps", (m.netOut.value / 1024).toFixed(2)],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", s.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", s.expiredKeys],
    ["expired_stale_perc", (s.expiredStalePerc * 100).toFixed(2)],
    ["expired_time_cap_reached_count", s.expiredTimeCapReachedCount],
    ["expire_cycle_cpu_milliseconds", Math.floor(s.expireCycleUs / 1000)],
    ["evicted_keys", engine.eviction.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", exceeded.total],
    ["current_eviction_exceeded_time", exceeded.current],
    ["keyspace_hits", s.keyspaceHits],
    ["keyspace_misses", s.keyspaceMisses],
    ["pubsub_channels", engine.pubsub.channelCount],
    ["pubsub_patterns", engine.pubsub.patternCount],
    ["pubsubshard_channels", engine.pubsub.shardChannelCount],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", engine.tracking.totalKeys],
    ["tracking_total_items", engine.tracking.totalItems],
    ["tracking_total_prefixes", engine.tracking.totalPrefixes],
    ["unexpected_error_replies", 0],
    ["total_error_replies", s.totalErrorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", s.readsProcessed],
    ["total_writes_processed", s.writesProcessed],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["client_query_buffer_limit_disconnections", s.queryBufferLimitDisconnections],
    ["client_output_buffer_limit_disconnections", s.outputBufferLimitDisconnections],
  ]);
}

function commandStats(engine: Engine): string {
  const fields: Field[] = [];
  const visit = (c: Command) => {
    const st = c.stats;
    if (st.calls > 0 || st.failedCalls > 0 || st.rejectedCalls > 0) {
      const usec = Math.floor(st.usec);
      const perCall = st.calls === 0 ? 0 : usec / st.calls;
      fields.push([
        `cmdstat_${safe(c.fullName)}`,
        `calls=${st.calls},usec=${usec},usec_per_call=${perCall.toFixed(2)},` +
        `rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`,
      ]);
    }
    if (c.subcommands) { for (const sub of c.subcommands.values()) visit(sub); }
  };
  for (const c of engine.registry.all()) visit(c);
  return lines("Commandstats", fields);
}

// Per-command percentiles of the latency histograms, in µs with three decimals, for the
// percentiles `latency-tracking-info-percentiles` lists (none: an empty value, as Valkey prints).
function latencyStats(engine: Engine): string {
  const ps = engine.config.get("latency-tracking-info-percentiles").split(" ").filter((p) => p !== "").map(Number);
  const fields: Field[] = [];
  for (const c of engine.registry.flat()) {
    const h = c.stats.histogram;
    if (h === undefined || h.total === 0) continue;
    const value = ps.map((p) => `p${formatPercentile(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`).join(",");
    fields.push([`latency_percentiles_usec_${safe(c.fullName)}`, value]);
  }
  return lines("Latencystats", fields);
}

// Past this many volatile keys the average TTL is estimated from the first ones reached, so
// INFO stays cheap on huge databases (Valkey's avg_ttl is a sampled estimate too).
const AVG_TTL_SAMPLE = 10_000;

function keyspaceSection(engine: Engine, now: number): string {
  const fields: Field[] = [];
  for (const db of engine.dbs) {
    const keys = db.size;
    const expires = db.expires.size;
    if (keys === 0 && expires === 0) continue;
    let sum = 0;
    let n = 0;
    let seen = 0;
    for (const at of db.expires.values()) {
      if (++seen > AVG_TTL_SAMPLE) break;
      const ttl = at - now;
      if (ttl > 0) {
        sum += ttl;
        n++;
      }
    }
    fields.push([`db${db.id}`, `keys=${keys},expires=${expires},avg_ttl=${n > 0 ? Math.floor(sum / n) : 0}`]);
  }
  return lines("Keyspace", fields);
}

/**
 * CONFIG RESETSTAT: zeroes the server counters, every command's statistics, the error table and
 * the instantaneous metrics, as Valkey's `resetServerStats`, `resetCommandTableStats` and
 * `resetErrorTableStats` do.
 */
export function resetServerStats(engine: Engine): void {
  const s = engine.stats;
  s.totalCommandsProcessed = 0;
  s.totalConnectionsReceived = 0;
  s.rejectedConnections = 0;
  s.totalErrorReplies = 0;
  s.netInputBytes = 0;
  s.netOutputBytes = 0;
  s.outputBufferLimitDisconnections = 0;
  s.readsProcessed = 0;
  s.queryBufferLimitDisconnections = 0;
  s.writesProcessed = 0;
  s.expireCycleUs = 0;
  s.keyspaceHits = 0;
  s.keyspaceMisses = 0;
  s.expiredKeys = 0;
  s.expiredStalePerc = 0;
  s.expiredTimeCapReachedCount = 0;
  engine.eviction.resetStats();
  s.errors.clear();
  s.resetAt = engine.clock.now();
  for (const c of engine.registry.flat()) {
    c.stats.calls = 0;
    c.stats.usec = 0;
    c.stats.histogram = undefined;
    c.stats.rejectedCalls = 0;
    c.stats.failedCalls = 0;
  }
  engine.metrics.reset();
}
