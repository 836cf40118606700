/**
 * The Lua 5.4 virtual machine (wasmoon's WebAssembly build of the reference C Lua), loaded once
 * per process, and the raw C API Kite drives it through.
 *
 * Why wasmoon and not fengari (measured on this machine, Deno/Bun/Node): a 3-command script
 * called through the C API costs 2.0/2.5/2.1 µs with wasmoon against 7.6/4.1/4.1 µs with
 * fengari; a 10M-iteration arithmetic loop takes 65-82 ms against 430-820 ms; both start in
 * 20-35 ms. fengari's integers are 32 bits wide and wrap (`1700000000 * 1000` overflows), a
 * correctness problem for the timestamp arithmetic scripts do; wasmoon's are 64 bits. Both let
 * a count hook yield a coroutine, which is what the busy-script mechanism needs.
 *
 * Only the raw `lua_*` exports are used (not wasmoon's object wrapper): values cross the
 * boundary as latin1 byte strings copied through a scratch buffer, so binary data survives.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LuaWasm } from "wasmoon";

/** A `lua_State*` (a pointer into the WebAssembly memory). */
export type LuaState = number;

/** The raw exports of the Emscripten module this file uses. `lua_Integer` is i64 (bigint). */
export interface LuaApi {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  addFunction(fn: (...args: number[]) => number | void, sig: string): number;
  _luaL_newstate(): LuaState;
  _luaL_openlibs(L: LuaState): void;
  _lua_close(L: LuaState): void;
  _luaL_loadbufferx(L: LuaState, buf: number, len: number, name: number, mode: number): number;
  _luaL_ref(L: LuaState, t: number): number;
  _luaL_unref(L: LuaState, t: number, ref: number): void;
  _luaL_where(L: LuaState, level: number): void;
  _lua_newthread(L: LuaState): LuaState;
  _lua_resume(L: LuaState, from: LuaState, nargs: number, nres: number): number;
  _lua_yieldk(L: LuaState, n: number, ctx: number, k: number): number;
  _lua_isyieldable(L: LuaState): number;
  _lua_sethook(L: LuaState, fn: number, mask: number, count: number): void;
  _lua_gettop(L: LuaState): number;
  _lua_settop(L: LuaState, idx: number): void;
  _lua_pushvalue(L: LuaState, idx: number): void;
  _lua_rotate(L: LuaState, idx: number, n: number): void;
  _lua_xmove(from: LuaState, to: LuaState, n: number): void;
  _lua_checkstack(L: LuaState, n: number): number;
  _lua_type(L: LuaState, idx: number): number;
  _lua_isinteger(L: LuaState, idx: number): number;
  _lua_isnumber(L: LuaState, idx: number): number;
  _lua_tonumberx(L: LuaState, idx: number, isnum: number): number;
  _lua_toboolean(L: LuaState, idx: number): number;
  _lua_tolstring(L: LuaState, idx: number, len: number): number;
  _lua_rawlen(L: LuaState, idx: number): number;
  _lua_touserdata(L: LuaState, idx: number): number;
  _lua_newuserdatauv(L: LuaState, size: number, nuvalue: number): number;
  _lua_pushnil(L: LuaState): void;
  _lua_pushnumber(L: LuaState, n: number): void;
  _lua_pushinteger(L: LuaState, n: bigint): void;
  _lua_pushlstring(L: LuaState, s: number, len: number): number;
  _lua_pushboolean(L: LuaState, b: number): void;
  _lua_pushcclosure(L: LuaState, fn: number, n: number): void;
  _lua_pushlightuserdata(L: LuaState, p: number): void;
  _lua_createtable(L: LuaState, narr: number, nrec: number): void;
  _lua_getfield(L: LuaState, idx: number, k: number): number;
  _lua_setfield(L: LuaState, idx: number, k: number): void;
  _lua_rawget(L: LuaState, idx: number): number;
  _lua_rawset(L: LuaState, idx: number): void;
  _lua_rawgeti(L: LuaState, idx: number, n: bigint): number;
  _lua_rawseti(L: LuaState, idx: number, n: bigint): void;
  _lua_next(L: LuaState, idx: number): number;
  _lua_error(L: LuaState): number;
  _lua_concat(L: LuaState, n: number): void;
  _lua_callk(L: LuaState, nargs: number, nres: number, ctx: number, k: number): void;
  _lua_pcallk(L: LuaState, nargs: number, nres: number, msgh: number, ctx: number, k: number): number;
}

