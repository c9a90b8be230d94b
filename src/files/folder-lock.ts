// The lock of an output folder: a file `.sim-lock` created exclusively (O_EXCL) by the process that commits
// outputs to the folder, naming its host and pid, and removed when the commit is done. Commits are short (the
// outputs are already staged), so a second writer waits for the first. A lock left by a process that died
// (same host, pid gone) or older than STALE_LOCK_MS is broken. The lock serialises writers of one folder; it
// is not a security boundary.

import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import type { FolderFs } from "./atomic.ts";
import { toBytes, unlinkQuietly, writeNewFile } from "./atomic.ts";
import { excerpt } from "../input/quote.ts";
import { OutputFolderError } from "./folder-error.ts";

export const LOCK_FILE = ".sim-lock";

/** A lock older than this is stale whoever holds it: a commit takes milliseconds. */
const STALE_LOCK_MS = 60_000;
/** How long a writer waits for another one before giving up, and the pause between tries. */
const WAIT_MS = 30_000;
const PAUSE_MS = 20;

/** This machine, as a short tag (host names may hold any character; the tag enters file names). */
export function hostTag(): string {
  return createHash("sha256").update(hostname()).digest("hex").slice(0, 8);
}

/** True when a process of that pid runs on this machine (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock or staging owner `<host tag>-<pid>` that is certainly gone: same host, process not running. */
export function ownerGone(host: string, pid: number): boolean {
  return host === hostTag() && pid !== process.pid && !processAlive(pid);
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes the lock of `dir` (which must exist); returns the function that releases it. */
export function acquireLock(dir: string, fs: FolderFs, waitMs = WAIT_MS): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = `${hostTag()} ${process.pid}\n`;
  const tries = Math.ceil(waitMs / PAUSE_MS);
  let holder = "";
  for (let i = 0; i <= tries; i++) {
    try {
      writeNewFile(fs, path, toBytes(mine), false);
      return () => {
        // Release only a lock that is still ours (a stale-lock breaker may have taken it over meanwhile).
        let text = "";
        try {
          text = fs.readFileSync(path).toString("utf8");
        } catch {
          return;
        }
        if (text === mine) unlinkQuietly(fs, path);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let ageMs = 0;
    try {
      holder = fs.readFileSync(path).toString("utf8").slice(0, 100);
      ageMs = Date.now() - fs.statSync(path).mtimeMs;
    } catch {
      continue; // released meanwhile: try again at once
    }
    const m = /^([0-9a-f]{8}) (\d+)\n$/.exec(holder);
    const stale = m === null ? ageMs > PAUSE_MS * 10 : ownerGone(m[1], Number(m[2])) || ageMs > STALE_LOCK_MS;
    if (stale) unlinkQuietly(fs, path);
    else sleepMs(PAUSE_MS);
  }
  const m = /^([0-9a-f]{8}) (\d+)\n$/.exec(holder);
  const who = m === null ? "another process" : `process ${m[2]}${m[1] === hostTag() ? "" : " on another machine"}`;
  throw new OutputFolderError(
    `${excerpt(dir, 300)} is being written by another sim command (${who}, lock ${LOCK_FILE}); try again when it is done`,
  );
}
