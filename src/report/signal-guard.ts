// Keeps SIGINT, SIGTERM and SIGHUP from ending the process in the middle of a commit of outputs. Without a
// listener, Node ends the process the moment such a signal arrives, whatever it is doing; with one, the
// listener runs only between event-loop turns, never inside synchronous code. The commit is synchronous, so a
// listener installed before it defers any such signal until the commit is complete. The listener then removes
// itself and, when no other code listens for that signal, raises it again: the process ends exactly as it
// would have without us (killed by the signal, exit status 128 + n), only after the folder is whole. It is
// installed only around commits, so a long simulation stays interruptible at once.

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  installed = false;
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Runs `commit` (synchronous) so that SIGINT, SIGTERM and SIGHUP take effect only after it. */
export function withSignalsDeferred<T>(commit: () => T): T {
  if (!installed) {
    for (const s of SIGNALS) process.on(s, onSignal);
    installed = true;
  }
  return commit();
}
