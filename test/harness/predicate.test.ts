// The --until predicate of `sim shrink`: values computed by hand on made-up runs, operator precedence, errors
// that name the column, strategies read only when the value needs them, and a property test: a random
// expression tree, printed fully parenthesised, parses and evaluates to what the test's own evaluation of the
// tree gives (an independent walk over plain JavaScript numbers and booleans).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluatePredicate, parsePredicate, PredicateError, predicateValues } from "../../src/harness/predicate.ts";
import type { RunMetrics, RunResult } from "../../src/sim/metrics/records.ts";

/** A run with the given metrics (the rest 0) and error. */
function run(metrics: Partial<RunMetrics>, error: string | null = null, blocks = 0): RunResult {
  const zero = new Proxy({}, { get: () => 0 }) as RunMetrics;
  return { error, blocks: Array.from({ length: blocks }, () => ({})), metrics: { ...Object.fromEntries(Object.keys(metrics).map((k) => [k, 0])), ...metrics, __proto__: zero } } as unknown as RunResult;
}

const STRATEGIES = ["static", "ecf"];
const none = { get: () => undefined };
const holds = (text: string, r: RunResult, others: Record<string, RunResult> = {}) =>
  evaluatePredicate(parsePredicate(text, STRATEGIES), r, { get: (s) => others[s] });

