// Assertions that document the agent's invariants. A failed assertion is a bug (in the agent, or in a strategy
// when raised inside one of its actions): it throws a plain Error, never returns quietly.

export function assert(cond: boolean, message: string | (() => string)): asserts cond {
  if (!cond) throw new Error(typeof message === "string" ? message : message());
}
