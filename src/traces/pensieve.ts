// Parser for Pensieve "cooked" capacity traces: one sample per line, `time_s throughput_Mbps`, whitespace
// separated, times strictly increasing. Sample i holds until sample i + 1; the last one holds for the mean
// sample interval. Blank lines and lines starting with '#' are skipped.

import type { Trace, TraceSegment } from "./trace.ts";
import { UNIT_MAXIMA } from "../input/limit-values.ts";
import { numberText, quoteField, TraceError } from "./trace-error.ts";

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const US_PER_S = 1e6;
const BPS_PER_MBPS = 1e6;
/** Largest throughput a sample may give: the scenario's cap on any bit rate. */
const MAX_MBPS = UNIT_MAXIMA.bps / BPS_PER_MBPS;

interface Sample {
  readonly line: number;
  readonly timeUs: number;
  readonly bps: number;
}

function parseSample(text: string, line: number, name: string): Sample {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 2) {
    throw new TraceError(
      name,
      line,
      `expected 2 fields "time_s throughput_Mbps", found ${fields.length}`,
    );
  }
  const [timeField, mbpsField] = fields;
  if (!DECIMAL.test(timeField))
    throw new TraceError(name, line, `expected a time in seconds, found ${quoteField(timeField)}`);
  if (!DECIMAL.test(mbpsField))
    throw new TraceError(name, line, `expected a throughput in Mb/s, found ${quoteField(mbpsField)}`);
  const mbps = Number(mbpsField);
  if (mbps < 0) throw new TraceError(name, line, `expected a throughput ≥ 0 Mb/s, found ${numberText(mbpsField)}`);
  if (!(mbps <= MAX_MBPS)) {
    throw new TraceError(name, line, `expected a throughput ≤ ${MAX_MBPS} Mb/s, found ${numberText(mbpsField)}`);
  }
  const timeS = Number(timeField);
  if (!(Math.abs(timeS) <= UNIT_MAXIMA.s)) {
    throw new TraceError(name, line, `expected a time within ±${UNIT_MAXIMA.s} s, found ${numberText(timeField)}`);
  }
  return { line, timeUs: Math.round(timeS * US_PER_S), bps: mbps * BPS_PER_MBPS };
}

export function parsePensieve(text: string, name: string): Trace {
  const samples: Sample[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const sample = parseSample(trimmed, i + 1, name);
    const previous = samples.at(-1);
    if (previous !== undefined && sample.timeUs <= previous.timeUs) {
      throw new TraceError(
        name,
        sample.line,
        `expected a time after ${previous.timeUs / US_PER_S} s (line ${previous.line}), found ${sample.timeUs / US_PER_S} s`,
      );
    }
    samples.push(sample);
  }
  if (samples.length === 0) throw new TraceError(name, 0, "expected samples, found an empty trace");
  if (samples.length === 1) {
    throw new TraceError(
      name,
      samples[0].line,
      "expected at least 2 samples (the last lasts the mean interval), found 1",
    );
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const meanIntervalUs = Math.max(1, Math.round((last.timeUs - first.timeUs) / (samples.length - 1)));
  const segments: TraceSegment[] = samples.map((s, i) => ({
    durationUs: i + 1 < samples.length ? samples[i + 1].timeUs - s.timeUs : meanIntervalUs,
    bps: s.bps,
  }));
  return { name, segments };
}
