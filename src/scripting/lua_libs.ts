/**
 * The C libraries Valkey links into its Lua, implemented in JS over the Lua C API: `cjson`
 * (lua-cjson 2.1), `bit` (LuaBitOp), `struct` (Roberto Ierusalimschy's lstruct) and `cmsgpack`
 * (lua-cmsgpack). Each function follows its library's documented behaviour and error texts.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  cfunction,
  lua,
  type LuaState,
  pushBytes,
  raiseWhere,
  setField,
  T_BOOLEAN,
  T_FUNCTION,
  T_LIGHTUSERDATA,
  T_NIL,
  T_NUMBER,
  T_STRING,
  T_TABLE,
  toBytes,
  upvalueIndex,
} from "./lua_wasm.ts";

/** An error a library function raises as a Lua error (with the caller's position). */
export class LuaLibError extends Error {}

/**
 * Wraps a library function: a thrown {@link LuaLibError} (or JS bug) becomes a Lua error raised
 * with `chunk:line:` in front, as `luaL_error` does. Lua's own errors (Emscripten longjmps,
 * thrown as numbers) pass through untouched.
 */
export function libFunction(fn: (L: LuaState) => number): number {
  return cfunction((L) => {
    let msg: string;
    try {
      return fn(L);
    } catch (e) {
      if (typeof e === "number") throw e;
      msg = e instanceof Error ? e.message : String(e);
    }
    return raiseWhere(L, msg);
  });
}

function argError(n: number, fname: string, msg: string): never {
  throw new LuaLibError(`bad argument #${n} to '${fname}' (${msg})`);
}

function checkNumber(L: LuaState, n: number, fname: string): number {
  const t = lua._lua_type(L, n);
  if (t === T_NUMBER) return lua._lua_tonumberx(L, n, 0);
  if (t === T_STRING) {
    const v = Number(toBytes(L, n)!.trim());
    if (!Number.isNaN(v)) return v;
  }
  return argError(n, fname, `number expected, got ${typeName(t)}`);
}

function checkString(L: LuaState, n: number, fname: string): string {
  const t = lua._lua_type(L, n);
  if (t === T_STRING || t === T_NUMBER) return toBytes(L, n)!;
  return argError(n, fname, `string expected, got ${typeName(t)}`);
}

const TYPE_NAMES = ["nil", "boolean", "userdata", "number", "string", "table", "function", "userdata", "thread"];

function typeName(t: number): string {
  // A missing argument reads as nil, as in the messages of Valkey's Lua 5.1 libraries.
  return t < 0 ? "nil" : TYPE_NAMES[t] ?? "unknown";
}

/**
 * C's `%.<prec>g`: `prec` significant digits, trailing zeros removed, exponent form when the
 * exponent is below -4 or at least `prec`.
 */
export function formatG(n: number, prec = 14): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return Object.is(n, -0) ? "-0" : "0";
  const p = Math.max(1, prec);
  let exp = n.toExponential(p - 1);
  // JS rounds an exact tie away from zero, C's printf to even: keep the even digit then.
  const wide = Math.abs(n).toExponential(Math.min(100, p + 24));
  const we = wide.indexOf("e");
  const digits = wide.slice(0, we).replace(".", "");
  if (digits[p] === "5" && /^0*$/.test(digits.slice(p + 1)) && Number(digits[p - 1]) % 2 === 0) {
    const kept = digits.slice(0, p);
    exp = (n < 0 ? "-" : "") + kept[0] + (p > 1 ? "." + kept.slice(1) : "") + wide.slice(we);
  }
  const e = exp.indexOf("e");
  const x = Number(exp.slice(e + 1));
  if (x < -4 || x >= p) {
    let mant = exp.slice(0, e);
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    const ax = Math.abs(x);
    return `${mant}e${x < 0 ? "-" : "+"}${ax < 10 ? "0" : ""}${ax}`;
  }
  let fixed = n.toFixed(Math.max(0, p - 1 - x));
  if (fixed.includes(".")) fixed = fixed.replace(/0+$/, "").replace(/\.$/, "");
  return fixed;
}

// ---------------------------------------------------------------------------------------------
// bit (LuaBitOp): 32-bit operations; results are signed 32-bit numbers.

// LuaBitOp converts a number by adding 2^52+2^51 and taking the low 32 bits: it rounds to the
// nearest integer (ties to even) and wraps modulo 2^32.
function tobit(d: number): number {
  if (!Number.isFinite(d)) return 0;
  let r = Math.round(d);
  if (Math.abs(d - Math.trunc(d)) === 0.5 && r % 2 !== 0) r -= 1;
  const m = r % 4294967296;
  return m | 0;
}

function bitArg(L: LuaState, n: number, fname: string): number {
  return tobit(checkNumber(L, n, fname));
}

function pushInt32(L: LuaState, v: number): number {
  lua._lua_pushinteger(L, BigInt(v | 0));
  return 1;
}

function bitFold(fname: string, op: (a: number, b: number) => number): number {
  return libFunction((L) => {
    const n = lua._lua_gettop(L);
    let acc = bitArg(L, 1, fname);
    for (let i = 2; i <= n; i++) acc = op(acc, bitArg(L, i, fname));
    return pushInt32(L, acc);
  });
}

function bitShift(fname: string, op: (a: number, s: number) => number): number {
  return libFunction((L) => pushInt32(L, op(bitArg(L, 1, fname), bitArg(L, 2, fname) & 31)));
}

