// Bad input met by the real-network code (a malformed manifest or state file, a bad URL, an existing output):
// the CLI prints the message alone and exits 2. Messages quote user data only as a short escaped excerpt.

export class RealInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RealInputError";
  }
}

/** A user-supplied text shown in a message: at most 60 characters, JSON-escaped. */
export function excerpt(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
