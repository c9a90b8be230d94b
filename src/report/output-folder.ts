// An output folder the tool owns. What it promises (docs/cli-and-scenarios.md, "Files"):
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
import { constants as fsConstants } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { escapedExcerpt, excerpt } from "../text-excerpt.ts";
import { TOOL_NAME } from "../version.ts";
import { type FolderFs, fsyncDir, NODE_FS, STRAY_TEMP, toBytes, unlinkQuietly, writeFileAtomic, writeNewFile } from "./atomic.ts";
import { OutputFolderError } from "./folder-error.ts";
import { acquireLock, hostTag, LOCK_FILE, ownerGone } from "./folder-lock.ts";
import { withSignalsDeferred } from "./signal-guard.ts";

export { OutputFolderError } from "./folder-error.ts";

export const MANIFEST_FILE = ".sim-manifest.json";
export const JOURNAL_FILE = ".sim-commit.json";
export const STAGING_PREFIX = ".sim-tmp-";

/** What a folder holds: the outputs of `sim run`, or of `sim sweep` / `sim merge` (with the run store). */
export type FolderKind = "run" | "sweep";

export interface ManifestEntry {
  readonly bytes: number;
  readonly sha256: string;
}

/** `.sim-manifest.json`: deterministic (no time, host or path), so equal outputs give equal manifests. */
export interface Manifest {
  readonly format: 1;
  readonly tool: string;
  readonly kind: FolderKind;
  /** Output name (relative, `/`-separated) → size and hash, sorted by name. */
  readonly files: Readonly<Record<string, ManifestEntry>>;
}

interface Journal {
  readonly format: 1;
  /** The staging folder's name (inside the output folder). */
  readonly staging: string;
  /** [file in the staging folder, output name]. */
  readonly renames: readonly (readonly [string, string])[];
  /** Outputs of the previous commit that this one does not write (proven to be the tool's). */
  readonly remove: readonly string[];
  readonly manifest: Manifest;
}

export interface FolderOptions {
  /** Write into a folder that is not the tool's, and overwrite files it cannot prove it wrote (--force-into). */
  readonly forceInto?: boolean;
  /** File system; default the real one. */
  readonly fs?: FolderFs;
}

export interface CommitOptions extends FolderOptions {
  readonly kind: FolderKind;
  /**
   * Which outputs of the previous commit this one replaces (those it does not write are removed): all of them
   * (true, the default: the files are the folder's whole output), those a predicate accepts (a report rebuild
   * replaces the charts, index.html and summary.md), or none (false).
   */
  readonly replaces?: boolean | ((name: string) => boolean);
}

/** Most files one commit writes, and most entries a manifest or journal may list. */
const MAX_FILES = 100_000;
/** Largest manifest or journal read back (they list names and hashes only). */
const MAX_META_BYTES = 64 * 1024 * 1024;
/** A staging folder from another machine untouched for this long is abandoned. */
const STALE_STAGING_MS = 24 * 3600 * 1000;
/** Deepest output name (folders) accepted. */
const MAX_NAME_DEPTH = 8;
/** Folder names listed in a "not empty" message. */
const SHOWN_ENTRIES = 4;
/**
 * For scripts/interrupt-check.ts only: a pause after each rename of a commit, so that signals sent at random
 * points often land inside the commit (a real commit takes a few milliseconds). 0 unless the variable is set.
 */
const SLOW_COMMIT_MS = Math.min(1000, Math.max(0, Number(process.env.SIM_TEST_SLOW_COMMIT_MS ?? 0) || 0));

// ---- names and paths ------------------------------------------------------------------------------------------

/** A path as shown in a message: control characters escaped, at most 300 characters. */
export function shownPath(path: string): string {
  return escapedExcerpt(path, 300);
}

