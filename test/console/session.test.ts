import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { consoleRoutes } from '../../src/http/routes/console.ts';
import { CONSOLE_SESSION_TTL_MS } from '../../src/services/console-sessions.ts';
import { createApiKey, revokeApiKey } from '../../src/services/merchants.ts';
import { request, type RawResponse } from '../support/http.ts';
import { ROOT } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia } from '../support/subscriptions.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function signIn(apiKey: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(`${server.url}/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ apiKey }),
  });
}

/** The `name=value` of the session cookie a sign-in set. */
function cookieOf(response: RawResponse): string {
  const setCookie = response.headers.get('set-cookie') ?? '';
  const pair = setCookie.split(';')[0] ?? '';
  expect(pair).toMatch(/^paystream_session=[A-Za-z0-9_-]{43}$/);
  return pair;
}

function graphqlWithCookie(cookie: string, query: string, variables: Record<string, unknown> = {}, init: { method?: string; contentType?: string } = {}) {
  if (init.method === 'GET') {
    return request(`${server.url}/graphql?query=${encodeURIComponent(query)}`, { headers: { cookie } });
  }
  return request(`${server.url}/graphql`, {
    method: 'POST',
    headers: { cookie, 'content-type': init.contentType ?? 'application/json' },
    body: init.contentType === 'application/x-www-form-urlencoded' ? `query=${encodeURIComponent(query)}` : JSON.stringify({ query, variables }),
  });
}

