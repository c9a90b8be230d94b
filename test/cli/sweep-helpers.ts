// Helpers for the in-process CLI tests: run `main(args)` with stdout/stderr captured, and read a folder into
// a map of relative path → bytes for byte-for-byte comparisons.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { vi } from "vitest";
import { main } from "../../src/cli/main.ts";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in this process with CI set (no progress bar) and its output captured. */
export async function cli(...args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const ci = process.env.CI;
  process.env.CI = "1";
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  }
}

/** Every file under `dir` (recursively) as relative path → contents, sorted by path. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, depth: number) => {
    if (depth > 8) throw new Error(`readTree: ${d} is nested too deep`);
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, depth + 1);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir, 0);
  return out;
}

/** The differing or missing files of two trees (empty when byte-identical). */
export function treeDiff(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.filter((n) => {
    const x = a.get(n);
    const y = b.get(n);
    return x === undefined || y === undefined || !x.equals(y);
  });
}
