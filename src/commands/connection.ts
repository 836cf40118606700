/**
 * Connection commands (Valkey group `connection`): PING, ECHO, QUIT, RESET, HELLO, AUTH and
 * CLIENT.
 *
 * @module
 */
import { cmd, type CommandSpec } from "./spec.ts";
import type { CommandContext } from "../engine/context.ts";
import type { Engine } from "../engine/engine.ts";
import type { Session } from "../engine/session.ts";
import {
  array,
  bulk,
  EMPTY_ARRAY,
  error,
  int,
  map,
  NULL,
  OK,
  PONG,
  type Reply,
  simple,
  verbatim,
} from "../protocol/reply.ts";
import { E, fmt, SYNTAX, wrongArity } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { REDIS_COMPAT_VERSION, VALKEY_VERSION } from "../observability/version.ts";

// ---------------------------------------------------------------------------------------------
// Authentication (the default user; the ACL layer replaces this with real users)
// ---------------------------------------------------------------------------------------------

/**
 * Checks a username and password the way Valkey's ACL does for the only user Kite has so far,
 * `default`: without `requirepass` it is a `nopass` user and any password is accepted.
 */
export function authenticate(engine: Engine, user: string, password: string): boolean {
  if (user !== "default") return false;
  const required = engine.config.get("requirepass");
  return required === "" || password === required;
}

/** Whether a user of that name exists (CLIENT KILL USER). */
export function userExists(_engine: Engine, user: string): boolean {
  return user === "default";
}

// ---------------------------------------------------------------------------------------------
// PING, ECHO, QUIT, RESET, HELLO, AUTH
// ---------------------------------------------------------------------------------------------

function ping(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 2) return wrongArity("ping");
  // A RESP2 client in Pub/Sub mode cannot tell a reply from a message, so PING answers in the
  // message shape there.
  if (ctx.session.resp === 2 && ctx.session.pubsub) return array([bulk("pong"), bulk(argv[1] ?? "")]);
  return argv.length > 1 ? bulk(argv[1]!) : PONG;
}

function echo(_ctx: CommandContext, argv: readonly string[]): Reply {
  return bulk(argv[1]!);
}

/** Closes a session whose reply has been produced: transports flush it first. */
function closeAfterReply(engine: Engine, s: Session): void {
  s.closing = true;
  // Without a transport nothing would ever close it, so it leaves the client table now; the
  // caller still receives the reply.
  if (s.kill === undefined) engine.closeSession(s);
}

function quit(ctx: CommandContext): Reply {
  closeAfterReply(ctx.engine, ctx.session);
  return OK;
}

function reset(ctx: CommandContext): Reply {
  const s = ctx.session;
  // MULTI, WATCH, subscriptions and tracking belong to other subsystems; each drops its state.
  ctx.engine.resetSession(s);
  s.db = 0;
  s.resp = 2;
  s.name = "";
  s.noEvict = false;
  s.noTouch = false;
  s.readOnly = false;
  // RESET authenticates as the default user, which needs a password when one is configured.
  // The library name and version stay: they still describe the client behind the connection.
  s.user = ctx.engine.config.get("requirepass") === "" ? "default" : undefined;
  return RESET_REPLY;
}

const RESET_REPLY = simple("RESET");

