// csvText writes each row cell by cell (csvCell quotes only the cells that need it); the text must be exactly
// what csv-stringify writes for the same header and rows, whatever the cells hold.
import fc from "fast-check";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { csvText } from "../../src/report/csv.ts";

const cell = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("", "a,b", 'say "hi"', "line\nbreak", "cr\rhere", " spaced ", "1.500000", "-1"),
);

describe("csvText", () => {
  it("equals csv-stringify's output for any cells", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 12 }))), ([n, rows]) => {
        const columns = Array.from({ length: n }, (_, i) => `col_${i}`);
        const expected = stringify(rows, { header: true, columns, eof: true, record_delimiter: "unix", quoted_match: /\r/ });
        expect(csvText(columns, rows)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("writes the header alone when there are no rows", () => {
    expect(csvText(["a", "b"], [])).toBe("a,b\n");
  });
});
