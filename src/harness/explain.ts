// `sim explain`: a run, or one block of it, in words. From a run's records (sub-block requests, blocks and their
// bounds) and its trace (the world's events and the agent's decisions, trace-file.ts) it says, per connection,
// how the time went (waiting for a first byte, transferring, waiting for a timeout, busy with other blocks,
// idle), which decisions were made, and which of those made the block slower than its bound T_g: the chain of
// attempts behind the block's last sub-block, each step with its length and what happened (a node that left,
// a stall budget running out, a queue ahead of it, a slow transfer).
//
// Time categories of a connection over a window, in priority order (a moment counts once, in the first that
// applies): waiting for a timeout (the connection held work and delivered nothing until the agent's stall
// budget ran out: from its silence's start to the request-timeout decision), transferring (a sub-block of the
// block between its first and last byte), waiting for a first byte (one requested, no byte yet), on other
// blocks (busy with another block's sub-blocks), idle (open, holding nothing).

import type { Scenario } from "../scenario/schema.ts";
import type { BlockRecord, RunResult, SubBlockRecord } from "../sim/metrics/records.ts";
import type { TraceRecord } from "../sim/world/trace.ts";
import { idsText, recordLine, secondsText, shortSeconds } from "./trace-text.ts";

/** What explain needs of a run. */
export interface RunView {
  readonly scenarioName: string;
  /** The resolved scenario the run used (summary.json's), when known. */
  readonly scenario?: Scenario;
  readonly result: RunResult;
  readonly trace: readonly TraceRecord[];
  /** Where the trace came from, for the header ("events.jsonl", "a re-run of summary.json's scenario"). */
  readonly source: string;
  /** Said before the explanation (e.g. the re-run differs from the recorded run). */
  readonly notes?: readonly string[];
}

export const CATEGORIES = ["timeout wait", "transferring", "first-byte wait", "other blocks", "idle"] as const;
export type Category = (typeof CATEGORIES)[number];

interface Span {
  readonly fromUs: number;
  readonly toUs: number;
}

/** Most decisions and world events listed in a block's timeline (the rest are counted). */
export const MAX_TIMELINE_LINES = 80;

const num = (r: TraceRecord, k: string) => (typeof r.fields[k] === "number" ? (r.fields[k] as number) : Number.NaN);

/** When each connection was open: from `connected` to its drop, disconnection or the end of the run. */
function openSpans(trace: readonly TraceRecord[], endUs: number): Map<number, Span> {
  const from = new Map<number, number>();
  const out = new Map<number, Span>();
  for (const r of trace) {
    if (r.type === "world" && r.event === "connected") from.set(num(r, "connId"), r.timeUs);
    const closing = (r.type === "decision" && r.event === "drop") || (r.type === "world" && r.event === "disconnected");
    if (closing) {
      const c = num(r, "connId");
      const f = from.get(c);
      if (f !== undefined && !out.has(c)) out.set(c, { fromUs: f, toUs: r.timeUs });
    }
  }
  for (const [c, f] of from) if (!out.has(c)) out.set(c, { fromUs: f, toUs: endUs });
  return out;
}

/** Timeout waits per connection: from the start of the silence to the request-timeout decision. */
function timeoutSpans(run: RunView): Map<number, Span[]> {
  const out = new Map<number, Span[]>();
  const add = (conn: number, s: Span) => out.set(conn, [...(out.get(conn) ?? []), s]);
  if (run.result.timeouts !== undefined && run.result.timeouts.length > 0) {
    for (const t of run.result.timeouts) add(t.connId, { fromUs: t.silentSinceUs, toUs: t.timeUs });
    return out;
  }
  for (const r of run.trace) {
    if (r.type === "decision" && r.event === "request-timeout") add(num(r, "connId"), { fromUs: num(r, "silentSinceUs"), toUs: r.timeUs });
  }
  return out;
}

