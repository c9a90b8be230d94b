// The swarm ledger's egress bins: a transfer's bytes spread over the time it took (hand-computed), so a bin's
// rate never shows a burst where transfers happened to end.

import { describe, expect, it } from "vitest";
import { SwarmLedger } from "../../src/sim/metrics/swarm-ledger.ts";

const S = 1_000_000;

function egressBytes(ledger: SwarmLedger, kind: "origin" | "viewer"): number[] {
  const { egress } = ledger.finish([], { origin: 0, server: 0, peer: 0, viewer: 0 });
  return egress.bps[kind].map((bps) => (bps * egress.binUs) / 8e6);
}

describe("swarm ledger", () => {
  it("spreads a transfer's bytes over the bins it spans, in proportion to the time in each", () => {
    const ledger = new SwarmLedger(S);
    // 4,000 bytes from 0.5 s to 2.5 s: a quarter of the time in bin 0, a half in bin 1, a quarter in bin 2.
    ledger.transferred("origin", 0.5 * S, 2.5 * S, 4000);
    expect(egressBytes(ledger, "origin")).toEqual([1000, 2000, 1000]);
  });

  it("puts every byte at the end when the first byte's time is unknown or equal to the end", () => {
    const ledger = new SwarmLedger(S);
    ledger.transferred("viewer", -1, 1.2 * S, 500);
    ledger.transferred("viewer", 1.7 * S, 1.7 * S, 300);
    expect(egressBytes(ledger, "viewer")).toEqual([0, 800]);
  });

  it("the rate of back-to-back transfers from one source never exceeds that source's rate", () => {
    // A source at 8,000 bit/s (1,000 B/s) sends 10 transfers of 700 B back to back from t = 0.3 s:
    // each takes 0.7 s; binned by end time, some bins would get 1,400 B (twice the rate).
    const ledger = new SwarmLedger(S);
    for (let i = 0; i < 10; i++) ledger.transferred("origin", 0.3 * S + i * 0.7 * S, 0.3 * S + (i + 1) * 0.7 * S, 700);
    const bins = egressBytes(ledger, "origin");
    for (const b of bins) expect(b).toBeLessThanOrEqual(1000 + 1e-9);
    expect(bins.reduce((s, x) => s + x, 0)).toBeCloseTo(7000, 9);
  });
});
