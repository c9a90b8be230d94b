// The project's one assertion helper (src/agent, src/sim and the rest): assertions document what must always
// hold, and a failed one is a bug. assert(cond, message, ...args) throws an AssertionError when cond is false;
// the message is built only then: {0}, {1}, {2}, {3} in it stand for the extra arguments, so a hot path passes
// numbers, never a template string built in advance or a closure. Imports nothing: the agent may use it.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Throws an AssertionError with message ({i} replaced by the i-th extra argument) when cond is false. */
export function assert(cond: boolean, message: string, a?: unknown, b?: unknown, c?: unknown, d?: unknown): asserts cond {
  if (!cond) fail(message, a, b, c, d);
}

/** Throws the AssertionError of a failed assertion whose condition the caller tested itself. */
export function fail(message: string, a?: unknown, b?: unknown, c?: unknown, d?: unknown): never {
  const args = [a, b, c, d];
  throw new AssertionError(message.replace(/\{([0-3])\}/g, (_m, i: string) => shown(args[Number(i)])));
}

/** An argument as the message shows it: strings and numbers as they are, anything else as JSON where it can be. */
function shown(x: unknown): string {
  if (typeof x === "string" || typeof x === "number" || typeof x === "boolean" || x === undefined || x === null) return String(x);
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
