/**
 * The host's file system, as far as the engine needs it: CONFIG REWRITE reads and replaces the
 * config file. Like the clock and the process, the engine receives this as an object, so tests
 * substitute a fake and the engine never calls `node:fs` itself.
 *
 * @module
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";

/** Text files the engine reads and replaces. Failures throw an Error whose message is C's `strerror` text. */
export interface ConfigFileIO {
  /** The file's text; "" when it does not exist (Valkey rewrites a missing file from scratch). */
  read(path: string): string;
  /** Replaces the file with `text` atomically: a temporary file beside it, synced, then renamed over it. */
  replace(path: string, text: string): void;
}

// C's strerror texts (glibc) for the errors a config file write meets in practice.
const STRERROR: Record<string, string> = {
  EACCES: "Permission denied",
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EROFS: "Read-only file system",
  ENOSPC: "No space left on device",
  EDQUOT: "Disk quota exceeded",
  EIO: "Input/output error",
  ENAMETOOLONG: "File name too long",
  EMFILE: "Too many open files",
  EBUSY: "Device or resource busy",
};

/** The `strerror` text of a failed file operation (the error's own message for unknown codes). */
export function strerror(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === "string" && STRERROR[code] !== undefined) return STRERROR[code];
  return e instanceof Error ? e.message : String(e);
}

/** {@link ConfigFileIO} over `node:fs` (available on Deno, Bun and Node). */
export const SYSTEM_FILES: ConfigFileIO = {
  read(path: string): string {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT") return "";
      throw new Error(strerror(e));
    }
  },
  replace(path: string, text: string): void {
    const tmp = `${path}.${Math.random().toString(36).slice(2, 8)}`;
    let fd: number | undefined;
    try {
      fd = openSync(tmp, "wx", 0o644);
      writeSync(fd, text);
      fsyncSync(fd);
      closeSync(fd);
      fd = undefined;
      renameSync(tmp, path);
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // Never created, or already renamed.
      }
      throw new Error(strerror(e));
    }
  },
};
