// Chart `waterfall-<strategy>`: a per-connection Gantt of one run's sub-block requests (the seed the report
// shows), drawn from an aggregate so it stays readable and cheap at any size: on each connection's row, the
// time a request waited for its first byte (thin grey), waited and got no byte (a timeout or a cancel: thin
// pale red), and transferred (a bar coloured by outcome); sub-blocks of one kind that follow each other within
// a pixel are merged into one bar (a request holding many sub-blocks is one bar, its count in the tooltip), and
// the pixel doubles until the chart holds at most MAX_WATERFALL_SEGMENTS bars. Crosses mark cancels, dashed
// rules rebalances. Every waterfall of a report can share one time axis (`endS`). At most MAX_WATERFALL_ROWS
// connections (the busiest) are drawn; the subtitle says so when there were more.

import type { TopLevelSpec } from "vega-lite";
import { assert } from "../../assert.ts";
import type { RunResult, SubBlockRecord } from "../../sim/metrics/records.ts";
import { runEndUs, seconds } from "./select.ts";
import { CHART_WIDTH, chartConfig, OUTCOME_COLOURS, OUTCOMES, VL_SCHEMA } from "./theme.ts";

/** Most bars a waterfall draws (the merging pixel doubles until the chart fits). */
export const MAX_WATERFALL_SEGMENTS = 2000;
/** Most connection rows drawn (the busiest by sub-blocks, shown in connection order). */
export const MAX_WATERFALL_ROWS = 80;
/** Rebalance rules drawn at most. */
export const MAX_WATERFALL_REBALANCES = 500;

/** What a bar shows: a wait (before the first byte, or for a byte that never came) or a transfer's outcome. */
export const WAIT = "waiting for first byte";
export const NO_BYTE = "waited, no byte (timeout or cancel)";
export const WATERFALL_KINDS = [WAIT, NO_BYTE, ...OUTCOMES] as const;
const KIND_COLOURS = ["#c8c8c8", "#f2a7a3", ...OUTCOME_COLOURS];

/** The label of a connection's row: its id and the node it talks to. */
export function connLabel(s: SubBlockRecord): string {
  return `conn ${s.connId} · ${s.nodeKind} ${s.nodeId}`;
}

export interface WaterfallBar {
  readonly conn: string;
  readonly kind: (typeof WATERFALL_KINDS)[number];
  readonly start_s: number;
  readonly end_s: number;
  /** Sub-blocks merged into the bar. */
  readonly sub_blocks: number;
  readonly bytes: number;
}

export interface WaterfallData {
  /** By row, then kind (waits first), then time. */
  readonly bars: readonly WaterfallBar[];
  /** Ends of cancelled sub-blocks (merged like the bars). */
  readonly cancels: readonly { conn: string; time_s: number; sub_blocks: number }[];
  readonly rebalances: readonly { time_s: number; from_conn: number; to_conn: number; moved: number }[];
  readonly rows: readonly string[];
  /** Connections of the run (rows before the cap). */
  readonly connections: number;
  /** Sub-block records of the run and of the drawn rows. */
  readonly total: number;
  readonly drawn: number;
  /** Bars closer than this were merged, s (0: nothing merged). */
  readonly mergeS: number;
}

export interface WaterfallOptions {
  readonly maxSegments?: number;
  readonly maxRows?: number;
  /** End of the shared time axis, s; default this run's end. */
  readonly endS?: number;
}

interface Merged {
  readonly row: number;
  readonly kind: number;
  readonly startUs: number;
  endUs: number;
  bytes: number;
  count: number;
}

/**
 * Spans of one (row, kind), as flat triples (start µs, end µs, bytes), sorted by start (then end) in place; it
 * is nearly always sorted already (requests in time order), which the check finds in one pass.
 */
class Bucket {
  readonly xs: number[] = [];
  constructor(
    readonly row: number,
    readonly kind: number,
  ) {}

  push(startUs: number, endUs: number, bytes: number): void {
    this.xs.push(startUs, endUs, bytes);
  }

  sort(): void {
    const xs = this.xs;
    let sorted = true;
    for (let i = 3; i < xs.length && sorted; i += 3) sorted = xs[i - 3] < xs[i] || (xs[i - 3] === xs[i] && xs[i - 2] <= xs[i + 1]);
    if (sorted) return;
    const idx = Array.from({ length: xs.length / 3 }, (_, k) => k * 3);
    idx.sort((p, q) => xs[p] - xs[q] || xs[p + 1] - xs[q + 1] || xs[p + 2] - xs[q + 2]);
    const copy = idx.flatMap((i) => [xs[i], xs[i + 1], xs[i + 2]]);
    for (let i = 0; i < copy.length; i++) xs[i] = copy[i];
  }

