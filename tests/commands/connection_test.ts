import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeEngine, type Plain } from "../_helpers/engine.ts";
import type { Reply } from "../../src/protocol/reply.ts";

/** Valkey 8.1's CLIENT LIST / CLIENT INFO line: every field, in order. */
const CLIENT_LINE = new RegExp(
  "^id=\\d+ addr=\\S* laddr=\\S* fd=-?\\d+ name=\\S* age=\\d+ idle=\\d+ flags=[A-Za-z]+ capa=\\S* db=\\d+ " +
    "sub=\\d+ psub=\\d+ ssub=\\d+ multi=-?\\d+ watch=\\d+ qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=\\d+ " +
    "rbs=\\d+ rbp=\\d+ obl=\\d+ oll=\\d+ omem=\\d+ tot-mem=\\d+ events=r?w? cmd=\\S+ user=\\S+ redir=-?\\d+ " +
    "resp=[23] lib-name=\\S* lib-ver=\\S* tot-net-in=\\d+ tot-net-out=\\d+ tot-cmds=\\d+$",
);

/** Parses one CLIENT LIST line into its fields. */
function fields(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of line.split(" ")) {
    const eq = kv.indexOf("=");
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function lines(text: unknown): string[] {
  assert.equal(typeof text, "string");
  return (text as string).split("\n").filter((l) => l.length > 0);
}

describe("PING", () => {
  it("answers PONG, or echoes its argument as a bulk string", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("PING"), { t: "simple", v: "PONG" });
    assert.deepEqual(t.raw("PING", "hello"), { t: "bulk", v: "hello" });
  });
  it("rejects more than one argument with the arity error", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("PING", "a", "b"), { error: "ERR wrong number of arguments for 'ping' command" });
  });
  it("answers a RESP2 client in Pub/Sub mode in the message shape", () => {
    const t = makeEngine();
    t.session.subscriptions = 1;
    assert.deepEqual(t.exec("PING"), ["pong", ""]);
    assert.deepEqual(t.exec("PING", "x"), ["pong", "x"]);
    t.session.resp = 3;
    assert.equal(t.exec("PING"), "PONG");
  });
});

describe("ECHO", () => {
  it("returns its argument byte for byte", () => {
    const t = makeEngine();
    assert.equal(t.exec("ECHO", "\x00\xff bytes"), "\x00\xff bytes");
    assert.deepEqual(t.exec("ECHO"), { error: "ERR wrong number of arguments for 'echo' command" });
  });
});

describe("QUIT", () => {
  it("replies OK and marks the session for closing", () => {
    const t = makeEngine();
    const s = t.engine.openSession();
    let killed = false;
    s.kill = () => (killed = true);
    assert.equal(t.execOn(s, "QUIT"), "OK");
    assert.equal(s.closing, true);
    // A transport closes after flushing the reply; QUIT itself does not tear it down.
    assert.equal(killed, false);
  });
  it("removes a session without a transport from the client table", () => {
    const t = makeEngine();
    const s = t.engine.openSession();
    assert.equal(t.execOn(s, "QUIT"), "OK");
    assert.equal(t.engine.clients.has(s.id), false);
  });
  it("works before authentication", () => {
    const t = makeEngine({ config: { requirepass: "secret" } });
    assert.equal(t.exec("QUIT"), "OK");
  });
});

describe("RESET", () => {
  it("restores db 0, RESP2, no name and no client modes, and replies RESET", () => {
    const t = makeEngine();
    t.exec("HELLO", "3", "SETNAME", "conn");
    t.exec("CLIENT", "NO-TOUCH", "on");
    t.exec("CLIENT", "NO-EVICT", "on");
    t.exec("CLIENT", "SETINFO", "LIB-NAME", "mylib");
    t.session.db = 3;
    assert.deepEqual(t.raw("RESET"), { t: "simple", v: "RESET" });
    assert.equal(t.session.db, 0);
    assert.equal(t.session.resp, 2);
    assert.equal(t.exec("CLIENT", "GETNAME"), null);
    assert.equal(t.session.noTouch, false);
    assert.equal(t.session.noEvict, false);
    // The library name still describes the client behind the connection.
    assert.equal(t.session.libName, "mylib");
  });
  it("requires AUTH again when a password is configured", () => {
    const t = makeEngine({ config: { requirepass: "pw" } });
    assert.equal(t.exec("AUTH", "pw"), "OK");
    assert.equal(t.exec("PING"), "PONG");
    assert.equal(t.exec("RESET"), "RESET");
    assert.deepEqual(t.exec("PING"), { error: "NOAUTH Authentication required." });
  });
  it("leaves the session authenticated as default when no password is set", () => {
    const t = makeEngine();
    assert.equal(t.exec("RESET"), "RESET");
    assert.equal(t.exec("PING"), "PONG");
  });
  it("lets every subsystem drop the session's state through the reset listeners", () => {
    const t = makeEngine();
    const seen: number[] = [];
    t.engine.onSessionReset((s) => seen.push(s.id));
    t.exec("RESET");
    assert.deepEqual(seen, [t.session.id]);
  });
});

