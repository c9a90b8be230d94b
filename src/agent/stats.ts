// What the agent counts while it runs (Agent.stats()): plain counters its parts increment.

export interface AgentStats {
  /** move() calls (each is one rebalance, whatever the number of sub-blocks moved). */
  readonly rebalances: number;
  readonly movedSubBlocks: number;
  /** Nodes put in the blacklist queue (a node blacklisted twice counts twice). */
  readonly blacklisted: number;
  /** Times the origin was called in (no-peers or deadline). */
  readonly fallbacks: number;
  readonly duplicatesRequested: number;
  /** Copies cancelled because another copy of the same sub-block arrived first. */
  readonly redundantCancelled: number;
  readonly corruptSubBlocks: number;
  readonly stalledConnections: number;
  /** Connection attempts refused, unreachable or timed out. */
  readonly connectFailures: number;
  /** Times the agent assigned pool work itself because the strategy left it with every connection idle. */
  readonly forcedAssignments: number;
  readonly connectionsOpened: number;
  readonly blocksDelivered: number;
}

/** The counters as the agent's parts keep them. */
export type MutableStats = { -readonly [K in keyof AgentStats]: AgentStats[K] };

export function zeroStats(): MutableStats {
  return {
    rebalances: 0,
    movedSubBlocks: 0,
    blacklisted: 0,
    fallbacks: 0,
    duplicatesRequested: 0,
    redundantCancelled: 0,
    corruptSubBlocks: 0,
    stalledConnections: 0,
    connectFailures: 0,
    forcedAssignments: 0,
    connectionsOpened: 0,
    blocksDelivered: 0,
  };
}
