// The sweep pool's watchdog: a task whose worker no longer answers is ended past its budget and comes back as a
// failed run, a task whose worker throws likewise, and the pool goes on with fresh workers.

import { describe, expect, it } from "vitest";
import { createPool } from "../../src/harness/pool.ts";
import type { WorkerTask } from "../../src/harness/sweep-worker.ts";

const filename = new URL("../fixtures/workers/misbehaving-worker.mjs", import.meta.url).href;
const task = (x: object) => x as unknown as WorkerTask;

describe("the sweep pool", () => {
  it("stops a worker that does not answer within budget + grace, reports it, and runs the next task", async () => {
    const pool = createPool(1, { filename, graceMs: 50 });
    try {
      const stuck = await pool.run(task({ spin: true }), 0.2);
      expect(stuck).toEqual({ ok: false, reason: expect.stringMatching(/^wall-limit: .*0\.2 s.*watchdog/) });
      const failed = await pool.run(task({ fail: true }), 5);
      expect(failed).toEqual({ ok: false, reason: expect.stringMatching(/^worker: .*the worker failed/) });
      const next = await pool.run(task({ value: 7 }), 5);
      expect(next).toEqual({ ok: true, result: expect.objectContaining({ seed: 7 }) });
    } finally {
      await pool.destroy();
    }
  });

  it("keeps the others going while one worker is stuck", async () => {
    const pool = createPool(2, { filename, graceMs: 50 });
    try {
      const [stuck, ...rest] = await Promise.all([
        pool.run(task({ spin: true }), 0.3),
        ...[1, 2, 3].map((value) => pool.run(task({ value }), 5)),
      ]);
      expect(stuck.ok).toBe(false);
      expect(rest.map((r) => (r.ok ? r.result.seed : null))).toEqual([1, 2, 3]);
    } finally {
      await pool.destroy();
    }
  });
});
