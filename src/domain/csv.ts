// RFC 4180 CSV: CRLF after every record, fields quoted when they hold a comma, a double quote, CR or LF,
// with embedded double quotes doubled. Pure, so the HTTP route and the CLI print byte-identical files.

const NEEDS_QUOTING = /[",\r\n]/;

export function encodeCsvField(value: string): string {
  return NEEDS_QUOTING.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function encodeCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => `${record.map(encodeCsvField).join(',')}\r\n`).join('');
}
