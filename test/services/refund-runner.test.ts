import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StuckRefundsDocument } from '../../src/client/operations.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { callDueRefunds, startRefundRunner, type RefundRunnerDeps } from '../../src/services/refund-runner.ts';
import { refundTransaction } from '../../src/services/refunds.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

/**
 * The refund runner against the built-in sandbox gateway, over real HTTP: each outcome a developer can choose, the
 * retries with the same out_return_no, one caller per refund, and a refund left behind by a dead caller.
 * Due times are moved by hand (no sleeping): a test says "it is due now" and runs a round.
 */

let server: TestServer;
let deps: RefundRunnerDeps;
let merchantId: string;
const CALL_TIMEOUT_MS = 400;

beforeAll(async () => {
  server = await startTestServer({
    REFUND_CALL_TIMEOUT_MS: String(CALL_TIMEOUT_MS),
    REFUND_RECHECK_AFTER_SECONDS: '600',
    REFUND_RECHECK_LIMIT: '3',
    SANDBOX_REDELIVERY_RATE: '0',
  });
  // The sandbox's success notifications go nowhere here: these tests follow the calls alone (refund-flow.test.ts
  // follows whole refunds, notifications included).
  deps = { db: server.db, config: server.config, logger: createLogger('silent'), alipay: () => ({ ...server.alipay, notifyUrl: 'http://127.0.0.1:9/notify' }) };
  merchantId = (await server.createMerchant('Runner')).merchantId;
});
afterAll(() => server?.close());

