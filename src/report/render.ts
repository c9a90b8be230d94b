// Headless chart rendering: a Vega-Lite spec → SVG text (vega-lite compile, a Vega View with no renderer,
// view.toSVG()) and SVG → PNG bytes (resvg). The PNG renderer loads only the DejaVu Sans files shipped in
// src/report/fonts (no system fonts), so output is the same on a bare machine. SVG text is deterministic:
// Vega's clip and gradient id counters are reset before every render. resvg-js re-reads a font file for every
// glyph it lays out, so an SVG whose characters all lie in COMMON_FONT_RANGES is rasterised from the small
// -Common cuts of the fonts (same glyphs, same PNG bytes, about half the time), any other from the full files.

import { Resvg, renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";
import { logger, parse, resetSVGDefIds, type Spec as VegaSpec, View, Warn } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { assert } from "../assert.ts";
import { packagePath } from "../paths.ts";
import { FONT_FAMILY } from "./charts/theme.ts";

/** The font files the PNG renderer loads, shipped with the repository (Bitstream Vera licence). */
export const FONT_FILES: readonly string[] = [
  packagePath("src/report/fonts/DejaVuSans.ttf"),
  packagePath("src/report/fonts/DejaVuSans-Bold.ttf"),
];

/**
 * The same fonts cut down to COMMON_FONT_RANGES by scripts/subset-fonts.sh (every layout feature kept, hinting
 * dropped: resvg draws unhinted outlines). Used alone, never beside the full files: resvg's fallback for a
 * missing character takes the first font that has it whatever its weight, which would change the drawing.
 */
export const COMMON_FONT_FILES: readonly string[] = [
  packagePath("src/report/fonts/DejaVuSans-Common.ttf"),
  packagePath("src/report/fonts/DejaVuSans-Bold-Common.ttf"),
];

/** Inclusive code point ranges kept in COMMON_FONT_FILES (scripts/subset-fonts.sh passes the same list). */
export const COMMON_FONT_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // ASCII
  [0xa0, 0x24f], // Latin-1, Latin Extended-A and -B
  [0x370, 0x3ff], // Greek (µ is in Latin-1)
  [0x400, 0x45f], // Cyrillic
  [0x2000, 0x206f], // general punctuation (– — … ·)
  [0x2070, 0x209f], // superscripts and subscripts
  [0x20a0, 0x20cf], // currency signs
  [0x2100, 0x214f], // letterlike symbols
  [0x2190, 0x21ff], // arrows (→ ⇒)
  [0x2200, 0x22ff], // mathematical operators (− ≤ ÷)
  [0x2300, 0x230f], // ⌈ ⌉ ⌊ ⌋
];

/** Whether a code point lies in COMMON_FONT_RANGES (tab, line feed and carriage return count: white space of markup). */
function inCommonRanges(cp: number): boolean {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return true; // white space between tags
  for (const [lo, hi] of COMMON_FONT_RANGES) if (cp >= lo && cp <= hi) return true;
  return false;
}

/**
 * Whether every character of an SVG, written out or as a character reference (&#…;), lies in
 * COMMON_FONT_RANGES, so the common fonts draw it exactly as the full ones. Scans markup too: a stray character
 * in an attribute only costs the faster fonts.
 */
export function commonFontsCover(svg: string): boolean {
  for (let i = 0; i < svg.length; i++) {
    const c = svg.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) continue;
    const cp = svg.codePointAt(i) ?? c;
    if (cp > 0xffff) return false; // astral: never in the ranges
    if (!inCommonRanges(cp)) return false;
  }
  for (const m of svg.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const ref = m[1];
    const cp = ref.startsWith("x") ? Number.parseInt(ref.slice(1), 16) : Number.parseInt(ref, 10);
    if (!inCommonRanges(cp)) return false;
  }
  return true;
}

/** PNG zoom over the SVG's own size: modest, to keep reports quick to write. */
export const DEFAULT_PNG_SCALE = 1.5;

/** Largest PNG side in px; a larger chart is rendered at a smaller zoom. */
const MAX_PNG_SIDE_PX = 8000;

/** Most warnings kept per render (the rest are counted only). */
const MAX_WARNINGS = 100;

/** A Vega logger that keeps warnings and errors as text instead of printing them. */
function collectingLogger(into: string[]) {
  return logger(Warn, undefined, (_method, level, args) => {
    if (into.length < MAX_WARNINGS) into.push(`${level} ${args.map(String).join(" ")}`);
  });
}

/** Compiles a Vega-Lite spec to Vega; Vega-Lite's warnings are returned, not printed. Throws on errors. */
export function compileSpec(spec: TopLevelSpec): {
  vega: VegaSpec;
  warnings: string[];
} {
  const warnings: string[] = [];
  const vega = compile(spec, { logger: collectingLogger(warnings) }).spec;
  return { vega, warnings };
}

/** Renders a Vega-Lite spec to SVG text, with the warnings of Vega-Lite and Vega. Same spec ⇒ same bytes. */
export async function renderChart(spec: TopLevelSpec): Promise<{ svg: string; warnings: string[] }> {
  const { vega, warnings } = compileSpec(spec);
  const view = new View(parse(vega), {
    renderer: "none",
    logger: collectingLogger(warnings),
  });
  try {
    resetSVGDefIds();
    const svg = await view.toSVG();
    assert(svg.startsWith("<svg"), "renderSvg: Vega returned no SVG");
    return { svg, warnings };
  } finally {
    view.finalize();
  }
}

/** Renders a Vega-Lite spec to SVG text. Same spec ⇒ same bytes. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await renderChart(spec)).svg;
}

/** Width and height in px that an SVG root declares. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /^<svg[^>]*>/.exec(svg)?.[0] ?? "";
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  assert(width > 0 && height > 0, "svgSize: the SVG root has no width and height");
  return { width, height };
}

export interface PngOptions {
  /** Zoom over the SVG size; default DEFAULT_PNG_SCALE. */
  readonly scale?: number;
}

/** The zoom renderPng uses for an SVG: the asked scale, lowered so no side exceeds MAX_PNG_SIDE_PX. */
export function pngScale(svg: string, opts: PngOptions = {}): number {
  const scale = opts.scale ?? DEFAULT_PNG_SCALE;
  assert(scale > 0 && scale <= 8, "renderPng: bad scale {0}", scale);
  const { width, height } = svgSize(svg);
  return Math.min(scale, MAX_PNG_SIDE_PX / Math.max(width, height));
}

/** resvg's options for an SVG: the shipped font only (its common cut when that covers the SVG), white background, the zoom of pngScale. */
function resvgOptions(svg: string, opts: PngOptions): ResvgRenderOptions {
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: [...(commonFontsCover(svg) ? COMMON_FONT_FILES : FONT_FILES)],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
      serifFamily: FONT_FAMILY,
      monospaceFamily: FONT_FAMILY,
    },
    fitTo: { mode: "zoom", value: pngScale(svg, opts) },
    background: "white",
    logLevel: "off",
  };
}

/** Rasterises SVG text to PNG bytes with the shipped font only. */
export function renderPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, resvgOptions(svg, opts));
  return new Uint8Array(resvg.render().asPng());
}

/**
 * The same PNG bytes as renderPng, rasterised on a thread of libuv's pool: a report renders the next chart's SVG
 * on the main thread meanwhile (on two cores that hides most of the rasterising).
 */
export async function renderPngAsync(svg: string, opts: PngOptions = {}): Promise<Uint8Array> {
  const image = await renderAsync(svg, resvgOptions(svg, opts));
  return new Uint8Array(image.asPng());
}
