/**
 * Scripting and functions at the engine level: EVAL/EVALSHA/EVAL_RO/EVALSHA_RO, SCRIPT,
 * FUNCTION, FCALL/FCALL_RO, Valkey's type conversions both ways, error texts, the sandbox,
 * shebang flags and the busy-script mechanism (BUSY, SCRIPT/FUNCTION KILL).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine, plain } from "../_helpers/engine.ts";
import { SYSTEM_CLOCK } from "../../src/runtime/clock.ts";
import { cmd } from "../../src/commands/spec.ts";
import { bool, int, type Reply } from "../../src/protocol/reply.ts";
import { LUA51_FLOAT_FORMAT } from "../../src/scripting/lua_wasm.ts";

const SHA_RETURN_1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db";

function errOf(v: unknown): string {
  assert.ok(v !== null && typeof v === "object" && "error" in v, `expected an error, got ${JSON.stringify(v)}`);
  return (v as { error: string }).error;
}

describe("EVAL", () => {
  it("returns a number as an integer, truncating toward zero", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return 3.99", 0), 3);
    assert.equal(t.exec("EVAL", "return -3.99", 0), -3);
    assert.equal(t.exec("EVAL", "return 10/4", 0), 2);
  });

  it("returns an array up to its first nil, with false as null and true as 1", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "return {1, 2, 3.7, -3.7, 'x', true, false, nil, 5}", 0), [
      1,
      2,
      3,
      -3,
      "x",
      1,
      null,
    ]);
  });

  it("returns nested tables as nested arrays and nil as null", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "return {{1, {'a'}}, {}}", 0), [[1, ["a"]], []]);
    assert.equal(t.exec("EVAL", "return nil", 0), null);
    assert.equal(t.exec("EVAL", "local x = 1", 0), null);
  });

  it("returns status and error tables as status and error replies", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("EVAL", "return {ok='FINE'}", 0), { t: "simple", v: "FINE" });
    assert.deepEqual(t.exec("EVAL", "return {err='MY failure'}", 0), { error: "MY failure" });
    assert.deepEqual(t.raw("EVAL", "return redis.status_reply('DONE')", 0), { t: "simple", v: "DONE" });
    assert.deepEqual(t.exec("EVAL", "return redis.error_reply('My Error')", 0), { error: "My Error" });
    assert.deepEqual(t.exec("EVAL", "return redis.error_reply('nospace')", 0), { error: "ERR nospace" });
    assert.deepEqual(t.exec("EVAL", "return redis.error_reply('-X y')", 0), { error: "X y" });
  });

  it("maps CR and LF of a status table to spaces", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("EVAL", "return {ok='a\\r\\nb'}", 0), { t: "simple", v: "a  b" });
  });

  it("treats ok/err fields that are not strings as an empty array", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "return {err=5}", 0), []);
    assert.deepEqual(t.exec("EVAL", "return {ok=5}", 0), []);
  });

  it("returns a double table as a double and maps as maps (RESP3 shapes)", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("EVAL", "return {double=3.5}", 0), { t: "double", v: 3.5 });
    assert.deepEqual(t.raw("EVAL", "return {map={a=1}}", 0), {
      t: "map",
      v: [[{ t: "bulk", v: "a" }, int(1)]],
    });
    assert.deepEqual(plain(t.raw("EVAL", "return {set={x=true}}", 0)), ["x"]);
  });

  it("returns booleans as booleans after redis.setresp(3)", () => {
    const t = makeEngine();
    assert.deepEqual(t.raw("EVAL", "redis.setresp(3); return true", 0), bool(true));
    assert.deepEqual(t.raw("EVAL", "redis.setresp(3); return false", 0), bool(false));
    assert.deepEqual(t.raw("EVAL", "return false", 0), { t: "null", as: "bulk" });
  });

  it("returns NaN and out-of-range numbers as C's integer conversion does", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return 0/0", 0), -9223372036854775808n);
    assert.equal(t.exec("EVAL", "return 1e300", 0), -9223372036854775808n);
  });

  it("sets KEYS and ARGV from numkeys", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", 2, "k1", "k2", "a1"), [
      "k1",
      "k2",
      "a1",
      2,
      1,
    ]);
  });

  it("keeps binary keys and values intact", () => {
    const t = makeEngine();
    const v = "\x00\xff\x80\r\n";
    assert.equal(
      t.exec("EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", 1, "b\x00k", v),
      v,
    );
    assert.equal(t.exec("GET", "b\x00k"), v);
  });

  it("rejects a numkeys above the argument count, negative or not an integer", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "return 1", 2, "a"), {
      error: "ERR Number of keys can't be greater than number of args",
    });
    assert.deepEqual(t.exec("EVAL", "return 1", -1), { error: "ERR Number of keys can't be negative" });
    assert.deepEqual(t.exec("EVAL", "return 1", "x"), { error: "ERR value is not an integer or out of range" });
  });

  it("reports compile errors", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL", "return 1 +", 0)),
      /^ERR Error compiling script \(new function\): user_script:1: /,
    );
  });

  it("runs a script atomically: a 3-command script sees and leaves consistent data", () => {
    const t = makeEngine();
    const script = "redis.call('SET',KEYS[1],ARGV[1]); redis.call('INCR',KEYS[2]); return redis.call('GET',KEYS[1])";
    assert.equal(t.exec("EVAL", script, 2, "k1", "k2", "v1"), "v1");
    assert.equal(t.exec("EVAL", script, 2, "k1", "k2", "v2"), "v2");
    assert.equal(t.exec("GET", "k2"), "2");
  });

  it("keeps the caller's database after SELECT inside the script", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "redis.call('SELECT', 3); redis.call('SET', 'x', 'in3'); return 1", 0), 1);
    assert.equal(t.exec("GET", "x"), null);
    t.exec("SELECT", 3);
    assert.equal(t.exec("GET", "x"), "in3");
  });

  it("runs a blocking command without blocking (BLPOP answers null at once)", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return redis.call('BLPOP', 'nolist', 0)", 0), null);
    t.exec("RPUSH", "l", "a");
    assert.deepEqual(t.exec("EVAL", "return redis.call('BLPOP', 'l', 0)", 0), ["l", "a"]);
  });

  it("tells handlers they run inside a script through ctx.inScript", () => {
    const probe = cmd(
      "kitetestinscript",
      "connection",
      1,
      "fast",
      "connection",
      [],
      "1.0.0",
      (ctx) => bool(ctx.inScript),
    );
    const t = makeEngine({ commands: [probe] });
    assert.equal(t.exec("KITETESTINSCRIPT"), false);
    assert.equal(t.exec("EVAL", "return redis.call('kitetestinscript')", 0), 1);
    assert.equal(t.exec("KITETESTINSCRIPT"), false);
  });
});

describe("Redis replies converted to Lua", () => {
  it("gives integers, bulk strings, false for null and tables for arrays", () => {
    const t = makeEngine();
    t.exec("SET", "s", "v");
    t.exec("RPUSH", "l", "a", "b");
    assert.deepEqual(
      t.exec(
        "EVAL",
        "return {type(redis.call('INCR','n')), redis.call('GET','s'), tostring(redis.call('GET','none')), #redis.call('LRANGE','l',0,-1)}",
        0,
      ),
      ["number", "v", "false", 2],
    );
  });

  it("gives a status reply as {ok=...} and an error reply as {err=...} through pcall", () => {
    const t = makeEngine();
    t.exec("SET", "foo", "bar");
    assert.equal(t.exec("EVAL", "return redis.call('SET','a','b').ok", 0), "OK");
    assert.equal(
      t.exec("EVAL", "return redis.pcall('INCR','foo').err", 0),
      "ERR value is not an integer or out of range",
    );
    assert.deepEqual(t.exec("EVAL", "return redis.pcall('INCR','foo')", 0), {
      error: "ERR value is not an integer or out of range",
    });
  });

  it("gives RESP3 types after redis.setresp(3): map, set, double, boolean, null", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "f", "1");
    t.exec("SADD", "st", "m");
    t.exec("ZADD", "z", "1.5", "m");
    assert.deepEqual(
      t.exec(
        "EVAL",
        "redis.setresp(3); return {redis.call('HGETALL','h').map.f, tostring(redis.call('SMEMBERS','st').set.m), " +
          "tostring(redis.call('ZSCORE','z','m').double), tostring(redis.call('GET','none'))}",
        0,
      ),
      ["1", "true", "1.5", "nil"],
    );
  });

  it("gives RESP2 downgrades by default: a map as a flat array, a double as text", () => {
    const t = makeEngine();
    t.exec("HSET", "h", "f", "1");
    t.exec("ZADD", "z", "1.5", "m");
    assert.deepEqual(t.exec("EVAL", "return redis.call('HGETALL','h')", 0), ["f", "1"]);
    assert.equal(t.exec("EVAL", "return redis.call('ZSCORE','z','m')", 0), "1.5");
  });

  it("formats number arguments as Valkey does (integers without exponent, floats shortest)", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "redis.call('SET','n', 1e9); return redis.call('GET','n')", 0), "1000000000");
    assert.equal(t.exec("EVAL", "redis.call('SET','n', 0.1); return redis.call('GET','n')", 0), "0.1");
    assert.equal(t.exec("EVAL", "redis.call('SET','n', 10/4); return redis.call('GET','n')", 0), "2.5");
  });
});

describe("Script errors", () => {
  it("reports a failing command with the script name and line", () => {
    const t = makeEngine();
    t.exec("SET", "foo", "bar");
    assert.deepEqual(t.exec("EVAL", "return redis.call('incr','foo')", 0), {
      error:
        "ERR value is not an integer or out of range script: 22c9dbdd80709fb523d10691f558682a9d7129bf, on @user_script:1.",
    });
  });

  it("reports Lua errors with their position", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "error('boom')", 0), {
      error: "ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.",
    });
    assert.deepEqual(t.exec("EVAL", "error({err='MY boom'})", 0), {
      error: "MY boom script: 4c2ee35ef37c857625d6ec6d812eab72377cfa97, on @user_script:1.",
    });
  });

  it("refuses unknown commands, wrong arity, noscript commands and bad arguments", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL", "return redis.call('nosuch')", 0)),
      /^ERR Unknown command called from script script: /,
    );
    assert.match(
      errOf(t.exec("EVAL", "return redis.call('get')", 0)),
      /^ERR Wrong number of args calling command from script script: /,
    );
    assert.match(
      errOf(t.exec("EVAL", "return redis.call('eval','return 1',0)", 0)),
      /^ERR This Valkey command is not allowed from script script: /,
    );
    assert.match(
      errOf(t.exec("EVAL", "return redis.call()", 0)),
      /^ERR Please specify at least one argument for this redis lib call script: /,
    );
    assert.match(
      errOf(t.exec("EVAL", "return redis.call({})", 0)),
      /^ERR Lua redis lib command arguments must be strings or integers script: /,
    );
  });

  it("says Redis in the noscript error under extended-redis-compatibility", () => {
    const t = makeEngine({ config: { "extended-redis-compatibility": "yes" } });
    assert.match(
      errOf(t.exec("EVAL", "return redis.call('multi')", 0)),
      /^ERR This Redis command is not allowed from script/,
    );
  });

  it("lets pcall catch a command error and return its text", () => {
    const t = makeEngine();
    t.exec("SET", "foo", "bar");
    assert.deepEqual(t.exec("EVAL", "local ok, e = pcall(redis.call, 'incr', 'foo'); return {tostring(ok), e}", 0), [
      "false",
      "ERR value is not an integer or out of range",
    ]);
  });
});

describe("Read-only scripts", () => {
  it("refuse writes in EVAL_RO and EVALSHA_RO", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL_RO", "return redis.call('set','a','b')", 0)),
      /^ERR Write commands are not allowed from read-only scripts\. script: /,
    );
    const sha = t.exec("SCRIPT", "LOAD", "return redis.call('get','a')") as string;
    assert.equal(t.exec("EVALSHA_RO", sha, 0), null);
  });

  it("refuse may-replicate commands too (PUBLISH)", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL_RO", "return redis.call('publish','c','m')", 0)),
      /^ERR Write commands are not allowed from read-only scripts/,
    );
  });

  it("follow the no-writes shebang flag", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", 0)),
      /^ERR Write commands are not allowed from read-only scripts\. script: [0-9a-f]{40}, on @user_script:2\.$/,
    );
    assert.equal(t.exec("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','a')", 0), null);
  });

  it("refuse a shebang script without no-writes under *_RO", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL_RO", "#!lua\nreturn 1", 0), {
      error: "ERR Can not execute a script with write flag using *_ro command.",
    });
  });
});

describe("Script shebang", () => {
  it("rejects an unknown engine, a missing newline, unknown flags and options", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "#!lux\nreturn 1", 0), { error: "ERR Unexpected engine in script shebang: #!lux" });
    assert.deepEqual(t.exec("EVAL", "#!lua", 0), { error: "ERR Invalid script shebang" });
    assert.deepEqual(t.exec("EVAL", "#!lua flags=no-writes,bad\nreturn 1", 0), {
      error: "ERR Unexpected flag in script shebang: bad",
    });
    assert.deepEqual(t.exec("EVAL", "#!lua foo=bar\nreturn 1", 0), {
      error: "ERR Unknown lua shebang option: foo=bar",
    });
  });

  it("accepts every Valkey flag", () => {
    const t = makeEngine();
    assert.equal(
      t.exec("EVAL", "#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 7", 0),
      7,
    );
  });
});

describe("Script sandbox", () => {
  it("has no os, io, require, loadfile, dofile, print or debug", () => {
    const t = makeEngine();
    for (const name of ["os", "io", "require", "loadfile", "dofile", "print", "debug", "package", "rawlen"]) {
      assert.match(
        errOf(t.exec("EVAL", `return ${name}`, 0)),
        new RegExp(`Script attempted to access nonexistent global variable '${name}'`),
      );
    }
  });

  it("refuses to create or change globals and library fields", () => {
    const t = makeEngine();
    for (const code of ["x = 5", "redis = nil", "string.x = 1", "redis.call = nil", "_G.y = 1", "math.pi = 3"]) {
      assert.match(errOf(t.exec("EVAL", code, 0)), /user_script:1: Attempt to modify a readonly table/, code);
    }
    assert.match(errOf(t.exec("EVAL", "rawset(_G, 'z', 1)", 0)), /Attempt to modify a readonly table/);
  });

  it("keeps the sandbox intact for later scripts after a refused change", () => {
    const t = makeEngine();
    t.exec("EVAL", "string.upper = nil", 0);
    assert.equal(t.exec("EVAL", "return string.upper('a')", 0), "A");
  });

  it("loads only text chunks with loadstring and load", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return loadstring('return 1 + 1')()", 0), 2);
    assert.equal(t.exec("EVAL", "local f, e = loadstring(string.dump(function() end)); return tostring(f)", 0), "nil");
    assert.equal(
      t.exec(
        "EVAL",
        "local d = string.dump(function() end) local f = load(function() local c = d d = nil return c end) " +
          "return tostring(f)",
        0,
      ),
      "nil",
    );
  });

  it("takes a reader function in load and a string in loadstring, as Lua 5.1 does", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL", "return load('return 1')", 0)),
      /^ERR user_script:1: bad argument #1 to 'load' \(function expected, got string\) script: /,
    );
    assert.match(
      errOf(t.exec("EVAL", "return loadstring()", 0)),
      /^ERR user_script:1: bad argument #1 to 'loadstring' \(string expected, got no value\) script: /,
    );
    assert.equal(t.exec("EVAL", "local f = loadstring('return KEYS[1]') return f()", 1, "kk"), "kk");
    assert.equal(
      t.exec(
        "EVAL",
        "local p = {'return ', '7'} local f = load(function() return table.remove(p, 1) end) return f()",
        0,
      ),
      7,
    );
  });

  it("offers the Lua 5.1 names scripts use", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec(
        "EVAL",
        "return {table.getn({1,2,3}), math.pow(2, 10), tostring(10/2), string.format('%d', 3.7), " +
          "table.maxn({[5]=1}), tostring(gcinfo() >= 0), math.mod(7, 3), unpack({1, 2})}",
        0,
      ),
      [3, 1024, "5", "3", 5, "true", 1, 1, 2],
    );
  });
});

describe("Lua 5.1 environment", () => {
  it("names itself Lua 5.1 and has none of the names Lua 5.2+ added", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return _VERSION", 0), "Lua 5.1");
    const added = [
      "string.pack",
      "string.packsize",
      "string.unpack",
      "table.move",
      "table.pack",
      "table.unpack",
      "math.maxinteger",
      "math.mininteger",
      "math.tointeger",
      "math.type",
      "math.ult",
      "coroutine.close",
      "coroutine.isyieldable",
    ];
    for (const name of added) assert.equal(t.exec("EVAL", `return type(${name})`, 0), "nil", name);
    for (const name of ["getfenv", "setfenv", "newproxy"]) {
      assert.match(errOf(t.exec("EVAL", `return ${name}`, 0)), /nonexistent global variable/, name);
    }
  });

  it("prints integral floats without '.0' everywhere the VM converts a number", () => {
    assert.ok(LUA51_FLOAT_FORMAT, "the VM's float-to-text constant was found and patched");
    const t = makeEngine();
    assert.deepEqual(
      t.exec(
        "EVAL",
        "return {10/2 .. '', tostring(10/2), table.concat({5.0, 1.5, 2}, ','), string.format('%s', 3.0), " +
          "string.rep(2.0, 2), -(0.0) .. '', 2^53 .. '', 1e15 .. '', 0.1 .. ''}",
        0,
      ),
      ["5", "5", "5,1.5,2", "3", "22", "-0", "9.007199254741e+15", "1e+15", "0.1"],
    );
  });

  it("prints numbers with %.14g, NaN with its sign as C does", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec(
        "EVAL",
        "local nan = 0/0 return {tostring(123456789012345678), tostring(math.pi), " +
          "tostring(tostring(nan) == string.format('%.14g', nan)), tostring(tostring(-nan) == string.format('%.14g', -nan))}",
        0,
      ),
      ["1.2345678901235e+17", "3.1415926535898", "true", "true"],
    );
  });

  it("quotes a number's text with %q", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return string.format('%q %q', 1/3, 7)", 0), '"0.33333333333333" "7"');
  });

  it("offers math.atan2 and a string.rep without separator", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec("EVAL", "return {tostring(math.atan2(1, 1) == math.pi / 4), string.rep('ab', 3, ',')}", 0),
      ["true", "ababab"],
    );
  });

  it("treats the script as the main thread: it cannot yield and coroutine.running is nil", () => {
    const t = makeEngine();
    assert.match(
      errOf(t.exec("EVAL", "coroutine.yield(1) return 2", 0)),
      /^ERR attempt to yield across metamethod\/C-call boundary script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    assert.deepEqual(t.exec("EVAL", "local ok, e = pcall(coroutine.yield) return {tostring(ok), e}", 0), [
      "false",
      "attempt to yield across metamethod/C-call boundary",
    ]);
    assert.equal(t.exec("EVAL", "return tostring(coroutine.running())", 0), "nil");
    assert.deepEqual(
      t.exec(
        "EVAL",
        "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) " +
          "local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) " +
          "return {x, y, coroutine.status(co), tostring(coroutine.wrap(function() return coroutine.running() end)() ~= nil)}",
        0,
      ),
      [2, 20, "dead", "true"],
    );
  });

  it("lets pairs, next and rawget see through the read-only tables", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec(
        "EVAL",
        "local n, has = 0, {} for k in pairs(_G) do n = n + 1 has[k] = true end " +
          "return {tostring(n > 30), tostring(has.redis and has.KEYS and has.string), tostring(next(_G) ~= nil), " +
          "type(rawget(string, 'format')), type(rawget(_G, 'redis')), tostring(next(redis) ~= nil)}",
        0,
      ),
      ["true", "true", "true", "function", "table", "true"],
    );
    assert.match(
      errOf(t.exec("EVAL", "return next(nil)", 0)),
      /^ERR user_script:1: bad argument #1 to 'next' \(table expected, got nil\) script: /,
    );
  });
});

describe("Script error statistics", () => {
  /** The errorstats and the calls/failed/rejected counts of some commands after `run`. */
  function stats(t: ReturnType<typeof makeEngine>, names: string[]): Record<string, string> {
    const info = String(t.exec("INFO", "all"));
    const out: Record<string, string> = {};
    for (const line of info.split("\r\n")) {
      const m = /^(errorstat_\w+|total_error_replies):(.*)$/.exec(line);
      if (m) out[m[1]!] = m[2]!;
      const c = /^cmdstat_([^:]+):calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)$/.exec(line);
      if (c && names.includes(c[1]!)) out[c[1]!] = `calls=${c[2]},rejected=${c[3]},failed=${c[4]}`;
    }
    return out;
  }

  function run(...cmds: (string | number)[][]): Record<string, string> {
    const t = makeEngine();
    t.exec("SET", "str", "x");
    t.exec("CONFIG", "RESETSTAT");
    for (const c of cmds) t.exec(...c);
    return stats(t, ["eval", "incr", "get", "set", "fcall", "blpop", "xread"]);
  }

  it("counts an error redis.call raised once, where the command failed", () => {
    assert.deepEqual(run(["EVAL", "return redis.call('INCR', 'str')", 0]), {
      errorstat_ERR: "count=1",
      total_error_replies: "1",
      eval: "calls=1,rejected=0,failed=1",
      incr: "calls=1,rejected=0,failed=1",
    });
  });

  it("counts an error redis.pcall returned once, whether the script returns or raises it", () => {
    const want = {
      errorstat_ERR: "count=1",
      total_error_replies: "1",
      eval: "calls=1,rejected=0,failed=1",
      incr: "calls=1,rejected=0,failed=1",
    };
    assert.deepEqual(run(["EVAL", "return redis.pcall('INCR', 'str')", 0]), want);
    assert.deepEqual(run(["EVAL", "error(redis.pcall('INCR', 'str'))", 0]), want);
  });

  it("makes the script a failed call once per passed-on error in its reply", () => {
    assert.deepEqual(run(["EVAL", "local e = redis.pcall('INCR', 'str') return {e, 1, e}", 0]), {
      errorstat_ERR: "count=1",
      total_error_replies: "1",
      eval: "calls=1,rejected=0,failed=2",
      incr: "calls=1,rejected=0,failed=1",
    });
  });

  it("counts each error the script makes itself, at any depth of its reply", () => {
    assert.deepEqual(run(["EVAL", "return {1, {err='XX one'}, redis.error_reply('YY two')}", 0]), {
      errorstat_XX: "count=1",
      errorstat_YY: "count=1",
      total_error_replies: "2",
      eval: "calls=1,rejected=0,failed=1",
    });
  });

  it("counts a caught error once and leaves the script's success alone", () => {
    assert.deepEqual(run(["EVAL", "pcall(redis.call, 'INCR', 'str') return 1", 0]), {
      errorstat_ERR: "count=1",
      total_error_replies: "1",
      eval: "calls=1,rejected=0,failed=0",
      incr: "calls=1,rejected=0,failed=1",
    });
  });

  it("counts a command the script may not run as rejected, once", () => {
    assert.deepEqual(run(["EVAL", "return redis.call('GET')", 0]), {
      errorstat_ERR: "count=1",
      total_error_replies: "1",
      eval: "calls=1,rejected=0,failed=1",
      get: "calls=0,rejected=1,failed=0",
    });
  });

  it("counts a raised string error as a new error", () => {
    assert.deepEqual(run(["EVAL", "local ok, e = pcall(redis.call, 'INCR', 'str') error(e)", 0]), {
      errorstat_ERR: "count=2",
      total_error_replies: "2",
      eval: "calls=1,rejected=0,failed=1",
      incr: "calls=1,rejected=0,failed=1",
    });
  });

  it("counts a function's passed-on error once", () => {
    assert.deepEqual(
      run(
        [
          "FUNCTION",
          "LOAD",
          "#!lua name=st\nredis.register_function('f', function() return redis.call('INCR', 'str') end)",
        ],
        ["FCALL", "f", 0],
      ),
      {
        errorstat_ERR: "count=1",
        total_error_replies: "1",
        fcall: "calls=1,rejected=0,failed=1",
        incr: "calls=1,rejected=0,failed=1",
      },
    );
  });

  it("counts a blocking command a script ran as a call", () => {
    assert.deepEqual(run(["EVAL", "return redis.call('BLPOP', 'nolist', 0)", 0]), {
      total_error_replies: "0",
      eval: "calls=1,rejected=0,failed=0",
      blpop: "calls=1,rejected=0,failed=0",
    });
  });
});

