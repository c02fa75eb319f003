import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENCY_CODES } from '../../src/domain/money.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';
import { insertTransaction } from '../support/fixtures.ts';
import { ROOT } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  acme = await server.createMerchant('Acme, "the" shop');
  globex = await server.createMerchant('Globex');
  const db = server.db;
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: '2026-10-31T10:00:00Z', amountMinor: 1999n, currency: 'EUR', history: [{ status: 'PAID', at: '2026-10-31T11:00:00Z' }] });
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: '2026-11-01T05:30:00Z', amountMinor: 1500n, currency: 'JPY' });
  await insertTransaction(db, { merchantId: globex.merchantId, createdAt: '2026-11-01T12:00:00Z', amountMinor: 4200n, currency: 'EUR', history: [{ status: 'CAPTURED', at: '2026-11-01T12:01:00Z' }] });
});
afterAll(() => server?.close());

const get = (query: Record<string, string>, key?: string) =>
  fetch(`${server.url}/reports/stats.csv?${new URLSearchParams(query)}`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

describe('GET /reports/stats.csv', () => {
  it('gives a merchant its own series, one line per row, money per currency in columns', async () => {
    const response = await get({ from: '2026-10-31', to: '2026-11-01', timeZone: 'America/New_York', groupBy: 'DAY' }, acme.key);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="paystream-stats-2026-10-31-2026-11-01.csv"');
    const figures = ['created', 'captured', 'paid', 'cancelled', 'rejected', 'refunded'];
    const amountColumns = ['EUR', 'JPY'].flatMap((currency) => figures.map((figure) => `${figure}_amount_${currency}`));
    expect((await response.text()).split('\r\n')).toEqual([
      ['start', 'end', 'date', 'local_start', ...figures, 'conversion_rate', ...amountColumns].join(','),
      '2026-10-31T04:00:00.000Z,2026-11-01T04:00:00.000Z,2026-10-31,2026-10-31T00:00:00-04:00,1,1,1,0,0,0,1.0000,19.99,19.99,19.99,0.00,0.00,0.00,0,0,0,0,0,0',
      // The 25-hour day.
      '2026-11-01T04:00:00.000Z,2026-11-02T05:00:00.000Z,2026-11-01,2026-11-01T00:00:00-04:00,1,0,0,0,0,0,0.0000,0.00,0.00,0.00,0.00,0.00,0.00,1500,0,0,0,0,0',
      '',
    ]);
  });

  it('gives ADMIN the breakdown by merchant and currency, names quoted as RFC 4180 wants', async () => {
    const text = await (await get({ from: '2026-10-31', to: '2026-11-01', timeZone: 'UTC', groupBy: 'MERCHANT,CURRENCY', statuses: 'PAID,CAPTURED,CREATED' }, server.adminKey)).text();
    const acmeId = encodeGlobalId('Merchant', acme.merchantId);
    const globexId = encodeGlobalId('Merchant', globex.merchantId);
    const whole = '2026-10-31T00:00:00.000Z,2026-11-02T00:00:00.000Z,2026-10-31,2026-10-31T00:00:00+00:00';
    expect(text.split('\r\n')).toEqual([
      'start,end,date,local_start,merchant_id,merchant_name,currency,created,captured,paid,cancelled,rejected,refunded,conversion_rate,' +
        'created_amount,captured_amount,paid_amount,cancelled_amount,rejected_amount,refunded_amount',
      `${whole},${acmeId},"Acme, ""the"" shop",EUR,1,1,1,0,0,0,1.0000,19.99,19.99,19.99,0.00,0.00,0.00`,
      `${whole},${acmeId},"Acme, ""the"" shop",JPY,1,0,0,0,0,0,0.0000,1500,0,0,0,0,0`,
      `${whole},${globexId},Globex,EUR,1,1,0,0,0,0,1.0000,42.00,42.00,0.00,0.00,0.00,0.00`,
      `${whole},${globexId},Globex,JPY,0,0,0,0,0,0,,0,0,0,0,0,0`,
      '',
    ]);
  });

  it('answers 401 without a key, 403 for what is ADMIN only, 400 naming each bad parameter', async () => {
    const anonymous = await get({ from: '2026-11-01', to: '2026-11-01' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const foreign = await get({ from: '2026-11-01', to: '2026-11-01', merchantId: encodeGlobalId('Merchant', globex.merchantId) }, acme.key);
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).not.toContain('42.00');
    expect((await get({ from: '2026-11-01', to: '2026-11-01', groupBy: 'MERCHANT' }, acme.key)).status).toBe(403);
    const bad: [Record<string, string>, RegExp][] = [
      [{ from: '2026-11-01', to: '2026-11-01', merchantId: 'x' }, /^merchantId: must be a Merchant id$/],
      [{ from: '2026-11-01', to: '2026-11-01', merchantId: encodeGlobalId('Merchant', '00000000-0000-4000-8000-000000000000') }, /^merchantId: no merchant has this id$/],
      [{}, /^from: .*\nto: /],
      [{ from: '2026-11-02', to: '2026-11-01' }, /^to: must not be before from$/],
      [{ from: '2026-11-01', to: '2026-11-01', groupBy: 'DAY,YEAR' }, /^groupBy: unknown YEAR/],
      [{ from: '2026-11-01', to: '2026-11-01', statuses: 'PAID,LOST' }, /^statuses: unknown LOST/],
      [{ from: '2026-11-01', to: '2026-11-01', currencies: 'EUR,euro' }, /^currencies\.1: euro is not/],
      [{ from: '2026-11-01', to: '2026-11-01', timeZone: 'Not/AZone' }, /^timeZone: /],
    ];
    for (const [query, message] of bad) {
      const response = await get(query, server.adminKey);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(await response.text(), JSON.stringify(query)).toMatch(message);
    }
  });

  it('refuses more lines than it serves before running the aggregate', async () => {
    // 744 hours x 6 statuses x 23 currencies = 102,672 lines.
    const response = await get({ from: '2026-01-01', to: '2026-01-31', timeZone: 'UTC', groupBy: 'HOUR,STATUS,CURRENCY', currencies: CURRENCY_CODES.slice(0, 23).join(',') }, server.adminKey);
    expect(response.status).toBe(400);
    expect(await response.text()).toBe('102672 lines, more than 100000: narrow the range or group by less');
  });
});

describe('npm run cli -- report:stats', () => {
  it.skipIf(TEST_DATABASE_URL === undefined)('prints the same CSV as the endpoint gives ADMIN', async () => {
    const query = { from: '2026-10-31', to: '2026-11-01', timeZone: 'America/New_York', groupBy: 'HOUR,MERCHANT' };
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'cli', '--', 'report:stats', ...Object.entries(query).flatMap(([name, value]) => [`--${name}`, value])],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: server.db.url ?? '', LOG_LEVEL: 'warn' } },
    );
    const fromHttp = await (await get(query, server.adminKey)).text();
    expect(stdout).toBe(fromHttp);
    // 24 + 25 hours, two merchants, and the header.
    expect(stdout.split('\r\n').filter(Boolean)).toHaveLength(49 * 2 + 1);
  }, 60_000);
});
