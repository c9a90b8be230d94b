// The `--until` predicate of `sim shrink`: a small expression over a run's outcome and metrics, parsed by a
// recursive-descent parser into a tree and evaluated by walking it (never eval). Examples:
//   stall_count > 0
//   failed and error ~ "invariant"
//   completion_s > 1.2 * static.completion_s
//   stall_count > 0 and ecf.stall_count == 0
// Names are runs.csv's metric columns (completion_s, stall_count, t_g_ratio, … from src/metrics/registry.ts;
// NaN, so every comparison false, when the metric does not apply to the run), `blocks` (blocks completed),
// `failed` (the run ended with an error) and `error` (its reason, "" when none); `strategy.name` is that metric of another strategy run on
// the same scenario and seed. Operators, loosest first: or (||), and (&&), not (!), comparisons (> >= < <= ==
// != and ~, "contains", for text), + -, * /, unary minus. Numbers, "double-quoted text", true, false,
// parentheses.

import { metricValue, RUN_METRIC_NAMES } from "../metrics/registry.ts";
import type { RunResult } from "../sim/metrics/records.ts";
import { quote } from "../input/quote.ts";

/** A run's values by name, as the predicate sees them (each a number, a boolean or text). */
export type Value = number | string | boolean;

/** How each name reads a run: every run metric of the registry (NaN when it does not apply), and three more. */
const METRIC_GETTERS: Readonly<Record<string, (r: RunResult) => Value>> = {
  ...Object.fromEntries(RUN_METRIC_NAMES.map((name) => [name, (r: RunResult) => metricValue(r.metrics, name)])),
  blocks: (r) => r.blocks.length,
  failed: (r) => r.error !== null,
  error: (r) => r.error ?? "",
};

/** The names a predicate may use (before any `strategy.` qualifier). */
export const PREDICATE_NAMES: readonly string[] = Object.keys(METRIC_GETTERS);

/** A run's value by name. */
export function runValue(r: RunResult, name: string): Value {
  const get = METRIC_GETTERS[name];
  if (get === undefined) throw new Error(`unknown name ${name}`);
  return get(r);
}

export type Expr =
  | { readonly kind: "literal"; readonly value: Value }
  | { readonly kind: "name"; readonly strategy: string | null; readonly name: string; readonly at: number }
  | { readonly kind: "not" | "neg"; readonly arg: Expr; readonly at: number }
  | { readonly kind: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr; readonly at: number };

/** A predicate that cannot be parsed or does not type-check: the message says where (column) and what. */
export class PredicateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PredicateError";
  }
}

interface Token {
  readonly kind: "num" | "str" | "id" | "op" | "end";
  readonly text: string;
  readonly at: number;
}

/** Most tokens an expression may hold (a bound on the parser's work). */
export const MAX_PREDICATE_TOKENS = 1000;

const OPS = ["||", "&&", ">=", "<=", "==", "!=", ">", "<", "~", "+", "-", "*", "/", "(", ")", "!", "."];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    if (out.length > MAX_PREDICATE_TOKENS) throw new PredicateError(`the expression is longer than ${MAX_PREDICATE_TOKENS} tokens`);
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i + 1;
    const numMatch = /^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(i));
    if (numMatch !== null) {
      out.push({ kind: "num", text: numMatch[0], at });
      i += numMatch[0].length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== '"') {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        text += src[j++];
      }
      if (j >= src.length) throw new PredicateError(`column ${at}: text without its closing "`);
      out.push({ kind: "str", text, at });
      i = j + 1;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id !== null) {
      out.push({ kind: "id", text: id[0], at });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new PredicateError(`column ${at}: unexpected ${quote(c)}`);
    out.push({ kind: "op", text: op, at });
    i += op.length;
  }
  out.push({ kind: "end", text: "the end", at: src.length + 1 });
  return out;
}

