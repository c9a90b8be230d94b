// Delta debugging's minimising algorithm, ddmin (Zeller & Hildebrandt, "Simplifying and Isolating
// Failure-Inducing Input", 2002): the smallest subset of a list it can find on which a test still holds, by
// trying chunks, then complements of chunks, at ever finer granularity. The result is 1-minimal when the search
// runs to its end: removing any single element makes the test fail. `sim shrink` runs it over a schedule's
// events. Order is kept; the test is asked of each subset at most once per step, in a fixed order.

/**
 * The smallest subset of `items` (in their order) for which `holds` is true, assuming it holds for `items`.
 * holds: the test (it may throw to stop the search: the caller keeps the smallest it saw).
 */
export function ddmin<T>(items: readonly T[], holds: (subset: readonly T[]) => boolean): T[] {
  let c = [...items];
  if (c.length === 0) return c;
  if (holds([])) return [];
  let n = 2;
  // Each round either shrinks c (at most items.length times) or doubles n up to c.length: a bounded loop.
  while (c.length >= 2) {
    const size = Math.ceil(c.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < c.length; i += size) chunks.push(c.slice(i, i + size));
    let reduced = false;
    for (const chunk of chunks) {
      if (chunk.length < c.length && holds(chunk)) {
        c = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced && chunks.length > 2) {
      for (let k = 0; k < chunks.length; k++) {
        const rest = chunks.filter((_, j) => j !== k).flat();
        if (holds(rest)) {
          c = rest;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= c.length) break;
      n = Math.min(2 * n, c.length);
    }
  }
  return c;
}
