// Validation of one HTTP response to a ranged GET, as a pure function of its status and headers, so every rule
// is tested on hand-written responses:
// - 206 must carry `Content-Range: bytes a-b/total` with a = the requested start, b ≤ the requested end (b < end
//   is a short 206: the rest is requested again) and the total the mirror reported first;
// - a 200 to a ranged request means the mirror ignores ranges, unless its validator differs from ours: then it
//   answered our If-Range with another version of the file;
// - 416, a different total or a range that does not start where asked make the mirror unusable;
// - a validator (strong ETag, else Last-Modified) different from the one the mirror gave first means another
//   version: the mirror is quarantined.

/** What identifies one version of the file: a strong ETag, else a Last-Modified date. */
export interface Validator {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export type ResponseVerdict =
  /** Bytes [start, servedEnd] follow, servedEnd ≤ the requested end (short when less). */
  | { readonly kind: "ok"; readonly servedEnd: number; readonly total: number; readonly validator: Validator }
  | { readonly kind: "no-ranges" }
  | { readonly kind: "version-changed"; readonly detail: string }
  | { readonly kind: "unusable"; readonly detail: string }
  /** A status that says nothing about the file (5xx, 429, ...): the connection failed, the mirror may recover. */
  | { readonly kind: "transient"; readonly detail: string };

export interface RangeAsk {
  /** First and last byte requested (inclusive). */
  readonly start: number;
  readonly end: number;
  /** The total size the mirror reported first, or null before its first answer. */
  readonly total: number | null;
  /** The mirror's validator from its first answer, or null before it. */
  readonly validator: Validator | null;
}

export type HeaderValue = string | string[] | undefined;

/** One header's value as a single string (the first one when repeated), or null. */
export function headerText(headers: Record<string, HeaderValue>, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}

/** A strong ETag (`W/` ones cannot be used with If-Range), else null. */
export function strongEtag(value: string | null): string | null {
  if (value === null) return null;
  const v = value.trim();
  return /^"[^"]*"$/.test(v) ? v : null;
}

export function validatorOf(headers: Record<string, HeaderValue>): Validator {
  const etag = strongEtag(headerText(headers, "etag"));
  const lm = headerText(headers, "last-modified");
  return { etag, lastModified: lm === null ? null : lm.trim() };
}

/** The If-Range value for a validator: the strong ETag, else the Last-Modified date, else null (send none). */
export function ifRangeValue(v: Validator | null): string | null {
  if (v === null) return null;
  return v.etag ?? v.lastModified;
}

/** Null when the two validators name the same version, else a short description of the difference. */
export function validatorDifference(ours: Validator | null, theirs: Validator): string | null {
  if (ours === null) return null;
  if (ours.etag !== null) {
    return theirs.etag === ours.etag ? null : `ETag ${short(ours.etag)} became ${short(theirs.etag ?? "none")}`;
  }
  if (ours.lastModified !== null && theirs.lastModified !== ours.lastModified) {
    return `Last-Modified ${short(ours.lastModified)} became ${short(theirs.lastModified ?? "none")}`;
  }
  return null;
}

/** A header value quoted in a message: at most 40 characters, control characters escaped. */
export function short(s: string): string {
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
}

/** `bytes a-b/total` → numbers; null when malformed (a `*` total included). */
export function parseContentRange(value: string | null): { start: number; end: number; total: number } | null {
  if (value === null) return null;
  const m = /^\s*bytes\s+(\d{1,15})-(\d{1,15})\/(\d{1,15})\s*$/i.exec(value);
  if (m === null) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = Number(m[3]);
  if (end < start || end >= total) return null;
  return { start, end, total };
}

export function checkResponse(
  status: number,
  headers: Record<string, HeaderValue>,
  ask: RangeAsk,
): ResponseVerdict {
  const validator = validatorOf(headers);
  if (status === 416) return { kind: "unusable", detail: "416 Range Not Satisfiable" };
  if (status === 200) {
    const changed = validatorDifference(ask.validator, validator);
    if (changed !== null) return { kind: "version-changed", detail: `200 to If-Range: ${changed}` };
    return { kind: "no-ranges" };
  }
  if (status !== 206) {
    if (status >= 500 || status === 429 || status === 408) return { kind: "transient", detail: `status ${status}` };
    return { kind: "unusable", detail: `status ${status}` };
  }
  const cr = parseContentRange(headerText(headers, "content-range"));
  if (cr === null) {
    const raw = headerText(headers, "content-range");
    return { kind: "unusable", detail: `206 with Content-Range ${raw === null ? "missing" : short(raw)}` };
  }
  if (ask.total !== null && cr.total !== ask.total) {
    return { kind: "unusable", detail: `total size ${cr.total} differs from ${ask.total}` };
  }
  const changed = validatorDifference(ask.validator, validator);
  if (changed !== null) return { kind: "version-changed", detail: changed };
  if (cr.start !== ask.start || cr.end > ask.end) {
    return {
      kind: "unusable",
      detail: `asked bytes ${ask.start}-${ask.end}, got Content-Range bytes ${cr.start}-${cr.end}/${cr.total}`,
    };
  }
  return { kind: "ok", servedEnd: cr.end, total: cr.total, validator };
}
