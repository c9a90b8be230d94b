// The network with hosts: several destinations sharing uplinks and downlinks max-min fairly, recomputed
// incrementally. Hand-computed bipartite cases (two downloaders sharing two uplinks, one fast downloader among
// slow ones, a chain where a change propagates link by link), isolation of unrelated parts, the route model,
// and property tests against an independent progressive filling (maxmin-reference.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Kernel } from "../../src/sim/kernel/kernel.ts";
import { MaxMinFiller } from "../../src/sim/network/maxmin-general.ts";
import { Network, type NetworkConfig } from "../../src/sim/network/network.ts";
import { routeRttUs } from "../../src/sim/network/route.ts";
import { referenceMaxMin, type RefFlow } from "./maxmin-reference.ts";

const M = 1e6;
const FLUID: NetworkConfig = {
  model: "fluid",
  efficiency: 1,
  initialWindowBytes: 14_480,
  receiveWindowBytes: 4 * 1024 * 1024,
  idleRestartUs: 1_000_000,
};
const BIG = 1e12; // bytes: a transfer that outlasts every test

interface Delivery {
  conn: number;
  sb: number;
  endUs: number;
}

/** A kernel and a network of hosts (no star agent), with actions at given times. */
class Harness {
  readonly kernel = new Kernel({ endTimeUs: 1e13, maxEvents: 1e7, maxEventsPerTimestamp: 10_000 });
  readonly deliveries: Delivery[] = [];
  readonly net: Network;
  private readonly actions: Array<() => void> = [];
  private readonly actKind: number;

  constructor(config: NetworkConfig = FLUID) {
    this.net = new Network(this.kernel, config, {
      onSubBlockDelivered: (conn, sb) => this.deliveries.push({ conn, sb, endUs: this.kernel.nowUs }),
    });
    this.actKind = this.kernel.registerKind("test-action", (i) => this.actions[i]());
  }

  at(atUs: number, fn: () => void): void {
    this.actions.push(fn);
    this.kernel.schedule(atUs, this.actKind, this.actions.length - 1);
  }

  /** Hosts from [uplink, downlink] pairs in Mb/s; returns their ids. */
  hosts(caps: Array<[number, number]>): number[] {
    return caps.map(([up, down]) => this.net.addHost(up * M, down * M));
  }

  /** Connection i from pairs[i][0] to pairs[i][1], each sending one long transfer now. */
  flows(pairs: Array<[number, number]>, sizeBytes = BIG): void {
    pairs.forEach(([src, dst], i) => {
      this.net.connect(i, src, dst, 10_000);
      this.net.send(i, 0, sizeBytes, 0);
    });
  }

  rates(n: number): number[] {
    return Array.from({ length: n }, (_, i) => this.net.connectionRateBps(i) / M);
  }
}

const close = (got: number[], want: number[]) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 9));
};