/** Splits [w.fromUs, w.toUs) among the categories by priority; returns µs per category. */
function paint(w: Span, layers: readonly (readonly [Category, readonly Span[]])[], open: Span | undefined): Record<Category, number> {
  const points = new Set<number>([w.fromUs, w.toUs]);
  const clip = (s: Span) => ({ fromUs: Math.max(s.fromUs, w.fromUs), toUs: Math.min(s.toUs, w.toUs) });
  const clipped = layers.map(([c, spans]) => [c, spans.map(clip).filter((s) => s.toUs > s.fromUs)] as const);
  for (const [, spans] of clipped) for (const s of spans) points.add(s.fromUs).add(s.toUs);
  if (open !== undefined) points.add(Math.max(w.fromUs, Math.min(w.toUs, open.fromUs))).add(Math.max(w.fromUs, Math.min(w.toUs, open.toUs)));
  const sorted = [...points].sort((a, b) => a - b);
  const total = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i];
    const b = sorted[i + 1];
    const mid = (a + b) / 2;
    const hit = clipped.find(([, spans]) => spans.some((s) => s.fromUs <= mid && mid < s.toUs));
    if (hit !== undefined) total[hit[0]] += b - a;
    else if (open === undefined || (open.fromUs <= mid && mid < open.toUs)) total.idle += b - a;
  }
  return total;
}

/** The time categories of each connection over a window, for the sub-blocks `mine` (the others: other blocks). */
function connectionTimes(run: RunView, w: Span, mine: (s: SubBlockRecord) => boolean): Map<number, Record<Category, number>> {
  const byConn = new Map<number, SubBlockRecord[]>();
  for (const s of run.result.subBlocks) byConn.set(s.connId, [...(byConn.get(s.connId) ?? []), s]);
  const opens = openSpans(run.trace, w.toUs);
  const timeouts = timeoutSpans(run);
  // The connections that fetched some of `mine`, and those open during the window.
  const conns = new Set<number>([...byConn.keys()].filter((c) => (byConn.get(c) ?? []).some(mine)));
  for (const [c, s] of opens) if (s.fromUs < w.toUs && s.toUs > w.fromUs) conns.add(c);
  const out = new Map<number, Record<Category, number>>();
  for (const c of [...conns].sort((a, b) => a - b)) {
    const recs = byConn.get(c) ?? [];
    const end = (s: SubBlockRecord) => (s.endUs >= 0 ? s.endUs : w.toUs);
    const own = recs.filter(mine);
    const layers: (readonly [Category, Span[]])[] = [
      ["timeout wait", timeouts.get(c) ?? []],
      ["transferring", own.filter((s) => s.firstByteUs >= 0).map((s) => ({ fromUs: s.firstByteUs, toUs: end(s) }))],
      ["first-byte wait", own.map((s) => ({ fromUs: s.requestUs, toUs: s.firstByteUs >= 0 ? s.firstByteUs : end(s) }))],
      ["other blocks", recs.filter((s) => !mine(s)).map((s) => ({ fromUs: s.requestUs, toUs: end(s) }))],
    ];
    const times = paint(w, layers, opens.get(c));
    if (CATEGORIES.some((k) => times[k] > 0)) out.set(c, times);
  }
  return out;
}

/** The node each connection talks to, and its label when the trace named it. */
function connNodes(run: RunView): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of run.result.subBlocks) if (!out.has(s.connId)) out.set(s.connId, `${s.nodeKind} ${s.nodeId}`);
  for (const r of run.trace) {
    if (r.type === "world" && (r.event === "connected" || r.event === "connect-failed") && typeof r.fields.node === "string") {
      out.set(num(r, "connId"), `node ${num(r, "nodeId")} ${r.fields.node}`);
    }
  }
  return out;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)];
}

function timesTable(times: Map<number, Record<Category, number>>, nodes: Map<number, string>): string[] {
  const rows = [...times.entries()].map(([c, t]) => [`conn ${c} (${nodes.get(c) ?? "?"})`, ...CATEGORIES.map((k) => (t[k] > 0 ? shortSeconds(t[k]) : "-"))]);
  return table(["connection", ...CATEGORIES], rows);
}

/** Does this record concern the block (its sub-blocks, or the block itself)? */
function concernsBlock(r: TraceRecord, block: number, inBlock: (id: number) => boolean): boolean {
  const f = r.fields;
  if (typeof f.block === "number") return f.block === block;
  if (typeof f.subBlockId === "number") return inBlock(f.subBlockId);
  for (const k of ["subBlockIds", "returnedIds"]) if (Array.isArray(f[k])) return (f[k] as number[]).some(inBlock);
  return true; // node events, timeouts, blacklists, connections, tracker: context for the window
}

