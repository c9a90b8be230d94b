// Helpers of the output-folder tests (output-folder.test.ts and its long run, output-folder.long.test.ts): the
// outputs a folder holds, its manifest's agreement with them, a file system that dies at its k-th mutating
// call, and the crash-at-every-point check of one commit of `after` over `before`.

import { createHash } from "node:crypto";
import * as nodeFs from "node:fs";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { expect } from "vitest";
import { type FolderFs, NODE_FS } from "../../src/files/atomic.ts";
import { LOCK_FILE } from "../../src/files/folder-lock.ts";
import { commitOutputs, JOURNAL_FILE, MANIFEST_FILE, recoverFolder } from "../../src/files/output-folder.ts";

export type Files = Map<string, string>;

const TOOL_ENTRY = /^(\.sim-manifest\.json|\.sim-commit\.json|\.sim-lock|\.sim-tmp-.*)$/;

/** The outputs in a folder: every file but the tool's own entries and the names in `skip`. */
export function outputs(dir: string, skip: readonly string[] = []): Files {
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

export function same(a: Files, b: Files): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** The manifest describes exactly the outputs present (names, sizes, hashes). */
export function manifestMatches(dir: string, files: Files): boolean {
  const m = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as { files: Record<string, { bytes: number; sha256: string }> };
  const names = Object.keys(m.files).sort();
  if (names.join("\n") !== [...files.keys()].sort().join("\n")) return false;
  return names.every((n) => {
    const bytes = Buffer.from(files.get(n)!, "utf8");
    return m.files[n].bytes === bytes.length && m.files[n].sha256 === createHash("sha256").update(bytes).digest("hex");
  });
}

/** The real file system without fsync (which matters for power cuts, not for killed processes): fast tests. */
export const FAST_FS: FolderFs = { ...NODE_FS, fsyncSync: () => {} };

export class Crash extends Error {}

/**
 * The real file system, dying at its k-th mutating call (1-based): that call and every later one throw, so no
 * clean-up runs, as after SIGKILL. fsync is a no-op (it matters for power cuts, not for killed processes).
 */
export function crashingFs(k: number): FolderFs & { ops: number; dead: boolean } {
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

export const NAMES = ["runs.csv", "summary.json", "events.jsonl", "index.html", "charts/a.svg", "charts/a.png", "charts/b.svg", "deep/x/y.txt"];

export const fileSet = fc
  .uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: NAMES.length })
  .chain((names) =>
    fc.tuple(...names.map((n) => fc.string({ maxLength: 20 }).map((c) => [n, `${n}:${c}`] as const))).map((e) => new Map(e)),
  );

/**
 * Commits `after` over `before` once per mutating file-system call, the process dying at that call, and checks
 * each crashed folder: whole old outputs, or a journal that recovery completes into whole new ones; the user's
 * own file untouched; the next commit as usual. `root` is an empty scratch folder, `tag` names this pair in it.
 */
export function checkEveryCrashPoint(root: string, tag: string, before: Files, after: Files): void {
  // How many mutating operations a full commit of `after` over `before` takes.
  const probe = join(root, `probe-${tag}`);
  commitOutputs(probe, before, { kind: "run", fs: FAST_FS });
  const counter = crashingFs(Number.POSITIVE_INFINITY);
  commitOutputs(probe, after, { kind: "run", fs: counter });
  expect(same(outputs(probe), after)).toBe(true);
  rmSync(probe, { recursive: true, force: true });
  for (let k = 1; k <= counter.ops; k++) {
    const dir = join(root, `${tag}-k${k}`);
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
    // removed by hand here (a dead process's lock is broken by pid: tested in
    // output-folder.test.ts).
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
}
