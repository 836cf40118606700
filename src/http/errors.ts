/**
 * The gateway's own error texts: request-level failures that have no Valkey equivalent. Command
 * errors keep Valkey's exact texts (`src/protocol/errors.ts`); these use the same `ERR ` shape so
 * a client can treat every `{"error"}` alike.
 *
 * @module
 */

/** Error texts of the HTTP gateway. `%s` is filled in with {@link fmt} from `protocol/errors.ts`. */
export const HTTP_E = {
  /** 401; the text Upstash's troubleshooting page documents. */
  UNAUTHORIZED: "WRONGPASS invalid or missing auth token",
  /** 405. */
  METHOD: "ERR method %s is not allowed: use GET, HEAD, POST or PUT",
  /** 413; Upstash's exact text, with the limit named. */
  BODY_TOO_LARGE: "ERR max request size exceeded (http-max-body is %s bytes)",
  /** 408. */
  TIMEOUT: "ERR request timed out (http-request-timeout is %s ms)",
  /** 400 for a pipeline or transaction longer than allowed. */
  PIPELINE_TOO_LONG: "ERR max pipeline length exceeded: %s commands, http-max-pipeline is %s",
  /** 400: the body is not JSON at all. */
  NOT_JSON: "ERR request body is not valid JSON",
  /** 400: `GET /` or an empty path. */
  NO_COMMAND: "ERR no command given: POST a JSON array to / or use /<command>/<arg>...",
  /** 400: a command flagged `no-http` (SELECT, MULTI, SUBSCRIBE, ...) sent as a plain request. */
  NO_HTTP: "ERR '%s' is not supported over HTTP: each request runs on a fresh connection%s",
  /** 400: `/multi-exec` refused as a whole; the text of the first failing command follows. */
  EXECABORT: "EXECABORT Transaction discarded because of previous errors: %s",
  /** 503 from /healthz and every endpoint once the gateway is closing. */
  CLOSING: "ERR server is shutting down",
  /** 400: an `Upstash-Response-Format` other than json or resp2. */
  FORMAT: "ERR invalid Upstash-Response-Format '%s': use json or resp2",
  /** 400: resp2 replies asked for with base64 encoding, or on /multi-exec (Upstash refuses both). */
  FORMAT_CONFLICT: "ERR Upstash-Response-Format resp2 cannot be combined with %s",
  /** 400: a stream endpoint without its channel or pattern. */
  NO_CHANNEL: "ERR %s needs a channel: POST /%s/<name>",
} as const;

/**
 * Where a client should go instead of a `no-http` command, appended to {@link HTTP_E.NO_HTTP}.
 * Keyed by command name; commands without an entry get no hint.
 */
export const NO_HTTP_HINT: Readonly<Record<string, string>> = {
  subscribe: " (use POST /subscribe/<channel>, a server-sent event stream)",
  psubscribe: " (use POST /psubscribe/<pattern>, a server-sent event stream)",
  ssubscribe: " (use POST /subscribe/<channel>, a server-sent event stream)",
  monitor: " (use POST /monitor, a server-sent event stream)",
  multi: " (use POST /multi-exec with a JSON array of commands)",
  exec: " (use POST /multi-exec with a JSON array of commands)",
  discard: " (use POST /multi-exec with a JSON array of commands)",
  watch: " (use POST /multi-exec with a JSON array of commands)",
  unwatch: " (use POST /multi-exec with a JSON array of commands)",
  select: " (every request uses database 0)",
  shutdown: " (stop the server over RESP, e.g. `valkey-cli shutdown`, or with SIGTERM)",
};
