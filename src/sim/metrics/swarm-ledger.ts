// The swarm's ledger: what a swarm run counts beside each viewer's own figures. Egress by source kind in time
// bins (a transfer's bytes spread evenly over the time from its first byte to its last, so a bin's rate is
// what the sources really sent then, not a burst where transfers ended), viewers online at every change, tracker operations
// (queries, announces) per second; and, at the end, the run's swarm metrics and agents.csv's rows
// (swarm-records.ts). Only a swarm world has one.

import { assert } from "../../assert.ts";
import type { SeriesPoint } from "./records.ts";
import {
  SOURCE_KINDS,
  type AgentRow,
  type EgressSeries,
  type SourceKind,
  type SwarmMetrics,
  type SwarmResult,
} from "./swarm-records.ts";

/** At most this many egress bins (a bound on the series' memory): later bytes go to the last bin. */
const MAX_BINS = 1_000_000;

export class SwarmLedger {
  /** Bytes per bin, by source kind. */
  private readonly bins: Record<SourceKind, number[]> = { origin: [], server: [], peer: [], viewer: [] };
  private online = 0;
  private readonly onlineSeries: SeriesPoint[] = [];
  /** Tracker operations in the current second, and the finished seconds that had any. */
  private trackerSecond = -1;
  private trackerCount = 0;
  private readonly trackerSeries: SeriesPoint[] = [];

  constructor(private readonly binUs: number) {
    assert(binUs > 0, "series bin must be positive, got {0}", binUs);
  }

  /**
   * bytes from a source of this kind reached a viewer, the transfer's first byte at startUs (-1: unknown, then
   * every byte counts at endUs) and its last at endUs: each bin gets the share of bytes of its share of the time.
   */
  transferred(kind: SourceKind, startUs: number, endUs: number, bytes: number): void {
    if (bytes <= 0) return;
    const bins = this.bins[kind];
    const last = this.binOf(endUs);
    while (bins.length <= last) bins.push(0);
    const fromUs = Math.max(0, startUs);
    if (startUs < 0 || fromUs >= endUs) {
      bins[last] += bytes;
      return;
    }
    const bytesPerUs = bytes / (endUs - fromUs);
    let placedBytes = 0;
    // Bounded: one step per bin the transfer spans (at most MAX_BINS).
    for (let b = this.binOf(fromUs); b < last; b++) {
      const shareBytes = bytesPerUs * ((b + 1) * this.binUs - Math.max(fromUs, b * this.binUs));
      bins[b] += shareBytes;
      placedBytes += shareBytes;
    }
    bins[last] += bytes - placedBytes; // the rest, so that every byte is counted exactly once
  }

  private binOf(timeUs: number): number {
    return Math.min(MAX_BINS - 1, Math.floor(Math.max(0, timeUs) / this.binUs));
  }

  /** A viewer joined (+1) or left (−1) at timeUs. */
  viewersChanged(timeUs: number, delta: number): void {
    this.online += delta;
    assert(this.online >= 0, "negative viewers online at {0} µs", timeUs);
    const last = this.onlineSeries[this.onlineSeries.length - 1];
    if (last !== undefined && last.timeUs === timeUs) this.onlineSeries[this.onlineSeries.length - 1] = { timeUs, value: this.online };
    else this.onlineSeries.push({ timeUs, value: this.online });
  }

  /** One tracker operation (a query or an announce) at timeUs (times never decrease). */
  trackerOp(timeUs: number): void {
    const second = Math.floor(timeUs / 1e6);
    if (second !== this.trackerSecond) {
      this.flushTracker();
      this.trackerSecond = second;
    }
    this.trackerCount++;
  }

  private flushTracker(): void {
    if (this.trackerCount > 0) this.trackerSeries.push({ timeUs: this.trackerSecond * 1e6, value: this.trackerCount });
    this.trackerCount = 0;
  }

  /** The run's swarm figures from every viewer's row. */
  finish(agents: readonly AgentRow[], okBytesByKind: Readonly<Record<SourceKind, number>>): SwarmResult {
    this.flushTracker();
    const n = maxOf(SOURCE_KINDS.map((k) => this.bins[k].length));
    const bps = {} as Record<SourceKind, number[]>;
    for (const k of SOURCE_KINDS) {
      const b = this.bins[k];
      bps[k] = Array.from({ length: n }, (_, i) => ((b[i] ?? 0) * 8 * 1e6) / this.binUs);
    }
    const egress: EgressSeries = { binUs: this.binUs, bps };
    return {
      agents,
      metrics: swarmMetrics(agents, okBytesByKind, egress, this.trackerSeries),
      viewersOnline: this.onlineSeries,
      egress,
      trackerLoad: this.trackerSeries,
    };
  }
}

/** The p-quantile (0 ≤ p ≤ 1) of sorted values by the nearest-rank method; NaN for none. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1];
}

/** Jain's fairness index (Σx)²/(n·Σx²); NaN when every x is 0 (or there is none). */
export function jainIndex(xs: readonly number[]): number {
  let sum = 0;
  let sumSq = 0;
  for (const x of xs) {
    sum += x;
    sumSq += x * x;
  }
  return sumSq > 0 ? (sum * sum) / (xs.length * sumSq) : Number.NaN;
}

/** The largest value, 0 for none (no spread: arrays may be long). */
function maxOf(xs: readonly number[]): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function swarmMetrics(
  agents: readonly AgentRow[],
  okBytesByKind: Readonly<Record<SourceKind, number>>,
  egress: EgressSeries,
  trackerSeries: readonly SeriesPoint[],
): SwarmMetrics {
  const started = agents.filter((a) => a.startupDelayS >= 0);
  const startups = started.map((a) => a.startupDelayS).sort((x, y) => x - y);
  const total = SOURCE_KINDS.reduce((s, k) => s + okBytesByKind[k], 0);
  const p2p = okBytesByKind.peer + okBytesByKind.viewer;
  const lags = started.filter((a) => a.playbackLagS >= 0).map((a) => a.playbackLagS);
  return {
    viewers: agents.length,
    p2pShare: total > 0 ? p2p / total : Number.NaN,
    originPeakBps: maxOf(egress.bps.origin),
    meanStartupDelayS: mean(startups),
    p95StartupDelayS: nearestRank(startups, 0.95),
    meanRebufferRatio: mean(started.map((a) => a.rebufferRatio)),
    uploadFairness: jainIndex(agents.map((a) => a.uploadedBytes)),
    trackerPeakPerS: maxOf(trackerSeries.map((p) => p.value)),
    meanPlaybackLagS: lags.length > 0 ? mean(lags) : Number.NaN,
  };
}