async function requested(reason: string, value = '20.00'): Promise<string> {
  const created = await createTransaction(
    { db: server.db, config: server.config, alipay: server.alipay },
    merchantId,
    { merchantReference: 'runner', amount: { value, currency: 'EUR' }, returnUrl: 'https://shop.example/return' },
  );
  await transition(server.db, { transactionId: created.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  const refund = await refundTransaction(server.db, { role: 'MERCHANT', apiKeyId: 'runner', merchantId }, { transactionId: created.id, reason });
  return refund.id;
}

const read = (id: string) => server.db.prisma.refund.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } });
const dueNow = (id: string) => server.db.prisma.refund.update({ where: { id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
const round = () => callDueRefunds(deps);

describe('the refund runner', () => {
  it('calls for a new refund at once and, once Alipay accepted it, asks again only after the recheck age', async () => {
    const id = await requested('changed their mind');
    const before = Date.now();
    await round();
    const refund = await read(id);
    expect(refund).toMatchObject({ status: 'REQUESTED', attempts: 1, lastAttemptError: null, stuckAt: null });
    expect(refund.acceptedAt).not.toBeNull();
    expect(refund.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 600_000);
    await round();
    expect((await read(id)).attempts).toBe(1);
  });

  it('failure: accepted, never notified, revealed by asking again: FAILED with Alipay’s code, in the history', async () => {
    const id = await requested('sandbox:failure');
    await round();
    expect(await read(id)).toMatchObject({ status: 'REQUESTED', attempts: 1 });
    await dueNow(id);
    await round();
    const refund = await read(id);
    expect(refund).toMatchObject({ status: 'FAILED', failureCode: 'REFUND_FAILED', attempts: 2, nextAttemptAt: null });
    expect(refund.events.map((event) => [event.kind, event.source, event.reason])).toEqual([
      ['REFUND_REQUESTED', 'MERCHANT_API', null],
      ['REFUND_FAILED', 'SYSTEM', 'REFUND_FAILED'],
    ]);
    const transaction = await server.db.prisma.transaction.findUniqueOrThrow({ where: { id: refund.transactionId } });
    expect(transaction).toMatchObject({ refundPendingMinor: 0n, refundedMinor: 0n });
  });

  it('insufficient merchant funds: retried with the same out_return_no after a backoff, then accepted', async () => {
    const id = await requested('sandbox:insufficient-funds');
    const before = Date.now();
    await round();
    const first = await read(id);
    expect(first).toMatchObject({ status: 'REQUESTED', attempts: 1, acceptedAt: null, lastAttemptError: 'SELLER_BALANCE_NOT_ENOUGH' });
    expect(first.nextAttemptAt!.getTime() - before).toBeGreaterThanOrEqual(1000);
    expect(first.nextAttemptAt!.getTime() - before).toBeLessThan(60_000);
    await dueNow(id);
    await round();
    const second = await read(id);
    expect(second).toMatchObject({ status: 'REQUESTED', attempts: 2, lastAttemptError: null });
    expect(second.acceptedAt).not.toBeNull();
  });

  it('timeout: the call is given up after REFUND_CALL_TIMEOUT_MS and repeated; the sandbox refunds once', async () => {
    const id = await requested('sandbox:timeout');
    const started = Date.now();
    await round();
    expect(Date.now() - started).toBeGreaterThanOrEqual(CALL_TIMEOUT_MS);
    expect(await read(id)).toMatchObject({ status: 'REQUESTED', attempts: 1, acceptedAt: null, lastAttemptError: `no answer within ${CALL_TIMEOUT_MS} ms` });
    await dueNow(id);
    await round();
    expect(await read(id)).toMatchObject({ status: 'REQUESTED', attempts: 2, lastAttemptError: null });
  });

  it('one caller per refund: concurrent rounds (instances) never call for the same refund twice', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, index) => requested(`batch ${index}`, '3.00')));
    const rounds = await Promise.all([round(), round(), round()]);
    expect(rounds.reduce((sum, result) => sum + result.called, 0)).toBe(20);
    for (const id of ids) expect((await read(id)).attempts, id).toBe(1);
  });

  it('picks up a refund whose caller died mid-call once the lease ends (a restart)', async () => {
    const id = await requested('sandbox:insufficient-funds');
    // A caller claimed it and died: attempts counted, the lease ran out, no answer recorded.
    await server.db.prisma.refund.update({ where: { id }, data: { attempts: 1, nextAttemptAt: new Date(Date.now() - 1) } });
    await round();
    // The sandbox sees the first call of this out_return_no (the dead one never reached it).
    expect(await read(id)).toMatchObject({ attempts: 2, lastAttemptError: 'SELLER_BALANCE_NOT_ENOUGH' });
  });

  it('marks a refund REQUESTED past the recheck age x limit as stuck, and keeps asking', async () => {
    const id = await requested('sandbox:insufficient-funds');
    await server.db.prisma.refund.update({ where: { id }, data: { requestedAt: new Date(Date.now() - 3 * 600_000) } });
    await round();
    const refund = await read(id);
    expect(refund.stuckAt).not.toBeNull();
    expect(refund.nextAttemptAt).not.toBeNull();
    // ADMIN sees it, with how the calls went; a merchant key may not ask.
    const stuck = await server.execute(StuckRefundsDocument, {}, server.adminKey);
    expect(stuck.data?.stuckRefunds.edges.map((edge) => [edge.node.id, edge.node.attempts, edge.node.lastAttemptError])).toEqual([
      [encodeGlobalId('Refund', id), 1, 'SELLER_BALANCE_NOT_ENOUGH'],
    ]);
    const merchantKey = (await server.createMerchant('Nosy')).key;
    expect((await server.execute(StuckRefundsDocument, {}, merchantKey)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('an unreachable gateway is a retry, not a failure', async () => {
    const id = await requested('gateway down');
    await callDueRefunds({ ...deps, alipay: () => ({ ...deps.alipay(), gatewayUrl: 'http://127.0.0.1:9/gateway.do' }) });
    expect(await read(id)).toMatchObject({ status: 'REQUESTED', attempts: 1, acceptedAt: null, lastAttemptError: expect.stringMatching(/^network: /) });
  });

  it('started beside the server, calls as soon as this process records a refund (not at the next poll)', async () => {
    const runner = startRefundRunner({ ...deps, config: { ...server.config, refunds: { ...server.config.refunds, runnerIntervalMs: 600_000 } } });
    try {
      const id = await requested('right away');
      await waitFor(async () => (await read(id)).acceptedAt !== null, 'the runner to call for the refund');
    } finally {
      await runner?.stop();
    }
  });
});