describe("Blocking commands in scripts", () => {
  it("answer at once as if their timeout expired", () => {
    const t = makeEngine();
    for (
      const call of [
        "'BLPOP', 'bl', 0",
        "'BRPOP', 'bl', 5",
        "'BRPOPLPUSH', 'bl', 'bl2', 0",
        "'BLMOVE', 'bl', 'bl2', 'LEFT', 'RIGHT', 0",
        "'BLMPOP', 0, 1, 'bl', 'LEFT'",
        "'BZPOPMIN', 'bz', 0",
        "'BZPOPMAX', 'bz', 0",
        "'BZMPOP', 0, 1, 'bz', 'MIN'",
      ]
    ) {
      assert.equal(t.exec("EVAL", `return redis.call(${call})`, 0), null, call);
    }
    t.exec("RPUSH", "bl", "a");
    assert.deepEqual(t.exec("EVAL", "return redis.call('BLPOP', 'bl', 0)", 0), ["bl", "a"]);
  });

  it("refuse XREAD and XREADGROUP with BLOCK, naming the command as the script wrote it", () => {
    const t = makeEngine();
    t.exec("XADD", "s", "1-1", "f", "v");
    t.exec("XGROUP", "CREATE", "s", "g", "0");
    assert.match(
      errOf(t.exec("EVAL", "return redis.call('xread', 'BLOCK', 0, 'STREAMS', 's', '0')", 0)),
      /^ERR xread command is not allowed with BLOCK option from scripts script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    assert.deepEqual(
      t.exec("EVAL", "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>')", 0),
      { error: "ERR XREADGROUP command is not allowed with BLOCK option from scripts" },
    );
    // Without BLOCK they read as usual.
    assert.deepEqual(t.exec("EVAL", "return redis.call('XREAD', 'STREAMS', 's', '0')", 0), [
      ["s", [["1-1", ["f", "v"]]]],
    ]);
    // Inside MULTI, BLOCK is an immediate timeout instead.
    t.exec("MULTI");
    t.exec("XREAD", "BLOCK", 0, "STREAMS", "s", "$");
    assert.deepEqual(t.exec("EXEC"), [null]);
  });
});

describe("redis.* API", () => {
  it("computes sha1hex and rejects a wrong argument count", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return redis.sha1hex('')", 0), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert.match(errOf(t.exec("EVAL", "return redis.sha1hex()", 0)), /^ERR wrong number of arguments script: /);
  });

  it("logs through redis.log at the server's levels and validates its arguments", () => {
    const lines: string[] = [];
    const t = makeEngine({ log: (level, msg) => lines.push(`${level}:${msg}`) });
    t.exec("EVAL", "redis.log(redis.LOG_WARNING, 'hello', 'world'); redis.log(redis.LOG_DEBUG, 'hidden')", 0);
    assert.ok(lines.includes("warning:hello world"));
    assert.ok(!lines.some((l) => l.includes("hidden")));
    assert.match(errOf(t.exec("EVAL", "redis.log(9, 'x')", 0)), /^ERR Invalid debug level\. script:/);
    assert.match(errOf(t.exec("EVAL", "redis.log(1)", 0)), /^ERR redis\.log\(\) requires two arguments or more\./);
    assert.match(
      errOf(t.exec("EVAL", "redis.log('a', 'b')", 0)),
      /^ERR First argument must be a number \(log level\)\./,
    );
  });

  it("validates redis.setresp and redis.set_repl", () => {
    const t = makeEngine();
    assert.match(errOf(t.exec("EVAL", "redis.setresp(4)", 0)), /^ERR RESP version must be 2 or 3\. script:/);
    assert.equal(t.exec("EVAL", "redis.set_repl(redis.REPL_ALL); redis.set_repl(redis.REPL_NONE); return 1", 0), 1);
    assert.match(
      errOf(t.exec("EVAL", "redis.set_repl(8)", 0)),
      /^ERR Invalid replication flags\. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE\. script:/,
    );
    assert.deepEqual(
      t.exec(
        "EVAL",
        "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
        0,
      ),
      [0, 1, 2, 2, 3],
    );
  });

  it("answers replicate_commands with true and exposes versions and the server alias", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return redis.replicate_commands()", 0), 1);
    assert.deepEqual(
      t.exec(
        "EVAL",
        "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, server.SERVER_NAME, tostring(server == redis)}",
        0,
      ),
      ["7.2.4", 0x070204, "valkey", "true"],
    );
  });

  it("checks command existence with acl_check_cmd", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "return redis.acl_check_cmd('get', 'k')", 0), 1);
    assert.match(
      errOf(t.exec("EVAL", "return redis.acl_check_cmd('nosuch')", 0)),
      /Invalid command passed to redis\.acl_check_cmd\(\)/,
    );
  });

  it("draws math.random from Valkey's lrand48 sequence and reseeds with math.randomseed", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("EVAL", "return {math.random(1000), math.random(1000)}", 0), [397, 841]);
    assert.deepEqual(t.exec("EVAL", "math.randomseed(0); return {math.random(1000), math.random(1000)}", 0), [
      171,
      750,
    ]);
  });
});

