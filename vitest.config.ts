// Test runner configuration: every test lives under test/, grouped by the folder of src/ it covers.
// `npm test` runs test/**/*.test.ts but the long checks (*.long.test.ts), which `npm run test:long` runs
// (vitest.long.config.ts; CI runs both).
// Test files share their worker's module cache (isolate: false): the project's modules keep no state between
// calls, so a file cannot see another's leftovers, and each worker loads the sources, zod, vega and resvg
// once instead of once per file (this halves the suite's CPU time). A test that changes process-wide state
// (an environment variable, a spied stream) puts it back in a finally block or afterEach.
// One worker per core (vitest's default leaves one core to itself, which on a 2-core machine runs the files
// one after another; its own work is small once the files are loaded).
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.long.test.ts", "**/node_modules/**"],
    testTimeout: 60_000,
    pool: "forks",
    isolate: false,
    maxWorkers: availableParallelism(),
  },
});
