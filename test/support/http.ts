import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import * as documents from '../../src/generated/graphql/graphql.ts';
import type { Metrics } from '../../src/observability/metrics.ts';

/** Raw HTTP to a test server, for requests the typed helpers cannot express (hostile or malformed ones). */
export type RawResponse = {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } | undefined;
};

export async function request(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: RawResponse['json'];
  try {
    json = JSON.parse(text) as RawResponse['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** POST /graphql as JSON; `accept` defaults to none at all (what curl and plain fetch send). */
export function postGraphql(
  baseUrl: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  options: { key?: string; accept?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.key !== undefined) headers['authorization'] = `Bearer ${options.key}`;
  if (options.accept !== undefined) headers['accept'] = options.accept;
  return request(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** The sum of a metric's samples whose labels include `labels` (`sampleName`: e.g. a histogram's `_count`). */
export async function metricSum(metrics: Metrics, name: string, labels: Record<string, string>, sampleName = name): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return (metric?.values ?? [])
    .filter((sample) => ((sample as { metricName?: string }).metricName ?? name) === sampleName && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

export function errorCodes(response: RawResponse): unknown[] {
  return (response.json?.errors ?? []).map((error) => error.extensions?.['code']);
}

/** Every operation document codegen made from src/client/operations.ts (fragments excluded). */
export function clientOperations(): { name: string; query: string }[] {
  return Object.entries(documents)
    .filter(([name, value]) => name.endsWith('Document') && value instanceof documents.TypedDocumentString)
    .map(([name, value]) => ({ name, query: String(value) }));
}

/** A graphql-ws client on the real server's port, authenticated with `key`. */
export function wsClient(baseUrl: string, key: string, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** Runs one operation over graphql-ws and collects everything it yields (or the error it ends with). */
export function wsExecute(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ results: unknown[]; error?: unknown }> {
  return new Promise((resolve) => {
    const results: unknown[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (value) => results.push(value),
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
}