describe("Network with hosts: hand-computed max-min sharing", () => {
  it("two downloaders sharing two uplinks", () => {
    // S1 up 6, S2 up 20; D1 down 8, D2 down 100; flows S1→D1, S1→D2, S2→D1, S2→D2. Filling: S1 fills first at
    // 3 (3 + 3 = 6); D1 has 5 left for S2→D1 (fills at 5); S2 has 15 left for S2→D2.
    const h = new Harness();
    const [s1, s2, d1, d2] = h.hosts([
      [6, 0],
      [20, 0],
      [0, 8],
      [0, 100],
    ]);
    h.flows([
      [s1, d1],
      [s1, d2],
      [s2, d1],
      [s2, d2],
    ]);
    close(h.rates(4), [3, 3, 5, 15]);
    expect(h.net.hostDownlinkRateBps(d1)).toBeCloseTo(8 * M, 3);
    expect(h.net.hostUplinkRateBps(s2)).toBeCloseTo(20 * M, 3);
    expect(h.net.sharingStats.generalSolves).toBeGreaterThan(0);
  });

  it("one fast downloader among slow ones gets what the slow ones leave of each uplink", () => {
    // Three sources of 12 Mb/s; slow downloaders A and B (3 Mb/s) and fast F (100 Mb/s) each connect to all
    // three. A and B get 1 per flow (their downlinks fill first); each source has 12 − 2 = 10 left for F: 30.
    const h = new Harness();
    const src = h.hosts([
      [12, 0],
      [12, 0],
      [12, 0],
    ]);
    const [a, b, fast] = h.hosts([
      [0, 3],
      [0, 3],
      [0, 100],
    ]);
    const pairs: Array<[number, number]> = [];
    for (const d of [a, b, fast]) for (const s of src) pairs.push([s, d]);
    h.flows(pairs);
    close(h.rates(9), [1, 1, 1, 1, 1, 1, 10, 10, 10]);
    expect(h.net.hostDownlinkRateBps(fast)).toBeCloseTo(30 * M, 3);
  });

  it("propagates a change along a chain of shared links, link by link", () => {
    // D1 (down 1) ← S1 (up 5) → D2 (down 12) ← S2 (up 20) → D3 (down 100). Flows f1 S1→D1, f2 S1→D2,
    // f3 S2→D2, f4 S2→D3. Filling: D1 at 1 (f1); S1 has 4 left (f2 = 4); D2 has 8 left (f3 = 8); S2 has 12
    // left (f4 = 12). D1 rises to 2: f1 = 2, so f2 = 3, f3 = 9, f4 = 11: every flow moves.
    const h = new Harness();
    const [s1, s2, d1, d2, d3] = h.hosts([
      [5, 0],
      [20, 0],
      [0, 1],
      [0, 12],
      [0, 100],
    ]);
    h.flows([
      [s1, d1],
      [s1, d2],
      [s2, d2],
      [s2, d3],
    ]);
    close(h.rates(4), [1, 4, 8, 12]);
    const before = { ...h.net.sharingStats };
    h.net.setHostDownlink(d1, 2 * M);
    close(h.rates(4), [2, 3, 9, 11]);
    // Seeded with f1 alone (the flow of the changed link), the checks grew A one link at a time.
    const after = h.net.sharingStats;
    expect(after.generalSolves - before.generalSolves).toBe(1);
    expect(after.generalRounds - before.generalRounds).toBeGreaterThanOrEqual(3);
    expect(after.generalFlows - before.generalFlows).toBe(4);
    expect(after.componentFallbacks).toBe(0);
  });

  it("leaves a part of the network that a change cannot reach alone", () => {
    // Two separate pairs of downloaders: a change in one never re-solves the other.
    const h = new Harness();
    const [s1, s2, d1, d2, s3, s4, d3, d4] = h.hosts([
      [10, 0],
      [10, 0],
      [0, 8],
      [0, 8],
      [10, 0],
      [10, 0],
      [0, 8],
      [0, 8],
    ]);
    h.flows([
      [s1, d1],
      [s2, d1],
      [s1, d2],
      [s2, d2],
      [s3, d3],
      [s4, d3],
      [s3, d4],
      [s4, d4],
    ]);
    close(h.rates(8), [4, 4, 4, 4, 4, 4, 4, 4]);
    const before = h.net.sharingStats.generalFlows;
    h.net.setHostDownlink(d3, 4 * M); // d3's flows: 2 each; s3, s4 have 8 left, so d4's flows: 4 (its downlink)
    close(h.rates(8), [4, 4, 4, 4, 2, 2, 4, 4]);
    expect(h.net.sharingStats.generalFlows - before).toBeLessThanOrEqual(4);
  });

  it("times transfers exactly with shared uplinks (fluid)", () => {
    // S (up 8) sends 1 MB to D1 and 1 MB to D2 (downlinks 100): 4 Mb/s each until both end at 2 s. A third
    // transfer S→D3 (down 2 Mb/s) of 0.5 MB joins at 1 s: D3 fills at 2; D1, D2 get 3 each. D1, D2 have 4 Mb
    // left at 1 s → 4/3 s more; D3 has 4 Mb at 2 → 2 s. From 2.333 s D3 is alone on S: still 2 (its downlink):
    // it ends at 3 s.
    const h = new Harness();
    const [s, d1, d2, d3] = h.hosts([
      [8, 0],
      [0, 100],
      [0, 100],
      [0, 2],
    ]);
    h.flows(
      [
        [s, d1],
        [s, d2],
      ],
      1_000_000,
    );
    h.net.connect(2, s, d3, 10_000);
    h.at(1_000_000, () => h.net.send(2, 0, 500_000, 1_000_000));
    h.kernel.run();
    const end = (c: number) => h.deliveries.find((d) => d.conn === c)!.endUs;
    expect(end(0)).toBe(Math.ceil(1e6 + (4e6 / 3e6) * 1e6));
    expect(end(1)).toBe(end(0));
    expect(end(2)).toBe(3_000_000);
  });

  it("keeps the tcp window per flow: a window-capped flow leaves the shared uplink to the other", () => {
    // S (up 100) → D1 with RTT 100 ms (IW 14,480 B: cap 1.1584 Mb/s) and → D2 with RTT 0 (no cap).
    // The capped flow gets its cap, the other the rest of the uplink.
    const h = new Harness({ ...FLUID, model: "tcp", efficiency: 1 });
    const [s, d1, d2] = h.hosts([
      [100, 0],
      [0, 1000],
      [0, 1000],
    ]);
    h.net.connect(0, s, d1, 100_000);
    h.net.connect(1, s, d2, 0);
    h.net.send(0, 0, BIG, 0);
    h.net.send(1, 0, BIG, 0);
    close(h.rates(2), [1.1584, 100 - 1.1584]);
    // After one RTT the window doubles.
    const seen: number[] = [];
    h.at(150_000, () => seen.push(...h.rates(2)));
    h.at(160_000, () => h.kernel.stop());
    h.kernel.run();
    close(seen, [2.3168, 100 - 2.3168]);
  });
});

