// Runs every (strategy, seed) of a scenario, checks determinism on request, writes the run folder
// (folders/run-folder.ts), and returns what the CLI prints. The output folder is checked before the first run
// (src/files/output-folder.ts: a folder that is not the tool's, or a file in the way, is refused before any
// work); outputs are built in memory and committed only after every run finished, all or nothing: an error or
// an interrupt never leaves a half-written folder.
// A run that fails (whatever its strategy does) is a failed result with its reason, never an exception.
// With --check-determinism each run is made twice with its trace, and the first record that differs (a
// decision or a world event, trace-file.ts) is named; when runs diverge nothing is written. With
// --record-schedule the world's node events are recorded (schedule-file.ts writes them as a scenario).

import type { StrategyEntry } from "../agent/strategy.ts";
import { checkOutputFolder } from "../files/output-folder.ts";
import { OUTPUT_FILES } from "../report/outputs.ts";
import { scenarioAsRun } from "../report/provenance.ts";
import { comparisonTable } from "../report/table.ts";
import { verdictOf, verdictText } from "../report/verdict.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import type { Scenario } from "../scenario/schema.ts";
import { type EventLog, firstDifference } from "../sim/kernel/kernel.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { type RenderWorker, startRenderWorker } from "../report/render-client.ts";
import { writeRunFolder } from "./folders/run-folder.ts";
import { type RecordedSchedule, type RunOutput, runOne } from "./run.ts";
import { firstTraceDifference, traceText } from "./trace-file.ts";
import { recordLine } from "./trace-text.ts";
import { strategyFactory as makeStrategyFactory, moduleInfo, type StrategyModule, strategyList } from "./strategy-module.ts";

export interface ExperimentOptions {
  /**
   * What to run: built-in strategy names, names from `strategyModule` or `extraStrategies`, and StrategyEntry
   * objects ({ name, description, create }), which run, and appear in every CSV, chart and report, exactly as
   * a shipped strategy does.
   */
  readonly strategies: readonly (string | StrategyEntry)[];
  readonly seeds: readonly number[];
  /** Output folder; created only after every run finished, and refused before any run if it is not the tool's. */
  readonly outDir: string;
  /** Write events.jsonl. */
  readonly trace: boolean;
  /** Run everything twice and compare event logs. */
  readonly checkDeterminism: boolean;
  /** Render charts, index.html and summary.md after the CSVs. */
  readonly report: boolean;
  /** Wall-clock budget per run (seconds); default the scenario's `limits.wall_s`. */
  readonly wallS?: number;
  /** Write into a folder that is not a sim output folder, replacing files of the outputs' names (--force-into). */
  readonly forceInto?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  /** A user's strategies from a file (loadStrategyModule): they run as the built-in ones do, and summary.json records the file and its hash. */
  readonly strategyModule?: StrategyModule;
  /** Strategies defined in code, runnable by name beside the built-in ones. */
  readonly extraStrategies?: readonly StrategyEntry[];
  /** Record the world's node events of every run (outcome.recordedSchedule: the run that got furthest). */
  readonly recordSchedule?: boolean;
}

export interface ExperimentOutcome {
  readonly results: readonly RunResult[];
  /** The verdict (src/report/verdict.ts) and the comparison table (one row per strategy), ready to print. */
  readonly table: string;
  /** Set when --check-determinism found a difference: names the run and the first differing event. */
  readonly determinismFailure: string | null;
  /** Runs --check-determinism compared (0 without it). */
  readonly determinismChecked: number;
  /** False when nothing was written (the runs diverged under --check-determinism). */
  readonly written: boolean;
  /** With recordSchedule: the node events of the run that got furthest in simulated time, and its strategy. */
  readonly recordedSchedule?: RecordedSchedule & { readonly strategy: string };
  /** Runs that ended with an error, as "strategy seed: reason". */
  readonly failures: readonly string[];
}

/**
 * Describes where two runs of the same (strategy, seed) diverge, or null if they agree: the first record of
 * their traces that differs (a decision or a world event, in words), else the first kernel event.
 */
export function describeDivergence(a: RunOutput, b: RunOutput): string | null {
  if (a.eventLog === undefined || b.eventLog === undefined) {
    // A run stopped before its simulation finished has no log; its failure is reported as such.
    if (a.eventLog === b.eventLog) return null;
    return `strategy ${a.result.strategy} seed ${a.result.seed}: only one of the two runs was stopped before it finished`;
  }
  if (a.trace !== undefined && b.trace !== undefined) {
    const d = firstTraceDifference(a.trace, b.trace);
    if (d !== null) {
      const show = (t: typeof a.trace, k: number) => (k < t!.length ? recordLine(t![k]) : "the end of the run");
      const last = d.a > 0 ? `; the last record they share: ${recordLine(a.trace[d.a - 1])}` : "";
      return (
        `strategy ${a.result.strategy} seed ${a.result.seed}: the runs diverge after ${d.a} identical trace records${last}\n` +
        `  first run:  ${show(a.trace, d.a)}\n  second run: ${show(b.trace, d.b)}`
      );
    }
  }
  const la = a.eventLog;
  const lb = b.eventLog;
  const i = firstDifference(la, lb);
  if (i < 0 && a.result.metrics.fingerprint === b.result.metrics.fingerprint) return null;
  const names = a.kindNames ?? [];
  const show = (l: EventLog) =>
    i < l.timeUs.length ? `t=${l.timeUs[i]} µs ${names[l.kind[i]] ?? l.kind[i]}(${l.a[i]}, ${l.b[i]})` : "end of run";
  return (
    `strategy ${a.result.strategy} seed ${a.result.seed}: runs diverge at event #${i}: ` +
    `first run ${show(la)}, second run ${show(lb)}`
  );
}

