// `sim manifest FILE --block-bytes B --sub-block-bytes S [--out M]`: writes the file's integrity manifest (the
// SHA-256 of the whole file and of every sub-block, src/real/manifest.ts) for `sim fetch --manifest`. Never
// overwrites an existing file.

import { existsSync } from "node:fs";
import type { CommandModule } from "yargs";
import { EXIT_CODES_TEXT, ExitCode, UsageError } from "../exit.ts";
import { asUsage, intFlag } from "./real-errors.ts";

interface Args {
  readonly file: string;
  readonly blockBytes: number;
  readonly subBlockBytes: number;
  readonly out?: string;
}

export function manifestCommand(setExit: (code: number) => void): CommandModule<object, Args> {
  return {
    command: "manifest <file>",
    describe: "Write a file's per-sub-block SHA-256 manifest (for sim fetch --manifest)",
    builder: (y) =>
      y
        .positional("file", { type: "string", demandOption: true, describe: "the file to describe" })
        .option("block-bytes", { type: "number", demandOption: true, describe: "block size in bytes" })
        .option("sub-block-bytes", { type: "number", demandOption: true, describe: "sub-block size in bytes" })
        .option("out", { alias: "o", type: "string", describe: "manifest file to write [default: <file>.manifest.json]" })
        .example("$0 manifest big.iso --block-bytes 1048576 --sub-block-bytes 65536", "writes big.iso.manifest.json")
        .epilogue(EXIT_CODES_TEXT) as never,
    handler: async (args) => {
      intFlag("block-bytes", args.blockBytes, 1);
      intFlag("sub-block-bytes", args.subBlockBytes, 1);
      const out = args.out ?? `${args.file}.manifest.json`;
      if (!existsSync(args.file)) throw new UsageError(`${args.file}: no such file`);
      if (existsSync(out)) throw new UsageError(`${out} exists: the manifest is never written over a file (choose another --out)`);
      await asUsage(async () => {
        const { manifestOfFile, manifestJson } = await import("../../real/manifest.ts");
        const { writeFileAtomic } = await import("../../files/atomic.ts");
        const m = manifestOfFile(args.file, args.blockBytes, args.subBlockBytes);
        writeFileAtomic(out, manifestJson(m));
        process.stdout.write(`wrote ${out}: ${m.subBlocks.length} sub-blocks, sha256 ${m.sha256}\n`);
      });
      setExit(ExitCode.ok);
    },
  };
}
