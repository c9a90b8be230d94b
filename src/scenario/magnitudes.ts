// Numbers that fit: a value can pass the schema (any finite double) and still overflow once the simulator turns
// it into µs or multiplies it (`rtt_ms: 1e308`, a normal with mean and sd 1e308, a Pareto with shape 1e-300).
// Every number is bounded by the unit in its key's name (UNIT_MAXIMA; a distribution's parameters take its
// key's unit, its shape and sigma none; a positive rate is at least MIN_POSITIVE_RATE_PER_S), and every
// distribution's largest possible draw by MAX_DRAW. Draws
// that fall outside the range a key accepts are clamped by the simulator; `notes` says where that happens.

import {
  type Distribution,
  drawRange,
  MAX_ABS_STANDARD_NORMAL,
  scaleDistribution,
  shareOutside,
} from "../sim/random/distributions.ts";
import { churnPreset } from "../sim/random/churn-presets.ts";
import { MAX_DRAW, MIN_POSITIVE_RATE_PER_S, UNIT_MAXIMA } from "../input/limit-values.ts";
import type { Scenario } from "./schema.ts";
import type { DraftIssue } from "./zod-issues.ts";

type Unit = keyof typeof UNIT_MAXIMA;
type Path = readonly PropertyKey[];

const UNIT_NAMES: Readonly<Record<Unit, string>> = {
  bps: " bit/s",
  s: " s",
  ms: " ms",
  per_s: " per second",
  bytes: " bytes",
  plain: "",
};

/** Top-level keys not checked here: identifiers and text, and the sweep (each value is re-validated whole). */
const SKIPPED_TOP = new Set(["seed", "sweep", "name", "description", "strategies"]);
/** A distribution's unitless parameters. */
const UNITLESS_PARAMETERS = new Set(["shape", "sigma"]);
/** Walks stop here: the schema nests about 6 deep. */
const MAX_WALK_DEPTH = 16;

/** The unit a key's name gives its value, or undefined when the name carries none. */
export function unitOfKey(key: string): Unit | undefined {
  if (key.endsWith("_per_s")) return "per_s";
  if (key.endsWith("_bps")) return "bps";
  if (key.endsWith("_ms")) return "ms";
  if (key.endsWith("_s")) return "s";
  if (key.endsWith("_bytes")) return "bytes";
  return undefined;
}

function isDistributionObject(x: unknown): x is Exclude<Distribution, number> {
  return x !== null && typeof x === "object" && !Array.isArray(x) && typeof (x as { dist?: unknown }).dist === "string";
}

/** A number as found in the scenario, exactly (1e308 rather than 1e+308). */
function show(x: number): string {
  return String(x).replace("e+", "e");
}

/** A computed number (a draw's extreme), to 4 significant digits. */
function showApprox(x: number): string {
  return Number.isFinite(x) ? show(Number(x.toPrecision(4))) : String(x);
}

/** Each unit's maximum as the docs write it. */
const MAXIMA_TEXT: Readonly<Record<Unit, string>> = {
  bps: "1e15",
  s: "1e9",
  ms: "1e12",
  per_s: "1e6",
  bytes: "2^50",
  plain: "1e9",
};

function tooLarge(path: Path, unit: Unit, value: number): DraftIssue {
  const expected = `a number within ±${MAXIMA_TEXT[unit]}${UNIT_NAMES[unit]}`;
  return { path, expected, found: show(value), message: `expected ${expected}, found ${show(value)}` };
}

function drawsTooLarge(path: Path, d: Exclude<Distribution, number>, min: number, max: number): DraftIssue {
  const expected = `a distribution whose draws stay within ±${show(MAX_DRAW)}`;
  const reach = !(Math.abs(max) <= MAX_DRAW) ? max : min;
  const found = `a ${d.dist} distribution whose draws reach ${showApprox(reach)}`;
  const hint = d.dist === "pareto" || d.dist === "weibull" ? " (a larger shape)" : d.dist === "lognormal" ? " (a smaller sigma)" : "";
  return { path, expected, found, message: `expected ${expected}${hint}, found ${found}` };
}

