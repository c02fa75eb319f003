import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRST_MUTATION, nextSteps } from '../../src/next-steps.ts';
import { startProcess, type RunningProcess } from '../support/process.ts';

// `npm start` in a terminal, as a new user sees it: readable log lines, then what to do next. `script` gives
// the server a pseudo-terminal (util-linux, on every Debian); elsewhere stdout is a pipe and logs are JSON
// (test/lifecycle/process.test.ts parses every line of it).

const started: RunningProcess[] = [];
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(started.map((running) => running.stop('SIGKILL')));
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

// ANSI colours and the terminal's carriage returns, so the text can be matched as a person reads it.
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');

describe('npm start in a terminal', () => {
  it('logs readable lines, says where GraphiQL is, which header to add, and a first mutation that works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'paystream-terminal-'));
    directories.push(dataDir);
    const command = `exec env DATABASE_URL= ADMIN_API_KEY= NODE_ENV=development LOG_LEVEL=info PORT=0 DATA_DIR=${dataDir} ${process.execPath} --import tsx src/main.ts`;
    const running = startProcess('script', ['-qec', command, '/dev/null'], {});
    started.push(running);
    await running.waitFor(/Then {6}.*docs\/API\.md/, 60_000);
    const screen = plain(running.stdout());

    // Log lines for people: time, level, message, the rest on the same line; no JSON line.
    expect(screen).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Paystream listening on http:\/\/127\.0\.0\.1:\d+\/graphql \{"port":\d+/m);
    expect(screen).not.toMatch(/^\{"level"/m);

    const url = /GraphiQL {2}(http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(screen)?.[1];
    expect(url).toBeDefined();
    const keyFile = join(dataDir, 'admin-api-key');
    expect(screen).toContain(`Header    {"Authorization": "Bearer <ADMIN key>"}   in GraphiQL's Headers pane; the ADMIN key is in ${keyFile}`);
    expect(screen).toContain(`Try       ${FIRST_MUTATION}`);

    // Following the steps: GraphiQL answers a browser, and the mutation shown creates a merchant.
    const page = await fetch(url ?? '', { headers: { accept: 'text/html' } });
    expect(await page.text()).toMatch(/graphiql/i);
    const response = await fetch(url ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` },
      body: JSON.stringify({ query: FIRST_MUTATION }),
    });
    const created = (await response.json()) as { data?: { createMerchant?: { __typename: string; secret?: string } } };
    expect(created.data?.createMerchant).toMatchObject({ __typename: 'CreateMerchantSuccess', secret: expect.stringMatching(/^psk_/) });
  }, 90_000);
});

describe('the next steps for other set-ups', () => {
  it('names the configured key, or how to get one, and says GraphiQL is off in production', () => {
    const configured = nextSteps({ graphqlUrl: 'http://h:1/graphql', graphiql: true, adminKey: { kind: 'configured' } });
    expect(configured).toContain('the ADMIN key is the ADMIN_API_KEY you set');
    expect(configured).toContain('Console   http://h:1/console');
    const production = nextSteps({ graphqlUrl: 'http://h:1/graphql', graphiql: false, adminKey: { kind: 'none' } });
    expect(production).toContain('GraphQL   POST http://h:1/graphql   (GraphiQL is off in production)');
    expect(production).toContain('no ADMIN key yet: set ADMIN_API_KEY and restart, or run `npm run cli -- merchant:create --name Acme`');
    expect(production).not.toContain('GraphiQL  http');
  });
});
