// The quoting helper every error path uses: no control, bidi or zero-width character ever comes out raw,
// excerpts are short whatever the input, plain short text is shown as JSON would show it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeValue, escapeControls, EXCERPT_CHARS, excerpt, quote, showKey } from "../../src/input/quote.ts";

/** Ranges of UTF-16 units a terminal would act on or hide (surrogates: no astral character is generated). */
const UNSAFE_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x61c, 0x61c],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2069],
  [0xfeff, 0xfeff],
];

/** Whether text holds a raw unsafe unit or a lone surrogate (checked unit by unit, independently of the code). */
function hasUnsafe(text: string): boolean {
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (c.length === 1 && code >= 0xd800 && code <= 0xdfff) return true;
    if (c.length === 1 && UNSAFE_RANGES.some(([lo, hi]) => code >= lo && code <= hi)) return true;
  }
  return false;
}

/** Strings heavy in what attackers use: ESC sequences, CR, bidi overrides, lone surrogates, NULs. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\u001b[31m", "\r", "\n", "\t", "\u202e", "\u2066", "\u200b", "\ufeff", "\u0000", "\u009b", "\ud800", "\udfff"),
    fc.constantFrom('"', "\\", "a", "é", "😀"),
    fc.string({ unit: "grapheme", maxLength: 3 }),
  ),
  maxLength: 200,
});

describe("quote", () => {
  it("never lets an unsafe character through, and stays within its length", () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 3, max: 80 }), (text, max) => {
        const q = quote(text, max);
        expect(hasUnsafe(q)).toBe(false);
        expect(q.startsWith('"') && q.endsWith('"')).toBe(true);
        expect(q.length).toBeLessThanOrEqual(max + 2);
      }),
    );
  });

  it("shows short printable text exactly as JSON does", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", '"', "\\", "é", ":", "-"), maxLength: EXCERPT_CHARS }), (text) => {
        expect(quote(text)).toBe(JSON.stringify(text));
      }),
    );
  });

  it("writes escapes the way JSON would, and cuts long text with ...", () => {
    expect(quote("\u001b[31mred")).toBe('"\\u001b[31mred"');
    expect(quote("a\r\nb\t")).toBe('"a\\r\\nb\\t"');
    expect(quote("x".repeat(100), 10)).toBe('"xxxxxxx..."');
    // An escape is never cut in the middle: it is dropped whole.
    expect(quote(`abcdef${"\u001b".repeat(3)}`, 10)).toBe('"abcdef..."');
    // An astral character (a surrogate pair) is one character, never split.
    expect(quote("😀😀😀", 5)).toBe('"😀..."');
  });

  it("reads only the start of a huge string", () => {
    const huge = "y".repeat(10_000_000);
    expect(quote(huge)).toBe(`"${"y".repeat(EXCERPT_CHARS - 3)}..."`);
  });
});

describe("escapeControls and excerpt", () => {
  it("escape every unsafe character, change nothing else, and are idempotent", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = escapeControls(text);
        expect(hasUnsafe(once)).toBe(false);
        expect(escapeControls(once)).toBe(once);
        expect(hasUnsafe(excerpt(text, 30))).toBe(false);
        expect(excerpt(text, 30).length).toBeLessThanOrEqual(30);
      }),
    );
    expect(escapeControls("a\nb", { keepNewlines: true })).toBe("a\nb");
    expect(escapeControls("a\\u001b")).toBe("a\\u001b");
  });
});

describe("describeValue and showKey", () => {
  it("describes lists and mappings by size and first keys, never whole", () => {
    expect(describeValue([1, 2, 3])).toBe("a list of 3 item(s)");
    expect(describeValue({ a: 1, "b\u001b": 2 })).toBe('a mapping with keys a, "b\\u001b"');
    const wide = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    expect(describeValue(wide)).toBe("a mapping with keys k0, k1, k2, k3, k4, k5, ...");
    // A deeply nested value is described, not stringified (stringifying it overflowed the stack).
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe("a list of 1 item(s)");
    expect(describeValue(1e308)).toBe("1e+308");
    expect(describeValue(undefined)).toBe("nothing");
  });

  it("shows plain keys bare and anything else quoted", () => {
    expect(showKey("max_connections")).toBe("max_connections");
    expect(showKey("agent.max_connections")).toBe("agent.max_connections");
    expect(showKey("a b")).toBe('"a b"');
    expect(showKey("k".repeat(100))).toBe(`"${"k".repeat(EXCERPT_CHARS - 3)}..."`);
  });
});
