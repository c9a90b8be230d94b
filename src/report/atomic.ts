// Atomic file writing: each file is written to a temporary file in the same folder, flushed to disk (fsync)
// and renamed over its final name, so a reader never sees a half-written file. writeOutputDir writes a whole
// set of files in two phases (every temp file first, then every rename), so an error while writing leaves
// the folder as it was. The functions are synchronous: a Ctrl-C (SIGINT) is only handled between event-loop
// turns, hence never in the middle of a write; only a hard kill can leave a stray `.*.tmp` file behind, and
// never a partial file under a final name.

import * as nodeFs from "node:fs";
import { basename, dirname, isAbsolute, join, normalize } from "node:path";

/** The file-system calls used here; tests inject a failing one to simulate an error mid-way. */
export interface AtomicFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, opts: { recursive: true }): unknown;
}

export interface AtomicOptions {
  /** File-system implementation; default node:fs. */
  readonly fs?: AtomicFs;
}

/** Most files one writeOutputDir call accepts. */
const MAX_FILES = 10_000;
/** Most writeSync calls per file (each writes at least one byte; guards against a stuck writer). */
const MAX_WRITE_CALLS = 1 << 30;

let tempCounter = 0;

/** A temp name next to `path`, unique within this process and across processes (pid). */
function tempPathFor(path: string): string {
  tempCounter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/** Writes `bytes` to a new temp file next to `path` and fsyncs it; returns the temp path. Cleans up on error. */
function writeTemp(fs: AtomicFs, path: string, bytes: Uint8Array): string {
  const tmp = tempPathFor(path);
  // "wx": fail rather than clobber if a file of that name exists.
  const fd = fs.openSync(tmp, "wx", 0o644);
  try {
    let offset = 0;
    for (let calls = 0; offset < bytes.length; calls++) {
      if (calls >= MAX_WRITE_CALLS) throw new Error(`writeFileAtomic: too many partial writes to ${tmp}`);
      const n = fs.writeSync(fd, bytes, offset, bytes.length - offset);
      if (!(n > 0)) throw new Error(`writeFileAtomic: write to ${tmp} made no progress`);
      offset += n;
    }
    fs.fsyncSync(fd);
  } catch (err) {
    closeQuietly(fs, fd);
    unlinkQuietly(fs, tmp);
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

function closeQuietly(fs: AtomicFs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already failing; the first error is the one to report.
  }
}

function unlinkQuietly(fs: AtomicFs, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // The temp file may not exist; nothing else to do.
  }
}

/** Flushes a folder's entry list so a rename survives a crash; best effort (not every platform allows it). */
function fsyncDir(fs: AtomicFs, dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  } finally {
    closeQuietly(fs, fd);
  }
}

/** Writes `data` to `path` atomically: temp file in the same folder, fsync, rename. The folder must exist. */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicOptions = {}): void {
  const fs = opts.fs ?? nodeFs;
  const tmp = writeTemp(fs, path, toBytes(data));
  try {
    fs.renameSync(tmp, path);
  } catch (err) {
    unlinkQuietly(fs, tmp);
    throw err;
  }
  fsyncDir(fs, dirname(path));
}

/** Checks that an output name is a plain relative path inside the output folder. */
function checkName(name: string): void {
  const ok =
    name.length > 0 &&
    !isAbsolute(name) &&
    !name.includes("\0") &&
    normalize(name) === name &&
    !name.split(/[\\/]/).some((part) => part === ".." || part === "." || part === "");
  if (!ok)
    throw new Error(
      `writeOutputDir: bad output file name "${name}" (must be a relative path inside the folder)`,
    );
}

/**
 * Writes every file of `files` (relative name → content) under `dir`. Folders are created only now, after
 * the caller built everything in memory. Phase 1 writes and fsyncs every temp file; if any fails, every temp
 * file is removed and the folder's existing files are untouched. Phase 2 renames each temp file over its
 * name (an atomic step per file). Files are written in the map's order.
 */
export function writeOutputDir(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  opts: AtomicOptions = {},
): void {
  const fs = opts.fs ?? nodeFs;
  if (files.size > MAX_FILES)
    throw new Error(`writeOutputDir: ${files.size} files exceed the limit of ${MAX_FILES}`);
  for (const name of files.keys()) checkName(name);
  const folders = new Set<string>([dir]);
  for (const name of files.keys()) folders.add(dirname(join(dir, name)));
  for (const folder of folders) fs.mkdirSync(folder, { recursive: true });

  const staged: { tmp: string; path: string }[] = [];
  try {
    for (const [name, content] of files) {
      const path = join(dir, name);
      staged.push({ tmp: writeTemp(fs, path, toBytes(content)), path });
    }
  } catch (err) {
    for (const s of staged) unlinkQuietly(fs, s.tmp);
    throw err;
  }
  let i = 0;
  try {
    for (; i < staged.length; i++) fs.renameSync(staged[i].tmp, staged[i].path);
  } catch (err) {
    for (let j = i; j < staged.length; j++) unlinkQuietly(fs, staged[j].tmp);
    throw err;
  }
  for (const folder of folders) fsyncDir(fs, folder);
}