describe("HELLO", () => {
  it("answers a RESP3 map with Valkey 8.1's fields and switches the protocol", () => {
    const t = makeEngine();
    const r = t.raw("HELLO", "3") as Reply;
    assert.equal(r.t, "map");
    assert.deepEqual(t.exec("HELLO", "3"), [
      "server",
      "valkey",
      "version",
      "8.1.1",
      "proto",
      3,
      "id",
      t.session.id,
      "mode",
      "standalone",
      "role",
      "master",
      "modules",
      [["name", "search", "ver", 10000, "path", "", "args", []]],
    ]);
    assert.deepEqual((t.exec("HELLO", "3") as Plain[])[13], t.exec("MODULE", "LIST"), "the modules MODULE LIST shows");
    assert.equal(t.session.resp, 3);
    const keys = (r as { v: readonly (readonly [Reply, Reply])[] }).v.map(([k]) => k);
    assert.ok(keys.every((k) => k.t === "bulk"));
    assert.deepEqual((r as { v: readonly (readonly [Reply, Reply])[] }).v[2]![1], { t: "int", v: 3 });
  });
  it("without arguments reports the current protocol and changes nothing", () => {
    const t = makeEngine();
    const r = t.exec("HELLO") as unknown[];
    assert.equal(r[5], 2);
    assert.equal(t.session.resp, 2);
  });
  it("switches back to RESP2", () => {
    const t = makeEngine();
    t.exec("HELLO", "3");
    assert.equal((t.exec("HELLO", "2") as unknown[])[5], 2);
    assert.equal(t.session.resp, 2);
  });
  it("rejects a bad protocol version with Valkey's texts", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("HELLO", "4"), { error: "NOPROTO unsupported protocol version" });
    assert.deepEqual(t.exec("HELLO", "1"), { error: "NOPROTO unsupported protocol version" });
    assert.deepEqual(t.exec("HELLO", "three"), { error: "ERR Protocol version is not an integer or out of range" });
  });
  it("rejects unknown or incomplete options naming them as typed", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("HELLO", "3", "foo"), { error: "ERR Syntax error in HELLO option 'foo'" });
    assert.deepEqual(t.exec("HELLO", "3", "AUTH", "default"), { error: "ERR Syntax error in HELLO option 'AUTH'" });
    assert.deepEqual(t.exec("HELLO", "3", "setname"), { error: "ERR Syntax error in HELLO option 'setname'" });
    assert.equal(t.session.resp, 2);
  });
  it("sets the client name with SETNAME, validating it", () => {
    const t = makeEngine();
    t.exec("HELLO", "3", "SETNAME", "app-1");
    assert.equal(t.exec("CLIENT", "GETNAME"), "app-1");
    assert.deepEqual(t.exec("HELLO", "3", "SETNAME", "a b"), {
      error: "ERR Client names cannot contain spaces, newlines or special characters.",
    });
  });
  it("authenticates with AUTH before requiring authentication", () => {
    const t = makeEngine({ config: { requirepass: "pw" } });
    assert.deepEqual(t.exec("HELLO", "3"), {
      error:
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    });
    assert.equal(t.session.resp, 2);
    assert.deepEqual(t.exec("HELLO", "3", "AUTH", "default", "bad"), {
      error: "WRONGPASS invalid username-password pair or user is disabled.",
    });
    assert.equal((t.exec("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "n") as unknown[])[5], 3);
    assert.equal(t.exec("CLIENT", "GETNAME"), "n");
    assert.equal(t.exec("PING"), "PONG");
  });
  it("accepts any password for the default user when none is configured", () => {
    const t = makeEngine();
    assert.equal((t.exec("HELLO", "2", "AUTH", "default", "whatever") as unknown[])[1], "valkey");
    assert.deepEqual(t.exec("HELLO", "2", "AUTH", "nobody", "x"), {
      error: "WRONGPASS invalid username-password pair or user is disabled.",
    });
  });
  it("names Redis 7.2.4 under extended-redis-compatibility", () => {
    const t = makeEngine({ config: { "extended-redis-compatibility": "yes" } });
    const r = t.exec("HELLO") as unknown[];
    assert.deepEqual([r[1], r[3]], ["redis", "7.2.4"]);
  });
  it("adds availability_zone only when one is configured", () => {
    const t = makeEngine();
    assert.equal((t.exec("HELLO") as unknown[]).length, 14);
    t.exec("CONFIG", "SET", "availability-zone", "us-east-1a");
    const r = t.exec("HELLO") as unknown[];
    assert.deepEqual(r.slice(14), ["availability_zone", "us-east-1a"]);
  });
});

describe("AUTH", () => {
  it("fails the one-argument form when no password is configured", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("AUTH", "x"), {
      error:
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    });
    assert.equal(t.exec("AUTH", "default", "anything"), "OK");
  });
  it("authenticates the default user against requirepass", () => {
    const t = makeEngine({ config: { requirepass: "s3cret" } });
    assert.deepEqual(t.exec("GET", "k"), { error: "NOAUTH Authentication required." });
    assert.deepEqual(t.exec("AUTH", "wrong"), {
      error: "WRONGPASS invalid username-password pair or user is disabled.",
    });
    assert.deepEqual(t.exec("AUTH", "other", "s3cret"), {
      error: "WRONGPASS invalid username-password pair or user is disabled.",
    });
    assert.equal(t.exec("AUTH", "s3cret"), "OK");
    assert.equal(t.exec("GET", "k"), null);
    const s = t.engine.openSession();
    assert.equal(t.execOn(s, "AUTH", "default", "s3cret"), "OK");
  });
  it("keeps a session authenticated after a failed attempt", () => {
    const t = makeEngine({ config: { requirepass: "pw" } });
    t.exec("AUTH", "pw");
    t.exec("AUTH", "nope");
    assert.equal(t.exec("PING"), "PONG");
  });
  it("rejects more than two arguments with a syntax error", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("AUTH", "a", "b", "c"), { error: "ERR syntax error" });
  });
  it("uses the new password after CONFIG SET requirepass, keeping existing sessions", () => {
    const t = makeEngine();
    const old = t.engine.openSession();
    assert.equal(t.exec("CONFIG", "SET", "requirepass", "newpw"), "OK");
    // Already-connected clients stay authenticated, as in Valkey.
    assert.equal(t.execOn(old, "PING"), "PONG");
    const fresh = t.engine.openSession();
    assert.deepEqual(t.execOn(fresh, "PING"), { error: "NOAUTH Authentication required." });
    assert.deepEqual(t.execOn(fresh, "AUTH", "oldpw"), {
      error: "WRONGPASS invalid username-password pair or user is disabled.",
    });
    assert.equal(t.execOn(fresh, "AUTH", "newpw"), "OK");
    assert.equal(t.execOn(fresh, "PING"), "PONG");
  });
  it("lets sessions opened under a password run commands once it is cleared", () => {
    const t = makeEngine({ config: { requirepass: "pw" } });
    const s = t.engine.openSession();
    assert.deepEqual(t.execOn(s, "PING"), { error: "NOAUTH Authentication required." });
    t.exec("AUTH", "pw");
    t.exec("CONFIG", "SET", "requirepass", "");
    assert.equal(t.execOn(s, "PING"), "PONG");
    t.exec("CONFIG", "SET", "requirepass", "again");
    assert.deepEqual(t.execOn(s, "PING"), { error: "NOAUTH Authentication required." });
  });
});

