// Committing outputs into a folder the tool owns (which folders it owns: folder-check.ts). What it promises
// (docs/cli-and-scenarios.md, "Files, interruptions and failures"):
// - It writes only into a folder that is new, empty, or holds its manifest `.sim-manifest.json` (the names,
//   sizes and SHA-256 of the outputs it wrote there last); any other folder needs `forceInto` (--force-into).
// - It overwrites or removes only files it can prove it wrote: listed in the manifest with the same content.
//   A file in the way that it cannot prove (a user's file, or an output someone edited) stops the command
//   (exit 2) unless `forceInto`, which allows overwriting; files that are not outputs are never removed.
// - A commit is all or nothing, whatever interrupts it: every file is first written and fsynced in a private
//   staging folder `.sim-tmp-<host>-<pid>-<random>/`; then a journal `.sim-commit.json` naming every rename and
//   removal and the new manifest is renamed into place (the commit point); then the files are renamed over
//   their names, stale outputs removed, the manifest written and the journal deleted. Before the commit point
//   the old outputs are untouched; after it the next command that touches the folder (any writer, `sim report`,
//   `sim merge`) first completes the journal. SIGINT, SIGTERM and SIGHUP wait for a commit to finish
//   (signal-guard.ts), so only SIGKILL or a power cut can leave a journal to complete.
// - Staging folders of processes that are gone are removed by the next commit, as are temp files the previous
//   version of the tool left next to outputs.
// - Writers of one folder are serialised by a lock file (folder-lock.ts).

import { createHash, randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { assert } from "../assert.ts";
import { TOOL_NAME } from "../version.ts";
import { type FolderFs, fsyncDir, NODE_FS, STRAY_TEMP, toBytes, unlinkQuietly, writeFileAtomic, writeNewFile } from "./atomic.ts";
import {
  checkNames,
  checkOutputFolder,
  type FolderKind,
  type FolderOptions,
  folderError,
  inspectFolder,
  inTheWayError,
  JOURNAL_FILE,
  type Journal,
  lstatOrNull,
  MANIFEST_FILE,
  type Manifest,
  type ManifestEntry,
  MAX_FILES,
  notOursError,
  owned,
  parseJournal,
  readMeta,
  shownPath,
  STAGING_PREFIX,
} from "./folder-check.ts";
import { OutputFolderError } from "./folder-error.ts";
import { acquireLock, hostTag, ownerGone } from "./folder-lock.ts";
import { withSignalsDeferred } from "./signal-guard.ts";

export {
  checkOutputFolder,
  defaultOutDir,
  type FolderKind,
  type FolderOptions,
  folderError,
  inspectFolder,
  isOutputName,
  isPlainSegment,
  JOURNAL_FILE,
  MANIFEST_FILE,
  type Manifest,
  STAGING_PREFIX,
} from "./folder-check.ts";
export { OutputFolderError } from "./folder-error.ts";

export interface CommitOptions extends FolderOptions {
  readonly kind: FolderKind;
  /**
   * Which outputs of the previous commit this one replaces (those it does not write are removed): all of them
   * (true, the default: the files are the folder's whole output), those a predicate accepts (a report rebuild
   * replaces the charts, index.html and summary.md), or none (false).
   */
  readonly replaces?: boolean | ((name: string) => boolean);
}

/** A staging folder from another machine untouched for this long is abandoned. */
const STALE_STAGING_MS = 24 * 3600 * 1000;
/**
 * For scripts/interrupt-check.ts only: a pause after each rename of a commit, so that signals sent at random
 * points often land inside the commit (a real commit takes a few milliseconds). 0 unless the variable is set.
 */
const SLOW_COMMIT_MS = Math.min(1000, Math.max(0, Number(process.env.SIM_TEST_SLOW_COMMIT_MS ?? 0) || 0));

// ---- hashing ----------------------------------------------------------------------------------------------------

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** SHA-256 of a regular file, read in chunks (outputs may be large). */
function hashFile(fs: FolderFs, path: string, bytes: number): string {
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafe(Math.min(bytes, 1 << 20) || 1);
  const fd = fs.openSync(path, "r");
  try {
    let read = 0;
    while (read < bytes) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, bytes - read), read);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
      read += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest("hex");
}

