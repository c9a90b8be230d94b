// Bounded work for any scenario: before anything runs, refuse what would take unbounded time or memory —
// too many nodes, sub-blocks (per block and in all), runs (sweep points × strategies × seeds), sweep values,
// seeds past exact integers, a download that cannot finish within limits.sim_time_s, or more events than
// limits.max_events before it could. The bounds are the scenario's `limits:` keys (defaults and ceilings in
// limit-values.ts); each message names the key that raises it.

import { distributionMean } from "../sim/random/distributions.ts";
import { churnPreset } from "../sim/random/churn-presets.ts";
import { LIMIT_DEFAULTS, MAX_SWEEP_PARAMS, MAX_SWEEP_VALUES } from "../input/limit-values.ts";
import type { Scenario } from "./schema.ts";
import type { DraftIssue } from "./zod-issues.ts";

type LimitKey = keyof typeof LIMIT_DEFAULTS;

/** The scenario's value of a `limits:` key, or its default. */
export function limitOf(s: Scenario, key: LimitKey): number {
  return s.limits[key] ?? LIMIT_DEFAULTS[key];
}

function raise(key: LimitKey): string {
  return `limits.${key}`;
}

/** Every node the scenario can create: peers (with arrivals), servers, the origin. */
export function nodeCount(s: Scenario): number {
  let n = s.origin !== null ? 1 : 0;
  for (const g of s.peers) n += g.count + (g.arrivals?.max_count ?? 0);
  for (const g of s.servers) n += g.count;
  // Swarm mode: every viewer is a host (and may become a node); the default arrivals cap is sim-config.ts's 1000.
  for (const g of s.viewers ?? []) n += g.count + (g.arrivals !== undefined ? (g.arrivals.max_count ?? 1000) : 0);
  return n;
}

/** Sub-blocks in one full block and in the whole content (the last block may be short). */
export function subBlockCounts(s: Scenario): { perBlock: number; total: number } {
  const { size_bytes: size, block_bytes: block, sub_block_bytes: sub } = s.content;
  const perBlock = Math.ceil(block / sub);
  const total = Math.floor(size / block) * perBlock + Math.ceil((size % block) / sub);
  return { perBlock, total };
}

/** Why `runs` runs are too many for the scenario's limits.max_runs, or null. */
export function runCountProblem(s: Scenario, runs: number): string | null {
  const max = limitOf(s, "max_runs");
  if (runs <= max) return null;
  return `${runs} runs is more than limits.max_runs (${max}): run fewer, or raise it in the scenario's limits: section`;
}

function checkNodes(s: Scenario, out: DraftIssue[]): void {
  const max = limitOf(s, "max_nodes");
  const n = nodeCount(s);
  if (n <= max) return;
  const path = s.peers.length > 0 ? ["peers"] : s.servers.length > 0 ? ["servers"] : [];
  const expected = `at most ${max} nodes (${raise("max_nodes")})`;
  out.push({ path, expected, found: `${n}`, message: `expected ${expected}, found ${n} (count + arrivals.max_count of every group)` });
}

function checkSubBlocks(s: Scenario, out: DraftIssue[]): void {
  // Sizes that do not nest are reported by the semantic checks; counts would be meaningless then.
  if (s.content.sub_block_bytes > s.content.block_bytes || s.content.block_bytes > s.content.size_bytes) return;
  const { perBlock, total } = subBlockCounts(s);
  const perBlockMax = limitOf(s, "max_sub_blocks_per_block");
  if (perBlock > perBlockMax) {
    const expected = `at most ${perBlockMax} sub-blocks per block (${raise("max_sub_blocks_per_block")})`;
    out.push({
      path: ["content", "sub_block_bytes"],
      expected,
      found: `${perBlock}`,
      message: `expected ${expected}, found ${perBlock} (block_bytes / sub_block_bytes)`,
    });
  }
  const totalMax = limitOf(s, "max_sub_blocks");
  if (total > totalMax) {
    const expected = `at most ${totalMax} sub-blocks in the content (${raise("max_sub_blocks")})`;
    out.push({
      path: ["content", "sub_block_bytes"],
      expected,
      found: `${total}`,
      message: `expected ${expected}, found ${total} (size_bytes / sub_block_bytes)`,
    });
  }
}

/** Sweep points of the scenario's own `sweep:` section (1 without one). */
function sweepPoints(s: Scenario): number {
  let points = 1;
  for (const values of Object.values(s.sweep?.params ?? {})) points *= values.length;
  return points;
}

/** Whether the sweep section is small enough to validate value by value (each value is a full re-validation). */
export function sweepWithinLimits(s: Scenario): boolean {
  const params = Object.values(s.sweep?.params ?? {});
  return params.length <= MAX_SWEEP_PARAMS && params.every((v) => v.length <= MAX_SWEEP_VALUES);
}