describe("CLIENT ID, SETNAME, GETNAME", () => {
  it("returns a unique increasing id per session", () => {
    const t = makeEngine();
    const a = t.engine.openSession();
    const b = t.engine.openSession();
    assert.equal(t.exec("CLIENT", "ID"), t.session.id);
    assert.ok((t.execOn(b, "CLIENT", "ID") as number) > (t.execOn(a, "CLIENT", "ID") as number));
  });
  it("sets, reads and clears the name", () => {
    const t = makeEngine();
    assert.equal(t.exec("CLIENT", "GETNAME"), null);
    assert.equal(t.exec("CLIENT", "SETNAME", "worker-1"), "OK");
    assert.equal(t.exec("CLIENT", "GETNAME"), "worker-1");
    assert.equal(t.exec("CLIENT", "SETNAME", ""), "OK");
    assert.equal(t.exec("CLIENT", "GETNAME"), null);
  });
  it("rejects names with spaces, newlines or non-printable bytes", () => {
    const t = makeEngine();
    for (const bad of ["a b", "a\nb", "caf\xe9", "\x7f"]) {
      assert.deepEqual(t.exec("CLIENT", "SETNAME", bad), {
        error: "ERR Client names cannot contain spaces, newlines or special characters.",
      });
    }
  });
  it("reports unknown subcommands and wrong argument counts like Valkey", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "FOO"), { error: "ERR unknown subcommand 'FOO'. Try CLIENT HELP." });
    assert.deepEqual(t.exec("CLIENT"), { error: "ERR wrong number of arguments for 'client' command" });
    assert.deepEqual(t.exec("CLIENT", "SETNAME"), {
      error: "ERR wrong number of arguments for 'client|setname' command",
    });
  });
});

