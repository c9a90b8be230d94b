// index.html: one self-contained page for a run folder — scenario name and description, the strategies and seeds
// that ran, the headline table (the first one: the comparison), the resolved scenario (collapsible YAML), the
// other tables and every chart as inline SVG, with inline CSS. No scripts, no network: it
// reads the same offline, from a CI artefact or a mail attachment.

import { stringify } from "yaml";
import type { Scenario } from "../scenario/schema.ts";
import type { ReportTable } from "./charts/tables.ts";
import { type Verdict, verdictHeading } from "./verdict.ts";

export interface HtmlChart {
  /** File stem, e.g. `block-time-cdf`; also the figure's anchor. */
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

export interface IndexHtmlInput {
  readonly scenario: Scenario;
  readonly tables: readonly ReportTable[];
  readonly charts: readonly HtmlChart[];
  /** Short remarks shown under the tables (capped charts, failed runs, omitted charts). */
  readonly notes: readonly string[];
  /** The strategies and seeds that ran (provenanceLine); default: the scenario's. */
  readonly provenance?: string;
  /** The answer first: shown above every table (src/report/verdict.ts); none for a sweep. */
  readonly verdict?: Verdict;
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** An id-safe form of a chart name. */
export function anchorOf(name: string): string {
  return `chart-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * An SVG ready to inline: the XML prolog dropped, and every id (Vega's clip paths and gradients, which
 * restart at 1 in each chart) prefixed so several charts on one page do not clash.
 */
export function inlineSvg(svg: string, prefix: string): string {
  const body = svg.replace(/^<\?xml[^>]*>\s*/, "");
  return body
    .replace(/\sid="([^"]+)"/g, (_m, id: string) => ` id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}-${id}"`);
}

/** The verdict section: heading, the small-sample warning, a line per metric (supported ones marked). */
export function verdictHtml(v: Verdict): string {
  const warning = v.warning === null ? "" : `<p class="warning"><strong>Warning:</strong> ${escapeHtml(v.warning)}</p>\n`;
  const items = [
    // The metric and its direction in bold: "completion time (lower is better): …".
    ...v.lines.map((l) => {
      const at = l.text.indexOf(": ");
      const text = at < 0 ? escapeHtml(l.text) : `<b>${escapeHtml(l.text.slice(0, at))}</b>${escapeHtml(l.text.slice(at))}`;
      return `<li class="${l.kind}">${text}</li>`;
    }),
    ...(v.equal === null ? [] : [`<li class="equal">${escapeHtml(v.equal)}</li>`]),
    ...v.notes.map((n) => `<li class="note">${escapeHtml(n)}</li>`),
  ];
  return `<section id="verdict">\n<h2>${escapeHtml(verdictHeading(v))}</h2>\n${warning}<ul class="verdict">\n${items.join("\n")}\n</ul>\n</section>\n`;
}

/** A header that may break after `_`, `/` and `−` (long column names wrap instead of widening the table). */
function headerHtml(text: string): string {
  return escapeHtml(text).replace(/([_/−])/g, "$1<wbr>");
}

/**
 * A cell: a value followed by its interval ("1.2 (+3.0%) [0.9, 1.5]") puts the interval on a second, smaller
 * line, so a table of intervals stays about half as wide.
 */
export function cellHtml(text: string): string {
  const m = /^(.*\S) (\[[^\]]*\])$/.exec(text);
  return m === null ? escapeHtml(text) : `${escapeHtml(m[1])}<br><span class="ci">${escapeHtml(m[2])}</span>`;
}

function tableHtml(t: ReportTable): string {
  const head = t.columns.map((c, i) => `<th${i === 0 ? "" : ' class="num"'}>${headerHtml(c)}</th>`).join("");
  const body = t.rows
    .map((row) => `<tr>${row.map((c, i) => `<td${i === 0 ? "" : ' class="num"'}>${cellHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = t.caption === "" ? "" : `<p class="caption">${escapeHtml(t.caption)}</p>\n`;
  return `<h3>${escapeHtml(t.title)}</h3>\n${caption}<div class="scroll"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

const CSS = `
body { font-family: "DejaVu Sans", Verdana, Helvetica, Arial, sans-serif; margin: 0 auto; padding: 1rem 1.5rem 3rem;
  max-width: 1200px; color: #222; background: #fff; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-bottom: 0.2rem; }
p.description { color: #444; margin-top: 0.2rem; }
p.caption { color: #666; font-size: 0.85rem; margin: 0 0 0.4rem; }
nav ul { padding-left: 1.2rem; margin: 0.3rem 0; }
nav a, a { color: #2b5d9b; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.8rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.4rem; white-space: nowrap; }
td .ci { color: #666; font-size: 0.75rem; }
th { background: #f3f3f3; white-space: normal; vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; color: #2b5d9b; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
figure { margin: 1.5rem 0; }
figcaption { font-weight: bold; margin-bottom: 0.3rem; }
figure svg { max-width: 100%; height: auto; display: block; }
ul.notes li { color: #555; }
#verdict h2 { margin-top: 1rem; }
ul.verdict { padding-left: 1.2rem; margin: 0.3rem 0 1rem; }
ul.verdict li { margin: 0.2rem 0; }
ul.verdict li.supported::marker { color: #2a8a2a; }
ul.verdict li.unclear, ul.verdict li.unpaired, ul.verdict li.note { color: #555; }
p.warning { background: #fff4d6; border: 1px solid #e0b000; padding: 0.4rem 0.6rem; margin: 0.4rem 0; }
`.trim();

export function buildIndexHtml(input: IndexHtmlInput): string {
  const { scenario, tables, charts, notes } = input;
  const title = `sim report: ${scenario.name}`;
  const nav = charts
    .map((c) => `<li><a href="#${anchorOf(c.name)}">${escapeHtml(c.title)}</a></li>`)
    .join("\n");
  const figures = charts
    .map(
      (c, i) =>
        `<figure id="${anchorOf(c.name)}">\n<figcaption>${escapeHtml(c.title)}</figcaption>\n${inlineSvg(c.svg, `c${i}`)}\n</figure>`,
    )
    .join("\n");
  const noteList =
    notes.length === 0
      ? ""
      : `<h3>Notes</h3>\n<ul class="notes">\n${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("\n")}\n</ul>\n`;
  const description =
    scenario.description === "" ? "" : `<p class="description">${escapeHtml(scenario.description)}</p>\n`;
  const provenance =
    input.provenance ??
    `Strategies: ${scenario.strategies.join(", ")}; seeds: ${scenario.seeds} (from ${scenario.seed}).`;
  const strategies = `<p>${escapeHtml(provenance)}</p>\n`;
  // The first table is the headline (the comparison): it goes at the top, before the scenario and the charts.
  const [headline, ...rest] = tables;
  const verdict = input.verdict === undefined ? "" : verdictHtml(input.verdict);
  const top = `${verdict}${headline === undefined ? "" : `${tableHtml(headline)}\n`}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${CSS}
</style>
</head>
<body>
<h1>${escapeHtml(scenario.name)}</h1>
${description}${strategies}${top}<details>
<summary>Resolved scenario (every default filled in)</summary>
<pre>${escapeHtml(stringify(scenario, { lineWidth: 0 }))}</pre>
</details>
<nav><h3>Charts</h3>
<ul>
${nav}
</ul></nav>
${rest.length > 0 ? `<h2>Tables</h2>\n${rest.map(tableHtml).join("\n")}\n` : ""}${noteList}<h2>Charts</h2>
${figures}
</body>
</html>
`;
}
