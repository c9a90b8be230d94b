// The shipped scenarios: every one validates, starts with the editor schema line and a comment saying what it
// models, and the committed scenarios/schema.json equals a fresh generation from the zod schema.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioJsonSchemaText } from "../../src/scenario/json-schema.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import type { Distribution } from "../../src/scenario/schema.ts";

const ROOT = new URL("../../scenarios/", import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml") && f !== "thresholds.yaml") // the gate's thresholds are not a scenario
    .sort()
    .map((f) => join(ROOT, dir, f));
}

/** The [min, max] of a constant or uniform quantity (the quality set uses only these). */
function range(d: Distribution): [number, number] {
  if (typeof d === "number") return [d, d];
  if (d.dist === "uniform") return [d.min, d.max];
  throw new Error(`expected a constant or a uniform distribution, got ${d.dist}`);
}

const SHIPPED = [...yamlFiles("."), ...yamlFiles("ci"), ...yamlFiles("quality")];

describe("shipped scenarios", () => {
  it("include the suite the README describes", () => {
    const names = yamlFiles(".").map((f) => f.slice(ROOT.length));
    for (const n of ["baseline", "cdn", "churn", "flaky", "heterogeneous", "large", "mobile"]) {
      expect(names).toContain(`${n}.yaml`);
    }
    expect(yamlFiles("ci").length).toBeGreaterThanOrEqual(2);
  });

  it.each(SHIPPED)("%s validates and documents itself", (file) => {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^# yaml-language-server: \$schema=(\.\/|\.\.\/)schema\.json$/);
    expect(lines[1]).toMatch(/^# \S/);
    const loaded = loadScenario(file);
    expect(loaded.scenario.name).toMatch(/^[a-z0-9-]+$/);
  });

  it("the quality set: at least six heterogeneous fluid scenarios without churn or failures, in the issue's ranges", () => {
    const files = yamlFiles("quality");
    expect(files.length).toBeGreaterThanOrEqual(6);
    const scenarios = files.map((f) => loadScenario(f).scenario);
    for (const s of scenarios) {
      expect(s.network.model).toBe("fluid");
      const peers = s.peers.reduce((n, g) => n + g.count, 0);
      expect(peers).toBeGreaterThanOrEqual(8);
      expect(peers).toBeLessThanOrEqual(50);
      for (const g of s.peers) {
        expect(g.churn).toBeUndefined();
        expect(g.arrivals).toBeUndefined();
        const f = g.failures;
        expect([f.connect_refused_p, f.connect_timeout_p, f.drop_per_s, f.corrupt_p, f.stall_per_s, f.slowdown_per_s]).toEqual([0, 0, 0, 0, 0, 0]);
        expect(range(g.uplink_bps)[0]).toBeGreaterThanOrEqual(1e6);
        expect(range(g.uplink_bps)[1]).toBeLessThanOrEqual(20e6);
        expect(range(g.rtt_ms)[0]).toBeGreaterThanOrEqual(10);
        expect(range(g.rtt_ms)[1]).toBeLessThanOrEqual(200);
      }
    }
    const names = scenarios.map((s) => s.name);
    expect(names).toContain("quality-downlink-bound");
    expect(names).toContain("quality-near-fast-far-slow");
    expect(scenarios.some((s) => s.peers.reduce((n, g) => n + g.count, 0) === 50)).toBe(true);
    // Downlink-bound: the peers connected at once could send more than the downlink takes.
    const bound = scenarios.find((s) => s.name === "quality-downlink-bound")!;
    const minUplink = Math.min(...bound.peers.map((g) => range(g.uplink_bps)[0]));
    expect(minUplink * bound.agent.max_connections).toBeGreaterThanOrEqual(bound.agent.downlink_bps);
  });

  it("the demo is the mixed, churning, streaming one", () => {
    const s = loadScenario(join(ROOT, "churn.yaml")).scenario;
    expect(s.strategies).toEqual(["static", "index", "rebalance", "eft", "ecf"]); // the design's three, then the best of each kind
    expect(s.seeds).toBe(5); // the verdict warns below 5
    expect(s.content.bitrate_bps).toBeGreaterThan(0);
    expect(s.peers.length).toBeGreaterThan(1);
    expect(s.peers.some((g) => g.churn !== undefined && g.churn.time_scale < 1)).toBe(true);
  });

  it("the trace-driven scenario loads its traces", () => {
    const loaded = loadScenario(join(ROOT, "mobile.yaml"));
    expect([...loaded.traces.keys()].sort()).toEqual([
      "traces/3g-bus.pensieve.log",
      "traces/4g-drive.sabre.json",
      "traces/lte-walk.pensieve.log",
    ]);
  });

  it("the large scenario has 10,000 peers and a tracker list of 50", () => {
    const s = loadScenario(join(ROOT, "large.yaml")).scenario;
    expect(s.peers.reduce((n, g) => n + g.count, 0)).toBe(10_000);
    expect(s.tracker.list_size).toBe(50);
  });
});

describe("scenarios/schema.json", () => {
  it("equals a fresh generation (run `npm run schema` after changing src/scenario/schema.ts)", () => {
    expect(readFileSync(join(ROOT, "schema.json"), "utf8")).toBe(scenarioJsonSchemaText());
  });

  it("is valid JSON with the scenario's top-level keys", () => {
    const schema = JSON.parse(scenarioJsonSchemaText()) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toContain("peers");
    expect(schema.required).toEqual(["name", "content", "agent"]);
  });
});