/** Checks every number under `value` against its unit's maximum; returns whether all fit. */
function walk(value: unknown, path: PropertyKey[], unit: Unit, out: DraftIssue[], depth: number): boolean {
  if (typeof value === "number") {
    if (unit === "per_s" && value > 0 && value < MIN_POSITIVE_RATE_PER_S) {
      const expected = `0 or a rate of at least ${MIN_POSITIVE_RATE_PER_S} per second`;
      out.push({ path: [...path], expected, found: show(value), message: `expected ${expected}, found ${show(value)}` });
      return false;
    }
    if (Math.abs(value) <= UNIT_MAXIMA[unit]) return true;
    out.push(tooLarge([...path], unit, value));
    return false;
  }
  if (value === null || typeof value !== "object" || depth > MAX_WALK_DEPTH) return true;
  let fits = true;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      fits = walk(item, [...path, i], unit, out, depth + 1) && fits;
    });
    return fits;
  }
  const distribution = isDistributionObject(value);
  for (const [key, child] of Object.entries(value)) {
    if (path.length === 0 && SKIPPED_TOP.has(key)) continue;
    const childUnit =
      unitOfKey(key) ?? (distribution ? (UNITLESS_PARAMETERS.has(key) ? "plain" : unit) : "plain");
    fits = walk(child, [...path, key], childUnit, out, depth + 1) && fits;
  }
  if (distribution && fits) {
    const { min, max } = drawRange(value);
    if (!(Math.abs(min) <= MAX_DRAW && Math.abs(max) <= MAX_DRAW)) {
      out.push(drawsTooLarge([...path], value, min, max));
      return false;
    }
  }
  return fits;
}

/** Churn draws are the distribution × time_scale: their range is checked scaled. */
function checkChurnDraws(s: Scenario, out: DraftIssue[]): void {
  s.peers.forEach((g, i) => {
    const churn = g.churn;
    if (churn === undefined) return;
    const preset = churn.preset !== undefined ? churnPreset(churn.preset) : undefined;
    for (const key of ["session_s", "downtime_s"] as const) {
      const d = churn[key] ?? preset?.[key];
      if (d === undefined || typeof d === "number") continue;
      const { min, max } = drawRange(d);
      if (!(Math.abs(min) <= MAX_DRAW && Math.abs(max) <= MAX_DRAW)) continue; // reported by walk
      const scaled = drawRange(scaleDistribution(d, churn.time_scale));
      if (!(Math.abs(scaled.min) <= MAX_DRAW && Math.abs(scaled.max) <= MAX_DRAW)) {
        const path = churn[key] !== undefined ? ["peers", i, "churn", key] : ["peers", i, "churn", "time_scale"];
        out.push(drawsTooLarge(path, d, scaled.min, scaled.max));
      }
    }
  });
}

/**
 * The tracker multiplies each reported uplink (up to the bps maximum) and RTT by exp(state_noise × a standard
 * normal draw): a lognormal factor whose draws must stay within MAX_DRAW like any distribution's.
 */
function checkStateNoise(s: Scenario, out: DraftIssue[]): void {
  const sigma = s.tracker.state_noise;
  const { max } = drawRange({ dist: "lognormal", median: UNIT_MAXIMA.bps, sigma });
  if (Math.abs(max) <= MAX_DRAW) return;
  const largest = Math.log(MAX_DRAW / UNIT_MAXIMA.bps) / MAX_ABS_STANDARD_NORMAL;
  const expected = `a noise whose factor keeps reported uplinks within ±${show(MAX_DRAW)} (at most ${Math.floor(largest * 10) / 10})`;
  out.push({ path: ["tracker", "state_noise"], expected, found: show(sigma), message: `expected ${expected}, found ${show(sigma)}` });
}