describe("CLIENT SETINFO", () => {
  it("records the library name and version, shown by CLIENT INFO", () => {
    const t = makeEngine();
    assert.equal(t.exec("CLIENT", "SETINFO", "lib-name", "kite-client"), "OK");
    assert.equal(t.exec("CLIENT", "SETINFO", "LIB-VER", "1.2.3"), "OK");
    const f = fields(lines(t.exec("CLIENT", "INFO"))[0]!);
    assert.equal(f["lib-name"], "kite-client");
    assert.equal(f["lib-ver"], "1.2.3");
  });
  it("rejects unknown attributes and values with spaces, naming the attribute as typed", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "SETINFO", "lib-foo", "x"), { error: "ERR Unrecognized option 'lib-foo'" });
    assert.deepEqual(t.exec("CLIENT", "SETINFO", "LIB-NAME", "a b"), {
      error: "ERR LIB-NAME cannot contain spaces, newlines or special characters.",
    });
  });
});

describe("CLIENT NO-EVICT and NO-TOUCH", () => {
  it("toggles the modes and shows them as CLIENT LIST flags e and T", () => {
    const t = makeEngine();
    assert.equal(t.exec("CLIENT", "NO-EVICT", "on"), "OK");
    assert.equal(t.exec("CLIENT", "NO-TOUCH", "ON"), "OK");
    assert.equal(fields(lines(t.exec("CLIENT", "INFO"))[0]!).flags, "eT");
    assert.equal(t.exec("CLIENT", "NO-EVICT", "off"), "OK");
    assert.equal(t.exec("CLIENT", "NO-TOUCH", "off"), "OK");
    assert.equal(fields(lines(t.exec("CLIENT", "INFO"))[0]!).flags, "N");
  });
  it("rejects values other than on and off", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "NO-EVICT", "maybe"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("CLIENT", "NO-TOUCH", "yes"), { error: "ERR syntax error" });
  });
});

