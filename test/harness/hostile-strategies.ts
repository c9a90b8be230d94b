// Misbehaving strategies for run-failures.test.ts and its long run: a plain pull strategy that, at the n-th call
// of a hook (or its factory, or its `name`), throws any value (some hostile to whoever describes them), loops
// forever, or livelocks the agent with a move ping-pong; the tiny swarm they run on, with a 0.25 s wall budget
// (a normal run of it takes about a millisecond); and the property that each gives a failed run with a short,
// escaped reason through runOne and runScenario.

import fc from "fast-check";
import { expect } from "vitest";
import type { ConnectionView, Strategy, StrategyContext } from "../../src/agent/strategy.ts";
import { runOne } from "../../src/harness/run.ts";
import { runScenario } from "../../src/index.ts";
import { resolveScenario } from "../../src/scenario/load.ts";


export const swarm = {
  name: "hostile",
  content: { size_bytes: 4 * 65536 * 4, block_bytes: 4 * 65536, sub_block_bytes: 65536 },
  agent: { downlink_bps: 100_000_000, max_connections: 3 },
  peers: [{ count: 3, uplink_bps: 4_000_000, rtt_ms: 20 }],
  limits: { wall_s: 0.25 },
};
export const loaded = resolveScenario(swarm, "<hostile>", process.cwd());

export type Where = "factory" | "name" | "onBlockStart" | "onConnectionIdle" | "onSubBlockDone";
export type How = { kind: "throw"; value: () => unknown } | { kind: "loop" } | { kind: "ping-pong" };

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
export function hostile(where: Where, after: number, h: How): () => Strategy {
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

export const WHERE: Where[] = ["factory", "name", "onBlockStart", "onConnectionIdle", "onSubBlockDone"];

/** A reason fit for a terminal and a CSV cell: short, no raw control or bidirectional characters. */
export function expectSafeReason(error: string | null): void {
  expect(typeof error).toBe("string");
  expect((error as string).length).toBeGreaterThan(0);
  expect((error as string).length).toBeLessThanOrEqual(700);
  // eslint-disable-next-line no-control-regex -- no raw control character may reach a terminal
  expect(error).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
}

/** `numRuns` generated misbehaviours, each a failed run with a safe reason (or a clean run if it came too late). */
export function checkMisbehavingStrategies(numRuns: number): void {
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
    { numRuns },
  );
}
