/**
 * The Lua code that turns a fresh Lua 5.4 state into Valkey's scripting sandbox. It runs once
 * per state with the full standard library still in `_G`, receives the host (JS) functions in
 * a table, and returns what the host keeps: the error handler, the coroutine runner and a
 * switch between the run-time and the FUNCTION LOAD-time globals.
 *
 * What it reproduces from Valkey's `script_lua.c`, `eval.c` and `function_lua.c`:
 * - Only the allow-listed globals exist (no `os`, `io`, `require`, `loadfile`, `dofile`,
 *   `print`, `debug`); reading any other global raises "Script attempted to access
 *   nonexistent global variable", writing any global or library field raises "Attempt to
 *   modify a readonly table" (Valkey's read-only tables, emulated with proxy tables whose
 *   metatables are locked).
 * - `pcall` returns the `err` string of Valkey's error tables, as Valkey's own `pcall` does.
 * - The error handler adds `source` and `line` to the error table, as Valkey's does.
 * - The Lua 5.1 library Valkey scripts see (Valkey 8's allow lists): `_VERSION` "Lua 5.1";
 *   `unpack`, `gcinfo`, `loadstring` and a `load` taking a reader function (text chunks
 *   only); `table.getn/setn/maxn/foreach/foreachi`,
 *   `math.pow/ldexp/frexp/log10/mod/cosh/sinh/tanh/atan2`, `string.gfind`, a `string.rep`
 *   without separator; none of the names Lua 5.2+ added (`table.unpack`, `string.pack`,
 *   `math.type`, ...), and no `getfenv`, `setfenv`, `newproxy` (Valkey 8 removed them).
 * - Numbers print as in 5.1: `tostring` uses `%.14g` for integers too, `string.format`
 *   integer conversions truncate floats, `%q` quotes a number's text. (The VM's own
 *   conversions, concatenation included, are fixed in `lua_wasm.ts`.)
 * - The script is the main thread to itself, as in 5.1: `coroutine.running()` is nil and
 *   `coroutine.yield` at the top level fails (Kite runs scripts in a coroutine to pause busy
 *   ones).
 * - `pairs`, `next` and `rawget` see through the read-only tables, as on Valkey's.
 *
 * @module
 */

