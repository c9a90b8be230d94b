// Interrupts real `sim run` and `sim sweep` processes with SIGINT, SIGTERM and SIGKILL at random points and
// checks what the tool promises about its folders (docs/cli-and-scenarios.md, "Files, interruptions and
// failures"):
// - after the interruption the folder holds the complete old outputs or the complete new ones, byte for byte
//   (a SIGKILL inside the few milliseconds of a commit may leave a journal instead: completing it, as the next
//   sim command does, must give the complete new outputs);
// - every store entry of a sweep folder is a complete, sound entry;
// - the next uninterrupted command succeeds, writes the new outputs, and leaves no temporary behind;
// - no interrupted command ends with exit 3 (internal error).
// Old outputs: a run with seed 1 (with the report), a sweep with 2 seeds. New: a run with seed 2, with or
// without the report (the commit then also removes the charts), a sweep with 3 seeds. Kill times are drawn
// over the whole command, half of them near its end, where the commit is; the interrupted commands pause
// SLOW_MS after each rename of their commit (SIM_TEST_SLOW_COMMIT_MS), so that many signals land inside it.
// Usage: npx tsx scripts/interrupt-check.ts [--count N (tries per command and signal, default 3)] [--seed N]
//        [--scenario FILE] [--keep]     Exit 0 when every try kept its folder whole, 1 otherwise.

import { spawn, spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import seedrandom from "seedrandom";
import { readStoredEntry } from "../src/harness/sweep.ts";
import { JOURNAL_FILE, recoverFolder } from "../src/files/output-folder.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const count = Number(option("--count", "3"));
const seed = Number(option("--seed", String(randomInt(1, 1_000_000))));
const scenario = option("--scenario", "scenarios/ci/small.yaml");
const keep = args.includes("--keep");
if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error("--count expects an integer in 1..1000");
const random = seedrandom(String(seed));
const TMP = mkdtempSync(join(tmpdir(), "sim-interrupt-"));
const SIM = ["bin/sim.mjs"];
const ENV = { ...process.env, CI: "1" };
/** Pause after each rename of an interrupted command's commit (a real commit takes milliseconds). */
const SLOW_MS = 40;

/** Every file under `dir` but the tool's own entries (manifest, journal, lock, staging) and the run store. */
function outputs(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string, prefix: string, depth: number) => {
    if (depth > 4) throw new Error(`${d}: nested too deep`);
    for (const name of readdirSync(d).sort()) {
      if (prefix === "" && (name.startsWith(".sim-") || name === "runs")) continue;
      const p = join(d, name);
      if (lstatSync(p).isDirectory()) walk(p, `${prefix}${name}/`, depth + 1);
      else out.set(`${prefix}${name}`, readFileSync(p));
    }
  };
  walk(dir, "", 0);
  return out;
}

function same(a: Map<string, Buffer>, b: Map<string, Buffer>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k)?.equals(v) === true);
}

/** Temporaries anywhere in the folder: staging folders, a lock, a journal, old-style temp files. */
function temporaries(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (/^\.sim-(tmp-|lock|commit)/.test(name) || /\.tmp$/.test(name)) found.push(`${prefix}${name}`);
      else if (lstatSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
    }
  };
  walk(dir, "");
  return found;
}

/** Problems of the run store: every entry must be sound for one of the runs the folder's plans list. */
function storeProblems(dir: string, plans: readonly string[]): string[] {
  const problems: string[] = [];
  const specs = new Map<string, { point: number; strategy: string; seed: number; key: string }>();
  for (const plan of plans) {
    const m = JSON.parse(readFileSync(join(plan, "sweep.json"), "utf8")) as { strategies: string[]; seeds: number[]; runs: string[] };
    m.runs.forEach((key, i) => {
      const n = m.seeds.length;
      const s = m.strategies.length;
      specs.set(key, { point: Math.floor(i / (s * n)), strategy: m.strategies[Math.floor(i / n) % s], seed: m.seeds[i % n], key });
    });
  }
  const store = join(dir, "runs");
  if (!existsSync(store)) return problems;
  for (const name of readdirSync(store)) {
    if (name.startsWith(".")) continue; // an old-style temp file: reported by temporaries() after the rerun
    const spec = specs.get(name.replace(/\.json$/, ""));
    if (spec === undefined) {
      problems.push(`runs/${name}: not a run of either plan`);
      continue;
    }
    const e = readStoredEntry(dir, spec);
    if (e.kind !== "ok") problems.push(`runs/${name}: ${e.kind === "bad" ? e.problem : "vanished"}`);
  }
  return problems;
}

function sim(argv: readonly string[]): { ms: number; status: number | null; stderr: string } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [...SIM, ...argv], { encoding: "utf8", env: ENV });
  return { ms: performance.now() - t0, status: p.status, stderr: p.stderr };
}

/** Starts `sim argv`, sends `signal` after `delayMs`, resolves with how it ended. */
function interrupted(argv: readonly string[], signal: NodeJS.Signals, delayMs: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...ENV, SIM_TEST_SLOW_COMMIT_MS: String(SLOW_MS) };
    const child = spawn(process.execPath, [...SIM, ...argv], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 10_000) stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill(signal), delayMs);
    child.on("exit", (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stderr });
    });
  });
}

