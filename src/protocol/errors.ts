/**
 * Exact Valkey error texts. These strings are protocol: clients and test suites match on them.
 * Every error reply a handler or the dispatcher produces comes from here.
 *
 * @module
 */
import { error, type Reply } from "./reply.ts";

/** Error texts as Valkey writes them (without the leading `-`). */
export const E = {
  SYNTAX: "ERR syntax error",
  NOT_INTEGER: "ERR value is not an integer or out of range",
  NOT_FLOAT: "ERR value is not a valid float",
  OVERFLOW: "ERR increment or decrement would overflow",
  INCR_NAN: "ERR increment would produce NaN or Infinity",
  WRONGTYPE: "WRONGTYPE Operation against a key holding the wrong kind of value",
  NO_SUCH_KEY: "ERR no such key",
  DB_INDEX: "ERR DB index is out of range",
  SAME_OBJECT: "ERR source and destination objects are the same",
  INVALID_EXPIRE: "ERR invalid expire time in '%s' command",
  STRING_TOO_LONG: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  BIT_OFFSET: "ERR bit offset is not an integer or out of range",
  BIT_VALUE: "ERR bit is not an integer or out of range",
  OFFSET_RANGE: "ERR offset is out of range",
  NOAUTH: "NOAUTH Authentication required.",
  WRONGPASS: "WRONGPASS invalid username-password pair or user is disabled.",
  AUTH_NOPASS:
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  NOPROTO: "NOPROTO unsupported protocol version",
  TIMEOUT_NEGATIVE: "ERR timeout is negative",
  NO_MULTI: "ERR Command not allowed inside a transaction",
  CONFIG_UNKNOWN: "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
  XX_NX: "ERR XX and NX options at the same time are not compatible",
  GT_LT_NX: "ERR GT, LT, and/or NX options at the same time are not compatible",
  INVALID_CURSOR: "ERR invalid cursor",
  LCS_LEN_IDX: "ERR If you want both the length and indexes, please just use IDX.",
  UNSAFE_SWAPDB: "ERR invalid first DB index",
  INTERNAL: "ERR internal error",
} as const;

/** Builds `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `. */
export function unknownCommand(name: string, args: readonly string[]): Reply {
  let msg = `ERR unknown command '${trimForError(name)}', with args beginning with: `;
  for (const a of args) msg += `'${trimForError(a)}' `;
  return error(msg);
}

/** Builds `ERR unknown subcommand '<sub>'. Try <CMD> HELP.` */
export function unknownSubcommand(container: string, sub: string): Reply {
  return error(
    `ERR unknown subcommand '${trimForError(sub)}'. Try ${container.toUpperCase()} HELP.`,
  );
}

/** Builds `ERR wrong number of arguments for '<name>' command` (`container|sub` for subcommands). */
export function wrongArity(name: string): Reply {
  return error(`ERR wrong number of arguments for '${name}' command`);
}

/** Replaces `%s` in one of the texts of {@link E}. */
export function fmt(text: string, ...args: string[]): string {
  let i = 0;
  return text.replace(/%s/g, () => args[i++] ?? "");
}

/** Valkey truncates user-supplied names in errors to 128 bytes and strips newlines. */
function trimForError(s: string): string {
  const cut = s.length > 128 ? s.slice(0, 128) : s;
  return cut.replace(/[\r\n]/g, " ");
}

/** Shared frozen error replies for the hottest errors. */
export const WRONGTYPE: Reply = Object.freeze(error(E.WRONGTYPE));
/** `ERR syntax error`. */
export const SYNTAX: Reply = Object.freeze(error(E.SYNTAX));
