// summary.md: the report's tables as GitHub-flavoured markdown (for pull requests and CI summaries), with the
// scenario's name and description, the notes, and relative links to the chart images of the run folder.

import type { Scenario } from "../scenario/schema.ts";
import type { ReportTable } from "./charts/tables.ts";
import { type Verdict, verdictMarkdown } from "./verdict.ts";

export interface SummaryMdInput {
  readonly scenario: Scenario;
  readonly tables: readonly ReportTable[];
  /** Charts to link (`charts/<name>.svg`), in page order. */
  readonly charts: readonly { readonly name: string; readonly title: string }[];
  readonly notes: readonly string[];
  /** The strategies and seeds that ran (provenanceLine); default: the scenario's. */
  readonly provenance?: string;
  /** The answer first: shown above every table (src/report/verdict.ts); none for a sweep. */
  readonly verdict?: Verdict;
}

/** Text safe inside a table cell: pipes escaped, line breaks flattened. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** Text safe in a markdown paragraph or list item: characters that start markup escaped, line breaks flattened. */
export function mdText(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, "\\$1").replace(/\r?\n/g, " ");
}

/** A GFM table: first column left-aligned, the others right-aligned. */
export function markdownTable(t: ReportTable): string {
  const head = `| ${t.columns.map(mdCell).join(" | ")} |`;
  const align = `|${t.columns.map((_, i) => (i === 0 ? " --- " : " ---: ")).join("|")}|`;
  const body = t.rows.map((row) => `| ${row.map(mdCell).join(" | ")} |`);
  return [head, align, ...body].join("\n");
}

export function buildSummaryMd(input: SummaryMdInput): string {
  const { scenario, tables, charts, notes } = input;
  const parts: string[] = [`# ${scenario.name}`];
  if (scenario.description !== "") parts.push(scenario.description.trim());
  parts.push(
    input.provenance ??
      `Strategies: ${scenario.strategies.join(", ")}; seeds: ${scenario.seeds} (from ${scenario.seed}).`,
  );
  if (input.verdict !== undefined) parts.push(verdictMarkdown(input.verdict, mdText));
  for (const t of tables) {
    parts.push(`## ${t.title}`);
    if (t.caption !== "") parts.push(`_${t.caption}_`);
    parts.push(markdownTable(t));
  }
  if (notes.length > 0) parts.push("## Notes", notes.map((n) => `- ${n}`).join("\n"));
  if (charts.length > 0) {
    parts.push(
      "## Charts",
      "Open `index.html` for every chart on one page.",
      charts.map((c) => `- [${c.title}](charts/${c.name}.svg)`).join("\n"),
    );
  }
  return `${parts.join("\n\n")}\n`;
}
