/**
 * Meta tests of the command table: every implemented command agrees with Valkey's metadata
 * (arity, flags, ACL categories, key specs, tips, group, since, complexity); the registry rejects
 * bad rows; implicit ACL categories follow Valkey's rules; key extraction from key specs gives
 * the keys `COMMAND GETKEYS` gives on redis-server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../src/engine/engine.ts";
import { implicitCategories, Registry } from "../../src/commands/registry.ts";
import { cmd, type CommandSpec, keynumKey, rangeKey } from "../../src/commands/spec.ts";
import { getKeys } from "../../src/commands/keys.ts";
import { OK } from "../../src/protocol/reply.ts";
import { normalKeySpec, normalRefKeySpec, refAcl, reference, refFlags, refTips, specFromRef } from "../_helpers/ref.ts";
import { type RedisServer, redisServerVersion, startRedisServer } from "../_helpers/redis_server.ts";
import { RawClient } from "../_helpers/client.ts";
import type { RespValue } from "../_helpers/resp.ts";

const engine = new Engine();
engine.close();
const commands = [...engine.registry.flat()];
const ref = reference();

/** Commands of valkey-search (FT.*), which is a module outside Valkey's core command table. */
const isModuleCommand = (group: string) => group === "search";

describe("Command table against Valkey's metadata", () => {
  it("has at least one command and a reference to compare with", () => {
    assert.ok(commands.length > 0);
    assert.ok(ref.size >= 399, `reference has ${ref.size} commands`);
  });

  it("contains only commands that Valkey has", () => {
    const unknown = commands
      .filter((c) => !isModuleCommand(c.spec.group) && !ref.has(c.fullName))
      .map((c) => c.fullName);
    assert.deepEqual(unknown, []);
  });

  for (const c of commands) {
    const r = ref.get(c.fullName);
    if (r === undefined) continue;
    describe(c.fullName, () => {
      it("has Valkey's arity", () => {
        assert.equal(c.spec.arity, r.arity);
      });
      it("has Valkey's command flags", () => {
        assert.deepEqual([...c.spec.flags].sort(), refFlags(r));
      });
      it("has Valkey's explicit ACL categories", () => {
        assert.deepEqual([...c.spec.acl].sort(), refAcl(r));
      });
      it("has Valkey's key specs, in order", () => {
        assert.deepEqual(c.spec.keys.map(normalKeySpec), (r.key_specs ?? []).map(normalRefKeySpec));
      });
      it("has Valkey's command tips", () => {
        assert.deepEqual([...(c.spec.tips ?? [])].sort(), refTips(r));
      });
      it("has Valkey's group, since and complexity", () => {
        assert.deepEqual(
          { group: c.spec.group, since: c.spec.since, complexity: c.spec.complexity },
          { group: r.group, since: r.since, complexity: r.complexity },
        );
      });
      it("reports movable keys exactly when a key spec is not index + range", () => {
        const movable = (r.key_specs ?? []).some((k) => !k.begin_search.index || !k.find_keys.range);
        assert.equal(c.movableKeys, movable);
      });
      it("has a summary of its own", () => {
        assert.ok((c.spec.summary ?? "").length > 0, "summary is empty");
      });
    });
  }
});

/** A minimal valid row to vary in the validation tests. */
function row(over: Partial<CommandSpec> = {}): CommandSpec {
  return {
    ...cmd("testcmd", "generic", 2, "readonly", "keyspace", [rangeKey(1, 0, 1, "RO")], "1.0.0", () => OK),
    ...over,
  };
}

describe("Registry validation", () => {
  it("accepts a well-formed row", () => {
    assert.equal(new Registry([row()]).size, 1);
  });

  it("rejects two commands with the same name", () => {
    assert.throws(() => new Registry([row(), row()]), { name: "TypeError", message: /"testcmd": duplicate name/ });
  });

  it("rejects two subcommands with the same name", () => {
    const sub = row({ name: "sub", keys: [], arity: 2 });
    assert.throws(
      () => new Registry([row({ name: "box", arity: -2, keys: [], subcommands: [sub, sub] })]),
      /"box\|sub": duplicate name/,
    );
  });

  it("rejects a command flagged both write and readonly", () => {
    assert.throws(() => new Registry([row({ flags: ["write", "readonly"] })]), /both write and readonly/);
  });

  it("rejects a name that is not lower case", () => {
    assert.throws(() => new Registry([row({ name: "TestCmd" })]), /not lower case/);
  });

  it("rejects arity 0", () => {
    assert.throws(() => new Registry([row({ arity: 0 })]), /arity is 0/);
  });

  it("rejects a row with neither a handler nor subcommands", () => {
    const { run: _run, ...noRun } = row();
    assert.throws(() => new Registry([noRun]), /no handler/);
  });

  it("rejects a key spec that starts at the command name", () => {
    assert.throws(() => new Registry([row({ keys: [rangeKey(0, 0, 1, "RO")] })]), /before the first argument/);
  });

  it("rejects a fixed-arity command whose key spec reaches past its arguments", () => {
    assert.throws(() => new Registry([row({ arity: 2, keys: [rangeKey(1, 1, 1, "RO")] })]), /reaches argument 2/);
  });

  it("resolves subcommands under container|name", () => {
    const reg = new Registry([
      row({ name: "box", arity: -2, keys: [], subcommands: [row({ name: "open", arity: 3, keys: [] })] }),
    ]);
    assert.deepEqual([...reg.flat()].map((c) => c.fullName), ["box", "box|open"]);
    assert.equal(reg.get("BOX")?.subcommands?.get("open")?.container?.fullName, "box");
  });
});

