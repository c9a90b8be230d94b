// Reads a run folder back (for `sim report DIR`): the CSVs become RunResults again (runs.csv's metric columns
// as the metric registry, src/metrics/registry.ts, names them) and summary.json gives the resolved scenario,
// so every chart can be rebuilt from the folder alone. Values come back as written: times to the µs, seconds
// to 6 decimals, ratios to 4, bytes and counts as integers; an empty time cell is -1 µs, any other empty
// number cell NaN. Not in the CSVs, hence placeholders: metrics.peakQueueLength = -1
// and wall.simMs = 0. A swarm run's viewers (agents.csv) and swarm series come back too.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_METRICS, type RunMetricName } from "../metrics/registry.ts";
import type { Scenario } from "../scenario/schema.ts";
import type {
  BlockRecord,
  RebalanceRecord,
  RunMetrics,
  RunResult,
  SeriesPoint,
  SubBlockOutcome,
  SubBlockRecord,
} from "../sim/metrics/records.ts";
import { BLOCKS_COLUMNS, RUNS_COLUMNS, SERIES_COLUMNS, SUBBLOCKS_COLUMNS } from "./csv.ts";
import { SOURCE_KINDS, type AgentRow, type DepartureReason, type SourceKind, type SwarmResult } from "../sim/metrics/swarm-records.ts";
import { AGENTS_COLUMNS } from "./swarm-csv.ts";
import { parseCsv } from "./csv-parse.ts";
import { OUTPUT_FILES } from "./outputs.ts";
import type { Summary } from "./summary.ts";

export interface RunFolder {
  readonly summary: Summary;
  /** summary.scenario: the resolved scenario the runs used. */
  readonly scenario: Scenario;
  /** One per runs.csv row, in file order (strategy order, then seed). */
  readonly results: RunResult[];
  /** events.jsonl text, or null when the folder has none. */
  readonly events: string | null;
}

const OUTCOMES: readonly SubBlockOutcome[] = ["ok", "corrupt", "dropped", "cancelled", "duplicate"];
const NODE_KINDS: readonly SubBlockRecord["nodeKind"][] = ["peer", "server", "origin", "viewer"];
const DEPARTURES: readonly DepartureReason[] = ["left", "abandoned", "end"];
/** series.csv's egress series name of each source kind. */
const EGRESS_SERIES: ReadonlyMap<string, SourceKind> = new Map(SOURCE_KINDS.map((k) => [`egress_${k}_bps`, k]));

/** Rows of a CSV file as objects keyed by column, after checking the header is exactly `columns`. */
function readTable<C extends string>(dir: string, file: string, columns: readonly C[]): Record<C, string>[] {
  const rows = parseCsv(readFileSync(join(dir, file), "utf8"), file);
  const header = rows[0] ?? [];
  if (header.join(",") !== columns.join(",")) {
    throw new Error(`${file}: expected columns ${columns.join(",")}, found ${header.join(",")}`);
  }
  return rows.slice(1).map((cells, i) => {
    if (cells.length !== columns.length) {
      throw new Error(`${file}: record ${i + 1} has ${cells.length} cells, expected ${columns.length}`);
    }
    const rec = {} as Record<C, string>;
    columns.forEach((c, k) => {
      rec[c] = cells[k];
    });
    return rec;
  });
}

/** A number cell; "" is NaN. */
function num(cell: string, what: string): number {
  if (cell === "") return Number.NaN;
  const x = Number(cell);
  if (!Number.isFinite(x)) throw new Error(`${what}: "${cell}" is not a number`);
  return x;
}

/** An integer cell (ids, seeds, counts). */
function int(cell: string, what: string): number {
  const x = num(cell, what);
  if (!Number.isInteger(x)) throw new Error(`${what}: "${cell}" is not an integer`);
  return x;
}

/** Seconds with up to 6 decimals → integer µs, exactly (string arithmetic); "" → -1. */
export function parseTimeUs(cell: string, what = "time"): number {
  if (cell === "") return -1;
  const m = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(cell);
  if (m === null) throw new Error(`${what}: "${cell}" is not a time in seconds with at most 6 decimals`);
  const us = Number(m[2]) * 1_000_000 + Number((m[3] ?? "").padEnd(6, "0"));
  return m[1] === "-" ? -us : us;
}