/** One step of the chain behind a block's last sub-block. */
interface Step {
  readonly us: number;
  readonly text: string;
}

/** What the world and the agent said about a connection or its node between two times (a step's causes). */
function causes(run: RunView, conn: number, nodeId: number, w: Span): TraceRecord[] {
  const out: TraceRecord[] = [];
  for (const r of run.trace) {
    if (r.timeUs < w.fromUs || r.timeUs > w.toUs) continue;
    const aboutNode = r.type === "world" && num(r, "nodeId") === nodeId && NODE_EVENTS.has(r.event);
    const aboutConn = num(r, "connId") === conn && (r.type === "world" ? r.event === "disconnected" : ["request-timeout", "drop", "cancel", "rebalance"].includes(r.event));
    if (aboutNode || aboutConn) out.push(r);
  }
  return out;
}

/** World events that change what a node can send. */
const NODE_EVENTS = new Set(["leave", "join", "stall-start", "stall-end", "slowdown-start", "slowdown-end", "drop", "capacity"]);

/**
 * The chain of attempts behind the block's last sub-block, from the block's start to its end: each attempt
 * holds the sub-block from its request to the next attempt's (a connection that sent nothing holds it until
 * the agent's stall budget runs out), the last one splits into its first-byte wait and its transfer.
 */
function criticalChain(run: RunView, block: BlockRecord): { last: SubBlockRecord | undefined; steps: Step[]; details: string[] } {
  const recs = run.result.subBlocks.filter((s) => s.block === block.block);
  const oks = recs.filter((s) => s.outcome === "ok");
  const last = oks.reduce<SubBlockRecord | undefined>((m, s) => (m === undefined || s.endUs > m.endUs ? s : m), undefined);
  if (last === undefined) return { last, steps: [], details: [] };
  const attempts = recs.filter((s) => s.subBlockId === last.subBlockId && s.requestUs <= last.requestUs).sort((a, b) => a.requestUs - b.requestUs || (a === last ? 1 : b === last ? -1 : 0));
  const steps: Step[] = [];
  const details: string[] = [];
  const first = attempts[0];
  if (first.requestUs > block.startUs) steps.push({ us: first.requestUs - block.startUs, text: "waiting to be requested (the strategy gave it to no connection at the block's start)" });
  for (let i = 0; i < attempts.length; i++) {
    const a = attempts[i];
    const where = `conn ${a.connId} (${a.nodeKind} ${a.nodeId})`;
    if (a === last) {
      const fb = a.firstByteUs >= 0 ? a.firstByteUs : a.endUs;
      const ahead = run.result.subBlocks.filter(
        (s) => s.connId === a.connId && s !== a && s.requestUs <= a.requestUs && s.endUs > a.requestUs && s.firstByteUs >= 0 && s.firstByteUs < fb,
      );
      if (fb > a.requestUs) {
        const queue = ahead.length > 0 ? ` behind ${ahead.length} sub-block${ahead.length === 1 ? "" : "s"} sent before it (${idsText(ahead.map((s) => s.subBlockId).sort((x, y) => x - y))})` : " (the request's round trip)";
        steps.push({ us: fb - a.requestUs, text: `waiting for its first byte on ${where}${queue}` });
      }
      const rateBps = a.endUs > fb ? (a.bytes * 8e6) / (a.endUs - fb) : Number.POSITIVE_INFINITY;
      steps.push({ us: a.endUs - fb, text: `transferring ${a.bytes} B on ${where} at ${(rateBps / 1e6).toFixed(2)} Mb/s` });
      break;
    }
    const untilUs = attempts[i + 1].requestUs;
    const seen = causes(run, a.connId, a.nodeId, { fromUs: Math.min(a.requestUs, block.startUs), toUs: untilUs });
    const timeout = seen.find((r) => r.type === "decision" && r.event === "request-timeout");
    const gone = seen.find((r) => r.type === "world" && (r.event === "leave" || r.event === "stall-start" || r.event === "disconnected"));
    let text: string;
    if (timeout !== undefined) {
      text = `held by ${where}, which sent nothing${gone !== undefined ? ` (${gone.event === "leave" ? `its node left ${gone.fields.graceful === true ? "gracefully" : "abruptly"}` : gone.event === "stall-start" ? "its node stalled" : "it was disconnected"} at ${secondsText(gone.timeUs)})` : ""} until the agent's stall budget ran out at ${secondsText(timeout.timeUs)}: waiting for a timeout`;
    } else if (a.outcome === "corrupt") {
      text = `fetched on ${where}, which delivered it corrupt (checksum failed), then requested again`;
    } else if (a.outcome === "cancelled") {
      const moved = seen.find((r) => r.type === "decision" && (r.event === "rebalance" || r.event === "cancel"));
      text = `queued on ${where}, then ${moved?.event === "rebalance" ? "moved elsewhere" : "cancelled"} at ${secondsText(a.endUs)}`;
    } else {
      text = `requested on ${where}, which ${a.firstByteUs < 0 ? "sent none of it" : `sent ${a.bytes} B of it`} (${a.outcome} at ${secondsText(a.endUs)})`;
    }
    steps.push({ us: untilUs - a.requestUs, text });
    for (const r of seen) details.push(`    ${recordLine(r)}`);
  }
  return { last, steps, details };
}

