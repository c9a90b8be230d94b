// A pool of worker threads (tinypool) that run sweep specs in parallel. Workers start from a JavaScript entry
// that registers tsx in the worker itself (see sweep-worker-entry.mjs), so `npx sim` works from any folder.

import { availableParallelism } from "node:os";
import { Tinypool } from "tinypool";
import type { WorkerTask } from "./sweep-worker.ts";
import type { SweepRunResult } from "./sweep.ts";

export interface Pool {
  run(task: WorkerTask): Promise<SweepRunResult>;
  destroy(): Promise<void>;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

export function createPool(jobs: number): Pool {
  const pool = new Tinypool({
    filename: new URL("./sweep-worker-entry.mjs", import.meta.url).href,
    minThreads: jobs,
    maxThreads: jobs,
    idleTimeout: 60_000,
  });
  return {
    run: (task) => pool.run(task) as Promise<SweepRunResult>,
    destroy: () => pool.destroy(),
  };
}