/** The sandbox builder. Arguments: the host function table, then "eval" or "function". */
export const PRELUDE = String.raw`
local api, mode = ...
local dbg = debug
local string, table, math, coroutine = string, table, math, coroutine
local setmetatable, getmetatable, rawget, rawset, rawequal, next, pairs, ipairs =
      setmetatable, getmetatable, rawget, rawset, rawequal, next, pairs, ipairs
local type, tostring, tonumber, select, error, assert, pcall, xpcall, load, collectgarbage =
      type, tostring, tonumber, select, error, assert, pcall, xpcall, load, collectgarbage
local mtype, floor, ceil, format = math.type, math.floor, math.ceil, string.format
local readonly_error = api.readonly_error

-- Read-only proxy -> the table it shows (the globals proxy maps to true: its table changes).
local protected = setmetatable({}, {__mode = "k"})

-- A read-only view of t: reads go to t, writes fail as on Valkey's read-only tables.
local function readonly(t)
  local proxy = setmetatable({}, {
    __index = t,
    __newindex = readonly_error,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
    __metatable = false,
  })
  protected[proxy] = t
  return proxy
end

local function copy(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return c
end

-- Lua 5.1 formats every number with %.14g (a NaN prints with its sign bit, as the C library
-- does: "-nan" for 0/0 on x86).
local function num2str(n)
  return format("%.14g", n)
end
dbg.setmetatable(0, {__tostring = num2str, __metatable = false})

-- string.format: 5.1 casts the number of an integer conversion (%d %i %c %o %u %x %X) to an
-- integer, where 5.4 rejects a float with a fraction.
local function format51(fmt, ...)
  local args = table.pack(...)
  local i, n, pos = 0, #fmt, 1
  while pos <= n do
    local s = fmt:find("%", pos, true)
    if not s then break end
    if fmt:sub(s + 1, s + 1) == "%" then
      pos = s + 2
    else
      i = i + 1
      local e = fmt:find("[%a]", s + 1)
      if not e then break end
      local conv = fmt:sub(e, e)
      if conv == "q" and type(args[i]) == "number" then
        -- 5.1 quotes a number's text ("\"5\""); 5.4 writes a number literal.
        args[i] = num2str(args[i])
      elseif conv:find("^[diouxXc]$") then
        local v = tonumber(args[i])
        if v ~= nil and mtype(v) == "float" and v == v and v ~= math.huge and v ~= -math.huge then
          args[i] = v >= 0 and floor(v) or ceil(v)
        end
      end
      pos = e + 1
    end
  end
  return format(fmt, table.unpack(args, 1, args.n))
end

-- Names Lua 5.2+ added to the libraries, which a Valkey script (Lua 5.1) does not have.
local function drop(t, names)
  for name in names:gmatch("%S+") do t[name] = nil end
  return t
end

local S = drop(copy(string), "pack packsize unpack")
S.format = format51
S.gfind = string.gmatch
-- 5.1's string.rep has no separator argument.
local rep = string.rep
S.rep = function(s, n) return rep(s, n) end

local T = drop(copy(table), "move pack unpack")
T.getn = function(t) return #t end
T.setn = function() error("'setn' is obsolete", 2) end
T.maxn = function(t)
  local m = 0
  for k in next, t do
    if type(k) == "number" and k > m then m = k end
  end
  return m
end
T.foreach = function(t, f)
  for k, v in next, t do
    local r = f(k, v)
    if r ~= nil then return r end
  end
end
T.foreachi = function(t, f)
  for i = 1, #t do
    local r = f(i, t[i])
    if r ~= nil then return r end
  end
end

local M = drop(copy(math), "maxinteger mininteger tointeger type ult")
M.random = api.math_random
M.atan2 = function(y, x) return math.atan(y, x) end
M.randomseed = api.math_randomseed
M.pow = function(x, y) return x ^ y end
M.ldexp = function(m, e) return m * 2.0 ^ e end
M.frexp = function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = floor(math.log(math.abs(x), 2)) + 1
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1 then m = m / 2; e = e + 1 elseif math.abs(m) < 0.5 then m = m * 2; e = e - 1 end
  return m, e
end
M.log10 = function(x) return math.log(x, 10) end
M.mod = math.fmod
M.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
M.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
M.tanh = function(x)
  if x > 20 then return 1.0 elseif x < -20 then return -1.0 end
  local a, b = math.exp(x), math.exp(-x)
  return (a - b) / (a + b)
end

local raw_pcall = pcall
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == "table" then
    local s = e.err
    if type(s) == "string" or type(s) == "number" then return false, s end
  end
  return false, e
end

local function errh(err)
  local i = dbg.getinfo(2, "nSl")
  local level = 2
  if i and i.what == "C" then
    level = 3
    i = dbg.getinfo(level, "nSl")
  end
  -- A 5.1 function Kite writes in Lua (this prelude) stands for a C function of Valkey's:
  -- the error belongs to the script line that called it.
  while i and i.source == "=prelude" do
    level = level + 1
    i = dbg.getinfo(level, "nSl")
  end
  if type(err) ~= "table" then err = {err = "ERR " .. tostring(err)} end
  if i then
    err["source"] = i.source
    err["line"] = i.currentline
  end
  return err
end

local G = {}
-- The globals every chunk sees: a read-only proxy of G, or of LOADG while FUNCTION LOAD runs.
local pmt = {__newindex = readonly_error, __metatable = false}
local P = setmetatable({}, pmt)

-- Lua 5.1's load takes a reader function and loadstring a string (a number converts); both
-- compile text only (no bytecode) with the sandbox as the chunk's environment. The host
-- checks argument 1 first, as 5.1's C functions do.
local load51 = api.checked("load", "function", function(chunk, name)
  return load(chunk, name, "t", P)
end)
local loadstring51 = api.checked("loadstring", "string", function(s, name)
  if type(s) == "number" then s = num2str(s) end
  return load(s, name or s, "t", P)
end)

-- The script runs in a coroutine of Kite's (so a busy script can pause): to the script that
-- coroutine is the main thread, as in Valkey, so it cannot yield and is not "running".
local script_thread
local co_running, co_yield = coroutine.running, coroutine.yield
local C = drop(copy(coroutine), "close isyieldable")
C.running = function()
  local co = co_running()
  if co == script_thread then return nil end
  return co
end
C.yield = function(...)
  if co_running() == script_thread then error("attempt to yield across metamethod/C-call boundary", 0) end
  return co_yield(...)
end

-- The table a read-only proxy shows (the current globals for the globals proxy), or nil.
local function target(t)
  local r = protected[t]
  if r == true then return pmt.__index end
  return r
end

G.xpcall = xpcall
G.tostring = tostring
G.setmetatable = setmetatable
-- next and rawget see through the read-only proxies, as on Valkey's read-only tables.
G.next = api.checked("next", "table", function(t, k) return next(target(t) or t, k) end)
G.assert = assert
G.tonumber = tonumber
G.rawequal = rawequal
G.collectgarbage = collectgarbage
G.getmetatable = getmetatable
G.rawset = function(t, k, v)
  if protected[t] then readonly_error() end
  return rawset(t, k, v)
end
G.pcall = function(...) return pcall_result(raw_pcall(...)) end
G.coroutine = readonly(C)
G.type = type
G._G = P
G.select = select
G.unpack = table.unpack
G.gcinfo = function() return floor(collectgarbage("count")) end
G.pairs = pairs
G.rawget = api.checked("rawget", "table", function(t, k) return rawget(target(t) or t, k) end)
G.loadstring = loadstring51
G.ipairs = ipairs
G._VERSION = "Lua 5.1"
G.load = load51
G.error = error
G.string = readonly(S)
G.table = readonly(T)
G.math = readonly(M)
G.cjson = readonly(api.cjson)
G.bit = readonly(api.bit)
G.struct = readonly(api.struct)
G.cmsgpack = readonly(api.cmsgpack)

local R = {
  call = api.call,
  pcall = api.pcall,
  sha1hex = api.sha1hex,
  error_reply = api.error_reply,
  status_reply = api.status_reply,
  log = api.log,
  setresp = api.setresp,
  set_repl = api.set_repl,
  acl_check_cmd = api.acl_check_cmd,
  replicate_commands = function() return true end,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
}
for k, v in next, api.version do R[k] = v end
if mode == "eval" then
  -- The debugger (SCRIPT DEBUG) is not available: no session is ever active.
  R.breakpoint = function() return false end
  R.debug = function() end
  G.__redis__err__handler = errh
end
G.server = readonly(R)
G.redis = G.server

-- What a library sees while FUNCTION LOAD runs it: registration and logging only.
local L = {
  register_function = api.register_function,
  log = api.log,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
}
for k, v in next, api.version do L[k] = v end
setmetatable(L, {__index = api.global_index_error})
local LOADG = setmetatable({}, {__index = api.global_index_error})
LOADG.server = readonly(L)
LOADG.redis = LOADG.server

setmetatable(G, {__index = api.global_index_error, __metatable = false})

pmt.__index = G
pmt.__pairs = function() return next, pmt.__index, nil end
protected[P] = true

-- The string metatable stays reachable through getmetatable(""): expose a read-only copy.
local smt = getmetatable("")
smt.__index = G.string
smt.__metatable = readonly({__index = G.string})

local function set_env(which)
  pmt.__index = which == "load" and LOADG or G
end

local function run(f, ...)
  script_thread = co_running()
  return xpcall(f, errh, ...)
end

dbg.sethook()
return errh, run, set_env, G
`;
