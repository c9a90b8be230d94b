// A capacity trace as loaded from a file: consecutive segments of constant bandwidth. The shape is a contract;
// parse.ts reads files into it, stats.ts summarises it, the simulator's
// src/sim/traces/process.ts replays it. Shared by scenario validation and the simulator, so it belongs to neither.

export interface TraceSegment {
  readonly durationUs: number;
  readonly bps: number;
  /** Sabre periods carry a latency; Pensieve samples do not. */
  readonly latencyMs?: number;
}

export interface Trace {
  /** The file name as the scenario wrote it (never an absolute path: it ends up in outputs). */
  readonly name: string;
  readonly segments: readonly TraceSegment[];
}
