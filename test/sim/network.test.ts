// The flow-level network: fluid timings (exact up to the documented 1 µs rounding), max-min re-filling as
// transfers end, queues, cancel/close, capacity changes, and the tcp window model, all computed by hand.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Kernel } from "../../src/sim/kernel/kernel.ts";
import { Network, type NetworkConfig } from "../../src/sim/network/network.ts";

interface Delivery {
  conn: number;
  sb: number;
  size: number;
  firstUs: number;
  endUs: number;
}

const FLUID: NetworkConfig = {
  model: "fluid",
  downlinkBps: 1e12,
  efficiency: 1,
  initialWindowBytes: 14_480,
  receiveWindowBytes: 4 * 1024 * 1024,
  idleRestartUs: 1_000_000,
};
const TCP: NetworkConfig = { ...FLUID, model: "tcp", downlinkBps: 100e6 };
const M = 1e6;
const MiB = 1_048_576;

/** A kernel, a network, the deliveries it reports, and test actions at given times. */
class Harness {
  readonly kernel = new Kernel({ endTimeUs: 1e12, maxEvents: 1e7, maxEventsPerTimestamp: 10_000 }, true);
  readonly deliveries: Delivery[] = [];
  readonly net: Network;
  private readonly actions: Array<() => void> = [];
  private readonly actKind: number;

  constructor(config: NetworkConfig) {
    this.net = new Network(this.kernel, config, {
      onSubBlockDelivered: (conn, sb, size, firstUs) =>
        this.deliveries.push({ conn, sb, size, firstUs, endUs: this.kernel.nowUs }),
    });
    this.actKind = this.kernel.registerKind("test-action", (i) => this.actions[i]());
  }

  /** Runs fn at atUs, before any network event posted later for that same time. */
  at(atUs: number, fn: () => void): void {
    this.actions.push(fn);
    this.kernel.schedule(atUs, this.actKind, this.actions.length - 1);
  }

  run(): this {
    this.kernel.run();
    return this;
  }

  delivery(conn: number, sb: number): Delivery {
    const d = this.deliveries.find((x) => x.conn === conn && x.sb === sb);
    if (d === undefined) throw new Error(`sub-block ${sb} on conn ${conn} was not delivered`);
    return d;
  }
}

/** One node, one connection: the common fixture. */
function single(config: NetworkConfig, uplinkBps: number, rttUs: number): Harness {
  const h = new Harness(config);
  h.net.addNode(0, uplinkBps, rttUs);
  h.net.openConnection(0, 0);
  return h;
}

