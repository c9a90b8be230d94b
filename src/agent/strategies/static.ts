// `static`: each block's sub-blocks are split evenly over the ready connections, each share in one request
// (largest-remainder rounding: the first connections get one more when it does not divide). Sub-blocks that
// come back to the pool (failed connection, corrupt copy) are split evenly over the idle connections. Nothing
// else ever moves.

import type { StrategyEntry } from "../strategy.ts";
import { WeightedSplit } from "./shares.ts";

export class StaticStrategy extends WeightedSplit {
  readonly name: string = "static";

  protected weight(): number {
    return 1;
  }
}

export const staticEntry: StrategyEntry = {
  name: "static",
  description: "even split of each block over the ready connections; returned sub-blocks go to idle ones",
  create: () => new StaticStrategy(),
};
