// Quoting data the tool did not write (a name from a scenario, a strategy's error message, a file name found in
// a folder) in a message: at most a short excerpt, with every control, line-breaking or text-direction
// character shown as an escape, so nothing reaches a terminal raw and nothing long is echoed.

/** Characters shown escaped: C0 and C1 controls, DEL, line/paragraph separators, bidirectional controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, plus the quote and the backslash, for text shown between double quotes. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_QUOTED = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"\\]/g;

function escapeChar(c: string): string {
  if (c === '"') return '\\"';
  if (c === "\\") return "\\\\";
  if (c === "\n") return "\\n";
  if (c === "\t") return "\\t";
  if (c === "\r") return "\\r";
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** The first `maxChars` characters (code points) of `text` and whether it was longer. */
function cut(text: string, maxChars: number): { head: string; more: boolean } {
  // Cut on code points, so a surrogate pair is never split into an unpaired half.
  const chars = Array.from(text.length > maxChars * 2 + 2 ? text.slice(0, maxChars * 2 + 2) : text);
  return chars.length > maxChars ? { head: chars.slice(0, maxChars).join(""), more: true } : { head: text, more: false };
}

/** `text` with unsafe characters escaped, cut to `maxChars` characters of the original (then `…`). */
export function escapedExcerpt(text: string, maxChars: number): string {
  const { head, more } = cut(text, maxChars);
  return head.replace(UNSAFE, escapeChar) + (more ? "…" : "");
}

/** `"text"`: the excerpt in double quotes (quotes and backslashes inside escaped too). */
export function excerpt(text: string, maxChars = 60): string {
  const { head, more } = cut(text, maxChars);
  return `"${head.replace(UNSAFE_QUOTED, escapeChar)}${more ? "…" : ""}"`;
}