describe("Network, fluid model", () => {
  it("delivers 1 MiB from a 1 Mb/s peer with a 20 ms RTT at exactly 0.020 + 8.388608 s", () => {
    const h = single(FLUID, 1 * M, 20_000);
    h.net.send(0, 7, MiB, 20_000); // requested at 0; the caller adds the RTT
    h.run();
    expect(h.deliveries).toEqual([{ conn: 0, sb: 7, size: MiB, firstUs: 20_000, endUs: 8_408_608 }]);
    expect(h.net.bytesDelivered).toBe(MiB);
    expect(h.net.queued(0)).toEqual([]);
  });

  it("sends the sub-blocks of one request back to back", () => {
    const h = single(FLUID, 1 * M, 20_000);
    for (let i = 0; i < 4; i++) h.net.send(0, i, 16_384, 20_000);
    h.run();
    // Each 16 KiB takes 16,384 × 8 / 1 Mb/s = 131,072 µs.
    h.deliveries.forEach((d, i) => {
      expect(d.sb).toBe(i);
      expect(d.firstUs).toBe(20_000 + 131_072 * i);
      expect(d.endUs).toBe(20_000 + 131_072 * (i + 1));
    });
    expect(h.deliveries).toHaveLength(4);
  });

  it("starts a request pipelined on a busy connection right after the one before, and an idle one at readyAt", () => {
    const h = single(FLUID, 1 * M, 20_000);
    const seen: Array<[number, number, readonly number[]]> = [];
    const probe = (t: number) => h.at(t, () => seen.push([t, h.net.inFlight(0), h.net.queued(0)]));
    h.net.send(0, 1, 100_000, 20_000); // 800,000 µs of transfer
    probe(10_000);
    h.at(100_000, () => h.net.send(0, 2, 100_000, 120_000));
    probe(500_000);
    probe(900_000);
    h.at(2_000_000, () => h.net.send(0, 3, 100_000, 2_020_000));
    h.run();
    expect(h.delivery(0, 1)).toMatchObject({ firstUs: 20_000, endUs: 820_000 });
    expect(h.delivery(0, 2)).toMatchObject({ firstUs: 820_000, endUs: 1_620_000 });
    expect(h.delivery(0, 3)).toMatchObject({ firstUs: 2_020_000, endUs: 2_820_000 });
    expect(seen).toEqual([
      [10_000, -1, [1]], // requested, first byte not there yet
      [500_000, 1, [1, 2]],
      [900_000, 2, [2]],
    ]);
  });

  it("cancels: a queued sub-block costs nothing, the in-flight one returns its partial bytes", () => {
    const h = single(FLUID, 1 * M, 20_000);
    h.net.send(0, 1, 1_000_000, 20_000);
    h.net.send(0, 2, 1_000, 20_000);
    h.net.send(0, 3, 50_000, 20_000);
    const got: number[] = [];
    h.at(520_000, () => {
      got.push(h.net.cancel(0, 2)); // queued behind the head
      got.push(h.net.cancel(0, 1)); // 500,000 µs at 1 Mb/s = 62,500 B
      got.push(h.net.cancel(0, 99)); // unknown
    });
    h.run();
    expect(got).toEqual([0, 62_500, 0]);
    expect(h.deliveries).toEqual([{ conn: 0, sb: 3, size: 50_000, firstUs: 520_000, endUs: 920_000 }]);
    expect(h.net.bytesDelivered).toBe(62_500 + 50_000);
  });

  it("closes a connection: its queue is dropped with partial bytes and the other connection gets the node", () => {
    // Node 0 (2 Mb/s) serves conns 0 and 1 at 1 Mb/s each. At 1 s conn 0 is closed; conn 1 has 875,000 B left
    // at 2 Mb/s: 3.5 s more.
    const h = single(FLUID, 2 * M, 0);
    h.net.openConnection(1, 0);
    h.net.send(0, 1, 1_000_000, 0);
    h.net.send(0, 2, 1_000_000, 0);
    h.net.send(1, 10, 1_000_000, 0);
    let closed: Array<[number, number]> = [];
    const rates: number[] = [];
    h.at(500_000, () =>
      rates.push(h.net.connectionRateBps(0), h.net.connectionRateBps(1), h.net.nodeRateBps(0)),
    );
    h.at(1_000_000, () => {
      closed = h.net.closeConnection(0);
    });
    h.at(2_000_000, () =>
      rates.push(h.net.connectionRateBps(0), h.net.connectionRateBps(1), h.net.nodeRateBps(0)),
    );
    h.run();
    expect(closed).toEqual([
      [1, 125_000],
      [2, 0],
    ]);
    expect(rates).toEqual([1 * M, 1 * M, 2 * M, 0, 2 * M, 2 * M]);
    expect(h.deliveries).toEqual([{ conn: 1, sb: 10, size: 1_000_000, firstUs: 0, endUs: 4_500_000 }]);
    expect(h.net.queued(0)).toEqual([]);
    expect(h.net.inFlight(0)).toBe(-1);
    expect(h.net.closeConnection(0)).toEqual([]);
  });

  it("re-fills the downlink max-min as transfers end (2, 5, 10, 20 Mb/s peers on 10 Mb/s)", () => {
    // Sizes 1, 1, 2, 3 MB (8, 8, 16, 24 Mb). Phase 1: 2, 8/3, 8/3, 8/3 → peer 1 ends at 3 s (peer 0 has 2 Mb
    // left, peer 2 8 Mb, peer 3 16 Mb). Phase 2: 2 + 2θ = 10 → 2, 4, 4 → peer 0 ends at 4 s (peer 2: 4 Mb left,
    // peer 3: 12). Phase 3: θ = 5 → peer 2 ends at 4.8 s (peer 3: 8 Mb left). Phase 4: peer 3 alone at
    // min(20, 10) = 10 Mb/s → ends at 5.6 s.
    const h = new Harness({ ...FLUID, downlinkBps: 10 * M });
    const uplinks = [2, 5, 10, 20];
    const sizes = [1e6, 1e6, 2e6, 3e6];
    uplinks.forEach((u, i) => {
      h.net.addNode(i, u * M, 0);
      h.net.openConnection(i, i);
      h.net.send(i, 0, sizes[i], 0);
    });
    const rates: number[][] = [];
    for (const t of [1e6, 3.5e6, 4.5e6, 5e6])
      h.at(t, () => rates.push(uplinks.map((_, i) => h.net.connectionRateBps(i) / M)));
    h.run();
    const ends = uplinks.map((_, i) => h.delivery(i, 0).endUs);
    [4_000_000, 3_000_000, 4_800_000, 5_600_000].forEach((e, i) => {
      expect(Math.abs(ends[i] - e)).toBeLessThanOrEqual(1);
    });
    const expected = [
      [2, 8 / 3, 8 / 3, 8 / 3],
      [2, 0, 4, 4],
      [0, 0, 5, 5],
      [0, 0, 0, 10],
    ];
    rates.forEach((row, k) => {
      row.forEach((r, i) => {
        expect(r).toBeCloseTo(expected[k][i], 6);
      });
    });
    // One destination (the agent): every recompute went through the star solver.
    expect(h.net.sharingStats.generalSolves).toBe(0);
    expect(h.net.sharingStats.starSolves).toBeGreaterThan(3);
  });

  it("follows a capacity change mid-transfer (setNodeUplink, setDownlink)", () => {
    // 1 MB at 1 Mb/s from 0; at 2 s the uplink doubles: 6 Mb left at 2 Mb/s → ends at 5 s.
    const h = single(FLUID, 1 * M, 0);
    h.net.send(0, 1, 1_000_000, 0);
    h.at(2_000_000, () => h.net.setNodeUplink(0, 2 * M));
    h.run();
    expect(h.delivery(0, 1).endUs).toBe(5_000_000);

    // Downlink 1 Mb/s shared by two fast peers (0.5 each); at 1 s it becomes 4 Mb/s (2 each): 1 MB needs 0.5 Mb
    // + 7.5 Mb at 2 Mb/s → 1 + 3.75 s.
    const d = new Harness({ ...FLUID, downlinkBps: 1 * M });
    for (let i = 0; i < 2; i++) {
      d.net.addNode(i, 100 * M, 0);
      d.net.openConnection(i, i);
      d.net.send(i, 0, 1_000_000, 0);
    }
    d.at(1_000_000, () => d.net.setDownlink(4 * M));
    d.run();
    expect(d.delivery(0, 0).endUs).toBe(4_750_000);
    expect(d.delivery(1, 0).endUs).toBe(4_750_000);
  });

  it("stalls a node with factor 0 (no bytes, no first byte) and resumes when restored", () => {
    // Conn 0: 1 MB at 1 Mb/s from 0; stalled from 2 s to 4 s (750,000 B left). Conn 1 (same node) becomes
    // eligible at 3 s during the stall: its first byte waits for 4 s. From 4 s both get 0.5 Mb/s: conn 1
    // (125,000 B) ends at 6 s; conn 0 then has 5 Mb left at 1 Mb/s → 11 s.
    const h = single(FLUID, 1 * M, 0);
    h.net.openConnection(1, 0);
    h.net.send(0, 1, 1_000_000, 0);
    h.net.send(1, 5, 125_000, 3_000_000);
    h.at(2_000_000, () => h.net.setNodeFactor(0, 0));
    const seen: number[] = [];
    h.at(3_500_000, () =>
      seen.push(
        h.net.connectionRateBps(0),
        h.net.nodeRateBps(0),
        h.net.inFlight(0),
        h.net.inFlight(1),
        h.net.bytesDelivered,
      ),
    );
    h.at(4_000_000, () => h.net.setNodeFactor(0, 1));
    h.run();
    expect(seen).toEqual([0, 0, 1, -1, 250_000]);
    expect(h.delivery(1, 5)).toMatchObject({ firstUs: 4_000_000, endUs: 6_000_000 });
    expect(h.delivery(0, 1)).toMatchObject({ firstUs: 0, endUs: 11_000_000 });
  });

  it("delivers a zero-byte sub-block when it becomes eligible, and runs identically twice", () => {
    const make = () => {
      const h = single(FLUID, 1 * M, 0);
      h.net.send(0, 1, 0, 5_000);
      h.net.send(0, 2, 1_000, 5_000);
      return h.run();
    };
    const a = make();
    expect(a.deliveries.map((d) => [d.sb, d.firstUs, d.endUs])).toEqual([
      [1, 5_000, 5_000],
      [2, 5_000, 13_000],
    ]);
    expect(make().kernel.fingerprint()).toBe(a.kernel.fingerprint());
  });
});

