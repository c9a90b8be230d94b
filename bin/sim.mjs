#!/usr/bin/env node
// The `sim` command: registers tsx (TypeScript without a build step) and hands the arguments to the CLI.
// Kept tiny so start-up stays fast; everything else loads on demand.

import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
