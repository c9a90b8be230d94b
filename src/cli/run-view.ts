// One run of a run folder, with its trace, for `sim explain` and `sim diff`: the records come from the folder's
// CSVs, the trace from its events.jsonl (written by --trace). A folder without a trace of that run is run again
// from the scenario summary.json recorded, with its trace: the re-run's fingerprint is compared with the one
// runs.csv holds, and a difference (another version of sim, say) is said before anything is explained. Bad
// input (not a run folder, a run it does not hold, a trace that cannot be read or re-made) exits 2.

import { existsSync, statSync } from "node:fs";
import type { RunView } from "../harness/explain.ts";
import { UsageError } from "./exit.ts";
import { excerpt, quote } from "../input/quote.ts";

export interface RunPick {
  readonly strategy?: string;
  readonly seed?: number;
}

/** The run folder's run (the first strategy and its first seed unless picked) with its trace. */
export async function loadRunView(dir: string, pick: RunPick): Promise<RunView> {
  const shown = excerpt(dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${shown} is not a folder (give a sim run output folder)`);
  const { readRunOutputs } = await import("../report/read.ts");
  let folder: ReturnType<typeof readRunOutputs>;
  try {
    folder = readRunOutputs(dir);
  } catch (error) {
    throw new UsageError(`${shown} is not a readable sim run folder: ${excerpt((error as Error).message, 200)}`);
  }
  const strategies = [...new Set(folder.results.map((r) => r.strategy))];
  const strategy = pick.strategy ?? strategies[0];
  if (strategy === undefined) throw new UsageError(`${shown} holds no run`);
  const runs = folder.results.filter((r) => r.strategy === strategy);
  if (runs.length === 0) throw new UsageError(`${shown} holds no run of strategy ${quote(strategy)}; it has ${strategies.join(", ")}`);
  const seed = pick.seed ?? runs[0].seed;
  const result = runs.find((r) => r.seed === seed);
  if (result === undefined) throw new UsageError(`${shown} holds no ${quote(strategy)} run of seed ${seed}; it has seeds ${runs.map((r) => r.seed).join(", ")}`);
  const name = folder.scenario.name;

  if (folder.events !== null) {
    const { parseTrace, TraceFormatError } = await import("../harness/trace-file.ts");
    let traces: ReturnType<typeof parseTrace>;
    try {
      traces = parseTrace(folder.events);
    } catch (error) {
      if (error instanceof TraceFormatError) throw new UsageError(`${shown}/events.jsonl ${error.message}`);
      throw error;
    }
    const t = traces.find((x) => x.strategy === strategy && x.seed === seed);
    if (t !== undefined) return { scenarioName: name, scenario: folder.scenario, result, trace: t.records, source: `${dir}/events.jsonl` };
  }

  // No trace of this run: run it again from the scenario summary.json recorded.
  const { resolveScenario, ScenarioError } = await import("../scenario/load.ts");
  const { strategyNames } = await import("../scenario/strategy-names.ts");
  let loaded: ReturnType<typeof resolveScenario>;
  try {
    loaded = resolveScenario(folder.scenario, `${dir}/summary.json`, dir, { strategyNames: [...strategyNames(), ...folder.scenario.strategies] });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    throw new UsageError(
      `${shown} has no trace of ${strategy} seed ${seed} and its scenario cannot be run again from summary.json ` +
        `(${error.issues[0]?.message ?? error.message}); run it again with --trace`,
    );
  }
  const { runOne } = await import("../harness/run.ts");
  const again = runOne(loaded, { strategy, seed, trace: true });
  if (again.trace === undefined || (again.result.error !== null && again.result.metrics.events === 0)) {
    throw new UsageError(`${shown} has no trace of ${strategy} seed ${seed}, and running it again failed: ${again.result.error ?? "no trace"}; run it again with --trace`);
  }
  const notes =
    again.result.metrics.fingerprint === result.metrics.fingerprint
      ? []
      : [
          `note: ${dir} has no trace of this run, and running it again gave fingerprint ${again.result.metrics.fingerprint}, ` +
            `not the folder's ${result.metrics.fingerprint} (another version of sim, or a strategy that changed): explaining the re-run`,
        ];
  return { scenarioName: name, scenario: folder.scenario, result: again.result, trace: again.trace, source: `a re-run of ${dir}/summary.json's scenario (the folder has no trace of it)`, notes };
}
