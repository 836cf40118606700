/**
 * Value conversions between replies and Lua, both ways, exactly as Valkey's `script_lua.c`
 * does them.
 *
 * Reply -> Lua (what `redis.call` returns), for the protocol the script chose with
 * `redis.setresp` (2 by default): integer -> integer number; bulk -> string; null -> false
 * (RESP2) or nil (RESP3); array -> table; status -> `{ok=...}`; error -> `{err=...}`; and under
 * RESP3 map -> `{map={...}}`, set -> `{set={k=true}}`, double -> `{double=n}`, boolean ->
 * boolean, big number -> `{big_number="..."}`, verbatim -> `{verbatim_string={format,string}}`.
 * Under RESP2 each RESP3 type arrives as its RESP2 downgrade (a map as a flat array, a double
 * as its bulk text, a boolean as 0/1), as Valkey parses the RESP2 bytes the command wrote.
 *
 * Lua -> reply (what a script returns): number -> integer (C truncation of the double); string
 * -> bulk; true -> 1 and false -> null under RESP2, booleans under RESP3; a table with an `err`
 * string -> error; `ok` string -> status; `double` number -> double; `big_number`,
 * `verbatim_string`, `map`, `set` likewise; any other table -> array up to the first nil; nil
 * and other types -> null.
 *
 * @module
 */
import {
  cstr,
  lua,
  type LuaState,
  pushBytes,
  rawField,
  setField,
  T_BOOLEAN,
  T_NIL,
  T_NUMBER,
  T_STRING,
  T_TABLE,
  toBytes,
} from "./lua_wasm.ts";
import {
  array,
  bignum,
  bool,
  bulk,
  double,
  error,
  int,
  map,
  NULL,
  type Reply,
  set,
  simple,
  verbatim,
} from "../protocol/reply.ts";
import { formatDouble } from "../util/number.ts";
import type { ErrorTally } from "./vm.ts";

/** Pushes `{err=msg}` (Valkey's `luaPushError` format: `CODE message`, no leading '-'). */
export function pushErrorTable(L: LuaState, msg: string, ignoreStats = false): void {
  lua._lua_createtable(L, 0, 2);
  pushBytes(L, msg);
  setField(L, -2, "err");
  if (ignoreStats) {
    lua._lua_pushboolean(L, 1);
    setField(L, -2, "ignore_error_stats_update");
  }
}

/**
 * Normalizes an error text as Valkey's `luaPushErrorBuff`: "-CODE msg" keeps CODE, a text
 * without '-' gets the ERR code, and trailing CR/LF are trimmed.
 */