describe("EVALSHA and SCRIPT", () => {
  it("runs a loaded script by SHA1, in any case", () => {
    const t = makeEngine();
    assert.equal(t.exec("SCRIPT", "LOAD", "return 1"), SHA_RETURN_1);
    assert.equal(t.exec("EVALSHA", SHA_RETURN_1.toUpperCase(), 0), 1);
  });

  it("answers NOSCRIPT for an unknown or malformed SHA1", () => {
    const t = makeEngine();
    const nos = { error: "NOSCRIPT No matching script. Please use EVAL." };
    assert.deepEqual(t.exec("EVALSHA", "f".repeat(40), 0), nos);
    assert.deepEqual(t.exec("EVALSHA", "abc", "notanumber"), nos);
  });

  it("caches scripts run by EVAL", () => {
    const t = makeEngine();
    t.exec("EVAL", "return 1", 0);
    assert.deepEqual(t.exec("SCRIPT", "EXISTS", SHA_RETURN_1, "f".repeat(40)), [1, 0]);
    assert.equal(t.exec("SCRIPT", "SHOW", SHA_RETURN_1), "return 1");
  });

  it("flushes the cache with SCRIPT FLUSH [SYNC|ASYNC] and rejects other modes", () => {
    const t = makeEngine();
    t.exec("SCRIPT", "LOAD", "return 1");
    assert.equal(t.exec("SCRIPT", "FLUSH", "ASYNC"), "OK");
    assert.deepEqual(t.exec("SCRIPT", "EXISTS", SHA_RETURN_1), [0]);
    assert.deepEqual(t.exec("SCRIPT", "FLUSH", "foo"), { error: "ERR SCRIPT FLUSH only support SYNC|ASYNC option" });
    assert.equal(t.exec("SCRIPT", "FLUSH"), "OK");
  });

  it("answers SCRIPT SHOW of an unknown script with NOSCRIPT", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SCRIPT", "SHOW", "f".repeat(40)), {
      error: "NOSCRIPT No matching script. Please use EVAL.",
    });
  });

  it("accepts SCRIPT DEBUG NO and refuses YES and SYNC (no debugger) and other modes", () => {
    const t = makeEngine();
    assert.equal(t.exec("SCRIPT", "DEBUG", "no"), "OK");
    assert.match(errOf(t.exec("SCRIPT", "DEBUG", "yes")), /not supported/);
    assert.deepEqual(t.exec("SCRIPT", "DEBUG", "maybe"), { error: "ERR Use SCRIPT DEBUG YES/SYNC/NO" });
  });

  it("answers SCRIPT KILL with NOTBUSY when nothing runs", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("SCRIPT", "KILL"), { error: "NOTBUSY No scripts in execution right now." });
    assert.deepEqual(t.exec("FUNCTION", "KILL"), { error: "NOTBUSY No scripts in execution right now." });
  });

  it("lists its subcommands in SCRIPT HELP", () => {
    const t = makeEngine();
    const help = t.exec("SCRIPT", "HELP") as string[];
    assert.match(help[0]!, /^SCRIPT <subcommand>/);
    assert.ok(help.some((l) => l.startsWith("LOAD")));
  });

  it("evicts the oldest EVAL scripts beyond 500, but never SCRIPT LOAD ones", () => {
    const t = makeEngine();
    t.exec("SCRIPT", "LOAD", "return 1");
    t.exec("EVAL", "return 'first'", 0);
    for (let i = 0; i < 500; i++) t.exec("EVAL", `return ${i + 2}`, 0);
    assert.deepEqual(t.exec("SCRIPT", "EXISTS", SHA_RETURN_1), [1]);
    assert.equal(t.exec("EVALSHA", SHA_RETURN_1, 0), 1);
    const first = t.exec("EVAL", "return redis.sha1hex(\"return 'first'\")", 0) as string;
    assert.deepEqual(t.exec("SCRIPT", "EXISTS", first), [0]);
  });
});

