import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { insertTransaction } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * transactionStats leaks by numbers, not by names: the tenant sweep's markers (ids, names, references) cannot see
 * another merchant's amounts inside a sum. Here the victim's amounts are unique primes and the attacker asks every
 * way it can (each grouping, each filter, GraphQL and CSV): its figures must be exactly its own, and ADMIN's must
 * include the victim's (so the oracle can fail).
 */

let server: TestServer;
let victim: { merchantId: string; key: string };
let attacker: { merchantId: string; key: string };
const VICTIM_AMOUNT = '7919.03'; // 791903 minor units of EUR
const FIELDS = 'rows { created captured paid cancelled rejected merchant { id } amounts { created { value } captured { value } paid { value } } }';

beforeAll(async () => {
  server = await startTestServer();
  victim = await server.createMerchant('Victim');
  attacker = await server.createMerchant('Attacker');
  const at = '2026-05-05T10:00:00Z';
  await insertTransaction(server.db, { merchantId: victim.merchantId, createdAt: at, amountMinor: 791_903n, currency: 'EUR', history: [{ status: 'PAID', at }] });
  await insertTransaction(server.db, { merchantId: attacker.merchantId, createdAt: at, amountMinor: 100n, currency: 'EUR', history: [{ status: 'PAID', at }] });
});
afterAll(() => server?.close());

const groupings = ['[]', '[DAY]', '[HOUR]', '[WEEK, STATUS]', '[MONTH, CURRENCY]', '[STATUS, CURRENCY]'];

const ask = (key: string, groupBy: string, filter = '') =>
  server.graphql(`{ transactionStats(from: "2026-05-05", to: "2026-05-05", groupBy: ${groupBy}${filter}) { ... on TransactionStats { ${FIELDS} } } }`, {}, key);

describe('transactionStats tenant isolation', () => {
  it.each(groupings)('groupBy %s: a merchant sees only its own figures', async (groupBy) => {
    const response = await ask(attacker.key, groupBy);
    expect(response.errors).toBeUndefined();
    const text = JSON.stringify(response.data);
    expect(text).not.toContain(VICTIM_AMOUNT);
    expect(text).not.toContain('7920.03'); // the two amounts summed
    const rows = (response.data as { transactionStats: { rows: { created: number }[] } }).transactionStats.rows;
    expect(rows.reduce((total, row) => total + row.created, 0)).toBe(1);
    // The oracle: ADMIN, asking the same, does see the victim's money.
    expect(JSON.stringify((await ask(server.adminKey, groupBy)).data)).toMatch(/7919\.03|7920\.03/);
  });

  it('a merchant cannot name another merchant or break down by merchant, over GraphQL or CSV', async () => {
    const foreign = await ask(attacker.key, '[DAY]', `, filter: { merchantId: "${encodeGlobalId('Merchant', victim.merchantId)}" }`);
    expect(foreign.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(foreign)).not.toContain(VICTIM_AMOUNT);
    const byMerchant = await ask(attacker.key, '[MERCHANT]');
    expect(byMerchant.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
    for (const query of [`merchantId=${encodeURIComponent(encodeGlobalId('Merchant', victim.merchantId))}`, 'groupBy=MERCHANT', 'groupBy=DAY,CURRENCY']) {
      const response = await fetch(`${server.url}/reports/stats.csv?from=2026-05-05&to=2026-05-05&${query}`, { headers: { authorization: `Bearer ${attacker.key}` } });
      const text = await response.text();
      expect(text, query).not.toContain(VICTIM_AMOUNT);
      expect(text, query).not.toContain('Victim');
      if (query === 'groupBy=DAY,CURRENCY') expect(text).toContain(',1.00,'); // its own 100 minor units
      else expect(response.status, query).toBe(403);
    }
  });
});
