import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { engineWithProcess, makeEngine, type Plain, type TestEngine } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

/** Parses INFO text into section name -> field -> value. */
function parseInfo(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of text.split("\r\n")) {
    if (line === "") continue;
    if (line.startsWith("# ")) {
      current = new Map();
      out.set(line.slice(2), current);
      continue;
    }
    const colon = line.indexOf(":");
    assert.ok(colon > 0, `malformed INFO line ${JSON.stringify(line)}`);
    assert.ok(current, "field before any section");
    current.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

function info(t: TestEngine, ...sections: string[]): Map<string, Map<string, string>> {
  const text = t.exec("INFO", ...sections);
  assert.equal(typeof text, "string");
  return parseInfo(text as string);
}

describe("INFO", () => {
  it("returns the default sections, verbatim, each parseable as name:value lines", () => {
    const t = engineWithProcess();
    assert.equal((t.raw("INFO") as Reply).t, "verbatim");
    const text = t.exec("INFO") as string;
    assert.ok(text.startsWith("# Server\r\n"));
    assert.ok(text.endsWith("\r\n"));
    assert.ok(text.includes("\r\n\r\n# Clients\r\n"), "sections are separated by a blank line");
    assert.deepEqual([...parseInfo(text).keys()], [
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "CPU",
      "Modules",
      "Errorstats",
      "Cluster",
      "Keyspace",
    ]);
  });
  it("reports the Server section with Valkey 8.1's names and Kite's version", () => {
    const t = engineWithProcess({ config: { port: "7777", hz: "20" } });
    t.clock.advance(90_061_000);
    t.engine.syncClock();
    const s = info(t, "server").get("Server")!;
    assert.equal(s.get("redis_version"), "7.2.4");
    assert.equal(s.get("server_name"), "valkey");
    assert.equal(s.get("valkey_version"), "8.1.1");
    assert.match(s.get("kite_version")!, /^\d+\.\d+\.\d+/);
    assert.equal(s.get("server_mode"), "standalone");
    assert.equal(s.has("redis_mode"), false);
    assert.match(s.get("run_id")!, /^[0-9a-f]{40}$/);
    assert.equal(s.get("tcp_port"), "7777");
    assert.equal(s.get("uptime_in_seconds"), "90061");
    assert.equal(s.get("uptime_in_days"), "1");
    assert.equal(s.get("hz"), "20");
    assert.equal(s.get("process_id"), "4242");
    assert.equal(s.get("executable"), "/opt/kite/kite-server");
    assert.equal(s.get("os"), "Linux 6.1.0 x86_64");
    assert.equal(s.get("arch_bits"), "64");
    assert.equal(s.get("config_file"), "");
    assert.equal(s.get("server_time_usec"), String(t.clock.now() * 1000));
  });
  it("gives each engine its own run id", () => {
    const a = info(engineWithProcess(), "server").get("Server")!.get("run_id");
    const b = makeEngine({ random: () => 0.5 });
    assert.notEqual(info(b, "server").get("Server")!.get("run_id"), a);
  });
  it("names redis_mode under extended-redis-compatibility", () => {
    const t = engineWithProcess({ config: { "extended-redis-compatibility": "yes" } });
    assert.equal(info(t, "server").get("Server")!.get("redis_mode"), "standalone");
  });
  it("counts clients and reports maxclients", () => {
    const t = engineWithProcess({ config: { maxclients: "50" } });
    t.engine.openSession();
    const c = info(t, "clients").get("Clients")!;
    assert.equal(c.get("connected_clients"), "2");
    assert.equal(c.get("maxclients"), "50");
    assert.equal(c.get("blocked_clients"), "0");
    assert.equal(c.get("cluster_connections"), "0");
  });
  it("counts blocked clients with a timeout in clients_in_timeout_table", () => {
    const t = engineWithProcess();
    t.engine.dispatch(t.engine.openSession(), ["BLPOP", "q", "5"], () => {});
    t.engine.dispatch(t.engine.openSession(), ["BLPOP", "q", "0"], () => {});
    const c = info(t, "clients").get("Clients")!;
    assert.equal(c.get("blocked_clients"), "2");
    assert.equal(c.get("clients_in_timeout_table"), "1");
  });
  it("reports memory from the process, its peak and the maxmemory settings", () => {
    const t = engineWithProcess({ config: { maxmemory: "100mb", "maxmemory-policy": "allkeys-lru" } });
    let m = info(t, "memory").get("Memory")!;
    assert.equal(m.get("used_memory"), "1500000");
    assert.equal(m.get("used_memory_human"), "1.43M");
    assert.equal(m.get("used_memory_rss"), String(4 * 1024 * 1024));
    assert.equal(m.get("used_memory_rss_human"), "4.00M");
    assert.equal(m.get("maxmemory"), "104857600");
    assert.equal(m.get("maxmemory_human"), "100.00M");
    // rss 4 MiB over 1,500,000 bytes used.
    assert.equal(m.get("mem_fragmentation_ratio"), "2.80");
    assert.equal(m.get("mem_fragmentation_bytes"), String(4 * 1024 * 1024 - 1_500_000));
    assert.equal(m.get("mem_replication_backlog"), "0");
    assert.equal(m.get("maxmemory_policy"), "allkeys-lru");
    assert.equal(m.get("total_system_memory_human"), "8.00G");
    t.proc.used = 1000;
    m = info(t, "memory").get("Memory")!;
    assert.equal(m.get("used_memory"), "1000");
    assert.equal(m.get("used_memory_human"), "1000B");
    assert.equal(m.get("used_memory_peak"), "1500000");
  });
  it("prints Valkey's memory fields in Valkey's order, startup, overhead and dataset included", () => {
    const t = engineWithProcess();
    t.proc.used = 9_500_000;
    const m = info(t, "memory").get("Memory")!;
    assert.deepEqual([...m.keys()], [
      "used_memory",
      "used_memory_human",
      "used_memory_rss",
      "used_memory_rss_human",
      "used_memory_peak",
      "used_memory_peak_human",
      "used_memory_peak_perc",
      "used_memory_overhead",
      "used_memory_startup",
      "used_memory_dataset",
      "used_memory_dataset_perc",
      "total_system_memory",
      "total_system_memory_human",
      "used_memory_lua",
      "used_memory_vm_eval",
      "used_memory_lua_human",
      "used_memory_scripts_eval",
      "number_of_cached_scripts",
      "number_of_functions",
      "number_of_libraries",
      "used_memory_vm_functions",
      "used_memory_vm_total",
      "used_memory_vm_total_human",
      "used_memory_functions",
      "used_memory_scripts",
      "used_memory_scripts_human",
      "maxmemory",
      "maxmemory_human",
      "maxmemory_policy",
      "mem_fragmentation_ratio",
      "mem_fragmentation_bytes",
      "mem_not_counted_for_evict",
      "mem_replication_backlog",
      "mem_total_replication_buffers",
      "mem_clients_slaves",
      "mem_clients_normal",
      "mem_cluster_links",
      "mem_aof_buffer",
      "mem_allocator",
      "active_defrag_running",
      "lazyfree_pending_objects",
      "lazyfreed_objects",
    ]);
    // The process used 1.5 MB when the engine was built.
    assert.equal(m.get("used_memory_startup"), "1500000");
    const overhead = Number(m.get("used_memory_overhead"));
    assert.ok(overhead >= 1_500_000 && overhead < 1_600_000, String(overhead));
    assert.equal(Number(m.get("used_memory_dataset")), 9_500_000 - overhead);
    const perc = ((9_500_000 - overhead) * 100) / 8_000_000;
    assert.equal(m.get("used_memory_dataset_perc"), `${Math.fround(perc).toFixed(2)}%`);
    assert.equal(m.get("used_memory_vm_eval"), "0", "no Lua state before the first script");
  });

  it("reports the Lua states' memory after EVAL and FUNCTION LOAD", () => {
    const t = engineWithProcess();
    t.exec("EVAL", "local t = {} for i = 1, 1000 do t[i] = i end return #t", 0);
    let m = info(t, "memory").get("Memory")!;
    const vmEval = Number(m.get("used_memory_vm_eval"));
    assert.ok(vmEval > 10_000, `a Lua state with its libraries uses tens of KB: ${vmEval}`);
    assert.equal(m.get("used_memory_lua"), String(vmEval));
    assert.equal(m.get("used_memory_vm_functions"), "0");
    assert.equal(m.get("number_of_cached_scripts"), "1");
    assert.ok(Number(m.get("used_memory_scripts_eval")) > 0);
    t.exec("FUNCTION", "LOAD", "#!lua name=lib\nserver.register_function('f', function() return 1 end)");
    m = info(t, "memory").get("Memory")!;
    const vmFunctions = Number(m.get("used_memory_vm_functions"));
    assert.ok(vmFunctions > 10_000, String(vmFunctions));
    assert.equal(m.get("used_memory_vm_total"), String(Number(m.get("used_memory_vm_eval")) + vmFunctions));
    assert.equal(m.get("number_of_functions"), "1");
    assert.equal(m.get("number_of_libraries"), "1");
    assert.equal(
      Number(m.get("used_memory_scripts")),
      Number(m.get("used_memory_scripts_eval")) + Number(m.get("used_memory_functions")),
    );
    // The figure is the state's own: scripts can read it too, and INFO works inside a script.
    const inScript = t.exec("EVAL", "return redis.call('INFO', 'memory')", 0) as string;
    assert.match(inScript, /\r\nused_memory_vm_eval:\d+\r\n/);
  });

  it("reports command, connection, keyspace and error counters in Stats", () => {
    const t = engineWithProcess();
    t.exec("SET", "k", "v");
    t.exec("GET", "k");
    t.exec("GET", "missing");
    t.exec("NOPE");
    const s = info(t, "stats").get("Stats")!;
    assert.equal(s.get("total_commands_processed"), "4");
    assert.equal(s.get("keyspace_hits"), "1");
    assert.equal(s.get("keyspace_misses"), "1");
    assert.equal(s.get("total_error_replies"), "1");
    assert.equal(s.get("instantaneous_ops_per_sec"), "0");
    assert.equal(s.get("total_connections_received"), "0");
  });
  it("computes instantaneous_ops_per_sec from the samples the cron takes", () => {
    const t = engineWithProcess();
    t.advance(100);
    for (let round = 0; round < 16; round++) {
      for (let i = 0; i < 50; i++) t.exec("PING");
      t.advance(100);
    }
    // 50 commands every 100 ms, over the whole 16-sample window.
    assert.equal(info(t, "stats").get("Stats")!.get("instantaneous_ops_per_sec"), "500");
  });
  it("reports persistence honestly and the primary role", () => {
    const t = engineWithProcess();
    t.exec("SET", "a", "1");
    const p = info(t, "persistence").get("Persistence")!;
    assert.equal(p.get("loading"), "0");
    assert.equal(p.get("rdb_changes_since_last_save"), "1");
    assert.equal(p.get("rdb_last_save_time"), String(t.exec("LASTSAVE")));
    assert.equal(p.get("aof_enabled"), "0");
    assert.equal(p.get("rdb_last_bgsave_status"), "ok");
    assert.equal(p.get("rdb_saves"), "0");
    assert.equal(p.get("aof_last_write_status"), "ok");
    const r = info(t, "replication").get("Replication")!;
    assert.equal(r.get("role"), "master");
    assert.equal(r.get("connected_slaves"), "0");
    assert.match(r.get("master_replid")!, /^[0-9a-f]{40}$/);
    assert.notEqual(r.get("master_replid"), info(t, "server").get("Server")!.get("run_id"));
    assert.equal(r.get("master_repl_offset"), "0");
    assert.equal(r.get("repl_backlog_active"), "0");
  });
  it("reports CPU time from the process as seconds with six decimals", () => {
    const t = engineWithProcess();
    const c = info(t, "cpu").get("CPU")!;
    assert.equal(c.get("used_cpu_user"), "1.250000");
    assert.equal(c.get("used_cpu_sys"), "0.000500");
    assert.equal(c.get("used_cpu_sys_children"), "0.000000");
  });
  it("lists keys, volatile keys and the average TTL per database", () => {
    const t = engineWithProcess();
    t.exec("SET", "a", "1");
    t.exec("SET", "b", "2");
    t.exec("PEXPIRE", "a", "10000");
    t.exec("PEXPIRE", "b", "20000");
    t.exec("SET", "c", "3");
    t.engine.dbs[3]!.set("x", "y", t.clock.now());
    const k = info(t, "keyspace").get("Keyspace")!;
    assert.equal(k.get("db0"), "keys=3,expires=2,avg_ttl=15000");
    assert.equal(k.get("db3"), "keys=1,expires=0,avg_ttl=0");
    assert.equal(k.has("db1"), false);
  });
  it("reports per-command statistics in commandstats, subcommands by full name", () => {
    const t = engineWithProcess();
    t.exec("SET", "k", "v");
    t.exec("SET", "k", "v");
    t.exec("GET");
    t.exec("CONFIG", "GET", "hz");
    const cs = info(t, "commandstats").get("Commandstats")!;
    assert.equal(cs.get("cmdstat_set"), "calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
    assert.equal(cs.get("cmdstat_get"), "calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
    assert.match(
      cs.get("cmdstat_config|get")!,
      /^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/,
    );
    assert.equal(cs.has("cmdstat_ping"), false);
  });
  it("counts error replies by code in errorstats", () => {
    const t = engineWithProcess();
    t.exec("NOPE");
    t.exec("HELLO", "9");
    t.exec("HELLO", "9");
    const e = info(t, "errorstats").get("Errorstats")!;
    assert.equal(e.get("errorstat_ERR"), "count=1");
    assert.equal(e.get("errorstat_NOPROTO"), "count=2");
  });
  it("selects sections case-insensitively; all adds commandstats, unknown names add nothing", () => {
    const t = engineWithProcess();
    t.exec("PING");
    assert.deepEqual([...info(t, "CPU", "keyspace").keys()], ["CPU", "Keyspace"]);
    assert.equal(info(t, "all").has("Commandstats"), true);
    assert.equal(info(t, "everything").has("Commandstats"), true);
    assert.equal(info(t).has("Commandstats"), false);
    assert.equal(info(t, "default").has("Commandstats"), false);
    assert.deepEqual([...info(t, "default", "commandstats").keys()].length, 12);
    assert.equal(t.exec("INFO", "nosuchsection"), "");
  });
});

describe("CONFIG GET", () => {
  it("returns a map of the matching parameters", () => {
    const t = makeEngine();
    const r = t.raw("CONFIG", "GET", "maxmemory") as Reply;
    assert.equal(r.t, "map");
    assert.deepEqual(t.exec("CONFIG", "GET", "maxmemory"), ["maxmemory", "0"]);
  });
  it("matches globs case-insensitively, names and aliases alike", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "GET", "LIST-MAX-*"), [
      "list-max-listpack-size",
      "-2",
      "list-max-ziplist-size",
      "-2",
    ]);
    const all = t.exec("CONFIG", "GET", "*") as string[];
    for (const name of ["save", "appendonly", "maxmemory-policy", "timeout", "hz", "databases", "port", "bind"]) {
      assert.ok(all.includes(name), name);
    }
  });
  it("answers an exact name under the spelling asked for, once per parameter", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "GET", "HZ", "hz", "maxmemory"), ["HZ", "10", "maxmemory", "0"]);
    assert.deepEqual(t.exec("CONFIG", "GET", "nosuch"), []);
  });
  it("reports the persistence Kite really has", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "GET", "save"), ["save", ""]);
    assert.deepEqual(t.exec("CONFIG", "GET", "appendonly"), ["appendonly", "no"]);
  });
});