const LIB = "#!lua name=mylib\n" +
  "redis.register_function('f', function(keys, args) return redis.call('ping') end)\n" +
  "redis.register_function{function_name='g', callback=function(keys, args) return #keys + #args end, " +
  "flags={'no-writes'}, description='desc g'}";

describe("FUNCTION LOAD and FCALL", () => {
  it("loads a library and calls its functions, case-insensitively, with keys and args", () => {
    const t = makeEngine();
    assert.equal(t.exec("FUNCTION", "LOAD", LIB), "mylib");
    assert.equal(t.exec("FCALL", "f", 0), "PONG");
    assert.equal(t.exec("FCALL", "G", 2, "a", "b", "c"), 3);
    assert.equal(t.exec("FCALL_RO", "g", 0), 0);
  });

  it("refuses FCALL_RO of a function without no-writes, unknown functions and bad numkeys", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", LIB);
    assert.deepEqual(t.exec("FCALL_RO", "f", 0), {
      error: "ERR Can not execute a script with write flag using *_ro command.",
    });
    assert.deepEqual(t.exec("FCALL", "nosuch", 0), { error: "ERR Function not found" });
    assert.deepEqual(t.exec("FCALL", "f", "x"), { error: "ERR Bad number of keys provided" });
    assert.deepEqual(t.exec("FCALL", "f", 3, "a"), {
      error: "ERR Number of keys can't be greater than number of args",
    });
  });

  it("names the function in errors and gives KEYS/ARGV only as arguments", () => {
    const t = makeEngine();
    t.exec(
      "FUNCTION",
      "LOAD",
      "#!lua name=e\nredis.register_function('boom', function(keys, args)\n return KEYS\nend)",
    );
    assert.deepEqual(t.exec("FCALL", "boom", 0), {
      error:
        "ERR user_function:3: Script attempted to access nonexistent global variable 'KEYS' script: boom, on @user_function:3.",
    });
  });

  it("reports library metadata errors", () => {
    const t = makeEngine();
    const load = (code: string) => t.exec("FUNCTION", "LOAD", code);
    assert.deepEqual(load("redis.register_function('f', function() return 1 end)"), {
      error: "ERR Missing library metadata",
    });
    assert.deepEqual(load("#!lua\nreturn 1"), { error: "ERR Library name was not given" });
    assert.deepEqual(load("#!lua name=a foo=bar\nreturn 1"), { error: "ERR Invalid metadata value given: foo=bar" });
    assert.deepEqual(load("#!lua name=a name=b\nreturn 1"), {
      error: "ERR Invalid metadata value, name argument was given multiple times",
    });
    assert.deepEqual(load("#!lua2 name=a\nreturn 1"), { error: "ERR Engine 'lua2' not found" });
    assert.deepEqual(load("#!lua name=t-2\nreturn 1"), {
      error:
        "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long",
    });
    assert.deepEqual(load("#!lua name=a\nreturn 1"), { error: "ERR No functions registered" });
    assert.deepEqual(t.exec("FUNCTION", "LOAD", "BAD", LIB), { error: "ERR Unknown option given: BAD" });
  });

  it("refuses a duplicate library unless REPLACE, and a function name another library has", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", LIB);
    assert.deepEqual(t.exec("FUNCTION", "LOAD", LIB), { error: "ERR Library 'mylib' already exists" });
    assert.equal(t.exec("FUNCTION", "LOAD", "REPLACE", LIB), "mylib");
    assert.deepEqual(
      t.exec("FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('f', function() return 1 end)"),
      { error: "ERR Function f already exists" },
    );
  });

  it("restricts the load-time API to registration and logging", () => {
    const t = makeEngine();
    assert.deepEqual(t.exec("FUNCTION", "LOAD", "#!lua name=a\nlocal x = string.len('a')"), {
      error:
        "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'",
    });
    assert.deepEqual(t.exec("FUNCTION", "LOAD", "#!lua name=a\nredis.call('ping')"), {
      error:
        "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'",
    });
  });

  it("validates register_function arguments", () => {
    const t = makeEngine();
    const load = (body: string) => t.exec("FUNCTION", "LOAD", `#!lua name=a\n${body}`);
    assert.deepEqual(load("redis.register_function('f-1', function() return 1 end)"), {
      error:
        "ERR Error registering functions: ERR Function names can only contain letters, numbers, or underscores(_) and must be at least one character long",
    });
    assert.deepEqual(load("redis.register_function('f', 5)"), {
      error: "ERR Error registering functions: ERR second argument to redis.register_function must be a function",
    });
    assert.deepEqual(load("redis.register_function{function_name='f', callback=function() end, flags={'bad'}}"), {
      error: "ERR Error registering functions: ERR unknown flag given",
    });
    assert.deepEqual(load("redis.register_function{callback=function() end}"), {
      error: "ERR Error registering functions: ERR redis.register_function must get a function name argument",
    });
    assert.deepEqual(
      load("redis.register_function('f', function() end)\nredis.register_function('f', function() end)"),
      {
        error: "ERR Error registering functions: ERR Function already exists in the library",
      },
    );
  });
});

