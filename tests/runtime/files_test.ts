import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strerror, SYSTEM_FILES } from "../../src/runtime/files.ts";

describe("SYSTEM_FILES", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kite-files-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a missing file as empty text", () => {
    assert.equal(SYSTEM_FILES.read(join(dir, "absent.conf")), "");
  });

  it("replaces a file's text and leaves no temporary file beside it", async () => {
    const file = join(dir, "k.conf");
    await writeFile(file, "old\n");
    SYSTEM_FILES.replace(file, "new é\n");
    assert.equal(await readFile(file, "utf8"), "new é\n");
    assert.equal(SYSTEM_FILES.read(file), "new é\n");
    assert.deepEqual(await readdir(dir), ["k.conf"]);
  });

  it("fails with strerror's text when the directory does not exist", () => {
    assert.throws(() => SYSTEM_FILES.replace(join(dir, "no", "such.conf"), "x"), {
      message: "No such file or directory",
    });
  });

  it("fails with strerror's text when the path is a directory", () => {
    assert.throws(() => SYSTEM_FILES.read(dir), { message: "Is a directory" });
  });
});

describe("strerror", () => {
  it("maps errno codes to C's texts and keeps other messages", () => {
    assert.equal(
      strerror(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" })),
      "Permission denied",
    );
    assert.equal(strerror(new Error("something else")), "something else");
  });
});
