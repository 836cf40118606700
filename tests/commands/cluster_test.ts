import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine } from "../_helpers/engine.ts";

const DISABLED = { error: "ERR This instance has cluster support disabled" };

describe("cluster commands on a standalone server", () => {
  it("CLUSTER subcommands answer that cluster support is disabled, as Valkey with cluster-enabled no", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLUSTER", "INFO"), DISABLED);
    assert.deepEqual(t.exec("CLUSTER", "SLOTS"), DISABLED);
    assert.deepEqual(t.exec("CLUSTER", "KEYSLOT", "foo"), DISABLED);
    assert.deepEqual(t.exec("CLUSTER", "HELP"), DISABLED);
    assert.deepEqual(t.exec("CLUSTER", "SLOT-STATS", "SLOTSRANGE", "0", "10"), DISABLED);
  });

  it("CLUSTER still checks the subcommand and its arity first", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLUSTER"), { error: "ERR wrong number of arguments for 'cluster' command" });
    assert.deepEqual(t.exec("CLUSTER", "NOPE"), { error: "ERR unknown subcommand 'NOPE'. Try CLUSTER HELP." });
    assert.deepEqual(t.exec("CLUSTER", "KEYSLOT"), {
      error: "ERR wrong number of arguments for 'cluster|keyslot' command",
    });
  });

  it("READONLY, READWRITE and ASKING answer the same", () => {
    const t = makeEngine();
    for (const c of ["READONLY", "READWRITE", "ASKING"]) assert.deepEqual(t.exec(c), DISABLED);
  });
});

describe("ROLE", () => {
  it("reports a primary with replication offset 0 and no replicas", () => {
    assert.deepEqual(makeEngine().exec("ROLE"), ["master", 0, []]);
  });
});

describe("CLIENT CAPA", () => {
  it("accepts the redirect capability (CLIENT INFO capa=r) and ignores ones it does not know", () => {
    const t = makeEngine();
    assert.equal(t.exec("CLIENT", "CAPA", "redirect"), "OK");
    assert.equal(t.session.capaRedirect, true);
    assert.match(t.exec("CLIENT", "INFO") as string, / capa=r /);
    const other = t.engine.openSession();
    assert.equal(t.execOn(other, "CLIENT", "CAPA", "future-thing"), "OK");
    assert.equal(other.capaRedirect, false);
    assert.match(t.execOn(other, "CLIENT", "INFO") as string, / capa= db=/);
    assert.deepEqual(t.exec("CLIENT", "CAPA"), { error: "ERR wrong number of arguments for 'client|capa' command" });
  });
});

describe("FAILOVER", () => {
  it("answers as a Valkey primary without replicas, after checking its arguments as Valkey does", () => {
    const t = makeEngine();
    const none = { error: "ERR FAILOVER requires connected replicas." };
    assert.deepEqual(t.exec("FAILOVER"), none);
    assert.deepEqual(t.exec("FAILOVER", "TO", "10.0.0.2", "6380", "TIMEOUT", "100", "FORCE"), none);
    assert.deepEqual(t.exec("FAILOVER", "FORCE"), none);
    assert.deepEqual(t.exec("FAILOVER", "ABORT"), { error: "ERR No failover in progress." });
    for (const bad of ["0", "-5"]) {
      assert.deepEqual(t.exec("FAILOVER", "TIMEOUT", bad), { error: "ERR FAILOVER timeout must be greater than 0" });
    }
    const notInt = { error: "ERR value is not an integer or out of range" };
    assert.deepEqual(t.exec("FAILOVER", "TIMEOUT", "abc"), notInt);
    assert.deepEqual(t.exec("FAILOVER", "TO", "h", "abc"), notInt);
    for (const argv of [["BOGUS"], ["TIMEOUT", "10", "TIMEOUT", "20"], ["ABORT", "X"], ["TO", "h"]]) {
      assert.deepEqual(t.exec("FAILOVER", ...argv), { error: "ERR syntax error" });
    }
  });
});
