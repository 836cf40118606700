/**
 * Reads a configuration file in valkey.conf syntax: one `name value...` per line, `#` comments,
 * quoted values as in Valkey's `sdssplitargs`.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { splitArgs } from "../protocol/resp_parser.ts";
import { Config } from "./config.ts";

/**
 * Parses config text into name -> value. Unknown names are an error naming the key, as
 * valkey-server refuses to start on them.
 * @throws {SyntaxError} on a bad line or an unknown parameter
 */
export function parseConfigText(text: string, source = "config"): Record<string, string> {
  const out: Record<string, string> = {};
  const known = new Config();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const args = splitArgs(line);
    if (args === null || args.length === 0) {
      throw new SyntaxError(`Cannot parse ${source} line ${i + 1}: unbalanced quotes`);
    }
    const name = args[0]!.toLowerCase();
    if (!known.param(name)) throw new SyntaxError(`Cannot load ${source} line ${i + 1}: unknown parameter "${name}"`);
    out[name] = args.slice(1).join(" ");
  }
  return out;
}

/** Reads and parses a config file. */
export async function loadConfigFile(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, "utf8");
  return parseConfigText(text, path);
}
