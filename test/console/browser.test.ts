import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia } from '../support/subscriptions.ts';

// The console in Debian's Chromium (test/support/browser.ts), against the real server: what a person does.

describeInBrowser('the console in a browser', () => {
  let server: TestServer;
  let browser: TestBrowser;
  /** Console errors and CSP violations of every page: there must be none. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openConsole(): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/console`);
    return page;
  }

  async function signIn(page: Page, key: string): Promise<void> {
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('signs in with a key kept nowhere in the page, shows the report, downloads the CSV and signs out', async () => {
    const merchant = await server.createMerchant('Browser Shop');
    await createTransactionVia(server, merchant.key, 'browser-order-1');
    const page = await openConsole();
    await signIn(page, merchant.key);
    expect(await page.getByText('Browser Shop').count()).toBeGreaterThan(0);

    // The key is nowhere the page's scripts or the URL could leak it; the cookie is httpOnly.
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href);
    expect(storage).not.toContain(merchant.key);
    const cookies = await browser.context.cookies(server.url);
    expect(cookies.find((cookie) => cookie.name === 'paystream_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    await page.goto(`${server.url}/console#/reports?timeZone=UTC`);
    await page.getByText('Created that day, by current status').waitFor();
    expect(await page.locator('table').first().textContent()).toContain('10.00 EUR');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      }, reject);
    });
    expect(csv).toContain('Browser Shop');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect((await browser.context.cookies(server.url)).find((cookie) => cookie.name === 'paystream_session')).toBeUndefined();
    // Reloading after sign-out lands on the sign-in form again.
    await page.reload();
    await page.getByLabel('API key').waitFor();
    await page.close();
    expect(pageErrors).toEqual([]);
  });

  it('says so when the key is refused, and stays signed out', async () => {
    const page = await openConsole();
    await page.getByLabel('API key').fill('psk_not-a-real-key-at-all-0000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('unknown, malformed or revoked');
    await page.close();
  });
});
