import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
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
  /** POSTs `body`; an attempt still running when the poster's signal aborts ends at once with `aborted`. */
  post(url: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number): Promise<PostOutcome>;
  /** Closes the kept-alive sockets. */
  close(): void;
};

class BlockedAddressError extends Error {
  constructor(address: string) {
    super(`refused to connect to ${address}: a private, loopback, link-local or reserved address`);
  }
}

/** A URL's check and, when it passed, the request options every POST to it shares. */
type Target = { ok: true; options: https.RequestOptions; https: boolean } | { ok: false; problem: string };
/** Distinct endpoint URLs remembered; past it the cache starts over (a bound, not an expected size). */
const TARGET_CACHE_SIZE = 1024;
const ABORTED = 'aborted: the sender is shutting down';

/**
 * A poster with kept-alive connections (its checked sockets are reused only for the same host and port). `signal`
 * (the sender's shutdown) cuts every attempt in flight: one listener for all of them.
 */
export function createPoster(options: { allowLocalReceivers: boolean; socketsPerHost?: number; signal?: AbortSignal }): Poster {
  const allowLoopback = options.allowLocalReceivers;
  const { signal } = options;
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
  // The URL rules are a pure function of the URL: judged once per URL, not once per attempt. Each new connection
  // still goes through `lookup` (resolved once, checked, connected to the checked address).
  const targets = new Map<string, Target>();
  const target = (url: string): Target => {
    const known = targets.get(url);
    if (known !== undefined) return known;
    const checked = checkEndpointUrl(url, allowLoopback);
    const hostname = checked.ok && checked.url.hostname.startsWith('[') ? checked.url.hostname.slice(1, -1) : checked.ok ? checked.url.hostname : '';
    const judged: Target = checked.ok
      ? {
          ok: true,
          https: checked.url.protocol === 'https:',
          options: {
            method: 'POST',
            protocol: checked.url.protocol,
            hostname,
            port: checked.url.port === '' ? undefined : Number(checked.url.port),
            // What the agent would otherwise work out from the Host header on every request (no SNI for an IP).
            servername: isIP(hostname) === 0 ? hostname : '',
            path: `${checked.url.pathname}${checked.url.search}`,
            agent: checked.url.protocol === 'https:' ? agents['https:'] : agents['http:'],
          },
        }
      : checked;
    if (targets.size >= TARGET_CACHE_SIZE) targets.clear();
    targets.set(url, judged);
    return judged;
  };
  const inFlight = new Set<Attempt>();
  signal?.addEventListener('abort', () => {
    for (const attempt of inFlight) attempt.abort();
  });

  return {
    post(url, headers, body, timeoutMs) {
      const started = performance.now();
      const to = target(url);
      if (!to.ok) return Promise.resolve({ statusCode: undefined, durationMs: 0, error: `refused: the URL ${to.problem}`, excerpt: undefined, retryAfter: undefined });
      return new Promise<PostOutcome>((resolve) => {
        const attempt = new Attempt(started, inFlight, resolve);
        const req = (to.https ? https : http).request(
          { ...to.options, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': USER_AGENT } },
          (response) => {
            attempt.statusCode = response.statusCode;
            const header = response.headers['retry-after'];
            attempt.retryAfter = Array.isArray(header) ? header[0] : header;
            response.on('data', (chunk: Buffer) => {
              // Enough: the status is what counts; a receiver streaming megabytes does not keep us reading.
              if (attempt.read(chunk) > RESPONSE_READ_LIMIT) {
                response.destroy();
                attempt.finish(undefined);
              }
            });
            response.on('end', () => attempt.finish(undefined));
            response.on('error', () => attempt.finish(undefined));
          },
        );
        attempt.request = req;
        attempt.timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
        req.on('error', (error) => attempt.finish(attempt.statusCode === undefined ? describe(error) : undefined));
        if (signal?.aborted) attempt.abort();
        else inFlight.add(attempt);
        req.end(body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** One POST until it settles (state and methods on a class: no closures made and named for each request). */
class Attempt {
  statusCode: number | undefined;
  retryAfter: string | undefined;
  request: http.ClientRequest | undefined;
  timer: NodeJS.Timeout | undefined;
  private excerpt: Buffer | undefined;
  private received = 0;
  private settled = false;
  private readonly started: number;
  private readonly inFlight: Set<Attempt>;
  private readonly resolve: (outcome: PostOutcome) => void;

  constructor(started: number, inFlight: Set<Attempt>, resolve: (outcome: PostOutcome) => void) {
    this.started = started;
    this.inFlight = inFlight;
    this.resolve = resolve;
  }

  /** Keeps the first EXCERPT_BYTES of the answer; returns how many bytes were read so far. */
  read(chunk: Buffer): number {
    this.received += chunk.length;
    if (this.excerpt === undefined) this.excerpt = chunk;
    else if (this.excerpt.length < EXCERPT_BYTES) this.excerpt = Buffer.concat([this.excerpt, chunk]);
    return this.received;
  }

  finish(error: string | undefined, aborted?: boolean): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.inFlight.delete(this);
    const durationMs = Math.round(performance.now() - this.started);
    this.resolve(
      aborted
        ? { statusCode: undefined, durationMs, error, excerpt: undefined, retryAfter: undefined, aborted }
        : { statusCode: this.statusCode, durationMs, error, excerpt: this.excerpt?.subarray(0, EXCERPT_BYTES).toString('utf8'), retryAfter: this.retryAfter },
    );
  }

  /** Cut by the shutdown: no verdict on the receiver. */
  abort(): void {
    this.request?.destroy(new Error(ABORTED));
    this.finish(ABORTED, true);
  }
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message).slice(0, 300);
}
