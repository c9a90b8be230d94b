// The one place that maps outcomes and errors to exit codes and to what is printed: bad input prints its
// message(s) only, an internal error prints "internal error: ..." and its stack only with SIM_DEBUG=1.

import { OutputFolderError } from "../files/folder-error.ts";
import { ScenarioError } from "../scenario/errors.ts";
import { excerpt, MAX_MESSAGE_LINE_CHARS } from "../input/quote.ts";
import { TraceError } from "../traces/trace-error.ts";

export const ExitCode = {
  /** Everything ran and every check passed. */
  ok: 0,
  /** A check failed: a run ended with an error, or --check-determinism found a difference. */
  checkFailed: 1,
  /** Bad input: a file, a flag or a scenario. */
  badInput: 2,
  /** A bug in the tool. */
  internal: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** For --help epilogues. */
export const EXIT_CODES_TEXT =
  "Exit codes: 0 success, 1 a check failed, 2 bad input (file, flag or scenario), 3 internal error.";

/** Bad input that is not a scenario problem: a flag value, a missing file. Printed as its message only. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function isBadInput(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof ScenarioError ||
    error instanceof TraceError ||
    error instanceof OutputFolderError
  );
}

export function exitCodeFor(error: unknown): ExitCode {
  return isBadInput(error) ? ExitCode.badInput : ExitCode.internal;
}

/**
 * The net under every message: whatever built it, control characters are escaped (newlines kept) and each line
 * is cut to MAX_MESSAGE_LINE_CHARS, so no message can put raw escape sequences or a whole file on the terminal.
 */
export function safeText(text: string): string {
  return text
    .split("\n")
    .map((line) => excerpt(line, MAX_MESSAGE_LINE_CHARS))
    .join("\n");
}

/** An error's message, even from an object whose `message` getter throws or is not a string. */
function messageOf(error: unknown): string {
  try {
    if (error instanceof Error) return typeof error.message === "string" ? error.message : String(error.message);
    return String(error);
  } catch {
    return "(an error whose message cannot be read)";
  }
}

/** What to print on stderr for an error that ended the command. */
export function errorText(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (isBadInput(error)) return safeText(messageOf(error));
  const message = messageOf(error);
  let stack = "";
  try {
    if (env.SIM_DEBUG === "1" && error instanceof Error && typeof error.stack === "string") stack = `\n${error.stack}`;
  } catch {
    // A stack getter that throws: print the message alone.
  }
  const tip = env.SIM_DEBUG === "1" ? "" : "\n(set SIM_DEBUG=1 to see the stack trace)";
  return safeText(`internal error: ${message}${stack}${tip}`);
}

/** Prints the error and returns the exit code for it. */
export function reportError(
  error: unknown,
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): ExitCode {
  stderr(`${errorText(error)}\n`);
  return exitCodeFor(error);
}
