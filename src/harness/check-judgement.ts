// What the CI gate decides (check.ts) and shows (check-report.ts): the verdict of each (scenario, strategy)
// group and of each metric judged in it, with the figures that explain it.

import type { CheckCause, CheckMetric } from "./check-config.ts";
import type { MetricVerdict } from "./check-stats.ts";

export type GroupVerdict = "identical" | MetricVerdict | "failed" | "no-baseline";

export interface MetricJudgement {
  readonly metric: CheckMetric;
  readonly verdict: MetricVerdict;
  /** Seeds paired. */
  readonly n: number;
  readonly baselineMean: number;
  readonly currentMean: number;
  /** 100 (current − baseline) / |baseline| mean; null when the baseline mean is 0. */
  readonly changePct: number | null;
  /** [lower, upper] bound of the mean per-seed difference (metric unit), each one-sided at 1 − alpha. */
  readonly interval: readonly [number, number];
  /** The same in % of |baseline mean|; null when that is 0. */
  readonly intervalPct: readonly [number, number] | null;
  /** Δ: the rise allowed, in the metric's unit. */
  readonly margin: number;
  /** The seed with the largest rise: its difference, the change in % of its baseline value, and the causes. */
  readonly worst: {
    readonly seed: number;
    readonly diff: number;
    readonly pct: number | null;
    readonly outlier: boolean;
    /** [baseline, current] of each cause count on that seed. */
    readonly causes: Readonly<Record<CheckCause, readonly [number, number]>>;
  };
}

export interface GroupJudgement {
  readonly scenario: string;
  readonly file: string;
  readonly strategy: string;
  readonly verdict: GroupVerdict;
  /** Seeds run for this group. */
  readonly seeds: number;
  /** One line on why: the failed run, the metrics that regressed, … */
  readonly detail: string;
  /** Judged metrics (empty when identical, failed or without a baseline). */
  readonly metrics: readonly MetricJudgement[];
  /** The command that replays the seed to look at, with its event trace, into its own folder. */
  readonly replay: string | null;
  /**
   * For a regression or a failed run: the `sim shrink` command that reduces that seed's world while the
   * failure holds (the worst metric above the baseline's value on that seed, or the run failing).
   */
  readonly shrink?: string;
}
