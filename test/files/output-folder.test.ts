// Tests of the output-folder protocol (src/files/output-folder.ts), one class each:
// - a crash at ANY point of a commit (every file-system operation, tried in turn, on generated old and new
//   output sets) leaves whole old outputs, or a journal whose completion gives whole new ones;
// - the tool only overwrites or removes files it can prove it wrote; a folder it does not own is refused;
// - names and paths cannot leave the folder (bad names, tampered journals, symbolic links);
// - leftovers of killed writers (locks, staging folders, old-style temp files) are cleared.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
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

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sim-folder-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

type Files = Map<string, string>;

const TOOL_ENTRY = /^(\.sim-manifest\.json|\.sim-commit\.json|\.sim-lock|\.sim-tmp-.*)$/;

/** The outputs in a folder: every file but the tool's own entries and the names in `skip`. */
function outputs(dir: string, skip: readonly string[] = []): Files {
  const out: Files = new Map();
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d).sort()) {
      if (prefix === "" && (TOOL_ENTRY.test(name) || skip.includes(name))) continue;
      const p = join(d, name);
      if (nodeFs.lstatSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
      else out.set(`${prefix}${name}`, readFileSync(p, "utf8"));
    }
  };
  walk(dir, "");
  return out;
}

function same(a: Files, b: Files): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** The manifest describes exactly the outputs present (names, sizes, hashes). */
function manifestMatches(dir: string, files: Files): boolean {
  const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as { files: Record<string, { bytes: number; sha256: string }> };
  const names = Object.keys(m.files).sort();
  if (names.join("\n") !== [...files.keys()].sort().join("\n")) return false;
  return names.every((n) => {
    const bytes = Buffer.from(files.get(n)!, "utf8");
    return m.files[n].bytes === bytes.length && m.files[n].sha256 === createHash("sha256").update(bytes).digest("hex");
  });
}

/** The real file system without fsync (which matters for power cuts, not for killed processes): fast tests. */
const FAST_FS: FolderFs = { ...NODE_FS, fsyncSync: () => {} };

class Crash extends Error {}

/**
 * The real file system, dying at its k-th mutating call (1-based): that call and every later one throw, so no
 * clean-up runs, as after SIGKILL. fsync is a no-op (it matters for power cuts, not for killed processes).
 */
function crashingFs(k: number): FolderFs & { ops: number; dead: boolean } {
  const f = {
    ...NODE_FS,
    ops: 0,
    dead: false,
    fsyncSync: () => {},
  } as FolderFs & { ops: number; dead: boolean };
  const mutating = ["openSync", "writeSync", "renameSync", "unlinkSync", "mkdirSync", "rmdirSync", "rmSync"] as const;
  for (const key of Object.keys(NODE_FS) as (keyof FolderFs)[]) {
    const real = (key === "fsyncSync" ? () => {} : NODE_FS[key]) as (...a: unknown[]) => unknown;
    (f as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      if (f.dead) throw new Crash("dead");
      const isMutation =
        (mutating as readonly string[]).includes(key) && !(key === "openSync" && String(args[1]) === "r");
      if (isMutation && ++f.ops === k) {
        f.dead = true;
        throw new Crash(`crash at operation ${k} (${key})`);
      }
      return real(...args);
    };
  }
  return f;
}

const NAMES = ["runs.csv", "summary.json", "events.jsonl", "index.html", "charts/a.svg", "charts/a.png", "charts/b.svg", "deep/x/y.txt"];

const fileSet = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: NAMES.length })
  .chain((names) =>
    fc.tuple(...names.map((n) => fc.string({ maxLength: 20 }).map((c) => [n, `${n}:${c}`] as const))).map((e) => new Map(e)),
  );

describe("a commit interrupted at any point", () => {
  it("leaves whole old outputs, or a journal that completes them into whole new ones", () => {
    let trial = 0;
    fc.assert(
      fc.property(fileSet, fileSet, (before, after) => {
        trial++;
        // How many mutating operations a full commit of `after` over `before` takes.
        const probe = join(root, `probe${trial}`);
        commitOutputs(probe, before, { kind: "run", fs: FAST_FS });
        const counter = crashingFs(Number.POSITIVE_INFINITY);
        commitOutputs(probe, after, { kind: "run", fs: counter });
        expect(same(outputs(probe), after)).toBe(true);
        for (let k = 1; k <= counter.ops; k++) {
          const dir = join(root, `t${trial}-k${k}`);
          commitOutputs(dir, before, { kind: "run", fs: FAST_FS });
          writeFileSync(join(dir, "notes.txt"), "the user's own file");
          const fs = crashingFs(k);
          try {
            commitOutputs(dir, after, { kind: "run", fs });
          } catch (error) {
            if (!(error instanceof Crash)) throw error;
          }
          expect(fs.dead).toBe(true); // (a crash inside a quiet clean-up step is swallowed: no throw then)
          const journal = nodeFs.existsSync(join(dir, JOURNAL_FILE));
          // Without a journal the folder is whole as it is: old outputs (killed before the commit point) or new
          // ones (killed after the journal was done, in the clean-up).
          const seen = outputs(dir, ["notes.txt"]);
          if (!journal) expect(same(seen, before) || same(seen, after)).toBe(true);
          // The crashed writer was this very process: its lock cannot be told from a live one by pid, so it is
          // removed by hand here (a dead process's lock is broken by pid: tested below).
          rmSync(join(dir, LOCK_FILE), { force: true });
          recoverFolder(dir, { fs: FAST_FS });
          const now = outputs(dir, ["notes.txt"]);
          expect(journal ? same(now, after) : same(now, before) || same(now, after)).toBe(true);
          expect(manifestMatches(dir, now)).toBe(true);
          expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("the user's own file");
          expect(nodeFs.existsSync(join(dir, JOURNAL_FILE))).toBe(false);
          // And the folder takes the next commit as usual.
          commitOutputs(dir, after, { kind: "run", fs: FAST_FS });
          expect(same(outputs(dir, ["notes.txt"]), after)).toBe(true);
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 8 },
    );
  }, 120_000);
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