const BIT: Record<string, number> = {
  tobit: libFunction((L) => pushInt32(L, bitArg(L, 1, "tobit"))),
  bnot: libFunction((L) => pushInt32(L, ~bitArg(L, 1, "bnot"))),
  band: bitFold("band", (a, b) => a & b),
  bor: bitFold("bor", (a, b) => a | b),
  bxor: bitFold("bxor", (a, b) => a ^ b),
  lshift: bitShift("lshift", (a, s) => a << s),
  rshift: bitShift("rshift", (a, s) => a >>> s),
  arshift: bitShift("arshift", (a, s) => a >> s),
  rol: bitShift("rol", (a, s) => (a << s) | (a >>> (32 - s))),
  ror: bitShift("ror", (a, s) => (a >>> s) | (a << (32 - s))),
  bswap: libFunction((L) => {
    const b = bitArg(L, 1, "bswap");
    return pushInt32(L, ((b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0);
  }),
  tohex: libFunction((L) => {
    const b = bitArg(L, 1, "tohex");
    let n = lua._lua_type(L, 2) <= T_NIL ? 8 : bitArg(L, 2, "tohex");
    let upper = false;
    if (n < 0) {
      n = -n;
      upper = true;
    }
    if (n > 8) n = 8;
    let hex = (b >>> 0).toString(16).padStart(8, "0").slice(8 - n);
    if (upper) hex = hex.toUpperCase();
    pushBytes(L, hex);
    return 1;
  }),
};

// ---------------------------------------------------------------------------------------------
// cjson (lua-cjson 2.1 defaults: precision 14, max depth 1000, sparse ratio 2 / safe 10).

interface CjsonConfig {
  precision: number;
  maxEncodeDepth: number;
  maxDecodeDepth: number;
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  encodeInvalidNumbers: boolean | "null";
  decodeInvalidNumbers: boolean;
}

// Each cjson module (the one a Lua state starts with, and each cjson.new()) keeps its settings
// in a userdata that is an upvalue of its functions, as lua-cjson does: settings changed by a
// script last as long as the Lua state (until SCRIPT FLUSH), and one module's settings do not
// touch another's. The userdata holds CJSON_SLOTS doubles, in CjsonConfig's field order.
const CJSON_SLOTS = 8;
const CJSON_DEFAULTS = [14, 1000, 1000, 0, 2, 10, 0, 1];

/** The settings of the cjson module whose function is running (loaded on entry). */
const CJSON: CjsonConfig = {
  precision: 14,
  maxEncodeDepth: 1000,
  maxDecodeDepth: 1000,
  sparseConvert: false,
  sparseRatio: 2,
  sparseSafe: 10,
  encodeInvalidNumbers: false,
  decodeInvalidNumbers: true,
};

let heapView: DataView | undefined;

// A view of the WebAssembly memory (replaced when the memory grows).
function heap(): DataView {
  const buf = lua.HEAPU8.buffer;
  if (heapView === undefined || heapView.buffer !== buf) heapView = new DataView(buf);
  return heapView;
}

// Reads the running module's settings (its userdata, upvalue 1) into CJSON; returns its address.
function loadCjsonConfig(L: LuaState): number {
  const p = lua._lua_touserdata(L, upvalueIndex(1));
  const h = heap();
  CJSON.precision = h.getFloat64(p, true);
  CJSON.maxEncodeDepth = h.getFloat64(p + 8, true);
  CJSON.maxDecodeDepth = h.getFloat64(p + 16, true);
  CJSON.sparseConvert = h.getFloat64(p + 24, true) !== 0;
  CJSON.sparseRatio = h.getFloat64(p + 32, true);
  CJSON.sparseSafe = h.getFloat64(p + 40, true);
  const inv = h.getFloat64(p + 48, true);
  CJSON.encodeInvalidNumbers = inv === 2 ? "null" : inv !== 0;
  CJSON.decodeInvalidNumbers = h.getFloat64(p + 56, true) !== 0;
  return p;
}

// Writes CJSON back into the module's userdata at `p` (after a setting changed).
function saveCjsonConfig(p: number): void {
  const h = heap();
  h.setFloat64(p, CJSON.precision, true);
  h.setFloat64(p + 8, CJSON.maxEncodeDepth, true);
  h.setFloat64(p + 16, CJSON.maxDecodeDepth, true);
  h.setFloat64(p + 24, CJSON.sparseConvert ? 1 : 0, true);
  h.setFloat64(p + 32, CJSON.sparseRatio, true);
  h.setFloat64(p + 40, CJSON.sparseSafe, true);
  const inv = CJSON.encodeInvalidNumbers;
  h.setFloat64(p + 48, inv === "null" ? 2 : inv ? 1 : 0, true);
  h.setFloat64(p + 56, CJSON.decodeInvalidNumbers ? 1 : 0, true);
}

// A cjson function: its module's settings are loaded first, and saved after when `changes`.
function cjsonFunction(fn: (L: LuaState) => number, changes = false): number {
  return libFunction((L) => {
    const p = loadCjsonConfig(L);
    const n = fn(L);
    if (changes) saveCjsonConfig(p);
    return n;
  });
}

const ESCAPES: string[] = [];
for (let i = 0; i < 256; i++) {
  if (i < 0x20) ESCAPES.push(`\\u${i.toString(16).padStart(4, "0")}`);
  else ESCAPES.push(String.fromCharCode(i));
}
ESCAPES[0x08] = "\\b";
ESCAPES[0x09] = "\\t";
ESCAPES[0x0a] = "\\n";
ESCAPES[0x0c] = "\\f";
ESCAPES[0x0d] = "\\r";
ESCAPES[0x22] = '\\"';
ESCAPES[0x5c] = "\\\\";
ESCAPES[0x2f] = "\\/";
ESCAPES[0x7f] = "\\u007f";

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) out += ESCAPES[s.charCodeAt(i)]!;
  return out + '"';
}

