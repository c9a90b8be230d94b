// Churn presets: the study fits converted to seconds, the alias, and the OverSim default mean.

import { describe, expect, it } from "vitest";
import { ChurnPreset } from "../../src/scenario/schema.ts";
import { churnPreset } from "../../src/sim/random/churn-presets.ts";
import { distributionMean } from "../../src/sim/random/distributions.ts";

describe("churnPreset", () => {
  it("converts the Stutzbach & Rejaie Weibull scales from minutes to seconds", () => {
    expect(churnPreset("bittorrent-debian").session_s).toEqual({ dist: "weibull", shape: 0.38, scale: 2544 });
    expect(churnPreset("bittorrent-redhat").session_s).toEqual({ dist: "weibull", shape: 0.34, scale: 1278 });
    expect(churnPreset("bittorrent-flatout").session_s).toEqual({
      dist: "weibull",
      shape: 0.59,
      scale: 2514,
    });
  });

  it("makes bittorrent an alias of bittorrent-debian", () => {
    expect(churnPreset("bittorrent")).toEqual(churnPreset("bittorrent-debian"));
  });

  it("gives OverSim's default mean lifetime of 10,000 s with k = 1", () => {
    const { session_s } = churnPreset("oversim");
    expect(session_s).toMatchObject({ dist: "weibull", shape: 1 });
    expect(distributionMean(session_s)).toBeCloseTo(10_000, 6);
  });

  it("covers every preset the schema accepts, downtime = session, with a one-line source", () => {
    for (const name of ChurnPreset.options) {
      const preset = churnPreset(name);
      expect(preset.downtime_s).toEqual(preset.session_s);
      expect(preset.source.length).toBeGreaterThan(10);
      expect(preset.source).not.toContain("\n");
    }
  });
});