describe("FUNCTION LIST, DELETE, FLUSH, STATS", () => {
  it("lists libraries with functions, descriptions, flags and optionally code", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", LIB);
    assert.deepEqual(t.exec("FUNCTION", "LIST"), [[
      "library_name",
      "mylib",
      "engine",
      "LUA",
      "functions",
      [["name", "f", "description", null, "flags", []], ["name", "g", "description", "desc g", "flags", ["no-writes"]]],
    ]]);
    const withCode = t.exec("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "my*") as unknown[][];
    assert.equal(withCode[0]![7], LIB);
    assert.deepEqual(t.exec("FUNCTION", "LIST", "LIBRARYNAME", "other*"), []);
    assert.deepEqual(t.exec("FUNCTION", "LIST", "LIBRARYNAME"), { error: "ERR library name argument was not given" });
    assert.deepEqual(t.exec("FUNCTION", "LIST", "BAD"), { error: "ERR Unknown argument BAD" });
  });

  it("deletes a library and flushes all", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", LIB);
    assert.deepEqual(t.exec("FUNCTION", "DELETE", "nosuch"), { error: "ERR Library not found" });
    assert.equal(t.exec("FUNCTION", "DELETE", "mylib"), "OK");
    assert.deepEqual(t.exec("FCALL", "f", 0), { error: "ERR Function not found" });
    t.exec("FUNCTION", "LOAD", LIB);
    assert.equal(t.exec("FUNCTION", "FLUSH", "SYNC"), "OK");
    assert.deepEqual(t.exec("FUNCTION", "LIST"), []);
    assert.deepEqual(t.exec("FUNCTION", "FLUSH", "NOW"), {
      error: "ERR FUNCTION FLUSH only supports SYNC|ASYNC option",
    });
  });

  it("reports stats with no running script", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", LIB);
    assert.deepEqual(t.exec("FUNCTION", "STATS"), [
      "running_script",
      null,
      "engines",
      ["LUA", ["libraries_count", 1, "functions_count", 2]],
    ]);
  });
});

