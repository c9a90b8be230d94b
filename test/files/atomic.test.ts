// Tests of atomic writing of one file: files land complete, no temp file stays behind, and a failure mid-way
// (an injected writer) never leaves a partial file under a final name nor changes the file already there.

import * as nodeFs from "node:fs";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FolderFs, NODE_FS, writeFileAtomic } from "../../src/files/atomic.ts";

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

/** The real file system, whose writeSync writes at most `chunk` bytes per call and throws after `failAfter` bytes. */
function failingFs(failAfter: number, chunk = 3): FolderFs & { written: number } {
  const f = {
    ...NODE_FS,
    written: 0,
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

  it("writes its temp file into tempDir when given", () => {
    nodeFs.mkdirSync(join(root, "stage"));
    writeFileAtomic(join(root, "a.txt"), "x", { tempDir: join(root, "stage") });
    expect(listAll(root)).toEqual(["a.txt"]);
  });
});