describe("CONFIG SET", () => {
  it("sets values that CONFIG GET then returns in canonical form", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "maxmemory", "1gb"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "maxmemory"), ["maxmemory", "1073741824"]);
    assert.equal(t.exec("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "maxmemory-policy"), ["maxmemory-policy", "allkeys-lru"]);
    assert.equal(t.exec("CONFIG", "SET", "notify-keyspace-events", "KEA"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "notify-keyspace-events"), ["notify-keyspace-events", "AKE"]);
    assert.equal(t.exec("CONFIG", "SET", "list-max-ziplist-size", "5"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "list-max-listpack-size"), ["list-max-listpack-size", "5"]);
    assert.equal(t.exec("CONFIG", "SET", "lazyfree-lazy-user-del", "NO"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "lazyfree-lazy-user-del"), ["lazyfree-lazy-user-del", "no"]);
  });
  it("sets several parameters at once", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "timeout", "30", "maxclients", "99"), "OK");
    assert.deepEqual(t.exec("CONFIG", "GET", "timeout", "maxclients"), ["timeout", "30", "maxclients", "99"]);
  });
  it("is atomic: one bad value leaves every parameter unchanged", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "SET", "timeout", "30", "maxmemory", "lots"), {
      error: "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    });
    assert.deepEqual(t.exec("CONFIG", "GET", "timeout"), ["timeout", "0"]);
  });
  it("rejects unknown names, immutable and duplicate parameters with Valkey's texts", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "SET", "nosuch", "1"), {
      error: "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
    });
    assert.deepEqual(t.exec("CONFIG", "SET", "databases", "3"), {
      error: "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    });
    assert.deepEqual(t.exec("CONFIG", "SET", "hz", "5", "HZ", "6"), {
      error: "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter",
    });
    assert.deepEqual(t.exec("CONFIG", "SET", "hz", "5", "maxclients"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("CONFIG", "SET", "hz"), {
      error: "ERR wrong number of arguments for 'config|set' command",
    });
  });
  it("reports an immutable parameter before a later unknown one", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "SET", "port", "1", "nosuch", "2"), {
      error: "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config",
    });
  });
  it("explains invalid values with Valkey's reasons, naming the canonical parameter", () => {
    const t = makeEngine();
    const failed = (name: string, reason: string) => ({
      error: `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`,
    });
    assert.deepEqual(t.exec("CONFIG", "SET", "HZ", "abc"), failed("hz", "argument couldn't be parsed into an integer"));
    assert.deepEqual(t.exec("CONFIG", "SET", "hz", "+5"), failed("hz", "argument couldn't be parsed into an integer"));
    assert.deepEqual(
      t.exec("CONFIG", "SET", "timeout", "-1"),
      failed("timeout", "argument must be between 0 and 2147483647 inclusive"),
    );
    assert.deepEqual(
      t.exec("CONFIG", "SET", "maxmemory", "-1"),
      failed("maxmemory", "argument must be a memory value"),
    );
    assert.deepEqual(
      t.exec("CONFIG", "SET", "proto-max-bulk-len", "10"),
      failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive"),
    );
    assert.deepEqual(
      t.exec("CONFIG", "SET", "maxmemory-policy", "foo"),
      failed(
        "maxmemory-policy",
        "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, " +
          "allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
      ),
    );
    assert.deepEqual(
      t.exec("CONFIG", "SET", "lazyfree-lazy-expire", "maybe"),
      failed("lazyfree-lazy-expire", "argument must be 'yes' or 'no'"),
    );
    assert.deepEqual(
      t.exec("CONFIG", "SET", "notify-keyspace-events", "Q"),
      failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
    );
    assert.deepEqual(
      t.exec("CONFIG", "SET", "hash-max-ziplist-entries", "-1"),
      failed("hash-max-listpack-entries", "argument must be between 0 and 9223372036854775807 inclusive"),
    );
  });
  it("refuses persistence settings Kite cannot honour instead of storing them", () => {
    const t = makeEngine();
    assert.equal(t.exec("CONFIG", "SET", "save", ""), "OK");
    assert.equal(t.exec("CONFIG", "SET", "appendonly", "no"), "OK");
    assert.deepEqual(t.exec("CONFIG", "SET", "save", "1 x"), {
      error: "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
    });
    const save = t.exec("CONFIG", "SET", "save", "3600 1") as { error: string };
    assert.match(save.error, /^ERR CONFIG SET failed \(possibly related to argument 'save'\) - Kite does not persist/);
    const aof = t.exec("CONFIG", "SET", "appendonly", "yes") as { error: string };
    assert.match(aof.error, /^ERR CONFIG SET failed \(possibly related to argument 'appendonly'\) - Kite does not/);
    assert.deepEqual(t.exec("CONFIG", "GET", "save", "appendonly"), ["save", "", "appendonly", "no"]);
  });
  it("keeps hz within 1..500 like Valkey", () => {
    const t = makeEngine();
    t.exec("CONFIG", "SET", "hz", "1000");
    assert.deepEqual(t.exec("CONFIG", "GET", "hz"), ["hz", "500"]);
    t.exec("CONFIG", "SET", "hz", "0");
    assert.deepEqual(t.exec("CONFIG", "GET", "hz"), ["hz", "1"]);
  });
  it("applies timeout: the cron closes idle connections, sparing Pub/Sub clients", () => {
    const t = makeEngine();
    const mk = () => {
      const s = t.engine.openSession({ via: "resp", addr: "127.0.0.1:1" });
      s.kill = () => t.engine.closeSession(s);
      return s;
    };
    const idle = mk();
    const busy = mk();
    const sub = mk();
    sub.subscriptions = 1;
    t.exec("CONFIG", "SET", "timeout", "2");
    t.advance(2_000);
    t.execOn(busy, "PING");
    t.advance(1_500);
    assert.equal(t.engine.clients.has(idle.id), false);
    assert.equal(t.engine.clients.has(busy.id), true);
    assert.equal(t.engine.clients.has(sub.id), true);
    // Sessions without a transport (embedded, HTTP) are never timed out.
    assert.equal(t.engine.clients.has(t.session.id), true);
  });
  it("applies loglevel to the engine's log", () => {
    const logged: string[] = [];
    const t = makeEngine({
      config: { "enable-debug-command": "yes" },
      log: (lvl, msg) => logged.push(`${lvl} ${msg}`),
    });
    t.engine.log("verbose", "quiet by default");
    t.engine.log("notice", "shown");
    t.exec("CONFIG", "SET", "loglevel", "warning");
    t.engine.log("notice", "hidden now");
    t.exec("DEBUG", "LOG", "hello");
    t.exec("CONFIG", "SET", "loglevel", "nothing");
    t.engine.log("warning", "silenced");
    assert.deepEqual(logged, ["notice shown", "warning DEBUG LOG: hello"]);
  });
});

