// Runs one (scenario, strategy, seed): builds the simulated world, plugs the real agent into it, returns the
// RunResult. runOne never throws for what happens inside a run: a run that fails inside the simulation
// (strategy error, livelock guard, time or event limit, broken invariant) returns a result with `error` set,
// and so does a run whose strategy cannot be built, throws something odd, or runs past its wall-clock budget
// (`limits.wall_s`, or `wallS`), which run-guard.ts enforces even against a hook that never returns. Such a run
// that ended before its simulation finished has the metrics of an empty run (0 events).

import { createStrategy } from "../agent/strategies/registry.ts";
import type { Strategy, StrategyEnv } from "../agent/strategy.ts";
import type { LoadedScenario } from "../scenario/load.ts";
import { Kernel, type EventLog } from "../sim/kernel/kernel.ts";
import { Collector } from "../sim/metrics/collector.ts";
import type { RunMetrics, RunResult } from "../sim/metrics/records.ts";
import type { ScheduleEvent } from "../sim/config.ts";
import type { TraceRecord } from "../sim/world/trace.ts";
import { World, type WorldOptions } from "../sim/world/world.ts";
import { excerpt, quote } from "../input/quote.ts";
import { describeThrown, MAX_REASON_CHARS, runWithin } from "./run-guard.ts";
import { simConfigFor } from "./sim-config.ts";

export interface RunOptions {
  readonly strategy: string;
  readonly seed: number;
  /** Keep the processed-event log (for --check-determinism and --trace). */
  readonly recordEvents?: boolean;
  /**
   * Builds the strategy with what the simulator offers strategies (the oracle); defaults to the agent's registry
   * (for strategies defined in users' own code).
   */
  readonly strategyFactory?: (name: string, env: StrategyEnv) => Strategy;
  /** Wall-clock budget of the run in seconds; default the scenario's `limits.wall_s`. */
  readonly wallS?: number;
  /** Keep the run's trace: the world's named events and every decision of the agent (never changes the run). */
  readonly trace?: boolean;
  /** Record the world's node events as an explicit schedule (never changes the run). */
  readonly recordSchedule?: boolean;
}

/** The node events of a run as an explicit schedule, and how far in simulated time the run got. */
export interface RecordedSchedule {
  readonly events: readonly ScheduleEvent[];
  /** The time of the run's last event, µs: the schedule is the world up to here. */
  readonly reachedUs: number;
}

export interface RunOutput {
  readonly result: RunResult;
  /** Present with recordEvents: the processed events and a name for each kind id. */
  readonly eventLog?: EventLog;
  readonly kindNames?: readonly string[];
  /** Present with `trace` (when the world was built). */
  readonly trace?: readonly TraceRecord[];
  /** Present with `recordSchedule` (when the world was built). */
  readonly schedule?: RecordedSchedule;
}

/** Wall-clock budget (seconds) of a run whose scenario object lacks one (built by hand): the schema's default. */
const DEFAULT_WALL_S = 300;

/** The wall-clock budget of a run, in seconds: the caller's, else the scenario's `limits.wall_s`. */
export function wallBudgetS(loaded: LoadedScenario, wallS?: number): number {
  return wallS ?? loaded.scenario.limits?.wall_s ?? DEFAULT_WALL_S;
}

/** A strategy factory threw: marks the error so the reason says so. */
class StrategyBuildError {
  constructor(readonly cause: unknown) {}
}

/** `x instanceof StrategyBuildError`, for any thrown value (a Proxy's prototype trap may throw). */
function isBuildError(x: unknown): boolean {
  try {
    return x instanceof StrategyBuildError;
  } catch {
    return false;
  }
}

/** The records of a run that processed no event (built by the collector, so every metric is there). */
function emptyRun(sizeBytes: number) {
  const limits = { endTimeUs: 0, maxEvents: 1, maxEventsPerTimestamp: 1 };
  const player = { startupDelayS: -1, stallCount: 0, stallS: 0, rebufferRatio: 0 };
  const agent = { rebalances: 0, fallbacks: 0, stalledConnections: 0 };
  // Nothing ran, so no throughput bound is known (NaN: not a number, as for a run the bound cannot judge).
  return new Collector(0).finish(0, sizeBytes, agent, 0, 0, new Kernel(limits, false).fingerprint(), player, Number.NaN);
}

/** The metrics of a run that processed no event: every metric a run has, each of its type. */
export function emptyMetrics(): RunMetrics {
  return emptyRun(0).metrics;
}

/** The result of a run that ended before its simulation could finish: no events, the reason in `error`. */
export function failedRun(loaded: LoadedScenario, strategy: string, seed: number, error: string): RunResult {
  const done = emptyRun(loaded.scenario.content.size_bytes);
  return {
    scenario: loaded.scenario.name,
    strategy,
    seed,
    error,
    metrics: done.metrics,
    blocks: done.blocks,
    subBlocks: done.subBlocks,
    rebalances: [],
    bufferSeries: [],
    stalls: [],
    peersOnlineSeries: [],
    wall: { simMs: 0 },
  };
}

/** The simulated world of a scenario (translated once into the simulator's configuration), not yet run. */
export function worldOf(loaded: LoadedScenario, options: WorldOptions): World {
  return new World(simConfigFor(loaded), options);
}

export function runOne(loaded: LoadedScenario, opts: RunOptions): RunOutput {
  const budgetS = wallBudgetS(loaded, opts.wallS);
  const factory = opts.strategyFactory ?? createStrategy;
  const worldOptions = {
    ...opts,
    strategyFactory: (name: string, env: StrategyEnv) => {
      try {
        return factory(name, env);
      } catch (error) {
        throw new StrategyBuildError(error);
      }
    },
  };
  const made: { world?: World } = {};
  const outcome = runWithin(() => {
    made.world = worldOf(loaded, worldOptions);
    return made.world.run(() => performance.now());
  }, budgetS * 1000);
  const w = made.world;
  if (!outcome.ok) {
    const where = w === undefined ? "" : ` at t=${(w.kernel.nowUs / 1e6).toFixed(6)} s after ${w.kernel.eventsProcessed} events`;
    const reason = outcome.timedOut
      ? `wall-limit: the run was stopped after its wall-clock budget of ${budgetS} s (limits.wall_s, --wall-s)${where}`
      : isBuildError(outcome.error)
        ? `strategy: strategy ${quote(opts.strategy, 80)} could not be created: ${describeThrown((outcome.error as StrategyBuildError).cause)}`
        : `error: ${describeThrown(outcome.error)} (strategy ${excerpt(opts.strategy, 80)}${where})`;
    return { result: failedRun(loaded, opts.strategy, opts.seed, reason) };
  }
  const result: RunResult = outcome.value.error === null
    ? outcome.value
    : { ...outcome.value, error: excerpt(outcome.value.error, MAX_REASON_CHARS) };
  const kernel = w!.kernel;
  const log = kernel.log;
  return {
    result,
    ...(log !== null ? { eventLog: log, kindNames: [...kernel.registeredKinds()] } : {}),
    ...(w!.trace !== null ? { trace: w!.trace.records } : {}),
    ...(w!.scheduleRecorder !== null ? { schedule: { events: w!.scheduleRecorder.schedule(), reachedUs: kernel.nowUs } } : {}),
  };
}
