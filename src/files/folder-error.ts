// The error of an output folder the tool may not or cannot write (not empty and not written by sim, a file in
// the way, not writable, busy) or cannot read back (`sim merge` and `sim report`: not a run or sweep folder, a
// sweep.json or store entry that is not the tool's). The command line reports it as bad input (exit 2) with
// its message only.

export class OutputFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputFolderError";
  }
}