describe("Implicit ACL categories", () => {
  const cats = (flags: string, acl: string) =>
    implicitCategories(cmd("x", "generic", 1, flags, acl, [], "1.0.0", () => OK)).sort();

  it("adds @read and @fast to a fast read-only command (GET)", () => {
    assert.deepEqual(cats("readonly fast", "string"), ["fast", "read", "string"]);
  });

  it("adds @write and @slow to a write command without fast (SET)", () => {
    assert.deepEqual(cats("write denyoom", "string"), ["slow", "string", "write"]);
  });

  it("adds @admin and @dangerous to an admin command (CONFIG GET)", () => {
    assert.deepEqual(cats("admin noscript loading stale", ""), ["admin", "dangerous", "slow"]);
  });

  it("adds @pubsub to a pubsub command and @blocking to a blocking one", () => {
    assert.deepEqual(cats("pubsub noscript loading stale", "pubsub"), ["pubsub", "slow"]);
    assert.deepEqual(cats("write blocking", "list"), ["blocking", "list", "slow", "write"]);
  });

  it("does not add @read to a read-only scripting command (EVAL_RO)", () => {
    assert.deepEqual(cats("noscript skip_monitor readonly no_mandatory_keys stale", "scripting"), [
      "scripting",
      "slow",
    ]);
  });

  it("keeps explicit categories without duplicating them (SORT)", () => {
    assert.deepEqual(cats("write denyoom", "set sortedset list dangerous"), [
      "dangerous",
      "list",
      "set",
      "slow",
      "sortedset",
      "write",
    ]);
  });

  it("derives every implemented command's full category list from its flags", () => {
    for (const c of commands) {
      const f = c.spec.flags;
      const expected = new Set(c.spec.acl);
      if (f.includes("write")) expected.add("write");
      if (f.includes("readonly") && !c.spec.acl.includes("scripting")) expected.add("read");
      if (f.includes("admin")) expected.add("admin").add("dangerous");
      if (f.includes("pubsub")) expected.add("pubsub");
      if (f.includes("blocking")) expected.add("blocking");
      expected.add(f.includes("fast") ? "fast" : "slow");
      assert.deepEqual([...c.aclCategories].sort(), [...expected].sort(), c.fullName);
    }
  });
});

const HAS_REDIS = (() => {
  try {
    return / v=7\./.test(redisServerVersion());
  } catch {
    return false;
  }
})();

/** The ACL categories of each command and subcommand in a COMMAND INFO reply. */
function categoriesOf(info: RespValue, out: Map<string, string[]>): void {
  if (info.type !== "array") return;
  const [name, , , , , , cats, , , subs] = info.value;
  if (name?.type !== "bulk" || cats?.type !== "array" && cats?.type !== "set") return;
  out.set(
    name.value.toString("latin1"),
    cats.value.map((c) => (c.type === "simple" || c.type === "bulk" ? String(c.value).replace(/^@/, "") : "")).sort(),
  );
  if (subs?.type === "array") { for (const sub of subs.value) categoriesOf(sub, out); }
}

