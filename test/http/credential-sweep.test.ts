import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createCredentialSweep } from '../../src/http/credential-sweep.ts';
import { createLogger } from '../../src/logger.ts';
import { createMerchant, revokeApiKey } from '../../src/services/merchants.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let unreachable: Database;
beforeAll(async () => {
  db = await createTestDatabase();
  // Port 1 on loopback: connection refused, every time.
  unreachable = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/test', dataDir: 'memory://', poolSize: 1 });
});
afterAll(async () => {
  await unreachable?.close();
  await db?.drop();
});

it('ends the connections of a revoked key, once, and keeps those of valid keys', async () => {
  const revoked = await createMerchant(db, 'Revoked');
  const valid = await createMerchant(db, 'Valid');
  const sweep = createCredentialSweep({ db, logger: createLogger('silent') });
  const ended: string[] = [];
  sweep.track(`Bearer ${revoked.secret}`, () => ended.push('revoked socket'));
  sweep.track(`Bearer ${revoked.secret}`, () => ended.push('revoked stream'));
  sweep.track(`Bearer ${valid.secret}`, () => ended.push('valid socket'));
  const untracked = sweep.track(`Bearer ${revoked.secret}`, () => ended.push('already closed'));
  untracked();

  await sweep.sweep();
  expect(ended).toEqual([]);
  await revokeApiKey(db, revoked.apiKey.id);
  await sweep.sweep();
  expect(ended.sort()).toEqual(['revoked socket', 'revoked stream']);
  await sweep.sweep();
  expect(ended).toHaveLength(2);
});

it('changes nothing while the database cannot be reached (an outage must not cut every subscriber)', async () => {
  const sweep = createCredentialSweep({ db: unreachable, logger: createLogger('silent') });
  const ended: string[] = [];
  sweep.track('Bearer psk_some_key_that_cannot_be_checked_now', () => ended.push('cut'));
  await sweep.sweep();
  expect(ended).toEqual([]);
});

it('checks every open key in one statement, against the database rather than the cache', async () => {
  const statements: string[] = [];
  const counted = await createTestDatabase({ onQuery: (sql) => statements.push(sql) });
  try {
    const merchants = await Promise.all(Array.from({ length: 30 }, (_, index) => createMerchant(counted, `Sweep ${index}`)));
    const sweep = createCredentialSweep({ db: counted, logger: createLogger('silent') });
    const ended: string[] = [];
    for (const { secret } of merchants) sweep.track(`Bearer ${secret}`, () => ended.push(secret));
    // Revoked behind this process's back (another instance, or by hand): no cache is cleared.
    const revoked = merchants[7] as (typeof merchants)[number];
    await counted.prisma.apiKey.update({ where: { id: revoked.apiKey.id }, data: { revokedAt: new Date() } });
    statements.length = 0;
    await sweep.sweep();
    expect(statements).toHaveLength(1);
    expect(ended).toEqual([revoked.secret]);
  } finally {
    await counted.drop();
  }
});
