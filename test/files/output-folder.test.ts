// Tests of the output-folder protocol (src/files/output-folder.ts), one class each:
// - a crash at ANY point of a commit (every file-system operation, tried in turn, on chosen and generated old
//   and new output sets; more of them in output-folder.long.test.ts) leaves whole old outputs, or a journal
//   whose completion gives whole new ones;
// - the tool only overwrites or removes files it can prove it wrote; a folder it does not own is refused;
// - names and paths cannot leave the folder (bad names, tampered journals, symbolic links);
// - leftovers of killed writers (locks, staging folders, old-style temp files) are cleared.

import { spawnSync } from "node:child_process";
import * as nodeFs from "node:fs";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FolderFs, NODE_FS } from "../../src/files/atomic.ts";
import { acquireLock, hostTag, LOCK_FILE } from "../../src/files/folder-lock.ts";
import {
  checkOutputFolder,
  commitOutputs,
  defaultOutDir,
  isOutputName,
  JOURNAL_FILE,
  MANIFEST_FILE,
  OutputFolderError,
  recoverFolder,
} from "../../src/files/output-folder.ts";
import { checkEveryCrashPoint, fileSet, type Files, manifestMatches, outputs } from "./crash-points.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sim-folder-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("a commit interrupted at any point", () => {
  // Each pair is committed with a crash at each of its file-system calls in turn. These three cover the kinds
  // of change (replaced, kept, added and removed files, folders that appear and empty ones that go); the long
  // run (output-folder.long.test.ts) tries many generated pairs.
  const pairs: [string, Files, Files][] = [
    ["replace", new Map([["runs.csv", "a"], ["charts/a.svg", "a"]]), new Map([["runs.csv", "b"], ["charts/a.svg", "a"]])],
    [
      "grow",
      new Map([["summary.json", "{}"]]),
      new Map([["summary.json", "{1}"], ["charts/a.png", "p"], ["deep/x/y.txt", "y"], ["index.html", "i"]]),
    ],
    [
      "shrink",
      new Map([["events.jsonl", "e"], ["charts/b.svg", "b"], ["deep/x/y.txt", "y"], ["runs.csv", "r"]]),
      new Map([["runs.csv", "r2"]]),
    ],
  ];
  it.each(pairs)("leaves whole old outputs, or a journal that completes them into whole new ones (%s)", (tag, before, after) => {
    checkEveryCrashPoint(root, tag, before, after);
  });

  it("does so for a generated pair of output sets", () => {
    fc.assert(
      fc.property(fileSet, fileSet, (before, after) => checkEveryCrashPoint(root, "generated", before, after)),
      { numRuns: 1 },
    );
  });
});

