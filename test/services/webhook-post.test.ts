import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPoster, type Poster } from '../../src/services/webhooks/post.ts';

/**
 * The webhook POST on its own against a real local server: a host name is resolved and checked once per
 * connection (kept-alive sockets carry the next requests), a refused URL is refused on every attempt, and the
 * shutdown signal cuts what is in flight.
 */

let server: Server | undefined;
let poster: Poster | undefined;
afterEach(async () => {
  poster?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  poster = undefined;
});

async function listen(handler: RequestListener): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  server = createServer(handler);
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

describe('webhook POST', () => {
  it('reuses checked connections: 20 requests to a host name, one after another, open at most two', async () => {
    const target = await listen((request, response) => request.resume().on('end', () => response.end('ok')));
    poster = createPoster({ allowLocalReceivers: true, socketsPerHost: 4 });
    for (let index = 0; index < 20; index += 1) {
      const outcome = await poster.post(`http://localhost:${target.port}/hook`, { 'webhook-id': `msg_${index}` }, '{}', 2_000);
      expect(outcome.statusCode).toBe(200);
      expect(outcome.excerpt).toBe('ok');
    }
    // undici's pool opens a second connection for the second request (the first one's is not handed back to the
    // pool until its drain event); from there on they carry every request: not one connection (and lookup) each.
    expect(target.connections()).toBeLessThanOrEqual(2);
  });

  it('refuses a disallowed URL on every attempt, and a loopback host name when loopback is not allowed', async () => {
    const target = await listen((request, response) => request.resume().on('end', () => response.end()));
    poster = createPoster({ allowLocalReceivers: false });
    for (let index = 0; index < 2; index += 1) {
      expect((await poster.post('https://10.0.0.1/hook', {}, '{}', 2_000)).error).toMatch(/^refused: the URL must not point to a private/);
      expect((await poster.post(`https://localhost:${target.port}/hook`, {}, '{}', 2_000)).error).toMatch(/refused to connect to (127\.0\.0\.1|::1)/);
    }
    expect(target.connections()).toBe(0);
  });

  it('the shutdown signal ends every attempt in flight at once, as aborted', async () => {
    const target = await listen((request) => request.resume());
    const shutdown = new AbortController();
    poster = createPoster({ allowLocalReceivers: true, signal: shutdown.signal });
    const attempts = Array.from({ length: 3 }, () => poster?.post(`http://127.0.0.1:${target.port}/hook`, {}, '{}', 10_000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    shutdown.abort();
    const outcomes = await Promise.all(attempts);
    expect(outcomes.map((outcome) => outcome?.aborted)).toEqual([true, true, true]);
    expect((await poster.post(`http://127.0.0.1:${target.port}/hook`, {}, '{}', 10_000)).aborted).toBe(true);
  });
});
