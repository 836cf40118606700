/**
 * The Lua libraries Valkey ships (cjson, bit, struct, cmsgpack) as scripts see them, checked
 * against redis-server's answers, plus the FUNCTION DUMP payload codec and number formatting.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { makeEngine } from "../_helpers/engine.ts";
import { crc64, dumpFunctions, lzfDecompress, readFunctionsPayload } from "../../src/scripting/function_dump.ts";
import { formatG } from "../../src/scripting/lua_libs.ts";

function run(script: string): unknown {
  return makeEngine().exec("EVAL", script, 0);
}

function errorText(v: unknown): string {
  assert.ok(v !== null && typeof v === "object" && "error" in v, JSON.stringify(v));
  return (v as { error: string }).error;
}

describe("cjson", () => {
  it("encodes arrays, objects, escapes and numbers as lua-cjson does", () => {
    assert.equal(
      run("return cjson.encode({1,2,'a\"b/c\\n', {x=1.5}, 1e15, 0.1, 3})"),
      '[1,2,"a\\"b\\/c\\n",{"x":1.5},1e+15,0.1,3]',
    );
    assert.equal(run("return cjson.encode({})"), "{}");
    assert.equal(run("return cjson.encode({[1]=1,[3]=3})"), "[1,null,3]");
    assert.equal(run("return cjson.encode({a=cjson.null})"), '{"a":null}');
  });

  it("refuses excessively sparse arrays and unsupported types", () => {
    assert.match(
      errorText(run("return cjson.encode({[1]=1,[30]=3})")),
      /user_script:1: Cannot serialise table: excessively sparse array/,
    );
    assert.match(
      errorText(run("return cjson.encode(function() end)")),
      /Cannot serialise function: type not supported/,
    );
  });

  it("decodes values, null as cjson.null and \\u escapes to UTF-8", () => {
    assert.equal(run('return cjson.decode(\'{"a":[1,2.5,null,true,"\\\\u00e9"]}\').a[5]'), "\xc3\xa9");
    assert.equal(run("return tostring(cjson.decode('[null]')[1] == cjson.null)"), "true");
    assert.equal(run("return cjson.decode('[1,2.5]')[2] * 2"), 5);
  });

  it("reports parse errors with the token and position", () => {
    assert.match(errorText(run("return cjson.decode('[1,')")), /Expected value but found T_END at character 4/);
    assert.match(errorText(run("return cjson.decode('x')")), /Expected value but found invalid token at character 1/);
  });
});

describe("cjson settings", () => {
  it("keep a change for later scripts of the same engine until SCRIPT FLUSH", () => {
    const t = makeEngine();
    assert.equal(t.exec("EVAL", "cjson.encode_number_precision(3) return cjson.encode(1/3)", 0), "0.333");
    assert.equal(t.exec("EVAL", "return cjson.encode(1/3)", 0), "0.333");
    assert.equal(makeEngine().exec("EVAL", "return cjson.encode(1/3)", 0), "0.33333333333333", "another engine");
    t.exec("SCRIPT", "FLUSH");
    assert.equal(t.exec("EVAL", "return cjson.encode(1/3)", 0), "0.33333333333333");
  });

  it("belong to one module: cjson.new() makes another with the defaults", () => {
    const t = makeEngine();
    assert.deepEqual(
      t.exec(
        "EVAL",
        "local c = cjson.new() c.encode_max_depth(1) " +
          "return {tostring(c == cjson), tostring(c.null == cjson.null), type(c.new), cjson.encode({{1}}), " +
          "select(2, pcall(c.encode, {{1}})), cjson.new().encode(1/3)}",
        0,
      ),
      ["false", "true", "function", "[[1]]", "Cannot serialise, excessive nesting (2)", "0.33333333333333"],
    );
  });
});

describe("cmsgpack fields", () => {
  it("name the library as lua-cmsgpack does", () => {
    assert.deepEqual(run("return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}"), [
      "cmsgpack",
      "lua-cmsgpack 0.4.0",
      "Copyright (C) 2012, Salvatore Sanfilippo",
      "MessagePack C implementation for Lua",
    ]);
  });
});

describe("bit", () => {
  it("computes LuaBitOp's 32-bit results", () => {
    assert.deepEqual(
      run(
        "return {bit.tobit(2^32+5), bit.tohex(-1), bit.tohex(255, -4), bit.bnot(0), bit.rshift(-1, 28), " +
          "bit.arshift(-256, 4), bit.rol(1, 33), bit.bswap(0x12345678), bit.tobit(1.5), bit.tobit(2.5), " +
          "bit.band(0xff, 0x0f, 0x3), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.lshift(1, 31)}",
      ),
      [5, "ffffffff", "00FF", -1, 15, -16, 2, 2018915346, 2, 2, 3, 7, 6, -2147483648],
    );
  });
});

describe("struct", () => {
  it("packs, unpacks and sizes with endianness", () => {
    assert.equal(run("return struct.pack('>I2', 258)"), "\x01\x02");
    assert.equal(run("return struct.size('>I2i4')"), 6);
    assert.deepEqual(run("return {struct.unpack('<h', struct.pack('<h', -2))}"), [-2, 3]);
    assert.deepEqual(run("return {struct.unpack('>I2 <i4 s', struct.pack('>I2 <i4 s', 258, -2, 'ab'))}"), [
      258,
      -2,
      "ab",
      10,
    ]);
  });

  it("reports missing arguments and short data", () => {
    assert.match(
      errorText(run("return struct.pack('bB', 1)")),
      /bad argument #3 to 'pack' \(number expected, got nil\)/,
    );
    assert.match(
      errorText(run("return struct.unpack('I4', 'ab')")),
      /bad argument #2 to 'unpack' \(data string too short\)/,
    );
  });
});

describe("cmsgpack", () => {
  it("packs integers, floats, strings, booleans and nil in MessagePack", () => {
    assert.equal(
      Buffer.from(run("return cmsgpack.pack(-1, 300, -200, 1.5, 'abc', true, nil)") as string, "latin1").toString(
        "hex",
      ),
      "ffcd012cd1ff38ca3fc00000a3616263c3c0",
    );
    assert.equal(Buffer.from(run("return cmsgpack.pack({1,2,3})") as string, "latin1").toString("hex"), "93010203");
  });

  it("round-trips values through unpack", () => {
    assert.deepEqual(run("return {cmsgpack.unpack(cmsgpack.pack({1,2,{a=1}}, 'x', 3.5))}"), [[1, 2, []], "x", 3]);
    assert.equal(run("return cmsgpack.unpack(cmsgpack.pack({a='b'})).a"), "b");
  });
});

describe("FUNCTION payload codec", () => {
  it("computes Valkey's crc64 (Jones) of the standard check string", () => {
    assert.equal(crc64("123456789"), 0xe9c6d914c4b8d9can);
  });

  it("matches the checksum of a payload redis-server produced", () => {
    const code = "#!lua name=aa\nredis.register_function('f', function() return 1 end)";
    const body = "\xf5\x40\x43" + code + "\x0a\x00";
    const crc = Buffer.from("fed91bf6fb41ad86", "hex").toString("latin1");
    assert.deepEqual(readFunctionsPayload(body + crc), [code]);
  });

  it("round-trips libraries and refuses a newer RDB version", () => {
    const p = dumpFunctions(["#!lua name=a\nx", "#!lua name=b\n" + "y".repeat(20000)]);
    assert.deepEqual(readFunctionsPayload(p), ["#!lua name=a\nx", "#!lua name=b\n" + "y".repeat(20000)]);
    const body = p.slice(0, -10) + "\x0c\x00";
    const newer = body + Buffer.alloc(8).toString("latin1");
    assert.throws(() => readFunctionsPayload(newer), /DUMP payload version or checksum are wrong/);
  });

  it("decompresses LZF back-references", () => {
    // "abcabcabc": three literals, then a 6-byte match at distance 3.
    assert.equal(lzfDecompress("\x02abc\x80\x02", 9), "abcabcabc");
    assert.equal(lzfDecompress("\x02abc\x80\x09", 9), null);
  });
});

describe("formatG", () => {
  it("prints like C's %.14g", () => {
    assert.equal(formatG(1e15), "1e+15");
    assert.equal(formatG(0.1), "0.1");
    assert.equal(formatG(100), "100");
    assert.equal(formatG(1 / 3), "0.33333333333333");
    assert.equal(formatG(1e-5), "1e-05");
    assert.equal(formatG(123456789012345), "1.2345678901234e+14");
  });
});
