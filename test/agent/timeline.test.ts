// The timeline's queue ends (timeline.ts keeps each queue as runs of sub-blocks requested together and folds
// over the runs) equal the model's per-sub-block walk, computed here independently, through any sequence of
// requests, arrivals, moves away, cancels the timeline is not told of (the agent's) and passing time. Sizes,
// rates and times are chosen so that every size × 8e6 / rate is an integer: sums are exact in any order, so
// the closed form per run and the per-sub-block sum must agree to the last bit.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Content } from "../../src/agent/content.ts";
import type { SubBlockId } from "../../src/agent/ports.ts";
import { Timeline } from "../../src/agent/strategies/timeline.ts";
import type { ConnectionView, StrategyContext } from "../../src/agent/strategy.ts";

/** 10,000-byte sub-blocks, the last one 5,000 bytes. */
const content = new Content({ sizeBytes: 2_000_000 - 5_000, blockBytes: 200_000, subBlockBytes: 10_000 });
const SUB_BLOCKS = 200;
const RTT_US = 30_000;

type Op =
  | { readonly type: "request"; readonly count: number }
  | { readonly type: "arrive" }
  | { readonly type: "moveAway"; readonly count: number }
  | { readonly type: "cancel"; readonly at: number }
  | { readonly type: "advance"; readonly us: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant("request" as const), count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ type: fc.constant("arrive" as const) }),
  fc.record({ type: fc.constant("moveAway" as const), count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ type: fc.constant("cancel" as const), at: fc.nat(20) }),
  fc.record({ type: fc.constant("advance" as const), us: fc.integer({ min: 1, max: 80_000 }) }),
);

/** A connection view over a plain list, its version bumped per id added or removed as the agent's is. */
class View implements ConnectionView {
  readonly id = 0;
  readonly nodeId = 1;
  readonly kind = "peer" as const;
  readonly rateBps = 8e6;
  readonly rttUs = RTT_US;
  readonly measured = true;
  readonly index = 1;
  readonly pinned = false;
  outstanding: SubBlockId[] = [];
  queueVersion = 0;
  get outstandingCount(): number {
    return this.outstanding.length;
  }
  outstandingAt(i: number): SubBlockId {
    return this.outstanding[i];
  }
}

/** The model's arrivals, sub-block by sub-block (timeline.ts's header). */
function expectedEndsUs(q: readonly SubBlockId[], requestUs: Map<SubBlockId, number>, lastArrivalUs: number, nowUs: number, rateBps: number): number[] {
  const ends: number[] = [];
  if (q.length === 0) return ends;
  const start = Math.max(lastArrivalUs, (requestUs.get(q[0]) as number) + RTT_US);
  let end = start + (content.subBlockSize(q[0]) * 8e6) / rateBps;
  if (end < nowUs) end = nowUs + (nowUs - end);
  ends.push(end);
  for (let k = 1; k < q.length; k++) {
    end = Math.max(end, (requestUs.get(q[k]) as number) + RTT_US) + (content.subBlockSize(q[k]) * 8e6) / rateBps;
    ends.push(end);
  }
  return ends;
}

describe("timeline", () => {
  it("queue ends and arrivals equal the per-sub-block walk (exact inputs)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.constantFrom(8e6, 4e6, 2e6, 1.6e6), (ops, rateBps) => {
        const ctx = { nowUs: 0, content } as unknown as StrategyContext & { nowUs: number };
        const view = new View();
        const timeline = new Timeline();
        const requestUs = new Map<SubBlockId, number>();
        let lastArrivalUs = -1;
        let next = 0;
        for (const o of ops) {
          const q = view.outstanding;
          if (o.type === "request") {
            const ids: SubBlockId[] = [];
            for (let j = 0; j < o.count && next < SUB_BLOCKS; j++) ids.push(next++);
            if (ids.length === 0) continue;
            for (const id of ids) requestUs.set(id, ctx.nowUs);
            q.push(...ids);
            view.queueVersion += ids.length;
            timeline.requested(ctx, view, ids);
          } else if (o.type === "arrive") {
            if (q.length === 0) continue;
            q.shift();
            view.queueVersion++;
            lastArrivalUs = ctx.nowUs;
            timeline.arrived(ctx, view);
          } else if (o.type === "moveAway") {
            const ids = q.splice(Math.max(0, q.length - o.count));
            if (ids.length === 0) continue;
            view.queueVersion += ids.length;
            timeline.removedTail(ctx, view, ids);
          } else if (o.type === "cancel") {
            if (o.at >= q.length) continue;
            q.splice(o.at, 1); // the agent's doing: the timeline is not told
            view.queueVersion++;
          } else {
            ctx.nowUs += o.us;
          }
          const ends = expectedEndsUs(q, requestUs, lastArrivalUs, ctx.nowUs, rateBps);
          expect(timeline.finishUs(ctx, view, rateBps)).toBe(ends.length > 0 ? ends[ends.length - 1] : ctx.nowUs);
          expect(timeline.arrivalsUs(ctx, view, rateBps)).toEqual(ends);
          expect(timeline.tailArrivalsUs(ctx, view, rateBps, 3)).toEqual(ends.slice(-3).reverse());
          for (let skip = 1; skip <= q.length; skip++) {
            const n = q.length - skip;
            expect(timeline.finishUs(ctx, view, rateBps, skip)).toBe(n > 0 ? ends[n - 1] : ctx.nowUs);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
