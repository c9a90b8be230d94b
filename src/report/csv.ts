// The four CSV files of a run folder (runs, blocks, subblocks, series): fixed columns, fixed row order and
// deterministic number formatting, so the same results always give the same bytes. Units are in the column
// names; times are seconds with 6 decimals (exact µs), ratios 4 decimals, bytes and counts integers. An empty
// cell means "never happened" (a time of -1 µs) or a non-finite number. docs/outputs.md describes each file.

import { stringify } from "csv-stringify/sync";
import type { RunResult } from "../sim/metrics/records.ts";

export const RUNS_COLUMNS = [
  "strategy",
  "seed",
  "completion_s",
  "throughput_bps",
  "t_star_ratio",
  "mean_block_s",
  "p95_block_s",
  "redundant_bytes",
  "failed_bytes",
  "origin_bytes",
  "rebalances",
  "blacklisted",
  "startup_delay_s",
  "stall_count",
  "stall_s",
  "rebuffer_ratio",
  "events",
  "fingerprint",
  "error",
] as const;

export const BLOCKS_COLUMNS = ["strategy", "seed", "block", "start_s", "end_s", "bytes", "t_star_s"] as const;

export const SUBBLOCKS_COLUMNS = [
  "strategy",
  "seed",
  "sub_block",
  "block",
  "node",
  "node_kind",
  "conn",
  "request_s",
  "first_byte_s",
  "end_s",
  "bytes",
  "outcome",
] as const;

/**
 * series.csv holds every time series of a run, one point per row, told apart by `series`:
 * buffer_s (value = seconds buffered), peers_online (value = count), stall_start / stall_end (value = the
 * stall's 0-based number, pairing the two rows), rebalance (value = sub-blocks moved, from_conn / to_conn set;
 * these two columns are empty on every other row).
 */
export const SERIES_COLUMNS = [
  "strategy",
  "seed",
  "series",
  "time_s",
  "value",
  "from_conn",
  "to_conn",
] as const;

export type SeriesName = "buffer_s" | "peers_online" | "stall_start" | "stall_end" | "rebalance";
export const SERIES_NAMES: readonly SeriesName[] = [
  "buffer_s",
  "peers_online",
  "stall_start",
  "stall_end",
  "rebalance",
];

/** `x` with `decimals` decimals; "" when not finite; never "-0.000". */
export function formatFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return "";
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Seconds, 6 decimals (µs resolution). */
export function formatSeconds(x: number): string {
  return formatFixed(x, 6);
}

/** A dimensionless ratio, 4 decimals. */
export function formatRatio(x: number): string {
  return formatFixed(x, 4);
}

/** Bytes, counts, bit rates: rounded to an integer. */
export function formatInt(x: number): string {
  return formatFixed(x, 0);
}

/**
 * A simulated time in µs as seconds with 6 decimals, computed on integers (exact, no float rounding);
 * "" for -1 (never happened) or a non-finite value. Fractional µs are rounded first.
 */
export function formatTimeUs(us: number): string {
  if (us === -1 || !Number.isFinite(us)) return "";
  const r = Math.round(us);
  const abs = Math.abs(r);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs - whole * 1_000_000).padStart(6, "0");
  return `${r < 0 ? "-" : ""}${whole}.${frac}`;
}

/**
 * CSV text with a header row: LF line ends, a final line end, and quotes around any cell holding a comma,
 * a quote, or a line break (CR included, so a reader may accept CRLF files without ambiguity).
 */
export function csvText(columns: readonly string[], rows: string[][]): string {
  const parts = [stringifyRows([[...columns]])];
  for (const row of rows) {
    if (row.length !== columns.length)
      throw new Error(`csv: row of ${row.length} cells for ${columns.length} columns`);
    // Measured hot path (100k sub-block rows: 350 ms through csv-stringify, 30 ms joined): a row with no cell
    // to quote is written directly, exactly as csv-stringify writes it; any other row goes through it.
    parts.push(row.some((cell) => NEEDS_QUOTES.test(cell)) ? stringifyRows([row]) : `${row.join(",")}\n`);
  }
  return parts.join("");
}

/** Cells csv-stringify quotes with the options below: a comma, a quote, or a line break (CR included). */
const NEEDS_QUOTES = /[",\n\r]/;

/** csv-stringify with the project's options: LF line ends, a final line end, CR quoted too. */
export function stringifyRows(rows: string[][]): string {
  return stringify(rows, { eof: true, record_delimiter: "unix", quoted_match: /\r/ });
}

/** runs.csv: one row per run, in the order given (callers pass orderResults(...)). */
export function runsCsv(results: readonly RunResult[]): string {
  const rows = results.map((r) => {
    const m = r.metrics;
    return [
      r.strategy,
      String(r.seed),
      formatSeconds(m.completionS),
      formatInt(m.throughputBps),
      formatRatio(m.tStarRatio),
      formatSeconds(m.meanBlockS),
      formatSeconds(m.p95BlockS),
      formatInt(m.redundantBytes),
      formatInt(m.failedBytes),
      formatInt(m.originBytes),
      formatInt(m.rebalances),
      formatInt(m.blacklisted),
      formatSeconds(m.startupDelayS),
      formatInt(m.stallCount),
      formatSeconds(m.stallS),
      formatRatio(m.rebufferRatio),
      formatInt(m.events),
      m.fingerprint,
      r.error ?? "",
    ];
  });
  return csvText(RUNS_COLUMNS, rows);
}

/** blocks.csv: every block of every run, in block-record order. */
export function blocksCsv(results: readonly RunResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const b of r.blocks) {
      rows.push([
        r.strategy,
        String(r.seed),
        String(b.block),
        formatTimeUs(b.startUs),
        formatTimeUs(b.endUs),
        formatInt(b.bytes),
        formatTimeUs(b.tStarUs),
      ]);
    }
  }
  return csvText(BLOCKS_COLUMNS, rows);
}

/** subblocks.csv: every sub-block request of every run, in record order. */
export function subBlocksCsv(results: readonly RunResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const s of r.subBlocks) {
      rows.push([
        r.strategy,
        String(r.seed),
        String(s.subBlockId),
        String(s.block),
        String(s.nodeId),
        s.nodeKind,
        String(s.connId),
        formatTimeUs(s.requestUs),
        formatTimeUs(s.firstByteUs),
        formatTimeUs(s.endUs),
        formatInt(s.bytes),
        s.outcome,
      ]);
    }
  }
  return csvText(SUBBLOCKS_COLUMNS, rows);
}

/** series.csv: per run, buffer_s points, peers_online points, stalls (start, end), then rebalances. */
export function seriesCsv(results: readonly RunResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const row = (series: SeriesName, timeUs: number, value: string, from = "", to = "") =>
      rows.push([r.strategy, String(r.seed), series, formatTimeUs(timeUs), value, from, to]);
    for (const p of r.bufferSeries) row("buffer_s", p.timeUs, formatSeconds(p.value));
    for (const p of r.peersOnlineSeries) row("peers_online", p.timeUs, formatInt(p.value));
    r.stalls.forEach(([startUs, endUs], i) => {
      row("stall_start", startUs, String(i));
      row("stall_end", endUs, String(i));
    });
    for (const b of r.rebalances) {
      row("rebalance", b.timeUs, formatInt(b.movedCount), String(b.fromConn), String(b.toConn));
    }
  }
  return csvText(SERIES_COLUMNS, rows);
}