/** A plain file-name segment: not empty, not `.` or `..`, no separator or control character, at most 255 bytes. */
export function isPlainSegment(name: string): boolean {
  return (
    name.length > 0 &&
    name !== "." &&
    name !== ".." &&
    // eslint-disable-next-line no-control-regex -- control characters are what it rejects
    !/[/\\\u0000-\u001f\u007f-\u009f]/.test(name) &&
    Buffer.byteLength(name, "utf8") <= 255
  );
}

/** An output name: a relative path of plain segments inside the folder, not one of the tool's own files. */
export function isOutputName(name: string): boolean {
  const parts = name.split("/");
  return (
    !isAbsolute(name) &&
    normalize(name) === name.split("/").join(sep) &&
    parts.length <= MAX_NAME_DEPTH &&
    parts.every(isPlainSegment) &&
    !parts[0].startsWith(".sim-")
  );
}

function checkNames(names: Iterable<string>): void {
  for (const name of names) {
    if (!isOutputName(name)) {
      throw new Error(`bad output file name ${excerpt(name)} (must be a relative path inside the folder)`);
    }
  }
}

/**
 * The default output folder `reports/<name><suffix>`. The name comes from the scenario, so it is checked to be
 * a plain file-name segment (a name like `..` would make it `reports/` itself or the current folder); the
 * scenario's validation rejects such names too, this is the second line.
 */
export function defaultOutDir(name: string, suffix = ""): string {
  const segment = `${name}${suffix}`;
  const reports = resolve("reports");
  if (!isPlainSegment(segment) || dirname(resolve(reports, segment)) !== reports) {
    throw new OutputFolderError(
      `the scenario name ${excerpt(name)} cannot name an output folder (reports/<name>${suffix}/): it must be a ` +
        "plain file name (not empty, not . or .., no / or \\ or control character, at most 255 bytes); rename the " +
        "scenario or pass --out DIR",
    );
  }
  return join("reports", segment);
}

// ---- reading a folder -----------------------------------------------------------------------------------------

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? "";
}

function lstatOrNull(fs: FolderFs, path: string) {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return null;
    throw error;
  }
}

function statOrNull(fs: FolderFs, path: string) {
  try {
    return fs.statSync(path);
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return null;
    throw error;
  }
}

