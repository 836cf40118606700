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
import { array, bulk, error, int, map, NULL, OK, PONG, type Reply, set, simple, verbatim } from "../protocol/reply.ts";
import { E, fmt, SYNTAX, wrongArity } from "../protocol/errors.ts";
import { parseInt64 } from "../util/number.ts";
import { REDIS_COMPAT_VERSION, VALKEY_VERSION } from "../observability/version.ts";
import { loadedModulesReply } from "./module.ts";

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
  s.replyMode = "on";
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
      // The credentials never reach MONITOR.
      ctx.engine.redact(s, j + 1);
      ctx.engine.redact(s, j + 2);
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
    // The built-in search module, as MODULE LIST shows it (Valkey's addReplyLoadedModules).
    [bulk("modules"), loadedModulesReply()],
  ];
  // Valkey 8.1 adds the zone only when one is configured.
  const zone = config.get("availability-zone");
  if (zone !== "") fields.push([bulk("availability_zone"), bulk(zone)]);
  return map(fields);
}

function auth(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 3) return SYNTAX;
  // The password (and user name) never reach MONITOR.
  ctx.engine.redact(ctx.session, 1);
  if (argv.length === 3) ctx.engine.redact(ctx.session, 2);
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
  if (s.monitor) f += "O";
  if (s.pubsub) f += "P";
  if (s.multiQueued >= 0) f += "x";
  if (engine.isWaiting(s)) f += "b";
  if (s.tracking) {
    f += "t";
    const st = engine.tracking.stateOf(s);
    if (st?.brokenRedirect) f += "R";
    if (st?.bcast) f += "B";
  }
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
    ` flags=${clientFlags(engine, s)} capa=${
      s.capaRedirect ? "r" : ""
    } db=${s.db} sub=${s.subscriptions} psub=${s.patternSubscriptions}` +
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

// Valkey 8's CLIENT CAPA: capabilities it does not know are ignored, so newer clients can
// announce theirs to older servers.
function clientCapa(ctx: CommandContext, argv: readonly string[]): Reply {
  for (let i = 2; i < argv.length; i++) if (argv[i]!.toLowerCase() === "redirect") ctx.session.capaRedirect = true;
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
  "CACHING (YES|NO)",
  "    With tracking in OPTIN (YES) or OPTOUT (NO) mode, track or skip the keys read by the",
  "    next command or transaction.",
  "GETNAME",
  "    Return the name of this connection.",
  "ID",
  "    Return the id of this connection.",
  "GETREDIR",
  "    Return the client id invalidations are redirected to, 0 if none, -1 if tracking is off.",
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
  "PAUSE <timeout> [WRITE|ALL]",
  "    Hold the commands of every client (or only writes) for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Turn replies on or off, or drop the reply of the next command only.",
  "SETINFO <option> <value>",
  "    Record client library details shown by CLIENT LIST:",
  "    * LIB-NAME: the library name.",
  "    * LIB-VER: the library version.",
  "SETNAME <name>",
  "    Name this connection.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]] [OPTIN] [OPTOUT] [NOLOOP]",
  "    Turn client-side caching invalidations on or off:",
  "    * REDIRECT <id>: send them to another connection.",
  "    * BCAST: announce every changed key under the PREFIX values (all keys without one).",
  "    * OPTIN / OPTOUT: track reads only after CLIENT CACHING YES / unless CLIENT CACHING NO.",
  "    * NOLOOP: skip keys changed by this connection.",
  "TRACKINGINFO",
  "    Describe this connection's tracking settings.",
  "UNPAUSE",
  "    End a CLIENT PAUSE early.",
];

// ---------------------------------------------------------------------------------------------
// Client-side caching: CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO
// ---------------------------------------------------------------------------------------------

