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
 * - Lua 5.1 names scripts rely on: `unpack`, `loadstring` (text only), `gcinfo`,
 *   `table.getn/maxn/foreach/foreachi`, `math.pow/ldexp/frexp/log10/mod/cosh/sinh/tanh`,
 *   `string.gfind`; `string.format` integer conversions truncate floats as 5.1 does; and
 *   `tostring` prints numbers with 5.1's `%.14g` (`tostring(10/2)` is "5", not "5.0").
 *   String concatenation of an integral float still prints "5.0" (the VM's own conversion).
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
  protected[proxy] = true
  return proxy
end

local function copy(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return c
end

-- Lua 5.1 formats every number with %.14g.
local function num2str(n)
  local s = format("%.14g", n)
  if s == "-nan" then return "nan" end
  return s
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
      if conv:find("^[diouxXc]$") then
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

local S = copy(string)
S.format = format51
S.gfind = string.gmatch

local T = copy(table)
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

local M = copy(math)
M.random = api.math_random
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
  if i and i.what == "C" then i = dbg.getinfo(3, "nSl") end
  if type(err) ~= "table" then err = {err = "ERR " .. tostring(err)} end
  if i then
    err["source"] = i.source
    err["line"] = i.currentline
  end
  return err
end

local G = {}
local P = setmetatable({}, {})

local function load51(chunk, name, ...)
  -- Text chunks only (no bytecode), and the sandbox as their environment unless given.
  if select("#", ...) >= 2 then
    local _, env = ...
    return load(chunk, name, "t", env)
  end
  return load(chunk, name, "t", P)
end

G.xpcall = xpcall
G.tostring = tostring
G.setmetatable = setmetatable
G.next = next
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
G.coroutine = readonly(copy(coroutine))
G.type = type
G._G = P
G.select = select
G.unpack = table.unpack
G.gcinfo = function() return floor(collectgarbage("count")) end
G.pairs = pairs
G.rawget = rawget
G.loadstring = function(s, name) return load51(s, name) end
G.ipairs = ipairs
G._VERSION = _VERSION
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

local pmt = {__index = G, __newindex = readonly_error, __metatable = false}
setmetatable(P, pmt)
protected[P] = true

-- The string metatable stays reachable through getmetatable(""): expose a read-only copy.
local smt = getmetatable("")
smt.__index = G.string
smt.__metatable = readonly({__index = G.string})

local function set_env(which)
  pmt.__index = which == "load" and LOADG or G
end

local function run(f, ...)
  return xpcall(f, errh, ...)
end

dbg.sethook()
return errh, run, set_env, G
`;