function jsonNumber(d: number): string {
  if (!Number.isFinite(d)) {
    if (CJSON.encodeInvalidNumbers === "null") return "null";
    if (!CJSON.encodeInvalidNumbers) {
      throw new LuaLibError("Cannot serialise number: must not be NaN or Inf");
    }
    if (Number.isNaN(d)) return "nan";
    return d > 0 ? "inf" : "-inf";
  }
  return formatG(d, CJSON.precision);
}

function encodeError(t: number, reason: string): never {
  throw new LuaLibError(`Cannot serialise ${typeName(t)}: ${reason}`);
}

// The array length of a table, -1 when it must be encoded as an object (lua_array_length).
function arrayLength(L: LuaState, idx: number): number {
  let max = 0;
  let items = 0;
  lua._lua_pushnil(L);
  while (lua._lua_next(L, idx) !== 0) {
    if (lua._lua_type(L, -2) === T_NUMBER) {
      const k = lua._lua_tonumberx(L, -2, 0);
      if (Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
        lua._lua_settop(L, -2);
        continue;
      }
    }
    lua._lua_settop(L, -3);
    return -1;
  }
  if (CJSON.sparseRatio > 0 && max > items * CJSON.sparseRatio && max > CJSON.sparseSafe) {
    if (!CJSON.sparseConvert) encodeError(T_TABLE, "excessively sparse array");
    return -1;
  }
  return max;
}

