// The long checks (`npm run test:long`, run by CI after `npm test`): test/**/*.long.test.ts, the same
// properties as the quick suite's on more generated cases or bigger inputs, kept out of `npm test` so that it
// stays about a minute on a 2-core machine.
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.long.test.ts"],
    testTimeout: 600_000,
    pool: "forks",
    isolate: false,
    maxWorkers: availableParallelism(),
  },
});
