#!/usr/bin/env node
// The `sim` command: hands the arguments to the CLI. It runs from a prebuilt JavaScript bundle of src/ that
// always matches the sources (bin/bundle.mjs builds it on first use after an edit, in about 0.1 s), and falls
// back to loading the TypeScript through tsx when the bundle cannot be built or SIM_NO_BUNDLE=1.

import { bundledCli } from "./bundle.mjs";

let cli = await bundledCli();
if (cli !== null) {
  if (process.env.SIM_DEBUG) process.setSourceMapsEnabled(true); // stack traces name src/ lines
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = new URL("../src/cli/main.ts", import.meta.url).href;
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
