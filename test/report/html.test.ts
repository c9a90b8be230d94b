// index.html and summary.md: buildCharts writes every chart as .vl.json, .svg and .png plus the two pages;
// the page holds every chart inline with unique ids, the tables and the scenario, names no external URL,
// escapes text; the same input gives the same bytes.

import { describe, expect, it } from "vitest";
import { buildCharts, type ChartEntry, chartSpecs, renderOrder } from "../../src/report/charts/index.ts";
import type { ReportTable } from "../../src/report/charts/tables.ts";
import { buildIndexHtml, cellHtml, inlineSvg } from "../../src/report/html.ts";
import { buildSummaryMd, markdownTable } from "../../src/report/markdown.ts";
import { chartResults, fakeLoaded } from "./chart-fixtures.ts";

const loaded = fakeLoaded({ description: "Streaming <fast> & cheap" });
const results = chartResults();
const files = await buildCharts(loaded, results);
const names = chartSpecs(loaded, results).charts.map((c) => c.name);
const html = files.get("index.html") as string;
const md = files.get("summary.md") as string;

describe("buildCharts", () => {
  it("writes .vl.json, .svg and .png for every chart, then index.html and summary.md", () => {
    const expected = names.flatMap((n) => [`charts/${n}.vl.json`, `charts/${n}.svg`, `charts/${n}.png`]);
    expect([...files.keys()]).toEqual([...expected, "index.html", "summary.md"]);
    for (const n of names) {
      expect(typeof files.get(`charts/${n}.svg`)).toBe("string");
      expect(files.get(`charts/${n}.png`)).toBeInstanceOf(Uint8Array);
      expect(JSON.parse(files.get(`charts/${n}.vl.json`) as string).data ?? {}).not.toHaveProperty("url");
    }
  });

  it("gives the same bytes from the same input", async () => {
    const again = await buildCharts(loaded, results);
    expect([...again.keys()]).toEqual([...files.keys()]);
    for (const [name, content] of files) {
      const other = again.get(name) as string | Uint8Array;
      if (typeof content === "string") expect(other, name).toBe(content);
      else expect(Buffer.from(other as Uint8Array).equals(Buffer.from(content)), name).toBe(true);
    }
  });

  it("calls the caller's meanwhile once and gives the same files", async () => {
    let calls = 0;
    const out = await buildCharts(loaded, results, { meanwhile: () => calls++ });
    expect(calls).toBe(1);
    expect([...out.keys()]).toEqual([...files.keys()]);
    expect(out.get("index.html")).toBe(html);
  });

  it("renders the waterfalls first (their PNGs are the slowest), the rest in page order", () => {
    const entry = (name: string) => ({ name, title: name, spec: {} }) as unknown as ChartEntry;
    const charts = ["metrics", "waterfall-a", "buffer", "waterfall-b", "peers-online"].map(entry);
    expect(renderOrder(charts)).toEqual([1, 3, 0, 2, 4]);
    expect(renderOrder([])).toEqual([]);
  });

  it("skips PNGs when asked and takes the caller's tables and notes", async () => {
    const table: ReportTable = {
      title: "Custom",
      caption: "",
      columns: ["strategy", "x"],
      rows: [["static", "1"]],
    };
    const out = await buildCharts(loaded, results, {
      png: false,
      tables: [table],
      notes: ["from the lead"],
    });
    expect([...out.keys()].some((k) => k.endsWith(".png"))).toBe(false);
    expect(out.get("index.html")).toContain("<h3>Custom</h3>");
    expect(out.get("index.html")).toContain("<li>from the lead</li>");
    expect(out.get("summary.md")).toContain("| strategy | x |\n| --- | ---: |\n| static | 1 |");
  });
});

