// blocks.csv, subblocks.csv and series.csv are written straight into a byte buffer, digit by digit (a measured
// hot path). Their text must be exactly what the plain definition gives: each row as an array of cells
// formatted by the plain number formatting below, written by csv-stringify. Checked on arbitrary records
// (odd numbers, text needing quotes, characters beyond Latin-1) and on hand-written lines.
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BLOCKS_COLUMNS,
  blocksCsv,
  csvCell,
  formatFixed,
  formatInt,
  formatTimeUs,
  SERIES_COLUMNS,
  seriesCsv,
  SUBBLOCKS_COLUMNS,
  subBlocksCsv,
} from "../../src/report/csv.ts";
import type { RunResult, SubBlockOutcome } from "../../src/sim/metrics/records.ts";
import { fakeMetrics } from "./fixtures.ts";

// ---- the plain definitions (the formatting as first written, before its fast paths) --------------------------

function plainFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return "";
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function plainTimeUs(us: number): string {
  if (us === -1 || !Number.isFinite(us)) return "";
  const r = Math.round(us);
  const abs = Math.abs(r);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs - whole * 1_000_000).padStart(6, "0");
  return `${r < 0 ? "-" : ""}${whole}.${frac}`;
}

const plainInt = (x: number) => plainFixed(x, 0);

function plainCsv(columns: readonly string[], rows: string[][]): string {
  return stringify(rows, { header: true, columns: [...columns], eof: true, record_delimiter: "unix", quoted_match: /\r/ });
}

function plainBlocks(results: readonly RunResult[]): string {
  const rows = results.flatMap((r) =>
    r.blocks.map((b) => [
      r.strategy,
      String(r.seed),
      String(b.block),
      plainTimeUs(b.startUs),
      plainTimeUs(b.endUs),
      plainInt(b.bytes),
      plainTimeUs(b.tStarUs),
      plainTimeUs(b.tGUs),
    ]),
  );
  return plainCsv(BLOCKS_COLUMNS, rows);
}

function plainSubBlocks(results: readonly RunResult[]): string {
  const rows = results.flatMap((r) =>
    r.subBlocks.map((s) => [
      r.strategy,
      String(r.seed),
      String(s.subBlockId),
      String(s.block),
      String(s.nodeId),
      s.nodeKind,
      String(s.connId),
      plainTimeUs(s.requestUs),
      plainTimeUs(s.firstByteUs),
      plainTimeUs(s.endUs),
      plainInt(s.bytes),
      s.outcome,
    ]),
  );
  return plainCsv(SUBBLOCKS_COLUMNS, rows);
}

function plainSeries(results: readonly RunResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const row = (series: string, timeUs: number, value: string, from = "", to = "") =>
      rows.push([r.strategy, String(r.seed), series, plainTimeUs(timeUs), value, from, to]);
    for (const p of r.bufferSeries) row("buffer_s", p.timeUs, plainFixed(p.value, 6));
    for (const p of r.peersOnlineSeries) row("peers_online", p.timeUs, plainInt(p.value));
    r.stalls.forEach(([startUs, endUs], i) => {
      row("stall_start", startUs, String(i));
      row("stall_end", endUs, String(i));
    });
    for (const b of r.rebalances) row("rebalance", b.timeUs, plainInt(b.movedCount), String(b.fromConn), String(b.toConn));
  }
  return plainCsv(SERIES_COLUMNS, rows);
}

// ---- arbitraries -------------------------------------------------------------------------------------------

/** Numbers of every kind a record could hold, the usual ones most often. */
const num = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2_000_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2_000_000_000, max: -1 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      -1, 0, -0, 0.5, -0.5, -0.4, 999_999.5, 1e15 - 1, 1e15, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1.5e300,
      123_456_789_012_345_680_000, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
    ),
  },
);

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("static", "index", "rebalance") },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: "binary" }) },
  { weight: 1, arbitrary: fc.constantFrom("a,b", 'say "hi"', "line\nbreak", "cr\rhere", "é,ü", "日本", "\ud800") },
);

const outcome = fc.constantFrom<SubBlockOutcome>("ok", "corrupt", "dropped", "cancelled", "duplicate");
const nodeKind = fc.constantFrom<"peer" | "server" | "origin">("peer", "server", "origin");