/** Valkey's rule for names shown in CLIENT LIST: printable ASCII without spaces. */
function validAttr(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function hello(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = ctx.session;
  let ver = 0;
  if (argv.length >= 2) {
    const v = parseInt64(argv[1]!);
    if (v === null) return error(E.PROTO_NOT_INT);
    if (v < 2 || v > 3) return error(E.NOPROTO);
    ver = Number(v);
  }
  let user: string | undefined;
  let password = "";
  let name: string | undefined;
  for (let j = 2; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!.toLowerCase();
    if (opt === "auth" && more >= 2) {
      user = argv[j + 1]!;
      password = argv[j + 2]!;
      j += 2;
    } else if (opt === "setname" && more >= 1) {
      name = argv[j + 1]!;
      if (!validAttr(name)) return error(E.CLIENT_NAME);
      j++;
    } else {
      return error(fmt(E.HELLO_OPTION, argv[j]!));
    }
  }
  if (user !== undefined) {
    if (!authenticate(ctx.engine, user, password)) return error(E.WRONGPASS);
    s.user = user;
  }
  if (s.user === undefined) return error(E.HELLO_NOAUTH);
  if (name !== undefined) s.name = name;
  if (ver !== 0) s.resp = ver as 2 | 3;
  const config = ctx.engine.config;
  const compat = config.bool("extended-redis-compatibility");
  const fields: [Reply, Reply][] = [
    [bulk("server"), bulk(compat ? "redis" : "valkey")],
    [bulk("version"), bulk(compat ? REDIS_COMPAT_VERSION : VALKEY_VERSION)],
    [bulk("proto"), int(s.resp)],
    [bulk("id"), int(s.id)],
    [bulk("mode"), bulk("standalone")],
    [bulk("role"), bulk("master")],
    [bulk("modules"), EMPTY_ARRAY],
  ];
  // Valkey 8.1 adds the zone only when one is configured.
  const zone = config.get("availability-zone");
  if (zone !== "") fields.push([bulk("availability_zone"), bulk(zone)]);
  return map(fields);
}

function auth(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 3) return SYNTAX;
  let user = "default";
  let password: string;
  if (argv.length === 2) {
    // The one-argument form keeps its old error when the default user needs no password.
    if (ctx.engine.config.get("requirepass") === "") return error(E.AUTH_NOPASS);
    password = argv[1]!;
  } else {
    user = argv[1]!;
    password = argv[2]!;
  }
  if (!authenticate(ctx.engine, user, password)) return error(E.WRONGPASS);
  ctx.session.user = user;
  return OK;
}

// ---------------------------------------------------------------------------------------------
// CLIENT
// ---------------------------------------------------------------------------------------------

/** Valkey's client classes (CLIENT LIST/KILL TYPE). Kite has no replication links yet. */
type ClientType = "normal" | "replica" | "pubsub" | "primary";

function clientTypeByName(name: string): ClientType | undefined {
  switch (name.toLowerCase()) {
    case "normal":
      return "normal";
    case "slave":
    case "replica":
      return "replica";
    case "pubsub":
      return "pubsub";
    case "master":
    case "primary":
      return "primary";
  }
  return undefined;
}

function clientType(s: Session): ClientType {
  return s.pubsub ? "pubsub" : "normal";
}

function clientFlags(engine: Engine, s: Session): string {
  let f = "";
  if (s.pubsub) f += "P";
  if (s.multiQueued >= 0) f += "x";
  if (engine.blocking.isBlocked(s)) f += "b";
  if (s.tracking) f += "t";
  if (s.dirtyCas) f += "d";
  if (s.closing) f += "c";
  if (s.unix) f += "U";
  if (s.readOnly) f += "r";
  if (s.noEvict) f += "e";
  if (s.noTouch) f += "T";
  return f === "" ? "N" : f;
}

/**
 * One CLIENT LIST / CLIENT INFO line with Valkey 8.1's fields in its order. Buffer sizes Kite
 * does not measure (`qbuf-free`, `rbs`, `rbp`, `oll`, `omem`) are 0; `tot-mem` adds up the
 * buffers it does track. `argvBytes` is the size of the command being run, for the caller's
 * own line (idle clients have no arguments in memory).
 */
export function clientInfoLine(engine: Engine, s: Session, now: number, argvBytes = 0): string {
  const nowSec = Math.floor(now / 1000);
  const age = nowSec - Math.floor(s.createdAt / 1000);
  const idle = nowSec - Math.floor(s.lastInteraction / 1000);
  const totMem = s.qbuf + s.obl + argvBytes + s.multiBytes;
  return `id=${s.id} addr=${s.addr} laddr=${s.laddr} fd=${s.fd} name=${s.name} age=${age} idle=${idle}` +
    ` flags=${clientFlags(engine, s)} capa= db=${s.db} sub=${s.subscriptions} psub=${s.patternSubscriptions}` +
    ` ssub=${s.shardSubscriptions} multi=${s.multiQueued} watch=${s.watchedKeys} qbuf=${s.qbuf} qbuf-free=0` +
    ` argv-mem=${argvBytes} multi-mem=${s.multiBytes} rbs=0 rbp=0 obl=${s.obl} oll=0 omem=0 tot-mem=${totMem}` +
    ` events=${s.kill !== undefined ? "r" : ""} cmd=${s.lastCommand} user=${s.user ?? "default"}` +
    ` redir=${s.tracking ? s.trackingRedirect : -1} resp=${s.resp} lib-name=${s.libName} lib-ver=${s.libVer}` +
    ` tot-net-in=${s.netIn} tot-net-out=${s.netOut} tot-cmds=${s.commands}`;
}