function checkRuns(s: Scenario, out: DraftIssue[]): void {
  const params = Object.entries(s.sweep?.params ?? {});
  if (params.length > MAX_SWEEP_PARAMS) {
    const expected = `at most ${MAX_SWEEP_PARAMS} swept keys`;
    out.push({ path: ["sweep", "params"], expected, found: `${params.length}`, message: `expected ${expected}, found ${params.length}` });
  }
  for (const [key, values] of params) {
    if (values.length <= MAX_SWEEP_VALUES) continue;
    const expected = `at most ${MAX_SWEEP_VALUES} values`;
    out.push({ path: ["sweep", "params", key], expected, found: `${values.length}`, message: `expected ${expected}, found ${values.length}` });
  }
  const points = sweepPoints(s);
  const runs = points * s.strategies.length * s.seeds;
  const problem = runCountProblem(s, runs);
  if (problem === null) return;
  const what = params.length > 0 ? `${points} sweep points × ` : "";
  const expected = `at most ${limitOf(s, "max_runs")} runs (${raise("max_runs")})`;
  out.push({
    path: params.length > 0 ? ["sweep", "params"] : ["seeds"],
    expected,
    found: `${runs}`,
    message: `expected ${expected}, found ${what}${s.strategies.length} strategies × ${s.seeds} seeds = ${runs}`,
  });
}

function checkSeedRange(s: Scenario, out: DraftIssue[]): void {
  // Compared this way round: seed + seeds - 1 itself would round back into range near 2^53.
  if (s.seed <= Number.MAX_SAFE_INTEGER - (s.seeds - 1)) return;
  const expected = `seed + seeds - 1 ≤ ${Number.MAX_SAFE_INTEGER}`;
  out.push({ path: ["seed"], expected, found: `${s.seed}`, message: `expected ${expected}, found seed ${s.seed} with ${s.seeds} seeds` });
}

/**
 * Lower bounds on the simulated time and the events of any run: the content cannot arrive faster than the
 * agent's downlink, and every sub-block costs at least two events; meanwhile each node's failure processes,
 * churn and arrivals fire at their rates. Run it only on a scenario with no other problem (it takes the
 * means of its distributions).
 */
export function checkHorizon(s: Scenario): DraftIssue[] {
  const out: DraftIssue[] = [];
  if (s.agent.downlink_trace !== undefined) return out; // the trace, not downlink_bps, sets the pace
  const minDurationS = (s.content.size_bytes * 8) / s.agent.downlink_bps;
  if (minDurationS > s.limits.sim_time_s) {
    const expected = `a download that can finish within limits.sim_time_s (${s.limits.sim_time_s} s)`;
    const found = `${s.content.size_bytes} bytes at downlink_bps ${s.agent.downlink_bps}: at least ${formatSeconds(minDurationS)}`;
    out.push({ path: ["content", "size_bytes"], expected, found, message: `expected ${expected}, found ${found}` });
    return out;
  }
  let ratePerS = 0;
  const nodeRate = (f: Scenario["peers"][number]["failures"]) => f.drop_per_s + 2 * f.stall_per_s + 2 * f.slowdown_per_s;
  for (const g of s.peers) {
    let churnRate = 0;
    if (g.churn !== undefined) {
      const preset = g.churn.preset !== undefined ? churnPreset(g.churn.preset) : undefined;
      const session = g.churn.session_s ?? preset?.session_s;
      const downtime = g.churn.downtime_s ?? preset?.downtime_s;
      if (session !== undefined && downtime !== undefined) {
        const cycleS = (distributionMean(session) + distributionMean(downtime)) * g.churn.time_scale;
        churnRate = cycleS > 0 ? 2 / cycleS : 0;
      }
    }
    ratePerS += g.count * (nodeRate(g.failures) + churnRate);
    if (g.arrivals !== undefined && g.arrivals.max_count > 0) ratePerS += g.arrivals.rate_per_s;
  }
  for (const g of s.servers) ratePerS += g.count * nodeRate(g.failures);
  if (s.origin !== null) ratePerS += nodeRate(s.origin.failures);
  const { total } = subBlockCounts(s);
  const events = Math.floor(2 * total + ratePerS * minDurationS);
  if (events <= s.limits.max_events) return out;
  const expected = `at most limits.max_events (${s.limits.max_events}) events`;
  const found = `at least ${events} before the download can finish (${total} sub-blocks, failures, churn and arrivals over ${formatSeconds(minDurationS)})`;
  out.push({ path: ["limits", "max_events"], expected, found, message: `expected ${expected}, found ${found}` });
  return out;
}

function formatSeconds(s: number): string {
  return `${Number(s.toPrecision(4))} s`;
}

/** Every bound on work a schema-valid scenario breaks, but the horizon (checkHorizon, run last). */
export function checkLimits(s: Scenario): DraftIssue[] {
  const out: DraftIssue[] = [];
  checkNodes(s, out);
  checkSubBlocks(s, out);
  checkRuns(s, out);
  checkSeedRange(s, out);
  return out;
}
