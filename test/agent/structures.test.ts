// The agent's bookkeeping structures against plain reference models (property tests): the hierarchical bitset
// behind the pool, a connection's outstanding queue, and the sub-block manager's pool with its live array.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Connection } from "../../src/agent/connection.ts";
import { Content } from "../../src/agent/content.ts";
import { ConnectionEstimate } from "../../src/agent/estimator.ts";
import { SlotSet } from "../../src/agent/slot-set.ts";
import { SubBlockManager } from "../../src/agent/sub-block-manager.ts";
import type { Strategy } from "../../src/agent/strategy.ts";
import { makeConfig, nodeInfo, Script } from "./fakes.ts";

describe("SlotSet", () => {
  it("next() finds members across words and levels (hand-picked)", () => {
    const s = new SlotSet(40_000); // 3 levels: 1250, 40, 2 words
    for (const x of [0, 31, 32, 1023, 1024, 39_999]) s.add(x);
    expect([s.next(0), s.next(1), s.next(32), s.next(33), s.next(1025), s.next(40_000)]).toEqual([
      0, 31, 32, 1023, 39_999, -1,
    ]);
    s.delete(1023);
    expect(s.next(33)).toBe(1024);
    expect(s.size).toBe(5);
    expect([s.has(1023), s.has(1024), s.has(-1), s.has(40_000)]).toEqual([false, true, false, false]);
  });

  it("matches a sorted reference set under random adds, deletes and next() queries", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.tuple(fc.constantFrom("add", "delete", "next"), fc.nat()), { maxLength: 300 }),
        (capacity, ops) => {
          const s = new SlotSet(capacity);
          const ref = new Set<number>();
          for (const [op, raw] of ops) {
            const x = raw % capacity;
            if (op === "add") {
              expect(s.add(x)).toBe(!ref.has(x));
              ref.add(x);
            } else if (op === "delete") {
              expect(s.delete(x)).toBe(ref.delete(x));
            } else {
              const expected = [...ref].filter((y) => y >= x).sort((a, b) => a - b)[0] ?? -1;
              expect(s.next(x)).toBe(expected);
            }
            expect(s.size).toBe(ref.size);
          }
          const listed: number[] = [];
          for (let i = s.next(0); i >= 0; i = s.next(i + 1)) listed.push(i);
          expect(listed).toEqual([...ref].sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("Connection outstanding queue", () => {
  const conn = () => new Connection(0, 1, "peer", new ConnectionEstimate({ rateBps: 1e6, rttUs: 1000 }, 0.3));

  it("head, tail and middle removals keep the exact list, in request order", () => {
    const c = conn();
    for (const id of [5, 6, 7, 8, 9]) c.push(id);
    c.take(5); // head
    c.take(9); // tail
    c.take(7); // middle: marked gone
    expect([c.outstandingCount, c.first()]).toEqual([2, 6]);
    c.push(7); // the id comes back: it is now last, not in its old place
    expect(c.outstanding).toEqual([6, 8, 7]);
    c.take(6);
    expect([c.first(), c.outstanding]).toEqual([8, [8, 7]]);
  });

  it("matches an array model under random pushes and removals", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(40), fc.nat()), { maxLength: 400 }), (ops) => {
        const c = conn();
        const ref: number[] = [];
        for (const [push, id, pick] of ops) {
          if (push) {
            if (ref.includes(id)) continue; // an id is outstanding on a connection at most once
            c.push(id);
            ref.push(id);
          } else if (ref.length > 0) {
            // Mostly the head, as arrivals are; sometimes anywhere, as cancels are.
            const i = pick % 3 === 0 ? pick % ref.length : 0;
            c.take(ref[i]);
            ref.splice(i, 1);
          }
          expect(c.outstandingCount).toBe(ref.length);
          expect(c.first()).toBe(ref[0]);
          if (pick % 5 === 0) expect(c.outstanding).toEqual(ref);
        }
        expect(c.outstanding).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });
});

describe("SubBlockManager pool", () => {
  it("keeps the pool ascending and its array in step with assignments, returns and completions", () => {
    // Blocks of 5 sub-blocks, the last one short (3): ids 0-4, 5-9, 10-12; a window of two blocks.
    const content = new Content({ sizeBytes: 1300, blockBytes: 500, subBlockBytes: 100 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("assign", "unassign", "complete"), fc.nat(12), fc.nat(2), fc.nat(59)), { maxLength: 300 }), (ops) => {
        const sb = new SubBlockManager(content, 2);
        sb.openWindow();
        const pool = sb.pool; // the same array throughout, brought up to date when read
        const ref = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        const held = new Map<number, Set<number>>();
        const done = new Set<number>();
        for (const [op, id, conn, read] of ops) {
          if (!sb.inWindow(id)) continue;
          const copies = held.get(id) ?? new Set<number>();
          held.set(id, copies);
          if (op === "assign" && !done.has(id) && !copies.has(conn)) {
            sb.assign(id, conn);
            copies.add(conn);
            ref.delete(id);
          } else if (op === "unassign" && copies.has(conn)) {
            copies.delete(conn);
            expect(sb.unassign(id, conn)).toBe(copies.size === 0);
            if (copies.size === 0) ref.add(id);
          } else if (op === "complete" && copies.has(conn)) {
            const r = sb.complete(id, conn)!;
            expect(new Set(r.others)).toEqual(new Set([...copies].filter((x) => x !== conn)));
            copies.clear();
            done.add(id);
          }
          expect(sb.poolSize).toBe(ref.size);
          expect(sb.holds(id, conn)).toBe(copies.has(conn));
          if (read > 2) continue; // read now and then: the array is brought up to date from few or many changes
          expect(sb.pool).toBe(pool);
          expect([...pool]).toEqual([...ref].sort((a, b) => a - b));
          expect(sb.poolHead(2, (x) => x !== 1)).toEqual([...ref].filter((x) => x !== 1).sort((a, b) => a - b).slice(0, 2));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("the strategy's view stays live during a hook", () => {
  it("ctx.pool and a view's outstanding reflect the actions taken since they were read; poolHead lists the pool's head", () => {
    const seen: unknown[] = [];
    const probe: Strategy = {
      name: "probe",
      onBlockStart: (ctx) => {
        const [a, b] = ctx.connections;
        const pool = ctx.pool;
        seen.push([...pool]);
        ctx.request(a.id, [0, 1, 2, 3]);
        seen.push([...pool], ctx.poolHead(b.id, 2), ctx.poolHead(b.id, 0));
        const q = a.outstanding;
        ctx.move(a.id, b.id, [1, 3]);
        seen.push([...q], [...b.outstanding], ctx.copiesOf(3), ctx.canFetch(a.id, 3), ctx.canFetch(b.id, 3));
        ctx.request(a.id, [4]);
        seen.push([...q], [...pool]);
      },
      onConnectionIdle: () => {},
    };
    const content = { sizeBytes: 600_000, blockBytes: 600_000, subBlockBytes: 100_000 };
    const script = new Script(makeConfig({ content }), probe);
    script.start();
    script.handle({ type: "tracker-nodes", nodes: [nodeInfo(1, 2e6, 10), nodeInfo(2, 1e6, 10)] });
    for (const c of [...script.connects]) script.handle({ type: "connected", connId: c.connId });
    expect(seen).toEqual([
      [0, 1, 2, 3, 4, 5],
      [4, 5],
      [4, 5],
      [],
      [0, 2],
      [1, 3],
      [1],
      true,
      false,
      [0, 2, 4],
      [5],
    ]);
  });
});
