// `sim shrink`: the smallest world that still shows a failure. A failure is a predicate over a run's outcome and
// metrics (predicate.ts) that holds for (scenario, seed, strategy). The shrinker
//   1. runs it (and the strategies the predicate names) on the stochastic world, recording the world's node
//      events (schedule-record.ts), and checks that the predicate holds;
//   2. writes that world as an explicit schedule (schedule-file.ts: the same runs, event for event);
//   3. reduces the schedule by delta debugging over its events (ddmin, Zeller & Hildebrandt 2002), then each
//      event: shorter, later, fewer targets;
//   4. reduces the scenario: fewer peers and servers per group, fewer blocks, no per-interaction failures
//      (refused or unanswered connections, corrupt sub-blocks, jitter) group by group, no origin;
//   5. runs delta debugging over the events once more, and repeats 4-5 while a round makes the world smaller
//      (at most MAX_ROUNDS times).
// Every candidate must keep the failure signature: the predicate holds, the run fails or not as the original
// did (with the same kind of error: the text before its first colon), and the other strategies' runs fail or
// not as theirs did; a candidate that is not a valid scenario costs no run. Everything is deterministic (fixed
// order of tries, a cache of candidates already run), and the search stops when the budget of runs is spent,
// keeping the smallest candidate found so far.

import { ScenarioError, resolveScenario } from "../scenario/load.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { ScheduleEvent } from "../sim/config.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { ddmin } from "./ddmin.ts";
import { evaluatePredicate, type Predicate, predicateValues } from "./predicate.ts";
import { type RunOptions, runOne } from "./run.ts";
import { recordedScenario } from "./schedule-file.ts";
import { scheduleEventFor } from "./sim-config.ts";
import { quote } from "../input/quote.ts";

export interface ShrinkInput {
  /** The scenario file's raw input (as parsed from YAML) and where it is (trace paths are relative to dir). */
  readonly raw: unknown;
  readonly file: string;
  readonly dir: string;
  readonly seed: number;
  readonly strategy: string;
  readonly predicate: Predicate;
  /** Most simulation runs to spend (every run counts: the failing strategy's and those the predicate names). */
  readonly budget: number;
  /** Strategy names the scenario may list, and how to build them (a --strategy-module's); default the registry. */
  readonly strategyNames?: readonly string[];
  readonly strategyFactory?: RunOptions["strategyFactory"];
  /** Told after every run: runs so far, and the size of the smallest failing world so far. */
  readonly onProgress?: (runs: number, best: WorldSize) => void;
}

export interface WorldSize {
  /** Entries of the schedule (world events). */
  readonly events: number;
  /** Peers and servers present from the start (arrivals excepted). */
  readonly nodes: number;
  readonly blocks: number;
}

export interface ShrinkResult {
  /** The smallest failing scenario found, raw (ready for scenarioYaml). */
  readonly scenario: Record<string, unknown>;
  readonly original: WorldSize;
  readonly shrunk: WorldSize;
  /** Simulation runs spent, and whether the budget stopped the search before it was done. */
  readonly runs: number;
  readonly budgetSpent: boolean;
  /** The predicate's values on the original run and on the shrunk one. */
  readonly originalValues: string;
  readonly shrunkValues: string;
  /** The strategies the shrunk scenario lists: the failing one, then those the predicate names. */
  readonly strategies: readonly string[];
}

/** The predicate does not hold on the original run: nothing to shrink. */
export class NotFailingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFailingError";
  }
}

/** One candidate world: a schedule and the scenario's reductions. */
interface Candidate {
  readonly events: readonly ScheduleEvent[];
  readonly peerCounts: readonly number[];
  readonly serverCounts: readonly number[];
  readonly blocks: number;
  /** Per group (peers, then servers, then the origin): its per-interaction failures turned off. */
  readonly quiet: readonly boolean[];
  readonly origin: boolean;
}

/** What a run ended with, compared across candidates. */
interface Signature {
  readonly failed: boolean;
  readonly code: string;
}

const signatureOf = (r: RunResult): Signature => ({ failed: r.error !== null, code: r.error === null ? "" : r.error.split(":")[0] });
const sameSignature = (a: Signature, b: Signature) => a.failed === b.failed && a.code === b.code;

class BudgetSpent extends Error {}