describe("a predicate", () => {
  it("evaluates comparisons, arithmetic, and/or/not, text and failure as computed by hand", () => {
    const r = run({ completionS: 12, stallCount: 2, startupDelayS: 1.5 }, "invariant: sub-block 3 delivered twice", 7);
    expect(holds("stall_count > 0", r)).toBe(true);
    expect(holds("stall_count > 2", r)).toBe(false);
    expect(holds("stall_count >= 2 and completion_s < 12", r)).toBe(false);
    expect(holds("stall_count >= 2 && completion_s <= 12", r)).toBe(true);
    expect(holds("not failed or completion_s == 12", r)).toBe(true);
    expect(holds('failed and error ~ "invariant"', r)).toBe(true);
    expect(holds('error contains "timeout"', r)).toBe(false);
    expect(holds("blocks == 7", r)).toBe(true);
    // 1 + 2 × 3 = 7; (1 + 2) × 3 = 9; 12 − 2 − 1.5 = 8.5 (left to right); −1.5 × −2 = 3.
    expect(holds("1 + 2 * 3 == 7", r)).toBe(true);
    expect(holds("(1 + 2) * 3 == 9", r)).toBe(true);
    expect(holds("completion_s - stall_count - startup_delay_s == 8.5", r)).toBe(true);
    expect(holds("-startup_delay_s * -2 == 3", r)).toBe(true);
    expect(holds("completion_s / 4 == 3 and 1e1 == 10 and .5 == 0.5", r)).toBe(true);
    // A metric that does not apply to the run (start-up delay without a player, stored as -1) is NaN: every
    // comparison with it is false.
    const noPlayer = run({ startupDelayS: -1 });
    expect(holds("startup_delay_s > 0", noPlayer)).toBe(false);
    expect(holds("startup_delay_s <= 0", noPlayer)).toBe(false);
  });

  it("reads another strategy's run on the same world, and only when the value needs it", () => {
    const pull = run({ completionS: 13 });
    const stat = run({ completionS: 10 });
    expect(holds("completion_s > 1.2 * static.completion_s", pull, { static: stat })).toBe(true); // 13 > 12
    expect(holds("completion_s > 1.4 * static.completion_s", pull, { static: stat })).toBe(false); // 13 < 14
    const asked: string[] = [];
    const p = parsePredicate("stall_count > 0 and ecf.stall_count == 0", STRATEGIES);
    expect(p.references).toEqual(["ecf"]);
    expect(evaluatePredicate(p, run({ stallCount: 0 }), { get: (s) => (asked.push(s), run({})) })).toBe(false);
    expect(asked).toEqual([]); // the left side decided
    expect(evaluatePredicate(p, run({ stallCount: 1 }), { get: (s) => (asked.push(s), run({})) })).toBe(true);
    expect(asked).toEqual(["ecf"]);
    expect(predicateValues(p, run({ stallCount: 1 }), { get: () => run({ stallCount: 0 }) })).toBe("stall_count=1, ecf.stall_count=0");
    expect(predicateValues(parsePredicate("failed", STRATEGIES), run({}, "boom"), none)).toBe("failed=true");
  });

  it("refuses what does not parse or type-check, naming the column", () => {
    const err = (text: string) => {
      try {
        parsePredicate(text, STRATEGIES);
      } catch (e) {
        expect(e).toBeInstanceOf(PredicateError);
        return (e as Error).message;
      }
      throw new Error(`${text} parsed`);
    };
    expect(err("")).toBe("the expression is empty");
    expect(err("stall_count >")).toBe('column 14: expected a number, "text", a metric name or "(", found the end');
    expect(err("stalls > 0")).toMatch(/^column 1: unknown name "stalls" \(known: completion_s, /);
    expect(err("pull.completion_s > 1")).toBe('column 1: unknown strategy "pull" (known: static, ecf)');
    expect(err("completion_s")).toBe("the expression must be true or false (a comparison, failed, or and/or/not of those)");
    expect(err("failed + 1 > 0")).toBe('column 8: "+" needs numbers on both sides, found boolean and number');
    expect(err('error ~ 3')).toBe('column 7: "~" needs text on both sides, found string and number');
    expect(err("(stall_count > 0")).toBe('column 17: expected ")", found the end');
    expect(err("stall_count > 0 $")).toBe('column 17: unexpected "$"');
    expect(err('error ~ "open')).toBe('column 9: text without its closing "');
    expect(err("stall_count > 0 0")).toBe('column 17: unexpected "0"');
  });
});

type Tree = { n: number } | { b: boolean } | { op: string; l: Tree; r: Tree } | { not: Tree };

/** Random well-typed trees: numbers (small integers, so every value is exact) and booleans. */
const trees = fc.letrec<{ num: Tree; bool: Tree }>((tie) => ({
  num: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.integer({ min: 0, max: 20 }).map((n) => ({ n })),
    fc.record({ op: fc.constantFrom("+", "-", "*"), l: tie("num"), r: tie("num") }),
  ),
  bool: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.boolean().map((b) => ({ b })),
    fc.record({ op: fc.constantFrom(">", ">=", "<", "<=", "==", "!="), l: tie("num"), r: tie("num") }),
    fc.record({ op: fc.constantFrom("and", "or", "&&", "||"), l: tie("bool"), r: tie("bool") }),
    tie("bool").map((t) => ({ not: t })),
  ),
}));

const print = (t: Tree): string =>
  "n" in t ? String(t.n) : "b" in t ? String(t.b) : "not" in t ? `not (${print(t.not)})` : `(${print(t.l)}) ${t.op} (${print(t.r)})`;

function value(t: Tree): number | boolean {
  if ("n" in t) return t.n;
  if ("b" in t) return t.b;
  if ("not" in t) return !value(t.not);
  const l = value(t.l) as number & boolean;
  const r = value(t.r) as number & boolean;
  const table: Record<string, () => number | boolean> = {
    "+": () => l + r,
    "-": () => l - r,
    "*": () => l * r,
    ">": () => l > r,
    ">=": () => l >= r,
    "<": () => l < r,
    "<=": () => l <= r,
    "==": () => l === r,
    "!=": () => l !== r,
    and: () => l && r,
    "&&": () => l && r,
    or: () => l || r,
    "||": () => l || r,
  };
  return table[t.op]();
}

describe("a random predicate", () => {
  it("evaluates to the value of the tree it prints", () => {
    fc.assert(
      fc.property(trees.bool, (t) => {
        expect(evaluatePredicate(parsePredicate(print(t), []), run({}), none)).toBe(value(t));
      }),
      { numRuns: 300 },
    );
  });
});
