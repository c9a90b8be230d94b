// A progress bar for long runs, shown only on an interactive terminal outside CI (never in logs or pipes).

import cliProgress from "cli-progress";

export interface Progress {
  readonly onProgress: (done: number, total: number) => void;
  readonly stop: () => void;
}

export function wantProgress(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && (env.CI === undefined || env.CI === "" || env.CI === "false");
}

/** A bar on stderr counting finished runs; undefined when progress should not be shown. */
export function makeProgress(label: string): Progress | undefined {
  if (!wantProgress()) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} runs  {eta_formatted} left`,
      clearOnComplete: true,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