describe("FUNCTION DUMP and RESTORE", () => {
  it("restores its own dump under FLUSH, APPEND and REPLACE policies", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", LIB);
    const dump = t.exec("FUNCTION", "DUMP") as string;
    assert.deepEqual(t.exec("FUNCTION", "RESTORE", dump), { error: "ERR Library mylib already exists" });
    assert.equal(t.exec("FUNCTION", "RESTORE", dump, "REPLACE"), "OK");
    assert.equal(t.exec("FUNCTION", "RESTORE", dump, "FLUSH"), "OK");
    t.exec("FUNCTION", "FLUSH");
    assert.equal(t.exec("FUNCTION", "RESTORE", dump), "OK");
    assert.equal(t.exec("FCALL", "f", 0), "PONG");
  });

  it("rejects a corrupt payload and an unknown policy", () => {
    const t = makeEngine();
    const dump = t.exec("FUNCTION", "DUMP") as string;
    const bad = dump.slice(0, -1) + String.fromCharCode(dump.charCodeAt(dump.length - 1) ^ 1);
    assert.deepEqual(t.exec("FUNCTION", "RESTORE", bad), { error: "ERR DUMP payload version or checksum are wrong" });
    assert.deepEqual(t.exec("FUNCTION", "RESTORE", dump, "MERGE"), {
      error: "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
    });
  });

  it("restores a payload redis-server 7 produced (LZF-compressed library)", () => {
    const t = makeEngine();
    const hex =
      "f5c340ac40eb1f23216c7561206e616d653d740a72656469732e72656769737465725f66756e630974696f6e282766272c20e0000d116b6579732c2061726773292072657475726e200640381063616c6c282770696e67272920656e6429e00f50007bc04b005f6078012767205e403c046261636b3dc01be00b670023407b03202b2023407d406220961a6c6167733d7b276e6f2d777269746573277d2c206465736372697040bc013d27400c032067277d0a009507eacf856fa388";
    const payload = Buffer.from(hex, "hex").toString("latin1");
    assert.equal(t.exec("FUNCTION", "RESTORE", payload), "OK");
    assert.equal(t.exec("FCALL", "f", 0), "PONG");
    assert.equal(t.exec("FCALL", "g", 1, "k", "a"), 2);
  });
});