/** Every number of a schema-valid scenario that does not fit its unit, and every distribution that can overflow. */
export function checkMagnitudes(s: Scenario): DraftIssue[] {
  const out: DraftIssue[] = [];
  walk(s, [], "plain", out, 0);
  checkChurnDraws(s, out);
  checkStateNoise(s, out);
  return out;
}

// ---- clamping notes ----------------------------------------------------------------------------------------

/** A note is shown when at least this share of a key's draws is clamped. */
export const NOTE_MIN_SHARE = 1e-6;

interface Clamp {
  readonly low: number;
  readonly high: number;
  /** What happens to a clamped draw, for the note. */
  readonly says: string;
}

const ONE_US_S = 1e-6;
const CLAMPS = {
  uplink: { low: 1, high: Number.POSITIVE_INFINITY, says: "draws below 1 bit/s are raised to 1 bit/s" },
  rtt: { low: 0, high: Number.POSITIVE_INFINITY, says: "draws below 0 are raised to 0" },
  unit: { low: 0, high: 1, says: "draws outside [0, 1] are clamped into it" },
  users: { low: 0, high: Number.POSITIVE_INFINITY, says: "draws below 0 are raised to 0" },
  duration: { low: ONE_US_S, high: Number.POSITIVE_INFINITY, says: "draws below 1 µs (negative ones too) become 1 µs" },
} as const satisfies Record<string, Clamp>;

function percent(share: number): string {
  if (share >= 0.9995) return "every draw";
  const p = share * 100;
  return `about ${p >= 0.1 ? Number(p.toPrecision(2)) : p.toExponential(0)}% of draws`;
}

function note(path: Path, d: Distribution | undefined, clamp: Clamp, out: DraftIssue[]): void {
  if (d === undefined || typeof d === "number") return;
  const share = shareOutside(d, clamp.low, clamp.high);
  if (!(share >= NOTE_MIN_SHARE)) return;
  out.push({
    path,
    expected: "draws inside the key's range",
    found: percent(share),
    message: `${clamp.says} (${percent(share)})`,
  });
}

/**
 * Where the simulator clamps draws (docs/cli-and-scenarios.md lists the clamps): one note per distribution
 * that sends at least NOTE_MIN_SHARE of its draws outside its key's range. Not errors: the run is valid.
 */
export function clampNotes(s: Scenario): DraftIssue[] {
  const out: DraftIssue[] = [];
  const groups = [
    ...s.peers.map((g, i) => ({ base: ["peers", i] as const, g })),
    ...s.servers.map((g, i) => ({ base: ["servers", i] as const, g })),
  ];
  for (const { base, g } of groups) {
    note([...base, "uplink_bps"], g.uplink_bps, CLAMPS.uplink, out);
    note([...base, "rtt_ms"], g.rtt_ms, CLAMPS.rtt, out);
    note([...base, "failures", "stall_s"], g.failures.stall_s, CLAMPS.duration, out);
    note([...base, "failures", "slowdown_s"], g.failures.slowdown_s, CLAMPS.duration, out);
    if ("load" in g) note([...base, "load"], g.load, CLAMPS.unit, out);
    if ("cpu_load" in g) {
      note([...base, "cpu_load"], g.cpu_load, CLAMPS.unit, out);
      note([...base, "connected_users"], g.connected_users, CLAMPS.users, out);
    }
    if ("churn" in g && g.churn !== undefined) {
      const churn = g.churn;
      for (const key of ["session_s", "downtime_s"] as const) {
        const d = churn[key];
        if (d !== undefined) note([...base, "churn", key], scaleDistribution(d, churn.time_scale), CLAMPS.duration, out);
      }
    }
  }
  if (s.origin !== null) {
    note(["origin", "failures", "stall_s"], s.origin.failures.stall_s, CLAMPS.duration, out);
    note(["origin", "failures", "slowdown_s"], s.origin.failures.slowdown_s, CLAMPS.duration, out);
  }
  return out;
}
