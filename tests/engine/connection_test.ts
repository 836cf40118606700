import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Connection } from "../../src/engine/connection.ts";
import type { SocketLike } from "../../src/net/adapter.ts";
import { makeEngine } from "../_helpers/engine.ts";

const enc = (...cmds: string[][]) =>
  new TextEncoder().encode(
    cmds.map((a) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join("")}`).join(""),
  );

describe("Connection", () => {
  it("does not charge a socket write's time to the commands of the batch (commandstats)", () => {
    const t = makeEngine();
    const written: Uint8Array[] = [];
    // A write that takes 5 ms of the (fake) clock, as a slow synchronous send would.
    const socket: SocketLike = {
      remote: { address: "127.0.0.1", port: 1 },
      local: { address: "127.0.0.1", port: 2 },
      unix: false,
      write(b) {
        written.push(b);
        t.clock.advance(5);
        return true;
      },
      pause() {},
      resume() {},
      close() {},
      destroy() {},
    };
    const conn = new Connection(t.engine, socket);
    conn.onData(enc(["PING"], ["SET", "k", "v"], ["GET", "k"]));
    conn.onData(enc(["PING"]));
    assert.equal(written.length, 2);
    const stats = String(t.exec("INFO", "commandstats"));
    for (const cmd of ["ping", "set", "get"]) {
      const usec = Number(new RegExp(`cmdstat_${cmd}:calls=\\d+,usec=(\\d+)`).exec(stats)?.[1]);
      assert.ok(usec < 1000, `${cmd}: ${usec} µs`);
    }
    assert.match(stats, /cmdstat_ping:calls=2,/);
  });
});
