// Reads an input file (a scenario, a trace) the safe way: only a regular file, opened without blocking (a FIFO
// never hangs the tool), no larger than a cap, read with a bounded reader that stops one byte past the size the
// file claims (a /proc or /sys file, whose size lies, is refused after one byte instead of read whole), and
// decoded as strict UTF-8 (a binary file is refused, never echoed).

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

/** Why a file cannot be read; `found` completes "expected a readable ... file, found ...". */
export class InputFileError extends Error {
  constructor(readonly found: string) {
    super(found);
    this.name = "InputFileError";
  }
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

function openError(error: unknown): InputFileError {
  const code = (error as NodeJS.ErrnoException).code ?? "an error";
  if (code === "ENOENT" || code === "ENOTDIR") return new InputFileError("no such file");
  if (code === "EISDIR") return new InputFileError("a folder");
  if (code === "EACCES" || code === "EPERM") return new InputFileError(`a file it may not read (${code})`);
  return new InputFileError(`a file it cannot open (${code})`);
}

/** The text of the regular file at `path`, at most `maxBytes` long; anything else is an InputFileError. */
export function readInputFile(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw openError(error);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(kindOf(st));
    if (st.size > maxBytes) {
      throw new InputFileError(`a file of ${st.size} bytes (at most ${maxBytes} are read)`);
    }
    // One byte more than the file claims: reading it means the size lied.
    const buffer = Buffer.alloc(st.size + 1);
    let filled = 0;
    // Each read returns ≥ 1 byte or 0 at the end: at most buffer.length + 1 iterations.
    for (let i = 0; i <= buffer.length && filled < buffer.length; i++) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    if (filled !== st.size) {
      throw new InputFileError(
        "a file whose size is not what it reads (a /proc or /sys file, or one being written)",
      );
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, filled));
    } catch {
      throw new InputFileError("a binary file (not UTF-8 text)");
    }
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new InputFileError(`a file it cannot read (${code})`);
  } finally {
    closeSync(fd);
  }
}