describe("route model", () => {
  it("is 2 × (latency_a + latency_b) plus jitter", () => {
    expect(routeRttUs(10_000, 25_000)).toBe(70_000);
    expect(routeRttUs(10_000, 25_000, 1_500)).toBe(71_500);
    expect(() => routeRttUs(-1, 0)).toThrow(RangeError);
    expect(() => routeRttUs(0, 0, -1)).toThrow(RangeError);
  });
});

// ---- property tests against the reference --------------------------------------------------------------------

const relClose = (a: number, b: number) => Math.abs(a - b) <= 1e-7 * Math.max(1, Math.abs(b));

describe("progressive filling against the reference", () => {
  it("gives the reference's rates on random flows over an uplink and a downlink, with caps", () => {
    // Links 0..U-1 are uplinks, U..U+D-1 downlinks (some unlimited); a flow crosses one of each.
    const capArb = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true }));
    const arb = fc.record({
      ups: fc.array(capArb, { minLength: 1, maxLength: 6 }),
      downs: fc.array(fc.oneof(fc.constant(Infinity), capArb), { minLength: 1, maxLength: 6 }),
      flows: fc.array(
        fc.record({
          up: fc.nat(),
          down: fc.nat(),
          cap: fc.oneof(fc.constant(Infinity), fc.double({ min: 0, max: 60, noNaN: true })),
        }),
        { maxLength: 25 },
      ),
    });
    const filler = new MaxMinFiller();
    fc.assert(
      fc.property(arb, ({ ups, downs, flows }) => {
        const n = flows.length;
        const linkCaps = [...ups, ...downs];
        const L = linkCaps.length;
        const up = Int32Array.from(flows.map((f) => f.up % ups.length));
        const down = Int32Array.from(flows.map((f) => ups.length + (f.down % downs.length)));
        const cap = Float64Array.from(flows.map((f) => f.cap));
        const rate = new Float64Array(n);
        const by = new Int32Array(n);
        const level = new Float64Array(L);
        filler.solve(n, up, down, cap, L, Float64Array.from(linkCaps), rate, by, level);
        const ref = referenceMaxMin(
          flows.map((f, i) => ({ links: [up[i], down[i]], cap: f.cap })),
          linkCaps,
        );
        for (let i = 0; i < n; i++) {
          if (!relClose(rate[i], ref[i])) throw new Error(`flow ${i}: ${rate[i]}, reference ${ref[i]}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("Network with hosts: incremental rates against the reference", () => {
  type Op =
    | { kind: "start"; conn: number }
    | { kind: "stop"; conn: number }
    | { kind: "uplink"; host: number; mbps: number }
    | { kind: "downlink"; host: number; mbps: number }
    | { kind: "factor"; host: number; factor: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("start" as const), conn: fc.nat(29) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("stop" as const), conn: fc.nat(29) }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("uplink" as const), host: fc.nat(9), mbps: fc.integer({ min: 0, max: 40 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("downlink" as const),
        host: fc.nat(9),
        mbps: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 40 })),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("factor" as const), host: fc.nat(9), factor: fc.constantFrom(0, 0.5, 1) }),
    },
  );

  const netArb = fc.record({
    model: fc.constantFrom("fluid" as const, "tcp" as const),
    up: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 10, maxLength: 10 }),
    down: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 10, maxLength: 10 }),
    // 30 possible connections (source, destination, RTT); sources and destinations overlap, so links are shared
    // in chains as well as in stars.
    conns: fc.array(fc.tuple(fc.nat(9), fc.nat(9), fc.constantFrom(0, 20_000, 200_000)), {
      minLength: 30,
      maxLength: 30,
    }),
    ops: fc.array(fc.tuple(fc.integer({ min: 0, max: 400_000 }), opArb), { minLength: 20, maxLength: 80 }),
  });

  it("matches a from-scratch progressive filling after every change, window steps included", () => {
    fc.assert(
      fc.property(netArb, fc.constantFrom(undefined, 0, 1), ({ model, up, down, conns, ops }, maxSolveRounds) => {
        // maxSolveRounds 0 and 1: the whole-component solve, always or after one round of checks.
        const h = new Harness({ ...FLUID, model, efficiency: model === "tcp" ? 0.9 : 1, maxSolveRounds });
        const eff = model === "tcp" ? 0.9 : 1;
        const upBps = up.map((x) => x * M);
        const downBps = down.map((x) => x * M);
        const factor = up.map(() => 1);
        upBps.forEach((u, i) => h.net.addHost(u, downBps[i]));
        conns.forEach(([s, d, rtt], c) => h.net.connect(c, s, d, rtt));
        const active = new Set<number>();
        let sb = 0;
        const check = () => {
          const ids = [...active];
          // Links: 2h uplink, 2h + 1 downlink; tcp caps from the windows.
          const flows: RefFlow[] = ids.map((c) => {
            const [s, d, rtt] = conns[c];
            const cap =
              model === "tcp" && rtt > 0
                ? (Math.min(h.net.windowBytes(c), 4 * 1024 * 1024) * 8e6) / rtt
                : Infinity;
            return { links: [2 * s, 2 * d + 1], cap };
          });
          const linkCaps: number[] = [];
          for (let i = 0; i < 10; i++) linkCaps.push(upBps[i] * factor[i] * eff, downBps[i] * eff);
          const ref = referenceMaxMin(flows, linkCaps);
          ids.forEach((c, i) => {
            const got = h.net.connectionRateBps(c);
            if (!relClose(got, ref[i])) {
              throw new Error(`conn ${c}: ${got} bps, reference ${ref[i]} bps (t = ${h.kernel.nowUs})`);
            }
          });
        };
        const sorted = [...ops].sort((a, b) => a[0] - b[0]);
        for (const [t, op] of sorted) {
          h.at(t, () => {
            if (op.kind === "start" && !active.has(op.conn)) {
              active.add(op.conn);
              h.net.send(op.conn, sb++, BIG, h.kernel.nowUs);
            } else if (op.kind === "stop" && active.has(op.conn)) {
              active.delete(op.conn);
              h.net.cancel(op.conn, h.net.queued(op.conn)[0]);
            } else if (op.kind === "uplink") {
              upBps[op.host] = op.mbps * M;
              h.net.setHostUplink(op.host, upBps[op.host]);
            } else if (op.kind === "downlink") {
              downBps[op.host] = op.mbps * M;
              h.net.setHostDownlink(op.host, downBps[op.host]);
            } else if (op.kind === "factor") {
              factor[op.host] = op.factor;
              h.net.setHostUplinkFactor(op.host, op.factor);
            }
            check();
          });
        }
        // Window steps change rates between the operations: check at a few more instants.
        for (let t = 10_000; t <= 500_000; t += 30_000) h.at(t, check);
        h.at(500_001, () => h.kernel.stop());
        h.kernel.run();
      }),
      { numRuns: 200 },
    );
  });
});
