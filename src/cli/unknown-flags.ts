// "Did you mean" for mistyped flags: yargs' strict mode reports `Unknown argument: sedes`; this names the flag
// as it was typed (`--sedes`) and adds the command's closest flag (`did you mean --seeds?`), found by the same
// edit distance as misspelt scenario keys. Arguments that were not typed as flags (an extra positional) are
// left as yargs names them. Also: a number flag given text that is not a number is reported with that text
// quoted (yargs hands commands NaN, which they could only call "not a number").

import { didYouMean } from "../scenario/did-you-mean.ts";
import { excerpt, quote } from "../input/quote.ts";

/** What yargs' usage object (the third argument of its fail callback) offers: every option the command knows. */
interface UsageLike {
  getDescriptions?: () => Record<string, unknown>;
}

/** Most unknown arguments one message lists with suggestions. */
const MAX_SHOWN = 10;

/** The flags the failing command knows (long names, as typed: `seeds`, `strategy-module`). */
function knownFlags(usage: unknown): string[] {
  const get = (usage as UsageLike | null)?.getDescriptions;
  if (typeof get !== "function") return [];
  try {
    return Object.keys(get.call(usage)).filter((k) => k.length > 1);
  } catch {
    return [];
  }
}

/** How `name` was typed in args (`--sedes`, `-sedes`, `--no-reprot` for yargs' `reprot`), or null when not as a flag. */
function typedAs(name: string, args: readonly string[]): string | null {
  for (const arg of args) {
    if (arg === "--") break;
    const m = /^(--?)([^=]+)/.exec(arg);
    if (m === null) continue;
    if (m[2] === name || m[2] === `no-${name}`) return `${m[1]}${m[2]}`;
  }
  return null;
}

/** `strategy-modul` → `strategyModul`: yargs reports an unknown hyphenated flag under both names. */
function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * yargs' message with every unknown flag named as typed and its suggestion: `Unknown argument: --sedes (did you
 * mean --seeds?)`. Any other message is returned unchanged.
 */
export function explainUnknownArguments(message: string, usage: unknown, args: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/s.exec(message);
  if (m === null) return message;
  const reported = m[1].split(", ");
  const aliases = new Set(reported.filter((n) => n.includes("-")).map(camelCase));
  const names = reported.filter((n) => !aliases.has(n));
  const known = knownFlags(usage);
  const shown = names.slice(0, MAX_SHOWN).map((name) => {
    const typed = typedAs(name, args);
    if (typed === null) return quote(name);
    const word = typed.replace(/^--?/, "");
    const negated = word.startsWith("no-") ? didYouMean(word.slice(3), known) : undefined;
    const guess = negated !== undefined ? `no-${negated}` : didYouMean(word, known);
    return `${excerpt(typed)}${guess !== undefined ? ` (did you mean --${guess}?)` : ""}`;
  });
  if (names.length > MAX_SHOWN) shown.push(`and ${names.length - MAX_SHOWN} more`);
  return `Unknown argument${names.length > 1 ? "s" : ""}: ${shown.join(", ")}`;
}

/**
 * The text given for `--name` in args (the last one, as yargs keeps it), or undefined. For messages about a
 * value yargs could not read as a number (it hands the command NaN, so the command cannot quote it).
 */
export function flagText(name: string, args: readonly string[]): string | undefined {
  let text: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") break;
    if (arg === `--${name}`) {
      const next = args[i + 1];
      text = next !== undefined && !(next.startsWith("--") && next.length > 2) ? next : undefined;
    }
    else if (arg.startsWith(`--${name}=`)) text = arg.slice(name.length + 3);
  }
  return text;
}

/**
 * A number flag whose text is not a number, or that has no value: `--wall-s expects a number, found "two"`
 * (null when every flag is fine).
 */
export function notANumberFlag(argv: Readonly<Record<string, unknown>>, args: readonly string[]): string | null {
  for (const [key, value] of Object.entries(argv)) {
    if (/[A-Z]/.test(key) || key === "_" || key === "$0") continue;
    // A number flag typed without a value is present and undefined (yargs would let the command run without it).
    if (value === undefined && flagText(key, args) === undefined && args.includes(`--${key}`)) {
      return `--${key} expects a number, found nothing`;
    }
    if (typeof value !== "number" || !Number.isNaN(value)) continue;
    const text = flagText(key, args);
    return `--${key} expects a number, found ${text === undefined ? "nothing" : text === "" ? "an empty value" : quote(text)}`;
  }
  return null;
}
