// The top of index.html in headless Chromium (Debian's /usr/bin/chromium, as scripts/check-html.ts uses; the
// test is skipped where it is missing): a screenshot of the first screen is taken, and a copy of the page with
// a measuring script says where the verdict sits and whether any table is wider than its box at 1280 px.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildCharts } from "../../src/report/charts/index.ts";
import { chartResults, fakeLoaded } from "./chart-fixtures.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const WIDTH_PX = 1280;
const HEIGHT_PX = 900;

function chromium(args: readonly string[], url: string): { stdout: string; status: number | null } {
  const profile = mkdtempSync(join(tmpdir(), "sim-browser-profile-"));
  try {
    const r = spawnSync(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        `--window-size=${WIDTH_PX},${HEIGHT_PX}`,
        `--user-data-dir=${profile}`,
        ...args,
        url,
      ],
      { encoding: "utf8", timeout: 50_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { stdout: r.stdout ?? "", status: r.status };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Written into a copy of the page: what a reader's first screen holds, and which tables overflow their box. */
const MEASURE = `<script>
addEventListener("load", () => {
  const v = document.getElementById("verdict");
  const over = [...document.querySelectorAll(".scroll")]
    .filter((d) => d.scrollWidth > d.clientWidth + 1)
    .map((d) => d.previousElementSibling?.textContent ?? "?");
  document.body.setAttribute("data-layout", JSON.stringify({
    verdictTop: v ? v.getBoundingClientRect().top : -1,
    verdictBottom: v ? v.getBoundingClientRect().bottom : -1,
    overflowing: over,
    pageWidth: document.documentElement.scrollWidth,
  }));
});
</script>`;

describe.skipIf(!existsSync(CHROMIUM))("index.html in headless Chromium", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sim-browser-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Four strategies: the difference table has three rows of ten intervals, the widest table of a report.
  const strategies = ["static", "index", "rebalance", "pull"];
  const loaded = fakeLoaded({ strategies });
  const files = await buildCharts(loaded, chartResults(strategies, 2), { png: false });
  const html = files.get("index.html") as string;
  writeFileSync(join(dir, "index.html"), html);
  writeFileSync(join(dir, "measure.html"), html.replace("</body>", `${MEASURE}\n</body>`));

  it("takes a screenshot of the first screen", () => {
    const shot = join(dir, "top.png");
    const r = chromium([`--screenshot=${shot}`], pathToFileURL(join(dir, "index.html")).href);
    expect(r.status).toBe(0);
    const png = readFileSync(shot);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([WIDTH_PX, HEIGHT_PX]);
    // A blank 1280 × 900 page compresses to a few kB; text and tables take far more.
    expect(png.length).toBeGreaterThan(30_000);
  });

  it("shows the verdict on the first screen, and every table fits the page at 1280 px", () => {
    const r = chromium(["--dump-dom"], pathToFileURL(join(dir, "measure.html")).href);
    expect(r.status).toBe(0);
    const attr = /data-layout="([^"]*)"/.exec(r.stdout)?.[1];
    expect(attr).toBeDefined();
    const layout = JSON.parse((attr as string).replace(/&quot;/g, '"').replace(/&amp;/g, "&")) as {
      verdictTop: number;
      verdictBottom: number;
      overflowing: string[];
      pageWidth: number;
    };
    expect(layout.verdictTop).toBeGreaterThan(0);
    expect(layout.verdictTop).toBeLessThan(HEIGHT_PX / 2);
    expect(layout.overflowing).toEqual([]);
    expect(layout.pageWidth).toBeLessThanOrEqual(WIDTH_PX);
  });
});
