#!/usr/bin/env node
// The `sim` command: hands the arguments to the CLI. In a checkout (src/ present) it runs from a prebuilt
// JavaScript bundle of src/ that always matches the sources (bin/bundle.mjs builds it on first use after an
// edit, in about 0.1 s), and falls back to loading the TypeScript through tsx when the bundle cannot be built
// or SIM_NO_BUNDLE=1. An installed package (from `npm pack` or a git URL) has no src/: it runs dist/cli.mjs,
// which `npm run build` (the package's prepare script) wrote.

import { existsSync } from "node:fs";
import { bundledCli } from "./bundle.mjs";

let cli = null;
if (existsSync(new URL("../src/cli/main.ts", import.meta.url))) {
  cli = await bundledCli();
  if (cli === null) {
    const { register } = await import("tsx/esm/api");
    register();
    cli = new URL("../src/cli/main.ts", import.meta.url).href;
  }
} else {
  const built = new URL("../dist/cli.mjs", import.meta.url);
  if (!existsSync(built)) {
    process.stderr.write("sim: this installation has neither src/ nor dist/; reinstall the package\n");
    process.exit(3);
  }
  cli = built.href;
}
if (process.env.SIM_DEBUG) process.setSourceMapsEnabled(true); // stack traces name src/ lines
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
