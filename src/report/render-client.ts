// The main thread's side of the report's render worker (render-worker.ts): `sim run` starts it before the
// simulation so that vega, vega-lite and resvg load on the second core meanwhile, and buildCharts hands it the
// chart specs. Any failure (the worker cannot start, dies, or answers an error) rejects, and buildCharts then
// renders in-process: the report is never lost. Same specs ⇒ the same bytes either way (charts/render-all.ts).

import { Worker } from "node:worker_threads";
import { BUNDLED } from "../paths.ts";
import type { RenderRequest } from "./charts/render-all.ts";
import type { RenderReply } from "./render-worker.ts";

/** A started render worker: render at most once, then close (close is safe to call any number of times). */
export interface RenderWorker {
  render(req: RenderRequest): Promise<{ svgs: string[]; pngs: Uint8Array[] | null }>;
  close(): void;
}

/** Starts the render worker; null when the thread cannot be created (the caller renders in-process). */
export function startRenderWorker(): RenderWorker | null {
  let worker: Worker;
  try {
    const url = BUNDLED
      ? new URL("./render-worker.mjs", import.meta.url)
      : new URL("./render-worker-entry.mjs", import.meta.url);
    worker = new Worker(url);
  } catch {
    return null;
  }
  // Never keeps the process alive by itself: only while a render is awaited.
  worker.unref();
  let failure: Error | null = null;
  let closed = false;
  const failed = new Set<(error: Error) => void>();
  const fail = (error: Error) => {
    failure ??= error;
    for (const f of failed) f(failure);
  };
  worker.on("error", (error) => fail(error instanceof Error ? error : new Error(String(error))));
  worker.on("exit", (code) => fail(new Error(`render worker exited (code ${code})`)));
  worker.on("messageerror", (error) => fail(error));
  let used = false;
  return {
    render(req) {
      if (used) return Promise.reject(new Error("render worker: render called twice"));
      used = true;
      if (failure !== null) return Promise.reject(failure);
      if (closed) return Promise.reject(new Error("render worker: closed"));
      return new Promise((resolve, reject) => {
        const onFail = (error: Error) => {
          worker.unref();
          reject(error);
        };
        failed.add(onFail);
        worker.once("message", (reply: RenderReply) => {
          failed.delete(onFail);
          worker.unref();
          if (reply.ok) resolve({ svgs: reply.svgs, pngs: reply.pngs });
          else reject(new Error(reply.error));
        });
        worker.ref();
        try {
          worker.postMessage(req);
        } catch (error) {
          failed.delete(onFail);
          worker.unref();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      void worker.terminate();
    },
  };
}
