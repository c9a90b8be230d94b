// Opens a report's index.html in headless Chromium (Debian's `chromium`) and checks what a reader would see:
// the page loads, every chart's <svg> is in the rendered DOM and not empty, no script error reached the
// console, and the file names no external URL. Takes one screenshot to look at. Prints
// "skipped: chromium not found" and exits 0 where /usr/bin/chromium is missing.
//
//   npx tsx scripts/check-html.ts reports/churn/index.html [--screenshot out.png] [--height 3000]

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TIMEOUT_MS = 90_000;
/** Bytes an inline chart SVG must at least hold to count as drawn (axes alone are more). */
const MIN_SVG_CHARS = 500;

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--enable-logging=stderr",
  "--v=0",
];

function usage(message: string): never {
  console.error(
    `check-html: ${message}\nusage: check-html.ts INDEX.html [--screenshot OUT.png] [--height PX]`,
  );
  process.exit(2);
}

function parseArgs(argv: readonly string[]): {
  file: string;
  screenshot: string | null;
  height: number;
} {
  let file: string | null = null;
  let screenshot: string | null = null;
  let height = 2400;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--screenshot") screenshot = argv[++i] ?? usage("--screenshot needs a file");
    else if (a === "--height") height = Number(argv[++i]);
    else if (a.startsWith("--")) usage(`unknown flag ${a}`);
    else if (file === null) file = a;
    else usage(`unexpected argument ${a}`);
  }
  if (file === null) usage("no index.html given");
  if (!(Number.isInteger(height) && height >= 200 && height <= 20_000)) usage("--height must be 200..20000");
  return { file, screenshot, height };
}

/** Runs Chromium once on the page with its own empty profile; returns stdout, stderr and exit status. */
function chromium(
  url: string,
  extra: readonly string[],
): { stdout: string; stderr: string; status: number | null } {
  const profile = mkdtempSync(join(tmpdir(), "check-html-"));
  try {
    const r = spawnSync(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, ...extra, url], {
      encoding: "utf8",
      timeout: TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Inline <svg>…</svg> bodies of a document, outermost only (charts do not nest SVG). */
function svgBodies(html: string): string[] {
  return [...html.matchAll(/<svg\b[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

function main(): void {
  const { file, screenshot, height } = parseArgs(process.argv.slice(2));
  if (!existsSync(CHROMIUM)) {
    console.log("skipped: chromium not found");
    return;
  }
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) usage(`${file}: no such file`);
  const source = readFileSync(path, "utf8");
  const url = pathToFileURL(path).href;
  const problems: string[] = [];

  const external = source
    .replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "")
    .match(/https?:\/\/[^\s"'<>)]+/g);
  if (external !== null)
    problems.push(`external URLs in the file: ${[...new Set(external)].slice(0, 5).join(", ")}`);
  const figures = (source.match(/<figure\b/g) ?? []).length;

  const dom = chromium(url, ["--dump-dom"]);
  if (dom.status !== 0) problems.push(`chromium --dump-dom exited with ${dom.status}`);
  if (!/<html[\s>]/.test(dom.stdout) || !dom.stdout.includes("</body>"))
    problems.push("the page did not load");
  const svgs = svgBodies(dom.stdout);
  if (svgs.length < figures)
    problems.push(`${figures} chart figures but ${svgs.length} <svg> elements in the DOM`);
  if (figures === 0) problems.push("no chart figure on the page");
  svgs.forEach((svg, i) => {
    if (svg.length < MIN_SVG_CHARS || !/<(path|rect|line|text)\b/.test(svg))
      problems.push(`<svg> #${i + 1} is empty`);
  });
  const consoleErrors = dom.stderr
    .split("\n")
    .filter((l) => /Uncaught|CONSOLE\(\d+\).*(error|Error)|:ERROR:CONSOLE/.test(l));
  if (consoleErrors.length > 0)
    problems.push(`console errors:\n  ${consoleErrors.slice(0, 10).join("\n  ")}`);

  if (screenshot !== null) {
    const out = resolve(screenshot);
    const shot = chromium(url, [`--screenshot=${out}`, `--window-size=1280,${height}`, "--hide-scrollbars"]);
    if (shot.status !== 0 || !existsSync(out)) problems.push(`chromium --screenshot failed (${shot.status})`);
    else console.log(`screenshot: ${out}`);
  }

  if (problems.length > 0) {
    console.error(`check-html: ${file}: ${problems.length} problem(s)\n- ${problems.join("\n- ")}`);
    process.exit(1);
  }
  console.log(`ok: ${file} loads in Chromium with ${svgs.length} non-empty charts and no console error`);
}

main();
