// The gamma function Γ(x), needed for Weibull means (scale · Γ(1 + 1/k)) and the OverSim churn preset.

import { assert } from "../../assert.ts";

// Lanczos approximation, g = 7, n = 9 (relative error about 1e-15 for real arguments).
const G = 7;
const COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Γ(x) for x > 0 (Infinity once it overflows, beyond x ≈ 171.6). */
export function gamma(x: number): number {
  assert(x > 0 && Number.isFinite(x), "gamma is only defined here for finite x > 0, got {0}", x);
  // Reflection Γ(x) Γ(1 - x) = π / sin(πx) keeps the series where it is accurate.
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const z = x - 1;
  let sum = COEFFICIENTS[0];
  for (let i = 1; i < COEFFICIENTS.length; i++) sum += COEFFICIENTS[i] / (z + i);
  const t = z + G + 0.5;
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * sum;
}
