// The one way error messages show data the tool read (a scenario value or key, a trace line, a flag): a short
// excerpt with every control character escaped, so a message never carries a whole line of an arbitrary file
// and never lets escape sequences, bidi overrides or carriage returns reach the terminal raw.

/** Longest excerpt of a value a message quotes, in characters of the escaped text (quotes excluded). */
export const EXCERPT_CHARS = 40;

/** Longest line errorText lets through, whatever built it: the net under every message. */
export const MAX_MESSAGE_LINE_CHARS = 2000;

/**
 * Whether a UTF-16 unit is never printed raw: C0 controls, DEL, C1 controls, the Arabic letter mark, zero-width
 * characters and marks, the line and paragraph separators, bidi embeddings, overrides and isolates, invisible
 * operators, the BOM, and surrogates (a lone one; pairs are whole code points and never reach here).
 */
function unsafe(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x61c ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0xfeff
  );
}

/** One code point as a message shows it. */
function show(c: string, escapeQuotes: boolean): string {
  if (c.length !== 1) return c; // a surrogate pair: a printable astral character
  const code = c.charCodeAt(0);
  if (unsafe(code)) {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  }
  if (escapeQuotes && (c === "\\" || c === '"')) return `\\${c}`;
  return c;
}

/**
 * `text` shown safely, at most `maxChars` characters long (then ending in "..."): unsafe characters escaped,
 * and with `escapeQuotes` backslashes and double quotes too. Reads at most maxChars + 1 code points of text.
 */
function shorten(text: string, maxChars: number, escapeQuotes: boolean): string {
  const pieces: string[] = [];
  let length = 0;
  let whole = true;
  for (const c of text) {
    if (length > maxChars) {
      whole = false;
      break;
    }
    const piece = show(c, escapeQuotes);
    pieces.push(piece);
    length += piece.length;
  }
  if (whole && length <= maxChars) return pieces.join("");
  const room = Math.max(0, maxChars - 3);
  while (pieces.length > 0 && length > room) length -= (pieces.pop() as string).length;
  return `${pieces.join("")}...`;
}

/**
 * `text` with every unsafe character written as an escape (`\u001b`, `\n`, ...) and nothing else changed
 * (backslashes are kept: applying it twice changes nothing). `keepNewlines` leaves `\n` alone, for messages of
 * several lines. It does not shorten: quote and excerpt do.
 */
export function escapeControls(text: string, opts: { keepNewlines?: boolean } = {}): string {
  let out = "";
  for (const c of text) out += opts.keepNewlines === true && c === "\n" ? c : show(c, false);
  return out;
}

/**
 * A string value as a message shows it: in double quotes, backslashes and quotes escaped, control
 * characters escaped, at most `maxChars` characters between the quotes (then "..."). `"a\u001b[31m"`.
 */
export function quote(text: string, maxChars = EXCERPT_CHARS): string {
  return `"${shorten(text, maxChars, true)}"`;
}

/** Text the tool did not write (a library's message, a path) made safe to print: escaped and cut, no quotes. */
export function excerpt(text: string, maxChars = EXCERPT_CHARS): string {
  return shorten(text, maxChars, false);
}

/** A mapping key as a message shows it: bare when it is a short plain word, else quoted and cut. */
export function showKey(key: string, maxChars = EXCERPT_CHARS): string {
  return key.length <= maxChars && /^[A-Za-z0-9_.-]+$/.test(key) ? key : quote(key, maxChars);
}

/** Most keys a mapping's description lists. */
const SHOWN_KEYS = 6;

/**
 * A short rendering of a value found in a scenario or a trace: strings quoted and cut, lists and mappings
 * described by their size and first keys (never stringified whole: they may be huge or deeply nested).
 */
export function describeValue(value: unknown, maxChars = EXCERPT_CHARS): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return quote(value, maxChars);
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length} item(s)`;
  if (typeof value === "object") {
    const keys: string[] = [];
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (keys.length === SHOWN_KEYS) {
        keys.push("...");
        break;
      }
      keys.push(showKey(key, maxChars));
    }
    return keys.length === 0 ? "an empty mapping" : `a mapping with keys ${keys.join(", ")}`;
  }
  return excerpt(String(value), maxChars);
}
