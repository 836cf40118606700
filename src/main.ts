/**
 * `kite-server`: the command-line entry point. The same file runs under `deno run -A`,
 * `bun run` and `tsx`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { startServer } from "./server/server.ts";
import { KITE_VERSION } from "./engine/engine.ts";
import { loadConfigFile } from "./config/load.ts";
import { runtimeVersion } from "./runtime/detect.ts";

const USAGE = `Usage: kite-server [config-file] [--port 6379] [--bind 127.0.0.1] [--<config> value ...]

Options:
  --port <n>        TCP port (0 picks a free one)
  --bind <addr>     address(es) to listen on, space separated
  --unixsocket <p>  also listen on a Unix socket
  --<config> <v>    any configuration parameter (see CONFIG GET *)
  -h, --help        print this help
  -v, --version     print the version`;

/** Parses argv into config values. Exported for tests. */
export async function parseCli(
  argv: string[],
): Promise<{ help: boolean; version: boolean; config: Record<string, string> }> {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const config: Record<string, string> = {};
  if (positionals.length > 0 && !positionals[0]!.startsWith("-")) {
    const first = tokens.find((t) => t.kind === "positional");
    if (first && first.index === 0) Object.assign(config, await loadConfigFile(positionals[0]!));
  }
  // Every --name value pair is a config parameter, as valkey-server accepts on its command line.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "option" || t.name === "help" || t.name === "version" || t.name === "h" || t.name === "v") continue;
    let value = t.value;
    if (value === undefined) {
      const next = tokens[i + 1];
      if (next && next.kind === "positional") {
        value = next.value;
        i++;
      } else {
        throw new SyntaxError(`Cannot parse option "--${t.name}": missing value`);
      }
    }
    config[t.name] = value;
  }
  return { help: values.help === true, version: values.version === true, config };
}

async function main(): Promise<void> {
  let cli;
  try {
    cli = await parseCli(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
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
  let server;
  try {
    server = await startServer({
      config: cli.config,
      log: (level, msg) => process.stderr.write(`${new Date().toISOString()} ${level} ${msg}\n`),
    });
  } catch (e) {
    process.stderr.write(`Cannot start kite-server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `Kite ${KITE_VERSION} (${runtimeVersion()}) ready to accept connections on port ${server.port}\n`,
  );
  const shutdown = (signal: string) => {
    process.stdout.write(`Received ${signal}, shutting down\n`);
    server.close().then(() => process.exit(0));
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

if (import.meta.main ?? isEntry()) await main();

function isEntry(): boolean {
  // Node has no import.meta.main before v24: compare this file with the process entry.
  const entry = process.argv[1] ?? "";
  return import.meta.url.endsWith(entry.replace(/\\/g, "/").split("/").pop() ?? "\0");
}
