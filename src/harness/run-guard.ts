// Runs one simulation so that nothing a strategy does takes the caller down. The run executes under a V8
// execution timeout (node:vm's `timeout`): when its wall-clock budget is spent, V8 terminates whatever
// JavaScript is running, even a strategy hook stuck in `for (;;) {}` that no catch block can stop, and the
// caller gets a "timed out" outcome instead of a hang. The simulator and the agent keep no module-level state,
// so the process is safe to go on after a terminated run (the run's own objects are dropped). Errors a run
// throws are described without trusting them: an error whose `message` getter throws, or a Proxy that throws
// on every access, still yields a short, escaped text.

import vm from "node:vm";
import { excerpt } from "../input/quote.ts";

/** Longest budget node:vm accepts (a 32-bit signed number of ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Longest description of an error kept (characters). */
export const MAX_REASON_CHARS = 500;

const script = new vm.Script("run()", { filename: "sim-run-guard" });
const context = vm.createContext({ run: null as (() => void) | null });

export type Guarded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly timedOut: boolean; readonly error: unknown };

/** Reads a property without trusting the object (getters and proxies may throw). */
function safeGet(x: unknown, key: string): unknown {
  try {
    return (x as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Calls fn() with a wall-clock budget; never throws (a throw or a timeout comes back as an outcome). */
export function runWithin<T>(fn: () => T, budgetMs: number): Guarded<T> {
  const timeout = Math.max(1, Math.min(MAX_TIMEOUT_MS, Math.ceil(budgetMs)));
  let value: T | undefined;
  const previous = context.run;
  context.run = () => {
    value = fn();
  };
  try {
    script.runInContext(context, { timeout });
    return { ok: true, value: value as T };
  } catch (error) {
    return { ok: false, timedOut: safeGet(error, "code") === "ERR_SCRIPT_EXECUTION_TIMEOUT", error };
  } finally {
    context.run = previous;
  }
}

function safeString(x: unknown): string | undefined {
  try {
    if (typeof x === "string") return x;
    if (x === null || x === undefined || typeof x === "number" || typeof x === "boolean" || typeof x === "bigint") {
      return String(x);
    }
    if (typeof x === "symbol") return x.toString();
    const s = String(x);
    return typeof s === "string" ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Budget for describing a thrown value (its getters are someone else's code, and may loop). */
const DESCRIBE_BUDGET_MS = 1000;

/** A short, escaped description of anything thrown; never throws, never hangs. */
export function describeThrown(thrown: unknown, maxChars = MAX_REASON_CHARS): string {
  const d = runWithin(() => describeUnguarded(thrown, maxChars), DESCRIBE_BUDGET_MS);
  return d.ok ? d.value : "a thrown value whose description failed or did not finish";
}

function describeUnguarded(thrown: unknown, maxChars: number): string {
  let text: string | undefined;
  if (typeof thrown === "object" && thrown !== null) {
    const message = safeGet(thrown, "message");
    const name = safeGet(thrown, "name");
    if (typeof message === "string") {
      text = typeof name === "string" && name !== "" && name !== "Error" ? `${name}: ${message}` : message;
    }
  }
  text ??= safeString(thrown);
  return excerpt(text ?? "a thrown value that could not be described", maxChars);
}
