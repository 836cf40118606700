/**
 * kite-server as a child process: how to run `src/main.ts` under the runtime running the test,
 * and a started process that printed its ready line(s) (the e2e suites for the command line,
 * SHUTDOWN and the HTTP gateway).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { detectRuntime } from "../../src/runtime/detect.ts";
import { withTimeout } from "./client.ts";

/** The repository root (child processes run there). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** How to run src/main.ts under the runtime running this test: the executable and its arguments. */
export function mainCommand(): [string, string[]] {
  const main = join(ROOT, "src", "main.ts");
  switch (detectRuntime()) {
    case "deno":
      return [process.execPath, ["run", "-A", main]];
    case "bun":
      return [process.execPath, ["run", main]];
    case "node":
      return [process.execPath, ["--import", "tsx", main]];
  }
}

/** A kite-server child process that printed its ready line (and its HTTP line when asked for). */
export interface KiteProcess {
  proc: ChildProcess;
  port: number;
  /** The HTTP gateway's port when `--http-port` was given, else 0. */
  httpPort: number;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code once the process has exited (bounded wait). */
  exit(): Promise<number | null>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Kills the process if it is still running (test cleanup). */
  kill(): Promise<void>;
}

/**
 * Starts `cmd args` and waits for "ready to accept connections on port N" (and "HTTP gateway
 * listening on port N" when the arguments ask for the gateway). A process that exits first, or
 * prints nothing within 30 s, fails the call and is killed.
 */
export async function startKiteProcess(cmd: string, args: string[]): Promise<KiteProcess> {
  const http = args.includes("--http-port");
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.once("exit", (code) => {
      exitCode = code;
      resolve(code);
    })
  );
  proc.stdout!.on("data", (d) => (out += String(d)));
  proc.stderr!.on("data", (d) => (err += String(d)));
  const kill = async () => {
    if (exitCode === undefined) proc.kill("SIGKILL");
    await exited;
  };
  try {
    const [port, httpPort] = await withTimeout(
      new Promise<[number, number]>((resolve, reject) => {
        const check = () => {
          const r = /ready to accept connections on port (\d+)/.exec(out);
          const h = /HTTP gateway listening on port (\d+)/.exec(out);
          if (r && (!http || h)) resolve([Number(r[1]), h ? Number(h[1]) : 0]);
        };
        proc.stdout!.on("data", check);
        exited.then((code) => reject(new Error(`kite-server exited with ${code} before it was ready:\n${out}${err}`)));
      }),
      30_000,
      "kite-server's ready line",
    );
    return {
      proc,
      port,
      httpPort,
      stdout: () => out,
      stderr: () => err,
      exit: () => withTimeout(exited, 10_000, "kite-server to exit"),
      stop: () => {
        // process.kill, not proc.kill: Deno's ChildProcess reports any child it signalled itself
        // as killed by that signal, even when the child caught it and exited normally.
        process.kill(proc.pid!, "SIGTERM");
        return withTimeout(exited, 10_000, "kite-server to exit after SIGTERM");
      },
      kill,
    };
  } catch (e) {
    await kill();
    throw e;
  }
}