/** The explanation of one block. */
export function explainBlock(run: RunView, blockIndex: number): string {
  const r = run.result;
  const block = r.blocks.find((b) => b.block === blockIndex);
  if (block === undefined) return `block ${blockIndex} did not complete in this run (it has ${r.blocks.length} complete blocks)\n`;
  const durUs = block.endUs - block.startUs;
  const lines: string[] = [];
  const ratio = block.tGUs > 0 ? ` (${(durUs / block.tGUs).toFixed(2)} × T_g)` : "";
  lines.push(
    `${run.scenarioName} · ${r.strategy} · seed ${r.seed} · block ${block.block}: ${secondsText(block.startUs)} → ${secondsText(block.endUs)}, ` +
      `${shortSeconds(durUs)}${ratio}; its bound T_g ${shortSeconds(block.tGUs)}, T* ${shortSeconds(block.tStarUs)}`,
  );
  const perBlock = r.subBlocks.filter((s) => s.block === block.block);
  const inBlock = (id: number) => perBlock.some((s) => s.subBlockId === id);
  const w = { fromUs: block.startUs, toUs: block.endUs };
  const nodes = connNodes(run);
  lines.push("", "Time of each connection during the block:");
  lines.push(...timesTable(connectionTimes(run, w, (s) => s.block === block.block), nodes).map((l) => `  ${l}`));

  const chain = criticalChain(run, block);
  const excessUs = durUs - block.tGUs;
  lines.push("");
  if (chain.last === undefined) {
    lines.push("No sub-block of the block arrived intact.");
  } else {
    lines.push(`What the block waited for: its last sub-block, ${chain.last.subBlockId}, arrived at ${secondsText(chain.last.endUs)}:`);
    for (const s of chain.steps) lines.push(`  ${shortSeconds(s.us).padStart(9)}  ${s.text}`);
    if (chain.details.length > 0) lines.push("  what happened meanwhile:", ...chain.details);
    lines.push("");
    if (block.tGUs > 0 && excessUs > 0) {
      const sorted = [...chain.steps].sort((a, b) => b.us - a.us);
      const big = sorted.filter((s) => s.us >= 0.1 * excessUs);
      lines.push(`Slower than its bound by ${shortSeconds(excessUs)}; what made it so (largest first):`);
      for (const s of big.length > 0 ? big : sorted.slice(0, 1)) lines.push(`  - ${shortSeconds(s.us)} ${s.text}`);
    } else if (block.tGUs > 0) {
      lines.push(`Within its bound (T_g ${shortSeconds(block.tGUs)}): nothing made it slower than the best split.`);
    }
  }

  // The block's own decisions and arrivals, and what happened to the connections and nodes serving it.
  const blockConns = new Set(perBlock.map((s) => s.connId));
  const blockNodes = new Set(perBlock.map((s) => s.nodeId));
  const relevant = (t: TraceRecord) => {
    if (!concernsBlock(t, block.block, inBlock)) return false;
    if (typeof t.fields.connId === "number" && t.event !== "connect") return blockConns.has(t.fields.connId) || t.type === "decision";
    if (t.type === "world" && typeof t.fields.nodeId === "number") return blockNodes.has(t.fields.nodeId);
    return true;
  };
  const events = run.trace.filter((t) => t.timeUs >= block.startUs && t.timeUs <= block.endUs && relevant(t));
  lines.push("", `Decisions and world events during the block (${events.length}):`);
  if (run.trace.length === 0) lines.push("  (no trace: run with --trace, or let explain re-run the scenario)");
  for (const t of events.slice(0, MAX_TIMELINE_LINES)) lines.push(`  ${recordLine(t)}`);
  if (events.length > MAX_TIMELINE_LINES) lines.push(`  … and ${events.length - MAX_TIMELINE_LINES} more`);
  return `${lines.join("\n")}\n`;
}

