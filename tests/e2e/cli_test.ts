/**
 * The command line: parseCli(), `src/main.ts` run as a child process of the current runtime,
 * `redis-cli` one-shot commands, and the `bun build --compile` executable.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "../../mod.ts";
import { parseCli } from "../../src/main.ts";
import { RawClient, startKite, withClient, withTimeout } from "../_helpers/client.ts";
import { mainCommand, ROOT, startKiteProcess } from "../_helpers/kite_process.ts";

const EXE = join(ROOT, "dist", "kite-server");
const BUNDLE = join(ROOT, "dist", "kite.mjs");

/** Runs a program to completion. */
function run(cmd: string, args: string[], ms = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return withTimeout(
    new Promise((resolve) => {
      execFile(cmd, args, { cwd: ROOT, timeout: ms }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    }),
    ms + 5_000,
    `${cmd} ${args.join(" ")}`,
  );
}

describe("parseCli", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kite-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("turns --name value pairs into config values with lower-case names", async () => {
    const cli = await parseCli(["--port", "7000", "--MaxMemory", "100mb"]);
    assert.deepEqual(cli, { help: false, version: false, config: { port: "7000", maxmemory: "100mb" } });
  });

  it("joins several values of one option with spaces, as valkey-server does", async () => {
    const cli = await parseCli(["--bind", "127.0.0.1", "::1", "--port", "0"]);
    assert.deepEqual(cli.config, { bind: "127.0.0.1 ::1", port: "0" });
  });

  it("accepts --name=value", async () => {
    assert.deepEqual((await parseCli(["--port=7001"])).config, { port: "7001" });
  });

  it("keeps an empty value", async () => {
    assert.deepEqual((await parseCli(["--requirepass", ""])).config, { requirepass: "" });
  });

  it("reads -h/--help and -v/--version", async () => {
    assert.equal((await parseCli(["--help"])).help, true);
    assert.equal((await parseCli(["-h"])).help, true);
    assert.equal((await parseCli(["--version"])).version, true);
    assert.equal((await parseCli(["-v"])).version, true);
    assert.equal((await parseCli([])).help, false);
  });

  it("rejects an option without a value", async () => {
    await assert.rejects(parseCli(["--port"]), { name: "SyntaxError", message: /"--port": missing value/ });
  });

  it("rejects a stray argument after the options", async () => {
    await assert.rejects(parseCli(["--port", "1", "--", "x"]), SyntaxError);
    await assert.rejects(parseCli(["-x"]), { name: "SyntaxError", message: /"-x"/ });
  });

  it("loads a config file given first, and lets command-line options override it", async () => {
    const file = join(dir, "kite.conf");
    await writeFile(file, `# comment\nport 7002\nbind "127.0.0.1"\n\nmaxmemory 1mb\n`);
    const cli = await parseCli([file, "--port", "7003"]);
    assert.deepEqual(cli.config, { port: "7003", bind: "127.0.0.1", maxmemory: "1mb" });
  });

  it("rejects a config file with an unknown parameter, naming it and its line", async () => {
    const file = join(dir, "bad.conf");
    await writeFile(file, "port 7004\nno-such-parameter yes\n");
    await assert.rejects(parseCli([file]), {
      name: "SyntaxError",
      message: /line 2: unknown parameter "no-such-parameter"/,
    });
  });

  it("reports a config file that cannot be read", async () => {
    await assert.rejects(parseCli([join(dir, "absent.conf")]), /Cannot read config file .*absent\.conf/);
  });
});

