// A progress bar for long runs, shown only on an interactive terminal outside CI (never in logs or pipes).

import cliProgress from "cli-progress";

export interface Progress {
  /** failed is shown only by a bar made with countFailed. */
  readonly onProgress: (done: number, total: number, failed?: number) => void;
  readonly stop: () => void;
}

export function wantProgress(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && (env.CI === undefined || env.CI === "" || env.CI === "false");
}

/**
 * A bar on stderr counting finished runs (and failed ones with countFailed) with the time left; undefined when
 * progress should not be shown.
 */
export function makeProgress(label: string, opts: { countFailed?: boolean } = {}): Progress | undefined {
  if (!wantProgress()) return undefined;
  const failedText = opts.countFailed ? ", {failed} failed" : "";
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {value}/{total} runs${failedText}  {eta_formatted} left`,
      clearOnComplete: true,
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress(done, total, failed = 0) {
      if (!started) {
        bar.start(total, 0, { failed: 0 });
        started = true;
      }
      bar.update(done, { failed });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
