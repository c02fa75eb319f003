import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema/index.ts';
import { postGraphql, wsClient, wsExecute } from '../support/http.ts';
import { sweepSlots, type SlotFill } from '../support/schema-sweep.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Bad input is a typed error, never a masked internal one (issue #13.8: a year-0 DateTime, a NUL in a
 * filter, a malformed cursor reached the database and came back INTERNAL_SERVER_ERROR). Every query, mutation
 * and subscription, generated from the schema, gets hostile values in each String, ID, DateTime, Date and Int
 * input in turn (arguments and input fields), with a merchant key and with ADMIN. Every refusal must carry a
 * code a client can act on, and nothing may be masked.
 */

// QUERY_TOO_COMPLEX: a page of 2^31-1 rows is refused by the cost limit before the page size is looked at.
const TYPED_CODES = new Set(['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN', 'INVALID_STATE', 'IDEMPOTENCY_CONFLICT', 'QUERY_TOO_COMPLEX']);

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Each fill makes every String, ID, DateTime, Date and Int input a slot, with hostile values. */
function hostile(values: { text: string; dateTime: string; date: string; int: number }): SlotFill {
  return (scalar) => {
    switch (scalar) {
      case 'String':
      case 'ID':
        return JSON.stringify(values.text);
      case 'DateTime':
        return JSON.stringify(values.dateTime);
      case 'Date':
        return JSON.stringify(values.date);
      case 'Int':
        return String(values.int);
      default:
        return undefined;
    }
  };
}

const fills: SlotFill[] = [
  // PostgreSQL has no year 0 and text cannot hold NUL.
  hostile({ text: 'a\u0000b', dateTime: '0000-01-01T00:00:00Z', date: '0000-01-01', int: 2_147_483_647 }),
  // A connection cursor around no uuid; an instant past 9999 once in UTC; the calendar's last day.
  hostile({ text: base64('GPC:S:not-a-uuid'), dateTime: '9999-12-31T23:59:59-14:00', date: '9999-12-31', int: -2_147_483_648 }),
  // A numeric connection cursor; an instant before year 1 once in UTC; the calendar's first day.
  hostile({ text: base64('GPC:N:5'), dateTime: '0001-01-01T00:00:00+14:00', date: '0001-01-01', int: 0 }),
  // An event cursor past bigint; long text.
  hostile({ text: Buffer.from('ev1:99999999999999999999:1').toString('base64url'), dateTime: '2026-01-01T00:00:00Z', date: '2026-01-01', int: 1 }),
  hostile({ text: 'x'.repeat(10_000), dateTime: '1970-01-01T00:00:00.000+00:00', date: '1970-01-01', int: 100 }),
];

let server: TestServer;
let merchantKey: string;

beforeAll(async () => {
  // Limits wide open: this sweep is about input values, and its generated selections are deliberately broad.
  server = await startTestServer({ GRAPHQL_MAX_TOKENS: '20000', GRAPHQL_MAX_DEPTH: '30', GRAPHQL_MAX_COST: '100000000', GRAPHQL_MAX_ALIASES: '100' });
  merchantKey = (await server.createMerchant('Hostile')).key;
});
afterAll(() => server?.close());

type Problem = { query: string; answer: string };

function problemsIn(query: string, status: number, errors: { message: string; extensions?: Record<string, unknown> }[], answer: string): Problem[] {
  const untyped = errors.filter((error) => !TYPED_CODES.has(String(error.extensions?.['code'])));
  return status >= 500 || untyped.length > 0 ? [{ query: query.slice(0, 400), answer: answer.slice(0, 600) }] : [];
}

describe.each([
  ['a merchant key', () => merchantKey],
  ['ADMIN', () => server.adminKey],
])('hostile input sweep with %s', (_label, key) => {
  it.each(['query', 'mutation'] as const)('every %s field: bad input is a typed error, nothing is masked', async (rootType) => {
    const operations = sweepSlots(schema, rootType, fills).filter((operation) => operation.addressed);
    expect(operations.length).toBeGreaterThan(fills.length);
    const problems: Problem[] = [];
    for (const operation of operations) {
      const response = await postGraphql(server.url, { query: operation.query }, { key: key() });
      problems.push(...problemsIn(operation.query, response.status, response.json?.errors ?? [], response.text));
    }
    expect(problems).toEqual([]);
  });

  it('every subscription field: refused at subscribe time with a typed error', async () => {
    const operations = sweepSlots(schema, 'subscription', fills).filter((operation) => operation.addressed);
    expect(operations.length).toBeGreaterThan(fills.length);
    const client = wsClient(server.url, key());
    const problems: Problem[] = [];
    try {
      for (const operation of operations) {
        // Each ends with its refusal (a result carrying errors, then complete): no waiting for silence.
        const { results, error } = await wsExecute(client, operation.query);
        const errors = results.flatMap((result) => (result as { errors?: { message: string; extensions?: Record<string, unknown> }[] }).errors ?? []);
        const answer = JSON.stringify({ results, error });
        if (error !== undefined || errors.length === 0) problems.push({ query: operation.query.slice(0, 400), answer: answer.slice(0, 600) });
        else problems.push(...problemsIn(operation.query, 200, errors, answer));
      }
    } finally {
      await client.dispose();
    }
    expect(problems).toEqual([]);
  });
});
