// Renders a report's charts: every spec to SVG text and (optionally) PNG bytes, in renderOrder (waterfalls
// first), the PNGs rasterised on libuv's pool while the next SVG renders. Used in-process by buildCharts and
// by the report's render worker (render-worker.ts), so both give the same bytes.

import type { TopLevelSpec } from "vega-lite";
import { renderPngAsync, renderSvg } from "../render.ts";

export interface RenderRequest {
  /** The specs, in page order. */
  readonly specs: readonly TopLevelSpec[];
  /** Indices into specs in the order to render them (see renderOrder). */
  readonly order: readonly number[];
  /** Rasterise PNGs too. */
  readonly png: boolean;
  /** PNG zoom over the SVG size; default render.ts's DEFAULT_PNG_SCALE. */
  readonly pngScale?: number;
}

export interface RenderedCharts {
  /** SVG text per spec, in page order. */
  readonly svgs: string[];
  /** PNG bytes per spec, in page order (only when asked for). */
  readonly pngs?: Promise<Uint8Array>[];
}

/** Renders every SVG (awaited) and starts every PNG (the promises, in page order, resolve later). */
export async function renderAll(req: RenderRequest): Promise<RenderedCharts> {
  const svgs: string[] = new Array<string>(req.specs.length);
  const pngs: Promise<Uint8Array>[] = new Array<Promise<Uint8Array>>(req.specs.length);
  for (const i of req.order) {
    svgs[i] = await renderSvg(req.specs[i]);
    if (req.png) {
      pngs[i] = renderPngAsync(svgs[i], { scale: req.pngScale });
      pngs[i].catch(() => undefined); // awaited by the caller, in chart order: a failure meanwhile is not unhandled
    }
  }
  return req.png ? { svgs, pngs } : { svgs };
}
