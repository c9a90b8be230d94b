// The strategy names (and one-line descriptions) the agent's registry offers, for validating scenarios and
// for `sim strategies`.

import { STRATEGIES } from "../agent/index.ts";

export interface StrategyInfo {
  readonly name: string;
  readonly description: string;
}

/** Every registered strategy, in the registry's order. */
export function strategyInfos(): readonly StrategyInfo[] {
  return STRATEGIES.map((s) => ({ name: s.name, description: s.description }));
}

export function strategyNames(): string[] {
  return STRATEGIES.map((s) => s.name);
}
