// `endgame`: `pipelined`, plus end-game duplication: a connection left idle with nothing unassigned it may
// fetch duplicates one in-flight sub-block of the slowest connections — the slowest connection (lowest
// estimated rate) first, the last sub-block of its queue first — if it would get it sooner:
//   rtt_idle + size / rate_idle < bytes queued up to and including it / rate_slow.
// At most two copies of a sub-block exist; the first to arrive wins and the agent cancels the other.
// Pipelines blocks like `pipelined`.

import type { ConnectionView, StrategyContext, StrategyEntry } from "../strategy.ts";
import { PipelinedStrategy } from "./pipelined.ts";
import { bytesOf } from "./shares.ts";

export class EndgameStrategy extends PipelinedStrategy {
  override readonly name: string = "endgame";

  override onConnectionIdle(ctx: StrategyContext, conn: ConnectionView): void {
    this.topUp(ctx, conn);
    if (conn.outstandingCount > 0) return;
    const id = duplicateCandidate(ctx, conn);
    if (id !== undefined) ctx.duplicate(conn.id, id);
  }
}

export function duplicateCandidate(ctx: StrategyContext, idle: ConnectionView): number | undefined {
  const others = ctx.connections
    .filter((c) => c.id !== idle.id && c.outstandingCount > 0)
    .sort((a, b) => a.rateBps - b.rateBps || a.id - b.id);
  for (const slow of others) {
    const queue = slow.outstanding;
    for (let i = queue.length - 1; i >= 0; i--) {
      const id = queue[i];
      if (ctx.copiesOf(id).length !== 1 || !ctx.canFetch(idle.id, id)) continue;
      const slowUs = (bytesOf(ctx, queue.slice(0, i + 1)) * 8e6) / slow.rateBps;
      const idleUs = idle.rttUs + (ctx.content.subBlockSize(id) * 8e6) / idle.rateBps;
      if (idleUs < slowUs) return id;
    }
  }
  return undefined;
}

export const endgameEntry: StrategyEntry = {
  name: "endgame",
  description: "pipelined pull; idle connections duplicate the slowest connections' in-flight sub-blocks",
  create: () => new EndgameStrategy(),
};
