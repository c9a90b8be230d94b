// The world's transfers in progress (transfers.ts): O(1) slots in typed arrays, found by connection and
// sub-block, by record, and listed by connection. Checked against a plain model (a Map of records) over random
// sequences of opens, deliveries and ends, across the arrays' growth.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LiveTransfers } from "../../src/sim/world/transfers.ts";

interface Model {
  conn: number;
  sb: number;
  firstByteUs: number;
  deliveredUs: number;
  bytes: number;
}

const SUB_BLOCKS = 12;
const CONNS = 5;

type Op =
  | { readonly kind: "open"; readonly conn: number; readonly sb: number }
  | { readonly kind: "deliver"; readonly pick: number }
  | { readonly kind: "end"; readonly pick: number }
  | { readonly kind: "close"; readonly conn: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("open" as const), conn: fc.nat(CONNS - 1), sb: fc.nat(SUB_BLOCKS - 1) }),
  fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(1000) }),
  fc.record({ kind: fc.constant("end" as const), pick: fc.nat(1000) }),
  fc.record({ kind: fc.constant("close" as const), conn: fc.nat(CONNS - 1) }),
);

describe("live transfers", () => {
  it("find, ofRecord and the per-connection lists agree with a plain model", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new LiveTransfers(SUB_BLOCKS);
        const model = new Map<number, Model>(); // by record
        let nextRecord = 0;
        const liveRecords = () => [...model.keys()];
        for (const o of ops) {
          if (o.kind === "open") {
            if ([...model.values()].some((m) => m.conn === o.conn && m.sb === o.sb)) continue; // never twice
            const record = nextRecord++;
            t.open(o.conn, o.sb, record);
            model.set(record, { conn: o.conn, sb: o.sb, firstByteUs: -1, deliveredUs: -1, bytes: 0 });
          } else if (o.kind === "deliver" || o.kind === "end") {
            const records = liveRecords();
            if (records.length === 0) continue;
            const record = records[o.pick % records.length];
            const slot = t.ofRecord(record);
            if (o.kind === "deliver") {
              t.setDelivered(slot, record * 10, record * 10 + 5, 100 + record);
              Object.assign(model.get(record)!, { firstByteUs: record * 10, deliveredUs: record * 10 + 5, bytes: 100 + record });
            } else {
              t.end(slot);
              model.delete(record);
            }
          } else {
            for (let slot = t.firstOn(o.conn); slot >= 0; slot = t.firstOn(o.conn)) {
              model.delete(t.recordOf(slot));
              t.end(slot);
            }
            expect([...model.values()].some((m) => m.conn === o.conn)).toBe(false);
          }
          expect(t.size).toBe(model.size);
        }
        for (let record = 0; record < nextRecord; record++) {
          const m = model.get(record);
          const slot = t.ofRecord(record);
          if (m === undefined) {
            expect(slot).toBe(-1);
            continue;
          }
          expect(slot).toBeGreaterThanOrEqual(0);
          expect(t.find(m.conn, m.sb)).toBe(slot);
          expect([t.connOf(slot), t.subBlockOf(slot), t.recordOf(slot)]).toEqual([m.conn, m.sb, record]);
          expect([t.firstByteUs(slot), t.deliveredUs(slot), t.bytes(slot)]).toEqual([m.firstByteUs, m.deliveredUs, m.bytes]);
        }
        for (let conn = 0; conn < CONNS; conn++) {
          const listed: number[] = [];
          for (let slot = t.firstOn(conn); slot >= 0 && listed.length <= model.size; slot = t.next(slot)) listed.push(t.recordOf(slot));
          const expected = [...model.entries()].filter(([, m]) => m.conn === conn).map(([r]) => r);
          expect(listed.sort((a, b) => a - b)).toEqual(expected);
          for (let sb = 0; sb < SUB_BLOCKS; sb++) {
            if (![...model.values()].some((m) => m.conn === conn && m.sb === sb)) expect(t.find(conn, sb)).toBe(-1);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("reuses the slots of ended transfers (the arrays grow with the transfers in progress, not with all ever made)", () => {
    const t = new LiveTransfers(4);
    for (let record = 0; record < 10_000; record++) {
      const slot = t.open(record % 3, record % 4, record);
      expect(slot).toBeLessThan(64); // the first 64 slots: one transfer in progress at a time
      t.end(slot);
    }
    expect(t.size).toBe(0);
  });
});