function argvSize(argv: readonly string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

function clientId(ctx: CommandContext): Reply {
  return int(ctx.session.id);
}

function clientInfo(ctx: CommandContext, argv: readonly string[]): Reply {
  return verbatim(clientInfoLine(ctx.engine, ctx.session, ctx.now, argvSize(argv)) + "\n");
}

function clientList(ctx: CommandContext, argv: readonly string[]): Reply {
  const engine = ctx.engine;
  const self = ctx.session;
  const line = (s: Session) => clientInfoLine(engine, s, ctx.now, s === self ? argvSize(argv) : 0) + "\n";
  let out = "";
  if (argv.length === 4 && argv[2]!.toLowerCase() === "type") {
    const type = clientTypeByName(argv[3]!);
    if (type === undefined) return error(fmt(E.UNKNOWN_CLIENT_TYPE, argv[3]!));
    for (const s of engine.clients.values()) if (clientType(s) === type) out += line(s);
  } else if (argv.length > 3 && argv[2]!.toLowerCase() === "id") {
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]!);
      if (id === null) return error(E.INVALID_CLIENT_ID);
      const s = engine.clients.get(Number(id));
      if (s !== undefined) out += line(s);
    }
  } else if (argv.length !== 2) {
    return SYNTAX;
  } else {
    for (const s of engine.clients.values()) out += line(s);
  }
  return verbatim(out);
}

function clientSetname(ctx: CommandContext, argv: readonly string[]): Reply {
  const name = argv[2]!;
  if (!validAttr(name)) return error(E.CLIENT_NAME);
  ctx.session.name = name;
  return OK;
}

// Valkey answers 1 only for a client that really was blocked and is now released.
function clientUnblock(ctx: CommandContext, argv: readonly string[]): Reply {
  const id = parseInt64(argv[2]!);
  if (id === null) return error(E.NOT_INTEGER);
  let withError = false;
  if (argv.length === 4) {
    const how = argv[3]!.toLowerCase();
    if (how === "error") withError = true;
    else if (how !== "timeout") return error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  } else if (argv.length > 4) {
    return SYNTAX;
  }
  const target = ctx.engine.clients.get(Number(id));
  if (target === undefined) return int(0);
  return int(ctx.engine.blocking.unblock(target, withError) ? 1 : 0);
}

function clientGetname(ctx: CommandContext): Reply {
  return ctx.session.name === "" ? NULL : bulk(ctx.session.name);
}

function clientSetinfo(ctx: CommandContext, argv: readonly string[]): Reply {
  const attr = argv[2]!;
  const value = argv[3]!;
  const which = attr.toLowerCase();
  if (which !== "lib-name" && which !== "lib-ver") return error(fmt(E.UNRECOGNIZED_OPTION, attr));
  if (!validAttr(value)) return error(fmt(E.CLIENT_ATTR, attr));
  if (which === "lib-name") ctx.session.libName = value;
  else ctx.session.libVer = value;
  return OK;
}

function onOff(v: string): boolean | undefined {
  const l = v.toLowerCase();
  return l === "on" ? true : l === "off" ? false : undefined;
}

function clientNoEvict(ctx: CommandContext, argv: readonly string[]): Reply {
  const on = onOff(argv[2]!);
  if (on === undefined) return SYNTAX;
  ctx.session.noEvict = on;
  return OK;
}

function clientNoTouch(ctx: CommandContext, argv: readonly string[]): Reply {
  const on = onOff(argv[2]!);
  if (on === undefined) return SYNTAX;
  ctx.session.noTouch = on;
  return OK;
}

/** Closes another session: its transport flushes pending replies and closes. */
function killSession(engine: Engine, s: Session): void {
  if (s.kill !== undefined) {
    s.closing = true;
    s.kill();
  } else {
    closeAfterReply(engine, s);
  }
}

