// `index`: each block's sub-blocks are split over the ready connections in proportion to the connection-state
// valuation index V_i = speedWeight × (rate_i / max_j rate_j) + rttWeight × (min_j rtt_j / rtt_i)
// (valuation-index.ts; estimates, tracker priors before any measurement), largest-remainder rounding so the
// counts sum exactly. Returned sub-blocks are split the same way over the idle connections.

import type { ConnectionView, StrategyEntry } from "../strategy.ts";
import { WeightedSplit } from "./shares.ts";

export class IndexStrategy extends WeightedSplit {
  readonly name: string = "index";

  protected weight(conn: ConnectionView): number {
    return conn.index;
  }
}

export const indexEntry: StrategyEntry = {
  name: "index",
  description: "split each block in proportion to the valuation index (speed and RTT)",
  create: () => new IndexStrategy(),
};