describe("kite-server process (src/main.ts)", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kite-main-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("serves on the port its ready line prints, and exits 0 on SIGTERM", async () => {
    const [cmd, args] = mainCommand();
    const child = await startKiteProcess(cmd, [...args, "--port", "0"]);
    try {
      await withClient(child.port, async (c) => {
        assert.equal(await c.plain("PING"), "PONG");
        assert.equal(await c.plain("SET", "proc", "1"), "OK");
        assert.equal(await c.plain("GET", "proc"), "1");
      });
    } finally {
      assert.equal(await child.stop(), 0);
    }
    assert.match(
      child.stderr(),
      /warning Received SIGTERM scheduling shutdown\.\.\.\n.*warning User requested shutdown\.\.\.\n(.*\n)*.*warning Kite is now ready to exit, bye bye\.\.\./,
    );
  });

  it("applies a config file's values (maxclients, unixsocket)", async () => {
    const sock = join(dir, "kite.sock");
    const file = join(dir, "main.conf");
    await writeFile(file, `maxclients 1\nunixsocket ${sock}\n`);
    const [cmd, args] = mainCommand();
    const child = await startKiteProcess(cmd, [...args, file, "--port", "0"]);
    try {
      await withClient({ path: sock }, async (c) => {
        assert.equal(await c.plain("PING"), "PONG");
        const second = await RawClient.connect(child.port);
        await second.waitClosed();
        assert.equal(second.received().toString(), "-ERR max number of clients reached\r\n");
      });
    } finally {
      assert.equal(await child.stop(), 0);
    }
    assert.equal(existsSync(sock), false, "the Unix socket file was left behind");
  });

  it("CONFIG REWRITE saves CONFIG SET changes into the config file, which the next start loads", async () => {
    const file = join(dir, "rewrite.conf");
    await writeFile(file, "# kept\nport 0\nmaxmemory 1mb\n");
    const [cmd, args] = mainCommand();
    const first = await startKiteProcess(cmd, [...args, file]);
    try {
      await withClient(first.port, async (c) => {
        assert.equal(await c.plain("CONFIG", "SET", "maxmemory", "3mb", "maxmemory-policy", "allkeys-lru"), "OK");
        assert.equal(await c.plain("CONFIG", "REWRITE"), "OK");
        const server = await c.plain("INFO", "server") as string;
        assert.ok(server.includes(`config_file:${file}\r\n`), server);
      });
    } finally {
      assert.equal(await first.stop(), 0);
    }
    const text = await readFile(file, "utf8");
    assert.ok(text.startsWith("# kept\nport 0\nmaxmemory 3mb\n"), text);
    assert.ok(text.includes("\n# Generated by CONFIG REWRITE\n"), text);
    assert.ok(text.includes("\nmaxmemory-policy allkeys-lru\n"), text);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith("rewrite.conf.")),
      [],
      "a temporary file was left",
    );
    const second = await startKiteProcess(cmd, [...args, file]);
    try {
      await withClient(second.port, async (c) => {
        assert.deepEqual(await c.plain("CONFIG", "GET", "maxmemory*"), [
          "maxmemory",
          "3145728",
          "maxmemory-policy",
          "allkeys-lru",
          "maxmemory-samples",
          "5",
          "maxmemory-eviction-tenacity",
          "10",
        ]);
      });
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });

  it("exits 1 and names an unknown parameter in the config file", async () => {
    const file = join(dir, "unknown.conf");
    await writeFile(file, "port 0\nmaxmemroy 1mb\n");
    const [cmd, args] = mainCommand();
    const r = await run(cmd, [...args, file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /line 2: unknown parameter "maxmemroy"/);
  });

  it("exits 1 and names an unknown --option", async () => {
    const [cmd, args] = mainCommand();
    const r = await run(cmd, [...args, "--port", "0", "--no-such-option", "1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot start kite-server: .*"no-such-option"/);
  });

  it("prints usage for --help and the version for --version", async () => {
    const [cmd, args] = mainCommand();
    const help = await run(cmd, [...args, "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: kite-server \[config-file\]/);
    const version = await run(cmd, [...args, "--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^kite-server v=\d+\.\d+\.\d+ /);
  });
});

const HAS_REDIS_CLI = (await run("redis-cli", ["--version"]).catch(() => ({ code: 127 }))).code === 0;

describe("redis-cli one-shot commands", {
  skip: HAS_REDIS_CLI ? false : "redis-cli is not installed (apt-get install redis-tools)",
}, () => {
  let server: Server;
  let dir: string;
  let sock: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kite-rcli-"));
    sock = join(dir, "kite.sock");
    server = await startKite({}, { unixSocket: sock });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => run("redis-cli", ["-p", String(server.port), ...args]);

  it("runs PING", async () => {
    assert.deepEqual(await cli("PING"), { code: 0, stdout: "PONG\n", stderr: "" });
  });

  it("sets and gets a value with spaces", async () => {
    assert.equal((await cli("SET", "cli key", "hello world")).stdout, "OK\n");
    assert.equal((await cli("GET", "cli key")).stdout, "hello world\n");
  });

  it("prints an empty line for a missing key", async () => {
    assert.equal((await cli("GET", "cli:absent")).stdout, "\n");
  });

  it("prints the error text of an unknown command", async () => {
    const r = await cli("NOSUCHCMD", "x");
    assert.match(r.stdout + r.stderr, /ERR unknown command 'NOSUCHCMD', with args beginning with: 'x'/);
  });

  it("connects over the Unix socket with -s", async () => {
    const r = await run("redis-cli", ["-s", sock, "PING"]);
    assert.equal(r.stdout, "PONG\n");
  });

  it("lists MGET replies one per line", async () => {
    await cli("SET", "cli:m1", "a");
    assert.equal((await cli("MGET", "cli:m1", "cli:nope")).stdout, "a\n\n");
  });
});

describe("single executable (dist/kite-server)", {
  skip: existsSync(EXE) ? false : "dist/kite-server is not built (npm run build:exe)",
}, () => {
  it("starts with --port 0, answers PING, and exits 0 on SIGTERM", async () => {
    const child = await startKiteProcess(EXE, ["--port", "0"]);
    try {
      await withClient(child.port, async (c) => {
        assert.equal(await c.plain("PING"), "PONG");
      });
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });

  it("prints its version", async () => {
    const r = await run(EXE, ["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^kite-server v=\d+\.\d+\.\d+ .*\(bun /);
  });
});

describe("Node bundle (dist/kite.mjs)", {
  skip: existsSync(BUNDLE) ? false : "dist/kite.mjs is not built (npm run build:node)",
}, () => {
  it("starts under plain node with --port 0, answers PING, and exits 0 on SIGTERM", async () => {
    const child = await startKiteProcess("node", [BUNDLE, "--port", "0"]);
    try {
      await withClient(child.port, async (c) => {
        assert.equal(await c.plain("PING"), "PONG");
      });
    } finally {
      assert.equal(await child.stop(), 0);
    }
  });
});
