/**
 * The command table: resolves specs into {@link Command}s, derives implicit ACL categories,
 * and validates the table at start-up so a bad row fails loudly instead of misbehaving.
 *
 * @module
 */
import type { Command, CommandFlag, CommandSpec, KiteFlag } from "./spec.ts";

/** Derives Valkey's implicit ACL categories from the flags (`setImplicitACLCategories`). */
export function implicitCategories(spec: CommandSpec): string[] {
  const cats = [...spec.acl];
  const add = (c: string) => {
    if (!cats.includes(c)) cats.push(c);
  };
  const f = spec.flags;
  if (f.includes("write")) add("write");
  // Valkey marks read-only commands @read unless they are scripting commands.
  if (f.includes("readonly") && !spec.acl.includes("scripting")) add("read");
  if (f.includes("admin")) {
    add("admin");
    add("dangerous");
  }
  if (f.includes("pubsub")) add("pubsub");
  if (f.includes("fast")) add("fast");
  if (f.includes("blocking")) add("blocking");
  if (!cats.includes("fast")) add("slow");
  return cats;
}

/** The resolved command table. */
export class Registry {
  readonly #commands = new Map<string, Command>();
  // Clients send names in any case (mostly upper); caching each spelling that resolved saves a
  // toLowerCase() per command. Bounded so random garbage names cannot grow it.
  readonly #spellings = new Map<string, Command>();

  /**
   * @param specs every top-level command spec
   * @throws {TypeError} when the table is inconsistent
   */
  constructor(specs: readonly CommandSpec[]) {
    for (const spec of specs) {
      // Lookups are case-insensitive; the declared spelling stays the command's name in replies
      // (module commands such as FT.SEARCH are declared upper-case, as Valkey keeps them).
      const key = spec.name.toLowerCase();
      if (this.#commands.has(key)) throw new TypeError(`Cannot register command "${spec.name}": duplicate name`);
      this.#commands.set(key, resolve(spec, undefined));
    }
  }

  /** Looks a command up by name, case-insensitively. */
  get(name: string): Command | undefined {
    const hit = this.#spellings.get(name);
    if (hit !== undefined) return hit;
    const cmd = this.#commands.get(name.toLowerCase());
    if (cmd !== undefined && this.#spellings.size < 4096) this.#spellings.set(name, cmd);
    return cmd;
  }

  /** Every top-level command. */
  all(): IterableIterator<Command> {
    return this.#commands.values();
  }

  /** Number of top-level commands (COMMAND COUNT). */
  get size(): number {
    return this.#commands.size;
  }

  /** Every command and subcommand, flattened. */
  *flat(): Generator<Command> {
    for (const c of this.#commands.values()) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}

function resolve(spec: CommandSpec, container: Command | undefined): Command {
  const fullName = container ? `${container.spec.name}|${spec.name}` : spec.name;
  validate(spec, fullName);
  const cmd: Command = {
    spec,
    fullName,
    container,
    flags: new Set<CommandFlag>(spec.flags),
    kite: new Set<KiteFlag>(spec.kite ?? []),
    aclCategories: implicitCategories(spec),
    subcommands: undefined,
    movableKeys: spec.keys.some((k) => !("range" in k.find) || !("index" in k.begin)),
    isProtected: spec.flags.includes("protected"),
    isFast: spec.flags.includes("fast"),
    skipSlowlog: spec.flags.includes("skip_slowlog"),
    stats: { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, histogram: undefined },
  };
  if (spec.subcommands) {
    const subs = new Map<string, Command>();
    for (const s of spec.subcommands) {
      if (subs.has(s.name)) throw new TypeError(`Cannot register subcommand "${fullName}|${s.name}": duplicate name`);
      subs.set(s.name, resolve(s, cmd));
    }
    (cmd as { subcommands: ReadonlyMap<string, Command> }).subcommands = subs;
  }
  return cmd;
}

function validate(spec: CommandSpec, fullName: string): void {
  const fail = (why: string) => {
    throw new TypeError(`Cannot register command "${fullName}": ${why}`);
  };
  // Valkey's own commands are named in lower case; only module commands keep a declared case.
  if (spec.group !== "search" && spec.name !== spec.name.toLowerCase()) fail("name is not lower case");
  if (spec.arity === 0) fail("arity is 0");
  if (spec.flags.includes("write") && spec.flags.includes("readonly")) fail("both write and readonly");
  if (!spec.run && !spec.subcommands) fail("no handler and no subcommands");
  const minArgs = Math.abs(spec.arity);
  for (const k of spec.keys) {
    if ("index" in k.begin && k.begin.index < 1) fail("key spec begins before the first argument");
    // A fixed-arity command must have room for the keys its spec declares.
    if (spec.arity > 0 && "index" in k.begin && "range" in k.find && k.find.range.last >= 0) {
      const lastPos = k.begin.index + k.find.range.last;
      if (lastPos >= minArgs) fail(`key spec reaches argument ${lastPos} but arity is ${spec.arity}`);
    }
  }
}