function clientKill(ctx: CommandContext, argv: readonly string[]): Reply {
  const engine = ctx.engine;
  let addr: string | undefined;
  let laddr: string | undefined;
  let user: string | undefined;
  let type: ClientType | undefined;
  let id = 0;
  let maxAge = 0;
  let skipMe = true;
  if (argv.length === 3) {
    // The old form kills by address, and may kill the caller.
    addr = argv[2]!;
    skipMe = false;
  } else {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i]!.toLowerCase();
      const value = argv[i + 1];
      if (value === undefined) return SYNTAX;
      if (opt === "id") {
        const v = parseInt64(value);
        if (v === null || v < 1) return error(E.CLIENT_ID_POSITIVE);
        id = Number(v);
      } else if (opt === "maxage") {
        const v = parseInt64(value);
        if (v === null) return error(E.MAXAGE_NOT_INT);
        if (v <= 0) return error(E.MAXAGE_POSITIVE);
        maxAge = Number(v);
      } else if (opt === "type") {
        type = clientTypeByName(value);
        if (type === undefined) return error(fmt(E.UNKNOWN_CLIENT_TYPE, value));
      } else if (opt === "addr") {
        addr = value;
      } else if (opt === "laddr") {
        laddr = value;
      } else if (opt === "user") {
        if (!userExists(engine, value)) return error(fmt(E.NO_SUCH_USER, value));
        user = value;
      } else if (opt === "skipme") {
        const v = value.toLowerCase();
        if (v === "yes") skipMe = true;
        else if (v === "no") skipMe = false;
        else return SYNTAX;
      } else {
        return SYNTAX;
      }
    }
  }
  const self = ctx.session;
  const nowSec = Math.floor(ctx.now / 1000);
  let killed = 0;
  let killSelf = false;
  for (const s of [...engine.clients.values()]) {
    if (addr !== undefined && s.addr !== addr) continue;
    if (laddr !== undefined && s.laddr !== laddr) continue;
    if (type !== undefined && clientType(s) !== type) continue;
    if (id !== 0 && s.id !== id) continue;
    if (user !== undefined && (s.user ?? "default") !== user) continue;
    if (s === self && skipMe) continue;
    if (maxAge !== 0 && nowSec - Math.floor(s.createdAt / 1000) < maxAge) continue;
    if (s === self) killSelf = true;
    else killSession(engine, s);
    killed++;
  }
  // The caller gets its reply first and is closed afterwards.
  if (killSelf) closeAfterReply(engine, self);
  if (argv.length === 3) return killed === 0 ? error(E.NO_SUCH_CLIENT) : OK;
  return int(killed);
}

