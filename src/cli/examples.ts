// Help examples that never break a command across lines. yargs lays examples out in two columns, the command's
// at most half the help's width, and wraps a longer command in the middle (`sim sweep … --param` / `agent.…`).
// Here an example whose command does not fit that column takes a line of its own (a command longer than the
// whole width is broken before a flag, shell style, with ` \`), and its description goes on the next line, in
// the description column, where the other examples' descriptions are.

import type { Argv } from "yargs";

/**
 * A command longer than a line (`width` characters) broken before flags, shell style (` \` at the end of each
 * line but the last), so each line is a whole part of it; a command that fits is returned as it is.
 */
export function continued(cmd: string, width: number): string {
  const shown = (t: string) => t.replace(/\$0/g, "sim").length;
  if (shown(cmd) <= width) return cmd;
  // Split at spaces before a flag, outside quotes (a quoted value stays whole).
  const parts: string[] = [];
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === " " && /^--?[A-Za-z]/.test(cmd.slice(i + 1, i + 4))) {
      parts.push(cmd.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(cmd.slice(start));
  const lines: string[] = [];
  let line = "";
  for (const part of parts) {
    if (line !== "" && shown(`${line} ${part} \\`) > width) {
      lines.push(`${line} \\`);
      line = part;
    } else {
      line = line === "" ? part : `${line} ${part}`;
    }
  }
  lines.push(line);
  return lines.join("\n");
}

/**
 * Makes every `.example(cmd, description)` of this yargs instance (and of the command builders it calls, which
 * get the same instance) keep its command on one line, for a help `wrap` characters wide.
 */
export function unbrokenExamples<T>(y: Argv<T>, wrap: number): Argv<T> {
  // yargs' command column is at most half the width (its padding, 2 a side, comes on top).
  const column = Math.floor(wrap * 0.5);
  const original = y.example.bind(y) as (cmd: string, description: string) => Argv<T>;
  const example = (cmd: string | readonly (readonly [string, string?])[], description?: string): Argv<T> => {
    if (typeof cmd !== "string") {
      for (const [c, d] of cmd) example(c, d ?? "");
      return y;
    }
    if (cmd.replace(/\$0/g, "sim").length <= column) return original(cmd, description ?? "");
    original(continued(cmd, wrap - 4), "");
    // An empty command column: the description lines up with the other examples'.
    return description === undefined || description === "" ? y : original("", description);
  };
  (y as unknown as { example: typeof example }).example = example;
  return y;
}
