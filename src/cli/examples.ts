// Help examples that never break a command across lines. yargs lays examples out in two columns, the command's
// at most half the help's width, and wraps a longer command in the middle (`sim sweep … --param` / `agent.…`).
// Here an example whose command does not fit that column takes a line of its own, and its description goes on
// the next line, in the description column, where the other examples' descriptions are.

import type { Argv } from "yargs";

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
    const shown = cmd.replace(/\$0/g, "sim");
    if (description === undefined || description === "" || shown.length <= column) return original(cmd, description ?? "");
    original(cmd, "");
    return original("", description); // an empty command column: the description lines up with the others
  };
  (y as unknown as { example: typeof example }).example = example;
  return y;
}
