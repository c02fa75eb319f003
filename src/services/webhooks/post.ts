import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkEndpointUrl, isAllowedAddress } from '../../domain/webhooks.ts';

/**
 * One webhook POST over node:http(s), guarded against reaching our own network: the URL's rules again (an IP
 * literal is judged at once), and for host names a DNS lookup of our own that refuses disallowed addresses and
 * hands the connection the address it checked (resolved once: no rebinding between check and connect). Redirects
 * are not followed. At most RESPONSE_READ_LIMIT bytes of the answer are read.
 */

const RESPONSE_READ_LIMIT = 64 * 1024;
/** What the delivery log keeps of a response body. */
const EXCERPT_BYTES = 512;
const USER_AGENT = 'Paystream-Webhooks/1';

export type PostOutcome = Readonly<{
  /** Undefined when no answer came (timeout, connection refused, blocked address). */
  statusCode: number | undefined;
  durationMs: number;
  error: string | undefined;
  excerpt: string | undefined;
  retryAfter: string | undefined;
  /** The request was cut by the caller's signal (shutdown): no verdict on the receiver, retried as it was. */
  aborted?: boolean;
}>;

export type Poster = {
  post(url: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number, signal?: AbortSignal): Promise<PostOutcome>;
  /** Closes the kept-alive sockets. */
  close(): void;
};

class BlockedAddressError extends Error {
  constructor(address: string) {
    super(`refused to connect to ${address}: a private, loopback, link-local or reserved address`);
  }
}

/** A poster with kept-alive connections (its checked sockets are reused only for the same host and port). */
export function createPoster(options: { allowLocalReceivers: boolean; socketsPerHost?: number }): Poster {
  const allowLoopback = options.allowLocalReceivers;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const refused = addresses.find(({ address }) => !isAllowedAddress(address, allowLoopback));
      if (refused !== undefined || addresses.length === 0) return callback(new BlockedAddressError(refused?.address ?? hostname), '', 4);
      // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily); all of them were checked.
      if (lookupOptions.all) return (callback as unknown as (error: null, all: LookupAddress[]) => void)(null, addresses);
      const [first] = addresses;
      if (!first) return callback(new BlockedAddressError(hostname), '', 4);
      return callback(null, first.address, first.family);
    });
  };
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.socketsPerHost ?? 8, lookup }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.socketsPerHost ?? 8, lookup }),
  };

  return {
    post(url, headers, body, timeoutMs, signal) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const checked = checkEndpointUrl(url, allowLoopback);
      if (!checked.ok) return Promise.resolve({ statusCode: undefined, durationMs: 0, error: `refused: the URL ${checked.problem}`, excerpt: undefined, retryAfter: undefined });
      const target = checked.url;
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const request = (target.protocol === 'https:' ? https : http).request;
      return new Promise<PostOutcome>((resolve) => {
        let statusCode: number | undefined;
        let retryAfter: string | undefined;
        const chunks: Buffer[] = [];
        let received = 0;
        let settled = false;
        let aborted = false;
        const finish = (error: string | undefined) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          const excerpt = chunks.length === 0 ? undefined : Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
          resolve(aborted ? { statusCode: undefined, durationMs: elapsed(), error, excerpt: undefined, retryAfter: undefined, aborted } : { statusCode, durationMs: elapsed(), error, excerpt, retryAfter });
        };
        const abort = () => {
          aborted = true;
          req.destroy(new Error('aborted: the sender is shutting down'));
          finish('aborted: the sender is shutting down');
        };
        const req = request(
          target,
          {
            method: 'POST',
            agent,
            headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': USER_AGENT },
          },
          (response) => {
            statusCode = response.statusCode;
            const header = response.headers['retry-after'];
            retryAfter = Array.isArray(header) ? header[0] : header;
            response.on('data', (chunk: Buffer) => {
              received += chunk.length;
              if (chunks.reduce((sum, part) => sum + part.length, 0) < EXCERPT_BYTES) chunks.push(chunk);
              // Enough: the status is what counts; a receiver streaming megabytes does not keep us reading.
              if (received > RESPONSE_READ_LIMIT) {
                response.destroy();
                finish(undefined);
              }
            });
            response.on('end', () => finish(undefined));
            response.on('error', () => finish(undefined));
          },
        );
        const timer = setTimeout(() => {
          req.destroy(new Error(`no complete answer within ${timeoutMs} ms`));
        }, timeoutMs);
        req.on('error', (error) => finish(statusCode === undefined ? describe(error) : undefined));
        if (signal?.aborted) abort();
        else signal?.addEventListener('abort', abort, { once: true });
        req.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message).slice(0, 300);
}
