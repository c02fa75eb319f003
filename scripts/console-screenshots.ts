import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { EVENTS_CHANNEL } from '../src/db/sql/events.ts';
import { seedTransactions, type SeedStep, type SeedTransaction } from '../src/db/sql/seed.ts';
import { encodeGlobalId } from '../src/domain/ids.ts';
import { createApiKey } from '../src/services/merchants.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { buildConsoleIfStale } from '../test/support/console-build.ts';
import { startTestServer, type TestServer } from '../test/support/server.ts';
import { createTransactionVia } from '../test/support/subscriptions.ts';

/**
 * Screenshots of the console's main pages for docs/CONSOLE.md and the README (`npm run console:screenshots`):
 * a server of its own with a made-up day of payments (three merchants, every status, refunds, a payment made on
 * the Alipay sandbox's page, an open anomaly, a merchant's keys), an ADMIN session in Debian's Chromium, 1280x800
 * PNGs into docs/console/.
 */

const OUT = join(import.meta.dirname, '..', 'docs', 'console');
const VIEWPORT = { width: 1280, height: 800 };

const MERCHANTS = ['Tea House', 'Harbour Books', 'Alpine Outfitters'];
const PRODUCTS = ['order', 'cart', 'invoice'];
const AMOUNTS = [1250n, 4990n, 899n, 15000n, 2375n, 6420n, 399n, 11880n];

/** The path of the n-th made-up transaction: most are paid, some rejected, cancelled or still open. */
function historyOf(index: number, at: Date): SeedStep[] {
  const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000);
  switch (index % 7) {
    case 0:
      return [{ status: 'REDIRECTED', at: later(0) }];
    case 1:
      return [{ status: 'REDIRECTED', at: later(0) }, { status: 'REJECTED', at: later(2), reason: 'TRADE_CLOSED' }];
    case 2:
      return [{ status: 'REDIRECTED', at: later(0) }, { status: 'CANCELLED', at: later(1), reason: 'CANCELLED_BY_CONSUMER', source: 'CONSUMER' }];
    case 3:
      return [{ status: 'REDIRECTED', at: later(0) }, { status: 'CAPTURED', at: later(1) }];
    default:
      return [{ status: 'REDIRECTED', at: later(0) }, { status: 'CAPTURED', at: later(1) }, { status: 'PAID', at: later(3) }];
  }
}

async function madeUpDay(server: TestServer, merchantIds: string[]): Promise<void> {
  const now = Date.now();
  const seeds: SeedTransaction[] = [];
  for (let index = 0; index < 60; index += 1) {
    // Spread over the last ten hours, today (UTC) where possible.
    const createdAt = new Date(now - ((index * 613) % 600) * 60_000 - 5 * 60_000);
    const merchantId = merchantIds[index % merchantIds.length] ?? '';
    const history = historyOf(index, createdAt);
    const paid = history.at(-1)?.status === 'PAID';
    seeds.push({
      merchantId,
      merchantReference: `${PRODUCTS[index % PRODUCTS.length]}-${1040 + index}`,
      amountMinor: AMOUNTS[index % AMOUNTS.length],
      currency: index % 5 === 0 ? 'USD' : 'EUR',
      createdAt,
      history,
      refunds: paid && index % 3 === 0 && (AMOUNTS[index % AMOUNTS.length] ?? 0n) > 500n ? [{ amountMinor: 250n, reason: 'damaged item' }] : [],
    });
  }
  await seedTransactions(server.db.sql, seeds);
}

/** Pays a transaction on the sandbox's Alipay page, as a consumer would: a notification arrives for it. */
async function payOnSandbox(page: Page, server: TestServer, transaction: { id: string; redirectUrl?: string | null }): Promise<void> {
  await page.goto(transaction.redirectUrl ?? '');
  await page.getByRole('button', { name: 'Pay', exact: true }).click({ noWaitAfter: true });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const answer = await server.graphql<{ transaction: { status: string } }>('query($id: ID!) { transaction(id: $id) { status } }', { id: transaction.id });
    if (answer.data?.transaction.status === 'CAPTURED') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the sandbox payment was not captured');
}

buildConsoleIfStale();
mkdirSync(OUT, { recursive: true });
const server = await startTestServer();
const browser = await launchBrowser();
try {
  const merchants = [];
  for (const name of MERCHANTS) merchants.push(await server.createMerchant(name));
  const [tea] = merchants;
  if (!tea) throw new Error('no merchant');
  await madeUpDay(
    server,
    merchants.map((merchant) => merchant.merchantId),
  );
  // A payment through the sandbox (notifications on its detail page), and an anomaly for Operations.
  const page = await browser.context.newPage();
  await page.setViewportSize(VIEWPORT);
  const paid = await createTransactionVia(server, tea.key, 'order-1100');
  await payOnSandbox(page, server, paid);
  const paidId = Buffer.from(paid.id, 'base64').toString('utf8').split(':')[1] ?? '';
  await server.db.prisma.anomaly.create({ data: { kind: 'AMOUNT_MISMATCH', transactionId: paidId, detail: 'notified 12.50 EUR, expected 10.00 EUR' } });
  // Tea House's keys: a read-only one for its reporting, a publishable one for its shop.
  await createApiKey(server.db, 'MERCHANT_READ_ONLY', tea.merchantId);
  await createApiKey(server.db, 'PUBLISHABLE', tea.merchantId);

  await page.goto(`${server.url}/console`);
  await page.getByLabel('API key').fill(server.adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-connection="live"]').waitFor();

  /** The top of the page, `height` pixels of it (the Reports page's chart is below the first screen). */
  const shoot = async (file: string, height = VIEWPORT.height) => {
    await page.screenshot({ path: join(OUT, file), fullPage: true, clip: { x: 0, y: 0, width: VIEWPORT.width, height } });
    console.log(`docs/console/${file}`);
  };

  // Live: a few payments happening while the page is open.
  for (let index = 0; index < 6; index += 1) {
    const merchant = merchants[index % merchants.length] ?? tea;
    // Its steps a few minutes apart, the last one just now.
    const createdAt = new Date(Date.now() - 4 * 60_000);
    const seed: SeedTransaction = {
      merchantId: merchant.merchantId,
      merchantReference: `cart-${1200 + index}`,
      amountMinor: AMOUNTS[index % AMOUNTS.length],
      createdAt,
      history: historyOf(index + 3, createdAt),
    };
    await seedTransactions(server.db.sql, [seed]);
    await server.db.pool.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, '']);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="received"]')?.textContent ?? '0') >= 15);
  await shoot('live.png');

  await page.goto(`${server.url}/console#/transactions`);
  await page.getByTestId('total').waitFor();
  await shoot('transactions.png');

  await page.getByRole('link', { name: 'order-1100' }).click();
  await page.getByRole('table', { name: 'Notifications' }).waitFor();
  await shoot('transaction-detail.png');

  await page.goto(`${server.url}/console#/reports?timeZone=UTC`);
  await page.locator('.chart canvas').first().waitFor();
  await page.locator('.chart canvas').first().scrollIntoViewIfNeeded();
  await shoot('reports.png', 1500);

  await page.goto(`${server.url}/console#/operations`);
  await page.getByRole('table', { name: 'Open anomalies' }).waitFor();
  await shoot('operations.png');

  await page.goto(`${server.url}/console#/keys?merchant=${encodeURIComponent(encodeGlobalId('Merchant', tea.merchantId))}`);
  await page.getByRole('table', { name: 'API keys' }).waitFor();
  await shoot('api-keys.png');
} finally {
  await browser.close();
  await server.close();
}
