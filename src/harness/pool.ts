// A pool of worker threads (tinypool) that run sweep specs in parallel. From the prebuilt bundle (bin/bundle.mjs)
// a worker loads the bundled sweep-worker.mjs next to this code; from the TypeScript sources it starts from a
// JavaScript entry that registers tsx in the worker itself (see sweep-worker-entry.mjs). Either way `npx sim`
// works from any folder.

import { availableParallelism } from "node:os";
import { Tinypool } from "tinypool";
import { BUNDLED } from "../paths.ts";
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
    filename: BUNDLED
      ? new URL("./sweep-worker.mjs", import.meta.url).href
      : new URL("./sweep-worker-entry.mjs", import.meta.url).href,
    minThreads: jobs,
    maxThreads: jobs,
    idleTimeout: 60_000,
  });
  return {
    run: (task) => pool.run(task) as Promise<SweepRunResult>,
    destroy: () => pool.destroy(),
  };
}
