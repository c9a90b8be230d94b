// sweep.json, the manifest of a sweep folder: the tool, the scenario file as given and resolved, the swept
// parameters, strategies, seeds and the run keys in plan order (and `shard` in a shard's folder). `sim merge`
// and `sim report` rebuild the layout from it alone.

import type { Scenario } from "../../scenario/schema.ts";
import { TOOL_NAME, TOOL_VERSION } from "../../version.ts";
import { expandGrid, MAX_SWEEP_RUNS, type ParamValue, type SweepLayout } from "./layout.ts";

/** sweep.json. `shard` is present only in the folder of one shard. */
export interface SweepManifest {
  readonly tool: { readonly name: string; readonly version: string };
  /** The scenario file as given on the command line. */
  readonly file: string;
  readonly name: string;
  /** The resolved base scenario (before parameter overrides), for the report pages. */
  readonly scenario: Scenario;
  readonly params: readonly (readonly [string, readonly ParamValue[]])[];
  readonly strategies: readonly string[];
  readonly seeds: readonly number[];
  /** Run keys in plan order (names of the store entries `runs/<key>.json`). */
  readonly runs: readonly string[];
  readonly shard?: { readonly index: number; readonly count: number };
}

export function sweepManifest(
  file: string,
  scenario: Scenario,
  layout: SweepLayout,
  shard?: { readonly index: number; readonly count: number },
): SweepManifest {
  const m: SweepManifest = {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    file,
    name: layout.name,
    scenario,
    params: layout.params.map(([k, vs]) => [k, [...vs]] as const),
    strategies: [...layout.strategies],
    seeds: [...layout.seeds],
    runs: layout.runs.map((r) => r.key),
  };
  return shard === undefined ? m : { ...m, shard: { index: shard.index, count: shard.count } };
}

export function manifestJson(m: SweepManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** The layout a manifest describes; run i is point ⌊i/(S·N)⌋, strategy ⌊i/N⌋ mod S, seed i mod N. */
export function layoutFromManifest(m: SweepManifest): SweepLayout {
  // A bound on every loop over the runs that read a folder back (the file is input: an error, not an assertion).
  if (m.runs.length > MAX_SWEEP_RUNS) throw new Error(`sweep.json: ${m.runs.length} run keys exceed ${MAX_SWEEP_RUNS}`);
  const points = expandGrid(m.params).map((values, index) => ({ index, values }));
  const s = m.strategies.length;
  const n = m.seeds.length;
  if (m.runs.length !== points.length * s * n) {
    throw new Error(
      `sweep.json: ${m.runs.length} run keys for ${points.length} points × ${s} strategies × ${n} seeds`,
    );
  }
  const runs = m.runs.map((key, i) => ({
    point: Math.floor(i / (s * n)),
    strategy: m.strategies[Math.floor(i / n) % s],
    seed: m.seeds[i % n],
    key,
  }));
  return { name: m.name, params: m.params, points, strategies: m.strategies, seeds: m.seeds, runs };
}