/** A small regular file of the tool's (manifest, journal), or null when absent or not a regular file. */
function readMeta(fs: FolderFs, path: string): unknown {
  const st = lstatOrNull(fs, path);
  if (st === null || !st.isFile() || st.size > MAX_META_BYTES) return st === null ? null : undefined;
  try {
    return JSON.parse(fs.readFileSync(path).toString("utf8"));
  } catch {
    return undefined; // unreadable: not trusted
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

function parseManifest(x: unknown): Manifest | null {
  if (typeof x !== "object" || x === null) return null;
  const m = x as Record<string, unknown>;
  if (m.format !== 1 || m.tool !== TOOL_NAME || (m.kind !== "run" && m.kind !== "sweep")) return null;
  if (typeof m.files !== "object" || m.files === null || Array.isArray(m.files)) return null;
  const entries = Object.entries(m.files as Record<string, unknown>);
  if (entries.length > MAX_FILES) return null;
  for (const [name, e] of entries) {
    const f = e as Record<string, unknown> | null;
    if (!isOutputName(name) || typeof f !== "object" || f === null) return null;
    if (!Number.isSafeInteger(f.bytes) || (f.bytes as number) < 0 || typeof f.sha256 !== "string" || !SHA256.test(f.sha256)) {
      return null;
    }
  }
  return m as unknown as Manifest;
}

function parseJournal(x: unknown): Journal | null {
  if (typeof x !== "object" || x === null) return null;
  const j = x as Record<string, unknown>;
  const manifest = parseManifest(j.manifest);
  if (j.format !== 1 || manifest === null || typeof j.staging !== "string") return null;
  if (!j.staging.startsWith(STAGING_PREFIX) || !isPlainSegment(j.staging)) return null;
  if (!Array.isArray(j.renames) || !Array.isArray(j.remove) || j.renames.length + j.remove.length > MAX_FILES) return null;
  for (const r of j.renames) {
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== "string" || typeof r[1] !== "string") return null;
    if (!isPlainSegment(r[0]) || !isOutputName(r[1])) return null;
  }
  if (!j.remove.every((n) => typeof n === "string" && isOutputName(n))) return null;
  return { format: 1, staging: j.staging, renames: j.renames, remove: j.remove, manifest };
}

/** The tool's own entries of a folder: manifest, journal, lock, staging folders. */
function isToolEntry(name: string): boolean {
  return name === MANIFEST_FILE || name === JOURNAL_FILE || name === LOCK_FILE || name.startsWith(STAGING_PREFIX);
}

export interface FolderState {
  /** False when the folder does not exist yet. */
  readonly exists: boolean;
  /** The manifest of the last commit (null: none, or not a valid one). */
  readonly manifest: Manifest | null;
  /** A commit journal is pending (a writer was killed mid-commit). */
  readonly journal: boolean;
  /** Entries that are not the tool's own (manifest, journal, lock, staging). */
  readonly others: readonly string[];
  /** A manifest file is present but not valid. */
  readonly badManifest: boolean;
}

export function inspectFolder(dir: string, fs: FolderFs = NODE_FS): FolderState {
  const st = statOrNull(fs, dir);
  if (st === null) return { exists: false, manifest: null, journal: false, others: [], badManifest: false };
  if (!st.isDirectory()) throw new OutputFolderError(`${shownPath(dir)} exists and is not a folder`);
  const names = fs.readdirSync(dir);
  const raw = readMeta(fs, join(dir, MANIFEST_FILE));
  const manifest = parseManifest(raw);
  return {
    exists: true,
    manifest,
    journal: names.includes(JOURNAL_FILE),
    others: names.filter((n) => !isToolEntry(n)).sort(),
    badManifest: raw !== null && manifest === null,
  };
}

/** The folder holds the tool's outputs (a manifest or a pending commit), or nothing but the tool's own entries. */
function owned(state: FolderState): boolean {
  return state.manifest !== null || state.journal || state.others.length === 0;
}

/** Does a folder without a manifest hold the outputs of an earlier version of the tool (for a better message)? */
function looksLikeOldOutputs(dir: string, fs: FolderFs, others: readonly string[]): boolean {
  for (const f of ["summary.json", "sweep.json"]) {
    if (!others.includes(f)) continue;
    const x = readMeta(fs, join(dir, f)) as { tool?: { name?: unknown } } | null | undefined;
    if (x?.tool?.name === TOOL_NAME) return true;
  }
  return false;
}

function reason(error: unknown): string {
  const c = code(error);
  if (c === "EACCES" || c === "EPERM") return "permission denied";
  if (c === "EROFS") return "read-only file system";
  if (c === "ENOTDIR") return "a part of the path is a file, not a folder";
  if (c === "ENOSPC") return "no space left on the device";
  if (c === "EDQUOT") return "disk quota exceeded";
  if (c === "ENAMETOOLONG") return "the path is too long";
  return c !== "" ? c : String((error as Error)?.message ?? error);
}

/** Turns a file-system failure while writing `dir` into an OutputFolderError with a plain reason. */
export function folderError(dir: string, error: unknown): Error {
  if (error instanceof OutputFolderError) return error;
  const c = code(error);
  if (["EACCES", "EPERM", "EROFS", "ENOTDIR", "ENOSPC", "EDQUOT", "ENAMETOOLONG", "EEXIST", "EISDIR", "ELOOP"].includes(c)) {
    return new OutputFolderError(`cannot write the outputs into ${shownPath(dir)}: ${reason(error)}`);
  }
  return error as Error;
}

/** The nearest existing folder above a path that does not exist yet; it must be writable to create the path. */
function checkCreatable(dir: string, fs: FolderFs): void {
  let up = resolve(dir);
  for (let depth = 0; depth < 4096; depth++) {
    const parent = dirname(up);
    const st = statOrNull(fs, parent);
    if (st !== null) {
      if (!st.isDirectory()) throw new OutputFolderError(`cannot create ${shownPath(dir)}: ${shownPath(parent)} is a file, not a folder`);
      try {
        fs.accessSync(parent, fsConstants.W_OK | fsConstants.X_OK);
      } catch (error) {
        throw new OutputFolderError(`cannot create ${shownPath(dir)}: ${shownPath(parent)} is not writable (${reason(error)})`);
      }
      return;
    }
    if (parent === up) break;
    up = parent;
  }
  throw new OutputFolderError(`cannot create ${shownPath(dir)}: no existing folder above it`);
}

/**
 * Checks, before any work, that outputs of `kind` may be written into `dir`; writes nothing. `names`, when
 * given, are outputs the command will write: an existing file of such a name must be one the manifest lists
 * (its content is verified at commit time). Throws OutputFolderError.
 */
export function checkOutputFolder(dir: string, opts: FolderOptions & { readonly names?: readonly string[] } = {}): void {
  const fs = opts.fs ?? NODE_FS;
  if (dir.trim() === "" || dir.includes("\0")) throw new OutputFolderError(`bad output folder ${excerpt(dir)}`);
  let state: FolderState;
  try {
    state = inspectFolder(dir, fs);
  } catch (error) {
    throw folderError(dir, error);
  }
  if (!state.exists) {
    checkCreatable(dir, fs);
    return;
  }
  try {
    fs.accessSync(dir, fsConstants.W_OK | fsConstants.X_OK);
  } catch (error) {
    throw new OutputFolderError(`cannot write into ${shownPath(dir)}: ${reason(error)}`);
  }
  if (opts.forceInto === true) return;
  if (!owned(state)) throw notOursError(dir, fs, state);
  const listed = state.manifest?.files ?? {};
  const inTheWay = (opts.names ?? []).filter((n) => !(n in listed) && lstatOrNull(fs, join(dir, n)) !== null);
  if (inTheWay.length > 0 && !state.journal) throw inTheWayError(dir, inTheWay);
}

function notOursError(dir: string, fs: FolderFs, state: FolderState): OutputFolderError {
  const shown = state.others.slice(0, SHOWN_ENTRIES).map((n) => excerpt(n, 40));
  const more = state.others.length > SHOWN_ENTRIES ? `, … (${state.others.length} entries)` : "";
  const why = state.badManifest
    ? `its ${MANIFEST_FILE} is not a valid manifest`
    : looksLikeOldOutputs(dir, fs, state.others)
      ? `it holds outputs of an earlier version of ${TOOL_NAME}, written without a manifest (${MANIFEST_FILE}), so ` +
        `${TOOL_NAME} cannot tell its files from yours`
      : `it is not empty and holds no ${TOOL_NAME} outputs (no ${MANIFEST_FILE})`;
  return new OutputFolderError(
    `refusing to write into ${shownPath(dir)}: ${why}. It holds ${shown.join(", ")}${more}. Choose a new or empty folder, ` +
      "or pass --force-into to write there anyway (files with the names of outputs are then replaced; nothing " +
      "else is touched).",
  );
}

function inTheWayError(dir: string, names: readonly string[]): OutputFolderError {
  const shown = names.slice(0, SHOWN_ENTRIES).map((n) => excerpt(n, 60));
  const more = names.length > SHOWN_ENTRIES ? `, … (${names.length} files)` : "";
  return new OutputFolderError(
    `refusing to overwrite or remove ${shown.join(", ")}${more} in ${shownPath(dir)}: ${TOOL_NAME} did not write ` +
      `${names.length === 1 ? "it" : "them"}, or ${names.length === 1 ? "it was" : "they were"} changed since. ` +
      "Move them away, or pass --force-into to overwrite them.",
  );
}

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
  if (files.size > MAX_FILES) throw new Error(`commitOutputs: ${files.size} files exceed the limit of ${MAX_FILES}`);
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