/** Two BCAST prefixes overlap when one starts with the other: a key would match both. */
function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function clientTracking(ctx: CommandContext, argv: readonly string[]): Reply {
  const engine = ctx.engine;
  const s = ctx.session;
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!.toLowerCase();
    if (opt === "redirect" && more > 0) {
      j++;
      if (redirect !== 0) return error(E.TRACKING_REDIRECT_TWICE);
      const id = parseInt64(argv[j]!);
      if (id === null) return error(E.NOT_INTEGER);
      // The client must exist now, even though it may go away later (then the redirect breaks).
      if (!engine.clients.has(Number(id))) return error(E.TRACKING_REDIRECT_MISSING);
      redirect = Number(id);
    } else if (opt === "bcast") {
      bcast = true;
    } else if (opt === "optin") {
      optin = true;
    } else if (opt === "optout") {
      optout = true;
    } else if (opt === "noloop") {
      noloop = true;
    } else if (opt === "prefix" && more > 0) {
      j++;
      prefixes.push(argv[j]!);
    } else {
      return SYNTAX;
    }
  }
  const mode = argv[2]!.toLowerCase();
  if (mode === "off") {
    engine.tracking.disable(s);
    return OK;
  }
  if (mode !== "on") return SYNTAX;
  const current = engine.tracking.stateOf(s);
  if (!bcast && prefixes.length > 0) return error(E.TRACKING_PREFIX_NO_BCAST);
  if (current !== undefined && current.bcast !== bcast) return error(E.TRACKING_BCAST_SWITCH);
  if (bcast && (optin || optout)) return error(E.TRACKING_BCAST_OPTIN);
  if (optin && optout) return error(E.TRACKING_OPTIN_OPTOUT);
  if (current !== undefined && ((optin && current.optout) || (optout && current.optin))) {
    return error(E.TRACKING_OPT_SWITCH);
  }
  if (bcast) {
    // Valkey keeps prefixes in a radix tree: existing ones are compared in byte order.
    const existing = [...(current?.prefixes ?? [])].sort();
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      const clash = existing.find((e) => prefixesOverlap(e, p));
      if (clash !== undefined) return error(fmt(E.TRACKING_PREFIX_EXISTING, p, clash));
      for (let k = i + 1; k < prefixes.length; k++) {
        if (prefixesOverlap(p, prefixes[k]!)) return error(fmt(E.TRACKING_PREFIX_OTHER, p, prefixes[k]!));
      }
    }
  }
  engine.tracking.enable(s, { redirect, bcast, optin, optout, noloop, prefixes });
  return OK;
}

function clientCaching(ctx: CommandContext, argv: readonly string[]): Reply {
  const st = ctx.engine.tracking.stateOf(ctx.session);
  if (st === undefined) return error(E.CACHING_NOT_TRACKING);
  const opt = argv[2]!.toLowerCase();
  if (opt === "yes") {
    if (!st.optin) return error(E.CACHING_YES_OPTIN);
  } else if (opt === "no") {
    if (!st.optout) return error(E.CACHING_NO_OPTOUT);
  } else {
    return SYNTAX;
  }
  // Applies to the next command (or transaction); the engine clears it afterwards.
  st.caching = true;
  return OK;
}

function clientGetredir(ctx: CommandContext): Reply {
  const st = ctx.engine.tracking.stateOf(ctx.session);
  return int(st === undefined ? -1 : st.redirect);
}

function clientTrackinginfo(ctx: CommandContext): Reply {
  const st = ctx.engine.tracking.stateOf(ctx.session);
  const flags: Reply[] = [bulk(st === undefined ? "off" : "on")];
  if (st !== undefined) {
    if (st.bcast) flags.push(bulk("bcast"));
    if (st.optin) {
      flags.push(bulk("optin"));
      if (st.caching) flags.push(bulk("caching-yes"));
    }
    if (st.optout) {
      flags.push(bulk("optout"));
      if (st.caching) flags.push(bulk("caching-no"));
    }
    if (st.noloop) flags.push(bulk("noloop"));
    if (st.brokenRedirect) flags.push(bulk("broken_redirect"));
  }
  const prefixes = st === undefined ? [] : [...st.prefixes].sort();
  return map([
    [bulk("flags"), set(flags)],
    [bulk("redirect"), int(st === undefined ? -1 : st.redirect)],
    [bulk("prefixes"), array(prefixes.map((p) => bulk(p)))],
  ]);
}