/** The largest step of a block's chain, in a few words (for the run's list of slow blocks). */
function blockReason(run: RunView, b: BlockRecord): string {
  const chain = criticalChain(run, b);
  const top = [...chain.steps].sort((x, y) => y.us - x.us)[0];
  return top === undefined ? "no intact sub-block" : `${shortSeconds(top.us)} ${top.text}`;
}

/** The explanation of a whole run: per-connection times, decisions counted, the blocks furthest from their bound. */
export function explainRun(run: RunView, top = 5): string {
  const r = run.result;
  const m = r.metrics;
  const lines: string[] = [];
  lines.push(
    `${run.scenarioName} · ${r.strategy} · seed ${r.seed}: ${r.error !== null ? `FAILED (${r.error}); ` : ""}completion ${m.completionS.toFixed(3)} s` +
      `${Number.isFinite(m.throughputBoundRatio) ? ` (${m.throughputBoundRatio.toFixed(3)} × the throughput bound)` : ""}, ` +
      `${r.blocks.length} blocks, T/T_g ${Number.isFinite(m.tGRatio) ? m.tGRatio.toFixed(3) : "-"}, ` +
      `${m.stallCount} playback stall${m.stallCount === 1 ? "" : "s"} (${m.stallS.toFixed(3)} s), ${m.requestTimeouts} request timeout${m.requestTimeouts === 1 ? "" : "s"}`,
  );
  lines.push(`(trace: ${run.source})`);
  const endUs = r.blocks.reduce((x, b) => Math.max(x, b.endUs), 0);
  lines.push("", "Time of each connection over the run (sub-blocks of any block):");
  lines.push(...timesTable(connectionTimes(run, { fromUs: 0, toUs: endUs }, () => true), connNodes(run)).map((l) => `  ${l}`));

  const counts = new Map<string, number>();
  for (const t of run.trace) if (t.type === "decision") counts.set(t.event, (counts.get(t.event) ?? 0) + 1);
  lines.push("", "Decisions:", `  ${[...counts.entries()].map(([k, n]) => `${k} ${n}`).join(", ") || "none recorded"}`);
  const world = new Map<string, number>();
  for (const t of run.trace) if (t.type === "world" && !["sub-block", "block-delivered"].includes(t.event)) world.set(t.event, (world.get(t.event) ?? 0) + 1);
  lines.push("World events:", `  ${[...world.entries()].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);

  const slow = [...r.blocks]
    .filter((b) => b.tGUs > 0)
    .map((b) => ({ b, excessUs: b.endUs - b.startUs - b.tGUs }))
    .sort((x, y) => y.excessUs - x.excessUs || x.b.block - y.b.block)
    .slice(0, top);
  if (slow.length > 0) {
    lines.push("", `The ${slow.length} blocks furthest above their bound T_g, and what each waited for most:`);
    for (const { b, excessUs } of slow) {
      lines.push(`  block ${b.block}: ${shortSeconds(b.endUs - b.startUs)}, T_g ${shortSeconds(b.tGUs)} (+${shortSeconds(excessUs)}): ${blockReason(run, b)}`);
    }
    lines.push("", `For a block's timeline: sim explain DIR --strategy ${r.strategy} --seed ${r.seed} --block ${slow[0].b.block}`);
  }
  for (const s of r.stalls) lines.push(`Playback stalled ${secondsText(s[0])} → ${s[1] >= 0 ? secondsText(s[1]) : "the end"}`);
  return `${lines.join("\n")}\n`;
}
