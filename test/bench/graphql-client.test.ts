import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphqlClient } from '../../bench/harness.ts';
import { TypedDocumentString } from '../../src/generated/graphql/graphql.ts';
import { sleep } from '../support/subscriptions.ts';

// The benchmarks' GraphQL client must not reuse a connection the server is about to close at its keep-alive
// timeout (a request sent as it closes fails with ECONNRESET): it lets idle ones go a second before the hint.

const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"__typename":"Query"}}'));
server.keepAliveTimeout = 2_000;
let connections = 0;
server.on('connection', () => {
  connections += 1;
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('reuses an idle connection, and lets it go a second before the server keep-alive ends it', async () => {
  const client = graphqlClient(url, 'key', 1);
  const query = new TypedDocumentString<{ __typename: string }, Record<string, never>>('query Typename { __typename }');
  await client.execute(query, {});
  await client.execute(query, {});
  expect(connections).toBe(1);
  // The server announces timeout=2: the client keeps the connection idle for at most 1 s.
  await sleep(1_500);
  expect((await client.execute(query, {})).status).toBe(200);
  expect(connections).toBe(2);
  client.close();
});
