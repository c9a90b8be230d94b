// Chart specs: each compiles with Vega-Lite and renders with Vega without a warning, is deterministic (same
// input ⇒ same JSON, same SVG bytes), names its axes with units and its strategies, and is omitted when it
// has nothing to show. Data helpers are checked against hand-computed values.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunResult, SubBlockRecord } from "../../src/sim/metrics/records.ts";
import { blockTimeCdfData } from "../../src/report/charts/block-time-cdf.ts";
import { bufferChart, bufferCurve, worstSeed } from "../../src/report/charts/buffer.ts";
import { peersOnlineChart } from "../../src/report/charts/peers-online.ts";
import { chartSpecs, specJson } from "../../src/report/charts/index.ts";
import { metricLabel } from "../../src/report/charts/labels.ts";
import { metricPanels, metricsChart, metricsData } from "../../src/report/charts/metrics.ts";
import { thin } from "../../src/report/charts/select.ts";
import { type SweepPoint, sweepChart, sweepHeatmap } from "../../src/report/charts/sweep.ts";
import { NO_BYTE, WAIT, waterfallChart, waterfallData } from "../../src/report/charts/waterfall.ts";
import { readFileSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import {
  COMMON_FONT_RANGES,
  commonFontsCover,
  compileSpec,
  FONT_FILES,
  renderChart,
  renderPng,
  renderPngAsync,
  renderSvg,
  svgSize,
} from "../../src/report/render.ts";
import { hslHex, strategyColourOf, strategyScale } from "../../src/report/charts/theme.ts";
import { chartResults, chartRun, fakeLoaded } from "./chart-fixtures.ts";
import { fakeRunResult } from "./fixtures.ts";

const STRATEGIES = ["static", "index", "rebalance"];

const sweepPoints: SweepPoint[] = [];
for (const strategy of ["static", "rebalance"])
  for (const value of [2, 4, 8])
    sweepPoints.push({
      param: "agent.max_connections",
      value,
      strategy,
      mean: 10 / value,
      lo: 9 / value,
      hi: 11 / value,
    });

function allSpecs() {
  const { charts } = chartSpecs(fakeLoaded(), chartResults(), {
    sweeps: [{ metric: "completion_s", points: sweepPoints }],
  });
  return charts;
}

describe("chart set", () => {
  it("has every chart for a streaming scenario with churn, in page order", () => {
    expect(allSpecs().map((c) => c.name)).toEqual([
      "sweep-completion_s",
      "metrics",
      "block-time-cdf",
      "buffer",
      "peers-online",
      "waterfall-static",
      "waterfall-index",
      "waterfall-rebalance",
    ]);
  });

  it("omits the buffer chart without a bitrate and says so", () => {
    const loaded = fakeLoaded({
      content: {
        size_bytes: 2_000_000,
        block_bytes: 1_000_000,
        sub_block_bytes: 250_000,
        bitrate_bps: 0,
      },
    });
    const { charts, notes } = chartSpecs(loaded, chartResults());
    expect(charts.map((c) => c.name)).not.toContain("buffer");
    expect(notes.join("\n")).toContain("no buffer chart");
  });

  it("omits peers-online when the peer count never changes", () => {
    const { charts } = chartSpecs(fakeLoaded(), chartResults(STRATEGIES, 2, { peersChange: false }));
    expect(charts.map((c) => c.name)).not.toContain("peers-online");
    expect(charts.map((c) => c.name)).toContain("buffer");
  });

  it("draws only the sweep charts when there are no runs", () => {
    const { charts, notes } = chartSpecs(fakeLoaded(), [], {
      sweeps: [{ metric: "stall_s", points: sweepPoints }],
    });
    expect(charts.map((c) => c.name)).toEqual(["sweep-stall_s"]);
    expect(notes).toEqual(["no runs: no per-run charts."]);
  });

  it("notes failed runs", () => {
    const results = [...chartResults(["static"], 1), chartRun({ strategy: "index", seed: 1, error: "boom" })];
    expect(chartSpecs(fakeLoaded(), results).notes[0]).toBe(
      "1 of 2 runs failed (index seed 1); statistics and the CDF leave them out.",
    );
  });
});

describe("every spec", () => {
  const specs = allSpecs();

  it.each(specs.map((c) => [c.name, c] as const))(
    "%s compiles and renders without warnings",
    async (_n, c) => {
      const compiled = compileSpec(c.spec);
      expect(compiled.warnings).toEqual([]);
      expect(compiled.vega.marks?.length ?? 0).toBeGreaterThan(0);
      const { svg, warnings } = await renderChart(c.spec);
      expect(warnings).toEqual([]);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain('font-family="DejaVu Sans, Verdana, sans-serif"');
    },
  );

  it("is the same JSON from the same input", () => {
    const again = allSpecs();
    specs.forEach((c, i) => {
      expect(specJson(again[i].spec)).toBe(specJson(c.spec));
    });
  });

  it("carries its data inline and no URL other than the schema name", () => {
    for (const c of specs) {
      const json = specJson(c.spec).replace(
        '"$schema": "https://vega.github.io/schema/vega-lite/v6.json"',
        "",
      );
      expect(json).not.toMatch(/https?:\/\//);
      expect(json).not.toMatch(/"url"\s*:/);
    }
  });

  it("renders the same SVG bytes twice, whatever was rendered in between", async () => {
    const waterfall = specs.find((c) => c.name === "waterfall-static")?.spec;
    const metrics = specs.find((c) => c.name === "metrics")?.spec;
    if (waterfall === undefined || metrics === undefined) throw new Error("missing chart");
    const first = await renderSvg(waterfall);
    await renderSvg(metrics);
    expect(await renderSvg(waterfall)).toBe(first);
  });
});

describe("SVG text", () => {
  const byName = new Map(allSpecs().map((c) => [c.name, c.spec]));
  const svgOf = (name: string) => renderSvg(byName.get(name) as never);

  it("block-time-cdf names its axes with units and every strategy", async () => {
    const svg = await svgOf("block-time-cdf");
    for (const text of ["block time (s)", "fraction of blocks", ...STRATEGIES]) expect(svg).toContain(text);
  });

  it("metrics has a panel per headline metric, each axis with its unit", async () => {
    const svg = await svgOf("metrics");
    for (const m of [
      "completion_s",
      "mean_block_s",
      "t_star_ratio",
      "stall_s",
      "redundant_bytes",
      "origin_bytes",
    ])
      expect(svg).toContain(metricLabel(m).title);
    for (const s of STRATEGIES) expect(svg).toContain(`>${s}<`);
  });

  it("waterfall rows are connections labelled with their node; outcomes in the legend", async () => {
    const svg = await svgOf("waterfall-index");
    for (const text of [
      "connection (node)",
      "time (s)",
      "conn 0 · peer 10",
      "conn 3 · server 13",
      "duplicate",
      // The seed with the most stall time: 0.5·(k mod 3) s per run, k = name length + seed, sums to 1 s on
      // seed 1 (static 0.5, index 0, rebalance 0.5) and 2.5 s on seed 2 (1, 0.5, 1).
      "seed 2",
    ])
      expect(svg).toContain(text);
  });

  it("buffer and peers-online name their axes", async () => {
    expect(await svgOf("buffer")).toContain("buffer (s)");
    expect(await svgOf("peers-online")).toContain("peers (count)");
  });

  it("sweep puts the parameter on x and the metric on y", async () => {
    const svg = await svgOf("sweep-completion_s");
    for (const text of ["agent.max_connections", "completion time (s)", "static", "rebalance"])
      expect(svg).toContain(text);
  });
});

describe("data", () => {
  it("block-time CDF: hand-computed steps (k = 2 + 1 = 3: blocks of 1.3, 2.3 and 3.3 s)", () => {
    const run = chartRun({ strategy: "ab", seed: 1, blocks: 3 });
    expect(blockTimeCdfData(["ab"], [run])).toEqual([
      { strategy: "ab", block_s: 1.3, fraction: 0, i: 0 },
      { strategy: "ab", block_s: 1.3, fraction: 1 / 3, i: 1 },
      { strategy: "ab", block_s: 2.3, fraction: 2 / 3, i: 2 },
      { strategy: "ab", block_s: 3.3, fraction: 1, i: 3 },
    ]);
  });

  it("block-time CDF leaves failed runs out", () => {
    const ok = chartRun({ strategy: "a", seed: 1, blocks: 2 });
    const failed = chartRun({ strategy: "a", seed: 2, blocks: 2, error: "x" });
    expect(blockTimeCdfData(["a"], [ok, failed])).toHaveLength(3);
  });

  it("buffer curve drains at 1 s/s after start-up and to 0 after the last block", () => {
    const base = chartRun({ strategy: "s", seed: 1 });
    const run: RunResult = {
      ...base,
      metrics: { ...base.metrics, startupDelayS: 1 },
      bufferSeries: [
        { timeUs: 500_000, value: 0.5 },
        { timeUs: 1_000_000, value: 1 },
        { timeUs: 3_000_000, value: 2 },
      ],
    };
    expect(bufferCurve(run)).toEqual([
      { time_s: 0.5, buffer_s: 0.5 },
      { time_s: 1, buffer_s: 0.5 }, // before start-up: nothing plays
      { time_s: 1, buffer_s: 1 },
      { time_s: 3, buffer_s: 0 }, // 1 s of content, 2 s of playing: ran dry
      { time_s: 3, buffer_s: 2 },
      { time_s: 5, buffer_s: 0 },
    ]);
  });

  it("metrics data: means in display units (bytes as MB) for every strategy that ran", () => {
    const data = metricsData(fakeLoaded().scenario, chartResults(["static"], 2));
    // k = 6 + seed: origin 0.7 MB and 0.8 MB.
    const origin = data.find((d) => d.metric === "origin_bytes");
    expect(origin?.mean).toBeCloseTo(0.75, 12);
    expect(origin?.n).toBe(2);
    expect(data.filter((d) => d.metric === "completion_s")).toHaveLength(1);
  });

  it("waterfall: waits, transfers and cancels per connection, merged within a pixel, the pixel doubled to fit", () => {
    // conn 0: four requests 1 s apart, each waiting 0.1 s for its first byte and transferring 0.5 s (ok);
    // conn 1: one request that got no byte in 2 s and was cancelled. The run ends at 8.25 s (its buffer series).
    const sub = (id: number, conn: number, req: number, fb: number, end: number, outcome: SubBlockRecord["outcome"]) =>
      ({ subBlockId: id, block: 0, nodeId: conn + 1, nodeKind: "peer", connId: conn, requestUs: req, firstByteUs: fb, endUs: end, bytes: 1000, outcome }) as const;
    const subBlocks = [
      ...[0, 1, 2, 3].map((k) => sub(k, 0, k * 1e6, k * 1e6 + 100_000, k * 1e6 + 600_000, "ok")),
      sub(9, 1, 0, -1, 2_000_000, "cancelled"),
    ];
    const run = fakeRunResult({ subBlocks });
    // One pixel = 8.25 s / 560: nothing touches within it.
    const d = waterfallData(run);
    expect(d.rows).toEqual(["conn 0 · peer 1", "conn 1 · peer 2"]);
    expect(d.mergeS).toBeCloseTo(8.25 / 560, 12);
    expect(d.bars.filter((b) => b.kind === WAIT).map((b) => [b.start_s, b.end_s])).toEqual([
      [0, 0.1],
      [1, 1.1],
      [2, 2.1],
      [3, 3.1],
    ]);
    expect(d.bars.filter((b) => b.kind === "ok")).toHaveLength(4);
    expect(d.bars.filter((b) => b.kind === NO_BYTE)).toEqual([
      { conn: "conn 1 · peer 2", kind: NO_BYTE, start_s: 0, end_s: 2, sub_blocks: 1, bytes: 1000 },
    ]);
    expect(d.cancels).toEqual([{ conn: "conn 1 · peer 2", time_s: 2, sub_blocks: 1 }]);
    // At most 5 bars: the pixel doubles 6 times (64 × 14.7 ms = 0.943 s ≥ the 0.9 s between waits, while
    // 32 × is below the 0.5 s between transfers): one wait, one transfer of 4 sub-blocks, the no-byte wait, the cancel.
    const small = waterfallData(run, { maxSegments: 5 });
    expect(small.mergeS).toBeCloseTo((64 * 8.25) / 560, 12);
    expect(small.bars.find((b) => b.kind === "ok")).toEqual({
      conn: "conn 0 · peer 1",
      kind: "ok",
      start_s: 0.1,
      end_s: 3.6,
      sub_blocks: 4,
      bytes: 4000,
    });
    expect(small.bars.length + small.cancels.length).toBe(4);
    // The busiest row only; the subtitle says so. A shared axis end widens the time axis.
    const one = waterfallChart(run, { maxRows: 1, endS: 56 });
    expect(JSON.stringify(one)).toContain("the 1 busiest of 2 connections (4 of 5 sub-block requests)");
    expect(JSON.stringify(one)).toContain('"domain":[0,56]');
    expect(compileSpec(one).warnings).toEqual([]);
  });

  it("thin keeps short arrays, the first and last items, and order", () => {
    expect(thin([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(thin([0, 1, 2, 3, 4, 5, 6, 7, 8], 3)).toEqual([0, 4, 8]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2, max: 50 }), (n, max) => {
        const xs = Array.from({ length: n }, (_, i) => i);
        const out = thin(xs, max);
        expect(out.length).toBe(Math.min(n, max));
        if (n > 0) expect([out[0], out[out.length - 1]]).toEqual([0, n - 1]);
        for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThan(out[i - 1]);
      }),
    );
  });

  it("sweep: the same JSON whatever order each strategy's points come in; strings get an ordinal axis", () => {
    const reversed = [...sweepPoints.slice(0, 3).reverse(), ...sweepPoints.slice(3).reverse()];
    expect(specJson(sweepChart(reversed, "completion_s"))).toBe(
      specJson(sweepChart(sweepPoints, "completion_s")),
    );
    const named = sweepPoints.map((p) => ({
      ...p,
      param: "network.model",
      value: p.value === 2 ? "fluid" : "tcp",
    }));
    expect(JSON.stringify(sweepChart(named, "stall_s"))).toContain('"type":"ordinal"');
  });

  it("sweep with two parameters gets a panel each and compiles cleanly", () => {
    const two = [...sweepPoints, ...sweepPoints.map((p) => ({ ...p, param: "tracker.list_size" }))];
    const spec = sweepChart(two, "redundant_bytes");
    expect(JSON.stringify(spec)).toContain('"hconcat"');
    expect(compileSpec(spec).warnings).toEqual([]);
  });

  it("sweep: integer values are the ticks; strategies nudged apart by 6% of the smallest gap per rank", () => {
    const spec = sweepChart(sweepPoints, "completion_s", ["static", "rebalance"]) as unknown as {
      data: { values: { value: number; strategy: string; x_plot: number }[] };
      layer: { mark: { type: string }; encoding: { x: { axis?: { values?: number[]; format?: string } } } }[];
    };
    expect(spec.layer[0].encoding.x.axis).toMatchObject({ values: [2, 4, 8], format: "d" });
    // Smallest gap 2 → step 0.12; two strategies at ranks 0 and 1 → shifts -0.06 and +0.06.
    const at2 = spec.data.values.filter((v) => v.value === 2).map((v) => [v.strategy, v.x_plot]);
    expect(at2).toEqual([
      ["static", 2 - 0.06],
      ["rebalance", 2 + 0.06],
    ]);
    expect(spec.layer.map((l) => l.mark.type)).toEqual(["rule", "line", "point"]);
  });

  it("sweep: a categorical parameter gets points and interval bars, no connecting line", async () => {
    const named = sweepPoints.map((p) => ({ ...p, param: "network.model", value: p.value === 2 ? "fluid" : "tcp" }));
    const spec = sweepChart(named, "stall_s") as unknown as { layer: { mark: { type: string } }[] };
    expect(spec.layer.map((l) => l.mark.type)).toEqual(["rule", "point"]);
    expect((await renderChart(spec as never)).warnings).toEqual([]);
  });

  it("sweep heat map: a cell per grid point and strategy, the axes in swept order, the mean written in", async () => {
    const cells = [];
    for (const strategy of ["static", "rebalance"])
      for (const x of [2, 4, 8]) for (const y of [10, 20]) cells.push({ x, y, strategy, mean: x * y });
    const spec = sweepHeatmap(
      cells,
      "completion_s",
      { xParam: "agent.max_connections", yParam: "tracker.list_size", xValues: [2, 4, 8], yValues: [10, 20] },
      ["static", "rebalance"],
    );
    const { svg, warnings } = await renderChart(spec);
    expect(warnings).toEqual([]);
    // 2 strategies × 3 × 2 cells, each with its value (2·10 = 20 … 8·20 = 160).
    expect((svg.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(12);
    for (const v of ["20", "40", "80", "160"]) expect(svg).toContain(`>${v}</text>`);
  });
});

/** PNG bytes of an SVG as resvg draws it from the full shipped fonts: the expectation for the common cut. */
function fullFontPng(svg: string): Buffer {
  const family = "DejaVu Sans";
  const font = { loadSystemFonts: false, fontFiles: [...FONT_FILES], defaultFontFamily: family, sansSerifFamily: family };
  const options = { font: { ...font, serifFamily: family, monospaceFamily: family }, background: "white" };
  return Buffer.from(new Resvg(svg, { ...options, fitTo: { mode: "zoom", value: 1 }, logLevel: "off" }).render().asPng());
}

describe("PNG", () => {
  it("draws every chart from the common font cut exactly as from the full fonts", async () => {
    for (const c of allSpecs()) {
      const svg = await renderSvg(c.spec);
      expect(commonFontsCover(svg)).toBe(true);
      expect(Buffer.from(renderPng(svg, { scale: 1 })).equals(fullFontPng(svg)), c.name).toBe(true);
    }
  });

  it("falls back to the full fonts for a character outside the common cut, keeping bold text bold", () => {
    const text = (t: string, y: number) =>
      `<text x="4" y="${y}" font-family="DejaVu Sans" font-size="14" font-weight="bold">${t}</text>`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">${text("bold Ⴀ end", 20)}${text("µs → &#x10A0;", 40)}</svg>`;
    expect(commonFontsCover(svg)).toBe(false);
    expect(commonFontsCover(svg.replace("Ⴀ", "x"))).toBe(false); // the character reference still counts
    expect(commonFontsCover(svg.replace("Ⴀ", "x").replace("&#x10A0;", "&#xB5;"))).toBe(true);
    expect(Buffer.from(renderPng(svg, { scale: 1 })).equals(fullFontPng(svg))).toBe(true);
  });

  it("keeps the ranges scripts/subset-fonts.sh cuts the fonts to", () => {
    const script = readFileSync(new URL("../../scripts/subset-fonts.sh", import.meta.url), "utf8");
    const ranges = /--unicodes="([^"]+)"/.exec(script)?.[1].split(",");
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
    expect(ranges).toEqual(COMMON_FONT_RANGES.map(([lo, hi]) => `U+${hex(lo)}-${hex(hi)}`));
  });

  it("starts with the PNG signature and has the SVG size × scale", async () => {
    const spec = allSpecs().find((c) => c.name === "block-time-cdf")?.spec;
    if (spec === undefined) throw new Error("missing chart");
    const svg = await renderSvg(spec);
    const { width, height } = svgSize(svg);
    const png = renderPng(svg, { scale: 1 });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height, big-endian, at bytes 16..23.
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([Math.round(width), Math.round(height)]);
    const big = new DataView(renderPng(svg, { scale: 2 }).buffer);
    expect(big.getUint32(16)).toBe(Math.round(width * 2));
    expect(Buffer.from(renderPng(svg, { scale: 1 })).equals(Buffer.from(png))).toBe(true);
    // Rasterised off the main thread: the same bytes.
    expect(Buffer.from(await renderPngAsync(svg, { scale: 1 })).equals(Buffer.from(png))).toBe(true);
  });
});

describe("strategy colours", () => {
  it("are fixed for shipped strategies, whatever their order in the report", () => {
    expect(strategyScale(["index", "static"]).range).toEqual(["#f58518", "#4c78a8"]);
    expect(strategyScale(["static", "index"]).range).toEqual(["#4c78a8", "#f58518"]);
  });

  it("are derived from the name for others: the same name, the same colour, a valid hex colour", () => {
    expect(hslHex(0, 1, 0.5)).toBe("#ff0000");
    expect(hslHex(120, 1, 0.5)).toBe("#00ff00");
    expect(hslHex(240, 1, 0.25)).toBe("#000080");
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (name) => {
        const c = strategyColourOf(`my-${name}`);
        expect(c).toMatch(/^#[0-9a-f]{6}$/);
        expect(strategyColourOf(`my-${name}`)).toBe(c);
      }),
    );
  });
});

describe("metrics panels", () => {
  it("collapse metrics that are 0 everywhere into a line of text, and say which have no value", () => {
    const p = (metric: string, mean: number, lo: number, hi: number) => ({ metric, strategy: "s", mean, lo, hi, n: 2 });
    const panels = metricPanels([p("completion_s", 10, 9, 11), p("stall_count", 0, 0, 0), p("stall_s", 0, 0, 0.5)]);
    expect(panels.drawn).toEqual(["completion_s", "stall_s"]);
    expect(panels.zero).toEqual(["stall_count"]);
    expect(panels.none).toEqual([
      "throughput_bound_ratio",
      "startup_delay_s",
      "redundant_bytes",
      "origin_bytes",
      "mean_block_s",
      "t_star_ratio",
      "t_g_ratio",
    ]);
    const results = chartResults().map((r) => ({ ...r, metrics: { ...r.metrics, stallCount: 0, stallS: 0 } }));
    const spec = JSON.stringify(metricsChart(fakeLoaded().scenario, results));
    expect(spec).toContain("0 for every strategy and seed: stalls, stall time");
    expect(spec).not.toContain('"panel":"stall time (s)"');
  });
});

describe("the seed per-run charts show", () => {
  it("is the one with the most stall time over strategies, the lowest on a tie", () => {
    // Stall time 0.5·(k mod 3) s, k = name length + seed: seed 1 sums to 1 s, seed 2 to 2.5 s (see above).
    expect(worstSeed(chartResults())).toBe(2);
    const none = chartResults().map((r) => ({ ...r, metrics: { ...r.metrics, stallS: 0 } }));
    expect(worstSeed(none)).toBe(1);
  });

  it("buffer: every seed in the spec, the worst drawn, stalls counted per panel", async () => {
    const spec = bufferChart(chartResults());
    const json = JSON.stringify(spec);
    expect(json).toContain('"value":2');
    expect(json).toContain('"options":[1,2]');
    const svg = await renderSvg(spec);
    // Seed 2: static and rebalance stalled 1 s (fixture stall count 1), index 0.5 s.
    expect(svg).toContain("1 stall, 1.00 s stalled");
    expect(svg).toContain("1 stall, 0.50 s stalled");
    expect(compileSpec(spec).warnings).toEqual([]);
  });

  it("peers-online is drawn once, not once per strategy", () => {
    const spec = peersOnlineChart(chartResults().filter((r) => r.seed === 2)) as { data: { values: { strategy: string }[] } };
    expect(new Set(spec.data.values.map((v) => v.strategy))).toEqual(new Set(["static"]));
  });
});
