import { afterAll, beforeAll, expect, it } from 'vitest';
import { startShop, type Shop } from '../../examples/checkout/shop.ts';
import { transition } from '../../src/services/transitions.ts';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The merchant checkout example (examples/checkout, #15.5) end to end in Chromium, across two origins: the shop's
// page (publishable key + client secret only) creates a payment through its backend, sends the consumer through the
// built-in Alipay sandbox and shows the status live on return, resuming after a network drop. A page on an origin
// the merchant did not allow sees nothing.

let server: TestServer;
let browser: TestBrowser;
let shop: Shop;
let foreignShop: Shop;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startTestServer();
  const merchant = await server.createMerchant('Tea shop');
  const created = await server.graphql<{ createApiKey: { secret: string } }>('mutation { createApiKey(role: PUBLISHABLE) { ... on CreateApiKeySuccess { secret } } }', {}, merchant.key);
  const keys = { paystreamUrl: server.url, secretKey: merchant.key, publishableKey: created.data?.createApiKey.secret ?? '' };
  shop = await startShop(keys);
  foreignShop = await startShop(keys);
  const allowed = await server.graphql('mutation ($origins: [String!]!) { setAllowedOrigins(origins: $origins) { __typename } }', { origins: [shop.url] }, merchant.key);
  expect(allowed.data).toEqual({ setAllowedOrigins: { __typename: 'SetAllowedOriginsSuccess' } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await foreignShop?.close();
  await server?.close();
});

describeInBrowser('the checkout example', () => {
  it('pays through the sandbox and shows the status live on return, resuming after a network drop', async () => {
    const page = await browser.context.newPage();
    await page.goto(shop.url);
    await Promise.all([page.waitForURL(/\/sandbox\/alipay\/gateway/), page.getByRole('button', { name: 'Pay with Alipay' }).click()]);
    await Promise.all([page.waitForURL(new RegExp(`^${shop.url}/return`)), page.getByRole('button', { name: 'Pay', exact: true }).click()]);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('CAPTURED');
    await expect.poll(() => page.locator('#note').textContent()).toBe('live');

    // The network drops (every connection to Paystream cut); the money arrives meanwhile; the page resumes.
    const { id: transactionId } = await server.db.prisma.transaction.findFirstOrThrow({ where: { status: 'CAPTURED' }, orderBy: { createdAt: 'desc' } });
    server.app.server.closeAllConnections();
    const paid = await transition(server.db, { transactionId, target: 'PAID', source: 'SETTLEMENT', reason: 'FUNDS_RECEIVED' });
    expect(paid.kind).toBe('applied');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 15_000 }).toBe('PAID');
    expect(await page.locator('#note').textContent()).toBe('final');
    // The page never held a secret key.
    expect(await page.content()).not.toContain('psk_');
    await page.close();
  }, 60_000);

  it('a page on an origin the merchant did not allow sees nothing of the payment', async () => {
    const page = await browser.context.newPage();
    await page.goto(foreignShop.url);
    await Promise.all([page.waitForURL(/\/sandbox\/alipay\/gateway/), page.getByRole('button', { name: 'Pay with Alipay' }).click()]);
    await Promise.all([page.waitForURL(new RegExp(`^${foreignShop.url}/return`)), page.getByRole('button', { name: 'Pay', exact: true }).click()]);
    await expect.poll(() => page.locator('#note').textContent(), { timeout: 15_000 }).toBe('reconnecting');
    expect(await page.locator('#status').textContent()).toBe('none yet');
    // What its script sees: the browser hides the refused answer (no CORS headers for this origin).
    const attempt = await page.evaluate(async (url) => {
      try {
        const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        return `answered ${response.status}`;
      } catch (error) {
        return `refused: ${error instanceof Error ? error.name : 'error'}`;
      }
    }, server.url);
    expect(attempt).toBe('refused: TypeError');
    await page.close();
  }, 60_000);
});
