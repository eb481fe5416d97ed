/**
 * A small RFC 4180 reader for previews: quoted fields with commas, doubled quotes and line breaks;
 * CRLF or LF. Reads at most `maxRows` rows; a truncated last line (a preview of the file's start) is
 * dropped rather than shown half.
 */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** More rows followed than were read. */
  truncated: boolean;
}

export function parseCsv(
  text: string,
  options: { delimiter?: string; maxRows?: number; complete?: boolean } = {},
): CsvTable {
  const delimiter = options.delimiter ?? ',';
  const maxRows = options.maxRows ?? 1000;
  const complete = options.complete ?? true;
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  let truncated = false;
  const endRecord = () => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      if (records.length > maxRows) {
        truncated = true;
        break;
      }
    } else field += ch;
    i++;
  }
  if (!truncated && (field !== '' || record.length > 0)) {
    if (complete) endRecord();
    else truncated = true;
  }
  const [header = [], ...rows] = records;
  if (rows.length > maxRows) {
    rows.length = maxRows;
    truncated = true;
  }
  return { header, rows, truncated };
}
