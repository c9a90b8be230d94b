// A pool of worker threads (tinypool) that run sweep specs in parallel, with a watchdog. From the prebuilt
// bundle (bin/bundle.mjs) a worker loads the bundled sweep-worker.mjs next to this code; from the TypeScript
// sources it starts from a JavaScript entry that registers tsx in the worker itself (see
// sweep-worker-entry.mjs). Either way `npx sim` works from any folder.
// A run normally enforces its own wall-clock budget inside the worker (run-guard.ts) and returns a failed
// result. The watchdog is the second line: a task still running `graceMs` after its budget (a worker that no
// longer answers) is aborted, which terminates its worker thread; a worker that dies (out of memory, a crash)
// fails its task too. Either way the task comes back as a failure with its reason, a fresh worker takes the
// next task, and the sweep goes on.

import { availableParallelism } from "node:os";
import { Tinypool } from "tinypool";
import { BUNDLED } from "../paths.ts";
import { describeThrown } from "./run-guard.ts";
import type { WorkerTask } from "./sweep-worker.ts";
import type { SweepRunResult } from "./sweep.ts";

export type PoolOutcome = { readonly ok: true; readonly result: SweepRunResult } | { readonly ok: false; readonly reason: string };

export interface Pool {
  /** Runs a task; resolves with its result or the reason it failed (never rejects). */
  run(task: WorkerTask, budgetS: number): Promise<PoolOutcome>;
  destroy(): Promise<void>;
}

export interface PoolOptions {
  /** Worker module (tests pass their own). */
  readonly filename?: string;
  /** How long past its budget a task may run before the watchdog ends its worker; default 10 s. */
  readonly graceMs?: number;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Longest setTimeout delay Node accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createPool(jobs: number, opts: PoolOptions = {}): Pool {
  const pool = new Tinypool({
    filename:
      opts.filename ??
      (BUNDLED
        ? new URL("./sweep-worker.mjs", import.meta.url).href
        : new URL("./sweep-worker-entry.mjs", import.meta.url).href),
    minThreads: jobs,
    maxThreads: jobs,
    idleTimeout: 60_000,
  });
  const graceMs = opts.graceMs ?? 10_000;
  return {
    run: async (task, budgetS) => {
      const abort = new AbortController();
      const limitMs = Math.min(MAX_TIMER_MS, budgetS * 1000 + graceMs);
      const timer = setTimeout(() => abort.abort(), limitMs);
      try {
        return { ok: true, result: (await pool.run(task, { signal: abort.signal })) as SweepRunResult };
      } catch (error) {
        if (abort.signal.aborted) {
          return {
            ok: false,
            reason: `wall-limit: the run's worker did not answer within ${budgetS} s (limits.wall_s) + ${graceMs / 1000} s and was stopped by the watchdog`,
          };
        }
        return { ok: false, reason: `worker: the worker running it failed: ${describeThrown(error)}` };
      } finally {
        clearTimeout(timer);
      }
    },
    destroy: () => pool.destroy(),
  };
}
