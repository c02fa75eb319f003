import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, wsClient, wsExecute } from '../support/http.ts';
import { startSibling, startTestServer, type SiblingServer, type TestServer } from '../support/server.ts';

// In production no error suggests a name ("Did you mean ...?"): suggestions let anyone map the schema, with
// introspection off, one guess at a time. Development keeps them (which also shows each case can fail).

let development: TestServer;
let production: SiblingServer;

beforeAll(async () => {
  development = await startTestServer();
  production = await startSibling(development, { NODE_ENV: 'production' });
});
afterAll(async () => {
  await production?.close();
  await development?.close();
});

/** Each makes graphql-js suggest a name; `hint` is the name it would give away. */
const guesses: { label: string; query: string; variables?: Record<string, unknown>; hint: RegExp }[] = [
  { label: 'a field', query: '{ transactio(id: "x") { id } }', hint: /"transaction"/ },
  { label: 'an argument', query: '{ transactions(frist: 1) { totalCount } }', hint: /"first"/ },
  { label: 'a type', query: 'query($f: TransactionFiltr) { transactions(filter: $f) { totalCount } }', hint: /"TransactionFilter"/ },
  { label: 'an enum value, inline', query: '{ transactions(filter: { statuses: [CAPTUR] }) { totalCount } }', hint: /CAPTURED/ },
  { label: 'an enum value, in a variable', query: 'query($s: [TransactionStatus!]) { transactions(filter: { statuses: $s }) { totalCount } }', variables: { s: ['CAPTUR'] }, hint: /CAPTURED/ },
  { label: 'an input field, inline', query: '{ transactions(filter: { merchantReferenc: "x" }) { totalCount } }', hint: /"merchantReference"/ },
  { label: 'an input field, in a variable', query: 'query($f: TransactionFilter) { transactions(filter: $f) { totalCount } }', variables: { f: { merchantReferenc: 'x' } }, hint: /"merchantReference"/ },
];

describe('no "Did you mean" in production, whatever was misspelt', () => {
  it.each(guesses.map((guess) => [guess.label, guess] as const))('%s, over HTTP', async (_label, guess) => {
    const responses = await Promise.all(
      [development, production].map((target) => postGraphql(target.url, { query: guess.query, variables: guess.variables }, { key: target.adminKey })),
    );
    const [developed, produced] = responses.map((response) => (response.json?.errors ?? []).map((error) => error.message).join('\n'));
    expect(developed).toMatch(/Did you mean/);
    expect(developed).toMatch(guess.hint);
    expect(produced).not.toBe('');
    expect(produced).not.toMatch(/Did you mean/);
    expect(produced).not.toMatch(guess.hint);
  });

  it.each(guesses.map((guess) => [guess.label, guess] as const))('%s, over WebSocket', async (_label, guess) => {
    const client = wsClient(production.url, production.adminKey);
    try {
      // Validation errors end the operation with an error; variable coercion errors come as a result.
      const text = JSON.stringify(await wsExecute(client, guess.query, guess.variables));
      expect(text).toMatch(/message/);
      expect(text).not.toMatch(/Did you mean/);
      expect(text).not.toMatch(guess.hint);
    } finally {
      await client.dispose();
    }
  });
});
