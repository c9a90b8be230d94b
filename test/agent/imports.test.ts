// The agent must run unchanged on a real network: no file under src/agent may import from src/sim, and none
// may use wall-clock time, real timers, promises or unseeded randomness.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const agentDir = join(root, "src/agent");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("src/agent stays independent of the simulator", () => {
  const files = sources(agentDir);

  it("finds the agent's sources", () => {
    expect(files.length).toBeGreaterThan(15);
  });

  it("imports nothing from src/sim", () => {
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
        const target = m[1].startsWith(".") ? relative(root, resolve(dirname(file), m[1])) : m[1];
        if (target.startsWith("src/sim") || target.includes("/sim/"))
          offenders.push(`${relative(root, file)} → ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("uses no wall clock, real timers, promises or Math.random", () => {
    const banned =
      /\b(Math\.random|Date\.now|performance\.now|setTimeout|setInterval|setImmediate|Promise|async |await )/;
    const offenders = files.filter((f) => banned.test(readFileSync(f, "utf8").replace(/^\s*\/\/.*$/gm, "")));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});
