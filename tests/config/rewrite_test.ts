import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Config } from "../../src/config/config.ts";
import { parseConfigText } from "../../src/config/load.ts";
import { REWRITE_SIGNATURE, rewriteConfigText } from "../../src/config/rewrite.ts";
import { formatConfigMemory } from "../../src/config/table.ts";

function configWith(values: Record<string, string>): Config {
  const c = new Config();
  const r = c.setMany(Object.entries(values), true);
  assert.equal(r.status, "ok");
  return c;
}

describe("rewriteConfigText", () => {
  it("writes only the non-default values of a config without a file, after the signature", () => {
    const text = rewriteConfigText("", configWith({ maxmemory: "104857600", hz: "20" }));
    assert.equal(
      text,
      `${REWRITE_SIGNATURE}\nlatency-tracking-info-percentiles 50 99 99.9\nhz 20\nmaxmemory 100mb\nsave ""\n`,
    );
  });

  it("keeps comments, blank lines and order, replacing each parameter's line in place", () => {
    const old = "# top\nport 7000\n\n# memory\nmaxmemory 1000000\nhz 10\n";
    const text = rewriteConfigText(old, configWith({ port: "7000", maxmemory: "2gb", hz: "10" }));
    assert.equal(
      text,
      `# top\nport 7000\n\n# memory\nmaxmemory 2gb\nhz 10\n\n${REWRITE_SIGNATURE}\nlatency-tracking-info-percentiles 50 99 99.9\nsave ""\n`,
    );
  });

  it("rewrites a default value the file mentions instead of dropping it", () => {
    const text = rewriteConfigText("timeout 30\n", configWith({}));
    assert.match(text, /^timeout 0\n/);
  });

  it("drops duplicate lines of a parameter and collapses the blank lines left behind", () => {
    const old = "hz 10\n\nhz 12\n\n\nmaxclients 5\n";
    const text = rewriteConfigText(old, configWith({ hz: "15", maxclients: "5" }));
    assert.equal(
      text,
      `hz 15\n\nmaxclients 5\n\n${REWRITE_SIGNATURE}\nlatency-tracking-info-percentiles 50 99 99.9\nsave ""\n`,
    );
  });

  it("writes an alias line under the parameter's name", () => {
    const text = rewriteConfigText("hash-max-ziplist-entries 100\n", configWith({ "hash-max-ziplist-entries": "100" }));
    assert.match(text, /^hash-max-listpack-entries 100\n/);
  });

  it("keeps a line naming no parameter as a '# ??? ' comment", () => {
    const text = rewriteConfigText('no-such-thing 1\nport "unbalanced\n', configWith({}));
    assert.match(text, /^# \?\?\? no-such-thing 1\n# \?\?\? port "unbalanced\n/);
  });

  it("appends after an existing signature without writing a second one", () => {
    const old = `port 7000\n${REWRITE_SIGNATURE}\nhz 20\n`;
    const text = rewriteConfigText(old, configWith({ port: "7000", hz: "20", maxclients: "9" }));
    assert.equal(
      text,
      `port 7000\n${REWRITE_SIGNATURE}\nhz 20\n\nmaxclients 9\nlatency-tracking-info-percentiles 50 99 99.9\nsave ""\n`,
    );
  });

  it("quotes and escapes strings as Valkey's sdscatrepr, and omits empty ones", () => {
    const c = configWith({ requirepass: 'a b"c\n', "notify-keyspace-events": "Ex" });
    const text = rewriteConfigText("unixsocket /tmp/old.sock\n", c);
    assert.ok(!text.includes("unixsocket"), text);
    assert.ok(text.includes('requirepass "a b\\"c\\n"\n'), text);
    assert.ok(text.includes('notify-keyspace-events "xE"\n'), text);
  });

  it("writes bind unquoted, and drops it at its default", () => {
    assert.match(rewriteConfigText("", configWith({ bind: "127.0.0.1 ::1" })), /\nbind 127\.0\.0\.1 ::1\n/);
    assert.equal(
      rewriteConfigText("bind 127.0.0.1\n", configWith({})),
      `\n${REWRITE_SIGNATURE}\nlatency-tracking-info-percentiles 50 99 99.9\nsave ""\n`,
    );
  });

  it("writes one client-output-buffer-limit line per changed class, in Valkey's units and names", () => {
    const c = configWith({ "client-output-buffer-limit": "pubsub 64mb 16mb 90 replica 1gb 1000 5" });
    const text = rewriteConfigText("", c);
    assert.ok(text.includes("client-output-buffer-limit replica 1gb 1000 5\n"), text);
    assert.ok(text.includes("client-output-buffer-limit pubsub 64mb 16mb 90\n"), text);
    assert.ok(!text.includes("client-output-buffer-limit normal"), text);
  });

  it("settles: from the second rewrite on, the text no longer changes", () => {
    const c = configWith({ maxmemory: "1mb", "maxmemory-policy": "allkeys-lfu", requirepass: "x y" });
    const once = rewriteConfigText("# mine\nport 6380\n", c);
    const twice = rewriteConfigText(once, c);
    // Valkey splits the old text on newlines, so the final newline becomes one blank last line.
    assert.equal(twice, once + "\n");
    assert.equal(rewriteConfigText(twice, c), twice);
  });

  it("produces a file that loads back to the same values", () => {
    const c = configWith({
      maxmemory: "1234567",
      "maxmemory-policy": "volatile-ttl",
      requirepass: 'p"w\\d',
      "client-output-buffer-limit": "normal 1mb 512kb 10",
      "notify-keyspace-events": "KEA",
      bind: "127.0.0.1 ::1",
    });
    const loaded = configWith(parseConfigText(rewriteConfigText("", c)));
    for (const p of c.params()) assert.equal(loaded.get(p.name), c.get(p.name), p.name);
  });
});

describe("formatConfigMemory", () => {
  it("uses the largest exact unit", () => {
    assert.equal(formatConfigMemory(0n), "0");
    assert.equal(formatConfigMemory(1000n), "1000");
    assert.equal(formatConfigMemory(1024n), "1kb");
    assert.equal(formatConfigMemory(3n << 20n), "3mb");
    assert.equal(formatConfigMemory(5n << 30n), "5gb");
    assert.equal(formatConfigMemory((1n << 20n) + 1024n), "1025kb");
  });
});
