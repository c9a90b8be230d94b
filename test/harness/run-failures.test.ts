// One bad run never takes the others down: generated misbehaving strategies (a factory, a `name` or any hook
// that throws any value, an Error whose `message` getter throws, a Proxy that throws on every access, a hook
// that never returns, a move ping-pong that livelocks the agent) always give a failed run with a short, escaped
// reason, through runOne, runScenario, runExperiment and check; the other runs of an experiment are unaffected.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createStrategy } from "../../src/agent/index.ts";
import type { ConnectionView, Strategy, StrategyContext } from "../../src/agent/strategy.ts";
import { check, DEFAULT_CONFIG } from "../../src/harness/check.ts";
import { loadBaseline } from "../../src/harness/check-baseline.ts";
import { runExperiment } from "../../src/harness/experiment.ts";
import { runOne } from "../../src/harness/run.ts";
import { runScenario } from "../../src/index.ts";
import { resolveScenario } from "../../src/scenario/load.ts";

const tmp = mkdtempSync(join(tmpdir(), "sim-run-failures-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const swarm = {
  name: "hostile",
  content: { size_bytes: 4 * 65536 * 4, block_bytes: 4 * 65536, sub_block_bytes: 65536 },
  agent: { downlink_bps: 100_000_000, max_connections: 3 },
  peers: [{ count: 3, uplink_bps: 4_000_000, rtt_ms: 20 }],
  limits: { wall_s: 0.25 },
};
const loaded = resolveScenario(swarm, "<hostile>", process.cwd());

type Where = "factory" | "name" | "onBlockStart" | "onConnectionIdle" | "onSubBlockDone";
type How = { kind: "throw"; value: () => unknown } | { kind: "loop" } | { kind: "ping-pong" };

/** Values a strategy may throw, most of them not Errors, some of them hostile to whoever describes them. */
const thrown: fc.Arbitrary<() => unknown> = fc.oneof(
  fc.anything().map((v) => () => v),
  fc.string().map((m) => () => new Error(`\u001b[31m${m}\u0007${"x".repeat(2000)}`)),
  fc.constant(() => Object.create(Error.prototype, { message: { get: () => { throw new Error("getter"); } } })),
  fc.constant(() => {
    const e = new Error("m");
    Object.defineProperty(e, "message", { get: () => { throw e; } });
    return e;
  }),
  fc.constant(
    () =>
      new Proxy(
        {},
        {
          get: () => { throw new Error("proxy get"); },
          getPrototypeOf: () => { throw new Error("proxy prototype"); },
        },
      ),
  ),
  fc.constant(() => Symbol("s")),
  fc.constant(() => ({ toString: () => { for (;;) { /* a description that never ends */ } } })),
);

const how: fc.Arbitrary<How> = fc.oneof(
  { weight: 4, arbitrary: thrown.map((value) => ({ kind: "throw" as const, value })) },
  { weight: 1, arbitrary: fc.constant({ kind: "loop" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "ping-pong" as const }) },
);

/** A plain pull strategy that misbehaves `how` at the `after`-th call of `where`. */
function hostile(where: Where, after: number, h: How): () => Strategy {
  let calls = 0;
  const misbehave = (ctx?: StrategyContext, conn?: ConnectionView) => {
    if (calls++ < after) return false;
    if (h.kind === "throw") throw h.value();
    if (h.kind === "loop") for (;;) { /* a hook that never returns */ }
    // ping-pong: take the last outstanding sub-block of another connection, forever
    const other = ctx?.connections.find((c) => c.id !== conn?.id && c.outstanding.length > 0 && !c.pinned);
    if (ctx !== undefined && conn !== undefined && other !== undefined) ctx.move(other.id, conn.id, other.outstanding.slice(-1));
    return true;
  };
  const take = (ctx: StrategyContext, conn: ConnectionView) => {
    const mine = ctx.poolFor(conn.id);
    if (mine.length > 0) ctx.request(conn.id, mine.slice(0, 1));
  };
  return () => {
    if (where === "factory") misbehave();
    return {
      get name() {
        if (where === "name") misbehave();
        return "hostile";
      },
      onBlockStart(ctx) {
        if (where === "onBlockStart" && misbehave(ctx)) return;
        for (const c of ctx.connections) take(ctx, c);
      },
      onConnectionIdle(ctx, conn) {
        if (where === "onConnectionIdle" && misbehave(ctx, conn)) return;
        take(ctx, conn);
      },
      onSubBlockDone(ctx, conn) {
        if (where === "onSubBlockDone" && misbehave(ctx, conn)) return;
      },
    };
  };
}

const WHERE: Where[] = ["factory", "name", "onBlockStart", "onConnectionIdle", "onSubBlockDone"];

/** A reason fit for a terminal and a CSV cell: short, no raw control or bidirectional characters. */
function expectSafeReason(error: string | null): void {
  expect(typeof error).toBe("string");
  expect((error as string).length).toBeGreaterThan(0);
  expect((error as string).length).toBeLessThanOrEqual(700);
  // eslint-disable-next-line no-control-regex -- no raw control character may reach a terminal
  expect(error).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
}

describe("a misbehaving strategy", () => {
  it("is a failed run with its reason, never an exception or a hang (runOne, runScenario)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...WHERE), fc.nat(3), how, fc.nat(5), (where, after, h, seed) => {
        const factory = hostile(where, after, h);
        const { result } = runOne(loaded, { strategy: "hostile", seed, strategyFactory: factory });
        // A misbehaviour that came too late (the download finished first) leaves a clean run.
        if (result.error !== null) expectSafeReason(result.error);
        const viaApi = runScenario(swarm, { strategy: hostile(where, after, h), seed });
        if (viaApi.error !== null) expectSafeReason(viaApi.error);
        // Misbehaviours that certainly happen (ping-pong needs a context: in the factory or `name` it does
        // nothing; runScenario reads `name`, the agent does not).
        if (after === 0 && h.kind !== "ping-pong") {
          if (where === "factory" || where === "onBlockStart") expect(result.error).not.toBeNull();
          if (where === "factory" || where === "onBlockStart" || where === "name") expect(viaApi.error).not.toBeNull();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("fails only its own runs of an experiment, which still writes every output", async () => {
    const out = join(tmp, "experiment");
    const bad = hostile("onConnectionIdle", 0, { kind: "loop" });
    const outcome = await runExperiment(loaded, {
      strategies: ["static", "hostile", "pull"],
      seeds: [1, 2],
      outDir: out,
      trace: false,
      checkDeterminism: true,
      report: false,
      extraStrategies: [{ name: "hostile", description: "loops in onConnectionIdle", create: bad }],
    });
    expect(outcome.failures).toHaveLength(2);
    for (const f of outcome.failures) expect(f).toMatch(/^hostile seed \d: wall-limit: .*0\.25 s/);
    expect(outcome.results.filter((r) => r.error === null).map((r) => r.strategy)).toEqual(["static", "static", "pull", "pull"]);
    expect(outcome.determinismFailure).toBeNull();
    const runs = readFileSync(join(out, "runs.csv"), "utf8").trim().split("\n");
    expect(runs).toHaveLength(1 + 6);
    expect(runs.filter((r) => r.includes("wall-limit"))).toHaveLength(2);
  });

  it("fails its group of the CI gate instead of throwing", () => {
    const throwing = hostile("onBlockStart", 0, { kind: "throw", value: () => ({ get message() { throw new Error("x"); } }) });
    const r = check({
      suite: ["scenarios/ci/small.yaml"],
      // Three seeds are enough to show the other group unaffected (the baseline holds the first 48).
      config: { ...DEFAULT_CONFIG, min_seeds: 3, max_seeds: 3 },
      baseline: loadBaseline("reports/baseline.json"),
      strategies: ["static", "rebalance"],
      strategyFactory: (name) => (name === "rebalance" ? throwing() : createStrategy(name)),
    });
    expect(r.passed).toBe(false);
    const failed = r.groups.filter((g) => g.verdict === "failed");
    expect(failed.map((g) => g.strategy)).toEqual(["rebalance"]);
    for (const g of failed) expectSafeReason(g.detail);
  });
});