  /** The spans merged when they touch within `tolUs`, appended to `out`. */
  mergeInto(out: Merged[], tolUs: number): void {
    const xs = this.xs;
    let cur: Merged | null = null;
    for (let i = 0; i < xs.length; i += 3) {
      if (cur !== null && xs[i] <= cur.endUs + tolUs) {
        if (xs[i + 1] > cur.endUs) cur.endUs = xs[i + 1];
        cur.bytes += xs[i + 2];
        cur.count++;
      } else {
        cur = { row: this.row, kind: this.kind, startUs: xs[i], endUs: xs[i + 1], bytes: xs[i + 2], count: 1 };
        out.push(cur);
      }
    }
  }
}

/** Every bucket merged, in bucket order (row, then kind). */
function mergeAll(buckets: readonly Bucket[], tolUs: number): Merged[] {
  const out: Merged[] = [];
  for (const b of buckets) b.mergeInto(out, tolUs);
  return out;
}

/** The aggregate a waterfall draws (see the file comment). */
export function waterfallData(run: RunResult, opts: WaterfallOptions = {}): WaterfallData {
  const maxSegments = opts.maxSegments ?? MAX_WATERFALL_SEGMENTS;
  const maxRows = opts.maxRows ?? MAX_WATERFALL_ROWS;
  assert(maxSegments >= 1 && maxRows >= 1, "waterfall: bad limits {0}, {1}", maxSegments, maxRows);
  const runEnd = runEndUs(run);
  // Rows: every connection, the busiest kept, shown in connection order.
  const perConn = new Map<number, { label: string; count: number }>();
  for (const s of run.subBlocks) {
    const c = perConn.get(s.connId);
    if (c === undefined) perConn.set(s.connId, { label: connLabel(s), count: 1 });
    else c.count++;
  }
  const kept = [...perConn.entries()]
    .sort((a, b) => b[1].count - a[1].count || a[0] - b[0])
    .slice(0, maxRows)
    .sort((a, b) => a[0] - b[0]);
  const rowOf = new Map(kept.map(([id], i) => [id, i]));
  const rows = kept.map(([, c]) => c.label);
  // Buckets by (row, kind): kinds 0 (wait), 1 (no byte), 2… (outcomes); cancels in their own per row.
  const kinds = WATERFALL_KINDS.length;
  const buckets: (Bucket | undefined)[] = [];
  const cancelBuckets: (Bucket | undefined)[] = [];
  const bucket = (into: (Bucket | undefined)[], row: number, kind: number) => {
    const key = row * kinds + kind;
    return (into[key] ??= new Bucket(row, kind));
  };
  const outcomeKind = new Map<string, number>(OUTCOMES.map((o, i) => [o, 2 + i]));
  let drawn = 0;
  for (const s of run.subBlocks) {
    const row = rowOf.get(s.connId);
    if (row === undefined) continue;
    drawn++;
    // A request that never ended (the run stopped first) is drawn to the end of the run.
    const end = s.endUs >= s.requestUs ? s.endUs : Math.max(s.requestUs, runEnd);
    if (s.firstByteUs >= s.requestUs) {
      bucket(buckets, row, 0).push(s.requestUs, s.firstByteUs, 0);
      bucket(buckets, row, outcomeKind.get(s.outcome) as number).push(s.firstByteUs, Math.max(s.firstByteUs, end), s.bytes);
    } else {
      bucket(buckets, row, 1).push(s.requestUs, end, s.bytes);
    }
    if (s.outcome === "cancelled") bucket(cancelBuckets, row, 0).push(end, end, 0);
  }
  const spans = buckets.filter((b): b is Bucket => b !== undefined);
  const cancelSpans = cancelBuckets.filter((b): b is Bucket => b !== undefined);
  for (const b of [...spans, ...cancelSpans]) b.sort();
  const endUs = Math.max(runEnd, Math.round((opts.endS ?? 0) * 1e6), 1);
  let tolUs = endUs / CHART_WIDTH; // one pixel of the time axis
  let merged = mergeAll(spans, tolUs);
  let cancels = mergeAll(cancelSpans, tolUs);
  for (let k = 0; k < 64 && merged.length + cancels.length > maxSegments; k++) {
    tolUs *= 2;
    merged = mergeAll(spans, tolUs);
    cancels = mergeAll(cancelSpans, tolUs);
  }
  const bars = merged.map((m) => ({
    conn: rows[m.row],
    kind: WATERFALL_KINDS[m.kind],
    start_s: seconds(m.startUs),
    end_s: seconds(m.endUs),
    sub_blocks: m.count,
    bytes: m.bytes,
  }));
  const rebalances = run.rebalances.slice(0, MAX_WATERFALL_REBALANCES).map((r) => ({
    time_s: seconds(r.timeUs),
    from_conn: r.fromConn,
    to_conn: r.toConn,
    moved: r.movedCount,
  }));
  return {
    bars,
    cancels: cancels.map((m) => ({ conn: rows[m.row], time_s: seconds(m.startUs), sub_blocks: m.count })),
    rebalances,
    rows,
    connections: perConn.size,
    total: run.subBlocks.length,
    drawn,
    mergeS: seconds(tolUs),
  };
}

