/**
 * `kite-server`: the command-line entry point. The same file runs under `deno run -A`,
 * `bun run`, `tsx`, and as a `bun build --compile` executable.
 *
 * @module
 */
import process from "node:process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { type Server, startServer } from "./server/server.ts";
import { KITE_VERSION } from "./engine/engine.ts";
import { loadConfigFile } from "./config/load.ts";
import { runtimeVersion } from "./runtime/detect.ts";

/** The `--help` text. */
export const USAGE = `Usage: kite-server [config-file] [--port 6379] [--bind 127.0.0.1] [--<config> value ...]

  config-file       a valkey.conf-style file: one "name value" per line
  --port <n>        TCP port (0 picks a free one; the startup line prints it)
  --bind <addr...>  address(es) to listen on
  --unixsocket <p>  also listen on a Unix socket
  --http-port <n>   also serve the HTTP/JSON gateway (Upstash REST dialect); 0 picks a free port
  --http-bind <a..> the gateway's address(es) (default: the same as --bind)
  --http-token <t>  bearer token for full access (required on a non-loopback address)
  --http-readonly-token <t>  bearer token for read-only access
  --<config> <v>    any configuration parameter (see CONFIG GET *)
  -h, --help        print this help
  -v, --version     print the version

Command-line values override the config file, as with valkey-server.`;

/** What the command line asks for. */
export interface CliOptions {
  help: boolean;
  version: boolean;
  /** Config values: the file's, then the command line's (later wins), by lower-case name. */
  config: Record<string, string>;
  /** Absolute path of the config file, when one was given (INFO `config_file`, CONFIG REWRITE). */
  configFile?: string;
}

/**
 * Parses the command line the way valkey-server does: an optional config file first, then
 * `--name value...` pairs, where every argument up to the next `--option` is a value and several
 * values are joined by spaces (`--bind 127.0.0.1 ::1`). `--name=value` is accepted too.
 * @param argv the arguments after the program name
 * @returns the options, with the config file already read and merged
 * @throws {SyntaxError} on a stray argument or an option without a value; the config file loader
 * throws for an unreadable file or an unknown parameter in it
 */
export async function parseCli(argv: readonly string[]): Promise<CliOptions> {
  const out: CliOptions = { help: false, version: false, config: {} };
  let i = 0;
  if (argv.length > 0 && !argv[0]!.startsWith("-")) {
    try {
      Object.assign(out.config, await loadConfigFile(argv[0]!));
      out.configFile = resolve(argv[0]!);
    } catch (e) {
      if (e instanceof SyntaxError) throw e;
      throw new Error(`Cannot read config file "${argv[0]}": ${e instanceof Error ? e.message : String(e)}`);
    }
    i = 1;
  }
  const cli: Record<string, string> = {};
  let current: { name: string; values: string[] } | undefined;
  const finish = () => {
    if (current === undefined) return;
    if (current.values.length === 0) throw new SyntaxError(`Cannot parse option "--${current.name}": missing value`);
    cli[current.name] = current.values.join(" ");
    current = undefined;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") out.help = true;
    else if (a === "-v" || a === "--version") out.version = true;
    else if (a === "--") throw new SyntaxError(`Cannot parse argument "--": expected --<config>`);
    else if (a.startsWith("--") && (current === undefined || current.values.length > 0)) {
      finish();
      const eq = a.indexOf("=");
      if (eq > 2) {
        cli[a.slice(2, eq).toLowerCase()] = a.slice(eq + 1);
      } else {
        current = { name: a.slice(2).toLowerCase(), values: [] };
      }
    } else if (current !== undefined) {
      current.values.push(a);
    } else {
      throw new SyntaxError(`Cannot parse argument "${a}": expected --<config> before it`);
    }
  }
  if (!out.help && !out.version) finish();
  Object.assign(out.config, cli);
  return out;
}

const LEVELS = ["debug", "verbose", "notice", "warning", "nothing"] as const;

async function main(): Promise<void> {
  let cli: CliOptions;
  try {
    cli = await parseCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}\n`);
    process.exit(1);
  }
  if (cli.help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (cli.version) {
    process.stdout.write(`kite-server v=${KITE_VERSION} valkey-compat=8.1 (${runtimeVersion()})\n`);
    return;
  }
  let server: Server | undefined;
  const threshold = () => LEVELS.indexOf((server?.engine.config.get("loglevel") ?? "notice") as "notice");
  try {
    server = await startServer({
      config: cli.config,
      ...(cli.configFile !== undefined ? { configFile: cli.configFile } : {}),
      log: (level, msg) => {
        if (LEVELS.indexOf(level) >= threshold()) process.stderr.write(`${new Date().toISOString()} ${level} ${msg}\n`);
      },
    });
  } catch (e) {
    process.stderr.write(`Cannot start kite-server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const s = server;
  // The server closes on SHUTDOWN as on a signal; either way the process exits once it has.
  s.closed.then(() => process.exit(0), () => process.exit(1));
  let stopping = false;
  // As valkey-server: the signal is logged, then the shutdown SHUTDOWN would do (its log lines,
  // every client closed), which settles `closed` and so exits.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    s.engine.log("warning", `Received ${signal} scheduling shutdown...`);
    if (s.engine.shutdown() !== "ok") void s.close();
  };
  // Handlers go in before the ready line: a supervisor may signal as soon as it reads it.
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  if (s.httpPort !== undefined) process.stdout.write(`HTTP gateway listening on port ${s.httpPort}\n`);
  process.stdout.write(`Kite ${KITE_VERSION} (${runtimeVersion()}) ready to accept connections on port ${s.port}\n`);
}

if (isEntry()) await main();

/** True when this file is the program being run, not a module imported by tests or embedders. */
function isEntry(): boolean {
  const meta = import.meta as ImportMeta & { main?: boolean };
  // Deno, Bun (and compiled executables) say so directly; Node < 24 does not.
  if (typeof meta.main === "boolean") return meta.main;
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