const runArb = fc.record({
  strategy: text,
  seed: num,
  blocks: fc.array(fc.record({ block: num, startUs: num, endUs: num, bytes: num, tStarUs: num, tGUs: num }), { maxLength: 4 }),
  subBlocks: fc.array(
    fc.record({
      subBlockId: num,
      block: num,
      nodeId: num,
      nodeKind,
      connId: num,
      requestUs: num,
      firstByteUs: num,
      endUs: num,
      bytes: num,
      outcome,
    }),
    { maxLength: 4 },
  ),
  bufferSeries: fc.array(fc.record({ timeUs: num, value: num }), { maxLength: 3 }),
  peersOnlineSeries: fc.array(fc.record({ timeUs: num, value: num }), { maxLength: 3 }),
  stalls: fc.array(fc.tuple(num, num), { maxLength: 2 }),
  rebalances: fc.array(fc.record({ timeUs: num, fromConn: num, toConn: num, movedCount: num }), { maxLength: 2 }),
});

type RunInput = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

const asResult = (r: RunInput): RunResult => ({
  scenario: "prop",
  error: null,
  metrics: fakeMetrics(),
  wall: { simMs: 0 },
  ...r,
});

// ---- tests -------------------------------------------------------------------------------------------------

describe("number formatting", () => {
  it("equals the plain definitions for any number", () => {
    fc.assert(
      fc.property(num, (x) => {
        expect(formatTimeUs(x)).toBe(plainTimeUs(x));
        expect(formatInt(x)).toBe(plainInt(x));
        expect(formatFixed(x, 4)).toBe(plainFixed(x, 4));
        expect(formatFixed(x, 6)).toBe(plainFixed(x, 6));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes hand-checked values", () => {
    expect(formatTimeUs(0)).toBe("0.000000");
    expect(formatTimeUs(7)).toBe("0.000007");
    expect(formatTimeUs(1_234_567)).toBe("1.234567");
    expect(formatTimeUs(-2_500_000)).toBe("-2.500000");
    expect(formatTimeUs(-0.4)).toBe("0.000000");
    expect(formatTimeUs(-1)).toBe("");
    expect(formatInt(-0.2)).toBe("0");
    expect(formatInt(2 ** 53 + 2)).toBe("9007199254740994");
    expect(formatFixed(-0.00001, 4)).toBe("0.0000");
  });
});

describe("csvCell", () => {
  it("quotes exactly as csv-stringify does", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(`${csvCell(s)},x\n`).toBe(stringify([[s, "x"]], { eof: true, record_delimiter: "unix", quoted_match: /\r/ }));
      }),
      { numRuns: 500 },
    );
  });
});

describe("direct CSV writers", () => {
  it("write exactly the plain definition's text for any records", () => {
    fc.assert(
      fc.property(fc.array(runArb, { maxLength: 3 }), (runs) => {
        const results = runs.map(asResult);
        expect(blocksCsv(results)).toBe(plainBlocks(results));
        expect(subBlocksCsv(results)).toBe(plainSubBlocks(results));
        expect(seriesCsv(results)).toBe(plainSeries(results));
      }),
      { numRuns: 400 },
    );
  });

  it("write hand-checked lines", () => {
    const result = asResult({
      strategy: "a,b",
      seed: 3,
      blocks: [{ block: 0, startUs: 10, endUs: 2_000_010, bytes: 1000, tStarUs: 1_500_000.6, tGUs: 1_750_000.4 }],
      subBlocks: [
        {
          subBlockId: 4,
          block: 1,
          nodeId: 2,
          nodeKind: "peer",
          connId: 7,
          requestUs: 1_000_000,
          firstByteUs: -1,
          endUs: 1_250_000,
          bytes: 512,
          outcome: "dropped",
        },
      ],
      bufferSeries: [{ timeUs: 5, value: 1.25 }],
      peersOnlineSeries: [],
      stalls: [[100, 200]],
      rebalances: [{ timeUs: 300, fromConn: 1, toConn: 2, movedCount: 3 }],
    });
    expect(blocksCsv([result])).toBe(`${BLOCKS_COLUMNS.join(",")}\n"a,b",3,0,0.000010,2.000010,1000,1.500001,1.750000\n`);
    expect(subBlocksCsv([result])).toBe(`${SUBBLOCKS_COLUMNS.join(",")}\n"a,b",3,4,1,2,peer,7,1.000000,,1.250000,512,dropped\n`);
    expect(seriesCsv([result])).toBe(
      `${SERIES_COLUMNS.join(",")}\n` +
        `"a,b",3,buffer_s,0.000005,1.250000,,\n` +
        `"a,b",3,stall_start,0.000100,0,,\n` +
        `"a,b",3,stall_end,0.000200,0,,\n` +
        `"a,b",3,rebalance,0.000300,3,1,2\n`,
    );
  });
});
