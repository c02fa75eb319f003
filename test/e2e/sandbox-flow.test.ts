import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateTransactionDocument, TransactionNotificationsDocument } from '../../src/client/operations.ts';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The whole flow of the domain (docs/DOMAIN.md) with no outside system: merchant creates a transaction, the consumer
// pays, cancels, is declined or leaves on the sandbox's Alipay page in a real browser (every ending of
// docs/ENDINGS.md), the sandbox notifies us like Alipay and the bank, the consumer lands on the merchant's return
// page through ours, and the sandbox's settlement plays the bank statement.
let server: TestServer;
let merchant: { merchantId: string; key: string };
let shop: Server;
let shopUrl: string;
let browser: TestBrowser;

async function start(): Promise<void> {
  browser = await launchBrowser();
  // Every notification delivered twice, as Alipay sometimes does: the duplicate must change nothing.
  server = await startTestServer({ SANDBOX_REDELIVERY_RATE: '1', SANDBOX_CNY_RATES: 'EUR:7.8123' });
  merchant = await server.createMerchant('Tea House');
  // The merchant's own site, where returnUrl points.
  shop = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Tea House</title><h1 id="thanks">Thank you for your order</h1><p id="path">${request.url?.replace(/[<>&"]/g, '') ?? ''}</p>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as { port: number }).port}`;
}

async function stop(): Promise<void> {
  await browser?.close();
  await new Promise<void>((resolve) => (shop ? shop.close(() => resolve()) : resolve()));
  await server?.close();
}

async function createTransaction(reference: string, value: string) {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: reference, amount: { value, currency: 'EUR' }, returnUrl: `${shopUrl}/return?order=${reference}` } },
    merchant.key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  return payload.transaction;
}

async function adminView(id: string) {
  const result = await server.execute(TransactionNotificationsDocument, { id }, server.adminKey);
  if (!result.data?.transaction) throw new Error(JSON.stringify(result));
  return result.data.transaction;
}

/** The merchant's return page as Paystream sends the consumer there: its own query, then the id and current status. */
function merchantReturn(reference: string, transactionId: string, status: string): string {
  return `${shopUrl}/return?order=${reference}&${new URLSearchParams({ transactionId, status })}`;
}

async function openGateway(redirectUrl: string): Promise<Page> {
  const page = await browser.context.newPage();
  const response = await page.goto(redirectUrl);
  expect(response?.status()).toBe(200);
  return page;
}

describeInBrowser('the sandbox flow in a browser', () => {
  beforeAll(start, 60_000);
  afterAll(stop);

  let paidId: string;

  it('shows the amount in CNY, pays, notifies us like Alipay and returns the consumer to the merchant', async () => {
    const transaction = await createTransaction('tea-1', '19.99');
    expect(transaction.redirectUrl).toContain(`${server.url}/sandbox/alipay/gateway?`);
    const page = await openGateway(transaction.redirectUrl ?? '');
    // 19.99 EUR at 7.8123 = 156.167877 CNY, shown rounded to the fen.
    await expect.poll(() => page.getByTestId('cny-amount').textContent()).toBe('¥156.17 CNY');
    expect(await page.getByTestId('amount').textContent()).toBe('19.99 EUR');
    // Our text, not the merchant's: no merchant text goes into a signed value (#13.2).
    expect(await page.getByTestId('subject').textContent()).toMatch(/^Payment [0-9a-f-]{36}$/);

    // Alipay returns the consumer to our return link, which sends them on to the merchant's returnUrl.
    await Promise.all([page.waitForURL(merchantReturn('tea-1', transaction.id, 'CAPTURED')), page.getByRole('button', { name: 'Pay', exact: true }).click()]);
    expect(await page.locator('#thanks').textContent()).toBe('Thank you for your order');
    await page.close();

    const view = await adminView(transaction.id);
    expect(view.status).toBe('CAPTURED');
    expect(view.providerReference).toMatch(/^2026\d{18}$/);
    expect(view.events.map((event) => [event.sequence, event.status, event.source])).toEqual([
      [1, 'CREATED', 'MERCHANT_API'],
      [2, 'REDIRECTED', 'MERCHANT_API'],
      [3, 'CAPTURED', 'PROVIDER_NOTIFICATION'],
    ]);
    // One notification, delivered twice (the sandbox's redelivery), applied once.
    expect(view.notifications).toHaveLength(1);
    expect(view.notifications[0]).toMatchObject({ sender: 'ALIPAY', eventType: 'TRADE_SUCCESS', outcome: 'APPLIED', deliveries: 2, amount: { value: '19.99', currency: 'EUR' } });
    paidId = transaction.id;
  }, 60_000);

  it('the consumer cancels: CANCELLED by the consumer, the merchant told so; Alipay closing the trade later confirms it', async () => {
    const transaction = await createTransaction('tea-2', '5.00');
    const page = await openGateway(transaction.redirectUrl ?? '');
    await Promise.all([page.waitForURL(merchantReturn('tea-2', transaction.id, 'CANCELLED')), page.getByRole('button', { name: 'Cancel', exact: true }).click()]);
    await page.close();
    const view = await adminView(transaction.id);
    expect(view).toMatchObject({ status: 'CANCELLED', statusReason: 'CANCELLED_BY_CONSUMER' });
    expect(view.events.at(-1)).toMatchObject({ status: 'CANCELLED', previousStatus: 'REDIRECTED', source: 'CONSUMER' });
    expect(view.notifications).toEqual([]);

    // Alipay's timeout close, played from the abandon page's form (the same signed trade): a confirmation only.
    const closing = await openGateway(transaction.redirectUrl ?? '');
    await closing.getByRole('button', { name: 'Leave (abandon)' }).click();
    await closing.getByRole('button', { name: /Close the trade now/ }).click();
    expect(await closing.getByTestId('closed').textContent()).toBe('Trade closed');
    await closing.close();
    const confirmed = await adminView(transaction.id);
    expect(confirmed.status).toBe('CANCELLED');
    expect(confirmed.events).toHaveLength(3);
    expect(confirmed.notifications.map((row) => [row.eventType, row.outcome])).toEqual([['TRADE_CLOSED', 'NO_OP']]);
  }, 60_000);

  it('the consumer leaves without paying: nothing comes back; Alipay\'s timeout close makes it REJECTED, TRADE_CLOSED', async () => {
    const transaction = await createTransaction('tea-4', '7.00');
    const page = await openGateway(transaction.redirectUrl ?? '');
    await page.getByRole('button', { name: 'Leave (abandon)' }).click();
    expect(page.url()).toBe(`${server.url}/sandbox/alipay/abandon`);
    expect((await adminView(transaction.id)).status).toBe('REDIRECTED');
    await page.getByRole('button', { name: /Close the trade now/ }).click();
    expect(await page.getByTestId('closed').textContent()).toBe('Trade closed');
    await page.close();
    const view = await adminView(transaction.id);
    expect(view).toMatchObject({ status: 'REJECTED', statusReason: 'TRADE_CLOSED' });
    expect(view.events.at(-1)).toMatchObject({ status: 'REJECTED', previousStatus: 'REDIRECTED', source: 'PROVIDER_NOTIFICATION' });
  }, 60_000);

  it('a payment declined by the bank: REJECTED with reason DECLINED, the merchant told so', async () => {
    const transaction = await createTransaction('tea-5', '8.00');
    const page = await openGateway(transaction.redirectUrl ?? '');
    await Promise.all([
      page.waitForURL(merchantReturn('tea-5', transaction.id, 'REJECTED')),
      page.getByRole('button', { name: 'Declined by the bank' }).click(),
    ]);
    await page.close();
    const view = await adminView(transaction.id);
    expect(view).toMatchObject({ status: 'REJECTED', statusReason: 'DECLINED' });
    expect(view.events.at(-1)).toMatchObject({ status: 'REJECTED', previousStatus: 'REDIRECTED', source: 'PROVIDER_NOTIFICATION' });
    expect(view.notifications.map((row) => [row.sender, row.eventType, row.outcome])).toEqual([['SIGNED_EVENT', 'payment.rejected', 'APPLIED']]);
  }, 60_000);

  it('settles captured transactions with the ADMIN key typed in: PAID with source SETTLEMENT, and settling again changes nothing', async () => {
    const page = await browser.context.newPage();
    // Without a key the page shows no figures, only the form asking for the ADMIN key.
    expect((await page.goto(`${server.url}/sandbox/alipay/settlement`))?.status()).toBe(401);
    expect(await page.locator('table').count()).toBe(0);
    await page.getByLabel('ADMIN API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('tbody').textContent()).toContain('EUR');
    await page.getByLabel('ADMIN API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Settle all' }).click();
    expect(await page.getByTestId('settlement-result').textContent()).toContain('Settled 1 transaction(s)');
    expect(await page.locator('tbody').textContent()).toContain('Nothing awaiting settlement');

    const view = await adminView(paidId);
    expect(view.status).toBe('PAID');
    expect(view.events.at(-1)).toMatchObject({ sequence: 4, status: 'PAID', previousStatus: 'CAPTURED', source: 'SETTLEMENT' });
    expect(view.notifications.map((row) => [row.sender, row.eventType, row.outcome])).toEqual([
      ['ALIPAY', 'TRADE_SUCCESS', 'APPLIED'],
      ['SIGNED_EVENT', 'payment.paid', 'APPLIED'],
    ]);

    await page.getByLabel('ADMIN API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Settle all' }).click();
    expect(await page.getByTestId('settlement-result').textContent()).toContain('Settled 0 transaction(s)');
    expect((await adminView(paidId)).events).toHaveLength(4);
    await page.close();
  }, 60_000);

  it('refuses a redirect whose parameters were changed after signing, as Alipay would', async () => {
    const transaction = await createTransaction('tea-3', '12.00');
    const tampered = new URL(transaction.redirectUrl ?? '');
    tampered.searchParams.set('total_fee', '0.01');
    const page = await browser.context.newPage();
    const response = await page.goto(tampered.toString());
    expect(response?.status()).toBe(400);
    expect(await page.getByTestId('error-code').textContent()).toBe('ILLEGAL_SIGN');
    expect(await page.getByRole('button', { name: 'Pay', exact: true }).count()).toBe(0);
    await page.close();
    expect((await adminView(transaction.id)).status).toBe('REDIRECTED');
  }, 60_000);
});
