// RFC 4180 CSV: CRLF after every record, fields quoted when they hold a comma, a double quote, CR or LF,
// with embedded double quotes doubled. Pure, so the HTTP routes and the CLI print byte-identical files.

const NEEDS_QUOTING = /[",\r\n]/;

/**
 * Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell starting with = + - or @ as a formula, and some
 * strip a leading tab or CR first: a merchant named `=HYPERLINK(...)` would run in finance's spreadsheet.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Numbers stay numbers: a negative total such as -12.50 cannot run anything. */
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?$/;

/** The text a spreadsheet shows as is: one that would start a formula gets a leading ' (OWASP's advice). */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

export function encodeCsvField(value: string): string {
  const text = neutraliseFormula(value);
  return NEEDS_QUOTING.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function encodeCsv(records: readonly (readonly string[])[]): string {
  return records.map((record) => `${record.map(encodeCsvField).join(',')}\r\n`).join('');
}
