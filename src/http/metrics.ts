/**
 * `GET /metrics`: the engine's statistics in the Prometheus text exposition format (version
 * 0.0.4), the same counters INFO reports: commands, keyspace hits and misses, clients, memory,
 * keys per database, per-command calls and time, error codes, and the gateway's own requests.
 *
 * @module
 */
import type { Engine } from "../engine/engine.ts";
import { KITE_VERSION } from "../observability/version.ts";

/** Requests the gateway answered: endpoint -> status -> count (kept by the gateway). */
export type RequestCounts = Map<string, Map<number, number>>;

/** Escapes a label value (backslash, double quote, newline), as the format requires. */
function label(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : "\\" + c));
}

/** Builds the exposition text. */
export function metricsText(engine: Engine, requests: RequestCounts): string {
  const out: string[] = [];
  const metric = (name: string, type: "counter" | "gauge", help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) out.push(`${name}${labels} ${Number.isFinite(v) ? v : 0}`);
  };
  const s = engine.stats;
  const now = engine.clock.now();
  metric("kite_info", "gauge", "Kite version and runtime.", [[
    `{version="${label(KITE_VERSION)}",runtime="${label(engine.process.runtime)}",run_id="${engine.runId}"}`,
    1,
  ]]);
  metric("kite_uptime_seconds", "gauge", "Seconds since the engine started.", [[
    "",
    Math.floor((now - engine.startedAt) / 1000),
  ]]);
  metric("kite_commands_processed_total", "counter", "Commands processed, rejected ones included.", [[
    "",
    s.totalCommandsProcessed,
  ]]);
  metric("kite_instantaneous_ops_per_second", "gauge", "Commands per second over the last samples.", [[
    "",
    engine.metrics.ops.value,
  ]]);
  metric("kite_keyspace_hits_total", "counter", "Key lookups that found the key.", [["", s.keyspaceHits]]);
  metric("kite_keyspace_misses_total", "counter", "Key lookups that did not find the key.", [["", s.keyspaceMisses]]);
  metric("kite_expired_keys_total", "counter", "Keys removed because they expired.", [["", s.expiredKeys]]);
  metric("kite_error_replies_total", "counter", "Error replies sent.", [["", s.totalErrorReplies]]);
  metric(
    "kite_errors_total",
    "counter",
    "Error replies by error code.",
    [...s.errors].map(([code, n]) => [`{code="${label(code)}"}`, n]),
  );
  const via = new Map<string, number>([["resp", 0], ["http", 0], ["embedded", 0]]);
  for (const c of engine.clients.values()) via.set(c.via, (via.get(c.via) ?? 0) + 1);
  metric(
    "kite_connected_clients",
    "gauge",
    "Open sessions by transport (HTTP sessions live for one request or stream).",
    [...via].map(([k, n]) => [`{via="${k}"}`, n]),
  );
  metric("kite_blocked_clients", "gauge", "Clients waiting in a blocking command.", [["", engine.blocking.count]]);
  metric("kite_connections_received_total", "counter", "RESP connections accepted.", [[
    "",
    s.totalConnectionsReceived,
  ]]);
  metric("kite_rejected_connections_total", "counter", "RESP connections refused (maxclients).", [[
    "",
    s.rejectedConnections,
  ]]);
  metric("kite_net_input_bytes_total", "counter", "Bytes read from RESP clients.", [["", s.netInputBytes]]);
  metric("kite_net_output_bytes_total", "counter", "Bytes written to RESP clients.", [["", s.netOutputBytes]]);
  const mem = engine.process.memory();
  engine.metrics.notePeak(mem.used);
  metric("kite_memory_used_bytes", "gauge", "Memory used by the data set and the engine.", [["", mem.used]]);
  metric("kite_memory_rss_bytes", "gauge", "Resident set size of the process.", [["", mem.rss]]);
  metric("kite_memory_peak_bytes", "gauge", "Highest memory used seen.", [["", engine.metrics.peakMemory]]);
  metric("kite_changes_since_last_save", "gauge", "Writes since the last save.", [["", engine.dirty]]);
  const keys: [string, number][] = [];
  const expiring: [string, number][] = [];
  for (const db of engine.dbs) {
    if (db.size === 0 && db.expires.size === 0) continue;
    keys.push([`{db="${db.id}"}`, db.size]);
    expiring.push([`{db="${db.id}"}`, db.expires.size]);
  }
  metric("kite_db_keys", "gauge", "Keys per database (empty databases omitted).", keys);
  metric("kite_db_keys_expiring", "gauge", "Keys with a time to live per database.", expiring);
  const calls: [string, number][] = [];
  const usec: [string, number][] = [];
  const failed: [string, number][] = [];
  const rejected: [string, number][] = [];
  for (const cmd of engine.registry.flat()) {
    const st = cmd.stats;
    if (st.calls === 0 && st.rejectedCalls === 0 && st.failedCalls === 0) continue;
    const l = `{cmd="${label(cmd.fullName)}"}`;
    calls.push([l, st.calls]);
    usec.push([l, st.usec / 1e6]);
    failed.push([l, st.failedCalls]);
    rejected.push([l, st.rejectedCalls]);
  }
  metric("kite_command_calls_total", "counter", "Calls per command.", calls);
  metric("kite_command_duration_seconds_total", "counter", "Time spent in each command.", usec);
  metric("kite_command_failed_calls_total", "counter", "Calls that answered an error.", failed);
  metric("kite_command_rejected_calls_total", "counter", "Calls refused before running.", rejected);
  metric(
    "kite_http_requests_total",
    "counter",
    "Gateway requests by endpoint and status.",
    [...requests].flatMap(([endpoint, byStatus]) =>
      [...byStatus].map(([status, n]): [string, number] => [`{endpoint="${label(endpoint)}",status="${status}"}`, n])
    ),
  );
  return out.join("\n") + "\n";
}
