// A small RFC 4180 CSV reader for the files this tool writes (csv-stringify's output): comma-separated,
// quoted fields with "" escapes and embedded line breaks, LF or CRLF line ends (a lone CR is data). No
// dependency needed.

/** Parses CSV text into rows of cells. A trailing line end does not add an empty row. */
export function parseCsv(text: string, file = "csv"): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let line = 1;
  // Each turn consumes at least one character, so the loop ends after text.length turns.
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && cell === "") {
      // Quoted field: runs to the closing quote not followed by another quote.
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`${file}: unterminated quoted field starting on line ${line}`);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\n") line++;
        cell += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\n" && !(next === "\r" && text[i + 1] === "\n")) {
        throw new Error(`${file}: unexpected character after a quoted field on line ${line}`);
      }
      continue;
    }
    if (ch === ",") {
      row.push(cell);
      cell = "";
      i++;
    } else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
    } else {
      cell += ch;
      i++;
    }
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
