/**
 * Binds a socket to a session: parses every complete command in each chunk, dispatches them,
 * encodes the replies into one buffer and writes it once per chunk (pipelining), and applies
 * back-pressure when the peer does not read.
 *
 * @module
 */
import type { ConnectionHandler, SocketLike } from "../net/adapter.ts";
import type { Engine } from "./engine.ts";
import type { Session } from "./session.ts";
import { ProtocolError, RespParser } from "../protocol/resp_parser.ts";
import { encodeShared, RespWriter } from "../protocol/resp_encoder.ts";
import { error, type Reply } from "../protocol/reply.ts";
import type { Config } from "../config/config.ts";
import {
  formatOutputBufferLimits,
  type OutputBufferClass,
  type OutputBufferLimit,
  parseOutputBufferLimits,
} from "../config/table.ts";

// Replies are flushed early once this much is pending, so one huge pipeline does not build
// one huge buffer.
const FLUSH_AT = 64 * 1024;

/**
 * The live `client-output-buffer-limit` values. A CONFIG SET that names only some classes
 * leaves the others as they were (Valkey merges them); the stored text is rewritten to the
 * full merged form so CONFIG GET shows every class.
 */
export class OutputBufferLimits {
  readonly #limits = new Map<OutputBufferClass, OutputBufferLimit>([
    ["normal", { hard: 0, soft: 0, softSeconds: 0 }],
    ["slave", { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 }],
    ["pubsub", { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 }],
  ]);

  /** @param config the configuration to follow */
  constructor(config: Config) {
    const apply = (value: string) => {
      const parsed = parseOutputBufferLimits(value);
      if ("reason" in parsed) return;
      for (const [cls, limit] of parsed) this.#limits.set(cls, limit);
      const full = formatOutputBufferLimits([...this.#limits]);
      if (full !== value) config.set("client-output-buffer-limit", full, true);
    };
    apply(config.get("client-output-buffer-limit"));
    config.onChange("client-output-buffer-limit", apply);
  }

  /** The limits of a class. */
  of(cls: OutputBufferClass): OutputBufferLimit {
    return this.#limits.get(cls)!;
  }
}

/** The engine side of one RESP connection. */
export class Connection implements ConnectionHandler {
  readonly session: Session;
  readonly #engine: Engine;
  readonly #socket: SocketLike;
  readonly #parser: RespParser;
  readonly #out = new RespWriter();
  #paused = false;
  #closed = false;
  // Parked in a blocking command: input is buffered, not executed, until the reply arrives.
  #blocked = false;
  // True while this connection's own commands run (a CLIENT KILL of itself must reply first).
  #running = false;
  // Bytes handed to the socket since it last reported back-pressure and not drained yet: with
  // the unwritten replies, the client's output buffer as `client-output-buffer-limit` sees it.
  #unsent = 0;
  // Unix seconds since when the soft output limit has been exceeded, 0 when it is not.
  #softSince = 0;
  readonly #deliver = (reply: Reply): void => {
    if (this.#closed) return;
    this.#blocked = false;
    if (this.session.replyMode === "on" || !this.#suppress(this.session)) this.#out.reply(reply, this.session.resp);
    this.#engine.afterReply(this.session);
    // Continue with buffered commands outside the caller's stack: the caller is another
    // client's command (or a timer), and its batch must not interleave with ours.
    Promise.resolve().then(() => {
      if (this.#paused || this.#blocked || this.#closed) {
        this.#flush();
        return;
      }
      this.#process();
    });
  };

  /**
   * @param engine the engine
   * @param socket the accepted socket
   */
  constructor(engine: Engine, socket: SocketLike) {
    this.#engine = engine;
    this.#socket = socket;
    this.session = engine.openSession({
      via: "resp",
      addr: socket.unix ? "/unix:0" : `${socket.remote.address}:${socket.remote.port}`,
      laddr: socket.unix ? "/unix:0" : `${socket.local.address}:${socket.local.port}`,
      unix: socket.unix,
    });
    // Killed by another client: drop unsent replies and close now (Valkey frees it at once);
    // killed by itself: the reply to CLIENT KILL goes out first.
    this.session.kill = () => this.#close(!this.#running);
    this.session.push = (reply) => this.#push(reply);
    this.#parser = new RespParser({ maxBulkLen: engine.config.num("proto-max-bulk-len") });
  }

  // Out-of-band replies (pub/sub, invalidations) join the output buffer; outside this
  // connection's own batch they are flushed at once, inside it with the batch's replies.
  #push(reply: Reply): void {
    if (this.#closed) return;
    this.#out.raw(encodeShared(reply, this.session.resp));
    // Pushes that arrive while another client's batch runs (a pipeline of PUBLISHes) are
    // gathered and written once when that batch is over, not once per message: a write per
    // message per subscriber made fan-out 20x slower than Valkey, which also writes once per
    // event-loop turn.
    if (!this.#running && !this.#pushFlushQueued) {
      this.#pushFlushQueued = true;
      Promise.resolve().then(this.#flushPushes);
    }
    this.#checkOutputLimit();
  }

  #pushFlushQueued = false;
  readonly #flushPushes = (): void => {
    this.#pushFlushQueued = false;
    if (this.#closed || this.#running) return;
    if (!this.#flush()) {
      this.#paused = true;
      this.#socket.pause();
    }
  };

  /**
   * Valkey's `checkClientOutputBufferLimits`: a client whose pending output reaches the hard
   * limit of its class, or stays at or over the soft limit for longer than its seconds, is
   * disconnected (a slow Pub/Sub subscriber must not grow memory without bound).
   */
  #checkOutputLimit(): void {
    const used = this.#out.length + this.#unsent;
    if (used === 0 && this.#softSince === 0) return;
    const limit = this.#engine.outputLimits.of(this.session.pubsub ? "pubsub" : "normal");
    let over = limit.hard > 0 && used >= limit.hard;
    if (!over && limit.soft > 0 && used >= limit.soft) {
      const nowSec = Math.floor(this.#engine.now() / 1000);
      if (this.#softSince === 0) this.#softSince = nowSec;
      else over = nowSec - this.#softSince > limit.softSeconds;
    } else if (!over) {
      this.#softSince = 0;
    }
    if (!over) return;
    this.#engine.stats.outputBufferLimitDisconnections++;
    this.#engine.log(
      "warning",
      `Client id=${this.session.id} addr=${this.session.addr} closed for overcoming of output buffer limits.`,
    );
    this.#close(true);
  }

  /**
   * CLIENT REPLY OFF/SKIP: whether to drop this reply (Valkey drops replies, never pushes).
   * `skip-next` is the CLIENT REPLY SKIP command's own reply; the next one is dropped too.
   */
  #suppress(s: Session): boolean {
    switch (s.replyMode) {
      case "on":
        return false;
      case "off":
        return true;
      case "skip-next":
        s.replyMode = "skip";
        return true;
      case "skip":
        s.replyMode = "on";
        return true;
    }
  }

  /** Feeds bytes from the socket. */
  onData(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.session.netIn += bytes.byteLength;
    this.#engine.stats.netInputBytes += bytes.byteLength;
    this.#engine.stats.readsProcessed++;
    this.#parser.feed(bytes);
    if (this.#parser.buffered > this.#engine.config.num("client-query-buffer-limit")) {
      this.#engine.log("warning", `Closing client ${this.session.id}: query buffer limit reached`);
      this.#engine.stats.queryBufferLimitDisconnections++;
      this.#close();
      return;
    }
    if (!this.#paused && !this.#blocked) this.#process();
  }

  /** The socket drained its send buffer: continue with queued commands. */
  onDrain(): void {
    this.#unsent = 0;
    this.#softSince = 0;
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#socket.resume();
    if (!this.#blocked) this.#process();
  }

  /** The socket closed. */
  onClose(): void {
    this.#closed = true;
    this.#engine.closeSession(this.session);
  }

  #process(): void {
    this.#engine.beginBatch();
    this.#running = true;
    try {
      this.#processBatch();
    } finally {
      this.#running = false;
      this.#engine.endBatch();
    }
  }

  #processBatch(): void {
    const s = this.session;
    while (!this.#closed) {
      let argv: string[] | null;
      try {
        this.#parser.authenticated = s.user !== undefined;
        argv = this.#parser.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.#out.reply(error(e.message), s.resp);
        this.#flush();
        this.#close();
        return;
      }
      if (argv === null) break;
      const reply = this.#engine.dispatch(s, argv, this.#deliver);
      if (reply !== undefined) {
        if (reply.t === "blocked") {
          // Served within its own dispatch (the reply is already queued): carry on.
          if (!this.#engine.isWaiting(s)) continue;
          this.#blocked = true;
          break;
        }
        if (s.replyMode === "on" || !this.#suppress(s)) this.#out.reply(reply, s.resp);
        this.#engine.afterReply(s);
      }
      if (s.closing) {
        this.#flush();
        this.#close();
        return;
      }
      if (this.#out.length >= FLUSH_AT && !this.#flush()) {
        // The peer is not reading: stop executing its commands until the socket drains.
        this.#paused = true;
        this.#socket.pause();
        return;
      }
    }
    s.qbuf = this.#parser.buffered;
    if (!this.#flush()) {
      this.#paused = true;
      this.#socket.pause();
      this.#checkOutputLimit();
    }
  }

  /** Writes pending replies. @returns false when the socket asked us to wait. */
  #flush(): boolean {
    if (this.#out.length === 0) return true;
    const bytes = this.#out.take();
    this.session.netOut += bytes.byteLength;
    this.#engine.stats.netOutputBytes += bytes.byteLength;
    this.#engine.stats.writesProcessed++;
    this.#engine.pauseCommandTime();
    const ok = this.#socket.write(bytes);
    this.#engine.resumeCommandTime();
    if (ok) this.#unsent = 0;
    else this.#unsent += bytes.byteLength;
    return ok;
  }

  #close(force = false): void {
    if (this.#closed) return;
    this.#closed = true;
    if (force) this.#socket.destroy();
    else this.#socket.close();
    this.#engine.closeSession(this.session);
  }
}