describe("Busy scripts (busy-reply-threshold)", () => {
  // A real clock: the threshold is measured in wall time. Resumes run on the manual scheduler.
  function busyEngine() {
    const t = makeEngine({ clock: SYSTEM_CLOCK, config: { "busy-reply-threshold": "30" } });
    const other = t.engine.openSession();
    return { t, other };
  }
  const BUSY = "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

  it("answers BUSY to other clients past the threshold and stops a read-only script on SCRIPT KILL", () => {
    const { t, other } = busyEngine();
    let delivered: Reply | undefined;
    const r = t.engine.dispatch(
      t.session,
      ["EVAL", "local i = 0 while true do i = i + 1 end", "0"],
      (x) => delivered = x,
    );
    assert.equal(r?.t, "blocked");
    assert.deepEqual(t.execOn(other, "GET", "x"), { error: BUSY });
    assert.deepEqual(t.execOn(other, "FUNCTION", "KILL"), { error: BUSY });
    assert.deepEqual(t.execOn(other, "FUNCTION", "STATS"), { error: BUSY });
    assert.equal(t.execOn(other, "SCRIPT", "KILL"), "OK");
    for (let i = 0; i < 100 && delivered === undefined; i++) t.advance(0);
    assert.deepEqual(plain(delivered), {
      error:
        "ERR Script killed by user with SCRIPT KILL. script: 3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.",
    });
    assert.equal(t.engine.busyReply, undefined);
    assert.equal(t.execOn(other, "GET", "x"), null);
  });

  it("refuses to kill a script that already wrote, which then completes", () => {
    const { t, other } = busyEngine();
    let delivered: Reply | undefined;
    t.engine.dispatch(
      t.session,
      ["EVAL", "redis.call('set','x','1') local i = 0 while i < 3e7 do i = i + 1 end return i", "0"],
      (x) => delivered = x,
    );
    assert.match(
      errOf(t.execOn(other, "SCRIPT", "KILL")),
      /^UNKILLABLE Sorry the script already executed write commands/,
    );
    for (let i = 0; i < 10000 && delivered === undefined; i++) t.advance(0);
    assert.deepEqual(plain(delivered), 30000000);
  });

  it("shows a busy function in FUNCTION STATS and kills it with FUNCTION KILL, not SCRIPT KILL", () => {
    const { t, other } = busyEngine();
    t.exec("FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('spin', function() while true do end end)");
    let delivered: Reply | undefined;
    t.engine.dispatch(t.session, ["FCALL", "spin", "0"], (x) => delivered = x);
    const stats = t.execOn(other, "FUNCTION", "STATS") as unknown[];
    assert.deepEqual((stats[1] as unknown[]).slice(0, 4), ["name", "spin", "command", ["FCALL", "spin", "0"]]);
    assert.deepEqual(t.execOn(other, "SCRIPT", "KILL"), {
      error: "BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
    });
    assert.equal(t.execOn(other, "FUNCTION", "KILL"), "OK");
    for (let i = 0; i < 100 && delivered === undefined; i++) t.advance(0);
    assert.match(
      errOf(plain(delivered)),
      /^ERR Script killed by user with FUNCTION KILL\. script: spin, on @user_function:2\.$/,
    );
  });

  it("finishes the script at once for a caller that cannot wait", () => {
    const { t } = busyEngine();
    assert.equal(t.exec("EVAL", "local i = 0 while i < 1e7 do i = i + 1 end return i", 0), 10000000);
    assert.equal(t.engine.busyReply, undefined);
  });

  it("keeps BUSY replies off while under the threshold (0 disables it)", () => {
    const t = makeEngine({ clock: SYSTEM_CLOCK, config: { "lua-time-limit": "0" } });
    assert.equal(t.exec("CONFIG", "GET", "busy-reply-threshold")?.toString(), "busy-reply-threshold,0");
    let delivered: Reply | undefined;
    const r = t.engine.dispatch(
      t.session,
      ["EVAL", "local i = 0 while i < 2e6 do i = i + 1 end return i", "0"],
      (x) => delivered = x,
    );
    assert.deepEqual(r, int(2000000));
    assert.equal(delivered, undefined);
  });
});

