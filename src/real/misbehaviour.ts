// Misbehaviours a testbed node can show on top of its scenario failures, as real mirrors do. Given on the
// command line as NODE:KIND[=VALUE] (node = the node's index in the testbed's list):
//   ignore-range      answers every GET with 200 and the whole file (Range ignored)
//   short-206         answers a range with a 206 for its first half only (a correct Content-Range for it)
//   wrong-range       sends the requested bytes with a Content-Range shifted by one byte
//   etag-change=N     after N answered requests, serves another version of the file under another ETag (and so
//                     answers If-Range with the old ETag by 200 and the new version)
//   die=N             after N body bytes sent, resets every connection and stops listening (refuses new ones)
//   corrupt=P         flips a byte in each sub-block it sends with probability P (on top of corrupt_p)

import { excerpt, RealInputError } from "./input-error.ts";

export interface Misbehaviour {
  readonly ignoreRange: boolean;
  readonly short206: boolean;
  readonly wrongRange: boolean;
  /** Requests answered before the version changes; null: never. */
  readonly etagChangeAfter: number | null;
  /** Body bytes sent before the node dies; null: never. */
  readonly dieAfterBytes: number | null;
  readonly corruptP: number;
}

export const NO_MISBEHAVIOUR: Misbehaviour = {
  ignoreRange: false,
  short206: false,
  wrongRange: false,
  etagChangeAfter: null,
  dieAfterBytes: null,
  corruptP: 0,
};

export const MISBEHAVIOUR_KINDS = ["ignore-range", "short-206", "wrong-range", "etag-change", "die", "corrupt"] as const;

function intValue(spec: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v === "" || !Number.isSafeInteger(n) || n < 0) {
    throw new RealInputError(`--misbehave ${excerpt(spec)}: expected a non-negative integer after "="`);
  }
  return n;
}

/** Parses NODE:KIND[=VALUE] specs into a map by node index; several specs for one node combine. */
export function parseMisbehaviours(specs: readonly string[], nodeCount: number): Map<number, Misbehaviour> {
  const out = new Map<number, Misbehaviour>();
  for (const spec of specs) {
    const m = /^(\d{1,6}):([a-z0-9-]+)(?:=(.*))?$/.exec(spec.trim());
    if (m === null) throw new RealInputError(`--misbehave ${excerpt(spec)}: expected NODE:KIND[=VALUE], e.g. 2:ignore-range`);
    const node = Number(m[1]);
    if (node >= nodeCount) throw new RealInputError(`--misbehave ${excerpt(spec)}: node ${node} does not exist (the testbed has ${nodeCount} nodes, 0-${nodeCount - 1})`);
    const kind = m[2];
    const value = m[3];
    const cur: { -readonly [K in keyof Misbehaviour]: Misbehaviour[K] } = { ...(out.get(node) ?? NO_MISBEHAVIOUR) };
    switch (kind) {
      case "ignore-range":
        cur.ignoreRange = true;
        break;
      case "short-206":
        cur.short206 = true;
        break;
      case "wrong-range":
        cur.wrongRange = true;
        break;
      case "etag-change":
        cur.etagChangeAfter = intValue(spec, value);
        break;
      case "die":
        cur.dieAfterBytes = intValue(spec, value);
        break;
      case "corrupt": {
        const p = Number(value);
        if (value === undefined || !(p >= 0 && p <= 1)) throw new RealInputError(`--misbehave ${excerpt(spec)}: expected a probability in [0, 1] after "="`);
        cur.corruptP = p;
        break;
      }
      default:
        throw new RealInputError(`--misbehave ${excerpt(spec)}: unknown kind; valid: ${MISBEHAVIOUR_KINDS.join(", ")}`);
    }
    if ((kind === "ignore-range" || kind === "short-206" || kind === "wrong-range") && value !== undefined) {
      throw new RealInputError(`--misbehave ${excerpt(spec)}: ${kind} takes no value`);
    }
    out.set(node, cur);
  }
  return out;
}
