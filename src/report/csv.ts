// The four CSV files of a run folder (runs, blocks, subblocks, series): fixed columns, fixed row order and
// deterministic number formatting, so the same results always give the same bytes. Units are in the column
// names; times are seconds with 6 decimals (exact µs), ratios 4 decimals, bytes and counts integers. An empty
// cell means "never happened" (a time of -1 µs) or a non-finite number. runs.csv's metric columns and their
// formats come from the metric registry (src/metrics/registry.ts). docs/outputs.md describes each file.

import { stringify } from "csv-stringify/sync";
import { assert } from "../assert.ts";
import { type CsvFormat, RUN_METRIC_NAMES, RUN_METRICS } from "../metrics/registry.ts";
import type { RunMetrics, RunResult } from "../sim/metrics/records.ts";

/** runs.csv: strategy, seed, every run metric in the registry's order (src/metrics/registry.ts), fingerprint, error. */
export const RUNS_COLUMNS = ["strategy", "seed", ...RUN_METRIC_NAMES, "fingerprint", "error"] as const;

export const BLOCKS_COLUMNS = ["strategy", "seed", "block", "start_s", "end_s", "bytes", "t_star_s", "t_g_s"] as const;

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
 * these two columns are empty on every other row); swarm runs add viewers_online, egress_<kind>_bps (per bin
 * of swarm.series_bin_s, at the bin's start) and tracker_ops_per_s (swarm-csv.ts).
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

/** A point of a series beyond the agent's own (the swarm's): its name, time and formatted value. */
export interface ExtraPoint {
  readonly series: string;
  readonly timeUs: number;
  readonly value: string;
}

/** `x` with `decimals` decimals; "" when not finite; never "-0.000". */
export function formatFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return "";
  const s = x.toFixed(decimals);
  // Only a text starting with "-" can be a negative zero: the regex runs on those alone (a hot path).
  return s.charCodeAt(0) === 45 && NEGATIVE_ZERO.test(s) ? s.slice(1) : s;
}

const NEGATIVE_ZERO = /^-0(\.0*)?$/;

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
  // A safe integer's toFixed(0) is its String() (-0 included: both "0"); anything else takes the general path.
  return Number.isSafeInteger(x) ? String(x) : formatFixed(x, 0);
}

/**
 * A simulated time in µs as seconds with 6 decimals, computed on integers (exact, no float rounding);
 * "" for -1 (never happened) or a non-finite value. Fractional µs are rounded first.
 */
export function formatTimeUs(us: number): string {
  if (us === -1 || !Number.isFinite(us)) return "";
  const r = Math.round(us);
  if (r >= 0 && r < 1e15) {
    // The common case (a non-negative time under 31 years, where r / 1e6 cannot round across an integer):
    // the same digits as below, whole seconds then the µs padded to 6 digits, without padStart.
    const whole = Math.floor(r / 1_000_000);
    const frac = String(r - whole * 1_000_000);
    return `${whole}.${ZEROS[6 - frac.length]}${frac}`;
  }
  const abs = Math.abs(r);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs - whole * 1_000_000).padStart(6, "0");
  return `${r < 0 ? "-" : ""}${whole}.${frac}`;
}

/** Zeros that pad a 1- to 6-digit µs fraction to 6 digits (index: how many are missing). */
const ZEROS = ["", "0", "00", "000", "0000", "00000"];

/**
 * CSV text with a header row: LF line ends, a final line end, and quotes around any cell holding a comma,
 * a quote, or a line break (CR included, so a reader may accept CRLF files without ambiguity).
 */
export function csvText(columns: readonly string[], rows: string[][]): string {
  const parts = [stringifyRows([[...columns]])];
  for (const row of rows) {
    assert(row.length === columns.length, "csv: row of {0} cells for {1} columns", row.length, columns.length);
    // Cell by cell, as csv-stringify writes a row (the large files use CsvWriter below instead).
    parts.push(`${row.map(csvCell).join(",")}\n`);
  }
  return parts.join("");
}