export function errorText(raw: string): string {
  let code = "ERR";
  let msg = raw;
  if (raw.startsWith("-")) {
    const sp = raw.indexOf(" ");
    if (sp < 0) {
      msg = raw.slice(1);
    } else {
      code = raw.slice(1, sp);
      msg = raw.slice(sp + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, "");
  return `${code} ${msg}`;
}

function pushInt(L: LuaState, v: number | bigint): void {
  lua._lua_pushinteger(L, typeof v === "bigint" ? v : BigInt(v));
}

function pushText(L: LuaState, v: string | Uint8Array): void {
  pushBytes(L, v);
}

/** Pushes a reply as the Lua value a script sees, under RESP `resp` (2 or 3). */
export function pushReply(L: LuaState, r: Reply, resp: 2 | 3): void {
  if (lua._lua_checkstack(L, 4) === 0) throw new RangeError("Cannot convert reply: Lua stack limit reached");
  switch (r.t) {
    case "int":
      pushInt(L, r.v);
      return;
    case "bulk":
      pushText(L, r.v);
      return;
    case "simple":
      lua._lua_createtable(L, 0, 1);
      pushBytes(L, r.v);
      setField(L, -2, "ok");
      return;
    case "error":
      pushErrorTable(L, errorText("-" + r.msg), true);
      return;
    case "null":
      if (resp === 3) lua._lua_pushnil(L);
      else lua._lua_pushboolean(L, 0);
      return;
    case "array":
    case "set":
    case "push":
      if (r.t === "set" && resp === 3) {
        lua._lua_createtable(L, 0, 1);
        lua._lua_createtable(L, 0, r.v.length);
        for (const item of r.v) {
          pushReply(L, item, resp);
          lua._lua_pushboolean(L, 1);
          lua._lua_rawset(L, -3);
        }
        setField(L, -2, "set");
        return;
      }
      lua._lua_createtable(L, r.v.length, 0);
      for (let i = 0; i < r.v.length; i++) {
        pushReply(L, r.v[i]!, resp);
        lua._lua_rawseti(L, -2, BigInt(i + 1));
      }
      return;
    case "map":
      if (resp === 3) {
        lua._lua_createtable(L, 0, 1);
        lua._lua_createtable(L, 0, r.v.length);
        for (const [k, v] of r.v) {
          pushReply(L, k, resp);
          pushReply(L, v, resp);
          lua._lua_rawset(L, -3);
        }
        setField(L, -2, "map");
        return;
      }
      pushFlatPairs(L, r.v, resp);
      return;
    case "pairs":
      if (resp === 3) {
        lua._lua_createtable(L, r.v.length, 0);
        for (let i = 0; i < r.v.length; i++) {
          const [a, b] = r.v[i]!;
          lua._lua_createtable(L, 2, 0);
          pushReply(L, a, resp);
          lua._lua_rawseti(L, -2, 1n);
          pushReply(L, b, resp);
          lua._lua_rawseti(L, -2, 2n);
          lua._lua_rawseti(L, -2, BigInt(i + 1));
        }
        return;
      }
      pushFlatPairs(L, r.v, resp);
      return;
    case "double":
      if (resp === 3) {
        lua._lua_createtable(L, 0, 1);
        lua._lua_pushnumber(L, r.text === undefined ? r.v : Number(r.text));
        setField(L, -2, "double");
      } else {
        pushBytes(L, r.text ?? formatDouble(r.v));
      }
      return;
    case "bool":
      if (resp === 3) lua._lua_pushboolean(L, r.v ? 1 : 0);
      else pushInt(L, r.v ? 1 : 0);
      return;
    case "verbatim":
      if (resp === 3) {
        lua._lua_createtable(L, 0, 1);
        lua._lua_createtable(L, 0, 2);
        pushBytes(L, r.v);
        setField(L, -2, "string");
        pushBytes(L, r.format);
        setField(L, -2, "format");
        setField(L, -2, "verbatim_string");
      } else {
        pushBytes(L, r.v);
      }
      return;
    case "bignum":
      if (resp === 3) {
        lua._lua_createtable(L, 0, 1);
        pushBytes(L, r.v.toString());
        setField(L, -2, "big_number");
      } else {
        pushBytes(L, r.v.toString());
      }
      return;
  }
}

function pushFlatPairs(L: LuaState, v: readonly (readonly [Reply, Reply])[], resp: 2 | 3): void {
  lua._lua_createtable(L, v.length * 2, 0);
  let i = 1;
  for (const [a, b] of v) {
    pushReply(L, a, resp);
    lua._lua_rawseti(L, -2, BigInt(i++));
    pushReply(L, b, resp);
    lua._lua_rawseti(L, -2, BigInt(i++));
  }
}

const INT64_MIN = -9223372036854775808n;

/**
 * C's `(long long)` cast of a double on x86-64: truncation toward zero, and the "integer
 * indefinite" value (INT64_MIN) for NaN, infinities and out-of-range values.
 */
export function truncToInt64(d: number): number | bigint {
  if (!Number.isFinite(d) || d >= 9223372036854775808 || d < -9223372036854775808) return INT64_MIN;
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? (Object.is(t, -0) ? 0 : t) : BigInt(t);
}

/** The number at `idx` as Lua 5.1 sees it: a double (`lua_tonumber`). */
export function toNumber(L: LuaState, idx: number): number {
  return lua._lua_tonumberx(L, idx, 0);
}

/** Formats a number argument of `redis.call` as Valkey does (integer text, else fpconv). */
export function numberArg(d: number): string {
  // Valkey's double2ll accepts integral values within +-LLONG_MAX/2; formatDouble prints
  // exactly those as integers and everything else with fpconv_dtoa's notation.
  return formatDouble(d);
}

/**
 * Converts the value at the top of the stack into the script's reply and pops it. `resp` is
 * the script's protocol (redis.setresp), which decides how booleans convert.
 */
export function popReply(L: LuaState, resp: 2 | 3, errors: ErrorTally): Reply {
  const r = toReply(L, lua._lua_gettop(L), resp, errors);
  lua._lua_settop(L, -2);
  return r;
}

/** Whether the error table at `idx` carries Valkey's `ignore_error_stats_update` mark. */
export function passedOnError(L: LuaState, idx: number): boolean {
  const abs = idx < 0 ? lua._lua_gettop(L) + idx + 1 : idx;
  const t = rawField(L, abs, "ignore_error_stats_update");
  const marked = t === T_BOOLEAN && lua._lua_toboolean(L, -1) !== 0;
  lua._lua_settop(L, -2);
  return marked;
}

function toReply(L: LuaState, idx: number, resp: 2 | 3, errors: ErrorTally): Reply {
  if (lua._lua_checkstack(L, 4) === 0) return error("ERR reached lua stack limit");
  const t = lua._lua_type(L, idx);
  switch (t) {
    case T_STRING:
      return bulk(toBytes(L, idx)!);
    case T_BOOLEAN: {
      const b = lua._lua_toboolean(L, idx) !== 0;
      if (resp === 2) return b ? int(1) : NULL;
      return bool(b);
    }
    case T_NUMBER:
      return int(truncToInt64(toNumber(L, idx)));
    case T_TABLE:
      return tableReply(L, idx, resp, errors);
    default:
      return NULL;
  }
}

function tableReply(L: LuaState, idx: number, resp: 2 | 3, errors: ErrorTally): Reply {
  // An error: {err="CODE msg", ...}.
  if (rawField(L, idx, "err") === T_STRING) {
    // An error line cannot hold CR or LF either (addReplyErrorFormat maps them to spaces).
    const msg = toBytes(L, -1)!.replace(/[\r\n]/g, " ");
    lua._lua_settop(L, -2);
    if (passedOnError(L, idx)) errors.passedOn++;
    else errors.own.push(msg);
    return error(msg);
  }
  lua._lua_settop(L, -2);
  if (rawField(L, idx, "ok") === T_STRING) {
    // A status line cannot hold CR or LF: Valkey maps them to spaces.
    const s = toBytes(L, -1)!.replace(/[\r\n]/g, " ");
    lua._lua_settop(L, -2);
    return simple(s);
  }
  lua._lua_settop(L, -2);
  if (rawField(L, idx, "double") === T_NUMBER) {
    const d = toNumber(L, -1);
    lua._lua_settop(L, -2);
    return double(d);
  }
  lua._lua_settop(L, -2);
  if (rawField(L, idx, "big_number") === T_STRING) {
    const s = toBytes(L, -1)!.replace(/[\r\n]/g, " ");
    lua._lua_settop(L, -2);
    // Valkey sends the text as is; Kite's reply holds a bigint, so a text that is not an
    // integer is sent as a bulk string instead.
    return /^-?\d+$/.test(s) ? bignum(BigInt(s)) : bulk(s);
  }
  lua._lua_settop(L, -2);
  if (rawField(L, idx, "verbatim_string") === T_TABLE) {
    const v = lua._lua_gettop(L);
    if (rawField(L, v, "format") === T_STRING) {
      const format = toBytes(L, -1)!;
      if (rawField(L, v, "string") === T_STRING) {
        const s = toBytes(L, -1)!;
        lua._lua_settop(L, -4);
        return verbatim(s, format);
      }
      lua._lua_settop(L, -2);
    }
    lua._lua_settop(L, -2);
  }
  lua._lua_settop(L, -2);
  if (rawField(L, idx, "map") === T_TABLE) {
    const m = lua._lua_gettop(L);
    const out: [Reply, Reply][] = [];
    lua._lua_pushnil(L);
    while (lua._lua_next(L, m) !== 0) {
      const top = lua._lua_gettop(L);
      const k = toReply(L, top - 1, resp, errors);
      const v = toReply(L, top, resp, errors);
      out.push([k, v]);
      lua._lua_settop(L, -2);
    }
    lua._lua_settop(L, -2);
    return map(out);
  }
  lua._lua_settop(L, -2);
  if (rawField(L, idx, "set") === T_TABLE) {
    const s = lua._lua_gettop(L);
    const out: Reply[] = [];
    lua._lua_pushnil(L);
    while (lua._lua_next(L, s) !== 0) {
      out.push(toReply(L, lua._lua_gettop(L) - 1, resp, errors));
      lua._lua_settop(L, -2);
    }
    lua._lua_settop(L, -2);
    return set(out);
  }
  lua._lua_settop(L, -2);
  // An array: elements 1, 2, ... up to the first nil.
  const items: Reply[] = [];
  for (let j = 1;; j++) {
    if (lua._lua_rawgeti(L, idx, BigInt(j)) === T_NIL) {
      lua._lua_settop(L, -2);
      break;
    }
    items.push(toReply(L, lua._lua_gettop(L), resp, errors));
    lua._lua_settop(L, -2);
  }
  return array(items);
}

/** Reads the string field `name` of the table at `idx`, or undefined (numbers convert). */
export function stringField(L: LuaState, idx: number, name: string): string | undefined {
  const t = lua._lua_getfield(L, idx, cstr(name));
  const s = t === T_STRING || t === T_NUMBER ? toBytes(L, -1) : undefined;
  lua._lua_settop(L, -2);
  return s;
}
