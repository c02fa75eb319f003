import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { revokeApiKey } from '../../src/services/merchants.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// A revoked key loses every stream it holds, whatever the transport and whatever the request's Accept header
// said: the credential sweep re-checks open streams every 5 s (the API-key cache lifetime).

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SUBSCRIPTION = 'subscription { transactionEvents { status } }';

type OpenStream = { label: string; ended: Promise<string>; isEnded: () => boolean };

/** An HTTP subscription; resolves once the server answered with a stream. */
async function openHttpStream(label: string, key: string, method: 'GET' | 'POST', accept: string | undefined): Promise<OpenStream> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (accept !== undefined) headers['accept'] = accept;
  const response =
    method === 'GET'
      ? await fetch(`${server.url}/graphql?query=${encodeURIComponent(SUBSCRIPTION)}`, { headers })
      : await fetch(`${server.url}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: SUBSCRIPTION }) });
  expect(response.status, label).toBe(200);
  expect(response.headers.get('content-type'), label).toMatch(/^text\/event-stream/);
  let ended = false;
  const settled = response.text().then(
    () => label,
    () => label,
  );
  void settled.then(() => (ended = true));
  return { label, ended: settled, isEnded: () => ended };
}

async function openWebSocket(label: string, key: string): Promise<OpenStream> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  let ended = false;
  const closed = new Promise<string>((resolve) => socket.once('close', (code) => resolve(`${label} ${code}`)));
  void closed.then(() => (ended = true));
  await new Promise((resolve) => socket.once('open', resolve));
  const acknowledged = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
  await acknowledged;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
  return { label, ended: closed, isEnded: () => ended };
}

function streamsOf(key: string): Promise<OpenStream>[] {
  const variants: [string, 'GET' | 'POST', string | undefined][] = [
    ['SSE GET, Accept: text/event-stream', 'GET', 'text/event-stream'],
    ['SSE GET, Accept: */*', 'GET', '*/*'],
    ['SSE GET, no Accept', 'GET', undefined],
    ['SSE POST, Accept: */*', 'POST', '*/*'],
    ['SSE POST, no Accept', 'POST', undefined],
    ['SSE GET, Accept: TEXT/EVENT-STREAM', 'GET', 'TEXT/EVENT-STREAM'],
  ];
  return [...variants.map(([label, method, accept]) => openHttpStream(label, key, method, accept)), openWebSocket('graphql-ws', key)];
}

describe('revoking a key ends its open streams', () => {
  it('ends every stream of the revoked key, whatever its Accept header, and keeps the others', async () => {
    const victim = await server.createMerchant('Revoked mid-stream');
    const bystander = await server.createMerchant('Keeps streaming');
    const revoked = await Promise.all(streamsOf(victim.key));
    const kept = await Promise.all(streamsOf(bystander.key));
    const apiKey = await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: victim.merchantId } });
    await revokeApiKey(server.db, apiKey.id);

    const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('still open after 12 s'), 12_000).unref());
    const outcomes = await Promise.all(revoked.map((stream) => Promise.race([stream.ended, deadline.then((text) => `${stream.label}: ${text}`)])));
    expect(outcomes.filter((outcome) => outcome.includes('still open'))).toEqual([]);
    expect(kept.filter((stream) => stream.isEnded()).map((stream) => stream.label)).toEqual([]);
  }, 20_000);
});
