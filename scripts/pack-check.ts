// The package as another project gets it: packs it (`npm pack`, which builds dist/ through the prepare
// script), unpacks the tarball into a temporary project's node_modules (its dependencies linked from this
// checkout's node_modules, so no network and a few seconds), then, from that project:
// - plain Node imports "multisource-sim" (dist/index.mjs) and runs a scenario with a strategy object through
//   runExperiment, which writes runs.csv and the report (the fonts ship in the package);
// - TypeScript type-checks a file that uses the API against dist/types (strict, skipLibCheck off);
// - the installed `sim` command (bin/sim.mjs, running dist/cli.mjs: the package has no src/) prints its
//   version and runs a shipped scenario.
// Usage: npx tsx scripts/pack-check.ts [--keep]    Exit 0 when all of it works, 1 otherwise (CI runs it).

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const tmp = mkdtempSync(join(tmpdir(), "sim-pack-"));
const keep = process.argv.includes("--keep");

function run(cmd: string, args: readonly string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

function fail(message: string): never {
  throw new Error(`pack-check: ${message}`);
}

try {
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", tmp], ROOT)) as { filename: string }[];
  const tarball = join(tmp, packed[0].filename);
  const project = join(tmp, "consumer");
  const modules = join(project, "node_modules");
  mkdirSync(modules, { recursive: true });
  run("tar", ["-xzf", tarball, "-C", tmp], tmp);
  renameSync(join(tmp, "package"), join(modules, pkg.name));
  if (existsSync(join(modules, pkg.name, "src", "cli"))) fail("the package ships src/; bin would not run dist/");
  for (const name of readdirSync(join(ROOT, "node_modules"))) {
    if (name.startsWith(".") || name === pkg.name) continue;
    symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(join(project, "scenario.yaml"), readFileSync(join(ROOT, "scenarios/ci/small.yaml"), "utf8"));

  // Plain Node, the API from dist/ with a strategy object.
  writeFileSync(
    join(project, "smoke.mjs"),
    `import { createStrategy, loadScenario, runExperiment, runScenario } from "${pkg.name}";
const mine = { name: "mine", description: "static under my name", create: () => createStrategy("static") };
const out = await runExperiment(loadScenario("scenario.yaml"), {
  strategies: ["rebalance", mine], seeds: [1], outDir: "out", trace: false, checkDeterminism: false, report: true,
});
if (out.failures.length > 0) throw new Error(out.failures.join("; "));
const one = runScenario("scenario.yaml", { strategy: "static", seed: 1 });
const fromMine = out.results.find((r) => r.strategy === "mine");
if (one.metrics.fingerprint !== fromMine.metrics.fingerprint) throw new Error("mine differs from static");
console.log("api ok", out.results.length, "runs");
`,
  );
  process.stdout.write(run(process.execPath, ["smoke.mjs"], project));
  for (const f of ["runs.csv", "summary.json", "index.html"]) {
    if (!existsSync(join(project, "out", f))) fail(`runExperiment wrote no out/${f}`);
  }

  // TypeScript: the declarations resolve and type the API (strict; library declarations checked too).
  writeFileSync(
    join(project, "check.ts"),
    `import { type RunResult, runScenario, type Strategy, type StrategyEntry } from "${pkg.name}";
const entry: StrategyEntry = { name: "x", description: "d", create: (): Strategy => ({ name: "x", onBlockStart() {}, onConnectionIdle() {} }) };
const r: RunResult = runScenario("scenario.yaml", { strategy: "static", strategies: [entry] });
const s: number = r.metrics.completionS;
export { s };
`,
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] },
      files: ["check.ts"],
    }),
  );
  const tsc = createRequire(join(ROOT, "package.json")).resolve("typescript/bin/tsc");
  run(process.execPath, [tsc, "-p", "tsconfig.json"], project);
  console.log("types ok");

  // The installed command.
  const bin = join(modules, pkg.name, "bin", "sim.mjs");
  const version = run(process.execPath, [bin, "--version"], project).trim();
  if (version !== pkg.version) fail(`sim --version printed ${JSON.stringify(version)}, expected ${pkg.version}`);
  run(process.execPath, [bin, "run", "scenario.yaml", "--seeds", "1", "--strategy", "static", "--out", "cli-out"], project);
  if (!existsSync(join(project, "cli-out", "index.html"))) fail("sim run wrote no cli-out/index.html");
  console.log(`bin ok (sim ${version})`);
  console.log(`pack-check: ${packed[0].filename} works from another project`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
