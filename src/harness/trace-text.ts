// Trace records in words, for `sim explain`, `sim diff` and `--check-determinism`: "request sub-blocks 48-51
// on conn 3 (node 7) by strategy", "node 7 (peers[1]#3) left abruptly". A kind this file does not know is shown
// as its name and fields, so a new kind of note is readable before anyone writes its sentence.

import type { TraceRecord, TraceValue } from "../sim/world/trace.ts";

/** Seconds with 6 decimals (times are integer µs, so this is exact). */
export const secondsText = (us: number) => `${(us / 1e6).toFixed(6)} s`;
/** Seconds with 3 decimals, for durations in tables. */
export const shortSeconds = (us: number) => `${(us / 1e6).toFixed(3)} s`;
const rate = (bps: number) => (bps >= 1e6 ? `${(bps / 1e6).toFixed(2)} Mb/s` : `${(bps / 1e3).toFixed(1)} kb/s`);

/** Ascending runs of ids as ranges: 48-51, 60. */
export function idsText(ids: readonly number[]): string {
  if (ids.length === 0) return "none";
  const parts: string[] = [];
  let start = ids[0];
  let prev = ids[0];
  const flush = () => parts.push(start === prev ? `${start}` : `${start}-${prev}`);
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] === prev + 1) {
      prev = ids[i];
      continue;
    }
    flush();
    start = prev = ids[i];
  }
  flush();
  return parts.join(", ");
}

function generic(r: TraceRecord): string {
  const f = Object.entries(r.fields).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${idsText(v)}]` : String(v)}`);
  return [r.event, ...f].join(" ");
}

const num = (v: TraceValue | undefined) => (typeof v === "number" ? v : Number.NaN);
const list = (v: TraceValue | undefined) => (Array.isArray(v) ? (v as readonly number[]) : []);
const str = (v: TraceValue | undefined) => (v === undefined ? "" : String(v));

/** The record in words (without its time). */
export function recordText(r: TraceRecord): string {
  const f = r.fields;
  const conn = () => `conn ${str(f.connId)} (node ${str(f.nodeId)}${typeof f.node === "string" ? ` ${f.node}` : ""})`;
  const node = () => `node ${str(f.nodeId)}${f.node !== undefined ? ` (${str(f.node)})` : ""}`;
  if (r.type === "world") {
    switch (r.event) {
      case "tracker-reply":
        return `the tracker answered: ${list(f.nodeIds).length} nodes (${list(f.nodeIds).join(", ")})`;
      case "connected":
        return `${conn()} connected`;
      case "connect-failed":
        return `${conn()} failed to connect: ${str(f.reason)}`;
      case "sub-block":
        return `sub-block ${str(f.subBlockId)} arrived on ${conn()}, ${str(f.sizeBytes)} B, first byte at ${secondsText(num(f.firstByteUs))}${f.checksumOk === false ? ", corrupt" : ""}`;
      case "disconnected":
        return `${conn()} disconnected: ${str(f.reason)}`;
      case "leave":
        return `${node()} left ${f.graceful === true ? "gracefully" : "abruptly"}`;
      case "join":
        return `${node()} came back online`;
      case "arrive":
        return `${node()} arrived`;
      case "stall-start":
        return `${node()} stalled (keeps its connections, sends nothing)`;
      case "stall-end":
        return `${node()} stall over`;
      case "slowdown-start":
        return `${node()} slowed down to ${num(f.factor)} of its uplink`;
      case "slowdown-end":
        return `${node()} slow-down over`;
      case "drop":
        return `${node()} reset a sending connection (if it had one)`;
      case "capacity":
        return `${node()} uplink now ${rate(num(f.uplinkBps))}`;
      case "downlink":
        return `the agent's downlink now ${rate(num(f.downlinkBps))}`;
      case "block-delivered":
        return `block ${str(f.block)} delivered`;
      case "tracker-down":
        return "the tracker is down: the query is lost";
      default:
        return generic(r);
    }
  }
  switch (r.event) {
    case "request":
      return `request sub-blocks ${idsText(list(f.subBlockIds))} on ${conn()}, by ${str(f.by)}`;
    case "cancel":
      return `cancel sub-blocks ${idsText(list(f.subBlockIds))} on ${conn()}: ${str(f.by)}`;
    case "rebalance": {
      const why: string[] = [];
      if (f.reason !== undefined) why.push(str(f.reason));
      if (f.fromRateBps !== undefined) why.push(`conn ${str(f.fromConn)} at ${rate(num(f.fromRateBps))}`);
      if (f.fromQueuedBytes !== undefined) why.push(`${str(f.fromQueuedBytes)} B queued`);
      if (f.fromEndUs !== undefined) why.push(`expected to end at ${secondsText(num(f.fromEndUs))}`);
      if (f.toRateBps !== undefined) why.push(`conn ${str(f.toConn)} at ${rate(num(f.toRateBps))}`);
      if (f.toEndUs !== undefined) why.push(`would deliver them at ${secondsText(num(f.toEndUs))}`);
      if (f.afterEndUs !== undefined) why.push(`the pair ends at ${secondsText(num(f.afterEndUs))} with the move`);
      const ids = f.subBlockIds !== undefined ? `sub-blocks ${idsText(list(f.subBlockIds))}` : `${str(f.movedCount)} sub-blocks`;
      return `move ${ids} from conn ${str(f.fromConn)} to conn ${str(f.toConn)}${why.length > 0 ? ` (${why.join("; ")})` : ""}`;
    }
    case "duplicate":
      return `duplicate sub-block ${str(f.subBlockId)} on conn ${str(f.connId)} (in flight on conn ${list(f.copiesOn).join(", ")})`;
    case "drop":
      return `drop ${conn()}${str(f.blame) !== "" ? `, blamed: ${str(f.blame)}` : ""}; its sub-blocks ${idsText(list(f.returnedIds))} go back to the pool`;
    case "connect":
      return `connect conn ${str(f.connId)} to ${str(f.nodeKind)} node ${str(f.nodeId)} (${str(f.reason)}; prior ${rate(num(f.priorRateBps))}; ${str(f.peerConnections)} peer connections)`;
    case "tracker-query":
      return `ask the tracker for ${str(f.maxNodes)} nodes (${str(f.reason)})`;
    case "corrupt":
      return `sub-block ${str(f.subBlockId)} from ${conn()} failed its checksum (${str(f.corruptCount)} of ${str(f.corruptLimit)} allowed from that node)`;
    case "block-start":
      return `block ${str(f.block)} starts; ready: conns ${list(f.readyConns).join(", ") || "none"}`;
    case "request-timeout":
      return `${conn()} silent since ${secondsText(num(f.silentSinceUs))} (${shortSeconds(num(f.budgetUs))}, its stall budget) with ${str(f.outstandingCount)} sub-blocks outstanding: timed out`;
    case "blacklisted":
      return `blacklist node ${str(f.nodeId)} until ${secondsText(num(f.untilUs))}: ${str(f.reason)}`;
    case "fallback":
      return `call the origin in (${str(f.reason)}) at block ${str(f.block)}`;
    case "origin-in-use":
      return `origin conn ${str(f.connId)} ${f.inUse === true ? "back in use" : "parked"}`;
    default:
      return generic(r);
  }
}

/** "t=1.234567 s world: node 7 (peers[1]#3) left abruptly" */
export function recordLine(r: TraceRecord): string {
  return `t=${secondsText(r.timeUs)} ${r.type}: ${recordText(r)}`;
}