describe("what the tool may overwrite or remove", () => {
  const a: Files = new Map([
    ["runs.csv", "a\n"],
    ["charts/x.svg", "<svg/>"],
    ["events.jsonl", "{}\n"],
  ]);

  it("refuses a non-empty folder it did not write, and touches nothing in it", () => {
    const dir = join(root, "user");
    mkdirSync(join(dir, "charts"), { recursive: true });
    writeFileSync(join(dir, "index.html"), "mine");
    writeFileSync(join(dir, "charts", "logo.png"), "logo");
    expect(() => checkOutputFolder(dir)).toThrow(OutputFolderError);
    expect(() => commitOutputs(dir, a, { kind: "run" })).toThrow(/refusing to write into .*not empty.*--force-into/);
    expect(outputs(dir)).toEqual(new Map([["charts/logo.png", "logo"], ["index.html", "mine"]]));
    expect(readdirSync(dir).sort()).toEqual(["charts", "index.html"]);
  });

  it("with forceInto writes there, replaces only files of its names, and later removes only its own", () => {
    const dir = join(root, "user");
    mkdirSync(join(dir, "charts"), { recursive: true });
    writeFileSync(join(dir, "runs.csv"), "the user's runs.csv");
    writeFileSync(join(dir, "charts", "logo.png"), "logo");
    commitOutputs(dir, a, { kind: "run", forceInto: true });
    expect(outputs(dir)).toEqual(new Map([...a, ["charts/logo.png", "logo"]]));
    // A later commit without the charts and events removes those it wrote, not the logo.
    commitOutputs(dir, new Map([["runs.csv", "b\n"]]), { kind: "run" });
    expect(outputs(dir)).toEqual(new Map([["charts/logo.png", "logo"], ["runs.csv", "b\n"]]));
  });

  it("removes a folder of its outputs once empty, and keeps it while it holds someone else's file", () => {
    const dir = join(root, "out");
    commitOutputs(dir, a, { kind: "run" });
    commitOutputs(dir, new Map([["runs.csv", "b\n"]]), { kind: "run" });
    expect(readdirSync(dir).filter((n) => !n.startsWith(".")).sort()).toEqual(["runs.csv"]);
  });

  it("refuses to overwrite or remove an output that was changed since it wrote it, unless forced", () => {
    const dir = join(root, "out");
    commitOutputs(dir, a, { kind: "run" });
    writeFileSync(join(dir, "events.jsonl"), "edited by hand");
    // Overwriting it, or removing it as stale, are both refused; the folder keeps its outputs.
    expect(() => commitOutputs(dir, a, { kind: "run" })).toThrow(/events\.jsonl.*changed since/);
    expect(() => commitOutputs(dir, new Map([["runs.csv", "b\n"]]), { kind: "run" })).toThrow(OutputFolderError);
    expect(outputs(dir).get("runs.csv")).toBe("a\n");
    // Forced: a stale edited file is left alone (and no longer listed), the rest proceeds.
    commitOutputs(dir, new Map([["runs.csv", "b\n"]]), { kind: "run", forceInto: true });
    expect(outputs(dir)).toEqual(new Map([["events.jsonl", "edited by hand"], ["runs.csv", "b\n"]]));
    expect(manifestMatches(dir, new Map([["runs.csv", "b\n"]]))).toBe(true);
  });

  it("tells an output replaced by another file of the same size, made before the commit, from its own", () => {
    const dir = join(root, "out");
    writeFileSync(join(root, "older"), "b\n"); // same size as the output, written before it
    commitOutputs(dir, new Map([["runs.csv", "a\n"]]), { kind: "run" });
    nodeFs.renameSync(join(root, "older"), join(dir, "runs.csv"));
    expect(() => commitOutputs(dir, new Map([["runs.csv", "c\n"]]), { kind: "run" })).toThrow(/runs\.csv.*changed since/);
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toBe("b\n");
  });

  it("refuses a user's file in the way of a new output of an owned folder", () => {
    const dir = join(root, "out");
    commitOutputs(dir, new Map([["runs.csv", "a\n"]]), { kind: "run" });
    writeFileSync(join(dir, "index.html"), "mine");
    expect(() => checkOutputFolder(dir, { names: ["index.html"] })).toThrow(/index\.html/);
    expect(() => commitOutputs(dir, new Map([["index.html", "ours"]]), { kind: "run" })).toThrow(OutputFolderError);
    expect(readFileSync(join(dir, "index.html"), "utf8")).toBe("mine");
  });

  it("accepts an empty folder and a new one, and says why it cannot create one", () => {
    mkdirSync(join(root, "empty"));
    expect(() => checkOutputFolder(join(root, "empty"))).not.toThrow();
    expect(() => checkOutputFolder(join(root, "a", "b", "new"))).not.toThrow();
    writeFileSync(join(root, "file"), "x");
    expect(() => checkOutputFolder(join(root, "file"))).toThrow(/exists and is not a folder/);
    expect(() => checkOutputFolder(join(root, "file", "sub"))).toThrow(/is a file, not a folder/);
    const denied: FolderFs = {
      ...NODE_FS,
      accessSync: () => {
        throw Object.assign(new Error("EROFS"), { code: "EROFS" });
      },
    };
    expect(() => checkOutputFolder(join(root, "empty"), { fs: denied })).toThrow(/read-only file system/);
    expect(() => checkOutputFolder(join(root, "new"), { fs: denied })).toThrow(/not writable \(read-only file system\)/);
  });
});