describe("CONFIG RESETSTAT, REWRITE, HELP", () => {
  it("RESETSTAT zeroes server, command and error statistics", () => {
    const t = engineWithProcess();
    t.exec("SET", "k", "v");
    t.exec("GET", "k");
    t.exec("NOPE");
    assert.equal(t.exec("CONFIG", "RESETSTAT"), "OK");
    const all = info(t, "all");
    const s = all.get("Stats")!;
    assert.equal(s.get("keyspace_hits"), "0");
    assert.equal(s.get("total_error_replies"), "0");
    // RESETSTAT itself is counted after the reset; INFO is counted once it has run, as in Valkey.
    assert.equal(s.get("total_commands_processed"), "1");
    assert.deepEqual([...all.get("Errorstats")!.keys()], []);
    assert.deepEqual([...all.get("Commandstats")!.keys()], ["cmdstat_config|resetstat"]);
  });
  it("REWRITE fails without a config file, with Valkey's text", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CONFIG", "REWRITE"), { error: "ERR The server is running without a config file" });
  });
  it("REWRITE writes the running values into the config file, keeping its comments", () => {
    const disk = new Map([["/etc/kite.conf", "# mine\nmaxmemory 1mb\n"]]);
    const files = {
      read: (p: string) => disk.get(p) ?? "",
      replace: (p: string, text: string) => void disk.set(p, text),
    };
    const logged: string[] = [];
    const f = makeEngine({ configFile: "/etc/kite.conf", files, log: (_l, m) => logged.push(m) });
    assert.equal(info(f, "server").get("Server")!.get("config_file"), "/etc/kite.conf");
    assert.equal(f.exec("CONFIG", "SET", "maxmemory", "2mb", "hz", "25"), "OK");
    assert.equal(f.exec("CONFIG", "REWRITE"), "OK");
    assert.equal(
      disk.get("/etc/kite.conf"),
      '# mine\nmaxmemory 2mb\n\n# Generated by CONFIG REWRITE\nlatency-tracking-info-percentiles 50 99 99.9\nhz 25\nsave ""\n',
    );
    assert.ok(logged.includes("CONFIG REWRITE executed with success."));
  });
  it("REWRITE reports a file it cannot write with strerror's text and leaves it as it was", () => {
    const files = {
      read: () => "hz 10\n",
      replace: () => {
        throw new Error("Permission denied");
      },
    };
    const logged: string[] = [];
    const f = makeEngine({ configFile: "/etc/kite.conf", files, log: (_l, m) => logged.push(m) });
    f.exec("CONFIG", "SET", "hz", "30");
    assert.deepEqual(f.exec("CONFIG", "REWRITE"), { error: "ERR Rewriting config file: Permission denied" });
    assert.ok(logged.includes("CONFIG-REWRITE failed: Permission denied"));
  });
  it("HELP lists the subcommands", () => {
    const t = makeEngine();
    const r = t.exec("CONFIG", "HELP") as string[];
    assert.equal(r[0], "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.ok(r.includes("RESETSTAT"));
    assert.deepEqual(t.exec("CONFIG"), { error: "ERR wrong number of arguments for 'config' command" });
    assert.deepEqual(t.exec("CONFIG", "FOO"), { error: "ERR unknown subcommand 'FOO'. Try CONFIG HELP." });
  });
});

