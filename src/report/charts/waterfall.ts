// Chart `waterfall-<strategy>`: a per-connection Gantt of one run's sub-block requests (the strategy's first
// seed). Each bar runs from request to end and is coloured by outcome; a black tick marks the first byte; grey
// dashed rules mark rebalances. Only the first MAX_WATERFALL_SUB_BLOCKS requests (by request time) are drawn,
// and the title says so when the run had more.

import type { TopLevelSpec } from "vega-lite";
import type { RunResult, SubBlockRecord } from "../../sim/metrics/records.ts";
import { runEndUs, seconds } from "./select.ts";
import { CHART_WIDTH, chartConfig, OUTCOME_COLOURS, OUTCOMES, VL_SCHEMA } from "./theme.ts";

export const MAX_WATERFALL_SUB_BLOCKS = 3000;
/** Rebalance rules drawn at most (within the drawn time range). */
export const MAX_WATERFALL_REBALANCES = 500;

/** The label of a connection's row: its id and the node it talks to. */
export function connLabel(s: SubBlockRecord): string {
  return `conn ${s.connId} · ${s.nodeKind} ${s.nodeId}`;
}

export interface WaterfallData {
  readonly bars: {
    conn: string;
    conn_id: number;
    sub_block: number;
    block: number;
    outcome: string;
    request_s: number;
    end_s: number;
    bytes: number;
  }[];
  readonly firstBytes: { conn: string; first_byte_s: number }[];
  readonly rebalances: {
    time_s: number;
    from_conn: number;
    to_conn: number;
    moved: number;
  }[];
  readonly rows: string[];
  readonly total: number;
  readonly capped: boolean;
}

/** The drawn rows of a run: requests sorted by (request time, connection, sub-block), capped. */
export function waterfallData(run: RunResult, maxSubBlocks = MAX_WATERFALL_SUB_BLOCKS): WaterfallData {
  const sorted = [...run.subBlocks].sort(
    (a, b) => a.requestUs - b.requestUs || a.connId - b.connId || a.subBlockId - b.subBlockId,
  );
  const drawn = sorted.slice(0, maxSubBlocks);
  const runEnd = runEndUs(run);
  const bars = drawn.map((s) => ({
    conn: connLabel(s),
    conn_id: s.connId,
    sub_block: s.subBlockId,
    block: s.block,
    outcome: s.outcome,
    request_s: seconds(s.requestUs),
    // A request that never ended (the run stopped first) is drawn to the end of the run.
    end_s: seconds(s.endUs >= s.requestUs ? s.endUs : Math.max(s.requestUs, runEnd)),
    bytes: s.bytes,
  }));
  const firstBytes = drawn
    .filter((s) => s.firstByteUs >= 0)
    .map((s) => ({ conn: connLabel(s), first_byte_s: seconds(s.firstByteUs) }));
  const rowIds = new Map<string, number>();
  for (const s of drawn) if (!rowIds.has(connLabel(s))) rowIds.set(connLabel(s), s.connId);
  const rows = [...rowIds.entries()]
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .map(([label]) => label);
  const lastDrawnUs = drawn.reduce((m, s) => Math.max(m, s.endUs, s.requestUs), 0);
  const capped = drawn.length < sorted.length;
  const rebalances = run.rebalances
    .filter((r) => !capped || r.timeUs <= lastDrawnUs)
    .slice(0, MAX_WATERFALL_REBALANCES)
    .map((r) => ({
      time_s: seconds(r.timeUs),
      from_conn: r.fromConn,
      to_conn: r.toConn,
      moved: r.movedCount,
    }));
  return { bars, firstBytes, rebalances, rows, total: sorted.length, capped };
}

/** The waterfall of one run (normally the strategy's first seed). */
export function waterfallChart(run: RunResult, maxSubBlocks = MAX_WATERFALL_SUB_BLOCKS): TopLevelSpec {
  const d = waterfallData(run, maxSubBlocks);
  const y = {
    field: "conn",
    type: "nominal",
    title: "connection (node)",
    sort: d.rows,
  } as const;
  const x = { type: "quantitative", title: "time (s)" } as const;
  const subtitle = [
    "bar: request → end, coloured by outcome; black tick: first byte; dashed rule: rebalance",
    ...(d.capped ? [`showing the first ${d.bars.length} of ${d.total} sub-block requests`] : []),
    ...(run.error !== null ? [`the run failed: ${run.error}`] : []),
  ];
  const layers: object[] = [
    {
      data: { values: d.bars },
      mark: { type: "bar", height: { band: 0.7 }, opacity: 0.85 },
      encoding: {
        y,
        x: { ...x, field: "request_s" },
        x2: { field: "end_s" },
        color: {
          field: "outcome",
          type: "nominal",
          title: "outcome",
          scale: { domain: [...OUTCOMES], range: [...OUTCOME_COLOURS] },
        },
        tooltip: [
          { field: "sub_block", type: "quantitative", title: "sub-block" },
          { field: "block", type: "quantitative" },
          { field: "conn", type: "nominal", title: "connection" },
          { field: "outcome", type: "nominal" },
          {
            field: "request_s",
            type: "quantitative",
            title: "request (s)",
            format: ".6f",
          },
          {
            field: "end_s",
            type: "quantitative",
            title: "end (s)",
            format: ".6f",
          },
          { field: "bytes", type: "quantitative" },
        ],
      },
    },
    {
      data: { values: d.firstBytes },
      mark: {
        type: "tick",
        color: "#222222",
        thickness: 1,
        bandSize: 7,
        opacity: 0.7,
      },
      encoding: { y, x: { ...x, field: "first_byte_s" } },
    },
  ];
  if (d.rebalances.length > 0) {
    layers.push({
      data: { values: d.rebalances },
      mark: {
        type: "rule",
        color: "#555555",
        strokeDash: [4, 3],
        strokeWidth: 1,
        opacity: 0.45,
      },
      encoding: {
        x: { ...x, field: "time_s" },
        tooltip: [
          {
            field: "time_s",
            type: "quantitative",
            title: "rebalance (s)",
            format: ".6f",
          },
          { field: "from_conn", type: "quantitative", title: "from conn" },
          { field: "to_conn", type: "quantitative", title: "to conn" },
          { field: "moved", type: "quantitative", title: "sub-blocks moved" },
        ],
      },
    });
  }
  return {
    $schema: VL_SCHEMA,
    title: {
      text: `Sub-block waterfall: ${run.strategy}, seed ${run.seed}`,
      subtitle,
    },
    config: chartConfig(),
    width: CHART_WIDTH,
    height: {
      step: Math.max(8, Math.min(16, Math.floor(480 / Math.max(1, d.rows.length)))),
    },
    layer: layers,
  } as TopLevelSpec;
}
