// Tests of atomic writing: files land complete, no temp files stay behind, and a failure mid-way (injected
// writer) never leaves a partial file under a final name nor changes files already there.

import * as nodeFs from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AtomicFs, writeFileAtomic, writeOutputDir } from "../../src/report/atomic.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sim-atomic-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Every file under `dir`, relative, sorted. */
function listAll(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as nodeFs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

/** node:fs whose writeSync writes at most `chunk` bytes per call and throws after `failAfter` bytes. */
function failingFs(failAfter: number, chunk = 3): AtomicFs & { written: number } {
  const f = {
    written: 0,
    openSync: nodeFs.openSync,
    fsyncSync: nodeFs.fsyncSync,
    closeSync: nodeFs.closeSync,
    renameSync: nodeFs.renameSync,
    unlinkSync: nodeFs.unlinkSync,
    mkdirSync: nodeFs.mkdirSync,
    writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
      if (f.written >= failAfter) throw new Error("injected: disk full");
      const n = nodeFs.writeSync(fd, buffer, offset, Math.min(chunk, length, failAfter - f.written));
      f.written += n;
      return n;
    },
  };
  return f;
}

describe("writeFileAtomic", () => {
  it("writes the content and leaves no temp file", () => {
    const p = join(root, "a.txt");
    writeFileAtomic(p, "hello\n");
    writeFileAtomic(join(root, "b.bin"), new Uint8Array([0, 1, 2, 255]));
    expect(readFileSync(p, "utf8")).toBe("hello\n");
    expect([...readFileSync(join(root, "b.bin"))]).toEqual([0, 1, 2, 255]);
    expect(listAll(root)).toEqual(["a.txt", "b.bin"]);
  });

  it("replaces an existing file whole", () => {
    const p = join(root, "a.txt");
    writeFileSync(p, "old content that is longer");
    writeFileAtomic(p, "new");
    expect(readFileSync(p, "utf8")).toBe("new");
  });

  it("handles partial writes (a writer that writes 3 bytes per call)", () => {
    const p = join(root, "chunked.txt");
    writeFileAtomic(p, "0123456789abcdef", { fs: failingFs(1_000) });
    expect(readFileSync(p, "utf8")).toBe("0123456789abcdef");
  });

  it("keeps the old file and leaves no temp file when the write fails mid-way", () => {
    const p = join(root, "a.txt");
    writeFileSync(p, "previous");
    expect(() => writeFileAtomic(p, "0123456789abcdef", { fs: failingFs(7) })).toThrow(/disk full/);
    expect(readFileSync(p, "utf8")).toBe("previous");
    expect(listAll(root)).toEqual(["a.txt"]);
  });

  it("creates no file at all when a new file fails mid-way", () => {
    expect(() => writeFileAtomic(join(root, "new.txt"), "0123456789", { fs: failingFs(4) })).toThrow();
    expect(listAll(root)).toEqual([]);
  });
});

describe("writeOutputDir", () => {
  it("creates the folder (and sub-folders) and writes every file", () => {
    const dir = join(root, "out", "run1");
    writeOutputDir(
      dir,
      new Map<string, string | Uint8Array>([
        ["runs.csv", "a,b\n1,2\n"],
        ["charts/x.png", new Uint8Array([137, 80, 78, 71])],
      ]),
    );
    expect(listAll(dir)).toEqual(["charts/x.png", "runs.csv"]);
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toBe("a,b\n1,2\n");
  });

  it("leaves existing files untouched and no temp file when a later file fails", () => {
    const dir = join(root, "out");
    writeOutputDir(
      dir,
      new Map([
        ["runs.csv", "old runs\n"],
        ["summary.json", "{}\n"],
      ]),
    );
    // First file (10 bytes) fits, the second fails after 5 more bytes.
    const files = new Map([
      ["runs.csv", "new runs!\n"],
      ["summary.json", '{"a": 1}\n'],
    ]);
    expect(() => writeOutputDir(dir, files, { fs: failingFs(15) })).toThrow(/disk full/);
    expect(listAll(dir)).toEqual(["runs.csv", "summary.json"]);
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toBe("old runs\n");
    expect(readFileSync(join(dir, "summary.json"), "utf8")).toBe("{}\n");
  });

  it("rejects names that leave the folder", () => {
    for (const bad of ["../x", "/etc/x", "a/../../x", "", "./a", "a//b"]) {
      expect(() => writeOutputDir(join(root, "o"), new Map([[bad, "x"]]))).toThrow(/bad output file name/);
    }
    // Nothing was created: names are checked before any folder is made.
    expect(readdirSync(root)).toEqual([]);
  });

  it("is byte-identical across two writes of the same map", () => {
    const files = new Map([["a.csv", "x,y\n1,2\n"]]);
    writeOutputDir(join(root, "1"), files);
    writeOutputDir(join(root, "2"), files);
    expect(readFileSync(join(root, "1", "a.csv"))).toEqual(readFileSync(join(root, "2", "a.csv")));
  });
});
