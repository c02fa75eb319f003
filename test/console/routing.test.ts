import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia } from '../support/subscriptions.ts';

// The view is the URL's fragment. A fragment changed while the console starts (the session check has answered and
// the first page has rendered, but effects have not run yet) must be followed: when its hashchange was missed, the
// console stayed on the first view for good while the URL named another (a list that "never rendered" until a
// reload, as seen under load in test/console/pages.test.ts).

describeInBrowser('the console follows its URL from the first render', () => {
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the view the URL names when the fragment changes right after the first render', async () => {
    const merchant = await server.createMerchant('Route Shop');
    await createTransactionVia(server, merchant.key, 'route-1');
    const signIn = await browser.context.newPage();
    await signIn.goto(`${server.url}/console`);
    await signIn.getByLabel('API key').fill(merchant.key);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('button', { name: 'Sign out' }).waitFor();
    await signIn.close();

    // Signed in (the cookie): the console checks the session, renders the Live page, and at that very moment
    // (a mutation observer's microtask, before any effect) the fragment moves to the transactions.
    const page = await browser.context.newPage();
    await page.addInitScript(`new MutationObserver((_, observer) => {
      if (document.querySelector('.shell') === null) return;
      observer.disconnect();
      location.hash = '#/transactions';
    }).observe(document, { childList: true, subtree: true });`);
    await page.goto(`${server.url}/console#/live`);
    await page.getByTestId('total').waitFor({ timeout: 15_000 });
    expect(page.url()).toMatch(/#\/transactions$/);
    expect(await page.getByTestId('total').textContent()).toBe('1 transaction');
    expect(await page.locator('nav a.active').textContent()).toBe('Transactions');
    await page.close();
  }, 60_000);
});