/** Lua type tags. */
export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_LIGHTUSERDATA = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;

/** Thread status codes. */
export const LUA_OK = 0;
export const LUA_YIELD = 1;

/** The registry pseudo-index (`-LUAI_MAXSTACK - 1000`) and its globals slot. */
export const REGISTRY = -1001000;
export const RIDX_GLOBALS = 2n;

/** Hook masks. */
export const MASK_LINE = 4;
export const MASK_COUNT = 8;

// Emscripten resolves glue.wasm beside wasmoon's own script unless told otherwise. A Node
// bundle (dist/kite.mjs) ships a copy beside itself and a Bun single executable embeds one at
// /$bunfs/root; each is tried first so neither needs node_modules at run time.
function wasmLocation(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(fileURLToPath(new URL("./glue.wasm", import.meta.url)));
  } catch {
    // not a file: URL (a data: or remote module): no sibling file to look for
  }
  candidates.push("/$bunfs/root/glue.wasm");
  for (const c of candidates) {
    try {
      if (existsSync(c)) return c;
    } catch {
      // unreadable location: try the next one
    }
  }
  return undefined;
}

const wasm = await LuaWasm.initialize(wasmLocation());

/** The process-wide Lua module. */
export const lua: LuaApi = wasm.module as unknown as LuaApi;

/**
 * Makes the VM print floats as Lua 5.1 does. Lua 5.4 formats a float with "%.14g" like 5.1,
 * then appends ".0" when the text holds only characters of "-0123456789" (lobject.c
 * `tostringbuff`), so `10/2 .. ""` gives "5.0" where Valkey's Lua gives "5". That character
 * set is a constant in the module's static data used only there (checked against wasmoon's
 * build: the code references its address twice, both in `tostringbuff`'s copies, and never an
 * address inside it); cutting it to "-" means no "%.14g" text ever qualifies. This reaches
 * every conversion inside the VM: concatenation, table.concat, string functions given a
 * number, lua_tolstring. Integers still print as integers.
 * @returns whether the constant was found (once) and patched
 */
function patchFloatFormat(): boolean {
  const heap = lua.HEAPU8;
  // Static data sits at the bottom of the memory, below the heap.
  const data = Buffer.from(heap.buffer, heap.byteOffset, Math.min(heap.length, 1 << 20));
  const needle = Buffer.from("\x00-0123456789\x00", "latin1");
  const at = data.indexOf(needle);
  if (at < 0 || data.indexOf(needle, at + 1) >= 0) return false;
  heap[at + 2] = 0;
  return true;
}

/** Whether floats print as in Lua 5.1 (see {@link patchFloatFormat}); false on an unknown build. */
export const LUA51_FLOAT_FORMAT: boolean = patchFloatFormat();

// A scratch area for strings crossing into Lua, grown on demand, and a size_t out-slot.
let scratch = lua._malloc(4096);
let scratchSize = 4096;
const LEN_SLOT = lua._malloc(8);
const NRES_SLOT = lua._malloc(8);

function reserve(n: number): number {
  if (n > scratchSize) {
    lua._free(scratch);
    scratchSize = Math.max(n, scratchSize * 2);
    scratch = lua._malloc(scratchSize);
  }
  return scratch;
}

/** Pushes a latin1 byte string (one char per byte) or raw bytes as a Lua string. */
export function pushBytes(L: LuaState, s: string | Uint8Array): void {
  const n = s.length;
  const p = reserve(n);
  const heap = lua.HEAPU8;
  if (typeof s === "string") {
    for (let i = 0; i < n; i++) heap[p + i] = s.charCodeAt(i);
  } else {
    heap.set(s, p);
  }
  lua._lua_pushlstring(L, p, n);
}

// C strings for field names, allocated once and never freed.
const cstrings = new Map<string, number>();

