// `sim fetch URL… -o FILE`: downloads one file from several HTTP mirrors with the agent (src/real/fetch.ts).
// Quiet unless stdout is a terminal (then a progress bar on stderr: bytes, rate, each mirror's share, time
// left); one summary line at the end. Exit 0 when the file is complete and checked, 1 when the download failed
// or was interrupted (FILE.part and its state stay for --resume), 2 for bad input. Ctrl-C stops cleanly.

import { existsSync } from "node:fs";
import CliProgress from "cli-progress";
import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode } from "../exit.ts";
import { FORCE_INTO_DESCRIPTION } from "../out-options.ts";
import { wantProgress } from "../progress.ts";
import { parseStrategyFlag } from "../run-options.ts";
import { asUsage, intFlag, positiveFlag } from "./real-errors.ts";

interface Args {
  readonly url: string[];
  readonly output: string;
  readonly strategy: string;
  readonly manifest?: string;
  readonly maxConnections?: number;
  readonly resume: boolean;
  readonly out?: string;
  readonly sha256?: string;
  readonly blockBytes?: number;
  readonly subBlockBytes?: number;
  readonly connectTimeoutMs?: number;
  readonly stallTimeoutS?: number;
  readonly pipelining?: number;
  readonly forceInto: boolean;
}

const MB = 1024 * 1024;

export function fetchCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "fetch <url..>",
    describe: "Download a file from several HTTP mirrors with the agent (Range requests)",
    builder: (y) =>
      y
        .positional("url", { type: "string", array: true, demandOption: true, describe: "mirror URLs of the same file" })
        .option("output", { alias: "o", type: "string", demandOption: true, describe: "file to write (never overwritten)" })
        .option("strategy", { type: "string", default: "rebalance", describe: "the agent's strategy" })
        .option("manifest", { type: "string", describe: "manifest from sim manifest: checks every sub-block as it arrives" })
        .option("max-connections", { type: "number", describe: "mirrors used at once [default: 8]" })
        .option("resume", { type: "boolean", default: false, describe: "continue FILE.part after an interruption" })
        .option("out", { type: "string", describe: "also write the run's CSVs, summary and charts to this folder" })
        .option("force-into", { type: "boolean", default: false, describe: FORCE_INTO_DESCRIPTION })
        .option("sha256", { type: "string", describe: "the whole file's expected SHA-256 (hex)" })
        .option("block-bytes", { type: "number", describe: "block size without a manifest [default: 1048576]" })
        .option("sub-block-bytes", { type: "number", describe: "sub-block size without a manifest [default: 65536]" })
        .option("connect-timeout-ms", { type: "number", describe: "TCP connect timeout [default: 3000]" })
        .option("stall-timeout-s", { type: "number", describe: "fail when nothing arrived for this long [default: 60]" })
        .option("pipelining", { type: "number", describe: "ranges written ahead on a mirror's socket; 1 turns HTTP pipelining off [default: 8]" })
        .example("$0 fetch http://127.0.0.1:8001/file.bin http://127.0.0.1:8002/file.bin -o file.bin", "two mirrors")
        .example("$0 fetch URL1 URL2 URL3 -o f.bin --manifest f.manifest.json --out reports/fetch", "checked, with a report")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      intFlag("max-connections", args.maxConnections, 1, 1024);
      intFlag("block-bytes", args.blockBytes, 1);
      intFlag("sub-block-bytes", args.subBlockBytes, 1);
      intFlag("connect-timeout-ms", args.connectTimeoutMs, 1, 600_000);
      positiveFlag("stall-timeout-s", args.stallTimeoutS);
      intFlag("pipelining", args.pipelining, 1, 64);
      const { checkOutputFolder } = await import("../../files/output-folder.ts");
      if (args.out !== undefined) checkOutputFolder(args.out, { forceInto: args.forceInto }); // before any download
      const { strategyNames } = await import("../../scenario/strategy-names.ts");
      const [strategy] = parseStrategyFlag(args.strategy, strategyNames());
      const { fetchFile } = await import("../../real/fetch.ts");
      const { DEFAULT_TIMEOUTS } = await import("../../real/mirror.ts");
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once("SIGINT", onSigint);
      const tty = wantProgress();
      let stopBar = () => {};
      try {
        const outcome = await asUsage(() =>
          fetchFile({
            urls: args.url,
            out: args.output,
            strategy,
            manifest: args.manifest,
            maxConnections: args.maxConnections,
            resume: args.resume,
            sha256: args.sha256,
            blockBytes: args.blockBytes,
            subBlockBytes: args.subBlockBytes,
            timeouts: { ...DEFAULT_TIMEOUTS, connectMs: args.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectMs },
            stallTimeoutMs: args.stallTimeoutS !== undefined ? args.stallTimeoutS * 1000 : undefined,
            pipelining: args.pipelining,
            signal: controller.signal,
            note: (t) => process.stderr.write(`${t}\n`),
            onStart: tty ? (info) => (stopBar = progressBar(info)) : undefined,
          }),
        );
        stopBar();
        if (args.out !== undefined && outcome.result !== null && outcome.loaded !== null) {
          const { writeRunFolder } = await import("../../harness/folders/run-folder.ts");
          await writeRunFolder(args.out, outcome.loaded, [outcome.result], { report: true, forceInto: args.forceInto });
        }
        const rateMbps = outcome.elapsedS > 0 ? (outcome.fetchedBytes * 8) / outcome.elapsedS / 1e6 : 0;
        for (const m of outcome.mirrors) {
          if (m.standing !== "ok") process.stderr.write(`mirror ${m.url}: ${m.standing} (${m.reason})\n`);
        }
        if (outcome.status === "done") {
          const resumed = outcome.resumedBytes > 0 ? `, ${(outcome.resumedBytes / MB).toFixed(1)} MiB resumed` : "";
          const used = outcome.mirrors.filter((m) => m.goodBytes > 0).length;
          process.stdout.write(
            `fetched ${args.output}: ${outcome.sizeBytes} bytes in ${outcome.elapsedS.toFixed(2)} s (${rateMbps.toFixed(1)} Mb/s from ${used} mirror(s)${resumed})\n`,
          );
          if (args.out !== undefined) process.stdout.write(`wrote ${args.out}\n`);
          setExit(ExitCode.ok);
        } else {
          const hint = existsSync(`${args.output}.part`) ? ` (${args.output}.part kept: run again with --resume)` : "";
          process.stderr.write(`fetch ${outcome.status}: ${outcome.error ?? ""}${hint}\n`);
          setExit(ExitCode.checkFailed);
        }
      } finally {
        stopBar();
        process.off("SIGINT", onSigint);
      }
    },
  };
}