function oneOf<T extends string>(cell: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(cell)) throw new Error(`${what}: unknown value "${cell}"`);
  return cell as T;
}

interface Building {
  result: RunResult;
  blocks: BlockRecord[];
  subBlocks: SubBlockRecord[];
  rebalances: RebalanceRecord[];
  bufferSeries: SeriesPoint[];
  peersOnlineSeries: SeriesPoint[];
  stalls: [number, number][];
  /** A swarm run's rows and series, as read (agents.csv, series.csv); undefined for a single-agent run. */
  swarm?: SwarmParts;
}

interface SwarmParts {
  agents: AgentRow[];
  viewersOnline: SeriesPoint[];
  egress: Record<SourceKind, SeriesPoint[]>;
  trackerLoad: SeriesPoint[];
}

function swarmParts(b: Building): SwarmParts {
  b.swarm ??= {
    agents: [],
    viewersOnline: [],
    egress: { origin: [], server: [], peer: [], viewer: [] },
    trackerLoad: [],
  };
  return b.swarm;
}

/**
 * A run's SwarmResult from what was read: the swarm metrics from the run's metrics, the egress bin from the
 * spacing of the egress points (the scenario's swarm.series_bin_s when there is one point), checked contiguous.
 */
function swarmResult(parts: SwarmParts, m: RunMetrics, scenario: Scenario, what: string): SwarmResult {
  const points = parts.egress.origin;
  const binS = (scenario as { swarm?: { series_bin_s?: number } }).swarm?.series_bin_s ?? 1;
  const binUs = points.length >= 2 ? points[1].timeUs - points[0].timeUs : Math.round(binS * 1e6);
  const bps = {} as Record<SourceKind, number[]>;
  for (const k of SOURCE_KINDS) {
    parts.egress[k].forEach((p, i) => {
      if (p.timeUs !== i * binUs) throw new Error(`${what}: egress_${k}_bps point ${i} at ${p.timeUs} µs, expected ${i * binUs} µs`);
    });
    bps[k] = parts.egress[k].map((p) => p.value);
  }
  return {
    agents: parts.agents,
    metrics: {
      viewers: m.viewers,
      p2pShare: m.p2pShare,
      originPeakBps: m.originPeakBps,
      meanStartupDelayS: m.meanStartupDelayS,
      p95StartupDelayS: m.p95StartupDelayS,
      meanRebufferRatio: m.meanRebufferRatio,
      uploadFairness: m.uploadFairness,
      trackerPeakPerS: m.trackerPeakPerS,
      meanPlaybackLagS: Number.NaN,
    },
    viewersOnline: parts.viewersOnline,
    egress: { binUs, bps },
    trackerLoad: parts.trackerLoad,
  };
}

/** RunMetrics from a value per runs.csv column (what is not stored comes back as a placeholder). */
function runMetricsFrom(value: (name: RunMetricName) => number, fingerprint: string): RunMetrics {
  const m = {} as Record<keyof RunMetrics, number | string>;
  for (const spec of RUN_METRICS) m[spec.field] = value(spec.column);
  m.peakQueueLength = -1;
  m.fingerprint = fingerprint;
  return m as unknown as RunMetrics;
}

/** A run's metrics from summary.json's unrounded values (null → not finite); undefined when it has none. */
function exactMetrics(
  m: Record<RunMetricName, number | null> | undefined,
  fingerprint: string,
  what: string,
): RunMetrics | undefined {
  if (m === undefined) return undefined;
  return runMetricsFrom((name) => {
    const x = m[name];
    if (x === null) return Number.NaN;
    if (typeof x !== "number") throw new Error(`summary.json, ${what}: no ${name}`);
    return x;
  }, fingerprint);
}

function keyOf(strategy: string, seed: string): string {
  return `${seed}\u0000${strategy}`;
}

