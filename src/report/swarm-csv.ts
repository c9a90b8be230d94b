// The swarm's files and series rows (issue 12): agents.csv, one row per viewer per run (the scenario's agent
// first, then the viewers in order of arrival), and series.csv's swarm series (viewers online, egress by
// source kind, tracker load). Written only for runs that have a swarm result.

import type { RunResult } from "../sim/metrics/records.ts";
import { SOURCE_KINDS } from "../sim/metrics/swarm-records.ts";
import { csvText, formatInt, formatRatio, formatSeconds, formatTimeUs } from "./csv.ts";

export const AGENTS_COLUMNS = [
  "strategy",
  "seed",
  "viewer",
  "group",
  "viewer_strategy",
  "arrival_s",
  "play_at_s",
  "startup_delay_s",
  "stall_count",
  "stall_s",
  "rebuffer_ratio",
  "playback_lag_s",
  "completion_s",
  "departure_s",
  "departure",
  ...SOURCE_KINDS.map((k) => `${k}_bytes` as const),
  "uploaded_bytes",
] as const;

/** The swarm series of series.csv, each a value at a time. */
export const SWARM_SERIES_NAMES = [
  "viewers_online",
  "egress_origin_bps",
  "egress_server_bps",
  "egress_peer_bps",
  "egress_viewer_bps",
  "tracker_ops_per_s",
] as const;
export type SwarmSeriesName = (typeof SWARM_SERIES_NAMES)[number];

/** agents.csv of the runs, in the order given; null when no run has a swarm. */
export function agentsCsv(results: readonly RunResult[]): string | null {
  if (!results.some((r) => r.swarm !== undefined)) return null;
  const rows: string[][] = [];
  for (const r of results) {
    for (const a of r.swarm?.agents ?? []) {
      rows.push([
        r.strategy,
        String(r.seed),
        a.viewer,
        a.group,
        a.strategy,
        formatTimeUs(a.arrivalUs),
        formatTimeUs(a.playAtUs),
        a.startupDelayS >= 0 ? formatSeconds(a.startupDelayS) : "",
        formatInt(a.stallCount),
        formatSeconds(a.stallS),
        formatRatio(a.rebufferRatio),
        a.playbackLagS >= 0 ? formatSeconds(a.playbackLagS) : "",
        formatTimeUs(a.completionUs),
        formatTimeUs(a.departureUs),
        a.departure,
        ...SOURCE_KINDS.map((k) => formatInt(a.bytesFrom[k])),
        formatInt(a.uploadedBytes),
      ]);
    }
  }
  return csvText(AGENTS_COLUMNS, rows);
}

/** A run's swarm series points, in series order, then time. */
export function swarmSeriesPoints(r: RunResult): { series: SwarmSeriesName; timeUs: number; value: string }[] {
  const s = r.swarm;
  if (s === undefined) return [];
  const out: { series: SwarmSeriesName; timeUs: number; value: string }[] = [];
  for (const p of s.viewersOnline) out.push({ series: "viewers_online", timeUs: p.timeUs, value: formatInt(p.value) });
  for (const k of SOURCE_KINDS) {
    const name = `egress_${k}_bps` as SwarmSeriesName;
    s.egress.bps[k].forEach((bps, i) => out.push({ series: name, timeUs: i * s.egress.binUs, value: formatInt(Math.round(bps)) }));
  }
  for (const p of s.trackerLoad) out.push({ series: "tracker_ops_per_s", timeUs: p.timeUs, value: formatInt(p.value) });
  return out;
}
