// Strategies' decisions on small fake contexts (strategy-context.ts), with hand-computed expectations: eft's
// earliest-finish split, moves and tail copies; rebalance's finish-time rule; index's node speed; ecf's queue
// depth and choice of sub-blocks; and the planning and timeline helpers they share.
import { describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/agent.ts";
import { EcfStrategy } from "../../src/agent/strategies/ecf.ts";
import { EftStrategy } from "../../src/agent/strategies/eft.ts";
import { IndexStrategy } from "../../src/agent/strategies/index-split.ts";
import { NodeSpeeds } from "../../src/agent/strategies/node-speed.ts";
import { earliestFinish } from "../../src/agent/strategies/plan.ts";
import { RebalanceStrategy } from "../../src/agent/strategies/rebalance.ts";
import { Timeline } from "../../src/agent/strategies/timeline.ts";
import { makeConfig, nodeInfo, Script } from "./fakes.ts";
import { FakeContext } from "./strategy-context.ts";

/** Sub-blocks of 100 kB = 0.8 Mbit: 100 ms at 8 Mb/s, 400 ms at 2 Mb/s, 800 ms at 1 Mb/s. */
const layout = (subBlocks: number) => ({
  sizeBytes: subBlocks * 100_000,
  blockBytes: subBlocks * 100_000,
  subBlockBytes: 100_000,
});
const ms = 1_000;

describe("planning helpers", () => {
  it("earliest finish: 8 Mb/s near, 2 Mb/s near, 8 Mb/s far ⇒ 7 / 1 / 2 of 10, the last ending at 710 ms", () => {
    // A (ready 10 ms, 100 ms each): 110, 210, 310, 410, 510, 610, 710. B (ready 10 ms, 400 ms): 410, 810.
    // C (ready 500 ms, 100 ms): 600, 700, 800. In turn: A A A A(410, tie with B: the first wins) B(410) A(510)
    // C(600) A(610) C(700) A(710).
    const a = earliestFinish(Array(10).fill(100_000), [
      { readyUs: 10 * ms, rateBps: 8e6 },
      { readyUs: 10 * ms, rateBps: 2e6 },
      { readyUs: 500 * ms, rateBps: 8e6 },
    ]);
    expect(a).toEqual([0, 0, 0, 0, 1, 0, 2, 0, 2, 0]);
  });

  it("a slow far source gets nothing when the near fast one finishes every sub-block sooner", () => {
    // A: 110, 210, 310, 410 ms; B's first would end at 200 + 800 = 1,000 ms.
    expect(
      earliestFinish(Array(4).fill(100_000), [
        { readyUs: 10 * ms, rateBps: 8e6 },
        { readyUs: 200 * ms, rateBps: 1e6 },
      ]),
    ).toEqual([0, 0, 0, 0]);
  });

});

describe("timeline", () => {
  it("a head's progress counts from max(previous arrival, request + RTT); queued ones follow back to back", () => {
    const f = new FakeContext(layout(4));
    const a = f.connect(8e6, 50 * ms);
    f.openBlock(0);
    const t = new Timeline();
    const ctx = f.ctx();
    ctx.request(a.id, [0, 1]);
    t.requested(ctx, a, [0, 1]);
    // Head 0: first byte at 50 ms, ends 150 ms; 1 ends 250 ms.
    expect(t.headStartUs(f.ctx(), a)).toBe(50 * ms);
    expect(t.arrivalsUs(f.ctx(), a, 8e6)).toEqual([150 * ms, 250 * ms]);
    f.nowUs = 100 * ms;
    const ctx2 = f.ctx();
    ctx2.request(a.id, [2]); // first byte possible at 150 ms: right behind 1, ends 350 ms
    t.requested(ctx2, a, [2]);
    expect(t.finishUs(f.ctx(), a, 8e6)).toBe(350 * ms);
    expect(t.finishUs(f.ctx(), a, 8e6, 1)).toBe(250 * ms);
    // 0 arrives late, at 200 ms: sample 0.8 Mbit / 150 ms; 1 starts at 200 ms.
    f.nowUs = 200 * ms;
    a.outstanding.shift();
    const sample = t.arrived(f.ctx(), a);
    expect(sample?.startUs).toBe(50 * ms);
    expect(sample?.bps).toBeCloseTo(0.8e6 / 0.15, 6);
    expect(t.headStartUs(f.ctx(), a)).toBe(200 * ms);
    // An overdue head is taken to need as long again as it is late: 1 was due at 300 ms; at 400 ms it is
    // expected at 500 ms, and 2 right after it.
    f.nowUs = 400 * ms;
    expect(t.arrivalsUs(f.ctx(), a, 8e6)).toEqual([500 * ms, 600 * ms]);
  });
});

describe("timeline reuse of a walk", () => {
  it("the same ids in the same order requested again later are walked again; so is another rate", () => {
    const f = new FakeContext(layout(4));
    const a = f.connect(8e6, 50 * ms);
    f.openBlock(0);
    const t = new Timeline();
    a.outstanding.push(0, 1);
    t.requested(f.ctx(), a, [0, 1]);
    expect(t.arrivalsUs(f.ctx(), a, 8e6)).toEqual([150 * ms, 250 * ms]);
    // At 120 ms 1 is taken away and requested again: first byte possible at 170 ms, so it ends at 270 ms (the
    // head, due at 150 ms, is not overdue: only the request time changed).
    f.nowUs = 120 * ms;
    a.outstanding.pop();
    a.outstanding.push(1);
    t.requested(f.ctx(), a, [1]);
    expect(t.arrivalsUs(f.ctx(), a, 8e6)).toEqual([150 * ms, 270 * ms]);
    expect(t.finishUs(f.ctx(), a, 8e6)).toBe(270 * ms);
    // At 4 Mb/s: 0 takes 200 ms from its start at 50 ms (250 ms), 1 follows (450 ms).
    expect(t.arrivalsUs(f.ctx(), a, 4e6)).toEqual([250 * ms, 450 * ms]);
    // Past the head's due time (150 ms at 8 Mb/s) the overdue rule applies: at 200 ms it is 50 ms late, so it
    // is expected at 250 ms, and 1 at 350 ms.
    f.nowUs = 200 * ms;
    expect(t.arrivalsUs(f.ctx(), a, 8e6)).toEqual([250 * ms, 350 * ms]);
  });
});

describe("node speed", () => {
  it("a sample at the same level as another connection's, and the fastest, only raises the speed", () => {
    const f = new FakeContext(layout(4));
    const a = f.connect(20e6, 10 * ms); // prior 20 Mb/s
    const b = f.connect(5e6, 10 * ms); // prior 5 Mb/s
    const speeds = new NodeSpeeds();
    expect(speeds.speedBps(a)).toBe(20e6); // notes the priors
    expect(speeds.speedBps(b)).toBe(5e6);
    a.outstanding.push(0);
    b.outstanding.push(1);
    f.nowUs = 100 * ms;
    // b alone at 10 Mb/s over [20, 100] ms: nobody to compare with ⇒ it measures the node (replaces the prior).
    expect(speeds.sample(f.ctx(), b, 10e6, 20 * ms)).toBe(false);
    expect(speeds.speedBps(b)).toBe(10e6);
    // a at 10 Mb/s over [30, 100] ms, overlapping b's sample at the same rate ⇒ saturated: a stays at 20 Mb/s.
    expect(speeds.sample(f.ctx(), a, 10e6, 30 * ms)).toBe(true);
    expect(speeds.speedBps(a)).toBe(20e6);
    // A later, different sample of b is blended with α = 0.3: 0.3 × 4 + 0.7 × 10 = 8.2 Mb/s.
    f.nowUs = 300 * ms;
    expect(speeds.sample(f.ctx(), b, 4e6, 200 * ms)).toBe(false);
    expect(speeds.speedBps(b)).toBeCloseTo(8.2e6, 3);
    // Two connections at the same rate below a faster one are held back by their own uplinks: not saturated.
    const c = f.connect(3e6, 10 * ms);
    const d = f.connect(3e6, 10 * ms);
    f.nowUs = 400 * ms;
    expect(speeds.sample(f.ctx(), a, 12e6, 310 * ms)).toBe(false); // measures a: 12 Mb/s
    expect(speeds.sample(f.ctx(), c, 2e6, 320 * ms)).toBe(false);
    expect(speeds.sample(f.ctx(), d, 2e6, 330 * ms)).toBe(false);
    expect([speeds.speedBps(c), speeds.speedBps(d)]).toEqual([2e6, 2e6]);
  });

  it("index weighs by node speed: a 20 Mb/s node measured at a 10 Mb/s share keeps its rank", () => {
    const f = new FakeContext({ sizeBytes: 1_200_000, blockBytes: 600_000, subBlockBytes: 100_000 });
    const a = f.connect(20e6, 10 * ms);
    const b = f.connect(5e6, 10 * ms);
    const index = new IndexStrategy();
    f.openBlock(0);
    // Block 0 on the priors, equal RTTs: V = 0.8 × rate / 20 + 0.2 ⇒ 1.0 and 0.4 ⇒ 6 × (1/1.4, 0.4/1.4) =
    // 4.29 / 1.71 ⇒ 4 and 2.
    index.onBlockStart(f.ctx());
    expect(f.actions.map((x) => (x.type === "request" ? [x.conn, x.ids] : []))).toEqual([
      [a.id, [0, 1, 2, 3]],
      [b.id, [4, 5]],
    ]);
    // Both first bytes at 10 ms; b's 4 and a's 0 both arrive at 90 ms: 0.8 Mbit in 80 ms = 10 Mb/s each. b's
    // comes first (nobody to compare with: it measures b, 10 Mb/s); a's is at b's level over the same time:
    // saturated, a keeps 20 Mb/s. (The agent's estimates say 10 and 10.)
    a.rateBps = b.rateBps = 10e6;
    a.measured = b.measured = true;
    f.arrive(index, b, 90 * ms);
    f.arrive(index, a, 90 * ms);
    a.outstanding.length = b.outstanding.length = 0;
    f.pool = [];
    f.openBlock(1);
    // Block 1: V = 0.8 × 20/20 + 0.2 = 1.0 and 0.8 × 10/20 + 0.2 = 0.6 ⇒ 3.75 / 2.25 ⇒ 4 and 2 (an even 3 / 3
    // on the agent's estimates).
    index.onBlockStart(f.ctx());
    expect(f.actions.slice(2).map((x) => (x.type === "request" ? [x.conn, x.ids] : []))).toEqual([
      [a.id, [6, 7, 8, 9]],
      [b.id, [10, 11]],
    ]);
  });
});

describe("eft", () => {
  it("splits a block by earliest finish, moves an unstarted sub-block off the latest connection, then copies the tail", () => {
    // A is announced at 8 Mb/s but is much slower (nothing arrives from it here); B sends at 8 Mb/s; RTTs 0.
    const f = new FakeContext(layout(6));
    const a = f.connect(8e6, 0);
    const b = f.connect(8e6, 0);
    const eft = new EftStrategy();
    f.openBlock(0);
    eft.onBlockStart(f.ctx());
    // Finishes 100, 100, 200, 200, 300, 300 ms alternating A, B (ties to the first): A 0, 2, 4; B 1, 3, 5.
    expect(f.actions).toEqual([
      { type: "request", conn: a.id, ids: [0, 2, 4], atUs: 0 },
      { type: "request", conn: b.id, ids: [1, 3, 5], atUs: 0 },
    ]);
    // B delivers 1 at 100 ms: A is on time by its estimate (0 ends now, then 200, 300 ms), as is B: no move pays.
    f.arrive(eft, b, 100 * ms);
    expect(f.actions).toHaveLength(2);
    // B delivers 3 at 200 ms. A's 0 was due at 100 ms: taken to arrive at 300, then 2 at 400, 4 at 500 ms. B ends
    // 5 at 300 ms. Moving 4 to B: A ends at 400, B at 400 < 499 ⇒ move. Moving 2 and 4: B would end at 500.
    f.arrive(eft, b, 200 * ms);
    expect(f.actions[2]).toEqual({ type: "move", from: a.id, to: b.id, ids: [4], atUs: 200 * ms });
    expect(f.actions).toHaveLength(3); // then A ends 2 at 400 ms, B 4 at 400 ms: moving 2 would end B at 500
    // B delivers 5 at 300 ms. A's 0 now expected at 500 (200 ms late), 2 at 600 ms; B ends 4 at 400 ms, a copy
    // of 2 would follow at 500 < 599 ⇒ move 2.
    f.arrive(eft, b, 300 * ms);
    expect(f.actions[3]).toEqual({ type: "move", from: a.id, to: b.id, ids: [2], atUs: 300 * ms });
    // B delivers 4 at 400 ms and 2 at 500 ms and is idle; A's 0, due at 100 ms, is now expected at 900 ms. Its
    // head has started: no move, but B would deliver a copy at 500 + 100 = 600 < 899 ms, within the budget
    // (5% of the 500 kB delivered + one sub-block).
    f.arrive(eft, b, 400 * ms);
    expect(f.actions).toHaveLength(4);
    f.arrive(eft, b, 500 * ms);
    expect(f.actions[4]).toEqual({ type: "duplicate", conn: b.id, id: 0, atUs: 500 * ms });
    expect(f.actions).toHaveLength(5);
  });

  it("leaves a far slow connection idle", () => {
    const f = new FakeContext(layout(4));
    const near = f.connect(8e6, 10 * ms);
    f.connect(1e6, 200 * ms);
    const eft = new EftStrategy();
    f.openBlock(0);
    eft.onBlockStart(f.ctx());
    expect(f.actions).toEqual([{ type: "request", conn: near.id, ids: [0, 1, 2, 3], atUs: 0 }]);
  });
});

describe("rebalance", () => {
  it("a lone sub-block whose first byte has not come moves to a connection that delivers it sooner", () => {
    // Only A (1 Mb/s, 100 ms) is ready at block start: it gets sub-block 0, first byte at 100 ms, end 900 ms.
    const f = new FakeContext(layout(1));
    const a = f.connect(1e6, 100 * ms);
    const r = new RebalanceStrategy();
    f.openBlock(0);
    r.onBlockStart(f.ctx());
    expect(f.actions).toEqual([{ type: "request", conn: a.id, ids: [0], atUs: 0 }]);
    // B (8 Mb/s, 10 ms) connects at 50 ms: [keep, give] = largestRemainder(1, [1, 8]) = [0, 1]; B would end at
    // 50 + 10 + 100 = 160 ms < 900 ms ⇒ move.
    f.nowUs = 50 * ms;
    const b = f.connect(8e6, 10 * ms);
    r.onConnectionIdle(f.ctx(), b);
    expect(f.actions[1]).toEqual({ type: "move", from: a.id, to: b.id, ids: [0], atUs: 50 * ms });
  });

  it("watches an idle connection: the move that did not pay when it went idle happens after a later arrival", () => {
    // A (announced 8 Mb/s, 10 ms) has sub-blocks 0-3 at block start: ends 110, 210, 310, 410 ms by estimate.
    const f = new FakeContext(layout(4));
    const a = f.connect(8e6, 10 * ms);
    const r = new RebalanceStrategy();
    f.openBlock(0);
    r.onBlockStart(f.ctx());
    // B (8 Mb/s, 400 ms) connects at 20 ms. Unstarted on A: 1, 2, 3 ⇒ share largestRemainder(3, [8, 8]) = [2, 1]:
    // giving 3 ends B at 20 + 400 + 100 = 520 ms, later than A's 410 ms: no move.
    f.nowUs = 20 * ms;
    const b = f.connect(8e6, 400 * ms);
    r.onConnectionIdle(f.ctx(), b);
    expect(f.actions).toHaveLength(1);
    // A's 0 arrives at 810 ms: A really sends at 1 Mb/s (the agent's estimate becomes 1 Mb/s). A: 1 started at
    // 810 ms, 2 and 3 unstarted; A would end at 810 + 3 × 800 = 3,210 ms. Share of 2: largestRemainder(2, [1, 8])
    // = [0, 2]: A keeps 1 (ends 1,610 ms), B ends at 810 + 400 + 200 = 1,410 ms ⇒ move 2 and 3.
    a.rateBps = 1e6;
    a.measured = true;
    f.arrive(r, a, 810 * ms);
    expect(f.actions[1]).toEqual({ type: "move", from: a.id, to: b.id, ids: [2, 3], atUs: 810 * ms });
  });

  it("moves repeat: two idle connections each take a share, from the connection expected to finish last", () => {
    // A (1 Mb/s, 10 ms) holds 0-5 (800 ms each, first byte at 10 ms: ends 4,810 ms). B and C (4 Mb/s, 10 ms)
    // connect at 5 ms, before A's first byte: all 6 are unstarted.
    const f = new FakeContext(layout(6));
    const a = f.connect(1e6, 10 * ms);
    const r = new RebalanceStrategy();
    f.openBlock(0);
    r.onBlockStart(f.ctx());
    f.nowUs = 5 * ms;
    const b = f.connect(4e6, 10 * ms);
    const c = f.connect(4e6, 10 * ms);
    r.onConnectionIdle(f.ctx(), b);
    // B: largestRemainder(6, [1, 4]) = [1.2, 4.8] ⇒ [1, 5]: B takes 1-5 (ends 5 + 10 + 5 × 200 = 1,015 ms); A
    // keeps 0 (ends 810 ms). Then C: the latest is now B (1,015 ms) with 5 unstarted: largestRemainder(5, [4, 4])
    // = [3, 2] ⇒ C takes 4, 5 (ends 5 + 10 + 400 = 415 ms); B keeps 1-3 (ends 615 ms).
    expect(f.actions.slice(1)).toEqual([
      { type: "move", from: a.id, to: b.id, ids: [1, 2, 3, 4, 5], atUs: 5 * ms },
      { type: "move", from: b.id, to: c.id, ids: [4, 5], atUs: 5 * ms },
    ]);
  });
});

describe("ecf", () => {
  it("queues hide the RTT; a slow far connection takes sub-blocks far enough ahead, or none", () => {
    // A: 8 Mb/s, 10 ms (100 ms per sub-block); B: 1 Mb/s, 200 ms (800 ms per sub-block). One block of 20.
    const f = new FakeContext(layout(20));
    const a = f.connect(8e6, 10 * ms);
    const b = f.connect(1e6, 200 * ms);
    const ecf = new EcfStrategy();
    f.openBlock(0);
    ecf.onBlockStart(f.ctx());
    // A: its next sub-block ends at 110 ms; B (ready at 200 ms) finishes none by then ⇒ A takes 0. Its queue
    // must reach the next arrival (110) + RTT (10) + one sub-block (100) = 220 ms: 0, 1, 2 (ends 310 ms).
    // B: its first would end at 200 + 800 = 1,000 ms; A (ready at 310 ms) finishes ⌊689 / 100⌋ = 6 whole
    // sub-blocks of the pool (3-8) before ⇒ B takes 9. Its horizon: 1,000 + 200 + 800 = 2,000 ms; its second
    // would end at 1,800 ms: A finishes ⌊1,489 / 100⌋ = 14 pool sub-blocks before (3-8, 10-17) ⇒ B takes 18.
    // A third would end at 2,600 ms, after A could have done all the rest: none.
    expect(f.actions).toEqual([
      { type: "request", conn: a.id, ids: [0, 1, 2], atUs: 0 },
      { type: "request", conn: b.id, ids: [9, 18], atUs: 0 },
    ]);
  });

  it("starts at the first ready connection; a block-start split waits for the other attempts", () => {
    const requestsAfterFirstReady = (strategy: string) => {
      const script = new Script(makeConfig(), createStrategy(strategy));
      script.start();
      script.nowUs = 1_000;
      script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 8e6, 10), nodeInfo(2, 8e6, 200)] });
      script.nowUs = 11_000;
      script.handle({ type: "connected", connId: 0 }); // node 1 answers; node 2 has not yet
      return script.requests.map((r) => r.connId);
    };
    expect(requestsAfterFirstReady("ecf")).toEqual([0]);
    expect(requestsAfterFirstReady("static")).toEqual([]); // up to 2 × 200 ms for node 2
  });

  it("rescues the current block from a connection that went silent, while the pool keeps the others busy", () => {
    // Two blocks of four; A and B announce 8 Mb/s (100 ms per sub-block), RTTs 0. A goes silent.
    const f = new FakeContext({ sizeBytes: 800_000, blockBytes: 400_000, subBlockBytes: 100_000 });
    const a = f.connect(8e6, 0);
    const b = f.connect(8e6, 0);
    const ecf = new EcfStrategy();
    f.openBlock(0);
    f.openBlock(1);
    ecf.onBlockStart(f.ctx());
    // A: 0 (ends 100 ms, B finishes none before) and, its queue reaching 100 + 0 + 100 ms, one more: B finishes
    // one whole sub-block before 200 ms, so A skips 1 and takes 2. B: 1, then 3 (A is busy until 200 ms).
    expect(f.actions).toEqual([
      { type: "request", conn: a.id, ids: [0, 2], atUs: 0 },
      { type: "request", conn: b.id, ids: [1, 3], atUs: 0 },
    ]);
    // B delivers every 100 ms and tops up from the pool one sub-block at a time (4, 5, 6, 7); A delivers nothing.
    for (const t of [100, 200, 300, 400]) f.arrive(ecf, b, t * ms);
    expect(f.actions.slice(2).map((x) => (x.type === "request" ? [x.conn, x.ids, x.atUs / ms] : x))).toEqual([
      [b.id, [4], 100],
      [b.id, [5], 200],
      [b.id, [6], 300],
      [b.id, [7], 400],
    ]);
    // At 500 ms A's 0, due at 100 ms, is taken to come at 900 ms; B would deliver a copy after 7 at 700 ms:
    // 200 ms sooner, more than one sub-block's time ⇒ a copy (A's head has started; within the budget).
    f.arrive(ecf, b, 500 * ms);
    expect(f.actions[6]).toEqual({ type: "duplicate", conn: b.id, id: 0, atUs: 500 * ms });
    // At 600 ms A's 2 (unstarted) is expected at 1,200 ms; B, after its copy of 0, at 800 ms ⇒ it moves.
    f.arrive(ecf, b, 600 * ms);
    expect(f.actions[7]).toEqual({ type: "move", from: a.id, to: b.id, ids: [2], atUs: 600 * ms });
  });
});