function readSummary(dir: string): Summary {
  const file = OUTPUT_FILES.summary;
  const s = JSON.parse(readFileSync(join(dir, file), "utf8")) as Summary;
  if (
    typeof s?.tool?.name !== "string" ||
    typeof s.scenario?.name !== "string" ||
    !Array.isArray(s.strategies)
  ) {
    throw new Error(`${file}: not a summary written by this tool (needs tool, scenario and strategies)`);
  }
  return s;
}

/**
 * Reads runs.csv, blocks.csv, subblocks.csv, series.csv, summary.json and (if present) agents.csv and
 * events.jsonl. A swarm run (one with agents.csv rows or swarm series) gets its `swarm` back: its viewers, its
 * series as written (egress in whole bit/s) and its swarm metrics; a viewer's playback lag is -1 when its cell
 * is empty (video on demand).
 */
export function readRunOutputs(dir: string): RunFolder {
  const summary = readSummary(dir);
  // summary.json's unrounded metrics are used instead of runs.csv's rounded ones (older folders lack them).
  const exact = new Map<string, Record<RunMetricName, number | null>>();
  for (const r of summary.runs ?? []) exact.set(keyOf(r.strategy, String(r.seed)), r.metrics);
  const runs = new Map<string, Building>();
  const results: RunResult[] = [];
  for (const r of readTable(dir, OUTPUT_FILES.runs, RUNS_COLUMNS)) {
    const w = `${OUTPUT_FILES.runs} ${r.strategy} seed ${r.seed}`;
    const key = keyOf(r.strategy, r.seed);
    if (runs.has(key)) throw new Error(`${w}: listed twice`);
    const b: Building = {
      blocks: [],
      subBlocks: [],
      rebalances: [],
      bufferSeries: [],
      peersOnlineSeries: [],
      stalls: [],
      result: undefined as unknown as RunResult,
    };
    b.result = {
      scenario: summary.scenario.name,
      strategy: r.strategy,
      seed: int(r.seed, w),
      error: r.error === "" ? null : r.error,
      metrics:
        exactMetrics(exact.get(key), r.fingerprint, w) ?? runMetricsFrom((name) => num(r[name], w), r.fingerprint),
      blocks: b.blocks,
      subBlocks: b.subBlocks,
      rebalances: b.rebalances,
      bufferSeries: b.bufferSeries,
      stalls: b.stalls,
      peersOnlineSeries: b.peersOnlineSeries,
      wall: { simMs: 0 },
    };
    runs.set(key, b);
    results.push(b.result);
  }
  for (const key of exact.keys()) {
    if (!runs.has(key)) throw new Error(`summary.json: run ${key} is not in ${OUTPUT_FILES.runs}`);
  }
  const runOf = (file: string, strategy: string, seed: string): Building => {
    const b = runs.get(keyOf(strategy, seed));
    if (b === undefined) throw new Error(`${file}: ${strategy} seed ${seed} is not in ${OUTPUT_FILES.runs}`);
    return b;
  };

  for (const r of readTable(dir, OUTPUT_FILES.blocks, BLOCKS_COLUMNS)) {
    const w = `${OUTPUT_FILES.blocks} ${r.strategy} seed ${r.seed} block ${r.block}`;
    runOf(OUTPUT_FILES.blocks, r.strategy, r.seed).blocks.push({
      block: int(r.block, w),
      startUs: parseTimeUs(r.start_s, w),
      endUs: parseTimeUs(r.end_s, w),
      bytes: int(r.bytes, w),
      tStarUs: parseTimeUs(r.t_star_s, w),
      tGUs: parseTimeUs(r.t_g_s, w),
    });
  }

  for (const r of readTable(dir, OUTPUT_FILES.subBlocks, SUBBLOCKS_COLUMNS)) {
    const w = `${OUTPUT_FILES.subBlocks} ${r.strategy} seed ${r.seed} sub-block ${r.sub_block}`;
    runOf(OUTPUT_FILES.subBlocks, r.strategy, r.seed).subBlocks.push({
      subBlockId: int(r.sub_block, w),
      block: int(r.block, w),
      nodeId: int(r.node, w),
      nodeKind: oneOf(r.node_kind, NODE_KINDS, w),
      connId: int(r.conn, w),
      requestUs: parseTimeUs(r.request_s, w),
      firstByteUs: parseTimeUs(r.first_byte_s, w),
      endUs: parseTimeUs(r.end_s, w),
      bytes: int(r.bytes, w),
      outcome: oneOf(r.outcome, OUTCOMES, w),
    });
  }

  for (const r of readTable(dir, OUTPUT_FILES.series, SERIES_COLUMNS)) {
    const w = `${OUTPUT_FILES.series} ${r.strategy} seed ${r.seed} ${r.series} at ${r.time_s}`;
    const b = runOf(OUTPUT_FILES.series, r.strategy, r.seed);
    const timeUs = parseTimeUs(r.time_s, w);
    switch (r.series) {
      case "buffer_s":
        b.bufferSeries.push({ timeUs, value: num(r.value, w) });
        break;
      case "peers_online":
        b.peersOnlineSeries.push({ timeUs, value: int(r.value, w) });
        break;
      case "stall_start": {
        const i = int(r.value, w);
        if (i !== b.stalls.length) throw new Error(`${w}: stall ${i} starts out of order`);
        b.stalls.push([timeUs, -1]);
        break;
      }
      case "stall_end": {
        const i = int(r.value, w);
        if (i !== b.stalls.length - 1) throw new Error(`${w}: stall ${i} ends without its start`);
        b.stalls[i][1] = timeUs;
        break;
      }
      case "rebalance":
        b.rebalances.push({
          timeUs,
          fromConn: int(r.from_conn, w),
          toConn: int(r.to_conn, w),
          movedCount: int(r.value, w),
        });
        break;
      case "viewers_online":
        swarmParts(b).viewersOnline.push({ timeUs, value: int(r.value, w) });
        break;
      case "tracker_ops_per_s":
        swarmParts(b).trackerLoad.push({ timeUs, value: int(r.value, w) });
        break;
      default: {
        const kind = EGRESS_SERIES.get(r.series);
        if (kind === undefined) throw new Error(`${w}: unknown series "${r.series}"`);
        swarmParts(b).egress[kind].push({ timeUs, value: num(r.value, w) });
      }
    }
  }

  // agents.csv: only swarm runs write it.
  let agentRows: Record<(typeof AGENTS_COLUMNS)[number], string>[] = [];
  try {
    agentRows = readTable(dir, OUTPUT_FILES.agents, AGENTS_COLUMNS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  for (const r of agentRows) {
    const w = `${OUTPUT_FILES.agents} ${r.strategy} seed ${r.seed} viewer ${r.viewer}`;
    const bytesFrom = {} as Record<SourceKind, number>;
    for (const k of SOURCE_KINDS) bytesFrom[k] = int(r[`${k}_bytes`], w);
    swarmParts(runOf(OUTPUT_FILES.agents, r.strategy, r.seed)).agents.push({
      viewer: r.viewer,
      group: r.group,
      strategy: r.viewer_strategy,
      arrivalUs: parseTimeUs(r.arrival_s, w),
      playAtUs: parseTimeUs(r.play_at_s, w),
      startupDelayS: r.startup_delay_s === "" ? -1 : num(r.startup_delay_s, w),
      stallCount: int(r.stall_count, w),
      stallS: num(r.stall_s, w),
      rebufferRatio: num(r.rebuffer_ratio, w),
      playbackLagS: (r.playback_lag_s ?? "") === "" ? -1 : num(r.playback_lag_s, w),
      completionUs: parseTimeUs(r.completion_s, w),
      departureUs: parseTimeUs(r.departure_s, w),
      departure: oneOf(r.departure, DEPARTURES, w),
      bytesFrom,
      uploadedBytes: int(r.uploaded_bytes, w),
    });
  }
  for (const [key, b] of runs) {
    if (b.swarm === undefined) continue;
    const result = b.result as { swarm?: SwarmResult };
    result.swarm = swarmResult(b.swarm, b.result.metrics, summary.scenario, `${OUTPUT_FILES.series} ${key.replace("\u0000", " ")}`);
  }

  let events: string | null = null;
  try {
    events = readFileSync(join(dir, OUTPUT_FILES.events), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return { summary, scenario: summary.scenario, results, events };
}
