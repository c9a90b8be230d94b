// A random quantity of a scenario: a plain number, or a distribution (its own file so that every schema file
// can use it without importing schema.ts).

import { z } from "zod";

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();

/** A random quantity: a plain number, or a distribution. Its unit is the unit of the key holding it. */
export const Distribution = z.union([
  z.number(),
  z.strictObject({ dist: z.literal("constant"), value: z.number() }),
  z.strictObject({ dist: z.literal("uniform"), min: z.number(), max: z.number() }),
  z.strictObject({ dist: z.literal("normal"), mean: z.number(), sd: nonNegative }),
  z.strictObject({ dist: z.literal("lognormal"), median: positive, sigma: nonNegative }),
  z.strictObject({ dist: z.literal("exponential"), mean: positive }),
  z.strictObject({ dist: z.literal("weibull"), shape: positive, scale: positive }),
  z.strictObject({ dist: z.literal("pareto"), shape: positive, scale: positive }),
  z.strictObject({ dist: z.literal("empirical"), values: z.array(z.number()).min(1) }),
]);
export type Distribution = z.infer<typeof Distribution>;
