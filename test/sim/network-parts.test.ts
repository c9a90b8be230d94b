// The network's parts alone: the flow table's swap-remove and growth, the wait list's order and earliest
// wake-up, the send queue, and the tcp window's cap and doubling rule, all against hand-computed values.
import { describe, expect, it } from "vitest";
import { FlowTable } from "../../src/sim/network/flow-table.ts";
import { SendQueue } from "../../src/sim/network/send-queue.ts";
import { WaitList } from "../../src/sim/network/wait-list.ts";
import { NoWindow, TcpWindow } from "../../src/sim/network/window.ts";

describe("FlowTable", () => {
  it("moves the last row into a removed slot, every column with it", () => {
    const t = new FlowTable();
    for (const c of [10, 11, 12, 13]) {
      const k = t.add(c, c + 100, 0);
      t.remBytes[k] = c * 2;
      t.rateBps[k] = c * 3;
    }
    t.remove(11); // 13 moves into slot 1
    expect(t.size).toBe(3);
    expect([...t.conn.subarray(0, 3)]).toEqual([10, 13, 12]);
    expect([t.src[1], t.remBytes[1], t.rateBps[1]]).toEqual([113, 26, 39]);
    expect([t.slotOf(13), t.slotOf(11), t.slotOf(99)]).toEqual([1, -1, -1]);
    t.remove(12); // the last row: nothing moves
    expect([...t.conn.subarray(0, 2)]).toEqual([10, 13]);
    expect(() => t.remove(12)).toThrow(/not a flow/);
    expect(() => t.add(10, 0, 0)).toThrow(/already a flow/);
  });

  it("grows past its first capacity keeping every row", () => {
    const t = new FlowTable();
    for (let c = 0; c < 200; c++) {
      const k = t.add(c, 0, 0); // first: add may reallocate the columns
      t.endUs[k] = c * 7;
    }
    expect(t.size).toBe(200);
    for (let c = 0; c < 200; c++) expect(t.endUs[t.slotOf(c)]).toBe(c * 7);
  });
});

describe("WaitList", () => {
  it("wakes the due connections in list order (swap-remove) and keeps the earliest wake-up", () => {
    const w = new WaitList();
    w.add(5, 300);
    w.add(2, 100);
    w.add(7, 100);
    w.add(9, 500);
    expect(w.earliestUs()).toBe(100);
    const out: number[] = [];
    // Scan: 5 (300, not due), 2 (due: 9 swaps in at 1), 9 (not due), 7 (due).
    expect(w.takeDue(100, out)).toBe(2);
    expect(out.slice(0, 2)).toEqual([2, 7]);
    expect(w.earliestUs()).toBe(300);
    expect([w.has(2), w.has(5)]).toEqual([false, true]);
    w.remove(5);
    expect(w.earliestUs()).toBe(500);
    expect(w.takeDue(499, out)).toBe(0);
  });
});

describe("SendQueue", () => {
  it("keeps FIFO order through removals and compaction", () => {
    const q = new SendQueue();
    for (let i = 0; i < 200; i++) q.push(i, i * 10, i);
    q.removeAt(q.indexOf(150));
    for (let i = 0; i < 120; i++) q.shift();
    expect(q.length).toBe(79);
    expect(q.ids[q.head]).toBe(120);
    expect(q.indexOf(150)).toBe(-1);
    expect(q.sizes[q.indexOf(151)]).toBe(1510);
    while (q.length > 0) q.shift();
    expect([q.head, q.tail]).toEqual([0, 0]);
  });
});

describe("TcpWindow", () => {
  const config = { initialWindowBytes: 14_480, receiveWindowBytes: 65_536, idleRestartUs: 1_000_000 };

  it("caps at min(cwnd, rwnd)·8e6/RTT, doubles while cap-bound, restarts slow start after a long idle", () => {
    const w = new TcpWindow(config);
    const t = new FlowTable();
    w.open(0, 100_000, 0);
    w.start(0, 0);
    expect(w.capBps(0)).toBe((14_480 * 8e6) / 100_000); // 1,158,400 bps
    const k = t.add(0, 0, 1);
    t.capBps[k] = w.capBps(0);
    t.levelBps[k] = 10e6; // cap-bound
    w.solved(t, k, 0);
    expect(w.nextUs()).toBe(100_000);
    expect(w.stepDue(t, 99_999, [])).toBe(0);
    const grown: number[] = [];
    expect(w.stepDue(t, 100_000, grown)).toBe(1);
    expect(grown[0]).toBe(0);
    expect(w.windowBytes(0)).toBe(28_960);
    expect(w.nextUs()).toBe(Infinity); // stopped until the next solve re-arms it
    // Twice more: 57,920, then min(115,840, 65,536).
    for (const at of [200_000, 300_000]) {
      w.solved(t, k, at - 100_000);
      w.stepDue(t, at, []);
    }
    expect(w.windowBytes(0)).toBe(65_536);
    expect(w.capBps(0)).toBe((65_536 * 8e6) / 100_000);
    // At the receive window the clock no longer runs.
    t.capBps[k] = w.capBps(0);
    w.solved(t, k, 300_000);
    expect(w.nextUs()).toBe(Infinity);
    // Idle from 400,000: back at 1,300,000 the window is kept, at 1,400,001 it restarts at IW.
    w.stop(0, 400_000);
    w.start(0, 1_400_000);
    expect(w.windowBytes(0)).toBe(65_536);
    w.stop(0, 400_000);
    w.start(0, 1_400_001);
    expect(w.windowBytes(0)).toBe(14_480);
  });

  it("does not double a flow that is no longer cap-bound when its clock fires, and has no cap at RTT 0", () => {
    const w = new TcpWindow(config);
    const t = new FlowTable();
    w.open(0, 50_000, 0);
    w.start(0, 0);
    const k = t.add(0, 0, 1);
    t.capBps[k] = w.capBps(0);
    t.levelBps[k] = 10e6;
    w.solved(t, k, 0);
    t.levelBps[k] = 1e6; // the links now bind below the cap
    expect(w.stepDue(t, 50_000, [])).toBe(0);
    expect(w.windowBytes(0)).toBe(14_480);
    w.open(1, 0, 0);
    w.start(1, 0);
    expect(w.capBps(1)).toBe(Infinity);
  });

  it("has no cap and no clocks in the fluid model", () => {
    const w = new NoWindow();
    expect([w.capBps(), w.nextUs(), w.stepDue(), w.windowBytes()]).toEqual([Infinity, Infinity, 0, 0]);
  });
});
