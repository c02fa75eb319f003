import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { DISPLAY_PREFIX_LENGTH } from '../../src/services/merchants.ts';
import { request } from '../support/http.ts';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia } from '../support/subscriptions.ts';

// API keys in the console, in Debian's Chromium against the real server: a merchant manages its own keys (an ADMIN
// any merchant's), a new secret is shown once and kept nowhere, a revoked key ends its open sessions, a rolled one
// keeps working for its overlap; no route shows or touches another merchant's keys; publishable keys cannot sign
// in and read-only ones change nothing. A second browser is a colleague signing in with the keys made.

describeInBrowser('API keys in the console', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let colleague: TestBrowser;
  let shop: { merchantId: string; key: string };
  let other: { merchantId: string; key: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    [browser, colleague] = await Promise.all([launchBrowser(), launchBrowser()]);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    shop = await server.createMerchant('Tea House');
    other = await server.createMerchant('Other Shop');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await colleague?.close();
    await server?.close();
  });

  /** A signed-out page of `context` with the sign-in form filled with `key` and sent. */
  async function submitSignIn(context: BrowserContext, key: string): Promise<Page> {
    await context.clearCookies();
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }

  async function signInAs(context: BrowserContext, key: string, view = ''): Promise<Page> {
    const page = await submitSignIn(context, key);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.waitForURL(/#\/live/);
    if (view !== '') await page.goto(`${server.url}/console#/${view}`);
    return page;
  }

  const prefixOf = (secret: string) => secret.slice(0, DISPLAY_PREFIX_LENGTH);
  const keyRow = (page: Page, secret: string) => page.locator(`tr[data-key="${prefixOf(secret)}"]`);
  const keyState = (page: Page, secret: string) => keyRow(page, secret).getByTestId('key-state').textContent();

  /** Runs a GraphQL document from the page, with its session cookie, as a hand-edited request would. */
  async function graphqlFromPage(page: Page, query: string, variables: Record<string, unknown>): Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }> {
    return page.evaluate(
      async ({ query, variables }) => {
        const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
        return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      },
      { query, variables },
    );
  }

  async function signInStatus(key: string): Promise<number> {
    const response = await request(`${server.url}/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: key }) });
    return response.status;
  }

  it('creates a key shown once (copied, stored nowhere) that signs in; revoked, it is refused and its open session ends', async () => {
    const page = await signInAs(browser.context, shop.key, 'keys');
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    expect(await keyState(page, shop.key)).toBe('Active');
    expect(await keyRow(page, shop.key).textContent()).toContain('Secret');

    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('secret').inputValue();
    expect(secret).toMatch(/^psk_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    expect(await keyState(page, secret)).toBe('Active');
    expect(await keyRow(page, secret).textContent()).toContain('never');
    // Kept nowhere: not in storage, cookies readable by the page, or the URL; gone from the page once done.
    const kept = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href);
    expect(kept).not.toContain(secret);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(secret);

    // A colleague signs in with it, and watches the live feed.
    const theirs = await signInAs(colleague.context, secret, 'live');
    await theirs.locator('[data-connection="live"]').waitFor();
    expect(await theirs.locator('.merchant-name').textContent()).toBe('Tea House');

    page.once('dialog', (dialog) => void dialog.accept());
    await keyRow(page, secret).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => keyState(page, secret)).toMatch(/^Revoked/);
    expect(await keyRow(page, secret).getByRole('button', { name: 'Revoke' }).isDisabled()).toBe(true);
    // Its last use (the colleague's sign-in) is listed.
    expect(await keyRow(page, secret).textContent()).not.toContain('never');
    // The colleague's open session ends (its live feed is closed within the credential sweep's 5 s) ...
    await theirs.getByLabel('API key').waitFor({ timeout: 15_000 });
    // ... and the key signs in no more.
    await theirs.getByLabel('API key').fill(secret);
    await theirs.getByRole('button', { name: 'Sign in' }).click();
    expect(await theirs.getByRole('alert').textContent()).toContain('unknown, malformed or revoked');
    await theirs.close();
    await page.close();
  }, 90_000);

  it('rolls a key: the new key and the rolled one both sign in during the overlap; an overlap of 0 ends the rolled one', async () => {
    const page = await signInAs(browser.context, shop.key, 'keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const rolled = await page.getByTestId('secret').inputValue();
    await page.getByRole('button', { name: 'Done' }).click();

    await keyRow(page, rolled).getByLabel('overlap').fill('2');
    page.once('dialog', (dialog) => void dialog.accept());
    await keyRow(page, rolled).getByRole('button', { name: 'Roll' }).click();
    await page.getByText('rolled: its new key').waitFor();
    const successor = await page.getByTestId('secret').inputValue();
    expect(successor).toMatch(/^psk_/);
    expect(successor).not.toBe(rolled);
    await expect.poll(() => keyState(page, rolled)).toMatch(/^Active until/);
    const expiresAt = (await server.db.prisma.apiKey.findFirstOrThrow({ where: { prefix: prefixOf(rolled) } })).expiresAt?.getTime() ?? 0;
    expect(Math.abs(expiresAt - (Date.now() + 2 * 3_600_000))).toBeLessThan(120_000);

    // Both sign in, in the colleague's browser, during the overlap.
    for (const key of [rolled, successor]) {
      const theirs = await signInAs(colleague.context, key, 'transactions');
      expect(await theirs.locator('.merchant-name').textContent()).toBe('Tea House');
      await theirs.close();
    }

    // Rolling with no overlap: the rolled key is revoked at once.
    await page.getByRole('button', { name: 'Done' }).click();
    await keyRow(page, successor).getByLabel('overlap').fill('0');
    page.once('dialog', (dialog) => void dialog.accept());
    await keyRow(page, successor).getByRole('button', { name: 'Roll' }).click();
    await page.getByText('rolled: its new key').waitFor();
    const third = await page.getByTestId('secret').inputValue();
    await expect.poll(() => keyState(page, successor)).toMatch(/^Revoked/);
    expect(await signInStatus(successor)).toBe(401);
    expect(await signInStatus(third)).toBe(201);
    expect(await signInStatus(rolled)).toBe(201);
    await page.close();
  }, 90_000);

  it('a merchant never sees or touches another merchant’s keys, by any page, edited URL or request; ADMIN manages any', async () => {
    const otherGlobalId = encodeGlobalId('Merchant', other.merchantId);
    const otherKey = await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: other.merchantId } });
    const page = await signInAs(browser.context, shop.key, `keys?merchant=${encodeURIComponent(otherGlobalId)}`);
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    expect(await keyRow(page, shop.key).count()).toBe(1);
    expect(await keyRow(page, other.key).count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain('Other Shop');
    // No Operations page for a merchant: its URL lands on the first page.
    await page.goto(`${server.url}/console#/operations`);
    await page.waitForURL(/#\/live/);

    // The same session straight at the API, as an edited request: refused, and the other key untouched.
    const list = await graphqlFromPage(page, 'query($m: ID) { apiKeys(merchantId: $m) { id } }', { m: otherGlobalId });
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const create = await graphqlFromPage(page, 'mutation($m: ID) { createApiKey(role: SECRET, merchantId: $m) { __typename } }', { m: otherGlobalId });
    expect(create.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const revoke = await graphqlFromPage(page, 'mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id: otherKey.id });
    expect(revoke.data).toEqual({ revokeApiKey: { __typename: 'NotFoundError' } });
    const roll = await graphqlFromPage(page, 'mutation($id: ID!) { rollApiKey(id: $id, expiresInHours: 0) { __typename } }', { id: otherKey.id });
    expect(roll.data).toEqual({ rollApiKey: { __typename: 'NotFoundError' } });
    expect(await server.db.prisma.apiKey.count({ where: { merchantId: other.merchantId } })).toBe(1);
    expect(await signInStatus(other.key)).toBe(201);
    await page.close();

    // ADMIN: Operations lists the merchants with a link to each one's keys.
    const admin = await signInAs(browser.context, server.adminKey, 'operations');
    await admin.getByRole('table', { name: 'Merchants' }).getByRole('row', { name: /Other Shop/ }).getByRole('link', { name: 'API keys' }).click();
    await admin.getByRole('table', { name: 'API keys' }).waitFor();
    expect(await keyRow(admin, other.key).count()).toBe(1);
    expect(await keyRow(admin, shop.key).count()).toBe(0);
    await admin.getByLabel('Kind').selectOption('READ_ONLY');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const readOnly = await admin.getByTestId('secret').inputValue();
    expect(await keyRow(admin, readOnly).textContent()).toContain('Read-only');
    expect((await server.db.prisma.apiKey.findFirstOrThrow({ where: { prefix: prefixOf(readOnly) } })).merchantId).toBe(other.merchantId);
    await admin.close();
  }, 90_000);

  it('refuses a publishable key at sign-in, saying why; a read-only key views everything and every change is disabled and refused', async () => {
    const created = await server.graphql<{ createApiKey: { secret: string } }>(
      'mutation($m: ID) { createApiKey(role: PUBLISHABLE, merchantId: $m) { ... on CreateApiKeySuccess { secret } } }',
      { m: encodeGlobalId('Merchant', shop.merchantId) },
    );
    const publishable = created.data?.createApiKey.secret ?? '';
    expect(publishable).toMatch(/^pk_/);
    const refused = await submitSignIn(browser.context, publishable);
    await refused.getByRole('alert').waitFor();
    expect(await refused.getByRole('alert').textContent()).toContain('A publishable key (pk_…) cannot sign in');
    expect((await browser.context.cookies(server.url)).find((cookie) => cookie.name === 'paystream_session')).toBeUndefined();
    await refused.close();

    const readOnlyKey = (
      await server.graphql<{ createApiKey: { secret: string } }>('mutation($m: ID) { createApiKey(role: READ_ONLY, merchantId: $m) { ... on CreateApiKeySuccess { secret } } }', {
        m: encodeGlobalId('Merchant', shop.merchantId),
      })
    ).data?.createApiKey.secret ?? '';
    await createTransactionVia(server, shop.key, 'read-only-view-1');
    const page = await signInAs(browser.context, readOnlyKey, 'transactions');
    expect(await page.locator('.role').textContent()).toBe('READ-ONLY');
    expect(await page.locator('.merchant-name').textContent()).toBe('Tea House');
    await page.getByRole('link', { name: 'read-only-view-1' }).click();
    await page.getByRole('table', { name: 'Timeline' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel transaction' }).isDisabled()).toBe(true);

    await page.goto(`${server.url}/console#/keys`);
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    const buttons = page.getByRole('table', { name: 'API keys' }).getByRole('button');
    expect(await buttons.count()).toBeGreaterThan(0);
    for (const button of await buttons.all()) expect(await button.isDisabled()).toBe(true);

    // Forced past the disabled buttons, the API refuses: nothing changes.
    const transaction = await graphqlFromPage(page, 'query { transactions(first: 1) { edges { node { id } } } }', {});
    const id = (transaction.data as { transactions: { edges: { node: { id: string } }[] } }).transactions.edges[0]?.node.id;
    const cancel = await graphqlFromPage(page, 'mutation($id: ID!) { cancelTransaction(id: $id) { __typename } }', { id });
    expect(cancel.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const create = await graphqlFromPage(page, 'mutation { createApiKey(role: SECRET) { __typename } }', {});
    expect(create.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await server.db.prisma.transaction.count({ where: { status: 'CANCELLED' } })).toBe(0);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
