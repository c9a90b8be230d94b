// `sim diff DIR_A DIR_B [--strategy S | --strategy A,B] [--seed N]`: two runs of one scenario and seed side by
// side (src/harness/diff.ts): the same strategy in two folders (before and after a change), or two strategies
// (`--strategy a,b`, from one folder given twice or from two). Each run's trace comes from its folder or a
// re-run (src/cli/run-view.ts). Runs of different seeds are refused (exit 2); scenarios that differ are said.

import type { CommandModule } from "yargs";
import type { Scenario } from "../../scenario/schema.ts";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";

interface Args {
  readonly dirA: string;
  readonly dirB: string;
  readonly strategy?: string;
  readonly seed?: number;
}

/** The keys where two resolved scenarios differ (strategies, seeds and the name left aside). */
export function scenarioDifferences(a: Scenario, b: Scenario): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (out.length >= 10) return;
    if (x !== null && y !== null && typeof x === "object" && typeof y === "object") {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`);
      return;
    }
    if (x !== y) out.push(path);
  };
  const strip = (s: Scenario) => ({ ...s, name: "", strategies: [], seed: 0, seeds: 0, description: "" });
  walk(strip(a), strip(b), "");
  return out;
}

export function diffCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "diff <dir-a> <dir-b>",
    describe: "Compare two runs of one scenario and seed: metrics side by side and the first decision that differs",
    builder: (y) =>
      y
        .positional("dir-a", { type: "string", demandOption: true, describe: "a sim run output folder (run A)" })
        .positional("dir-b", { type: "string", demandOption: true, describe: "a sim run output folder (run B; may be the same folder)" })
        .option("strategy", { type: "string", describe: "the strategy of both runs, or A's and B's as a,b [default: each folder's first]" })
        .option("seed", { type: "number", describe: "the seed of both runs [default: the first seed of A's strategy]" })
        .example("$0 diff reports/before reports/after --strategy rebalance --seed 3", "the same run before and after a change")
        .example("$0 diff reports/churn reports/churn --strategy static,ecf", "two strategies on the same world")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0)) throw new UsageError(`--seed expects an integer ≥ 0, found ${args.seed}`);
      const names = args.strategy?.split(",").map((s) => s.trim()) ?? [];
      if (names.length > 2 || names.some((n) => n === "")) throw new UsageError("--strategy expects one strategy, or two as a,b");
      const [sa, sb] = names.length === 2 ? names : [names[0], names[0]];
      const { loadRunView } = await import("../run-view.ts");
      const a = await loadRunView(args.dirA, { strategy: sa, seed: args.seed });
      const b = await loadRunView(args.dirB, { strategy: sb, seed: args.seed ?? a.result.seed });
      if (a.result.seed !== b.result.seed) throw new UsageError(`the runs have different seeds (${a.result.seed} and ${b.result.seed}): diff compares one seed's world`);
      const notes = [...(a.notes ?? []).map((n) => `A ${n}`), ...(b.notes ?? []).map((n) => `B ${n}`)];
      if (a.scenario !== undefined && b.scenario !== undefined) {
        const keys = scenarioDifferences(a.scenario, b.scenario);
        if (keys.length > 0) notes.push(`note: the scenarios differ in ${keys.join(", ")}`);
      }
      const { diffRuns } = await import("../../harness/diff.ts");
      const label = (dir: string, v: typeof a) => `${dir} · ${v.result.strategy} · seed ${v.result.seed} (trace: ${v.source})`;
      process.stdout.write(diffRuns(a, b, label(args.dirA, a), label(args.dirB, b), notes));
      setExit(ExitCode.ok);
    },
  };
}