describe("TIME and LASTSAVE", () => {
  it("TIME returns seconds and microseconds as bulk strings", () => {
    const t = makeEngine();
    t.clock.advance(1_234);
    t.engine.syncClock();
    const now = t.clock.now();
    assert.deepEqual(t.exec("TIME"), [String(Math.floor(now / 1000)), String((now % 1000) * 1000)]);
    assert.equal((t.raw("TIME") as unknown as { v: Reply[] }).v[0]!.t, "bulk");
  });
  it("LASTSAVE returns the start time in seconds until something saves", () => {
    const t = makeEngine();
    assert.equal(t.exec("LASTSAVE"), Math.floor(t.clock.now() / 1000));
  });
});

describe("DEBUG", () => {
  it("is refused by default, as Valkey's enable-debug-command no", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("DEBUG", "SLEEP", "0"), {
      error:
        'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    });
    assert.equal(
      (t.exec("CONFIG", "SET", "enable-debug-command", "yes") as { error: string }).error.includes("immutable"),
      true,
    );
  });
  it("with enable-debug-command local, runs for local peers only", () => {
    const t = makeEngine({ config: { "enable-debug-command": "local" } });
    assert.equal(t.exec("DEBUG", "SLEEP", "0"), "OK");
    const loop = t.engine.openSession({ via: "resp", addr: "127.0.0.1:5000" });
    assert.equal(t.execOn(loop, "DEBUG", "SLEEP", "0"), "OK");
    const remote = t.engine.openSession({ via: "resp", addr: "192.168.1.9:5000" });
    assert.match(
      (t.execOn(remote, "DEBUG", "SLEEP", "0") as { error: string }).error,
      /^ERR DEBUG command not allowed/,
    );
  });
  it("checks protection before authentication", () => {
    const t = makeEngine({ config: { requirepass: "pw" } });
    assert.match((t.exec("DEBUG", "HELP") as { error: string }).error, /^ERR DEBUG command not allowed/);
  });
  it("SLEEP blocks the server for the given seconds, decimals allowed", () => {
    const t = engineWithProcess({ config: { "enable-debug-command": "yes" } });
    const before = t.clock.now();
    assert.equal(t.exec("DEBUG", "SLEEP", "0.25"), "OK");
    assert.equal(t.clock.now() - before, 250);
    // strtod semantics: a non-number sleeps for zero seconds.
    assert.equal(t.exec("DEBUG", "SLEEP", "abc"), "OK");
    assert.equal(t.clock.now() - before, 250);
  });
  it("SET-ACTIVE-EXPIRE turns the background expiry cycle off and on", () => {
    const t = makeEngine({ config: { "enable-debug-command": "yes" } });
    t.exec("SET", "k", "v");
    t.exec("PEXPIRE", "k", "50");
    assert.equal(t.exec("DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
    assert.equal(t.engine.activeExpireEnabled, false);
    t.advance(1_000);
    assert.equal(t.engine.dbs[0]!.size, 1);
    assert.equal(t.exec("DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK");
    t.advance(1_000);
    assert.equal(t.engine.dbs[0]!.size, 0);
  });
  it("OBJECT describes a string value in Valkey's line format", () => {
    const t = makeEngine({ config: { "enable-debug-command": "yes" } });
    t.exec("SET", "n", "12345");
    t.exec("SET", "s", "bar");
    t.exec("SET", "long", "b".repeat(45));
    t.exec("SET", "big", "123456789012");
    const line = t.exec("DEBUG", "OBJECT", "n") as string;
    assert.match(line, /^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:3 lru:\d+ lru_seconds_idle:0$/);
    assert.match(t.exec("DEBUG", "OBJECT", "s") as string, / encoding:embstr serializedlength:4 /);
    assert.match(t.exec("DEBUG", "OBJECT", "long") as string, / encoding:raw serializedlength:46 /);
    assert.match(t.exec("DEBUG", "OBJECT", "big") as string, / encoding:int serializedlength:13 /);
    assert.doesNotMatch(t.exec("DEBUG", "OBJECT", "n", "fast") as string, /serializedlength/);
    assert.equal((t.raw("DEBUG", "OBJECT", "n") as Reply).t, "simple");
  });
  it("OBJECT names a non-string value's encoding and leaves out the size Kite cannot compute", () => {
    const t = makeEngine({
      config: { "enable-debug-command": "yes" },
      commands: [{
        name: "mklist",
        group: "generic",
        arity: 2,
        flags: ["write"],
        acl: [],
        since: "1.0.0",
        keys: [{ begin: { index: 1 }, find: { range: { last: 0, step: 1, limit: 0 } }, flags: ["OW", "INSERT"] }],
        run: (ctx, argv) => {
          ctx.db.set(argv[1]!, { type: "list", encoding: () => "quicklist" }, ctx.now);
          return { t: "simple", v: "OK" };
        },
      }],
    });
    t.exec("MKLIST", "l");
    const line = t.exec("DEBUG", "OBJECT", "l") as string;
    assert.match(line, /^Value at:0x[0-9a-f]+ refcount:1 encoding:quicklist lru:\d+ lru_seconds_idle:\d+$/);
  });
  it("OBJECT reports the idle time since the last access", () => {
    const t = makeEngine({ config: { "enable-debug-command": "yes" } });
    t.exec("SET", "k", "v");
    t.clock.advance(5_000);
    t.engine.syncClock();
    assert.match(t.exec("DEBUG", "OBJECT", "k") as string, / lru_seconds_idle:5$/);
    assert.deepEqual(t.exec("DEBUG", "OBJECT", "nokey"), { error: "ERR no such key" });
  });
  it("ERROR replies with the given error; unknown subcommands get Valkey's text", () => {
    const t = makeEngine({ config: { "enable-debug-command": "yes" } });
    assert.deepEqual(t.exec("DEBUG", "ERROR", "CUSTOM broken\nline"), { error: "CUSTOM broken line" });
    assert.deepEqual(t.exec("DEBUG", "foo"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP.",
    });
    assert.deepEqual(t.exec("DEBUG", "SLEEP"), {
      error: "ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP.",
    });
    assert.equal(
      (t.exec("DEBUG", "HELP") as string[])[0],
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    );
  });
});

describe("COMMAND", () => {
  it("INFO get has Valkey 7's ten-field shape", () => {
    const t = makeEngine();
    const r = t.raw("COMMAND", "INFO", "get") as { t: string; v: { t: string; v: Reply[] }[] };
    const get = r.v[0]!;
    assert.equal(get.t, "array");
    assert.equal(get.v.length, 10);
    assert.deepEqual(get.v.map((x) => x.t), ["bulk", "int", "set", "int", "int", "int", "set", "set", "set", "set"]);
    assert.deepEqual(t.exec("COMMAND", "INFO", "get"), [[
      "get",
      2,
      ["readonly", "fast"],
      1,
      1,
      1,
      ["@read", "@string", "@fast"],
      [],
      [["flags", ["RO", "access"], "begin_search", ["type", "index", "spec", ["index", 1]], "find_keys", [
        "type",
        "range",
        "spec",
        ["lastkey", 0, "keystep", 1, "limit", 0],
      ]]],
      [],
    ]]);
    // Flags and categories are status strings, as in Valkey.
    const flags = get.v[2] as unknown as { v: Reply[] };
    assert.deepEqual(flags.v[0], { t: "simple", v: "readonly" });
  });
  it("INFO shows tips, the legacy key range and subcommands", () => {
    const t = makeEngine();
    const [mset, ping, config, missing] = t.exec("COMMAND", "INFO", "mset", "PING", "config", "nosuch") as unknown[][];
    assert.deepEqual(mset!.slice(0, 8), [
      "mset",
      -3,
      ["write", "denyoom"],
      1,
      -1,
      2,
      ["@write", "@string", "@slow"],
      ["request_policy:multi_shard", "response_policy:all_succeeded"],
    ]);
    // Hidden flags (sentinel) are not printed.
    assert.deepEqual(ping!.slice(0, 7), ["ping", -1, ["fast"], 0, 0, 0, ["@fast", "@connection"]]);
    assert.equal(config![0], "config");
    assert.deepEqual(config![2], []);
    assert.deepEqual(config![6], ["@slow"]);
    const subs = (config![9] as unknown[][]).map((s) => s[0]);
    assert.deepEqual([...subs].sort(), [
      "config|get",
      "config|help",
      "config|resetstat",
      "config|rewrite",
      "config|set",
    ]);
    assert.equal(missing, null);
    const [cget] = t.exec("COMMAND", "INFO", "config|get") as unknown[][];
    assert.deepEqual(cget!.slice(0, 7), ["config|get", -3, ["admin", "noscript", "loading", "stale"], 0, 0, 0, [
      "@admin",
      "@slow",
      "@dangerous",
    ]]);
  });
  it("COUNT, LIST and the bare COMMAND agree with the registry", () => {
    const t = makeEngine();
    const count = t.exec("COMMAND", "COUNT") as number;
    assert.equal(count, t.engine.registry.size);
    assert.equal((t.exec("COMMAND") as unknown[]).length, count);
    assert.equal((t.exec("COMMAND", "INFO") as unknown[]).length, count);
    const list = t.exec("COMMAND", "LIST") as string[];
    assert.equal(list.length, [...t.engine.registry.flat()].length);
    assert.ok(list.includes("client|kill") && list.includes("get"));
  });
  it("LIST filters by pattern, ACL category and module", () => {
    const t = makeEngine();
    assert.deepEqual((t.exec("COMMAND", "LIST", "FILTERBY", "PATTERN", "config*") as string[]).sort(), [
      "config",
      "config|get",
      "config|help",
      "config|resetstat",
      "config|rewrite",
      "config|set",
    ]);
    const admin = t.exec("COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN") as string[];
    assert.ok(admin.includes("client|kill") && admin.includes("config|set"));
    assert.ok(!admin.includes("get"));
    assert.deepEqual(t.exec("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"), []);
    const ft = ["FT.CREATE", "FT.DROPINDEX", "FT.INFO", "FT.SEARCH", "FT._LIST"];
    assert.deepEqual((t.exec("COMMAND", "LIST", "FILTERBY", "MODULE", "search") as string[]).sort(), ft);
    assert.deepEqual((t.exec("COMMAND", "LIST", "FILTERBY", "MODULE", "SEARCH") as string[]).sort(), ft);
    assert.deepEqual(t.exec("COMMAND", "LIST", "FILTERBY", "MODULE", "json"), []);
    assert.deepEqual(t.exec("COMMAND", "LIST", "FILTERBY", "FOO", "x"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("COMMAND", "LIST", "extra"), { error: "ERR syntax error" });
  });
  it("INFO and DOCS describe FT.* as module commands of search, as Valkey does", () => {
    const t = makeEngine();
    const [info] = t.exec("COMMAND", "INFO", "ft.search") as Plain[][];
    assert.equal(info![0], "FT.SEARCH");
    assert.deepEqual(info![2], ["readonly", "module"]);
    const [get] = t.exec("COMMAND", "INFO", "get") as Plain[][];
    assert.deepEqual(get![2], ["readonly", "fast"]);
    assert.deepEqual(t.exec("COMMAND", "DOCS", "FT.CREATE"), ["FT.CREATE", ["group", "module", "module", "search"]]);
    const r = t.raw("COMMAND", "DOCS", "FT.INFO") as Reply;
    assert.equal(r.t, "map");
  });
  it("DOCS maps names to summary, since, group and complexity", () => {
    const t = makeEngine();
    const r = t.raw("COMMAND", "DOCS", "get") as Reply;
    assert.equal(r.t, "map");
    const [name, doc] = t.exec("COMMAND", "DOCS", "get") as [string, unknown[]];
    assert.equal(name, "get");
    const d = new Map<unknown, unknown>();
    for (let i = 0; i < doc.length; i += 2) d.set(doc[i], doc[i + 1]);
    assert.equal(d.get("since"), "1.0.0");
    assert.equal(d.get("group"), "string");
    const [, cdoc] = t.exec("COMMAND", "DOCS", "config") as [string, unknown[]];
    const subs = cdoc[cdoc.indexOf("subcommands") + 1] as unknown[];
    assert.ok(subs.includes("config|set"));
    assert.deepEqual(t.exec("COMMAND", "DOCS", "nosuch"), []);
  });
  it("GETKEYS extracts keys through the key specs", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"), ["a", "b"]);
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "GET", "k"), ["k"]);
    assert.deepEqual(t.exec("COMMAND", "GETKEYSANDFLAGS", "mset", "a", "1", "b", "2"), [
      ["a", ["OW", "update"]],
      ["b", ["OW", "update"]],
    ]);
  });
  it("GETKEYS rejects what Valkey rejects", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "nosuch", "x"), { error: "ERR Invalid command specified" });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "ping", "x"), { error: "ERR The command has no key arguments" });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "config", "get", "x"), {
      error: "ERR The command has no key arguments",
    });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "mset", "a"), {
      error: "ERR Invalid number of arguments specified for command",
    });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "get"), {
      error: "ERR Invalid number of arguments specified for command",
    });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS"), {
      error: "ERR wrong number of arguments for 'command|getkeys' command",
    });
  });
  it("GETKEYS resolves keynum and keyword specs and fails on impossible key counts", () => {
    const t = makeEngine({
      commands: [
        {
          name: "kn",
          group: "generic",
          arity: -3,
          flags: ["readonly"],
          acl: [],
          since: "1.0.0",
          keys: [{ begin: { index: 1 }, find: { keynum: { index: 0, first: 1, step: 1 } }, flags: ["RO"] }],
          run: () => ({ t: "simple", v: "OK" }),
        },
        {
          name: "kw",
          group: "generic",
          arity: -2,
          flags: ["write"],
          acl: [],
          since: "1.0.0",
          keys: [{
            begin: { keyword: "STORE", startFrom: 1 },
            find: { range: { last: 0, step: 1, limit: 0 } },
            flags: ["OW"],
          }],
          run: () => ({ t: "simple", v: "OK" }),
        },
      ],
    });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "kn", "2", "a", "b", "tail"), ["a", "b"]);
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "kn", "3", "a", "b"), {
      error: "ERR Invalid arguments specified for command",
    });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "kn", "x", "a"), {
      error: "ERR Invalid arguments specified for command",
    });
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "kw", "x", "store", "dest", "y"), ["dest"]);
    assert.deepEqual(t.exec("COMMAND", "GETKEYS", "kw", "x", "y"), {
      error: "ERR Invalid arguments specified for command",
    });
    const [kn] = t.exec("COMMAND", "INFO", "kn") as unknown[][];
    assert.deepEqual(kn!.slice(2, 6), [["readonly", "movablekeys"], 0, 0, 0]);
  });
  it("HELP lists the subcommands; unknown subcommands get Valkey's text", () => {
    const t = makeEngine();
    const r = t.exec("COMMAND", "HELP") as string[];
    assert.equal(r[0], "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.ok(r.includes("COUNT"));
    assert.deepEqual(t.exec("COMMAND", "FOO"), { error: "ERR unknown subcommand 'FOO'. Try COMMAND HELP." });
  });
});