/** A progress bar on stderr: MiB done, rate, ETA and each mirror's share; returns its stop function. */
function progressBar(info: {
  driver: { progress(): { verifiedBytes: number; byMirror: number[] } };
  mirrors: readonly { url: URL }[];
  sizeBytes: number;
  resumedBytes: number;
}): () => void {
  const bar = new CliProgress.SingleBar(
    {
      format: "fetch {bar} {percentage}% {done}/{total_mib} MiB {rate} Mb/s {eta_formatted} left | {shares}",
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    CliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  bar.start(info.sizeBytes, info.resumedBytes, { done: "0.0", total_mib: (info.sizeBytes / MB).toFixed(1), rate: "0.0", shares: "" });
  const timer = setInterval(() => {
    const p = info.driver.progress();
    const done = p.verifiedBytes + info.resumedBytes;
    const s = (performance.now() - t0) / 1000;
    // Each mirror that sent something, largest share first, at most 8 (mirrors are numbered as given).
    const shares = p.byMirror
      .map((b, i) => ({ i, b }))
      .filter((m) => m.b > 0)
      .sort((x, y) => y.b - x.b || x.i - y.i)
      .slice(0, 8)
      .map((m) => `#${m.i} ${Math.round((100 * m.b) / p.verifiedBytes)}%`)
      .join(" ");
    bar.update(Math.min(done, info.sizeBytes), {
      done: (done / MB).toFixed(1),
      total_mib: (info.sizeBytes / MB).toFixed(1),
      rate: s > 0 ? ((p.verifiedBytes * 8) / s / 1e6).toFixed(1) : "0.0",
      shares,
    });
  }, 200);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    bar.stop();
  };
}
