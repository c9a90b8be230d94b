// The package's programmatic API, for teams that write scheduler regression tests in their own test suite:
// load or build a scenario, run it with a strategy (a built-in name or one of their own), and assert on the
// metrics; or run whole experiments, sweeps and the CI gate from code.

import { createStrategy } from "./agent/strategies/registry.ts";
import type { Strategy, StrategyEntry } from "./agent/strategy.ts";
import { failedRun, runOne, wallBudgetS } from "./harness/run.ts";
import { describeThrown, runWithin } from "./harness/run-guard.ts";
import { allStrategies, strategyFactory } from "./harness/strategy-module.ts";
import { type LoadedScenario, loadScenario, resolveScenario } from "./scenario/load.ts";
import type { RunResult } from "./sim/metrics/records.ts";

export type { AgentConfig } from "./agent/config.ts";
export * from "./agent/index.ts";
export {
  type Baseline,
  baselineJson,
  type CheckConfig,
  CheckInputError,
  type CheckOptions,
  type CheckResult,
  check,
  DEFAULT_CONFIG,
  type GroupJudgement,
  loadBaseline,
  loadCheckConfig,
  type MetricJudgement,
  parseBaseline,
  prepareCheck,
  runSuite,
} from "./harness/check.ts";
export { judgeDifferences, marginOf } from "./harness/check-stats.ts";
export { studentTCdf, studentTQuantile } from "./stats/student-t.ts";
export { type ExperimentOptions, type ExperimentOutcome, runExperiment } from "./harness/experiment.ts";
export { type RunOptions, type RunOutput, runOne } from "./harness/run.ts";
export {
  allStrategies,
  loadStrategyModule,
  type StrategyModule,
  StrategyModuleError,
  strategyFactory,
} from "./harness/strategy-module.ts";
export { aggregate, bootstrapCi, mean, median, p95, pairedDifference } from "./stats/aggregate.ts";
export { planSweep, type SweepPlan, type SweepRunResult } from "./harness/sweep.ts";
export { runSweep, type SweepOptions, type SweepOutcome } from "./harness/sweep-run.ts";
export { ScenarioError } from "./scenario/errors.ts";
export { applyOverrides, type LoadedScenario, loadScenario, resolveScenario } from "./scenario/load.ts";
export type { Scenario, ScenarioInput } from "./scenario/schema.ts";
export type * from "./sim/metrics/records.ts";
// The agent on a real network (docs/real-network.md): download from HTTP mirrors, serve a scenario as a loopback
// testbed, compare simulated and real runs.
export { calibrate, type CalibrateOptions, type CalibrateOutcome, type StrategyComparison } from "./real/calibrate.ts";
export { fetchFile, type FetchOptions, type FetchOutcome } from "./real/fetch.ts";
export { manifestOfFile, type Manifest } from "./real/manifest.ts";
export { startTestbed, type Testbed, type TestbedOptions } from "./real/testbed.ts";

export interface RunScenarioOptions {
  /** A built-in strategy name, or a factory for a strategy of your own (called once per run). */
  readonly strategy: string | (() => Strategy);
  /** Defaults to the scenario's seed. */
  readonly seed?: number;
  /**
   * Strategies of your own, by entry (e.g. `(await loadStrategyModule("mine.ts")).entries`): `strategy` and the
   * scenario's `strategies` may then name them as they name built-in ones.
   */
  readonly strategies?: readonly StrategyEntry[];
}

/**
 * Runs one scenario once. `scenario` is a file path, a loaded scenario, or a plain object shaped like a scenario
 * file (validated the same way; trace paths are relative to the current folder).
 */
export function runScenario(scenario: string | LoadedScenario | object, opts: RunScenarioOptions): RunResult {
  const extra = opts.strategies ?? [];
  const names = extra.length > 0 ? { strategyNames: allStrategies(extra).map((e) => e.name) } : {};
  const loaded =
    typeof scenario === "string"
      ? loadScenario(scenario, names)
      : "scenario" in scenario && "traces" in scenario
        ? (scenario as LoadedScenario)
        : resolveScenario(scenario, "<inline scenario>", process.cwd(), names);
  const custom = typeof opts.strategy === "function" ? opts.strategy : null;
  const seed = opts.seed ?? loaded.scenario.seed;
  if (custom === null) {
    const factory = extra.length > 0 ? strategyFactory(extra) : createStrategy;
    return runOne(loaded, { strategy: opts.strategy as string, seed, strategyFactory: factory }).result;
  }
  // The strategy's name is known only once it is built: build it here, and report a factory (or a `name`) that
  // throws as a failed run, as runOne does for everything a strategy does.
  const made = runWithin(() => {
    const strategy = custom();
    return { strategy, name: String(strategy.name) };
  }, wallBudgetS(loaded) * 1000);
  if (!made.ok) {
    const why = made.timedOut ? "did not return within the run's wall-clock budget" : `threw: ${describeThrown(made.error)}`;
    return failedRun(loaded, "custom", seed, `strategy: the strategy factory ${why}`);
  }
  const { strategy: built, name } = made.value;
  let first = true;
  const factory = () => {
    if (!first) return custom();
    first = false;
    return built;
  };
  return runOne(loaded, { strategy: name, seed, strategyFactory: factory }).result;
}
