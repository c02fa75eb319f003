import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSender, refusal } from '../../bench/support/http-sender.ts';

// bench:subscriptions' sender judges each POST's answer; the judge must say "accepted" only for the server asked.
describe('benchmark HTTP sender', () => {
  const servers: Server[] = [];
  const urls: URL[] = [];

  const listen = async (server: Server): Promise<URL> => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return new URL(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/publish`);
  };

  beforeAll(async () => {
    // As bench/support/bare-server.ts answers: writeHead then end, so the body comes chunked.
    urls.push(await listen(createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'))));
    // Another server on the same host that knows no /publish, as Paystream does not.
    urls.push(await listen(createServer((_request, response) => response.writeHead(404, { 'content-length': '9' }).end('not found'))));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('sends each POST to the server it names, even with another server’s connections idle', async () => {
    const sender = new HttpSender();
    const [bare, other] = urls as [URL, URL];
    // Leaves several idle connections to the other server first, as the Paystream phase did before the baseline's.
    const answers = await Promise.all(Array.from({ length: 4 }, () => sender.post(other, {}, '{}')));
    expect(answers.map((answer) => refusal(answer, 'ok'))).toEqual(Array(4).fill('404 not found'));
    for (let round = 0; round < 3; round += 1) {
      expect(refusal(await sender.post(bare, { 'content-type': 'application/json' }, '{"merchant":"m0"}'), 'ok')).toBeUndefined();
      expect(refusal(await sender.post(other, {}, '{}'), 'ok')).toBe('404 not found');
    }
    sender.close();
  });

  it('refuses an answer that is not 2xx or lacks the expected text', () => {
    expect(refusal({ status: 200, text: '{"ok":true}' }, 'ok')).toBeUndefined();
    expect(refusal({ status: 200, text: '{"outcome":"DUPLICATE"}' }, '"outcome":"APPLIED"')).toBe('200 {"outcome":"DUPLICATE"}');
    expect(refusal({ status: 500, text: 'ok' }, 'ok')).toBe('500 ok');
  });

  it('fails the request, not the run, when the server is gone', async () => {
    const sender = new HttpSender();
    await expect(sender.post(new URL('http://127.0.0.1:1/publish'), {}, '{}')).rejects.toThrow();
    sender.close();
  });
});
