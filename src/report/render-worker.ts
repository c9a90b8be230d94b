// The report's render worker (a node:worker_threads thread): loads vega, vega-lite and resvg as soon as it
// starts, while `sim run` simulates on the main thread, then answers one message { specs, order, png, pngScale }
// (charts/render-all.ts's RenderRequest) with { svgs, pngs } or { error }. Started by render-client.ts; from
// the bundle as render-worker.mjs, from the sources through render-worker-entry.mjs (tsx).

import { parentPort } from "node:worker_threads";
import { type RenderRequest, renderAll } from "./charts/render-all.ts";

/** What the worker answers: every SVG and PNG of the request, or why it failed. */
export type RenderReply =
  | { readonly ok: true; readonly svgs: string[]; readonly pngs: Uint8Array[] | null }
  | { readonly ok: false; readonly error: string };

async function answer(req: RenderRequest): Promise<RenderReply> {
  try {
    const { svgs, pngs } = await renderAll(req);
    return { ok: true, svgs, pngs: pngs === undefined ? null : await Promise.all(pngs) };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

const port = parentPort;
if (port !== null) {
  port.on("message", (req: RenderRequest) => {
    void answer(req).then((reply) => {
      const transfer = reply.ok && reply.pngs !== null ? reply.pngs.map((p) => p.buffer as ArrayBuffer) : [];
      port.postMessage(reply, transfer);
    });
  });
}
