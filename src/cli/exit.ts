// The one place that maps outcomes and errors to exit codes and to what is printed: bad input prints its
// message(s) only, an internal error prints "internal error: ..." and its stack only with SIM_DEBUG=1.

import { OutputFolderError } from "../files/folder-error.ts";
import { ScenarioError } from "../scenario/errors.ts";
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

/** What to print on stderr for an error that ended the command. */
export function errorText(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (isBadInput(error)) return (error as Error).message;
  const message = error instanceof Error ? error.message : String(error);
  const stack =
    env.SIM_DEBUG === "1" && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : "";
  const tip = env.SIM_DEBUG === "1" ? "" : "\n(set SIM_DEBUG=1 to see the stack trace)";
  return `internal error: ${message}${stack}${tip}`;
}

/** Prints the error and returns the exit code for it. */
export function reportError(
  error: unknown,
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): ExitCode {
  stderr(`${errorText(error)}\n`);
  return exitCodeFor(error);
}