describe("Network, tcp model", () => {
  const IW = 14_480;

  /** A fast path (100 Mb/s downlink, 1 Gb/s peer, efficiency 1) so that only the window limits. */
  function tcp(rttUs: number, extra: Partial<NetworkConfig> = {}): Harness {
    return single({ ...TCP, efficiency: 1, ...extra }, 1000 * M, rttUs);
  }

  it("ramps up a 16 KiB transfer: one round at IW, the rest at twice the window", () => {
    for (const rtt of [50_000, 300_000]) {
      const h = tcp(rtt);
      h.net.send(0, 1, 16_384, rtt); // requested at 0
      h.run();
      // Round 1 (rtt → 2·rtt): 14,480 B at IW/RTT. Then 1,904 B at 2·IW/RTT: 1,904·RTT/(2·IW) µs.
      const end = Math.ceil(2 * rtt + (1_904 * rtt) / (2 * IW));
      expect(h.delivery(0, 1)).toMatchObject({ firstUs: rtt, endUs: end });
      expect(end).toBe(rtt === 50_000 ? 103_288 : 619_724);
      expect(h.net.windowBytes(0)).toBe(2 * IW);
    }
  });

  it("ramps up 1 MiB at 50 ms until the link binds, and at 300 ms within the window rounds", () => {
    // 50 ms: windows 1, 2, 4, 8, 16, 32 × IW are cap-bound (32·IW/RTT = 74.1 Mb/s < 100): 63·IW = 912,240 B in
    // six rounds; at 350,000 µs the window doubles to 926,720 B (148 Mb/s) and the link (100 Mb/s) binds:
    // 136,336 B at 100 Mb/s.
    const a = tcp(50_000);
    a.net.send(0, 1, MiB, 50_000);
    a.run();
    expect(a.delivery(0, 1).endUs).toBe(Math.ceil(350_000 + (136_336 * 8e6) / 100e6));
    expect(a.delivery(0, 1).endUs).toBe(360_907);
    // 300 ms: 64·IW/RTT = 24.7 Mb/s is still cap-bound, so the 7th round (window 926,720 B) carries the
    // remaining 136,336 B from 2,100,000 µs.
    const b = tcp(300_000);
    b.net.send(0, 1, MiB, 300_000);
    b.run();
    expect(b.delivery(0, 1).endUs).toBe(Math.ceil(2_100_000 + (136_336 * 300_000) / 926_720));
    expect(b.delivery(0, 1).endUs).toBe(2_144_136);
  });

  it("stops doubling once the window is no longer the limit, and caps it at the receive window", () => {
    const a = tcp(50_000);
    a.net.send(0, 1, 4 * MiB, 50_000);
    const seen: number[] = [];
    a.at(75_000, () => seen.push(a.net.connectionRateBps(0)));
    a.at(520_000, () => seen.push(a.net.windowBytes(0), a.net.connectionRateBps(0)));
    a.run();
    expect(seen).toEqual([(IW * 8e6) / 50_000, 64 * IW, 100e6]);

    // Receive window 64 KiB at 100 ms: 14,480 → 28,960 → 57,920 → 65,536; cap 65,536·8e6/1e5 bps.
    const b = tcp(100_000, { receiveWindowBytes: 65_536 });
    b.net.send(0, 1, 4 * MiB, 100_000);
    const capped: number[] = [];
    b.at(1_000_000, () => capped.push(b.net.windowBytes(0), b.net.connectionRateBps(0)));
    b.run();
    expect(capped).toEqual([65_536, 5_242_880]);
  });

  it("keeps the window over a short idle period and restarts slow start after a long one", () => {
    const h = tcp(50_000);
    h.net.send(0, 1, 16_384, 50_000); // ends at 103,288 with a window of 2·IW
    // Idle 103,288 → 450,000 (< 1 s): the window stays 28,960 B: 16,384 B take 16,384·RTT/(2·IW) µs.
    h.at(400_000, () => h.net.send(0, 2, 16_384, 450_000));
    // Idle from 478,288 to 2,050,000 (> 1 s): back to IW, the same timing as the first request.
    h.at(2_000_000, () => h.net.send(0, 3, 16_384, 2_050_000));
    h.run();
    expect(h.delivery(0, 1).endUs).toBe(103_288);
    expect(h.delivery(0, 2).endUs).toBe(Math.ceil(450_000 + (16_384 * 50_000) / (2 * IW)));
    expect(h.delivery(0, 2).endUs).toBe(478_288);
    expect(h.delivery(0, 3).endUs).toBe(2_103_288);
  });

  it("applies the efficiency to uplinks and to the downlink", () => {
    // Windows large enough never to bind. A 10 Mb/s peer carries 9.5 Mb/s of payload.
    const big = { initialWindowBytes: 64 * MiB, receiveWindowBytes: 64 * MiB, efficiency: 0.95 };
    const h = single({ ...TCP, ...big }, 10 * M, 20_000);
    h.net.send(0, 1, MiB, 20_000);
    const rate: number[] = [];
    h.at(100_000, () => rate.push(h.net.connectionRateBps(0)));
    h.run();
    expect(rate[0]).toBeCloseTo(9.5 * M, 3);
    expect(Math.abs(h.delivery(0, 1).endUs - Math.ceil(20_000 + (MiB * 8e6) / 9.5e6))).toBeLessThanOrEqual(1);

    // Downlink 10 Mb/s × 0.9 shared by two fast peers: 4.5 Mb/s each.
    const d = new Harness({ ...TCP, ...big, efficiency: 0.9, downlinkBps: 10 * M });
    for (let i = 0; i < 2; i++) {
      d.net.addNode(i, 100 * M, 20_000);
      d.net.openConnection(i, i);
      d.net.send(i, 0, MiB, 20_000);
    }
    const both: number[] = [];
    d.at(100_000, () => both.push(d.net.connectionRateBps(0), d.net.connectionRateBps(1)));
    d.run();
    expect(both[0]).toBeCloseTo(4.5 * M, 3);
    expect(both[1]).toBeCloseTo(4.5 * M, 3);
  });

  it("ignores efficiency in the fluid model", () => {
    const h = single({ ...FLUID, efficiency: 0.5 }, 1 * M, 20_000);
    h.net.send(0, 7, MiB, 20_000);
    h.run();
    expect(h.delivery(0, 7).endUs).toBe(8_408_608);
  });
});

