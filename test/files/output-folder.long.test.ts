// The long run of output-folder.test.ts's crash check (`npm run test:long`): a commit crashed at each of its
// file-system calls in turn leaves whole old outputs, or a journal that completes them into whole new ones, for
// many generated pairs of old and new output sets.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import { checkEveryCrashPoint, fileSet } from "./crash-points.ts";

const root = mkdtempSync(join(tmpdir(), "sim-folder-long-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a commit interrupted at any point", () => {
  it("leaves whole old outputs, or a journal that completes them into whole new ones (generated pairs)", () => {
    let trial = 0;
    fc.assert(
      fc.property(fileSet, fileSet, (before, after) => checkEveryCrashPoint(root, `gen${++trial}`, before, after)),
      { numRuns: 40 },
    );
  });
});