/** Most rounds of scenario and event reduction after the first pass (each ends when a round finds nothing). */
const MAX_ROUNDS = 4;

/** Node labels a candidate still has: `peers[g]#i` within the group's count, arrivals, the origin if kept. */
function exists(c: Candidate, label: string): boolean {
  if (label === "origin") return c.origin;
  const m = /^(peers|servers)\[(\d+)\](#|\+)(\d+)$/.exec(label);
  if (m === null) return false;
  const counts = m[1] === "peers" ? c.peerCounts : c.serverCounts;
  const g = Number(m[2]);
  if (g >= counts.length) return false;
  return m[3] === "+" || Number(m[4]) < counts[g];
}

/** The candidate's events restricted to the nodes it has (an event left with no node goes). */
function liveEvents(c: Candidate): ScheduleEvent[] {
  const out: ScheduleEvent[] = [];
  for (const e of c.events) {
    if (!("nodes" in e)) {
      out.push(e);
      continue;
    }
    const nodes = e.nodes.filter((n) => exists(c, n));
    if (nodes.length === 0) continue;
    out.push(nodes.length === e.nodes.length ? e : ({ ...e, nodes } as ScheduleEvent));
  }
  return out;
}

const asRecord = (x: unknown) => x as Record<string, unknown>;
const contentOf = (s: Scenario) => Math.ceil(s.content.size_bytes / s.content.block_bytes);

export class Shrinker {
  private runs = 0;
  private readonly cache = new Map<string, boolean>();
  private best!: Candidate;
  private horizonUs = 0;
  private original!: Scenario;
  private originalSignature!: Signature;
  private readonly refSignatures = new Map<string, Signature>();
  private readonly strategies: readonly string[];

  constructor(private readonly input: ShrinkInput) {
    this.strategies = [input.strategy, ...input.predicate.references.filter((s) => s !== input.strategy)];
  }

  private resolve(raw: unknown): { scenario: Scenario; loaded: ReturnType<typeof resolveScenario> } | null {
    try {
      const loaded = resolveScenario(raw, this.input.file, this.input.dir, { strategyNames: this.input.strategyNames });
      return { scenario: loaded.scenario, loaded };
    } catch (error) {
      if (error instanceof ScenarioError) return null;
      throw error;
    }
  }

  private run(loaded: ReturnType<typeof resolveScenario>, strategy: string, recordSchedule = false) {
    if (this.runs >= this.input.budget) throw new BudgetSpent();
    this.runs++;
    const out = runOne(loaded, { strategy, seed: this.input.seed, recordSchedule, strategyFactory: this.input.strategyFactory });
    this.input.onProgress?.(this.runs, this.size(this.best ?? null));
    return out;
  }

  /** The raw scenario of a candidate. */
  private build(c: Candidate): Record<string, unknown> {
    const s = recordedScenario(this.input.raw, {
      seed: this.input.seed,
      events: liveEvents(c),
      strategies: this.strategies,
      name: `${this.original.name}-shrunk`,
    });
    const groups = (key: "peers" | "servers", counts: readonly number[], quietFrom: number) => {
      const list = s[key];
      if (!Array.isArray(list)) return;
      list.forEach((g, i) => {
        const group = asRecord(g);
        group.count = counts[i];
        if (c.quiet[quietFrom + i]) {
          group.failures = { ...asRecord(group.failures ?? {}), connect_refused_p: 0, connect_timeout_p: 0, corrupt_p: 0 };
          group.jitter_ms = 0;
        }
      });
    };
    groups("peers", c.peerCounts, 0);
    groups("servers", c.serverCounts, c.peerCounts.length);
    if (!c.origin) s.origin = null;
    else if (c.quiet[c.peerCounts.length + c.serverCounts.length] && s.origin !== null && typeof s.origin === "object") {
      asRecord(s.origin).failures = { ...asRecord(asRecord(s.origin).failures ?? {}), connect_refused_p: 0, connect_timeout_p: 0, corrupt_p: 0 };
    }
    const content = asRecord(s.content);
    content.size_bytes = Math.min(this.original.content.size_bytes, c.blocks * this.original.content.block_bytes);
    return s;
  }

  private size(c: Candidate | null): WorldSize {
    if (c === null) return { events: 0, nodes: 0, blocks: 0 };
    return {
      events: liveEvents(c).length,
      nodes: c.peerCounts.reduce((a, b) => a + b, 0) + c.serverCounts.reduce((a, b) => a + b, 0),
      blocks: c.blocks,
    };
  }

  /** Runs a candidate: does it keep the failure? (Cached; an invalid scenario is no and costs nothing.) */
  private test(c: Candidate): boolean {
    const key = JSON.stringify(c);
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const resolved = this.resolve(this.build(c));
    let ok = false;
    if (resolved !== null) {
      const target = this.run(resolved.loaded, this.input.strategy).result;
      if (sameSignature(signatureOf(target), this.originalSignature)) {
        const others = new Map<string, RunResult>();
        let drifted = false;
        const lazy = {
          get: (name: string) => {
            let r = others.get(name);
            if (r === undefined) {
              r = this.run(resolved.loaded, name).result;
              others.set(name, r);
              if (!sameSignature(signatureOf(r), this.refSignatures.get(name)!)) drifted = true;
            }
            return r;
          },
        };
        ok = evaluatePredicate(this.input.predicate, target, lazy) && !drifted;
      }
    }
    this.cache.set(key, ok);
    if (ok && this.smaller(c, this.best)) this.best = c;
    return ok;
  }

  /** Is a smaller than b (events, then nodes, then blocks)? */
  private smaller(a: Candidate, b: Candidate): boolean {
    const x = this.size(a);
    const y = this.size(b);
    const cost = (s: WorldSize) => [s.events, s.nodes, s.blocks];
    const cx = cost(x);
    const cy = cost(y);
    for (let i = 0; i < cx.length; i++) if (cx[i] !== cy[i]) return cx[i] < cy[i];
    return JSON.stringify(a) < JSON.stringify(b);
  }

  /** ddmin over the events of the best candidate (every candidate that keeps the failure updates the best). */
  private ddminEvents(): void {
    const base = this.best;
    ddmin(base.events, (events) => this.test({ ...base, events }));
  }

  /** Each remaining event: shorter, later, fewer targets. */
  private simplifyEvents(): void {
    for (let i = 0; i < this.best.events.length; i++) {
      const replace = (e: ScheduleEvent) => this.test({ ...this.best, events: this.best.events.map((x, k) => (k === i ? e : x)) });
      const e0 = this.best.events[i];
      // Shorter: halve the duration while the failure stays (an open-ended one first gets one).
      if ("durationUs" in e0) {
        let d = e0.durationUs ?? Math.max(1, this.horizonUs - e0.atUs);
        for (let k = 0; k < 4; k++) {
          const half = Math.max(1, Math.round(d / 2));
          if (half >= d || !replace({ ...this.best.events[i], durationUs: half } as ScheduleEvent)) break;
          d = half;
        }
      }
      // Later: halfway to the next event of one of its nodes (or the horizon), while the failure stays.
      for (let k = 0; k < 2; k++) {
        const e = this.best.events[i];
        const mine = "nodes" in e ? new Set(e.nodes) : null;
        const next = this.best.events
          .filter((x, j) => j !== i && x.atUs > e.atUs && (mine === null || ("nodes" in x && x.nodes.some((n) => mine.has(n)))))
          .reduce((m, x) => Math.min(m, x.atUs), this.horizonUs);
        const later = e.atUs + Math.floor((next - e.atUs) / 2);
        if (later <= e.atUs || !replace({ ...e, atUs: later } as ScheduleEvent)) break;
      }
      // Fewer targets: drop nodes one by one while the failure stays.
      const e = this.best.events[i];
      if ("nodes" in e && e.nodes.length > 1) {
        for (const n of [...e.nodes]) {
          const cur = this.best.events[i] as ScheduleEvent & { nodes: readonly string[] };
          if (cur.nodes.length > 1) replace({ ...cur, nodes: cur.nodes.filter((x) => x !== n) } as ScheduleEvent);
        }
      }
    }
  }

  /** The smallest value in [lo, hi] for which make(value) keeps the failure (hi does), by bisection. */
  private bisect(lo: number, hi: number, make: (v: number) => Candidate): void {
    if (lo < hi && this.test(make(lo))) return;
    lo++;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.test(make(mid))) hi = mid;
      else lo = mid + 1;
    }
  }

  /** Fewer nodes per group, fewer blocks, quieter groups, no origin. */
  private reduceScenario(): void {
    this.best.peerCounts.forEach((count, g) => {
      if (count > 0) this.bisect(0, count, (v) => ({ ...this.best, peerCounts: this.best.peerCounts.map((x, k) => (k === g ? v : x)) }));
    });
    this.best.serverCounts.forEach((count, g) => {
      if (count > 0) this.bisect(0, count, (v) => ({ ...this.best, serverCounts: this.best.serverCounts.map((x, k) => (k === g ? v : x)) }));
    });
    if (this.best.blocks > 1) this.bisect(1, this.best.blocks, (v) => ({ ...this.best, blocks: v }));
    this.best.quiet.forEach((q, k) => {
      if (!q) this.test({ ...this.best, quiet: this.best.quiet.map((x, j) => x || j === k) });
    });
    if (this.best.origin) this.test({ ...this.best, origin: false });
  }

  shrink(): ShrinkResult {
    const p = this.input.predicate;
    const first = this.resolve(this.input.raw);
    if (first === null) throw new Error("the scenario is not valid");
    this.original = first.scenario;
    // 1. The stochastic runs, recorded.
    const recorded = new Map<string, ReturnType<typeof runOne>>();
    for (const s of this.strategies) recorded.set(s, this.run(first.loaded, s, true));
    const target = recorded.get(this.input.strategy)!.result;
    const others = new Map([...recorded].map(([k, v]) => [k, v.result]));
    const originalValues = predicateValues(p, target, others);
    if (!evaluatePredicate(p, target, others)) {
      throw new NotFailingError(`the predicate ${quote(p.text)} does not hold on ${this.input.strategy} seed ${this.input.seed} (${originalValues}): nothing to shrink`);
    }
    this.originalSignature = signatureOf(target);
    for (const [k, v] of others) this.refSignatures.set(k, signatureOf(v));
    // 2. The world as a schedule: the furthest run's node events, and the file's own fault windows.
    let furthest = recorded.get(this.input.strategy)!;
    for (const out of recorded.values()) if ((out.schedule?.reachedUs ?? 0) > (furthest.schedule?.reachedUs ?? 0)) furthest = out;
    this.horizonUs = furthest.schedule?.reachedUs ?? 0;
    const faults = (this.original.schedule ?? []).map(scheduleEventFor).filter((e) => ["refuse", "ignore", "corrupt", "tracker-down"].includes(e.kind));
    const start: Candidate = {
      events: [...(furthest.schedule?.events ?? []), ...faults],
      peerCounts: this.original.peers.map((g) => g.count),
      serverCounts: this.original.servers.map((g) => g.count),
      blocks: contentOf(this.original),
      quiet: [...this.original.peers.map(() => false), ...this.original.servers.map(() => false), false],
      origin: this.original.origin !== null,
    };
    this.best = start;
    const originalSize = this.size(start);
    let budgetSpent = false;
    try {
      if (!this.test(start)) {
        throw new Error("the recorded schedule did not reproduce the failure (a bug of the recording: please report it with the command line)");
      }
      this.ddminEvents();
      this.simplifyEvents();
      // The scenario, then the events again, while a round makes the world smaller (each step's gains can open
      // new ones: fewer nodes leave fewer events, fewer events let a group shrink further).
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const before = this.best;
        this.reduceScenario();
        this.ddminEvents();
        if (this.best === before) break;
      }
    } catch (error) {
      if (!(error instanceof BudgetSpent)) throw error;
      budgetSpent = true;
    }
    // The best candidate's values, from the cache's runs: run it once more only if the budget allows.
    let shrunkValues = "";
    const resolved = this.resolve(this.build(this.best));
    if (resolved !== null && this.runs + this.strategies.length <= this.input.budget) {
      const t = this.run(resolved.loaded, this.input.strategy).result;
      const o = new Map<string, RunResult>();
      for (const s of this.strategies.slice(1)) o.set(s, this.run(resolved.loaded, s).result);
      shrunkValues = predicateValues(p, t, o);
    }
    return {
      scenario: this.build(this.best),
      original: originalSize,
      shrunk: this.size(this.best),
      runs: this.runs,
      budgetSpent,
      originalValues,
      shrunkValues,
      strategies: this.strategies,
    };
  }
}

/** Shrinks a failing run (see the file's comment). Throws NotFailingError when the predicate does not hold. */
export function shrink(input: ShrinkInput): ShrinkResult {
  return new Shrinker(input).shrink();
}