function jsonEncode(L: LuaState, idx: number, depth: number): string {
  const t = lua._lua_type(L, idx);
  switch (t) {
    case T_STRING:
      return jsonString(toBytes(L, idx)!);
    case T_NUMBER:
      return jsonNumber(lua._lua_tonumberx(L, idx, 0));
    case T_BOOLEAN:
      return lua._lua_toboolean(L, idx) !== 0 ? "true" : "false";
    case T_NIL:
      return "null";
    case T_LIGHTUSERDATA:
      if (isNullUserdata(L, idx)) return "null";
      return encodeError(t, "type not supported");
    case T_TABLE: {
      if (depth > CJSON.maxEncodeDepth) {
        throw new LuaLibError(`Cannot serialise, excessive nesting (${depth})`);
      }
      if (lua._lua_checkstack(L, 3) === 0) throw new LuaLibError("Cannot serialise, stack overflow");
      const len = arrayLength(L, idx);
      if (len > 0) {
        const parts: string[] = [];
        for (let i = 1; i <= len; i++) {
          lua._lua_rawgeti(L, idx, BigInt(i));
          parts.push(jsonEncode(L, lua._lua_gettop(L), depth + 1));
          lua._lua_settop(L, -2);
        }
        return `[${parts.join(",")}]`;
      }
      const parts: string[] = [];
      lua._lua_pushnil(L);
      while (lua._lua_next(L, idx) !== 0) {
        const top = lua._lua_gettop(L);
        const kt = lua._lua_type(L, top - 1);
        let key: string;
        if (kt === T_STRING) {
          key = jsonString(toBytes(L, top - 1)!);
        } else if (kt === T_NUMBER) {
          key = `"${jsonNumber(lua._lua_tonumberx(L, top - 1, 0))}"`;
        } else {
          encodeError(T_TABLE, "table key must be a number or string");
        }
        parts.push(`${key}:${jsonEncode(L, top, depth + 1)}`);
        lua._lua_settop(L, -2);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return encodeError(t, "type not supported");
  }
}

// cjson.null is a light userdata holding NULL; any NULL light userdata encodes as null.
function isNullUserdata(L: LuaState, idx: number): boolean {
  return lua._lua_touserdata(L, idx) === 0;
}

// The decoder reads latin1 byte strings: bytes >= 0x80 pass through, \uXXXX becomes UTF-8.
class JsonParser {
  readonly s: string;
  pos = 0;
  readonly L: LuaState;
  constructor(L: LuaState, s: string) {
    this.L = L;
    this.s = s;
  }

  fail(expected: string, found: string, at = this.pos): never {
    throw new LuaLibError(`Expected ${expected} but found ${found} at character ${at + 1}`);
  }

  skip(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  tokenName(): string {
    if (this.pos >= this.s.length) return "T_END";
    const c = this.s[this.pos]!;
    switch (c) {
      case "{":
        return "T_OBJ_BEGIN";
      case "}":
        return "T_OBJ_END";
      case "[":
        return "T_ARR_BEGIN";
      case "]":
        return "T_ARR_END";
      case ",":
        return "T_COMMA";
      case ":":
        return "T_COLON";
      case '"':
        return "T_STRING";
      default:
        return /[-0-9]/.test(c) ? "T_NUMBER" : "invalid token";
    }
  }

  value(depth: number): void {
    const L = this.L;
    this.skip();
    const s = this.s;
    if (this.pos >= s.length) this.fail("value", "T_END");
    const c = s[this.pos]!;
    if (c === "{") return this.object(depth + 1);
    if (c === "[") return this.array(depth + 1);
    if (c === '"') {
      pushBytes(L, this.string());
      return;
    }
    if (s.startsWith("true", this.pos)) {
      this.pos += 4;
      lua._lua_pushboolean(L, 1);
      return;
    }
    if (s.startsWith("false", this.pos)) {
      this.pos += 5;
      lua._lua_pushboolean(L, 0);
      return;
    }
    if (s.startsWith("null", this.pos)) {
      this.pos += 4;
      lua._lua_pushlightuserdata(L, 0);
      return;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(s.slice(this.pos, this.pos + 400));
    if (m !== null) {
      this.pos += m[0].length;
      lua._lua_pushnumber(L, Number(m[0]));
      return;
    }
    const special = /^-?(?:inf|nan)/i.exec(s.slice(this.pos, this.pos + 8));
    if (special !== null && CJSON.decodeInvalidNumbers) {
      this.pos += special[0].length;
      const neg = special[0].startsWith("-");
      lua._lua_pushnumber(L, /nan/i.test(special[0]) ? NaN : neg ? -Infinity : Infinity);
      return;
    }
    this.fail("value", this.tokenName() === "T_NUMBER" ? "invalid number" : this.tokenName());
  }

  string(): string {
    const s = this.s;
    let out = "";
    this.pos++;
    while (true) {
      if (this.pos >= s.length) this.fail("value", "unexpected end of string");
      const c = s[this.pos]!;
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      this.pos += 2;
      switch (e) {
        case '"':
        case "\\":
        case "/":
          out += e;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          let cp = this.hex4();
          if (cp >= 0xd800 && cp <= 0xdbff && s[this.pos] === "\\" && s[this.pos + 1] === "u") {
            this.pos += 2;
            const lo = this.hex4();
            if (lo >= 0xdc00 && lo <= 0xdfff) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            else this.fail("value", "invalid unicode escape code");
          }
          out += Buffer.from(String.fromCodePoint(cp), "utf8").toString("latin1");
          break;
        }
        default:
          this.fail("value", "invalid escape code");
      }
    }
  }

  hex4(): number {
    const h = this.s.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("value", "invalid unicode escape code");
    this.pos += 4;
    return parseInt(h, 16);
  }

  nest(depth: number): void {
    if (depth > CJSON.maxDecodeDepth) {
      throw new LuaLibError(`Found too many nested data structures (${depth}) at character ${this.pos + 1}`);
    }
    if (lua._lua_checkstack(this.L, 3) === 0) throw new LuaLibError("Cannot decode, stack overflow");
  }

  object(depth: number): void {
    const L = this.L;
    this.nest(depth);
    this.pos++;
    lua._lua_createtable(L, 0, 0);
    this.skip();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return;
    }
    while (true) {
      this.skip();
      if (this.s[this.pos] !== '"') this.fail("object key string", this.tokenName());
      pushBytes(L, this.string());
      this.skip();
      if (this.s[this.pos] !== ":") this.fail("colon", this.tokenName());
      this.pos++;
      this.value(depth);
      lua._lua_rawset(L, -3);
      this.skip();
      const c = this.s[this.pos];
      if (c === "}") {
        this.pos++;
        return;
      }
      if (c !== ",") this.fail("comma or object end", this.tokenName());
      this.pos++;
    }
  }

  array(depth: number): void {
    const L = this.L;
    this.nest(depth);
    this.pos++;
    lua._lua_createtable(L, 0, 0);
    this.skip();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return;
    }
    for (let i = 1;; i++) {
      this.value(depth);
      lua._lua_rawseti(L, -2, BigInt(i));
      this.skip();
      const c = this.s[this.pos];
      if (c === "]") {
        this.pos++;
        return;
      }
      if (c !== ",") this.fail("comma or array end", this.tokenName());
      this.pos++;
    }
  }
}

function cjsonConfigInt(
  L: LuaState,
  fname: string,
  get: () => number,
  setv: (v: number) => void,
  min: number,
  max: number,
): number {
  if (lua._lua_gettop(L) >= 1 && lua._lua_type(L, 1) !== T_NIL) {
    const v = checkNumber(L, 1, fname);
    if (!Number.isInteger(v) || v < min || v > max) argError(1, fname, `expected integer between ${min} and ${max}`);
    setv(v);
  }
  lua._lua_pushinteger(L, BigInt(get()));
  return 1;
}

const CJSON_FUNCS: Record<string, number> = {
  encode: cjsonFunction((L) => {
    if (lua._lua_gettop(L) !== 1) throw new LuaLibError("bad argument #1 to 'encode' (expected 1 argument)");
    pushBytes(L, jsonEncode(L, 1, 1));
    return 1;
  }),
  decode: cjsonFunction((L) => {
    if (lua._lua_gettop(L) !== 1) throw new LuaLibError("bad argument #1 to 'decode' (expected 1 argument)");
    const s = checkString(L, 1, "decode");
    const p = new JsonParser(L, s);
    p.skip();
    p.value(0);
    p.skip();
    if (p.pos < s.length) p.fail("the end", p.tokenName());
    return 1;
  }),
  encode_keep_buffer: cjsonFunction((L) => {
    lua._lua_pushboolean(L, 1);
    return 1;
  }),
  encode_max_depth: cjsonFunction(
    (L) =>
      cjsonConfigInt(L, "encode_max_depth", () => CJSON.maxEncodeDepth, (v) => CJSON.maxEncodeDepth = v, 1, 2147483647),
    true,
  ),
  decode_max_depth: cjsonFunction(
    (L) =>
      cjsonConfigInt(L, "decode_max_depth", () => CJSON.maxDecodeDepth, (v) => CJSON.maxDecodeDepth = v, 1, 2147483647),
    true,
  ),
  encode_number_precision: cjsonFunction(
    (L) => cjsonConfigInt(L, "encode_number_precision", () => CJSON.precision, (v) => CJSON.precision = v, 1, 14),
    true,
  ),
  encode_sparse_array: cjsonFunction((L) => {
    if (lua._lua_gettop(L) >= 1) CJSON.sparseConvert = lua._lua_toboolean(L, 1) !== 0;
    if (lua._lua_gettop(L) >= 2) CJSON.sparseRatio = checkNumber(L, 2, "encode_sparse_array");
    if (lua._lua_gettop(L) >= 3) CJSON.sparseSafe = checkNumber(L, 3, "encode_sparse_array");
    lua._lua_pushboolean(L, CJSON.sparseConvert ? 1 : 0);
    lua._lua_pushinteger(L, BigInt(CJSON.sparseRatio));
    lua._lua_pushinteger(L, BigInt(CJSON.sparseSafe));
    return 3;
  }, true),
  encode_invalid_numbers: cjsonFunction((L) => {
    if (lua._lua_gettop(L) >= 1) {
      const t = lua._lua_type(L, 1);
      CJSON.encodeInvalidNumbers = t === T_STRING && toBytes(L, 1) === "null" ? "null" : lua._lua_toboolean(L, 1) !== 0;
    }
    if (CJSON.encodeInvalidNumbers === "null") pushBytes(L, "null");
    else lua._lua_pushboolean(L, CJSON.encodeInvalidNumbers ? 1 : 0);
    return 1;
  }, true),
  decode_invalid_numbers: cjsonFunction((L) => {
    if (lua._lua_gettop(L) >= 1) CJSON.decodeInvalidNumbers = lua._lua_toboolean(L, 1) !== 0;
    lua._lua_pushboolean(L, CJSON.decodeInvalidNumbers ? 1 : 0);
    return 1;
  }, true),
};

// ---------------------------------------------------------------------------------------------
// struct (lstruct): pack/unpack/size with formats > < ! x b B h H i I l L T f d c s.

interface StructState {
  little: boolean;
  align: number;
}

function optSize(fmt: string, i: { p: number }, def: number): number {
  const m = /^\d+/.exec(fmt.slice(i.p));
  if (m === null) return def;
  i.p += m[0].length;
  return Number(m[0]);
}

const FIXED_SIZES: Record<string, number> = { b: 1, B: 1, h: 2, H: 2, l: 8, L: 8, T: 8, f: 4, d: 8, x: 1 };

function itemSize(opt: string, fmt: string, i: { p: number }): number {
  if (opt === "i" || opt === "I") {
    const sz = optSize(fmt, i, 4);
    if (sz > 32) throw new LuaLibError(`integral size ${sz} is larger than limit of 32`);
    return sz;
  }
  if (opt === "c") return optSize(fmt, i, 1);
  return FIXED_SIZES[opt] ?? 0;
}

// Padding before an item of `size` bytes at offset `len` (gettoalign).
function gap(len: number, st: StructState, opt: string, size: number): number {
  if (size === 0 || opt === "c") return 0;
  const align = size > st.align ? st.align : size;
  return (align - (len & (align - 1))) & (align - 1);
}

// Endianness and alignment options; false for a data option.
function controlOption(opt: string, fmt: string, i: { p: number }, st: StructState, fname: string): boolean {
  switch (opt) {
    case " ":
      return true;
    case ">":
      st.little = false;
      return true;
    case "<":
      st.little = true;
      return true;
    case "!": {
      const a = optSize(fmt, i, 8);
      if ((a & (a - 1)) !== 0) throw new LuaLibError(`alignment ${a} is not a power of 2`);
      st.align = a;
      return true;
    }
  }
  if (!"bBhHlLTiIxfdcs".includes(opt)) argError(1, fname, `invalid format option '${opt}'`);
  return false;
}

function packInt(v: bigint, size: number, little: boolean): string {
  const bytes: number[] = [];
  let x = BigInt.asUintN(Math.max(8, size) * 8, v);
  for (let k = 0; k < size; k++) {
    // Beyond 8 bytes the value is sign-extended, as lstruct does for wide integers.
    bytes.push(k < 8 ? Number(x & 0xffn) : v < 0n ? 0xff : 0);
    x >>= 8n;
  }
  if (!little) bytes.reverse();
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

function unpackInt(s: string, pos: number, size: number, little: boolean, signed: boolean): number {
  let x = 0n;
  for (let k = 0; k < size; k++) {
    const b = BigInt(s.charCodeAt(little ? pos + size - 1 - k : pos + k));
    x = (x << 8n) | b;
  }
  if (signed && size > 0) x = BigInt.asIntN(size * 8, x);
  return Number(x);
}

// lstruct returns every number as a lua_Number: integral ones are pushed as Lua integers so
// they print as Lua 5.1 prints them ("5", not "5.0").
function pushNumber51(L: LuaState, d: number): void {
  if (Number.isSafeInteger(d)) lua._lua_pushinteger(L, BigInt(d));
  else lua._lua_pushnumber(L, d);
}

const STRUCT: Record<string, number> = {
  pack: libFunction((L) => {
    const fmt = checkString(L, 1, "pack");
    const st: StructState = { little: true, align: 1 };
    const i = { p: 0 };
    let arg = 2;
    let out = "";
    while (i.p < fmt.length) {
      const opt = fmt[i.p++]!;
      if (controlOption(opt, fmt, i, st, "pack")) continue;
      let size = itemSize(opt, fmt, i);
      out += "\0".repeat(gap(out.length, st, opt, size));
      switch (opt) {
        case "b":
        case "B":
        case "h":
        case "H":
        case "l":
        case "L":
        case "T":
        case "i":
        case "I": {
          const n = checkNumber(L, arg++, "pack");
          out += packInt(BigInt(Math.trunc(n)), size, st.little);
          break;
        }
        case "x":
          out += "\0";
          break;
        case "f":
        case "d": {
          const n = checkNumber(L, arg++, "pack");
          const buf = new DataView(new ArrayBuffer(size));
          if (size === 4) buf.setFloat32(0, n, st.little);
          else buf.setFloat64(0, n, st.little);
          for (let k = 0; k < size; k++) out += String.fromCharCode(buf.getUint8(k));
          break;
        }
        case "c":
        case "s": {
          const s = checkString(L, arg, "pack");
          if (size === 0) size = s.length;
          if (s.length < size) argError(arg, "pack", "string too short");
          out += s.slice(0, size);
          if (opt === "s") out += "\0";
          arg++;
          break;
        }
      }
    }
    pushBytes(L, out);
    return 1;
  }),
  unpack: libFunction((L) => {
    const fmt = checkString(L, 1, "unpack");
    const data = checkString(L, 2, "unpack");
    let pos = 0;
    if (lua._lua_type(L, 3) > T_NIL) {
      pos = Math.trunc(checkNumber(L, 3, "unpack")) - 1;
      if (pos < 0) argError(3, "unpack", "offset must be 1 or greater");
    }
    const st: StructState = { little: true, align: 1 };
    const i = { p: 0 };
    let n = 0;
    while (i.p < fmt.length) {
      const opt = fmt[i.p++]!;
      if (controlOption(opt, fmt, i, st, "unpack")) continue;
      let size = itemSize(opt, fmt, i);
      pos += gap(pos, st, opt, size);
      if (pos + size > data.length) argError(2, "unpack", "data string too short");
      lua._lua_checkstack(L, 2);
      switch (opt) {
        case "b":
        case "B":
        case "h":
        case "H":
        case "l":
        case "L":
        case "T":
        case "i":
        case "I": {
          const signed = opt === "b" || opt === "h" || opt === "l" || opt === "i";
          pushNumber51(L, unpackInt(data, pos, size, st.little, signed));
          n++;
          break;
        }
        case "x":
          break;
        case "f":
        case "d": {
          const buf = new DataView(new ArrayBuffer(size));
          for (let k = 0; k < size; k++) buf.setUint8(k, data.charCodeAt(pos + k));
          pushNumber51(L, size === 4 ? buf.getFloat32(0, st.little) : buf.getFloat64(0, st.little));
          n++;
          break;
        }
        case "c": {
          if (size === 0) {
            if (n === 0 || lua._lua_type(L, -1) !== T_NUMBER) {
              throw new LuaLibError("format 'c0' needs a previous size");
            }
            size = Math.trunc(lua._lua_tonumberx(L, -1, 0));
            lua._lua_settop(L, -2);
            n--;
            if (pos + size > data.length) argError(2, "unpack", "data string too short");
          }
          pushBytes(L, data.slice(pos, pos + size));
          n++;
          break;
        }
        case "s": {
          const e = data.indexOf("\0", pos);
          if (e < 0) argError(2, "unpack", "unfinished string in data");
          pushBytes(L, data.slice(pos, e));
          n++;
          size = e - pos + 1;
          break;
        }
      }
      pos += size;
    }
    lua._lua_pushinteger(L, BigInt(pos + 1));
    return n + 1;
  }),
  size: libFunction((L) => {
    const fmt = checkString(L, 1, "size");
    const st: StructState = { little: true, align: 1 };
    const i = { p: 0 };
    let pos = 0;
    while (i.p < fmt.length) {
      const opt = fmt[i.p++]!;
      if (controlOption(opt, fmt, i, st, "size")) continue;
      const size = itemSize(opt, fmt, i);
      pos += gap(pos, st, opt, size);
      if (opt === "s") argError(1, "size", "options 's' has no fixed size");
      if (opt === "c" && size === 0) argError(1, "size", "options 'c0' has no fixed size");
      pos += size;
    }
    lua._lua_pushinteger(L, BigInt(pos));
    return 1;
  }),
};

// ---------------------------------------------------------------------------------------------
// cmsgpack (lua-cmsgpack): MessagePack encoding of Lua values.

function mpEncode(L: LuaState, idx: number, depth: number, out: number[]): void {
  const t = lua._lua_type(L, idx);
  switch (t) {
    case T_NIL:
      out.push(0xc0);
      return;
    case T_BOOLEAN:
      out.push(lua._lua_toboolean(L, idx) !== 0 ? 0xc3 : 0xc2);
      return;
    case T_NUMBER: {
      const d = lua._lua_tonumberx(L, idx, 0);
      if (Number.isInteger(d) && Math.abs(d) <= 9007199254740991) {
        mpInt(d, out);
      } else {
        const b = new DataView(new ArrayBuffer(8));
        const f = Math.fround(d);
        if (f === d || Number.isNaN(d)) {
          b.setFloat32(0, d);
          out.push(0xca);
          for (let k = 0; k < 4; k++) out.push(b.getUint8(k));
        } else {
          b.setFloat64(0, d);
          out.push(0xcb);
          for (let k = 0; k < 8; k++) out.push(b.getUint8(k));
        }
      }
      return;
    }
    case T_STRING: {
      const s = toBytes(L, idx)!;
      const n = s.length;
      if (n < 32) out.push(0xa0 | n);
      else if (n <= 0xff) out.push(0xd9, n);
      else if (n <= 0xffff) out.push(0xda, n >> 8, n & 0xff);
      else out.push(0xdb, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
      for (let k = 0; k < n; k++) out.push(s.charCodeAt(k));
      return;
    }
    case T_TABLE: {
      if (depth >= 16) {
        out.push(0xc0);
        return;
      }
      lua._lua_checkstack(L, 3);
      // An array when its keys are exactly 1..n (lua-cmsgpack's table_is_an_array).
      let count = 0;
      let max = 0;
      let isArray = true;
      lua._lua_pushnil(L);
      while (lua._lua_next(L, idx) !== 0) {
        count++;
        if (lua._lua_type(L, -2) === T_NUMBER) {
          const k = lua._lua_tonumberx(L, -2, 0);
          if (Number.isInteger(k) && k >= 1) {
            if (k > max) max = k;
          } else isArray = false;
        } else isArray = false;
        lua._lua_settop(L, -2);
      }
      if (isArray && max === count) {
        mpHeader(out, count, 0x90, 0xdc, 0xdd);
        for (let k = 1; k <= count; k++) {
          lua._lua_rawgeti(L, idx, BigInt(k));
          mpEncode(L, lua._lua_gettop(L), depth + 1, out);
          lua._lua_settop(L, -2);
        }
        return;
      }
      mpHeader(out, count, 0x80, 0xde, 0xdf);
      lua._lua_pushnil(L);
      while (lua._lua_next(L, idx) !== 0) {
        const top = lua._lua_gettop(L);
        mpEncode(L, top - 1, depth + 1, out);
        mpEncode(L, top, depth + 1, out);
        lua._lua_settop(L, -2);
      }
      return;
    }
    default:
      out.push(0xc0);
  }
}

function mpHeader(out: number[], n: number, fix: number, b16: number, b32: number): void {
  if (n < 16) out.push(fix | n);
  else if (n <= 0xffff) out.push(b16, n >> 8, n & 0xff);
  else out.push(b32, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function mpInt(d: number, out: number[]): void {
  if (d >= 0) {
    if (d < 128) out.push(d);
    else if (d <= 0xff) out.push(0xcc, d);
    else if (d <= 0xffff) out.push(0xcd, d >> 8, d & 0xff);
    else if (d <= 0xffffffff) out.push(0xce, (d >>> 24) & 0xff, (d >> 16) & 0xff, (d >> 8) & 0xff, d & 0xff);
    else pushBig(out, 0xcf, BigInt(d));
  } else {
    if (d >= -32) out.push(d & 0xff);
    else if (d >= -128) out.push(0xd0, d & 0xff);
    else if (d >= -32768) out.push(0xd1, (d >> 8) & 0xff, d & 0xff);
    else if (d >= -2147483648) out.push(0xd2, (d >> 24) & 0xff, (d >> 16) & 0xff, (d >> 8) & 0xff, d & 0xff);
    else pushBig(out, 0xd3, BigInt.asUintN(64, BigInt(d)));
  }
}

function pushBig(out: number[], tag: number, v: bigint): void {
  out.push(tag);
  for (let k = 7; k >= 0; k--) out.push(Number((v >> BigInt(k * 8)) & 0xffn));
}

class MpDecoder {
  readonly s: string;
  pos: number;
  readonly L: LuaState;
  constructor(L: LuaState, s: string, pos: number) {
    this.L = L;
    this.s = s;
    this.pos = pos;
  }
  need(n: number): void {
    if (this.pos + n > this.s.length) throw new LuaLibError("Missing bytes in input.");
  }
  u(n: number): number {
    this.need(n);
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + this.s.charCodeAt(this.pos++);
    return v;
  }
  big(signed: boolean): number {
    this.need(8);
    let v = 0n;
    for (let k = 0; k < 8; k++) v = (v << 8n) | BigInt(this.s.charCodeAt(this.pos++));
    return Number(signed ? BigInt.asIntN(64, v) : v);
  }
  float(n: 4 | 8): number {
    this.need(n);
    const b = new DataView(new ArrayBuffer(n));
    for (let k = 0; k < n; k++) b.setUint8(k, this.s.charCodeAt(this.pos++));
    return n === 4 ? b.getFloat32(0) : b.getFloat64(0);
  }
  str(n: number): void {
    this.need(n);
    pushBytes(this.L, this.s.slice(this.pos, this.pos + n));
    this.pos += n;
  }
  arr(n: number): void {
    const L = this.L;
    lua._lua_checkstack(L, 2);
    lua._lua_createtable(L, n, 0);
    for (let k = 1; k <= n; k++) {
      this.value();
      lua._lua_rawseti(L, -2, BigInt(k));
    }
  }
  map(n: number): void {
    const L = this.L;
    lua._lua_checkstack(L, 3);
    lua._lua_createtable(L, 0, n);
    for (let k = 0; k < n; k++) {
      this.value();
      this.value();
      lua._lua_rawset(L, -3);
    }
  }
  value(): void {
    const L = this.L;
    const c = this.u(1);
    if (c <= 0x7f) return lua._lua_pushinteger(L, BigInt(c));
    if (c >= 0xe0) return lua._lua_pushinteger(L, BigInt(c - 256));
    if ((c & 0xf0) === 0x80) return this.map(c & 0x0f);
    if ((c & 0xf0) === 0x90) return this.arr(c & 0x0f);
    if ((c & 0xe0) === 0xa0) return this.str(c & 0x1f);
    switch (c) {
      case 0xc0:
        return lua._lua_pushnil(L);
      case 0xc2:
        return lua._lua_pushboolean(L, 0);
      case 0xc3:
        return lua._lua_pushboolean(L, 1);
      case 0xca:
        return lua._lua_pushnumber(L, this.float(4));
      case 0xcb:
        return lua._lua_pushnumber(L, this.float(8));
      case 0xcc:
        return lua._lua_pushinteger(L, BigInt(this.u(1)));
      case 0xcd:
        return lua._lua_pushinteger(L, BigInt(this.u(2)));
      case 0xce:
        return lua._lua_pushinteger(L, BigInt(this.u(4)));
      case 0xcf:
        return lua._lua_pushnumber(L, this.big(false));
      case 0xd0:
        return lua._lua_pushinteger(L, BigInt((this.u(1) << 24) >> 24));
      case 0xd1:
        return lua._lua_pushinteger(L, BigInt((this.u(2) << 16) >> 16));
      case 0xd2:
        return lua._lua_pushinteger(L, BigInt(this.u(4) | 0));
      case 0xd3:
        return lua._lua_pushnumber(L, this.big(true));
      case 0xc4:
      case 0xd9:
        return this.str(this.u(1));
      case 0xc5:
      case 0xda:
        return this.str(this.u(2));
      case 0xc6:
      case 0xdb:
        return this.str(this.u(4));
      case 0xdc:
        return this.arr(this.u(2));
      case 0xdd:
        return this.arr(this.u(4));
      case 0xde:
        return this.map(this.u(2));
      case 0xdf:
        return this.map(this.u(4));
      default:
        throw new LuaLibError("Bad data format in input.");
    }
  }
}

function mpUnpack(L: LuaState, limit: number, withOffset: boolean, fname: string): number {
  const s = checkString(L, 1, fname);
  let offset = 0;
  if (withOffset && lua._lua_type(L, 3) > T_NIL) offset = Math.trunc(checkNumber(L, 3, fname));
  if (offset < 0 || (offset > s.length && s.length > 0)) argError(3, fname, "offset out of range");
  const d = new MpDecoder(L, s, offset);
  let n = 0;
  while (d.pos < s.length && (limit === 0 || n < limit)) {
    d.value();
    n++;
  }
  if (!withOffset) return n;
  lua._lua_pushinteger(L, BigInt(d.pos < s.length ? d.pos : -1));
  lua._lua_rotate(L, lua._lua_gettop(L) - n, 1);
  return n + 1;
}

const CMSGPACK: Record<string, number> = {
  pack: libFunction((L) => {
    const n = lua._lua_gettop(L);
    if (n === 0) throw new LuaLibError("MessagePack pack needs input.");
    const out: number[] = [];
    for (let i = 1; i <= n; i++) mpEncode(L, i, 0, out);
    pushBytes(L, Uint8Array.from(out));
    return 1;
  }),
  unpack: libFunction((L) => mpUnpack(L, 0, false, "unpack")),
  unpack_one: libFunction((L) => mpUnpack(L, 1, true, "unpack_one")),
  unpack_limit: libFunction((L) => {
    const limit = Math.trunc(checkNumber(L, 2, "unpack_limit"));
    return mpUnpack(L, limit, true, "unpack_limit");
  }),
};

/** Pushes a table of the given C functions (plus extra fields) onto the stack. */
function pushLib(L: LuaState, funcs: Record<string, number>, extra?: (L: LuaState) => void): void {
  lua._lua_createtable(L, 0, Object.keys(funcs).length + 4);
  for (const [name, fn] of Object.entries(funcs)) {
    lua._lua_pushcclosure(L, fn, 0);
    setField(L, -2, name);
  }
  extra?.(L);
}

/** Pushes a new cjson module with default settings (the library's table, and `cjson.new()`). */
function pushCjson(L: LuaState): void {
  const p = lua._lua_newuserdatauv(L, CJSON_SLOTS * 8, 0);
  const h = heap();
  for (let i = 0; i < CJSON_SLOTS; i++) h.setFloat64(p + i * 8, CJSON_DEFAULTS[i]!, true);
  const names = Object.keys(CJSON_FUNCS);
  lua._lua_createtable(L, 0, names.length + 4);
  for (const name of names) {
    lua._lua_pushvalue(L, -2);
    lua._lua_pushcclosure(L, CJSON_FUNCS[name]!, 1);
    setField(L, -2, name);
  }
  lua._lua_pushcclosure(L, CJSON_NEW, 0);
  setField(L, -2, "new");
  lua._lua_pushlightuserdata(L, 0);
  setField(L, -2, "null");
  pushBytes(L, "cjson");
  setField(L, -2, "_NAME");
  pushBytes(L, "2.1.0");
  setField(L, -2, "_VERSION");
  // Drop the userdata below the table: the closures hold it.
  lua._lua_rotate(L, -2, 1);
  lua._lua_settop(L, -2);
}

const CJSON_NEW = libFunction((L) => {
  pushCjson(L);
  return 1;
});

/** Pushes the `cjson`, `bit`, `struct` and `cmsgpack` tables and sets them in the table at -5. */
export function pushLibraries(L: LuaState): void {
  pushCjson(L);
  setField(L, -2, "cjson");
  pushLib(L, BIT);
  setField(L, -2, "bit");
  pushLib(L, STRUCT);
  setField(L, -2, "struct");
  pushLib(L, CMSGPACK, (L) => {
    pushBytes(L, "cmsgpack");
    setField(L, -2, "_NAME");
    pushBytes(L, "lua-cmsgpack 0.4.0");
    setField(L, -2, "_VERSION");
    pushBytes(L, "Copyright (C) 2012, Salvatore Sanfilippo");
    setField(L, -2, "_COPYRIGHT");
    pushBytes(L, "MessagePack C implementation for Lua");
    setField(L, -2, "_DESCRIPTION");
  });
  setField(L, -2, "cmsgpack");
}

/** Whether a value at `idx` is a function (for register_function). */
export function isFunction(L: LuaState, idx: number): boolean {
  return lua._lua_type(L, idx) === T_FUNCTION;
}