const WORD_OPS: Readonly<Record<string, string>> = { or: "||", and: "&&", not: "!", contains: "~" };

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly strategies: readonly string[],
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  /** The operator the next token spells (a symbol, or one of the words and/or/not/contains). */
  private opOf(t: Token): string | null {
    if (t.kind === "op") return t.text;
    if (t.kind === "id" && WORD_OPS[t.text] !== undefined) return WORD_OPS[t.text];
    return null;
  }

  private take(op: string): Token | null {
    const t = this.peek();
    if (this.opOf(t) !== op) return null;
    this.i++;
    return t;
  }

  private expect(op: string): void {
    if (this.take(op) === null) throw new PredicateError(`column ${this.peek().at}: expected ${JSON.stringify(op)}, found ${this.describe(this.peek())}`);
  }

  private describe(t: Token): string {
    return t.kind === "end" ? "the end" : quote(t.text);
  }

  parse(): Expr {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== "end") throw new PredicateError(`column ${t.at}: unexpected ${this.describe(t)}`);
    return e;
  }

  private binary(next: () => Expr, ops: readonly string[]): Expr {
    let left = next();
    for (;;) {
      const t = this.peek();
      const op = this.opOf(t);
      if (op === null || !ops.includes(op)) return left;
      this.i++;
      left = { kind: "binary", op, left, right: next(), at: t.at };
    }
  }

  private or = (): Expr => this.binary(this.and, ["||"]);
  private and = (): Expr => this.binary(this.not, ["&&"]);

  private not = (): Expr => {
    const t = this.take("!");
    if (t !== null) return { kind: "not", arg: this.not(), at: t.at };
    return this.compare();
  };

  private compare = (): Expr => {
    const left = this.sum();
    const t = this.peek();
    const op = this.opOf(t);
    if (op === null || ![">", ">=", "<", "<=", "==", "!=", "~"].includes(op)) return left;
    this.i++;
    return { kind: "binary", op, left, right: this.sum(), at: t.at };
  };

  private sum = (): Expr => this.binary(this.product, ["+", "-"]);
  private product = (): Expr => this.binary(this.unary, ["*", "/"]);

  private unary = (): Expr => {
    const t = this.take("-");
    if (t !== null) return { kind: "neg", arg: this.unary(), at: t.at };
    return this.atom();
  };

  private atom = (): Expr => {
    const t = this.peek();
    if (this.take("(") !== null) {
      const e = this.or();
      this.expect(")");
      return e;
    }
    this.i++;
    if (t.kind === "num") return { kind: "literal", value: Number(t.text) };
    if (t.kind === "str") return { kind: "literal", value: t.text };
    if (t.kind === "id" && WORD_OPS[t.text] === undefined) {
      if (t.text === "true" || t.text === "false") return { kind: "literal", value: t.text === "true" };
      let strategy: string | null = null;
      let name = t.text;
      if (this.take(".") !== null) {
        const n = this.peek();
        if (n.kind !== "id") throw new PredicateError(`column ${n.at}: expected a metric name after ${quote(`${t.text}.`)}, found ${this.describe(n)}`);
        this.i++;
        strategy = t.text;
        name = n.text;
        if (!this.strategies.includes(strategy)) {
          throw new PredicateError(`column ${t.at}: unknown strategy ${quote(strategy)} (known: ${this.strategies.join(", ")})`);
        }
      }
      if (METRIC_GETTERS[name] === undefined) {
        throw new PredicateError(`column ${t.at}: unknown name ${quote(name)} (known: ${PREDICATE_NAMES.join(", ")})`);
      }
      return { kind: "name", strategy, name, at: t.at };
    }
    throw new PredicateError(`column ${t.at}: expected a number, "text", a metric name or "(", found ${this.describe(t)}`);
  };
}

/** The type an expression evaluates to, or a PredicateError naming the column where the types do not fit. */
function typeOf(e: Expr): "number" | "string" | "boolean" {
  switch (e.kind) {
    case "literal":
      return typeof e.value as "number" | "string" | "boolean";
    case "name":
      return typeof runValue(EXAMPLE_RUN, e.name) as "number" | "string" | "boolean";
    case "not":
      if (typeOf(e.arg) !== "boolean") throw new PredicateError(`column ${e.at}: "not" needs a true/false value`);
      return "boolean";
    case "neg":
      if (typeOf(e.arg) !== "number") throw new PredicateError(`column ${e.at}: "-" needs a number`);
      return "number";
    case "binary": {
      const l = typeOf(e.left);
      const r = typeOf(e.right);
      const need = (t: string, what: string) => {
        if (l !== t || r !== t) throw new PredicateError(`column ${e.at}: "${e.op}" needs ${what} on both sides, found ${l} and ${r}`);
      };
      if (e.op === "||" || e.op === "&&") {
        need("boolean", "true/false values");
        return "boolean";
      }
      if (e.op === "~") {
        need("string", "text");
        return "boolean";
      }
      if (e.op === "==" || e.op === "!=") {
        if (l !== r) throw new PredicateError(`column ${e.at}: "${e.op}" compares values of one type, found ${l} and ${r}`);
        return "boolean";
      }
      need("number", "numbers");
      return [">", ">=", "<", "<="].includes(e.op) ? "boolean" : "number";
    }
  }
}