describe("Scripts in transactions", () => {
  it("runs EVAL queued in MULTI at EXEC, in order with the other commands", () => {
    const t = makeEngine();
    t.exec("MULTI");
    t.exec("SET", "k", "1");
    t.exec("EVAL", "return redis.call('INCR', KEYS[1])", 1, "k");
    t.exec("GET", "k");
    assert.deepEqual(t.exec("EXEC"), ["OK", 2, "2"]);
  });

  it("never has a script wait for another: EVAL, FCALL and EXEC are refused inside scripts", () => {
    const t = makeEngine();
    t.exec("FUNCTION", "LOAD", "#!lua name=l\nredis.register_function('f', function() return 1 end)");
    for (const call of ["'eval', 'return 1', 0", "'evalsha', string.rep('a', 40), 0", "'fcall', 'f', 0", "'exec'"]) {
      assert.match(
        errOf(t.exec("EVAL", `return redis.call(${call})`, 0)),
        /^ERR This Valkey command is not allowed from script script: /,
        call,
      );
    }
  });

  it("finishes a busy script inside EXEC without yielding", () => {
    const t = makeEngine({ clock: SYSTEM_CLOCK, config: { "busy-reply-threshold": "20" } });
    t.exec("MULTI");
    t.exec("EVAL", "local i = 0 while i < 1e7 do i = i + 1 end return i", 0);
    assert.deepEqual(t.exec("EXEC"), [10000000]);
    assert.equal(t.engine.busyReply, undefined);
  });
});