/** A HELP reply in Valkey's shape: a header line, the entries, then HELP itself. */
export function helpReply(command: string, lines: readonly string[]): Reply {
  return array([
    simple(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`),
    ...lines.map(simple),
    simple("HELP"),
    simple("    Print this help."),
  ]);
}

const CLIENT_HELP = [
  "GETNAME",
  "    Return the name of this connection.",
  "ID",
  "    Return the id of this connection.",
  "INFO",
  "    Describe this connection, in the CLIENT LIST format.",
  "KILL <ip:port>",
  "    Close the connection from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Close every connection matching all the filters:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Peer address.",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Local address the connection was accepted on.",
  "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
  "      Client class.",
  "    * USER <username>",
  "      Authenticated user.",
  "    * SKIPME (YES|NO)",
  "      Whether to spare the calling connection (default: yes).",
  "    * ID <client-id>",
  "      Client id.",
  "    * MAXAGE <maxage>",
  "      Connections at least <maxage> seconds old.",
  "LIST [TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB) | ID <client-id> [<client-id> ...]]",
  "    Describe every connection, or those of one class or with the given ids.",
  "NO-EVICT (ON|OFF)",
  "    Exempt this connection from client eviction.",
  "NO-TOUCH (ON|OFF)",
  "    Stop this connection's reads from updating key access times (LRU/LFU).",
  "SETINFO <option> <value>",
  "    Record client library details shown by CLIENT LIST:",
  "    * LIB-NAME: the library name.",
  "    * LIB-VER: the library version.",
  "SETNAME <name>",
  "    Name this connection.",
];

function clientHelp(_ctx: CommandContext, argv: readonly string[]): Reply {
  return helpReply(argv[0]!, CLIENT_HELP);
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

const SUB = "noscript loading stale sentinel";

/** The connection group's table rows. */
export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  cmd("ping", "connection", -1, "fast sentinel", "connection", [], "1.0.0", ping, {
    kite: ["resp2-subscribed-ok"],
    tips: ["request_policy:all_shards", "response_policy:all_succeeded"],
    complexity: "O(1)",
    summary: "Checks that the server answers; echoes an optional message.",
  }),
  cmd("echo", "connection", 2, "loading stale fast", "connection", [], "1.0.0", echo, {
    complexity: "O(1)",
    summary: "Returns its argument.",
  }),
  cmd("quit", "connection", -1, "allow_busy noscript loading stale fast no_auth", "connection", [], "1.0.0", quit, {
    kite: ["resp2-subscribed-ok", "multi-passthrough", "no-http"],
    complexity: "O(1)",
    summary: "Closes the connection once the reply is sent.",
  }),
  cmd("reset", "connection", 1, "noscript loading stale fast no_auth allow_busy", "connection", [], "6.2.0", reset, {
    kite: ["resp2-subscribed-ok", "multi-passthrough", "no-http"],
    complexity: "O(1)",
    summary: "Returns the connection to the state of a new one.",
  }),
  cmd(
    "hello",
    "connection",
    -1,
    "noscript loading stale fast no_auth sentinel allow_busy",
    "connection",
    [],
    "6.0.0",
    hello,
    {
      kite: ["no-http"],
      complexity: "O(1)",
      summary: "Negotiates the protocol version, optionally authenticating and naming the connection.",
    },
  ),
  cmd(
    "auth",
    "connection",
    -2,
    "noscript loading stale fast no_auth sentinel allow_busy",
    "connection",
    [],
    "1.0.0",
    auth,
    {
      complexity: "O(N) where N is the number of passwords defined for the user",
      summary: "Authenticates the connection.",
    },
  ),
  cmd("client", "connection", -2, "sentinel", "", [], "2.4.0", undefined, {
    complexity: "Depends on subcommand.",
    summary: "Inspects and manages client connections.",
    subcommands: [
      cmd("id", "connection", 2, SUB, "connection", [], "5.0.0", clientId, {
        complexity: "O(1)",
        summary: "Returns the connection's unique id.",
      }),
      cmd("info", "connection", 2, SUB, "connection", [], "6.2.0", clientInfo, {
        tips: ["nondeterministic_output"],
        complexity: "O(1)",
        summary: "Describes the calling connection.",
      }),
      cmd("list", "connection", -2, "admin " + SUB, "connection", [], "2.4.0", clientList, {
        tips: ["nondeterministic_output"],
        complexity: "O(N) where N is the number of client connections",
        summary: "Describes every open connection.",
      }),
      cmd("kill", "connection", -3, "admin " + SUB, "connection", [], "2.4.0", clientKill, {
        complexity: "O(N) where N is the number of client connections",
        summary: "Closes connections by address, id, type, user or age.",
      }),
      cmd("setname", "connection", 3, SUB, "connection", [], "2.6.9", clientSetname, {
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        complexity: "O(1)",
        summary: "Names the connection.",
      }),
      cmd("unblock", "connection", -3, "admin " + SUB, "connection", [], "5.0.0", clientUnblock, {
        complexity: "O(log N) where N is the number of client connections",
        summary: "Releases a client blocked in a blocking command, with a timeout reply or an error.",
      }),
      cmd("getname", "connection", 2, SUB, "connection", [], "2.6.9", clientGetname, {
        complexity: "O(1)",
        summary: "Returns the connection's name.",
      }),
      cmd("setinfo", "connection", 4, SUB, "connection", [], "7.2.0", clientSetinfo, {
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        complexity: "O(1)",
        summary: "Records the client library's name or version.",
      }),
      cmd("no-evict", "connection", 3, "admin " + SUB, "connection", [], "7.0.0", clientNoEvict, {
        complexity: "O(1)",
        summary: "Exempts the connection from client eviction.",
      }),
      cmd("no-touch", "connection", 3, "noscript loading stale", "connection", [], "7.2.0", clientNoTouch, {
        complexity: "O(1)",
        summary: "Stops the connection's reads from updating key access times.",
      }),
      cmd("help", "connection", 2, "loading stale sentinel", "connection", [], "5.0.0", clientHelp, {
        complexity: "O(1)",
        summary: "Lists the CLIENT subcommands.",
      }),
    ],
  }),
];
