// The strategy registry: every built-in strategy by name. Adding a strategy = one file in this folder plus one
// line here.

import type { Strategy, StrategyEntry, StrategyEnv } from "../strategy.ts";
import { ecfEntry } from "./ecf.ts";
import { eftEntry } from "./eft.ts";
import { endgameEntry } from "./endgame.ts";
import { indexEntry } from "./index-split.ts";
import { oracleEntry } from "./oracle.ts";
import { pipelinedEntry } from "./pipelined.ts";
import { pullEntry } from "./pull.ts";
import { rebalanceEntry } from "./rebalance.ts";
import { staticEntry } from "./static.ts";

export const STRATEGIES: readonly StrategyEntry[] = [
  staticEntry,
  indexEntry,
  rebalanceEntry,
  oracleEntry,
  pullEntry,
  pipelinedEntry,
  endgameEntry,
  eftEntry,
  ecfEntry,
];

/**
 * A fresh strategy by name, created with what the host offers (env); throws an Error listing the valid names
 * when the name is unknown, or the strategy's own Error when env lacks what it needs.
 */
export function createStrategy(name: string, env: StrategyEnv = {}): Strategy {
  const entry = STRATEGIES.find((e) => e.name === name);
  if (entry === undefined) {
    throw new Error(
      `unknown strategy "${name}"; valid strategies: ${STRATEGIES.map((e) => e.name).join(", ")}`,
    );
  }
  return entry.create(env);
}