/** A NUL-terminated copy of an ASCII name in the WebAssembly memory, cached for the process. */
export function cstr(s: string): number {
  let p = cstrings.get(s);
  if (p === undefined) {
    p = lua._malloc(s.length + 1);
    const heap = lua.HEAPU8;
    for (let i = 0; i < s.length; i++) heap[p + i] = s.charCodeAt(i);
    heap[p + s.length] = 0;
    cstrings.set(s, p);
  }
  return p;
}

/** Reads the string (or number, converted in place as Lua does) at `idx`; undefined otherwise. */
export function toBytes(L: LuaState, idx: number): string | undefined {
  const p = lua._lua_tolstring(L, idx, LEN_SLOT);
  if (p === 0) return undefined;
  return readBytes(p, lua.HEAPU32[LEN_SLOT >> 2]!);
}

/** Decodes `n` bytes at `p` as a latin1 byte string. */
export function readBytes(p: number, n: number): string {
  const heap = lua.HEAPU8;
  if (n < 64) {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(heap[p + i]!);
    return s;
  }
  return Buffer.from(heap.buffer, heap.byteOffset + p, n).toString("latin1");
}

/** Copies `n` bytes at `p` out of the WebAssembly memory. */
export function readRaw(p: number, n: number): Uint8Array {
  return lua.HEAPU8.slice(p, p + n);
}

/** Sets `t[name] = <top>` (pops the value); `t` at `idx`. */
export function setField(L: LuaState, idx: number, name: string): void {
  lua._lua_setfield(L, idx, cstr(name));
}

/** Pushes `t[name]` (raw) for the table at `idx`; returns its type. */
export function rawField(L: LuaState, idx: number, name: string): number {
  const abs = idx < 0 && idx > REGISTRY ? lua._lua_gettop(L) + idx + 1 : idx;
  pushBytes(L, name);
  return lua._lua_rawget(L, abs);
}

/** Compiles `code` under `chunkname`; text only. @returns null, or the error message on the stack popped. */
export function loadChunk(L: LuaState, code: string | Uint8Array, chunkname: string): string | null {
  const n = code.length;
  // The buffer must stay intact while Lua reads it, so it gets its own allocation.
  const p = lua._malloc(n + 1);
  const heap = lua.HEAPU8;
  if (typeof code === "string") {
    for (let i = 0; i < n; i++) heap[p + i] = code.charCodeAt(i);
  } else {
    heap.set(code, p);
  }
  const status = lua._luaL_loadbufferx(L, p, n, cstr(chunkname), cstr("t"));
  lua._free(p);
  if (status === LUA_OK) return null;
  const msg = toBytes(L, -1) ?? "unknown error";
  lua._lua_settop(L, -2);
  return msg;
}

/** Resumes thread `T` with `nargs` arguments; returns the status and the number of results. */
export function resume(T: LuaState, from: LuaState, nargs: number): { status: number; nres: number } {
  const status = lua._lua_resume(T, from, nargs, NRES_SLOT);
  return { status, nres: lua.HEAPU32[NRES_SLOT >> 2]! };
}

/** `lua_upvalueindex(i)`: the pseudo-index of a C closure's upvalue `i`. */
export function upvalueIndex(i: number): number {
  return REGISTRY - i;
}

/** Registers a JS function as a C function pointer (`int f(lua_State*)`), once per process. */
export function cfunction(fn: (L: LuaState) => number): number {
  return lua.addFunction(fn, "ii");
}

/** Pushes a Lua error message string built like `luaL_error` (`chunk:line: msg`) and raises it. */
export function raiseWhere(L: LuaState, msg: string): number {
  lua._luaL_where(L, 1);
  pushBytes(L, msg);
  lua._lua_concat(L, 2);
  return lua._lua_error(L);
}

/** Raises the value on top of the stack as a Lua error (never returns normally). */
export function raise(L: LuaState): number {
  return lua._lua_error(L);
}

/** Bytes of WebAssembly memory in use by every Lua state of the process (INFO-like reporting). */
export function wasmMemoryBytes(): number {
  return lua.HEAPU8.byteLength;
}
