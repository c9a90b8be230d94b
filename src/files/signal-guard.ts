// Keeps SIGINT, SIGTERM and SIGHUP from ending the process in the middle of a commit of outputs. Without a
// listener, Node ends the process the moment such a signal arrives, whatever it is doing; with one, the
// listener runs only between event-loop turns, never inside synchronous code. The commit is synchronous, so a
// listener installed before it defers any such signal until the commit is complete. The listener then removes
// itself and, when no other code listens for that signal, raises it again: the process ends exactly as it
// would have without us (killed by the signal, exit status 128 + n), only after the folder is whole.
// The listener is installed at the first commit and stays until a signal comes: removing it right after a
// commit could drop a signal that arrived during the commit and is not delivered yet. While it is installed, a
// signal waits for the process to yield to the event loop, so only the command line turns it on (its commands
// commit last, or while the main thread waits on workers); a program using the API is left alone (a signal
// during a commit then acts as a kill: the next command completes the commit from its journal).

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

let enabled = false;
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  installed = false;
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Turns deferral on for this process (the command line). */
export function deferSignalsDuringCommits(): void {
  enabled = true;
}

/** Runs `commit` (synchronous) so that, when turned on, SIGINT, SIGTERM and SIGHUP take effect only after it. */
export function withSignalsDeferred<T>(commit: () => T): T {
  if (enabled && !installed) {
    for (const s of SIGNALS) process.on(s, onSignal);
    installed = true;
  }
  return commit();
}