/**
 * Is `dir/name` the file the manifest says the tool wrote there: a regular file of the same size, and either
 * untouched since the manifest was written (its ctime, which any write, rename or replacement of the file
 * moves, is older than the manifest: the tool renames every output into place before writing the manifest)
 * or of the same SHA-256. `manifestMs` is the manifest's mtime, or -1 when unknown (always hash).
 */
function provenOutput(fs: FolderFs, dir: string, name: string, entry: ManifestEntry | undefined, manifestMs = -1): boolean {
  if (entry === undefined) return false;
  const st = lstatOrNull(fs, join(dir, name));
  if (st === null || !st.isFile() || st.size !== entry.bytes) return false;
  return st.ctimeMs < manifestMs || hashFile(fs, join(dir, name), st.size) === entry.sha256;
}

// ---- committing -------------------------------------------------------------------------------------------------

function manifestJson(m: Manifest): string {
  const files = Object.fromEntries(Object.keys(m.files).sort().map((k) => [k, m.files[k]]));
  return `${JSON.stringify({ format: 1, tool: m.tool, kind: m.kind, files }, null, 2)}\n`;
}

/** Every folder between `dir` and `dir/name` must be a real folder (not a file, not a symbolic link) or absent. */
function checkParents(fs: FolderFs, dir: string, name: string): void {
  const parts = name.split("/");
  let path = dir;
  for (let i = 0; i < parts.length - 1; i++) {
    path = join(path, parts[i]);
    const st = lstatOrNull(fs, path);
    if (st === null) return;
    if (!st.isDirectory()) {
      throw new OutputFolderError(`cannot write ${shownPath(join(dir, name))}: ${shownPath(path)} is ${st.isSymbolicLink() ? "a symbolic link" : "a file"}, not a folder`);
    }
  }
}

/** Creates the folders of `dir/name` below `dir`. */
function makeParents(fs: FolderFs, dir: string, name: string): void {
  if (name.includes("/")) fs.mkdirSync(dirname(join(dir, name)), { recursive: true });
}