interface Case {
  readonly name: string;
  readonly old: string;
  readonly news: readonly { readonly label: string; readonly ref: string; readonly argv: (out: string) => string[]; readonly ms: number }[];
  readonly sweep: boolean;
}

function reference(label: string, argv: (out: string) => string[]): { ref: string; ms: number } {
  const ref = join(TMP, `ref-${label}`);
  const r = sim(argv(ref));
  if (r.status !== 0) throw new Error(`reference ${label} failed (${r.status}): ${r.stderr}`);
  return { ref, ms: r.ms };
}

async function main(): Promise<number> {
  console.log(`interrupt check: ${count} tries per command and signal, seed ${seed} (replay with --seed ${seed}), ${scenario}`);
  sim(["--version"]); // builds the command's bundle, so no try times that
  const run = (s: number, report: boolean) => (out: string) => ["run", scenario, "--seed", String(s), "--seeds", "1", ...(report ? [] : ["--no-report"]), "--out", out];
  const sweep = (n: number) => (out: string) => ["sweep", scenario, "--seeds", String(n), "--jobs", "2", "--no-report", "--out", out];
  const runOld = reference("run-old", run(1, true));
  const runNew = reference("run-new", run(2, true));
  const runNewPlain = reference("run-new-plain", run(2, false));
  const sweepOld = reference("sweep-old", sweep(2));
  const sweepNew = reference("sweep-new", sweep(3));
  const cases: Case[] = [
    {
      name: "sim run",
      old: runOld.ref,
      news: [
        { label: "seed 2", ref: runNew.ref, argv: run(2, true), ms: runNew.ms },
        { label: "seed 2 --no-report", ref: runNewPlain.ref, argv: run(2, false), ms: runNewPlain.ms },
      ],
      sweep: false,
    },
    { name: "sim sweep", old: sweepOld.ref, news: [{ label: "3 seeds", ref: sweepNew.ref, argv: sweep(3), ms: sweepNew.ms }], sweep: true },
  ];
  let failures = 0;
  const tally = new Map<string, number>();
  let trial = 0;
  for (const c of cases) {
    for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const) {
      for (let i = 0; i < count; i++) {
        const target = c.news[Math.floor(random() * c.news.length)];
        // Half the kills anywhere in the command, half near its end, where the (slowed) commit is.
        const commitMs = outputs(target.ref).size * SLOW_MS;
        const delayMs = Math.round(
          random() < 0.5 ? random() * (target.ms + commitMs) : 0.9 * target.ms + random() * (0.2 * target.ms + commitMs),
        );
        const dir = join(TMP, `try-${++trial}`);
        cpSync(c.old, dir, { recursive: true });
        const end = await interrupted(target.argv(dir), signal, delayMs);
        const problems: string[] = [];
        if (end.code === 3) problems.push(`exit 3: ${end.stderr.slice(0, 300)}`);
        const journal = existsSync(join(dir, JOURNAL_FILE));
        let state = same(outputs(dir), outputs(c.old)) ? "old" : same(outputs(dir), outputs(target.ref)) ? "new" : "MIXED";
        if (journal) {
          if (signal !== "SIGKILL") problems.push(`a journal after ${signal}: the commit should have finished first`);
          recoverFolder(dir);
          state = same(outputs(dir), outputs(target.ref)) ? "new after completing the journal" : "MIXED after completing the journal";
        }
        if (state.startsWith("MIXED")) problems.push(`the folder mixes outputs: ${state}`);
        if (c.sweep) problems.push(...storeProblems(dir, [c.old, target.ref]));
        // The next command: succeeds, writes the new outputs, leaves no temporary.
        const again = sim(target.argv(dir));
        if (again.status !== 0) problems.push(`the next command failed (${again.status}): ${again.stderr.slice(0, 300)}`);
        else if (!same(outputs(dir), outputs(target.ref))) problems.push("the next command did not write the new outputs");
        const left = temporaries(dir);
        if (left.length > 0) problems.push(`temporaries left after the next command: ${left.join(", ")}`);
        if (c.sweep) problems.push(...storeProblems(dir, [target.ref]));
        const how = end.signal !== null ? `killed by ${end.signal}` : `exit ${end.code}`;
        console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${c.name} (${target.label}) ${signal} at ${delayMs} ms: ${how}; folder ${journal ? "had a journal, " : ""}${state}`);
        for (const p of problems) console.log(`       ${p}`);
        failures += problems.length > 0 ? 1 : 0;
        const key = `${c.name}: ${state}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        if (!keep) rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log([...tally].map(([k, n]) => `${k} × ${n}`).join("; "));
  console.log(failures === 0 ? `all ${trial} tries kept their folder whole` : `${failures} of ${trial} tries broke the folder invariant`);
  return failures === 0 ? 0 : 1;
}

main()
  .then((code) => {
    if (!keep) rmSync(TMP, { recursive: true, force: true });
    else console.log(`folders kept in ${TMP}`);
    process.exitCode = code;
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