// ---------------------------------------------------------------------------------------------
// CLIENT PAUSE / UNPAUSE
// ---------------------------------------------------------------------------------------------

function clientPause(ctx: CommandContext, argv: readonly string[]): Reply {
  if (argv.length > 4) return error(fmt(E.SUBCOMMAND_SYNTAX, argv[1]!, argv[0]!.toUpperCase()));
  const v = parseInt64(argv[2]!);
  if (v === null) return error(E.TIMEOUT_NOT_INTEGER);
  if (v < 0) return error(E.TIMEOUT_NEGATIVE);
  // The end time must fit a signed 64-bit millisecond count.
  if (BigInt(v) > 9223372036854775807n - BigInt(ctx.now)) return error(E.BLOCK_TIMEOUT_RANGE);
  let mode: "write" | "all" = "all";
  if (argv.length === 4) {
    const m = argv[3]!.toLowerCase();
    if (m === "write") mode = "write";
    else if (m !== "all") return error(E.PAUSE_MODE);
  }
  ctx.engine.pause.pause(mode, ctx.now + Number(v));
  return OK;
}

// Only RESP connections honour the mode (see engine/connection.ts); in-process callers always
// get their replies.
function clientReply(ctx: CommandContext, argv: readonly string[]): Reply {
  const s = ctx.session;
  const mode = argv[2]!.toLowerCase();
  if (mode === "on") s.replyMode = "on";
  else if (mode === "off") s.replyMode = "off";
  // SKIP while OFF changes nothing, as in Valkey.
  else if (mode === "skip") s.replyMode = s.replyMode === "off" ? "off" : "skip-next";
  else return SYNTAX;
  return OK;
}

function clientUnpause(ctx: CommandContext): Reply {
  // Held clients run once this command is over (the dispatcher resumes them).
  ctx.engine.pause.unpause();
  return OK;
}

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
      cmd("capa", "connection", -3, "noscript loading stale", "connection", [], "8.0.0", clientCapa, {
        complexity: "O(1)",
        summary: "Announces client capabilities (redirect).",
      }),
      cmd("no-touch", "connection", 3, "noscript loading stale", "connection", [], "7.2.0", clientNoTouch, {
        complexity: "O(1)",
        summary: "Stops the connection's reads from updating key access times.",
      }),
      cmd("tracking", "connection", -3, SUB, "connection", [], "6.0.0", clientTracking, {
        complexity: "O(1). Some options may introduce additional complexity.",
        summary: "Turns client-side caching invalidation messages on or off.",
      }),
      cmd("caching", "connection", 3, SUB, "connection", [], "6.0.0", clientCaching, {
        complexity: "O(1)",
        summary: "Tracks (OPTIN) or skips (OPTOUT) the keys of the next command.",
      }),
      cmd("getredir", "connection", 2, SUB, "connection", [], "6.0.0", clientGetredir, {
        complexity: "O(1)",
        summary: "Returns the client id tracking invalidations are redirected to.",
      }),
      cmd("trackinginfo", "connection", 2, SUB, "connection", [], "6.2.0", clientTrackinginfo, {
        complexity: "O(1)",
        summary: "Describes the connection's client-side caching settings.",
      }),
      cmd("pause", "connection", -3, "admin " + SUB, "connection", [], "3.0.0", clientPause, {
        complexity: "O(1)",
        summary: "Holds the commands of all clients, or only writes, for a while.",
      }),
      cmd("reply", "connection", 3, SUB, "connection", [], "3.2.0", clientReply, {
        complexity: "O(1)",
        summary: "Turns the connection's replies off, back on, or off for the next command.",
      }),
      cmd("unpause", "connection", 2, "admin " + SUB, "connection", [], "6.2.0", clientUnpause, {
        complexity: "O(N) Where N is the number of paused clients",
        summary: "Ends a CLIENT PAUSE.",
      }),
      cmd("help", "connection", 2, "loading stale sentinel", "connection", [], "5.0.0", clientHelp, {
        complexity: "O(1)",
        summary: "Lists the CLIENT subcommands.",
      }),
    ],
  }),
];
