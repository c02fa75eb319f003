import type { Socket } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia } from '../support/subscriptions.ts';

// The console's pages in Debian's Chromium against the real server and its Alipay sandbox: a payment made on the
// sandbox's page shows up live, then in the list, the filter and the detail; a merchant sees nothing of another.

describeInBrowser('the console pages in a browser', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let shop: { merchantId: string; key: string };
  let other: { merchantId: string; key: string };
  /** Upgraded sockets, so a test can drop the console's live connection from the server side. */
  const sockets = new Set<Socket>();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    server.app.server.on('upgrade', (_request, socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    browser = await launchBrowser();
    shop = await server.createMerchant('Tea House');
    other = await server.createMerchant('Other Shop');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function consoleAs(key: string, view = ''): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('WebSocket')) pageErrors.push(message.text());
    });
    // The browser profile is shared between tests: start signed out.
    await browser.context.clearCookies();
    await page.goto(`${server.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Signed in, the console opens its first page; then go where the test wants.
    await page.waitForURL(/#\/live/);
    if (view !== '') await page.goto(`${server.url}/console#/${view}`);
    return page;
  }

  /** Pays a transaction on the sandbox's Alipay page, as a consumer would. */
  async function payOnSandbox(transaction: { id: string; redirectUrl?: string | null }): Promise<void> {
    const gateway = await browser.context.newPage();
    await gateway.goto(transaction.redirectUrl ?? '');
    // The consumer ends on the merchant's (unreachable) return page: the capture is what matters here.
    await gateway.getByRole('button', { name: 'Pay' }).click({ noWaitAfter: true });
    await expect
      .poll(async () => (await server.graphql<{ transaction: { status: string } }>('query($id: ID!) { transaction(id: $id) { status } }', { id: transaction.id })).data?.transaction.status)
      .toBe('CAPTURED');
    await gateway.close();
  }

  const feedRows = (page: Page, reference: string) => page.locator('table.feed tbody tr', { hasText: reference });

  let paidId: string;

  it('shows a payment made on the sandbox live, with counters per status, and resumes after a dropped connection', async () => {
    const page = await consoleAs(server.adminKey, 'live');
    await page.locator('[data-connection="live"]').waitFor();
    const transaction = await createTransactionVia(server, shop.key, 'tea-live-1');
    await payOnSandbox(transaction);
    paidId = transaction.id;
    await expect.poll(() => feedRows(page, 'tea-live-1').count()).toBe(3);
    expect(await feedRows(page, 'tea-live-1').first().textContent()).toContain('CAPTURED');
    expect(await feedRows(page, 'tea-live-1').first().textContent()).toContain('Tea House');
    expect(await page.locator('[data-status="CAPTURED"] .value').textContent()).toBe('1');

    // The connection drops; what happens meanwhile arrives once the console is back, once each.
    for (const socket of sockets) socket.destroy();
    await createTransactionVia(server, shop.key, 'tea-live-2');
    await page.locator('[data-connection="live"]').waitFor();
    await expect.poll(() => feedRows(page, 'tea-live-2').count()).toBe(2);
    await createTransactionVia(server, shop.key, 'tea-live-3');
    await expect.poll(() => feedRows(page, 'tea-live-3').count()).toBe(2);
    expect(await page.getByTestId('received').textContent()).toBe('7');
    expect(await page.locator('[data-status="CREATED"] .value').textContent()).toBe('3');
    await page.close();
  }, 60_000);

  it('filters transactions, opens the detail with its timeline and notifications, and cancels', async () => {
    const page = await consoleAs(server.adminKey, 'transactions');
    await page.getByTestId('total').waitFor();
    expect(await page.getByTestId('total').textContent()).toBe('3 transactions');
    await page.getByLabel('Status').selectOption('CAPTURED');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('1 transaction');
    expect(page.url()).toContain('status=CAPTURED');
    await page.getByRole('link', { name: 'tea-live-1' }).click();
    await page.getByRole('table', { name: 'Timeline' }).waitFor();
    expect(await page.getByTestId('amount').textContent()).toBe('10.00 EUR');
    const timeline = await page.getByRole('table', { name: 'Timeline' }).textContent();
    expect(timeline).toContain('MERCHANT_API');
    expect(timeline).toContain('PROVIDER_NOTIFICATION');
    expect(await page.getByRole('table', { name: 'Notifications' }).textContent()).toContain('APPLIED');

    await page.goto(`${server.url}/console#/transactions?reference=tea-live-2`);
    await page.getByRole('link', { name: 'tea-live-2' }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel transaction' }).click();
    await page.getByText('Cancelled.').waitFor();
    await expect.poll(() => page.locator('h1 .status').textContent()).toBe('CANCELLED');
    // Still said once the page has reloaded the transaction, which leaves no action to show.
    expect(await page.getByText('Cancelled.').isVisible()).toBe(true);
    await page.close();
  }, 60_000);

  it('shows the daily report with its funnel, volumes per hour and the breakdown per merchant', async () => {
    const page = await consoleAs(server.adminKey, 'reports?timeZone=UTC');
    await page.getByRole('figure', { name: 'Conversion funnel' }).waitFor();
    expect(await page.getByRole('figure', { name: 'Conversion funnel' }).textContent()).toMatch(/created\s*3/);
    // uPlot draws the hourly chart on a canvas, loaded on demand.
    await page.locator('.chart canvas').first().waitFor();
    expect(await page.getByRole('table', { name: 'Volumes per hour' }).textContent()).toContain('30.00 EUR');
    expect(await page.getByRole('table', { name: 'Per merchant' }).textContent()).toContain('Tea House');
    await page.close();
  }, 60_000);

  it('lets ADMIN resolve an open anomaly, read the notification outcomes and create a merchant', async () => {
    const transactionId = Buffer.from(paidId, 'base64').toString('utf8').split(':')[1] ?? '';
    await server.db.prisma.anomaly.create({ data: { kind: 'AMOUNT_MISMATCH', transactionId, detail: 'notified 11.00 EUR, expected 10.00 EUR' } });
    const page = await consoleAs(server.adminKey, 'operations');
    const anomalies = page.getByRole('table', { name: 'Open anomalies' });
    await anomalies.waitFor();
    expect(await anomalies.textContent()).toContain('tea-live-1 (Tea House)');
    await anomalies.getByPlaceholder('What was done').fill('amount confirmed with Alipay');
    await anomalies.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('No open anomaly').waitFor();
    expect((await server.db.prisma.anomaly.findFirstOrThrow({ where: { transactionId } })).resolution).toBe('amount confirmed with Alipay');
    expect(await page.getByRole('table', { name: 'Notification outcomes' }).textContent()).toContain('APPLIED');
    await page.getByRole('textbox', { name: 'New merchant' }).fill('Fresh Shop');
    await page.getByRole('button', { name: 'Create' }).click();
    expect(await page.getByRole('status').filter({ hasText: 'Fresh Shop created' }).textContent()).toMatch(/psk_/);
    await page.close();
  }, 60_000);

  it('a merchant session sees only its merchant: lists, live feed and edited URLs', async () => {
    await createTransactionVia(server, other.key, 'other-1');
    const page = await consoleAs(other.key, 'transactions');
    await page.getByTestId('total').waitFor();
    expect(await page.getByTestId('total').textContent()).toBe('1 transaction');
    expect(await page.locator('main').textContent()).not.toContain('tea-live');
    // Another merchant's transaction by URL: exactly like one that does not exist.
    await page.goto(`${server.url}/console#/transactions/${paidId}`);
    await page.getByText('No transaction with this id').waitFor();
    expect(await page.locator('main').textContent()).not.toContain('tea-live-1');
    // An ADMIN-only merchant filter in the URL changes nothing for a merchant.
    await page.goto(`${server.url}/console#/transactions?merchant=${encodeURIComponent(paidId)}`);
    await page.getByTestId('total').waitFor();
    expect(await page.getByTestId('total').textContent()).toBe('1 transaction');
    await page.goto(`${server.url}/console#/live`);
    await page.locator('[data-connection="live"]').waitFor();
    await createTransactionVia(server, shop.key, 'tea-hidden');
    await createTransactionVia(server, other.key, 'other-2');
    await expect.poll(() => feedRows(page, 'other-2').count()).toBe(2);
    expect(await feedRows(page, 'tea-hidden').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('lets ADMIN narrow every page to one merchant with the header’s filter', async () => {
    const page = await consoleAs(server.adminKey, 'transactions');
    await page.getByTestId('total').waitFor();
    const all = Number((await page.getByTestId('total').textContent())?.split(' ')[0]);
    await page.locator('.merchant-filter select').selectOption({ label: 'Other Shop' });
    await expect.poll(() => page.getByTestId('total').textContent()).toBe('2 transactions');
    expect(all).toBeGreaterThan(2);
    expect(await page.locator('main table').textContent()).not.toContain('Tea House');
    // The filter stays with the merchant across pages (it is in the URL).
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('figure', { name: 'Conversion funnel' }).waitFor();
    expect(await page.getByRole('figure', { name: 'Conversion funnel' }).textContent()).toMatch(/created\s*2/);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