/** A run with every value of its type, for type checks. */
const EXAMPLE_RUN = {
  error: null,
  blocks: [],
  metrics: new Proxy({}, { get: () => 0 }),
} as unknown as RunResult;

/** A parsed predicate: its text, tree, and the other strategies it reads. */
export interface Predicate {
  readonly text: string;
  readonly expr: Expr;
  /** Strategies named as `strategy.metric`, in order of first mention. */
  readonly references: readonly string[];
}

/** Parses and type-checks a predicate (it must be true or false); strategies: the names `x.metric` may use. */
export function parsePredicate(text: string, strategies: readonly string[]): Predicate {
  if (text.trim() === "") throw new PredicateError("the expression is empty");
  const expr = new Parser(tokenize(text), strategies).parse();
  if (typeOf(expr) !== "boolean") throw new PredicateError("the expression must be true or false (a comparison, failed, or and/or/not of those)");
  const references: string[] = [];
  const walk = (e: Expr) => {
    if (e.kind === "name" && e.strategy !== null && !references.includes(e.strategy)) references.push(e.strategy);
    if (e.kind === "not" || e.kind === "neg") walk(e.arg);
    if (e.kind === "binary") {
      walk(e.left);
      walk(e.right);
    }
  };
  walk(expr);
  return { text, expr, references };
}

/** The runs of other strategies a predicate reads, by name (a map, or something that runs them when first asked). */
export interface OtherRuns {
  get(strategy: string): RunResult | undefined;
}

/**
 * The predicate's value on a run; others: the runs of the strategies it names. `and` and `or` stop at their
 * left side when it decides, so a run of another strategy is asked for only when the value needs it.
 */
export function evaluatePredicate(p: Predicate, run: RunResult, others: OtherRuns): boolean {
  const ev = (e: Expr): Value => {
    switch (e.kind) {
      case "literal":
        return e.value;
      case "name": {
        const r = e.strategy === null ? run : others.get(e.strategy);
        if (r === undefined) throw new Error(`no run of ${e.strategy}`);
        return runValue(r, e.name);
      }
      case "not":
        return !(ev(e.arg) as boolean);
      case "neg":
        return -(ev(e.arg) as number);
      case "binary": {
        if (e.op === "&&") return (ev(e.left) as boolean) && (ev(e.right) as boolean);
        if (e.op === "||") return (ev(e.left) as boolean) || (ev(e.right) as boolean);
        const l = ev(e.left);
        const r = ev(e.right);
        switch (e.op) {
          case "~":
            return (l as string).includes(r as string);
          case "==":
            return l === r;
          case "!=":
            return l !== r;
          case ">":
            return (l as number) > (r as number);
          case ">=":
            return (l as number) >= (r as number);
          case "<":
            return (l as number) < (r as number);
          case "<=":
            return (l as number) <= (r as number);
          case "+":
            return (l as number) + (r as number);
          case "-":
            return (l as number) - (r as number);
          case "*":
            return (l as number) * (r as number);
          case "/":
            return (l as number) / (r as number);
          default:
            throw new Error(`operator ${e.op}`);
        }
      }
    }
  };
  return ev(p.expr) === true;
}

/** The values a predicate reads, as "name=value" (for messages). */
export function predicateValues(p: Predicate, run: RunResult, others: OtherRuns): string {
  const seen = new Set<string>();
  const out: string[] = [];
  const walk = (e: Expr) => {
    if (e.kind === "name") {
      const key = e.strategy === null ? e.name : `${e.strategy}.${e.name}`;
      if (seen.has(key)) return;
      seen.add(key);
      const r = e.strategy === null ? run : others.get(e.strategy);
      if (r !== undefined) out.push(`${key}=${JSON.stringify(runValue(r, e.name))}`);
    }
    if (e.kind === "not" || e.kind === "neg") walk(e.arg);
    if (e.kind === "binary") {
      walk(e.left);
      walk(e.right);
    }
  };
  walk(p.expr);
  return out.join(", ");
}
