import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { request } from '../support/http.ts';
import { startSibling, startTestServer, type SiblingServer, type TestServer } from '../support/server.ts';

// A new user's first minutes, offline: `/` leads to GraphiQL, GraphiQL's assets come from this server, and a
// subscription run from GraphiQL with the key typed in its headers pane delivers events.

let server: TestServer;
let production: SiblingServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  production = await startSibling(server, { NODE_ENV: 'production' });
  merchant = await server.createMerchant('GraphiQL');
});
afterAll(async () => {
  await production?.close();
  await server?.close();
});

describe('/ and the GraphiQL page', () => {
  it('/ redirects to GraphiQL outside production', async () => {
    const response = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });

  it('/ answers a short pointer in production, where GraphiQL is off', async () => {
    const response = await request(`${production.url}/`);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ graphql: '/graphql', health: { live: '/healthz', ready: '/readyz' } });
  });

  it('GraphiQL loads no script, style or icon from another host', async () => {
    const page = await request(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/renderYogaGraphiQL/);
    const externalAssets = page.text.match(/<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\/[^"'\s>]+/gi) ?? [];
    expect(externalAssets).toEqual([]);
  });
});

describeInBrowser('GraphiQL in a browser, with no network beyond this server', () => {
  let browser: TestBrowser;
  let page: Page;
  const leftThisServer: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    // Everything not served by this server fails, as it would offline; and is recorded.
    await browser.context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith(`${server.url}/`) || /^(blob|data):/.test(url)) return route.continue();
      leftThisServer.push(url);
      return route.abort('internetdisconnected');
    });
    page = await browser.context.newPage();
  }, 60_000);
  afterAll(() => browser?.close());

  /** Replaces the content of a Monaco editor of GraphiQL (its query editor, or one of the tools below it). */
  async function replaceEditorText(editor: ReturnType<Page['locator']>, text: string): Promise<void> {
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(text);
  }

  it('/ opens GraphiQL, rendered from local assets only', async () => {
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/graphql');
    await page.getByRole('button', { name: /Execute query/ }).waitFor({ timeout: 30_000 });
    expect(leftThisServer).toEqual([]);
  });

  it('runs a subscription with the key typed in the headers pane and shows its events as they come', async () => {
    await page.getByRole('button', { name: 'Headers' }).click();
    await replaceEditorText(page.locator('.graphiql-editor-tool .monaco-editor').last(), JSON.stringify({ Authorization: `Bearer ${merchant.key}` }));
    await replaceEditorText(page.locator('.graphiql-query-editor .monaco-editor'), 'subscription Live { transactionEvents { status transaction { merchantReference } } }');
    const subscribed = page.waitForRequest((sent) => new URL(sent.url()).pathname === '/graphql' && (sent.headers()['authorization'] ?? '') !== '');
    await page.getByRole('button', { name: /Execute query/ }).click();
    expect((await subscribed).headers()['authorization']).toBe(`Bearer ${merchant.key}`);
    // The subscription is open once the server counts it.
    await expect.poll(async () => (await request(`${server.url}/metrics`)).text).toMatch(/paystream_subscriptions_open\{subscription="transactionEvents"\} 1/);

    const created = await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: 'graphiql-1', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      merchant.key,
    );
    expect(created.data?.createTransaction.__typename).toBe('CreateTransactionSuccess');
    // Monaco lays text out with non-breaking spaces.
    const resultPane = async () => (await page.locator('.graphiql-response').innerText()).replace(/\s+/g, ' ');
    await expect.poll(resultPane, { timeout: 15_000 }).toMatch(/"merchantReference": "graphiql-1"/);
    expect(await resultPane()).not.toMatch(/isTrusted|UNAUTHENTICATED/);
    expect(leftThisServer).toEqual([]);
  }, 60_000);
});