describe("CLIENT INFO and CLIENT LIST", () => {
  it("describe the caller with Valkey's fields in Valkey's order", () => {
    const t = makeEngine();
    const info = t.raw("CLIENT", "INFO") as Reply;
    assert.equal(info.t, "verbatim");
    const text = t.exec("CLIENT", "INFO") as string;
    assert.ok(text.endsWith("\n"));
    const line = lines(text)[0]!;
    assert.match(line, CLIENT_LINE);
    const f = fields(line);
    assert.equal(f.id, String(t.session.id));
    assert.equal(f.cmd, "client|info");
    assert.equal(f.user, "default");
    assert.equal(f["argv-mem"], "10");
    assert.equal(f.multi, "-1");
    assert.equal(f.redir, "-1");
  });
  it("lists every session, one line each, in connection order", () => {
    const t = makeEngine();
    const a = t.engine.openSession({ via: "resp", addr: "127.0.0.1:50001", laddr: "127.0.0.1:6379" });
    const b = t.engine.openSession({ via: "resp", addr: "10.0.0.2:50002", laddr: "127.0.0.1:6379", fd: 9 });
    t.execOn(a, "CLIENT", "SETNAME", "alpha");
    const ls = lines(t.exec("CLIENT", "LIST"));
    assert.equal(ls.length, 3);
    for (const l of ls) assert.match(l, CLIENT_LINE);
    assert.deepEqual(ls.map((l) => Number(fields(l).id)), [t.session.id, a.id, b.id]);
    const fa = fields(ls[1]!);
    assert.equal(fa.addr, "127.0.0.1:50001");
    assert.equal(fa.laddr, "127.0.0.1:6379");
    assert.equal(fa.name, "alpha");
    assert.equal(fa.cmd, "client|setname");
    assert.equal(fields(ls[2]!).fd, "9");
  });
  it("reports age, idle time, database and protocol", () => {
    const t = makeEngine();
    const s = t.engine.openSession({ via: "resp", addr: "127.0.0.1:1", laddr: "127.0.0.1:2" });
    t.execOn(s, "HELLO", "3");
    s.db = 5;
    t.clock.advance(7_000);
    t.engine.syncClock();
    const f = fields(lines(t.exec("CLIENT", "LIST", "ID", s.id))[0]!);
    assert.equal(f.age, "7");
    assert.equal(f.idle, "7");
    assert.equal(f.db, "5");
    assert.equal(f.resp, "3");
    assert.equal(f["tot-cmds"], "1");
  });
  it("filters by TYPE and by ID", () => {
    const t = makeEngine();
    const sub = t.engine.openSession();
    sub.subscriptions = 2;
    const other = t.engine.openSession();
    const pubsub = lines(t.exec("CLIENT", "LIST", "TYPE", "pubsub"));
    assert.deepEqual(pubsub.map((l) => fields(l).id), [String(sub.id)]);
    assert.equal(fields(pubsub[0]!).flags, "P");
    assert.equal(fields(pubsub[0]!).sub, "2");
    assert.equal(lines(t.exec("CLIENT", "LIST", "TYPE", "normal")).length, 2);
    assert.equal(t.exec("CLIENT", "LIST", "TYPE", "replica"), "");
    assert.equal(t.exec("CLIENT", "LIST", "TYPE", "master"), "");
    const byId = lines(t.exec("CLIENT", "LIST", "ID", other.id, 9999, t.session.id));
    assert.deepEqual(byId.map((l) => Number(fields(l).id)), [other.id, t.session.id]);
  });
  it("rejects bad filters with Valkey's texts", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "LIST", "TYPE", "foo"), { error: "ERR Unknown client type 'foo'" });
    assert.deepEqual(t.exec("CLIENT", "LIST", "ID", "1", "x"), { error: "ERR Invalid client ID" });
    assert.deepEqual(t.exec("CLIENT", "LIST", "foo"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("CLIENT", "LIST", "TYPE", "normal", "ID", "1"), { error: "ERR syntax error" });
  });
  it("shows MULTI, WATCH and tracking state kept by other subsystems", () => {
    const t = makeEngine();
    const s = t.engine.openSession();
    s.multiQueued = 2;
    s.watchedKeys = 3;
    s.dirtyCas = true;
    s.tracking = true;
    s.trackingRedirect = 7;
    const f = fields(lines(t.exec("CLIENT", "LIST", "ID", s.id))[0]!);
    assert.equal(f.flags, "xtd");
    assert.equal(f.multi, "2");
    assert.equal(f.watch, "3");
    assert.equal(f.redir, "7");
  });
});