/** events.jsonl: the trace of every run that has one (trace-file.ts). */
function eventLines(outputs: readonly RunOutput[]): string {
  return traceText(outputs.filter((o) => o.trace !== undefined).map((o) => ({ strategy: o.result.strategy, seed: o.result.seed, records: o.trace! })));
}

/** What `sim run` prints: the answer first (the verdict), then the comparison table. */
function overview(scenario: Scenario, results: readonly RunResult[]): string {
  return `${verdictText(verdictOf(scenario, results))}\n${comparisonTable(scenario, results)}`;
}

export async function runExperiment(loaded: LoadedScenario, opts: ExperimentOptions): Promise<ExperimentOutcome> {
  // Strategy objects are checked (and named) before the folder is touched: a malformed one is bad input.
  const moduleEntries = opts.strategyModule?.entries ?? [];
  const code = strategyList(opts.strategies, opts.extraStrategies, moduleEntries.map((e) => e.name));
  const strategies = code.names;
  const names: string[] = [OUTPUT_FILES.runs, OUTPUT_FILES.summary];
  if (opts.trace) names.push(OUTPUT_FILES.events);
  checkOutputFolder(opts.outDir, { forceInto: opts.forceInto, names });
  // The report's renderer loads vega on a second thread while the runs simulate on this one.
  const worker = opts.report ? startRenderWorker() : null;
  try {
    return await runAndWrite(loaded, opts, strategies, code.entries, worker);
  } finally {
    worker?.close();
  }
}

/** The runs of runExperiment and the run folder they write (charts rendered on `worker` when given). */
async function runAndWrite(
  loaded: LoadedScenario,
  opts: ExperimentOptions,
  strategies: readonly string[],
  codeEntries: ReturnType<typeof strategyList>["entries"],
  worker: RenderWorker | null,
): Promise<ExperimentOutcome> {
  const moduleEntries = opts.strategyModule?.entries ?? [];
  const total = strategies.length * opts.seeds.length * (opts.checkDeterminism ? 2 : 1);
  let done = 0;
  const outputs: RunOutput[] = [];
  let determinismFailure: string | null = null;
  let determinismChecked = 0;
  let recorded: ExperimentOutcome["recordedSchedule"];
  const recordEvents = opts.checkDeterminism;
  const trace = opts.trace || opts.checkDeterminism;
  const recordSchedule = opts.recordSchedule === true;
  const extra = [...moduleEntries, ...codeEntries];
  const strategyFactory = extra.length > 0 ? makeStrategyFactory(extra) : undefined;
  for (const strategy of strategies) {
    for (const seed of opts.seeds) {
      const run = { strategy, seed, wallS: opts.wallS, strategyFactory };
      const first = runOne(loaded, { ...run, recordEvents, trace, recordSchedule });
      opts.onProgress?.(++done, total);
      if (opts.checkDeterminism) {
        const second = runOne(loaded, { ...run, recordEvents: true, trace: true });
        opts.onProgress?.(++done, total);
        determinismFailure ??= describeDivergence(first, second);
        determinismChecked++;
      }
      if (first.schedule !== undefined && (recorded === undefined || first.schedule.reachedUs > recorded.reachedUs)) {
        recorded = { ...first.schedule, strategy };
      }
      // Keep the trace only when it is written out.
      outputs.push(opts.trace ? { result: first.result, ...(first.trace !== undefined ? { trace: first.trace } : {}) } : { result: first.result });
    }
  }
  const results = outputs.map((o) => o.result);
  const failures = results.filter((r) => r.error !== null).map((r) => `${r.strategy} seed ${r.seed}: ${r.error}`);
  // The outputs describe what ran: the strategies and seeds of this experiment, not the file's.
  const ran = { ...loaded, scenario: scenarioAsRun(loaded.scenario, strategies, opts.seeds) };
  const base = { results, failures, determinismFailure, determinismChecked, ...(recorded !== undefined ? { recordedSchedule: recorded } : {}) };
  // Runs that diverge have no outputs to trust: nothing is written.
  if (determinismFailure !== null) return { ...base, table: overview(ran.scenario, results), written: false };
  // The whole output of the folder: outputs of an earlier run that this one does not write (events.jsonl after
  // a run without --trace, charts after --no-report) are removed, so a folder never mixes two runs.
  await writeRunFolder(opts.outDir, ran, results, {
    report: opts.report,
    ...(opts.trace ? { events: eventLines(outputs) } : {}),
    ...(opts.strategyModule !== undefined ? { strategyModule: moduleInfo(opts.strategyModule) } : {}),
    forceInto: opts.forceInto,
    worker,
  });
  return { ...base, table: overview(ran.scenario, results), written: true };
}