/** A new private staging folder inside `dir`. */
export function createStaging(dir: string, fs: FolderFs): string {
  const name = `${STAGING_PREFIX}${hostTag()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  fs.mkdirSync(join(dir, name), { recursive: true });
  return name;
}

/** Removes what killed writers left: staging folders of processes that are gone, old-style temp files. */
function removeStrays(dir: string, fs: FolderFs, keep: string | null, hadManifest: boolean): void {
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(STAGING_PREFIX) || name === keep) continue;
    const m = /^\.sim-tmp-([0-9a-f]{8})-(\d+)-[0-9a-f]+$/.exec(name);
    const st = lstatOrNull(fs, join(dir, name));
    if (st === null || !st.isDirectory()) continue;
    const old = Date.now() - st.mtimeMs > STALE_STAGING_MS;
    if (m === null ? old : ownerGone(m[1], Number(m[2])) || old) fs.rmSync(join(dir, name), { recursive: true, force: true });
  }
  if (!hadManifest) return; // old-style temp files are removed only from a folder known to be the tool's
  for (const sub of ["", "charts", "runs"]) {
    const d = join(dir, sub);
    const st = sub === "" ? null : lstatOrNull(fs, d);
    if (sub !== "" && (st === null || !st.isDirectory())) continue;
    for (const name of fs.readdirSync(d)) {
      const m = STRAY_TEMP.exec(name);
      if (m === null || !ownerGone(hostTag(), Number(m[2]))) continue;
      const f = lstatOrNull(fs, join(d, name));
      if (f !== null && f.isFile()) unlinkQuietly(fs, join(d, name));
    }
  }
}

/** Removes `dir/name`'s parent folders (below `dir`) that are empty now, deepest first. */
function removeEmptyParents(fs: FolderFs, dir: string, name: string): void {
  const parts = name.split("/");
  for (let i = parts.length - 1; i > 0; i--) {
    try {
      fs.rmdirSync(join(dir, ...parts.slice(0, i)));
    } catch {
      return; // not empty (or gone): stop
    }
  }
}

/**
 * Carries out a journal (idempotent: a second run after a crash completes the first): renames the staged files
 * still in the staging folder, removes the stale outputs, writes the manifest (dropping any entry whose file is
 * not there with its content, which only an outside change can cause), deletes the journal and the staging
 * folder.
 */
function applyJournal(dir: string, j: Journal, fs: FolderFs): void {
  const staging = join(dir, j.staging);
  const st = lstatOrNull(fs, staging);
  if (st !== null && !st.isDirectory()) {
    // Only something else makes it a link or a file: renaming "from" it could take files from anywhere.
    throw new OutputFolderError(`${shownPath(staging)} is not a folder the tool made; remove it and ${shownPath(join(dir, JOURNAL_FILE))}`);
  }
  const unverified: string[] = [];
  for (const [src, name] of j.renames) {
    const from = join(staging, src);
    if (lstatOrNull(fs, from) === null) {
      unverified.push(name); // renamed before a crash, or lost
      continue;
    }
    checkParents(fs, dir, name);
    makeParents(fs, dir, name);
    fs.renameSync(from, join(dir, name));
    if (SLOW_COMMIT_MS > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SLOW_COMMIT_MS);
  }
  for (const name of j.remove) {
    const st = lstatOrNull(fs, join(dir, name));
    if (st !== null && !st.isDirectory()) fs.unlinkSync(join(dir, name));
    removeEmptyParents(fs, dir, name);
  }
  let manifest = j.manifest;
  const lost = unverified.filter((n) => !provenOutput(fs, dir, n, manifest.files[n]));
  if (lost.length > 0) {
    const files = { ...manifest.files };
    for (const n of lost) delete files[n];
    manifest = { ...manifest, files };
  }
  // The renames into sub-folders are made durable here; those into `dir` with the manifest's rename.
  for (const f of new Set(j.renames.map(([, n]) => dirname(join(dir, n))))) if (f !== join(dir)) fsyncDir(fs, f);
  if (lstatOrNull(fs, staging) === null) fs.mkdirSync(staging, { recursive: true });
  writeFileAtomic(join(dir, MANIFEST_FILE), manifestJson(manifest), { fs, tempDir: staging });
  // Whether or not the removal of the journal reaches the disk, the folder is whole: a journal found again is
  // carried out again, to the same result.
  fs.unlinkSync(join(dir, JOURNAL_FILE));
  fs.rmSync(staging, { recursive: true, force: true });
}

/** With the lock held: completes a pending journal, then removes strays. */
function recoverLocked(dir: string, fs: FolderFs): void {
  const raw = readMeta(fs, join(dir, JOURNAL_FILE));
  if (raw !== null) {
    const j = parseJournal(raw);
    if (j === null) {
      throw new OutputFolderError(
        `${shownPath(join(dir, JOURNAL_FILE))} is not a valid commit journal of ${TOOL_NAME}; it was changed by something else. ` +
          "Remove it (the folder then holds the outputs as they are) and run the command again.",
      );
    }
    applyJournal(dir, j, fs);
  }
  removeStrays(dir, fs, null, inspectFolder(dir, fs).manifest !== null);
}

/**
 * Completes a commit that a killed writer left half done, if any (a no-op, without even the lock, otherwise).
 * Readers call it before trusting a folder's files.
 */
export function recoverFolder(dir: string, opts: FolderOptions = {}): void {
  const fs = opts.fs ?? NODE_FS;
  if (lstatOrNull(fs, join(dir, JOURNAL_FILE)) === null) return;
  try {
    const release = acquireLock(dir, fs);
    try {
      recoverLocked(dir, fs);
    } finally {
      release();
    }
  } catch (error) {
    throw folderError(dir, error);
  }
}

/**
 * Writes `files` (output name → content) into `dir` as one commit (see the top of this file). Throws
 * OutputFolderError when the folder may not or cannot be written; the folder then holds its old outputs.
 */
export function commitOutputs(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  opts: CommitOptions,
): void {
  const fs = opts.fs ?? NODE_FS;
  assert(files.size <= MAX_FILES, "commitOutputs: {0} files exceed the limit of {1}", files.size, MAX_FILES);
  checkNames(files.keys());
  checkOutputFolder(dir, opts);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const release = acquireLock(dir, fs);
    try {
      commitLocked(dir, files, opts, fs);
    } finally {
      release();
    }
  } catch (error) {
    throw folderError(dir, error);
  }
}

function commitLocked(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  opts: CommitOptions,
  fs: FolderFs,
): void {
  recoverLocked(dir, fs);
  const state = inspectFolder(dir, fs);
  const force = opts.forceInto === true;
  if (!force && !owned(state)) throw notOursError(dir, fs, state);
  const previous = state.manifest?.files ?? {};
  const manifestMs = state.manifest === null ? -1 : (lstatOrNull(fs, join(dir, MANIFEST_FILE))?.mtimeMs ?? -1);
  const replaces = opts.replaces ?? true;
  const replaced = (n: string) => (typeof replaces === "function" ? replaces(n) : replaces);

  // What is in the way: every existing file this commit overwrites or removes must be proven the tool's.
  const conflicts: string[] = [];
  for (const name of files.keys()) {
    checkParents(fs, dir, name);
    const st = lstatOrNull(fs, join(dir, name));
    if (st === null) continue;
    if (st.isDirectory()) throw new OutputFolderError(`cannot write ${shownPath(join(dir, name))}: it is a folder`);
    if (!force && !provenOutput(fs, dir, name, previous[name], manifestMs)) conflicts.push(name);
  }
  const remove: string[] = [];
  const kept: Record<string, ManifestEntry> = {};
  for (const [name, entry] of Object.entries(previous)) {
    if (files.has(name)) continue;
    if (!replaced(name)) {
      kept[name] = entry;
      continue;
    }
    if (lstatOrNull(fs, join(dir, name)) === null) continue;
    if (provenOutput(fs, dir, name, entry, manifestMs)) remove.push(name);
    else if (!force) conflicts.push(name);
    // forced: an edited stale output is left alone (and no longer listed)
  }
  if (conflicts.length > 0) throw inTheWayError(dir, conflicts);

  // Stage every file (nothing visible changes yet).
  const staging = createStaging(dir, fs);
  const entries: Record<string, ManifestEntry> = { ...kept };
  const renames: [string, string][] = [];
  let i = 0;
  for (const [name, content] of files) {
    const bytes = toBytes(content);
    writeNewFile(fs, join(dir, staging, String(i)), bytes);
    renames.push([String(i), name]);
    entries[name] = { bytes: bytes.length, sha256: sha256(bytes) };
    i++;
  }
  for (const name of files.keys()) makeParents(fs, dir, name);
  const manifest: Manifest = { format: 1, tool: TOOL_NAME, kind: opts.kind, files: entries };
  const journal: Journal = { format: 1, staging, renames, remove, manifest };
  withSignalsDeferred(() => {
    // The commit point: once the journal is in place, the new outputs are the folder's.
    writeFileAtomic(join(dir, JOURNAL_FILE), JSON.stringify(journal), { fs, tempDir: join(dir, staging) });
    applyJournal(dir, journal, fs);
  });
}

// ---- writing single files into an owned folder (the sweep's run store) -----------------------------------------

/** A staging folder for files written one at a time (store entries), removed by `close()`. */
export class FileStager {
  private staging: string | null = null;

  constructor(
    private readonly dir: string,
    private readonly fs: FolderFs = NODE_FS,
  ) {}

  /** Writes `dir/name` atomically (temp file in the staging folder, then rename). */
  write(name: string, content: string | Uint8Array): void {
    checkNames([name]);
    checkParents(this.fs, this.dir, name);
    this.staging ??= createStaging(this.dir, this.fs);
    makeParents(this.fs, this.dir, name);
    writeFileAtomic(join(this.dir, name), content, { fs: this.fs, tempDir: join(this.dir, this.staging) });
  }

  close(): void {
    if (this.staging !== null) this.fs.rmSync(join(this.dir, this.staging), { recursive: true, force: true });
    this.staging = null;
  }
}

/**
 * Claims `dir` for outputs of `kind` before writing into it piecemeal (a sweep's store entries): checks it as
 * a commit would, and writes a manifest when it has none, so a resumed command knows the folder is the tool's.
 */
export function claimOutputFolder(dir: string, opts: FolderOptions & { readonly kind: FolderKind }): void {
  commitOutputs(dir, new Map(), { ...opts, replaces: false });
}

/** Writes `files` into `dir` as one commit that replaces nothing else (the tool's earlier outputs stay). */
export function writeOutputDir(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  opts: FolderOptions & { readonly kind?: FolderKind } = {},
): void {
  commitOutputs(dir, files, { kind: "run", ...opts, replaces: false });
}
