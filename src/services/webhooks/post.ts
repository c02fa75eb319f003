import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { checkEndpointUrl, isAllowedAddress } from '../../domain/webhooks.ts';

/**
 * One webhook POST over undici's dispatcher (about a quarter less CPU a request than node:http, BENCHMARKS.md),
 * guarded against reaching our own network: the URL's rules again (an IP literal is judged at once), and for host
 * names a DNS lookup of our own that refuses disallowed addresses and hands the connection the address it checked
 * (resolved once: no rebinding between check and connect). Redirects are not followed. At most RESPONSE_READ_LIMIT
 * bytes of the answer are read.
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

/** A URL's check and, when it passed, where every POST to it goes. */
type Target = { ok: true; origin: string; path: string } | { ok: false; problem: string };
/** Distinct endpoint URLs remembered; past it the cache starts over (a bound, not an expected size). */
const TARGET_CACHE_SIZE = 1024;
const ABORTED = 'aborted: the sender is shutting down';

/**
 * A poster with kept-alive connections (reused only for the same origin). `signal` (the sender's shutdown) cuts
 * every attempt in flight: one listener for all of them.
 */
export function createPoster(options: { allowLocalReceivers: boolean; socketsPerHost?: number; signal?: AbortSignal; connectTimeoutMs?: number }): Poster {
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
  // Every new connection goes through `lookup` (net.connect and tls.connect take it from `connect`), and may take as
  // long as an attempt (WEBHOOK_TIMEOUT_MS, up to 60 s; undici's own default is 10 s).
  const dispatcher = new Agent({ connections: options.socketsPerHost ?? 8, connect: { lookup, timeout: options.connectTimeoutMs } });
  // The URL rules are a pure function of the URL: judged once per URL, not once per attempt.
  const targets = new Map<string, Target>();
  const target = (url: string): Target => {
    const known = targets.get(url);
    if (known !== undefined) return known;
    const checked = checkEndpointUrl(url, allowLoopback);
    const judged: Target = checked.ok ? { ok: true, origin: checked.url.origin, path: `${checked.url.pathname}${checked.url.search}` } : checked;
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
        if (signal?.aborted) return attempt.abort();
        inFlight.add(attempt);
        attempt.timer = setTimeout(() => attempt.cut(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
        dispatcher.dispatch(
          { origin: to.origin, path: to.path, method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT }, body },
          attempt,
        );
      });
    },
    close() {
      void dispatcher.destroy().catch(() => undefined);
    },
  };
}

/**
 * One POST until it settles, and the dispatcher's handler of its answer (state and methods on a class: no closures
 * made and named for each request).
 */
class Attempt implements Dispatcher.DispatchHandler {
  timer: NodeJS.Timeout | undefined;
  private statusCode: number | undefined;
  private retryAfter: string | undefined;
  private controller: Dispatcher.DispatchController | undefined;
  /** Why the request was cut before the dispatcher started it: it is aborted as it starts. */
  private cutBeforeStart: Error | undefined;
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

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cutBeforeStart !== undefined) controller.abort(this.cutBeforeStart);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    const header = headers['retry-after'];
    this.retryAfter = Array.isArray(header) ? header[0] : header;
  }

  /** Keeps the first EXCERPT_BYTES of the answer; past RESPONSE_READ_LIMIT the status is enough, reading stops. */
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    if (this.excerpt === undefined) this.excerpt = chunk;
    else if (this.excerpt.length < EXCERPT_BYTES) this.excerpt = Buffer.concat([this.excerpt, chunk]);
    if (this.received > RESPONSE_READ_LIMIT) {
      this.finish(undefined);
      controller.abort(new Error('response read limit reached'));
    }
  }

  onResponseEnd(): void {
    this.finish(undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(this.statusCode === undefined ? describe(error) : undefined);
  }

  /** Ends the attempt now with `error` (a timeout), and the request with it. */
  cut(error: Error): void {
    this.finish(this.statusCode === undefined ? describe(error) : undefined);
    if (this.controller === undefined) this.cutBeforeStart = error;
    else this.controller.abort(error);
  }

  /** Cut by the shutdown: no verdict on the receiver. */
  abort(): void {
    this.finish(ABORTED, true);
    const error = new Error(ABORTED);
    if (this.controller === undefined) this.cutBeforeStart = error;
    else this.controller.abort(error);
  }

  private finish(error: string | undefined, aborted?: boolean): void {
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
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message).slice(0, 300);
}