describe("CLIENT KILL", () => {
  function withTransport(t: ReturnType<typeof makeEngine>, addr: string) {
    const s = t.engine.openSession({ via: "resp", addr, laddr: "127.0.0.1:6379" });
    const state = { killed: false };
    s.kill = () => {
      state.killed = true;
      t.engine.closeSession(s);
    };
    return { s, state };
  }

  it("kills by address with the old form, replying OK or No such client", () => {
    const t = makeEngine();
    const a = withTransport(t, "127.0.0.1:40001");
    assert.equal(t.exec("CLIENT", "KILL", "127.0.0.1:40001"), "OK");
    assert.equal(a.state.killed, true);
    assert.equal(a.s.closing, true);
    assert.equal(t.engine.clients.has(a.s.id), false);
    assert.deepEqual(t.exec("CLIENT", "KILL", "127.0.0.1:40001"), { error: "ERR No such client" });
  });
  it("kills by ID and reports how many were killed", () => {
    const t = makeEngine();
    const a = withTransport(t, "127.0.0.1:40001");
    const b = withTransport(t, "127.0.0.1:40002");
    assert.equal(t.exec("CLIENT", "KILL", "ID", a.s.id), 1);
    assert.equal(a.state.killed, true);
    assert.equal(b.state.killed, false);
    assert.equal(t.exec("CLIENT", "KILL", "ID", a.s.id), 0);
  });
  it("combines ADDR, LADDR, TYPE and USER filters, skipping the caller by default", () => {
    const t = makeEngine();
    const a = withTransport(t, "127.0.0.1:40001");
    const b = withTransport(t, "127.0.0.1:40002");
    const p = withTransport(t, "127.0.0.1:40003");
    p.s.subscriptions = 1;
    assert.equal(t.exec("CLIENT", "KILL", "TYPE", "pubsub"), 1);
    assert.equal(p.state.killed, true);
    assert.equal(t.exec("CLIENT", "KILL", "ADDR", "127.0.0.1:40002", "LADDR", "127.0.0.1:9999"), 0);
    assert.equal(t.exec("CLIENT", "KILL", "ADDR", "127.0.0.1:40002", "LADDR", "127.0.0.1:6379"), 1);
    assert.equal(b.state.killed, true);
    // USER default matches every remaining session but the caller.
    assert.equal(t.exec("CLIENT", "KILL", "USER", "default"), 1);
    assert.equal(a.state.killed, true);
    assert.deepEqual([...t.engine.clients.keys()], [t.session.id]);
  });
  it("kills the caller with SKIPME no, after producing its reply", () => {
    const t = makeEngine();
    const me = withTransport(t, "127.0.0.1:40009");
    const other = withTransport(t, "127.0.0.1:40010");
    assert.equal(t.execOn(me.s, "CLIENT", "KILL", "USER", "default", "SKIPME", "no"), 3);
    assert.equal(other.state.killed, true);
    // The caller's transport closes once the reply is written: it is marked, not torn down.
    assert.equal(me.s.closing, true);
    assert.equal(me.state.killed, false);
  });
  it("kills the caller through the old address form", () => {
    const t = makeEngine();
    const me = withTransport(t, "127.0.0.1:40011");
    assert.equal(t.execOn(me.s, "CLIENT", "KILL", "127.0.0.1:40011"), "OK");
    assert.equal(me.s.closing, true);
  });
  it("kills connections at least MAXAGE seconds old", () => {
    const t = makeEngine();
    const old = withTransport(t, "127.0.0.1:40001");
    t.clock.advance(10_000);
    t.engine.syncClock();
    const young = withTransport(t, "127.0.0.1:40002");
    assert.equal(t.exec("CLIENT", "KILL", "MAXAGE", "5", "SKIPME", "yes"), 1);
    assert.equal(old.state.killed, true);
    assert.equal(young.state.killed, false);
  });
  it("rejects bad filters with Valkey's texts", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("CLIENT", "KILL", "ID", "0"), { error: "ERR client-id should be greater than 0" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "ID", "abc"), { error: "ERR client-id should be greater than 0" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "MAXAGE", "x"), {
      error: "ERR maxage is not an integer or out of range",
    });
    assert.deepEqual(t.exec("CLIENT", "KILL", "MAXAGE", "0"), { error: "ERR maxage should be greater than 0" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "TYPE", "foo"), { error: "ERR Unknown client type 'foo'" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "USER", "nobody"), { error: "ERR No such user 'nobody'" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "SKIPME", "maybe"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "ID", "1", "foo"), { error: "ERR syntax error" });
    assert.deepEqual(t.exec("CLIENT", "KILL", "FOO", "bar"), { error: "ERR syntax error" });
  });
});

describe("CLIENT HELP", () => {
  it("lists the subcommands in Valkey's help layout", () => {
    const t = makeEngine();
    const r = t.exec("CLIENT", "HELP") as string[];
    assert.equal(r[0], "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert.deepEqual(r.slice(-2), ["HELP", "    Print this help."]);
    for (const sub of ["GETNAME", "ID", "INFO", "NO-EVICT (ON|OFF)", "SETNAME <name>"]) assert.ok(r.includes(sub), sub);
  });
});