/** A duration for the subtitle: "12 ms", "1.5 s". */
function duration(s: number): string {
  return s >= 1 ? `${Number(s.toPrecision(2))} s` : `${Number((s * 1000).toPrecision(2))} ms`;
}

/** The waterfall of one run (the seed the report shows); `endS` gives every waterfall one time axis. */
export function waterfallChart(run: RunResult, opts: WaterfallOptions = {}): TopLevelSpec {
  const d = waterfallData(run, opts);
  const endS = Math.max(opts.endS ?? 0, seconds(runEndUs(run)));
  const y = { field: "conn", type: "nominal", title: "connection (node)", sort: d.rows } as const;
  const x = {
    type: "quantitative",
    title: "time (s)",
    scale: { domain: [0, endS > 0 ? endS : 1], nice: false },
  } as const;
  const subtitle = [
    "bar: from first byte to end, coloured by outcome; thin grey: waiting for the first byte; thin red: no byte came",
    `×: cancel; dashed rule: rebalance; requests of one kind closer than ${duration(d.mergeS)} are one bar`,
    ...(d.rows.length < d.connections
      ? [`the ${d.rows.length} busiest of ${d.connections} connections (${d.drawn} of ${d.total} sub-block requests)`]
      : []),
    ...(run.error !== null ? [`the run failed: ${run.error}`] : []),
  ];
  const colour = {
    field: "kind",
    type: "nominal",
    title: "sub-blocks",
    scale: { domain: [...WATERFALL_KINDS], range: KIND_COLOURS },
    legend: { labelLimit: 320 },
  } as const;
  const tooltip = [
    { field: "conn", type: "nominal", title: "connection" },
    { field: "kind", type: "nominal" },
    { field: "start_s", type: "quantitative", title: "from (s)", format: ".6f" },
    { field: "end_s", type: "quantitative", title: "to (s)", format: ".6f" },
    { field: "sub_blocks", type: "quantitative", title: "sub-blocks" },
    { field: "bytes", type: "quantitative" },
  ];
  const waits = d.bars.filter((b) => b.kind === WAIT || b.kind === NO_BYTE);
  const transfers = d.bars.filter((b) => b.kind !== WAIT && b.kind !== NO_BYTE);
  const layers: object[] = [
    {
      data: { values: waits },
      mark: { type: "bar", height: { band: 0.3 } },
      encoding: { y, x: { ...x, field: "start_s" }, x2: { field: "end_s" }, color: colour, tooltip },
    },
    {
      data: { values: transfers },
      mark: { type: "bar", height: { band: 0.75 } },
      encoding: { y, x: { ...x, field: "start_s" }, x2: { field: "end_s" }, color: colour, tooltip },
    },
  ];
  if (d.cancels.length > 0) {
    layers.push({
      data: { values: d.cancels },
      mark: { type: "point", shape: "cross", color: "#333333", size: 30, filled: true, angle: 45 },
      encoding: {
        y,
        x: { ...x, field: "time_s" },
        tooltip: [
          { field: "time_s", type: "quantitative", title: "cancel (s)", format: ".6f" },
          { field: "sub_blocks", type: "quantitative", title: "sub-blocks cancelled" },
        ],
      },
    });
  }
  if (d.rebalances.length > 0) {
    layers.push({
      data: { values: d.rebalances },
      mark: { type: "rule", color: "#555555", strokeDash: [4, 3], strokeWidth: 1, opacity: 0.45 },
      encoding: {
        x: { ...x, field: "time_s" },
        tooltip: [
          { field: "time_s", type: "quantitative", title: "rebalance (s)", format: ".6f" },
          { field: "from_conn", type: "quantitative", title: "from conn" },
          { field: "to_conn", type: "quantitative", title: "to conn" },
          { field: "moved", type: "quantitative", title: "sub-blocks moved" },
        ],
      },
    });
  }
  return {
    $schema: VL_SCHEMA,
    title: { text: `Sub-block waterfall: ${run.strategy}, seed ${run.seed}`, subtitle },
    config: chartConfig(),
    width: CHART_WIDTH,
    height: { step: Math.max(8, Math.min(16, Math.floor(480 / Math.max(1, d.rows.length)))) },
    layer: layers,
  } as TopLevelSpec;
}
