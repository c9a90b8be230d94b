// The run-level throughput bound: hand-computed cases, and whole runs of every shipped strategy (those that
// pipeline blocks included) on several scenarios and seeds, none of which completes before it.

import { describe, expect, it } from "vitest";
import { STRATEGIES } from "../../src/agent/strategies/registry.ts";
import { runOne } from "../../src/harness/run.ts";
import { loadScenario } from "../../src/scenario/load.ts";
import { ThroughputBound } from "../../src/sim/metrics/throughput-bound.ts";

// 8 Mb/s = 8 bits per µs; 1000 B = 8000 bits.
describe("ThroughputBound, hand-computed", () => {
  it("one node: connection opened, one RTT, then the content at its rate", () => {
    const b = new ThroughputBound(100e6);
    b.sourceOpened(1000, 7, 500, 8e6);
    b.connectionsLive(1);
    expect(b.boundUs(1000)).toBeCloseTo(2500, 9);
  });

  it("counts only as many nodes at once as connections were ever live at once: the largest capacities", () => {
    const two = (live: number) => {
      const b = new ThroughputBound(100e6);
      b.sourceOpened(0, 1, 0, 8e6); // from 0 µs
      b.connectionsLive(1);
      b.sourceOpened(500, 2, 500, 16e6); // from 1000 µs
      b.connectionsLive(live);
      return b.boundUs(3000); // 24,000 bits
    };
    expect(two(1)).toBeCloseTo(2000, 9); // 8,000 bits by 1000 µs, then 16,000 at 16 bits/µs (the larger alone)
    expect(two(2)).toBeCloseTo(1000 + 16_000 / 24, 9); // then at 8 + 16 bits/µs
  });

  it("the downlink caps the sum, and its changes count", () => {
    const b = new ThroughputBound(10e6);
    b.sourceOpened(0, 1, 0, 8e6);
    b.sourceOpened(0, 2, 0, 8e6);
    b.connectionsLive(2);
    b.capacityChanged(1000, -1, 4e6); // 10,000 bits by 1000 µs, then 4 bits/µs
    expect(b.boundUs(3000)).toBeCloseTo(1000 + 14_000 / 4, 9);
  });

  it("follows a node's capacity after its connection opened, including before its first byte could come", () => {
    const b = new ThroughputBound(100e6);
    b.capacityChanged(0, 1, 1e6); // before any connection: not a source yet, ignored
    b.sourceOpened(100, 1, 100, 8e6); // from 200 µs at 8
    b.capacityChanged(150, 1, 4e6); // from 200 µs at 4 instead
    b.capacityChanged(1200, 1, 0); // offline from 1200 µs: 4,000 bits by then
    b.connectionsLive(1);
    expect(b.boundUs(500)).toBeCloseTo(1200, 9);
    expect(b.boundUs(1000)).toBe(Number.POSITIVE_INFINITY);
  });

  it("is Infinity without any connection, 0 for empty content, NaN once its log overflowed", () => {
    expect(new ThroughputBound(1e6).boundUs(1000)).toBe(Number.POSITIVE_INFINITY);
    expect(new ThroughputBound(1e6).boundUs(0)).toBe(0);
    const b = new ThroughputBound(100e6);
    b.sourceOpened(0, 1, 0, 8e6);
    b.connectionsLive(1);
    for (let i = 0; i <= 1 << 20; i++) b.capacityChanged(i, 1, 8e6);
    expect(b.boundUs(1000)).toBeNaN();
  });
});

describe("the throughput bound in whole runs", () => {
  // Churn and jitter, failures and the origin, a capacity trace with TCP, and identical peers where the
  // strategies that pipeline blocks come within a few µs of the bound.
  const files = ["scenarios/churn.yaml", "scenarios/ci/churn-failures.yaml", "scenarios/ci/trace-tcp.yaml", "scenarios/baseline.yaml"];
  for (const file of files) {
    it(`no shipped strategy completes before it (${file}, two seeds)`, () => {
      const loaded = loadScenario(file);
      for (const { name } of STRATEGIES) {
        for (const seed of [1, 2]) {
          const { result } = runOne(loaded, { strategy: name, seed });
          expect(result.error).toBeNull();
          const m = result.metrics;
          expect(Number.isFinite(m.throughputBoundS), `${name} seed ${seed}`).toBe(true);
          expect(m.completionS, `${name} seed ${seed}`).toBeGreaterThanOrEqual(m.throughputBoundS - 1e-6);
          expect(m.throughputBoundRatio).toBeCloseTo(m.completionS / m.throughputBoundS, 12);
        }
      }
    });
  }
});
