// Scenario files sim writes (`sim run --record-schedule FILE`, `sim shrink --out FILE`): the path is checked
// before any run (exit 2: a folder, a folder that cannot be made, or an existing file sim did not write, whose
// first line is not the marker), and the file is written atomically, so an interrupted command leaves the old
// file or the new one, never a part.

import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { WRITTEN_BY_SIM } from "../harness/schedule-file.ts";
import { UsageError } from "./exit.ts";
import { excerpt } from "../input/quote.ts";

/** The first bytes of a file (enough for the marker line). */
function head(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Refuses (exit 2) a path sim may not write a scenario to. */
export function checkScenarioTarget(flag: string, path: string): void {
  if (path.trim() === "") throw new UsageError(`--${flag} expects a file path`);
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) throw new UsageError(`--${flag}: ${excerpt(path)} is a folder; give a file path (for example ${excerpt(path.replace(/\/+$/, ""))}/scenario.yaml)`);
  if (!st.isFile() || !head(path).startsWith(WRITTEN_BY_SIM)) {
    throw new UsageError(`--${flag}: ${excerpt(path)} exists and was not written by sim; refusing to overwrite it (choose another path or remove it)`);
  }
}

/** Writes the scenario text atomically, creating its folder. */
export async function writeScenarioFile(path: string, text: string): Promise<void> {
  const { writeFileAtomic } = await import("../files/atomic.ts");
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
}