describe('the console page', () => {
  it('serves /console and its assets from this server, with a strict content security policy', async () => {
    const page = await request(`${server.url}/console`, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const assets = [...page.text.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(1);
    for (const asset of assets) {
      const response = await request(`${server.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
    }
    // No asset from anywhere else: the console works offline.
    expect(page.text).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('says how to build it when console/dist is missing, instead of a blank page', async () => {
    const routes = consoleRoutes(mkdtempSync(join(tmpdir(), 'no-console-')));
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(['GET /console']);
  });

  it('has its GraphQL operations typed by codegen: console/src/generated is what codegen makes (run `npm run codegen`)', () => {
    const out = mkdtempSync(join(tmpdir(), 'console-codegen-'));
    const otherOut = mkdtempSync(join(tmpdir(), 'client-codegen-'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', 'codegen.ts', '--silent'], {
      cwd: ROOT,
      env: { ...process.env, CODEGEN_OUTPUT: `${otherOut}/`, CONSOLE_CODEGEN_OUTPUT: `${out}/` },
      stdio: 'pipe',
    });
    const committed = join(ROOT, 'console/src/generated');
    const files = readdirSync(committed).sort();
    expect(readdirSync(out).sort()).toEqual(files);
    for (const file of files) expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(committed, file), 'utf8'));
  }, 60_000);
});

describe('sign-in: an API key exchanged for a session cookie', () => {
  it('sets an httpOnly, SameSite=Strict cookie for the whole server, and never answers with the key', async () => {
    const { key } = await server.createMerchant('Cookie Shop');
    const response = await signIn(key);
    expect(response.status).toBe(201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).toMatch(new RegExp(`Max-Age=(${CONSOLE_SESSION_TTL_MS / 1000}|${CONSOLE_SESSION_TTL_MS / 1000 - 1})`));
    // Plain http here: Secure would make the browser drop the cookie.
    expect(setCookie).not.toMatch(/Secure/);
    expect(setCookie).not.toContain(key);
    expect(response.text).not.toContain(key);
    expect(response.json).toMatchObject({ role: 'MERCHANT', merchant: { name: 'Cookie Shop' } });
  });

  it('marks the cookie Secure when the server is public over https', async () => {
    const secure = await startTestServer({ PUBLIC_BASE_URL: 'https://payments.example' });
    try {
      const response = await request(`${secure.url}/console/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: secure.adminKey }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });

  it('refuses an unknown, malformed or revoked key with 401 and no cookie', async () => {
    const { key } = await server.createMerchant();
    const row = await server.db.prisma.apiKey.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, where: { role: 'MERCHANT' } });
    await revokeApiKey(server.db, row.id);
    for (const apiKey of ['psk_unknownunknownunknownunknown', 'not a key', key]) {
      const response = await signIn(apiKey);
      expect(response.status, apiKey).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('refuses a publishable key with 403 saying why (it is public: it never opens a session); a read-only key signs in as its merchant', async () => {
    const { merchantId } = await server.createMerchant('Key Kinds Shop');
    const before = await server.db.prisma.consoleSession.count();
    const publishable = await createApiKey(server.db, 'PUBLISHABLE', merchantId);
    for (const apiKey of [publishable.secret, 'pk_unknownunknownunknown']) {
      const response = await signIn(apiKey);
      expect(response.status, apiKey).toBe(403);
      expect(response.json).toMatchObject({ error: 'PUBLISHABLE_KEY', message: expect.stringContaining('cannot sign in') });
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    expect(await server.db.prisma.consoleSession.count()).toBe(before);
    const readOnly = await createApiKey(server.db, 'MERCHANT_READ_ONLY', merchantId);
    const response = await signIn(readOnly.secret);
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ role: 'MERCHANT_READ_ONLY', merchant: { name: 'Key Kinds Shop' } });
    const refused = await graphqlWithCookie(cookieOf(response), 'mutation { createApiKey(role: SECRET) { __typename } }');
    expect(refused.json).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
  });

  it('refuses a form post, a body without a key and a foreign Origin (no login CSRF), and creates no session', async () => {
    const before = await server.db.prisma.consoleSession.count();
    const form = await request(`${server.url}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `apiKey=${server.adminKey}`,
    });
    expect(form.status).toBe(415);
    const empty = await request(`${server.url}/console/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(empty.status).toBe(400);
    const foreign = await signIn(server.adminKey, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await server.db.prisma.consoleSession.count()).toBe(before);
  });
});

describe('a session authenticates as its key, and only from this origin', () => {
  it('answers GraphQL with the merchant’s data only, and GET /console/session says who is signed in', async () => {
    const mine = await server.createMerchant('Mine');
    const theirs = await server.createMerchant('Theirs');
    const own = await createTransactionVia(server, mine.key);
    const other = await createTransactionVia(server, theirs.key);
    const cookie = cookieOf(await signIn(mine.key));
    const listed = await graphqlWithCookie(cookie, '{ transactions(first: 10) { edges { node { id } } } }');
    expect(listed.status).toBe(200);
    expect(listed.json?.data).toEqual({ transactions: { edges: [{ node: { id: own.id } }] } });
    const foreign = await graphqlWithCookie(cookie, 'query($id: ID!) { transaction(id: $id) { id } }', { id: other.id });
    expect(foreign.json?.data).toEqual({ transaction: null });
    const who = await request(`${server.url}/console/session`, { headers: { cookie } });
    expect(who.json).toMatchObject({ role: 'MERCHANT', merchant: { name: 'Mine' } });
  });

  it('keeps the CSRF rule: a cookie on GET /graphql or on a form post is refused with CSRF_REFUSED', async () => {
    const cookie = cookieOf(await signIn(server.adminKey));
    const viaGet = await graphqlWithCookie(cookie, '{ __typename }', {}, { method: 'GET' });
    expect(viaGet.status).toBe(403);
    expect(viaGet.json?.errors?.[0]?.extensions?.['code']).toBe('CSRF_REFUSED');
    const viaForm = await graphqlWithCookie(cookie, '{ __typename }', {}, { contentType: 'application/x-www-form-urlencoded' });
    expect(viaForm.status).toBe(403);
    const viaText = await graphqlWithCookie(cookie, '{ __typename }', {}, { contentType: 'text/plain' });
    expect(viaText.status).toBe(403);
  });

  it('never lets a cookie rescue a wrong Authorization header', async () => {
    const cookie = cookieOf(await signIn(server.adminKey));
    const response = await request(`${server.url}/graphql`, {
      method: 'POST',
      headers: { cookie, authorization: 'Bearer psk_wrongwrongwrongwrongwrong', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(401);
  });

  it('downloads the CSV report with the cookie (a plain link: no key in the URL)', async () => {
    const mine = await server.createMerchant('Csv Shop');
    await createTransactionVia(server, mine.key);
    const cookie = cookieOf(await signIn(mine.key));
    const date = new Date().toISOString().slice(0, 10);
    const csv = await request(`${server.url}/reports/daily.csv?date=${date}`, { headers: { cookie } });
    expect(csv.status).toBe(200);
    expect(csv.text.split('\r\n')[1]).toContain('Csv Shop');
    expect(csv.text).not.toContain('Mine');
    const stats = await request(`${server.url}/reports/stats.csv?from=${date}&to=${date}`, { headers: { cookie } });
    expect(stats.status).toBe(200);
    expect((await request(`${server.url}/reports/daily.csv?date=${date}`)).status).toBe(401);
  });

  it('opens live subscriptions over WebSocket with the cookie from its own origin, never from another', async () => {
    const mine = await server.createMerchant('Live Shop');
    const cookie = cookieOf(await signIn(mine.key));
    const host = new URL(server.url).host;
    const connect = (origin: string) =>
      new Promise<{ data?: unknown; closeCode?: number }>((resolve) => {
        const client = createClient({
          url: `${server.url.replace(/^http/, 'ws')}/graphql`,
          webSocketImpl: class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, { headers: { cookie, origin } });
            }
          },
          retryAttempts: 0,
          on: { closed: (event) => resolve({ closeCode: (event as { code: number }).code }) },
        });
        client.subscribe(
          { query: 'subscription { transactionEvents { status transaction { merchantReference } } }' },
          {
            next: (value) => {
              resolve({ data: value.data });
              void client.dispose();
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
        // The subscription is open once the server acknowledged: then a payment shows up on it.
        client.on('connected', () => void setTimeout(() => void createTransactionVia(server, mine.key, 'live-order'), 200));
      });
    expect(await connect(`http://${host}`)).toEqual({ data: { transactionEvents: { status: 'CREATED', transaction: { merchantReference: 'live-order' } } } });
    // An origin nobody allows never gets a socket: the upgrade itself is refused (403), so the client sees 1006.
    expect(await connect('https://evil.example')).toEqual({ closeCode: 1006 });
  });
});

describe('sessions end', () => {
  it('on sign-out: the cookie is cleared and the old one no longer works, even replayed', async () => {
    const cookie = cookieOf(await signIn(server.adminKey));
    const signedOut = await request(`${server.url}/console/session`, { method: 'DELETE', headers: { cookie } });
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^paystream_session=; .*Max-Age=0/);
    expect((await graphqlWithCookie(cookie, '{ __typename }')).status).toBe(401);
    expect((await request(`${server.url}/console/session`, { headers: { cookie } })).status).toBe(204);
  });

  it('a foreign page cannot sign a browser out', async () => {
    const cookie = cookieOf(await signIn(server.adminKey));
    const refused = await request(`${server.url}/console/session`, { method: 'DELETE', headers: { cookie, origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect((await graphqlWithCookie(cookie, '{ __typename }')).status).toBe(200);
  });

  it('when it expires', async () => {
    const cookie = cookieOf(await signIn(server.adminKey));
    expect((await graphqlWithCookie(cookie, '{ __typename }')).status).toBe(200);
    await server.db.prisma.consoleSession.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await graphqlWithCookie(cookie, '{ __typename }')).status).toBe(401);
  });

  it('when its key is revoked, and an open live stream ends with it', async () => {
    const { key } = await server.createMerchant('Revoked Shop');
    const cookie = cookieOf(await signIn(key));
    const row = await server.db.prisma.apiKey.findFirstOrThrow({ orderBy: { createdAt: 'desc' }, where: { role: 'MERCHANT' } });
    const stream = await fetch(`${server.url}/graphql?query=${encodeURIComponent('subscription { transactionEvents { status } }')}`, {
      headers: { cookie, accept: 'text/event-stream', 'x-graphql-yoga-csrf': '1' },
    });
    expect(stream.status).toBe(200);
    await revokeApiKey(server.db, row.id);
    expect((await graphqlWithCookie(cookie, '{ __typename }')).status).toBe(401);
    // The credential sweep re-checks open streams every few seconds (API_KEY_CACHE_TTL_MS): the stream ends.
    const reader = stream.body?.getReader();
    const ended = async (): Promise<boolean> => {
      for (;;) {
        // The server ends it by closing the connection: a read error is the end too.
        const chunk = await reader?.read().catch(() => undefined);
        if (chunk?.done !== false) return true;
      }
    };
    expect(await ended()).toBe(true);
  });
});