describe("ACL categories against redis-server 7's COMMAND INFO", {
  skip: HAS_REDIS ? false : "redis-server 7 is not installed (apt-get install redis-server)",
}, () => {
  let redis: RedisServer;
  const actual = new Map<string, string[]>();
  before(async () => {
    redis = await startRedisServer();
    const c = await RawClient.connect(redis.port);
    try {
      for (const top of engine.registry.all()) {
        const reply = await c.call("COMMAND", "INFO", top.spec.name);
        if (reply.type === "array" && reply.value[0] !== undefined) categoriesOf(reply.value[0], actual);
      }
    } finally {
      await c.close();
    }
  });
  after(async () => {
    await redis?.stop();
  });

  it("derives the same full category list as redis-server for every command both have", () => {
    const differ: string[] = [];
    let compared = 0;
    for (const c of commands) {
      const theirs = actual.get(c.fullName);
      // Commands added after redis 7.0 are covered by the metadata test alone.
      if (theirs === undefined) continue;
      // Where Valkey changed a command's explicit categories since 7.0, or made it blocking (WAIT
      // became `blocking` and scriptable in 7.2), the metadata test above rules.
      const r = ref.get(c.fullName);
      if (r !== undefined && refAcl(r).some((x) => !theirs.includes(x))) continue;
      if (r !== undefined && refFlags(r).includes("blocking") && !theirs.includes("blocking")) continue;
      compared++;
      const ours = [...c.aclCategories].sort();
      if (ours.join() !== theirs.join()) differ.push(`${c.fullName}: ours ${ours.join(",")} redis ${theirs.join(",")}`);
    }
    assert.deepEqual(differ, []);
    assert.ok(compared > 0, "no command was compared");
  });
});

describe("getKeys from key specs", () => {
  // Expected keys are what redis-server's COMMAND GETKEYS returns for the same argv.
  const cases: [string, string[], string[]][] = [
    ["get", ["GET", "k"], ["k"]],
    ["set", ["SET", "k", "v", "GET"], ["k"]],
    ["mset", ["MSET", "k1", "v1", "k2", "v2"], ["k1", "k2"]],
    ["msetnx", ["MSETNX", "a", "1", "b", "2"], ["a", "b"]],
    ["del", ["DEL", "a", "b", "c"], ["a", "b", "c"]],
    ["lcs", ["LCS", "a", "b"], ["a", "b"]],
    ["rename", ["RENAME", "a", "b"], ["a", "b"]],
    ["lmove", ["LMOVE", "a", "b", "LEFT", "RIGHT"], ["a", "b"]],
    ["bitop", ["BITOP", "AND", "dest", "k1", "k2"], ["dest", "k1", "k2"]],
    ["object|encoding", ["OBJECT", "ENCODING", "k"], ["k"]],
    ["zunionstore", ["ZUNIONSTORE", "dest", "2", "a", "b", "WEIGHTS", "1", "2"], ["dest", "a", "b"]],
    ["zinter", ["ZINTER", "2", "a", "b"], ["a", "b"]],
    ["sintercard", ["SINTERCARD", "2", "a", "b", "LIMIT", "1"], ["a", "b"]],
    ["eval", ["EVAL", "return 1", "2", "k1", "k2", "arg"], ["k1", "k2"]],
    ["blmpop", ["BLMPOP", "0", "2", "k1", "k2", "LEFT"], ["k1", "k2"]],
    ["xread", ["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"], ["s1", "s2"]],
    ["xread", ["XREAD", "STREAMS", "a", "0"], ["a"]],
    ["xreadgroup", ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "s2", ">", ">"], ["s1", "s2"]],
    ["georadius", ["GEORADIUS", "src", "0", "0", "10", "km", "STORE", "dst"], ["src", "dst"]],
    ["georadius", ["GEORADIUS", "src", "0", "0", "10", "km", "STOREDIST", "d2"], ["src", "d2"]],
  ];

  for (const [name, argv, keys] of cases) {
    it(`finds ${JSON.stringify(keys)} in ${argv.join(" ")}`, () => {
      assert.deepEqual(getKeys(specFromRef(name), argv), keys);
    });
  }

  it("finds no keys past the end of a short argv", () => {
    assert.deepEqual(getKeys(specFromRef("zunionstore"), ["ZUNIONSTORE", "dest", "5", "a"]), ["dest", "a"]);
  });

  it("uses the implemented commands' own key specs the same way", () => {
    for (const [name, argv, keys] of cases) {
      const [top, sub] = name.split("|");
      const c = sub === undefined ? engine.registry.get(top!) : engine.registry.get(top!)?.subcommands?.get(sub);
      if (c === undefined) continue;
      assert.deepEqual(getKeys(c.spec, argv), keys, name);
    }
  });

  it("reads keynum key specs built with keynumKey()", () => {
    const spec = cmd("x", "generic", -3, "readonly", "", [keynumKey(1, 0, 1, 1, "RO")], "1.0.0", () => OK);
    assert.deepEqual(getKeys(spec, ["X", "3", "a", "b", "c", "extra"]), ["a", "b", "c"]);
  });
});