describe("index.html", () => {
  it("holds every chart inline, with its title", () => {
    expect((html.match(/<svg\b/g) ?? []).length).toBe(names.length);
    for (const n of names) expect(html).toContain(`<figure id="chart-${n}">`);
    // The seed with the most stall time (see charts.test.ts).
    expect(html).toContain("<figcaption>Sub-block waterfall: rebalance (seed 2)</figcaption>");
  });

  it("names no external URL (only the SVG namespaces) and needs no script", () => {
    const stripped = html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "");
    expect(stripped).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script\b|<link\b|<img\b|@import/);
  });

  it("has unique ids across charts", () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref[1]);
  });

  it("shows the scenario (escaped), the resolved YAML and the default tables", () => {
    expect(html).toContain("<h1>fixture</h1>");
    expect(html).toContain("Streaming &lt;fast&gt; &amp; cheap");
    expect(html).toContain("<details>");
    expect(html).toContain("sub_block_bytes: 250000");
    for (const t of ["<h3>Comparison</h3>", "<h3>Means over seeds</h3>", "<h3>Difference to static</h3>"])
      expect(html).toContain(t);
    expect(html).toContain("<th>strategy</th>");
  });

  it("puts the headline (the comparison table, completion first) at the top, before the scenario and the charts", () => {
    const head = html.indexOf("<h3>Comparison</h3>");
    expect(head).toBeGreaterThan(html.indexOf("<h1>fixture</h1>"));
    expect(head).toBeLessThan(html.indexOf("<details>"));
    expect(head).toBeLessThan(html.indexOf("<nav>"));
    // Headers may break after "_" (<wbr>), so a wide table wraps its headers instead of widening.
    expect(html.indexOf('<th class="num">completion_<wbr>s</th>')).toBeLessThan(
      html.indexOf('<th class="num">mean_<wbr>block_<wbr>s</th>'),
    );
    expect(html.indexOf("<h3>Means over seeds</h3>")).toBeGreaterThan(html.indexOf("<h2>Tables</h2>"));
  });

  it("opens with the verdict, then the comparison table; every table sits in a sideways scroller", () => {
    const top = html.slice(0, html.indexOf("<details>"));
    expect(top.indexOf('<section id="verdict">')).toBeGreaterThan(top.indexOf("<h1>fixture</h1>"));
    expect(top.indexOf('<section id="verdict">')).toBeLessThan(top.indexOf("<h3>Comparison</h3>"));
    expect(top).toMatch(/<h2>Verdict \(against static, 2 seeds; 95% intervals of paired differences\)<\/h2>/);
    expect(top).toContain('<p class="warning"><strong>Warning:</strong> only 2 seeds');
    const tables = (html.match(/<table>/g) ?? []).length;
    expect(tables).toBeGreaterThan(1);
    expect((html.match(/<div class="scroll"><table>/g) ?? []).length).toBe(tables);
  });

  it("puts a cell's interval on a second line", () => {
    expect(cellHtml("-2.500 (-22.7%) [-3.000, -2.000]")).toBe(
      '-2.500 (-22.7%)<br><span class="ci">[-3.000, -2.000]</span>',
    );
    expect(cellHtml("12.5")).toBe("12.5");
    expect(cellHtml("a<b [x]")).toBe('a&lt;b<br><span class="ci">[x]</span>');
  });

  it("prefixes ids and their references", () => {
    const svg =
      '<svg><defs><clipPath id="clip1"/></defs><g clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
    expect(inlineSvg(svg, "c3")).toBe(
      '<svg><defs><clipPath id="c3-clip1"/></defs><g clip-path="url(#c3-clip1)"/><use href="#c3-clip1"/></svg>',
    );
  });

  it("builds a page with no charts, no tables and no notes", () => {
    const page = buildIndexHtml({
      scenario: loaded.scenario,
      tables: [],
      charts: [],
      notes: [],
    });
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).not.toContain("<figure");
    expect(page).not.toContain("Notes");
  });
});

describe("summary.md", () => {
  it("has the title, description, tables and links to the charts", () => {
    expect(md.startsWith("# fixture\n\nStreaming <fast> & cheap\n")).toBe(true);
    expect(md).toContain("## Comparison");
    expect(md).toContain(
      "| strategy | runs | failed | completion_s | bound_ratio | startup_delay_s | stalls | stall_s | redundant_MB | origin_MB | block_rule | mean_block_s | median_block_s | t_star_ratio | t_g_ratio |",
    );
    for (const n of names) expect(md).toContain(`(charts/${n}.svg)`);
  });

  it("escapes pipes and line breaks in cells", () => {
    const t: ReportTable = {
      title: "t",
      caption: "",
      columns: ["a|b", "c"],
      rows: [["x|y", "1\n2"]],
    };
    expect(markdownTable(t)).toBe("| a\\|b | c |\n| --- | ---: |\n| x\\|y | 1 2 |");
  });

  it("lists notes", () => {
    const text = buildSummaryMd({
      scenario: loaded.scenario,
      tables: [],
      charts: [],
      notes: ["one", "two"],
    });
    expect(text).toContain("## Notes\n\n- one\n- two\n");
  });
});