describe("names and paths stay inside the folder", () => {
  it("accepts relative names of plain segments only", () => {
    for (const ok of ["runs.csv", "charts/a.svg", "a/b/c.txt"]) expect(isOutputName(ok)).toBe(true);
    for (const bad of ["", ".", "..", "../x", "/etc/x", "a/../../x", "./a", "a//b", "a/", "a\\b", "x\0", ".sim-manifest.json", ".sim-tmp-x/y"]) {
      expect(isOutputName(bad), bad).toBe(false);
    }
    expect(() => commitOutputs(join(root, "o"), new Map([["../x", "x"]]), { kind: "run" })).toThrow(/bad output file name/);
    expect(readdirSync(root)).toEqual([]);
  });

  it("derives the default folder from plain names only", () => {
    expect(defaultOutDir("churn")).toBe(join("reports", "churn"));
    expect(defaultOutDir("churn", "-sweep")).toBe(join("reports", "churn-sweep"));
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        let out: string;
        try {
          out = defaultOutDir(name);
        } catch (error) {
          expect(error).toBeInstanceOf(OutputFolderError);
          return;
        }
        // Whatever it accepts is one folder directly inside reports/.
        expect(join(out, "..")).toBe("reports");
        expect(out).not.toBe("reports");
      }),
    );
    for (const bad of ["", ".", "..", "a/b", "..\\x", "x\0y", "\u001b[31mred", "é".repeat(200)]) {
      expect(() => defaultOutDir(bad), bad).toThrow(OutputFolderError);
    }
  });

  it("never follows a symbolic link out of the folder", () => {
    const dir = join(root, "out");
    const outside = join(root, "outside");
    mkdirSync(outside);
    commitOutputs(dir, new Map([["runs.csv", "a\n"]]), { kind: "run" });
    symlinkSync(outside, join(dir, "charts"));
    expect(() => commitOutputs(dir, new Map([["charts/x.svg", "x"]]), { kind: "run" })).toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it("does not carry out a journal that names paths outside the folder", () => {
    const dir = join(root, "out");
    commitOutputs(dir, new Map([["runs.csv", "a\n"]]), { kind: "run" });
    writeFileSync(join(root, "victim"), "keep me");
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8"));
    const journal = { format: 1, staging: ".sim-tmp-x", renames: [], remove: ["../victim"], manifest };
    writeFileSync(join(dir, JOURNAL_FILE), JSON.stringify(journal));
    expect(() => recoverFolder(dir)).toThrow(/not a valid commit journal/);
    expect(readFileSync(join(root, "victim"), "utf8")).toBe("keep me");
    // A sound journal whose staging folder is a link elsewhere: nothing is taken from there.
    const elsewhere = join(root, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "0"), "someone's file");
    symlinkSync(elsewhere, join(dir, ".sim-tmp-x"));
    writeFileSync(join(dir, JOURNAL_FILE), JSON.stringify({ ...journal, remove: [], renames: [["0", "runs.csv"]] }));
    expect(() => recoverFolder(dir)).toThrow(/not a folder the tool made/);
    expect(readFileSync(join(elsewhere, "0"), "utf8")).toBe("someone's file");
    expect(readFileSync(join(dir, "runs.csv"), "utf8")).toBe("a\n");
  });
});

describe("leftovers of killed writers", () => {
  /** A pid that no process has: that of a process that already exited. */
  function deadPid(): number {
    return spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout
      .trim()
      .split("\n")
      .map(Number)[0];
  }

  it("breaks the lock of a dead process, and waits for (then refuses) a live one", () => {
    const dir = join(root, "out");
    commitOutputs(dir, new Map([["runs.csv", "a\n"]]), { kind: "run" });
    writeFileSync(join(dir, LOCK_FILE), `${hostTag()} ${deadPid()}\n`);
    commitOutputs(dir, new Map([["runs.csv", "b\n"]]), { kind: "run" });
    expect(readdirSync(dir)).not.toContain(LOCK_FILE);
    writeFileSync(join(dir, LOCK_FILE), `${hostTag()} ${process.ppid}\n`); // alive
    expect(() => acquireLock(dir, NODE_FS, 100)).toThrow(/being written by another sim command \(process \d+/);
  });

  it("removes staging folders of dead processes and old-style temp files on the next commit", () => {
    const dir = join(root, "out");
    commitOutputs(dir, new Map([["runs.csv", "a\n"], ["charts/x.svg", "x"]]), { kind: "run" });
    const pid = deadPid();
    const staging = join(dir, `.sim-tmp-${hostTag()}-${pid}-abcd`);
    mkdirSync(staging);
    writeFileSync(join(staging, "0"), "half");
    writeFileSync(join(dir, `.runs.csv.${pid}.3.tmp`), "half");
    writeFileSync(join(dir, "charts", `.x.svg.${pid}.4.tmp`), "half");
    writeFileSync(join(dir, `.runs.csv.${process.pid}.5.tmp`), "a live writer's");
    commitOutputs(dir, new Map([["runs.csv", "b\n"], ["charts/x.svg", "x"]]), { kind: "run" });
    expect(readdirSync(dir).sort()).toEqual([MANIFEST_FILE, `.runs.csv.${process.pid}.5.tmp`, "charts", "runs.csv"].sort());
    expect(readdirSync(join(dir, "charts"))).toEqual(["x.svg"]);
  });
});
