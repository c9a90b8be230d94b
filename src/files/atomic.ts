// Atomic writing of one file: the content goes to a temporary file, is flushed to disk (fsync) and renamed over
// its final name, so a reader never sees a half-written file under a final name. A whole folder of outputs is
// committed by output-folder.ts, which builds on these primitives (staging, a commit journal, a manifest).
// Every file-system call goes through a FolderFs, so tests can inject failures and simulated crashes.

import * as nodeFs from "node:fs";
import { basename, dirname, join } from "node:path";

/** The file-system calls the output writers use; tests inject a failing or crashing one. */
export interface FolderFs {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string, opts: { recursive: true }): unknown;
  rmdirSync(path: string): void;
  rmSync(path: string, opts: { recursive: true; force: true }): void;
  readdirSync(path: string): string[];
  readFileSync(path: string): Buffer;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  statSync(path: string): nodeFs.Stats;
  lstatSync(path: string): nodeFs.Stats;
  accessSync(path: string, mode: number): void;
}

/** The real file system. */
export const NODE_FS: FolderFs = {
  openSync: (p, f, m) => nodeFs.openSync(p, f, m),
  writeSync: (fd, b, o, l) => nodeFs.writeSync(fd, b, o, l),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  closeSync: (fd) => nodeFs.closeSync(fd),
  renameSync: (a, b) => nodeFs.renameSync(a, b),
  unlinkSync: (p) => nodeFs.unlinkSync(p),
  mkdirSync: (p, o) => nodeFs.mkdirSync(p, o),
  rmdirSync: (p) => nodeFs.rmdirSync(p),
  rmSync: (p, o) => nodeFs.rmSync(p, o),
  readdirSync: (p) => nodeFs.readdirSync(p),
  readFileSync: (p) => nodeFs.readFileSync(p),
  readSync: (fd, b, o, l, pos) => nodeFs.readSync(fd, b, o, l, pos),
  statSync: (p) => nodeFs.statSync(p),
  lstatSync: (p) => nodeFs.lstatSync(p),
  accessSync: (p, m) => nodeFs.accessSync(p, m),
};

export interface AtomicOptions {
  /** File-system implementation; default the real one. */
  readonly fs?: FolderFs;
}

/** Most writeSync calls per file (each writes at least one byte; guards against a stuck writer). */
const MAX_WRITE_CALLS = 1 << 30;

let tempCounter = 0;

/**
 * A temp name unique within this process and across processes (pid): in `tempDir` when given, else next to
 * `path` (`.<name>.<pid>.<n>.tmp`, see STRAY_TEMP).
 */
function tempPathFor(path: string, tempDir?: string): string {
  tempCounter += 1;
  return tempDir !== undefined
    ? join(tempDir, `${process.pid}-${tempCounter}.tmp`)
    : join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
}

export function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}

/**
 * Creates `tmp` (which must not exist), writes `bytes` to it and fsyncs it (unless `sync` is false: for files
 * that mean nothing after a power cut, like a lock). On error the file is removed and the error rethrown.
 */
export function writeNewFile(fs: FolderFs, tmp: string, bytes: Uint8Array, sync = true): void {
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
    if (sync) fs.fsyncSync(fd);
  } catch (err) {
    closeQuietly(fs, fd);
    unlinkQuietly(fs, tmp);
    throw err;
  }
  fs.closeSync(fd);
}

function closeQuietly(fs: FolderFs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already failing; the first error is the one to report.
  }
}

export function unlinkQuietly(fs: FolderFs, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // The file may not exist; nothing else to do.
  }
}

/** Flushes a folder's entry list so a rename survives a crash; best effort (not every platform allows it). */
export function fsyncDir(fs: FolderFs, dir: string): void {
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

/**
 * Writes `data` to `path` atomically: a temp file (in `tempDir` when given, else next to `path`; it must be on
 * the same file system), fsync, rename. The folder of `path` must exist.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: AtomicOptions & { readonly tempDir?: string } = {},
): void {
  const fs = opts.fs ?? NODE_FS;
  const tmp = tempPathFor(path, opts.tempDir);
  writeNewFile(fs, tmp, toBytes(data));
  try {
    fs.renameSync(tmp, path);
  } catch (err) {
    unlinkQuietly(fs, tmp);
    throw err;
  }
  fsyncDir(fs, dirname(path));
}

/** Matches the temp files writeFileAtomic leaves next to a file when killed: `.<name>.<pid>.<n>.tmp`. */
export const STRAY_TEMP = /^\.(.+)\.(\d+)\.(\d+)\.tmp$/;