/** Cells csv-stringify quotes with the options below: a comma, a quote, or a line break (CR included). */
const NEEDS_QUOTES = /[",\n\r]/;

/** csv-stringify with the project's options: LF line ends, a final line end, CR quoted too. */
export function stringifyRows(rows: string[][]): string {
  return stringify(rows, { eof: true, record_delimiter: "unix", quoted_match: /\r/ });
}

/** A metric's value as runs.csv writes it, in the registry's format. */
export const FORMATS: Readonly<Record<CsvFormat, (x: number) => string>> = {
  seconds: formatSeconds,
  ratio: formatRatio,
  integer: formatInt,
};

/** The runs.csv cells of a run's metrics, in column order. */
export function metricCells(m: RunMetrics): string[] {
  return RUN_METRICS.map((spec) => FORMATS[spec.format](m[spec.field]));
}

/** runs.csv: one row per run, in the order given (callers pass orderResults(...)). */
export function runsCsv(results: readonly RunResult[]): string {
  const rows = results.map((r) => [r.strategy, String(r.seed), ...metricCells(r.metrics), r.metrics.fingerprint, r.error ?? ""]);
  return csvText(RUNS_COLUMNS, rows);
}

/**
 * One cell as csv-stringify writes it with the project's options: as is, or (when it holds a comma, a quote or
 * a line break) quoted by csv-stringify itself.
 */
export function csvCell(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? stringifyRows([[cell]]).slice(0, -1) : cell;
}

const COMMA = 44;
const LF = 10;
const DOT = 46;
const ZERO = 48;

/**
 * Builds the large CSV files (blocks, sub-blocks, series) straight into a growing byte buffer: text cells go
 * through csvCell, numbers are written digit by digit when they are non-negative safe integers (or, for times,
 * µs under 1e15) and through the formatting functions above otherwise, so every line has exactly the
 * characters csvText would write for the same cells, without a string per cell, an array per row or a regex per
 * cell (measured: 100k sub-block rows in ~35 ms instead of ~110 ms). Bytes are Latin-1 characters (one byte
 * each); a text holding a character above U+00FF is kept as a string part of its own, never encoded.
 */
class CsvWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;
  /** Text already built: flushed buffer contents and texts that do not fit in Latin-1. */
  private readonly parts: string[] = [];

  /** Room for n more bytes. */
  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private flush(): void {
    if (this.pos > 0) this.parts.push(this.buf.toString("latin1", 0, this.pos));
    this.pos = 0;
  }

  /** A CSV fragment written as is. */
  raw(s: string): void {
    this.reserve(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) {
        // Not Latin-1: the bytes written so far of s are dropped (pos is unchanged) and s is kept whole.
        this.flush();
        this.parts.push(s);
        return;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** A text cell, quoted when it needs to be. */
  cell(s: string): void {
    this.raw(csvCell(s));
  }

  comma(): void {
    this.reserve(1);
    this.buf[this.pos++] = COMMA;
  }

  endLine(): void {
    this.reserve(1);
    this.buf[this.pos++] = LF;
  }

  /** The decimal digits of a non-negative safe integer (what String() writes for it, -0 included). */
  private digits(n: number): void {
    let count = 1;
    for (let x = n; x >= 10 && count < 16; count++) x = Math.floor(x / 10);
    this.reserve(count);
    const b = this.buf;
    let p = this.pos + count;
    this.pos = p;
    for (let i = 0; i < count; i++) {
      const q = Math.floor(n / 10);
      b[--p] = ZERO + (n - q * 10);
      n = q;
    }
  }

  /** String(n). */
  int(n: number): void {
    if (n >= 0 && Number.isSafeInteger(n)) this.digits(n);
    else this.raw(String(n));
  }

  /** formatInt(x). */
  roundedInt(x: number): void {
    if (x >= 0 && Number.isSafeInteger(x)) this.digits(x);
    else this.raw(formatInt(x));
  }

  /** formatTimeUs(us). */
  timeUs(us: number): void {
    const r = Math.round(us);
    if (!(r >= 0 && r < 1e15)) {
      this.raw(formatTimeUs(us));
      return;
    }
    const whole = Math.floor(r / 1_000_000);
    this.digits(whole);
    this.reserve(7);
    const b = this.buf;
    let frac = r - whole * 1_000_000;
    let p = this.pos + 7;
    b[this.pos] = DOT;
    this.pos = p;
    for (let i = 0; i < 6; i++) {
      const q = Math.floor(frac / 10);
      b[--p] = ZERO + (frac - q * 10);
      frac = q;
    }
  }

  /** The header line, as csvText writes it. */
  header(columns: readonly string[]): void {
    columns.forEach((c, i) => {
      if (i > 0) this.comma();
      this.cell(c);
    });
    this.endLine();
  }

  text(): string {
    this.flush();
    return this.parts.length === 1 ? this.parts[0] : this.parts.join("");
  }
}

/** The cells every row of a run starts with: strategy and seed, and the comma after them. */
function runPrefix(r: RunResult): string {
  return `${csvCell(r.strategy)},${r.seed},`;
}

/** blocks.csv: every block of every run, in block-record order. */
export function blocksCsv(results: readonly RunResult[]): string {
  const w = new CsvWriter();
  w.header(BLOCKS_COLUMNS);
  for (const r of results) {
    const prefix = runPrefix(r);
    for (const b of r.blocks) {
      w.raw(prefix);
      w.int(b.block);
      w.comma();
      w.timeUs(b.startUs);
      w.comma();
      w.timeUs(b.endUs);
      w.comma();
      w.roundedInt(b.bytes);
      w.comma();
      w.timeUs(b.tStarUs);
      w.comma();
      w.timeUs(b.tGUs);
      w.endLine();
    }
  }
  return w.text();
}

/** subblocks.csv: every sub-block request of every run, in record order. */
export function subBlocksCsv(results: readonly RunResult[]): string {
  const w = new CsvWriter();
  w.header(SUBBLOCKS_COLUMNS);
  // node_kind and outcome take a handful of values: each is checked for quoting when it changes, not per row.
  let kind = "";
  let kindCell = "";
  let outcome = "";
  let outcomeCell = "";
  for (const r of results) {
    const prefix = runPrefix(r);
    for (const s of r.subBlocks) {
      if (s.nodeKind !== kind) {
        kind = s.nodeKind;
        kindCell = csvCell(kind);
      }
      if (s.outcome !== outcome) {
        outcome = s.outcome;
        outcomeCell = csvCell(outcome);
      }
      w.raw(prefix);
      w.int(s.subBlockId);
      w.comma();
      w.int(s.block);
      w.comma();
      w.int(s.nodeId);
      w.comma();
      w.raw(kindCell);
      w.comma();
      w.int(s.connId);
      w.comma();
      w.timeUs(s.requestUs);
      w.comma();
      w.timeUs(s.firstByteUs);
      w.comma();
      w.timeUs(s.endUs);
      w.comma();
      w.roundedInt(s.bytes);
      w.comma();
      w.raw(outcomeCell);
      w.endLine();
    }
  }
  return w.text();
}

/**
 * series.csv: per run, buffer_s points, peers_online points, stalls (start, end), rebalances, then (swarm
 * runs) the points `more` gives (swarm-csv.ts's swarm series).
 */
export function seriesCsv(results: readonly RunResult[], more: (r: RunResult) => readonly ExtraPoint[] = () => []): string {
  const w = new CsvWriter();
  w.header(SERIES_COLUMNS);
  for (const r of results) {
    const prefix = runPrefix(r);
    const row = (series: string, timeUs: number, value: string, from = "", to = "") => {
      w.raw(prefix);
      w.cell(series);
      w.comma();
      w.timeUs(timeUs);
      w.comma();
      w.raw(value);
      w.comma();
      w.raw(from);
      w.comma();
      w.raw(to);
      w.endLine();
    };
    for (const p of r.bufferSeries) row("buffer_s", p.timeUs, formatSeconds(p.value));
    for (const p of r.peersOnlineSeries) row("peers_online", p.timeUs, formatInt(p.value));
    r.stalls.forEach(([startUs, endUs], i) => {
      row("stall_start", startUs, String(i));
      row("stall_end", endUs, String(i));
    });
    for (const b of r.rebalances) {
      row("rebalance", b.timeUs, formatInt(b.movedCount), String(b.fromConn), String(b.toConn));
    }
    for (const p of more(r)) row(p.series, p.timeUs, p.value);
  }
  return w.text();
}
