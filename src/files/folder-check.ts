// The state of an output folder and what the tool may do with it, before it writes anything: the formats of
// its own files (`.sim-manifest.json`, the commit journal `.sim-commit.json`, staging folders), whether the
// folder is the tool's (new, empty, or with a manifest) or someone else's, names that stay inside it, and the
// messages that say why a folder is refused. output-folder.ts commits into folders this file accepts.

import { constants as fsConstants } from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { fail } from "../assert.ts";
import { excerpt, quote } from "../input/quote.ts";
import { TOOL_NAME } from "../version.ts";
import { type FolderFs, NODE_FS } from "./atomic.ts";
import { OutputFolderError } from "./folder-error.ts";
import { LOCK_FILE } from "./folder-lock.ts";

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

export interface Journal {
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

/** Most files one commit writes, and most entries a manifest or journal may list. */
export const MAX_FILES = 100_000;
/** Largest manifest or journal read back (they list names and hashes only). */
const MAX_META_BYTES = 64 * 1024 * 1024;
/** Deepest output name (folders) accepted. */
const MAX_NAME_DEPTH = 8;
/** Folder names listed in a "not empty" message. */
const SHOWN_ENTRIES = 4;

// ---- names and paths ------------------------------------------------------------------------------------------

/** A path as shown in a message: control characters escaped, at most 300 characters. */
export function shownPath(path: string): string {
  return excerpt(path, 300);
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

export function checkNames(names: Iterable<string>): void {
  for (const name of names) {
    if (!isOutputName(name)) fail("bad output file name {0} (must be a relative path inside the folder)", quote(name, 60));
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
      `the scenario name ${quote(name, 60)} cannot name an output folder (reports/<name>${suffix}/): it must be a ` +
        "plain file name (not empty, not . or .., no / or \\ or control character, at most 255 bytes); rename the " +
        "scenario or pass --out DIR",
    );
  }
  return join("reports", segment);
}

// ---- reading a folder -----------------------------------------------------------------------------------------

export function code(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? "";
}

export function lstatOrNull(fs: FolderFs, path: string) {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return null;
    throw error;
  }
}

export function statOrNull(fs: FolderFs, path: string) {
  try {
    return fs.statSync(path);
  } catch (error) {
    if (code(error) === "ENOENT" || code(error) === "ENOTDIR") return null;
    throw error;
  }
}

/** A small regular file of the tool's (manifest, journal), or null when absent or not a regular file. */
export function readMeta(fs: FolderFs, path: string): unknown {
  const st = lstatOrNull(fs, path);
  if (st === null || !st.isFile() || st.size > MAX_META_BYTES) return st === null ? null : undefined;
  try {
    return JSON.parse(fs.readFileSync(path).toString("utf8"));
  } catch {
    return undefined; // unreadable: not trusted
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

export function parseManifest(x: unknown): Manifest | null {
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

export function parseJournal(x: unknown): Journal | null {
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
export function owned(state: FolderState): boolean {
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
  if (dir.trim() === "" || dir.includes("\0")) throw new OutputFolderError(`bad output folder ${quote(dir, 60)}`);
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

export function notOursError(dir: string, fs: FolderFs, state: FolderState): OutputFolderError {
  const shown = state.others.slice(0, SHOWN_ENTRIES).map((n) => quote(n, 40));
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

export function inTheWayError(dir: string, names: readonly string[]): OutputFolderError {
  const shown = names.slice(0, SHOWN_ENTRIES).map((n) => quote(n, 60));
  const more = names.length > SHOWN_ENTRIES ? `, … (${names.length} files)` : "";
  return new OutputFolderError(
    `refusing to overwrite or remove ${shown.join(", ")}${more} in ${shownPath(dir)}: ${TOOL_NAME} did not write ` +
      `${names.length === 1 ? "it" : "them"}, or ${names.length === 1 ? "it was" : "they were"} changed since. ` +
      "Move them away, or pass --force-into to overwrite them.",
  );
}