describe("Network, random operations", () => {
  type Op =
    | { t: number; kind: "send"; conn: number; size: number; delay: number }
    | { t: number; kind: "cancel"; conn: number; pick: number }
    | { t: number; kind: "close"; conn: number }
    | { t: number; kind: "uplink"; node: number; mbps: number }
    | { t: number; kind: "factor"; node: number; factor: number }
    | { t: number; kind: "downlink"; mbps: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      t: fc.nat(2_000_000),
      kind: fc.constant("send" as const),
      conn: fc.nat(5),
      size: fc.oneof(fc.constant(0), fc.nat(200_000)),
      delay: fc.nat(60_000),
    }),
    fc.record({
      t: fc.nat(2_000_000),
      kind: fc.constant("cancel" as const),
      conn: fc.nat(5),
      pick: fc.nat(10),
    }),
    fc.record({ t: fc.nat(2_000_000), kind: fc.constant("close" as const), conn: fc.nat(5) }),
    fc.record({
      t: fc.nat(2_000_000),
      kind: fc.constant("uplink" as const),
      node: fc.nat(2),
      mbps: fc.integer({ min: 1, max: 20 }),
    }),
    fc.record({
      t: fc.nat(2_000_000),
      kind: fc.constant("factor" as const),
      node: fc.nat(2),
      factor: fc.constantFrom(0, 0.25, 1),
    }),
    fc.record({
      t: fc.nat(2_000_000),
      kind: fc.constant("downlink" as const),
      mbps: fc.integer({ min: 1, max: 30 }),
    }),
  );

  it("never loses or duplicates a sub-block, keeps queue order, and accounts every byte", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("fluid" as const, "tcp" as const),
        fc.array(opArb, { maxLength: 60 }),
        (model, ops) => {
          const h = new Harness({ ...TCP, model, downlinkBps: 10 * M, efficiency: 0.95 });
          for (let n = 0; n < 3; n++) h.net.addNode(n, (n + 1) * 2 * M, 10_000 * (n + 1));
          const open = new Set<number>();
          for (let c = 0; c < 6; c++) {
            h.net.openConnection(c, c % 3);
            open.add(c);
          }
          const ended = new Map<string, string>(); // "conn/sb" → how it ended
          const sent: Array<{ conn: number; sb: number; size: number; readyUs: number }> = [];
          let partial = 0;
          let lossy = 0;
          let nextSb = 0;
          const end = (conn: number, sb: number, how: string) => {
            const key = `${conn}/${sb}`;
            expect(ended.has(key)).toBe(false);
            ended.set(key, how);
          };
          for (const op of [...ops].sort((a, b) => a.t - b.t)) {
            h.at(op.t, () => {
              const now = h.kernel.nowUs;
              if (op.kind === "send" && open.has(op.conn)) {
                const sb = nextSb++;
                sent.push({ conn: op.conn, sb, size: op.size, readyUs: now + op.delay });
                h.net.send(op.conn, sb, op.size, now + op.delay);
              } else if (op.kind === "cancel") {
                const q = h.net.queued(op.conn);
                if (q.length === 0) return;
                const sb = q[op.pick % q.length];
                const bytes = h.net.cancel(op.conn, sb);
                end(op.conn, sb, "cancelled");
                partial += bytes;
                lossy++;
              } else if (op.kind === "close" && open.has(op.conn)) {
                open.delete(op.conn);
                for (const [sb, bytes] of h.net.closeConnection(op.conn)) {
                  end(op.conn, sb, "closed");
                  partial += bytes;
                  lossy++;
                }
              } else if (op.kind === "uplink") h.net.setNodeUplink(op.node, op.mbps * M);
              else if (op.kind === "factor") h.net.setNodeFactor(op.node, op.factor);
              else if (op.kind === "downlink") h.net.setDownlink(op.mbps * M);
            });
          }
          // Afterwards every node runs again, so everything still queued must arrive.
          h.at(2_000_001, () => {
            for (let n = 0; n < 3; n++) h.net.setNodeFactor(n, 1);
          });
          h.run();
          let deliveredBytes = 0;
          const lastEnd = new Map<number, number>();
          for (const d of h.deliveries) {
            end(d.conn, d.sb, "delivered");
            const s = sent.find((x) => x.sb === d.sb)!;
            expect(d.conn).toBe(s.conn);
            expect(d.size).toBe(s.size);
            expect(d.firstUs).toBeGreaterThanOrEqual(Math.ceil(s.readyUs) - 0);
            expect(d.endUs).toBeGreaterThanOrEqual(d.firstUs);
            expect(d.firstUs).toBeGreaterThanOrEqual(lastEnd.get(d.conn) ?? 0); // strictly in queue order
            lastEnd.set(d.conn, d.endUs);
            deliveredBytes += d.size;
          }
          expect(ended.size).toBe(sent.length);
          const total = h.net.bytesDelivered;
          expect(total).toBeGreaterThanOrEqual(deliveredBytes + partial - 1e-3);
          expect(total).toBeLessThanOrEqual(deliveredBytes + partial + lossy + 1e-3);
          for (let c = 0; c < 6; c++) expect(h.net.connectionRateBps(c)).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
