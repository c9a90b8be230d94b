// The report's render worker (src/report/render-client.ts, render-worker.ts): charts rendered on the worker
// thread are byte-identical to charts rendered in-process, and a worker that fails (rejects, answers the wrong
// number of charts, or was closed) never loses the report: buildCharts renders in-process, the same bytes, and
// closes the worker either way.

import { assert, describe, expect, it } from "vitest";
import { buildCharts } from "../../src/report/charts/index.ts";
import { type RenderWorker, startRenderWorker } from "../../src/report/render-client.ts";
import { chartResults, fakeLoaded } from "./chart-fixtures.ts";

const loaded = fakeLoaded({ description: "render worker" });
const results = chartResults();
const reference = await buildCharts(loaded, results);

function expectSameFiles(files: Map<string, string | Uint8Array>) {
  expect([...files.keys()]).toEqual([...reference.keys()]);
  for (const [name, content] of reference) {
    const other = files.get(name) as string | Uint8Array;
    if (typeof content === "string") expect(other, name).toBe(content);
    else expect(Buffer.from(other as Uint8Array).equals(Buffer.from(content)), name).toBe(true);
  }
}

/** A stand-in worker whose render answers `reply`, counting closes. */
function fakeWorker(reply: () => ReturnType<RenderWorker["render"]>) {
  const state = { closes: 0, renders: 0 };
  const worker: RenderWorker = {
    render: () => {
      state.renders++;
      return reply();
    },
    close: () => void state.closes++,
  };
  return { worker, state };
}

describe("render worker", () => {
  it("renders the same bytes on the worker thread as in-process", async () => {
    const real = startRenderWorker();
    assert(real !== null);
    // The worker's own answer is checked too: a fallback would hide a worker that fails.
    let answer: ReturnType<RenderWorker["render"]> | undefined;
    const worker: RenderWorker = { render: (req) => (answer = real.render(req)), close: () => real.close() };
    let calls = 0;
    const files = await buildCharts(loaded, results, { worker, meanwhile: () => calls++ });
    expect(calls).toBe(1);
    expectSameFiles(files);
    const reply = await answer;
    expect(reply?.svgs.length).toBeGreaterThan(0);
    expect(reply?.pngs?.length).toBe(reply?.svgs.length);
    real.close(); // already closed by buildCharts: a second close is harmless
  }, 60_000);

  it("falls back to in-process rendering when the worker fails", async () => {
    const { worker, state } = fakeWorker(() => Promise.reject(new Error("worker died")));
    let calls = 0;
    expectSameFiles(await buildCharts(loaded, results, { worker, meanwhile: () => calls++ }));
    expect(state).toEqual({ closes: 1, renders: 1 });
    expect(calls).toBe(1);
  });

  it("falls back when the worker answers the wrong number of charts", async () => {
    const { worker, state } = fakeWorker(() => Promise.resolve({ svgs: ["<svg/>"], pngs: null }));
    expectSameFiles(await buildCharts(loaded, results, { worker }));
    expect(state.closes).toBe(1);
  });

  it("falls back when the worker was closed before rendering", async () => {
    const worker = startRenderWorker();
    worker?.close();
    expectSameFiles(await buildCharts(loaded, results, { worker }));
  });
});
